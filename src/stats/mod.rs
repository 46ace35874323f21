//! Robust trend statistics for the poolscan leak score (PS-1).
//!
//! Plain, dependency-free functions over `&[f64]` slices that implement the
//! statistics of `detection-research.md` §6 (PS-1): the per-bin **floor
//! series** ([`bin_floor`]), its monotonicity ([`kendall_tau_b`]),
//! **retention** ([`retention`]), **step concentration**
//! ([`step_concentration`]), **deceleration** ([`deceleration`], built on
//! [`theil_sen`]), the troughs of a sawtooth ([`troughs`]), and
//! the baselines of §6.5 ([`ols`], [`mann_kendall`], [`pearson`]). Helpers:
//! [`median`], [`quantile`], [`mad`], [`normal_cdf`], [`t_to_z`],
//! [`rising_share`].
//!
//! # Input policy (applies to every function)
//!
//! * **No panics.** Every function is total: empty slices, NaN, ±∞ and
//!   slices of different lengths give `None`, an empty `Vec`, or a documented
//!   neutral value. Nothing here calls `unwrap`/`expect` outside tests.
//! * **Single-series, order-based functions** ([`median`], [`quantile`],
//!   [`mad`], [`mann_kendall`], [`rising_share`]) ignore NaN; ±∞ take part as
//!   ordinary (extreme) values.
//! * **Arithmetic functions** ([`retention`], [`step_concentration`]) ignore
//!   every non-finite value (NaN, ±∞) and work on the finite values that
//!   remain, in their original order.
//! * **Paired functions** (`x`, `y`) return `None` (or the documented neutral
//!   value) when `x.len() != y.len()`, and otherwise use only the pairs where
//!   *both* coordinates are finite, in their original order. A missing
//!   sample is therefore "missing, not 0" (§6.1).
//! * Results that would be non-finite because of floating-point overflow
//!   (e.g. values near `f64::MAX`) are reported as `None` rather than as
//!   `inf`/NaN.
//!
//! # Cost bounds
//!
//! Everything is `O(n log n)` or better except where noted: [`kendall_tau_b`]
//! is `O(m²)` on at most `m = 64` evenly thinned points, and [`theil_sen`]
//! uses all pairs only for `n ≤ 200` and a deterministic, stratified sample of
//! at most ~100 000 pairs above that.
//!
//! # References
//!
//! * R. J. Hyndman, Y. Fan (1996), "Sample quantiles in statistical
//!   packages", *The American Statistician* 50(4):361–365 — definition 7
//!   (the default of R's `quantile` and NumPy's `np.quantile`/`percentile`).
//! * F. R. Hampel (1974), "The influence curve and its role in robust
//!   estimation", *JASA* 69:383–393 — median absolute deviation.
//! * H. Theil (1950), "A rank-invariant method of linear and polynomial
//!   regression analysis", *Proc. KNAW* 53; P. K. Sen (1968), "Estimates of
//!   the regression coefficient based on Kendall's tau", *JASA* 63:1379–1389.
//!   Breakdown point 1 − 1/√2 ≈ 29.3 %.
//! * M. G. Kendall (1945), "The treatment of ties in ranking problems",
//!   *Biometrika* 33:239–251 — τ_b.
//! * H. B. Mann (1945), "Nonparametric tests against trend", *Econometrica*
//!   13:245–259; M. G. Kendall (1975), *Rank Correlation Methods*, 4th ed.
//!   — S, tie-corrected Var(S), continuity-corrected Z. The test assumes no
//!   serial correlation (Hamed & Rao 1998 correct for it; not implemented
//!   here, see §6.4).
//! * W. R. Knight (1966), "A computer method for calculating Kendall's tau
//!   with ungrouped data", *JASA* 61:436–439 — `O(n log n)` pair counting
//!   by merge sort, used by [`mann_kendall`].
//! * W. H. Press et al., *Numerical Recipes in C*, 2nd ed. (1992), §6.2,
//!   `erfcc` (Chebyshev fit, fractional error < 1.2·10⁻⁷ everywhere);
//!   compare M. Abramowitz, I. A. Stegun (1964), *Handbook of Mathematical
//!   Functions*, 7.1.26 (absolute error < 1.5·10⁻⁷, poor relative accuracy
//!   in the tails).
//! * U.S. Patent 7,496,795 ("one point per GC period" reduction) — the
//!   motivation for the floor series, see `detection-research.md` §6.2.

use std::cmp::Ordering;

/// Largest number of (finite) points for which [`theil_sen`] uses all pairs.
const TS_EXACT_MAX: usize = 200;
/// Number of rank strides sampled by [`theil_sen`] above [`TS_EXACT_MAX`].
const TS_STRIDES: usize = 64;
/// Approximate upper bound on the number of pairwise slopes [`theil_sen`]
/// evaluates above [`TS_EXACT_MAX`].
const TS_PAIR_BUDGET: usize = 100_000;
/// [`kendall_tau_b`] thins its input evenly to at most this many points.
const KENDALL_MAX_POINTS: usize = 64;

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

/// Pairs with both coordinates finite, in input order; `None` on a length
/// mismatch.
fn finite_pairs(x: &[f64], y: &[f64]) -> Option<Vec<(f64, f64)>> {
    if x.len() != y.len() {
        return None;
    }
    Some(
        x.iter()
            .zip(y)
            .filter(|(a, b)| a.is_finite() && b.is_finite())
            .map(|(&a, &b)| (a, b))
            .collect(),
    )
}

/// The non-NaN values of `v`, in order.
fn non_nan(v: &[f64]) -> Vec<f64> {
    v.iter().copied().filter(|a| !a.is_nan()).collect()
}

/// The finite values of `v`, in order.
fn finite_values(v: &[f64]) -> Vec<f64> {
    v.iter().copied().filter(|a| a.is_finite()).collect()
}

/// Clamp to `[0, 1]`, mapping NaN to `0`.
fn unit(v: f64) -> f64 {
    if v.is_nan() {
        0.0
    } else {
        v.clamp(0.0, 1.0)
    }
}

/// `a + t (b − a)` for `t ∈ (0, 1)`, robust to infinities and to overflow of
/// `b − a`. An infinite endpoint wins (the lower one first).
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    if a == b || a.is_infinite() {
        return a;
    }
    if b.is_infinite() {
        return b;
    }
    let d = b - a;
    if d.is_finite() {
        a + t * d
    } else {
        a * (1.0 - t) + b * t
    }
}

/// Position of the type-7 quantile in a sample of `n ≥ 1` values: the lower
/// order-statistic index and the interpolation weight.
fn type7_position(n: usize, q: f64) -> (usize, f64) {
    let h = (n - 1) as f64 * q;
    let lo = (h.floor() as usize).min(n - 1);
    (lo, h - lo as f64)
}

/// Type-7 quantile of `values`, which must not contain NaN (turned into
/// keys in place, without a copy); `q` must already be in `[0, 1]`. `None`
/// iff `values` is empty.
fn quantile_of(values: Vec<f64>, q: f64) -> Option<f64> {
    let mut keys: Vec<i64> = values.into_iter().map(order_key).collect();
    quantile_keys(&mut keys, q)
}

/// Type-7 quantile of values given as [`order_key`]s (reordered in place):
/// selection on integers in the order of `f64::total_cmp` (the same order,
/// compared as plain integers: about twice as fast as on the floats).
fn quantile_keys(keys: &mut [i64], q: f64) -> Option<f64> {
    if keys.is_empty() {
        return None;
    }
    let (lo, frac) = type7_position(keys.len(), q);
    let (_, pivot, right) = keys.select_nth_unstable(lo);
    let a = from_order_key(*pivot);
    if frac <= 0.0 || right.is_empty() {
        return Some(a);
    }
    let b = right
        .iter()
        .copied()
        .min()
        .map_or(f64::INFINITY, from_order_key);
    Some(lerp(a, b, frac))
}

/// An integer that sorts like `v` under [`f64::total_cmp`].
fn order_key(v: f64) -> i64 {
    let b = v.to_bits() as i64;
    b ^ (((b >> 63) as u64) >> 1) as i64
}

/// The inverse of [`order_key`].
fn from_order_key(k: i64) -> f64 {
    f64::from_bits((k ^ (((k >> 63) as u64) >> 1) as i64) as u64)
}

/// `(min, max)` of the first coordinates of a non-empty set of pairs.
fn x_range(p: &[(f64, f64)]) -> (f64, f64) {
    p.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(a, _)| {
            (lo.min(a), hi.max(a))
        })
}

/// Keep at most `m ≥ 2` elements, evenly spaced by index, always including
/// the first and the last: index `round(j · (n − 1)/(m − 1))`, `j = 0..m`.
fn thin<T: Copy>(v: &[T], m: usize) -> Vec<T> {
    let n = v.len();
    if n <= m || m < 2 {
        return v.to_vec();
    }
    let (nm1, mm1) = ((n - 1) as u128, (m - 1) as u128);
    (0..m as u128)
        .filter_map(|j| {
            let idx = (j * nm1 + mm1 / 2) / mm1;
            usize::try_from(idx).ok().and_then(|i| v.get(i).copied())
        })
        .collect()
}

/// Rank strides for the sampled Theil–Sen estimator: `m = min(64, n − 1)`
/// values `1 + round(j (n − 2)/(m − 1))`, `j = 0..m`, deduplicated; they run
/// from `1` to `n − 1`. Requires `n ≥ 3`.
fn ts_strides(n: usize) -> Vec<usize> {
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
fn pair_slopes(p: &mut [(f64, f64)]) -> Vec<f64> {
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
fn r2_of_line(p: &[(f64, f64)], slope: f64, intercept: f64) -> f64 {
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
fn centered_sums(p: &[(f64, f64)]) -> (f64, f64, f64, f64, f64) {
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

/// Number of pairs `i < j` with `v[i] > v[j]` (strict), sorting `v`
/// ascending as a side effect. Bottom-up merge sort, `O(n log n)`. `v` must
/// not contain NaN.
fn count_strict_inversions(v: &mut Vec<f64>) -> u64 {
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

/// Median of the non-NaN values of `v`.
///
/// Formula: the type-7 quantile at `q = 0.5` (see [`quantile`]): the middle
/// order statistic for odd `n`, the mean of the two middle ones for even `n`.
///
/// Edge cases: NaN values are ignored; `None` if no non-NaN value remains
/// (empty or all-NaN input). ±∞ are ordinary extreme values.
///
/// Complexity: `O(n)` expected time (selection), `O(n)` extra memory.
pub fn median(v: &[f64]) -> Option<f64> {
    quantile(v, 0.5)
}

/// Sample quantile of the non-NaN values of `v`, Hyndman–Fan type 7 (linear
/// interpolation between order statistics; NumPy's default `linear` method
/// and R's default `type = 7`).
///
/// Formula: with `x_(0) ≤ … ≤ x_(n−1)` the sorted values, `h = (n − 1) q`,
/// `l = ⌊h⌋`: `Q(q) = x_(l) + (h − l)(x_(l+1) − x_(l))`. Example:
/// `quantile(&[1., 2., 3., 4.], 0.25) == Some(1.75)`.
///
/// Edge cases: `q` is clamped to `[0, 1]` (so `q ≤ 0` gives the minimum and
/// `q ≥ 1` the maximum); `q = NaN` gives `None`. NaN values are ignored;
/// `None` if none remain. When an interpolation endpoint is infinite the
/// result is that infinity (the lower endpoint first).
///
/// Complexity: `O(n)` expected time (selection, no full sort), `O(n)` extra
/// memory.
pub fn quantile(v: &[f64], q: f64) -> Option<f64> {
    if q.is_nan() {
        return None;
    }
    let mut keys: Vec<i64> = v
        .iter()
        .filter(|a| !a.is_nan())
        .map(|&a| order_key(a))
        .collect();
    quantile_keys(&mut keys, q.clamp(0.0, 1.0))
}

/// Median absolute deviation (unscaled): `MAD = median_i |v_i − median(v)|`.
///
/// Multiply by `1.4826` to estimate a normal standard deviation; this
/// function does **not** apply that factor. Example: `[1, 1, 2, 2, 4, 6, 9]`
/// has median 2 and MAD 1.
///
/// Edge cases: NaN values are ignored; `None` if no non-NaN value remains,
/// or if every deviation is undefined (e.g. all values are `+∞`, where
/// `∞ − ∞` is NaN; such NaN deviations are ignored).
///
/// Complexity: `O(n)` expected time, `O(n)` extra memory.
pub fn mad(v: &[f64]) -> Option<f64> {
    let m = median(v)?;
    let dev: Vec<f64> = v
        .iter()
        .filter(|a| !a.is_nan())
        .map(|&a| (a - m).abs())
        .filter(|d| !d.is_nan())
        .collect();
    quantile_of(dev, 0.5)
}

// ---------------------------------------------------------------------------
// Regression and correlation
// ---------------------------------------------------------------------------

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
fn erfc(x: f64) -> f64 {
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

/// The **floor series** of §6.2: a low quantile of `y` per equal-width bin
/// of `x`.
///
/// Formula: the range `[x_min, x_max]` of the finite pairs is split into
/// `bins` bins of width `w = (x_max − x_min)/bins`; point `i` goes to bin
/// `min(⌊(x_i − x_min)/w⌋, bins − 1)` (the last bin is closed, so `x_max`
/// belongs to it). For each **non-empty** bin `k` it returns `(x_k, f_k)`,
/// where `f_k` is the type-7 `q`-quantile of the bin's `y` values (see
/// [`quantile`]) and `x_k` is the `x` of the bin's point whose `y` is
/// nearest to `f_k` (ties: the smallest `x`). Output is in ascending bin
/// order, hence ascending `x`. With `q ≈ 0.1` this ignores churn and
/// sawtooth peaks and tracks what never comes back.
///
/// `x` is normally sorted ascending (time or cumulative allocations), but
/// the binning is by value, so unsorted `x` gives the same result.
///
/// Edge cases: empty `Vec` if `x.len() != y.len()`, if `bins == 0`, if `q`
/// is NaN, or if no finite pair remains (pairs with a non-finite coordinate
/// are dropped). `q` is clamped to `[0, 1]`. If all `x` are equal, every
/// point is in one bin and one point is returned. `bins` may exceed the
/// number of points; only non-empty bins are returned, and no memory
/// proportional to `bins` is allocated.
///
/// Complexity: `O(n + bins)` time (a counting sort by bin, then a selection
/// per bin), `O(n)` memory.
pub fn bin_floor(x: &[f64], y: &[f64], bins: usize, q: f64) -> Vec<(f64, f64)> {
    if x.len() != y.len() || x.is_empty() || bins == 0 || q.is_nan() {
        return Vec::new();
    }
    let q = q.clamp(0.0, 1.0);
    // Sorted x (the usual case: time, cumulative counts): each bin is a run
    // of consecutive points, found by binary search; no bucketing needed.
    let finite = x.iter().zip(y).all(|(a, b)| a.is_finite() && b.is_finite());
    if finite && x.windows(2).all(|w| w[0] <= w[1]) {
        return floor_runs(x, y, bins, q);
    }
    let Some(p) = finite_pairs(x, y) else {
        return Vec::new();
    };
    if p.is_empty() {
        return Vec::new();
    }
    if p.windows(2).all(|w| w[0].0 <= w[1].0) {
        let (px, py): (Vec<f64>, Vec<f64>) = p.iter().copied().unzip();
        return floor_runs(&px, &py, bins, q);
    }
    let (xmin, xmax) = x_range(&p);
    let bin = Bins::new(xmin, xmax, bins);
    // Bucket the points by bin with a counting sort (O(n)), then take each
    // bin's quantile by selection, not by sorting.
    // (With far more bins than points, sort the few points by bin instead.)
    let mut tagged: Vec<(usize, f64, f64)> = p.iter().map(|&(a, b)| (bin.of(a), a, b)).collect();
    if bins <= 4 * p.len() + 16 {
        let mut starts = vec![0usize; bins + 1];
        for t in &tagged {
            starts[t.0 + 1] += 1;
        }
        for k in 1..starts.len() {
            starts[k] += starts[k - 1];
        }
        let mut bucketed = vec![(0usize, 0.0f64, 0.0f64); p.len()];
        for t in &tagged {
            bucketed[starts[t.0]] = *t;
            starts[t.0] += 1;
        }
        tagged = bucketed;
    } else {
        tagged.sort_by_key(|t| t.0);
    }
    let mut out = Vec::new();
    let mut keys: Vec<i64> = Vec::new();
    for group in tagged.chunk_by(|l, r| l.0 == r.0) {
        keys.clear();
        keys.extend(group.iter().map(|t| order_key(t.2)));
        let Some(fq) = quantile_keys(&mut keys, q) else {
            continue;
        };
        let mut best: Option<(f64, f64)> = None; // (distance, x)
        for &(_, a, b) in group {
            let d = (b - fq).abs();
            let better = match best {
                None => true,
                Some((bd, bx)) => d < bd || (d == bd && a < bx),
            };
            if better {
                best = Some((d, a));
            }
        }
        if let Some((_, xr)) = best {
            out.push((xr, fq));
        }
    }
    out
}

/// `count` equal-width bins over `[xmin, xmax]` (the last one closed).
#[derive(Debug, Clone, Copy)]
struct Bins {
    xmin: f64,
    /// Half the span: halves keep it finite even for x near ±f64::MAX.
    half_span: f64,
    count: usize,
}

impl Bins {
    fn new(xmin: f64, xmax: f64, count: usize) -> Bins {
        Bins {
            xmin,
            half_span: 0.5 * xmax - 0.5 * xmin,
            count,
        }
    }

    /// The bin of `a` (all in bin 0 when the span is empty).
    fn of(&self, a: f64) -> usize {
        if self.half_span > 0.0 {
            let pos = (0.5 * a - 0.5 * self.xmin) / self.half_span;
            ((pos * self.count as f64).floor() as usize).min(self.count - 1)
        } else {
            0
        }
    }
}

/// [`bin_floor`] of finite points with `x` ascending (not empty, `bins ≥ 1`,
/// `q` in `[0, 1]`): each bin is a run of consecutive points.
fn floor_runs(x: &[f64], y: &[f64], bins: usize, q: f64) -> Vec<(f64, f64)> {
    let (xmin, xmax) = (x[0], x[x.len() - 1]);
    let bin = Bins::new(xmin, xmax, bins);
    let mut out = Vec::new();
    let mut keys: Vec<i64> = Vec::new();
    let mut start = 0;
    while start < x.len() {
        let b = bin.of(x[start]);
        let end = start + x[start..].partition_point(|&t| bin.of(t) <= b);
        let (gx, gy) = (&x[start..end], &y[start..end]);
        start = end;
        keys.clear();
        keys.extend(gy.iter().map(|&v| order_key(v)));
        let Some(fq) = quantile_keys(&mut keys, q) else {
            continue;
        };
        // Nearest to the quantile; ties keep the first, i.e. the smallest x.
        let mut best = (f64::INFINITY, gx[0]);
        for (&a, &b) in gx.iter().zip(gy) {
            let d = (b - fq).abs();
            if d < best.0 {
                best = (d, a);
            }
        }
        out.push((best.1, fq));
    }
    out
}

/// Share of rising steps among the steps where `y` changes.
///
/// Formula: over consecutive values, `up = #{i : y_{i+1} > y_i}`,
/// `changed = #{i : y_{i+1} ≠ y_i}`; returns `up / changed` in `[0, 1]`.
///
/// Edge cases: NaN values are dropped first (the neighbours of a NaN become
/// consecutive); ±∞ compare as ordinary values. `None` if fewer than 2
/// values remain or `y` never changes.
///
/// Complexity: `O(n)` time, `O(n)` extra memory.
pub fn rising_share(y: &[f64]) -> Option<f64> {
    let v = non_nan(y);
    let (mut up, mut changed) = (0usize, 0usize);
    for w in v.windows(2) {
        if w[1] > w[0] {
            up += 1;
            changed += 1;
        } else if w[1] < w[0] {
            changed += 1;
        }
    }
    if changed == 0 {
        None
    } else {
        Some(up as f64 / changed as f64)
    }
}

/// Sum of the positive steps `U = Σ max(Δ_k, 0)` and the largest positive
/// step, over the finite values of `f`.
fn rises(f: &[f64]) -> (Vec<f64>, f64, f64) {
    let v = finite_values(f);
    let (mut u, mut max_step) = (0.0f64, 0.0f64);
    for w in v.windows(2) {
        let d = w[1] - w[0];
        if d > 0.0 {
            u += d;
            max_step = max_step.max(d);
        }
    }
    (v, u, max_step)
}

/// **Retention** `R` of §6.2: the share of the floor's rises that is kept.
///
/// Formula: `Δ_k = f_{k+1} − f_k`, `U = Σ max(Δ_k, 0)`;
/// `R = clamp((f_last − f_first)/U, 0, 1)`, and `R = 0` when `U = 0`.
/// A staircase or a one-time step that stays gives `1`; a temporary step or
/// a sawtooth that returns to its start gives `0`.
///
/// Edge cases: non-finite values are ignored (the remaining values keep
/// their order); returns `0` for fewer than 2 finite values, for a
/// non-rising series, or if `U` overflows.
///
/// Complexity: `O(n)` time, `O(n)` extra memory.
pub fn retention(f: &[f64]) -> f64 {
    let (v, u, _) = rises(f);
    if !(u.is_finite() && u > 0.0) {
        return 0.0;
    }
    match (v.first(), v.last()) {
        (Some(&first), Some(&last)) => unit((last - first) / u),
        _ => 0.0,
    }
}

/// **Step concentration** `J` of §6.2: the largest positive step as a share
/// of all the rise.
///
/// Formula: `J = max_k max(Δ_k, 0) / U` with `U = Σ max(Δ_k, 0)`; `J = 0`
/// when `U = 0`. A single step gives `1`; a staircase of `m` equal steps
/// gives `1/m`; a steady leak with many small rises gives a small value.
///
/// Edge cases: non-finite values are ignored; returns `0` for fewer than 2
/// finite values, for a non-rising series, or if `U` overflows. The result
/// is in `[0, 1]`.
///
/// Complexity: `O(n)` time, `O(n)` extra memory.
pub fn step_concentration(f: &[f64]) -> f64 {
    let (_, u, max_step) = rises(f);
    if !(u.is_finite() && u > 0.0) {
        return 0.0;
    }
    unit(max_step / u)
}

/// **Deceleration** `D` of §6.2: how much of the early growth rate survives
/// in the second half.
///
/// Formula: with `m = (x_min + x_max)/2` the midpoint of the `x` range,
/// `b₁` = [`theil_sen`] slope of the points with `x ≤ m` and `b₂` = slope
/// of the points with `x ≥ m` (a point exactly at `m` belongs to both
/// halves); `D = clamp(b₂/b₁, 0, 1)`. A warming cache (rises, then
/// plateaus) gives `D ≪ 1`; a steady or accelerating leak gives `≈ 1`.
///
/// Edge cases (neutral value `1.0`, i.e. "no damping"): `x.len() !=
/// y.len()`; fewer than 2 finite pairs (pairs with a non-finite coordinate
/// are dropped); either half has no computable slope (fewer than 2 points
/// or constant `x`); or `b₁ ≤ 0`.
///
/// Complexity: that of two [`theil_sen`] calls on the halves: `O(n²)` for
/// `n ≤ 400`, `O(n log n)` above; `O(n)` extra memory.
pub fn deceleration(x: &[f64], f: &[f64]) -> f64 {
    let Some(p) = finite_pairs(x, f) else {
        return 1.0;
    };
    if p.len() < 2 {
        return 1.0;
    }
    let (xmin, xmax) = x_range(&p);
    let mid = 0.5 * xmin + 0.5 * xmax;
    let half = |keep: &dyn Fn(f64) -> bool| -> (Vec<f64>, Vec<f64>) {
        p.iter().filter(|q| keep(q.0)).copied().unzip()
    };
    let (x1, y1) = half(&|a| a <= mid);
    let (x2, y2) = half(&|a| a >= mid);
    let Some(b1) = theil_sen(&x1, &y1).map(|fit| fit.slope) else {
        return 1.0;
    };
    if b1 <= 0.0 {
        return 1.0;
    }
    let Some(b2) = theil_sen(&x2, &y2).map(|fit| fit.slope) else {
        return 1.0;
    };
    unit(b2 / b1)
}

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

/// The **troughs** of a sawtooth: the lowest point of each tooth, one
/// point per tooth (the "one point per GC period" reduction), or `None` when
/// the series is not a sawtooth.
///
/// Formula: first differences `d_i = y_i − y_{i−1}` with robust spread
/// `s = 1.4826·MAD(d)`; a **sudden drop** is a `d_i < −c·s` (`c` =
/// `sigma`, e.g. 4). The series is a sawtooth when there are at least 2
/// drops and they make up at least half of all its falls
/// (`Σ_drops |d_i| ≥ ½ Σ max(−d_i, 0)`). A tooth runs from the point just
/// after one drop to the point before the next (the last one to the end);
/// the part before the first drop is left out (it may start mid-tooth).
/// Points are `(x, y)` pairs of the input, ascending.
///
/// Edge cases: `None` if `x.len() != y.len()`, for fewer than 3 finite
/// pairs (pairs with a non-finite coordinate are dropped), when `MAD(d)` is
/// zero or not finite (no typical movement to compare with), or when the
/// conditions above fail. Ties for the lowest point: the first one.
///
/// Complexity: `O(n)` expected time, `O(n)` extra memory.
pub fn troughs(x: &[f64], y: &[f64], sigma: f64) -> Option<Vec<(f64, f64)>> {
    let p = finite_pairs(x, y)?;
    let ys: Vec<f64> = p.iter().map(|q| q.1).collect();
    let at = drops(&ys, sigma)?;
    Some(troughs_at(&p, &at))
}

/// Where the teeth of a sawtooth start: the indices just after its sudden
/// drops, by the rule of [`troughs`] on the values `y` (which must all be
/// finite), or `None` when `y` is not a sawtooth. [`troughs_at`] then gives
/// the troughs on any clock for the same `y`: `troughs(x, y, c)` equals
/// `drops(y, c).map(|at| troughs_at(&pairs, &at))` for finite pairs.
///
/// Complexity: `O(n)` expected time, `O(n)` extra memory.
pub fn drops(y: &[f64], sigma: f64) -> Option<Vec<usize>> {
    if y.len() < 3 {
        return None;
    }
    let d: Vec<f64> = y.windows(2).map(|w| w[1] - w[0]).collect();
    let s = mad(&d)? * 1.4826;
    if !(s.is_finite() && s > 0.0) {
        return None;
    }
    let falls: f64 = d.iter().map(|v| (-v).max(0.0)).sum();
    let mut dropped = 0.0;
    let mut at: Vec<usize> = Vec::new();
    for (i, &v) in d.iter().enumerate() {
        if v < -sigma * s {
            dropped += -v;
            at.push(i + 1);
        }
    }
    if at.len() < 2 || dropped < 0.5 * falls {
        return None;
    }
    Some(at)
}

/// The lowest point of each tooth of `p` (`(x, y)` pairs), teeth starting
/// at the ascending indices `at` (from [`drops`]); ties: the first one.
pub fn troughs_at(p: &[(f64, f64)], at: &[usize]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(at.len());
    for (j, &lo) in at.iter().enumerate() {
        let hi = at.get(j + 1).copied().unwrap_or(p.len());
        let tooth = p.get(lo..hi).unwrap_or(&[]);
        if let Some(&first) = tooth.first() {
            out.push(
                tooth
                    .iter()
                    .copied()
                    .fold(first, |b, q| if b.1 <= q.1 { b } else { q }),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
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
            .map(|i| {
                (i % 37) as f64 * 10.0 + (i / 37) as f64 * 3.0 + ((i * i * 7919 + i) % 13) as f64
            })
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
}
