//! Measuring ranking quality on labelled synthetic logs (`poolscan_synth`):
//! average precision, precision and recall of the `leak` verdict, false
//! `leak` verdicts per non-leak family, next to two baselines people use
//! today (last-minus-first bytes, and a least-squares slope).
//!
//! [`machines`] does the same on machine-like logs (`poolscan_synth::generate_machine`):
//! thousands of tags, most of them healthy, clean logs with no leak at all.

use std::collections::BTreeMap;

use poolscan::analysis::{self, Verdict};
use poolscan::log::{Log, ReadOptions};
use poolscan::stats;
use poolscan_synth::{self as synth, Config, Family};

pub mod machines;
pub use machines::*;

/// Average precision of a ranking: the mean of precision@k over the ranks k
/// of the positives. `labels` are in ranked order (best first). Returns
/// `None` when there is no positive.
pub fn average_precision(labels: &[bool]) -> Option<f64> {
    let positives = labels.iter().filter(|&&l| l).count();
    if positives == 0 {
        return None;
    }
    let mut hits = 0usize;
    let mut sum = 0.0;
    for (k, &l) in labels.iter().enumerate() {
        if l {
            hits += 1;
            sum += hits as f64 / (k + 1) as f64;
        }
    }
    Some(sum / positives as f64)
}

/// Ranks items by descending score, ties broken by the given order (stable).
pub fn rank_by(scores: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| {
        scores[b]
            .partial_cmp(&scores[a])
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    idx
}

/// Results on one log.
#[derive(Debug, Clone, Default)]
pub struct LogResult {
    /// Snapshots in the log.
    pub snapshots: usize,
    /// AP of poolscan's ranking.
    pub ap: Option<f64>,
    /// AP of last-minus-first bytes.
    pub ap_last_first: Option<f64>,
    /// AP of the least-squares slope of bytes.
    pub ap_ols: Option<f64>,
    /// (family, leak label, verdict, score) per series.
    pub verdicts: Vec<(Family, bool, Verdict, f64)>,
}

/// Generates one labelled log, analyses it, and scores the ranking.
pub fn run_one(cfg: &Config) -> poolscan::Result<LogResult> {
    run_one_with(cfg, &analysis::Options::default())
}

/// [`run_one`] with other analysis options (e.g. no `--min-growth`: most of
/// this suite's leaks grow less than the default 64 KiB over their log).
pub fn run_one_with(cfg: &Config, opts: &analysis::Options) -> poolscan::Result<LogResult> {
    let (bytes, truth) = synth::generate(cfg);
    let log = Log::from_bytes("synth.log", &bytes, &ReadOptions::default())?;
    let a = analysis::analyze(&log, opts, None)?;
    let label: BTreeMap<(String, &str), (Family, bool)> = truth
        .series
        .iter()
        .map(|s| ((s.tag.clone(), s.pool), (s.family, s.leak)))
        .collect();
    let mut out = LogResult {
        snapshots: log.snapshots.len(),
        ..Default::default()
    };
    let ranked: Vec<bool> = a
        .series
        .iter()
        .map(|s| {
            label
                .get(&(s.tag.clone(), s.pool))
                .map(|l| l.1)
                .unwrap_or(false)
        })
        .collect();
    out.ap = average_precision(&ranked);
    for s in &a.series {
        if let Some(&(f, l)) = label.get(&(s.tag.clone(), s.pool)) {
            out.verdicts.push((f, l, s.verdict, s.score));
        }
    }
    // Baselines over the whole log, as a user would compute them.
    let (lf, ols, labels) = baselines(&log, &label);
    out.ap_last_first =
        average_precision(&rank_by(&lf).iter().map(|&i| labels[i]).collect::<Vec<_>>());
    out.ap_ols = average_precision(&rank_by(&ols).iter().map(|&i| labels[i]).collect::<Vec<_>>());
    Ok(out)
}

type Labels<'a> = BTreeMap<(String, &'a str), (Family, bool)>;

/// Last-minus-first bytes and the OLS slope of bytes over snapshot time, per series.
fn baselines(log: &Log, label: &Labels) -> (Vec<f64>, Vec<f64>, Vec<bool>) {
    let (lf, ols, keys) = baseline_scores(log);
    let labels = keys
        .into_iter()
        .map(|k| label.get(&k).map(|l| l.1).unwrap_or(false))
        .collect();
    (lf, ols, labels)
}

/// The two baselines a user computes by hand, per series of the log (in the log's series
/// order): last-minus-first bytes over the whole log, and the least-squares slope of bytes
/// over time (hours; the snapshot index when the log has no times); with each series'
/// `(tag, pool)`.
pub fn baseline_scores(log: &Log) -> (Vec<f64>, Vec<f64>, Vec<(String, &'static str)>) {
    let n = log.series.len();
    let mut pts: Vec<Vec<(f64, f64)>> = vec![Vec::new(); n];
    let t0 = log.snapshots.first().and_then(|s| s.time);
    for (i, s) in log.snapshots.iter().enumerate() {
        let x = match (s.time, t0) {
            (Some(t), Some(t0)) => (t - t0).num_seconds() as f64 / 3600.0,
            _ => i as f64,
        };
        for r in s.rows.clone() {
            pts[log.rows.series[r] as usize].push((x, log.rows.bytes(r) as f64));
        }
    }
    let mut lf = Vec::with_capacity(n);
    let mut ols = Vec::with_capacity(n);
    let mut keys = Vec::with_capacity(n);
    for (sid, p) in pts.iter().enumerate() {
        let first = p.first().map(|v| v.1).unwrap_or(0.0);
        let last = p.last().map(|v| v.1).unwrap_or(0.0);
        lf.push(last - first);
        let (x, y): (Vec<f64>, Vec<f64>) = p.iter().copied().unzip();
        ols.push(stats::ols(&x, &y).map(|f| f.slope).unwrap_or(0.0));
        let s = &log.series[sid];
        keys.push((s.tag.clone(), s.pool.name()));
    }
    (lf, ols, keys)
}

/// The suite's configurations: every family twice per log, `seeds` seeds,
/// the given log lengths, reboots on every third seed, gaps and jitter.
pub fn suite(seeds: u64, lengths: &[usize]) -> Vec<Config> {
    suite_from(0, seeds, lengths)
}

/// [`suite`] with seeds `base..base + seeds`: a held-out set for checking
/// that a change tuned on the usual seeds (`base` 0) holds on others
/// (`base` 100 draws seeds 100 000 + n and up, disjoint from 0..99).
pub fn suite_from(base: u64, seeds: u64, lengths: &[usize]) -> Vec<Config> {
    let mut fams = Vec::new();
    for f in Family::LEAKS.iter().chain(Family::NON_LEAKS.iter()) {
        fams.push(*f);
        fams.push(*f);
    }
    let mut out = Vec::new();
    for &n in lengths {
        for seed in base..base + seeds {
            out.push(Config {
                seed: seed * 1000 + n as u64,
                snapshots: n,
                series: fams.len() + 8,
                families: Some(fams.clone()),
                interval_secs: 600,
                jitter: 0.3,
                gap_prob: 0.03,
                reboots: if seed % 3 == 2 {
                    1 + (seed as usize / 3) % 2
                } else {
                    0
                },
                ..Config::default()
            });
        }
    }
    out
}

/// Summary over many logs.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Logs.
    pub logs: usize,
    /// Mean AP of poolscan.
    pub ap: f64,
    /// Mean AP of last-minus-first.
    pub ap_last_first: f64,
    /// Mean AP of the OLS slope.
    pub ap_ols: f64,
    /// Precision of the `leak` verdict.
    pub precision: f64,
    /// Recall of the `leak` verdict.
    pub recall: f64,
    /// Per non-leak family: (series, false `leak` verdicts).
    pub false_leaks: BTreeMap<&'static str, (usize, usize)>,
    /// Per leak family: (series, `leak` verdicts).
    pub found: BTreeMap<&'static str, (usize, usize)>,
}

/// Summarises log results.
pub fn summarize(results: &[LogResult]) -> Summary {
    let mean = |f: &dyn Fn(&LogResult) -> Option<f64>| {
        let v: Vec<f64> = results.iter().filter_map(f).collect();
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let mut s = Summary {
        logs: results.len(),
        ap: mean(&|r| r.ap),
        ap_last_first: mean(&|r| r.ap_last_first),
        ap_ols: mean(&|r| r.ap_ols),
        ..Default::default()
    };
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    for r in results {
        for &(fam, leak, v, _) in &r.verdicts {
            let flagged = v == Verdict::Leak;
            match (leak, flagged) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                _ => {}
            }
            let e = if leak {
                s.found.entry(fam.name()).or_default()
            } else {
                s.false_leaks.entry(fam.name()).or_default()
            };
            e.0 += 1;
            if flagged {
                e.1 += 1;
            }
        }
    }
    s.precision = if tp + fp > 0 {
        tp as f64 / (tp + fp) as f64
    } else {
        1.0
    };
    s.recall = if tp + fn_ > 0 {
        tp as f64 / (tp + fn_) as f64
    } else {
        1.0
    };
    s
}

/// The environment variable `name` read as a number, `default` when unset or unreadable
/// (for the benches' settings).
pub fn env_num<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(default)
}

/// The environment variable `name` read as a comma-separated list of numbers, `default` when
/// unset or when no item reads (for the benches' settings).
pub fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(name)
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| default.to_vec())
}

/// The machine suite's settings from the environment (see the `machines` bench).
#[derive(Debug, Clone)]
pub struct SuiteEnv {
    /// `POOLSCAN_MACHINE_SEEDS`: seeds per cell (default 8).
    pub seeds: u64,
    /// `POOLSCAN_SEED_BASE`: first seed (default 0, the tuning set).
    pub base: u64,
    /// `POOLSCAN_MACHINE_CLEAN`: at least this many clean logs (default: as many as mixed).
    pub clean: usize,
    /// `POOLSCAN_MACHINE_LEAKS`: leaks per mixed log (default 7).
    pub leaks: usize,
    /// `POOLSCAN_MACHINE_SIZES`: tags per log (default 300, 1000, 3000).
    pub sizes: Vec<usize>,
    /// `POOLSCAN_MACHINE_LENGTHS`: snapshots per log (default 24, 96, 500).
    pub lengths: Vec<usize>,
}

impl SuiteEnv {
    /// Reads the settings.
    pub fn from_env() -> SuiteEnv {
        SuiteEnv {
            seeds: env_num("POOLSCAN_MACHINE_SEEDS", 8),
            base: env_num("POOLSCAN_SEED_BASE", 0),
            clean: env_num("POOLSCAN_MACHINE_CLEAN", 0),
            leaks: env_num("POOLSCAN_MACHINE_LEAKS", 7),
            sizes: env_list("POOLSCAN_MACHINE_SIZES", &[300, 1000, 3000]),
            lengths: env_list("POOLSCAN_MACHINE_LENGTHS", &[24, 96, 500]),
        }
    }

    /// The suite's logs ([`machine_suite`]).
    pub fn suite(&self) -> Vec<poolscan_synth::MachineConfig> {
        machine_suite(
            self.base,
            self.seeds,
            &self.sizes,
            &self.lengths,
            self.leaks,
            self.clean,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ap_examples() {
        assert_eq!(average_precision(&[true, true, false]), Some(1.0));
        assert_eq!(average_precision(&[false, true]), Some(0.5));
        // positives at ranks 1 and 3: (1/1 + 2/3) / 2
        let ap = average_precision(&[true, false, true]).unwrap();
        assert!((ap - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
        assert_eq!(average_precision(&[false, false]), None);
    }

    #[test]
    fn ranking_is_descending_and_stable() {
        assert_eq!(rank_by(&[1.0, 3.0, 2.0, 3.0]), vec![1, 3, 2, 0]);
    }
}
