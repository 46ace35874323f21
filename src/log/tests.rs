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
            let (a, f) = (log.rows.allocs[r], log.rows.frees[r]);
            if last_allocs[s] != u64::MAX {
                common += 1;
                if a < last_allocs[s] || f < last_frees[s] {
                    drops += 1;
                }
            }
            last_allocs[s] = a;
            last_frees[s] = f;
        }
        let faults_dropped = si > 0
            && {
                let (a, b) = (&log.snapshots[si - 1], snap);
                !a.interactive
                    && !b.interactive
                    && matches!((a.summary.page_faults, b.summary.page_faults), (Some(x), Some(y)) if y < x)
            };
        if (common > 0 && drops * 2 > common && (drops >= 2 || common == 1)) || faults_dropped {
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
    assert_eq!(log.rows.len(), all.allocs.len() - 1);
    assert_eq!(log.rows.allocs.len(), log.rows.len());
    assert!(log.rows.driver.is_empty());
    let mut j = 0;
    for i in 0..all.allocs.len() {
        if i == target + 1 {
            continue;
        }
        let twice = if i == target { 2 } else { 1 };
        assert_eq!(log.rows.allocs[j], all.allocs[i] * twice, "row {i}");
        assert_eq!(log.rows.frees[j], all.frees[i] * twice, "row {i}");
        assert_eq!(log.rows.bytes[j], all.bytes[i] * twice, "row {i}");
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
