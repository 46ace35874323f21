//! Regression test on a small slice of the labelled ranking suite
//! (`cargo bench --bench ranking` runs the whole suite and prints the table).

use poolscan::analysis::{MinGrowth, Options, Verdict};
use poolscan_eval as eval;

/// The suite's leaks are small (most grow less than the default 64 KiB over
/// their log, which makes them `suspect`): its slices measure the rest of
/// the decision without the growth gate.
fn run(cfg: &poolscan_synth::Config) -> eval::LogResult {
    let opts = Options {
        min_growth: MinGrowth::Bytes(0.0),
        ..Default::default()
    };
    eval::run_one_with(cfg, &opts).unwrap()
}

/// Recall of the `leak` verdict the slices keep (measured, less a margin):
/// the log-wide decision calls `suspect` what a series' own wandering could
/// explain, so fewer of this suite's short and noisy leaks reach `leak`.
const RECALL_SHORT: f64 = 0.7;
const RECALL_LONG: f64 = 0.85;

#[test]
fn small_suite_slice_keeps_its_quality() {
    let cfgs = eval::suite(3, &[48, 96]);
    let results: Vec<eval::LogResult> = cfgs.iter().map(run).collect();
    let s = eval::summarize(&results);
    assert!(s.ap >= 0.98, "average precision {:.3}", s.ap);
    assert!(
        s.ap > s.ap_last_first + 0.2 && s.ap > s.ap_ols + 0.2,
        "beats the baselines: {:.3} vs {:.3} / {:.3}",
        s.ap,
        s.ap_last_first,
        s.ap_ols
    );
    assert!(s.precision >= 0.97, "leak precision {:.3}", s.precision);
    assert!(s.recall >= RECALL_SHORT, "leak recall {:.3}", s.recall);
    for fam in [
        "cache_plateau",
        "sawtooth",
        "periodic",
        "one_step",
        "temp_step",
        "draining",
        "flat",
    ] {
        let (n, flagged) = s.false_leaks.get(fam).copied().unwrap_or((0, 0));
        assert!(n > 0, "{fam} is in the suite");
        assert_eq!(flagged, 0, "no leak verdict on {fam}");
    }
}

#[test]
fn long_logs_are_judged_on_thinned_points_without_losing_quality() {
    // Past `JUDGE_POINTS` snapshots a segment is judged on that many evenly
    // spaced points: the verdicts must hold as on shorter logs.
    let n = poolscan::analysis::JUDGE_POINTS * 2 + 500;
    let cfgs = eval::suite(2, &[n]);
    let results: Vec<eval::LogResult> = cfgs.iter().map(run).collect();
    let s = eval::summarize(&results);
    assert!(s.ap >= 0.98, "average precision {:.3}", s.ap);
    assert!(s.precision >= 0.97, "leak precision {:.3}", s.precision);
    assert!(s.recall >= RECALL_LONG, "leak recall {:.3}", s.recall);
    for fam in ["cache_plateau", "sawtooth", "one_step", "flat"] {
        let (n, flagged) = s.false_leaks.get(fam).copied().unwrap_or((0, 0));
        assert!(n > 0, "{fam} is in the suite");
        assert_eq!(flagged, 0, "no leak verdict on {fam}");
    }
}

#[test]
fn a_single_snapshot_is_never_a_leak() {
    let cfg = poolscan_synth::Config {
        snapshots: 1,
        series: 30,
        leak_share: 0.5,
        ..Default::default()
    };
    let (bytes, _) = poolscan_synth::generate(&cfg);
    let log = poolscan::log::Log::from_bytes("one.log", &bytes, &Default::default()).unwrap();
    let a = poolscan::analysis::analyze(&log, &Default::default(), None).unwrap();
    assert!(a.series.iter().all(|s| s.verdict == Verdict::Ok));
    assert!(a.series.iter().all(|s| s.reason.contains("too few")));
}
