//! Monotonic trend and correlation tests, and the normal and Student's t
//! distributions they are read on.

use super::*;

/// [`kendall_tau_b`] thins its input evenly to at most this many points.
pub(super) const KENDALL_MAX_POINTS: usize = 64;

/// Result of the Mann–Kendall trend test (see [`mann_kendall`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannKendall {
    /// `S = Σ_{i<j} sign(y_j − y_i)`; positive for an upward trend.
    pub s: f64,
    /// Tie-corrected variance of `S` under the null hypothesis of no trend.
    pub var_s: f64,
    /// Continuity-corrected standard score of `S` (`0` when `S = 0` or
    /// `var_s = 0`).
    pub z: f64,
    /// Two-sided p-value `2 · (1 − Φ(|z|))`, in `[0, 1]`.
    pub p: f64,
}

// ---------------------------------------------------------------------------
// Private helpers
// ---------------------------------------------------------------------------

/// Number of pairs `i < j` with `v[i] > v[j]` (strict), sorting `v`
/// ascending as a side effect. Bottom-up merge sort, `O(n log n)`. `v` must
/// not contain NaN.
pub(super) fn count_strict_inversions(v: &mut Vec<f64>) -> u64 {
    let n = v.len();
    let mut buf = vec![0.0; n];
    let mut inv: u64 = 0;
    let mut width = 1usize;
    while width < n {
        let mut start = 0usize;
        while start < n {
            let mid = start.saturating_add(width).min(n);
            let end = start.saturating_add(width.saturating_mul(2)).min(n);
            let (left, right) = (&v[start..mid], &v[mid..end]);
            let out = &mut buf[start..end];
            let (mut i, mut j, mut k) = (0usize, 0usize, 0usize);
            while i < left.len() && j < right.len() {
                if left[i] <= right[j] {
                    out[k] = left[i];
                    i += 1;
                } else {
                    out[k] = right[j];
                    j += 1;
                    inv += (left.len() - i) as u64;
                }
                k += 1;
            }
            let rest_l = left.len() - i;
            out[k..k + rest_l].copy_from_slice(&left[i..]);
            k += rest_l;
            out[k..].copy_from_slice(&right[j..]);
            start = end;
        }
        std::mem::swap(v, &mut buf);
        width = width.saturating_mul(2);
    }
    inv
}

// ---------------------------------------------------------------------------
// Location and scale
// ---------------------------------------------------------------------------

/// Kendall's rank correlation τ_b, with the tie correction.
///
/// Formula: over all pairs `i < j`, `n_c` = concordant pairs
/// (`sign(x_j − x_i) = sign(y_j − y_i) ≠ 0`), `n_d` = discordant pairs,
/// `n_1` = pairs tied in `x`, `n_2` = pairs tied in `y` (a pair tied in
/// both counts in both), `n_0 = n(n−1)/2`:
/// `τ_b = (n_c − n_d)/√((n_0 − n_1)(n_0 − n_2))`, in `[−1, 1]`.
///
/// **Large inputs.** When more than 64 finite pairs remain, they are first
/// thinned evenly **by index** to 64 points (indices
/// `round(j·(n−1)/63)`, `j = 0..64`, first and last always kept), so pass
/// points in their natural (time / `x`) order. The result then estimates
/// τ_b of the whole series.
///
/// Edge cases: `None` if `x.len() != y.len()`, if fewer than 2 finite pairs
/// remain (pairs with a non-finite coordinate are dropped), or if all
/// (thinned) `x` or all `y` are tied (denominator 0).
///
/// Complexity: `O(n + m²)` time with `m = min(n, 64)`, `O(n)` extra memory.
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> Option<f64> {
    let p = thin(&finite_pairs(x, y)?, KENDALL_MAX_POINTS);
    let n = p.len();
    if n < 2 {
        return None;
    }
    let (mut nc, mut nd, mut tx, mut ty) = (0u64, 0u64, 0u64, 0u64);
    for (i, &(xi, yi)) in p.iter().enumerate() {
        for &(xj, yj) in &p[i + 1..] {
            let sx = xj.partial_cmp(&xi).unwrap_or(Ordering::Equal);
            let sy = yj.partial_cmp(&yi).unwrap_or(Ordering::Equal);
            match (sx, sy) {
                (Ordering::Equal, Ordering::Equal) => {
                    tx += 1;
                    ty += 1;
                }
                (Ordering::Equal, _) => tx += 1,
                (_, Ordering::Equal) => ty += 1,
                (a, b) if a == b => nc += 1,
                _ => nd += 1,
            }
        }
    }
    let n0 = (n as u64) * (n as u64 - 1) / 2;
    let denom = (n0.saturating_sub(tx) as f64) * (n0.saturating_sub(ty) as f64);
    if denom <= 0.0 {
        return None;
    }
    Some(((nc as f64 - nd as f64) / denom.sqrt()).clamp(-1.0, 1.0))
}

/// Mann–Kendall test for a monotonic trend in `y` (values in time order).
///
/// Formulas: `S = Σ_{i<j} sign(y_j − y_i)`;
/// `Var(S) = [n(n−1)(2n+5) − Σ_g t_g(t_g−1)(2t_g+5)]/18`, where `t_g` are the
/// sizes of the groups of tied values; `Z = (S−1)/√Var(S)` if `S > 0`,
/// `(S+1)/√Var(S)` if `S < 0`, `0` if `S = 0`;
/// two-sided `p = 2·(1 − Φ(|Z|))`, computed as `2·Φ(−|Z|)` with
/// [`normal_cdf`] for tail accuracy. Example: `y = [1, 2, 3, 4, 5]` gives
/// `S = 10`, `Var(S) = 50/3`, `Z ≈ 2.2045`, `p ≈ 0.0275`.
///
/// Edge cases: NaN values are dropped (the remaining values keep their
/// order); ±∞ are ordinary extreme values. `None` if fewer than 2 values
/// remain. If all values are tied, `Var(S) = 0` and the result is
/// `S = 0, Z = 0, p = 1` (no trend). The normal approximation is poor for
/// `n < 10`; with `n ≤ 4` no series reaches `p < 0.05`. No correction for
/// serial correlation is applied.
///
/// Complexity: `O(n log n)` time (S by merge-sort inversion counting,
/// Knight 1966, instead of the naive `O(n²)` double loop), `O(n)` extra
/// memory.
pub fn mann_kendall(y: &[f64]) -> Option<MannKendall> {
    let mut v = non_nan(y);
    let n = v.len();
    if n < 2 {
        return None;
    }
    // Number of strictly decreasing pairs; sorts `v` ascending.
    let dec = count_strict_inversions(&mut v);
    // Tied pairs and the tie term of the variance, from the sorted values.
    let (mut tied_pairs, mut tie_term) = (0u64, 0.0f64);
    let mut start = 0usize;
    while start < n {
        let mut end = start + 1;
        while end < n && v[end] == v[start] {
            end += 1;
        }
        let t = (end - start) as u64;
        tied_pairs += t * (t - 1) / 2;
        let tf = t as f64;
        tie_term += tf * (tf - 1.0) * (2.0 * tf + 5.0);
        start = end;
    }
    let n0 = (n as u64) * (n as u64 - 1) / 2;
    let inc = n0.saturating_sub(tied_pairs).saturating_sub(dec);
    let s = inc as f64 - dec as f64;
    let nf = n as f64;
    let var_s = ((nf * (nf - 1.0) * (2.0 * nf + 5.0) - tie_term) / 18.0).max(0.0);
    let z = if var_s > 0.0 && s > 0.0 {
        (s - 1.0) / var_s.sqrt()
    } else if var_s > 0.0 && s < 0.0 {
        (s + 1.0) / var_s.sqrt()
    } else {
        0.0
    };
    let p = (2.0 * normal_cdf(-z.abs())).clamp(0.0, 1.0);
    Some(MannKendall { s, var_s, z, p })
}

/// Pearson product-moment correlation of `x` and `y`.
///
/// Formula (centered, two-pass): `r = Sxy/√(Sxx·Syy)`, clamped to
/// `[−1, 1]` against rounding.
///
/// Edge cases: `None` if `x.len() != y.len()`, if fewer than 2 finite pairs
/// remain (pairs with a non-finite coordinate are dropped), if all `x` or
/// all `y` are equal (zero variance), or if the sums overflow.
///
/// Complexity: `O(n)` time, `O(n)` extra memory.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let p = finite_pairs(x, y)?;
    if p.len() < 2 {
        return None;
    }
    let (_, _, sxx, sxy, syy) = centered_sums(&p);
    if !(sxx.is_finite() && syy.is_finite() && sxx > 0.0 && syy > 0.0) {
        return None;
    }
    let r = sxy / (sxx.sqrt() * syy.sqrt());
    if r.is_finite() {
        Some(r.clamp(-1.0, 1.0))
    } else {
        None
    }
}

/// Standard normal cumulative distribution function `Φ(z) = ½·erfc(−z/√2)`.
///
/// `erfc` is the Chebyshev approximation `erfcc` of Numerical Recipes
/// (Press et al. 1992, §6.2): with `t = 1/(1 + |x|/2)`,
/// `erfc(|x|) ≈ t·exp(−x² − 1.26551223 + t(1.00002368 + … + t·0.17087277))`
/// and `erfc(−x) = 2 − erfc(x)`. Its **fractional** error is below
/// `1.2·10⁻⁷` for every `x`, so small tail probabilities (p-values) keep
/// about 7 significant digits; this is better than Abramowitz–Stegun 7.1.26,
/// whose error bound (`1.5·10⁻⁷`) is absolute. Examples: `Φ(0) = 0.5`,
/// `Φ(1.96) ≈ 0.9750021`.
///
/// Edge cases: `Φ(+∞) = 1`, `Φ(−∞) = 0`; NaN gives NaN. The result is in
/// `[0, 1]` for every non-NaN input.
///
/// Complexity: `O(1)`.
pub fn normal_cdf(z: f64) -> f64 {
    (0.5 * erfc(-z / std::f64::consts::SQRT_2)).clamp(0.0, 1.0)
}

/// Complementary error function, Numerical Recipes `erfcc` (see
/// [`normal_cdf`]); fractional error < 1.2·10⁻⁷.
pub(super) fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let ans = t * poly.exp();
    if x >= 0.0 {
        ans
    } else {
        2.0 - ans
    }
}

// ---------------------------------------------------------------------------
// Floor series and PS-1 evidence terms
// ---------------------------------------------------------------------------

/// A Student-t statistic with `df` degrees of freedom as the normal score
/// of the same tail probability, by Wallace's approximation:
/// `z = sign(t)·√(ν·ln(1 + t²/ν))·(8ν + 1)/(8ν + 3)` with `ν = df`.
/// A t of 5 on 4 degrees of freedom is worth z ≈ 2.8; on 100, z ≈ 4.7.
///
/// Edge cases: `df` below 1 is taken as 1; a non-finite `t` or `df` gives
/// `0` for NaN and `±∞` mapped to `±∞`.
///
/// Reference: D. L. Wallace (1959), "Bounds on normal approximations to
/// Student's and the chi-square distributions", *Ann. Math. Statist.*
/// 30:1121–1130.
///
/// Complexity: `O(1)`.
pub fn t_to_z(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() {
        return 0.0;
    }
    if t.is_infinite() {
        return t;
    }
    let v = df.max(1.0);
    if v.is_infinite() {
        return t;
    }
    let z = (v * (t * t / v).ln_1p()).sqrt() * (8.0 * v + 1.0) / (8.0 * v + 3.0);
    z.copysign(t)
}
