use super::*;

fn small(seed: u64) -> MachineConfig {
    MachineConfig {
        seed,
        tags: 300,
        snapshots: 40,
        rows: true,
        ..MachineConfig::default()
    }
}

/// Bytes column of every row, per snapshot, read back from the text of an ASCII `/n` log.
fn printed_bytes(log: &[u8]) -> Vec<Vec<u64>> {
    let text = std::str::from_utf8(log).expect("ascii");
    let mut out: Vec<Vec<u64>> = Vec::new();
    for line in text.split("\r\n") {
        if line.starts_with(" Tag  Type") {
            out.push(Vec::new());
        } else if line.len() > 11 && (&line[6..11] == "Nonp " || &line[6..11] == "Paged") {
            // Allocs and Frees may print negative (32-bit counters past 2^31).
            let f: Vec<i64> = line[11..]
                .split_whitespace()
                .map(|x| x.parse().expect("number"))
                .collect();
            assert_eq!(f.len(), 5, "{line:?}");
            out.last_mut().expect("a header first").push(f[3] as u64);
        }
    }
    out
}

#[test]
fn same_seed_same_bytes() {
    let cfg = MachineConfig {
        reboots: 1,
        driver: true,
        ..small(3)
    };
    let (a, ta) = generate_machine(&cfg);
    let (b, tb) = generate_machine(&cfg);
    assert_eq!(a, b);
    assert_eq!(ta, tb);
    let mut c = Vec::new();
    let tc = write_machine(&cfg, &mut c).unwrap();
    assert_eq!(a, c, "streaming and in-memory output differ");
    assert_eq!(ta, tc);
    let (d, _) = generate_machine(&MachineConfig { seed: 4, ..cfg });
    assert_ne!(a, d);
}

#[test]
fn rows_sorted_by_bytes_in_every_snapshot() {
    for (seed, form) in [(1, Form::Narrow), (2, Form::Wide)] {
        let cfg = MachineConfig {
            form,
            stamp: StampStyle::Iso,
            ..small(seed)
        };
        let (log, truth) = generate_machine(&cfg);
        let snaps = printed_bytes(&log);
        assert_eq!(snaps.len(), cfg.snapshots);
        let mut swaps = 0;
        for (i, b) in snaps.iter().enumerate() {
            assert!(b.windows(2).all(|w| w[0] >= w[1]), "snapshot {i} unsorted");
            let n = truth.rows.iter().filter(|r| r.snapshot == i as u32).count();
            assert_eq!(n, b.len());
        }
        // Tags of similar size swap places between snapshots.
        let order = |i: u32| -> Vec<(String, &str)> {
            truth
                .rows
                .iter()
                .filter(|r| r.snapshot == i)
                .map(|r| (r.tag.clone(), r.pool))
                .collect()
        };
        for i in 1..cfg.snapshots as u32 {
            if order(i) != order(i - 1) {
                swaps += 1;
            }
        }
        assert!(swaps > cfg.snapshots / 2, "{swaps}");
    }
}

#[test]
fn counters_consistent() {
    for seed in 1..=4 {
        let cfg = MachineConfig {
            reboots: (seed % 3) as usize,
            gap_prob: 0.1,
            leaks: 14,
            ..small(seed)
        };
        let (log, truth) = generate_machine(&cfg);
        let text = String::from_utf8(log).unwrap();
        assert_eq!(text.matches(" Memory:").count(), cfg.snapshots);
        assert_eq!(text.matches(" Commit:").count(), cfg.snapshots);
        assert_eq!(truth.epochs.last().copied(), Some(cfg.reboots as u32));
        let mut last: std::collections::HashMap<(String, &str), &TruthRow> =
            std::collections::HashMap::new();
        let mut resets = 0;
        let mut hot = std::collections::BTreeSet::new();
        for r in &truth.rows {
            assert_eq!(r.frees as i64, r.allocs as i64 - r.diff, "{r:?}");
            assert!(r.diff >= 0, "{r:?}");
            // Only the hot series' counters pass 2^31 (tested below).
            if r.allocs >= 1 << 31 {
                hot.insert((r.tag.clone(), r.pool));
            }
            if r.diff > 0 {
                assert_eq!(r.per_alloc, r.bytes / r.diff as u64, "{r:?}");
                assert!((8..=200_000).contains(&r.per_alloc), "{r:?}");
            } else {
                assert_eq!((r.bytes, r.per_alloc), (0, 0), "{r:?}");
            }
            if let Some(p) = last.get(&(r.tag.clone(), r.pool)) {
                let same = truth.epochs[p.snapshot as usize] == truth.epochs[r.snapshot as usize];
                if same && p.snapshot + 1 == r.snapshot {
                    assert!(r.allocs >= p.allocs && r.frees >= p.frees, "{p:?} -> {r:?}");
                } else if !same && r.allocs < p.allocs {
                    resets += 1;
                }
            }
            last.insert((r.tag.clone(), r.pool), r);
        }
        if cfg.reboots > 0 {
            assert!(resets > 0, "counters never restarted after a reboot");
        }
        assert!(hot.len() <= cfg.hot_counters, "{hot:?}");
    }
}

/// The hot series' counters pass 2^31 and wrap past 2^32 in the first epoch, printed as
/// PoolMon prints 32-bit counters: negative in the narrow family, near zero again in the wide.
#[test]
fn hot_counters_pass_2_31_and_wrap() {
    for form in [Form::Narrow, Form::Wide] {
        let cfg = MachineConfig { form, ..small(7) };
        let (log, truth) = generate_machine(&cfg);
        let max = |f: &dyn Fn(&TruthRow) -> bool| truth.rows.iter().filter(|r| f(r)).count();
        assert!(max(&|r| r.allocs >= 1 << 31 && r.allocs < 1 << 32) > 0);
        assert!(max(&|r| r.allocs >= 1 << 32) > 0, "one wrapped");
        let text = String::from_utf8(log).unwrap();
        let negative = text.lines().any(|l| {
            l.len() > 11
                && l[11..]
                    .split_whitespace()
                    .take(2)
                    .any(|x| x.starts_with('-'))
        });
        assert_eq!(negative, form == Form::Narrow, "{form:?}");
        let no_hot = MachineConfig {
            hot_counters: 0,
            ..cfg
        };
        let (_, cool) = generate_machine(&no_hot);
        assert!(cool.rows.iter().all(|r| r.allocs < 1 << 31));
    }
}

/// `fixed_order` writes the same rows, in one order every snapshot.
#[test]
fn fixed_order_writes_the_same_rows_unsorted() {
    let cfg = small(8);
    let (_, sorted) = generate_machine(&cfg);
    let (_, fixed) = generate_machine(&MachineConfig {
        fixed_order: true,
        ..cfg
    });
    let key = |r: &TruthRow| (r.snapshot, r.tag.clone(), r.pool, r.allocs, r.bytes);
    let mut a: Vec<_> = sorted.rows.iter().map(key).collect();
    let mut b: Vec<_> = fixed.rows.iter().map(key).collect();
    assert_ne!(a, b, "the order differs");
    a.sort();
    b.sort();
    assert_eq!(a, b, "the rows do not");
}

#[test]
fn clean_logs_have_no_leak_label() {
    let (_, truth) = generate_machine(&MachineConfig {
        leaks: 0,
        ..small(5)
    });
    assert_eq!(truth.series.len(), 300);
    assert!(truth.series.iter().all(|s| !s.leak && !s.family.is_leak()));
    assert!(truth.series.iter().all(|s| s.growth_bytes == 0));
    assert!(truth.to_truth().series.iter().all(|s| !s.leak));
}

#[test]
fn tags_families_and_sizes_look_like_a_machine() {
    let cfg = MachineConfig {
        tags: 3000,
        snapshots: 30,
        leaks: 7,
        rows: true,
        ..MachineConfig::default()
    };
    let (_, truth) = generate_machine(&cfg);
    assert_eq!(truth.series.len(), 3000);
    let keys: std::collections::HashSet<(&str, &str)> = truth
        .series
        .iter()
        .map(|s| (s.tag.as_str(), s.pool))
        .collect();
    assert_eq!(keys.len(), 3000, "(tag, pool) unique");
    assert!(truth.series.iter().any(|s| s.pool == "Paged"));
    assert!(truth.series.iter().any(|s| s.pool == "Nonpaged"));
    for f in MachineFamily::all() {
        let n = truth.series.iter().filter(|s| s.family == f).count();
        assert!(n >= 1, "{f:?} missing");
    }
    assert_eq!(truth.series.iter().filter(|s| s.leak).count(), 7);
    // Heavy tails: a few tags of tens to hundreds of MiB, most of KiB.
    let mut levels: Vec<u64> = truth.series.iter().map(|s| s.level_bytes).collect();
    levels.sort_unstable();
    let median = levels[levels.len() / 2];
    assert!((2048..=128 * 1024).contains(&median), "median {median}");
    let big = levels.iter().filter(|&&l| l >= 24 << 20).count();
    assert!((5..=60).contains(&big), "{big} big tags");
    assert!(levels[levels.len() - 1] >= 100 << 20);
    // Tags that appear midway and tags that vanish.
    let in_snap = |i: u32| truth.rows.iter().filter(|r| r.snapshot == i).count();
    assert!(in_snap(0) < 3000 && in_snap(29) < 3000);
    assert_ne!(in_snap(0), in_snap(29));
}

#[test]
fn leaks_grow_at_least_256_kib() {
    for (seed, reboots) in [(11, 0), (12, 1), (13, 0)] {
        let cfg = MachineConfig {
            seed,
            tags: 200,
            leaks: 21,
            snapshots: 200,
            reboots,
            rows: true,
            ..MachineConfig::default()
        };
        let (_, truth) = generate_machine(&cfg);
        for s in truth.series.iter().filter(|s| s.leak) {
            assert!(
                (MIN_LEAK_GROWTH..=MAX_LEAK_GROWTH * 2).contains(&s.growth_bytes),
                "{s:?}"
            );
            if reboots > 0 {
                continue;
            }
            let b: Vec<f64> = truth
                .rows
                .iter()
                .filter(|r| r.tag == s.tag && r.pool == s.pool)
                .map(|r| r.bytes as f64)
                .collect();
            assert_eq!(b.len(), cfg.snapshots);
            let med = |v: &[f64]| {
                let mut v = v.to_vec();
                v.sort_by(f64::total_cmp);
                v[v.len() / 2]
            };
            let g = s.growth_bytes as f64;
            let (first, last) = (med(&b[..9]), med(&b[b.len() - 9..]));
            match s.family {
                MachineFamily::LeakNoisy | MachineFamily::LeakOnSawtooth => {
                    // Under noise or a sawtooth: the least-squares growth.
                    let n = b.len() as f64;
                    let mx = (n - 1.0) / 2.0;
                    let my = b.iter().sum::<f64>() / n;
                    let sxy: f64 = b
                        .iter()
                        .enumerate()
                        .map(|(i, y)| (i as f64 - mx) * (y - my))
                        .sum();
                    let sxx: f64 = (0..b.len()).map(|i| (i as f64 - mx).powi(2)).sum();
                    let grown = sxy / sxx * (n - 1.0);
                    assert!(grown >= 0.25 * g, "{s:?}: {grown}");
                }
                MachineFamily::LeakStaircase => assert!(last - first >= 0.3 * g, "{s:?}"),
                _ => assert!(last - first >= 0.5 * g, "{s:?}: {first} -> {last}"),
            }
        }
    }
}

#[test]
fn every_form_stamp_and_encoding_writes() {
    for (j, stamp) in [
        StampStyle::None,
        StampStyle::UsCmd,
        StampStyle::DayFirstMarker,
        StampStyle::Clue,
        StampStyle::PowerShell,
        StampStyle::Iso,
    ]
    .into_iter()
    .enumerate()
    {
        let form = [Form::Narrow, Form::Wide, Form::Interactive][j % 3];
        let encoding = [Encoding::Ascii, Encoding::Utf16Le, Encoding::MixedUtf16][j % 3];
        let cfg = MachineConfig {
            tags: 50,
            snapshots: 6,
            form,
            stamp,
            encoding,
            ..MachineConfig::default()
        };
        let (log, truth) = generate_machine(&cfg);
        assert!(!log.is_empty());
        assert_eq!(truth.times.len(), 6);
        assert!(truth.times.windows(2).all(|w| w[1] > w[0]));
    }
    // Degenerate sizes do not panic.
    for (tags, leaks, snapshots) in [(0, 0, 5), (5, 9, 1), (20, 3, 2), (1, 0, 0)] {
        let cfg = MachineConfig {
            tags,
            leaks,
            snapshots,
            ..MachineConfig::default()
        };
        let (_, truth) = generate_machine(&cfg);
        assert_eq!(truth.series.len(), tags);
    }
}

#[test]
fn family_names_round_trip() {
    for f in MachineFamily::all() {
        assert_eq!(MachineFamily::from_name(f.name()), Some(f));
        assert_eq!(f.is_leak(), f.nearest().is_leak(), "{f:?}");
    }
    assert_eq!(MachineFamily::all().count(), 18);
    let total: u32 = MachineFamily::HEALTHY.iter().map(|h| h.1).sum();
    assert_eq!(total, 100);
    let tsv = machine_truth_tsv(&generate_machine(&small(1)).1);
    assert!(tsv.starts_with("tag\tpool\tfamily\tleak\tlevel_bytes\tgrowth_bytes\n"));
    assert_eq!(tsv.lines().count(), 301);
}
