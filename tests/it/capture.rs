//! `poolscan capture`'s writer read back by poolscan's own parser: the same
//! numbers, across a 32-bit wrap, with and without the Mapped_Driver column.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use chrono::DateTime;
use poolscan::capture::{self, Memory, Plan, PoolCounts, Snapshot, Source, TagCounts};
use poolscan::{Input, Pool, ReadOptions, TagDb};

struct Machine {
    n: u64,
}

impl Source for Machine {
    fn snapshot(&mut self) -> poolscan::Result<Snapshot> {
        let n = self.n;
        self.n += 1;
        let pc = |allocs: u64, frees: u64, used: u64| PoolCounts {
            allocs: allocs as u32,
            frees: frees as u32,
            used,
        };
        // `Irp ` is hot: its counters pass 2^32 during the capture.
        let irp = 4_294_000_000 + n * 500_000;
        Ok(Snapshot {
            time: DateTime::parse_from_rfc3339(&format!("2026-12-02T08:{:02}:00+01:00", n * 5))
                .unwrap(),
            memory: Some(Memory {
                total_k: 16_000_000,
                avail_k: 8_000_000 - n * 1000,
                commit_k: 9_000_000,
                limit_k: 20_000_000,
                peak_k: 9_500_000,
                nonpaged_k: 400_000,
                paged_k: 700_000,
                page_size: 4096,
                perf: capture::Performance {
                    page_faults: Some((4_294_900_000u64 + n * 100_000) as u32),
                    resident_kernel: Some(4000),
                    resident_paged: Some(100_000),
                },
            }),
            tags: vec![
                TagCounts {
                    tag: *b"Leak",
                    paged: PoolCounts::default(),
                    nonpaged: pc(1000 + n * 100, 1000, n * 100 * 4096),
                },
                TagCounts {
                    tag: *b"Irp ",
                    paged: pc(5, 5, 0),
                    nonpaged: pc(irp, irp - 1000, 1000 * 256),
                },
                TagCounts {
                    tag: *b"File",
                    paged: pc(100, 40, 4000),
                    nonpaged: pc(44_288_592, 43_651_808, 254_683_680),
                },
            ],
        })
    }
}

fn capture_log(db: Option<&TagDb>) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("poolmon.log");
    let stop = AtomicBool::new(false);
    let plan = Plan {
        interval: Duration::ZERO,
        count: Some(12),
        duration: None,
    };
    let n = capture::run(&mut Machine { n: 0 }, &path, plan, db, &stop, |_, _| {}).unwrap();
    assert_eq!(n, 12);
    (dir, path)
}

#[test]
fn captured_log_reads_back_to_the_same_numbers() {
    for db in [None, Some(TagDb::new())] {
        let (_dir, path) = capture_log(db.as_ref());
        let log = poolscan::read(&[Input::File(path)], &ReadOptions::default()).unwrap();
        assert_eq!(log.snapshots.len(), 12);
        assert_eq!(
            log.epochs, 1,
            "a wrap of Irp and of PageFlts is not a reboot"
        );
        assert!(log.counter_wraps >= 1);
        let id = |tag: &str, pool| {
            log.series
                .iter()
                .position(|s| s.tag == tag && s.pool == pool)
                .unwrap_or_else(|| panic!("{tag} {pool:?}"))
        };
        let leak = id("Leak", Pool::Nonpaged);
        let irp = id("Irp", Pool::Nonpaged);
        assert!(log
            .series
            .iter()
            .all(|s| s.tag != "Leak" || s.pool == Pool::Nonpaged));
        for (i, snap) in log.snapshots.iter().enumerate() {
            let n = i as u64;
            assert_eq!(snap.offset_secs, Some(3600));
            assert_eq!(snap.summary.avail_k, Some(8_000_000 - n as i64 * 1000));
            assert_eq!(snap.summary.paged_resident_k, Some(400_000));
            let row = |s: usize| {
                snap.rows
                    .clone()
                    .find(|&r| log.rows.series[r] as usize == s)
                    .unwrap()
            };
            let r = row(leak);
            assert_eq!(log.rows.allocs(r), 1000 + n * 100);
            assert_eq!(log.rows.bytes(r), n * 100 * 4096);
            let r = row(irp);
            assert_eq!(log.rows.allocs(r), 4_294_000_000 + n * 500_000, "unwrapped");
            assert_eq!(log.rows.diff(r), 1000);
            assert_eq!(log.rows.bytes(r), 256_000);
        }
        let result = poolscan::analyze(&log, &poolscan::Options::default(), None).unwrap();
        assert_eq!(result.series[0].tag, "Leak");
    }
}
