use super::*;

const NAN: f64 = f64::NAN;
const INF: f64 = f64::INFINITY;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[track_caller]
fn assert_close(a: f64, b: f64, tol: f64) {
    assert!(close(a, b, tol), "{a} != {b} (tol {tol})");
}

#[test]
fn troughs_from_drops_on_any_clock() {
    // A sawtooth with noise: the drops found once on the values give the
    // same troughs as `troughs` on two different clocks.
    let y: Vec<f64> = (0..300)
        .map(|i| (i % 37) as f64 * 10.0 + (i / 37) as f64 * 3.0 + ((i * i * 7919 + i) % 13) as f64)
        .collect();
    let t: Vec<f64> = (0..300).map(|i| i as f64 * 0.5).collect();
    let ops: Vec<f64> = (0..300).map(|i| (i * i) as f64).collect();
    let at = drops(&y, 4.0).expect("a sawtooth");
    assert_eq!(at.len(), 8);
    for x in [&t, &ops] {
        let p: Vec<(f64, f64)> = x.iter().copied().zip(y.iter().copied()).collect();
        assert_eq!(troughs(x, &y, 4.0), Some(troughs_at(&p, &at)));
    }
    assert_eq!(drops(&[1.0, 2.0, 3.0, 4.0], 4.0), None);
}

/// Deterministic xorshift64* generator, uniform in [0, 1).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Naive τ_b by sign products: Σ s_x s_y / √(Σ|s_x| · Σ|s_y|).
fn naive_tau_b(x: &[f64], y: &[f64]) -> f64 {
    let (mut num, mut ax, mut ay) = (0.0, 0.0, 0.0);
    for i in 0..x.len() {
        for j in 0..x.len() {
            if i != j {
                let (sx, sy) = (sign(x[j] - x[i]), sign(y[j] - y[i]));
                num += sx * sy;
                ax += sx.abs();
                ay += sy.abs();
            }
        }
    }
    num / (ax * ay).sqrt()
}

/// Naive all-pairs Theil–Sen slope (full sort).
fn naive_ts_slope(x: &[f64], y: &[f64]) -> f64 {
    let mut s = Vec::new();
    for i in 0..x.len() {
        for j in i + 1..x.len() {
            if x[i] != x[j] {
                s.push((y[j] - y[i]) / (x[j] - x[i]));
            }
        }
    }
    s.sort_by(f64::total_cmp);
    let m = s.len();
    if m % 2 == 1 {
        s[m / 2]
    } else {
        0.5 * (s[m / 2 - 1] + s[m / 2])
    }
}

/// Naive Mann–Kendall S and tie term Σ t(t−1)(2t+5).
fn naive_mk(y: &[f64]) -> (f64, f64) {
    let mut s = 0.0;
    for i in 0..y.len() {
        for j in i + 1..y.len() {
            s += sign(y[j] - y[i]);
        }
    }
    let mut tie = 0.0;
    let mut seen: Vec<f64> = Vec::new();
    for &v in y {
        if seen.contains(&v) {
            continue;
        }
        seen.push(v);
        let t = y.iter().filter(|&&w| w == v).count() as f64;
        tie += t * (t - 1.0) * (2.0 * t + 5.0);
    }
    (s, tie)
}

// ---- median / quantile / mad ------------------------------------------

#[test]
fn median_odd_even_single() {
    assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    assert_eq!(median(&[5.0]), Some(5.0));
}

#[test]
fn median_ignores_nan_and_handles_empty() {
    assert_eq!(median(&[NAN, 1.0, 3.0, NAN]), Some(2.0));
    assert_eq!(median(&[NAN, NAN]), None);
    assert_eq!(median(&[]), None);
}

#[test]
fn median_with_infinities() {
    assert_eq!(median(&[1.0, INF, INF]), Some(INF));
    assert_eq!(median(&[-INF, 1.0, 2.0]), Some(1.0));
    assert_eq!(median(&[-INF, 1.0]), Some(-INF));
    assert_eq!(median(&[-INF, INF]), Some(-INF)); // documented: lower endpoint
}

#[test]
fn quantile_type7_matches_numpy_default() {
    let a = [1.0, 2.0, 3.0, 4.0];
    assert_close(quantile(&a, 0.25).unwrap(), 1.75, 1e-12);
    assert_close(quantile(&a, 0.5).unwrap(), 2.5, 1e-12);
    assert_close(quantile(&a, 0.75).unwrap(), 3.25, 1e-12);
    assert_eq!(quantile(&a, 0.0), Some(1.0));
    assert_eq!(quantile(&a, 1.0), Some(4.0));
    let b: Vec<f64> = (1..=10).map(f64::from).collect();
    assert_close(quantile(&b, 0.1).unwrap(), 1.9, 1e-12);
    assert_close(quantile(&b, 0.9).unwrap(), 9.1, 1e-12);
    assert_close(quantile(&b, 0.33).unwrap(), 3.97, 1e-12);
    // Unsorted input; np.quantile([10, 7, 4, 3, 2, 1], [0.3, 0.5]) = [2.5, 3.5].
    let c = [10.0, 7.0, 4.0, 3.0, 2.0, 1.0];
    assert_close(quantile(&c, 0.3).unwrap(), 2.5, 1e-12);
    assert_close(quantile(&c, 0.5).unwrap(), 3.5, 1e-12);
    // Hyndman–Fan comparison set: type 7 Q1 of [7, 15, 36, 39, 40, 41] is 20.25.
    let d = [36.0, 7.0, 41.0, 15.0, 40.0, 39.0];
    assert_close(quantile(&d, 0.25).unwrap(), 20.25, 1e-12);
}

#[test]
fn quantile_clamps_q_and_rejects_nan() {
    let a = [3.0, NAN, 1.0, 2.0];
    assert_eq!(quantile(&a, -0.5), Some(1.0));
    assert_eq!(quantile(&a, 1.5), Some(3.0));
    assert_eq!(quantile(&a, NAN), None);
    assert_eq!(quantile(&[], 0.5), None);
    assert_eq!(quantile(&[NAN], 0.5), None);
    assert_eq!(quantile(&[2.0, 2.0, 2.0], 0.37), Some(2.0));
}

#[test]
fn mad_textbook_values() {
    assert_eq!(mad(&[1.0, 1.0, 2.0, 2.0, 4.0, 6.0, 9.0]), Some(1.0));
    assert_eq!(mad(&[1.0, 2.0, 3.0, 4.0, 1000.0]), Some(1.0));
    assert_eq!(mad(&[5.0]), Some(0.0));
    assert_eq!(mad(&[NAN, 1.0, 3.0]), Some(1.0));
    assert_eq!(mad(&[]), None);
    assert_eq!(mad(&[NAN]), None);
    assert_eq!(mad(&[INF, INF]), None);
}

// ---- ols / pearson -----------------------------------------------------

#[test]
fn ols_textbook_example() {
    let x = [1.0, 2.0, 3.0, 4.0, 5.0];
    let y = [2.0, 4.0, 5.0, 4.0, 5.0];
    let f = ols(&x, &y).unwrap();
    assert_close(f.slope, 0.6, 1e-12);
    assert_close(f.intercept, 2.2, 1e-12);
    assert_close(f.r2, 0.6, 1e-12);
}

#[test]
fn ols_exact_line_and_constant_y() {
    let x = [0.0, 1.5, 3.0, 10.0];
    let y: Vec<f64> = x.iter().map(|v| -2.0 * v + 7.0).collect();
    let f = ols(&x, &y).unwrap();
    assert_close(f.slope, -2.0, 1e-12);
    assert_close(f.intercept, 7.0, 1e-12);
    assert_close(f.r2, 1.0, 1e-12);
    let g = ols(&x, &[4.0; 4]).unwrap();
    assert_eq!((g.slope, g.intercept, g.r2), (0.0, 4.0, 1.0));
}

#[test]
fn ols_edge_cases() {
    assert_eq!(ols(&[], &[]), None);
    assert_eq!(ols(&[1.0], &[1.0]), None);
    assert_eq!(ols(&[2.0, 2.0, 2.0], &[1.0, 2.0, 3.0]), None);
    assert_eq!(ols(&[1.0, 2.0], &[1.0]), None);
    assert_eq!(ols(&[NAN, 1.0], &[1.0, 2.0]), None);
    // NaN / inf pairs are dropped.
    let f = ols(&[1.0, 2.0, NAN, 3.0, 4.0], &[2.0, 4.0, 100.0, 6.0, INF]).unwrap();
    assert_close(f.slope, 2.0, 1e-12);
    assert_close(f.intercept, 0.0, 1e-12);
    // Overflowing sums give None rather than inf/NaN.
    assert_eq!(ols(&[-1e308, 1e308], &[1.0, 2.0]), None);
}

#[test]
fn pearson_values_and_edges() {
    let x = [1.0, 2.0, 3.0, 4.0, 5.0];
    assert_close(
        pearson(&x, &[2.0, 4.0, 5.0, 4.0, 5.0]).unwrap(),
        0.774_596_669_241_483_4,
        1e-12,
    );
    assert_close(
        pearson(&x, &[3.0, 5.0, 7.0, 9.0, 11.0]).unwrap(),
        1.0,
        1e-12,
    );
    assert_close(
        pearson(&x, &[5.0, 4.0, 3.0, 2.0, 1.0]).unwrap(),
        -1.0,
        1e-12,
    );
    assert_eq!(pearson(&x, &[1.0; 5]), None);
    assert_eq!(pearson(&[1.0; 5], &x), None);
    assert_eq!(pearson(&x, &x[..4]), None);
    assert_eq!(pearson(&[1.0], &[1.0]), None);
    assert_eq!(pearson(&[], &[]), None);
    assert_close(
        pearson(&[1.0, NAN, 2.0, 3.0], &[1.0, 5.0, 2.0, 3.0]).unwrap(),
        1.0,
        1e-12,
    );
}

// ---- theil_sen -----------------------------------------------------------

#[test]
fn theil_sen_hand_example() {
    // Slopes: 2, 1/2, 4/3, -1, 1, 3 -> median (1 + 4/3)/2 = 7/6.
    // Residuals y - 7/6 x: -1/6, 2/3, -3/2, 1/3 -> median 1/12.
    let x = [1.0, 2.0, 3.0, 4.0];
    let y = [1.0, 3.0, 2.0, 5.0];
    let f = theil_sen(&x, &y).unwrap();
    assert_close(f.slope, 7.0 / 6.0, 1e-12);
    assert_close(f.intercept, 1.0 / 12.0, 1e-12);
    // r2 of that line, computed directly: ȳ = 2.75, SS_tot = 8.75.
    let ss_res: f64 = x
        .iter()
        .zip(&y)
        .map(|(a, b)| (b - (1.0 / 12.0 + 7.0 / 6.0 * a)).powi(2))
        .sum();
    assert_close(f.r2, 1.0 - ss_res / 8.75, 1e-12);
}

#[test]
fn theil_sen_robust_to_outlier_where_ols_is_not() {
    let x: Vec<f64> = (0..10).map(f64::from).collect();
    let mut y: Vec<f64> = x.iter().map(|v| 2.0 * v + 1.0).collect();
    y[9] = 100.0;
    let ts = theil_sen(&x, &y).unwrap();
    assert_close(ts.slope, 2.0, 1e-12);
    assert_close(ts.intercept, 1.0, 1e-12);
    let o = ols(&x, &y).unwrap();
    assert!((o.slope - 2.0).abs() > 1.0, "ols slope {}", o.slope);
}

#[test]
fn theil_sen_skips_pairs_tied_in_x() {
    // Usable pairs: (0,2) slope 1 and (1,2) slope -4 -> median -1.5.
    let f = theil_sen(&[0.0, 0.0, 1.0], &[0.0, 5.0, 1.0]).unwrap();
    assert_close(f.slope, -1.5, 1e-12);
    assert_eq!(theil_sen(&[3.0, 3.0, 3.0], &[1.0, 2.0, 3.0]), None);
}

#[test]
fn theil_sen_edge_cases() {
    assert_eq!(theil_sen(&[], &[]), None);
    assert_eq!(theil_sen(&[1.0], &[1.0]), None);
    assert_eq!(theil_sen(&[1.0, 2.0], &[1.0]), None);
    assert_eq!(theil_sen(&[NAN, 1.0, INF], &[1.0, 2.0, 3.0]), None);
    let f = theil_sen(&[1.0, NAN, 2.0, 3.0], &[1.0, 9.0, 3.0, 5.0]).unwrap();
    assert_close(f.slope, 2.0, 1e-12);
    assert_close(f.intercept, -1.0, 1e-12);
    assert_close(f.r2, 1.0, 1e-12);
    let g = theil_sen(&[1.0, 2.0, 3.0], &[4.0, 4.0, 4.0]).unwrap();
    assert_eq!((g.slope, g.intercept, g.r2), (0.0, 4.0, 1.0));
}

#[test]
fn theil_sen_exact_up_to_200_points() {
    let mut r = Rng(7);
    for n in [2usize, 3, 17, 150, 200] {
        let x: Vec<f64> = (0..n).map(|_| (r.next() * 50.0).floor()).collect();
        let y: Vec<f64> = x.iter().map(|v| 0.3 * v + 10.0 * r.next()).collect();
        if let Some(f) = theil_sen(&x, &y) {
            assert_close(f.slope, naive_ts_slope(&x, &y), 1e-12);
            assert!((0.0..=1.0).contains(&f.r2));
        }
    }
}

#[test]
fn theil_sen_sampled_is_close_to_exact() {
    let mut r = Rng(11);
    let n = 1000;
    let x: Vec<f64> = (0..n).map(|i| i as f64 + r.next()).collect();
    let y: Vec<f64> = x
        .iter()
        .map(|v| {
            let out = if r.next() < 0.1 { 500.0 } else { 0.0 };
            0.5 * v + 40.0 * (r.next() - 0.5) + out
        })
        .collect();
    let exact = naive_ts_slope(&x, &y);
    let approx = theil_sen(&x, &y).unwrap().slope;
    assert!(
        close(approx, exact, 0.005),
        "sampled {approx} vs exact {exact}"
    );
}

#[test]
fn theil_sen_large_n_runs_and_is_robust() {
    let mut r = Rng(3);
    let n = 10_000;
    let x: Vec<f64> = (0..n).map(f64::from).collect();
    let line: Vec<f64> = x.iter().map(|v| 3.0 * v - 5.0).collect();
    let f = theil_sen(&x, &line).unwrap();
    assert_close(f.slope, 3.0, 1e-9);
    assert_close(f.intercept, -5.0, 1e-6);
    assert_close(f.r2, 1.0, 1e-12);
    // 20 % gross outliers and noise.
    let y: Vec<f64> = x
        .iter()
        .map(|v| {
            if r.next() < 0.2 {
                1e6 * r.next()
            } else {
                3.0 * v + 100.0 * (r.next() - 0.5)
            }
        })
        .collect();
    let g = theil_sen(&x, &y).unwrap();
    assert!(close(g.slope, 3.0, 0.1), "slope {}", g.slope);
    // Blocks of tied x still give a slope; constant x gives None.
    let xb: Vec<f64> = (0..n).map(|i| f64::from(i / 1000)).collect();
    let yb: Vec<f64> = xb.iter().map(|v| 2.0 * v).collect();
    assert_close(theil_sen(&xb, &yb).unwrap().slope, 2.0, 1e-12);
    assert_eq!(theil_sen(&vec![1.0; 5000], &yb[..5000]), None);
}

// ---- kendall_tau_b --------------------------------------------------------

#[test]
fn kendall_tau_b_scipy_example_with_ties() {
    // scipy.stats.kendalltau([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]) = -0.47140452079103173
    // By hand: n_c = 2, n_d = 6, n_0 = 10, n_1 = 2, n_2 = 1 -> -4/sqrt(72).
    let t = kendall_tau_b(&[12.0, 2.0, 1.0, 12.0, 2.0], &[1.0, 4.0, 7.0, 1.0, 0.0]).unwrap();
    assert_close(t, -0.471_404_520_791_031_73, 1e-12);
    assert_close(t, -4.0 / 72f64.sqrt(), 1e-12);
}

#[test]
fn kendall_tau_b_simple_cases() {
    let x = [1.0, 2.0, 3.0, 4.0];
    assert_close(
        kendall_tau_b(&x, &[10.0, 20.0, 30.0, 40.0]).unwrap(),
        1.0,
        1e-12,
    );
    assert_close(
        kendall_tau_b(&x, &[4.0, 3.0, 2.0, 1.0]).unwrap(),
        -1.0,
        1e-12,
    );
    // Tie in x only: n_c = 5, n_d = 0, n_1 = 1 -> 5/sqrt(5*6).
    let t = kendall_tau_b(&[1.0, 1.0, 2.0, 3.0], &x).unwrap();
    assert_close(t, 5.0 / 30f64.sqrt(), 1e-12);
}

#[test]
fn kendall_tau_b_matches_naive_with_ties() {
    let mut r = Rng(5);
    for n in [2usize, 5, 30, 64] {
        let x: Vec<f64> = (0..n).map(|_| (r.next() * 5.0).floor()).collect();
        let y: Vec<f64> = x.iter().map(|v| (v + r.next() * 4.0).floor()).collect();
        let got = kendall_tau_b(&x, &y);
        let want = naive_tau_b(&x, &y);
        match got {
            Some(t) => assert_close(t, want, 1e-12),
            None => assert!(want.is_nan()),
        }
    }
}

#[test]
fn kendall_tau_b_thins_large_inputs_evenly() {
    let mut r = Rng(9);
    let n = 1000usize;
    let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let y: Vec<f64> = (0..n).map(|_| (r.next() * 10.0).floor()).collect();
    let idx: Vec<usize> = (0..64).map(|j| (j * (n - 1) + 31) / 63).collect();
    let xs: Vec<f64> = idx.iter().map(|&i| x[i]).collect();
    let ys: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
    assert_close(kendall_tau_b(&x, &y).unwrap(), naive_tau_b(&xs, &ys), 1e-12);
    let up: Vec<f64> = x.iter().map(|v| v * v).collect();
    assert_close(kendall_tau_b(&x, &up).unwrap(), 1.0, 1e-12);
    // 10 000 points finish and stay in range.
    let big_x: Vec<f64> = (0..10_000).map(f64::from).collect();
    let big_y: Vec<f64> = big_x.iter().map(|v| v + 1000.0 * r.next()).collect();
    let t = kendall_tau_b(&big_x, &big_y).unwrap();
    assert!((0.5..=1.0).contains(&t), "tau {t}");
}

#[test]
fn kendall_tau_b_edge_cases() {
    assert_eq!(kendall_tau_b(&[], &[]), None);
    assert_eq!(kendall_tau_b(&[1.0], &[1.0]), None);
    assert_eq!(kendall_tau_b(&[1.0, 2.0], &[1.0]), None);
    assert_eq!(kendall_tau_b(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
    assert_eq!(kendall_tau_b(&[1.0, 2.0, 3.0], &[5.0, 5.0, 5.0]), None);
    assert_eq!(kendall_tau_b(&[NAN, 1.0], &[1.0, 2.0]), None);
    let t = kendall_tau_b(&[1.0, NAN, 2.0, 3.0, INF], &[1.0, 0.0, 2.0, 3.0, 0.0]).unwrap();
    assert_close(t, 1.0, 1e-12);
    // -0.0 and 0.0 are a tie.
    assert_eq!(kendall_tau_b(&[-0.0, 0.0], &[1.0, 2.0]), None);
}

// ---- mann_kendall -----------------------------------------------------------

#[test]
fn mann_kendall_increasing_series() {
    let m = mann_kendall(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
    assert_eq!(m.s, 10.0);
    assert_close(m.var_s, 50.0 / 3.0, 1e-12);
    assert_close(m.z, 2.204_540_768_504_860_4, 1e-12);
    assert_close(m.p, 0.027_486_336_111_510_353, 1e-8);
}

#[test]
fn mann_kendall_with_ties_and_decrease() {
    // [1, 2, 2, 3]: S = 5, Var = (4*3*13 - 2*1*9)/18 = 23/3.
    let m = mann_kendall(&[1.0, 2.0, 2.0, 3.0]).unwrap();
    assert_eq!(m.s, 5.0);
    assert_close(m.var_s, 23.0 / 3.0, 1e-12);
    assert_close(m.z, 1.444_630_237_029_230_3, 1e-12);
    assert_close(m.p, 0.148_561_774_891_868_7, 1e-7);
    let d = mann_kendall(&[3.0, 2.0, 1.0]).unwrap();
    assert_eq!(d.s, -3.0);
    assert_close(d.var_s, 11.0 / 3.0, 1e-12);
    assert_close(d.z, -1.044_465_935_734_187, 1e-12);
    assert_close(d.p, 0.296_269_871_484_286_4, 1e-7);
    let z = mann_kendall(&[2.0, 1.0, 1.0, 2.0]).unwrap();
    assert_eq!((z.s, z.z, z.p), (0.0, 0.0, 1.0));
}

#[test]
fn mann_kendall_matches_naive() {
    let mut r = Rng(13);
    for n in [2usize, 3, 10, 57, 500] {
        let y: Vec<f64> = (0..n)
            .map(|i| (r.next() * 8.0).floor() + i as f64 * 0.01)
            .map(|v| (v * 10.0).round() / 10.0)
            .collect();
        let (s, tie) = naive_mk(&y);
        let m = mann_kendall(&y).unwrap();
        assert_eq!(m.s, s);
        let nf = n as f64;
        assert_close(
            m.var_s,
            (nf * (nf - 1.0) * (2.0 * nf + 5.0) - tie) / 18.0,
            1e-6,
        );
        assert!((0.0..=1.0).contains(&m.p));
    }
}

#[test]
fn mann_kendall_edge_cases() {
    assert_eq!(mann_kendall(&[]), None);
    assert_eq!(mann_kendall(&[1.0]), None);
    assert_eq!(mann_kendall(&[NAN, 1.0, NAN]), None);
    let c = mann_kendall(&[4.0; 6]).unwrap();
    assert_eq!((c.s, c.var_s, c.z, c.p), (0.0, 0.0, 0.0, 1.0));
    let m = mann_kendall(&[1.0, NAN, 2.0, 3.0, 4.0, 5.0]).unwrap();
    assert_eq!(m.s, 10.0);
    let i = mann_kendall(&[-INF, 0.0, INF]).unwrap();
    assert_eq!(i.s, 3.0);
    assert_eq!(mann_kendall(&[0.0, -0.0]).unwrap().s, 0.0);
    // Large input runs in O(n log n); a strong trend has a tiny p.
    let y: Vec<f64> = (0..10_000)
        .map(|i| f64::from(i % 7) + f64::from(i) * 0.01)
        .collect();
    let big = mann_kendall(&y).unwrap();
    assert!(big.s > 0.0 && big.p < 1e-10);
}

// ---- normal_cdf ----------------------------------------------------------------

#[test]
fn normal_cdf_reference_values() {
    assert_close(normal_cdf(0.0), 0.5, 1e-7);
    assert_close(normal_cdf(1.96), 0.975, 1e-4);
    // Reference values: 0.5 * math.erfc(-z / sqrt(2)) in CPython.
    let refs = [
        (0.5, 0.691_462_461_274_013_1),
        (1.0, 0.841_344_746_068_542_9),
        (1.96, 0.975_002_104_851_779_5),
        (-1.96, 0.024_997_895_148_220_435),
        (2.5, 0.993_790_334_674_223_8),
        (-3.0, 0.001_349_898_031_630_095_7),
        (-5.0, 2.866_515_718_791_946e-7),
        (-8.0, 6.220_960_574_271_819e-16),
        (-10.0, 7.619_853_024_160_593e-24),
        (-20.0, 2.753_624_118_606_331_4e-89),
    ];
    for (z, want) in refs {
        let got = normal_cdf(z);
        assert!(
            ((got - want) / want).abs() < 2e-7,
            "Phi({z}) = {got}, want {want}"
        );
    }
}

#[test]
fn normal_cdf_edges_and_symmetry() {
    assert_eq!(normal_cdf(INF), 1.0);
    assert_eq!(normal_cdf(-INF), 0.0);
    assert!(normal_cdf(NAN).is_nan());
    assert_eq!(normal_cdf(-60.0), 0.0);
    let mut prev = 0.0;
    for i in -80..=80 {
        let z = f64::from(i) * 0.1;
        let p = normal_cdf(z);
        assert_close(p + normal_cdf(-z), 1.0, 1e-7);
        assert!(p >= prev);
        prev = p;
    }
}

// ---- bin_floor ------------------------------------------------------------------

#[test]
fn bin_floor_sawtooth_under_flat_floor_is_flat() {
    let x: Vec<f64> = (0..100).map(f64::from).collect();
    let y: Vec<f64> = (0..100).map(|i| 10.0 + f64::from(i % 10)).collect();
    let fl = bin_floor(&x, &y, 5, 0.1);
    assert_eq!(fl.len(), 5);
    for (k, &(xk, fk)) in fl.iter().enumerate() {
        // 20 values 10,10,11,11,...: h = 1.9 -> 10 + 0.9 * (11 - 10).
        assert_close(fk, 10.9, 1e-12);
        assert!(xk >= 20.0 * k as f64 && xk < 20.0 * (k + 1) as f64);
    }
    assert!(fl.windows(2).all(|w| w[0].0 < w[1].0));
    let f: Vec<f64> = fl.iter().map(|p| p.1).collect();
    assert_eq!(retention(&f), 0.0);
    assert_eq!(rising_share(&f), None);
    let lo = bin_floor(&x, &y, 5, 0.0);
    assert!(lo
        .iter()
        .all(|&(xk, fk)| fk == 10.0 && (xk as i64) % 10 == 0));
    // The raw series is much less clean than its floor.
    assert!(rising_share(&y).unwrap() > 0.8);
}

#[test]
fn bin_floor_tracks_a_rising_floor() {
    let x: Vec<f64> = (0..120).map(f64::from).collect();
    let y: Vec<f64> = (0..120)
        .map(|i| 100.0 + f64::from(i / 10) * 2.0 + f64::from(i % 10) * 5.0)
        .collect();
    let fl = bin_floor(&x, &y, 6, 0.1);
    let (xs, fs): (Vec<f64>, Vec<f64>) = fl.iter().copied().unzip();
    assert_eq!(fl.len(), 6);
    assert_close(kendall_tau_b(&xs, &fs).unwrap(), 1.0, 1e-12);
    assert_close(retention(&fs), 1.0, 1e-12);
    assert!(step_concentration(&fs) < 0.4);
}

#[test]
fn bin_floor_bin_boundaries() {
    // Width 1.5: x = 0, 1 -> bin 0; x = 2, 3 -> bin 1 (x_max in the last bin).
    let fl = bin_floor(&[0.0, 1.0, 2.0, 3.0], &[5.0, 6.0, 7.0, 8.0], 2, 0.0);
    assert_eq!(fl, vec![(0.0, 5.0), (2.0, 7.0)]);
    // More bins than points: only non-empty bins.
    let fl = bin_floor(&[0.0, 1.0, 10.0], &[1.0, 2.0, 3.0], 1000, 0.1);
    assert_eq!(fl, vec![(0.0, 1.0), (1.0, 2.0), (10.0, 3.0)]);
    let fl = bin_floor(&[0.0, 1.0, 10.0], &[1.0, 2.0, 3.0], usize::MAX, 0.1);
    assert_eq!(fl.len(), 3);
    // One bin: the q-quantile of everything, at the nearest point's x.
    let fl = bin_floor(&[0.0, 1.0, 2.0, 3.0], &[4.0, 1.0, 3.0, 2.0], 1, 0.5);
    assert_eq!(fl, vec![(2.0, 2.5)]);
}

#[test]
fn bin_floor_sorted_and_unsorted_agree() {
    // The sorted fast path and the bucketing path give the same floor.
    let mut state = 7u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for n in [1usize, 2, 5, 40, 333] {
        let mut x: Vec<f64> = (0..n).map(|_| (next() * 50.0).floor()).collect();
        x.sort_by(f64::total_cmp);
        let y: Vec<f64> = (0..n).map(|_| (next() * 10.0).floor()).collect();
        let (xr, yr): (Vec<f64>, Vec<f64>) = x.iter().rev().zip(y.iter().rev()).unzip();
        for bins in [1usize, 3, 12, 1000] {
            for q in [0.1, 0.5] {
                assert_eq!(
                    bin_floor(&x, &y, bins, q),
                    bin_floor(&xr, &yr, bins, q),
                    "n {n} bins {bins}"
                );
            }
        }
    }
}

#[test]
fn bin_floor_edge_cases() {
    assert!(bin_floor(&[], &[], 3, 0.1).is_empty());
    assert!(bin_floor(&[1.0, 2.0], &[1.0], 3, 0.1).is_empty());
    assert!(bin_floor(&[1.0, 2.0], &[1.0, 2.0], 0, 0.1).is_empty());
    assert!(bin_floor(&[1.0, 2.0], &[1.0, 2.0], 3, NAN).is_empty());
    assert!(bin_floor(&[NAN, INF], &[1.0, 2.0], 3, 0.1).is_empty());
    assert_eq!(bin_floor(&[7.0], &[3.0], 4, 0.1), vec![(7.0, 3.0)]);
    assert_eq!(
        bin_floor(&[2.0, 2.0, 2.0], &[3.0, 1.0, 2.0], 4, 0.0),
        vec![(2.0, 1.0)]
    );
    // q is clamped.
    assert_eq!(
        bin_floor(&[0.0, 1.0], &[3.0, 1.0], 1, 7.0),
        vec![(0.0, 3.0)]
    );
    // NaN pairs dropped.
    assert_eq!(
        bin_floor(&[0.0, NAN, 1.0], &[3.0, 0.0, 1.0], 1, 0.0),
        vec![(1.0, 1.0)]
    );
    // Unsorted x gives the same result as sorted x.
    let mut r = Rng(17);
    let x: Vec<f64> = (0..50).map(|_| r.next() * 100.0).collect();
    let y: Vec<f64> = x.iter().map(|v| v * 0.1 + r.next()).collect();
    let mut pairs: Vec<(f64, f64)> = x.iter().copied().zip(y.iter().copied()).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (xs, ys): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
    assert_eq!(bin_floor(&x, &y, 7, 0.1), bin_floor(&xs, &ys, 7, 0.1));
    // Extreme x range does not overflow.
    assert_eq!(
        bin_floor(&[-f64::MAX, f64::MAX], &[1.0, 2.0], 2, 0.0).len(),
        2
    );
}

// ---- rising_share / retention / step_concentration / deceleration ---------------

#[test]
fn rising_share_values() {
    assert_close(
        rising_share(&[1.0, 2.0, 2.0, 3.0, 1.0]).unwrap(),
        2.0 / 3.0,
        1e-12,
    );
    assert_eq!(rising_share(&[1.0, 2.0, 3.0]), Some(1.0));
    assert_eq!(rising_share(&[3.0, 2.0]), Some(0.0));
    assert_eq!(rising_share(&[1.0, NAN, 2.0]), Some(1.0));
    assert_eq!(rising_share(&[5.0, 5.0, 5.0]), None);
    assert_eq!(rising_share(&[5.0]), None);
    assert_eq!(rising_share(&[]), None);
}

#[test]
fn retention_and_step_concentration_shapes() {
    let stair = [0.0, 1.0, 2.0, 3.0, 4.0];
    assert_close(retention(&stair), 1.0, 1e-12);
    assert_close(step_concentration(&stair), 0.25, 1e-12);
    let one_step = [0.0, 0.0, 5.0, 5.0, 5.0];
    assert_close(retention(&one_step), 1.0, 1e-12);
    assert_close(step_concentration(&one_step), 1.0, 1e-12);
    let temporary = [0.0, 0.0, 5.0, 5.0, 0.0];
    assert_eq!(retention(&temporary), 0.0);
    assert_close(step_concentration(&temporary), 1.0, 1e-12);
    let saw = [0.0, 5.0, 0.0, 5.0, 0.0];
    assert_eq!(retention(&saw), 0.0);
    assert_close(step_concentration(&saw), 0.5, 1e-12);
    let partial = [0.0, 4.0, 2.0, 6.0]; // U = 8, net 6
    assert_close(retention(&partial), 0.75, 1e-12);
    assert_close(step_concentration(&partial), 0.5, 1e-12);
}

#[test]
fn retention_and_step_concentration_edges() {
    for f in [&[][..], &[3.0], &[5.0, 4.0, 1.0], &[2.0, 2.0], &[NAN, INF]] {
        assert_eq!(retention(f), 0.0);
        assert_eq!(step_concentration(f), 0.0);
    }
    // Non-finite values are skipped.
    assert_close(retention(&[0.0, NAN, 1.0, INF, 2.0]), 1.0, 1e-12);
    assert_close(step_concentration(&[0.0, NAN, 1.0, -INF, 2.0]), 0.5, 1e-12);
    // Overflowing U is neutral.
    assert_eq!(retention(&[-f64::MAX, f64::MAX]), 0.0);
}

#[test]
fn t_to_z_matches_tail_probabilities() {
    // t = 2.776 is the 97.5 % point of t(4): z ≈ 1.96.
    assert!(close(t_to_z(2.776, 4.0), 1.96, 0.05));
    // t = 2.042 is the 97.5 % point of t(30).
    assert!(close(t_to_z(2.042, 30.0), 1.96, 0.01));
    // Many degrees of freedom: t ≈ z.
    assert!(close(t_to_z(3.0, 1e6), 3.0, 1e-3));
    assert_eq!(t_to_z(-2.776, 4.0), -t_to_z(2.776, 4.0));
    assert_eq!(t_to_z(0.0, 5.0), 0.0);
    assert_eq!(t_to_z(NAN, 5.0), 0.0);
    assert_eq!(t_to_z(INF, 5.0), INF);
}

#[test]
fn troughs_of_a_rising_sawtooth() {
    // Period 5 with a rising floor and a little noise (an exact ramp has
    // no spread of differences to compare with): drops land at x = 5,
    // 10, …, 25.
    let x: Vec<f64> = (0..30).map(f64::from).collect();
    let y: Vec<f64> = x
        .iter()
        .map(|&t| 100.0 + 2.0 * t + 40.0 * ((t % 5.0) / 5.0) + (t * 1.7).sin() * 0.5)
        .collect();
    let t = troughs(&x, &y, 4.0).unwrap();
    let tx: Vec<f64> = t.iter().map(|p| p.0).collect();
    assert_eq!(tx, vec![5.0, 10.0, 15.0, 20.0, 25.0]);
    assert!(t.windows(2).all(|w| w[1].1 > w[0].1));
    // A straight line with mild alternating noise: no sawtooth.
    let line: Vec<f64> = x
        .iter()
        .map(|&t| t + if t as u32 % 2 == 0 { 0.3 } else { -0.3 })
        .collect();
    assert_eq!(troughs(&x, &line, 4.0), None);
    // A single drop is a step, not a sawtooth.
    let step: Vec<f64> = x
        .iter()
        .map(|&t| t + if t < 15.0 { 50.0 } else { 0.0 })
        .collect();
    assert_eq!(troughs(&x, &step, 4.0), None);
    assert_eq!(troughs(&[0.0, 1.0], &[1.0, 0.0], 4.0), None);
    assert_eq!(troughs(&[0.0, 1.0, 2.0], &[1.0], 4.0), None);
}

#[test]
fn deceleration_saturating_vs_linear() {
    let x: Vec<f64> = (0..=40).map(|i| f64::from(i) * 0.25).collect();
    let sat: Vec<f64> = x.iter().map(|v| 1.0 - (-v).exp()).collect();
    let d = deceleration(&x, &sat);
    assert!(d < 0.3, "saturating D = {d}");
    let line: Vec<f64> = x.iter().map(|v| 2.0 * v + 1.0).collect();
    assert_close(deceleration(&x, &line), 1.0, 1e-9);
    let accel: Vec<f64> = x.iter().map(|v| v * v).collect();
    assert_eq!(deceleration(&x, &accel), 1.0);
    // Rise then flat: D = 0.
    let plateau: Vec<f64> = x.iter().map(|v| v.min(5.0)).collect();
    assert_eq!(deceleration(&x, &plateau), 0.0);
    // Floor of 3 points: the middle one is in both halves.
    assert_close(deceleration(&[0.0, 1.0, 2.0], &[0.0, 2.0, 3.0]), 0.5, 1e-12);
}

#[test]
fn deceleration_neutral_cases() {
    assert_eq!(deceleration(&[], &[]), 1.0);
    assert_eq!(deceleration(&[1.0], &[1.0]), 1.0);
    assert_eq!(deceleration(&[1.0, 2.0], &[1.0]), 1.0);
    assert_eq!(deceleration(&[2.0, 2.0, 2.0], &[1.0, 2.0, 3.0]), 1.0);
    // Falling first half (b1 <= 0).
    assert_eq!(
        deceleration(&[0.0, 1.0, 2.0, 3.0], &[5.0, 4.0, 4.0, 9.0]),
        1.0
    );
    // Second half not computable (one point).
    assert_eq!(deceleration(&[0.0, 1.0, 10.0], &[0.0, 1.0, 2.0]), 1.0);
    assert_eq!(deceleration(&[0.0, NAN, 2.0], &[0.0, 1.0, 2.0]), 1.0);
}

// ---- robustness -------------------------------------------------------------------

#[test]
fn no_panics_on_adversarial_inputs() {
    let cases: Vec<Vec<f64>> = vec![
        vec![],
        vec![NAN],
        vec![INF, -INF],
        vec![NAN, NAN, NAN],
        vec![0.0, -0.0, 0.0],
        vec![f64::MAX, -f64::MAX, f64::MIN_POSITIVE, 0.0],
        vec![1e-300, 2e-300, 3e-300],
        vec![1.0, NAN, INF, -INF, 2.0, 2.0, 3.0],
        (0..300).map(|i| f64::from(i % 3)).collect(),
        (0..300)
            .map(|i| if i % 2 == 0 { NAN } else { f64::from(i) })
            .collect(),
    ];
    for a in &cases {
        let _ = median(a);
        let _ = mad(a);
        for q in [-1.0, 0.0, 0.3, 1.0, 2.0, NAN, INF] {
            let _ = quantile(a, q);
        }
        if let Some(m) = mann_kendall(a) {
            assert!((0.0..=1.0).contains(&m.p) && m.var_s >= 0.0);
        }
        if let Some(s) = rising_share(a) {
            assert!((0.0..=1.0).contains(&s));
        }
        assert!((0.0..=1.0).contains(&retention(a)));
        assert!((0.0..=1.0).contains(&step_concentration(a)));
        for b in &cases {
            for fit in [ols(a, b), theil_sen(a, b)].into_iter().flatten() {
                assert!(fit.slope.is_finite() && fit.intercept.is_finite());
                assert!((0.0..=1.0).contains(&fit.r2));
            }
            if let Some(t) = kendall_tau_b(a, b) {
                assert!((-1.0..=1.0).contains(&t));
            }
            if let Some(r) = pearson(a, b) {
                assert!((-1.0..=1.0).contains(&r));
            }
            assert!((0.0..=1.0).contains(&deceleration(a, b)));
            for bins in [0, 1, 3, 12, usize::MAX] {
                for &(xk, fk) in &bin_floor(a, b, bins, 0.1) {
                    assert!(xk.is_finite() && fk.is_finite());
                }
            }
        }
    }
}

#[test]
fn large_inputs_finish() {
    let mut r = Rng(21);
    let n = 10_000;
    let x: Vec<f64> = (0..n).map(|i| f64::from(i) * 0.5 + r.next()).collect();
    let y: Vec<f64> = x.iter().map(|v| v * 0.01 + (v * 0.3).sin() * 5.0).collect();
    assert!(theil_sen(&x, &y).is_some());
    assert!(kendall_tau_b(&x, &y).is_some());
    assert!(mann_kendall(&y).is_some());
    assert!(ols(&x, &y).is_some());
    assert!(pearson(&x, &y).is_some());
    let fl = bin_floor(&x, &y, 12, 0.1);
    assert_eq!(fl.len(), 12);
    let d = deceleration(&x, &y);
    assert!((0.0..=1.0).contains(&d));
}

#[test]
fn lag_variance_grows_with_the_lag_for_a_walk_only() {
    // A deterministic ±1 walk that keeps going in runs of 8 steps, and ±1 noise.
    let mut walk = vec![0.0];
    for i in 0..400 {
        let step = if (i / 8) % 2 == 0 { 1.0 } else { -1.0 };
        walk.push(walk[walk.len() - 1] + step);
    }
    let noise: Vec<f64> = (0..400)
        .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
        .collect();
    let ratio = |v: &[f64]| lag_variance(v, 4).unwrap() / (4.0 * lag_variance(v, 1).unwrap());
    assert!(ratio(&walk) > 0.8);
    assert!(ratio(&noise) < 0.1);
    // Steps +1, +3, +1, +3: variance of (1, 3, 1, 3) = 4/3.
    assert!((lag_variance(&[0.0, 1.0, 4.0, 5.0, 8.0], 1).unwrap() - 4.0 / 3.0).abs() < 1e-12);
    assert_eq!(lag_variance(&noise, 0), None);
    assert_eq!(lag_variance(&noise[..5], 4), None);
    assert_eq!(lag_variance(&[3.0; 20], 4), Some(0.0));
}

#[test]
fn benjamini_hochberg_cutoff() {
    // m = 4, q = 0.1: thresholds 0.025, 0.05, 0.075, 0.1.
    assert_eq!(bh_cutoff(&[0.2, 0.01, 0.04, 0.9], 0.1), 0.04);
    assert_eq!(bh_cutoff(&[0.03, 0.5, 0.6, 0.7], 0.1), 0.0);
    // Step-up: a later p under its threshold lifts the earlier ones.
    assert_eq!(bh_cutoff(&[0.03, 0.045, 0.07, 0.99], 0.1), 0.07);
    assert_eq!(bh_cutoff(&[f64::NAN, 0.001], 0.05), 0.001);
    assert_eq!(bh_cutoff(&[], 0.05), 0.0);
}

/// [`curvature`] by the plain formulas, one vector per step (the fused
/// passes of the library must give exactly this).
fn curvature_plain(x: &[f64], y: &[f64]) -> Option<f64> {
    let p: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(&a, &b)| (a, b))
        .collect();
    let n = p.len();
    if n < 5 {
        return None;
    }
    let x0 = p.iter().map(|q| q.0).fold(f64::INFINITY, f64::min);
    let x1 = p.iter().map(|q| q.0).fold(f64::NEG_INFINITY, f64::max);
    if x1 <= x0 {
        return None;
    }
    let u: Vec<f64> = p
        .iter()
        .map(|q| 2.0 * (q.0 - x0) / (x1 - x0) - 1.0)
        .collect();
    let nf = n as f64;
    let line = |v: &[f64]| -> (f64, f64) {
        let mu = u.iter().sum::<f64>() / nf;
        let mv = v.iter().sum::<f64>() / nf;
        let (mut suu, mut suv) = (0.0, 0.0);
        for (a, b) in u.iter().zip(v) {
            suu += (a - mu) * (a - mu);
            suv += (a - mu) * (b - mv);
        }
        let b = if suu > 0.0 { suv / suu } else { 0.0 };
        (mv - b * mu, b)
    };
    let u2: Vec<f64> = u.iter().map(|a| a * a).collect();
    let (a0, b0) = line(&u2);
    let w: Vec<f64> = u.iter().map(|a| a * a - (a0 + b0 * a)).collect();
    let sww: f64 = w.iter().map(|v| v * v).sum();
    if sww.is_nan() || sww <= 0.0 {
        return None;
    }
    let ys: Vec<f64> = p.iter().map(|q| q.1).collect();
    let (a1, b1) = line(&ys);
    let r1: Vec<f64> = u.iter().zip(&ys).map(|(a, v)| v - (a1 + b1 * a)).collect();
    let c = w.iter().zip(&r1).map(|(a, b)| a * b).sum::<f64>() / sww;
    let r: Vec<f64> = r1.iter().zip(&w).map(|(a, b)| a - c * b).collect();
    let s2 = r.iter().map(|v| v * v).sum::<f64>() / (nf - 3.0);
    let m = r.iter().sum::<f64>() / nf;
    let den: f64 = r.iter().map(|v| (v - m) * (v - m)).sum();
    let rho = if den > 0.0 {
        let r1 = r.windows(2).map(|q| (q[0] - m) * (q[1] - m)).sum::<f64>() / den;
        r1 + (1.0 + 3.0 * r1) / nf
    } else {
        0.0
    }
    .clamp(0.0, 0.95);
    let se = (s2 * (1.0 + rho) / (1.0 - rho) / sww).sqrt();
    if !(c.is_finite() && se.is_finite()) {
        return None;
    }
    if se <= 0.0 {
        return Some(if c == 0.0 { 0.0 } else { 1e6_f64.copysign(c) });
    }
    Some(t_to_z(c / se, nf - 3.0).clamp(-1e6, 1e6))
}

#[test]
fn curvature_is_the_plain_formulas_bit_for_bit() {
    let mut seed = 11u64;
    let mut unif = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    for case in 0..300 {
        let n = 3 + case % 97;
        let x: Vec<f64> = (0..n).map(|i| i as f64 * (0.5 + unif())).collect();
        let mut y: Vec<f64> = x
            .iter()
            .map(|&t| 1e6 + 300.0 * t - 2.0 * t * t * unif() + 5e4 * (unif() - 0.5))
            .collect();
        if case % 5 == 0 {
            // Non-finite points are left out, as the plain formulas do.
            y[n / 2] = f64::NAN;
            y[n - 1] = f64::INFINITY;
        }
        if case % 7 == 0 {
            y.iter_mut().for_each(|v| *v = 42.0);
        }
        let (got, want) = (curvature(&x, &y), curvature_plain(&x, &y));
        assert_eq!(
            got.map(f64::to_bits),
            want.map(f64::to_bits),
            "case {case}: {got:?} {want:?}"
        );
    }
    assert_eq!(curvature(&[1.0, 2.0], &[1.0]), None);
}
