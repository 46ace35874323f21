//! Drift against a series' own wandering, and many tests at once: the
//! random-walk drift test, the variance ratio that tells a random walk from
//! a stationary series, and the Benjamini–Hochberg step-up rule.

use super::finite_values;

/// The t-statistic of the mean first difference of `y` and its degrees of
/// freedom (`n − 2` for `n` values): the test of a random walk's drift.
///
/// Under a random walk without drift, `y_{i+1} − y_i` are independent with
/// mean 0, and `t = mean(Δy) / (sd(Δy)/√(n−1))` follows Student's t with
/// `n − 2` degrees of freedom. A stationary series (noise around a level)
/// gives a smaller `t` (its differences sum to `y_n − y_1`, which does not
/// grow with `n`), so the test is conservative there; a trend plus noise
/// gives `t ∝ √n`.
///
/// Non-finite values are dropped first. `None` for fewer than 4 values; a
/// series whose differences are all equal gives `t = ±∞` when they are not
/// zero (a straight line) and `None` when they are (flat).
///
/// Example: `increment_t(&[0., 1., 2., 3., 4.])` is `(∞, 3)`.
pub fn increment_t(y: &[f64]) -> Option<(f64, f64)> {
    let v = finite_values(y);
    let n = v.len();
    if n < 4 {
        return None;
    }
    let d: Vec<f64> = v.windows(2).map(|w| w[1] - w[0]).collect();
    let m = d.len() as f64;
    let mean = d.iter().sum::<f64>() / m;
    let var = d.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (m - 1.0);
    let df = (n - 2) as f64;
    if !(var.is_finite() && mean.is_finite()) {
        return None;
    }
    if var <= 0.0 {
        return (mean != 0.0).then(|| (f64::INFINITY.copysign(mean), df));
    }
    Some((mean / (var / m).sqrt(), df))
}

/// The variance ratio of `r` at lag `k`: `Var(r_{i+k} − r_i) / (k · Var(r_{i+1} − r_i))`
/// (Lo and MacKinlay, 1988), over overlapping differences.
///
/// About 1 for a random walk (its `k`-step changes have `k` times the
/// variance of one step), about `1/k` for white noise (any two values differ
/// by the same spread), in between for a mean-reverting series. Non-finite
/// values are dropped first. `None` when `k < 2`, when fewer than `2k`
/// values remain or when the series does not move.
pub fn variance_ratio(r: &[f64], k: usize) -> Option<f64> {
    let v = finite_values(r);
    if k < 2 || v.len() < 2 * k {
        return None;
    }
    let var_of = |lag: usize| -> f64 {
        let d: Vec<f64> = v.windows(lag + 1).map(|w| w[lag] - w[0]).collect();
        let m = d.len() as f64;
        let mean = d.iter().sum::<f64>() / m;
        d.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / m
    };
    let one = var_of(1);
    let many = var_of(k);
    (one > 0.0 && one.is_finite() && many.is_finite()).then(|| many / (k as f64 * one))
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
