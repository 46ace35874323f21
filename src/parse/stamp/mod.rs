//! Timestamp lines written by wrapper scripts between PoolMon snapshots.
//!
//! PoolMon itself never prints a date; wrapper scripts do (format notes §10): cmd
//! `echo ===== %date% %time% =====`, PowerShell `Get-Date | Out-File`, Microsoft Clue's
//! `yyyy.MM.dd-HH:mm:ss <zone id> (local time of the PC where this was collected)`, ISO 8601
//! from `Get-Date -Format o`, or Unix `date`. The line classifier hands every line that is not a
//! PoolMon row, header or summary to [`parse_stamp`], which decides whether the line *is* a
//! timestamp and extracts it as a [`RawStamp`].
//!
//! # Accepted forms
//!
//! The stamp must be the main content of the line. Around it the line may carry only:
//! runs of `=`, `-`, `*`, `#`, spaces or `[`/`]` before and after (`===== … =====`, `[ … ]`);
//! a label of up to a few words ending in `:` (`Time:`, `Timestamp:`, `The system time is:`);
//! a weekday (an English name, any alphabetic word of at most 3 letters such as `Wed` or `Mi`,
//! or any word followed by a comma such as `Mittwoch,`);
//! and after the time a zone name of capitalised words (`W. Europe Standard Time`, `UTC`)
//! plus bracketed comments (`(local time of the PC …)`).
//!
//! | form | example | date |
//! |---|---|---|
//! | cmd `%date% %time%` | `Wed 11/25/2026  9:05:03.07`, `25.11.2026 23:18:56,12`, `25-11-2026 23:18` | numeric |
//! | year first (Clue, ISO, slashed) | `2026.11.25-23:18:56`, `2026-11-25T23:18:56.1234567+01:00`, `2026/11/25 23:18:56` | exact |
//! | PowerShell long date | `Wednesday, November 25, 2026 11:18:56 PM`, `Wednesday, 25 November 2026 23:18:56` | exact |
//! | Unix `date` | `Wed Nov 25 23:18:56 UTC 2026`, `Wed 25 Nov 23:18:56 CET 2026` | exact |
//!
//! Times are `h:mm[:ss[(.|,)fraction]]` with an optional `AM`/`PM`; the hour may be one digit
//! (cmd pads it with a space). Fractions of 1 to 9 digits are kept to the millisecond
//! (`.12` is 120 ms, `.1234567` is 123 ms). A UTC offset (`Z`, `+01:00`, `-0500`, or a zone written
//! exactly as `UTC`/`GMT`/`UTC+01:00`) is reported in [`RawStamp::offset_secs`]; other zone names
//! are ignored. Month names are English, full or abbreviated. Years must have four digits and lie
//! in 1900..=2999; two-digit years are rejected. Dates written with a month name or year first must
//! be valid calendar dates or the line is rejected.
//!
//! # Day-first or month-first
//!
//! An all-numeric `a/b/yyyy` date (also `a.b.yyyy`, `a-b-yyyy`) is kept as written
//! ([`RawDate::Numeric`]), because `01/02/2026` means 1 February in one locale and 2 January in
//! another, and a single line cannot tell. [`resolve`] decides once for the whole file:
//!
//! 1. a stamp whose first field is above 12 (second at most 12) means day-first; one whose second
//!    field is above 12 (first at most 12) means month-first;
//! 2. if both kinds occur, the order under which more stamps are valid dates wins;
//! 3. otherwise the order under which the stamps (in file order, exact dates included) run forward
//!    in time more often wins;
//! 4. on a tie, month-first (the US `%date%` layout) is assumed, and the evidence says so.
//!
//! Stamps that are not valid dates under the chosen order resolve to `None`.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use std::borrow::Cow;
use std::fmt::Write as _;

/// Which way an all-numeric `a/b/yyyy` (or `a.b.yyyy`, `a-b-yyyy`) date is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// `a` is the month, `b` the day (US: `11/25/2026`).
    MonthFirst,
    /// `a` is the day, `b` the month (most other locales: `25/11/2026`, `25.11.2026`).
    DayFirst,
}

/// Short human-readable name of an order: `"day-first"` or `"month-first"`.
pub fn describe(order: DateOrder) -> &'static str {
    match order {
        DateOrder::MonthFirst => "month-first",
        DateOrder::DayFirst => "day-first",
    }
}

/// A timestamp as found on one line, before the file-wide day/month decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawStamp {
    /// For unambiguous forms: the date. For numeric slashed dates: (year, first, second) as written.
    pub date: RawDate,
    /// Time of day, with milliseconds.
    pub time: NaiveTime,
    /// UTC offset in seconds when the line gave one (ISO `+01:00`, `Z`); None otherwise.
    pub offset_secs: Option<i32>,
}

/// The date part of a [`RawStamp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawDate {
    /// A date whose reading is unambiguous (year first, or month written as a name).
    Exact(NaiveDate),
    /// An all-numeric `first/second/year` date; each field is in 1..=31, validity is left to
    /// [`resolve`].
    Numeric {
        /// Four-digit year.
        year: i32,
        /// The first field as written (month if month-first, day if day-first).
        first: u32,
        /// The second field as written.
        second: u32,
    },
}

/// Resolution for a whole file.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The order used for numeric dates (None when the file had no numeric dates).
    pub order: Option<DateOrder>,
    /// How it was decided, for diagnostics, e.g. "day-first: a field above 12 (stamp 3: 25/11/2026)",
    /// "month-first: time runs forward only that way", "month-first: ambiguous, assumed (US)".
    pub evidence: String,
    /// One entry per input stamp, in order: the local date-time, or None when that stamp is invalid
    /// under the chosen order (e.g. month 13).
    pub times: Vec<Option<NaiveDateTime>>,
}

// ---------------------------------------------------------------------------------------------
// parse_stamp
// ---------------------------------------------------------------------------------------------

/// Longest (trimmed) line considered; timestamp lines are far shorter.
const MAX_LINE: usize = 256;
/// Accepted years.
const YEARS: std::ops::RangeInclusive<u32> = 1900..=2999;

/// Parse one line. Returns None when the line is not a timestamp line.
///
/// Numeric `a/b/yyyy` dates are returned as [`RawDate::Numeric`] whenever both fields are in
/// 1..=31 (so `13/13/2026` is returned and later found invalid by [`resolve`]); dates with a month
/// name or the year first must be valid calendar dates.
pub fn parse_stamp(line: &str) -> Option<RawStamp> {
    let t = line.trim();
    if t.len() > MAX_LINE {
        return None;
    }
    let b = t.as_bytes();
    // Quick rejection: every stamp has a digit and a `:` in its time.
    if !b.contains(&b':') || !b.iter().any(u8::is_ascii_digit) {
        return None;
    }
    let norm: Cow<'_, [u8]> = if t.is_ascii() {
        Cow::Borrowed(b)
    } else {
        Cow::Owned(normalize(t))
    };
    let s = strip_trailing(&norm);
    let start = skip_prefix(s);
    parse_from(s, start)
}

/// One byte per char: ASCII as is, Unicode spaces (NBSP, narrow NBSP from ICU `h:mm tt`, BOM) as
/// a space, anything else as 0xFF, which matches nothing.
fn normalize(t: &str) -> Vec<u8> {
    t.chars()
        .map(|c| {
            if c.is_ascii() {
                c as u8
            } else if c.is_whitespace() || c == '\u{FEFF}' {
                b' '
            } else {
                0xFF
            }
        })
        .collect()
}

fn is_ws(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// Byte at `i`, or 0 past the end.
fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while is_ws(at(s, i)) {
        i += 1;
    }
    i
}

/// Skip at least one space/tab.
fn skip_ws1(s: &[u8], i: usize) -> Option<usize> {
    let j = skip_ws(s, i);
    (j > i).then_some(j)
}

fn strip_trailing(s: &[u8]) -> &[u8] {
    let mut end = s.len();
    while end > 0 && matches!(s[end - 1], b' ' | b'\t' | b'=' | b'-' | b'*' | b'#' | b']') {
        end -= 1;
    }
    &s[..end]
}

fn skip_deco(s: &[u8], mut i: usize) -> usize {
    while matches!(at(s, i), b' ' | b'\t' | b'=' | b'-' | b'*' | b'#' | b'[') {
        i += 1;
    }
    i
}

/// Leading decoration and up to two labels (`Time:`, `[Timestamp: …`).
fn skip_prefix(s: &[u8]) -> usize {
    let mut i = skip_deco(s, 0);
    for _ in 0..2 {
        match skip_label(s, i) {
            Some(j) => i = skip_deco(s, j),
            None => break,
        }
    }
    i
}

/// A label: a letter, then letters, spaces, `/`, `_`, `-`, `.` (at most 40 bytes, at most 5
/// spaces), then `:` followed by a space, a digit, `[` or the end. Returns the index after `:`.
fn skip_label(s: &[u8], i: usize) -> Option<usize> {
    if !at(s, i).is_ascii_alphabetic() {
        return None;
    }
    let mut j = i;
    let mut spaces = 0;
    loop {
        let c = at(s, j);
        if c.is_ascii_alphabetic() || matches!(c, b'/' | b'_' | b'-' | b'.') {
            j += 1;
        } else if is_ws(c) {
            spaces += 1;
            j += 1;
        } else {
            break;
        }
        if j - i > 40 || spaces > 5 {
            return None;
        }
    }
    if at(s, j) != b':' {
        return None;
    }
    let next = at(s, j + 1);
    (next == 0 || is_ws(next) || next.is_ascii_digit() || next == b'[').then_some(j + 1)
}

/// Length of the run of ASCII letters at `i`.
fn alpha_run(s: &[u8], i: usize) -> usize {
    s.get(i..).map_or(0, |t| {
        t.iter().take_while(|c| c.is_ascii_alphabetic()).count()
    })
}

/// Length of the run of ASCII digits at `i`.
fn digit_run(s: &[u8], i: usize) -> usize {
    s.get(i..)
        .map_or(0, |t| t.iter().take_while(|c| c.is_ascii_digit()).count())
}

/// A whole run of `min..=max` digits at `i` (a longer run does not match).
fn num(s: &[u8], i: usize, min: usize, max: usize) -> Option<(u32, usize)> {
    let n = digit_run(s, i);
    if n < min || n > max || n > 9 {
        return None;
    }
    let v = s
        .get(i..i + n)?
        .iter()
        .fold(0u32, |acc, &c| acc * 10 + u32::from(c - b'0'));
    Some((v, i + n))
}

fn year(s: &[u8], i: usize) -> Option<(i32, usize)> {
    let (y, j) = num(s, i, 4, 4)?;
    if !YEARS.contains(&y) {
        return None;
    }
    Some((i32::try_from(y).ok()?, j))
}

fn month_name(w: &[u8]) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| {
            let m = m.as_bytes();
            w.eq_ignore_ascii_case(m)
                || w.eq_ignore_ascii_case(&m[..3])
                || (m == b"september" && w.eq_ignore_ascii_case(b"sept"))
        })
        .and_then(|p| u32::try_from(p + 1).ok())
}

fn is_weekday(w: &[u8]) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    w.len() >= 3
        && DAYS.iter().any(|d| {
            let d = d.as_bytes();
            d.get(..w.len()).is_some_and(|p| p.eq_ignore_ascii_case(w))
        })
}

/// Try the stamp at `p`; failing that, skip a leading weekday (or any word of at most 3 letters)
/// and try again.
fn parse_from(s: &[u8], p: usize) -> Option<RawStamp> {
    if let Some(r) = parse_at(s, p) {
        return Some(r);
    }
    let n = alpha_run(s, p);
    if n == 0 {
        return None;
    }
    let w = s.get(p..p + n)?;
    // A short word, an English weekday, or any word followed by a comma (`Mittwoch, 25. …`).
    if n > 3 && !is_weekday(w) && !(n <= 12 && at(s, p + n) == b',') {
        return None;
    }
    let mut k = p + n;
    if matches!(at(s, k), b',' | b'.') {
        k += 1;
    }
    let k = skip_ws1(s, k)?;
    parse_at(s, k)
}

/// Core of a stamp: date, time and offset, ending at `end`.
struct Core {
    date: RawDate,
    time: NaiveTime,
    offset: Option<i32>,
    end: usize,
}

fn parse_at(s: &[u8], p: usize) -> Option<RawStamp> {
    let c = at(s, p);
    let core = if c.is_ascii_digit() {
        match digit_run(s, p) {
            4 => year_first(s, p)?,
            1 | 2 => numeric_or_day_month(s, p)?,
            _ => return None,
        }
    } else if c.is_ascii_alphabetic() {
        month_name_first(s, p)?
    } else {
        return None;
    };
    let zone = trailer(s, core.end)?;
    Some(RawStamp {
        date: core.date,
        time: core.time,
        offset_secs: core.offset.or(zone),
    })
}

/// `yyyy-mm-dd`, `yyyy/mm/dd`, `yyyy.mm.dd`, then `T`, `-`, `_` or spaces, then the time.
fn year_first(s: &[u8], p: usize) -> Option<Core> {
    let (y, i) = year(s, p)?;
    let sep = at(s, i);
    if !matches!(sep, b'-' | b'/' | b'.') {
        return None;
    }
    let (m, i) = num(s, i + 1, 1, 2)?;
    if at(s, i) != sep {
        return None;
    }
    let (d, i) = num(s, i + 1, 1, 2)?;
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    let i = date_time_sep(s, i, true)?;
    let (time, i) = time_of_day(s, i)?;
    let (offset, end) = offset(s, i);
    Some(Core {
        date: RawDate::Exact(date),
        time,
        offset,
        end,
    })
}

/// `a/b/yyyy` (also `.` or `-`) then the time, or `25 November 2026 …` / `25 Nov 23:18:56 … 2026`.
fn numeric_or_day_month(s: &[u8], p: usize) -> Option<Core> {
    let (a, i) = num(s, p, 1, 2)?;
    let sep = at(s, i);
    if matches!(sep, b'/' | b'.' | b'-') && at(s, i + 1).is_ascii_digit() {
        let (b, i) = num(s, i + 1, 1, 2)?;
        if at(s, i) != sep {
            return None;
        }
        let (year, i) = year(s, i + 1)?;
        if !(1..=31).contains(&a) || !(1..=31).contains(&b) {
            return None;
        }
        let i = date_time_sep(s, i, false)?;
        let (time, i) = time_of_day(s, i)?;
        let (offset, end) = offset(s, i);
        return Some(Core {
            date: RawDate::Numeric {
                year,
                first: a,
                second: b,
            },
            time,
            offset,
            end,
        });
    }
    // Day then month name: `25 November 2026`, `25. November 2026`, `25 Nov 23:18:56 CET 2026`.
    let mut i = i;
    if at(s, i) == b'.' {
        i += 1;
    }
    let i = skip_ws1(s, i)?;
    let n = alpha_run(s, i);
    let month = month_name(s.get(i..i + n)?)?;
    let mut i = i + n;
    if at(s, i) == b'.' {
        i += 1;
    }
    if at(s, i) == b',' {
        i += 1;
    }
    let i = skip_ws1(s, i)?;
    after_day_month(s, i, a, month)
}

/// `November 25, 2026 11:18:56 PM` or `Nov 25 23:18:56 UTC 2026`.
fn month_name_first(s: &[u8], p: usize) -> Option<Core> {
    let n = alpha_run(s, p);
    let month = month_name(s.get(p..p + n)?)?;
    let mut i = p + n;
    if at(s, i) == b'.' {
        i += 1;
    }
    let i = skip_ws1(s, i)?;
    let (day, mut i) = num(s, i, 1, 2)?;
    let suffix = s.get(i..i + 2).map(<[u8]>::to_ascii_lowercase);
    if matches!(suffix.as_deref(), Some(b"st" | b"nd" | b"rd" | b"th")) && alpha_run(s, i) == 2 {
        i += 2;
    }
    if at(s, i) == b',' {
        i += 1;
    }
    let i = skip_ws1(s, i)?;
    after_day_month(s, i, day, month)
}

/// After day and month name: either `yyyy <time>` or `<time> [zone] yyyy` (Unix `date`).
fn after_day_month(s: &[u8], i: usize, day: u32, month: u32) -> Option<Core> {
    if let Some((y, j)) = year(s, i) {
        let date = NaiveDate::from_ymd_opt(y, month, day)?;
        let j = date_time_sep(s, j, false)?;
        let (time, j) = time_of_day(s, j)?;
        let (offset, end) = offset(s, j);
        return Some(Core {
            date: RawDate::Exact(date),
            time,
            offset,
            end,
        });
    }
    let (time, j) = time_of_day(s, i)?;
    let (mut offset, j) = offset(s, j);
    let mut k = skip_ws1(s, j)?;
    let c = at(s, k);
    if c.is_ascii_alphabetic() || c == b'+' || c == b'-' {
        let n = s.get(k..)?.iter().take_while(|&&c| !is_ws(c)).count();
        if offset.is_none() {
            offset = zone_name_offset(s.get(k..k + n)?);
        }
        k = skip_ws1(s, k + n)?;
    }
    let (y, end) = year(s, k)?;
    let date = NaiveDate::from_ymd_opt(y, month, day)?;
    Some(Core {
        date: RawDate::Exact(date),
        time,
        offset,
        end,
    })
}

/// Between date and time: spaces, `,` plus optional spaces, or (year-first forms) `T`, `-`, `_`;
/// then an optional `at`.
fn date_time_sep(s: &[u8], i: usize, year_first: bool) -> Option<usize> {
    let c = at(s, i);
    if year_first && matches!(c, b'T' | b't' | b'-' | b'_') && at(s, i + 1).is_ascii_digit() {
        return Some(i + 1);
    }
    let j = if c == b',' {
        skip_ws(s, i + 1)
    } else {
        skip_ws1(s, i)?
    };
    if s.get(j..j + 2)
        .is_some_and(|w| w.eq_ignore_ascii_case(b"at"))
        && is_ws(at(s, j + 2))
    {
        return Some(skip_ws(s, j + 2));
    }
    Some(j)
}

/// `h:mm[:ss[(.|,)f…]] [AM|PM]`.
fn time_of_day(s: &[u8], i: usize) -> Option<(NaiveTime, usize)> {
    let (h, i) = num(s, i, 1, 2)?;
    if at(s, i) != b':' {
        return None;
    }
    let (m, mut i) = num(s, i + 1, 2, 2)?;
    let mut sec = 0;
    let mut ms = 0;
    if at(s, i) == b':' {
        let (sv, j) = num(s, i + 1, 2, 2)?;
        sec = sv;
        i = j;
        if matches!(at(s, i), b'.' | b',') && at(s, i + 1).is_ascii_digit() {
            let n = digit_run(s, i + 1);
            if n > 9 {
                return None;
            }
            let digits = s.get(i + 1..i + 1 + n)?;
            ms = (0..3).fold(0u32, |acc, k| {
                acc * 10 + digits.get(k).map_or(0, |&d| u32::from(d - b'0'))
            });
            i += 1 + n;
        }
    }
    let mut h = h;
    let j = skip_ws(s, i);
    if let Some((pm, k)) = am_pm(s, j) {
        if h == 0 || h > 12 {
            return None;
        }
        h = h % 12 + if pm { 12 } else { 0 };
        i = k;
    }
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some((NaiveTime::from_hms_milli_opt(h, m, sec, ms)?, i))
}

/// `AM`, `PM`, `a.m.`, `p.m.` (any case) as a whole word.
fn am_pm(s: &[u8], i: usize) -> Option<(bool, usize)> {
    let pm = match at(s, i).to_ascii_lowercase() {
        b'a' => false,
        b'p' => true,
        _ => return None,
    };
    let rest = s.get(i + 1..).unwrap_or(&[]);
    let len = if !rest.is_empty() && rest[0].eq_ignore_ascii_case(&b'm') {
        2
    } else if rest.len() >= 3
        && rest[0] == b'.'
        && rest[1].eq_ignore_ascii_case(&b'm')
        && rest[2] == b'.'
    {
        4
    } else {
        return None;
    };
    if at(s, i + len).is_ascii_alphanumeric() {
        return None;
    }
    Some((pm, i + len))
}

/// An offset right after the time (`Z`, `+01:00`, `-0500`, `+01`), or after spaces (`±hh:mm`,
/// `±hhmm` only). Returns the offset and the index after it (unchanged when there is none).
fn offset(s: &[u8], i: usize) -> (Option<i32>, usize) {
    match at(s, i) {
        b'Z' | b'z' if !at(s, i + 1).is_ascii_alphanumeric() => (Some(0), i + 1),
        b'+' | b'-' => match signed_offset(s, i, false) {
            Some((o, j)) => (Some(o), j),
            None => (None, i),
        },
        c if is_ws(c) => {
            let j = skip_ws(s, i);
            if matches!(at(s, j), b'+' | b'-') {
                if let Some((o, k)) = signed_offset(s, j, true) {
                    return (Some(o), k);
                }
            }
            (None, i)
        }
        _ => (None, i),
    }
}

/// `±hh:mm`, `±hhmm` or `±hh`; `spaced` (an offset after a space) requires the minutes.
fn signed_offset(s: &[u8], i: usize, spaced: bool) -> Option<(i32, usize)> {
    signed_offset_inner(s, i, spaced, false)
}

/// As [`signed_offset`]; `loose` also accepts a one-digit hour (`GMT-5`).
fn signed_offset_inner(
    s: &[u8],
    i: usize,
    need_minutes: bool,
    loose: bool,
) -> Option<(i32, usize)> {
    let sign = match at(s, i) {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let n = digit_run(s, i + 1);
    let (h, m, end) = match n {
        4 => {
            let (v, end) = num(s, i + 1, 4, 4)?;
            (v / 100, v % 100, end)
        }
        1 | 2 if n == 2 || loose => {
            let (h, j) = num(s, i + 1, n, n)?;
            if at(s, j) == b':' {
                let (m, k) = num(s, j + 1, 2, 2)?;
                (h, m, k)
            } else if need_minutes {
                return None;
            } else {
                (h, 0, j)
            }
        }
        _ => return None,
    };
    if h > 23 || m > 59 || at(s, end).is_ascii_alphanumeric() {
        return None;
    }
    let secs = i32::try_from(h * 3600 + m * 60).ok()?;
    Some((sign * secs, end))
}

/// `UTC`, `GMT`, `UT`, `Z`, optionally followed by an offset (`UTC+01:00`, `GMT-5`), as the whole
/// token.
fn zone_name_offset(tok: &[u8]) -> Option<i32> {
    let n = alpha_run(tok, 0);
    let name = tok.get(..n)?.to_ascii_uppercase();
    if !matches!(name.as_slice(), b"UTC" | b"GMT" | b"UT" | b"Z") {
        return None;
    }
    if n == tok.len() {
        return Some(0);
    }
    let (o, end) = signed_offset_inner(tok, n, false, true)?;
    (end == tok.len()).then_some(o)
}

/// What may follow the stamp: a zone name of capitalised words (`W. Europe Standard Time`, `UTC`,
/// `Russia Time Zone 3`) and bracketed comments. Returns `Some(offset)` when acceptable, where the
/// offset is set only if the trailer is exactly one `UTC`/`GMT`-style token.
fn trailer(s: &[u8], i: usize) -> Option<Option<i32>> {
    let mut i = skip_ws(s, i);
    let mut items = 0;
    let mut single_zone = None;
    while i < s.len() {
        items += 1;
        if items > 10 {
            return None;
        }
        let c = at(s, i);
        match c {
            b'(' | b'[' => {
                let close = if c == b'(' { b')' } else { b']' };
                match s.get(i + 1..)?.iter().position(|&x| x == close) {
                    Some(p) => i += p + 2,
                    // `]` may have been stripped as trailing decoration.
                    None if c == b'[' => i = s.len(),
                    None => return None,
                }
            }
            _ if c.is_ascii_uppercase() => {
                let n = s
                    .get(i..)?
                    .iter()
                    .take_while(|&&x| {
                        x.is_ascii_alphanumeric()
                            || matches!(x, b'.' | b'+' | b'-' | b':' | b'/' | b'_' | b'\'')
                    })
                    .count();
                if items == 1 {
                    single_zone = zone_name_offset(s.get(i..i + n)?);
                }
                i += n;
                if at(s, i) == b',' {
                    i += 1;
                }
            }
            _ if c.is_ascii_digit() => {
                let n = digit_run(s, i);
                if n > 2 {
                    return None;
                }
                i += n;
            }
            _ => return None,
        }
        let c = at(s, i);
        if !(c == 0 || is_ws(c) || c == b'(' || c == b'[') {
            return None;
        }
        i = skip_ws(s, i);
    }
    Some(if items == 1 { single_zone } else { None })
}

// ---------------------------------------------------------------------------------------------
// resolve
// ---------------------------------------------------------------------------------------------

/// A numeric stamp, for the decision.
#[derive(Clone, Copy)]
struct Num {
    index: usize,
    year: i32,
    first: u32,
    second: u32,
}

impl Num {
    fn show(&self) -> String {
        format!(
            "stamp {}: {:02}/{:02}/{}",
            self.index + 1,
            self.first,
            self.second,
            self.year
        )
    }
}

fn local_time(stamp: &RawStamp, order: DateOrder) -> Option<NaiveDateTime> {
    let date = match stamp.date {
        RawDate::Exact(d) => d,
        RawDate::Numeric {
            year,
            first,
            second,
        } => match order {
            DateOrder::MonthFirst => NaiveDate::from_ymd_opt(year, first, second)?,
            DateOrder::DayFirst => NaiveDate::from_ymd_opt(year, second, first)?,
        },
    };
    Some(date.and_time(stamp.time))
}

fn times_under(stamps: &[RawStamp], order: DateOrder) -> Vec<Option<NaiveDateTime>> {
    stamps.iter().map(|s| local_time(s, order)).collect()
}

/// (forward steps, total steps) between consecutive valid times.
fn forward_steps(times: &[Option<NaiveDateTime>]) -> (usize, usize) {
    let valid: Vec<&NaiveDateTime> = times.iter().flatten().collect();
    let forward = valid.windows(2).filter(|w| w[0] <= w[1]).count();
    (forward, valid.len().saturating_sub(1))
}

/// Decide by which order makes time run forward more often; tie → month-first, assumed.
fn by_forward_time(
    month_first: &[Option<NaiveDateTime>],
    day_first: &[Option<NaiveDateTime>],
    nums: &[Num],
) -> (DateOrder, String) {
    let (fm, tm) = forward_steps(month_first);
    let (fd, td) = forward_steps(day_first);
    let explain = |order: DateOrder, win: (usize, usize), lose: (usize, usize)| {
        let how = if win.0 == win.1 && lose.0 < lose.1 {
            "only"
        } else {
            "more often"
        };
        format!(
            "{}: time runs forward {how} that way ({} of {} steps forward, {} of {} the other way)",
            describe(order),
            win.0,
            win.1,
            lose.0,
            lose.1
        )
    };
    if fm > fd {
        (
            DateOrder::MonthFirst,
            explain(DateOrder::MonthFirst, (fm, tm), (fd, td)),
        )
    } else if fd > fm {
        (
            DateOrder::DayFirst,
            explain(DateOrder::DayFirst, (fd, td), (fm, tm)),
        )
    } else {
        let mut ev = String::from("month-first: ambiguous, assumed (US)");
        if nums.iter().all(|n| n.first == n.second) {
            ev.push_str(
                "; day equals month in every numeric date, so the order makes no difference",
            );
        } else if tm > 0 {
            let _ = write!(
                ev,
                "; time runs forward equally either way ({fm} of {tm} steps)"
            );
        }
        (DateOrder::MonthFirst, ev)
    }
}

/// Decide the order once for the file's stamps (in file order) and resolve them all.
///
/// See the module documentation for the rule. Exact dates take part in the "time runs forward"
/// comparison, so a file mixing exact and numeric stamps is decided by how they interleave.
pub fn resolve(stamps: &[RawStamp]) -> Resolved {
    let nums: Vec<Num> = stamps
        .iter()
        .enumerate()
        .filter_map(|(index, s)| match s.date {
            RawDate::Numeric {
                year,
                first,
                second,
            } => Some(Num {
                index,
                year,
                first,
                second,
            }),
            RawDate::Exact(_) => None,
        })
        .collect();
    if nums.is_empty() {
        return Resolved {
            order: None,
            evidence: String::from("no numeric dates: day/month order not needed"),
            times: times_under(stamps, DateOrder::MonthFirst),
        };
    }
    let month_first = times_under(stamps, DateOrder::MonthFirst);
    let day_first = times_under(stamps, DateOrder::DayFirst);
    let day_hint = nums.iter().find(|n| n.first > 12 && n.second <= 12);
    let month_hint = nums.iter().find(|n| n.second > 12 && n.first <= 12);
    let (order, evidence) = match (day_hint, month_hint) {
        (Some(d), None) => (
            DateOrder::DayFirst,
            format!("day-first: a field above 12 ({})", d.show()),
        ),
        (None, Some(m)) => (
            DateOrder::MonthFirst,
            format!("month-first: a field above 12 ({})", m.show()),
        ),
        (Some(d), Some(m)) => {
            let vm = month_first.iter().flatten().count();
            let vd = day_first.iter().flatten().count();
            let conflict = format!(
                "conflicting evidence ({} reads day-first, {} reads month-first)",
                d.show(),
                m.show()
            );
            if vd > vm {
                (
                    DateOrder::DayFirst,
                    format!("day-first: {conflict}; more stamps valid that way ({vd} vs {vm})"),
                )
            } else if vm > vd {
                (
                    DateOrder::MonthFirst,
                    format!("month-first: {conflict}; more stamps valid that way ({vm} vs {vd})"),
                )
            } else {
                let (order, why) = by_forward_time(&month_first, &day_first, &nums);
                (
                    order,
                    format!("{why}; {conflict}, equally many valid ({vm})"),
                )
            }
        }
        (None, None) => by_forward_time(&month_first, &day_first, &nums),
    };
    let times = match order {
        DateOrder::MonthFirst => month_first,
        DateOrder::DayFirst => day_first,
    };
    Resolved {
        order: Some(order),
        evidence,
        times,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32, s: u32, ms: u32) -> NaiveTime {
        NaiveTime::from_hms_milli_opt(h, m, s, ms).unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn exact(line: &str, date: NaiveDate, time: NaiveTime, offset: Option<i32>) {
        let got = parse_stamp(line).unwrap_or_else(|| panic!("no stamp in {line:?}"));
        assert_eq!(
            got,
            RawStamp {
                date: RawDate::Exact(date),
                time,
                offset_secs: offset
            },
            "line {line:?}"
        );
    }

    fn numeric(line: &str, year: i32, first: u32, second: u32, time: NaiveTime) {
        let got = parse_stamp(line).unwrap_or_else(|| panic!("no stamp in {line:?}"));
        assert_eq!(
            got,
            RawStamp {
                date: RawDate::Numeric {
                    year,
                    first,
                    second
                },
                time,
                offset_secs: None
            },
            "line {line:?}"
        );
    }

    fn none(line: &str) {
        assert_eq!(parse_stamp(line), None, "line {line:?}");
    }

    fn dt(y: i32, mo: u32, day: u32, h: u32, mi: u32) -> Option<NaiveDateTime> {
        Some(d(y, mo, day).and_hms_opt(h, mi, 0).unwrap())
    }

    fn num_stamp(first: u32, second: u32, year: i32, h: u32, m: u32) -> RawStamp {
        RawStamp {
            date: RawDate::Numeric {
                year,
                first,
                second,
            },
            time: t(h, m, 0, 0),
            offset_secs: None,
        }
    }

    fn exact_stamp(y: i32, mo: u32, day: u32, h: u32, m: u32) -> RawStamp {
        RawStamp {
            date: RawDate::Exact(d(y, mo, day)),
            time: t(h, m, 0, 0),
            offset_secs: None,
        }
    }

    // ----- cmd %date% %time% -----

    #[test]
    fn cmd_us_with_weekday() {
        numeric(
            "Wed 11/25/2026 23:18:56.12",
            2026,
            11,
            25,
            t(23, 18, 56, 120),
        );
    }

    #[test]
    fn cmd_us_without_weekday() {
        numeric("11/25/2026 23:18:56.12", 2026, 11, 25, t(23, 18, 56, 120));
    }

    #[test]
    fn cmd_space_padded_hour() {
        numeric("Wed 11/25/2026  9:05:03.07", 2026, 11, 25, t(9, 5, 3, 70));
        numeric("11/25/2026  9:05:03.07", 2026, 11, 25, t(9, 5, 3, 70));
    }

    #[test]
    fn cmd_day_first_locales() {
        numeric("25/11/2026 23:18:56.12", 2026, 25, 11, t(23, 18, 56, 120));
        numeric("25.11.2026 23:18:56,12", 2026, 25, 11, t(23, 18, 56, 120));
        numeric("25-11-2026 23:18:56.12", 2026, 25, 11, t(23, 18, 56, 120));
        numeric("Mi 25.11.2026  9:18:56,12", 2026, 25, 11, t(9, 18, 56, 120));
    }

    #[test]
    fn all_english_weekday_abbreviations() {
        for wd in [
            "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "mon", "Wed,",
        ] {
            numeric(
                &format!("{wd} 01/02/2026 10:00:00.00"),
                2026,
                1,
                2,
                t(10, 0, 0, 0),
            );
        }
    }

    #[test]
    fn numeric_fields_up_to_31_left_to_resolve() {
        numeric("13/13/2026 10:00:00", 2026, 13, 13, t(10, 0, 0, 0));
        numeric("31/31/2026 10:00:00", 2026, 31, 31, t(10, 0, 0, 0));
        none("32/11/2026 10:00:00");
        none("00/11/2026 10:00:00");
        none("11/00/2026 10:00:00");
    }

    // ----- markers -----

    #[test]
    fn marker_lines() {
        numeric(
            "===== 25/11/2026 23:18:56.12 =====",
            2026,
            25,
            11,
            t(23, 18, 56, 120),
        );
        numeric(
            "=====  11/25/2026  9:05:03.07 =====",
            2026,
            11,
            25,
            t(9, 5, 3, 70),
        );
        numeric(
            "  ***  11/25/2026 9:05:03.07 ***  ",
            2026,
            11,
            25,
            t(9, 5, 3, 70),
        );
        numeric(
            "### 11/25/2026 9:05:03.07 ###",
            2026,
            11,
            25,
            t(9, 5, 3, 70),
        );
        numeric(
            "----- Wed 11/25/2026 9:05:03.07 -----",
            2026,
            11,
            25,
            t(9, 5, 3, 70),
        );
        exact(
            "[2026-11-25 23:18:56]",
            d(2026, 11, 25),
            t(23, 18, 56, 0),
            None,
        );
        numeric(
            "==== [ 25/11/2026 23:18:56.12 ] ====",
            2026,
            25,
            11,
            t(23, 18, 56, 120),
        );
    }

    #[test]
    fn labels() {
        exact(
            "Time: 2026-11-25 23:18:56",
            d(2026, 11, 25),
            t(23, 18, 56, 0),
            None,
        );
        exact(
            "Timestamp: 2026-11-25T23:18:56Z",
            d(2026, 11, 25),
            t(23, 18, 56, 0),
            Some(0),
        );
        numeric(
            "Date: Wed 11/25/2026 23:18:56.12",
            2026,
            11,
            25,
            t(23, 18, 56, 120),
        );
        numeric(
            "The system time is: 25/11/2026 23:18:56.12",
            2026,
            25,
            11,
            t(23, 18, 56, 120),
        );
        numeric(
            "===== Snapshot start: 25/11/2026 23:18:56.12 =====",
            2026,
            25,
            11,
            t(23, 18, 56, 120),
        );
    }

    // ----- Clue -----

    #[test]
    fn clue_style() {
        exact(
            "2026.11.25-23:18:56 W. Europe Standard Time (local time of the PC where this was collected)",
            d(2026, 11, 25),
            t(23, 18, 56, 0),
            None,
        );
        exact(
            "2026.01.05-07:08:09 Russia Time Zone 3 (local time of the PC where this was collected)",
            d(2026, 1, 5),
            t(7, 8, 9, 0),
            None,
        );
        exact(
            "2026.11.25-23:18:56 UTC (local time of the PC where this was collected)",
            d(2026, 11, 25),
            t(23, 18, 56, 0),
            None,
        );
        exact(
            "2026.11.25-23:18:56",
            d(2026, 11, 25),
            t(23, 18, 56, 0),
            None,
        );
        none("2026.02.30-23:18:56 W. Europe Standard Time");
    }

    // ----- PowerShell Get-Date -----

    #[test]
    fn powershell_long_forms() {
        exact(
            "Wednesday, November 25, 2026 11:18:56 PM",
            d(2026, 11, 25),
            t(23, 18, 56, 0),
            None,
        );
        exact(
            "Wednesday, November 25, 2026 12:05:00 AM",
            d(2026, 11, 25),
            t(0, 5, 0, 0),
            None,
        );
        exact(
            "Wednesday, November 25, 2026 12:05:00 pm",
            d(2026, 11, 25),
            t(12, 5, 0, 0),
            None,
        );
        exact(
            "Wednesday, 25 November 2026 23:18:56",
            d(2026, 11, 25),
            t(23, 18, 56, 0),
            None,
        );
        exact(
            "25 November 2026 23:18:56",
            d(2026, 11, 25),
            t(23, 18, 56, 0),
            None,
        );
        exact(
            "November 25, 2026 11:18 PM",
            d(2026, 11, 25),
            t(23, 18, 0, 0),
            None,
        );
        exact(
            "Wed, 25 Nov 2026 23:18:56 +0100",
            d(2026, 11, 25),
            t(23, 18, 56, 0),
            Some(3600),
        );
        // Other locales' weekday names are skipped when followed by a comma.
        exact(
            "Mittwoch, 25. November 2026 23:18:56",
            d(2026, 11, 25),
            t(23, 18, 56, 0),
            None,
        );
        exact(
            "Sept 3, 2026 at 9:05 AM",
            d(2026, 9, 3),
            t(9, 5, 0, 0),
            None,
        );
        // ICU en-US writes a narrow no-break space before AM/PM.
        exact(
            "Wednesday, November 25, 2026 11:18:56\u{202F}PM",
            d(2026, 11, 25),
            t(23, 18, 56, 0),
            None,
        );
        none("Wednesday, November 31, 2026 11:18:56 PM");
        none("Wednesday, November 25, 2026 13:18:56 PM");
        none("Wednesday, November 25, 2026 0:18:56 AM");
    }

    // ----- ISO 8601 -----

    #[test]
    fn iso_forms() {
        let day = d(2026, 11, 25);
        exact("2026-11-25T23:18:56", day, t(23, 18, 56, 0), None);
        exact("2026-11-25 23:18:56", day, t(23, 18, 56, 0), None);
        exact("2026-11-25T23:18:56.123", day, t(23, 18, 56, 123), None);
        exact("2026-11-25T23:18:56Z", day, t(23, 18, 56, 0), Some(0));
        exact("2026-11-25T23:18:56.5Z", day, t(23, 18, 56, 500), Some(0));
        exact(
            "2026-11-25T23:18:56+01:00",
            day,
            t(23, 18, 56, 0),
            Some(3600),
        );
        exact(
            "2026-11-25T23:18:56-0500",
            day,
            t(23, 18, 56, 0),
            Some(-5 * 3600),
        );
        exact(
            "2026-11-25 23:18:56 +05:30",
            day,
            t(23, 18, 56, 0),
            Some(5 * 3600 + 1800),
        );
        exact(
            "2026-11-25T23:18:56.1234567+01:00",
            day,
            t(23, 18, 56, 123),
            Some(3600),
        );
        exact("2026-11-25 23:18:56,999", day, t(23, 18, 56, 999), None);
        none("2026-11-31T23:18:56");
        none("2026-13-01T23:18:56");
        none("2026-11-25T24:00:00");
        none("2026-11-25T23:60:00");
        none("2026-11-25T23:18:56.1234567890");
    }

    #[test]
    fn year_first_slashed() {
        exact(
            "2026/11/25 23:18:56",
            d(2026, 11, 25),
            t(23, 18, 56, 0),
            None,
        );
        none("2026/11-25 23:18:56");
    }

    // ----- Unix date -----

    #[test]
    fn unix_date() {
        let day = d(2026, 11, 25);
        exact(
            "Wed Nov 25 23:18:56 UTC 2026",
            day,
            t(23, 18, 56, 0),
            Some(0),
        );
        exact("Wed Nov 25 23:18:56 2026", day, t(23, 18, 56, 0), None);
        exact("Wed Nov 25 23:18:56 CET 2026", day, t(23, 18, 56, 0), None);
        exact(
            "Thu Nov  5 09:05:03 PST 2026",
            d(2026, 11, 5),
            t(9, 5, 3, 0),
            None,
        );
        exact(
            "Wed Nov 25 11:18:56 PM UTC 2026",
            day,
            t(23, 18, 56, 0),
            Some(0),
        );
        exact(
            "Wed 25 Nov 23:18:56 GMT 2026",
            day,
            t(23, 18, 56, 0),
            Some(0),
        );
    }

    // ----- time details -----

    #[test]
    fn seconds_optional_and_fractions() {
        numeric("11/25/2026 23:18", 2026, 11, 25, t(23, 18, 0, 0));
        exact("2026-11-25 23:18", d(2026, 11, 25), t(23, 18, 0, 0), None);
        for (frac, ms) in [
            ("1", 100),
            ("12", 120),
            ("123", 123),
            ("1234", 123),
            ("12345", 123),
            ("123456", 123),
            ("1234567", 123),
        ] {
            numeric(
                &format!("11/25/2026 23:18:56.{frac}"),
                2026,
                11,
                25,
                t(23, 18, 56, ms),
            );
        }
    }

    #[test]
    fn two_digit_years_rejected() {
        none("11/25/26 23:18:56.12");
        none("25.11.26 23:18:56,12");
        none("26-11-25 23:18:56");
        none("Nov 25, 26 11:18 PM");
    }

    // ----- not timestamps -----

    #[test]
    fn poolmon_lines_are_not_stamps() {
        none(" Ntfx Nonp  1234 1200 34 5440 160");
        none(" Tag  Type     Allocs   Frees   Diff  Bytes  Per Alloc");
        none(" Memory:16468560K Avail: 9842236K  PageFlts:468600648   InRam Krnl:14904K P:629336K");
        none(
            " Commit:7895424K Limit:33525228K Peak:9219988K            Pool N:1203304K P:1011192K",
        );
        none("C:\\tools> poolmon -b -n poolsnap.log");
        none("C:\\tools2> poolmon -b -n poolsnap2.log");
        none("PoolMon: No localtag.txt in current directory");
        none("...");
        none("[snip]");
        none("## Tag");
        none("");
        none("    ");
        none("The system time is: ");
        none("The current date is: Wed 11/25/2026");
        none("hello world");
        none("Press any key to continue . . .");
    }

    #[test]
    fn stamp_must_be_main_content() {
        none("Snapshot taken at 2026-11-25 23:18:56 before the reboot");
        none("We saw 11/25/2026 23:18:56.12 in the log");
        none("2026-11-25 23:18:56 the leak started here");
        none("2026-11-25 23:18:56 12345");
        none("Wed 11/25/2026 23:18:56.12 extra words here");
        none("Monday is when 11/25/2026 10:00 happened");
        none("Error 0x5: 11/25/2026 10:00");
        none("2026-11-25 23:18:56 (unterminated comment");
    }

    #[test]
    fn odd_input_does_not_panic() {
        let long_digits = "9".repeat(100_000);
        let long_colon = format!("{long_digits}:{long_digits}");
        let near_max = format!("2026-11-25 23:18:56 {}", "A ".repeat(200));
        let cases = [
            "\u{FEFF}2026-11-25 23:18:56",
            "ÄÖÜ 11/25/2026 23:18:56",
            "2026-11-25 23:18:56 Zeit (Mitteleuropäische Zeit)",
            "٢٠٢٦-١١-٢٥ ٢٣:١٨:٥٦",
            "11/25/2026 23:18:56.",
            "11/25/2026 23:",
            "11/25/2026 ",
            "11/25/",
            "1:",
            ":1",
            "Nov",
            "Nov 25",
            "Nov 25 23:18:56",
            "Nov 25 23:18:56 UTC",
            "2026-11-25T23:18:56+",
            "2026-11-25T23:18:56+99:99",
            "2026-11-25T23:18:56+0",
            "Wed 11/25/2026 11:18 P",
            "Wed 11/25/2026 11:18 p.",
            "[",
            "]",
            "(",
            "=:=1=",
            "9999/99/99 99:99:99.9999999",
            "99999999999999999999/1/2026 10:00",
            "1/99999999999999999999/2026 10:00",
            "1/1/99999999999999999999 10:00",
            "1/1/2026 99999999999999999999:00",
            "1/1/2026 10:99999999999999999999",
            "2026-11-25 23:18:56 UTC+99999999999999999999",
            "Wed Nov 25 23:18:56 UTC+99999999999999999 2026",
            "\0\0\0:1",
            "\u{202F}11/25/2026\u{00A0}23:18:56\u{202F}PM",
            &long_digits,
            &long_colon,
            &near_max,
        ];
        for c in cases {
            let _ = parse_stamp(c);
        }
        // Every prefix of a full stamp line, byte by byte (on char boundaries).
        let full = "===== Wednesday, November 25, 2026 11:18:56 PM UTC (comment) =====";
        for end in 0..=full.len() {
            if full.is_char_boundary(end) {
                let _ = parse_stamp(&full[..end]);
            }
        }
        let full = "2026-11-25T23:18:56.1234567+01:00";
        for end in 0..=full.len() {
            let _ = parse_stamp(&full[..end]);
        }
        // Unicode non-breaking spaces act as spaces.
        assert!(parse_stamp("\u{202F}11/25/2026\u{00A0}23:18:56").is_some());
        assert_eq!(parse_stamp(&long_colon), None);
    }

    #[test]
    fn rejects_lines_longer_than_limit() {
        let line = format!("2026-11-25 23:18:56 {}", "=".repeat(MAX_LINE));
        // trailing decoration counts towards the limit: too long
        assert_eq!(parse_stamp(&line), None);
    }

    // ----- resolve -----

    #[test]
    fn resolve_clear_day_first() {
        let stamps = [
            num_stamp(1, 11, 2026, 10, 0),
            num_stamp(2, 11, 2026, 10, 0),
            num_stamp(25, 11, 2026, 10, 0),
        ];
        let r = resolve(&stamps);
        assert_eq!(r.order, Some(DateOrder::DayFirst));
        assert!(
            r.evidence
                .starts_with("day-first: a field above 12 (stamp 3: 25/11/2026)"),
            "{}",
            r.evidence
        );
        assert_eq!(
            r.times,
            vec![
                dt(2026, 11, 1, 10, 0),
                dt(2026, 11, 2, 10, 0),
                dt(2026, 11, 25, 10, 0)
            ]
        );
    }

    #[test]
    fn resolve_clear_month_first() {
        let stamps = [
            num_stamp(11, 24, 2026, 10, 0),
            num_stamp(11, 25, 2026, 10, 0),
            num_stamp(13, 1, 2026, 10, 0), // invalid month-first: month 13
        ];
        let r = resolve(&stamps);
        // Both kinds of evidence: 2 stamps valid month-first, 1 day-first.
        assert_eq!(r.order, Some(DateOrder::MonthFirst));
        assert!(r.evidence.contains("conflicting"), "{}", r.evidence);
        assert!(r.evidence.contains("(2 vs 1)"), "{}", r.evidence);
        assert_eq!(
            r.times,
            vec![dt(2026, 11, 24, 10, 0), dt(2026, 11, 25, 10, 0), None]
        );

        let r = resolve(&stamps[..2]);
        assert_eq!(r.order, Some(DateOrder::MonthFirst));
        assert_eq!(
            r.evidence,
            "month-first: a field above 12 (stamp 1: 11/24/2026)"
        );
    }

    #[test]
    fn resolve_conflict_more_valid_day_first() {
        let stamps = [
            num_stamp(25, 11, 2026, 10, 0),
            num_stamp(26, 11, 2026, 10, 0),
            num_stamp(11, 27, 2026, 10, 0),
        ];
        let r = resolve(&stamps);
        assert_eq!(r.order, Some(DateOrder::DayFirst));
        assert!(
            r.evidence.starts_with("day-first: conflicting"),
            "{}",
            r.evidence
        );
        assert_eq!(
            r.times,
            vec![dt(2026, 11, 25, 10, 0), dt(2026, 11, 26, 10, 0), None]
        );
    }

    #[test]
    fn resolve_ambiguous_by_forward_time_day_first() {
        // Day-first: 11 May, 12 May, 1 June — forward.
        // Month-first: 5 Nov, 5 Dec, 6 Jan (same year) — goes back at the last step.
        let stamps = [
            num_stamp(11, 5, 2026, 22, 0),
            num_stamp(12, 5, 2026, 9, 0),
            num_stamp(1, 6, 2026, 9, 0),
        ];
        let r = resolve(&stamps);
        assert_eq!(r.order, Some(DateOrder::DayFirst));
        assert!(
            r.evidence
                .starts_with("day-first: time runs forward only that way"),
            "{}",
            r.evidence
        );
        assert_eq!(
            r.times,
            vec![
                dt(2026, 5, 11, 22, 0),
                dt(2026, 5, 12, 9, 0),
                dt(2026, 6, 1, 9, 0)
            ]
        );
    }

    #[test]
    fn resolve_ambiguous_by_forward_time_month_first() {
        // Month-first: 5 Jan, 3 Feb, 1 Mar — forward. Day-first: 1 May, 2 Mar, 3 Jan — backward.
        let stamps = [
            num_stamp(1, 5, 2026, 10, 0),
            num_stamp(2, 3, 2026, 10, 0),
            num_stamp(3, 1, 2026, 10, 0),
        ];
        let r = resolve(&stamps);
        assert_eq!(r.order, Some(DateOrder::MonthFirst));
        assert!(
            r.evidence
                .starts_with("month-first: time runs forward only that way"),
            "{}",
            r.evidence
        );
        assert_eq!(
            r.times,
            vec![
                dt(2026, 1, 5, 10, 0),
                dt(2026, 2, 3, 10, 0),
                dt(2026, 3, 1, 10, 0)
            ]
        );
    }

    #[test]
    fn resolve_ambiguous_tie_assumes_month_first() {
        // 1 Feb/2 Jan then 1 Mar/3 Jan: forward both ways.
        let stamps = [num_stamp(1, 2, 2026, 10, 0), num_stamp(1, 3, 2026, 10, 0)];
        let r = resolve(&stamps);
        assert_eq!(r.order, Some(DateOrder::MonthFirst));
        assert!(
            r.evidence
                .starts_with("month-first: ambiguous, assumed (US)"),
            "{}",
            r.evidence
        );
        assert_eq!(r.times, vec![dt(2026, 1, 2, 10, 0), dt(2026, 1, 3, 10, 0)]);

        // A single stamp.
        let r = resolve(&[num_stamp(4, 5, 2026, 10, 0)]);
        assert_eq!(r.order, Some(DateOrder::MonthFirst));
        assert_eq!(r.evidence, "month-first: ambiguous, assumed (US)");
        assert_eq!(r.times, vec![dt(2026, 4, 5, 10, 0)]);

        // Day equals month: the order does not matter.
        let r = resolve(&[num_stamp(3, 3, 2026, 10, 0), num_stamp(4, 4, 2026, 10, 0)]);
        assert_eq!(r.order, Some(DateOrder::MonthFirst));
        assert!(r.evidence.contains("makes no difference"), "{}", r.evidence);
    }

    #[test]
    fn resolve_mixed_exact_and_numeric() {
        // The exact stamps bracket the numeric one: only month-first keeps time forward.
        let stamps = [
            exact_stamp(2026, 3, 4, 10, 0),
            num_stamp(3, 4, 2026, 11, 0),
            exact_stamp(2026, 3, 4, 12, 0),
        ];
        let r = resolve(&stamps);
        assert_eq!(r.order, Some(DateOrder::MonthFirst));
        assert!(
            r.evidence
                .starts_with("month-first: time runs forward only that way"),
            "{}",
            r.evidence
        );
        assert_eq!(
            r.times,
            vec![
                dt(2026, 3, 4, 10, 0),
                dt(2026, 3, 4, 11, 0),
                dt(2026, 3, 4, 12, 0)
            ]
        );

        // Exact stamps pass through unchanged when a field above 12 decides.
        let stamps = [
            exact_stamp(2026, 11, 24, 10, 0),
            num_stamp(25, 11, 2026, 10, 0),
        ];
        let r = resolve(&stamps);
        assert_eq!(r.order, Some(DateOrder::DayFirst));
        assert_eq!(
            r.times,
            vec![dt(2026, 11, 24, 10, 0), dt(2026, 11, 25, 10, 0)]
        );
    }

    #[test]
    fn resolve_without_numeric_dates() {
        let stamps = [
            exact_stamp(2026, 11, 24, 10, 0),
            exact_stamp(2026, 11, 25, 10, 0),
        ];
        let r = resolve(&stamps);
        assert_eq!(r.order, None);
        assert_eq!(
            r.times,
            vec![dt(2026, 11, 24, 10, 0), dt(2026, 11, 25, 10, 0)]
        );
        let r = resolve(&[]);
        assert_eq!(r.order, None);
        assert!(r.times.is_empty());
    }

    #[test]
    fn resolve_both_fields_above_12_is_invalid_either_way() {
        let stamps = [num_stamp(13, 13, 2026, 10, 0), num_stamp(1, 2, 2026, 10, 0)];
        let r = resolve(&stamps);
        assert_eq!(r.order, Some(DateOrder::MonthFirst));
        assert_eq!(r.times, vec![None, dt(2026, 1, 2, 10, 0)]);
    }

    #[test]
    fn parse_then_resolve_end_to_end() {
        let lines = [
            "===== 24/11/2026 23:18:56.12 =====",
            " Tag  Type     Allocs   Frees   Diff  Bytes  Per Alloc",
            "===== 25/11/2026  9:05:03.07 =====",
        ];
        let stamps: Vec<RawStamp> = lines.iter().filter_map(|l| parse_stamp(l)).collect();
        let r = resolve(&stamps);
        assert_eq!(r.order, Some(DateOrder::DayFirst));
        assert_eq!(describe(DateOrder::DayFirst), "day-first");
        assert_eq!(describe(DateOrder::MonthFirst), "month-first");
        assert_eq!(
            r.times,
            vec![
                Some(d(2026, 11, 24).and_hms_milli_opt(23, 18, 56, 120).unwrap()),
                Some(d(2026, 11, 25).and_hms_milli_opt(9, 5, 3, 70).unwrap())
            ]
        );
    }
}
