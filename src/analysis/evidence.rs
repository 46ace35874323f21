//! The evidence of one segment on one clock: the floor, its shape
//! statistics, the trend's significance against the series' own noise, and
//! how the segments of a series are pooled.

use super::*;

/// Statistics of one segment on one clock.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Evidence {
    /// Combined evidence in [0, 1].
    pub e: f64,
    /// Kendall τ of the floor (≥ 0).
    pub tau: f64,
    /// Retention of the floor.
    pub retention: f64,
    /// Step concentration of the floor.
    pub step: f64,
    /// Deceleration factor.
    pub decel: f64,
    /// Rise of the floor over the noise.
    pub snr: f64,
    /// Share of intervals in which the value rose (of those where it changed).
    pub rising: f64,
    /// Floor windows that rose over the one before.
    pub floor_up: u32,
    /// Floor windows compared.
    pub floor_steps: u32,
    /// Width of one floor window on the clock (hours on the time clock).
    pub window: f64,
}

/// Evidence that `y` rises on clock `x` and keeps what it gains.
///
/// `x` must be non-decreasing. Returns zero evidence for fewer than 3 points
/// or a clock that does not move.
pub fn evidence(x: &[f64], y: &[f64]) -> Evidence {
    judge_clock(x, y, 0.0, Pooled::default(), Known::default()).0
}

/// Which reading of a segment gave its evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Path {
    /// The floor: a low quantile per window.
    #[default]
    Floor,
    /// The floor of a sawtooth: the lowest point of each tooth.
    Teeth,
    /// The trend through heavy noise, checked on quarter medians.
    Noise,
}

/// What was already computed on the same points (of one segment), for
/// [`judge_clock`] to reuse instead of computing it again.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Known<'a> {
    /// [`fit_line`] of the points, when known.
    pub(super) fit: Option<Option<stats::Fit>>,
    /// [`stats::drops`] of the values (with [`DROP_SIGMA`]), when known.
    pub(super) drops: Option<Option<&'a [usize]>>,
    /// [`stats::rising_share`] of the values, when known.
    pub(super) rising: Option<Option<f64>>,
}

/// [`evidence`] for a series whose noise is autocorrelated at least `rho`
/// at lag 1 per snapshot (measured over all its segments), and the path
/// that gave it.
pub(super) fn judge_clock(
    x: &[f64],
    y: &[f64],
    rho: f64,
    pooled: Pooled,
    known: Known,
) -> (Evidence, Path) {
    let n = x.len().min(y.len());
    if n < 3 || x[n - 1] <= x[0] {
        return (Evidence::default(), Path::Floor);
    }
    let (x, y) = (&x[..n], &y[..n]);
    let raw = Raw {
        slowdown: slowdown_z(x, y, rho),
        t_raw: trend_t_with(x, y, rho, known.fit),
        rising: known
            .rising
            .unwrap_or_else(|| stats::rising_share(y))
            .unwrap_or(0.0),
        quarters: stats::bin_floor(x, y, 4, 0.5),
    };
    let bins = stats::bin_floor(x, y, floor_windows(n), 0.1);
    let by_bins = judge_floor(x, y, &raw, pooled, bins, false);
    // On a sawtooth with enough teeth, also one point per tooth, its trough
    // (a window shorter than a tooth catches a tooth's rising edge); the
    // clearer of the two readings counts.
    let teeth = match known.drops {
        Some(at) => at.map(|at| stats::troughs_at(&pairs(x, y), at)),
        None => stats::troughs(x, y, DROP_SIGMA),
    };
    match teeth {
        Some(t) if t.len() >= MIN_TEETH => {
            let by_teeth = judge_floor(x, y, &raw, pooled, t, true);
            if by_teeth.0.e > by_bins.0.e {
                by_teeth
            } else {
                by_bins
            }
        }
        _ => by_bins,
    }
}

/// What [`judge_floor`] needs of the raw series, whatever its floor:
/// computed once per clock, shared by the window and the teeth readings.
pub(super) struct Raw {
    /// [`slowdown_z`] of the raw series.
    pub(super) slowdown: f64,
    /// [`trend_t_with`] of the raw series.
    pub(super) t_raw: f64,
    /// [`stats::rising_share`] of the raw series.
    pub(super) rising: f64,
    /// Medians of the four quarters ([`stats::bin_floor`] with 4 bins, q = 0.5).
    pub(super) quarters: Vec<(f64, f64)>,
}

/// [`judge_clock`] on a given floor.
pub(super) fn judge_floor(
    x: &[f64],
    y: &[f64],
    raw: &Raw,
    pooled: Pooled,
    floor: Vec<(f64, f64)>,
    teeth: bool,
) -> (Evidence, Path) {
    let n = x.len().min(y.len());
    let k = floor_windows(n);
    if floor.len() < 3 {
        return (Evidence::default(), Path::Floor);
    }
    let fx: Vec<f64> = floor.iter().map(|p| p.0).collect();
    let fy: Vec<f64> = floor.iter().map(|p| p.1).collect();
    let tau = stats::kendall_tau_b(&fx, &fy).unwrap_or(0.0).max(0.0);
    let smooth = median3(&fy);
    let retention = stats::retention(&smooth);
    let step = stats::step_concentration(&smooth);
    // Deceleration of the floor, weighted by how sure it is that the raw
    // data really slowed down: the drop from the first half's slope to the
    // second half's, over its standard error (a noisy floor must not hide a
    // slow leak; a cache that filled up slows down far beyond its noise).
    let floor_decel = stats::deceleration(&fx, &fy);
    let z = raw.slowdown;
    let sure = 1.0 - (-(z.max(0.0) / 2.0).powi(2)).exp();
    let decel = 1.0 - sure * (1.0 - floor_decel);
    // Confidence grows with the points and with the floor windows: three
    // floor points that happen to rise prove little.
    let by_points = 1.0 - (-((n - 1) as f64) / 4.0).exp();
    let shrink = by_points * (1.0 - (-((floor.len() as f64 - 2.0) / 1.5)).exp());
    let t_raw = raw.t_raw;
    // The floor's own trend, by Mann–Kendall: a rank test that cannot read
    // much into a handful of windows (five rising windows give z ≈ 2.2).
    let t_floor = stats::mann_kendall(&fy).map_or(0.0, |m| m.z.max(0.0));
    let snr = t_raw.max(t_floor).max(pooled.any);
    let significance = 1.0 - (-(snr / 3.0).powi(2)).exp();
    let rising = raw.rising;
    // Step concentration beyond that of a straight line over the same
    // windows (m equal rises give 1/m): 0 for a line, 1 for a single step.
    let lumpy = |step: f64, windows: usize| {
        let m = windows.saturating_sub(1).max(2) as f64;
        ((step - 1.0 / m) / (1.0 - 1.0 / m)).clamp(0.0, 1.0)
    };
    let mut e =
        tau * retention.sqrt() * decel * (1.0 - lumpy(step, smooth.len())) * shrink * significance;
    let mut path = if teeth { Path::Teeth } else { Path::Floor };
    // A slow leak under heavy noise: its floor windows are noisy, but its
    // trend stands out of the noise. Judged on the trend's significance
    // (a stricter scale than the floor's, which also needs a monotonic
    // floor), with the shape checks on the medians of the four quarters:
    // kept its rises, not one step, did not slow down.
    let quarters = &raw.quarters;
    if quarters.len() == 4 {
        let qy: Vec<f64> = quarters.iter().map(|p| p.1).collect();
        let kept = stats::retention(&qy);
        let one_step = lumpy(stats::step_concentration(&qy), 4);
        let sig = 1.0 - (-((t_raw.max(pooled.trend) - NOISE_Z0).max(0.0) / 3.0).powi(2)).exp();
        let e_noise = sig * decel * (1.0 - one_step) * kept.sqrt() * by_points;
        if e_noise > e {
            // Told as a rise through noise only when the floor alone would
            // not have made it a leak.
            if e < LEAK_AT {
                path = Path::Noise;
            }
            e = e_noise;
        }
    }
    let snr = if path == Path::Noise {
        t_raw.max(pooled.trend)
    } else {
        snr
    };
    let floor_up = smooth.windows(2).filter(|w| w[1] > w[0]).count() as u32;
    let floor_steps = smooth.len().saturating_sub(1) as u32;
    let window = (x[n - 1] - x[0]) / if teeth { floor.len() } else { k } as f64;
    (
        Evidence {
            e: e.clamp(0.0, 1.0),
            tau,
            retention,
            step,
            decel,
            snr,
            rising,
            floor_up,
            floor_steps,
            window,
        },
        path,
    )
}

/// How far a Theil–Sen trend stands out from the noise around it: the
/// slope's t-statistic `b / se(b)` (Theil–Sen slope, robust residual
/// spread, autocorrelation-corrected effective points n_eff) on `n_eff − 2`
/// degrees of freedom, as the normal score of the same tail probability
/// ([`stats::t_to_z`]: a handful of effective points proves little). Zero
/// for a falling or flat trend.
pub fn trend_t(x: &[f64], y: &[f64]) -> f64 {
    trend_t_with(x, y, 0.0, None)
}

/// [`trend_t`] with a floor `rho` on the noise's lag-1 autocorrelation per
/// snapshot, and the fit when it is known ([`slope_se_with`]).
pub(super) fn trend_t_with(x: &[f64], y: &[f64], rho: f64, fit: Option<Option<stats::Fit>>) -> f64 {
    match slope_se_with(x, y, rho, fit) {
        Some((b, se, df)) if b > 0.0 => stats::t_to_z(b / se, df),
        _ => 0.0,
    }
}

/// A Theil–Sen slope, its standard error `se = σ / (sd(x)·√n_eff)` and the
/// degrees of freedom `n_eff − 2`, with σ the robust spread of the residuals
/// (1.4826·MAD) and `n_eff = n(1−ρ)/(1+ρ)` shrunk by the lag-1
/// autocorrelation ρ of the residuals, or `rho_min` per snapshot (raised to
/// the spacing of the thinned points) when that is larger: a random walk or
/// a cycle has long runs and so few independent points. On a long series
/// slope, σ and ρ all come from the same at most [`FIT_POINTS`] evenly
/// spaced points, so that the standard error is that of the fitted slope.
/// `None` for fewer than 3 points or no fit.
pub(super) fn slope_se(x: &[f64], y: &[f64], rho_min: f64) -> Option<(f64, f64, f64)> {
    slope_se_with(x, y, rho_min, None)
}

/// [`slope_se`] given the Theil–Sen line when it is known: it must be
/// [`fit_line`]`(x, y)`, the fit of the same thinned points.
pub(super) fn slope_se_with(
    x: &[f64],
    y: &[f64],
    rho_min: f64,
    fit: Option<Option<stats::Fit>>,
) -> Option<(f64, f64, f64)> {
    let n = x.len().min(y.len());
    if n < 3 {
        return None;
    }
    let (tx, ty) = fit_sample(&x[..n], &y[..n]);
    let fit = match fit {
        Some(known) => known,
        None => stats::theil_sen(&tx, &ty),
    }?;
    let resid: Vec<f64> = tx
        .iter()
        .zip(&ty)
        .map(|(a, b)| b - (fit.intercept + fit.slope * a))
        .collect();
    let spread = stats::mad(&resid).unwrap_or(0.0) * 1.4826;
    let m = tx.len() as f64;
    let mean_x = tx.iter().sum::<f64>() / m;
    let sd_x = (tx.iter().map(|v| (v - mean_x) * (v - mean_x)).sum::<f64>() / m).sqrt();
    if sd_x <= 0.0 {
        return None;
    }
    let level = stats::median(&ty).unwrap_or(0.0).abs();
    // Exactly linear data: judge against a tiny share of the level.
    let sd = if spread > 0.0 {
        spread
    } else {
        (level * 1e-4).max(1.0)
    };
    let stride = (n - 1) as f64 / (tx.len() - 1).max(1) as f64;
    let rho = lag1(&resid).max(rho_min.powf(stride)).clamp(0.0, 0.99);
    let n_eff = (m * (1.0 - rho) / (1.0 + rho)).max(2.0);
    Some((
        fit.slope,
        sd / (sd_x * n_eff.sqrt()),
        (n_eff - 2.0).max(1.0),
    ))
}

/// How significantly the growth slowed down from the first half of the
/// clock's range to the second: `(b₁ − b₂)/√(se₁² + se₂²)` of the two
/// halves' Theil–Sen slopes ([`slope_se`]); zero when the first half does
/// not rise or a half has fewer than 3 points. A cache that filled up gives
/// a large value, a steady leak under noise a value near zero.
pub(super) fn slowdown_z(x: &[f64], y: &[f64], rho: f64) -> f64 {
    let n = x.len().min(y.len());
    if n < 6 {
        return 0.0;
    }
    let mid = x[0] + (x[n - 1] - x[0]) / 2.0;
    let h = x[..n].partition_point(|&a| a < mid);
    let (Some((b1, s1, _)), Some((b2, s2, _))) = (
        slope_se(&x[..h], &y[..h], rho),
        slope_se(&x[h..n], &y[h..n], rho),
    ) else {
        return 0.0;
    };
    if b1 <= 0.0 {
        return 0.0;
    }
    (b1 - b2) / (s1 * s1 + s2 * s2).sqrt()
}

/// Floor windows for a segment of `n` points: about one per three points,
/// 3 to 12.
pub(super) fn floor_windows(n: usize) -> usize {
    ((n as f64 / 3.0).round() as usize).clamp(3, 12)
}

/// The floor of a segment for the trend tests pooled over boots: a
/// sawtooth's troughs when it has enough teeth (`drops`: [`stats::drops`]
/// of `y`), otherwise the 10th percentile per window.
pub(super) fn floor_of(x: &[f64], y: &[f64], drops: Option<&[usize]>) -> Vec<(f64, f64)> {
    floor_points(x, y, drops, MIN_TEETH, floor_windows(x.len().min(y.len())))
}

/// A sawtooth's troughs when `drops` gives at least `min_teeth` of them,
/// otherwise the 10th percentile of each of `windows` windows.
pub(super) fn floor_points(
    x: &[f64],
    y: &[f64],
    drops: Option<&[usize]>,
    min_teeth: usize,
    windows: usize,
) -> Vec<(f64, f64)> {
    match drops.map(|at| stats::troughs_at(&pairs(x, y), at)) {
        Some(t) if t.len() >= min_teeth => t,
        _ => stats::bin_floor(x, y, windows, 0.1),
    }
}

/// The floor a segment is judged on, as [`judged_floor`] gives it (for charts).
#[derive(Debug, Clone, PartialEq)]
pub struct JudgedFloor {
    /// The floor's points `(x, bytes)`, on the clock given.
    pub points: Vec<(f64, f64)>,
    /// Whether they are a sawtooth's troughs (else each window's 10th percentile).
    pub troughs: bool,
    /// The windows they were read in (0 for troughs).
    pub windows: usize,
}

/// The floor that [`evidence`] reads one segment's Bytes `y` on, on the
/// clock `x` (non-decreasing): a sawtooth's troughs when it has at least 5
/// teeth and their reading is the clearer one, otherwise the 10th
/// percentile of each of 3 to 12 windows. A segment longer than
/// [`JUDGE_POINTS`] is read on that many evenly spaced points, as
/// [`analyze`] does. The series' noise model pooled over its boots is left
/// out, so on a rare series the two readings may be chosen otherwise than
/// in [`analyze`].
pub fn judged_floor(x: &[f64], y: &[f64]) -> JudgedFloor {
    let at = judged_points(0, x.len().min(y.len()));
    let xs: Vec<f64> = at.iter().map(|&i| x[i]).collect();
    let ys: Vec<f64> = at.iter().map(|&i| y[i]).collect();
    let n = xs.len();
    if n >= 3 && xs[n - 1] > xs[0] {
        let (_, path) = judge_clock(&xs, &ys, 0.0, Pooled::default(), Known::default());
        let teeth = stats::troughs(&xs, &ys, DROP_SIGMA).filter(|t| t.len() >= MIN_TEETH);
        if let (Path::Teeth, Some(points)) = (path, teeth) {
            return JudgedFloor {
                points,
                troughs: true,
                windows: 0,
            };
        }
    }
    let windows = floor_windows(n);
    JudgedFloor {
        points: stats::bin_floor(&xs, &ys, windows, 0.1),
        troughs: false,
        windows,
    }
}

/// Fewest teeth for which a sawtooth's troughs replace the floor windows.
pub(super) const MIN_TEETH: usize = 5;

/// Where the trend significance of the noise path starts to count (in
/// normal scores): it must clear this before it is worth anything.
pub(super) const NOISE_Z0: f64 = 0.5;

/// A sudden drop, in robust spreads of the first differences ([`stats::troughs`]).
pub(super) const DROP_SIGMA: f64 = 4.0;

/// Running median of three (ends kept), to take single-bin noise out of the floor.
pub(super) fn median3(f: &[f64]) -> Vec<f64> {
    let mut out = f.to_vec();
    for i in 1..f.len().saturating_sub(1) {
        let (a, b, c) = (f[i - 1], f[i], f[i + 1]);
        out[i] = a.max(b).min(a.min(b).max(c));
    }
    out
}

/// Points kept for a Theil–Sen fit: enough for a robust slope, few enough
/// that the pairwise pass stays cheap on a series of 5,000 snapshots.
pub(super) const FIT_POINTS: usize = 64;

/// A Theil–Sen line through at most [`FIT_POINTS`] evenly spaced points of
/// the series (all of them when it is shorter): O(FIT_POINTS²), not O(n²).
pub(super) fn fit_line(x: &[f64], y: &[f64]) -> Option<stats::Fit> {
    let (tx, ty) = fit_sample(x, y);
    stats::theil_sen(&tx, &ty)
}

/// At most [`FIT_POINTS`] evenly spaced points (first and last included).
pub(super) fn fit_sample(x: &[f64], y: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = x.len().min(y.len());
    if n <= FIT_POINTS {
        return (x[..n].to_vec(), y[..n].to_vec());
    }
    spaced(n, FIT_POINTS).map(|i| (x[i], y[i])).unzip()
}

/// The points as `(x, y)` pairs.
pub(super) fn pairs(x: &[f64], y: &[f64]) -> Vec<(f64, f64)> {
    x.iter().copied().zip(y.iter().copied()).collect()
}

/// Lag-1 autocorrelation φ of the series' noise from its first
/// differences, pooled over its segments: for an AR(1) noise the
/// differences have lag-1 autocorrelation `r = −(1 − φ)/2`, so
/// `φ = 1 + 2r` (i.i.d. noise gives 0, a random walk nearly 1). Unlike
/// residuals around a straight line, differences do not mistake a bend (a
/// late start) for correlated noise. `r = Σ num / Σ den` over segments of 4
/// points or more, each demeaned on its own, after taking out the
/// segment's Theil–Sen trend. Zero when there is too little to tell.
pub(super) fn pooled_rho(segs: &[Points]) -> f64 {
    let (mut num, mut den, mut count) = (0.0, 0.0, 0usize);
    for s in segs {
        if s.y.len() < 4 {
            continue;
        }
        let (x, y) = (&s.x, &s.y);
        let b = s.fit.map_or(0.0, |f| f.slope);
        let d: Vec<f64> = (1..x.len())
            .map(|i| (y[i] - y[i - 1]) - b * (x[i] - x[i - 1]))
            .collect();
        let m = d.iter().sum::<f64>() / d.len() as f64;
        den += d.iter().map(|v| (v - m) * (v - m)).sum::<f64>();
        num += d.windows(2).map(|w| (w[0] - m) * (w[1] - m)).sum::<f64>();
        count += d.len();
    }
    if den <= 0.0 || count < 8 {
        return 0.0;
    }
    // A cautious estimate: less half a standard error (r has a standard
    // error of about 1/√N, φ twice that), so that short i.i.d. noise is not
    // taken for a walk.
    (1.0 + 2.0 * num / den - 1.0 / (count as f64).sqrt()).clamp(0.0, 0.99)
}

/// Trend significance of a series over all its segments (boots), for a
/// leak that grows in every boot but too briefly in each to be sure of it.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Pooled {
    /// The larger of the two combined scores below.
    pub(super) any: f64,
    /// Stouffer's combination of the segments' signed trend scores
    /// ([`trend_t`]), weighted by √points: `Σ wᵢzᵢ / √Σ wᵢ²`.
    pub(super) trend: f64,
}

/// [`Pooled`] over the segments of 4 points or more on clock `x_of`; zero
/// unless there are at least two. The floor part is the seasonal Kendall
/// test (Hirsch, Slack & Smith 1982): the segments' Mann–Kendall S and
/// Var(S) of their floors summed, `z = (ΣS − 1)/√ΣVar`.
pub(super) fn pooled_trend(segs: &[Points], rho: f64) -> Pooled {
    // Fewer than two segments that can take part: nothing to pool (and the
    // floors and fits below would be computed for nothing).
    if segs.iter().filter(|s| s.y.len() >= 4).count() < 2 {
        return Pooled::default();
    }
    let (mut wz, mut ww, mut s_sum, mut v_sum, mut parts) = (0.0, 0.0, 0.0, 0.0, 0);
    for s in segs {
        let m = s.y.len();
        if m < 4 {
            continue;
        }
        let (x, y) = (&s.x, &s.y);
        if x[m - 1] <= x[0] {
            continue;
        }
        let Some((b, se, df)) = slope_se_with(x, y, rho, Some(s.fit)) else {
            continue;
        };
        let w = (m as f64).sqrt();
        wz += w * stats::t_to_z(b / se, df);
        ww += w * w;
        let floor = floor_of(x, y, s.drops.as_deref());
        let fy: Vec<f64> = floor.iter().map(|p| p.1).collect();
        if let Some(mk) = stats::mann_kendall(&fy) {
            s_sum += mk.s;
            v_sum += mk.var_s;
        }
        parts += 1;
    }
    if parts < 2 || ww <= 0.0 {
        return Pooled::default();
    }
    let trend = (wz / ww.sqrt()).max(0.0);
    let kendall = if v_sum > 0.0 && s_sum > 1.0 {
        (s_sum - 1.0) / v_sum.sqrt()
    } else {
        0.0
    };
    Pooled {
        any: trend.max(kendall),
        trend,
    }
}

/// Lag-1 autocorrelation.
pub(super) fn lag1(r: &[f64]) -> f64 {
    let n = r.len();
    if n < 3 {
        return 0.0;
    }
    let m = r.iter().sum::<f64>() / n as f64;
    let den: f64 = r.iter().map(|v| (v - m) * (v - m)).sum();
    if den <= 0.0 {
        return 0.0;
    }
    let num: f64 = r.windows(2).map(|w| (w[0] - m) * (w[1] - m)).sum();
    num / den
}
