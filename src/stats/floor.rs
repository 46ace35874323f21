//! The floor of a series and its shape: low quantiles in windows, sawtooth
//! troughs, and how the floor rises (rising share, retention, step
//! concentration, deceleration).

use super::*;

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
pub(super) struct Bins {
    pub(super) xmin: f64,
    /// Half the span: halves keep it finite even for x near ±f64::MAX.
    pub(super) half_span: f64,
    pub(super) count: usize,
}

impl Bins {
    pub(super) fn new(xmin: f64, xmax: f64, count: usize) -> Bins {
        Bins {
            xmin,
            half_span: 0.5 * xmax - 0.5 * xmin,
            count,
        }
    }

    /// The bin of `a` (all in bin 0 when the span is empty).
    pub(super) fn of(&self, a: f64) -> usize {
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
pub(super) fn floor_runs(x: &[f64], y: &[f64], bins: usize, q: f64) -> Vec<(f64, f64)> {
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
pub(super) fn rises(f: &[f64]) -> (Vec<f64>, f64, f64) {
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
