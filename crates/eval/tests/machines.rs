//! Regression test on a few machine-like logs (`cargo bench --bench machines` runs the suite
//! and prints the tables). It asserts only what holds today; the targets the detector should
//! meet are the `#[ignore]`d tests below, to be un-ignored when it meets them.

use poolscan::analysis::Verdict;
use poolscan_eval as eval;
use poolscan_synth::{Form, MachineConfig, StampStyle};

fn clean_logs() -> Vec<MachineConfig> {
    (0..2)
        .map(|j| MachineConfig {
            seed: 900 + j,
            tags: 1000,
            leaks: 0,
            snapshots: 48,
            interval_secs: [300, 600][j as usize],
            form: [Form::Narrow, Form::Wide][j as usize],
            stamp: [StampStyle::UsCmd, StampStyle::Iso][j as usize],
            ..MachineConfig::default()
        })
        .collect()
}

fn mixed_logs() -> Vec<MachineConfig> {
    (0..3)
        .map(|j| MachineConfig {
            seed: 950 + j,
            tags: 300,
            leaks: 7,
            snapshots: 48,
            interval_secs: 300,
            reboots: usize::from(j == 2),
            form: [Form::Narrow, Form::Wide, Form::Narrow][j as usize],
            stamp: [
                StampStyle::Clue,
                StampStyle::DayFirstMarker,
                StampStyle::PowerShell,
            ][j as usize],
            ..MachineConfig::default()
        })
        .collect()
}

fn run(cfgs: &[MachineConfig]) -> Vec<eval::MachineResult> {
    cfgs.iter()
        .map(|c| eval::run_machine(c).expect("machine log reads"))
        .collect()
}

#[test]
fn machine_logs_are_read_and_every_series_judged() {
    let clean = run(&clean_logs());
    let mixed = run(&mixed_logs());
    let all: Vec<eval::MachineResult> = clean.iter().chain(&mixed).cloned().collect();
    // The report, for `cargo test -- --nocapture`.
    println!("{}", eval::markdown_tables(&all, &[300, 1000], &[48]));
    for r in &all {
        assert_eq!(r.unmatched, 0, "every generated series is analysed, once");
        assert_eq!(r.verdicts.len(), r.tags);
        assert_eq!(r.snapshots, 48);
    }
    for r in &clean {
        assert!(r.clean() && r.ap.is_none());
        assert!(r.verdicts.iter().all(|v| !v.1));
    }
    for r in &mixed {
        assert_eq!(r.leaks, 7);
        let ap = r.ap.expect("a mixed log has positives");
        assert!((0.0..=1.0).contains(&ap));
    }
    let s = eval::summarize_machines(&mixed);
    // Holds today: most planted leaks get at least a `suspect`.
    let flagged: usize = s
        .families
        .iter()
        .filter(|(f, _)| f.is_leak())
        .map(|(_, c)| c.leak + c.suspect)
        .sum();
    assert!(flagged * 2 >= 21, "{flagged} of 21 leaks flagged");
}

/// What holds today: on the two clean logs of 1,000 series, at most one false `leak` in all
/// (walks, mean-reverting tags and steps get none; before the log-wide decision each log
/// had dozens); on the mixed logs `leak` precision ≥ 0.6 (0.70 measured, 0.28 before) and
/// recall ≥ 0.7 (0.76 measured).
#[test]
fn clean_logs_get_at_most_one_leak_and_mixed_logs_stay_precise() {
    let false_leaks: usize = run(&clean_logs())
        .iter()
        .map(|r| r.verdicts.iter().filter(|v| v.2 == Verdict::Leak).count())
        .sum();
    assert!(
        false_leaks <= 1,
        "{false_leaks} false leaks on 2 clean logs"
    );
    let s = eval::summarize_machines(&run(&mixed_logs()));
    assert!(s.precision >= 0.6, "precision {:.3}", s.precision);
    assert!(s.recall >= 0.7, "recall {:.3}", s.recall);
}

/// Target: no `leak` verdict on a clean machine log. Fails today (a daily cycle on one of
/// the two logs gets `leak`); un-ignore when the detector is fixed.
#[test]
#[ignore = "target for the detector: fails today"]
fn clean_logs_get_no_leak() {
    for r in run(&clean_logs()) {
        let leaks: Vec<_> = r
            .verdicts
            .iter()
            .filter(|v| v.2 == Verdict::Leak)
            .map(|v| v.0.name())
            .collect();
        assert!(leaks.is_empty(), "false leaks on a clean log: {leaks:?}");
    }
}

/// Target: planted leaks are found (recall ≥ 0.8) with precision ≥ 0.9 on mixed logs. Fails
/// today (recall 0.76, precision 0.70); un-ignore when the detector is fixed.
#[test]
#[ignore = "target for the detector: fails today (recall)"]
fn mixed_logs_find_the_leaks_and_little_else() {
    let s = eval::summarize_machines(&run(&mixed_logs()));
    assert!(s.recall >= 0.8, "recall {:.3}", s.recall);
    assert!(s.precision >= 0.9, "precision {:.3}", s.precision);
}
