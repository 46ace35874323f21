use super::*;

fn cfg_with(families: Vec<Family>, seed: u64, n: usize) -> Config {
    Config {
        seed,
        snapshots: n,
        series: families.len(),
        families: Some(families),
        gap_prob: 0.0,
        ..Config::default()
    }
}

/// Diff values and times (seconds) of each series, keyed by series index.
fn per_series(truth: &Truth) -> Vec<(Vec<f64>, Vec<f64>, Vec<u32>)> {
    let t0 = truth.times[0];
    truth
        .series
        .iter()
        .map(|s| {
            let rows: Vec<&TruthRow> = truth
                .rows
                .iter()
                .filter(|r| r.tag == s.tag && r.pool == s.pool)
                .collect();
            let d = rows.iter().map(|r| r.diff as f64).collect();
            let t = rows
                .iter()
                .map(|r| (truth.times[r.snapshot as usize] - t0).num_milliseconds() as f64 / 1e3)
                .collect();
            let snaps = rows.iter().map(|r| r.snapshot).collect();
            (d, t, snaps)
        })
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn sd(v: &[f64]) -> f64 {
    let m = mean(v);
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len().max(2) - 1) as f64).sqrt()
}

/// (fitted growth over the span, residual sd) of a least-squares line.
fn fit(y: &[f64], t: &[f64]) -> (f64, f64) {
    let (my, mt) = (mean(y), mean(t));
    let sxx: f64 = t.iter().map(|x| (x - mt).powi(2)).sum();
    let sxy: f64 = t.iter().zip(y).map(|(x, y)| (x - mt) * (y - my)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let res: Vec<f64> = t
        .iter()
        .zip(y)
        .map(|(x, y)| y - (my + slope * (x - mt)))
        .collect();
    let span = t.last().unwrap_or(&0.0) - t.first().unwrap_or(&0.0);
    (slope * span, sd(&res))
}

fn thirds(v: &[f64]) -> (&[f64], &[f64], &[f64]) {
    let n = v.len() / 3;
    (&v[..n], &v[n..v.len() - n], &v[v.len() - n..])
}

/// Runs `check` on every series of `fam` over several seeds.
fn check_family(fam: Family, check: impl Fn(&[f64], &[f64], &[u32], u64)) {
    let hi: u64 = std::env::var("SYNTH_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    for seed in 1..=hi {
        let (_, truth) = generate(&cfg_with(vec![fam; 5], seed, 60));
        for (d, t, s) in per_series(&truth) {
            check(&d, &t, &s, seed);
        }
    }
}

#[test]
fn rng_normal_moments() {
    let mut rng = Rng::new(42);
    let z: Vec<f64> = (0..200_000).map(|_| rng.normal()).collect();
    let m = mean(&z);
    let v = sd(&z).powi(2);
    let lag1: f64 = z.windows(2).map(|w| w[0] * w[1]).sum::<f64>() / z.len() as f64;
    assert!(
        m.abs() < 0.01 && (v - 1.0).abs() < 0.02 && lag1.abs() < 0.01,
        "{m} {v} {lag1}"
    );
    let u: Vec<f64> = (0..100_000).map(|_| rng.f64()).collect();
    assert!(u.iter().all(|&x| (0.0..1.0).contains(&x)));
    assert!((mean(&u) - 0.5).abs() < 0.01);
}

#[test]
fn same_seed_same_bytes() {
    let cfg = Config {
        reboots: 2,
        driver: true,
        ..Config::default()
    };
    let (a, ta) = generate(&cfg);
    let (b, tb) = generate(&cfg);
    assert_eq!(a, b);
    assert_eq!(ta, tb);
    let mut c = Vec::new();
    let tc = write_log(&cfg, &mut c).unwrap();
    assert_eq!(a, c, "streaming and in-memory output differ");
    assert_eq!(ta.series, tc.series);
    assert_eq!(ta.times, tc.times);
    assert!(tc.rows.is_empty());
    let (d, _) = generate(&Config { seed: 2, ..cfg });
    assert_ne!(a, d);
}

#[test]
fn counters_consistent_within_epochs() {
    for seed in 1..=6 {
        let cfg = Config {
            seed,
            snapshots: 80,
            reboots: (seed % 4) as usize,
            gap_prob: 0.1,
            leak_share: 0.4,
            ..Config::default()
        };
        let (_, truth) = generate(&cfg);
        let epochs_seen = truth.epochs.last().copied().unwrap_or(0) as usize;
        assert_eq!(epochs_seen, cfg.reboots);
        for r in &truth.rows {
            assert_eq!(r.frees as i64, r.allocs as i64 - r.diff, "{r:?}");
            assert!(r.diff >= 0);
            let want = if r.diff > 0 {
                r.bytes / r.diff as u64
            } else {
                r.bytes
            };
            assert_eq!(r.per_alloc, want, "{r:?}");
            if r.diff == 0 {
                assert_eq!(r.bytes, 0);
            }
        }
        let mut last: std::collections::HashMap<(String, &str), &TruthRow> =
            std::collections::HashMap::new();
        let mut resets = 0;
        for r in &truth.rows {
            if let Some(p) = last.get(&(r.tag.clone(), r.pool)) {
                let same_epoch =
                    truth.epochs[p.snapshot as usize] == truth.epochs[r.snapshot as usize];
                if same_epoch {
                    assert!(r.allocs >= p.allocs && r.frees >= p.frees, "{p:?} -> {r:?}");
                } else if r.allocs < p.allocs {
                    resets += 1;
                }
            }
            last.insert((r.tag.clone(), r.pool), r);
        }
        if cfg.reboots > 0 {
            assert!(resets > 0, "counters never restarted after a reboot");
        }
    }
}

#[test]
fn epochs_and_times() {
    let cfg = Config {
        snapshots: 50,
        reboots: 3,
        gap_prob: 0.2,
        ..Config::default()
    };
    let (_, truth) = generate(&cfg);
    assert_eq!(truth.times.len(), 50);
    assert_eq!(truth.epochs.len(), 50);
    assert_eq!(truth.times[0], cfg.start);
    assert!(truth.times.windows(2).all(|w| w[1] > w[0]));
    assert!(truth
        .epochs
        .windows(2)
        .all(|w| w[1] == w[0] || w[1] == w[0] + 1));
    assert_eq!(truth.epochs[49], 3);
    // Intervals stay within jitter, gaps (≤ 10×) and reboot downtime.
    for w in truth.times.windows(2) {
        let s = (w[1] - w[0]).num_milliseconds() as f64 / 1e3;
        assert!(
            (600.0 * 0.8 - 0.01..=600.0 * 1.2 * 10.0 + 360.0).contains(&s),
            "{s}"
        );
    }
}

#[test]
fn leak_share_and_families() {
    let (_, truth) = generate(&Config::default());
    assert_eq!(truth.series.len(), 60);
    assert_eq!(truth.series.iter().filter(|s| s.leak).count(), 6);
    let fams = vec![Family::Steady, Family::Periodic, Family::Draining];
    let cfg = Config {
        families: Some(fams.clone()),
        series: 10,
        ..Config::default()
    };
    let (_, truth) = generate(&cfg);
    assert_eq!(truth.series.len(), 10);
    for (s, f) in truth.series.iter().zip(&fams) {
        assert_eq!(s.family, *f);
    }
    for s in &truth.series[3..] {
        assert!(matches!(s.family, Family::Flat | Family::BigNoisy));
        assert!(!s.leak);
    }
    let (_, truth) = generate(&Config { series: 1, ..cfg });
    assert_eq!(truth.series.len(), 3);
}

#[test]
fn family_names_round_trip() {
    let all: Vec<Family> = Family::LEAKS
        .iter()
        .chain(&Family::NON_LEAKS)
        .copied()
        .collect();
    assert_eq!(all.len(), 16);
    for f in all {
        assert_eq!(Family::from_name(f.name()), Some(f));
        assert_eq!(f.is_leak(), Family::LEAKS.contains(&f));
    }
    assert_eq!(
        Family::from_name("Leak-On-Sawtooth"),
        Some(Family::LeakOnSawtooth)
    );
    assert_eq!(Family::from_name("nope"), None);
}

#[test]
fn tags_pools_and_sorting() {
    let mut by_bytes = 0;
    let mut by_tag = 0;
    for seed in 1..=20 {
        let (_, truth) = generate(&Config {
            seed,
            snapshots: 3,
            ..Config::default()
        });
        let mut keys = std::collections::HashSet::new();
        for s in &truth.series {
            assert!(keys.insert((s.tag.clone(), s.pool)), "duplicate {s:?}");
            assert!(!s.tag.is_empty() && s.tag.len() <= 4);
        }
        let tags: Vec<&str> = truth.series.iter().map(|s| s.tag.as_str()).collect();
        for special in ["Dh 1", "Io", "CM", "8042", "NtFs", "NtFS"] {
            assert!(tags.contains(&special), "{special} missing");
        }
        let dual = truth
            .series
            .iter()
            .filter(|s| s.pool == "Paged" && keys.contains(&(s.tag.clone(), "Nonpaged")))
            .count();
        assert!(dual > 0, "no tag in both pools");
        let nonpaged = truth.series.iter().filter(|s| s.pool == "Nonpaged").count();
        assert!((24..=48).contains(&nonpaged), "{nonpaged} nonpaged of 60");
        let first: Vec<&TruthRow> = truth.rows.iter().filter(|r| r.snapshot == 0).collect();
        let pad = |t: &str| format!("{t:<4}");
        if first.windows(2).all(|w| pad(&w[0].tag) <= pad(&w[1].tag)) {
            by_tag += 1;
        } else {
            assert!(first.windows(2).all(|w| w[0].bytes >= w[1].bytes));
            by_bytes += 1;
        }
    }
    assert!(by_tag > 0 && by_bytes > 0, "tag {by_tag}, bytes {by_bytes}");
}

fn expected_row(r: &TruthRow, form: Form, prev: Option<&TruthRow>) -> String {
    let ty = if r.pool == "Paged" { "Paged" } else { "Nonp " };
    let tag = format!("{:<4}", r.tag);
    match form {
        Form::Narrow => format!(
            " {tag} {ty} {:>9} {:>9}  {:>8} {:>7}     {:>6}        ",
            r.allocs, r.frees, r.diff, r.bytes, r.per_alloc
        ),
        Form::Wide => format!(
            " {tag} {ty} {:>18} {:>18}  {:>16} {:>14}     {:>12}        ",
            r.allocs, r.frees, r.diff, r.bytes, r.per_alloc
        ),
        Form::Interactive => {
            let (da, df, db) = prev.map_or((0, 0, 0), |p| {
                (
                    r.allocs as i64 - p.allocs as i64,
                    r.frees as i64 - p.frees as i64,
                    r.bytes as i64 - p.bytes as i64,
                )
            });
            format!(
                " {tag} {ty} {:>9} ({:>4}) {:>9} ({:>4}) {:>8} {:>7} ({:>6}) {:>6} ",
                r.allocs, da, r.frees, df, r.diff, r.bytes, db, r.per_alloc
            )
        }
    }
}

#[test]
fn rows_match_printf_layouts() {
    for form in [Form::Narrow, Form::Wide, Form::Interactive] {
        let cfg = Config {
            form,
            snapshots: 6,
            series: 30,
            stamp: StampStyle::None,
            line_ending: LineEnding::Lf,
            ..Config::default()
        };
        let (bytes, truth) = generate(&cfg);
        let text = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let row_lines: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| l.contains(" Nonp ") || l.contains(" Paged "))
            .collect();
        assert_eq!(row_lines.len(), truth.rows.len());
        let mut prev: std::collections::HashMap<(String, &str), &TruthRow> =
            std::collections::HashMap::new();
        for (line, r) in row_lines.iter().zip(&truth.rows) {
            let zero = TruthRow {
                allocs: 0,
                frees: 0,
                bytes: 0,
                ..r.clone()
            };
            let p = if r.snapshot == 0 {
                Some(r) // a fresh screen shows zero deltas
            } else {
                // A tag absent from the previous screen counts from zero.
                Some(prev.get(&(r.tag.clone(), r.pool)).copied().unwrap_or(&zero))
            };
            assert_eq!(*line, expected_row(r, form, p));
            prev.insert((r.tag.clone(), r.pool), r);
        }
        let hdr = match form {
            Form::Narrow => NARROW_HDR,
            Form::Wide => WIDE_HDR,
            Form::Interactive => INTER_HDR,
        };
        let n_hdr = lines.iter().filter(|l| l.as_bytes() == hdr).count();
        assert_eq!(n_hdr, 6);
        let titles = lines.iter().filter(|l| l.as_bytes() == TITLE).count();
        assert_eq!(titles, if form == Form::Interactive { 6 } else { 0 });
    }
}

#[test]
fn snapshot_structure_and_summary() {
    let cfg = Config {
        snapshots: 4,
        series: 20,
        stamp: StampStyle::None,
        line_ending: LineEnding::Lf,
        ..Config::default()
    };
    let (bytes, truth) = generate(&cfg);
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // First snapshot: empty line, Memory, Commit, empty, header, empty, rows.
    assert_eq!(lines[0], "");
    assert!(lines[1].starts_with(" Memory:") && lines[1].ends_with('K'));
    assert!(lines[2].starts_with(" Commit:") && lines[2].contains("            Pool N:"));
    assert_eq!(lines[3], "");
    assert_eq!(lines[4].as_bytes(), NARROW_HDR);
    assert_eq!(lines[5], "");
    let commits: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with(" Commit:"))
        .collect();
    assert_eq!(commits.len(), 4);
    for (snap, line) in commits.iter().enumerate() {
        let rows = truth.rows.iter().filter(|r| r.snapshot == snap as u32);
        let (mut n, mut p) = (0u64, 0u64);
        for r in rows {
            if r.pool == "Paged" {
                p += r.bytes;
            } else {
                n += r.bytes;
            }
        }
        let want = format!("Pool N:{:>5}K P:{:>5}K", (n + 512) / 1024, (p + 512) / 1024);
        assert!(line.ends_with(&want), "{line} vs {want}");
    }
    // Without /r: the header follows the empty line directly; with /g: driver text.
    let (bytes, _) = generate(&Config {
        summary: false,
        driver: true,
        ..cfg
    });
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "");
    assert_eq!(
        lines[1],
        format!(
            "{}    Mapped_Driver",
            std::str::from_utf8(NARROW_HDR).unwrap()
        )
    );
    assert!(lines[3].ends_with(']') || lines[3].ends_with("Unknown Driver"));
    assert!(lines[3].contains("        [") || lines[3].contains("        Unknown Driver"));
}

#[test]
fn every_style_produces_output() {
    let forms = [Form::Narrow, Form::Wide, Form::Interactive];
    let stamps = [
        StampStyle::None,
        StampStyle::UsCmd,
        StampStyle::DayFirstMarker,
        StampStyle::Clue,
        StampStyle::PowerShell,
        StampStyle::Iso,
    ];
    let encs = [
        Encoding::Ascii,
        Encoding::Utf16Le,
        Encoding::MixedUtf16,
        Encoding::Utf8Bom,
    ];
    let eols = [LineEnding::Crlf, LineEnding::Lf, LineEnding::Cr];
    for form in forms {
        for stamp in stamps {
            for encoding in encs {
                for line_ending in eols {
                    for driver in [false, true] {
                        let cfg = Config {
                            form,
                            stamp,
                            encoding,
                            line_ending,
                            driver,
                            snapshots: 3,
                            series: 8,
                            ..Config::default()
                        };
                        let (b, truth) = generate(&cfg);
                        assert!(!b.is_empty());
                        assert_eq!(truth.times.len(), 3);
                        let has_nul = b.contains(&0);
                        match encoding {
                            Encoding::Utf16Le => {
                                assert_eq!(&b[..2], &[0xFF, 0xFE]);
                                assert!(b[2..].chunks(2).all(|c| c.len() == 2 && c[1] == 0));
                            }
                            Encoding::MixedUtf16 => {
                                let stamped = stamp != StampStyle::None;
                                assert_eq!(has_nul, stamped);
                                assert_eq!(b.starts_with(&[0xFF, 0xFE]), stamped);
                                assert!(rfind(&b, b"Tag  Type").is_some());
                            }
                            Encoding::Utf8Bom => {
                                assert!(b.starts_with(&[0xEF, 0xBB, 0xBF]));
                                assert!(!has_nul);
                            }
                            Encoding::Ascii => assert!(!has_nul && b.is_ascii()),
                        }
                        let ascii: Vec<u8> = b.iter().copied().filter(|&c| c != 0).collect();
                        match line_ending {
                            LineEnding::Crlf => {
                                let lf = ascii.iter().filter(|&&c| c == b'\n').count();
                                let crlf = ascii.windows(2).filter(|w| w == b"\r\n").count();
                                assert_eq!(lf, crlf);
                            }
                            LineEnding::Lf => assert!(!ascii.contains(&b'\r')),
                            LineEnding::Cr => assert!(!ascii.contains(&b'\n')),
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn stamps_print_the_recorded_times() {
    let start = NaiveDate::from_ymd_opt(2026, 11, 25)
        .unwrap()
        .and_hms_opt(23, 18, 56)
        .unwrap();
    let cases = [
        (StampStyle::UsCmd, "Wed 11/25/2026 23:18:56.00"),
        (StampStyle::DayFirstMarker, "===== 25/11/2026 23:18:56.00 ====="),
        (
            StampStyle::Clue,
            "2026.11.25-23:18:56 W. Europe Standard Time (local time of the PC where this was collected)",
        ),
        (StampStyle::PowerShell, "\nWednesday, November 25, 2026 11:18:56 PM\n\n"),
        (StampStyle::Iso, "2026-11-25T23:18:56"),
    ];
    for (style, want) in cases {
        let mut buf = Vec::new();
        let t = put_stamp(&mut buf, style, start, b"\n", "W. Europe Standard Time");
        assert_eq!(t, start);
        let got = String::from_utf8(buf).unwrap();
        assert_eq!(got.trim_end_matches('\n'), want.trim_end_matches('\n'));
    }
    // Space-padded cmd hour, centiseconds, and 12-hour clock.
    let t = NaiveDate::from_ymd_opt(2026, 1, 2)
        .unwrap()
        .and_hms_milli_opt(9, 5, 7, 129)
        .unwrap();
    let mut buf = Vec::new();
    let meant = put_stamp(&mut buf, StampStyle::UsCmd, t, b"\n", "");
    assert_eq!(buf, b"Fri 01/02/2026  9:05:07.12\n");
    assert_eq!(meant, t.with_nanosecond(120_000_000).unwrap());
    let mut buf = Vec::new();
    let meant = put_stamp(&mut buf, StampStyle::PowerShell, t, b"\n", "");
    assert_eq!(buf, b"\nFriday, January 2, 2026 9:05:07 AM\n\n");
    assert_eq!(meant, t.with_nanosecond(0).unwrap());
    // Truth times agree with the printed stamps.
    let cfg = Config {
        snapshots: 10,
        stamp: StampStyle::Iso,
        line_ending: LineEnding::Lf,
        ..Config::default()
    };
    let (b, truth) = generate(&cfg);
    let text = String::from_utf8(b).unwrap();
    let printed: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("2026-"))
        .map(str::to_string)
        .collect();
    let want: Vec<String> = truth
        .times
        .iter()
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string())
        .collect();
    assert_eq!(printed, want);
    assert!(truth.times.iter().all(|t| t.nanosecond() == 0));
}

#[test]
fn interactive_deltas_and_pagefaults() {
    let cfg = Config {
        form: Form::Interactive,
        snapshots: 5,
        series: 10,
        stamp: StampStyle::None,
        line_ending: LineEnding::Lf,
        ..Config::default()
    };
    let (b, _) = generate(&cfg);
    let text = String::from_utf8(b).unwrap();
    assert!(text.contains(" System pool information\n Tag  Type"));
    let nonzero = text
        .lines()
        .filter(|l| l.contains(" Nonp ") || l.contains(" Paged "))
        .filter(|l| !l.contains("(   0)"))
        .count();
    assert!(nonzero > 0, "deltas never change");
    for l in text.lines().filter(|l| l.starts_with(" Memory:")) {
        let pf: u64 = l
            .split("PageFlts:")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            pf < 1000,
            "interactive PageFlts is a per-refresh count: {pf}"
        );
    }
}

#[test]
fn truncate_last_cuts_mid_line() {
    for encoding in [Encoding::Ascii, Encoding::Utf16Le, Encoding::MixedUtf16] {
        for form in [Form::Narrow, Form::Interactive] {
            let cfg = Config {
                encoding,
                form,
                snapshots: 4,
                series: 12,
                ..Config::default()
            };
            let (full, truth) = generate(&cfg);
            let mut cut = full.clone();
            truncate_last(&mut cut);
            assert!(cut.len() < full.len());
            assert_eq!(&full[..cut.len()], &cut[..]);
            let text: Vec<u8> = cut.iter().copied().filter(|&c| c != 0).collect();
            let last_line = text.rsplit(|&c| c == b'\n' || c == b'\r').next().unwrap();
            assert!(!last_line.is_empty(), "cut at a line boundary");
            assert!(!last_line.ends_with(b" "), "cut inside the trailing spaces");
            let s = String::from_utf8_lossy(last_line);
            assert!(s.starts_with(' '), "{s:?}");
            // The cut is in the last snapshot: no complete row of it is missing before it.
            let last_snap = truth.rows.iter().filter(|r| r.snapshot == 3).count();
            let rows_total = truth.rows.len();
            let text = String::from_utf8_lossy(&text).to_string();
            let complete = text
                .lines()
                .filter(|l| l.contains(" Nonp ") || l.contains(" Paged "))
                .count();
            assert!(complete >= rows_total - last_snap && complete < rows_total);
            if encoding == Encoding::Utf16Le {
                assert_eq!(cut.len() % 2, 0);
            }
        }
    }
    let mut v = b"no header here".to_vec();
    truncate_last(&mut v);
    assert_eq!(v.len(), 7 & !1);
}

#[test]
fn truth_tsv_lines() {
    let (_, truth) = generate(&Config {
        snapshots: 2,
        ..Config::default()
    });
    let tsv = truth_tsv(&truth);
    let mut lines = tsv.lines();
    assert_eq!(lines.next(), Some("tag\tpool\tfamily\tleak"));
    assert_eq!(lines.clone().count(), 60);
    for (l, s) in lines.zip(&truth.series) {
        let f: Vec<&str> = l.split('\t').collect();
        assert_eq!(
            f,
            [
                s.tag.as_str(),
                s.pool,
                s.family.name(),
                if s.leak { "1" } else { "0" }
            ]
        );
    }
}

#[test]
fn bytes_not_always_exact_multiples() {
    let (_, truth) = generate(&Config::default());
    let inexact = truth
        .rows
        .iter()
        .filter(|r| r.diff > 0 && r.bytes % r.diff as u64 != 0)
        .count();
    assert!(inexact > 0 && inexact < truth.rows.len());
}

// ---- family shapes ----

#[test]
fn steady_grows_clearly() {
    check_family(Family::Steady, |d, t, _, seed| {
        let (g, res) = fit(d, t);
        assert!(g > 2.5 * res, "seed {seed}: growth {g} res {res}");
        let (a, _, c) = thirds(d);
        assert!(mean(c) > mean(a));
    });
}

#[test]
fn slow_noisy_grows_under_noise() {
    check_family(Family::SlowNoisy, |d, t, _, seed| {
        let (g, res) = fit(d, t);
        assert!(
            g > 0.5 * res && g < 8.0 * res,
            "seed {seed}: growth {g} res {res}"
        );
    });
}

#[test]
fn small_on_big_grows_a_few_percent() {
    check_family(Family::SmallOnBig, |d, t, _, seed| {
        let (g, res) = fit(d, t);
        let (a, _, _) = thirds(d);
        assert!(mean(a) > 1000.0);
        assert!(
            g > 0.025 * mean(a) && g > 3.5 * res,
            "seed {seed}: {g} {res}"
        );
    });
}

#[test]
fn staircase_has_steps_that_stay() {
    check_family(Family::Staircase, |d, _, _, seed| {
        let deltas: Vec<f64> = d.windows(2).map(|w| w[1] - w[0]).collect();
        let mut abs: Vec<f64> = deltas.iter().map(|x| x.abs()).collect();
        abs.sort_by(f64::total_cmp);
        let typical = abs[abs.len() / 2].max(1.0);
        let jumps = deltas.iter().filter(|&&x| x > 3.0 * typical).count();
        assert!(jumps >= 3, "seed {seed}: {jumps} jumps, {d:?}");
        let (a, _, c) = thirds(d);
        assert!(mean(c) > d[0] + 4.0 * typical, "seed {seed}");
        let _ = a;
    });
}

#[test]
fn late_start_is_flat_then_grows() {
    check_family(Family::LateStart, |d, t, _, seed| {
        let early = &d[..d.len() / 4];
        let late = &d[d.len() * 9 / 10..];
        let (g, res) = fit(early, &t[..early.len()]);
        assert!(g.abs() < 6.0 * res + 2.0, "seed {seed}: early growth {g}");
        assert!(
            mean(late) > mean(early) + 3.0 * sd(early) + 1.0,
            "seed {seed}: {d:?}"
        );
    });
}

#[test]
fn leak_on_sawtooth_floor_rises() {
    check_family(Family::LeakOnSawtooth, |d, _, _, seed| {
        let (a, _, c) = thirds(d);
        let fmin = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
        assert!(fmin(c) > fmin(a), "seed {seed}: {d:?}");
    });
}

#[test]
fn flat_and_big_noisy_stay_flat() {
    for fam in [Family::Flat, Family::BigNoisy] {
        check_family(fam, |d, t, _, seed| {
            let (g, res) = fit(d, t);
            let (a, _, c) = thirds(d);
            assert!(g.abs() < 3.0 * res + 2.0, "seed {seed}: {g} {res}");
            assert!(
                (mean(c) - mean(a)).abs() < 0.08 * mean(a) + 2.0,
                "seed {seed}"
            );
        });
    }
}

#[test]
fn cache_plateau_last_third_flat() {
    check_family(Family::CachePlateau, |d, t, _, seed| {
        let (a, b, c) = thirds(d);
        let tc = &t[t.len() - c.len()..];
        let (g, res) = fit(c, tc);
        assert!(g.abs() < 4.0 * res + 2.0, "seed {seed}: {g} {res}");
        assert!(
            (mean(c) - mean(b)).abs() < 0.05 * mean(c) + 2.0,
            "seed {seed}"
        );
        assert!(d[0] < mean(c), "the cache warms up");
        let _ = a;
    });
}

#[test]
fn sawtooth_floor_flat() {
    check_family(Family::Sawtooth, |d, _, _, seed| {
        let h = d.len() / 2;
        let fmin = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
        let fmax = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let range = fmax(d) - fmin(d);
        assert!(
            (fmin(&d[..h]) - fmin(&d[h..])).abs() < 0.25 * range + 1.0,
            "seed {seed}"
        );
        assert!(
            (fmax(&d[..h]) - fmax(&d[h..])).abs() < 0.25 * range + 1.0,
            "seed {seed}"
        );
    });
    // Some logs end on a peak.
    let mut peaks = 0;
    for seed in 1..=20 {
        let (_, truth) = generate(&cfg_with(vec![Family::Sawtooth; 5], seed, 60));
        for (d, _, _) in per_series(&truth) {
            let m = d.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let lo = d.iter().copied().fold(f64::INFINITY, f64::min);
            if d[d.len() - 1] > lo + 0.8 * (m - lo) {
                peaks += 1;
            }
        }
    }
    assert!(peaks > 5, "{peaks}");
}

#[test]
fn one_step_then_flat() {
    check_family(Family::OneStep, |d, t, _, seed| {
        let deltas: Vec<f64> = d.windows(2).map(|w| w[1] - w[0]).collect();
        let (j, big) = deltas
            .iter()
            .copied()
            .enumerate()
            .fold(
                (0, f64::MIN),
                |acc, (i, x)| if x > acc.1 { (i, x) } else { acc },
            );
        let before = &d[..=j];
        let after = &d[j + 1..];
        assert!(
            (d.len() / 6..=d.len() * 5 / 6).contains(&(j + 1)),
            "seed {seed}: step at {j}"
        );
        assert!(big > 4.0 * sd(before).max(sd(after)), "seed {seed}");
        let (g, res) = fit(after, &t[j + 1..]);
        assert!(g.abs() < 4.0 * res + 3.0, "seed {seed}: after {g} {res}");
    });
}

#[test]
fn temp_step_goes_back_down() {
    check_family(Family::TempStep, |d, _, _, seed| {
        let n = d.len();
        let (first, last) = (mean(&d[..n / 10]), mean(&d[n - n / 10..]));
        let peak = d.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert!(peak - first > 5.0 * sd(&d[..n / 10]) + 5.0, "seed {seed}");
        assert!(
            (last - first).abs() < 0.2 * (peak - first),
            "seed {seed}: {d:?}"
        );
    });
}

#[test]
fn appears_midway_absent_then_flat() {
    check_family(Family::AppearsMidway, |d, t, snaps, seed| {
        let first = snaps[0] as usize;
        assert!(
            (10..=38).contains(&first),
            "seed {seed}: appears at {first}"
        );
        assert_eq!(snaps.len(), 60 - first, "present until the end");
        let (g, res) = fit(d, t);
        assert!(g.abs() < 4.0 * res + 3.0, "seed {seed}: {g} {res}");
    });
}

#[test]
fn periodic_has_two_periods() {
    check_family(Family::Periodic, |d, t, _, seed| {
        let m = mean(d);
        let signs: Vec<bool> = d.iter().filter(|&&x| x != m).map(|&x| x > m).collect();
        let crossings = signs.windows(2).filter(|w| w[0] != w[1]).count();
        assert!(crossings >= 4, "seed {seed}: {crossings} crossings");
        let h = d.len() / 2;
        let range = d.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            - d.iter().copied().fold(f64::INFINITY, f64::min);
        assert!(
            (mean(&d[..h]) - mean(&d[h..])).abs() < 0.3 * range,
            "seed {seed}"
        );
        let _ = t;
    });
}

#[test]
fn random_walk_stays_bounded() {
    check_family(Family::RandomWalk, |d, _, _, seed| {
        let m = mean(d);
        assert!(
            d.iter().all(|x| (x - m).abs() < 0.6 * m + 2.0),
            "seed {seed}"
        );
        let m2 = d.len() / 2;
        assert!(sd(d) > 0.0);
        let _ = m2;
    });
}

#[test]
fn draining_declines() {
    check_family(Family::Draining, |d, _, _, seed| {
        let (a, _, c) = thirds(d);
        assert!(mean(c) < mean(a) && d[d.len() - 1] < d[0], "seed {seed}");
    });
}

#[test]
fn degenerate_configs_do_not_panic() {
    let base = Config::default();
    let cases = [
        Config {
            snapshots: 0,
            ..base.clone()
        },
        Config {
            snapshots: 1,
            reboots: 5,
            ..base.clone()
        },
        Config {
            snapshots: 2,
            reboots: 1,
            ..base.clone()
        },
        Config {
            series: 0,
            ..base.clone()
        },
        Config {
            series: 1,
            leak_share: 1.0,
            ..base.clone()
        },
        Config {
            interval_secs: 0,
            jitter: 3.0,
            gap_prob: 1.0,
            leak_share: 7.0,
            ..base.clone()
        },
        Config {
            families: Some(Vec::new()),
            series: 0,
            ..base.clone()
        },
        Config {
            families: Some(
                Family::LEAKS
                    .iter()
                    .chain(&Family::NON_LEAKS)
                    .copied()
                    .collect(),
            ),
            snapshots: 3,
            reboots: 2,
            ..base.clone()
        },
    ];
    for cfg in cases {
        let (b, truth) = generate(&cfg);
        assert_eq!(truth.times.len(), cfg.snapshots);
        assert_eq!(truth.epochs.len(), cfg.snapshots);
        assert_eq!(b.is_empty(), cfg.snapshots == 0);
        let mut c = b.clone();
        truncate_last(&mut c);
        assert!(c.len() <= b.len());
    }
}

#[test]
fn reboots_restart_leaks_and_caches() {
    let cfg = Config {
        reboots: 1,
        snapshots: 80,
        gap_prob: 0.0,
        ..cfg_with(vec![Family::Steady, Family::CachePlateau], 9, 80)
    };
    let (_, truth) = generate(&cfg);
    let boot = truth.epochs.iter().position(|&e| e == 1).unwrap();
    let series = per_series(&truth);
    for (d, _, _) in &series {
        assert!(d[boot] < d[boot - 1], "value did not restart at the reboot");
    }
}
