//! A chunk of lines into columns: [`parse_chunk`] reads every line of a
//! chunk and keeps its rows column-wise ([`Part`]) with the other lines of
//! interest as [`Event`]s, which [`crate::log`] stitches into snapshots.

use std::collections::HashMap;

use memchr::memchr2;

use super::*;
use crate::model::{
    counters_diff, diff_of, is_per_alloc_of, odd_value, per_alloc_of, series_key, IdMap, BYTES,
    NO_DRIVER,
};

/// A line of interest other than a row, in chunk order.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// 0-based line number within the chunk.
    pub line: u32,
    /// Rows of the chunk before this event.
    pub row: u32,
    /// What the line was.
    pub kind: EventKind,
}

/// The kinds of [`Event`].
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// The first row after a non-row line.
    RowsStart,
    /// A column header.
    Header(bool),
    /// `Memory:` line values.
    Memory([Option<i64>; 5]),
    /// `Commit:` line values.
    Commit([Option<i64>; 5]),
    /// A title line.
    Title,
    /// A timestamp line (raw text).
    Stamp(String),
    /// A line that could not be read.
    Bad(&'static str),
    /// A known noise line.
    Noise,
    /// A line that was read, with a warning about it.
    Note(&'static str),
    /// A row whose pool row had `( delta )` columns: marks the snapshot as a screen.
    Interactive,
}

/// The rows of a chunk, column-wise, with chunk-local series and driver ids.
#[derive(Debug, Default)]
pub struct Part {
    /// Lines in the chunk.
    pub lines: u32,
    /// Non-row lines of interest, in order.
    pub events: Vec<Event>,
    /// Chunk-local series id per row.
    pub series: Vec<u32>,
    /// Allocs, Frees and Bytes per row, side by side (as in
    /// [`crate::log::Rows::counters`]).
    pub counters: Vec<[u64; 3]>,
    /// Rows whose Diff is not [`diff_of`] their Allocs and Frees:
    /// (row, Diff as printed), in row order.
    pub odd_diff: Vec<(u32, i64)>,
    /// Rows whose Per Alloc is not [`per_alloc_of`] their Bytes and Diff:
    /// (row, Per Alloc as printed), in row order.
    pub odd_per_alloc: Vec<(u32, u64)>,
    /// Chunk-local driver id per row, [`NO_DRIVER`] when none.
    pub driver: Vec<u32>,
    /// Chunk-local series table: id → key.
    pub keys: Vec<u64>,
    /// Chunk-local driver table: id → text.
    pub drivers: Vec<Vec<u8>>,
    /// Whether the chunk's last line had no line end (the input was cut there).
    pub cut: bool,
}

/// No series id (before a chunk's first row).
pub(super) const NO_ID: u32 = u32::MAX;

impl Part {
    /// The part with nothing in it, its buffers kept (every field named, so
    /// that a new one cannot be forgotten here).
    fn emptied(self) -> Part {
        let Part {
            lines: _,
            mut events,
            mut series,
            mut counters,
            mut odd_diff,
            mut odd_per_alloc,
            mut driver,
            mut keys,
            mut drivers,
            cut: _,
        } = self;
        events.clear();
        series.clear();
        counters.clear();
        odd_diff.clear();
        odd_per_alloc.clear();
        driver.clear();
        keys.clear();
        drivers.clear();
        Part {
            lines: 0,
            events,
            series,
            counters,
            odd_diff,
            odd_per_alloc,
            driver,
            keys,
            drivers,
            cut: false,
        }
    }

    /// Per Alloc of row `i` as printed.
    pub fn per_alloc(&self, i: usize) -> u64 {
        odd_value(&self.odd_per_alloc, i as u32)
            .unwrap_or_else(|| per_alloc_of(self.counters[i][BYTES], self.diff(i)))
    }

    /// Diff of row `i` as printed.
    pub fn diff(&self, i: usize) -> i64 {
        odd_value(&self.odd_diff, i as u32)
            .unwrap_or_else(|| counters_diff(&self.counters[i]).unwrap_or(0))
    }
}

/// The line that starts at `text[pos]` (up to its `\n`, `\r` or `\r\n`),
/// where the next one starts, and whether it had a line end.
fn line_at(text: &[u8], pos: usize) -> (std::ops::Range<usize>, usize, bool) {
    match memchr2(b'\n', b'\r', &text[pos..]) {
        Some(k) => {
            let end = pos + k;
            let skip = if text[end] == b'\r' && text.get(end + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
            (pos..end, end + skip, true)
        }
        None => (pos..text.len(), text.len(), false),
    }
}

/// Parses one chunk of decoded text. `last` says that the chunk ends the input,
/// so a final line without a line end is a line cut off mid-write.
pub fn parse_chunk(text: &[u8], last: bool) -> Part {
    parse_chunk_into(text, last, Part::default())
}

/// [`parse_chunk`] into the buffers of a part done with (`spare`, emptied
/// first): memory written once before is cheaper than new memory.
pub(crate) fn parse_chunk_into(text: &[u8], last: bool, spare: Part) -> Part {
    let mut part = spare.emptied();
    let guess = text.len() / 64 + 1;
    part.series.reserve(guess);
    part.counters.reserve(guess);
    part.driver.reserve(guess);
    // Sized for a typical system's series (a few thousand): room for 2,048
    // is 4,096 buckets, which hold 3,584 series without rehashing, in half
    // the cache of room for 4,096 (parsing 1.02x faster side by side).
    let mut ids: IdMap<u64, u32> =
        IdMap::with_capacity_and_hasher(guess.min(2048), std::hash::BuildHasherDefault::default());
    let mut driver_ids: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut prev_row = false;
    // Per series id: the id of the row that came after it last time.
    let mut follows: Vec<u32> = Vec::new();
    let mut prev_id = NO_ID;
    let mut line_no: u32 = 0;
    let mut pos = 0;
    while pos < text.len() {
        // The usual row is read along with its line end; any other line is
        // found first, then read.
        let (classified, next, ended) = match fast_row(text, pos) {
            Some((r, next)) => (Line::Row(r), next, true),
            None => {
                let (line, next, ended) = line_at(text, pos);
                (classify_in(text, line), next, ended)
            }
        };
        pos = next;
        let n_rows = part.series.len() as u32;
        let cut_here = last && !ended;
        let kind = match classified {
            Line::Row(r) => {
                if !prev_row {
                    part.events.push(Event {
                        line: line_no,
                        row: n_rows,
                        kind: EventKind::RowsStart,
                    });
                    if r.interactive {
                        part.events.push(Event {
                            line: line_no,
                            row: n_rows,
                            kind: EventKind::Interactive,
                        });
                    }
                }
                prev_row = true;
                let key = series_key(r.tag, r.pool);
                // Snapshots list the series in the same order as the one
                // before: the series that followed this row's predecessor
                // last time is nearly always this one (no hashing then).
                let guess = follows.get(prev_id as usize).copied().unwrap_or(NO_ID);
                let id = if part.keys.get(guess as usize) == Some(&key) {
                    guess
                } else {
                    let next_id = part.keys.len() as u32;
                    let id = *ids.entry(key).or_insert(next_id);
                    if id == next_id {
                        part.keys.push(key);
                        follows.push(NO_ID);
                    }
                    id
                };
                if let Some(f) = follows.get_mut(prev_id as usize) {
                    *f = id;
                }
                prev_id = id;
                part.series.push(id);
                part.counters.push([r.allocs, r.frees, r.bytes]);
                if diff_of(r.allocs, r.frees) != Some(r.diff) {
                    part.odd_diff.push((n_rows, r.diff));
                }
                if !is_per_alloc_of(r.per_alloc, r.bytes, r.diff) {
                    part.odd_per_alloc.push((n_rows, r.per_alloc));
                }
                let d = match r.driver {
                    None => NO_DRIVER,
                    Some(text) => match driver_ids.get(text) {
                        Some(&d) => d,
                        None => {
                            let d = part.drivers.len() as u32;
                            part.drivers.push(text.to_vec());
                            driver_ids.insert(text.to_vec(), d);
                            d
                        }
                    },
                };
                part.driver.push(d);
                cut_here.then_some(EventKind::Note(
                    "last line has no line end (cut off while the log was written?); its row was kept",
                ))
            }
            Line::Bad(_) if cut_here => Some(EventKind::Bad(
                "last line cut off (log still being written?)",
            )),
            Line::Header(d) => Some(EventKind::Header(d)),
            Line::Memory(v) => Some(EventKind::Memory(v)),
            Line::Commit(v) => Some(EventKind::Commit(v)),
            Line::Title => Some(EventKind::Title),
            Line::Stamp(s) => Some(EventKind::Stamp(s)),
            Line::Noise | Line::Total => Some(EventKind::Noise),
            Line::Bad(reason) => Some(EventKind::Bad(reason)),
            Line::Blank => None,
        };
        if let Some(kind) = kind {
            prev_row = matches!(kind, EventKind::Note(_));
            part.events.push(Event {
                line: line_no,
                row: n_rows,
                kind,
            });
        }
        line_no += 1;
        if !ended {
            part.cut = true;
        }
    }
    part.lines = line_no;
    part
}
