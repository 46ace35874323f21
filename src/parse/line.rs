//! One line of PoolMon text: what it is ([`classify`]) and, for a pool row,
//! its tag, pool, numbers and driver text ([`row`]).

use std::ops::Range;

use memchr::{memchr, memchr2};
use nom::character::complete::i64 as nom_i64;
use nom::sequence::preceded;
use nom::{IResult, Parser};

use super::*;
use crate::model::Pool;

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

pub(super) fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| is_ws(c)).count();
    &s[n..]
}

pub(super) fn trim_end(s: &[u8]) -> &[u8] {
    let mut end = s.len();
    while end > 0 && (is_ws(s[end - 1]) || s[end - 1] == b'\r') {
        end -= 1;
    }
    &s[..end]
}

pub(super) fn trim(s: &[u8]) -> &[u8] {
    trim_end(trim_start(s))
}

/// Reads the type token at `at`: `Nonp` or `Paged` followed by whitespace or the end.
pub(super) fn pool_at(line: &[u8], at: usize) -> Option<(Pool, usize)> {
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
pub(super) fn tag_and_pool(line: &[u8]) -> Option<([u8; 4], Pool, usize)> {
    if let Some(found) = fixed_tag_and_pool(line) {
        return Some(found);
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

/// [`tag_and_pool`] in the fixed layout only (` TTTT Type`, or the same
/// without the leading space).
#[inline(always)]
fn fixed_tag_and_pool(line: &[u8]) -> Option<([u8; 4], Pool, usize)> {
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
    None
}

/// The usual row starting at `text[pos]`, read without looking for its
/// line end first: tag and type in the fixed layout, then the five numbers
/// and the line end within the window after the type, only spaces between
/// them. Returns the row and where the next line starts. `None` for any
/// other line (or one the window does not reach the end of): [`classify_in`]
/// then reads it, and reads a row this reads the same (tests).
#[inline(always)]
pub(super) fn fast_row(text: &[u8], pos: usize) -> Option<(Row<'_>, usize)> {
    // Up to the byte after the longest type (` TTTT Paged` and one more).
    let head = text.get(pos..pos + 12)?;
    let (tag, pool, end) = fixed_tag_and_pool(head)?;
    let at = pos + end;
    let w: &[u8; WINDOW] = text.get(at..at + WINDOW)?.try_into().ok()?;
    let (digit, space, eol) = masks(w);
    if eol == 0 {
        return None;
    }
    let len = eol.trailing_zeros() as usize;
    let (numbers, k) = numbers_in(w, text, at, len, digit, space)?;
    // Only spaces after Per Alloc (no driver text: the other reader takes those).
    let tail = ((1u64 << len) - 1) & !((1u64 << k) - 1);
    if space & tail != tail {
        return None;
    }
    let stop = at + len;
    let next = if text[stop] == b'\r' && text.get(stop + 1) == Some(&b'\n') {
        stop + 2
    } else {
        stop + 1
    };
    Some((row_of(tag, pool, numbers, None), next))
}

/// The row of a tag and type, its numbers and its driver text.
#[inline(always)]
fn row_of(tag: [u8; 4], pool: Pool, numbers: Numbers, driver: Option<&[u8]>) -> Row<'_> {
    let (allocs, frees, diff, bytes, per_alloc, interactive) = numbers;
    Row {
        tag,
        pool,
        allocs,
        frees,
        diff,
        bytes,
        per_alloc,
        driver,
        interactive,
    }
}

/// Pads a tag of 1–4 bytes with spaces; a tag with a tab or control byte is refused.
pub(super) fn tag4(t: &[u8]) -> Option<[u8; 4]> {
    if t.is_empty() || t.len() > 4 || t.iter().any(|&c| c < 0x20 || c == 0x7f) {
        return None;
    }
    let mut out = [b' '; 4];
    out[..t.len()].copy_from_slice(t);
    Some(out)
}

/// Parses a pool row. `Err` carries the reason when the line has a tag and
/// a type but its numbers cannot be read; `Ok(None)` when it is not a row.
#[inline(always)]
pub fn row(line: &[u8]) -> Result<Option<Row<'_>>, &'static str> {
    row_in(line, 0..line.len())
}

/// [`row`] for the line `text[line]`: the bytes after it (the next lines of
/// a chunk) let the window reader look at its numbers in place.
#[inline(always)]
pub(super) fn row_in(text: &[u8], line: Range<usize>) -> Result<Option<Row<'_>>, &'static str> {
    let at = line.start;
    let line = &text[line];
    let Some((tag, pool, end)) = tag_and_pool(line) else {
        return Ok(None);
    };
    let len = line.len() - end;
    let window = window_numbers(text, at + end, len).or_else(|| {
        // Near the end of the text: the line copied where the window fits.
        let mut pad = [0u8; 4 * WINDOW];
        let copy = pad
            .get_mut(..line.len())
            .filter(|_| end + WINDOW <= 4 * WINDOW)?;
        copy.copy_from_slice(line);
        window_numbers(&pad, end, len)
    });
    let (numbers, rest) = match window {
        Some((numbers, k)) => (numbers, &line[end + k..]),
        None => match plain_numbers(&line[end..]) {
            Some(done) => done,
            None => row_numbers(&line[end..])?,
        },
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
    Ok(Some(row_of(tag, pool, numbers, driver)))
}

/// Reads `Key: value[K]` pairs of a summary line, positionally, at most five.
pub(super) fn summary_values(line: &[u8]) -> [Option<i64>; 5] {
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

pub(super) fn is_header(t: &[u8]) -> Option<bool> {
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

pub(super) fn is_noise(t: &[u8]) -> bool {
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
    classify_in(line, 0..line.len())
}

/// [`classify`] for the line `text[line]` of a chunk (see [`row_in`]).
#[inline(always)]
pub(super) fn classify_in(text: &[u8], line: Range<usize>) -> Line<'_> {
    // Rows first: they are nearly every line of a log.
    match row_in(text, line.clone()) {
        Ok(Some(r)) => Line::Row(r),
        Err(reason) => Line::Bad(reason),
        Ok(None) => classify_other(&text[line]),
    }
}

/// Classifies a line that is not a pool row (see [`classify`]).
pub(super) fn classify_other(line: &[u8]) -> Line<'_> {
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
    if crate::parse::stamp::parse_stamp(&text).is_some() {
        return Line::Stamp(text.into_owned());
    }
    Line::Bad("not a PoolMon line")
}
