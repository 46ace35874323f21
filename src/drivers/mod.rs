//! Which driver owns a pool tag, from the driver binaries themselves, offline.
//!
//! What lives here: [`scan`] of a folder of `.sys` files and the [`Scan`] it gives (this
//! file); `walk` (the files under the folder), `pe` (PE headers, sections, pool imports, with
//! the `object` crate), `code` (32-bit immediates and pool-call sites in x86, x64 and ARM64
//! code), `version` (the version resource), `file` (one binary's evidence) and `rank`
//! (candidates per tag, confidence, labels, localtag.txt). Imports: `error` only.
//!
//! # Method
//! A pool tag is the `Tag` argument of `ExAllocatePool2`, `ExAllocatePoolWithTag`,
//! `ExFreePoolWithTag` and their kin ([`POOL_FUNCTIONS`]). Compilers emit it as a 32-bit
//! immediate whose bytes, in memory order, are the tag as PoolMon prints it: x64
//! `mov r8d, imm32` (`41 B8 t0 t1 t2 t3`), `mov edx, imm32` (`BA …`) or a store to the stack,
//! x86 `push imm32` (`68 …`), ARM64 a `movz`/`movk` pair (or a literal load). The call goes
//! through the binary's import of that function: `call [rip+disp32]` on x64, `call [abs32]`
//! on x86, `adrp`/`ldr`/`blr` on ARM64.
//!
//! So each binary is read once and, for every tag asked about, three kinds of occurrence are
//! counted ([`Hits`]):
//!
//! 1. **near a pool call**: an immediate of an executable section that loads the tag at most
//!    [`NEAR_CALL_BYTES`] before a call through a pool function's import;
//! 2. **elsewhere in code**: any other immediate, or the tag's bytes, in an executable section;
//! 3. **in data**: the tag's bytes anywhere else (strings, tables, resources).
//!
//! With whether the binary imports a pool function at all and its version resource, they rank
//! the candidates ([`Scan::candidates`]): near-call evidence first, data-only hits last (those
//! are what `findstr /m /l /s Tag *.sys` finds, mostly by chance).
//!
//! Files that are not PE images are skipped and counted; a malformed image never fails the
//! scan (it is counted and skipped), and the work on one is bounded by its size: capped import
//! counts, fixed-depth resource walks, one linear pass per decoder.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};

mod code;
mod file;
mod pe;
mod rank;
mod version;
mod walk;

pub use code::NEAR_CALL_BYTES;
pub use pe::{Arch, NotScanned, POOL_FUNCTIONS};
pub use rank::{score, Candidate, Confidence, MIN_LABEL_SCORE};
pub use version::VersionInfo;

/// Files larger than this are skipped (a driver is a few MiB at most).
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// A pool tag as its 4 bytes in memory order (`b"WDiv"`), as PoolMon prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag(pub [u8; 4]);

impl Tag {
    /// The tag as printed (`Cc`, `Dh 1`, `WDiv`): short tags are padded with spaces, trailing
    /// spaces are optional. `None` when longer than 4 bytes.
    pub fn parse(printed: &str) -> Option<Tag> {
        let b = printed.trim_end_matches(' ').as_bytes();
        if b.len() > 4 {
            return None;
        }
        let mut t = [b' '; 4];
        t[..b.len()].copy_from_slice(b);
        Some(Tag(t))
    }

    /// The 32-bit value an instruction loads for this tag (little-endian).
    pub fn value(self) -> u32 {
        u32::from_le_bytes(self.0)
    }

    /// The tag of a 32-bit immediate.
    pub fn from_value(v: u32) -> Tag {
        Tag(v.to_le_bytes())
    }

    /// Whether the bytes look like a tag someone chose, and one a localtag.txt line can
    /// hold: printable ASCII, the first not a space, at least two letters or digits, no ` -`
    /// (a separator there), and not read as a comment (`rem `, `//`). Tags found by discovery
    /// (no tag asked for) must pass this.
    pub fn is_plausible(self) -> bool {
        let b = self.0;
        b.iter().all(|&c| (0x20..0x7F).contains(&c))
            && b[0] != b' '
            && b.iter().filter(|c| c.is_ascii_alphanumeric()).count() >= 2
            && !b.windows(2).any(|w| w == b" -")
            && !b.starts_with(b"//")
            && !(b[..3].eq_ignore_ascii_case(b"rem") && b[3] == b' ')
    }
}

impl fmt::Display for Tag {
    /// The tag as PoolMon prints it (trailing spaces dropped; other bytes as Latin-1).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s: String = self.0.iter().map(|&c| c as char).collect();
        f.write_str(s.trim_end_matches(' '))
    }
}

/// How often a tag occurs in one binary, by kind of evidence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Hits {
    /// Immediates in executable code just before a call through a pool function's import.
    pub near_call: u32,
    /// Other immediates, and the tag's bytes, in executable code.
    pub code: u32,
    /// The tag's bytes outside executable code.
    pub data: u32,
}

impl Hits {
    /// True when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.near_call == 0 && self.code == 0 && self.data == 0
    }
}

/// One PE image found under the folder, with the evidence for the tags looked for.
#[derive(Debug, Clone, Serialize)]
pub struct Binary {
    /// The path under the scanned folder (`/`-separated).
    pub path: String,
    /// The file name (`foo.sys`).
    pub name: String,
    /// The image's architecture.
    pub arch: Arch,
    /// File size in bytes.
    pub size: u64,
    /// The pool functions it imports ([`POOL_FUNCTIONS`]), sorted.
    pub pool_imports: Vec<&'static str>,
    /// Its version resource, when it has one.
    pub version: Option<VersionInfo>,
    /// Evidence per tag: the tags asked for that occur in it, and (when discovering) every
    /// plausible tag found near a pool call.
    #[serde(skip)]
    pub hits: BTreeMap<Tag, Hits>,
}

/// What to look for.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// The tags to count every occurrence of.
    pub tags: BTreeSet<Tag>,
    /// Also record every plausible tag ([`Tag::is_plausible`]) found near a pool call, for
    /// [`Scan::localtag`].
    pub discover: bool,
}

impl Query {
    /// A query for the tags as printed (those longer than 4 bytes are dropped).
    pub fn tags<S: AsRef<str>>(printed: &[S]) -> Query {
        Query {
            tags: printed
                .iter()
                .filter_map(|t| Tag::parse(t.as_ref()))
                .collect(),
            discover: false,
        }
    }
}

/// Files under the folder that were not scanned, by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Not a PE image (no `MZ` header).
    pub not_pe: usize,
    /// An `MZ` file whose PE headers cannot be read.
    pub malformed: usize,
    /// Could not be read (permissions, I/O errors).
    pub unreadable: usize,
    /// Larger than [`MAX_FILE_BYTES`].
    pub too_large: usize,
}

/// The result of [`scan`].
#[derive(Debug, Clone)]
pub struct Scan {
    /// The folder scanned, as given.
    pub root: PathBuf,
    /// Regular files found under it.
    pub files: usize,
    /// Bytes read from the PE images.
    pub bytes: u64,
    /// The PE images, by path.
    pub binaries: Vec<Binary>,
    /// The files skipped, by reason.
    pub skipped: Skipped,
    /// The first few reasons for skipped malformed or unreadable files (`path: reason`).
    pub notes: Vec<String>,
}

/// At most this many skip reasons are kept in [`Scan::notes`].
const MAX_NOTES: usize = 20;

/// Scans every regular file under `dir` (recursively; links to directories are not followed)
/// for the tags of `query`, in parallel.
///
/// # Errors
///
/// [`Error::Io`] when `dir` cannot be listed. Files that cannot be read or parsed are
/// skipped and counted in [`Scan::skipped`], never an error.
pub fn scan(dir: &Path, query: &Query) -> Result<Scan> {
    let files = walk::files(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let needles = code::Needles::new(&query.tags);
    let outcomes: Vec<file::Outcome> = files
        .par_iter()
        .map(|p| file::examine(dir, p, &needles, query.discover))
        .collect();
    let mut out = Scan {
        root: dir.to_path_buf(),
        files: files.len(),
        bytes: 0,
        binaries: Vec::new(),
        skipped: Skipped::default(),
        notes: Vec::new(),
    };
    for o in outcomes {
        let note = match o {
            file::Outcome::Binary(b) => {
                out.bytes += b.size;
                out.binaries.push(b);
                None
            }
            file::Outcome::NotPe => {
                out.skipped.not_pe += 1;
                None
            }
            file::Outcome::TooLarge => {
                out.skipped.too_large += 1;
                None
            }
            file::Outcome::Malformed(why) => {
                out.skipped.malformed += 1;
                Some(why)
            }
            file::Outcome::Unreadable(why) => {
                out.skipped.unreadable += 1;
                Some(why)
            }
        };
        if let Some(n) = note {
            if out.notes.len() < MAX_NOTES {
                out.notes.push(n);
            }
        }
    }
    Ok(out)
}

/// Examines one image's bytes as [`scan`] examines each file; `path` is what
/// [`Binary::path`] and [`Binary::name`] will say.
///
/// # Errors
///
/// [`NotScanned`] when the bytes are not a PE image or its headers cannot be read.
pub fn inspect(path: &str, data: &[u8], query: &Query) -> Result<Binary, NotScanned> {
    let needles = code::Needles::new(&query.tags);
    file::evidence(path, data, &needles, query.discover)
}

#[cfg(test)]
mod tests;
