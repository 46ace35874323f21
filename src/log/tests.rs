use super::*;

#[test]
fn progress_counts_every_byte_read() {
    let text: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/synth/poolmon-demo.log"
    ));
    let mut opened = input::sniff("demo.log".into(), Box::new(std::io::Cursor::new(text))).unwrap();
    opened.size_hint = Some(text.len() as u64);
    let progress = Progress::default();
    let opts = ReadOptions {
        progress: Some(progress.clone()),
        ..Default::default()
    };
    let log = read_opened(vec![opened], &opts).unwrap();
    assert!(!log.snapshots.is_empty());
    assert_eq!(progress.total.load(Ordering::Relaxed), text.len() as u64);
    assert_eq!(progress.done.load(Ordering::Relaxed), text.len() as u64);
}

/// [`find_epochs`] one snapshot after the other: the reference for the
/// block-parallel one.
fn epochs_serially(log: &Log) -> Vec<u32> {
    let n = log.series.len();
    let (mut last_allocs, mut last_frees) = (vec![u64::MAX; n], vec![u64::MAX; n]);
    let mut epoch = 0u32;
    let mut out = Vec::new();
    for (si, snap) in log.snapshots.iter().enumerate() {
        let (mut common, mut drops) = (0usize, 0usize);
        for r in snap.rows.clone() {
            let s = log.rows.series[r] as usize;
            let (a, f) = (log.rows.allocs(r), log.rows.frees(r));
            if last_allocs[s] != u64::MAX {
                common += 1;
                if (a < last_allocs[s] && !wrapped(last_allocs[s], a))
                    || (f < last_frees[s] && !wrapped(last_frees[s], f))
                {
                    drops += 1;
                }
            }
            last_allocs[s] = a;
            last_frees[s] = f;
        }
        let faults = (si > 0)
            .then(|| epoch::page_faults(&log.snapshots[si - 1], snap))
            .flatten();
        if epoch::new_epoch(common, drops, faults).is_some() {
            epoch += 1;
        }
        out.push(epoch);
    }
    out
}

/// Epochs found in blocks of snapshots on any number of threads are
/// those found one snapshot after the other: reboots anywhere (at a
/// block's edge too), series that come and go, snapshots without rows.
#[test]
fn epochs_in_parallel_blocks_match_the_serial_pass() {
    // The last: a reboot before every snapshot but the first, so at
    // every block's edge.
    let cases = [
        (1, 60, 0, 0.0),
        (2, 60, 3, 0.0),
        (3, 60, 6, 0.2),
        (4, 60, 9, 0.05),
        (5, 14, 13, 0.0),
    ];
    for (seed, snapshots, reboots, gap) in cases {
        let cfg = poolscan_synth::Config {
            seed,
            snapshots,
            series: 40,
            reboots,
            gap_prob: gap,
            ..Default::default()
        };
        let (text, _) = poolscan_synth::generate(&cfg);
        // Without the `Memory:` lines (PageFlts) the rows alone tell.
        let rows_only: Vec<u8> = text
            .split_inclusive(|&c| c == b'\n')
            .filter(|l| !l.trim_ascii_start().starts_with(b"Memory:"))
            .flatten()
            .copied()
            .collect();
        for (text, threads) in [&text, &rows_only]
            .into_iter()
            .flat_map(|t| (1..=7).map(move |n| (t, n)))
        {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let log = pool
                .install(|| Log::from_bytes("e.log", text, &ReadOptions::default()))
                .unwrap();
            let got: Vec<u32> = log.snapshots.iter().map(|s| s.epoch).collect();
            assert_eq!(got, epochs_serially(&log), "seed {seed}, {threads} threads");
            assert_eq!(log.epochs, got.last().map_or(0, |e| e + 1));
            if reboots > 0 {
                assert!(log.epochs > 1, "seed {seed}: reboots found");
            }
        }
    }
    // Allocs of u64::MAX (which stands for no value before a row: the
    // next row of that series is not compared), then a drop of that
    // series and one other: not a reboot (one of two compared rows
    // dropped), wherever the blocks' edges are.
    for at in 0..8 {
        let mut text = String::new();
        for snap in 0..9u64 {
            text.push_str(" Tag  Type     Allocs         Frees    Diff   Bytes    Per Alloc\n");
            for (tag, base) in [("AAAA", 100u64), ("BBBB", 200), ("CCCC", 300)] {
                let a = match (tag, snap) {
                    ("AAAA", s) if s == at => u64::MAX,
                    ("AAAA", s) if s == at + 1 => 0,
                    ("BBBB", s) if s == at + 1 => base,
                    _ => base + 10 * snap,
                };
                text.push_str(&format!(" {tag} Nonp {a} 1 0 0 0\n"));
            }
        }
        for threads in 1..=7 {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let log = pool
                .install(|| Log::from_bytes("m.log", text.as_bytes(), &ReadOptions::default()))
                .unwrap();
            let got: Vec<u32> = log.snapshots.iter().map(|s| s.epoch).collect();
            assert_eq!(got, epochs_serially(&log), "at {at}, {threads} threads");
        }
    }
}

/// Every row's numbers land in its place, across many parallel copies,
/// and a (tag, pool) twice in one snapshot (the row-by-row path, late in
/// a long log) is summed once.
#[test]
fn rows_copied_in_parallel_keep_their_numbers() {
    let cfg = poolscan_synth::Config {
        snapshots: 2900,
        series: 250,
        gap_prob: 0.0,
        ..Default::default()
    };
    let (clean, _) = poolscan_synth::generate(&cfg);
    // Repeat the row at three quarters of the rows, right after itself.
    let rows_total = clean
        .split(|&c| c == b'\n')
        .filter(|l| matches!(parse::row(l), Ok(Some(_))))
        .count();
    let target = rows_total * 3 / 4;
    let (mut text, mut seen) = (Vec::new(), 0);
    for line in clean.split_inclusive(|&c| c == b'\n') {
        text.extend_from_slice(line);
        if matches!(parse::row(line.trim_ascii_end()), Ok(Some(_))) {
            if seen == target {
                text.extend_from_slice(line);
            }
            seen += 1;
        }
    }
    // The rows as one chunk reads them, in order, the repeat included.
    let all = parse::parse_chunk(&text, true);
    let log = Log::from_bytes("dup.log", &text, &ReadOptions::default()).unwrap();
    // Several copies in parallel before the repeated row, one after.
    assert!(rows_total * 3 / 4 > FLUSH_ROWS, "{rows_total} rows");
    assert_eq!(log.rows.len(), all.counters.len() - 1);
    assert_eq!(log.rows.counters.len(), log.rows.len());
    assert!(log.rows.driver.is_empty());
    let mut j = 0;
    for i in 0..all.counters.len() {
        if i == target + 1 {
            continue;
        }
        let twice = if i == target { 2 } else { 1 };
        let want = all.counters[i].map(|v| v * twice);
        assert_eq!(log.rows.counters[j], want, "row {i}");
        assert_eq!(log.rows.diff(j), all.diff(i) * twice as i64, "row {i}");
        if i != target {
            assert_eq!(log.rows.per_alloc(j), all.per_alloc(i), "row {i}");
        }
        assert_eq!(log.rows.driver(j), NO_DRIVER);
        j += 1;
    }
    let warned = &log.inputs[0].warnings;
    assert!(
        warned.iter().any(|w| w.reason.contains("appears twice")),
        "{warned:?}"
    );
}

/// How PoolMon prints one of its 32-bit counters: modulo 2^32, with `%ld`
/// (negative from 2^31 on) in the narrow family and on screens, as a 64-bit
/// number in the wide family.
fn printed(v: u64, wide: bool) -> String {
    if wide {
        (v as u32).to_string()
    } else {
        (v as u32 as i32).to_string()
    }
}

/// A log of `snaps` snapshots in one of three forms (0 narrow, 1 wide, 2
/// screens) from true counter values: `rows(snapshot)` gives (tag, Allocs,
/// Frees) and `faults(snapshot)` PageFlts. Bytes are 256 per outstanding
/// allocation.
fn counters_log(
    form: u8,
    snaps: u64,
    rows: &dyn Fn(u64) -> Vec<(&'static str, u64, u64)>,
    faults: &dyn Fn(u64) -> u64,
) -> String {
    let wide = form == 1;
    let mut t = String::new();
    for s in 0..snaps {
        let pf = printed(faults(s), false);
        t.push_str(&format!(
            " Memory:16468560K Avail: 9842236K  PageFlts:{pf}   InRam Krnl:14904K P:629336K\n"
        ));
        t.push_str(
            " Commit: 203500K Limit: 640916K Peak: 260632K            Pool N: 8332K P:27220K\n",
        );
        t.push_str(" Tag  Type     Allocs         Frees    Diff   Bytes    Per Alloc\n\n");
        for (tag, a, f) in rows(s) {
            let d = a as i64 - f as i64;
            let (pa, pf) = (printed(a, wide), printed(f, wide));
            let bytes = 256 * d.max(0) as u64;
            t.push_str(&match form {
                2 => format!(
                    " {tag} Nonp {pa:>9} (  10) {pf:>9} (  10) {d:>8} {bytes:>7} (     0) {:>6}\n",
                    256
                ),
                _ => format!(
                    " {tag} Nonp {pa:>9} {pf:>9}  {d:>8} {bytes:>7}     {:>6}\n",
                    256
                ),
            });
        }
        t.push('\n');
    }
    t
}

/// Ten quiet tags and `Irp ` whose counters start just below `start`.
fn hot_rows(start: u64) -> impl Fn(u64) -> Vec<(&'static str, u64, u64)> {
    const TAGS: [&str; 10] = [
        "Aaaa", "Bbbb", "Cccc", "Dddd", "Eeee", "Ffff", "Gggg", "Hhhh", "Iiii", "Jjjj",
    ];
    move |s| {
        let mut v = vec![("Irp ", start + 1000 * s, start - 100 + 1000 * s)];
        for (k, tag) in TAGS.iter().enumerate() {
            v.push((*tag, 5000 + 10 * s + k as u64, 4000 + 10 * s));
        }
        v
    }
}

/// A counter that passes 2^31 (printed negative in the narrow family) and
/// one that wraps past 2^32 (near zero again), in the narrow and wide
/// families and on screens: every row read, one epoch, the counters
/// unwrapped and rising, Diff and Per Alloc right; PageFlts passing 2^31
/// (printed negative) is no reboot either.
#[test]
fn counters_past_2_31_and_wraps_past_2_32_are_read_as_such() {
    for (start, wraps) in [((1u64 << 31) - 4500, 0u64), ((1 << 32) - 4500, 2)] {
        for form in 0..3u8 {
            let rows = hot_rows(start);
            let faults = |s: u64| 2_147_000_000 + 200_000 * s;
            let text = counters_log(form, 12, &rows, &faults);
            for strict in [false, true] {
                let opts = ReadOptions {
                    strict,
                    ..Default::default()
                };
                let log = Log::from_bytes("hot.log", text.as_bytes(), &opts)
                    .unwrap_or_else(|e| panic!("form {form}, strict {strict}: {e}"));
                let what = format!("start {start}, form {form}");
                assert_eq!(log.skipped_lines(), 0, "{what}");
                assert_eq!(log.snapshots.len(), 12, "{what}");
                assert_eq!(log.epochs, 1, "{what}: {:?}", log.boots);
                assert!(log.boots.is_empty(), "{what}");
                assert_eq!(log.counter_wraps, wraps, "{what}");
                let irp = log.series.iter().position(|t| t.tag == "Irp").unwrap() as u32;
                let mut seen = 0;
                for (si, snap) in log.snapshots.iter().enumerate() {
                    for r in snap.rows.clone() {
                        if log.rows.series[r] == irp {
                            let (_, a, f) = rows(si as u64)[0];
                            assert_eq!((log.rows.allocs(r), log.rows.frees(r)), (a, f), "{what}");
                            assert_eq!(log.rows.diff(r), 100, "{what}");
                            assert_eq!(log.rows.per_alloc(r), 256, "{what}");
                            seen += 1;
                        }
                    }
                }
                assert_eq!(seen, 12, "{what}");
                let pf = log.snapshots[11].summary.page_faults;
                assert_eq!(pf, Some(2_147_000_000 + 2_200_000), "{what}");
            }
        }
    }
}

/// A reboot is still a reboot when a hot counter's drop looks like a wrap:
/// the other series' counters drop too; after it the hot series counts from
/// its new start (no 2^32 added).
#[test]
fn a_reboot_is_told_from_a_wrap_by_the_other_series() {
    let hot = hot_rows(3_000_000_000);
    let rows = |s: u64| {
        if s < 6 {
            hot(s)
        } else {
            // After the reboot every counter starts again near zero.
            hot(s)
                .into_iter()
                .map(|(t, a, f)| (t, a % 1_000_000 / 3, f % 1_000_000 / 3 - 10))
                .collect()
        }
    };
    let faults = |s: u64| 100_000 + 1000 * (s % 6);
    for form in 0..3u8 {
        let text = counters_log(form, 12, &rows, &faults);
        let log = Log::from_bytes("boot.log", text.as_bytes(), &ReadOptions::default()).unwrap();
        assert_eq!(log.epochs, 2, "form {form}");
        assert_eq!(log.boots.len(), 1);
        assert_eq!(log.boots[0].snapshot, 6);
        assert!(
            log.boots[0].why.contains("of 11 series compared dropped"),
            "{}",
            log.boots[0].why
        );
        assert!(
            log.rows.counters.iter().all(|c| c[model::ALLOCS] < 1 << 32),
            "form {form}: no wrap added"
        );
    }
}

/// PageFlts corroborates, it does not decide: a drop of PageFlts while
/// every tag's counters rise is no reboot; with too few series to compare,
/// it is one, and the reason says so.
#[test]
fn page_faults_alone_decide_only_when_too_few_series_compare() {
    let faults = |s: u64| if s < 4 { 900_000 + s } else { 1_000 + s };
    let many = hot_rows(1_000_000);
    let text = counters_log(0, 8, &many, &faults);
    let log = Log::from_bytes("pf.log", text.as_bytes(), &ReadOptions::default()).unwrap();
    assert_eq!(log.epochs, 1, "{:?}", log.boots);
    let one = |s: u64| vec![("Solo", 100 + s, 50 + s)];
    let text = counters_log(0, 8, &one, &faults);
    let log = Log::from_bytes("pf1.log", text.as_bytes(), &ReadOptions::default()).unwrap();
    assert_eq!(log.epochs, 2);
    assert_eq!(log.boots[0].snapshot, 4);
    assert!(
        log.boots[0]
            .why
            .starts_with("PageFlts dropped (900003 to 1004); 1 series to compare"),
        "{}",
        log.boots[0].why
    );
}

#[test]
fn populating_memory_leaves_its_contents_as_they_were() {
    // Written values, a fresh zeroed block (pages not yet touched), and
    // slices that start and end inside pages and span none: all unchanged.
    let mut written: Vec<[u64; 3]> = (0..100_000u64).map(|i| [i, i * 3, !i]).collect();
    let before = written.clone();
    super::populate::populate(&mut written[..]);
    super::populate::populate(&mut written[7..90_001]);
    super::populate::populate(&mut written[5..6]);
    assert_eq!(written, before);
    let mut fresh = vec![0u32; 3 << 20];
    super::populate::populate(&mut fresh[1..]);
    assert!(fresh.iter().all(|&v| v == 0));
    fresh[12_345] = 7;
    assert_eq!(fresh.iter().map(|&v| u64::from(v)).sum::<u64>(), 7);
    super::populate::populate::<u8>(&mut []);
}
