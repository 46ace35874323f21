//! Property: a generated log of any form, stamp style, encoding and line end
//! parses back to exactly the numbers, times and epochs it was written with.

use poolscan::log::{Log, ReadOptions, TimeSource};
use poolscan_synth::{self as synth, Config, Encoding, Form, LineEnding, StampStyle};
use proptest::prelude::*;
use std::collections::HashMap;

/// Whether snapshot `si` shows a reboot: the counters of most series seen
/// in both it and the snapshot before dropped, or, with fewer than three
/// such series, the page faults of a `/r` snapshot did.
fn reboot_shows(log: &Log, si: usize) -> bool {
    let (a, b) = (&log.snapshots[si - 1], &log.snapshots[si]);
    let faults = match (a.summary.page_faults, b.summary.page_faults) {
        (Some(x), Some(y)) => y < x && !a.interactive && !b.interactive,
        _ => false,
    };
    let rows = &log.rows;
    let before: HashMap<u32, (u64, u64)> = a
        .rows
        .clone()
        .map(|r| (rows.series[r], (rows.allocs(r), rows.frees(r))))
        .collect();
    let (mut common, mut drops) = (0, 0);
    for r in b.rows.clone() {
        if let Some(&(allocs, frees)) = before.get(&rows.series[r]) {
            common += 1;
            if rows.allocs(r) < allocs || rows.frees(r) < frees {
                drops += 1;
            }
        }
    }
    drops * 2 > common || (common < 3 && faults)
}

fn check(cfg: &Config) {
    let (bytes, truth) = synth::generate(cfg);
    let log = Log::from_bytes("synth.log", &bytes, &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{cfg:?}: {e}"));
    let what = format!(
        "{:?} {:?} {:?} {:?} seed {}",
        cfg.form, cfg.stamp, cfg.encoding, cfg.line_ending, cfg.seed
    );
    assert_eq!(
        log.inputs[0].skipped_lines, 0,
        "{what}: {:?}",
        log.inputs[0].warnings
    );
    assert_eq!(log.snapshots.len(), cfg.snapshots, "{what}: snapshots");
    assert_eq!(log.rows.len(), truth.rows.len(), "{what}: rows");
    // A reboot shows as counters that drop. After a very short epoch (fewer
    // than 3 snapshots) the next boot can have counted more already: no drop,
    // nothing to see. Epochs are checked when every epoch is 3 snapshots long.
    let e = &truth.epochs;
    let shortest = e
        .chunk_by(|a, b| a == b)
        .map(<[u32]>::len)
        .min()
        .unwrap_or(0);
    let back_to_back = shortest < 3;
    // Nor does a reboot show when the new boot has counted more already
    // although its epoch was longer (every counter and the page faults
    // above the snapshot before): epochs are then not checked either.
    let unseen = (1..truth.epochs.len())
        .any(|si| truth.epochs[si] != truth.epochs[si - 1] && !reboot_shows(&log, si));
    let mut k = 0;
    for (si, s) in log.snapshots.iter().enumerate() {
        for r in s.rows.clone() {
            let t = &truth.rows[k];
            k += 1;
            let series = &log.series[log.rows.series[r] as usize];
            assert_eq!(t.snapshot as usize, si, "{what}: row {k} snapshot");
            assert_eq!(
                (
                    series.tag.as_str(),
                    series.pool.name(),
                    log.rows.allocs(r),
                    log.rows.frees(r),
                    log.rows.diff(r),
                    log.rows.bytes(r),
                    log.rows.per_alloc(r)
                ),
                (
                    t.tag.as_str(),
                    t.pool,
                    t.allocs,
                    t.frees,
                    t.diff,
                    t.bytes,
                    t.per_alloc
                ),
                "{what}: row {k}"
            );
        }
        if !back_to_back && !unseen {
            assert_eq!(s.epoch, truth.epochs[si], "{what}: epoch of snapshot {si}");
        }
        if cfg.stamp != StampStyle::None {
            assert_eq!(
                s.time,
                Some(truth.times[si]),
                "{what}: time of snapshot {si}"
            );
        }
    }
    if cfg.stamp != StampStyle::None {
        assert_eq!(log.time_source, TimeSource::Stamps, "{what}");
    }
}

#[test]
fn every_form_stamp_encoding_and_line_end() {
    let forms = [Form::Narrow, Form::Wide, Form::Interactive];
    let stamps = [
        StampStyle::None,
        StampStyle::UsCmd,
        StampStyle::DayFirstMarker,
        StampStyle::Clue,
        StampStyle::PowerShell,
        StampStyle::Iso,
    ];
    let encodings = [
        Encoding::Ascii,
        Encoding::Utf16Le,
        Encoding::MixedUtf16,
        Encoding::Utf8Bom,
    ];
    let eols = [LineEnding::Crlf, LineEnding::Lf, LineEnding::Cr];
    let mut n = 0;
    for (i, &form) in forms.iter().enumerate() {
        for (j, &stamp) in stamps.iter().enumerate() {
            for (e, &encoding) in encodings.iter().enumerate() {
                for (l, &line_ending) in eols.iter().enumerate() {
                    let seed = (i * 1000 + j * 100 + e * 10 + l) as u64;
                    check(&Config {
                        seed,
                        snapshots: 14,
                        series: 24,
                        form,
                        stamp,
                        encoding,
                        line_ending,
                        driver: seed % 2 == 0,
                        summary: seed % 3 != 0,
                        reboots: (seed % 3) as usize,
                        ..Config::default()
                    });
                    n += 1;
                }
            }
        }
    }
    assert_eq!(n, 216);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn any_generated_log_round_trips(seed in 0u64..1_000_000, snaps in 1usize..40, series in 8usize..50, reboots in 0usize..4, form in 0usize..3, driver: bool) {
        let form = [Form::Narrow, Form::Wide, Form::Interactive][form];
        check(&Config { seed, snapshots: snaps, series, reboots, form, driver, ..Config::default() });
    }
}

/// Machine-like logs (rows sorted by Bytes, tags that come and go) with
/// busy series whose 32-bit counters pass 2^31 and wrap past 2^32, in the
/// narrow and wide families and as screens: every row reads back to the
/// unwrapped counters the generator counted, and no wrap is a reboot.
#[test]
fn machine_logs_with_hot_counters_round_trip() {
    for (form, reboots) in [
        (Form::Narrow, 0),
        (Form::Wide, 1),
        (Form::Interactive, 0),
        (Form::Narrow, 2),
    ] {
        let cfg = synth::MachineConfig {
            seed: 11,
            tags: 150,
            snapshots: 60,
            reboots,
            form,
            rows: true,
            hot_counters: 4,
            ..Default::default()
        };
        let (bytes, truth) = synth::generate_machine(&cfg);
        let log = Log::from_bytes("m.log", &bytes, &ReadOptions::default()).unwrap();
        let what = format!("{form:?}, {reboots} reboots");
        assert_eq!(
            log.skipped_lines(),
            0,
            "{what}: {:?}",
            log.inputs[0].warnings
        );
        assert_eq!(log.rows.len(), truth.rows.len(), "{what}");
        assert!(log.counter_wraps >= 2, "{what}: {}", log.counter_wraps);
        assert!(truth.rows.iter().any(|r| r.allocs >= 1 << 32), "{what}");
        let got: Vec<u32> = log.snapshots.iter().map(|s| s.epoch).collect();
        assert_eq!(got, truth.epochs, "{what}: {:?}", log.boots);
        for (k, t) in truth.rows.iter().enumerate() {
            let series = &log.series[log.rows.series[k] as usize];
            assert_eq!(
                (
                    series.tag.as_str(),
                    log.rows.allocs(k),
                    log.rows.frees(k),
                    log.rows.diff(k),
                    log.rows.per_alloc(k)
                ),
                (t.tag.as_str(), t.allocs, t.frees, t.diff, t.per_alloc),
                "{what}: row {k}"
            );
        }
    }
}

#[test]
fn a_log_cut_mid_write_keeps_every_complete_snapshot() {
    let cfg = Config {
        seed: 5,
        snapshots: 10,
        series: 30,
        ..Config::default()
    };
    let (mut bytes, truth) = synth::generate(&cfg);
    synth::truncate_last(&mut bytes);
    let log = Log::from_bytes("cut.log", &bytes, &ReadOptions::default()).unwrap();
    assert_eq!(log.snapshots.len(), 10);
    let complete: usize = truth.rows.iter().filter(|r| r.snapshot < 9).count();
    assert_eq!(
        log.snapshots[..9]
            .iter()
            .map(|s| s.rows.len())
            .sum::<usize>(),
        complete
    );
    assert!(log.inputs[0].warning_count >= 1, "the cut is reported");
}
