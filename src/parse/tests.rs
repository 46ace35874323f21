use super::*;
use crate::model::{series_key, split_key, Pool};

fn r(line: &str) -> Row<'_> {
    match row(line.as_bytes()) {
        Ok(Some(r)) => r,
        other => panic!("not a row: {line:?}: {other:?}"),
    }
}

#[test]
fn narrow_snapshot_row() {
    let x = r(" Ntfx Nonp      1234      1200        34     5440        160        ");
    assert_eq!(&x.tag, b"Ntfx");
    assert_eq!(x.pool, Pool::Nonpaged);
    assert_eq!(
        (x.allocs, x.frees, x.diff, x.bytes, x.per_alloc),
        (1234, 1200, 34, 5440, 160)
    );
    assert_eq!(x.driver, None);
    assert!(!x.interactive);
}

#[test]
fn wide_row_with_driver() {
    let x = r(" Thre Nonp            1234567            1234000              4567        2923520              640        [nt!ps - Thread objects]");
    assert_eq!(&x.tag, b"Thre");
    assert_eq!(x.diff, 4567);
    assert_eq!(x.driver, Some(&b"[nt!ps - Thread objects]"[..]));
}

#[test]
fn interactive_row_with_deltas() {
    let x = r(" Wait Nonp    3971107 (   0)   3971077 (   0)       30    8456 (     0)    281");
    assert_eq!(
        (x.allocs, x.frees, x.diff, x.bytes, x.per_alloc),
        (3971107, 3971077, 30, 8456, 281)
    );
    assert!(x.interactive);
}

#[test]
fn glued_and_negative_deltas() {
    let x = r("Io   Nonp\t169392( 0)\t169300(1)\t92\t14720( -184)\t160");
    assert_eq!(&x.tag, b"Io  ");
    assert_eq!(x.bytes, 14720);
    assert!(x.interactive);
}

#[test]
fn tags_with_spaces_and_digits() {
    assert_eq!(
        &r(" Dh 1 Paged        10         5         5      640        128").tag,
        b"Dh 1"
    );
    assert_eq!(
        &r(" Io   Nonp        10         5         5      640        128").tag,
        b"Io  "
    );
    assert_eq!(
        &r(" 8042 Nonp        10         5         5      640        128").tag,
        b"8042"
    );
    assert_eq!(&r("CM    Paged 10 5 5 640 128").tag, b"CM  ");
    assert_eq!(&r("HidC   Paged 10 5 5 640 128").tag, b"HidC");
}

#[test]
fn negative_diff_and_u64() {
    let x = r(" Leak Nonp 18446744073709551615 1 -3 18574637216 0");
    assert_eq!(x.allocs, u64::MAX);
    assert_eq!(x.diff, -3);
    assert_eq!(x.bytes, 18574637216);
}

/// PoolMon's counters are 32-bit: the narrow family and the screens print
/// them with `%ld`, so past 2^31 they appear negative. Read as unsigned.
#[test]
fn counters_printed_negative_are_32_bit_values() {
    let x = r(" Irp  Nonp  -1294967296 -1294968296      1000  256000        256");
    assert_eq!(x.allocs, 3_000_000_000);
    assert_eq!(x.frees, 2_999_999_000);
    assert_eq!(x.diff, 1000);
    // The exact path (a screen with deltas) agrees.
    let y = r(" Irp  Nonp -1294967296 ( 12) -1294968296 ( 11)     1000   256000 (   0)   256");
    assert!(y.interactive);
    assert_eq!((y.allocs, y.frees), (3_000_000_000, 2_999_999_000));
    // The edges: -1 is 2^32 - 1, -2^31 is 2^31; below that no 32-bit value prints.
    assert_eq!(r(" Irp  Nonp -1 -2147483648 0 0 0").allocs, u32::MAX as u64);
    assert_eq!(r(" Irp  Nonp -1 -2147483648 0 0 0").frees, 1 << 31);
    assert_eq!(
        row(b" Irp  Nonp -2147483649 1 0 0 0"),
        Err("row: negative Allocs beyond 32 bits")
    );
    assert_eq!(
        row(b" Irp  Nonp 5 -4294967296 0 0 0"),
        Err("row: negative Frees beyond 32 bits")
    );
    assert_eq!(
        row(b" Irp  Nonp -x 1 0 0 0"),
        Err("row: Allocs is not a number")
    );
    // Bytes are never counters: negative Bytes stays an error.
    assert_eq!(row(b" Irp  Nonp 5 4 1 -64 64"), Err("row: negative Bytes"));
}

#[test]
fn unknown_and_truncated_driver() {
    let x = r(" HidC Paged 10 5 5 640 128 [hidclass.sys - HID Class d ");
    assert_eq!(x.driver, Some(&b"[hidclass.sys - HID Class d"[..]));
    let y = r(" 1MEM Nonp 1 0 1 64 64 Unknown Driver");
    assert_eq!(y.driver, Some(&b"Unknown Driver"[..]));
}

#[test]
fn bad_rows_name_the_field() {
    assert_eq!(
        row(b" Leak Nonp 99999999999999999999 1 1 1 1"),
        Err("row: Allocs beyond 64 bits")
    );
    assert_eq!(row(b" Leak Nonp 12 10"), Err("row cut off: no Diff"));
    assert_eq!(
        row(b" Leak Nonp 12 10 2 x 1"),
        Err("row: Bytes is not a number")
    );
    assert_eq!(
        row(b" Leak Nonp 12 10 2 64 32x"),
        Err("row: garbage after Per Alloc")
    );
}

#[test]
fn summary_lines() {
    let m = classify(
        b" Memory:16468560K Avail: 9842236K  PageFlts:468600648   InRam Krnl:14904K P:629336K",
    );
    assert_eq!(
        m,
        Line::Memory([
            Some(16468560),
            Some(9842236),
            Some(468600648),
            Some(14904),
            Some(629336)
        ])
    );
    let c = classify(
        b" Commit: 203500K Limit: 640916K Peak: 260632K            Pool N: 8332K P:27220K",
    );
    assert_eq!(
        c,
        Line::Commit([
            Some(203500),
            Some(640916),
            Some(260632),
            Some(8332),
            Some(27220)
        ])
    );
}

#[test]
fn headers_titles_noise() {
    assert_eq!(
        classify(b" Tag  Type     Allocs            Frees            Diff   Bytes       Per Alloc"),
        Line::Header(false)
    );
    assert_eq!(
        classify(
            b" Tag  Type     Allocs         Frees    Diff   Bytes    Per Alloc    Mapped_Driver"
        ),
        Line::Header(true)
    );
    assert_eq!(
        classify(b"## Tag  Type  Allocs  Frees  Diff  Bytes  Per Alloc"),
        Line::Header(false)
    );
    assert_eq!(classify(b" System pool information"), Line::Title);
    assert_eq!(classify(b" Session 0 pool information"), Line::Title);
    assert_eq!(
        classify(b" Total Nonp    3971107 (   0)   3971077 (   0)       30    8456 (     0)"),
        Line::Total
    );
    assert_eq!(classify(b"C:\\tools> poolmon -b"), Line::Noise);
    assert_eq!(
        classify(b"PoolMon: No localtag.txt in current directory"),
        Line::Noise
    );
    assert_eq!(classify(b"..."), Line::Noise);
    assert_eq!(classify(b"[snip]"), Line::Noise);
    assert_eq!(classify(b"   "), Line::Blank);
    assert_eq!(classify(b"hello world"), Line::Bad("not a PoolMon line"));
}

#[test]
fn stamps_are_recognised() {
    assert!(matches!(
        classify(b"Wed 11/25/2026 23:18:56.12"),
        Line::Stamp(_)
    ));
    assert!(matches!(
        classify(b"===== 25/11/2026 23:18:56.12 ====="),
        Line::Stamp(_)
    ));
}

#[test]
fn chunk_events_and_line_ends() {
    let text = b"\r\n Tag  Type  Allocs  Frees  Diff  Bytes  Per Alloc\r\n\r\n Abcd Nonp 1 0 1 64 64\r Efgh Paged 2 1 1 32 32\n Abcd Nonp 3 1";
    let p = parse_chunk(text, true);
    assert_eq!(p.lines, 6);
    assert_eq!(p.keys.len(), 2);
    assert!(p.cut);
    let kinds: Vec<_> = p
        .events
        .iter()
        .map(|e| (e.line, e.row, e.kind.clone()))
        .collect();
    assert_eq!(kinds[0], (1, 0, EventKind::Header(false)));
    assert_eq!(kinds[1], (3, 0, EventKind::RowsStart));
    // The last line is an incomplete row without a line end: cut off mid-write.
    assert!(matches!(kinds[2], (5, 2, EventKind::Bad(_))));
    assert_eq!(p.series.len(), 2);
    // A complete last row without a line end is kept, with a note.
    let p = parse_chunk(b" Abcd Nonp 3 1 2 128 64", true);
    assert_eq!(p.series.len(), 1);
    assert!(matches!(p.events[1].kind, EventKind::Note(_)));
}

#[test]
fn keys_round_trip() {
    let k = series_key(*b"Dh 1", Pool::Paged);
    assert_eq!(split_key(k), (*b"Dh 1", Pool::Paged));
}

/// A small deterministic generator (xorshift32) for the tests' random inputs.
fn xorshift(mut x: u32) -> impl FnMut() -> u32 {
    move || {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x
    }
}

/// [`xorshift`]'s numbers as indices.
fn picks(seed: u32) -> impl FnMut() -> usize {
    let mut next = xorshift(seed);
    move || next() as usize
}

#[test]
fn arbitrary_bytes_do_not_panic() {
    for seed in 0u32..2000 {
        let mut next = xorshift(seed.wrapping_mul(2654435761));
        let bytes: Vec<u8> = (0..(seed % 97))
            .map(|_| b" NonpPaged0123456789()-\t\r\nTagMemory:K"[(next() % 37) as usize])
            .collect();
        let _ = parse_chunk(&bytes, seed % 2 == 0);
    }
}

#[test]
fn fast_numbers_agree_with_the_exact_reader() {
    // Rows of five or six fields: numbers of every length up to 21
    // digits (leading zeros, the edges of u64 and i64), negative ones,
    // deltas and junk, after spaces, tabs or nothing.
    let seps: [&[u8]; 5] = [b" ", b"   ", b"        ", b"\t ", b""];
    let tokens: [&[u8]; 20] = [
        b"0",
        b"7",
        b"12",
        b"12345678",
        b"123456789",
        b"9999999999",
        b"18446744073709551615",
        b"18446744073709551616",
        b"9223372036854775807",
        b"9223372036854775808",
        b"00000000000000000001",
        b"-5",
        b"( 3)",
        b"(0)",
        b"x",
        b"-9223372036854775808",
        b"4294967296",
        b"Ntfs.sys",
        b"1234567812345678",
        b"-",
    ];
    let mut next = xorshift(0x9E37_79B9);
    let mut checked = 0;
    for _ in 0..20_000 {
        let mut line = Vec::new();
        let fields = 5 + next() % 2;
        for _ in 0..fields {
            line.extend_from_slice(seps[(next() % 5) as usize]);
            // Mostly plain numbers, so that many rows take the fast path.
            let t = if next() % 4 == 0 {
                next() % 20
            } else {
                next() % 11
            };
            line.extend_from_slice(tokens[t as usize]);
        }
        if let Some(fast) = plain_numbers(&line) {
            assert_eq!(
                Ok(fast),
                row_numbers(&line),
                "{:?}",
                String::from_utf8_lossy(&line)
            );
            checked += 1;
        }
    }
    assert!(checked > 500, "only {checked} lines took the fast path");
    for n in [
        0u64,
        9,
        10,
        99_999_999,
        100_000_000,
        u64::MAX / 10,
        9_999_999_999_999_999_999,
    ] {
        let line = format!(" {n} {n} {n} {n} {n}");
        let want = row_numbers(line.as_bytes()).ok();
        assert_eq!(want.is_some(), i64::try_from(n).is_ok());
        assert_eq!(plain_numbers(line.as_bytes()), want);
    }
}

#[test]
fn window_numbers_agree_with_the_exact_reader() {
    // The same kind of fields as above, of every length up to 20 digits,
    // with the text after the line (the next line of a chunk, digits and
    // all) inside the window: the reader must stop at the line's end.
    let seps: [&[u8]; 6] = [b" ", b"  ", b"          ", b"\t", b"", b"                 "];
    let tokens: [&[u8]; 16] = [
        b"0",
        b"7",
        b"-7",
        b"-0",
        b"12345678",
        b"123456789",
        b"1234567890123456",
        b"12345678901234567",
        b"-2147483648",
        b"-2147483649",
        b"4294967295",
        b"x1",
        b"1x",
        b"-",
        b"--1",
        b"(3)",
    ];
    let tails: [&[u8]; 4] = [
        b"",
        b"\r\n",
        b"\r\n 9999 Nonp 1 2 3 4 5\r\n",
        b"\n123456789012",
    ];
    let mut next = picks(0x2545_F491);
    let (mut read, mut refused) = (0, 0);
    for _ in 0..50_000 {
        let mut line = b" Abcd Nonp".to_vec();
        for _ in 0..5 + next() % 2 {
            // Mostly runs of spaces, so that many rows fit the reader.
            let sep = if next() % 8 == 0 {
                next() % 6
            } else {
                [0, 1, 2, 5][next() % 4]
            };
            line.extend_from_slice(seps[sep]);
            let t = if next() % 6 == 0 {
                next() % 16
            } else {
                next() % 7
            };
            line.extend_from_slice(tokens[t]);
        }
        if next() % 2 == 0 {
            line.extend_from_slice(b"   ");
        }
        let mut buf = line.clone();
        buf.extend_from_slice(tails[next() % tails.len()]);
        buf.resize(buf.len().max(10 + WINDOW), b'7');
        let len = line.len() - 10;
        let exact = row_numbers(&line[10..]);
        match window_numbers(&buf, 10, len) {
            Some((numbers, end)) => {
                let text = String::from_utf8_lossy(&line);
                let (want, rest) = exact.unwrap_or_else(|e| panic!("{text:?}: {e}"));
                assert_eq!(numbers, want, "{text:?}");
                assert_eq!(&line[10 + end..], rest, "{text:?}");
                read += 1;
            }
            None => refused += 1,
        }
    }
    assert!(
        read > 5_000 && refused > 5_000,
        "read {read}, refused {refused}"
    );
}

#[test]
fn fast_rows_agree_with_the_line_reader() {
    // Rows of every layout and field kind, with every line end, then the
    // next line: where the fast reader takes a row, the line found first and
    // read by the other readers is that row, and the next line starts where
    // it says.
    let heads: [&[u8]; 8] = [
        b" Abcd Nonp",
        b" Abcd Paged",
        b"Abcd Nonp",
        b" Ab d\tPaged",
        b" Abc Nonp",
        b" Abcd NonpX",
        b" Ab\x01d Nonp",
        b" Abcd Nonpaged",
    ];
    let seps: [&[u8]; 5] = [b" ", b"  ", b"          ", b"\t", b"                 "];
    let tokens: [&[u8]; 12] = [
        b"0",
        b"7",
        b"-7",
        b"12345678",
        b"123456789",
        b"1234567890123456",
        b"-2147483649",
        b"4294967295",
        b"x1",
        b"-",
        b"(3)",
        b"12345678901234567890",
    ];
    let ends: [&[u8]; 6] = [b"", b"   ", b"  Unknown Driver", b" \t", b"\x00", b"  "];
    let eols: [&[u8]; 4] = [b"\n", b"\r\n", b"\r", b""];
    let tails: [&[u8]; 4] = [
        b"",
        b" Efgh Nonp 1 2 3 4 5\r\n",
        b"\n123456789012345678901234567890123456789012345678901234567890",
        b"                                                                  ",
    ];
    let mut next = picks(0x1234_5677);
    let (mut read, mut refused) = (0, 0);
    for _ in 0..50_000 {
        let mut text = heads[if next() % 3 == 0 {
            next() % 8
        } else {
            next() % 2
        }]
        .to_vec();
        let fields = if next() % 4 == 0 { 4 + next() % 3 } else { 5 };
        for _ in 0..fields {
            let sep = if next() % 6 == 0 {
                next() % 5
            } else {
                [0, 1, 2][next() % 3]
            };
            text.extend_from_slice(seps[sep]);
            let t = if next() % 6 == 0 {
                next() % 12
            } else {
                next() % 6
            };
            text.extend_from_slice(tokens[t]);
        }
        text.extend_from_slice(
            ends[if next() % 3 == 0 {
                next() % 6
            } else {
                next() % 2
            }],
        );
        text.extend_from_slice(eols[next() % 4]);
        text.extend_from_slice(tails[next() % 4]);
        // The line as the chunk reader finds it without the fast reader.
        let (line, after) = match text.iter().position(|&c| c == b'\n' || c == b'\r') {
            Some(e) if text[e] == b'\r' && text.get(e + 1) == Some(&b'\n') => (0..e, e + 2),
            Some(e) => (0..e, e + 1),
            None => (0..text.len(), text.len()),
        };
        match fast_row(&text, 0) {
            Some((row, at)) => {
                let shown = String::from_utf8_lossy(&text);
                assert_eq!(classify_in(&text, line), Line::Row(row), "{shown:?}");
                assert_eq!(at, after, "{shown:?}");
                read += 1;
            }
            None => refused += 1,
        }
    }
    assert!(
        read > 3_000 && refused > 3_000,
        "read {read}, refused {refused}"
    );
}

#[test]
fn window_numbers_read_at_the_window_edge_and_leave_longer_rows() {
    let at = 10;
    let row = |numbers: &str| {
        let mut buf = format!(" Abcd Nonp{numbers}").into_bytes();
        let len = buf.len() - at;
        buf.resize(at + WINDOW + 8, b'\n');
        (buf, len)
    };
    // Per Alloc's last digit is the window's last byte: there is no byte
    // after it to end it, so the other readers take the row.
    let edge = format!("{:>12}{:>12}{:>12}{:>12}{:>16}", 1, 2, 3, 4, 5);
    assert_eq!(edge.len(), WINDOW);
    let (buf, len) = row(&edge);
    assert_eq!(window_numbers(&buf, at, len), None);
    // One byte less and the row is read, up to its end.
    let (buf, len) = row(&edge[1..]);
    assert_eq!(
        window_numbers(&buf, at, len),
        Some(((1, 2, 3, 4, 5, false), WINDOW - 1))
    );
    // The wide family's rows do not fit the window.
    let wide = "                3097               2409               688       42770432            62166        Unknown Driver";
    let (buf, len) = row(wide);
    assert_eq!(window_numbers(&buf, at, len), None);
    assert_eq!(
        r(&format!(" ConT Nonp{wide}")).per_alloc,
        62166,
        "the other readers still read it"
    );
    // Negative 32-bit counters are their unsigned values.
    let (buf, len) = row("  -1294967296 -1294968296      1000  256000        256");
    assert_eq!(
        window_numbers(&buf, at, len),
        Some((
            (3_000_000_000, 2_999_999_000, 1000, 256_000, 256, false),
            len
        ))
    );
    // Without room before the row for a digit word, the row is left alone.
    let mut short = b" 1 2 3 4 5".to_vec();
    short.resize(WINDOW + 8, b' ');
    assert_eq!(window_numbers(&short, 0, 10), None);
}

#[test]
fn window_masks_agree_on_every_byte() {
    let mut w = [0u8; WINDOW];
    for start in (0..256).step_by(WINDOW) {
        for (k, b) in w.iter_mut().enumerate() {
            *b = (start + k) as u8;
        }
        let (digit, space, eol) = masks(&w);
        assert_eq!((digit, space, eol), masks_swar(&w));
        for (k, &b) in w.iter().enumerate() {
            assert_eq!(digit >> k & 1 == 1, b.is_ascii_digit(), "byte {b}");
            assert_eq!(space >> k & 1 == 1, b == b' ', "byte {b}");
            assert_eq!(eol >> k & 1 == 1, b == b'\n' || b == b'\r', "byte {b}");
        }
    }
}

#[test]
fn a_reused_part_reads_as_a_new_one() {
    // A part filled by one chunk (drivers, odd values, events), then reused
    // for another: the second reads exactly as into a new part.
    let first = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/samples/05-msdocs-example2-c-g-ipsec.txt"
    ))
    .unwrap();
    let second = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/samples/13-intel-mfd-snapshot-narrow-r.txt"
    ))
    .unwrap();
    let used = parse_chunk(&first, false);
    assert!(!used.series.is_empty() && !used.drivers.is_empty());
    let reused = parse_chunk_into(&second, true, used);
    let new = parse_chunk(&second, true);
    let fields = |p: &Part| {
        format!(
            "{} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {}",
            p.lines,
            p.events,
            p.series,
            p.counters,
            p.odd_diff,
            p.odd_per_alloc,
            p.driver,
            p.keys,
            p.drivers,
            p.cut
        )
    };
    assert!(!new.series.is_empty());
    assert_eq!(fields(&reused), fields(&new));
}
