//! Units people type and read: durations (`10m`), sizes (`2GiB`), and
//! human-readable bytes and rates.

use chrono::NaiveDateTime;

/// Parses a duration: a number with `ms`, `s`, `m`, `h` or `d` (`10m`,
/// `30s`, `1h30m`, `1.5h`); a bare number is seconds.
pub fn parse_duration(s: &str) -> Option<chrono::Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(secs) = s.parse::<f64>() {
        return (secs > 0.0 && secs.is_finite())
            .then(|| chrono::Duration::milliseconds((secs * 1000.0) as i64));
    }
    let mut total_ms = 0f64;
    let mut num = String::new();
    let mut chars = s.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let mut unit = c.to_string();
        if c == 'm' && chars.peek() == Some(&'s') {
            chars.next();
            unit = "ms".into();
        } else if c.is_ascii_alphabetic() {
            while let Some(&n) = chars.peek() {
                if n.is_ascii_alphabetic() {
                    unit.push(n);
                    chars.next();
                } else {
                    break;
                }
            }
        }
        let v: f64 = num.parse().ok()?;
        num.clear();
        let mult = match unit.to_ascii_lowercase().as_str() {
            "ms" => 1.0,
            "s" | "sec" | "secs" | "second" | "seconds" => 1000.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 60_000.0,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3_600_000.0,
            "d" | "day" | "days" => 86_400_000.0,
            _ => return None,
        };
        total_ms += v * mult;
        any = true;
    }
    if !num.is_empty() || !any || total_ms <= 0.0 || !total_ms.is_finite() {
        return None;
    }
    Some(chrono::Duration::milliseconds(total_ms as i64))
}

/// Parses a size: `512MiB`, `2G`, `1.5GB`, `800000K`, or bytes. K/M/G/T are
/// powers of 1024 (as PoolMon's `K` is), with or without `i` and `B`.
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let v: f64 = num.parse().ok()?;
    let unit = unit.trim().to_ascii_lowercase();
    let unit = unit.trim_end_matches('b').trim_end_matches('i');
    let mult = match unit {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        "t" => 1024.0f64.powi(4),
        _ => return None,
    };
    let b = v * mult;
    (b.is_finite() && b >= 0.0).then_some(b as u64)
}

/// Bytes for people: `512 B`, `4.0 KiB`, `9.4 MiB`, `1.20 GiB`.
pub fn bytes(b: f64) -> String {
    let sign = if b < 0.0 { "-" } else { "" };
    let a = b.abs();
    const K: f64 = 1024.0;
    if a < K {
        format!("{sign}{a:.0} B")
    } else if a < K * K {
        format!("{sign}{:.1} KiB", a / K)
    } else if a < K * K * K {
        format!("{sign}{:.1} MiB", a / K / K)
    } else {
        format!("{sign}{:.2} GiB", a / K / K / K)
    }
}

/// A signed change in bytes: `+9.4 MiB`, `-512 B`, `0 B`.
pub fn delta_bytes(b: f64) -> String {
    if b > 0.0 {
        format!("+{}", bytes(b))
    } else {
        bytes(b)
    }
}

/// A rate in bytes per hour: `+612 KiB/h`.
pub fn rate(bytes_per_hour: f64) -> String {
    format!("{}/h", delta_bytes(bytes_per_hour))
}

/// A count with thousands separated by commas: `12,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Hours for people: `45 min`, `15.8 h`, `3.2 days`.
pub fn hours(h: f64) -> String {
    if h < 1.0 {
        format!("{:.0} min", h * 60.0)
    } else if h < 48.0 {
        format!("{h:.1} h")
    } else {
        format!("{:.1} days", h / 24.0)
    }
}

/// Milliseconds since the epoch of a naive local time (the axis is local time as the log wrote it).
pub(crate) fn millis(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_millis()
}

/// ISO 8601 text of a snapshot time, with the offset when the log gave one.
pub fn iso(t: NaiveDateTime, offset_secs: Option<i32>) -> String {
    let base = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    match offset_secs {
        None => base,
        Some(0) => format!("{base}Z"),
        Some(o) => {
            let sign = if o < 0 { '-' } else { '+' };
            let a = o.abs();
            format!("{base}{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn iso_offsets() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
            .unwrap()
            .and_hms_opt(23, 18, 56)
            .unwrap();
        assert_eq!(iso(t, None), "2026-11-25T23:18:56");
        assert_eq!(iso(t, Some(3600)), "2026-11-25T23:18:56+01:00");
        assert_eq!(iso(t, Some(-5 * 3600)), "2026-11-25T23:18:56-05:00");
        assert_eq!(iso(t, Some(0)), "2026-11-25T23:18:56Z");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10m"), Some(chrono::Duration::minutes(10)));
        assert_eq!(parse_duration("30s"), Some(chrono::Duration::seconds(30)));
        assert_eq!(parse_duration("1h30m"), Some(chrono::Duration::minutes(90)));
        assert_eq!(parse_duration("1.5h"), Some(chrono::Duration::minutes(90)));
        assert_eq!(parse_duration("90"), Some(chrono::Duration::seconds(90)));
        assert_eq!(
            parse_duration("250ms"),
            Some(chrono::Duration::milliseconds(250))
        );
        assert_eq!(parse_duration("0"), None);
        assert_eq!(parse_duration("10x"), None);
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("5m3"), None);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512MiB"), Some(512 << 20));
        assert_eq!(parse_size("2G"), Some(2 << 30));
        assert_eq!(parse_size("800000K"), Some(800_000 << 10));
        assert_eq!(parse_size("1024"), Some(1024));
        assert_eq!(parse_size("1.5GB"), Some(3 << 29));
        assert_eq!(parse_size("lots"), None);
    }

    #[test]
    fn human() {
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(9.4 * 1024.0 * 1024.0), "9.4 MiB");
        assert_eq!(delta_bytes(2048.0), "+2.0 KiB");
        assert_eq!(rate(-1024.0), "-1.0 KiB/h");
        assert_eq!(hours(15.8), "15.8 h");
        assert_eq!(hours(0.5), "30 min");
    }
}
