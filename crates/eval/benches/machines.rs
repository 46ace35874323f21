//! poolscan's verdicts on machine-like logs (not a timing benchmark).
//!
//! `cargo bench --profile tune -p poolscan-eval --bench machines` generates, per seed, one
//! mixed log per (tags, snapshots) cell and at least as many clean logs, analyses them with
//! the default options and prints three Markdown tables: by log size and length (AP of
//! poolscan next to the last-minus-first and least-squares baselines, `leak` precision and
//! recall), by family (`leak` and `suspect` verdicts), and the clean logs.
//!
//! Environment:
//! - `POOLSCAN_MACHINE_SEEDS=N`: seeds per cell (default 8: 72 mixed and 72 clean logs, about a minute
//!   on 2 cores with `--profile tune`);
//! - `POOLSCAN_SEED_BASE=B`: first seed (default 0, the tuning set; 1000 and up is the
//!   held-out set: never tune on it);
//! - `POOLSCAN_MACHINE_CLEAN=N`: at least N clean logs (default: as many as mixed logs),
//!   spread over the cells;
//! - `POOLSCAN_MACHINE_SIZES=300,1000,3000` and `POOLSCAN_MACHINE_LENGTHS=24,96,500`: the grid;
//! - `POOLSCAN_MACHINE_LEAKS=N`: leaks per mixed log (default 7, one per leak family).

use std::time::Instant;

use poolscan_eval as eval;
use rayon::prelude::*;

fn env_num<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(default)
}

fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(name)
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| default.to_vec())
}

fn main() {
    let seeds: u64 = env_num("POOLSCAN_MACHINE_SEEDS", 8);
    let base: u64 = env_num("POOLSCAN_SEED_BASE", 0);
    let clean: usize = env_num("POOLSCAN_MACHINE_CLEAN", 0);
    let leaks: usize = env_num("POOLSCAN_MACHINE_LEAKS", 7);
    let sizes = env_list("POOLSCAN_MACHINE_SIZES", &[300, 1000, 3000]);
    let lengths = env_list("POOLSCAN_MACHINE_LENGTHS", &[24, 96, 500]);
    let set = eval::seed_set(base);
    if base < eval::HELD_OUT_BASE && base + seeds + (clean as u64) > eval::HELD_OUT_BASE {
        eprintln!(
            "warning: seeds {base}.. may reach the held-out set (from {})",
            eval::HELD_OUT_BASE
        );
    }
    let cfgs = eval::machine_suite(base, seeds, &sizes, &lengths, leaks, clean);
    let t0 = Instant::now();
    // Biggest logs first, so that the two cores finish together.
    let mut order: Vec<usize> = (0..cfgs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(cfgs[i].tags * cfgs[i].snapshots));
    let mut results: Vec<(usize, eval::MachineResult)> = order
        .par_iter()
        .map(|&i| (i, eval::run_machine(&cfgs[i]).expect("machine log reads")))
        .collect();
    results.sort_by_key(|r| r.0);
    let results: Vec<eval::MachineResult> = results.into_iter().map(|r| r.1).collect();
    let wall = t0.elapsed().as_secs_f64();
    let s = eval::summarize_machines(&results);
    println!(
        "poolscan on machine logs, {set}: seeds {base}..{} ({} per cell), {} logs ({} mixed with {leaks} leaks, {} clean), {:.0} s wall ({:.0} s CPU)",
        base + seeds,
        seeds,
        s.logs,
        s.mixed,
        s.clean,
        wall,
        s.secs
    );
    println!();
    print!("{}", eval::markdown_tables(&results, &sizes, &lengths));
}
