//! # poolscan
//!
//! Finds kernel pool leaks in Windows PoolMon logs.
//!
//! The pipeline, one module each:
//! [`input`] opens files, directories, stdin, gzip and zstd;
//! [`decode`] turns ANSI, UTF-8 and UTF-16LE (whole files or appended blocks)
//! into text; [`parse`] reads each line with nom; [`log`] stitches lines into
//! snapshots, reads timestamps ([`stamp`]) and finds reboots; [`frame`] builds
//! the polars tables; [`analysis`] ranks the (tag, pool) series with the
//! statistics of [`stats`]; [`report`] prints tables, JSON, CSV and Markdown.
//!
//! ```no_run
//! use poolscan::{analysis, input, log};
//!
//! let inputs = input::expand(&["poolmon.log"])?;
//! let log = log::read(&inputs, &log::ReadOptions::default())?;
//! let result = analysis::analyze(&log, &analysis::Options::default(), None)?;
//! for s in result.series.iter().take(5) {
//!     println!("{} {} {} {:.2} {}", s.tag, s.pool, s.verdict.name(), s.score, s.reason);
//! }
//! # Ok::<(), poolscan::Error>(())
//! ```
#![forbid(unsafe_code)]

pub mod analysis;
pub mod chart;
pub mod diff;
pub mod error;
pub mod fleet;
pub mod io;
pub mod log;
pub mod model;
pub mod parse;
pub mod report;
pub mod stats;
pub mod table;
pub mod units;

pub use error::{Error, Result};
