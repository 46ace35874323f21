use std::sync::atomic::AtomicBool;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use super::*;

fn entry(layout: Layout, tag: &[u8; 4], p: (u32, u32, u64), n: (u32, u32, u64)) -> Vec<u8> {
    let mut e = tag.to_vec();
    match layout {
        Layout::X64 => {
            e.extend(p.0.to_le_bytes());
            e.extend(p.1.to_le_bytes());
            e.extend([0; 4]); // padding before the 8-byte SIZE_T
            e.extend(p.2.to_le_bytes());
            e.extend(n.0.to_le_bytes());
            e.extend(n.1.to_le_bytes());
            e.extend(n.2.to_le_bytes());
        }
        Layout::X86 => {
            e.extend(p.0.to_le_bytes());
            e.extend(p.1.to_le_bytes());
            e.extend((p.2 as u32).to_le_bytes());
            e.extend(n.0.to_le_bytes());
            e.extend(n.1.to_le_bytes());
            e.extend((n.2 as u32).to_le_bytes());
        }
    }
    assert_eq!(e.len(), layout.entry());
    e
}

fn buffer(layout: Layout, entries: &[Vec<u8>]) -> Vec<u8> {
    let mut b = (entries.len() as u32).to_le_bytes().to_vec();
    if layout == Layout::X64 {
        b.extend([0; 4]);
    }
    for e in entries {
        b.extend(e);
    }
    b
}

#[test]
fn decodes_both_layouts() {
    for layout in [Layout::X64, Layout::X86] {
        let b = buffer(
            layout,
            &[
                entry(
                    layout,
                    b"File",
                    (100, 40, 4000),
                    (44_288_592, 43_651_808, 254_683_680),
                ),
                entry(
                    layout,
                    b"Irp ",
                    (0, 0, 0),
                    (u32::MAX, 4_000_000_000, 256_000),
                ),
            ],
        );
        let tags = decode::pool_tags(&b, layout).unwrap();
        assert_eq!(tags.len(), 2, "{layout:?}");
        assert_eq!(&tags[0].tag, b"File");
        assert_eq!(
            tags[0].paged,
            PoolCounts {
                allocs: 100,
                frees: 40,
                used: 4000
            }
        );
        assert_eq!(tags[0].nonpaged.allocs, 44_288_592);
        assert_eq!(tags[0].nonpaged.used, 254_683_680);
        assert_eq!(tags[1].nonpaged.allocs, u32::MAX);
        assert_eq!(tags[1].paged, PoolCounts::default());
    }
}

#[test]
fn x64_used_takes_all_64_bits() {
    let big = 5u64 << 32 | 7;
    let b = buffer(
        Layout::X64,
        &[entry(Layout::X64, b"Big ", (1, 0, big), (0, 0, 0))],
    );
    assert_eq!(
        decode::pool_tags(&b, Layout::X64).unwrap()[0].paged.used,
        big
    );
}

#[test]
fn truncated_buffers_are_errors_not_panics() {
    let full = buffer(
        Layout::X64,
        &[
            entry(Layout::X64, b"AAAA", (1, 0, 8), (0, 0, 0)),
            entry(Layout::X64, b"BBBB", (2, 1, 16), (0, 0, 0)),
        ],
    );
    for cut in 0..full.len() {
        let err = decode::pool_tags(&full[..cut], Layout::X64)
            .unwrap_err()
            .to_string();
        assert!(err.contains("SystemPoolTagInformation"), "{cut}: {err}");
    }
    // A count no buffer could hold.
    let huge = u32::MAX.to_le_bytes();
    assert!(decode::pool_tags(&huge, Layout::X86).is_err());
    // Empty table: fine.
    assert!(decode::pool_tags(&[0, 0, 0, 0], Layout::X86)
        .unwrap()
        .is_empty());
    // Bytes after the last entry are ignored.
    let mut extra = full.clone();
    extra.extend([0xAB; 13]);
    assert_eq!(decode::pool_tags(&extra, Layout::X64).unwrap().len(), 2);
}

#[test]
fn performance_fields_by_offset() {
    let mut b = vec![0u8; 0x158];
    b[0x3C..0x40].copy_from_slice(&3_000_000_000u32.to_le_bytes());
    b[0x8C..0x90].copy_from_slice(&100u32.to_le_bytes());
    b[0xA8..0xAC].copy_from_slice(&300u32.to_le_bytes());
    b[0xAC..0xB0].copy_from_slice(&20u32.to_le_bytes());
    let p = decode::performance(&b);
    assert_eq!(p.page_faults, Some(3_000_000_000));
    assert_eq!(p.resident_kernel, Some(120));
    assert_eq!(p.resident_paged, Some(300));
    let short = decode::performance(&b[..0x90]);
    assert_eq!(short.page_faults, Some(3_000_000_000));
    assert_eq!(short.resident_kernel, None);
    assert_eq!(decode::performance(&[]), Performance::default());
}

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn snap(time: &str, tags: Vec<TagCounts>) -> Snapshot {
    Snapshot {
        time: at(time),
        memory: Some(Memory {
            total_k: 16_468_560,
            avail_k: 9_842_236,
            commit_k: 8_000_000,
            limit_k: 20_000_000,
            peak_k: 9_000_000,
            nonpaged_k: 300_000,
            paged_k: 600_000,
            page_size: 4096,
            perf: Performance {
                page_faults: Some(468_600_648),
                resident_kernel: Some(3726),
                resident_paged: Some(157_334),
            },
        }),
        tags,
    }
}

fn tag(t: &[u8; 4], p: (u32, u32, u64), n: (u32, u32, u64)) -> TagCounts {
    let pc = |(allocs, frees, used)| PoolCounts {
        allocs,
        frees,
        used,
    };
    TagCounts {
        tag: *t,
        paged: pc(p),
        nonpaged: pc(n),
    }
}

#[test]
fn renders_poolmon_wide_snapshot_text() {
    let s = snap(
        "2026-12-02T08:00:00+01:00",
        vec![
            tag(
                b"File",
                (100, 40, 4000),
                (44_288_592, 43_651_808, 254_683_680),
            ),
            tag(b"FMfn", (8_665_967, 5_982_729, 1_495_080_176), (0, 0, 0)),
        ],
    );
    let text = render(&s, None);
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], "2026-12-02T08:00:00+01:00");
    assert_eq!(lines[1], "");
    assert_eq!(
        lines[2],
        " Memory:16468560K Avail: 9842236K  PageFlts:468600648   InRam Krnl:14904K P:629336K"
    );
    assert!(lines[3].starts_with(" Commit:8000000K Limit:20000000K Peak:9000000K"));
    assert_eq!(lines[4], "");
    assert!(lines[5].starts_with(" Tag  Type     Allocs            Frees"));
    // Byte for byte the rows of a real wide capture (sample 15), largest Bytes first.
    assert_eq!(
        lines[7],
        " FMfn Paged            8665967            5982729           2683238     1495080176              557        "
    );
    assert_eq!(
        lines[8],
        " File Nonp            44288592           43651808            636784      254683680              399        "
    );
    assert_eq!(
        lines[9],
        " File Paged                100                 40                60           4000               66        "
    );
    assert!(text.ends_with("\r\n"));
}

#[test]
fn tags_as_poolmon_prints_them() {
    assert_eq!(write::tag_text(*b"Ip  "), "Ip  ");
    // The kernel's protected bit on the last byte is not part of the tag.
    assert_eq!(write::tag_text([b'T', b'o', b'k', b'e' | 0x80]), "Toke");
    assert_eq!(write::tag_text([0, b'a', 0xff, b'b']), "?a?b");
}

#[test]
fn diff_is_right_across_a_wrap() {
    // Allocs wrapped past 2^32, Frees not yet: 1,000 outstanding.
    let s = snap(
        "2026-12-02T08:00:00Z",
        vec![tag(b"Irp ", (0, 0, 0), (500, u32::MAX - 499, 256_000))],
    );
    let text = render(&s, None);
    let row = text.lines().find(|l| l.starts_with(" Irp ")).unwrap();
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cols[4], "1000", "{row}");
    assert_eq!(cols[6], "256", "{row}");
}

#[test]
fn mapped_driver_column_from_a_tag_file() {
    let mut db = TagDb::new();
    db.add_text("t", b"File - nt!io - File objects\n");
    let s = snap(
        "2026-12-02T08:00:00Z",
        vec![
            tag(b"File", (1, 0, 8), (0, 0, 0)),
            tag(b"Zzzz", (1, 0, 4), (0, 0, 0)),
        ],
    );
    let text = render(&s, Some(&db));
    assert!(text.contains("Per Alloc       Mapped_Driver"));
    assert!(
        text.contains("        [nt!io - File objects]\r\n"),
        "{text}"
    );
    assert!(text.contains("        Unknown Driver\r\n"));
}

struct Fake {
    n: u32,
    fail_at: Option<u32>,
}

impl Source for Fake {
    fn snapshot(&mut self) -> Result<Snapshot> {
        self.n += 1;
        if Some(self.n) == self.fail_at {
            return Err(Error::Invalid("query failed".into()));
        }
        Ok(snap(
            &format!("2026-12-02T08:{:02}:00Z", self.n),
            vec![tag(
                b"Leak",
                (self.n * 10, 0, u64::from(self.n) * 1000),
                (0, 0, 0),
            )],
        ))
    }
}

fn plan(count: Option<u64>) -> Plan {
    Plan {
        interval: Duration::ZERO,
        count,
        duration: None,
    }
}

#[test]
fn run_appends_whole_snapshots_and_stops() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("poolmon.log");
    std::fs::write(&out, "earlier text\r\n").unwrap();
    let stop = AtomicBool::new(false);
    let mut seen = Vec::new();
    let n = run(
        &mut Fake {
            n: 0,
            fail_at: None,
        },
        &out,
        plan(Some(3)),
        None,
        &stop,
        |i, rows| seen.push((i, rows)),
    )
    .unwrap();
    assert_eq!(n, 3);
    assert_eq!(seen, vec![(1, 1), (2, 1), (3, 1)]);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("earlier text\r\n"), "appends");
    assert_eq!(text.matches(" Leak Paged").count(), 3);

    // A stop set before the first snapshot writes nothing.
    let stop = AtomicBool::new(true);
    let n = run(
        &mut Fake {
            n: 0,
            fail_at: None,
        },
        &out,
        plan(None),
        None,
        &stop,
        |_, _| {},
    )
    .unwrap();
    assert_eq!(n, 0);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
}

#[test]
fn a_failed_query_keeps_what_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("poolmon.log");
    let stop = AtomicBool::new(false);
    let err = run(
        &mut Fake {
            n: 0,
            fail_at: Some(3),
        },
        &out,
        plan(Some(5)),
        None,
        &stop,
        |_, _| {},
    )
    .unwrap_err();
    assert!(err.to_string().contains("query failed"));
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.matches(" Leak Paged").count(), 2);
}

#[test]
fn duration_bounds_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("poolmon.log");
    let stop = AtomicBool::new(false);
    let p = Plan {
        interval: Duration::from_millis(30),
        count: None,
        duration: Some(Duration::from_millis(100)),
    };
    let n = run(
        &mut Fake {
            n: 0,
            fail_at: None,
        },
        &out,
        p,
        None,
        &stop,
        |_, _| {},
    )
    .unwrap();
    // Snapshots at 0, 30, 60 (and 90) ms: never one due after 100 ms.
    assert!((3..=4).contains(&n), "{n}");
}

#[cfg(not(windows))]
#[test]
fn system_says_windows_only() {
    let err = system().err().unwrap().to_string();
    assert!(err.contains("Windows only"), "{err}");
}
