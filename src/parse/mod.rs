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
use std::hash::{BuildHasherDefault, Hasher};

use memchr::{memchr, memchr2};
use nom::bytes::complete::{tag, take_while};
use nom::character::complete::i64 as nom_i64;
use nom::combinator::opt;
use nom::sequence::{delimited, preceded};
use nom::{IResult, Parser};

/// Pool type of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pool {
    /// `Nonp` rows.
    Nonpaged = 0,
    /// `Paged` rows.
    Paged = 1,
}

impl Pool {
    /// The name used in tables and reports.
    pub fn name(self) -> &'static str {
        match self {
            Pool::Nonpaged => "Nonpaged",
            Pool::Paged => "Paged",
        }
    }

    /// Reads `Nonpaged`/`Nonp`/`Paged` (any case).
    pub fn from_name(s: &str) -> Option<Pool> {
        match s.to_ascii_lowercase().as_str() {
            "nonpaged" | "nonp" | "np" => Some(Pool::Nonpaged),
            "paged" | "p" => Some(Pool::Paged),
            _ => None,
        }
    }
}

/// One parsed pool row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row<'a> {
    /// The four tag bytes as printed (padded with spaces).
    pub tag: [u8; 4],
    /// Pool type.
    pub pool: Pool,
    /// Cumulative allocations.
    pub allocs: u64,
    /// Cumulative frees.
    pub frees: u64,
    /// Outstanding allocations as printed.
    pub diff: i64,
    /// Bytes in use.
    pub bytes: u64,
    /// Bytes per allocation as printed.
    pub per_alloc: u64,
    /// Mapped_Driver text, when the row has one.
    pub driver: Option<&'a [u8]>,
    /// Whether the row carried `( delta )` columns (a pasted interactive screen).
    pub interactive: bool,
}

/// Values of the two `/r` summary lines, in KiB except `page_faults`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// `Memory:` physical memory.
    pub memory_k: Option<i64>,
    /// `Avail:` available memory.
    pub avail_k: Option<i64>,
    /// `PageFlts:` page faults (cumulative in snapshots).
    pub page_faults: Option<i64>,
    /// `InRam Krnl:` resident kernel code.
    pub inram_krnl_k: Option<i64>,
    /// First `P:`: resident paged pool.
    pub paged_resident_k: Option<i64>,
    /// `Commit:` commit charge.
    pub commit_k: Option<i64>,
    /// `Limit:` commit limit.
    pub limit_k: Option<i64>,
    /// `Peak:` peak commit.
    pub peak_k: Option<i64>,
    /// `Pool N:` nonpaged pool.
    pub pool_nonpaged_k: Option<i64>,
    /// Second `P:`: paged pool.
    pub pool_paged_k: Option<i64>,
}

/// What one line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line<'a> {
    /// A pool row.
    Row(Row<'a>),
    /// A column header; `true` when it has a `Mapped_Driver` column.
    Header(bool),
    /// The `Memory:` summary line: memory, avail, page faults, in-RAM kernel, paged resident.
    Memory([Option<i64>; 5]),
    /// The `Commit:` summary line: commit, limit, peak, nonpaged pool, paged pool.
    Commit([Option<i64>; 5]),
    /// ` System pool information` and friends.
    Title,
    /// A `/e` `Total Nonp …` line.
    Total,
    /// An empty or all-blank line.
    Blank,
    /// A line a wrapper wrote that parses as a timestamp.
    Stamp(String),
    /// A line that is known noise: prompts, `PoolMon:` messages, `...`, `[snip]`.
    Noise,
    /// A line that cannot be read, with the reason.
    Bad(&'static str),
}

type In<'a> = &'a [u8];

fn is_ws(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

fn ws0(i: In) -> IResult<In, In> {
    take_while(is_ws).parse(i)
}

/// `( delta )`, optionally glued to the number before it: `(   0)`, `( -184)`, `(0)`.
fn delta(i: In) -> IResult<In, i64> {
    preceded(
        ws0,
        delimited(tag("("), preceded(ws0, nom_i64), preceded(ws0, tag(")"))),
    )
    .parse(i)
}

/// Error for the hand-written number parsers.
fn fail(i: In) -> nom::Err<nom::error::Error<In>> {
    nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Digit))
}

/// Decimal digits as u64, refusing overflow. The hot path of the parser: a
/// plain loop is several times faster than the generic nom number parser.
fn digits_u64(i: In) -> IResult<In, u64> {
    let mut v: u64 = 0;
    let mut k = 0;
    while let Some(&c) = i.get(k) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d)))
            .ok_or_else(|| fail(i))?;
        k += 1;
    }
    if k == 0 {
        return Err(fail(i));
    }
    Ok((&i[k..], v))
}

/// Spaces and tabs, at least one.
fn ws1_fast(i: In) -> IResult<In, ()> {
    let k = i.iter().take_while(|&&c| is_ws(c)).count();
    if k == 0 {
        Err(fail(i))
    } else {
        Ok((&i[k..], ()))
    }
}

/// An optional `( delta )`: checks for a `(` before running the nom parser.
fn opt_delta(i: In) -> IResult<In, Option<i64>> {
    let k = i.iter().take_while(|&&c| is_ws(c)).count();
    if i.get(k) == Some(&b'(') {
        opt(delta).parse(i)
    } else {
        Ok((i, None))
    }
}

/// A whitespace-separated unsigned count.
fn count(i: In) -> IResult<In, u64> {
    let (i, ()) = ws1_fast(i)?;
    digits_u64(i)
}

/// A whitespace-separated signed number (Diff may be negative).
fn signed(i: In) -> IResult<In, i64> {
    let (i, ()) = ws1_fast(i)?;
    let (neg, i) = match i.first() {
        Some(b'-') => (true, &i[1..]),
        _ => (false, i),
    };
    let (rest, v) = digits_u64(i)?;
    let v = if neg {
        if v > i64::MAX as u64 + 1 {
            return Err(fail(i));
        }
        (v as i64).wrapping_neg()
    } else {
        i64::try_from(v).map_err(|_| fail(i))?
    };
    Ok((rest, v))
}

/// The numeric part of a row, after the type token.
///
/// `Allocs [(d)] Frees [(d)] Diff Bytes [(d)] PerAlloc [driver]`.
/// Returns the fields, whether deltas were seen, and the rest of the line.
type Numbers = (u64, u64, i64, u64, u64, bool);

fn row_numbers(i: In) -> Result<(Numbers, In), &'static str> {
    let (i, allocs) = count(i).map_err(|_| field_error(i, "Allocs"))?;
    let (i, d1) = opt_delta(i).map_err(|_| "Allocs delta")?;
    let (i, frees) = count(i).map_err(|_| field_error(i, "Frees"))?;
    let (i, d2) = opt_delta(i).map_err(|_| "Frees delta")?;
    let (i, diff) = signed(i).map_err(|_| field_error(i, "Diff"))?;
    let (i, bytes) = count(i).map_err(|_| field_error(i, "Bytes"))?;
    let (i, d3) = opt_delta(i).map_err(|_| "Bytes delta")?;
    let (i, per_alloc) = count(i).map_err(|_| field_error(i, "Per Alloc"))?;
    let interactive = d1.is_some() || d2.is_some() || d3.is_some();
    Ok(((allocs, frees, diff, bytes, per_alloc, interactive), i))
}

/// The numeric part of the usual row (`/n` snapshots: five numbers, no
/// deltas, none longer than 19 digits), in one pass over the bytes. `None`
/// for anything else (deltas, a field that is not a plain number, 20 digits
/// or more): [`row_numbers`] then reads it, or says what is wrong. Where
/// both read a row they agree.
fn plain_numbers(i: In) -> Option<(Numbers, In)> {
    /// Whitespace, then up to 19 digits (an optional `-` when `signed`):
    /// the value, whether it was negative, and where it ends.
    #[inline(always)]
    fn field(i: In, mut k: usize, signed: bool) -> Option<(u64, bool, usize)> {
        let start = k;
        // Columns are padded with runs of spaces: skip them eight at a time.
        while let Some(w) = word8(i, k) {
            let other = w ^ 0x2020_2020_2020_2020;
            if other != 0 {
                k += (other.trailing_zeros() / 8) as usize;
                break;
            }
            k += 8;
        }
        while k < i.len() && is_ws(i[k]) {
            k += 1;
        }
        if k == start {
            return None;
        }
        let neg = signed && i.get(k) == Some(&b'-');
        k += usize::from(neg);
        let first = k;
        let mut v: u64 = 0;
        // Eight bytes at a time while they are all digits, then the rest of the run.
        while let Some(w) = word8(i, k) {
            let run = digit_run(w);
            if run == 0 || k - first + run > 19 {
                break;
            }
            v = v.wrapping_mul(POW10[run]).wrapping_add(swar_digits(w, run));
            k += run;
            if run < 8 {
                break;
            }
        }
        while k < i.len() {
            let d = i[k].wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            // 19 digits cannot overflow: checked below before any 20th.
            v = v.wrapping_mul(10).wrapping_add(u64::from(d));
            k += 1;
        }
        let digits = k - first;
        if digits == 0 || digits > 19 {
            return None;
        }
        Some((v, neg, k))
    }
    let (allocs, _, k) = field(i, 0, false)?;
    let (frees, _, k) = field(i, k, false)?;
    let (diff, neg, k) = field(i, k, true)?;
    let (bytes, _, k) = field(i, k, false)?;
    let (per_alloc, _, k) = field(i, k, false)?;
    // Diff as i64: 19 digits may exceed i64::MAX; leave those to the exact path.
    let diff = i64::try_from(diff).ok()?;
    let diff = if neg { -diff } else { diff };
    Some(((allocs, frees, diff, bytes, per_alloc, false), &i[k..]))
}

/// The eight bytes of `i` from `k` as one word (first byte lowest), if there are eight.
fn word8(i: In, k: usize) -> Option<u64> {
    let w: [u8; 8] = i.get(k..k + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(w))
}

/// Powers of ten up to 10⁸.
const POW10: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// How many of the eight bytes of `w` (first byte lowest) are ASCII digits
/// before the first that is not.
fn digit_run(w: u64) -> usize {
    const HI: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    // A digit byte is 0x30–0x39: its high nibble is 3, and still 3 after adding 6.
    // (A carry out of a byte only reaches bytes after a non-digit.)
    let bad =
        ((w & HI) | ((w.wrapping_add(0x0606_0606_0606_0606) & HI) >> 4)) ^ 0x3333_3333_3333_3333;
    (bad.trailing_zeros() / 8) as usize
}

/// The value of the first `run` (1 to 8) bytes of `w`, all ASCII digits.
fn swar_digits(w: u64, run: usize) -> u64 {
    // Move the digits to the top and fill the bottom with '0's: eight digits.
    let w = if run == 8 {
        w
    } else {
        (w << (8 * (8 - run))) | (0x3030_3030_3030_3030 >> (8 * run))
    };
    let w = w.wrapping_sub(0x3030_3030_3030_3030);
    let w = (w.wrapping_mul(10) + (w >> 8)) & 0x00FF_00FF_00FF_00FF;
    let w = (w.wrapping_mul(100) + (w >> 16)) & 0x0000_FFFF_0000_FFFF;
    (w.wrapping_mul(10_000) + (w >> 32)) & 0xFFFF_FFFF
}

/// Explains why a numeric field failed: missing, too large, negative or not a number.
fn field_error(i: In, field: &'static str) -> &'static str {
    let t = trim_start(i);
    let digits = t.iter().take_while(|c| c.is_ascii_digit()).count();
    if t.is_empty() {
        match field {
            "Allocs" => "row cut off: no Allocs",
            "Frees" => "row cut off: no Frees",
            "Diff" => "row cut off: no Diff",
            "Bytes" => "row cut off: no Bytes",
            _ => "row cut off: no Per Alloc",
        }
    } else if digits > 0 {
        match field {
            "Allocs" => "row: Allocs beyond 64 bits",
            "Frees" => "row: Frees beyond 64 bits",
            "Diff" => "row: Diff beyond 64 bits",
            "Bytes" => "row: Bytes beyond 64 bits",
            _ => "row: Per Alloc beyond 64 bits",
        }
    } else if t.first() == Some(&b'-') {
        match field {
            "Allocs" => "row: negative Allocs",
            "Frees" => "row: negative Frees",
            "Diff" => "row: Diff is not a number",
            "Bytes" => "row: negative Bytes",
            _ => "row: negative Per Alloc",
        }
    } else {
        match field {
            "Allocs" => "row: Allocs is not a number",
            "Frees" => "row: Frees is not a number",
            "Diff" => "row: Diff is not a number",
            "Bytes" => "row: Bytes is not a number",
            _ => "row: Per Alloc is not a number",
        }
    }
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| is_ws(c)).count();
    &s[n..]
}

fn trim_end(s: &[u8]) -> &[u8] {
    let mut end = s.len();
    while end > 0 && (is_ws(s[end - 1]) || s[end - 1] == b'\r') {
        end -= 1;
    }
    &s[..end]
}

fn trim(s: &[u8]) -> &[u8] {
    trim_end(trim_start(s))
}

/// Reads the type token at `at`: `Nonp` or `Paged` followed by whitespace or the end.
fn pool_at(line: &[u8], at: usize) -> Option<(Pool, usize)> {
    let rest = line.get(at..)?;
    let (pool, len) = if rest.starts_with(b"Nonp") {
        (Pool::Nonpaged, 4)
    } else if rest.starts_with(b"Paged") {
        (Pool::Paged, 5)
    } else {
        return None;
    };
    match rest.get(len) {
        None => Some((pool, at + len)),
        Some(&c) if is_ws(c) => Some((pool, at + len)),
        _ => None,
    }
}

/// Finds tag and type for a row: the fixed layout (` TTTT Type`, or the
/// same without the leading space), else the first whole-word `Nonp`/`Paged`
/// after the tag with the text before it as the tag (edited pastes).
fn tag_and_pool(line: &[u8]) -> Option<([u8; 4], Pool, usize)> {
    if line.len() >= 10 && line[0] == b' ' && is_ws(line[5]) {
        if let Some((pool, end)) = pool_at(line, 6) {
            return Some((tag4(&line[1..5])?, pool, end));
        }
    }
    if line.len() >= 9 && line[0] != b' ' && is_ws(line[4]) {
        if let Some((pool, end)) = pool_at(line, 5) {
            return Some((tag4(&line[0..4])?, pool, end));
        }
    }
    // Tolerant fallback: type = first whole-word Nonp|Paged after position 1.
    let start = line.iter().position(|&c| !is_ws(c))?;
    let mut at = start + 1;
    while at + 4 <= line.len() {
        let hit = memchr2(b'N', b'P', &line[at..])? + at;
        if is_ws(line[hit - 1]) {
            if let Some((pool, end)) = pool_at(line, hit) {
                let t = trim_end(&line[start..hit]);
                if t.is_empty() || t.len() > 4 {
                    return None;
                }
                return Some((tag4(t)?, pool, end));
            }
        }
        at = hit + 1;
    }
    None
}

/// Pads a tag of 1–4 bytes with spaces; a tag with a tab or control byte is refused.
fn tag4(t: &[u8]) -> Option<[u8; 4]> {
    if t.is_empty() || t.len() > 4 || t.iter().any(|&c| c < 0x20 || c == 0x7f) {
        return None;
    }
    let mut out = [b' '; 4];
    out[..t.len()].copy_from_slice(t);
    Some(out)
}

/// Parses a pool row. `Err` carries the reason when the line has a tag and
/// a type but its numbers cannot be read; `Ok(None)` when it is not a row.
pub fn row(line: &[u8]) -> Result<Option<Row<'_>>, &'static str> {
    let Some((tag, pool, end)) = tag_and_pool(line) else {
        return Ok(None);
    };
    let ((allocs, frees, diff, bytes, per_alloc, interactive), rest) =
        match plain_numbers(&line[end..]) {
            Some(done) => done,
            None => row_numbers(&line[end..])?,
        };
    let driver = if rest.is_empty() {
        None
    } else if is_ws(rest[0]) {
        let d = trim(rest);
        if d.is_empty() {
            None
        } else {
            Some(d)
        }
    } else {
        return Err("row: garbage after Per Alloc");
    };
    Ok(Some(Row {
        tag,
        pool,
        allocs,
        frees,
        diff,
        bytes,
        per_alloc,
        driver,
        interactive,
    }))
}

/// Reads `Key: value[K]` pairs of a summary line, positionally, at most five.
fn summary_values(line: &[u8]) -> [Option<i64>; 5] {
    let mut out = [None; 5];
    let mut k = 0;
    let mut i = line;
    while k < 5 {
        let Some(colon) = memchr(b':', i) else { break };
        i = &i[colon + 1..];
        let parsed: IResult<In, i64> = preceded(ws0, nom_i64).parse(i);
        match parsed {
            Ok((rest, v)) => {
                out[k] = Some(v);
                i = rest;
            }
            Err(_) => out[k] = None,
        }
        k += 1;
    }
    out
}

fn is_header(t: &[u8]) -> Option<bool> {
    let t = if let Some(rest) = t.strip_prefix(b"##") {
        trim_start(rest)
    } else {
        t
    };
    if !t.starts_with(b"Tag") || t.len() < 20 {
        return None;
    }
    let has = |needle: &[u8]| memchr::memmem::find(t, needle).is_some();
    if has(b"Type") && has(b"Allocs") && has(b"Bytes") {
        Some(has(b"Mapped_Driver"))
    } else {
        None
    }
}

fn is_noise(t: &[u8]) -> bool {
    if t.starts_with(b"...")
        || t.starts_with(b"[snip]")
        || t == b"##"
        || t.starts_with(b"\xe2\x80\xa6")
    {
        return true;
    }
    let lower: Vec<u8> = t.iter().take(200).map(|c| c.to_ascii_lowercase()).collect();
    if lower.starts_with(b"poolmon:")
        || lower.starts_with(b"press ")
        || lower.starts_with(b"usage:")
    {
        return true;
    }
    // Prompts: `C:\tools> poolmon -b`, `PS C:\> ...`, `$ ...`.
    let prompt = (lower.len() > 2
        && lower[1] == b':'
        && lower[2] == b'\\'
        && memchr(b'>', &lower).is_some())
        || (lower.starts_with(b"ps ") && memchr(b'>', &lower).is_some());
    prompt || memchr::memmem::find(&lower, b"poolmon.exe").is_some()
}

/// Classifies one line (without its line end).
#[inline]
pub fn classify(line: &[u8]) -> Line<'_> {
    // Rows first: they are nearly every line of a log.
    match row(line) {
        Ok(Some(r)) => Line::Row(r),
        Err(reason) => Line::Bad(reason),
        Ok(None) => classify_other(line),
    }
}

/// Classifies a line that is not a pool row (see [`classify`]).
fn classify_other(line: &[u8]) -> Line<'_> {
    let t = trim(line);
    if t.is_empty() {
        return Line::Blank;
    }
    if t.starts_with(b"Memory:") {
        return Line::Memory(summary_values(t));
    }
    if t.starts_with(b"Commit:") {
        return Line::Commit(summary_values(t));
    }
    if let Some(driver) = is_header(t) {
        return Line::Header(driver);
    }
    if t.ends_with(b"pool information") {
        return Line::Title;
    }
    if let Some(rest) = t.strip_prefix(b"Total") {
        let r = trim_start(rest);
        if r.len() < rest.len() && (r.starts_with(b"Nonp") || r.starts_with(b"Paged")) {
            return Line::Total;
        }
    }
    if is_noise(t) {
        return Line::Noise;
    }
    let text = String::from_utf8_lossy(t);
    if crate::stamp::parse_stamp(&text).is_some() {
        return Line::Stamp(text.into_owned());
    }
    Line::Bad("not a PoolMon line")
}

/// A line of interest other than a row, in chunk order.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// 0-based line number within the chunk.
    pub line: u32,
    /// Rows of the chunk before this event.
    pub row: u32,
    /// What the line was.
    pub kind: EventKind,
}

/// The kinds of [`Event`].
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// The first row after a non-row line.
    RowsStart,
    /// A column header.
    Header(bool),
    /// `Memory:` line values.
    Memory([Option<i64>; 5]),
    /// `Commit:` line values.
    Commit([Option<i64>; 5]),
    /// A title line.
    Title,
    /// A timestamp line (raw text).
    Stamp(String),
    /// A line that could not be read.
    Bad(&'static str),
    /// A known noise line.
    Noise,
    /// A line that was read, with a warning about it.
    Note(&'static str),
    /// A row whose pool row had `( delta )` columns: marks the snapshot as a screen.
    Interactive,
}

/// A small multiplicative hasher for integer keys (series ids are hashed once per row).
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A hash map keyed by integers, with [`IdHasher`].
pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// The series key: the tag's four bytes and the pool in one integer.
pub fn series_key(tag: [u8; 4], pool: Pool) -> u64 {
    (u64::from(u32::from_le_bytes(tag)) << 1) | pool as u64
}

/// Splits a series key back into tag bytes and pool.
pub fn split_key(key: u64) -> ([u8; 4], Pool) {
    let pool = if key & 1 == 1 {
        Pool::Paged
    } else {
        Pool::Nonpaged
    };
    (((key >> 1) as u32).to_le_bytes(), pool)
}

/// The rows of a chunk, column-wise, with chunk-local series and driver ids.
#[derive(Debug, Default)]
pub struct Part {
    /// Lines in the chunk.
    pub lines: u32,
    /// Non-row lines of interest, in order.
    pub events: Vec<Event>,
    /// Chunk-local series id per row.
    pub series: Vec<u32>,
    /// Allocs per row.
    pub allocs: Vec<u64>,
    /// Frees per row.
    pub frees: Vec<u64>,
    /// Rows whose Diff is not [`diff_of`] their Allocs and Frees:
    /// (row, Diff as printed), in row order.
    pub odd_diff: Vec<(u32, i64)>,
    /// Bytes per row.
    pub bytes: Vec<u64>,
    /// Rows whose Per Alloc is not [`per_alloc_of`] their Bytes and Diff:
    /// (row, Per Alloc as printed), in row order.
    pub odd_per_alloc: Vec<(u32, u64)>,
    /// Chunk-local driver id per row, [`NO_DRIVER`] when none.
    pub driver: Vec<u32>,
    /// Chunk-local series table: id → key.
    pub keys: Vec<u64>,
    /// Chunk-local driver table: id → text.
    pub drivers: Vec<Vec<u8>>,
    /// Whether the chunk's last line had no line end (the input was cut there).
    pub cut: bool,
}

/// No series id (before a chunk's first row).
const NO_ID: u32 = u32::MAX;

/// Marks a row without Mapped_Driver text.
pub const NO_DRIVER: u32 = u32::MAX;

/// Diff as PoolMon prints it: Allocs − Frees (every row of the real samples
/// agrees); `None` when that is beyond 64 bits. Rows are stored without it;
/// those that print another value keep theirs.
pub fn diff_of(allocs: u64, frees: u64) -> Option<i64> {
    i64::try_from(i128::from(allocs) - i128::from(frees)).ok()
}

/// Per Alloc as PoolMon prints it: Bytes / Diff rounded down (every row of
/// the real samples agrees), and Bytes when Diff is not positive. Rows are
/// stored without it; those that print another value keep theirs.
pub fn per_alloc_of(bytes: u64, diff: i64) -> u64 {
    if diff > 0 {
        bytes / diff as u64
    } else {
        bytes
    }
}

/// Whether `per_alloc` is [`per_alloc_of`]`(bytes, diff)` (without dividing).
pub fn is_per_alloc_of(per_alloc: u64, bytes: u64, diff: i64) -> bool {
    if diff > 0 {
        let (d, b) = (diff as u128, u128::from(bytes));
        let low = u128::from(per_alloc) * d;
        low <= b && b - low < d
    } else {
        per_alloc == bytes
    }
}

/// Row `r`'s value in a list of `(row, value)` in row order (the rows whose
/// value is not the usual one), if it is there.
#[inline]
pub(crate) fn odd_value<R: Copy + Ord, T: Copy>(list: &[(R, T)], r: R) -> Option<T> {
    list.binary_search_by_key(&r, |&(row, _)| row)
        .ok()
        .map(|k| list[k].1)
}

impl Part {
    /// Per Alloc of row `i` as printed.
    pub fn per_alloc(&self, i: usize) -> u64 {
        odd_value(&self.odd_per_alloc, i as u32)
            .unwrap_or_else(|| per_alloc_of(self.bytes[i], self.diff(i)))
    }

    /// Diff of row `i` as printed.
    pub fn diff(&self, i: usize) -> i64 {
        odd_value(&self.odd_diff, i as u32)
            .unwrap_or_else(|| diff_of(self.allocs[i], self.frees[i]).unwrap_or(0))
    }
}

/// Parses one chunk of decoded text. `last` says that the chunk ends the input,
/// so a final line without a line end is a line cut off mid-write.
pub fn parse_chunk(text: &[u8], last: bool) -> Part {
    let mut part = Part::default();
    let guess = text.len() / 64 + 1;
    part.series.reserve(guess);
    part.allocs.reserve(guess);
    part.frees.reserve(guess);
    part.bytes.reserve(guess);
    part.driver.reserve(guess);
    // Sized for a typical system's series (a few thousand): no rehashing
    // while the first snapshot of the chunk fills it.
    let mut ids: IdMap<u64, u32> =
        IdMap::with_capacity_and_hasher(guess.min(4096), std::hash::BuildHasherDefault::default());
    let mut driver_ids: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut prev_row = false;
    // Per series id: the id of the row that came after it last time.
    let mut follows: Vec<u32> = Vec::new();
    let mut prev_id = NO_ID;
    let mut line_no: u32 = 0;
    let mut pos = 0;
    while pos < text.len() {
        let (line, next, ended) = match memchr2(b'\n', b'\r', &text[pos..]) {
            Some(k) => {
                let end = pos + k;
                let skip = if text[end] == b'\r' && text.get(end + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                (&text[pos..end], end + skip, true)
            }
            None => (&text[pos..], text.len(), false),
        };
        pos = next;
        let n_rows = part.series.len() as u32;
        let cut_here = last && !ended;
        let kind = match classify(line) {
            Line::Row(r) => {
                if !prev_row {
                    part.events.push(Event {
                        line: line_no,
                        row: n_rows,
                        kind: EventKind::RowsStart,
                    });
                    if r.interactive {
                        part.events.push(Event {
                            line: line_no,
                            row: n_rows,
                            kind: EventKind::Interactive,
                        });
                    }
                }
                prev_row = true;
                let key = series_key(r.tag, r.pool);
                // Snapshots list the series in the same order as the one
                // before: the series that followed this row's predecessor
                // last time is nearly always this one (no hashing then).
                let guess = follows.get(prev_id as usize).copied().unwrap_or(NO_ID);
                let id = if part.keys.get(guess as usize) == Some(&key) {
                    guess
                } else {
                    let next_id = part.keys.len() as u32;
                    let id = *ids.entry(key).or_insert(next_id);
                    if id == next_id {
                        part.keys.push(key);
                        follows.push(NO_ID);
                    }
                    id
                };
                if let Some(f) = follows.get_mut(prev_id as usize) {
                    *f = id;
                }
                prev_id = id;
                part.series.push(id);
                part.allocs.push(r.allocs);
                part.frees.push(r.frees);
                if diff_of(r.allocs, r.frees) != Some(r.diff) {
                    part.odd_diff.push((n_rows, r.diff));
                }
                part.bytes.push(r.bytes);
                if !is_per_alloc_of(r.per_alloc, r.bytes, r.diff) {
                    part.odd_per_alloc.push((n_rows, r.per_alloc));
                }
                let d = match r.driver {
                    None => NO_DRIVER,
                    Some(text) => match driver_ids.get(text) {
                        Some(&d) => d,
                        None => {
                            let d = part.drivers.len() as u32;
                            part.drivers.push(text.to_vec());
                            driver_ids.insert(text.to_vec(), d);
                            d
                        }
                    },
                };
                part.driver.push(d);
                cut_here.then_some(EventKind::Note(
                    "last line has no line end (cut off while the log was written?); its row was kept",
                ))
            }
            Line::Bad(_) if cut_here => Some(EventKind::Bad(
                "last line cut off (log still being written?)",
            )),
            Line::Header(d) => Some(EventKind::Header(d)),
            Line::Memory(v) => Some(EventKind::Memory(v)),
            Line::Commit(v) => Some(EventKind::Commit(v)),
            Line::Title => Some(EventKind::Title),
            Line::Stamp(s) => Some(EventKind::Stamp(s)),
            Line::Noise | Line::Total => Some(EventKind::Noise),
            Line::Bad(reason) => Some(EventKind::Bad(reason)),
            Line::Blank => None,
        };
        if let Some(kind) = kind {
            prev_row = matches!(kind, EventKind::Note(_));
            part.events.push(Event {
                line: line_no,
                row: n_rows,
                kind,
            });
        }
        line_no += 1;
        if !ended {
            part.cut = true;
        }
    }
    part.lines = line_no;
    part
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(line: &str) -> Row<'_> {
        match row(line.as_bytes()) {
            Ok(Some(r)) => r,
            other => panic!("not a row: {line:?}: {other:?}"),
        }
    }

    #[test]
    fn narrow_snapshot_row() {
        let x = r(" Ntfx Nonp      1234      1200        34     5440        160        ");
        assert_eq!(&x.tag, b"Ntfx");
        assert_eq!(x.pool, Pool::Nonpaged);
        assert_eq!(
            (x.allocs, x.frees, x.diff, x.bytes, x.per_alloc),
            (1234, 1200, 34, 5440, 160)
        );
        assert_eq!(x.driver, None);
        assert!(!x.interactive);
    }

    #[test]
    fn wide_row_with_driver() {
        let x = r(" Thre Nonp            1234567            1234000              4567        2923520              640        [nt!ps - Thread objects]");
        assert_eq!(&x.tag, b"Thre");
        assert_eq!(x.diff, 4567);
        assert_eq!(x.driver, Some(&b"[nt!ps - Thread objects]"[..]));
    }

    #[test]
    fn interactive_row_with_deltas() {
        let x = r(" Wait Nonp    3971107 (   0)   3971077 (   0)       30    8456 (     0)    281");
        assert_eq!(
            (x.allocs, x.frees, x.diff, x.bytes, x.per_alloc),
            (3971107, 3971077, 30, 8456, 281)
        );
        assert!(x.interactive);
    }

    #[test]
    fn glued_and_negative_deltas() {
        let x = r("Io   Nonp\t169392( 0)\t169300(1)\t92\t14720( -184)\t160");
        assert_eq!(&x.tag, b"Io  ");
        assert_eq!(x.bytes, 14720);
        assert!(x.interactive);
    }

    #[test]
    fn tags_with_spaces_and_digits() {
        assert_eq!(
            &r(" Dh 1 Paged        10         5         5      640        128").tag,
            b"Dh 1"
        );
        assert_eq!(
            &r(" Io   Nonp        10         5         5      640        128").tag,
            b"Io  "
        );
        assert_eq!(
            &r(" 8042 Nonp        10         5         5      640        128").tag,
            b"8042"
        );
        assert_eq!(&r("CM    Paged 10 5 5 640 128").tag, b"CM  ");
        assert_eq!(&r("HidC   Paged 10 5 5 640 128").tag, b"HidC");
    }

    #[test]
    fn negative_diff_and_u64() {
        let x = r(" Leak Nonp 18446744073709551615 1 -3 18574637216 0");
        assert_eq!(x.allocs, u64::MAX);
        assert_eq!(x.diff, -3);
        assert_eq!(x.bytes, 18574637216);
    }

    #[test]
    fn unknown_and_truncated_driver() {
        let x = r(" HidC Paged 10 5 5 640 128 [hidclass.sys - HID Class d ");
        assert_eq!(x.driver, Some(&b"[hidclass.sys - HID Class d"[..]));
        let y = r(" 1MEM Nonp 1 0 1 64 64 Unknown Driver");
        assert_eq!(y.driver, Some(&b"Unknown Driver"[..]));
    }

    #[test]
    fn bad_rows_name_the_field() {
        assert_eq!(
            row(b" Leak Nonp 99999999999999999999 1 1 1 1"),
            Err("row: Allocs beyond 64 bits")
        );
        assert_eq!(row(b" Leak Nonp 12 10"), Err("row cut off: no Diff"));
        assert_eq!(
            row(b" Leak Nonp 12 10 2 x 1"),
            Err("row: Bytes is not a number")
        );
        assert_eq!(
            row(b" Leak Nonp 12 10 2 64 32x"),
            Err("row: garbage after Per Alloc")
        );
    }

    #[test]
    fn summary_lines() {
        let m = classify(
            b" Memory:16468560K Avail: 9842236K  PageFlts:468600648   InRam Krnl:14904K P:629336K",
        );
        assert_eq!(
            m,
            Line::Memory([
                Some(16468560),
                Some(9842236),
                Some(468600648),
                Some(14904),
                Some(629336)
            ])
        );
        let c = classify(
            b" Commit: 203500K Limit: 640916K Peak: 260632K            Pool N: 8332K P:27220K",
        );
        assert_eq!(
            c,
            Line::Commit([
                Some(203500),
                Some(640916),
                Some(260632),
                Some(8332),
                Some(27220)
            ])
        );
    }

    #[test]
    fn headers_titles_noise() {
        assert_eq!(
            classify(
                b" Tag  Type     Allocs            Frees            Diff   Bytes       Per Alloc"
            ),
            Line::Header(false)
        );
        assert_eq!(classify(b" Tag  Type     Allocs         Frees    Diff   Bytes    Per Alloc    Mapped_Driver"), Line::Header(true));
        assert_eq!(
            classify(b"## Tag  Type  Allocs  Frees  Diff  Bytes  Per Alloc"),
            Line::Header(false)
        );
        assert_eq!(classify(b" System pool information"), Line::Title);
        assert_eq!(classify(b" Session 0 pool information"), Line::Title);
        assert_eq!(
            classify(b" Total Nonp    3971107 (   0)   3971077 (   0)       30    8456 (     0)"),
            Line::Total
        );
        assert_eq!(classify(b"C:\\tools> poolmon -b"), Line::Noise);
        assert_eq!(
            classify(b"PoolMon: No localtag.txt in current directory"),
            Line::Noise
        );
        assert_eq!(classify(b"..."), Line::Noise);
        assert_eq!(classify(b"[snip]"), Line::Noise);
        assert_eq!(classify(b"   "), Line::Blank);
        assert_eq!(classify(b"hello world"), Line::Bad("not a PoolMon line"));
    }

    #[test]
    fn stamps_are_recognised() {
        assert!(matches!(
            classify(b"Wed 11/25/2026 23:18:56.12"),
            Line::Stamp(_)
        ));
        assert!(matches!(
            classify(b"===== 25/11/2026 23:18:56.12 ====="),
            Line::Stamp(_)
        ));
    }

    #[test]
    fn chunk_events_and_line_ends() {
        let text = b"\r\n Tag  Type  Allocs  Frees  Diff  Bytes  Per Alloc\r\n\r\n Abcd Nonp 1 0 1 64 64\r Efgh Paged 2 1 1 32 32\n Abcd Nonp 3 1";
        let p = parse_chunk(text, true);
        assert_eq!(p.lines, 6);
        assert_eq!(p.keys.len(), 2);
        assert!(p.cut);
        let kinds: Vec<_> = p
            .events
            .iter()
            .map(|e| (e.line, e.row, e.kind.clone()))
            .collect();
        assert_eq!(kinds[0], (1, 0, EventKind::Header(false)));
        assert_eq!(kinds[1], (3, 0, EventKind::RowsStart));
        // The last line is an incomplete row without a line end: cut off mid-write.
        assert!(matches!(kinds[2], (5, 2, EventKind::Bad(_))));
        assert_eq!(p.series.len(), 2);
        // A complete last row without a line end is kept, with a note.
        let p = parse_chunk(b" Abcd Nonp 3 1 2 128 64", true);
        assert_eq!(p.series.len(), 1);
        assert!(matches!(p.events[1].kind, EventKind::Note(_)));
    }

    #[test]
    fn keys_round_trip() {
        let k = series_key(*b"Dh 1", Pool::Paged);
        assert_eq!(split_key(k), (*b"Dh 1", Pool::Paged));
    }

    #[test]
    fn arbitrary_bytes_do_not_panic() {
        for seed in 0u32..2000 {
            let mut x = seed.wrapping_mul(2654435761);
            let bytes: Vec<u8> = (0..(seed % 97))
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    b" NonpPaged0123456789()-\t\r\nTagMemory:K"[(x % 37) as usize]
                })
                .collect();
            let _ = parse_chunk(&bytes, seed % 2 == 0);
        }
    }

    #[test]
    fn fast_numbers_agree_with_the_exact_reader() {
        // Rows of five or six fields: numbers of every length up to 21
        // digits (leading zeros, the edges of u64 and i64), negative ones,
        // deltas and junk, after spaces, tabs or nothing.
        let seps: [&[u8]; 5] = [b" ", b"   ", b"        ", b"\t ", b""];
        let tokens: [&[u8]; 20] = [
            b"0",
            b"7",
            b"12",
            b"12345678",
            b"123456789",
            b"9999999999",
            b"18446744073709551615",
            b"18446744073709551616",
            b"9223372036854775807",
            b"9223372036854775808",
            b"00000000000000000001",
            b"-5",
            b"( 3)",
            b"(0)",
            b"x",
            b"-9223372036854775808",
            b"4294967296",
            b"Ntfs.sys",
            b"1234567812345678",
            b"-",
        ];
        let mut x = 0x9E37_79B9u32;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        let mut checked = 0;
        for _ in 0..20_000 {
            let mut line = Vec::new();
            let fields = 5 + next() % 2;
            for _ in 0..fields {
                line.extend_from_slice(seps[(next() % 5) as usize]);
                // Mostly plain numbers, so that many rows take the fast path.
                let t = if next() % 4 == 0 {
                    next() % 20
                } else {
                    next() % 11
                };
                line.extend_from_slice(tokens[t as usize]);
            }
            if let Some(fast) = plain_numbers(&line) {
                assert_eq!(
                    Ok(fast),
                    row_numbers(&line),
                    "{:?}",
                    String::from_utf8_lossy(&line)
                );
                checked += 1;
            }
        }
        assert!(checked > 500, "only {checked} lines took the fast path");
        for n in [
            0u64,
            9,
            10,
            99_999_999,
            100_000_000,
            u64::MAX / 10,
            9_999_999_999_999_999_999,
        ] {
            let line = format!(" {n} {n} {n} {n} {n}");
            let want = row_numbers(line.as_bytes()).ok();
            assert_eq!(want.is_some(), i64::try_from(n).is_ok());
            assert_eq!(plain_numbers(line.as_bytes()), want);
        }
    }
}
