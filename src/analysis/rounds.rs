//! Rows grouped by series in rounds: a round of consecutive series at a
//! time is gathered into a polars frame sorted by series and snapshot (so
//! the grouped rows are never all held at once), with its buffers handed
//! back for the next round.

use super::*;

/// Rows per round of the grouping: about 9 MiB of round frame, so that a
/// round is still in cache when its series are judged.
pub(super) const ROUND_ROWS: usize = 1 << 18;

/// How the rows are grouped by series: a stable counting sort, done one
/// round of consecutive series at a time.
///
/// The whole grouped table would be a second copy of every row; a round's
/// frame holds only its series, is built from the rows that belong to it
/// (listed once for all rounds) and is dropped once they are judged.
pub(super) struct Plan {
    /// Where each series starts in the grouped order (one more entry than series).
    pub(super) starts: Vec<usize>,
    /// The series of each round, consecutive ranges covering all series.
    pub(super) rounds: Vec<Range<usize>>,
    /// Row numbers grouped by round, in snapshot order within each round:
    /// round `k`'s are at `starts[rounds[k].start]..starts[rounds[k].end]`.
    pub(super) rows: Vec<u32>,
}

impl Plan {
    pub(super) fn new(log: &Log) -> Result<Plan> {
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
    pub(super) fn frame(&self, log: &Log, k: usize, bufs: &mut Buffers) -> Result<Grouped<'_>> {
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
        let mine = &self.rows[base..base + len];
        for (i, &r) in mine.iter().enumerate() {
            if let Some(&a) = mine.get(i + AHEAD) {
                prefetch_row(rows, a as usize);
            }
            let r = r as usize;
            while snaps[si].rows.end <= r {
                si += 1;
            }
            let p = &mut pos[(rows.series[r] - lo) as usize];
            snapshot[*p] = si as u32;
            allocs[*p] = rows.allocs(r);
            frees[*p] = rows.frees(r);
            diff[*p] = rows.diff(r);
            bytes[*p] = rows.bytes(r);
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

/// How many rows ahead [`Plan::frame`] asks for the rows it will read.
const AHEAD: usize = 24;

/// Asks the CPU to start loading row `r`'s values (a hint only: a prefetch
/// reads nothing and cannot fault, so any address would do).
#[inline(always)]
#[allow(unsafe_code)]
fn prefetch_row(rows: &crate::log::Rows, r: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: prefetch is a hint that never dereferences its address.
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(rows.series.as_ptr().wrapping_add(r).cast());
            // A row's counters are 24 bytes: they may end in the next cache line.
            let c = rows.counters.as_ptr().wrapping_add(r).cast::<u8>();
            _mm_prefetch::<_MM_HINT_T0>(c.cast());
            _mm_prefetch::<_MM_HINT_T0>(c.wrapping_add(23).cast());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (rows, r);
}

/// A round's column buffers, handed on from one round to the next (memory
/// written once is cheaper than new memory).
#[derive(Default)]
pub(super) struct Buffers {
    pub(super) snapshot: Vec<u32>,
    pub(super) allocs: Vec<u64>,
    pub(super) frees: Vec<u64>,
    pub(super) diff: Vec<i64>,
    pub(super) bytes: Vec<u64>,
}

impl Buffers {
    /// Takes back the columns of a round's frame (polars gives a column's
    /// buffer back when nothing else holds it; otherwise the next round
    /// allocates a new one).
    pub(super) fn reclaim(&mut self, df: DataFrame) {
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
pub(super) fn buffer<T: PolarsNumericType>(s: Series) -> Vec<T::Native> {
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
/// value is written again). Grown with room to spare, so that the next
/// rounds (a little larger or smaller: a round ends at the first series
/// that takes it past [`ROUND_ROWS`]) fit in the same memory.
pub(super) fn sized<T: Copy + Default>(v: &mut Vec<T>, len: usize) -> Vec<T> {
    let mut v = std::mem::take(v);
    if v.capacity() < len {
        v = Vec::with_capacity(len + len / 16);
    }
    v.truncate(len);
    v.resize(len, T::default());
    v
}

/// One round's rows as a polars frame grouped by series.
pub(super) struct Grouped<'p> {
    /// Columns `snapshot`, `allocs`, `frees`, `diff`, `bytes`, series-major.
    pub(super) df: DataFrame,
    /// The round's series.
    pub(super) series: Range<usize>,
    /// [`Plan::starts`].
    pub(super) starts: &'p [usize],
    /// Where the round starts in the grouped order.
    pub(super) base: usize,
}

impl Grouped<'_> {
    /// Each series of the round with its rows in the frame.
    pub(super) fn series(&self) -> impl Iterator<Item = (u32, Range<usize>)> + '_ {
        self.series.clone().map(|s| {
            let lo = self.starts[s] - self.base;
            let hi = self.starts[s + 1] - self.base;
            (s as u32, lo..hi)
        })
    }
}
