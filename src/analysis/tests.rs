use super::*;

fn xs(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64).collect()
}

fn noise(i: usize) -> f64 {
    // Deterministic pseudo-noise in [-1, 1].
    let x = ((i as u64)
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407)
        >> 33) as f64;
    (x / (1u64 << 31) as f64) * 2.0 - 1.0
}

#[test]
fn steady_leak_has_strong_evidence() {
    let x = xs(60);
    let y: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, v)| 10_000.0 + 500.0 * v + 800.0 * noise(i))
        .collect();
    assert!(evidence(&x, &y).e > 0.6, "{:?}", evidence(&x, &y));
}

#[test]
fn plateau_step_and_flat_are_weak() {
    let x = xs(60);
    let plateau: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, v)| 50_000.0 * (1.0 - (-v / 4.0).exp()) + 300.0 * noise(i))
        .collect();
    let step: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, v)| if *v < 30.0 { 1000.0 } else { 9000.0 } + 50.0 * noise(i))
        .collect();
    let flat: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, _)| 5000.0 + 200.0 * noise(i))
        .collect();
    for (name, y) in [("plateau", plateau), ("step", step), ("flat", flat)] {
        let e = evidence(&x, &y);
        assert!(e.e < LEAK_AT, "{name}: {e:?}");
    }
}

/// Every row lands once in its round's frame, in snapshot order within
/// its series, across several rounds and with series that skip
/// snapshots; each round's buffers come back from polars for the next.
#[test]
fn rounds_group_every_row_once() {
    let cfg = poolscan_synth::Config {
        snapshots: 1100,
        series: 300,
        gap_prob: 0.1,
        ..Default::default()
    };
    let (text, _) = poolscan_synth::generate(&cfg);
    let log = Log::from_bytes("r.log", &text, &Default::default()).unwrap();
    let plan = Plan::new(&log).unwrap();
    assert!(plan.rounds.len() >= 2, "{} rounds", plan.rounds.len());
    let mut want: Vec<Vec<(u32, usize)>> = vec![Vec::new(); log.series.len()];
    for (si, s) in log.snapshots.iter().enumerate() {
        for r in s.rows.clone() {
            want[log.rows.series[r] as usize].push((si as u32, r));
        }
    }
    let mut bufs = Buffers::default();
    let mut seen = 0;
    for k in 0..plan.rounds.len() {
        let g = plan.frame(&log, k, &mut bufs).unwrap();
        let u64s = |name: &str| {
            g.df.column(name)
                .unwrap()
                .u64()
                .unwrap()
                .cont_slice()
                .unwrap()
        };
        let snap =
            g.df.column("snapshot")
                .unwrap()
                .u32()
                .unwrap()
                .cont_slice()
                .unwrap();
        let diff =
            g.df.column("diff")
                .unwrap()
                .i64()
                .unwrap()
                .cont_slice()
                .unwrap();
        let (allocs, frees, bytes) = (u64s("allocs"), u64s("frees"), u64s("bytes"));
        for (sid, range) in g.series() {
            let want = &want[sid as usize];
            assert_eq!(range.len(), want.len(), "series {sid}");
            for (j, &(si, r)) in range.zip(want) {
                assert_eq!(snap[j], si);
                assert_eq!(allocs[j], log.rows.allocs(r));
                assert_eq!(frees[j], log.rows.frees(r));
                assert_eq!(diff[j], log.rows.diff(r));
                assert_eq!(bytes[j], log.rows.bytes(r));
            }
            seen += want.len();
        }
        let held = bytes.as_ptr();
        bufs.reclaim(g.df);
        assert_eq!(
            bufs.bytes.as_ptr(),
            held,
            "round {k}: buffer not handed back"
        );
    }
    assert_eq!(seen, log.rows.len());
}

#[test]
fn long_segments_are_judged_on_evenly_spaced_points() {
    assert_eq!(judged_points(5, 9), vec![5, 6, 7, 8]);
    let all = judged_points(0, JUDGE_POINTS);
    assert_eq!(all, (0..JUDGE_POINTS).collect::<Vec<_>>());
    for (lo, m) in [(0, JUDGE_POINTS + 1), (7, 3 * JUDGE_POINTS), (100, 6_029)] {
        let at = judged_points(lo, lo + m);
        assert_eq!(at.len(), JUDGE_POINTS);
        assert_eq!((at[0], at[at.len() - 1]), (lo, lo + m - 1));
        assert!(at.windows(2).all(|w| w[0] < w[1]));
        // Evenly spaced: gaps differ by one at most.
        let gaps: Vec<usize> = at.windows(2).map(|w| w[1] - w[0]).collect();
        let (min, max) = (gaps.iter().min().unwrap(), gaps.iter().max().unwrap());
        assert!(max - min <= 1, "gaps {min}..{max}");
    }
}

#[test]
fn too_few_points_is_no_evidence() {
    assert_eq!(evidence(&[0.0, 1.0], &[1.0, 2.0]).e, 0.0);
    assert_eq!(evidence(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).e, 0.0);
}

#[test]
fn judged_floor_reads_windows_or_a_sawtooths_troughs() {
    // A steady rise: the 10th percentile of each window (48 points: 12 windows).
    let x: Vec<f64> = (0..48).map(f64::from).collect();
    let line: Vec<f64> = x.iter().map(|v| 1e6 + 1e3 * v).collect();
    let f = judged_floor(&x, &line);
    assert!(!f.troughs);
    assert_eq!((f.windows, f.points.len()), (12, 12));
    assert!(f
        .points
        .windows(2)
        .all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1));
    // A sawtooth of 8 teeth on a rising floor: its troughs, one per tooth.
    let saw: Vec<f64> = x
        .iter()
        .map(|v| 1e6 + 2e3 * v + 5e4 * (v % 6.0) + 3e3 * (v * 7.3).sin())
        .collect();
    let f = judged_floor(&x, &saw);
    assert!(f.troughs, "{f:?}");
    assert!(f.points.len() >= 5);
    // Too few points to judge: what there is, no panic.
    assert!(judged_floor(&[], &[]).points.is_empty());
    assert_eq!(judged_floor(&[0.0], &[5.0]).points, vec![(0.0, 5.0)]);
}
