//! Drift against a series' own wandering, the bend of a rise, and many
//! tests at once: the variance of a series' `k`-step changes (which tells a
//! random walk from noise around a level), the curvature of a rise against
//! its own noise (a cache filling up bends over, a leak does not) and the
//! Benjamini–Hochberg step-up rule.

/// The sample variance of the `lag`-step changes `v_{i+lag} − v_i` of `v`
/// (overlapping, divided by their count − 1): `j·σ_η² + 2σ_ε²` for a random
/// walk of step variance `σ_η²` plus white noise of variance `σ_ε²`, so that
/// two lags separate the two parts. `None` when `lag` is 0, when there are
/// fewer than two changes or when the result is not finite.
pub fn lag_variance(v: &[f64], lag: usize) -> Option<f64> {
    if lag == 0 || v.len() < lag + 2 {
        return None;
    }
    // The differences, taken twice rather than kept.
    let d = || v.iter().zip(&v[lag..]).map(|(a, b)| b - a);
    let m = (v.len() - lag) as f64;
    let mean = d().sum::<f64>() / m;
    let var = d().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (m - 1.0);
    var.is_finite().then_some(var)
}

/// The Benjamini–Hochberg cutoff for p-values `p` at false discovery rate
/// `q`: the largest `p_(k)` with `p_(k) ≤ q·k/m` (sorted ascending, `m` the
/// number of p-values), or 0 when there is none. Rejecting every p-value at
/// or below the cutoff keeps the expected share of false rejections at most
/// `q` (for independent or positively dependent tests), and when no
/// hypothesis is false, the chance of any rejection at most `q`.
///
/// NaN p-values count as 1 (never rejected). Benjamini and Hochberg (1995),
/// *JRSS B* 57:289–300.
pub fn bh_cutoff(p: &[f64], q: f64) -> f64 {
    let mut v: Vec<f64> = p
        .iter()
        .map(|&x| if x.is_nan() { 1.0 } else { x.clamp(0.0, 1.0) })
        .collect();
    v.sort_by(f64::total_cmp);
    let m = v.len() as f64;
    let mut cut = 0.0;
    for (i, &x) in v.iter().enumerate() {
        if x <= q * (i + 1) as f64 / m {
            cut = x;
        }
    }
    cut
}

/// How clearly `y` bends away from a straight line on clock `x`: the
/// coefficient of the quadratic term of a least-squares fit
/// `y ≈ a + b·u + c·w(u)` (`u` the clock mapped to `[−1, 1]`, `w` the part
/// of `u²` orthogonal to `1` and `u`, so that `a` and `b` are the plain
/// straight line's), over its standard error, as a normal score: negative
/// when the rise bends over (concave: a cache filling up, a cycle past its
/// steepest point), positive when it bends up.
///
/// The standard error is `√(s²·(1 + ρ)/(1 − ρ) / Σw²)`: `s²` the residual
/// variance of the quadratic fit (`n − 3` degrees of freedom), inflated for
/// the lag-1 autocorrelation `ρ` of its residuals (corrected for its bias
/// on short series, `−(1 + 3ρ)/n` (Kendall 1954), clamped to `[0, 0.95]`),
/// so that AR(1) noise does not read as a bend; read on Student's t with
/// `n − 3` degrees of freedom ([`t_to_z`]). A leak is a straight line on its
/// clock plus noise: its `c` is noise. A smooth healthy rise that saturates
/// leaves a `c` many standard errors below zero, since the quadratic term
/// takes the curvature out of the residuals that measure the noise.
///
/// Finite pairs only (input policy). `None` for fewer than 5 of them, a
/// clock that does not move, or a non-finite result; `±10⁶` when the
/// quadratic fits exactly (the sign of `c`; 0 when `c` is 0).
pub fn curvature(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() {
        return None;
    }
    if x.iter().zip(y).all(|(a, b)| a.is_finite() && b.is_finite()) {
        curvature_of(x, y)
    } else {
        let (x, y): (Vec<f64>, Vec<f64>) = super::finite_pairs(x, y)?.into_iter().unzip();
        curvature_of(&x, &y)
    }
}

/// [`curvature`] of finite pairs, in a few fused passes (each sum still
/// taken in order, so the result is that of the plain formulas).
fn curvature_of(x: &[f64], ys: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 5 {
        return None;
    }
    let (x0, x1) = x
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &q| {
            (lo.min(q), hi.max(q))
        });
    if x1 <= x0 {
        return None;
    }
    let nf = n as f64;
    let u: Vec<f64> = x.iter().map(|q| 2.0 * (q - x0) / (x1 - x0) - 1.0).collect();
    // Sums as `Iterator::sum` takes them: in order, from −0.
    let (mut su, mut su2, mut sy) = (-0.0, -0.0, -0.0);
    for (a, v) in u.iter().zip(ys) {
        su += a;
        su2 += a * a;
        sy += v;
    }
    let mu = su / nf;
    // Least-squares lines of u² and of y on u: (intercept, slope); u varies (x1 > x0).
    let (mv2, mvy) = (su2 / nf, sy / nf);
    let (mut suu, mut suv2, mut suvy) = (0.0, 0.0, 0.0);
    for (a, v) in u.iter().zip(ys) {
        suu += (a - mu) * (a - mu);
        suv2 += (a - mu) * (a * a - mv2);
        suvy += (a - mu) * (v - mvy);
    }
    let slope = |suv: f64| if suu > 0.0 { suv / suu } else { 0.0 };
    let (b0, b1) = (slope(suv2), slope(suvy));
    let (a0, a1) = (mv2 - b0 * mu, mvy - b1 * mu);
    // w: the part of u² orthogonal to 1 and u; r1: residuals of the line.
    let w = |a: f64| a * a - (a0 + b0 * a);
    let r1 = |a: f64, v: f64| v - (a1 + b1 * a);
    let (mut sww, mut swr) = (-0.0, -0.0);
    for (&a, &v) in u.iter().zip(ys) {
        let wa = w(a);
        sww += wa * wa;
        swr += wa * r1(a, v);
    }
    if sww.is_nan() || sww <= 0.0 {
        return None;
    }
    let c = swr / sww;
    let r: Vec<f64> = u
        .iter()
        .zip(ys)
        .map(|(&a, &v)| r1(a, v) - c * w(a))
        .collect();
    let (mut srr, mut sr) = (-0.0, -0.0);
    for v in &r {
        srr += v * v;
        sr += v;
    }
    let s2 = srr / (nf - 3.0);
    let rho = {
        let m = sr / nf;
        let (mut den, mut lag) = (-0.0, -0.0);
        for (i, v) in r.iter().enumerate() {
            den += (v - m) * (v - m);
            if let Some(next) = r.get(i + 1) {
                lag += (v - m) * (next - m);
            }
        }
        if den > 0.0 {
            let r1 = lag / den;
            // Kendall's bias of the lag-1 autocorrelation, −(1 + 3ρ)/n.
            r1 + (1.0 + 3.0 * r1) / nf
        } else {
            0.0
        }
    }
    .clamp(0.0, 0.95);
    let se = (s2 * (1.0 + rho) / (1.0 - rho) / sww).sqrt();
    if !(c.is_finite() && se.is_finite()) {
        return None;
    }
    if se <= 0.0 {
        return Some(if c == 0.0 { 0.0 } else { 1e6_f64.copysign(c) });
    }
    Some(super::t_to_z(c / se, nf - 3.0).clamp(-1e6, 1e6))
}
