//! `poolscan diff`: a two-point comparison, like UMDH: per (tag, pool), the
//! change in bytes and outstanding allocations between the last snapshot of
//! one log and the last snapshot of another.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::log::Log;
use crate::model::NO_DRIVER;
use crate::parse::pooltag::TagDb;

/// One (tag, pool) row of a comparison.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Change {
    /// Pool tag.
    pub tag: String,
    /// `Paged` or `Nonpaged`.
    pub pool: &'static str,
    /// Mapped_Driver text or pooltag.txt entry.
    pub driver: Option<String>,
    /// Bytes before (0 when absent).
    pub bytes_before: u64,
    /// Bytes after (0 when absent).
    pub bytes_after: u64,
    /// After minus before.
    pub bytes_change: i64,
    /// Outstanding allocations before.
    pub outstanding_before: i64,
    /// Outstanding allocations after.
    pub outstanding_after: i64,
    /// After minus before.
    pub outstanding_change: i64,
}

/// One side of a comparison.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Side {
    /// The input.
    pub path: String,
    /// Its last snapshot's time.
    pub time: Option<String>,
    /// Snapshots read from it.
    pub snapshots: usize,
}

/// A comparison of two logs.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Comparison {
    /// `poolscan.diff/1`.
    pub schema: &'static str,
    /// The log before.
    pub before: Side,
    /// The log after.
    pub after: Side,
    /// Total bytes change over all rows.
    pub bytes_change: i64,
    /// Every (tag, pool), largest growth first.
    pub changes: Vec<Change>,
}

type Last = BTreeMap<(String, &'static str), (u64, i64, Option<String>)>;

fn last_snapshot(log: &Log) -> Last {
    let mut out = BTreeMap::new();
    if let Some(s) = log.snapshots.iter().rev().find(|s| !s.rows.is_empty()) {
        for r in s.rows.clone() {
            let series = &log.series[log.rows.series[r] as usize];
            let d = log.rows.driver(r);
            let driver = if d == NO_DRIVER {
                None
            } else {
                log.driver(d).map(str::to_string)
            };
            out.insert(
                (series.tag.clone(), series.pool.name()),
                (log.rows.bytes(r), log.rows.diff(r), driver),
            );
        }
    }
    out
}

fn side(log: &Log) -> Side {
    Side {
        path: log
            .inputs
            .iter()
            .map(|i| i.path.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        time: log
            .snapshots
            .last()
            .and_then(|s| s.time.map(|t| crate::units::iso(t, s.offset_secs))),
        snapshots: log.snapshots.len(),
    }
}

/// Compares the last snapshot of `before` with the last snapshot of `after`.
pub fn compare(before: &Log, after: &Log, tags: Option<&TagDb>) -> Comparison {
    let a = last_snapshot(before);
    let b = last_snapshot(after);
    let mut keys: Vec<&(String, &'static str)> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut changes: Vec<Change> = keys
        .into_iter()
        .map(|k| {
            let (b0, d0, drv0) = a.get(k).cloned().unwrap_or((0, 0, None));
            let (b1, d1, drv1) = b.get(k).cloned().unwrap_or((0, 0, None));
            let driver = drv1
                .or(drv0)
                .or_else(|| tags.and_then(|t| t.describe(&k.0)));
            Change {
                tag: k.0.clone(),
                pool: k.1,
                driver,
                bytes_before: b0,
                bytes_after: b1,
                bytes_change: (b1 as i128 - b0 as i128).clamp(i64::MIN as i128, i64::MAX as i128)
                    as i64,
                outstanding_before: d0,
                outstanding_after: d1,
                outstanding_change: d1.saturating_sub(d0),
            }
        })
        .collect();
    changes.sort_by(|x, y| {
        y.bytes_change
            .cmp(&x.bytes_change)
            .then(x.tag.cmp(&y.tag))
            .then(x.pool.cmp(y.pool))
    });
    Comparison {
        schema: "poolscan.diff/1",
        before: side(before),
        after: side(after),
        bytes_change: changes
            .iter()
            .map(|c| c.bytes_change)
            .fold(0i64, i64::saturating_add),
        changes,
    }
}
