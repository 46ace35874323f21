//! Drift beyond a series' own wandering: the one test per series that the
//! log-wide decision ([`decide`]) controls for multiplicity.
//!
//! A `leak` must rise more than the series' own dynamics explain. Two nulls
//! fit healthy series: noise around a level (the trend's t-statistic, with
//! the noise's autocorrelation, is the right test) and a random walk, whose
//! `k`-step changes grow with `k` (the drift of its steps is the right test;
//! the trend's t-statistic of a walk grows without bound). Which one fits is
//! read off the residuals around the fitted line: their variance ratio at a
//! lag of an eighth of the segment is about `1/k` for noise and about 1 for
//! a walk; the drift score is the trend's score and the walk's drift score
//! weighted by where the ratio falls between the two. The same is read on
//! the series' floor (a low quantile per window, or a sawtooth's troughs), so
//! churn and sawtooth teeth do not hide a leak, and on the trailing half of
//! each segment too (a leak that starts late). Segments (boots) are combined
//! by Stouffer's rule, weighted by √length; the largest of the four readings
//! counts, at four times its tail probability (a Bonferroni bound).

use super::*;

/// Fewest points for a segment's drift to be read.
pub(super) const DRIFT_MIN_POINTS: usize = 8;

/// The drift score (a normal score) of points `y` on clock `x` around their
/// Theil–Sen line `fit`, with the noise's lag-1 autocorrelation at least
/// `rho`; `None` for fewer than [`DRIFT_MIN_POINTS`] points or no fit.
pub(super) fn drift_score(x: &[f64], y: &[f64], fit: Option<stats::Fit>, rho: f64) -> Option<f64> {
    let n = x.len().min(y.len());
    if n < DRIFT_MIN_POINTS {
        return None;
    }
    let fit = fit?;
    let z_trend = match slope_se_with(x, y, rho, Some(Some(fit))) {
        Some((b, se, df)) if se > 0.0 => stats::t_to_z(b / se, df),
        Some((b, _, _)) if b > 0.0 => f64::INFINITY,
        _ => 0.0,
    };
    let z_walk = stats::increment_t(y).map_or(0.0, |(t, df)| stats::t_to_z(t, df));
    let resid: Vec<f64> = x
        .iter()
        .zip(y)
        .map(|(a, b)| b - (fit.intercept + fit.slope * a))
        .collect();
    let k = (n / 8).max(2);
    // Residuals that do not move: a straight line, no walk.
    let walk = stats::variance_ratio(&resid, k).map_or(0.0, |vr| {
        ((vr * k as f64 - 1.0) / (k as f64 - 1.0)).clamp(0.0, 1.0)
    });
    let z = (1.0 - walk) * z_trend.min(1e6) + walk * z_walk.min(1e6);
    Some(z)
}

/// The floor a segment's drift is also read on: a sawtooth's troughs when
/// it has enough teeth, otherwise the 10th percentile of windows of three
/// or four points ([`DRIFT_MIN_POINTS`] to 32 windows).
pub(super) fn drift_floor(x: &[f64], y: &[f64], drops: Option<&[usize]>) -> Vec<(f64, f64)> {
    let n = x.len().min(y.len());
    match drops.map(|at| stats::troughs_at(&pairs(x, y), at)) {
        Some(t) if t.len() >= MIN_TEETH.max(DRIFT_MIN_POINTS) => t,
        _ => stats::bin_floor(x, y, (n / 4).max(n / 3).clamp(DRIFT_MIN_POINTS, 32), 0.1),
    }
}

/// The raw and floor drift scores of points `x`, `y` (one segment, or its
/// trailing half) around `fit`, with the noise's autocorrelation at least `rho`.
fn readings(
    x: &[f64],
    y: &[f64],
    fit: Option<stats::Fit>,
    drops: Option<&[usize]>,
    rho: f64,
) -> Option<(f64, f64)> {
    let z_raw = drift_score(x, y, fit, rho)?;
    let f = drift_floor(x, y, drops);
    let (fx, fy): (Vec<f64>, Vec<f64>) = f.into_iter().unzip();
    let z_floor = drift_score(&fx, &fy, stats::theil_sen(&fx, &fy), 0.0).unwrap_or(0.0);
    Some((z_raw, z_floor))
}

/// A series' drift: its tail probability (two readings, every boot) and the
/// drift score it comes from, and how much its fitted trend rose over the
/// log (the rises of its segments added up).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Drift {
    /// The larger of the raw and the floor readings (Stouffer over segments).
    pub(super) z: f64,
    /// `min(1, 2·Φ(−z))`; 1 when no segment could be read.
    pub(super) p: f64,
    /// Bytes the fitted trends rose, segments that fell counting 0.
    pub(super) growth: f64,
}

/// Readings of a series' drift: raw and floor, over whole segments and
/// over their trailing halves (a leak that starts late); the tail
/// probability of the largest is multiplied by their number.
const READINGS: f64 = 4.0;

/// The drift of a series from its segments' points (time clock).
pub(super) fn series_drift(points: &[Points], rho: f64) -> Drift {
    let (mut raw, mut floor, mut w2) = (0.0, 0.0, 0.0);
    let (mut raw_tail, mut floor_tail, mut w2_tail) = (0.0, 0.0, 0.0);
    let mut read = false;
    let mut growth = 0.0;
    for pts in points {
        let n = pts.x.len();
        if let Some(fit) = pts.fit {
            let rise = fit.slope * (pts.x[n - 1] - pts.x[0]);
            if rise.is_finite() && rise > 0.0 {
                growth += rise;
            }
        }
        let Some((z_raw, z_floor)) = readings(&pts.x, &pts.y, pts.fit, pts.drops.as_deref(), rho)
        else {
            continue;
        };
        let w = (n as f64).sqrt();
        raw += w * z_raw;
        floor += w * z_floor;
        w2 += w * w;
        read = true;
        let half = n / 2;
        let (tx, ty) = (&pts.x[half..], &pts.y[half..]);
        if let Some((zr, zf)) = readings(tx, ty, fit_line(tx, ty), None, rho) {
            let w = ((n - half) as f64).sqrt();
            raw_tail += w * zr;
            floor_tail += w * zf;
            w2_tail += w * w;
        }
    }
    if !read {
        return Drift {
            z: 0.0,
            p: 1.0,
            growth,
        };
    }
    let mut z = raw.max(floor) / w2.sqrt();
    if w2_tail > 0.0 {
        z = z.max(raw_tail.max(floor_tail) / w2_tail.sqrt());
    }
    let z = z.max(0.0);
    let p = (READINGS * stats::normal_cdf(-z)).min(1.0);
    Drift { z, p, growth }
}
