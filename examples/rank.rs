//! Use poolscan as a library: read a log, build the polars table, rank the series.
//! `cargo run --example rank -- fixtures/synth/poolmon-demo.log`

fn main() -> Result<(), poolscan::Error> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "fixtures/synth/poolmon-demo.log".into());
    let inputs = poolscan::parse::input::expand(&[path])?;
    let log = poolscan::log::read(&inputs, &poolscan::log::ReadOptions::default())?;
    let samples = poolscan::table::samples(&log)?;
    println!("{} rows in the samples table", samples.height());
    let result = poolscan::analysis::analyze(&log, &Default::default(), None)?;
    for s in result.series.iter().take(5) {
        println!(
            "{:>2} {:<4} {:<8} {:<7} {:.2}  {}",
            s.rank,
            s.tag,
            s.pool,
            s.verdict.name(),
            s.score,
            s.reason
        );
    }
    Ok(())
}
