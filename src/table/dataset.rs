//! The fleet as a Hive-partitioned Parquet dataset, and SQL over it.

use std::path::{Path, PathBuf};

use crate::analysis;
use crate::error::{Error, Result};
use crate::fleet::{for_each_host, Host, HostReport};
use crate::io;
use crate::log::ReadOptions;
use crate::parse::pooltag::TagDb;
use crate::table::{self, export};

/// The tables of the dataset, one directory each.
pub const TABLES: [&str; 3] = ["samples", "snapshots", "analysis"];

/// A Hive partition directory name: `host=` and the value with `/`, `\`,
/// `=`, `%`, control characters, `:` and other characters unsafe in file
/// names escaped as `%XX` (as Hive and Spark escape them).
pub(crate) fn partition_dir(value: &str) -> String {
    let mut out = String::from("host=");
    for c in value.chars() {
        let safe = c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | '+');
        if safe {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    if out == "host=." || out == "host=.." {
        out = out.replace('.', "%2E");
    }
    out
}

/// Writes the fleet as a Hive-partitioned Parquet dataset:
/// `DIR/{samples,snapshots,analysis}/host=NAME/part-0.parquet`. The `host`
/// column comes from the directory names (it is not repeated in the files),
/// as Spark, Trino, DuckDB, Polars and pyarrow expect. The dataset is written
/// to a temporary directory beside DIR and renamed into place.
pub fn write_dataset(
    dir: &Path,
    hosts: &[Host],
    read: &ReadOptions,
    opts: &analysis::Options,
    tags: Option<&TagDb>,
    force: bool,
) -> Result<Vec<HostReport>> {
    io::check_target(dir, force)?;
    io::write_dir(dir, |tmp| {
        for_each_host(hosts, read, opts, tags, |h, log, a| {
            let part = partition_dir(&h.name);
            let mut tables = [
                table::samples(log)?,
                table::snapshots(log)?,
                table::analysis(a)?,
            ];
            for (name, df) in TABLES.iter().zip(tables.iter_mut()) {
                let d = tmp.join(name).join(&part);
                std::fs::create_dir_all(&d).map_err(|source| Error::Write {
                    path: d.clone(),
                    source,
                })?;
                let path: PathBuf = d.join("part-0.parquet");
                export::write(df, export::TableFormat::Parquet, &path)?;
            }
            Ok(HostReport::new(&h.name, log, a))
        })
    })
}

/// Runs SQL over a dataset written by [`write_dataset`], with the tables
/// `samples`, `snapshots` and `analysis` registered (each with its `host`
/// column from the partition directories), through polars' SQL engine
/// (cargo feature `sql`).
#[cfg(feature = "sql")]
pub fn query(dataset: &Path, sql: &str) -> Result<polars::prelude::DataFrame> {
    use polars::prelude::*;
    use polars::sql::SQLContext;
    let mut ctx = SQLContext::new();
    let mut registered = 0;
    for t in TABLES {
        let d = dataset.join(t);
        if !d.is_dir() {
            continue;
        }
        let glob = format!("{}/**/*.parquet", d.display());
        let args = ScanArgsParquet {
            hive_options: HiveOptions::new_enabled(),
            glob: true,
            ..Default::default()
        };
        let lf = LazyFrame::scan_parquet(PlRefPath::new(glob.as_str()), args)?;
        ctx.register(t, lf);
        registered += 1;
    }
    if registered == 0 {
        return Err(Error::Invalid(format!(
            "{}: not a poolscan dataset (no samples/, snapshots/ or analysis/ directory); write one with `poolscan export --partition-by host --format parquet -o DIR`",
            dataset.display()
        )));
    }
    Ok(ctx.execute(sql)?.collect()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_names_are_escaped() {
        assert_eq!(partition_dir("web-07"), "host=web-07");
        assert_eq!(partition_dir("a/b=c d"), "host=a%2Fb%3Dc%20d");
        assert_eq!(partition_dir(".."), "host=%2E%2E");
    }
}
