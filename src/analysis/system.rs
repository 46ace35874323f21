//! The system pass: pool totals and commit charge over time, with their rates
//! per epoch.

use super::*;

/// Summed row bytes per pool at one snapshot.
pub(super) fn pool_bytes_at(log: &Log, snap: usize) -> [u64; 2] {
    let mut out = [0u64; 2];
    if let Some(s) = log.snapshots.get(snap) {
        for r in s.rows.clone() {
            let p = log.series[log.rows.series[r] as usize].pool as usize;
            out[p] = out[p].saturating_add(log.rows.bytes(r));
        }
    }
    out
}

/// Paged and nonpaged totals and commit, with their rates over the last epoch.
pub(super) fn system_pass(
    log: &Log,
    hours: &[f64],
    timed: bool,
    budget: Option<u64>,
) -> (BTreeMap<&'static str, PoolTotals>, Option<Commit>) {
    let snaps = &log.snapshots;
    let mut pools = BTreeMap::new();
    if snaps.is_empty() {
        return (pools, None);
    }
    // Use only complete snapshots with rows (a cut-off last snapshot under-counts).
    let usable: Vec<usize> = (0..snaps.len()).filter(|&i| !snaps[i].partial).collect();
    let last_epoch = snaps[usable.last().copied().unwrap_or(0)].epoch;
    for pool in [Pool::Nonpaged, Pool::Paged] {
        let from_summary = usable.iter().all(|&i| match pool {
            Pool::Nonpaged => snaps[i].summary.pool_nonpaged_k.is_some(),
            Pool::Paged => snaps[i].summary.pool_paged_k.is_some(),
        });
        let kib: Vec<f64> = usable
            .iter()
            .map(|&i| {
                if from_summary {
                    let s = &snaps[i].summary;
                    match pool {
                        Pool::Nonpaged => s.pool_nonpaged_k.unwrap_or(0) as f64,
                        Pool::Paged => s.pool_paged_k.unwrap_or(0) as f64,
                    }
                } else {
                    pool_bytes_at(log, i)[pool as usize] as f64 / 1024.0
                }
            })
            .collect();
        if kib.is_empty() {
            continue;
        }
        let rate = epoch_rate(
            &usable,
            snaps.iter().map(|s| s.epoch).collect::<Vec<_>>().as_slice(),
            hours,
            &kib,
            last_epoch,
            timed,
        );
        let last = kib[kib.len() - 1];
        let hours_to_budget = match (budget, rate) {
            (Some(b), Some(r)) if r > 0.0 => {
                Some(round1(((b as f64 / 1024.0) - last).max(0.0) / r))
            }
            _ => None,
        };
        pools.insert(
            pool.name(),
            PoolTotals {
                kib_first: kib[0].round() as u64,
                kib_last: last.round() as u64,
                kib_per_hour: rate.map(round1),
                source: if from_summary { "summary" } else { "rows" },
                hours_to_budget,
            },
        );
    }
    let has_commit = usable.iter().all(|&i| snaps[i].summary.commit_k.is_some());
    let commit = if has_commit {
        let kib: Vec<f64> = usable
            .iter()
            .map(|&i| snaps[i].summary.commit_k.unwrap_or(0) as f64)
            .collect();
        let rate = epoch_rate(
            &usable,
            snaps.iter().map(|s| s.epoch).collect::<Vec<_>>().as_slice(),
            hours,
            &kib,
            last_epoch,
            timed,
        );
        let limit = usable
            .last()
            .and_then(|&i| snaps[i].summary.limit_k)
            .map(|v| v.max(0) as u64);
        let last = kib[kib.len() - 1];
        let hours_to_limit = match (limit, rate) {
            (Some(l), Some(r)) if r > 0.0 => Some(round1((l as f64 - last).max(0.0) / r)),
            _ => None,
        };
        Some(Commit {
            kib_first: kib[0].max(0.0) as u64,
            kib_last: last.max(0.0) as u64,
            limit_kib: limit,
            kib_per_hour: rate.map(round1),
            hours_to_limit,
        })
    } else {
        None
    };
    (pools, commit)
}

/// Theil–Sen slope per hour of `values` (one per usable snapshot) over the last epoch.
pub(super) fn epoch_rate(
    usable: &[usize],
    epochs: &[u32],
    hours: &[f64],
    values: &[f64],
    last_epoch: u32,
    timed: bool,
) -> Option<f64> {
    if !timed {
        return None;
    }
    let (x, y): (Vec<f64>, Vec<f64>) = usable
        .iter()
        .zip(values)
        .filter(|(&i, _)| epochs[i] == last_epoch)
        .map(|(&i, &v)| (hours[i], v))
        .unzip();
    if x.len() < 2 {
        return None;
    }
    fit_line(&x, &y).map(|f| f.slope)
}
