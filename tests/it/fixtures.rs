//! Every real PoolMon sample in `fixtures/samples/` is read and compared with
//! the expected result stored beside it (`NN-name.expect`): snapshot count,
//! row count, skipped lines, pool totals and every row's values.

use std::path::Path;

use crate::util::samples;
use poolscan::log::{self, ReadOptions};

#[derive(Debug, Default)]
struct Expect {
    snapshots: u32,
    rows: u64,
    skipped: u64,
    warnings: u64,
    pools: Vec<(usize, i64, i64)>,
    rows_list: Vec<String>,
}

fn read_expect(p: &Path) -> Expect {
    let text = std::fs::read_to_string(p).unwrap();
    let mut e = Expect::default();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (key, rest) = line.split_once(' ').unwrap();
        match key {
            "snapshots" => e.snapshots = rest.parse().unwrap(),
            "rows" => e.rows = rest.parse().unwrap(),
            "skipped" => e.skipped = rest.parse().unwrap(),
            "warnings" => e.warnings = rest.parse().unwrap(),
            "pools" => {
                let v: Vec<i64> = rest.split(' ').map(|x| x.parse().unwrap()).collect();
                e.pools.push((v[0] as usize, v[1], v[2]));
            }
            "row" => e.rows_list.push(rest.to_string()),
            other => panic!("{}: unknown key {other}", p.display()),
        }
    }
    e
}

#[test]
fn every_sample_has_an_expectation_and_a_source() {
    let s = samples();
    assert!(s.len() >= 18, "samples: {}", s.len());
    for p in s {
        let stem = p.to_string_lossy().trim_end_matches(".txt").to_string();
        assert!(
            Path::new(&format!("{stem}.expect")).exists(),
            "{stem}.expect missing"
        );
        assert!(
            Path::new(&format!("{stem}.src.txt")).exists(),
            "{stem}.src.txt missing"
        );
    }
}

#[test]
fn every_sample_reads_as_expected() {
    for p in samples() {
        let stem = p.to_string_lossy().trim_end_matches(".txt").to_string();
        let e = read_expect(Path::new(&format!("{stem}.expect")));
        let inputs = poolscan::parse::input::expand(&[p.to_string_lossy().as_ref()]).unwrap();
        let log = log::read(&inputs, &ReadOptions::default())
            .unwrap_or_else(|err| panic!("{}: {err}", p.display()));
        let i = &log.inputs[0];
        let name = p.display();
        assert_eq!(i.snapshots, e.snapshots, "{name}: snapshots");
        assert_eq!(i.rows, e.rows, "{name}: rows");
        assert_eq!(i.skipped_lines, e.skipped, "{name}: skipped lines");
        assert_eq!(
            i.warning_count, e.warnings,
            "{name}: warnings {:?}",
            i.warnings
        );
        for (k, np, pp) in &e.pools {
            let s = &log.snapshots[*k].summary;
            assert_eq!(
                (s.pool_nonpaged_k, s.pool_paged_k),
                (Some(*np), Some(*pp)),
                "{name}: pools of snapshot {k}"
            );
        }
        let mut got = Vec::new();
        for (k, s) in log.snapshots.iter().enumerate() {
            for r in s.rows.clone() {
                let se = &log.series[log.rows.series[r] as usize];
                let mut line = format!(
                    "{k} \"{}\" {} {} {} {} {} {}",
                    se.tag,
                    se.pool.name(),
                    log.rows.allocs(r),
                    log.rows.frees(r),
                    log.rows.diff(r),
                    log.rows.bytes(r),
                    log.rows.per_alloc(r)
                );
                if let Some(d) = log.driver(log.rows.driver(r)) {
                    line.push(' ');
                    line.push_str(d);
                }
                got.push(line);
            }
        }
        assert_eq!(got, e.rows_list, "{name}: rows");
    }
}

#[test]
fn samples_never_get_a_leak_verdict() {
    // A single snapshot (or two) is never a leak.
    for p in samples() {
        let inputs = poolscan::parse::input::expand(&[p.to_string_lossy().as_ref()]).unwrap();
        let log = log::read(&inputs, &ReadOptions::default()).unwrap();
        let a = poolscan::analysis::analyze(&log, &Default::default(), None).unwrap();
        for s in &a.series {
            assert_eq!(
                s.verdict,
                poolscan::analysis::Verdict::Ok,
                "{}: {} {}",
                p.display(),
                s.tag,
                s.pool
            );
        }
    }
}

#[test]
fn all_samples_concatenated_read_as_one_log() {
    // Appending every sample into one file: each snapshot is still found.
    let mut all = Vec::new();
    let mut expected = 0;
    for p in samples() {
        all.extend(std::fs::read(&p).unwrap());
        all.extend_from_slice(b"\r\n");
        let stem = p.to_string_lossy().trim_end_matches(".txt").to_string();
        expected += read_expect(Path::new(&format!("{stem}.expect"))).snapshots;
    }
    let log = log::Log::from_bytes("all.log", &all, &ReadOptions::default()).unwrap();
    assert_eq!(log.snapshots.len() as u32, expected);
}
