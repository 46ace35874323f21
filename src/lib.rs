//! # poolscan
//!
//! Finds kernel pool leaks in Windows PoolMon logs.
//!
//! The library reads bottom-up, one folder per concern, in pipeline order;
//! each module imports only those above it in this list (a test,
//! `tests/it/layers.rs`, checks it):
//!
//! | module | what lives there |
//! |---|---|
//! | [`error`], [`units`], [`model`], [`stats`] | shared leaves: the error type; sizes, durations and times; the domain types (pools, series keys, summary values); pure statistics |
//! | [`io`] | atomic output: temporary file or directory beside the target, then a rename |
//! | [`capture`] | making a log: the kernel's pool-tag table decoded, written as PoolMon's wide `/n` text (the system calls on Windows only) |
//! | [`parse`] | bytes to lines: [`parse::input`] (files, stdin, gzip, zstd), [`parse::decode`] (ANSI, UTF-8, UTF-16LE), rows and other lines, chunks, timestamps ([`parse::stamp`]), pooltag.txt ([`parse::pooltag`]) |
//! | [`log`] | the parsed log: snapshots assembled from chunks in parallel, the time axis, boot epochs |
//! | [`analysis`] | one log ranked: evidence per segment, judging, the system pass, reasons, the result schema |
//! | [`diff`], [`fleet`] | two logs compared; many hosts' rankings weighed together |
//! | [`table`] | polars DataFrames of the samples, snapshots and analysis, their export, the Hive dataset and SQL |
//! | [`drivers`] | which driver binary allocates a tag: PE images scanned for the tag next to pool-allocation calls (a leaf: it imports only error) |
//! | [`chart`] | PNG and SVG charts from plain points (a leaf: it imports nothing but units) |
//! | [`report`] | everything a person reads: tables, JSON, CSV, Markdown; the bundles ([`report::bundle`]) |
//!
//! The binary (`src/bin/poolscan`) is a thin command line over this library.
//!
//! ```no_run
//! let inputs = poolscan::expand(&["poolmon.log"])?;
//! let log = poolscan::read(&inputs, &poolscan::ReadOptions::default())?;
//! let result = poolscan::analyze(&log, &poolscan::Options::default(), None)?;
//! for s in result.series.iter().take(5) {
//!     println!("{} {} {} {:.2} {}", s.tag, s.pool, s.verdict.name(), s.score, s.reason);
//! }
//! # Ok::<(), poolscan::Error>(())
//! ```
// Unsafe code is denied everywhere but in `capture::windows`, the Windows system calls.
#![deny(unsafe_code)]

// Shared leaves.
mod error;
pub mod model;
pub mod stats;
pub mod units;

// Output.
pub mod io;

// Making a log: snapshots of the running Windows system (`poolscan capture`).
pub mod capture;

// Reading.
pub mod parse;

pub mod log;

// Ranking.
pub mod analysis;

pub mod diff;
pub mod fleet;

// Which driver owns a tag, from the driver binaries (a leaf: it imports only `error`).
pub mod drivers;

// Tables, charts and reports.
pub mod table;

pub mod chart;

pub mod report;

pub use analysis::{analyze, Analysis, Options, SeriesReport, Verdict};
pub use error::{Error, Result};
pub use log::{read, Log, ReadOptions};
pub use model::Pool;
pub use parse::input::{expand, Input};
pub use parse::pooltag::TagDb;
