//! The log-wide decision: which series are a `leak`.
//!
//! A log is hundreds of tests at once: with 1,000 series, a per-series test
//! at 3σ calls a few healthy series leaks in every log. So the `leak`
//! verdict needs three things: the shape of a leak (a score of at least
//! [`LEAK_AT`]: the floor rises and keeps what it gains, no step, no
//! slowdown); a drift beyond the series' own wandering ([`series_drift`])
//! that survives the Benjamini–Hochberg rule over all the log's series at
//! false discovery rate [`LEAK_FDR`] (when no series leaks, the chance of
//! any `leak` is then at most that rate, whatever the number of series);
//! and growth that matters ([`MinGrowth`], 64 KiB over the log by default);
//! and a rise that neither slowed down clearly ([`LEVELLED_Z`]) nor bends
//! over on both clocks ([`BENT_Z`]): a leak is a straight line on hours or
//! on allocations, a cache warming up and a daily cycle are curves.
//! A series with the shape that misses either of the other two is a
//! `suspect`, and its score is held just under [`LEAK_AT`], so that a
//! score shown as 0.35 or more is always a `leak`.

use super::*;

/// False discovery rate of the `leak` verdict over a log's series.
pub const LEAK_FDR: f64 = 0.05;

/// Growth a `leak` must have over the log.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MinGrowth {
    /// At least this many bytes over the log (the rises of its boots added up).
    Bytes(f64),
    /// At least this many bytes per hour (on a log without a time axis,
    /// the default of 64 KiB over the log applies instead).
    PerHour(f64),
}

impl Default for MinGrowth {
    /// 64 KiB over the log, the gate MeasurePoolmon uses.
    fn default() -> Self {
        MinGrowth::Bytes(64.0 * 1024.0)
    }
}

impl MinGrowth {
    /// The growth required of a series seen over `span_h` hours (`timed`).
    pub(super) fn required(self, span_h: f64, timed: bool) -> f64 {
        match self {
            MinGrowth::Bytes(b) => b,
            MinGrowth::PerHour(r) if timed => r * span_h,
            MinGrowth::PerHour(_) => MinGrowth::default().required(span_h, timed),
        }
    }
}

/// Why a series with the shape of a leak is not one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Held {
    /// Its drift is within what its wandering explains, given the log's series.
    Wandering,
    /// It grew less than required (the bytes required).
    Small(f64),
    /// Its rise slowed down clearly in the second half (a cache filling up).
    Levelled,
    /// Its rise bends over on both clocks ([`Bend`]): not a straight line.
    Bent,
}

/// A rise whose second half is slower by this many standard deviations
/// ([`levelling`]) levelled off: not a leak.
pub const LEVELLED_Z: f64 = 2.5;

/// A rise whose quadratic term is this many standard errors below zero on
/// both clocks ([`stats::curvature`], [`Bend`]) bends over: a cache filling
/// up or a cycle past its steepest point, not a leak (a leak is a straight
/// line on hours or on allocations, plus noise).
pub const BENT_Z: f64 = 2.5;

/// The verdict of a series from its score, its drift against the log-wide
/// cutoff, and its growth; the reason it was held back from `leak`, if it was.
pub(super) fn verdict(
    n: usize,
    score: f64,
    drift: &Drift,
    cutoff: f64,
    required: f64,
) -> (Verdict, Option<Held>) {
    if n < 3 {
        return (Verdict::Ok, None);
    }
    if score >= LEAK_AT {
        if drift.p > cutoff {
            return (Verdict::Suspect, Some(Held::Wandering));
        }
        if drift.growth < required {
            return (Verdict::Suspect, Some(Held::Small(required)));
        }
        if drift.levelled >= LEVELLED_Z {
            return (Verdict::Suspect, Some(Held::Levelled));
        }
        if drift.bent <= -BENT_Z {
            return (Verdict::Suspect, Some(Held::Bent));
        }
        return (Verdict::Leak, None);
    }
    if score >= SUSPECT_AT {
        (Verdict::Suspect, None)
    } else {
        (Verdict::Ok, None)
    }
}

/// The score shown for a series held back from `leak`: just under [`LEAK_AT`].
pub(super) fn held_score(score: f64) -> f64 {
    score.min(LEAK_AT - 0.001)
}
