//! Drift against a series' own wandering, and many tests at once: the
//! variance of a series' `k`-step changes (which tells a random walk from
//! noise around a level) and the Benjamini–Hochberg step-up rule.

/// The sample variance of the `lag`-step changes `v_{i+lag} − v_i` of `v`
/// (overlapping, divided by their count − 1): `j·σ_η² + 2σ_ε²` for a random
/// walk of step variance `σ_η²` plus white noise of variance `σ_ε²`, so that
/// two lags separate the two parts. `None` when `lag` is 0, when there are
/// fewer than two changes or when the result is not finite.
pub fn lag_variance(v: &[f64], lag: usize) -> Option<f64> {
    if lag == 0 || v.len() < lag + 2 {
        return None;
    }
    let d: Vec<f64> = v.windows(lag + 1).map(|w| w[lag] - w[0]).collect();
    let m = d.len() as f64;
    let mean = d.iter().sum::<f64>() / m;
    let var = d.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (m - 1.0);
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
