//! The polars tables of the contract, built column-wise from a [`Log`]
//! without a heap allocation per row: `samples` (one row per snapshot, tag
//! and pool), `snapshots` (one row per snapshot) and `analysis` (one row per
//! ranked series).
//!
//! What lives here: the three tables (this file), their files ([`export`]:
//! CSV, Parquet, JSON, NDJSON) and the fleet's Hive-partitioned dataset with
//! SQL over it ([`dataset`]). Imports: `log`, `analysis`, `fleet`, `parse`,
//! `model`, `io`, `units`, `error`.

pub mod dataset;
pub mod export;

use polars::prelude::*;

use crate::error::Result;
use crate::log::Log;
use crate::model::{self, NO_DRIVER};

/// Which table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// One row per (snapshot, tag, pool).
    Samples,
    /// One row per snapshot.
    Snapshots,
}

/// Column names of the `samples` table, in order.
pub const SAMPLE_COLUMNS: [&str; 12] = [
    "source",
    "snapshot",
    "time",
    "epoch",
    "tag",
    "pool",
    "allocs",
    "frees",
    "diff",
    "bytes",
    "per_alloc",
    "driver",
];

/// Column names of the `snapshots` table, in order.
pub const SNAPSHOT_COLUMNS: [&str; 17] = [
    "source",
    "snapshot",
    "time",
    "epoch",
    "line",
    "rows",
    "stamp",
    "memory_k",
    "avail_k",
    "page_faults",
    "inram_krnl_k",
    "paged_resident_k",
    "commit_k",
    "limit_k",
    "peak_k",
    "pool_nonpaged_k",
    "pool_paged_k",
];

fn time_column(name: &str, values: Vec<Option<i64>>) -> Column {
    let ca = if values.iter().all(Option::is_some) {
        Int64Chunked::from_vec(name.into(), values.into_iter().flatten().collect())
    } else {
        Int64Chunked::from_iter_options(name.into(), values.into_iter())
    };
    ca.into_datetime(TimeUnit::Milliseconds, None)
        .into_series()
        .into()
}

/// Builds the `samples` table, sorted by time (snapshot order).
pub fn samples(log: &Log) -> Result<DataFrame> {
    build_samples(log, log.rows.clone())
}

/// The counters (side by side in the log) as three columns, moved a block at
/// a time from the end, each block's memory given back once copied: the
/// columns never take more memory than the counters they replace, plus a
/// block.
fn counter_columns(counters: Vec<[u64; 3]>) -> (Vec<u64>, Vec<u64>, Vec<u64>) {
    counter_columns_by(counters, 1 << 20)
}

/// [`counter_columns`] `block` rows at a time.
fn counter_columns_by(mut counters: Vec<[u64; 3]>, block: usize) -> (Vec<u64>, Vec<u64>, Vec<u64>) {
    let n = counters.len();
    // Zeroed: their memory is taken only as it is written.
    let (mut allocs, mut frees, mut bytes) = (vec![0u64; n], vec![0u64; n], vec![0u64; n]);
    let mut end = n;
    while end > 0 {
        let start = end.saturating_sub(block.max(1));
        for (i, c) in (start..end).zip(&counters[start..end]) {
            allocs[i] = c[model::ALLOCS];
            frees[i] = c[model::FREES];
            bytes[i] = c[model::BYTES];
        }
        counters.truncate(start);
        counters.shrink_to_fit();
        end = start;
    }
    (allocs, frees, bytes)
}

/// Builds the `samples` table, moving the log's row columns into it (the
/// counters as in [`counter_columns`]).
pub fn into_samples(mut log: Log) -> Result<DataFrame> {
    let rows = std::mem::take(&mut log.rows);
    build_samples(&log, rows)
}

fn build_samples(log: &Log, rows: crate::log::Rows) -> Result<DataFrame> {
    let n = rows.len();
    let mut snap = Vec::with_capacity(n);
    let mut time = Vec::with_capacity(n);
    let mut epoch = Vec::with_capacity(n);
    let mut source_idx = Vec::with_capacity(n);
    for (i, s) in log.snapshots.iter().enumerate() {
        let k = s.rows.len();
        snap.extend(std::iter::repeat_n(i as u32, k));
        time.extend(std::iter::repeat_n(s.time.map(crate::units::millis), k));
        epoch.extend(std::iter::repeat_n(s.epoch, k));
        source_idx.extend(std::iter::repeat_n(s.source, k));
    }
    let source: Column = if log.inputs.len() == 1 {
        Column::new_scalar(
            "source".into(),
            Scalar::from(PlSmallStr::from(log.inputs[0].path.as_str())),
            n,
        )
    } else {
        StringChunked::from_iter_values(
            "source".into(),
            source_idx
                .iter()
                .map(|&s| log.inputs[s as usize].path.as_str()),
        )
        .into_series()
        .into()
    };
    // Strings are gathered from small dictionaries (one entry per series),
    // not built row by row.
    let idx = IdxCa::from_vec(
        "idx".into(),
        rows.series.iter().map(|&s| s as IdxSize).collect(),
    );
    let tag_dict =
        StringChunked::from_iter_values("tag".into(), log.series.iter().map(|s| s.tag.as_str()));
    let pool_dict =
        StringChunked::from_iter_values("pool".into(), log.series.iter().map(|s| s.pool.name()));
    let tags = tag_dict.take(&idx)?;
    let pools = pool_dict.take(&idx)?;
    drop(idx);
    // Drivers likewise, with a last null entry for rows without one.
    let driver_dict = StringChunked::from_iter_options(
        "driver".into(),
        log.drivers
            .iter()
            .map(|d| Some(d.as_str()))
            .chain(std::iter::once(None)),
    );
    let none = log.drivers.len() as IdxSize;
    let didx = IdxCa::from_vec(
        "idx".into(),
        (0..n)
            .map(|r| match rows.driver(r) {
                NO_DRIVER => none,
                d => d as IdxSize,
            })
            .collect(),
    );
    let drivers = driver_dict.take(&didx)?;
    drop(didx);
    let diff = rows.diff_column();
    let per_alloc = rows.per_alloc_column(&diff);
    let (allocs, frees, bytes) = counter_columns(rows.counters);
    let cols = vec![
        source,
        UInt32Chunked::from_vec("snapshot".into(), snap)
            .into_series()
            .into(),
        time_column("time", time),
        UInt32Chunked::from_vec("epoch".into(), epoch)
            .into_series()
            .into(),
        tags.into_series().into(),
        pools.into_series().into(),
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
        UInt64Chunked::from_vec("per_alloc".into(), per_alloc)
            .into_series()
            .into(),
        drivers.into_series().into(),
    ];
    Ok(DataFrame::new(n, cols)?)
}

/// Builds the `snapshots` table.
pub fn snapshots(log: &Log) -> Result<DataFrame> {
    let s = &log.snapshots;
    let n = s.len();
    let opt = |name: &str, f: &dyn Fn(&crate::model::Summary) -> Option<i64>| -> Column {
        Int64Chunked::from_iter_options(name.into(), s.iter().map(|x| f(&x.summary)))
            .into_series()
            .into()
    };
    let cols = vec![
        StringChunked::from_iter_values(
            "source".into(),
            s.iter()
                .map(|x| log.inputs[x.source as usize].path.as_str()),
        )
        .into_series()
        .into(),
        UInt32Chunked::from_iter_values("snapshot".into(), 0..n as u32)
            .into_series()
            .into(),
        time_column(
            "time",
            s.iter().map(|x| x.time.map(crate::units::millis)).collect(),
        ),
        UInt32Chunked::from_iter_values("epoch".into(), s.iter().map(|x| x.epoch))
            .into_series()
            .into(),
        UInt64Chunked::from_iter_values("line".into(), s.iter().map(|x| x.line))
            .into_series()
            .into(),
        UInt32Chunked::from_iter_values("rows".into(), s.iter().map(|x| x.rows.len() as u32))
            .into_series()
            .into(),
        StringChunked::from_iter_options("stamp".into(), s.iter().map(|x| x.stamp.as_deref()))
            .into_series()
            .into(),
        opt("memory_k", &|m| m.memory_k),
        opt("avail_k", &|m| m.avail_k),
        opt("page_faults", &|m| m.page_faults),
        opt("inram_krnl_k", &|m| m.inram_krnl_k),
        opt("paged_resident_k", &|m| m.paged_resident_k),
        opt("commit_k", &|m| m.commit_k),
        opt("limit_k", &|m| m.limit_k),
        opt("peak_k", &|m| m.peak_k),
        opt("pool_nonpaged_k", &|m| m.pool_nonpaged_k),
        opt("pool_paged_k", &|m| m.pool_paged_k),
    ];
    Ok(DataFrame::new(n, cols)?)
}

/// Column names of the `analysis` table (one row per ranked series), in order.
pub const ANALYSIS_COLUMNS: [&str; 13] = [
    "rank",
    "tag",
    "pool",
    "verdict",
    "score",
    "bytes_first",
    "bytes_last",
    "bytes_max",
    "bytes_per_hour",
    "outstanding_per_hour",
    "snapshots",
    "driver",
    "reason",
];

/// Builds the `analysis` table: the ranking of [`crate::analysis::analyze`],
/// one row per series, with the columns of `analyze --format csv`.
pub fn analysis(a: &crate::analysis::Analysis) -> Result<DataFrame> {
    let s = &a.series;
    let n = s.len();
    let col = |c: Series| -> Column { c.into() };
    let cols = vec![
        col(
            UInt32Chunked::from_iter_values("rank".into(), s.iter().map(|x| x.rank as u32))
                .into_series(),
        ),
        col(
            StringChunked::from_iter_values("tag".into(), s.iter().map(|x| x.tag.as_str()))
                .into_series(),
        ),
        col(StringChunked::from_iter_values("pool".into(), s.iter().map(|x| x.pool)).into_series()),
        col(
            StringChunked::from_iter_values("verdict".into(), s.iter().map(|x| x.verdict.name()))
                .into_series(),
        ),
        col(
            Float64Chunked::from_iter_values("score".into(), s.iter().map(|x| x.score))
                .into_series(),
        ),
        col(
            UInt64Chunked::from_iter_values("bytes_first".into(), s.iter().map(|x| x.bytes_first))
                .into_series(),
        ),
        col(
            UInt64Chunked::from_iter_values("bytes_last".into(), s.iter().map(|x| x.bytes_last))
                .into_series(),
        ),
        col(
            UInt64Chunked::from_iter_values("bytes_max".into(), s.iter().map(|x| x.bytes_max))
                .into_series(),
        ),
        col(Float64Chunked::from_iter_options(
            "bytes_per_hour".into(),
            s.iter().map(|x| x.bytes_per_hour),
        )
        .into_series()),
        col(Float64Chunked::from_iter_options(
            "outstanding_per_hour".into(),
            s.iter().map(|x| x.outstanding_per_hour),
        )
        .into_series()),
        col(
            UInt32Chunked::from_iter_values("snapshots".into(), s.iter().map(|x| x.snapshots))
                .into_series(),
        ),
        col(StringChunked::from_iter_options(
            "driver".into(),
            s.iter().map(|x| x.driver.as_deref()),
        )
        .into_series()),
        col(
            StringChunked::from_iter_values("reason".into(), s.iter().map(|x| x.reason.as_str()))
                .into_series(),
        ),
    ];
    Ok(DataFrame::new(n, cols)?)
}

/// Builds either table, consuming the log.
pub fn table(log: Log, which: Table) -> Result<DataFrame> {
    match which {
        Table::Samples => into_samples(log),
        Table::Snapshots => snapshots(&log),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The column lists are the tables' real columns, in order.
    #[test]
    fn column_lists_name_the_tables_columns() {
        let log = Log::from_bytes(
            "demo.log",
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/fixtures/synth/poolmon-demo.log"
            )),
            &Default::default(),
        )
        .unwrap();
        let names = |df: &DataFrame| -> Vec<String> {
            df.get_column_names()
                .iter()
                .map(|c| c.to_string())
                .collect()
        };
        assert_eq!(names(&samples(&log).unwrap()), SAMPLE_COLUMNS);
        assert_eq!(names(&snapshots(&log).unwrap()), SNAPSHOT_COLUMNS);
        let a = crate::analysis::analyze(&log, &Default::default(), None).unwrap();
        assert_eq!(names(&analysis(&a).unwrap()), ANALYSIS_COLUMNS);
    }

    #[test]
    fn counters_become_three_columns_in_order_whatever_the_block() {
        let counters: Vec<[u64; 3]> = (0..1000u64).map(|i| [i, 2 * i + 1, 3 * i + 7]).collect();
        for block in [1, 7, 999, 1000, 1001, 1 << 20] {
            let (a, f, b) = counter_columns_by(counters.clone(), block);
            assert_eq!(a, (0..1000).collect::<Vec<u64>>(), "block {block}");
            assert_eq!(f, (0..1000).map(|i| 2 * i + 1).collect::<Vec<u64>>());
            assert_eq!(b, (0..1000).map(|i| 3 * i + 7).collect::<Vec<u64>>());
        }
        let (a, f, b) = counter_columns(Vec::new());
        assert!(a.is_empty() && f.is_empty() && b.is_empty());
    }
}
