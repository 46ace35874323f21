//! The PoolMon line parser: nom over bytes.
//!
//! Every physical line of a decoded log is classified on its own (see
//! [`classify`]): a pool row, a column header, one of the two summary lines,
//! a title, a `/e` total, a timestamp line written by a wrapper, known noise
//! (prompts, `PoolMon:` messages, `...`), a blank, or a line that cannot be
//! read. Because no line depends on another, a chunk of lines can be parsed
//! on any core; [`parse_chunk`] turns one chunk into columns plus a short list
//! of [`Event`]s that [`crate::log`] later stitches into snapshots.
//!
//! Rows are read by whitespace tokens after the tag and type, so the narrow and
//! wide `/n` layouts, pasted interactive screens with `( delta )` columns (glued
//! to the number or not), tabs and re-spaced transcriptions all take the same
//! path. The tag is never split on whitespace: it is the four bytes after the
//! leading space (`Dh 1`, `Io  `), with a tolerant fallback for edited pastes.

use std::collections::HashMap;

use memchr::{memchr, memchr2};
use nom::bytes::complete::{tag, take_while};
use nom::character::complete::i64 as nom_i64;
use nom::combinator::opt;
use nom::sequence::{delimited, preceded};
use nom::{IResult, Parser};

pub mod decode;
pub mod input;
pub mod pooltag;
pub mod stamp;

mod chunk;
mod line;
mod numbers;

pub use chunk::*;
pub use line::*;
use numbers::*;

use crate::model::{diff_of, is_per_alloc_of, odd_value, series_key, IdMap, Pool, NO_DRIVER};

#[cfg(test)]
mod tests;
