//! Leak ranking: trend and regression passes over every (tag, pool) series.
//!
//! What lives here: [`analyze`] and its [`Options`] (this file); `result`
//! (the `poolscan.analysis/1` schema), `rounds` (rows grouped by series in
//! polars frames), `judge` (one series: segments, clocks, score), `evidence`
//! (one segment: floor, shape and trend statistics), `system` (pool and
//! commit totals) and `reason` (the English reasons). Imports: `log`,
//! `parse` (pooltag), `stats`, `model`, `units`, `error`.
//!
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
use std::sync::Mutex;

use polars::prelude::*;
use rayon::prelude::*;
use serde::Serialize;

use crate::error::Result;
use crate::log::{split_front, InputInfo, Log, TimeSource};
use crate::model::{Pool, NO_DRIVER};
use crate::parse::pooltag::TagDb;
use crate::stats;
use crate::units;

mod decide;
mod drift;
mod drivers;
mod evidence;
mod judge;
mod reason;
mod result;
mod rounds;
mod system;

use decide::*;
pub use decide::{MinGrowth, LEAK_FDR};
use drift::*;
pub use drivers::{is_unnamed, name_unnamed, unnamed_tags};
use evidence::*;
pub use evidence::{evidence, judged_floor, trend_t, Evidence, JudgedFloor};
pub use judge::JUDGE_POINTS;
use judge::*;
use reason::*;
pub use result::*;
use rounds::*;
use system::*;

/// Score at or above which a series is a `leak`.
pub const LEAK_AT: f64 = 0.35;
/// Score at or above which a series is a `suspect`.
pub const SUSPECT_AT: f64 = 0.2;

/// Options for [`analyze`].
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A pool budget in bytes: estimate when the pools reach it.
    pub budget: Option<u64>,
    /// Growth a `leak` must have over the log (default 64 KiB).
    pub min_growth: MinGrowth,
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

    // One series' report from its slice of a round's frame, with what its
    // verdict and reason are decided from once every series is judged.
    let report =
        |sid: u32, snap: &[u32], allocs: &[u64], frees: &[u64], diff: &[i64], bytes: &[u64]| {
            let mut j = judge(
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
            let span_h = if timed {
                hours_of[snap[snap.len() - 1] as usize] - hours_of[snap[0] as usize]
            } else {
                0.0
            };
            let hours_to_budget = match (opts.budget, j.bytes_per_hour) {
                (Some(b), Some(rate)) if rate > 0.0 && (pool_total as f64) < b as f64 => {
                    Some(round1((b as f64 - pool_total as f64) / rate))
                }
                _ => None,
            };
            let r = SeriesReport {
                rank: 0,
                tag: series.tag.clone(),
                pool: series.pool.name(),
                verdict: Verdict::Ok,
                score,
                bytes_first,
                bytes_last,
                bytes_max,
                bytes_per_hour: j.bytes_per_hour.map(round1),
                outstanding_per_hour: j.outstanding_per_hour.map(round1),
                snapshots: snap.len() as u32,
                driver: drv,
                reason: String::new(),
                bytes_per_snapshot: round1(j.bytes_per_snapshot),
                pool_share: (pool_share * 1e4).round() / 1e4,
                never_freed_one_in: j.never_freed.map(round1),
                segments: j.segments,
                leaking_segments: j.leaking,
                growth_bytes: round1(j.drift.growth),
                drift_sigma: (j.drift.z * 100.0).round() / 100.0,
                chance: j.drift.p,
                hours_to_budget,
                trends: std::mem::take(&mut j.trends),
                series_id: sid,
            };
            (r, j, span_h)
        };

    // The rows in polars, grouped by series a round of series at a time
    // (see [`Plan`]): each series is one contiguous slice of its round's
    // frame, and a round is judged while its frame is still in cache.
    let plan = Plan::new(log)?;
    // The rounds' column buffers, handed from one round to the next: a pool
    // rather than one set per rayon split, so that a run writes a few sets
    // of pages, not one per split.
    let spare: Mutex<Vec<Buffers>> = Mutex::new(Vec::new());
    let rounds: Vec<Vec<(SeriesReport, Judged, f64)>> = (0..plan.rounds.len())
        .into_par_iter()
        .map(|k| -> Result<Vec<(SeriesReport, Judged, f64)>> {
            let taken = spare.lock().ok().and_then(|mut s| s.pop());
            let mut bufs = taken.unwrap_or_default();
            let frame = plan.frame(log, k, &mut bufs)?;
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
            if let Ok(mut s) = spare.lock() {
                s.push(bufs);
            }
            Ok(out)
        })
        .collect::<Result<_>>()?;
    let mut judged: Vec<(SeriesReport, Judged, f64)> = rounds.into_iter().flatten().collect();

    // The log-wide decision (see [`decide`]): the Benjamini–Hochberg cutoff
    // over the drift of every series that could be judged.
    let tested: Vec<f64> = judged
        .iter()
        .filter(|(r, _, _)| r.snapshots >= 3)
        .map(|(_, j, _)| j.drift.p)
        .collect();
    let cutoff = stats::bh_cutoff(&tested, LEAK_FDR);
    let mut reports: Vec<(f64, SeriesReport)> = judged
        .drain(..)
        .map(|(mut r, j, span_h)| {
            let n = r.snapshots as usize;
            let required = opts.min_growth.required(span_h, timed);
            let (verdict, held) = verdict(n, r.score, &j.drift, cutoff, required);
            if held.is_some() {
                r.score = held_score(r.score);
            }
            r.verdict = verdict;
            let context = Context {
                first: r.bytes_first,
                last: r.bytes_last,
                span_h,
                timed,
                n,
                held,
                tested: tested.len(),
            };
            r.reason = reason(&j, verdict, &context);
            // Evidence sorts; growth breaks ties between equal scores.
            let sort_key = r.score + j.bytes_per_snapshot.max(0.0).ln_1p() * 1e-6;
            (sort_key, r)
        })
        .collect();
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
        boots: log
            .boots
            .iter()
            .map(|b| BootReport {
                snapshot: b.snapshot,
                time: log.snapshots[b.snapshot]
                    .time
                    .map(|t| units::iso(t, log.snapshots[b.snapshot].offset_secs)),
                why: b.why.clone(),
            })
            .collect(),
        counter_wraps: log.counter_wraps,
        start: first.and_then(|s| s.time.map(|t| units::iso(t, s.offset_secs))),
        end: last.and_then(|s| s.time.map(|t| units::iso(t, s.offset_secs))),
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
            .map(|s| s.time.map(units::millis))
            .collect(),
        snapshot_epochs: log.snapshots.iter().map(|s| s.epoch).collect(),
    })
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests;
