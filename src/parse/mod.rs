//! Reading PoolMon text: bytes in, classified lines and columns out.
//!
//! What lives here: [`input`] opens files, directories, stdin, gzip and zstd
//! and cuts them into blocks; [`decode`] turns ANSI, UTF-8 and UTF-16LE
//! (whole files or appended blocks) into text; `line` says what one line is
//! ([`classify`], [`row`]); `window` and `numbers` read a row's numbers; `chunk` turns a
//! chunk of lines into columns and events ([`parse_chunk`]); [`stamp`] reads
//! the timestamp lines that wrappers write; [`pooltag`] reads pooltag.txt and
//! localtag.txt. Imports: `error`, `model`, `units` only.
//!
//! Every physical line of a decoded log is classified on its own: a pool row,
//! a column header, one of the two summary lines,
//! a title, a `/e` total, a timestamp line written by a wrapper, known noise
//! (prompts, `PoolMon:` messages, `...`), a blank, or a line that cannot be
//! read. Because no line depends on another, a chunk of lines can be parsed
//! on any core; [`parse_chunk`] turns one chunk into columns plus a short list
//! of [`Event`]s that [`crate::log`] later stitches into snapshots.
//!
//! Plain `/n` rows are read by the window reader (`window`: bit masks of the
//! digits, spaces and line ends of the 64 bytes after the type, all five
//! fields and the line's end found at once, so that such a row is read
//! before its line end is looked for: `line::fast_row`); rows too long for it (the wide family) by a
//! one-pass reader (whitespace and digits eight bytes at a time); anything
//! else (`( delta )` columns, tabs, 20-digit values, junk) falls back to the
//! exact reader written with nom, which also reads the summary lines' values.
//! Where the faster readers read a row, they agree with the exact one (tests).
//!
//! Rows are read by whitespace tokens after the tag and type, so the narrow and
//! wide `/n` layouts, pasted interactive screens with `( delta )` columns (glued
//! to the number or not), tabs and re-spaced transcriptions all take the same
//! path. The tag is never split on whitespace: it is the four bytes after the
//! leading space (`Dh 1`, `Io  `), with a tolerant fallback for edited pastes.

pub mod decode;
pub mod input;
pub mod pooltag;
pub mod stamp;

mod chunk;
mod line;
#[cfg(target_os = "linux")]
mod mapped;
mod numbers;
mod window;

pub use chunk::*;
pub use line::*;
use numbers::*;
use window::*;

#[cfg(test)]
mod tests;
