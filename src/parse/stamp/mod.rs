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

mod resolve;
mod scan;

pub use resolve::resolve;
use scan::*;

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

#[cfg(test)]
mod tests;
