//! Stitching parsed chunks into snapshots, in input order: the main thread
//! places each chunk's rows (series and driver ids, snapshot bounds, events)
//! and the pool copies their numbers into the log's columns, a few chunks at
//! a time.

use super::*;

/// A snapshot being assembled.
pub(super) struct Open {
    pub(super) line: u64,
    pub(super) header: bool,
    pub(super) memory: bool,
    pub(super) commit: bool,
    pub(super) title: bool,
    pub(super) summary: Summary,
    pub(super) stamp: Option<String>,
    pub(super) interactive: bool,
    pub(super) row_start: usize,
}

/// Stitches parsed chunks of one input into snapshots.
pub(super) struct Assembler<'a> {
    pub(super) log: &'a mut Log,
    pub(super) keys: &'a mut IdMap<u64, u32>,
    pub(super) driver_ids: &'a mut HashMap<Vec<u8>, u32>,
    pub(super) last_snap: Vec<u32>,
    pub(super) last_row: Vec<usize>,
    pub(super) source: u32,
    pub(super) info: InputInfo,
    pub(super) cur: Option<Open>,
    pub(super) pending_stamp: Option<String>,
    pub(super) line_base: u64,
    pub(super) strict: bool,
    pub(super) warned_headerless: bool,
    /// Rows appended (ids written) whose numbers are still to be copied
    /// from their parts, in row order, up to the last row.
    pub(super) pending: Vec<Pending>,
    /// Parts whose rows are all copied, for the next chunks to parse into.
    pub(super) spare: Vec<Part>,
}

/// Splits the first `k` items off `s` (which keeps the rest).
pub(crate) fn split_front<'a, T>(s: &mut &'a mut [T], k: usize) -> &'a mut [T] {
    let (head, tail) = std::mem::take(s).split_at_mut(k);
    *s = tail;
    head
}

/// The entries of a part's `(row, value)` list for its rows `src`, as rows
/// from `dst` on in the log.
pub(super) fn moved<T: Copy>(list: &[(u32, T)], src: Range<usize>, dst: usize) -> Vec<(usize, T)> {
    let at = |i: usize| list.partition_point(|&(row, _)| (row as usize) < i);
    list[at(src.start)..at(src.end)]
        .iter()
        .map(|&(row, v)| (dst + row as usize - src.start, v))
        .collect()
}

/// The log's id of a chunk-local driver id (through the chunk's `dmap`).
pub(super) fn global_driver(dmap: &[u32], id: u32) -> u32 {
    if id == NO_DRIVER {
        NO_DRIVER
    } else {
        dmap[id as usize]
    }
}

/// Rows of a parsed chunk waiting to be copied into the log's columns.
pub(super) struct Pending {
    /// The chunk, with its driver-id map to the log's.
    pub(super) part: Arc<(Part, Vec<u32>)>,
    /// Its rows.
    pub(super) src: Range<usize>,
    /// Where they go.
    pub(super) dst: usize,
}

/// Parts kept for reuse at most (about as many as one flush gives back).
const MAX_SPARE: usize = 32;

/// Rows pending before their numbers are copied (in parallel): about sixteen chunks.
pub(super) const FLUSH_ROWS: usize = 1 << 19;

impl Assembler<'_> {
    /// Copies the pending rows' numbers into the log's columns, the chunks in
    /// parallel: the main thread only decides where rows go.
    pub(super) fn flush(&mut self) {
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
        let mut c = &mut rows.counters[lo..hi];
        let mut v = if drivers {
            &mut rows.driver[lo..hi]
        } else {
            &mut []
        };
        for job in &self.pending {
            let k = job.src.len();
            let kv = k.min(v.len());
            jobs.push((job, split_front(&mut c, k), split_front(&mut v, kv)));
        }
        // The rows' own Diff and Per Alloc where they are not the usual values.
        type Odd = (Vec<(usize, i64)>, Vec<(usize, u64)>);
        let odd: Vec<Odd> = jobs
            .into_par_iter()
            .map(|(job, c, v)| {
                let (part, dmap) = &*job.part;
                let r = job.src.clone();
                super::populate::populate(c);
                c.copy_from_slice(&part.counters[r.clone()]);
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
        for p in self.pending.drain(..) {
            // The last pending piece of a chunk gives its part back.
            if let Ok((part, _)) = Arc::try_unwrap(p.part) {
                if self.spare.len() < MAX_SPARE {
                    self.spare.push(part);
                }
            }
        }
    }

    /// A part to parse the next chunk into.
    pub(super) fn spare_part(&mut self) -> Part {
        self.spare.pop().unwrap_or_default()
    }

    pub(super) fn has_rows(&self) -> bool {
        self.cur
            .as_ref()
            .is_some_and(|c| self.log.rows.len() > c.row_start)
    }

    pub(super) fn open(&mut self, line: u64) {
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

    pub(super) fn close(&mut self) {
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

    pub(super) fn fail(&self, line: u64, reason: &str) -> Error {
        Error::Line {
            path: self.info.path.clone(),
            line,
            reason: reason.to_string(),
        }
    }

    /// Appends rows `range` of `part` to the open snapshot.
    pub(super) fn rows(
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
                let (sum, add) = (&mut rows.counters[r], part.counters[i]);
                for (v, a) in sum.iter_mut().zip(add) {
                    *v = v.saturating_add(a);
                }
                rows.set_diff(r, diff);
                let p = model::per_alloc_of(rows.bytes(r), diff);
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
            rows.counters[r] = part.counters[i];
            rows.set_diff(r, part.diff(i));
            rows.set_per_alloc(r, part.per_alloc(i));
            rows.set_driver(r, d);
            self.info.rows += 1;
        }
    }

    pub(super) fn part(&mut self, part: Part) -> Result<()> {
        let remap: Vec<u32> = part
            .keys
            .iter()
            .map(|&k| {
                let next = self.log.series.len() as u32;
                let id = *self.keys.entry(k).or_insert(next);
                if id == next {
                    let (tag, pool) = model::split_key(k);
                    let t = text(&tag);
                    self.log.series.push(TagPool {
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
                        s.page_faults = s.page_faults.map(model::unsigned32);
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
