//! Straight lines through points: least squares and Theil–Sen.

use super::*;

/// Largest number of (finite) points for which [`theil_sen`] uses all pairs.
pub(super) const TS_EXACT_MAX: usize = 200;

/// Number of rank strides sampled by [`theil_sen`] above [`TS_EXACT_MAX`].
pub(super) const TS_STRIDES: usize = 64;

/// Approximate upper bound on the number of pairwise slopes [`theil_sen`]
/// evaluates above [`TS_EXACT_MAX`].
pub(super) const TS_PAIR_BUDGET: usize = 100_000;

/// A fitted straight line `y ≈ intercept + slope · x`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Change of `y` per unit of `x`.
    pub slope: f64,
    /// Value of the line at `x = 0`.
    pub intercept: f64,
    /// Coefficient of determination `1 − SS_res/SS_tot` of this line on the
    /// points used, clamped to `[0, 1]`. When all `y` are equal
    /// (`SS_tot = 0`) it is `1` if the line passes through every point and
    /// `0` otherwise (the scikit-learn `r2_score` convention).
    pub r2: f64,
}

/// `(min, max)` of the first coordinates of a non-empty set of pairs.
pub(super) fn x_range(p: &[(f64, f64)]) -> (f64, f64) {
    p.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(a, _)| {
            (lo.min(a), hi.max(a))
        })
}

/// Rank strides for the sampled Theil–Sen estimator: `m = min(64, n − 1)`
/// values `1 + round(j (n − 2)/(m − 1))`, `j = 0..m`, deduplicated; they run
/// from `1` to `n − 1`. Requires `n ≥ 3`.
pub(super) fn ts_strides(n: usize) -> Vec<usize> {
    let m = TS_STRIDES.min(n - 1).max(2);
    let (span, mm1) = ((n - 2) as u128, (m - 1) as u128);
    let mut ks: Vec<usize> = (0..m as u128)
        .filter_map(|j| usize::try_from(1 + (j * span + mm1 / 2) / mm1).ok())
        .filter(|&k| k < n)
        .collect();
    ks.dedup();
    ks
}

/// Pairwise slopes `(y_j − y_i)/(x_j − x_i)` over pairs with `x_i ≠ x_j`
/// (all pairs for `n ≤ 200`, a stratified sample otherwise; `p` is sorted by
/// `x` in the latter case). NaN slopes (from overflow) are dropped.
pub(super) fn pair_slopes(p: &mut [(f64, f64)]) -> Vec<f64> {
    fn push(a: (f64, f64), b: (f64, f64), out: &mut Vec<f64>) {
        if a.0 != b.0 {
            let s = (b.1 - a.1) / (b.0 - a.0);
            if !s.is_nan() {
                out.push(s);
            }
        }
    }
    let n = p.len();
    let mut out = Vec::new();
    if n < 2 {
        return out;
    }
    if n <= TS_EXACT_MAX {
        out.reserve(n * (n - 1) / 2);
        for (i, &a) in p.iter().enumerate() {
            for &b in &p[i + 1..] {
                push(a, b, &mut out);
            }
        }
        return out;
    }
    p.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let strides = ts_strides(n);
    let total: usize = strides.iter().map(|&k| n - k).sum();
    let step = total.div_ceil(TS_PAIR_BUDGET).max(1);
    out.reserve(total / step + strides.len());
    for &k in &strides {
        let mut i = 0;
        while i + k < n {
            push(p[i], p[i + k], &mut out);
            i += step;
        }
    }
    out
}

/// `1 − SS_res/SS_tot` of the line `intercept + slope·x` on `p`, clamped to
/// `[0, 1]` (see [`Fit::r2`] for the constant-`y` convention).
pub(super) fn r2_of_line(p: &[(f64, f64)], slope: f64, intercept: f64) -> f64 {
    if p.is_empty() {
        return 0.0;
    }
    let my = p.iter().map(|q| q.1).sum::<f64>() / p.len() as f64;
    let (mut ss_tot, mut ss_res) = (0.0, 0.0);
    for &(a, b) in p {
        let r = b - (intercept + slope * a);
        ss_res += r * r;
        ss_tot += (b - my) * (b - my);
    }
    if ss_tot == 0.0 {
        return if ss_res == 0.0 { 1.0 } else { 0.0 };
    }
    unit(1.0 - ss_res / ss_tot)
}

/// Centered sums `(mean_x, mean_y, Sxx, Sxy, Syy)` (two-pass).
pub(super) fn centered_sums(p: &[(f64, f64)]) -> (f64, f64, f64, f64, f64) {
    let nf = p.len() as f64;
    let mx = p.iter().map(|q| q.0).sum::<f64>() / nf;
    let my = p.iter().map(|q| q.1).sum::<f64>() / nf;
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for &(a, b) in p {
        let (dx, dy) = (a - mx, b - my);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    (mx, my, sxx, sxy, syy)
}

/// Ordinary least-squares line of `y` on `x`.
///
/// Formula (centered, two-pass): `slope = Sxy/Sxx`,
/// `intercept = ȳ − slope·x̄`, `r2 = Sxy²/(Sxx·Syy)` (= `1 − SS_res/SS_tot`),
/// where `Sxx = Σ(x−x̄)²`, `Sxy = Σ(x−x̄)(y−ȳ)`, `Syy = Σ(y−ȳ)²`.
///
/// Edge cases: `None` if `x.len() != y.len()`, if fewer than 2 finite pairs
/// remain (pairs with a non-finite coordinate are dropped), if all `x` are
/// equal (`Sxx = 0`), or if the result overflows. When all `y` are equal the
/// fit is exact: `slope = 0`, `r2 = 1`.
///
/// Complexity: `O(n)` time, `O(n)` extra memory.
pub fn ols(x: &[f64], y: &[f64]) -> Option<Fit> {
    let p = finite_pairs(x, y)?;
    if p.len() < 2 {
        return None;
    }
    let (mx, my, sxx, sxy, syy) = centered_sums(&p);
    if !(sxx.is_finite() && sxx > 0.0) {
        return None;
    }
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    if !(slope.is_finite() && intercept.is_finite()) {
        return None;
    }
    let r2 = if syy > 0.0 {
        unit((sxy / sxx) * (sxy / syy))
    } else {
        1.0
    };
    Some(Fit {
        slope,
        intercept,
        r2,
    })
}

/// Theil–Sen robust line of `y` on `x`.
///
/// Formula: `slope = median{(y_j − y_i)/(x_j − x_i) : i < j, x_i ≠ x_j}`;
/// `intercept = median_i(y_i − slope·x_i)` over all finite points;
/// `r2 = clamp(1 − SS_res/SS_tot, 0, 1)` of that line on all finite points
/// (it can be negative before clamping, since the line is not the
/// least-squares one). Uses the real `x`, so irregular sampling is fine; it
/// tolerates up to ~29.3 % arbitrary outliers.
///
/// **Large inputs.** For `n ≤ 200` finite points all `n(n−1)/2` pairs are
/// used (exact estimator). For `n > 200` the points are sorted by `x` and a
/// deterministic, stratified subsample of pairs is used: the pairs
/// `(i, i + k)` (ranks in `x` order) for 64 rank strides `k` spread evenly
/// over `1..=n−1`, taking every `s`-th start index `i = 0, s, 2s, …`, with
/// `s` chosen so that at most about 100 000 slopes are evaluated. Each
/// sampled stride contributes in proportion to `n − k`, as in the full pair
/// set, so the sample approximates the all-pairs median; the pair of the
/// smallest and largest `x` is always included, so a slope exists whenever
/// `x` is not constant.
///
/// Edge cases: `None` if `x.len() != y.len()`, if fewer than 2 finite pairs
/// remain, if no (sampled) pair has distinct `x` (all `x` equal), or if the
/// result overflows.
///
/// Complexity: `O(n²)` for `n ≤ 200` (≤ 19 900 slopes), `O(n log n)` plus at
/// most ~100 000 slopes above; `O(n + 100 000)` extra memory.
pub fn theil_sen(x: &[f64], y: &[f64]) -> Option<Fit> {
    let mut p = finite_pairs(x, y)?;
    if p.len() < 2 {
        return None;
    }
    let slopes = pair_slopes(&mut p);
    let slope = quantile_of(slopes, 0.5)?;
    if !slope.is_finite() {
        return None;
    }
    let resid: Vec<f64> = p
        .iter()
        .map(|&(a, b)| b - slope * a)
        .filter(|r| !r.is_nan())
        .collect();
    let intercept = quantile_of(resid, 0.5)?;
    if !intercept.is_finite() {
        return None;
    }
    Some(Fit {
        slope,
        intercept,
        r2: r2_of_line(&p, slope, intercept),
    })
}
