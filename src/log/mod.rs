//! The parsed log: snapshots, rows in columns, series and driver tables,
//! per-input diagnostics, a time axis and boot epochs.
//!
//! What lives here: the data model (this file); `assemble` (chunks stitched
//! into snapshots), `read` (the parallel reader), `time` (stamps resolved,
//! inputs merged in time order), `epoch` (reboots) and `populate` (new
//! column memory mapped in one call). Imports: `parse`, `model`, `error`,
//! `units`.
//!
//!
//! [`read`] drives everything: each input is read in chunks, the chunks are
//! parsed in parallel ([`crate::parse::parse_chunk`]), and their events are
//! stitched into snapshots here, in order. Then timestamps are resolved once
//! per input (day-first or month-first, [`crate::parse::stamp::resolve`]), inputs
//! are merged in time order, and epochs are found where the cumulative
//! counters of most series drop at once (a reboot).

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::atomic::Ordering;
use std::sync::mpsc::TryRecvError;
use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::model::{self, IdMap, Pool, Summary, COUNTER_MOD, NO_DRIVER};
use crate::parse::input::{self, Chunks, Input, Text};
use crate::parse::stamp;
use crate::parse::{self, EventKind, Part};

mod assemble;
mod epoch;
mod populate;
mod read;
mod time;

pub(crate) use assemble::split_front;
use assemble::*;
pub use epoch::wrapped;
use epoch::{find_epochs, unwrap_counters};
pub use read::read;
use read::read_opened;
use time::*;

/// How the time axis was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeSource {
    /// Timestamp lines written before each snapshot.
    Stamps,
    /// `--start` and `--interval`.
    Interval,
    /// No times: snapshot numbers.
    #[default]
    Ordinal,
}

impl TimeSource {
    /// The name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            TimeSource::Stamps => "stamps",
            TimeSource::Interval => "interval",
            TimeSource::Ordinal => "ordinal",
        }
    }
}

/// Options for reading logs.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Fail on the first line that cannot be read.
    pub strict: bool,
    /// Time of the first snapshot for logs without timestamp lines.
    pub start: Option<NaiveDateTime>,
    /// Time between snapshots for logs without timestamp lines.
    pub interval: Option<Duration>,
    /// Where the reader reports how far it got, for a progress display.
    pub progress: Option<Progress>,
}

/// How far reading has got, shared with a progress display on another thread.
///
/// `total` is the sum of the inputs' sizes when they are all plain files
/// (0 when unknown: standard input, compressed inputs); `done` counts the
/// (decompressed) bytes read so far.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Bytes read so far.
    pub done: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Bytes to read in all, or 0 when unknown.
    pub total: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// A line that was skipped or noted, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// 1-based line number.
    pub line: u64,
    /// Why.
    pub reason: String,
}

/// How many warnings are kept per input (all are counted).
pub const WARNINGS_KEPT: usize = 20;

/// Diagnostics for one input.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct InputInfo {
    /// The input as the user named it.
    pub path: String,
    /// Lines read.
    pub lines: u64,
    /// Bytes read (after decompression, before decoding).
    pub bytes: u64,
    /// Snapshots found.
    pub snapshots: u32,
    /// Rows read.
    pub rows: u64,
    /// Lines that could not be read.
    pub skipped_lines: u64,
    /// Known noise lines (prompts, `PoolMon:` messages) passed over.
    pub noise_lines: u64,
    /// Timestamp lines read.
    pub stamps: u64,
    /// Skipped lines by reason.
    pub reasons: BTreeMap<String, u64>,
    /// The first [`WARNINGS_KEPT`] warnings.
    pub warnings: Vec<Warning>,
    /// All warnings, counted.
    pub warning_count: u64,
    /// How numeric dates were read, when the input had any.
    pub date_order: Option<String>,
    /// UTF-16 blocks decoded.
    pub utf16_blocks: u64,
    /// gzip, zstd or none.
    pub compression: String,
}

impl InputInfo {
    fn warn(&mut self, line: u64, reason: &str) {
        self.warning_count += 1;
        if self.warnings.len() < WARNINGS_KEPT {
            self.warnings.push(Warning {
                line,
                reason: reason.to_string(),
            });
        }
    }

    fn skip(&mut self, line: u64, reason: &str) {
        self.skipped_lines += 1;
        *self.reasons.entry(reason.to_string()).or_insert(0) += 1;
        self.warn(line, reason);
    }
}

/// One snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Index into [`Log::inputs`].
    pub source: u32,
    /// 1-based line where it starts.
    pub line: u64,
    /// Its rows in [`Log::rows`].
    pub rows: Range<usize>,
    /// Raw timestamp text.
    pub stamp: Option<String>,
    /// When it was taken.
    pub time: Option<NaiveDateTime>,
    /// UTC offset in seconds, when the stamp gave one.
    pub offset_secs: Option<i32>,
    /// Boot epoch.
    pub epoch: u32,
    /// Summary lines.
    pub summary: Summary,
    /// A pasted interactive screen (rows had `( delta )` columns).
    pub interactive: bool,
    /// The log's last snapshot looks cut off (far fewer rows than the one before).
    pub partial: bool,
}

/// Rows in columns, contiguous per snapshot in snapshot order.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    /// Series id ([`Log::series`]).
    pub series: Vec<u32>,
    /// Allocs, Frees and Bytes of each row, side by side (indexed by
    /// [`model::ALLOCS`], [`model::FREES`] and [`model::BYTES`]; see [`Rows::allocs`],
    /// [`Rows::frees`], [`Rows::bytes`]): the analysis reads a row's three
    /// together, from one place in memory rather than three.
    pub counters: Vec<[u64; 3]>,
    /// Rows whose Diff as printed is not [`model::diff_of`] their Allocs
    /// and Frees: (row, Diff), in row order. See [`Rows::diff`].
    pub odd_diff: Vec<(usize, i64)>,
    /// Rows whose Per Alloc as printed is not [`model::per_alloc_of`] their
    /// Bytes and Diff: (row, Per Alloc), in row order. See [`Rows::per_alloc`].
    pub odd_per_alloc: Vec<(usize, u64)>,
    /// Driver id ([`Log::drivers`]) or [`NO_DRIVER`] of the first rows;
    /// rows past its end have none (empty while no row has a driver). See
    /// [`Rows::driver`].
    pub driver: Vec<u32>,
}

impl Rows {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// Cumulative allocations of row `r`, read as 32-bit counters
    /// unwrapped: a value printed negative (past 2^31, by `%ld`) is its
    /// unsigned value, and within a boot epoch each wrap past 2^32 adds 2^32
    /// to the values after it, so they only rise. Without wraps: the value as
    /// printed. The printed value is this modulo 2^32 (as a signed 32-bit
    /// number in the narrow family).
    #[inline]
    pub fn allocs(&self, r: usize) -> u64 {
        self.counters[r][model::ALLOCS]
    }

    /// Cumulative frees of row `r`, unwrapped as [`Rows::allocs`].
    #[inline]
    pub fn frees(&self, r: usize) -> u64 {
        self.counters[r][model::FREES]
    }

    /// Bytes in use of row `r`.
    #[inline]
    pub fn bytes(&self, r: usize) -> u64 {
        self.counters[r][model::BYTES]
    }

    /// Per Alloc of row `r` as printed.
    pub fn per_alloc(&self, r: usize) -> u64 {
        model::odd_value(&self.odd_per_alloc, r)
            .unwrap_or_else(|| model::per_alloc_of(self.bytes(r), self.diff(r)))
    }

    /// Outstanding allocations (Diff) of row `r`: as printed, or, where a
    /// counter wrapped, the unwrapped Allocs − Frees that the printed value
    /// is modulo 2^32.
    #[inline]
    pub fn diff(&self, r: usize) -> i64 {
        model::odd_value(&self.odd_diff, r)
            .unwrap_or_else(|| model::counters_diff(&self.counters[r]).unwrap_or(0))
    }

    /// Diff of every row, in row order.
    pub(crate) fn diff_column(&self) -> Vec<i64> {
        let mut out: Vec<i64> = self
            .counters
            .iter()
            .map(|c| model::counters_diff(c).unwrap_or(0))
            .collect();
        for &(r, d) in &self.odd_diff {
            out[r] = d;
        }
        out
    }

    /// Per Alloc of every row, in row order, given [`Rows::diff_column`].
    pub(crate) fn per_alloc_column(&self, diff: &[i64]) -> Vec<u64> {
        let mut out: Vec<u64> = self
            .counters
            .iter()
            .zip(diff)
            .map(|(c, &d)| model::per_alloc_of(c[model::BYTES], d))
            .collect();
        for &(r, p) in &self.odd_per_alloc {
            out[r] = p;
        }
        out
    }

    /// Driver id of row `r`, [`NO_DRIVER`] when it has none.
    pub fn driver(&self, r: usize) -> u32 {
        self.driver.get(r).copied().unwrap_or(NO_DRIVER)
    }

    /// Sets Per Alloc of row `r` (kept only when it is not the usual value).
    fn set_per_alloc(&mut self, r: usize, p: u64) {
        let usual = model::is_per_alloc_of(p, self.bytes(r), self.diff(r));
        set_odd(&mut self.odd_per_alloc, r, p, usual);
    }

    /// Sets Diff of row `r` (kept only when it is not Allocs − Frees).
    fn set_diff(&mut self, r: usize, d: i64) {
        let usual = model::counters_diff(&self.counters[r]) == Some(d);
        set_odd(&mut self.odd_diff, r, d, usual);
    }

    /// Sets the driver id of row `r`.
    fn set_driver(&mut self, r: usize, d: u32) {
        if self.driver.len() <= r {
            if d == NO_DRIVER {
                return;
            }
            self.driver.resize(r + 1, NO_DRIVER);
        }
        self.driver[r] = d;
    }

    /// Makes the counters at least `n` long. Grown as zeroed allocations,
    /// which cost no memory until written, so the counters can be sized for
    /// a whole input up front and filled in place, in parallel
    /// ([`Assembler::flush`]).
    fn ensure_numeric(&mut self, n: usize) {
        let col = &mut self.counters;
        if col.len() < n {
            let mut v = vec![[0u64; 3]; n.max(col.len() * 2)];
            v[..col.len()].copy_from_slice(col);
            *col = v;
        }
    }

    /// Cuts the numeric columns back to the rows there are.
    fn trim_numeric(&mut self) {
        let n = self.series.len();
        self.counters.truncate(n);
        self.driver.truncate(n);
    }

    fn push_from(&mut self, other: &Rows, i: usize) {
        self.series.push(other.series[i]);
        self.counters.push(other.counters[i]);
        let r = self.len() - 1;
        self.set_diff(r, other.diff(i));
        self.set_per_alloc(r, other.per_alloc(i));
        self.set_driver(r, other.driver(i));
    }
}

/// Keeps `v` as row `r`'s value in a list of `(row, value)` in row order
/// ([`model::odd_value`]), or takes the row out when
/// `v` is the usual value.
fn set_odd<T>(list: &mut Vec<(usize, T)>, r: usize, v: T, usual: bool) {
    match list.binary_search_by_key(&r, |&(row, _)| row) {
        Ok(k) if usual => {
            list.remove(k);
        }
        Ok(k) => list[k].1 = v,
        Err(k) if !usual => list.insert(k, (r, v)),
        Err(_) => {}
    }
}

/// A (tag, pool) series.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TagPool {
    /// The tag as printed, trailing spaces trimmed, inner spaces kept.
    pub tag: String,
    /// The pool.
    pub pool: Pool,
}

/// Everything read from the inputs.
#[derive(Debug, Clone, Default)]
pub struct Log {
    /// Per-input diagnostics, in argument order.
    pub inputs: Vec<InputInfo>,
    /// Snapshots in time order.
    pub snapshots: Vec<Snapshot>,
    /// Rows, contiguous per snapshot.
    pub rows: Rows,
    /// Series table.
    pub series: Vec<TagPool>,
    /// Mapped_Driver texts.
    pub drivers: Vec<String>,
    /// How the time axis was obtained.
    pub time_source: TimeSource,
    /// Number of boot epochs.
    pub epochs: u32,
    /// Where each epoch after the first starts, and why.
    pub boots: Vec<Boot>,
    /// Wraps of 32-bit counters past 2^32 read as such (the counters are
    /// stored unwrapped: see [`Rows::allocs`]).
    pub counter_wraps: u64,
}

/// The start of a boot epoch after the first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Boot {
    /// Index of its first snapshot in [`Log::snapshots`].
    pub snapshot: usize,
    /// The evidence, in words.
    pub why: String,
}

/// Text from log bytes: UTF-8 when valid, else each byte as Latin-1 (lossless).
pub fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

impl Log {
    /// Reads one in-memory log (for tests and examples).
    pub fn from_bytes(name: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Log> {
        let opened = input::sniff(name.to_string(), Box::new(bytes))?;
        read_opened(vec![opened], opts)
    }

    /// Total skipped lines over all inputs.
    pub fn skipped_lines(&self) -> u64 {
        self.inputs.iter().map(|i| i.skipped_lines).sum()
    }

    /// The first and last snapshot times, when the axis has times.
    pub fn span(&self) -> Option<(NaiveDateTime, NaiveDateTime)> {
        Some((self.snapshots.first()?.time?, self.snapshots.last()?.time?))
    }

    /// The driver text of a row, if any.
    pub fn driver(&self, id: u32) -> Option<&str> {
        if id == NO_DRIVER {
            None
        } else {
            self.drivers.get(id as usize).map(String::as_str)
        }
    }
}

#[cfg(test)]
mod tests;
