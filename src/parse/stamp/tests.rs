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
    none(" Commit:7895424K Limit:33525228K Peak:9219988K            Pool N:1203304K P:1011192K");
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
