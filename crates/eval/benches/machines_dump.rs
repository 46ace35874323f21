//! A diagnostic (not a benchmark): dumps, for the machine suite, the series that have the
//! shape of a leak (every `leak`, every series held back from it, every planted leak) with
//! their points, as JSON lines, for studying where false `leak` verdicts come from.
//!
//! `cargo bench --profile tune -p poolscan-eval --bench machines_dump`; the same environment
//! as the `machines` bench, and `POOLSCAN_DUMP=path` (default `machines_dump.jsonl` in the
//! working directory). Two lines per log (`"log"`: its size, length and every tested series'
//! `chance`; `"every"`: its span in hours and, per tested series, `[drift σ, verdict, leak?,
//! family, growth bytes, score]`) followed by one line per dumped series.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;

use poolscan::analysis::{self, Verdict};
use poolscan::log::{Log, ReadOptions};
use poolscan_eval as eval;
use rayon::prelude::*;

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn arr<T: std::fmt::Display>(v: impl IntoIterator<Item = T>) -> String {
    let items: Vec<String> = v.into_iter().map(|x| x.to_string()).collect();
    format!("[{}]", items.join(","))
}

fn dump(i: usize, cfg: &poolscan_synth::MachineConfig) -> String {
    let (bytes, truth) = poolscan_synth::generate_machine(cfg);
    let log = Log::from_bytes("machine.log", &bytes, &ReadOptions::default()).expect("reads");
    drop(bytes);
    let a = analysis::analyze(&log, &analysis::Options::default(), None).expect("analyses");
    let label: HashMap<(&str, &str), (poolscan_synth::MachineFamily, bool)> = truth
        .series
        .iter()
        .map(|s| ((s.tag.as_str(), s.pool), (s.family, s.leak)))
        .collect();
    let hours: Vec<f64> = {
        let t0 = log.snapshots[0].time;
        log.snapshots
            .iter()
            .enumerate()
            .map(|(k, s)| match (s.time, t0) {
                (Some(t), Some(t0)) => (t - t0).num_milliseconds() as f64 / 3.6e6,
                _ => k as f64,
            })
            .collect()
    };
    let mut out = String::new();
    let chances: Vec<f64> = a
        .series
        .iter()
        .filter(|s| s.snapshots >= 3)
        .map(|s| s.chance)
        .collect();
    let _ = writeln!(
        out,
        "{{\"log\":{i},\"tags\":{},\"snapshots\":{},\"leaks\":{},\"chances\":{}}}",
        cfg.tags,
        cfg.snapshots,
        cfg.leaks,
        arr(chances.iter().map(|c| format!("{c:e}")))
    );
    // Every tested series: drift σ, verdict, truth, family, growth, score.
    let every: Vec<String> = a
        .series
        .iter()
        .filter(|s| s.snapshots >= 3)
        .map(|s| {
            let (fam, leak) = label
                .get(&(s.tag.as_str(), s.pool))
                .map_or(("?", false), |&(f, l)| (f.name(), l));
            format!(
                "[{},\"{:?}\",{},\"{}\",{},{}]",
                s.drift_sigma, s.verdict, leak, fam, s.growth_bytes, s.score
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "{{\"every\":{i},\"hours\":{},\"rows\":[{}]}}",
        a.hours.unwrap_or(-1.0),
        every.join(",")
    );
    // Points per series id.
    let mut pts: HashMap<u32, Vec<(usize, usize)>> = HashMap::new();
    for (k, s) in log.snapshots.iter().enumerate() {
        for r in s.rows.clone() {
            pts.entry(log.rows.series[r]).or_default().push((k, r));
        }
    }
    for s in &a.series {
        let Some(&(fam, leak)) = label.get(&(s.tag.as_str(), s.pool)) else {
            continue;
        };
        let held = s.reason.contains("; but ");
        if !(leak || held || s.verdict == Verdict::Leak) {
            continue;
        }
        let p = &pts[&s.series_id];
        let _ = writeln!(
            out,
            "{{\"log\":{i},\"family\":\"{}\",\"leak\":{leak},\"verdict\":\"{:?}\",\"score\":{},\"z\":{},\"chance\":{:e},\"growth\":{},\"reason\":\"{}\",\"t\":{},\"epoch\":{},\"bytes\":{},\"allocs\":{},\"frees\":{}}}",
            fam.name(),
            s.verdict,
            s.score,
            s.drift_sigma,
            s.chance,
            s.growth_bytes,
            esc(&s.reason),
            arr(p.iter().map(|&(k, _)| format!("{:.5}", hours[k]))),
            arr(p.iter().map(|&(k, _)| log.snapshots[k].epoch)),
            arr(p.iter().map(|&(_, r)| log.rows.bytes(r))),
            arr(p.iter().map(|&(_, r)| log.rows.allocs(r))),
            arr(p.iter().map(|&(_, r)| log.rows.frees(r))),
        );
    }
    out
}

fn main() {
    let env = eval::SuiteEnv::from_env();
    let path = std::env::var("POOLSCAN_DUMP").unwrap_or_else(|_| "machines_dump.jsonl".into());
    let cfgs = env.suite();
    let lines: Vec<String> = (0..cfgs.len())
        .into_par_iter()
        .map(|i| dump(i, &cfgs[i]))
        .collect();
    let mut f = std::fs::File::create(&path).expect("creates the dump");
    for l in lines {
        f.write_all(l.as_bytes()).expect("writes");
    }
    eprintln!("{} logs dumped to {path}", cfgs.len());
}
