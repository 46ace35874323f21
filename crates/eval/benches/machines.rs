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

fn main() {
    let env = eval::SuiteEnv::from_env();
    let (seeds, base, clean) = (env.seeds, env.base, env.clean);
    let (sizes, lengths) = (&env.sizes, &env.lengths);
    let set = eval::seed_set(base);
    if base < eval::HELD_OUT_BASE && base + seeds + (clean as u64) > eval::HELD_OUT_BASE {
        eprintln!(
            "warning: seeds {base}.. may reach the held-out set (from {})",
            eval::HELD_OUT_BASE
        );
    }
    let cfgs = env.suite();
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
        "poolscan on machine logs, {set}: seeds {base}..{} ({} per cell), {} logs ({} mixed with {} leaks, {} clean), {:.0} s wall ({:.0} s CPU)",
        base + seeds,
        seeds,
        s.logs,
        s.mixed,
        env.leaks,
        s.clean,
        wall,
        s.secs
    );
    println!();
    print!("{}", eval::markdown_tables(&results, sizes, lengths));
}
