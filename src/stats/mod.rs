//! Robust trend statistics for the poolscan leak score (PS-1): pure
//! functions over slices, importing nothing from the crate.
//!
//! What lives here: `robust` (median, quantiles, MAD), `fit` (least squares,
//! Theil–Sen), `trend` (Kendall, Mann–Kendall, Pearson, the normal and t
//! distributions), `floor` (floor windows, troughs, retention, step
//! concentration, deceleration), `drift` (the variance of `k`-step changes,
//! Benjamini–Hochberg); shared helpers in this file.
//!
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

mod drift;
mod fit;
mod floor;
mod robust;
mod trend;

pub use drift::*;
pub use fit::*;
pub use floor::*;
pub use robust::*;
pub use trend::*;

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

#[cfg(test)]
mod tests;
