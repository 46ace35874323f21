//! Ranking quality on the labelled synthetic suite (not a timing benchmark).
//!
//! `cargo bench --bench ranking` prints, per log length and overall for logs
//! of 24 snapshots or more: mean average precision of poolscan next to the
//! last-minus-first and least-squares baselines, precision and recall of the
//! `leak` verdict, and false `leak` verdicts per non-leak family.
//! `POOLSCAN_SEEDS=N` changes the number of seeds (default 20);
//! `POOLSCAN_SEED_BASE=B` starts the seeds at B (default 0; e.g. 100 for a
//! held-out check of a change tuned on the default seeds);
//! `POOLSCAN_LENGTHS=1000,3000,6000` replaces the log lengths (default
//! 12,24,48,96,200,500; e.g. to check logs of thousands of snapshots).

use poolscan_eval as eval;
use rayon::prelude::*;

fn main() {
    let seeds: u64 = std::env::var("POOLSCAN_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let base: u64 = std::env::var("POOLSCAN_SEED_BASE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let lengths: Vec<usize> = std::env::var("POOLSCAN_LENGTHS")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| vec![12, 24, 48, 96, 200, 500]);
    // POOLSCAN_MIN_GROWTH=BYTES: the `leak` growth gate (default 64 KiB; most of this
    // suite's leaks grow less, so 0 measures the rest of the decision).
    let min_growth: f64 = std::env::var("POOLSCAN_MIN_GROWTH")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64.0 * 1024.0);
    let opts = poolscan::analysis::Options {
        min_growth: poolscan::analysis::MinGrowth::Bytes(min_growth),
        ..Default::default()
    };
    let cfgs = eval::suite_from(base, seeds, &lengths);
    let results: Vec<(usize, eval::LogResult)> = cfgs
        .par_iter()
        .map(|c| {
            (
                c.snapshots,
                eval::run_one_with(c, &opts).expect("suite log reads"),
            )
        })
        .collect();
    let from = if base > 0 {
        format!(" from seed {base}")
    } else {
        String::new()
    };
    println!(
        "poolscan ranking quality: {} logs, {} seeds{from}, 32 labelled series + 8 background per log",
        results.len(),
        seeds
    );
    println!();
    println!("| snapshots | logs | AP poolscan | AP last-first | AP OLS slope | leak precision | leak recall |");
    println!("|----------:|-----:|------------:|--------------:|-------------:|---------------:|------------:|");
    let mut rows: Vec<(String, Vec<eval::LogResult>)> = lengths
        .iter()
        .map(|&n| {
            (
                n.to_string(),
                results
                    .iter()
                    .filter(|r| r.0 == n)
                    .map(|r| r.1.clone())
                    .collect(),
            )
        })
        .collect();
    rows.push((
        "≥ 24".into(),
        results
            .iter()
            .filter(|r| r.0 >= 24)
            .map(|r| r.1.clone())
            .collect(),
    ));
    for (name, rs) in &rows {
        let s = eval::summarize(rs);
        println!(
            "| {name} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
            s.logs, s.ap, s.ap_last_first, s.ap_ols, s.precision, s.recall
        );
    }
    let all: Vec<eval::LogResult> = results
        .iter()
        .filter(|r| r.0 >= 24)
        .map(|r| r.1.clone())
        .collect();
    let s = eval::summarize(&all);
    println!();
    println!("Logs of 24 snapshots or more, per family (series, `leak` verdicts):");
    println!();
    println!("| family | kind | series | `leak` verdicts |");
    println!("|--------|------|-------:|----------------:|");
    for (f, (n, k)) in &s.found {
        println!(
            "| {f} | leak | {n} | {k} ({:.0}%) |",
            *k as f64 * 100.0 / (*n).max(1) as f64
        );
    }
    for (f, (n, k)) in &s.false_leaks {
        println!("| {f} | not a leak | {n} | {k} |");
    }
}
