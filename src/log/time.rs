//! The time axis: stamps resolved per input (day-first or month-first), gaps
//! filled from the interval, inputs merged in time order, and the snapshots
//! of a capture cut off mid-write marked partial.

use super::*;

/// Marks a last snapshot per input with far fewer rows than the one before it.
pub(super) fn mark_partial(log: &mut Log) {
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
pub(super) fn resolve_times(log: &mut Log, opts: &ReadOptions) -> Result<()> {
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
pub(super) fn nanos(d: Duration) -> i128 {
    i128::from(d.num_seconds()) * 1_000_000_000 + i128::from(d.subsec_nanos())
}

/// `t` moved by `ns` nanoseconds; `None` past the dates chrono can represent.
pub(super) fn shifted(t: NaiveDateTime, ns: i128) -> Option<NaiveDateTime> {
    let secs = i64::try_from(ns.div_euclid(1_000_000_000)).ok()?;
    let rest = i64::try_from(ns.rem_euclid(1_000_000_000)).ok()?;
    let d = Duration::try_seconds(secs)?.checked_add(&Duration::nanoseconds(rest))?;
    t.checked_add_signed(d)
}

/// Gives the snapshots without a time one, in a single pass: linear between
/// the known neighbours, the median step before the first and after the last.
/// Returns false (times left partly unset) when a time would fall outside
/// the dates chrono can represent.
pub(super) fn fill_times(log: &mut Log) -> bool {
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
pub(super) fn order_by_time(log: &mut Log) {
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
