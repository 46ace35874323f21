//! poolscan's verdicts on machine-like logs ([`poolscan_synth::generate_machine`]): hundreds
//! to thousands of tags sorted by bytes, most of them healthy, a few planted leaks, and clean
//! logs with no leak at all.
//!
//! The suite crosses log sizes (tags) with log lengths (snapshots); each cell gets one mixed
//! log per seed and at least as many clean logs. Forms (narrow, wide), stamp styles (all six,
//! `None` included), intervals (1–15 min), start hours and reboots (one log in four) rotate
//! over the seeds and cells. Seeds below [`HELD_OUT_BASE`] are the tuning set; seeds from it
//! up are held out.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::time::Instant;

use poolscan::analysis::{self, Verdict};
use poolscan::log::{Log, ReadOptions};
use poolscan_synth::{self as synth, Form, MachineConfig, MachineFamily, StampStyle};

use crate::{average_precision, baseline_scores, rank_by};

/// Seed bases from this one up are the held-out set: never tune on them.
pub const HELD_OUT_BASE: u64 = 1000;

/// The stamp styles the suite rotates through.
pub const STAMPS: [StampStyle; 6] = [
    StampStyle::UsCmd,
    StampStyle::Iso,
    StampStyle::DayFirstMarker,
    StampStyle::Clue,
    StampStyle::PowerShell,
    StampStyle::None,
];

/// Snapshot intervals the suite rotates through (seconds).
pub const INTERVALS: [u32; 5] = [60, 120, 300, 600, 900];

/// Which set a seed base belongs to.
pub fn seed_set(base: u64) -> &'static str {
    if base >= HELD_OUT_BASE {
        "held-out set"
    } else {
        "tuning set"
    }
}

/// Results on one machine log.
#[derive(Debug, Clone, Default)]
pub struct MachineResult {
    /// `(tag, pool)` series generated.
    pub tags: usize,
    /// Snapshots.
    pub snapshots: usize,
    /// Planted leaks (0: a clean log).
    pub leaks: usize,
    /// AP of poolscan's ranking (`None` on a clean log).
    pub ap: Option<f64>,
    /// AP of last-minus-first bytes.
    pub ap_last_first: Option<f64>,
    /// AP of the least-squares slope of bytes.
    pub ap_ols: Option<f64>,
    /// (family, leak label, verdict) per analysed series.
    pub verdicts: Vec<(MachineFamily, bool, Verdict)>,
    /// Last-minus-first bytes of every healthy series that got `leak`.
    pub false_leak_growth: Vec<f64>,
    /// Generated series missing from the analysis plus analysed series unknown to the truth.
    pub unmatched: usize,
    /// Seconds spent generating, reading and analysing.
    pub secs: f64,
    /// [`poolscan::analysis::Analysis::under_a_day`]: a `leak` on it comes with poolscan's
    /// caution (a daily cycle or a warming cache is not ruled out).
    pub under_a_day: bool,
}

impl MachineResult {
    /// Whether the log has no planted leak.
    pub fn clean(&self) -> bool {
        self.leaks == 0
    }

    /// `leak` verdicts on healthy series.
    pub fn false_leaks(&self) -> usize {
        self.verdicts
            .iter()
            .filter(|v| !v.1 && v.2 == Verdict::Leak)
            .count()
    }
}

/// Generates one machine log, analyses it with the default options, and scores it.
pub fn run_machine(cfg: &MachineConfig) -> poolscan::Result<MachineResult> {
    let t0 = Instant::now();
    let (bytes, truth) = synth::generate_machine(cfg);
    let log = Log::from_bytes("machine.log", &bytes, &ReadOptions::default())?;
    drop(bytes);
    let a = analysis::analyze(&log, &analysis::Options::default(), None)?;
    let label: HashMap<(&str, &str), (MachineFamily, bool)> = truth
        .series
        .iter()
        .map(|s| ((s.tag.as_str(), s.pool), (s.family, s.leak)))
        .collect();
    let mut reports: Vec<&analysis::SeriesReport> = a.series.iter().collect();
    reports.sort_by_key(|s| s.rank);
    let mut out = MachineResult {
        tags: truth.series.len(),
        snapshots: log.snapshots.len(),
        leaks: truth.series.iter().filter(|s| s.leak).count(),
        under_a_day: a.under_a_day(),
        ..Default::default()
    };
    let mut ranked = Vec::with_capacity(reports.len());
    let mut matched = 0usize;
    for s in &reports {
        match label.get(&(s.tag.as_str(), s.pool)) {
            Some(&(f, l)) => {
                matched += 1;
                ranked.push(l);
                out.verdicts.push((f, l, s.verdict));
            }
            None => ranked.push(false),
        }
    }
    out.unmatched = (truth.series.len() - matched) + (reports.len() - matched);
    out.ap = average_precision(&ranked);
    let (lf, ols, keys) = baseline_scores(&log);
    let labels: Vec<bool> = keys
        .iter()
        .map(|(t, p)| label.get(&(t.as_str(), *p)).is_some_and(|l| l.1))
        .collect();
    let ap_of = |scores: &[f64]| {
        average_precision(
            &rank_by(scores)
                .iter()
                .map(|&i| labels[i])
                .collect::<Vec<_>>(),
        )
    };
    out.ap_last_first = ap_of(&lf);
    out.ap_ols = ap_of(&ols);
    let growth: HashMap<(&str, &str), f64> = keys
        .iter()
        .zip(&lf)
        .map(|((t, p), &g)| ((t.as_str(), *p), g))
        .collect();
    out.false_leak_growth = reports
        .iter()
        .filter(|s| s.verdict == Verdict::Leak)
        .filter(|s| label.get(&(s.tag.as_str(), s.pool)).is_some_and(|l| !l.1))
        .map(|s| {
            growth
                .get(&(s.tag.as_str(), s.pool))
                .copied()
                .unwrap_or(0.0)
        })
        .collect();
    out.secs = t0.elapsed().as_secs_f64();
    Ok(out)
}

/// One log of the suite: seed index `s`, grid cell `cell` of `(tags, snapshots)`, `kind` 0
/// (mixed, `leaks` planted) or 1 (clean).
pub fn machine_config(
    s: u64,
    cell: usize,
    (tags, snapshots): (usize, usize),
    leaks: usize,
    kind: u64,
) -> MachineConfig {
    let c = cell as u64;
    let rot = s + c + kind;
    let hour = ((s * 7 + c * 5 + kind * 11) % 24) as u32;
    MachineConfig {
        seed: s * 1_000_000 + c * 10 + kind,
        tags,
        leaks: if kind == 0 { leaks } else { 0 },
        snapshots,
        interval_secs: INTERVALS[((s + 2 * c + kind) % 5) as usize],
        reboots: usize::from(rot % 4 == 3),
        form: if rot % 2 == 0 {
            Form::Narrow
        } else {
            Form::Wide
        },
        stamp: STAMPS[((s * 5 + c + kind * 3) % 6) as usize],
        ..MachineConfig::default()
    }
    .starting_at_hour(hour)
}

/// The suite: for every seed `base..base + seeds` and every `(size, length)` cell one mixed
/// log with `leaks` leaks; then `max(mixed logs, clean)` clean logs spread over the cells
/// round-robin (more seeds per cell when `clean` asks for more).
pub fn machine_suite(
    base: u64,
    seeds: u64,
    sizes: &[usize],
    lengths: &[usize],
    leaks: usize,
    clean: usize,
) -> Vec<MachineConfig> {
    let cells: Vec<(usize, usize)> = sizes
        .iter()
        .flat_map(|&t| lengths.iter().map(move |&n| (t, n)))
        .collect();
    let mut out = Vec::new();
    if cells.is_empty() {
        return out;
    }
    for s in base..base + seeds {
        for (ci, &cell) in cells.iter().enumerate() {
            out.push(machine_config(s, ci, cell, leaks, 0));
        }
    }
    let n_clean = out.len().max(clean);
    for j in 0..n_clean {
        let ci = j % cells.len();
        let s = base + (j / cells.len()) as u64;
        out.push(machine_config(s, ci, cells[ci], leaks, 1));
    }
    out
}

/// Verdict counts of one family.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FamilyCount {
    /// Series.
    pub series: usize,
    /// `leak` verdicts.
    pub leak: usize,
    /// `suspect` verdicts.
    pub suspect: usize,
}

/// Summary over machine logs.
#[derive(Debug, Clone, Default)]
pub struct MachineSummary {
    /// Logs.
    pub logs: usize,
    /// Logs with planted leaks.
    pub mixed: usize,
    /// Clean logs.
    pub clean: usize,
    /// Mean AP of poolscan over the mixed logs.
    pub ap: f64,
    /// Mean AP of last-minus-first.
    pub ap_last_first: f64,
    /// Mean AP of the OLS slope.
    pub ap_ols: f64,
    /// Precision of the `leak` verdict over every log (clean ones included).
    pub precision: f64,
    /// Recall of the `leak` verdict.
    pub recall: f64,
    /// Per family.
    pub families: BTreeMap<MachineFamily, FamilyCount>,
    /// Clean logs with at least one `leak` verdict.
    pub clean_with_leak: usize,
    /// Clean logs with at least one `suspect` verdict.
    pub clean_with_suspect: usize,
    /// The most `leak` verdicts on one clean log.
    pub clean_max_leaks: usize,
    /// `leak` verdicts over every series of the clean logs.
    pub clean_false_leaks: usize,
    /// Of those, the ones whose bytes grew at least 256 KiB from the first to the last
    /// snapshot (the least growth of a planted leak).
    pub clean_false_leaks_256k: usize,
    /// Series of the clean logs.
    pub clean_series: usize,
    /// Unmatched series over all logs (should be 0).
    pub unmatched: usize,
    /// Seconds over all logs (summed, not wall time).
    pub secs: f64,
}

/// Summarises machine results.
pub fn summarize_machines(results: &[MachineResult]) -> MachineSummary {
    let mixed: Vec<&MachineResult> = results.iter().filter(|r| !r.clean()).collect();
    let mean = |f: &dyn Fn(&MachineResult) -> Option<f64>| {
        let v: Vec<f64> = mixed.iter().filter_map(|r| f(r)).collect();
        if v.is_empty() {
            f64::NAN
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let mut s = MachineSummary {
        logs: results.len(),
        mixed: mixed.len(),
        clean: results.len() - mixed.len(),
        ap: mean(&|r| r.ap),
        ap_last_first: mean(&|r| r.ap_last_first),
        ap_ols: mean(&|r| r.ap_ols),
        ..Default::default()
    };
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    for r in results {
        s.unmatched += r.unmatched;
        s.secs += r.secs;
        for &(fam, leak, v) in &r.verdicts {
            let e = s.families.entry(fam).or_default();
            e.series += 1;
            match v {
                Verdict::Leak => e.leak += 1,
                Verdict::Suspect => e.suspect += 1,
                _ => {}
            }
            match (leak, v == Verdict::Leak) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                _ => {}
            }
        }
        if r.clean() {
            let fl = r.false_leaks();
            s.clean_series += r.tags;
            s.clean_false_leaks += fl;
            s.clean_false_leaks_256k += r
                .false_leak_growth
                .iter()
                .filter(|&&g| g >= synth::MIN_LEAK_GROWTH as f64)
                .count();
            s.clean_max_leaks = s.clean_max_leaks.max(fl);
            s.clean_with_leak += usize::from(fl > 0);
            s.clean_with_suspect += usize::from(r.verdicts.iter().any(|v| v.2 == Verdict::Suspect));
        }
    }
    s.precision = if tp + fp > 0 {
        tp as f64 / (tp + fp) as f64
    } else {
        f64::NAN
    };
    s.recall = if tp + fn_ > 0 {
        tp as f64 / (tp + fn_) as f64
    } else {
        f64::NAN
    };
    s
}

fn pct(k: usize, n: usize) -> String {
    if n == 0 {
        "–".into()
    } else {
        format!("{:.1}%", k as f64 * 100.0 / n as f64)
    }
}

fn num(x: f64) -> String {
    if x.is_nan() {
        "–".into()
    } else {
        format!("{x:.3}")
    }
}

/// The three Markdown tables: by log size and length, by family, clean logs.
pub fn markdown_tables(results: &[MachineResult], sizes: &[usize], lengths: &[usize]) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "By log size and length (AP over the mixed logs; `leak` precision over all logs, clean ones included):");
    let _ = writeln!(o);
    let _ = writeln!(o, "| tags | snapshots | logs (mixed + clean) | AP poolscan | AP last-first | AP OLS slope | leak precision | leak recall | false leaks per log |");
    let _ = writeln!(o, "|-----:|----------:|---------------------:|------------:|--------------:|-------------:|---------------:|------------:|--------------------:|");
    let row = |o: &mut String, t: String, n: String, rs: &[MachineResult]| {
        let s = summarize_machines(rs);
        let fl: usize = rs.iter().map(MachineResult::false_leaks).sum();
        let _ = writeln!(
            o,
            "| {t} | {n} | {} ({} + {}) | {} | {} | {} | {} | {} | {:.1} |",
            s.logs,
            s.mixed,
            s.clean,
            num(s.ap),
            num(s.ap_last_first),
            num(s.ap_ols),
            num(s.precision),
            num(s.recall),
            fl as f64 / s.logs.max(1) as f64
        );
    };
    for &t in sizes {
        for &n in lengths {
            let rs: Vec<MachineResult> = results
                .iter()
                .filter(|r| r.tags == t && r.snapshots == n)
                .cloned()
                .collect();
            row(&mut o, t.to_string(), n.to_string(), &rs);
        }
    }
    row(&mut o, "all".into(), "all".into(), results);

    let s = summarize_machines(results);
    let _ = writeln!(o);
    let _ = writeln!(o, "By family, all logs (leak families: recall of `leak`; healthy families: false `leak` verdicts):");
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "| family | kind | series | `leak` verdicts | `suspect` verdicts |"
    );
    let _ = writeln!(
        o,
        "|--------|------|-------:|----------------:|-------------------:|"
    );
    for (f, c) in &s.families {
        let kind = if f.is_leak() { "leak" } else { "healthy" };
        let _ = writeln!(
            o,
            "| {} | {kind} | {} | {} ({}) | {} ({}) |",
            f.name(),
            c.series,
            c.leak,
            pct(c.leak, c.series),
            c.suspect,
            pct(c.suspect, c.series)
        );
    }

    if lengths.len() > 1 {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "`leak` verdicts by family and log length (share of the family's series; capture hours = snapshots × 1–15 min):"
        );
        let _ = writeln!(o);
        let head: Vec<String> = lengths.iter().map(|n| format!("{n} snapshots")).collect();
        let _ = writeln!(o, "| family | {} |", head.join(" | "));
        let _ = writeln!(o, "|--------|{}", "---:|".repeat(lengths.len()));
        let per: Vec<MachineSummary> = lengths
            .iter()
            .map(|&n| {
                let rs: Vec<MachineResult> = results
                    .iter()
                    .filter(|r| r.snapshots == n)
                    .cloned()
                    .collect();
                summarize_machines(&rs)
            })
            .collect();
        for f in s.families.keys() {
            let cells: Vec<String> = per
                .iter()
                .map(|p| {
                    let c = p.families.get(f).copied().unwrap_or_default();
                    format!("{}/{} ({})", c.leak, c.series, pct(c.leak, c.series))
                })
                .collect();
            let _ = writeln!(o, "| {} | {} |", f.name(), cells.join(" | "));
        }
    }

    let _ = writeln!(o);
    let _ = writeln!(o, "By capture length (a `leak` on a capture shorter than a day, or without timestamps, comes with a caution: a daily cycle or a warming cache is not ruled out):");
    let _ = writeln!(o);
    let _ = writeln!(o, "| capture | logs (mixed + clean) | leak precision | leak recall | clean logs with any `leak` |");
    let _ = writeln!(o, "|---------|---------------------:|---------------:|------------:|---------------------------:|");
    for (name, short) in [
        ("a day or more", false),
        ("shorter, or no timestamps", true),
    ] {
        let rs: Vec<MachineResult> = results
            .iter()
            .filter(|r| r.under_a_day == short)
            .cloned()
            .collect();
        let c = summarize_machines(&rs);
        let _ = writeln!(
            o,
            "| {name} | {} ({} + {}) | {} | {} | {} ({}) |",
            c.logs,
            c.mixed,
            c.clean,
            num(c.precision),
            num(c.recall),
            c.clean_with_leak,
            pct(c.clean_with_leak, c.clean)
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "Clean logs (no planted leak):");
    let _ = writeln!(o);
    let _ = writeln!(o, "| clean logs | series | logs with any `leak` | most `leak` on one log | false `leak` (all series) | of which grew ≥ 256 KiB | logs with any `suspect` |");
    let _ = writeln!(o, "|-----------:|-------:|---------------------:|-----------------------:|--------------------------:|------------------------:|------------------------:|");
    let _ = writeln!(
        o,
        "| {} | {} | {} ({}) | {} | {} ({}) | {} | {} ({}) |",
        s.clean,
        s.clean_series,
        s.clean_with_leak,
        pct(s.clean_with_leak, s.clean),
        s.clean_max_leaks,
        s.clean_false_leaks,
        pct(s.clean_false_leaks, s.clean_series),
        s.clean_false_leaks_256k,
        s.clean_with_suspect,
        pct(s.clean_with_suspect, s.clean)
    );
    if s.unmatched > 0 {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "Warning: {} series unmatched between the truth and the analysis.",
            s.unmatched
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suite_has_as_many_clean_logs_and_every_form_and_stamp() {
        let cfgs = machine_suite(0, 2, &[300, 1000, 3000], &[24, 96, 500], 7, 0);
        let clean = cfgs.iter().filter(|c| c.leaks == 0).count();
        assert_eq!(cfgs.len(), 36);
        assert_eq!(clean, 18);
        for st in STAMPS {
            assert!(cfgs.iter().any(|c| c.stamp == st), "{st:?}");
        }
        assert!(cfgs.iter().any(|c| c.form == Form::Narrow));
        assert!(cfgs.iter().any(|c| c.form == Form::Wide));
        assert!(cfgs.iter().any(|c| c.reboots > 0));
        let seeds: std::collections::HashSet<u64> = cfgs.iter().map(|c| c.seed).collect();
        assert_eq!(seeds.len(), cfgs.len());
        let more = machine_suite(0, 1, &[300, 1000, 3000], &[24], 7, 200);
        assert_eq!(more.iter().filter(|c| c.leaks == 0).count(), 200);
        // Held-out seeds never meet the tuning seeds.
        let held = machine_suite(HELD_OUT_BASE, 2, &[300], &[24], 7, 0);
        assert!(held.iter().all(|h| !seeds.contains(&h.seed)));
        assert_eq!(seed_set(0), "tuning set");
        assert_eq!(seed_set(HELD_OUT_BASE), "held-out set");
    }
}
