//! The log reader on arbitrary bytes: the line parser (`parse_chunk`), the
//! decoder (streamed in small blocks must equal decoded whole), the chunker,
//! and the whole reader (`Log::from_bytes`, lenient and `--strict`), with the
//! invariants of their diagnostics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use poolscan::parse::decode::{decode_all, Decoder};
use poolscan::parse::input::Chunks;
use poolscan::log::{Log, ReadOptions, WARNINGS_KEPT};
use poolscan::parse::{parse_chunk, Part, NO_DRIVER};
use poolscan::Error;

/// Lines as `parse_chunk` counts them: `\r\n`, `\r` and `\n` each end one; a
/// final piece without an end is a line too.
fn count_lines(text: &[u8]) -> u64 {
    let mut n = 0;
    let mut i = 0;
    let mut open = false;
    while i < text.len() {
        match text[i] {
            b'\r' if text.get(i + 1) == Some(&b'\n') => {
                n += 1;
                i += 2;
                open = false;
                continue;
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

fn check_part(p: &Part, text: &[u8]) {
    assert_eq!(u64::from(p.lines), count_lines(text));
    let n = p.series.len();
    assert_eq!(p.counters.len(), n);
    assert_eq!(p.driver.len(), n);
    assert!(p.odd_diff.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(p.odd_per_alloc.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(n as u64 <= u64::from(p.lines));
    assert!(p.series.iter().all(|&s| (s as usize) < p.keys.len()));
    assert!(p
        .driver
        .iter()
        .all(|&d| d == NO_DRIVER || (d as usize) < p.drivers.len()));
    let mut last = 0;
    for e in &p.events {
        assert!(e.line < p.lines.max(1));
        assert!(e.line >= last, "events in line order");
        assert!(e.row as usize <= n);
        last = e.line;
    }
}

fn check_log(log: &Log, decoded: &[u8]) {
    assert_eq!(log.inputs.len(), 1);
    let info = &log.inputs[0];
    assert_eq!(info.lines, count_lines(decoded));
    assert!(info.skipped_lines <= info.lines);
    assert!(u64::from(info.snapshots) <= info.lines);
    assert!(info.rows <= info.lines);
    assert!(info.warnings.len() <= WARNINGS_KEPT);
    assert!(info.warning_count >= info.warnings.len() as u64);
    assert!(info.warning_count >= info.skipped_lines);
    assert_eq!(info.reasons.values().sum::<u64>(), info.skipped_lines);
    assert!(info.warnings.iter().all(|w| w.line <= info.lines));
    assert_eq!(log.snapshots.len(), info.snapshots as usize);
    let r = &log.rows;
    let n = r.len();
    assert_eq!(n as u64, info.rows);
    assert_eq!(r.counters.len(), n);
    assert!(r.driver.len() <= n);
    let mut at = 0;
    let mut epoch = 0;
    for s in &log.snapshots {
        assert_eq!(s.rows.start, at, "snapshots cover the rows in order");
        at = s.rows.end;
        assert!(s.line >= 1 && s.line <= info.lines);
        assert!(s.epoch >= epoch && s.epoch < log.epochs);
        epoch = s.epoch;
        let mut seen: Vec<u32> = r.series[s.rows.clone()].to_vec();
        seen.sort_unstable();
        assert!(
            seen.windows(2).all(|w| w[0] != w[1]),
            "a series once per snapshot"
        );
    }
    assert_eq!(at, n);
    assert!(r.series.iter().all(|&s| (s as usize) < log.series.len()));
    assert!(r
        .driver
        .iter()
        .all(|&d| d == NO_DRIVER || (d as usize) < log.drivers.len()));
}

fuzz_target!(|data: &[u8]| {
    for last in [true, false] {
        check_part(&parse_chunk(data, last), data);
    }

    // Streaming decode in small blocks equals decoding in one go.
    let whole = decode_all(data).into_owned();
    let block = 1 + usize::from(data.first().copied().unwrap_or(0) % 11);
    let mut d = Decoder::new();
    let mut streamed = Vec::new();
    let pieces: Vec<&[u8]> = data.chunks(block).collect();
    for (k, piece) in pieces.iter().enumerate() {
        streamed.extend_from_slice(&d.decode(piece, k + 1 == pieces.len()));
    }
    assert_eq!(streamed, whole, "block {block}");

    // The chunker cuts the decoded text at line ends and loses nothing.
    let mut c = Chunks::new(
        data,
        16 + usize::from(data.last().copied().unwrap_or(0) % 48),
    );
    let mut joined = Vec::new();
    while let Ok(Some((chunk, last))) = c.next_chunk() {
        joined.extend_from_slice(&chunk);
        if last {
            break;
        }
    }
    assert_eq!(joined, whole);

    // The whole reader, lenient and strict, and what each says.
    let lenient = Log::from_bytes("fuzz", data, &ReadOptions::default());
    let strict = Log::from_bytes(
        "fuzz",
        data,
        &ReadOptions {
            strict: true,
            ..Default::default()
        },
    );
    match &lenient {
        Ok(log) => {
            // Plain (uncompressed) input: the line count is that of the decoded text.
            if !(data.starts_with(&[0x1f, 0x8b]) || data.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])) {
                check_log(log, &whole);
            }
            let info = &log.inputs[0];
            match &strict {
                Ok(s) => {
                    assert_eq!(info.skipped_lines, 0);
                    assert_eq!(s.snapshots.len(), log.snapshots.len());
                }
                Err(Error::Line { line, reason, .. }) => {
                    assert!(info.skipped_lines > 0);
                    assert!(info.reasons.contains_key(reason));
                    if let Some(w) = info
                        .warnings
                        .iter()
                        .find(|w| info.reasons.contains_key(&w.reason))
                    {
                        assert_eq!(w.line, *line);
                    }
                }
                Err(e) => panic!("lenient read worked, strict failed with {e}"),
            }
        }
        Err(_) => assert!(strict.is_err()),
    }
});
