//! What an analysis gives: the `poolscan.analysis/1` schema (verdicts,
//! series reports, pool and commit totals, inputs), serialized as the JSON
//! report.

use super::*;

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
    /// Mapped_Driver text, or the pooltag.txt entry, or (`--drivers`) the binaries found by
    /// scan (`[scan: foo.sys 0.85]`).
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
    /// Bytes its fitted trends rose over the log (falling boots count 0):
    /// what `--min-growth` is compared with.
    pub growth_bytes: f64,
    /// Its drift beyond its own wandering, in standard deviations (normal score).
    pub drift_sigma: f64,
    /// The chance of a drift that large in a healthy series (its p-value);
    /// a `leak` needs it under the log's Benjamini–Hochberg cutoff.
    pub chance: f64,
    /// Hours until its pool reaches `--budget` at this series' rate (when a
    /// budget is given, the series grows and the pool is under it).
    pub hours_to_budget: Option<f64>,
    /// Fitted trend lines, one per segment of 3 points or more.
    pub trends: Vec<Trend>,
    /// Index into [`Log::series`].
    #[serde(skip)]
    pub series_id: u32,
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
    /// Where each epoch after the first starts, and the evidence (omitted
    /// when the log has one epoch).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub boots: Vec<BootReport>,
    /// Wraps of 32-bit Allocs and Frees counters past 2^32 that were read
    /// as wraps, not reboots (omitted when none).
    #[serde(skip_serializing_if = "is_zero")]
    pub counter_wraps: u64,
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

/// Hours a capture must span for a rise to be told from the day's workload:
/// over less, a tag that follows a daily cycle, or a cache still warming up,
/// can rise like a leak.
pub const DAY_HOURS: f64 = 24.0;

/// Whether a capture of `hours` (`None`: no time axis, so its span is
/// unknown) spans less than [`DAY_HOURS`]: a `leak` on it does not rule out a
/// daily cycle.
pub fn spans_under_a_day(hours: Option<f64>) -> bool {
    !hours.is_some_and(|h| h >= DAY_HOURS)
}

impl Analysis {
    /// Whether the capture spans less than [`DAY_HOURS`], or has no time axis
    /// ([`spans_under_a_day`]).
    pub fn under_a_day(&self) -> bool {
        spans_under_a_day(self.hours)
    }
}

/// The start of a boot epoch after the first, in the JSON.
#[derive(Debug, Clone, Serialize)]
pub struct BootReport {
    /// 0-based index of its first snapshot.
    pub snapshot: usize,
    /// That snapshot's time, when the axis has times.
    pub time: Option<String>,
    /// Why a reboot was read there.
    pub why: String,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
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
