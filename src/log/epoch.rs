//! Boot epochs: a new epoch starts where the cumulative counters of most
//! series drop at once (a reboot), found in blocks of snapshots in parallel.

use super::*;

/// Marks boot epochs: a new epoch starts at a snapshot where the cumulative
/// Allocs or Frees of most series seen in both it and the one before dropped,
/// or where the cumulative page-fault count of a `/r` snapshot dropped.
pub(crate) fn find_epochs(log: &mut Log) {
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
                    let (a, f) = (rows.allocs(r), rows.frees(r));
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
    let mut boots = Vec::new();
    for (si, &(common, drops)) in counts.iter().enumerate() {
        let faults = (si > 0)
            .then(|| page_faults(&log.snapshots[si - 1], &log.snapshots[si]))
            .flatten();
        if let Some(why) = new_epoch(common, drops, faults) {
            epoch += 1;
            boots.push(Boot { snapshot: si, why });
        }
        log.snapshots[si].epoch = epoch;
    }
    log.epochs = if log.snapshots.is_empty() {
        0
    } else {
        epoch + 1
    };
    log.boots = boots;
}

/// Fewer series than this to compare, and a drop of PageFlts may tell a reboot.
pub(super) const FEW_SERIES: usize = 3;

/// Whether a snapshot starts a new epoch given the series compared with
/// their row before (`common`), those whose counters dropped (`drops`,
/// wraps not counted) and the PageFlts of the two `/n` snapshots: the
/// reason when it does. The series' own counters decide: a reboot when
/// most of them dropped. PageFlts only corroborates: it decides alone only
/// when fewer than [`FEW_SERIES`] series can be compared.
pub(super) fn new_epoch(common: usize, drops: usize, faults: Option<(i64, i64)>) -> Option<String> {
    if common > 0 && drops * 2 > common && (drops >= 2 || common == 1) {
        return Some(format!(
            "the counters of {drops} of {common} series compared dropped"
        ));
    }
    match faults {
        Some((x, y)) if common < FEW_SERIES && y < x && !wrapped(x as u64, y as u64) => Some(format!(
            "PageFlts dropped ({x} to {y}); {common} series to compare, too few to tell from their counters{}",
            if common == 0 { String::new() } else { format!(" ({drops} of {common} dropped)") }
        )),
        _ => None,
    }
}

/// PageFlts of two consecutive snapshots, when both are `/n` snapshots that
/// print it (a pasted screen's summary is not cumulative the same way) and
/// the values are 32-bit counts.
pub(super) fn page_faults(a: &Snapshot, b: &Snapshot) -> Option<(i64, i64)> {
    if a.interactive || b.interactive {
        return None;
    }
    let (x, y) = (a.summary.page_faults?, b.summary.page_faults?);
    (x >= 0 && y >= 0).then_some((x, y))
}

/// One block of snapshots of [`find_epochs`].
pub(super) struct EpochBlock {
    /// Per snapshot: series compared with their row before, and of them
    /// those whose Allocs or Frees dropped.
    pub(super) counts: Vec<(usize, usize)>,
    /// Each series' first row in the block: (snapshot, series, Allocs, Frees).
    pub(super) firsts: Vec<(usize, usize, u64, u64)>,
    /// Each series' last (Allocs, Frees) in the block, if it is in it.
    pub(super) last: Vec<Option<(u64, u64)>>,
}

/// For a series' row `(Allocs, Frees)` after the row `before`: whether
/// either dropped (a 32-bit wrap is no drop, [`wrapped`]), or `None` when
/// the row before does not count (Allocs of `u64::MAX` stands for no value).
pub(super) fn dropped(before: (u64, u64), (a, f): (u64, u64)) -> Option<bool> {
    let fell = |was: u64, now: u64| now < was && !wrapped(was, now);
    (before.0 != u64::MAX).then_some(fell(before.0, a) || fell(before.1, f))
}

/// Whether a 32-bit counter that went from `before` to `now` wrapped past
/// 2^32: both are 32-bit values and, read modulo 2^32, the counter rose by
/// less than 2^31 (a reboot or driver reload that restarts a counter near
/// zero from below 2^31 is a drop; one from higher up is told apart by the
/// other series, [`find_epochs`]).
pub fn wrapped(before: u64, now: u64) -> bool {
    now < before && before < COUNTER_MOD && before - now > COUNTER_MOD / 2
}

/// Reads the counters unwrapped: within a boot epoch, each time a series'
/// Allocs or Frees wrapped past 2^32 ([`wrapped`]) the values after it get
/// 2^32 more, so the counters rise as if they were 64-bit. A drop that is
/// no wrap (a driver reload) or a new epoch starts the series' count again.
/// Diff and Per Alloc keep their values as printed where they are not the
/// unwrapped Allocs − Frees (modulo 2^32, as PoolMon computes it).
/// Returns the number of wraps. Only a series with a counter above 2^31
/// (and below 2^32) can wrap: the others' rows are left as they are, at the
/// cost of one scan (in parallel) to find those series.
pub(crate) fn unwrap_counters(log: &mut Log) -> u64 {
    let n = log.series.len();
    let hot = high_counters(&log.rows, n);
    if !hot.iter().any(|&h| h) {
        return 0;
    }
    let rows = &mut log.rows;
    // Per series: the last raw (Allocs, Frees), its epoch, and the offsets.
    let mut last: Vec<Option<(u64, u64, u32)>> = vec![None; n];
    let mut offset = vec![(0u64, 0u64); n];
    let mut wraps = 0u64;
    // Per Alloc as read before the rows change: kept where Diff changes.
    let mut kept_per_alloc = Vec::new();
    for snap in &log.snapshots {
        for r in snap.rows.clone() {
            let s = rows.series[r] as usize;
            if !hot[s] {
                continue;
            }
            let (a, f) = (rows.allocs(r), rows.frees(r));
            let off = &mut offset[s];
            match last[s] {
                Some((la, lf, e)) if e == snap.epoch => {
                    for (was, now, o) in [(la, a, &mut off.0), (lf, f, &mut off.1)] {
                        if wrapped(was, now) {
                            *o += COUNTER_MOD;
                            wraps += 1;
                        } else if now < was {
                            *o = 0;
                        }
                    }
                }
                _ => *off = (0, 0),
            }
            last[s] = Some((a, f, snap.epoch));
            if *off != (0, 0) {
                if off.0 != off.1 {
                    // Diff changes by a multiple of 2^32: Per Alloc must not.
                    kept_per_alloc.push((r, rows.per_alloc(r)));
                }
                let c = &mut rows.counters[r];
                c[model::ALLOCS] = a.saturating_add(off.0);
                c[model::FREES] = f.saturating_add(off.1);
            }
        }
    }
    // Diff changed by multiples of 2^32 only: one printed modulo 2^32 (as
    // the narrow family does) is the unwrapped one, no longer odd.
    let counters = &rows.counters;
    rows.odd_diff.retain(|&(r, d)| {
        let true_diff = model::counters_diff(&counters[r]);
        true_diff.is_none_or(|t| (t.wrapping_sub(d)) as u64 % COUNTER_MOD != 0)
    });
    for (r, p) in kept_per_alloc {
        rows.set_per_alloc(r, p);
    }
    wraps
}

/// Per series: whether any of its rows has Allocs or Frees above 2^31 and
/// below 2^32 (a 32-bit counter in the upper half: only such a series can
/// wrap), the rows scanned in parallel parts.
fn high_counters(rows: &Rows, n_series: usize) -> Vec<bool> {
    let high = |v: u64| v > COUNTER_MOD / 2 && v < COUNTER_MOD;
    let len = rows.len();
    let parts = rayon::current_num_threads().clamp(1, len.max(1));
    (0..parts)
        .into_par_iter()
        .map(|t| {
            let mut hot = vec![false; n_series];
            for r in t * len / parts..(t + 1) * len / parts {
                if high(rows.allocs(r)) || high(rows.frees(r)) {
                    hot[rows.series[r] as usize] = true;
                }
            }
            hot
        })
        .reduce(
            || vec![false; n_series],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x |= y);
                a
            },
        )
}
