//! Leak ranking: trend and regression passes over every (tag, pool) series.
//!
//! # Method
//! 1. The `samples` rows are put in polars frames sorted by series and
//!    snapshot, a round of consecutive series at a time (so the grouped rows
//!    are never all held at once), and each series is one contiguous slice.
//! 2. Each series is cut into **segments** that are never fitted across: at
//!    every boot epoch and wherever its own Allocs or Frees drop (a driver
//!    reload).
//! 3. Each segment of 3 or more points (at most [`JUDGE_POINTS`] of them,
//!    evenly spaced, when it is longer: a series' cost is bounded) is
//!    judged on two clocks: hours, and
//!    the **allocation clock** (the allocations matched by frees, i.e. the
//!    churn `min(ΔAllocs, ΔFrees)` summed, which the series' own rises and
//!    falls do not move), on which a per-operation leak is a straight line
//!    however bursty the workload. On each clock the Bytes series is reduced
//!    to a **floor**: the 10th percentile in each of K bins (and, on a
//!    sawtooth with 5 teeth or more, also the trough of each tooth; the
//!    clearer reading counts), which ignores churn and sawtooth peaks and
//!    keeps what is never given back. The
//!    floor gives the shape statistics of [`crate::stats`]: Kendall τ
//!    (monotonic rise), retention (share of the rises kept), step
//!    concentration beyond that of a straight line (a single jump is a
//!    step, not a leak), deceleration (a cache that fills up slows down),
//!    counted only as far as the slowdown of the raw data is significant.
//!    Their product, shrunk for short segments, is the evidence E. The same
//!    is computed on the trailing half of the segment (a leak that starts
//!    late), when the first half neither rose nor fell and the end is above
//!    anything the first half reached.
//! 4. The rise must stand out from the series' own noise: the larger of
//!    the Theil–Sen trend's t-statistic (robust residual spread; effective
//!    points corrected for the noise's autocorrelation, measured over all
//!    the series' segments, since a bounded random walk has long runs;
//!    read on Student's t as a normal score) and the Mann–Kendall score of
//!    the floor. Over several boots both are also combined (Stouffer,
//!    seasonal Kendall). A slow leak under heavy noise, whose floor windows
//!    are too noisy to be monotonic, is also judged on its trend's
//!    significance alone (on a stricter scale), with retention, step and
//!    deceleration checked on the medians of the four quarters.
//! 5. Segments are pooled, weighted by length; a leak seen in more than one
//!    boot gets a bonus. The score in [0, 1] sorts; verdicts are `leak`
//!    (score ≥ 0.35), `suspect` (≥ 0.2) and `ok`.
//!
//! Rates are Theil–Sen slopes of Bytes (and of Diff) per hour on the last
//! segment that has 3 points or more.

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::NaiveDateTime;
use polars::prelude::*;
use rayon::prelude::*;
use serde::Serialize;

use crate::error::Result;
use crate::log::{split_front, InputInfo, Log, TimeSource};
use crate::parse::{Pool, NO_DRIVER};
use crate::pooltag::TagDb;
use crate::stats;
use crate::units;

/// The verdict on a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing to see.
    Ok,
    /// Worth a look.
    Suspect,
    /// Belongs in a bug report.
    Leak,
}

impl Verdict {
    /// The word used in every output.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Suspect => "suspect",
            Verdict::Leak => "leak",
        }
    }
}

/// Score at or above which a series is a `leak`.
pub const LEAK_AT: f64 = 0.35;
/// Score at or above which a series is a `suspect`.
pub const SUSPECT_AT: f64 = 0.2;

/// Options for [`analyze`].
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A pool budget in bytes: estimate when the pools reach it.
    pub budget: Option<u64>,
}

/// A straight line fitted to a segment, for charts: bytes = a + b·hours (or snapshot).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Trend {
    /// First snapshot of the segment.
    pub from_snapshot: u32,
    /// Last snapshot of the segment.
    pub to_snapshot: u32,
    /// Bytes at the segment's start.
    pub start_bytes: f64,
    /// Bytes at the segment's end.
    pub end_bytes: f64,
}

/// One ranked series.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesReport {
    /// 1-based rank.
    pub rank: usize,
    /// Pool tag.
    pub tag: String,
    /// `Paged` or `Nonpaged`.
    pub pool: &'static str,
    /// `leak`, `suspect` or `ok`.
    pub verdict: Verdict,
    /// Leak score in [0, 1].
    pub score: f64,
    /// Bytes in the first snapshot the series appears in.
    pub bytes_first: u64,
    /// Bytes in the last snapshot the series appears in.
    pub bytes_last: u64,
    /// Largest Bytes seen.
    pub bytes_max: u64,
    /// Theil–Sen growth of Bytes per hour (null on an ordinal axis).
    pub bytes_per_hour: Option<f64>,
    /// Theil–Sen growth of outstanding allocations per hour (null on an ordinal axis).
    pub outstanding_per_hour: Option<f64>,
    /// Snapshots the series appears in.
    pub snapshots: u32,
    /// Mapped_Driver text, or the pooltag.txt entry.
    pub driver: Option<String>,
    /// Why it ranks where it does, in one line.
    pub reason: String,
    /// Growth per snapshot (on any axis).
    pub bytes_per_snapshot: f64,
    /// Share of its pool's bytes in the last snapshot.
    pub pool_share: f64,
    /// Allocations per allocation never freed (1 in N), when measurable.
    pub never_freed_one_in: Option<f64>,
    /// Segments (epochs and resets) the series was cut into.
    pub segments: u32,
    /// Segments judged to leak.
    pub leaking_segments: u32,
    /// Fitted trend lines, one per segment of 3 points or more.
    pub trends: Vec<Trend>,
    /// Index into [`Log::series`].
    #[serde(skip)]
    pub series_id: u32,
    /// The strongest segment's statistics.
    #[serde(skip)]
    pub evidence: Evidence,
}

/// Pool totals.
#[derive(Debug, Clone, Serialize)]
pub struct PoolTotals {
    /// KiB in the first snapshot.
    pub kib_first: u64,
    /// KiB in the last snapshot.
    pub kib_last: u64,
    /// Theil–Sen growth in KiB per hour over the last epoch (null on an ordinal axis).
    pub kib_per_hour: Option<f64>,
    /// From the summary lines (`summary`) or summed rows (`rows`).
    pub source: &'static str,
    /// Hours until the pool reaches `--budget` at this rate.
    pub hours_to_budget: Option<f64>,
}

/// Commit charge from the summary lines.
#[derive(Debug, Clone, Serialize)]
pub struct Commit {
    /// KiB in the first snapshot.
    pub kib_first: u64,
    /// KiB in the last snapshot.
    pub kib_last: u64,
    /// Commit limit in the last snapshot.
    pub limit_kib: Option<u64>,
    /// Growth in KiB per hour over the last epoch.
    pub kib_per_hour: Option<f64>,
    /// Hours until the limit at this rate.
    pub hours_to_limit: Option<f64>,
}

/// The whole analysis, as `analyze --format json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// `poolscan.analysis/1`.
    pub schema: &'static str,
    /// poolscan's version.
    pub version: &'static str,
    /// Per-input diagnostics.
    pub inputs: Vec<InputReport>,
    /// Snapshots over all inputs.
    pub snapshots: usize,
    /// Boot epochs.
    pub epochs: u32,
    /// First snapshot time (ISO 8601, local as the log wrote it).
    pub start: Option<String>,
    /// Last snapshot time.
    pub end: Option<String>,
    /// `stamps`, `interval` or `ordinal`.
    pub time_source: TimeSource,
    /// Hours covered (null on an ordinal axis).
    pub hours: Option<f64>,
    /// Pool totals by pool name.
    pub pools: BTreeMap<&'static str, PoolTotals>,
    /// Commit charge, when the log has summary lines.
    pub commit: Option<Commit>,
    /// `--budget` in bytes.
    pub budget_bytes: Option<u64>,
    /// Every series, most suspect first.
    pub series: Vec<SeriesReport>,
    /// Snapshot times (ms since 1970, local), for charts.
    #[serde(skip)]
    pub times_ms: Vec<Option<i64>>,
    /// Snapshot epochs, for charts.
    #[serde(skip)]
    pub snapshot_epochs: Vec<u32>,
}

/// Per-input diagnostics in the JSON.
#[derive(Debug, Clone, Serialize)]
pub struct InputReport {
    /// The input as named.
    pub path: String,
    /// Snapshots read.
    pub snapshots: u32,
    /// Lines read.
    pub lines: u64,
    /// Lines that could not be read.
    pub skipped_lines: u64,
    /// The first warnings: `line N: reason`.
    pub warnings: Vec<String>,
    /// All warnings, counted (skipped lines and notes).
    pub warning_count: u64,
    /// Skipped lines by reason.
    pub skipped_by_reason: std::collections::BTreeMap<String, u64>,
    /// How numeric dates were read.
    pub date_order: Option<String>,
}

impl From<&InputInfo> for InputReport {
    fn from(i: &InputInfo) -> Self {
        InputReport {
            path: i.path.clone(),
            snapshots: i.snapshots,
            lines: i.lines,
            skipped_lines: i.skipped_lines,
            warnings: i
                .warnings
                .iter()
                .map(|w| format!("line {}: {}", w.line, w.reason))
                .collect(),
            warning_count: i.warning_count,
            skipped_by_reason: i.reasons.clone(),
            date_order: i.date_order.clone(),
        }
    }
}

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
enum Path {
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
struct Known<'a> {
    /// [`fit_line`] of the points, when known.
    fit: Option<Option<stats::Fit>>,
    /// [`stats::drops`] of the values (with [`DROP_SIGMA`]), when known.
    drops: Option<Option<&'a [usize]>>,
    /// [`stats::rising_share`] of the values, when known.
    rising: Option<Option<f64>>,
}

/// [`evidence`] for a series whose noise is autocorrelated at least `rho`
/// at lag 1 per snapshot (measured over all its segments), and the path
/// that gave it.
fn judge_clock(x: &[f64], y: &[f64], rho: f64, pooled: Pooled, known: Known) -> (Evidence, Path) {
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
struct Raw {
    /// [`slowdown_z`] of the raw series.
    slowdown: f64,
    /// [`trend_t_with`] of the raw series.
    t_raw: f64,
    /// [`stats::rising_share`] of the raw series.
    rising: f64,
    /// Medians of the four quarters ([`stats::bin_floor`] with 4 bins, q = 0.5).
    quarters: Vec<(f64, f64)>,
}

/// [`judge_clock`] on a given floor.
fn judge_floor(
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
fn trend_t_with(x: &[f64], y: &[f64], rho: f64, fit: Option<Option<stats::Fit>>) -> f64 {
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
fn slope_se(x: &[f64], y: &[f64], rho_min: f64) -> Option<(f64, f64, f64)> {
    slope_se_with(x, y, rho_min, None)
}

/// [`slope_se`] given the Theil–Sen line when it is known: it must be
/// [`fit_line`]`(x, y)`, the fit of the same thinned points.
fn slope_se_with(
    x: &[f64],
    y: &[f64],
    rho_min: f64,
    fit: Option<Option<stats::Fit>>,
) -> Option<(f64, f64, f64)> {
    let n = x.len().min(y.len());
    if n < 3 {
        return None;
    }
    let (tx, ty) = thin(&x[..n], &y[..n]);
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
fn slowdown_z(x: &[f64], y: &[f64], rho: f64) -> f64 {
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
fn floor_windows(n: usize) -> usize {
    ((n as f64 / 3.0).round() as usize).clamp(3, 12)
}

/// The floor of a segment for the trend tests pooled over boots: a
/// sawtooth's troughs when it has enough teeth (`drops`: [`stats::drops`]
/// of `y`), otherwise the 10th percentile per window.
fn floor_of(x: &[f64], y: &[f64], drops: Option<&[usize]>) -> Vec<(f64, f64)> {
    match drops.map(|at| stats::troughs_at(&pairs(x, y), at)) {
        Some(t) if t.len() >= MIN_TEETH => t,
        _ => stats::bin_floor(x, y, floor_windows(x.len().min(y.len())), 0.1),
    }
}

/// Fewest teeth for which a sawtooth's troughs replace the floor windows.
const MIN_TEETH: usize = 5;

/// Where the trend significance of the noise path starts to count (in
/// normal scores): it must clear this before it is worth anything.
const NOISE_Z0: f64 = 0.5;

/// A sudden drop, in robust spreads of the first differences ([`stats::troughs`]).
const DROP_SIGMA: f64 = 4.0;

/// Running median of three (ends kept), to take single-bin noise out of the floor.
fn median3(f: &[f64]) -> Vec<f64> {
    let mut out = f.to_vec();
    for i in 1..f.len().saturating_sub(1) {
        let (a, b, c) = (f[i - 1], f[i], f[i + 1]);
        out[i] = a.max(b).min(a.min(b).max(c));
    }
    out
}

/// Points kept for a Theil–Sen fit: enough for a robust slope, few enough
/// that the pairwise pass stays cheap on a series of 5,000 snapshots.
pub const FIT_POINTS: usize = 64;

/// Formerly the cap on the points of the residual statistics in
/// [`trend_t`]; they now come from the same at most [`FIT_POINTS`] points as
/// the slope (so that the standard error is the fitted slope's). Kept for
/// compatibility.
pub const RESID_POINTS: usize = 512;

/// A Theil–Sen line through at most [`FIT_POINTS`] evenly spaced points of
/// the series (all of them when it is shorter): O(FIT_POINTS²), not O(n²).
pub fn fit_line(x: &[f64], y: &[f64]) -> Option<stats::Fit> {
    let (tx, ty) = thin(x, y);
    stats::theil_sen(&tx, &ty)
}

/// At most [`FIT_POINTS`] evenly spaced points (first and last included).
fn thin(x: &[f64], y: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = x.len().min(y.len());
    if n <= FIT_POINTS {
        return (x[..n].to_vec(), y[..n].to_vec());
    }
    spaced(n, FIT_POINTS).map(|i| (x[i], y[i])).unzip()
}

/// The points as `(x, y)` pairs.
fn pairs(x: &[f64], y: &[f64]) -> Vec<(f64, f64)> {
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
fn pooled_rho(segs: &[Points]) -> f64 {
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
struct Pooled {
    /// The larger of the two combined scores below.
    any: f64,
    /// Stouffer's combination of the segments' signed trend scores
    /// ([`trend_t`]), weighted by √points: `Σ wᵢzᵢ / √Σ wᵢ²`.
    trend: f64,
}

/// [`Pooled`] over the segments of 4 points or more on clock `x_of`; zero
/// unless there are at least two. The floor part is the seasonal Kendall
/// test (Hirsch, Slack & Smith 1982): the segments' Mann–Kendall S and
/// Var(S) of their floors summed, `z = (ΣS − 1)/√ΣVar`.
fn pooled_trend(segs: &[Points], rho: f64) -> Pooled {
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
fn lag1(r: &[f64]) -> f64 {
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

/// One segment of a series.
struct Segment {
    /// Range into the series' points.
    lo: usize,
    hi: usize,
}

/// Most points of a segment that are judged: a longer segment is judged on
/// this many evenly spaced points (its first and last among them), so that
/// the cost of a series is bounded however long the log.
pub const JUDGE_POINTS: usize = 2048;

/// The points of segment `lo..hi` that are judged: all of them, or
/// [`JUDGE_POINTS`] evenly spaced by index (first and last included).
fn judged_points(lo: usize, hi: usize) -> Vec<usize> {
    spaced(hi - lo, JUDGE_POINTS).map(|i| lo + i).collect()
}

/// Indices of at most `most` (≥ 2) of `n` points evenly spaced by index,
/// the first and last included: all of them when `n ≤ most`.
fn spaced(n: usize, most: usize) -> impl Iterator<Item = usize> {
    let k = n.min(most);
    (0..k).map(move |j| {
        if n <= most {
            j
        } else {
            j * (n - 1) / (most - 1)
        }
    })
}

/// A segment's points on the time clock, with what every reading of them
/// shares (computed once).
struct Points {
    /// The points judged ([`judged_points`]), as indices into the series.
    at: Vec<usize>,
    /// Time clock: hours, or snapshot numbers when untimed.
    x: Vec<f64>,
    /// Bytes.
    y: Vec<f64>,
    /// [`fit_line`]`(x, y)` (for 3 points or more).
    fit: Option<stats::Fit>,
    /// [`stats::drops`]`(y)` with [`DROP_SIGMA`].
    drops: Option<Vec<usize>>,
}

/// What the analysis keeps for one series.
struct Judged {
    score: f64,
    leaking: u32,
    segments: u32,
    best: Evidence,
    late: bool,
    alloc_clock: bool,
    trends: Vec<Trend>,
    bytes_per_hour: Option<f64>,
    outstanding_per_hour: Option<f64>,
    bytes_per_snapshot: f64,
    never_freed: Option<f64>,
    /// How the strongest segment was read.
    path: Path,
}

/// Judges one series given its points (in snapshot order); `hours` and
/// `epoch` are per snapshot of the log.
#[allow(clippy::too_many_arguments)]
fn judge(
    snap: &[u32],
    hours: &[f64],
    epoch: &[u32],
    allocs: &[u64],
    frees: &[u64],
    diff: &[i64],
    bytes: &[u64],
    timed: bool,
) -> Judged {
    let n = snap.len();
    let mut segs = Vec::new();
    let mut lo = 0;
    for i in 1..=n {
        if i == n
            || epoch[snap[i] as usize] != epoch[snap[i - 1] as usize]
            || allocs[i] < allocs[i - 1]
            || frees[i] < frees[i - 1]
        {
            segs.push(Segment { lo, hi: i });
            lo = i;
        }
    }
    let mut weighted = 0.0;
    let mut weights = 0.0;
    let mut leaking = 0;
    let mut best = Evidence::default();
    let mut late = false;
    let mut alloc_clock = false;
    let mut trends = Vec::new();
    let mut bytes_per_hour = None;
    let mut outstanding_per_hour = None;
    let mut bytes_per_snapshot = 0.0;
    let mut never_freed = None;
    let points: Vec<Points> = segs
        .iter()
        .map(|s| {
            let at = judged_points(s.lo, s.hi);
            let x: Vec<f64> = at
                .iter()
                .map(|&i| {
                    let s = snap[i];
                    if timed {
                        hours[s as usize]
                    } else {
                        f64::from(s)
                    }
                })
                .collect();
            let y: Vec<f64> = at.iter().map(|&i| bytes[i] as f64).collect();
            let fit = if y.len() >= 3 { fit_line(&x, &y) } else { None };
            let drops = stats::drops(&y, DROP_SIGMA);
            Points {
                at,
                x,
                y,
                fit,
                drops,
            }
        })
        .collect();
    // The series' own noise correlation, pooled over its segments (a random
    // walk is one in every boot, however short the boot).
    let rho = pooled_rho(&points);
    let mut path = Path::Floor;
    // A leak grows in every boot: the trend tests of all segments combined
    // back up each segment's own.
    let pooled = pooled_trend(&points, rho);
    for (s, pts) in segs.iter().zip(&points) {
        // Points in the segment, and of them those judged.
        let (m, n) = (s.hi - s.lo, pts.at.len());
        if m < 3 {
            continue;
        }
        let (x_time, y) = (&pts.x, &pts.y);
        let known = Known {
            fit: Some(pts.fit),
            drops: Some(pts.drops.as_deref()),
            rising: Some(stats::rising_share(y)),
        };
        // The allocation clock counts the allocations that were matched by
        // frees (the churn, min(ΔAllocs, ΔFrees) per interval), so the
        // series' own rises and falls do not move it.
        let mut churn = 0.0;
        let mut next = pts.at.iter().peekable();
        let mut x_ops: Vec<f64> = Vec::with_capacity(n);
        for i in s.lo..s.hi {
            if i > s.lo {
                churn += allocs[i]
                    .saturating_sub(allocs[i - 1])
                    .min(frees[i].saturating_sub(frees[i - 1])) as f64;
            }
            if next.next_if_eq(&&i).is_some() {
                x_ops.push(churn);
            }
        }
        let yd: Vec<f64> = pts.at.iter().map(|&i| diff[i] as f64).collect();
        let (on_time, time_path) = judge_clock(x_time, y, rho, pooled, known);
        // The same values on another clock: all but the fit carries over.
        let on_drops = Known { fit: None, ..known };
        let (mut on_ops, ops_path) = judge_clock(&x_ops, y, rho, Pooled::default(), on_drops);
        // A cache that stopped growing in time is not a per-operation leak.
        on_ops.e *= on_time.decel;
        // The trailing half: a leak that starts late, after a first half
        // that neither grew nor fell (a cache that filled up first is not
        // one, nor is a walk that went down and came back), and that ends
        // above anything the first half reached (its last quarter's 10th
        // percentile over the first half's 90th).
        let half = n / 2;
        let head_flat = n >= 12
            && slope_se(&x_time[..half], &y[..half], rho)
                .is_none_or(|(b, se, _)| (b / se).abs() < 2.0);
        let new_high = n >= 12 && {
            let head_high = stats::quantile(&y[..half], 0.9).unwrap_or(f64::INFINITY);
            let end_low = stats::quantile(&y[n - n / 4..], 0.1).unwrap_or(0.0);
            end_low > head_high
        };
        let (tail, tail_path) = if head_flat && new_high {
            let (t, p) = judge_clock(
                &x_time[half..],
                &y[half..],
                rho,
                Pooled::default(),
                Known::default(),
            );
            (Evidence { e: t.e * 0.9, ..t }, p)
        } else {
            (Evidence::default(), Path::Floor)
        };
        let mut e = on_time;
        let mut seg_path = time_path;
        let mut used_ops = false;
        let mut used_tail = false;
        if on_ops.e > e.e {
            e = on_ops;
            seg_path = ops_path;
            used_ops = true;
        }
        if tail.e > e.e {
            e = tail;
            seg_path = tail_path;
            used_tail = true;
            used_ops = false;
        }
        let w = (m - 1) as f64;
        weighted += w * e.e;
        weights += w;
        if e.e >= LEAK_AT {
            leaking += 1;
        }
        if e.e >= best.e {
            best = e;
            late = used_tail;
            alloc_clock = used_ops;
            path = seg_path;
        }
        // Rates and trend on this segment (the last one wins).
        if let Some(fit) = pts.fit {
            let (x0, x1) = (x_time[0], x_time[n - 1]);
            trends.push(Trend {
                from_snapshot: snap[s.lo],
                to_snapshot: snap[s.hi - 1],
                start_bytes: fit.intercept + fit.slope * x0,
                end_bytes: fit.intercept + fit.slope * x1,
            });
            if timed {
                bytes_per_hour = Some(fit.slope);
                outstanding_per_hour = fit_line(x_time, &yd).map(|f| f.slope);
            }
            let steps = f64::from(snap[s.hi - 1] - snap[s.lo]).max(1.0);
            bytes_per_snapshot = (fit.end_bytes(x1) - fit.end_bytes(x0)) / steps;
        }
        let da = (allocs[s.hi - 1] - allocs[s.lo]) as f64;
        let dd = (diff[s.hi - 1] - diff[s.lo]) as f64;
        if da > 0.0 && dd > 0.0 {
            never_freed = Some(da / dd);
        }
    }
    let mut score = if weights > 0.0 {
        weighted / weights
    } else {
        0.0
    };
    // The strongest segment counts at least as much as the average (a leak in the last boot).
    score = score.max(best.e * 0.95);
    if leaking >= 2 {
        score = (score + 0.1).min(1.0);
    }
    Judged {
        score,
        leaking,
        segments: segs.len() as u32,
        best,
        late,
        alloc_clock,
        trends,
        bytes_per_hour,
        outstanding_per_hour,
        bytes_per_snapshot,
        never_freed,
        path,
    }
}

trait EndBytes {
    fn end_bytes(&self, x: f64) -> f64;
}

impl EndBytes for stats::Fit {
    fn end_bytes(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }
}

/// ISO 8601 text of a snapshot time, with the offset when the log gave one.
pub fn iso(t: NaiveDateTime, offset_secs: Option<i32>) -> String {
    let base = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    match offset_secs {
        None => base,
        Some(0) => format!("{base}Z"),
        Some(o) => {
            let sign = if o < 0 { '-' } else { '+' };
            let a = o.abs();
            format!("{base}{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
        }
    }
}

/// Ranks every series of the log.
pub fn analyze(log: &Log, opts: &Options, tags: Option<&TagDb>) -> Result<Analysis> {
    let timed =
        log.time_source != TimeSource::Ordinal && log.snapshots.iter().all(|s| s.time.is_some());
    let t0 = log.snapshots.first().and_then(|s| s.time);
    let hours_of: Vec<f64> = log
        .snapshots
        .iter()
        .enumerate()
        .map(|(i, s)| match (s.time, t0) {
            (Some(t), Some(t0)) if timed => (t - t0).num_milliseconds() as f64 / 3_600_000.0,
            _ => i as f64,
        })
        .collect();

    let epoch_of: Vec<u32> = log.snapshots.iter().map(|s| s.epoch).collect();

    // The last Mapped_Driver text of each series.
    let mut last_driver = vec![NO_DRIVER; log.series.len()];
    for (&s, &d) in log.rows.series.iter().zip(&log.rows.driver) {
        if d != NO_DRIVER {
            last_driver[s as usize] = d;
        }
    }
    let last_snap = log.snapshots.len().saturating_sub(1);
    let pool_last = pool_bytes_at(log, last_snap);

    // One series' report from its slice of a round's frame.
    let report =
        |sid: u32, snap: &[u32], allocs: &[u64], frees: &[u64], diff: &[i64], bytes: &[u64]| {
            let j = judge(
                snap, &hours_of, &epoch_of, allocs, frees, diff, bytes, timed,
            );
            let series = &log.series[sid as usize];
            let drv = log.driver(last_driver[sid as usize]);
            let drv = drv
                .map(str::to_string)
                .or_else(|| tags.and_then(|t| t.describe(&series.tag)));
            let bytes_first = bytes[0];
            let bytes_last = bytes[bytes.len() - 1];
            let bytes_max = bytes.iter().copied().max().unwrap_or(0);
            let pool_total = pool_last[series.pool as usize];
            let pool_share = if pool_total > 0 {
                bytes_last as f64 / pool_total as f64
            } else {
                0.0
            };
            let score = (j.score * 1000.0).round() / 1000.0;
            let verdict = if snap.len() < 3 {
                Verdict::Ok
            } else if score >= LEAK_AT {
                Verdict::Leak
            } else if score >= SUSPECT_AT {
                Verdict::Suspect
            } else {
                Verdict::Ok
            };
            let span_h = if timed {
                hours_of[snap[snap.len() - 1] as usize] - hours_of[snap[0] as usize]
            } else {
                0.0
            };
            let reason = reason(
                &j,
                verdict,
                bytes_first,
                bytes_last,
                span_h,
                timed,
                snap.len(),
            );
            // Evidence sorts; growth breaks ties between equal scores.
            let sort_key = score + j.bytes_per_snapshot.max(0.0).ln_1p() * 1e-6;
            (
                sort_key,
                SeriesReport {
                    rank: 0,
                    tag: series.tag.clone(),
                    pool: series.pool.name(),
                    verdict,
                    score,
                    bytes_first,
                    bytes_last,
                    bytes_max,
                    bytes_per_hour: j.bytes_per_hour.map(round1),
                    outstanding_per_hour: j.outstanding_per_hour.map(round1),
                    snapshots: snap.len() as u32,
                    driver: drv,
                    reason,
                    bytes_per_snapshot: round1(j.bytes_per_snapshot),
                    pool_share: (pool_share * 1e4).round() / 1e4,
                    never_freed_one_in: j.never_freed.map(round1),
                    segments: j.segments,
                    leaking_segments: j.leaking,
                    trends: j.trends,
                    series_id: sid,
                    evidence: j.best,
                },
            )
        };

    // The rows in polars, grouped by series a round of series at a time
    // (see [`Plan`]): each series is one contiguous slice of its round's
    // frame, and a round is judged while its frame is still in cache.
    let plan = Plan::new(log)?;
    let rounds: Vec<Vec<(f64, SeriesReport)>> = (0..plan.rounds.len())
        .into_par_iter()
        .map_init(
            Buffers::default,
            |bufs, k| -> Result<Vec<(f64, SeriesReport)>> {
                let frame = plan.frame(log, k, bufs)?;
                let out = {
                    let col_u64 = |name: &str| -> Result<&[u64]> {
                        let ca = frame.df.column(name)?.u64()?;
                        ca.cont_slice().map_err(|e| e.into())
                    };
                    let snaps: &[u32] = frame.df.column("snapshot")?.u32()?.cont_slice()?;
                    let allocs = col_u64("allocs")?;
                    let frees = col_u64("frees")?;
                    let bytes = col_u64("bytes")?;
                    let diff: &[i64] = frame.df.column("diff")?.i64()?.cont_slice()?;
                    // The round's series in parallel too: a thread that has
                    // no round left helps with the series of the last ones.
                    let series: Vec<(u32, Range<usize>)> =
                        frame.series().filter(|(_, r)| !r.is_empty()).collect();
                    series
                        .into_par_iter()
                        .map(|(sid, r)| {
                            report(
                                sid,
                                &snaps[r.clone()],
                                &allocs[r.clone()],
                                &frees[r.clone()],
                                &diff[r.clone()],
                                &bytes[r],
                            )
                        })
                        .collect()
                };
                bufs.reclaim(frame.df);
                Ok(out)
            },
        )
        .collect::<Result<_>>()?;
    let mut reports: Vec<(f64, SeriesReport)> = rounds.into_iter().flatten().collect();
    reports.sort_by(|a, b| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(b.1.bytes_last.cmp(&a.1.bytes_last))
            .then(a.1.tag.cmp(&b.1.tag))
            .then(a.1.pool.cmp(b.1.pool))
    });
    let series: Vec<SeriesReport> = reports
        .into_iter()
        .enumerate()
        .map(|(i, (_, mut r))| {
            r.rank = i + 1;
            r
        })
        .collect();

    let (pools, commit) = system_pass(log, &hours_of, timed, opts.budget);
    let first = log.snapshots.first();
    let last = log.snapshots.last();
    Ok(Analysis {
        schema: "poolscan.analysis/1",
        version: env!("CARGO_PKG_VERSION"),
        inputs: log.inputs.iter().map(InputReport::from).collect(),
        snapshots: log.snapshots.len(),
        epochs: log.epochs,
        start: first.and_then(|s| s.time.map(|t| iso(t, s.offset_secs))),
        end: last.and_then(|s| s.time.map(|t| iso(t, s.offset_secs))),
        time_source: log.time_source,
        hours: if timed {
            hours_of.last().copied().map(round1)
        } else {
            None
        },
        pools,
        commit,
        budget_bytes: opts.budget,
        series,
        times_ms: log
            .snapshots
            .iter()
            .map(|s| s.time.map(crate::frame::millis))
            .collect(),
        snapshot_epochs: log.snapshots.iter().map(|s| s.epoch).collect(),
    })
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Rows per round of the grouping: about 9 MiB of round frame, so that a
/// round is still in cache when its series are judged.
const ROUND_ROWS: usize = 1 << 18;

/// How the rows are grouped by series: a stable counting sort, done one
/// round of consecutive series at a time.
///
/// The whole grouped table would be a second copy of every row; a round's
/// frame holds only its series, is built from the rows that belong to it
/// (listed once for all rounds) and is dropped once they are judged.
struct Plan {
    /// Where each series starts in the grouped order (one more entry than series).
    starts: Vec<usize>,
    /// The series of each round, consecutive ranges covering all series.
    rounds: Vec<Range<usize>>,
    /// Row numbers grouped by round, in snapshot order within each round:
    /// round `k`'s are at `starts[rounds[k].start]..starts[rounds[k].end]`.
    rows: Vec<u32>,
}

impl Plan {
    fn new(log: &Log) -> Result<Plan> {
        let n = log.rows.len();
        if u32::try_from(n).is_err() {
            return Err(crate::error::Error::Invalid(format!(
                "{n} rows: more than the analysis can hold (4,294,967,295)"
            )));
        }
        let n_series = log.series.len();
        // The rows cut into one part per thread; each part's series counted.
        let ids = &log.rows.series;
        let parts = rayon::current_num_threads().clamp(1, n.max(1));
        let part = |t: usize| t * n / parts..(t + 1) * n / parts;
        let counts: Vec<Vec<usize>> = (0..parts)
            .into_par_iter()
            .map(|t| {
                let mut c = vec![0usize; n_series];
                for &s in &ids[part(t)] {
                    c[s as usize] += 1;
                }
                c
            })
            .collect();
        let mut starts = vec![0usize; n_series + 1];
        for s in 0..n_series {
            starts[s + 1] = starts[s] + counts.iter().map(|c| c[s]).sum::<usize>();
        }
        let mut rounds = Vec::new();
        let mut round_of = vec![0u32; n_series];
        let mut first = 0;
        for s in 0..n_series {
            round_of[s] = rounds.len() as u32;
            if starts[s + 1] - starts[first] >= ROUND_ROWS || s + 1 == n_series {
                rounds.push(first..s + 1);
                first = s + 1;
            }
        }
        // Each round's rows, part after part: every part writes its own
        // piece of every round.
        let mut rows = vec![0u32; n];
        let mut pieces: Vec<Vec<&mut [u32]>> = (0..parts).map(|_| Vec::new()).collect();
        let mut rest = &mut rows[..];
        for round in &rounds {
            for (t, c) in counts.iter().enumerate() {
                let len = c[round.clone()].iter().sum();
                pieces[t].push(split_front(&mut rest, len));
            }
        }
        pieces
            .into_par_iter()
            .enumerate()
            .for_each(|(t, mut pieces)| {
                let mut at = vec![0usize; pieces.len()];
                let range = part(t);
                for (r, &s) in range.clone().zip(&ids[range]) {
                    let k = round_of[s as usize] as usize;
                    pieces[k][at[k]] = r as u32;
                    at[k] += 1;
                }
            });
        Ok(Plan {
            starts,
            rounds,
            rows,
        })
    }

    /// Round `k`'s rows as a polars frame grouped by series.
    fn frame(&self, log: &Log, k: usize, bufs: &mut Buffers) -> Result<Grouped<'_>> {
        let series = self.rounds[k].clone();
        let base = self.starts[series.start];
        let len = self.starts[series.end] - base;
        let mut snapshot = sized(&mut bufs.snapshot, len);
        let mut allocs = sized(&mut bufs.allocs, len);
        let mut frees = sized(&mut bufs.frees, len);
        let mut diff = sized(&mut bufs.diff, len);
        let mut bytes = sized(&mut bufs.bytes, len);
        let mut pos: Vec<usize> = self.starts[series.clone()]
            .iter()
            .map(|&v| v - base)
            .collect();
        let lo = series.start as u32;
        let (snaps, rows) = (&log.snapshots, &log.rows);
        // Rows are contiguous per snapshot, in snapshot order.
        let mut si = 0;
        for &r in &self.rows[base..base + len] {
            let r = r as usize;
            while snaps[si].rows.end <= r {
                si += 1;
            }
            let p = &mut pos[(rows.series[r] - lo) as usize];
            snapshot[*p] = si as u32;
            allocs[*p] = rows.allocs[r];
            frees[*p] = rows.frees[r];
            diff[*p] = rows.diff(r);
            bytes[*p] = rows.bytes[r];
            *p += 1;
        }
        let df = DataFrame::new(
            len,
            vec![
                UInt32Chunked::from_vec("snapshot".into(), snapshot)
                    .into_series()
                    .into(),
                UInt64Chunked::from_vec("allocs".into(), allocs)
                    .into_series()
                    .into(),
                UInt64Chunked::from_vec("frees".into(), frees)
                    .into_series()
                    .into(),
                Int64Chunked::from_vec("diff".into(), diff)
                    .into_series()
                    .into(),
                UInt64Chunked::from_vec("bytes".into(), bytes)
                    .into_series()
                    .into(),
            ],
        )?;
        Ok(Grouped {
            df,
            series,
            starts: &self.starts,
            base,
        })
    }
}

/// A round's column buffers, handed on from one round to the next (memory
/// written once is cheaper than new memory).
#[derive(Default)]
struct Buffers {
    snapshot: Vec<u32>,
    allocs: Vec<u64>,
    frees: Vec<u64>,
    diff: Vec<i64>,
    bytes: Vec<u64>,
}

impl Buffers {
    /// Takes back the columns of a round's frame (polars gives a column's
    /// buffer back when nothing else holds it; otherwise the next round
    /// allocates a new one).
    fn reclaim(&mut self, df: DataFrame) {
        let mut cols = df.into_columns().into_iter();
        let mut next = || cols.next().map(Column::take_materialized_series);
        self.snapshot = next().map(buffer::<UInt32Type>).unwrap_or_default();
        self.allocs = next().map(buffer::<UInt64Type>).unwrap_or_default();
        self.frees = next().map(buffer::<UInt64Type>).unwrap_or_default();
        self.diff = next().map(buffer::<Int64Type>).unwrap_or_default();
        self.bytes = next().map(buffer::<UInt64Type>).unwrap_or_default();
    }
}

/// The buffer of a one-chunk numeric series, when nothing else holds it.
fn buffer<T: PolarsNumericType>(s: Series) -> Vec<T::Native> {
    let Ok(ca) = s.unpack::<T>().cloned() else {
        return Vec::new();
    };
    drop(s);
    ca.downcast_into_iter()
        .next()
        .and_then(|a| a.into_inner().1.into_mut().right())
        .unwrap_or_default()
}

/// `v` taken and cut or grown to `len` values (what it held is left: every
/// value is written again).
fn sized<T: Copy + Default>(v: &mut Vec<T>, len: usize) -> Vec<T> {
    let mut v = std::mem::take(v);
    v.truncate(len);
    v.resize(len, T::default());
    v
}

/// One round's rows as a polars frame grouped by series.
struct Grouped<'p> {
    /// Columns `snapshot`, `allocs`, `frees`, `diff`, `bytes`, series-major.
    df: DataFrame,
    /// The round's series.
    series: Range<usize>,
    /// [`Plan::starts`].
    starts: &'p [usize],
    /// Where the round starts in the grouped order.
    base: usize,
}

impl Grouped<'_> {
    /// Each series of the round with its rows in the frame.
    fn series(&self) -> impl Iterator<Item = (u32, Range<usize>)> + '_ {
        self.series.clone().map(|s| {
            let lo = self.starts[s] - self.base;
            let hi = self.starts[s + 1] - self.base;
            (s as u32, lo..hi)
        })
    }
}

/// Summed row bytes per pool at one snapshot.
fn pool_bytes_at(log: &Log, snap: usize) -> [u64; 2] {
    let mut out = [0u64; 2];
    if let Some(s) = log.snapshots.get(snap) {
        for r in s.rows.clone() {
            let p = log.series[log.rows.series[r] as usize].pool as usize;
            out[p] = out[p].saturating_add(log.rows.bytes[r]);
        }
    }
    out
}

/// Paged and nonpaged totals and commit, with their rates over the last epoch.
fn system_pass(
    log: &Log,
    hours: &[f64],
    timed: bool,
    budget: Option<u64>,
) -> (BTreeMap<&'static str, PoolTotals>, Option<Commit>) {
    let snaps = &log.snapshots;
    let mut pools = BTreeMap::new();
    if snaps.is_empty() {
        return (pools, None);
    }
    // Use only complete snapshots with rows (a cut-off last snapshot under-counts).
    let usable: Vec<usize> = (0..snaps.len()).filter(|&i| !snaps[i].partial).collect();
    let last_epoch = snaps[usable.last().copied().unwrap_or(0)].epoch;
    for pool in [Pool::Nonpaged, Pool::Paged] {
        let from_summary = usable.iter().all(|&i| match pool {
            Pool::Nonpaged => snaps[i].summary.pool_nonpaged_k.is_some(),
            Pool::Paged => snaps[i].summary.pool_paged_k.is_some(),
        });
        let kib: Vec<f64> = usable
            .iter()
            .map(|&i| {
                if from_summary {
                    let s = &snaps[i].summary;
                    match pool {
                        Pool::Nonpaged => s.pool_nonpaged_k.unwrap_or(0) as f64,
                        Pool::Paged => s.pool_paged_k.unwrap_or(0) as f64,
                    }
                } else {
                    pool_bytes_at(log, i)[pool as usize] as f64 / 1024.0
                }
            })
            .collect();
        if kib.is_empty() {
            continue;
        }
        let rate = epoch_rate(
            &usable,
            snaps.iter().map(|s| s.epoch).collect::<Vec<_>>().as_slice(),
            hours,
            &kib,
            last_epoch,
            timed,
        );
        let last = kib[kib.len() - 1];
        let hours_to_budget = match (budget, rate) {
            (Some(b), Some(r)) if r > 0.0 => {
                Some(round1(((b as f64 / 1024.0) - last).max(0.0) / r))
            }
            _ => None,
        };
        pools.insert(
            pool.name(),
            PoolTotals {
                kib_first: kib[0].round() as u64,
                kib_last: last.round() as u64,
                kib_per_hour: rate.map(round1),
                source: if from_summary { "summary" } else { "rows" },
                hours_to_budget,
            },
        );
    }
    let has_commit = usable.iter().all(|&i| snaps[i].summary.commit_k.is_some());
    let commit = if has_commit {
        let kib: Vec<f64> = usable
            .iter()
            .map(|&i| snaps[i].summary.commit_k.unwrap_or(0) as f64)
            .collect();
        let rate = epoch_rate(
            &usable,
            snaps.iter().map(|s| s.epoch).collect::<Vec<_>>().as_slice(),
            hours,
            &kib,
            last_epoch,
            timed,
        );
        let limit = usable
            .last()
            .and_then(|&i| snaps[i].summary.limit_k)
            .map(|v| v.max(0) as u64);
        let last = kib[kib.len() - 1];
        let hours_to_limit = match (limit, rate) {
            (Some(l), Some(r)) if r > 0.0 => Some(round1((l as f64 - last).max(0.0) / r)),
            _ => None,
        };
        Some(Commit {
            kib_first: kib[0].max(0.0) as u64,
            kib_last: last.max(0.0) as u64,
            limit_kib: limit,
            kib_per_hour: rate.map(round1),
            hours_to_limit,
        })
    } else {
        None
    };
    (pools, commit)
}

/// Theil–Sen slope per hour of `values` (one per usable snapshot) over the last epoch.
fn epoch_rate(
    usable: &[usize],
    epochs: &[u32],
    hours: &[f64],
    values: &[f64],
    last_epoch: u32,
    timed: bool,
) -> Option<f64> {
    if !timed {
        return None;
    }
    let (x, y): (Vec<f64>, Vec<f64>) = usable
        .iter()
        .zip(values)
        .filter(|(&i, _)| epochs[i] == last_epoch)
        .map(|(&i, &v)| (hours[i], v))
        .unzip();
    if x.len() < 2 {
        return None;
    }
    fit_line(&x, &y).map(|f| f.slope)
}

/// The one-line reason.
fn reason(
    j: &Judged,
    verdict: Verdict,
    first: u64,
    last: u64,
    span_h: f64,
    timed: bool,
    n: usize,
) -> String {
    if n < 3 {
        return format!(
            "only {n} snapshot{}: too few to judge",
            if n == 1 { "" } else { "s" }
        );
    }
    let e = j.best;
    let change = units::delta_bytes(last as f64 - first as f64);
    let over = if timed {
        format!(" over {}", units::hours(span_h))
    } else {
        format!(" over {n} snapshots")
    };
    let mut parts = Vec::new();
    match verdict {
        Verdict::Leak | Verdict::Suspect => {
            match j.path {
                Path::Noise => parts.push(format!(
                    "rose steadily through its noise (trend {:.1}σ above flat)",
                    e.snr
                )),
                Path::Teeth => parts.push(format!(
                    "its sawtooth's troughs rose {} times in {} teeth",
                    e.floor_up,
                    e.floor_steps + 1
                )),
                Path::Floor if j.alloc_clock || !timed => parts.push(format!(
                    "its floor rose in {} of {} windows",
                    e.floor_up, e.floor_steps
                )),
                Path::Floor => parts.push(format!(
                    "its floor rose in {} of {} windows of {}",
                    e.floor_up,
                    e.floor_steps,
                    units::hours(e.window)
                )),
            }
            if j.path != Path::Noise {
                if e.retention > 0.9 {
                    parts.push("never fell back".to_string());
                } else {
                    parts.push(format!("kept {:.0}% of its rises", e.retention * 100.0));
                }
            }
            if j.late {
                parts.push("started late".to_string());
            }
            if j.alloc_clock {
                parts.push("grows with allocations".to_string());
            }
            if j.leaking >= 2 {
                parts.push(format!("grew again in {} boots", j.leaking));
            }
            parts.push(format!("{change}{over}"));
            if let Some(k) = j.never_freed {
                if (1.0..1e9).contains(&k) {
                    parts.push(format!("1 in {k:.0} allocations never freed"));
                }
            }
        }
        Verdict::Ok => {
            let why = if e.tau <= 0.05 && e.retention <= 0.05 {
                "no lasting rise"
            } else if e.step > 0.6 {
                "one step, not a trend"
            } else if e.decel < 0.3 {
                "levelled off (a cache filling up)"
            } else if e.retention < 0.5 {
                "gives back what it takes (churn)"
            } else if e.snr < 2.0 {
                "rise within its own noise"
            } else {
                "weak trend"
            };
            parts.push(why.to_string());
            parts.push(format!("{change}{over}"));
        }
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xs(n: usize) -> Vec<f64> {
        (0..n).map(|i| i as f64).collect()
    }

    fn noise(i: usize) -> f64 {
        // Deterministic pseudo-noise in [-1, 1].
        let x = ((i as u64)
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407)
            >> 33) as f64;
        (x / (1u64 << 31) as f64) * 2.0 - 1.0
    }

    #[test]
    fn steady_leak_has_strong_evidence() {
        let x = xs(60);
        let y: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(i, v)| 10_000.0 + 500.0 * v + 800.0 * noise(i))
            .collect();
        assert!(evidence(&x, &y).e > 0.6, "{:?}", evidence(&x, &y));
    }

    #[test]
    fn plateau_step_and_flat_are_weak() {
        let x = xs(60);
        let plateau: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(i, v)| 50_000.0 * (1.0 - (-v / 4.0).exp()) + 300.0 * noise(i))
            .collect();
        let step: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(i, v)| if *v < 30.0 { 1000.0 } else { 9000.0 } + 50.0 * noise(i))
            .collect();
        let flat: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(i, _)| 5000.0 + 200.0 * noise(i))
            .collect();
        for (name, y) in [("plateau", plateau), ("step", step), ("flat", flat)] {
            let e = evidence(&x, &y);
            assert!(e.e < LEAK_AT, "{name}: {e:?}");
        }
    }

    /// Every row lands once in its round's frame, in snapshot order within
    /// its series, across several rounds and with series that skip
    /// snapshots; each round's buffers come back from polars for the next.
    #[test]
    fn rounds_group_every_row_once() {
        let cfg = crate::synth::Config {
            snapshots: 1100,
            series: 300,
            gap_prob: 0.1,
            ..Default::default()
        };
        let (text, _) = crate::synth::generate(&cfg);
        let log = Log::from_bytes("r.log", &text, &Default::default()).unwrap();
        let plan = Plan::new(&log).unwrap();
        assert!(plan.rounds.len() >= 2, "{} rounds", plan.rounds.len());
        let mut want: Vec<Vec<(u32, usize)>> = vec![Vec::new(); log.series.len()];
        for (si, s) in log.snapshots.iter().enumerate() {
            for r in s.rows.clone() {
                want[log.rows.series[r] as usize].push((si as u32, r));
            }
        }
        let mut bufs = Buffers::default();
        let mut seen = 0;
        for k in 0..plan.rounds.len() {
            let g = plan.frame(&log, k, &mut bufs).unwrap();
            let u64s = |name: &str| {
                g.df.column(name)
                    .unwrap()
                    .u64()
                    .unwrap()
                    .cont_slice()
                    .unwrap()
            };
            let snap =
                g.df.column("snapshot")
                    .unwrap()
                    .u32()
                    .unwrap()
                    .cont_slice()
                    .unwrap();
            let diff =
                g.df.column("diff")
                    .unwrap()
                    .i64()
                    .unwrap()
                    .cont_slice()
                    .unwrap();
            let (allocs, frees, bytes) = (u64s("allocs"), u64s("frees"), u64s("bytes"));
            for (sid, range) in g.series() {
                let want = &want[sid as usize];
                assert_eq!(range.len(), want.len(), "series {sid}");
                for (j, &(si, r)) in range.zip(want) {
                    assert_eq!(snap[j], si);
                    assert_eq!(allocs[j], log.rows.allocs[r]);
                    assert_eq!(frees[j], log.rows.frees[r]);
                    assert_eq!(diff[j], log.rows.diff(r));
                    assert_eq!(bytes[j], log.rows.bytes[r]);
                }
                seen += want.len();
            }
            let held = bytes.as_ptr();
            bufs.reclaim(g.df);
            assert_eq!(
                bufs.bytes.as_ptr(),
                held,
                "round {k}: buffer not handed back"
            );
        }
        assert_eq!(seen, log.rows.len());
    }

    #[test]
    fn long_segments_are_judged_on_evenly_spaced_points() {
        assert_eq!(judged_points(5, 9), vec![5, 6, 7, 8]);
        let all = judged_points(0, JUDGE_POINTS);
        assert_eq!(all, (0..JUDGE_POINTS).collect::<Vec<_>>());
        for (lo, m) in [(0, JUDGE_POINTS + 1), (7, 3 * JUDGE_POINTS), (100, 6_029)] {
            let at = judged_points(lo, lo + m);
            assert_eq!(at.len(), JUDGE_POINTS);
            assert_eq!((at[0], at[at.len() - 1]), (lo, lo + m - 1));
            assert!(at.windows(2).all(|w| w[0] < w[1]));
            // Evenly spaced: gaps differ by one at most.
            let gaps: Vec<usize> = at.windows(2).map(|w| w[1] - w[0]).collect();
            let (min, max) = (gaps.iter().min().unwrap(), gaps.iter().max().unwrap());
            assert!(max - min <= 1, "gaps {min}..{max}");
        }
    }

    #[test]
    fn too_few_points_is_no_evidence() {
        assert_eq!(evidence(&[0.0, 1.0], &[1.0, 2.0]).e, 0.0);
        assert_eq!(evidence(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).e, 0.0);
    }

    #[test]
    fn iso_offsets() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
            .unwrap()
            .and_hms_opt(23, 18, 56)
            .unwrap();
        assert_eq!(iso(t, None), "2026-11-25T23:18:56");
        assert_eq!(iso(t, Some(3600)), "2026-11-25T23:18:56+01:00");
        assert_eq!(iso(t, Some(-5 * 3600)), "2026-11-25T23:18:56-05:00");
        assert_eq!(iso(t, Some(0)), "2026-11-25T23:18:56Z");
    }
}
