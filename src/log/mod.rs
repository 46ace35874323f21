//! The parsed log: snapshots, rows in columns, series and driver tables,
//! per-input diagnostics, a time axis and boot epochs.
//!
//! [`read`] drives everything: each input is read in chunks, the chunks are
//! parsed in parallel ([`crate::parse::parse_chunk`]), and their events are
//! stitched into snapshots here, in order. Then timestamps are resolved once
//! per input (day-first or month-first, [`crate::stamp::resolve`]), inputs
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
use crate::input::{self, Chunks, Input};
use crate::parse::{self, EventKind, IdMap, Part, Pool, Summary, NO_DRIVER};
use crate::stamp;

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
    /// Cumulative allocations.
    pub allocs: Vec<u64>,
    /// Cumulative frees.
    pub frees: Vec<u64>,
    /// Rows whose Diff as printed is not [`parse::diff_of`] their Allocs
    /// and Frees: (row, Diff), in row order. See [`Rows::diff`].
    pub odd_diff: Vec<(usize, i64)>,
    /// Bytes in use.
    pub bytes: Vec<u64>,
    /// Rows whose Per Alloc as printed is not [`parse::per_alloc_of`] their
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

    /// Per Alloc of row `r` as printed.
    pub fn per_alloc(&self, r: usize) -> u64 {
        parse::odd_value(&self.odd_per_alloc, r)
            .unwrap_or_else(|| parse::per_alloc_of(self.bytes[r], self.diff(r)))
    }

    /// Outstanding allocations (Diff) of row `r` as printed.
    #[inline]
    pub fn diff(&self, r: usize) -> i64 {
        parse::odd_value(&self.odd_diff, r)
            .unwrap_or_else(|| parse::diff_of(self.allocs[r], self.frees[r]).unwrap_or(0))
    }

    /// Diff of every row, in row order.
    pub fn diff_column(&self) -> Vec<i64> {
        let mut out: Vec<i64> = self
            .allocs
            .iter()
            .zip(&self.frees)
            .map(|(&a, &f)| parse::diff_of(a, f).unwrap_or(0))
            .collect();
        for &(r, d) in &self.odd_diff {
            out[r] = d;
        }
        out
    }

    /// Per Alloc of every row, in row order, given [`Rows::diff_column`].
    pub fn per_alloc_column(&self, diff: &[i64]) -> Vec<u64> {
        let mut out: Vec<u64> = self
            .bytes
            .iter()
            .zip(diff)
            .map(|(&b, &d)| parse::per_alloc_of(b, d))
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
        let usual = parse::is_per_alloc_of(p, self.bytes[r], self.diff(r));
        set_odd(&mut self.odd_per_alloc, r, p, usual);
    }

    /// Sets Diff of row `r` (kept only when it is not Allocs − Frees).
    fn set_diff(&mut self, r: usize, d: i64) {
        let usual = parse::diff_of(self.allocs[r], self.frees[r]) == Some(d);
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

    /// Makes the numeric columns (all but `series`) at least `n` long. Grown
    /// as zeroed allocations, which cost no memory until written, so the
    /// columns can be sized for a whole input up front and filled in place,
    /// in parallel ([`Assembler::flush`]).
    fn ensure_numeric(&mut self, n: usize) {
        fn grow<T: Copy + Default>(col: &mut Vec<T>, n: usize) {
            if col.len() < n {
                let mut v = vec![T::default(); n.max(col.len() * 2)];
                v[..col.len()].copy_from_slice(col);
                *col = v;
            }
        }
        grow(&mut self.allocs, n);
        grow(&mut self.frees, n);
        grow(&mut self.bytes, n);
    }

    /// Cuts the numeric columns back to the rows there are.
    fn trim_numeric(&mut self) {
        let n = self.series.len();
        self.allocs.truncate(n);
        self.frees.truncate(n);
        self.bytes.truncate(n);
        self.driver.truncate(n);
    }

    fn push_from(&mut self, other: &Rows, i: usize) {
        self.series.push(other.series[i]);
        self.allocs.push(other.allocs[i]);
        self.frees.push(other.frees[i]);
        self.bytes.push(other.bytes[i]);
        let r = self.len() - 1;
        self.set_diff(r, other.diff(i));
        self.set_per_alloc(r, other.per_alloc(i));
        self.set_driver(r, other.driver(i));
    }
}

/// Keeps `v` as row `r`'s value in a list of `(row, value)` in row order
/// ([`parse::odd_value`]), or takes the row out when
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
pub struct Series {
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
    pub series: Vec<Series>,
    /// Mapped_Driver texts.
    pub drivers: Vec<String>,
    /// How the time axis was obtained.
    pub time_source: TimeSource,
    /// Number of boot epochs.
    pub epochs: u32,
}

/// Text from log bytes: UTF-8 when valid, else each byte as Latin-1 (lossless).
pub fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// A snapshot being assembled.
struct Open {
    line: u64,
    header: bool,
    memory: bool,
    commit: bool,
    title: bool,
    summary: Summary,
    stamp: Option<String>,
    interactive: bool,
    row_start: usize,
}

/// Stitches parsed chunks of one input into snapshots.
struct Assembler<'a> {
    log: &'a mut Log,
    keys: &'a mut IdMap<u64, u32>,
    driver_ids: &'a mut HashMap<Vec<u8>, u32>,
    last_snap: Vec<u32>,
    last_row: Vec<usize>,
    source: u32,
    info: InputInfo,
    cur: Option<Open>,
    pending_stamp: Option<String>,
    line_base: u64,
    strict: bool,
    warned_headerless: bool,
    /// Rows appended (ids written) whose numbers are still to be copied
    /// from their parts, in row order, up to the last row.
    pending: Vec<Pending>,
}

/// Splits the first `k` items off `s` (which keeps the rest).
pub(crate) fn split_front<'a, T>(s: &mut &'a mut [T], k: usize) -> &'a mut [T] {
    let (head, tail) = std::mem::take(s).split_at_mut(k);
    *s = tail;
    head
}

/// The entries of a part's `(row, value)` list for its rows `src`, as rows
/// from `dst` on in the log.
fn moved<T: Copy>(list: &[(u32, T)], src: Range<usize>, dst: usize) -> Vec<(usize, T)> {
    let at = |i: usize| list.partition_point(|&(row, _)| (row as usize) < i);
    list[at(src.start)..at(src.end)]
        .iter()
        .map(|&(row, v)| (dst + row as usize - src.start, v))
        .collect()
}

/// The log's id of a chunk-local driver id (through the chunk's `dmap`).
fn global_driver(dmap: &[u32], id: u32) -> u32 {
    if id == NO_DRIVER {
        NO_DRIVER
    } else {
        dmap[id as usize]
    }
}

/// Rows of a parsed chunk waiting to be copied into the log's columns.
struct Pending {
    /// The chunk, with its driver-id map to the log's.
    part: Arc<(Part, Vec<u32>)>,
    /// Its rows.
    src: Range<usize>,
    /// Where they go.
    dst: usize,
}

/// Rows pending before their numbers are copied (in parallel): about sixteen chunks.
const FLUSH_ROWS: usize = 1 << 19;

impl Assembler<'_> {
    /// Copies the pending rows' numbers into the log's columns, the chunks in
    /// parallel: the main thread only decides where rows go.
    fn flush(&mut self) {
        let Some(first) = self.pending.first() else {
            return;
        };
        let (lo, hi) = (first.dst, self.log.rows.len());
        let rows = &mut self.log.rows;
        rows.ensure_numeric(hi);
        // The driver column reaches only as far as the last row with a driver.
        let drivers = self.pending.iter().any(|p| !p.part.0.drivers.is_empty());
        if drivers {
            rows.driver.resize(hi, NO_DRIVER);
        }
        let mut jobs = Vec::with_capacity(self.pending.len());
        let (mut a, mut f, mut b) = (
            &mut rows.allocs[lo..hi],
            &mut rows.frees[lo..hi],
            &mut rows.bytes[lo..hi],
        );
        let mut v = if drivers {
            &mut rows.driver[lo..hi]
        } else {
            &mut []
        };
        for job in &self.pending {
            let k = job.src.len();
            let kv = k.min(v.len());
            jobs.push((
                job,
                split_front(&mut a, k),
                split_front(&mut f, k),
                split_front(&mut b, k),
                split_front(&mut v, kv),
            ));
        }
        // The rows' own Diff and Per Alloc where they are not the usual values.
        type Odd = (Vec<(usize, i64)>, Vec<(usize, u64)>);
        let odd: Vec<Odd> = jobs
            .into_par_iter()
            .map(|(job, a, f, b, v)| {
                let (part, dmap) = &*job.part;
                let r = job.src.clone();
                a.copy_from_slice(&part.allocs[r.clone()]);
                f.copy_from_slice(&part.frees[r.clone()]);
                b.copy_from_slice(&part.bytes[r.clone()]);
                for (out, &id) in v.iter_mut().zip(&part.driver[r.clone()]) {
                    *out = global_driver(dmap, id);
                }
                (
                    moved(&part.odd_diff, r.clone(), job.dst),
                    moved(&part.odd_per_alloc, r, job.dst),
                )
            })
            .collect();
        for (d, p) in odd {
            rows.odd_diff.extend(d);
            rows.odd_per_alloc.extend(p);
        }
        self.pending.clear();
    }

    fn has_rows(&self) -> bool {
        self.cur
            .as_ref()
            .is_some_and(|c| self.log.rows.len() > c.row_start)
    }

    fn open(&mut self, line: u64) {
        self.close();
        self.cur = Some(Open {
            line,
            header: false,
            memory: false,
            commit: false,
            title: false,
            summary: Summary::default(),
            stamp: self.pending_stamp.take(),
            interactive: false,
            row_start: self.log.rows.len(),
        });
    }

    fn close(&mut self) {
        if let Some(c) = self.cur.take() {
            self.log.snapshots.push(Snapshot {
                source: self.source,
                line: c.line,
                rows: c.row_start..self.log.rows.len(),
                stamp: c.stamp,
                time: None,
                offset_secs: None,
                epoch: 0,
                summary: c.summary,
                interactive: c.interactive,
                partial: false,
            });
            self.info.snapshots += 1;
        }
    }

    fn fail(&self, line: u64, reason: &str) -> Error {
        Error::Line {
            path: self.info.path.clone(),
            line,
            reason: reason.to_string(),
        }
    }

    /// Appends rows `range` of `part` to the open snapshot.
    fn rows(
        &mut self,
        chunk: &Arc<(Part, Vec<u32>)>,
        remap: &[u32],
        range: Range<usize>,
        line: u64,
    ) {
        let (part, dmap) = (&chunk.0, &chunk.1[..]);
        if range.is_empty() {
            return;
        }
        if self.cur.is_none() {
            if !self.warned_headerless {
                self.info
                    .warn(line, "rows without a column header: read as a snapshot");
                self.warned_headerless = true;
            }
            self.open(line);
        }
        let snap = self.log.snapshots.len() as u32;
        let rows = &mut self.log.rows;
        // Fast path: no (tag, pool) repeats within the snapshot, so the
        // numeric columns are copied in bulk and only ids are remapped.
        let start = rows.len();
        let mut clean = true;
        for i in range.clone() {
            let g = remap[part.series[i] as usize];
            let gi = g as usize;
            if self.last_snap.len() <= gi {
                self.last_snap.resize(gi + 1, u32::MAX);
                self.last_row.resize(gi + 1, 0);
            }
            if self.last_snap[gi] == snap {
                clean = false;
                break;
            }
            self.last_snap[gi] = snap;
            self.last_row[gi] = start + (i - range.start);
            rows.series.push(g);
        }
        if clean {
            self.info.rows += range.len() as u64;
            self.pending.push(Pending {
                part: Arc::clone(chunk),
                src: range,
                dst: start,
            });
            // Pending rows run from the first pending copy to the last row.
            if self
                .pending
                .first()
                .is_some_and(|p| rows.len() - p.dst >= FLUSH_ROWS)
            {
                self.flush();
            }
            return;
        }
        // Slow path: undo the ids pushed so far and go row by row (after the
        // rows before them have their numbers).
        for i in range.start..range.start + (rows.series.len() - start) {
            let gi = remap[part.series[i] as usize] as usize;
            self.last_snap[gi] = u32::MAX;
        }
        rows.series.truncate(start);
        self.flush();
        let rows = &mut self.log.rows;
        for i in range {
            let g = remap[part.series[i] as usize];
            let gi = g as usize;
            if self.last_snap.len() <= gi {
                self.last_snap.resize(gi + 1, u32::MAX);
                self.last_row.resize(gi + 1, 0);
            }
            let d = global_driver(dmap, part.driver[i]);
            if self.last_snap[gi] == snap {
                // The same (tag, pool) twice in one snapshot: summed, with a warning.
                let r = self.last_row[gi];
                let diff = rows.diff(r).saturating_add(part.diff(i));
                rows.allocs[r] = rows.allocs[r].saturating_add(part.allocs[i]);
                rows.frees[r] = rows.frees[r].saturating_add(part.frees[i]);
                rows.bytes[r] = rows.bytes[r].saturating_add(part.bytes[i]);
                rows.set_diff(r, diff);
                let p = parse::per_alloc_of(rows.bytes[r], diff);
                rows.set_per_alloc(r, p);
                self.info.warning_count += 1;
                if self.info.warnings.len() < WARNINGS_KEPT {
                    let s = &self.log.series[gi];
                    self.info.warnings.push(Warning {
                        line,
                        reason: format!(
                            "{} {} appears twice in one snapshot: summed",
                            s.tag,
                            s.pool.name()
                        ),
                    });
                }
                continue;
            }
            let r = rows.len();
            self.last_snap[gi] = snap;
            self.last_row[gi] = r;
            rows.series.push(g);
            rows.ensure_numeric(r + 1);
            rows.allocs[r] = part.allocs[i];
            rows.frees[r] = part.frees[i];
            rows.bytes[r] = part.bytes[i];
            rows.set_diff(r, part.diff(i));
            rows.set_per_alloc(r, part.per_alloc(i));
            rows.set_driver(r, d);
            self.info.rows += 1;
        }
    }

    fn part(&mut self, part: Part) -> Result<()> {
        let remap: Vec<u32> = part
            .keys
            .iter()
            .map(|&k| {
                let next = self.log.series.len() as u32;
                let id = *self.keys.entry(k).or_insert(next);
                if id == next {
                    let (tag, pool) = parse::split_key(k);
                    let t = text(&tag);
                    self.log.series.push(Series {
                        tag: t.trim_end_matches(' ').to_string(),
                        pool,
                    });
                }
                id
            })
            .collect();
        let dmap: Vec<u32> = part
            .drivers
            .iter()
            .map(|d| {
                let next = self.log.drivers.len() as u32;
                let id = *self.driver_ids.entry(d.clone()).or_insert(next);
                if id == next {
                    self.log.drivers.push(text(d));
                }
                id
            })
            .collect();
        let lines = part.lines;
        let chunk = Arc::new((part, dmap));
        let part = &chunk.0;
        let mut cursor = 0usize;
        let mut row_line = self.line_base + 1;
        for ev in &part.events {
            let line = self.line_base + u64::from(ev.line) + 1;
            let upto = ev.row as usize;
            if upto > cursor {
                self.rows(&chunk, &remap, cursor..upto, row_line);
                cursor = upto;
            }
            match &ev.kind {
                EventKind::RowsStart => {
                    row_line = line;
                    if self.cur.is_none() {
                        // rows() opens an implicit snapshot
                    }
                }
                EventKind::Interactive => {
                    if let Some(c) = self.cur.as_mut() {
                        c.interactive = true;
                    } else {
                        self.rows(&chunk, &remap, 0..0, line);
                    }
                }
                EventKind::Header(_) => {
                    if self.cur.as_ref().is_none_or(|c| c.header) || self.has_rows() {
                        self.open(line);
                    }
                    if let Some(c) = self.cur.as_mut() {
                        c.header = true;
                    }
                }
                EventKind::Memory(v) => {
                    if self
                        .cur
                        .as_ref()
                        .is_none_or(|c| c.memory || c.header || c.commit || c.title)
                        || self.has_rows()
                    {
                        self.open(line);
                    }
                    if let Some(c) = self.cur.as_mut() {
                        c.memory = true;
                        let s = &mut c.summary;
                        [
                            s.memory_k,
                            s.avail_k,
                            s.page_faults,
                            s.inram_krnl_k,
                            s.paged_resident_k,
                        ] = *v;
                    }
                }
                EventKind::Commit(v) => {
                    if self
                        .cur
                        .as_ref()
                        .is_none_or(|c| c.commit || c.header || c.title)
                        || self.has_rows()
                    {
                        self.open(line);
                    }
                    if let Some(c) = self.cur.as_mut() {
                        c.commit = true;
                        let s = &mut c.summary;
                        [
                            s.commit_k,
                            s.limit_k,
                            s.peak_k,
                            s.pool_nonpaged_k,
                            s.pool_paged_k,
                        ] = *v;
                    }
                }
                EventKind::Title => {
                    if self.cur.as_ref().is_none_or(|c| c.title || c.header) || self.has_rows() {
                        self.open(line);
                    }
                    if let Some(c) = self.cur.as_mut() {
                        c.title = true;
                    }
                }
                EventKind::Stamp(s) => {
                    self.info.stamps += 1;
                    if self.cur.is_some() {
                        self.close();
                    }
                    if self.pending_stamp.is_some() {
                        self.info
                            .warn(line, "timestamp line with no snapshot after it");
                    }
                    self.pending_stamp = Some(s.clone());
                }
                EventKind::Bad(reason) => {
                    if self.strict {
                        return Err(self.fail(line, reason));
                    }
                    self.info.skip(line, reason);
                }
                EventKind::Note(reason) => self.info.warn(line, reason),
                EventKind::Noise => self.info.noise_lines += 1,
            }
        }
        let n = part.series.len();
        if n > cursor {
            self.rows(&chunk, &remap, cursor..n, row_line);
        }
        self.line_base += u64::from(lines);
        Ok(())
    }
}

/// Reads, parses and merges the inputs.
pub fn read(inputs: &[Input], opts: &ReadOptions) -> Result<Log> {
    let opened = inputs.iter().map(input::open).collect::<Result<Vec<_>>>()?;
    read_opened(opened, opts)
}

/// Reads, parses and merges inputs that are already open.
pub fn read_opened(inputs: Vec<input::Opened<'_>>, opts: &ReadOptions) -> Result<Log> {
    let mut log = Log::default();
    let mut keys: IdMap<u64, u32> = IdMap::default();
    let mut driver_ids: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut last_snap = Vec::new();
    let mut last_row = Vec::new();
    if let Some(p) = &opts.progress {
        let sizes: Option<u64> = inputs.iter().map(|o| o.size_hint).sum();
        p.total.store(sizes.unwrap_or(0), Ordering::Relaxed);
    }
    for (k, opened) in inputs.into_iter().enumerate() {
        let name = opened.name.clone();
        let compression = opened.compression;
        if let Some(size) = opened.size_hint {
            // Narrow rows take 66 to 70 bytes: reserve for 60 once instead of growing (and
            // copying) the columns at the end; capacity never touched costs no memory.
            let rows = (size / 60) as usize;
            let r = &mut log.rows;
            r.series.reserve(rows);
            r.ensure_numeric(r.series.len() + rows);
        }
        let done_before = opts
            .progress
            .as_ref()
            .map_or(0, |p| p.done.load(Ordering::Relaxed));
        let mut chunks = Chunks::new(opened.reader, input::BLOCK);
        let mut asm = Assembler {
            log: &mut log,
            keys: &mut keys,
            driver_ids: &mut driver_ids,
            last_snap: std::mem::take(&mut last_snap),
            last_row: std::mem::take(&mut last_row),
            source: k as u32,
            info: InputInfo {
                path: name.clone(),
                compression: format!("{compression:?}").to_lowercase(),
                ..Default::default()
            },
            cur: None,
            pending_stamp: None,
            line_base: 0,
            strict: opts.strict,
            warned_headerless: false,
            pending: Vec::new(),
        };
        let mut reader = TextReader {
            chunks: &mut chunks,
            name: &name,
            compression,
            progress: opts.progress.as_ref(),
            done_before,
        };
        if rayon::current_thread_index().is_none() && rayon::current_num_threads() > 1 {
            // On a pool thread, so that this thread's reading and placing
            // rows take turns with parsing instead of competing with it.
            let (reader, asm) = (&mut reader, &mut asm);
            rayon::scope(|_| pipelined(reader, asm))?;
        } else {
            batched(&mut reader, &mut asm)?;
        }
        asm.flush();
        if asm.pending_stamp.is_some() {
            let line = asm.line_base;
            asm.info
                .warn(line, "timestamp line with no snapshot after it");
        }
        asm.close();
        asm.info.lines = asm.line_base;
        asm.info.bytes = chunks.raw_bytes;
        asm.info.utf16_blocks = chunks.decoder().utf16_blocks;
        let info = asm.info;
        last_snap = asm.last_snap;
        last_row = asm.last_row;
        if info.snapshots == 0 {
            let dropped = chunks.decoder().dropped;
            let hint = match info.warnings.first() {
                Some(w) => format!("; line {}: {}", w.line, w.reason),
                None if dropped > 0 && dropped == info.bytes => {
                    format!("; all {dropped} bytes are NUL, Ctrl-Z or byte-order marks")
                }
                None => String::new(),
            };
            return Err(Error::NoSnapshot {
                path: info.path,
                lines: info.lines,
                hint,
            });
        }
        log.inputs.push(info);
    }
    log.rows.trim_numeric();
    mark_partial(&mut log);
    resolve_times(&mut log, opts)?;
    order_by_time(&mut log);
    find_epochs(&mut log);
    Ok(log)
}

/// Chunks of decoded text from one input, with its errors named and progress counted.
struct TextReader<'r, 'a> {
    chunks: &'r mut Chunks<Box<dyn std::io::Read + Send + 'a>>,
    name: &'r str,
    compression: input::Compression,
    progress: Option<&'r Progress>,
    done_before: u64,
}

impl TextReader<'_, '_> {
    fn next(&mut self) -> Result<Option<(Vec<u8>, bool)>> {
        let got = self
            .chunks
            .next_chunk()
            .map_err(|e| match self.compression {
                input::Compression::None => Error::Io {
                    path: self.name.into(),
                    source: e,
                },
                c => Error::Corrupt {
                    path: self.name.to_string(),
                    what: if c == input::Compression::Gzip {
                        "gzip"
                    } else {
                        "zstd"
                    },
                    reason: e.to_string(),
                },
            })?;
        if let Some(p) = self.progress {
            p.done
                .store(self.done_before + self.chunks.raw_bytes, Ordering::Relaxed);
        }
        Ok(got)
    }
}

/// Reads chunks on this thread while the rayon pool parses the ones read
/// before, and assembles the parsed chunks in order as they come back: reading,
/// parsing and assembling overlap. At most two chunks per worker, plus two,
/// are in flight (so that the workers have chunks to parse while they also
/// copy rows, [`Assembler::flush`]). Runs on a pool thread (see
/// [`read_opened`]), which parses chunks itself while the one it needs next
/// is not ready: one thread per core, none waiting idle while another one
/// competes with the workers for the cores.
fn pipelined(reader: &mut TextReader, asm: &mut Assembler) -> Result<()> {
    let in_flight = rayon::current_num_threads() * 2 + 2;
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Part, Vec<u8>)>();
    let mut ready: HashMap<usize, (Part, Vec<u8>)> = HashMap::new();
    let (mut issued, mut next) = (0usize, 0usize);
    let mut finished = false;
    loop {
        while !finished && issued - next < in_flight {
            match reader.next()? {
                Some((text, last)) => {
                    let tx = tx.clone();
                    let i = issued;
                    rayon::spawn(move || {
                        let part = parse::parse_chunk(&text, last);
                        // The receiver is gone only when reading failed: nothing to do then.
                        let _ = tx.send((i, part, text));
                    });
                    issued += 1;
                    finished = last;
                }
                None => finished = true,
            }
        }
        if next == issued {
            return Ok(());
        }
        let (part, text) = loop {
            if let Some(done) = ready.remove(&next) {
                break done;
            }
            // A chunk that is done, or else one to parse here; wait only
            // when neither (a worker is parsing every chunk in flight).
            let got = match rx.try_recv() {
                Err(TryRecvError::Empty) => {
                    if rayon::yield_now() == Some(rayon::Yield::Executed) {
                        continue;
                    }
                    rx.recv().map_err(|_| TryRecvError::Disconnected)
                }
                got => got,
            };
            match got {
                Ok((i, part, text)) => {
                    ready.insert(i, (part, text));
                }
                Err(_) => {
                    return Err(Error::Invalid(format!(
                        "{}: a parser thread stopped",
                        reader.name
                    )))
                }
            }
        };
        reader.chunks.recycle(text);
        asm.part(part)?;
        next += 1;
    }
}

/// Reads a batch of chunks, parses them in parallel, assembles them; repeats.
/// Safe inside the rayon pool (e.g. when `fleet` reads several hosts at once).
fn batched(reader: &mut TextReader, asm: &mut Assembler) -> Result<()> {
    let batch = rayon::current_num_threads().max(1) * 2;
    let mut finished = false;
    while !finished {
        let mut texts = Vec::with_capacity(batch);
        while texts.len() < batch {
            match reader.next()? {
                Some((t, last)) => {
                    texts.push((t, last));
                    if last {
                        finished = true;
                        break;
                    }
                }
                None => {
                    finished = true;
                    break;
                }
            }
        }
        let parts: Vec<Part> = if texts.len() == 1 {
            texts
                .iter()
                .map(|(t, last)| parse::parse_chunk(t, *last))
                .collect()
        } else {
            texts
                .par_iter()
                .map(|(t, last)| parse::parse_chunk(t, *last))
                .collect()
        };
        for (t, _) in texts {
            reader.chunks.recycle(t);
        }
        for p in parts {
            asm.part(p)?;
        }
    }
    Ok(())
}

/// Marks a last snapshot per input with far fewer rows than the one before it.
fn mark_partial(log: &mut Log) {
    for src in 0..log.inputs.len() as u32 {
        let idx: Vec<usize> = (0..log.snapshots.len())
            .filter(|&i| log.snapshots[i].source == src)
            .collect();
        if let [.., a, b] = idx[..] {
            let (na, nb) = (log.snapshots[a].rows.len(), log.snapshots[b].rows.len());
            if nb > 0 && nb * 2 < na {
                log.snapshots[b].partial = true;
                let line = log.snapshots[b].line;
                log.inputs[src as usize].warn(
                    line,
                    &format!(
                        "last snapshot has {nb} rows, the one before {na}: cut off while written?"
                    ),
                );
            }
        }
    }
}

/// Gives every snapshot a time: from its stamp (day/month order decided once
/// per input), interpolated where a few stamps are missing, or from
/// `--start`/`--interval`.
fn resolve_times(log: &mut Log, opts: &ReadOptions) -> Result<()> {
    for src in 0..log.inputs.len() as u32 {
        let idx: Vec<usize> = (0..log.snapshots.len())
            .filter(|&i| log.snapshots[i].source == src)
            .collect();
        let mut raws = Vec::new();
        let mut which = Vec::new();
        for &i in &idx {
            if let Some(raw) = log.snapshots[i]
                .stamp
                .as_deref()
                .and_then(stamp::parse_stamp)
            {
                raws.push(raw);
                which.push(i);
            }
        }
        if raws.is_empty() {
            continue;
        }
        let res = stamp::resolve(&raws);
        if res.order.is_some() {
            log.inputs[src as usize].date_order = Some(res.evidence.clone());
        }
        for ((&i, t), raw) in which.iter().zip(res.times).zip(&raws) {
            log.snapshots[i].time = t;
            log.snapshots[i].offset_secs = raw.offset_secs;
        }
    }
    let n = log.snapshots.len();
    let have = log.snapshots.iter().filter(|s| s.time.is_some()).count();
    let stamped = if n > 0 && have == n {
        true
    } else if have >= 2 && have * 2 >= n {
        // Fill the gaps: linear between neighbours, the median step at the ends.
        let missing = n - have;
        let filled = fill_times(log);
        if let Some(info) = log.inputs.first_mut() {
            let reason = if filled {
                format!("{missing} snapshots have no timestamp line: their times are interpolated")
            } else {
                format!(
                    "{missing} snapshots have no timestamp line and the stamps are too far apart to \
                     interpolate: snapshot numbers used instead"
                )
            };
            info.warn(0, &reason);
        }
        filled
    } else {
        false
    };
    if stamped {
        log.time_source = TimeSource::Stamps;
    } else if let Some(step) = opts.interval {
        let start = opts
            .start
            .unwrap_or_else(|| chrono::DateTime::UNIX_EPOCH.naive_utc());
        for (k, s) in log.snapshots.iter_mut().enumerate() {
            let t = i32::try_from(k)
                .ok()
                .and_then(|k| step.checked_mul(k))
                .and_then(|d| start.checked_add_signed(d));
            let Some(t) = t else {
                return Err(Error::Invalid(format!(
                    "--interval: snapshot {} of {n} would be past the latest date poolscan can \
                     represent: give a shorter interval or an earlier --start",
                    k + 1
                )));
            };
            s.time = Some(t);
        }
        log.time_source = TimeSource::Interval;
    } else {
        for s in log.snapshots.iter_mut() {
            s.time = None;
        }
        log.time_source = TimeSource::Ordinal;
    }
    Ok(())
}

/// A duration in nanoseconds, exactly (any `TimeDelta` fits in an `i128`).
fn nanos(d: Duration) -> i128 {
    i128::from(d.num_seconds()) * 1_000_000_000 + i128::from(d.subsec_nanos())
}

/// `t` moved by `ns` nanoseconds; `None` past the dates chrono can represent.
fn shifted(t: NaiveDateTime, ns: i128) -> Option<NaiveDateTime> {
    let secs = i64::try_from(ns.div_euclid(1_000_000_000)).ok()?;
    let rest = i64::try_from(ns.rem_euclid(1_000_000_000)).ok()?;
    let d = Duration::try_seconds(secs)?.checked_add(&Duration::nanoseconds(rest))?;
    t.checked_add_signed(d)
}

/// Gives the snapshots without a time one, in a single pass: linear between
/// the known neighbours, the median step before the first and after the last.
/// Returns false (times left partly unset) when a time would fall outside
/// the dates chrono can represent.
fn fill_times(log: &mut Log) -> bool {
    let known: Vec<(usize, NaiveDateTime)> = log
        .snapshots
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.time.map(|t| (i, t)))
        .collect();
    let mut steps: Vec<i128> = known
        .windows(2)
        .map(|w| nanos(w[1].1 - w[0].1) / (w[1].0 - w[0].0) as i128)
        .collect();
    steps.sort_unstable();
    let step = steps
        .get(steps.len() / 2)
        .copied()
        .unwrap_or(60_000_000_000);
    // `known[next]` is the first known snapshot at or after `i`.
    let mut next = 0;
    for i in 0..log.snapshots.len() {
        while next < known.len() && known[next].0 < i {
            next += 1;
        }
        if log.snapshots[i].time.is_some() {
            continue;
        }
        let before = next.checked_sub(1).and_then(|k| known.get(k));
        let t = match (before, known.get(next)) {
            (Some(&(a, ta)), Some(&(b, tb))) => {
                shifted(ta, nanos(tb - ta) * (i - a) as i128 / (b - a) as i128)
            }
            (Some(&(a, ta)), None) => shifted(ta, step * (i - a) as i128),
            (None, Some(&(b, tb))) => shifted(tb, -step * (b - i) as i128),
            (None, None) => continue,
        };
        match t {
            Some(t) => log.snapshots[i].time = Some(t),
            None => return false,
        }
    }
    true
}

/// Sorts snapshots by time when every snapshot has one (stable: ties keep
/// argument order) and lays the rows out again in that order.
fn order_by_time(log: &mut Log) {
    if log.inputs.len() < 2 || log.snapshots.iter().any(|s| s.time.is_none()) {
        return;
    }
    let mut order: Vec<usize> = (0..log.snapshots.len()).collect();
    order.sort_by_key(|&i| log.snapshots[i].time);
    if order.iter().enumerate().all(|(k, &i)| k == i) {
        return;
    }
    let mut rows = Rows::default();
    let mut snaps = Vec::with_capacity(order.len());
    for &i in &order {
        let mut s = log.snapshots[i].clone();
        let start = rows.len();
        for r in s.rows.clone() {
            rows.push_from(&log.rows, r);
        }
        s.rows = start..rows.len();
        snaps.push(s);
    }
    log.rows = rows;
    log.snapshots = snaps;
}

/// Marks boot epochs: a new epoch starts at a snapshot where the cumulative
/// Allocs or Frees of most series seen in both it and the one before dropped,
/// or where the cumulative page-fault count of a `/r` snapshot dropped.
pub fn find_epochs(log: &mut Log) {
    let nseries = log.series.len();
    let nsnap = log.snapshots.len();
    // Each series' row is compared with its row before. Done in blocks of
    // snapshots in parallel; a series' first row in a block is compared
    // afterwards, with its last row in the blocks before.
    let blocks = rayon::current_num_threads().clamp(1, nsnap.max(1));
    let block = |b: usize| b * nsnap / blocks..(b + 1) * nsnap / blocks;
    let (snaps, rows) = (&log.snapshots, &log.rows);
    let parts: Vec<EpochBlock> = (0..blocks)
        .into_par_iter()
        .map(|b| {
            let mut part = EpochBlock {
                counts: Vec::with_capacity(block(b).len()),
                firsts: Vec::new(),
                last: vec![None; nseries],
            };
            for si in block(b) {
                // A series is at most once in a snapshot, so its last values
                // can be updated as its row is compared with them.
                let (mut common, mut drops) = (0usize, 0usize);
                for r in snaps[si].rows.clone() {
                    let s = rows.series[r] as usize;
                    let (a, f) = (rows.allocs[r], rows.frees[r]);
                    match part.last[s] {
                        None => part.firsts.push((si, s, a, f)),
                        Some(before) => {
                            if let Some(drop) = dropped(before, (a, f)) {
                                common += 1;
                                drops += usize::from(drop);
                            }
                        }
                    }
                    part.last[s] = Some((a, f));
                }
                part.counts.push((common, drops));
            }
            part
        })
        .collect();
    let mut counts: Vec<(usize, usize)> = Vec::with_capacity(nsnap);
    let mut last = vec![None; nseries];
    for part in parts {
        counts.extend(part.counts);
        for (si, s, a, f) in part.firsts {
            if let Some(drop) = last[s].and_then(|before| dropped(before, (a, f))) {
                counts[si].0 += 1;
                counts[si].1 += usize::from(drop);
            }
        }
        for (s, v) in part.last.into_iter().enumerate() {
            if v.is_some() {
                last[s] = v;
            }
        }
    }
    let mut epoch = 0u32;
    for (si, &(common, drops)) in counts.iter().enumerate() {
        // In a /n snapshot PageFlts counts since boot: a drop is a reboot too.
        let faults_dropped = si > 0
            && {
                let (a, b) = (&log.snapshots[si - 1], &log.snapshots[si]);
                !a.interactive
                    && !b.interactive
                    && matches!((a.summary.page_faults, b.summary.page_faults), (Some(x), Some(y)) if y < x)
            };
        if (common > 0 && drops * 2 > common && (drops >= 2 || common == 1)) || faults_dropped {
            epoch += 1;
        }
        log.snapshots[si].epoch = epoch;
    }
    log.epochs = if log.snapshots.is_empty() {
        0
    } else {
        epoch + 1
    };
}

/// One block of snapshots of [`find_epochs`].
struct EpochBlock {
    /// Per snapshot: series compared with their row before, and of them
    /// those whose Allocs or Frees dropped.
    counts: Vec<(usize, usize)>,
    /// Each series' first row in the block: (snapshot, series, Allocs, Frees).
    firsts: Vec<(usize, usize, u64, u64)>,
    /// Each series' last (Allocs, Frees) in the block, if it is in it.
    last: Vec<Option<(u64, u64)>>,
}

/// For a series' row `(Allocs, Frees)` after the row `before`: whether
/// either dropped, or `None` when the row before does not count (Allocs of
/// `u64::MAX` stands for no value).
fn dropped(before: (u64, u64), (a, f): (u64, u64)) -> Option<bool> {
    (before.0 != u64::MAX).then_some(a < before.0 || f < before.1)
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
mod tests {
    use super::*;

    #[test]
    fn progress_counts_every_byte_read() {
        let text: &[u8] = include_bytes!("../fixtures/synth/poolmon-demo.log");
        let mut opened =
            input::sniff("demo.log".into(), Box::new(std::io::Cursor::new(text))).unwrap();
        opened.size_hint = Some(text.len() as u64);
        let progress = Progress::default();
        let opts = ReadOptions {
            progress: Some(progress.clone()),
            ..Default::default()
        };
        let log = read_opened(vec![opened], &opts).unwrap();
        assert!(!log.snapshots.is_empty());
        assert_eq!(progress.total.load(Ordering::Relaxed), text.len() as u64);
        assert_eq!(progress.done.load(Ordering::Relaxed), text.len() as u64);
    }

    /// [`find_epochs`] one snapshot after the other: the reference for the
    /// block-parallel one.
    fn epochs_serially(log: &Log) -> Vec<u32> {
        let n = log.series.len();
        let (mut last_allocs, mut last_frees) = (vec![u64::MAX; n], vec![u64::MAX; n]);
        let mut epoch = 0u32;
        let mut out = Vec::new();
        for (si, snap) in log.snapshots.iter().enumerate() {
            let (mut common, mut drops) = (0usize, 0usize);
            for r in snap.rows.clone() {
                let s = log.rows.series[r] as usize;
                let (a, f) = (log.rows.allocs[r], log.rows.frees[r]);
                if last_allocs[s] != u64::MAX {
                    common += 1;
                    if a < last_allocs[s] || f < last_frees[s] {
                        drops += 1;
                    }
                }
                last_allocs[s] = a;
                last_frees[s] = f;
            }
            let faults_dropped = si > 0
                && {
                    let (a, b) = (&log.snapshots[si - 1], snap);
                    !a.interactive
                        && !b.interactive
                        && matches!((a.summary.page_faults, b.summary.page_faults), (Some(x), Some(y)) if y < x)
                };
            if (common > 0 && drops * 2 > common && (drops >= 2 || common == 1)) || faults_dropped {
                epoch += 1;
            }
            out.push(epoch);
        }
        out
    }

    /// Epochs found in blocks of snapshots on any number of threads are
    /// those found one snapshot after the other: reboots anywhere (at a
    /// block's edge too), series that come and go, snapshots without rows.
    #[test]
    fn epochs_in_parallel_blocks_match_the_serial_pass() {
        // The last: a reboot before every snapshot but the first, so at
        // every block's edge.
        let cases = [
            (1, 60, 0, 0.0),
            (2, 60, 3, 0.0),
            (3, 60, 6, 0.2),
            (4, 60, 9, 0.05),
            (5, 14, 13, 0.0),
        ];
        for (seed, snapshots, reboots, gap) in cases {
            let cfg = crate::synth::Config {
                seed,
                snapshots,
                series: 40,
                reboots,
                gap_prob: gap,
                ..Default::default()
            };
            let (text, _) = crate::synth::generate(&cfg);
            // Without the `Memory:` lines (PageFlts) the rows alone tell.
            let rows_only: Vec<u8> = text
                .split_inclusive(|&c| c == b'\n')
                .filter(|l| !l.trim_ascii_start().starts_with(b"Memory:"))
                .flatten()
                .copied()
                .collect();
            for (text, threads) in [&text, &rows_only]
                .into_iter()
                .flat_map(|t| (1..=7).map(move |n| (t, n)))
            {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let log = pool
                    .install(|| Log::from_bytes("e.log", text, &ReadOptions::default()))
                    .unwrap();
                let got: Vec<u32> = log.snapshots.iter().map(|s| s.epoch).collect();
                assert_eq!(got, epochs_serially(&log), "seed {seed}, {threads} threads");
                assert_eq!(log.epochs, got.last().map_or(0, |e| e + 1));
                if reboots > 0 {
                    assert!(log.epochs > 1, "seed {seed}: reboots found");
                }
            }
        }
        // Allocs of u64::MAX (which stands for no value before a row: the
        // next row of that series is not compared), then a drop of that
        // series and one other: not a reboot (one of two compared rows
        // dropped), wherever the blocks' edges are.
        for at in 0..8 {
            let mut text = String::new();
            for snap in 0..9u64 {
                text.push_str(" Tag  Type     Allocs         Frees    Diff   Bytes    Per Alloc\n");
                for (tag, base) in [("AAAA", 100u64), ("BBBB", 200), ("CCCC", 300)] {
                    let a = match (tag, snap) {
                        ("AAAA", s) if s == at => u64::MAX,
                        ("AAAA", s) if s == at + 1 => 0,
                        ("BBBB", s) if s == at + 1 => base,
                        _ => base + 10 * snap,
                    };
                    text.push_str(&format!(" {tag} Nonp {a} 1 0 0 0\n"));
                }
            }
            for threads in 1..=7 {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let log = pool
                    .install(|| Log::from_bytes("m.log", text.as_bytes(), &ReadOptions::default()))
                    .unwrap();
                let got: Vec<u32> = log.snapshots.iter().map(|s| s.epoch).collect();
                assert_eq!(got, epochs_serially(&log), "at {at}, {threads} threads");
            }
        }
    }

    /// Every row's numbers land in its place, across many parallel copies,
    /// and a (tag, pool) twice in one snapshot (the row-by-row path, late in
    /// a long log) is summed once.
    #[test]
    fn rows_copied_in_parallel_keep_their_numbers() {
        let cfg = crate::synth::Config {
            snapshots: 2900,
            series: 250,
            gap_prob: 0.0,
            ..Default::default()
        };
        let (clean, _) = crate::synth::generate(&cfg);
        // Repeat the row at three quarters of the rows, right after itself.
        let rows_total = clean
            .split(|&c| c == b'\n')
            .filter(|l| matches!(parse::row(l), Ok(Some(_))))
            .count();
        let target = rows_total * 3 / 4;
        let (mut text, mut seen) = (Vec::new(), 0);
        for line in clean.split_inclusive(|&c| c == b'\n') {
            text.extend_from_slice(line);
            if matches!(parse::row(line.trim_ascii_end()), Ok(Some(_))) {
                if seen == target {
                    text.extend_from_slice(line);
                }
                seen += 1;
            }
        }
        // The rows as one chunk reads them, in order, the repeat included.
        let all = parse::parse_chunk(&text, true);
        let log = Log::from_bytes("dup.log", &text, &ReadOptions::default()).unwrap();
        // Several copies in parallel before the repeated row, one after.
        assert!(rows_total * 3 / 4 > FLUSH_ROWS, "{rows_total} rows");
        assert_eq!(log.rows.len(), all.allocs.len() - 1);
        assert_eq!(log.rows.allocs.len(), log.rows.len());
        assert!(log.rows.driver.is_empty());
        let mut j = 0;
        for i in 0..all.allocs.len() {
            if i == target + 1 {
                continue;
            }
            let twice = if i == target { 2 } else { 1 };
            assert_eq!(log.rows.allocs[j], all.allocs[i] * twice, "row {i}");
            assert_eq!(log.rows.frees[j], all.frees[i] * twice, "row {i}");
            assert_eq!(log.rows.bytes[j], all.bytes[i] * twice, "row {i}");
            assert_eq!(log.rows.diff(j), all.diff(i) * twice as i64, "row {i}");
            if i != target {
                assert_eq!(log.rows.per_alloc(j), all.per_alloc(i), "row {i}");
            }
            assert_eq!(log.rows.driver(j), NO_DRIVER);
            j += 1;
        }
        let warned = &log.inputs[0].warnings;
        assert!(
            warned.iter().any(|w| w.reason.contains("appears twice")),
            "{warned:?}"
        );
    }
}
