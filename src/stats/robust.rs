//! Robust location and spread: median, quantiles (type 7), MAD.

/// `a + t (b − a)` for `t ∈ (0, 1)`, robust to infinities and to overflow of
/// `b − a`. An infinite endpoint wins (the lower one first).
pub(super) fn lerp(a: f64, b: f64, t: f64) -> f64 {
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
pub(super) fn type7_position(n: usize, q: f64) -> (usize, f64) {
    let h = (n - 1) as f64 * q;
    let lo = (h.floor() as usize).min(n - 1);
    (lo, h - lo as f64)
}

/// Type-7 quantile of `values`, which must not contain NaN (turned into
/// keys in place, without a copy); `q` must already be in `[0, 1]`. `None`
/// iff `values` is empty.
pub(super) fn quantile_of(values: Vec<f64>, q: f64) -> Option<f64> {
    let mut keys: Vec<i64> = values.into_iter().map(order_key).collect();
    quantile_keys(&mut keys, q)
}

/// Type-7 quantile of values given as [`order_key`]s (reordered in place):
/// selection on integers in the order of `f64::total_cmp` (the same order,
/// compared as plain integers: about twice as fast as on the floats).
pub(super) fn quantile_keys(keys: &mut [i64], q: f64) -> Option<f64> {
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
pub(super) fn order_key(v: f64) -> i64 {
    let b = v.to_bits() as i64;
    b ^ (((b >> 63) as u64) >> 1) as i64
}

/// The inverse of [`order_key`].
pub(super) fn from_order_key(k: i64) -> f64 {
    f64::from_bits((k ^ (((k >> 63) as u64) >> 1) as i64) as u64)
}

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
