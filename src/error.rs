//! The library's typed errors.

use std::path::PathBuf;

/// Everything that can go wrong in poolscan's library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The input as the user named it.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A line could not be read and `--strict` asked to fail on it.
    #[error("{path}:{line}: {reason}")]
    Line {
        /// The input as the user named it.
        path: String,
        /// 1-based line number.
        line: u64,
        /// Why the line could not be read.
        reason: String,
    },
    /// An input held no PoolMon snapshot at all.
    #[error("{path}: no PoolMon snapshot found ({lines} lines read{hint})")]
    NoSnapshot {
        /// The input as the user named it.
        path: String,
        /// Lines read.
        lines: u64,
        /// A short hint on the first unreadable line, if any.
        hint: String,
    },
    /// A compressed input is corrupt.
    #[error("{path}: {what} stream is corrupt: {reason}")]
    Corrupt {
        /// The input as the user named it.
        path: String,
        /// `gzip` or `zstd`.
        what: &'static str,
        /// The decoder's message.
        reason: String,
    },
    /// A value given by the caller is not usable.
    #[error("{0}")]
    Invalid(String),
    /// Building or writing a table failed.
    #[error("table: {0}")]
    Polars(#[from] polars::error::PolarsError),
    /// Writing an output file failed.
    #[error("{path}: {source}")]
    Write {
        /// The output path.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// Rendering a chart failed.
    #[error("chart {path}: {reason}")]
    Chart {
        /// The chart file.
        path: String,
        /// What the renderer said.
        reason: String,
    },
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
