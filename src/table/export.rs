//! `poolscan export`: the `samples` or `snapshots` table as CSV, Parquet,
//! JSON or NDJSON, to a file (atomically) or to stdout.

use std::io::Write;
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::io;

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// Comma-separated values with a header.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// One JSON array of row objects.
    Json,
    /// One JSON object per line.
    Ndjson,
}

impl TableFormat {
    /// The format a file extension implies.
    pub fn from_path(path: &Path) -> Option<TableFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(TableFormat::Csv),
            "parquet" | "pq" => Some(TableFormat::Parquet),
            "json" => Some(TableFormat::Json),
            "ndjson" | "jsonl" => Some(TableFormat::Ndjson),
            _ => None,
        }
    }
}

/// Writes a table in `format` to any writer.
pub fn write_to<W: Write>(df: &mut DataFrame, format: TableFormat, w: &mut W) -> Result<()> {
    match format {
        TableFormat::Csv => CsvWriter::new(w)
            .include_header(true)
            .with_datetime_format(Some("%Y-%m-%dT%H:%M:%S%.3f".into()))
            .finish(df)?,
        TableFormat::Parquet => {
            ParquetWriter::new(w).finish(df)?;
        }
        TableFormat::Json => JsonWriter::new(w)
            .with_json_format(JsonFormat::Json)
            .finish(df)?,
        TableFormat::Ndjson => JsonWriter::new(w)
            .with_json_format(JsonFormat::JsonLines)
            .finish(df)?,
    }
    Ok(())
}

/// Writes a table to `path` (atomically), or to stdout when `path` is `-`.
pub fn write(df: &mut DataFrame, format: TableFormat, path: &Path) -> Result<()> {
    if path.as_os_str() == "-" {
        if format == TableFormat::Parquet {
            return Err(Error::Invalid(
                "parquet cannot be written to stdout: give -o FILE.parquet".into(),
            ));
        }
        let stdout = std::io::stdout();
        let mut lock = std::io::BufWriter::new(stdout.lock());
        write_to(df, format, &mut lock)?;
        lock.flush().map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })?;
        return Ok(());
    }
    io::write_file(path, |w| write_to(df, format, w))
}
