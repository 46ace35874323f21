//! The byte scanners behind [`parse_stamp`]: prefixes and labels, dates in
//! every order, times of day, AM/PM, offsets and zone names.

use super::*;

/// One byte per char: ASCII as is, Unicode spaces (NBSP, narrow NBSP from ICU `h:mm tt`, BOM) as
/// a space, anything else as 0xFF, which matches nothing.
pub(super) fn normalize(t: &str) -> Vec<u8> {
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

pub(super) fn is_ws(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// Byte at `i`, or 0 past the end.
pub(super) fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

pub(super) fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while is_ws(at(s, i)) {
        i += 1;
    }
    i
}

/// Skip at least one space/tab.
pub(super) fn skip_ws1(s: &[u8], i: usize) -> Option<usize> {
    let j = skip_ws(s, i);
    (j > i).then_some(j)
}

pub(super) fn strip_trailing(s: &[u8]) -> &[u8] {
    let mut end = s.len();
    while end > 0 && matches!(s[end - 1], b' ' | b'\t' | b'=' | b'-' | b'*' | b'#' | b']') {
        end -= 1;
    }
    &s[..end]
}

pub(super) fn skip_deco(s: &[u8], mut i: usize) -> usize {
    while matches!(at(s, i), b' ' | b'\t' | b'=' | b'-' | b'*' | b'#' | b'[') {
        i += 1;
    }
    i
}

/// Leading decoration and up to two labels (`Time:`, `[Timestamp: …`).
pub(super) fn skip_prefix(s: &[u8]) -> usize {
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
pub(super) fn skip_label(s: &[u8], i: usize) -> Option<usize> {
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
pub(super) fn alpha_run(s: &[u8], i: usize) -> usize {
    s.get(i..).map_or(0, |t| {
        t.iter().take_while(|c| c.is_ascii_alphabetic()).count()
    })
}

/// Length of the run of ASCII digits at `i`.
pub(super) fn digit_run(s: &[u8], i: usize) -> usize {
    s.get(i..)
        .map_or(0, |t| t.iter().take_while(|c| c.is_ascii_digit()).count())
}

/// A whole run of `min..=max` digits at `i` (a longer run does not match).
pub(super) fn num(s: &[u8], i: usize, min: usize, max: usize) -> Option<(u32, usize)> {
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

pub(super) fn year(s: &[u8], i: usize) -> Option<(i32, usize)> {
    let (y, j) = num(s, i, 4, 4)?;
    if !YEARS.contains(&y) {
        return None;
    }
    Some((i32::try_from(y).ok()?, j))
}

pub(super) fn month_name(w: &[u8]) -> Option<u32> {
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

pub(super) fn is_weekday(w: &[u8]) -> bool {
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
pub(super) fn parse_from(s: &[u8], p: usize) -> Option<RawStamp> {
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
pub(super) struct Core {
    pub(super) date: RawDate,
    pub(super) time: NaiveTime,
    pub(super) offset: Option<i32>,
    pub(super) end: usize,
}

pub(super) fn parse_at(s: &[u8], p: usize) -> Option<RawStamp> {
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
pub(super) fn year_first(s: &[u8], p: usize) -> Option<Core> {
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
pub(super) fn numeric_or_day_month(s: &[u8], p: usize) -> Option<Core> {
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
pub(super) fn month_name_first(s: &[u8], p: usize) -> Option<Core> {
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
pub(super) fn after_day_month(s: &[u8], i: usize, day: u32, month: u32) -> Option<Core> {
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
pub(super) fn date_time_sep(s: &[u8], i: usize, year_first: bool) -> Option<usize> {
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
pub(super) fn time_of_day(s: &[u8], i: usize) -> Option<(NaiveTime, usize)> {
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
pub(super) fn am_pm(s: &[u8], i: usize) -> Option<(bool, usize)> {
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
pub(super) fn offset(s: &[u8], i: usize) -> (Option<i32>, usize) {
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
pub(super) fn signed_offset(s: &[u8], i: usize, spaced: bool) -> Option<(i32, usize)> {
    signed_offset_inner(s, i, spaced, false)
}

/// As [`signed_offset`]; `loose` also accepts a one-digit hour (`GMT-5`).
pub(super) fn signed_offset_inner(
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
pub(super) fn zone_name_offset(tok: &[u8]) -> Option<i32> {
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
pub(super) fn trailer(s: &[u8], i: usize) -> Option<Option<i32>> {
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
pub(super) struct Num {
    pub(super) index: usize,
    pub(super) year: i32,
    pub(super) first: u32,
    pub(super) second: u32,
}

impl Num {
    pub(super) fn show(&self) -> String {
        format!(
            "stamp {}: {:02}/{:02}/{}",
            self.index + 1,
            self.first,
            self.second,
            self.year
        )
    }
}
