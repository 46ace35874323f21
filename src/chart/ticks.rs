//! Axis ticks: round steps for values (linear, log and symmetric log),
//! ordinals and times, and the plotters axis type that draws exactly them.

use super::*;

/// An axis range with its tick positions and how to label them.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Ticks {
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) ticks: Vec<f64>,
    pub(super) fmt: TickFormat,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum TickFormat {
    Bytes {
        unit: f64,
        name: &'static str,
        decimals: usize,
    },
    Count {
        unit: f64,
        suffix: &'static str,
        decimals: usize,
    },
    Time {
        pattern: &'static str,
    },
    Ordinal,
}

impl TickFormat {
    pub(super) fn label(&self, v: f64) -> String {
        match *self {
            TickFormat::Bytes {
                unit,
                name,
                decimals,
            } => format!("{} {name}", fixed(v / unit, decimals)),
            TickFormat::Count {
                unit,
                suffix,
                decimals,
            } => {
                let number = fixed(v / unit, decimals);
                if number.chars().all(|c| c == '0' || c == '.') {
                    "0".to_string()
                } else {
                    number + suffix
                }
            }
            TickFormat::Time { pattern } => time_label(v, pattern),
            TickFormat::Ordinal => fixed(v, 0),
        }
    }
}

/// `x` with `decimals` decimals, never "-0".
pub(super) fn fixed(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

pub(super) fn naive(ms: f64) -> Option<chrono::NaiveDateTime> {
    if !ms.is_finite() {
        return None;
    }
    // `as` saturates; out-of-range values give None below.
    chrono::DateTime::from_timestamp_millis(ms.round() as i64).map(|d| d.naive_utc())
}

pub(super) fn time_label(ms: f64, pattern: &str) -> String {
    match naive(ms) {
        Some(t) => t.format(pattern).to_string(),
        None => fixed(ms, 0),
    }
}

/// The smallest of 1, 2, 5 × 10^k that is at least `raw` (raw > 0).
pub(super) fn nice_step(raw: f64) -> f64 {
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let mut p = 10f64.powf(raw.log10().floor());
    // Guard against log10 rounding: make sure p <= raw < 10 p.
    if p > raw {
        p /= 10.0;
    }
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * p >= raw * (1.0 - 1e-12) {
            return m * p;
        }
    }
    10.0 * p
}

/// Decimals needed to print multiples of `step` exactly enough.
pub(super) fn decimals_for(step: f64) -> usize {
    if step >= 1.0 || !step.is_finite() || step <= 0.0 {
        0
    } else {
        (-(step.log10() + 1e-9).floor()).clamp(0.0, 12.0) as usize
    }
}

/// Evenly spaced ticks `first, first + step, …` up to `hi` (at most `max`).
pub(super) fn ticks_from(first: f64, step: f64, hi: f64, max: usize) -> Vec<f64> {
    let mut out = Vec::new();
    let eps = step * 1e-9;
    for i in 0..max {
        let t = first + i as f64 * step;
        if t > hi + eps {
            break;
        }
        if out.last() == Some(&t) {
            break; // precision exhausted
        }
        out.push(t);
    }
    out
}

#[derive(Clone, Copy)]
pub(super) enum Scale {
    Bytes,
    Count,
}

/// A padded, rounded y range with about `steps` steps between round ticks
/// (at most `steps + 3` ticks; `steps` of 2 or more).
pub(super) fn value_ticks(lo: f64, hi: f64, scale: Scale, steps: usize) -> Ticks {
    let steps = steps.max(2) as f64;
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (0.0, 0.0) };
    let mag = lo.abs().max(hi.abs());
    let span = hi - lo;
    let (lo, hi) = if !(span > mag * 1e-9 && span > 1e-6) {
        // All equal: show the value against zero.
        let v = (lo + hi) / 2.0;
        if v > 0.0 {
            (0.0, v * 1.25)
        } else if v < 0.0 {
            (v * 1.25, 0.0)
        } else {
            match scale {
                Scale::Bytes => (0.0, 1000.0),
                Scale::Count => (0.0, 10.0),
            }
        }
    } else {
        let pad = span * 0.05;
        let new_lo = if lo >= 0.0 {
            (lo - pad).max(0.0)
        } else {
            lo - pad
        };
        (new_lo, hi + pad)
    };
    let mag = lo.abs().max(hi.abs());
    let (unit, base, names): (f64, f64, &[&'static str]) = match scale {
        Scale::Bytes => (
            1.0,
            1024.0,
            &["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"],
        ),
        Scale::Count => (1.0, 1000.0, &["", "k", "M", "G", "T", "P", "E"]),
    };
    let mut unit = unit;
    let mut k = 0;
    let threshold = match scale {
        Scale::Bytes => 1.0,
        Scale::Count => 10.0, // keep plain numbers up to 9999
    };
    while k + 1 < names.len() && mag >= unit * base * threshold {
        unit *= base;
        k += 1;
    }
    let span_u = (hi - lo) / unit;
    let mut step = nice_step(span_u / steps);
    if k == 0 {
        step = step.max(1.0);
    }
    let (mut first, mut last);
    loop {
        first = (lo / unit / step).floor() * step;
        last = (hi / unit / step).ceil() * step;
        if (last - first) / step <= steps + 2.5 {
            break;
        }
        step = nice_step(step * 1.5);
    }
    let ticks: Vec<f64> = ticks_from(first, step, last, 12)
        .into_iter()
        .map(|t| t * unit)
        .collect();
    let (lo, hi) = (first * unit, last * unit);
    let (lo, hi) = if hi > lo { (lo, hi) } else { (lo, lo + unit) };
    let decimals = decimals_for(step);
    let fmt = match scale {
        Scale::Bytes => TickFormat::Bytes {
            unit,
            name: names[k],
            decimals,
        },
        Scale::Count => TickFormat::Count {
            unit,
            suffix: names[k],
            decimals,
        },
    };
    Ticks { lo, hi, ticks, fmt }
}

/// `t` (from [`value_ticks`] of `lo..hi`) cut to the data's range padded
/// by 6% on each side, keeping the ticks inside: a small panel does not
/// spend a tick step of empty space at each end. `None` when fewer than
/// two ticks would be left, or the data has no span.
pub(super) fn tighten(t: &Ticks, lo: f64, hi: f64) -> Option<Ticks> {
    let span = hi - lo;
    if !(span > 0.0 && span.is_finite()) {
        return None;
    }
    let (new_lo, new_hi) = ((lo - 0.06 * span).max(t.lo), (hi + 0.06 * span).min(t.hi));
    let ticks: Vec<f64> = t
        .ticks
        .iter()
        .copied()
        .filter(|&v| v >= new_lo && v <= new_hi)
        .collect();
    if ticks.len() < 2 || new_hi <= new_lo {
        return None;
    }
    Some(Ticks {
        lo: new_lo,
        hi: new_hi,
        ticks,
        fmt: t.fmt.clone(),
    })
}

/// Snapshot-number ticks: integers on round steps, at most `max` (2 or more).
pub(super) fn ordinal_ticks(lo: f64, hi: f64, max: usize) -> Ticks {
    let max = max.max(2);
    let (lo, hi) = if hi - lo < 1e-9 {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo, hi)
    };
    let mut step = nice_step((hi - lo) / (max - 1) as f64).max(1.0);
    let mut first = (lo / step).ceil() * step;
    while ((hi - first) / step).floor() + 1.0 > max as f64 {
        step = nice_step(step * 1.5);
        first = (lo / step).ceil() * step;
    }
    Ticks {
        lo,
        hi,
        ticks: ticks_from(first, step, hi, max),
        fmt: TickFormat::Ordinal,
    }
}

/// Time ticks aligned to round clock values, at most `max` (2 or more), and the axis title.
pub(super) fn time_ticks(lo: f64, hi: f64, max: usize) -> (Ticks, String) {
    let max = max.max(2);
    let (lo, hi) = if hi - lo < SEC {
        (lo - 30.0 * MIN, hi + 30.0 * MIN)
    } else {
        (lo, hi)
    };
    let span = hi - lo;
    const STEPS: [f64; 23] = [
        SEC,
        2.0 * SEC,
        5.0 * SEC,
        10.0 * SEC,
        15.0 * SEC,
        30.0 * SEC,
        MIN,
        2.0 * MIN,
        5.0 * MIN,
        10.0 * MIN,
        15.0 * MIN,
        30.0 * MIN,
        HOUR,
        2.0 * HOUR,
        3.0 * HOUR,
        4.0 * HOUR,
        6.0 * HOUR,
        12.0 * HOUR,
        DAY,
        2.0 * DAY,
        7.0 * DAY,
        14.0 * DAY,
        28.0 * DAY,
    ];
    // Weeks start on Monday: 1970-01-05 was one.
    let first_of = |step: f64| {
        let offset = if step % (7.0 * DAY) == 0.0 {
            4.0 * DAY
        } else {
            0.0
        };
        ((lo - offset) / step).ceil() * step + offset
    };
    let fits = |step: f64| ((hi - first_of(step)) / step).floor() + 1.0 <= max as f64;
    let step = match STEPS.iter().copied().find(|&s| fits(s)) {
        Some(s) => s,
        None => {
            let mut s = (nice_step(span / DAY / (max - 1) as f64) * DAY).max(DAY);
            while !fits(s) {
                s = (nice_step(s / DAY * 1.5) * DAY).max(DAY);
            }
            s
        }
    };
    let pattern = if span < DAY {
        if step < MIN {
            "%H:%M:%S"
        } else {
            "%H:%M"
        }
    } else if span <= 4.0 * DAY {
        "%m-%d %H:%M"
    } else if span <= 366.0 * DAY {
        "%m-%d"
    } else {
        "%Y-%m-%d"
    };
    let desc = match (naive(lo), naive(hi)) {
        (Some(a), Some(b)) if pattern.starts_with("%H") => {
            let (a, b) = (a.format("%Y-%m-%d"), b.format("%Y-%m-%d"));
            let (a, b) = (a.to_string(), b.to_string());
            if a == b {
                format!("local time, {a}")
            } else {
                format!("local time, {a} to {b}")
            }
        }
        (Some(a), Some(b)) if pattern.starts_with("%m") => {
            let (a, b) = (a.format("%Y").to_string(), b.format("%Y").to_string());
            if a == b {
                format!("local time, {a}")
            } else {
                format!("local time, {a} to {b}")
            }
        }
        _ => "local time".to_string(),
    };
    let ticks = Ticks {
        lo,
        hi,
        ticks: ticks_from(first_of(step), step, hi, max),
        fmt: TickFormat::Time { pattern },
    };
    (ticks, desc)
}

// ---------------------------------------------------------------------------
// Drawing.

/// A linear f64 axis whose grid lines and labels sit exactly at our ticks.
pub(super) struct TickAxis {
    pub(super) linear: RangedCoordf64,
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) ticks: Vec<f64>,
}

impl TickAxis {
    pub(super) fn new(t: &Ticks) -> Self {
        Self::with_ticks(t, t.ticks.clone())
    }

    pub(super) fn with_ticks(t: &Ticks, ticks: Vec<f64>) -> Self {
        Self {
            linear: (t.lo..t.hi).into(),
            lo: t.lo,
            hi: t.hi,
            ticks,
        }
    }
}

impl Ranged for TickAxis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.linear.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

impl ValueFormatter<f64> for TickAxis {
    fn format(value: &f64) -> String {
        format!("{value}")
    }
}
