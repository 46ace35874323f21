//! Property tests of the reader on hostile bytes: arbitrary bytes, and the
//! real fixtures with lines deleted, duplicated and swapped, truncated, bytes
//! flipped, NULs inserted, line ends changed and encodings switched. No
//! panic, and the diagnostics stay consistent: counts within the line count,
//! every skipped line counted under a reason, `--strict` failing exactly when
//! the lenient read skipped a line, at the first such line.
//!
//! A longer run: `POOLSCAN_PROPTEST_CASES=20000 cargo test --release --test mutations`.

use std::path::PathBuf;

use crate::util::{self, utf16le};
use poolscan::log::{Log, ReadOptions, WARNINGS_KEPT};
use poolscan::model::NO_DRIVER;
use poolscan::parse::decode::decode_all;
use poolscan::Error;
use proptest::prelude::*;

/// Cases per property: `default`, or `POOLSCAN_PROPTEST_CASES` for a longer run.
fn cases(default: u32) -> u32 {
    std::env::var("POOLSCAN_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn samples() -> Vec<PathBuf> {
    let mut v = util::samples();
    v.push(PathBuf::from("fixtures/synth/poolmon-demo.log"));
    v
}

fn fixtures() -> &'static [Vec<u8>] {
    static F: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    F.get_or_init(|| {
        samples()
            .iter()
            .map(|p| std::fs::read(p).unwrap())
            .collect()
    })
}

/// Lines as the parser counts them: `\r\n`, `\r` and `\n` each end one.
fn count_lines(text: &[u8]) -> u64 {
    let (mut n, mut i, mut open) = (0, 0, false);
    while i < text.len() {
        match text[i] {
            b'\r' if text.get(i + 1) == Some(&b'\n') => {
                n += 1;
                i += 1;
                open = false;
            }
            b'\r' | b'\n' => {
                n += 1;
                open = false;
            }
            _ => open = true,
        }
        i += 1;
    }
    n + u64::from(open)
}

fn compressed(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b]) || bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
}

/// The invariants of one read log.
fn check_log(log: &Log, bytes: &[u8]) -> Result<(), TestCaseError> {
    prop_assert_eq!(log.inputs.len(), 1);
    let info = &log.inputs[0];
    if !compressed(bytes) {
        prop_assert_eq!(info.lines, count_lines(&decode_all(bytes)));
    }
    prop_assert!(info.skipped_lines <= info.lines);
    prop_assert!(u64::from(info.snapshots) <= info.lines);
    prop_assert!(info.rows <= info.lines);
    prop_assert!(info.warnings.len() <= WARNINGS_KEPT);
    prop_assert!(info.warning_count >= info.warnings.len() as u64);
    prop_assert!(info.warning_count >= info.skipped_lines);
    prop_assert_eq!(info.reasons.values().sum::<u64>(), info.skipped_lines);
    prop_assert!(info.warnings.iter().all(|w| w.line <= info.lines));
    prop_assert_eq!(log.snapshots.len(), info.snapshots as usize);
    let r = &log.rows;
    prop_assert_eq!(r.len() as u64, info.rows);
    for len in [r.counters.len(), r.series.len()] {
        prop_assert_eq!(len, r.len());
    }
    prop_assert!(r.driver.len() <= r.len());
    prop_assert!(r.odd_per_alloc.windows(2).all(|w| w[0].0 < w[1].0));
    prop_assert!(r.odd_diff.windows(2).all(|w| w[0].0 < w[1].0));
    prop_assert!(r.odd_diff.iter().all(|&(row, _)| row < r.len()));
    prop_assert!(r.odd_per_alloc.iter().all(|&(row, _)| row < r.len()));
    let (mut at, mut epoch) = (0, 0);
    for s in &log.snapshots {
        prop_assert_eq!(s.rows.start, at);
        at = s.rows.end;
        prop_assert!(s.line >= 1 && s.line <= info.lines);
        prop_assert!(s.epoch >= epoch && s.epoch < log.epochs);
        epoch = s.epoch;
        let mut ids = r.series[s.rows.clone()].to_vec();
        ids.sort_unstable();
        prop_assert!(
            ids.windows(2).all(|w| w[0] != w[1]),
            "a series twice in a snapshot"
        );
    }
    prop_assert_eq!(at, r.len());
    prop_assert!(r.series.iter().all(|&s| (s as usize) < log.series.len()));
    prop_assert!(r
        .driver
        .iter()
        .all(|&d| d == NO_DRIVER || (d as usize) < log.drivers.len()));
    Ok(())
}

/// Reads `bytes` leniently and strictly; checks each result and how they agree.
/// Returns the lenient log, if any.
fn read_both(bytes: &[u8]) -> Result<Option<Log>, TestCaseError> {
    let lenient = Log::from_bytes("m.log", bytes, &ReadOptions::default());
    let strict = Log::from_bytes(
        "m.log",
        bytes,
        &ReadOptions {
            strict: true,
            ..Default::default()
        },
    );
    match lenient {
        Ok(log) => {
            check_log(&log, bytes)?;
            let info = &log.inputs[0];
            match &strict {
                Ok(s) => {
                    prop_assert_eq!(info.skipped_lines, 0);
                    prop_assert_eq!(s.snapshots.len(), log.snapshots.len());
                    prop_assert_eq!(s.rows.len(), log.rows.len());
                }
                Err(Error::Line { line, reason, .. }) => {
                    prop_assert!(info.skipped_lines > 0);
                    prop_assert!(info.reasons.contains_key(reason));
                    let first = info
                        .warnings
                        .iter()
                        .find(|w| info.reasons.contains_key(&w.reason));
                    if let Some(w) = first {
                        prop_assert_eq!(w.line, *line);
                    }
                }
                Err(e) => prop_assert!(false, "lenient read worked, strict failed: {}", e),
            }
            // The analysis of whatever was read must not panic either.
            let _ = poolscan::analysis::analyze(&log, &Default::default(), None);
            Ok(Some(log))
        }
        Err(e) => {
            prop_assert!(strict.is_err(), "strict read worked, lenient failed: {}", e);
            Ok(None)
        }
    }
}

/// One edit of a log.
#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Truncate(usize),
    FlipByte(usize, u8),
    InsertBytes(usize, Vec<u8>),
    InsertNuls(usize, usize),
    Utf16Block(usize, bool),
    Utf16Whole(bool),
    CrlfToLf,
    LfToCrlf,
    LineEndsToCr,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => any::<usize>().prop_map(Mutation::DeleteLine),
        3 => any::<usize>().prop_map(Mutation::DuplicateLine),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        2 => any::<usize>().prop_map(Mutation::Truncate),
        3 => (any::<usize>(), 1..=255u8).prop_map(|(a, m)| Mutation::FlipByte(a, m)),
        2 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..12))
            .prop_map(|(a, b)| Mutation::InsertBytes(a, b)),
        1 => (any::<usize>(), 1..64usize).prop_map(|(a, n)| Mutation::InsertNuls(a, n)),
        2 => (any::<usize>(), any::<bool>()).prop_map(|(a, b)| Mutation::Utf16Block(a, b)),
        1 => any::<bool>().prop_map(Mutation::Utf16Whole),
        1 => Just(Mutation::CrlfToLf),
        1 => Just(Mutation::LfToCrlf),
        1 => Just(Mutation::LineEndsToCr),
    ]
}

/// Splits after each `\n`, keeping the line ends.
fn lines(b: &[u8]) -> Vec<Vec<u8>> {
    b.split_inclusive(|&c| c == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

fn apply(mut b: Vec<u8>, m: &Mutation) -> Vec<u8> {
    let len = b.len();
    let at = |k: usize| if len == 0 { 0 } else { k % (len + 1) };
    match m {
        Mutation::DeleteLine(k) => {
            let mut l = lines(&b);
            if !l.is_empty() {
                let n = l.len();
                l.remove(k % n);
            }
            b = l.concat();
        }
        Mutation::DuplicateLine(k) => {
            let mut l = lines(&b);
            if !l.is_empty() {
                let i = k % l.len();
                l.insert(i, l[i].clone());
            }
            b = l.concat();
        }
        Mutation::SwapLines(x, y) => {
            let mut l = lines(&b);
            if !l.is_empty() {
                let n = l.len();
                l.swap(x % n, y % n);
            }
            b = l.concat();
        }
        Mutation::Truncate(k) => b.truncate(at(*k)),
        Mutation::FlipByte(k, mask) => {
            if len > 0 {
                b[k % len] ^= mask;
            }
        }
        Mutation::InsertBytes(k, v) => {
            let i = at(*k);
            b.splice(i..i, v.iter().copied());
        }
        Mutation::InsertNuls(k, n) => {
            let i = at(*k);
            b.splice(i..i, std::iter::repeat_n(0u8, *n));
        }
        Mutation::Utf16Block(k, bom) => {
            // A PowerShell `>>` timestamp line, between two lines.
            let mut l = lines(&b);
            let i = if l.is_empty() { 0 } else { k % (l.len() + 1) };
            l.insert(
                i,
                utf16le("Wednesday, November 25, 2026 11:18:56 PM\r\n", *bom),
            );
            b = l.concat();
        }
        Mutation::Utf16Whole(bom) => b = utf16le(&String::from_utf8_lossy(&b), *bom),
        Mutation::CrlfToLf => {
            b = String::from_utf8_lossy(&b)
                .replace("\r\n", "\n")
                .into_bytes()
        }
        Mutation::LfToCrlf => {
            b = String::from_utf8_lossy(&b)
                .replace("\r\n", "\n")
                .replace('\n', "\r\n")
                .into_bytes()
        }
        Mutation::LineEndsToCr => {
            b = String::from_utf8_lossy(&b)
                .replace("\r\n", "\r")
                .replace('\n', "\r")
                .into_bytes()
        }
    }
    b
}

/// What a log says, for comparing two encodings of the same text.
fn summary(log: &Log) -> (usize, Vec<u32>, Vec<u64>, Vec<u64>, u64, u64) {
    let i = &log.inputs[0];
    (
        log.snapshots.len(),
        log.rows.series.clone(),
        (0..log.rows.len()).map(|r| log.rows.allocs(r)).collect(),
        (0..log.rows.len()).map(|r| log.rows.bytes(r)).collect(),
        i.skipped_lines,
        i.lines,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        read_both(&bytes)?;
    }

    #[test]
    fn poolmon_alphabet_never_panics(
        picks in prop::collection::vec(0usize..40, 0..1500)
    ) {
        // Bytes PoolMon logs are made of, so that rows, headers and stamps occur.
        const A: &[&[u8]] = &[
            b" ", b"  ", b"\t", b"\r\n", b"\n", b"\r", b"0", b"7", b"42", b"18446744073709551616",
            b"-", b"(", b")", b":", b"/", b".", b"K", b"Nonp", b"Paged", b" Tag  Type  Allocs  Frees  Diff  Bytes  Per Alloc",
            b"Mapped_Driver", b" Memory:", b" Commit:", b"Pool N:", b"P:", b"Abcd", b"Dh 1", b"[nt!io - I/O]",
            b"Wed 11/25/2026 23:18:56.12", b"2026-11-25T23:18:56+01:00", b"25.11.2026", b"PM", b"\0",
            b"\xff\xfe", b"\xef\xbb\xbf", b"\x1a", b"\xe9", b"...", b"PoolMon: x", b" Total Nonp",
        ];
        let bytes: Vec<u8> = picks.iter().flat_map(|&k| A[k].iter().copied()).collect();
        read_both(&bytes)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(160), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_fixtures_never_panic(
        which in any::<usize>(),
        edits in prop::collection::vec(mutation(), 1..6),
    ) {
        let f = fixtures();
        let mut bytes = f[which % f.len()].clone();
        for m in &edits {
            bytes = apply(bytes, m);
        }
        read_both(&bytes)?;
    }

    #[test]
    fn encoding_switches_keep_what_is_read(which in any::<usize>(), how in 0u8..5) {
        let f = fixtures();
        let text = String::from_utf8_lossy(&f[which % f.len()]).into_owned();
        let base = read_both(text.as_bytes())?;
        let other = match how {
            0 => utf16le(&text, true),
            1 => utf16le(&text, false),
            2 => apply(text.clone().into_bytes(), &Mutation::CrlfToLf),
            3 => apply(text.clone().into_bytes(), &Mutation::LfToCrlf),
            _ => [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat(),
        };
        let again = read_both(&other)?;
        match (base, again) {
            (Some(a), Some(b)) => prop_assert_eq!(summary(&a), summary(&b)),
            (None, None) => {}
            (a, b) => prop_assert!(false, "one read failed: {:?} {:?}", a.is_some(), b.is_some()),
        }
    }
}
