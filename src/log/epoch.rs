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
/// either dropped, or `None` when the row before does not count (Allocs of
/// `u64::MAX` stands for no value).
pub(super) fn dropped(before: (u64, u64), (a, f): (u64, u64)) -> Option<bool> {
    (before.0 != u64::MAX).then_some(a < before.0 || f < before.1)
}
