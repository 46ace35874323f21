//! Parse throughput: a generated narrow `/n` log of about 128 MB (2,500
//! series, stamped snapshots) read into the polars `samples` table.
//!
//! `cargo bench --bench parse`; `POOLSCAN_BENCH_MB=N` changes the size.
//! `RAYON_NUM_THREADS=1` measures one core.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use poolscan::log::{Log, ReadOptions};
use poolscan_synth::{self as synth, Config};

fn narrow_log(mb: usize) -> Vec<u8> {
    // One snapshot of 2,500 series is about 190 KB.
    let per_snapshot = 2_500 * 76;
    let cfg = Config {
        seed: 42,
        series: 2_500,
        snapshots: (mb << 20) / per_snapshot + 1,
        ..Config::default()
    };
    let mut out = Vec::with_capacity((mb + 8) << 20);
    synth::write_log(&cfg, &mut out).expect("writing to memory");
    out
}

fn parse(c: &mut Criterion) {
    let mb: usize = std::env::var("POOLSCAN_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(128);
    let log = narrow_log(mb);
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(log.len() as u64));
    g.sample_size(10);
    g.bench_function(
        format!("narrow {} MB into the samples frame", log.len() >> 20),
        |b| {
            b.iter(|| {
                let parsed = Log::from_bytes("bench.log", black_box(&log), &ReadOptions::default())
                    .expect("parses");
                let df = poolscan::table::into_samples(parsed).expect("frame");
                black_box(df.height())
            })
        },
    );
    g.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
