//! Growth charts: PNG and SVG line charts of pool usage over time.
//!
//! Three charts are drawn: [`overview`] (the top suspects, one line each),
//! [`pools`] (paged and nonpaged pool totals) and [`suspect`] (one tag: bytes
//! on the left axis, outstanding allocations on the right axis, fitted trend
//! segments dashed).
//!
//! Every chart is [`WIDTH`]×[`HEIGHT`] pixels, made to be read when pasted at
//! 100% into an issue tracker:
//!
//! * the title spans the top, the legend sits in its own panel to the right
//!   of the plot (it never covers data), axis labels carry units;
//! * the y axis unit (B, KiB, MiB, GiB, …) is chosen from the data range and
//!   ticks fall on round values of that unit;
//! * the x axis shows local times (`HH:MM` for spans under a day,
//!   `MM-DD HH:MM` up to four days, `MM-DD` beyond, `YYYY-MM-DD` beyond a
//!   year; at most 8 labels) or snapshot numbers ([`Axis::Ordinal`]);
//! * colours are the Okabe–Ito colour-blind-safe palette; [`overview`] shows
//!   at most 8 lines (one per palette colour) and says how many it left out;
//! * reboots are dashed grey vertical lines labelled "reboot", and lines are
//!   not joined across them (two consecutive points are split when a boundary
//!   `b` lies in `x0 < b <= x1`);
//! * text uses an embedded DejaVu Sans font, so nothing has to be installed
//!   (SVG files name the generic `sans-serif` family instead of embedding it).
//!
//! Rendering is deterministic (same input, same bytes) and robust: points with
//! a non-finite coordinate, or one beyond ±1e24, are skipped; empty input
//! gives an empty chart saying "no data"; zero-width ranges are padded.
//! Files are written to a temporary file beside the target and then renamed.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::register_font;
use plotters::style::text_anchor::{HPos, Pos, VPos};

mod fleet;
pub use fleet::{fleet, FleetRow};

/// Output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A 1280×720 RGB PNG image.
    Png,
    /// A 1280×720 SVG document (text uses the viewer's `sans-serif` font).
    Svg,
}

impl Kind {
    /// The file name extension, without the dot: `"png"` or `"svg"`.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Png => "png",
            Kind::Svg => "svg",
        }
    }
}

/// The x axis: real times (x values are milliseconds since 1970 of a naive local time) or snapshot numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    /// x values are milliseconds since 1970-01-01 00:00 of a naive local
    /// time; labels are dates and times.
    Time,
    /// x values are snapshot numbers; labels are integers.
    Ordinal,
}

/// One line of the [`overview`] chart.
#[derive(Debug, Clone)]
pub struct Line {
    /// The legend text, e.g. `"Leak Nonpaged [leaky.sys]"`.
    pub label: String,
    /// `(x, y)` points: x as described by [`Axis`], y in bytes.
    pub points: Vec<(f64, f64)>,
}

/// Why a chart could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// Drawing the chart or writing its file failed.
    #[error("{path}: {reason}")]
    Draw {
        /// The chart file that was being written.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

/// Width of every chart, in pixels.
pub const WIDTH: u32 = 1280;
/// Height of every chart, in pixels.
pub const HEIGHT: u32 = 720;

/// The font family registered with plotters and used for all text.
const FAMILY: &str = "sans-serif";
/// DejaVu Sans (Bitstream Vera licence, see FONT-LICENSE.txt beside this file).
const FONT_BYTES: &[u8] = include_bytes!("DejaVuSans.ttf");

/// Okabe–Ito palette, in its usual order.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xF0, 0xE4, 0x42),
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x00, 0x00, 0x00),
];
const ORANGE: RGBColor = PALETTE[0];
const OI_BLUE: RGBColor = PALETTE[4];
const VERMILLION: RGBColor = PALETTE[5];
const OI_BLACK: RGBColor = PALETTE[7];
const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
const AXIS_LINE: RGBColor = RGBColor(0x55, 0x55, 0x55);
const REBOOT: RGBColor = RGBColor(0x80, 0x80, 0x80);
const BORDER: RGBColor = RGBColor(0xB0, 0xB0, 0xB0);

/// The most lines [`overview`] draws (one per palette colour).
const MAX_LINES: usize = 8;
/// Coordinates beyond this magnitude are treated as invalid and skipped.
const LIMIT: f64 = 1e24;
/// Series with at most this many points also get a marker at each point.
const MARKER_MAX_POINTS: usize = 60;
/// The most x tick labels.
const MAX_X_TICKS: usize = 8;

const W: i32 = WIDTH as i32;
const TITLE_H: i32 = 50;
const LEGEND_W: i32 = 270;
const TITLE_SIZE: i32 = 24;
const LABEL_SIZE: i32 = 15;
const DESC_SIZE: i32 = 16;
const LEGEND_SIZE: i32 = 15;
const LEGEND_ROW: i32 = 26;
const NOTE_SIZE: i32 = 13;

const SEC: f64 = 1_000.0;
const MIN: f64 = 60.0 * SEC;
const HOUR: f64 = 60.0 * MIN;
const DAY: f64 = 24.0 * HOUR;

/// Top suspects over time: one line per suspect (y = bytes), labelled in a legend; `boundaries` are x values of reboots (dashed vertical lines).
///
/// Lines take the Okabe–Ito colours in order (#E69F00 first); only the first
/// 8 lines are drawn and the legend notes how many were left out.
pub fn overview(
    path: &Path,
    kind: Kind,
    axis: Axis,
    title: &str,
    lines: &[Line],
    boundaries: &[f64],
) -> Result<(), ChartError> {
    let series = lines
        .iter()
        .take(MAX_LINES)
        .zip(PALETTE)
        .map(|(line, color)| SeriesSpec {
            label: if line.label.trim().is_empty() {
                "(no label)".to_string()
            } else {
                line.label.clone()
            },
            points: &line.points,
            color,
            width: 2,
            secondary: false,
        })
        .collect();
    let note =
        (lines.len() > MAX_LINES).then(|| format!("+{} more not shown", lines.len() - MAX_LINES));
    let spec = Spec {
        title,
        axis,
        y_desc: "bytes in use",
        y2_desc: None,
        series,
        trends: &[],
        boundaries,
        note,
    };
    render(path, kind, &spec)
}

/// Paged and nonpaged pool totals over time (y = bytes), reboots marked.
///
/// Nonpaged is drawn in #E69F00 (orange), paged in #0072B2 (blue).
pub fn pools(
    path: &Path,
    kind: Kind,
    axis: Axis,
    title: &str,
    nonpaged: &[(f64, f64)],
    paged: &[(f64, f64)],
    boundaries: &[f64],
) -> Result<(), ChartError> {
    let series = vec![
        SeriesSpec {
            label: "Nonpaged pool".to_string(),
            points: nonpaged,
            color: ORANGE,
            width: 3,
            secondary: false,
        },
        SeriesSpec {
            label: "Paged pool".to_string(),
            points: paged,
            color: OI_BLUE,
            width: 3,
            secondary: false,
        },
    ];
    let spec = Spec {
        title,
        axis,
        y_desc: "pool bytes in use",
        y2_desc: None,
        series,
        trends: &[],
        boundaries,
        note: None,
    };
    render(path, kind, &spec)
}

/// One suspect: bytes (left axis) and outstanding allocations (right axis, secondary coord) over time, fitted trend segments (each ((x0,y0),(x1,y1)) in bytes) drawn dashed, epoch boundaries marked, `title` e.g. "Leak Nonpaged [leaky.sys] +612 KiB/h leak".
///
/// Bytes are drawn in #0072B2 (blue), outstanding allocations in #D55E00
/// (vermillion), trends as dashed black segments.
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
pub fn suspect(
    path: &Path,
    kind: Kind,
    axis: Axis,
    title: &str,
    bytes: &[(f64, f64)],
    outstanding: &[(f64, f64)],
    trends: &[((f64, f64), (f64, f64))],
    boundaries: &[f64],
) -> Result<(), ChartError> {
    let series = vec![
        SeriesSpec {
            label: "bytes in use (left axis)".to_string(),
            points: bytes,
            color: OI_BLUE,
            width: 3,
            secondary: false,
        },
        SeriesSpec {
            label: "allocations (right axis)".to_string(),
            points: outstanding,
            color: VERMILLION,
            width: 2,
            secondary: true,
        },
    ];
    let spec = Spec {
        title,
        axis,
        y_desc: "bytes in use",
        y2_desc: Some("outstanding allocations"),
        series,
        trends,
        boundaries,
        note: None,
    };
    render(path, kind, &spec)
}

/// A file name safe on Windows and Linux for rank, tag and pool: "01-Leak-Nonpaged" (no extension).
///
/// The rank is zero-padded to 2 digits. In the tag, ASCII letters, digits and
/// `-` are kept and every other byte (of its UTF-8 form) becomes `_` followed
/// by two upper-case hex digits, `_` itself included, so `"Dh 1"` gives
/// `"Dh_201"`, `"a/b"` gives `"a_2Fb"` and the encoding can be reversed. The
/// pool is encoded the same way except that `-` also becomes `_2D`, so the
/// last `-` always separates the pool. An empty tag or pool becomes `"_"`.
/// The result uses only `[A-Za-z0-9_-]`, so it has no trailing dot or space,
/// and since it starts with the rank and `-` it is never a reserved Windows
/// device name (CON, NUL, AUX, PRN, COM1…, LPT1…).
pub fn file_name(rank: usize, tag: &str, pool: &str) -> String {
    format!(
        "{rank:02}-{}-{}",
        encode_name_part(tag, false),
        encode_name_part(pool, true)
    )
}

fn encode_name_part(s: &str, escape_dash: bool) -> String {
    if s.is_empty() {
        return "_".to_string();
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || (b == b'-' && !escape_dash) {
            out.push(char::from(b));
        } else {
            out.push('_');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0F)]));
        }
    }
    out
}

/// Human bytes for axis labels: "512 B", "4 KiB", "9.4 MiB", "1.2 GiB".
///
/// Binary units up to EiB; one decimal below 10 units (dropped when it is
/// zero), none from 10 up; bytes are whole. Negative values get a `-`;
/// NaN gives `"NaN"` and infinities `"inf B"` / `"-inf B"`.
pub fn human_bytes(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let a = v.abs();
    if a.is_infinite() {
        return format!("{sign}inf B");
    }
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut k = 0;
    let mut x = a;
    while k + 1 < UNITS.len() && x >= 1024.0 {
        x /= 1024.0;
        k += 1;
    }
    // A value that would round up to "1024" reads better as 1 of the next unit.
    if k + 1 < UNITS.len() && x >= 1023.5 {
        x /= 1024.0;
        k += 1;
    }
    let number = if k == 0 || x >= 9.95 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.1}");
        match s.strip_suffix(".0") {
            Some(whole) => whole.to_string(),
            None => s,
        }
    };
    if number == "0" {
        return format!("0 {}", UNITS[k]);
    }
    format!("{sign}{number} {}", UNITS[k])
}

// ---------------------------------------------------------------------------
// What to draw, before and after cleaning.

struct SeriesSpec<'a> {
    label: String,
    points: &'a [(f64, f64)],
    color: RGBColor,
    width: u32,
    secondary: bool,
}

struct Spec<'a> {
    title: &'a str,
    axis: Axis,
    y_desc: &'static str,
    y2_desc: Option<&'static str>,
    series: Vec<SeriesSpec<'a>>,
    trends: &'a [Segment],
    boundaries: &'a [f64],
    note: Option<String>,
}

type Segment = ((f64, f64), (f64, f64));

struct PreparedSeries {
    /// Runs of points to join; a new run starts after each reboot.
    runs: Vec<Vec<(f64, f64)>>,
    color: RGBColor,
    width: u32,
    secondary: bool,
    markers: bool,
}

struct LegendEntry {
    label: String,
    color: RGBColor,
    width: u32,
    dashed: bool,
    marker: bool,
}

struct Prepared {
    x: Ticks,
    x_desc: String,
    y: Ticks,
    y2: Option<Ticks>,
    series: Vec<PreparedSeries>,
    trends: Vec<Segment>,
    boundaries: Vec<f64>,
    legend: Vec<LegendEntry>,
    has_data: bool,
}

/// An axis range with its tick positions and how to label them.
#[derive(Debug, Clone, PartialEq)]
struct Ticks {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
    fmt: TickFormat,
}

#[derive(Debug, Clone, PartialEq)]
enum TickFormat {
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
    fn label(&self, v: f64) -> String {
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
fn fixed(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

fn naive(ms: f64) -> Option<chrono::NaiveDateTime> {
    if !ms.is_finite() {
        return None;
    }
    // `as` saturates; out-of-range values give None below.
    chrono::DateTime::from_timestamp_millis(ms.round() as i64).map(|d| d.naive_utc())
}

fn time_label(ms: f64, pattern: &str) -> String {
    match naive(ms) {
        Some(t) => t.format(pattern).to_string(),
        None => fixed(ms, 0),
    }
}

fn valid(v: f64) -> bool {
    v.is_finite() && v.abs() <= LIMIT
}

/// Valid points, sorted by x (stable, so equal x keep their order).
fn clean(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|&(x, y)| valid(x) && valid(y))
        .collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

/// Splits sorted points into runs that do not cross a boundary.
fn split_runs(points: &[(f64, f64)], boundaries: &[f64]) -> Vec<Vec<(f64, f64)>> {
    let mut runs = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for &p in points {
        if let Some(&prev) = current.last() {
            let i = boundaries.partition_point(|&b| b <= prev.0);
            if boundaries.get(i).is_some_and(|&b| b <= p.0) {
                runs.push(std::mem::take(&mut current));
            }
        }
        current.push(p);
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

fn min_max(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// Clips segment `s` to `x0 <= x <= x1`, `y0 <= y <= y1` (Liang–Barsky).
fn clip(s: Segment, (x0, x1): (f64, f64), (y0, y1): (f64, f64)) -> Option<Segment> {
    let ((ax, ay), (bx, by)) = s;
    let (dx, dy) = (bx - ax, by - ay);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (p, q) in [(-dx, ax - x0), (dx, x1 - ax), (-dy, ay - y0), (dy, y1 - ay)] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0 > t1 || !t0.is_finite() || !t1.is_finite() {
        return None;
    }
    Some(((ax + t0 * dx, ay + t0 * dy), (ax + t1 * dx, ay + t1 * dy)))
}

fn prepare(spec: &Spec) -> Prepared {
    let mut boundaries: Vec<f64> = spec
        .boundaries
        .iter()
        .copied()
        .filter(|&b| valid(b))
        .collect();
    boundaries.sort_by(f64::total_cmp);
    boundaries.dedup();

    let cleaned: Vec<Vec<(f64, f64)>> = spec.series.iter().map(|s| clean(s.points)).collect();
    let has_data = cleaned.iter().any(|c| !c.is_empty());

    // x range: the data, else the boundaries, else a default.
    let data_x = min_max(cleaned.iter().flatten().map(|p| p.0));
    let (xlo, xhi) = data_x
        .or_else(|| min_max(boundaries.iter().copied()))
        .unwrap_or(match spec.axis {
            Axis::Time => (0.0, HOUR),
            Axis::Ordinal => (0.0, 1.0),
        });
    let (mut x, mut x_desc) = match spec.axis {
        Axis::Time => time_ticks(xlo, xhi),
        Axis::Ordinal => (ordinal_ticks(xlo, xhi), "snapshot".to_string()),
    };
    if data_x.is_none() && boundaries.is_empty() {
        // Nothing to place on the x axis: show no made-up times.
        x.ticks.clear();
        if spec.axis == Axis::Time {
            x_desc = "local time".to_string();
        }
    }
    let xr = (x.lo, x.hi);

    // Trends cut to the x range.
    let full_y = (-f64::MAX, f64::MAX);
    let trends_x: Vec<Segment> = spec
        .trends
        .iter()
        .copied()
        .filter(|&((a, b), (c, d))| valid(a) && valid(b) && valid(c) && valid(d))
        .filter_map(|s| clip(s, xr, full_y))
        .collect();

    // Primary y range: the data, widened for trends by at most the data's own span.
    let primary = min_max(
        cleaned
            .iter()
            .zip(&spec.series)
            .filter(|(_, s)| !s.secondary)
            .flat_map(|(c, _)| c.iter().map(|p| p.1)),
    );
    let trend_y = min_max(trends_x.iter().flat_map(|&((_, a), (_, b))| [a, b]));
    let (ylo, yhi) = match (primary, trend_y) {
        (Some((lo, hi)), Some((tlo, thi))) => {
            let margin = (hi - lo).max(hi.abs().max(lo.abs()) * 0.25).max(1.0);
            (lo.min(tlo.max(lo - margin)), hi.max(thi.min(hi + margin)))
        }
        (Some(r), None) | (None, Some(r)) => r,
        (None, None) => (0.0, 0.0),
    };
    let y = value_ticks(ylo, yhi, Scale::Bytes);
    let trends: Vec<Segment> = trends_x
        .into_iter()
        .filter_map(|s| clip(s, xr, (y.lo, y.hi)))
        .collect();

    let y2 = spec.y2_desc.map(|_| {
        let r = min_max(
            cleaned
                .iter()
                .zip(&spec.series)
                .filter(|(_, s)| s.secondary)
                .flat_map(|(c, _)| c.iter().map(|p| p.1)),
        )
        .unwrap_or((0.0, 0.0));
        value_ticks(r.0, r.1, Scale::Count)
    });

    let boundaries: Vec<f64> = boundaries
        .into_iter()
        .filter(|&b| b >= x.lo && b <= x.hi)
        .collect();

    let series: Vec<PreparedSeries> = cleaned
        .iter()
        .zip(&spec.series)
        .map(|(c, s)| PreparedSeries {
            runs: split_runs(c, &boundaries),
            color: s.color,
            width: s.width,
            secondary: s.secondary,
            markers: c.len() <= MARKER_MAX_POINTS,
        })
        .collect();

    let mut legend: Vec<LegendEntry> = spec
        .series
        .iter()
        .zip(&series)
        .map(|(s, p)| LegendEntry {
            label: s.label.clone(),
            color: s.color,
            width: s.width,
            dashed: false,
            marker: p.markers,
        })
        .collect();
    if !trends.is_empty() {
        legend.push(LegendEntry {
            label: "fitted trend".to_string(),
            color: OI_BLACK,
            width: 2,
            dashed: true,
            marker: false,
        });
    }
    if !boundaries.is_empty() {
        legend.push(LegendEntry {
            label: "reboot".to_string(),
            color: REBOOT,
            width: 2,
            dashed: true,
            marker: false,
        });
    }

    Prepared {
        x,
        x_desc,
        y,
        y2,
        series,
        trends,
        boundaries,
        legend,
        has_data,
    }
}

/// The smallest of 1, 2, 5 × 10^k that is at least `raw` (raw > 0).
fn nice_step(raw: f64) -> f64 {
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
fn decimals_for(step: f64) -> usize {
    if step >= 1.0 || !step.is_finite() || step <= 0.0 {
        0
    } else {
        (-(step.log10() + 1e-9).floor()).clamp(0.0, 12.0) as usize
    }
}

/// Evenly spaced ticks `first, first + step, …` up to `hi` (at most `max`).
fn ticks_from(first: f64, step: f64, hi: f64, max: usize) -> Vec<f64> {
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
enum Scale {
    Bytes,
    Count,
}

/// A padded, rounded y range with at most 9 ticks on round values.
fn value_ticks(lo: f64, hi: f64, scale: Scale) -> Ticks {
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
    let mut step = nice_step(span_u / 6.0);
    if k == 0 {
        step = step.max(1.0);
    }
    let (mut first, mut last);
    loop {
        first = (lo / unit / step).floor() * step;
        last = (hi / unit / step).ceil() * step;
        if (last - first) / step <= 8.5 {
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

/// Snapshot-number ticks: integers on round steps, at most 8.
fn ordinal_ticks(lo: f64, hi: f64) -> Ticks {
    let (lo, hi) = if hi - lo < 1e-9 {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo, hi)
    };
    let mut step = nice_step((hi - lo) / (MAX_X_TICKS - 1) as f64).max(1.0);
    let mut first = (lo / step).ceil() * step;
    while ((hi - first) / step).floor() + 1.0 > MAX_X_TICKS as f64 {
        step = nice_step(step * 1.5);
        first = (lo / step).ceil() * step;
    }
    Ticks {
        lo,
        hi,
        ticks: ticks_from(first, step, hi, MAX_X_TICKS),
        fmt: TickFormat::Ordinal,
    }
}

/// Time ticks aligned to round clock values, at most 8, and the axis title.
fn time_ticks(lo: f64, hi: f64) -> (Ticks, String) {
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
    let fits = |step: f64| ((hi - first_of(step)) / step).floor() + 1.0 <= MAX_X_TICKS as f64;
    let step = match STEPS.iter().copied().find(|&s| fits(s)) {
        Some(s) => s,
        None => {
            let mut s = (nice_step(span / DAY / (MAX_X_TICKS - 1) as f64) * DAY).max(DAY);
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
        ticks: ticks_from(first_of(step), step, hi, MAX_X_TICKS),
        fmt: TickFormat::Time { pattern },
    };
    (ticks, desc)
}

// ---------------------------------------------------------------------------
// Drawing.

/// A linear f64 axis whose grid lines and labels sit exactly at our ticks.
struct TickAxis {
    linear: RangedCoordf64,
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl TickAxis {
    fn new(t: &Ticks) -> Self {
        Self::with_ticks(t, t.ticks.clone())
    }

    fn with_ticks(t: &Ticks, ticks: Vec<f64>) -> Self {
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

type Coord = Cartesian2d<TickAxis, TickAxis>;
type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn font(size: i32, color: RGBColor) -> TextStyle<'static> {
    let mut style = TextStyle::from((FAMILY, size).into_font());
    style.color = color.to_backend_color();
    style
}

fn ensure_font() -> Result<(), String> {
    static FONT: OnceLock<Result<(), String>> = OnceLock::new();
    FONT.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, FONT_BYTES)
            .map_err(|_| "the embedded font could not be loaded".to_string())
    })
    .clone()
}

/// `text`, shortened with "…" until it is at most `max_w` pixels wide.
fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_w: i32,
) -> Result<String, DrawingAreaErrorKind<DB::ErrorType>> {
    let max_w = u32::try_from(max_w.max(0)).unwrap_or(0);
    if area.estimate_text_size(text, style)?.0 <= max_w {
        return Ok(text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    // Binary search the longest prefix that fits with an ellipsis.
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().collect::<String>() + "…";
        if area.estimate_text_size(&candidate, style)?.0 <= max_w {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Ok(chars[..lo]
        .iter()
        .collect::<String>()
        .trim_end()
        .to_string()
        + "…")
}

/// Pixel geometry of the plotting area after the chart is drawn.
struct Geometry {
    left: i32,
    right: i32,
    top: i32,
    bottom: i32,
    boundary_px: Vec<i32>,
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &Spec,
    prep: &Prepared,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;

    let title_style = font(TITLE_SIZE, TEXT).pos(Pos::new(HPos::Center, VPos::Top));
    let title = fit_text(root, spec.title, &title_style, W - 40)?;
    root.draw_text(&title, &title_style, (W / 2, 14))?;

    let area = root.margin(TITLE_H, 0, 0, LEGEND_W);
    let mut builder = ChartBuilder::on(&area);
    builder
        .margin_top(8)
        .margin_left(12)
        .margin_bottom(8)
        .margin_right(if prep.y2.is_some() { 8 } else { 24 })
        .x_label_area_size(52)
        .y_label_area_size(96);
    if prep.y2.is_some() {
        builder.right_y_label_area_size(84);
    }
    let chart = builder.build_cartesian_2d(TickAxis::new(&prep.x), TickAxis::new(&prep.y))?;

    let geometry = match &prep.y2 {
        None => {
            let mut chart = chart;
            draw_mesh(&mut chart, spec, prep)?;
            draw_boundaries(&mut chart, prep)?;
            draw_primary(&mut chart, prep)?
        }
        Some(y2) => {
            let mut chart = chart
                .set_secondary_coord(TickAxis::with_ticks(&prep.x, Vec::new()), TickAxis::new(y2));
            draw_mesh(&mut chart, spec, prep)?;
            let y2f = |v: &f64| y2.fmt.label(*v);
            chart
                .configure_secondary_axes()
                .axis_style(AXIS_LINE.stroke_width(1))
                .label_style(font(LABEL_SIZE, TEXT))
                .axis_desc_style(font(DESC_SIZE, TEXT))
                .y_desc(spec.y2_desc.unwrap_or_default())
                .y_label_formatter(&y2f)
                .draw()?;
            draw_boundaries(&mut chart, prep)?;
            for s in prep.series.iter().filter(|s| s.secondary) {
                let style = s.color.stroke_width(s.width);
                for run in &s.runs {
                    chart.draw_secondary_series(LineSeries::new(run.iter().copied(), style))?;
                    if s.markers {
                        chart.draw_secondary_series(
                            run.iter().map(|&p| Circle::new(p, 3, s.color.filled())),
                        )?;
                    }
                }
            }
            draw_primary(&mut chart, prep)?
        }
    };

    draw_reboot_labels(root, &geometry)?;
    if !prep.has_data {
        let style = font(20, MUTED).pos(Pos::new(HPos::Center, VPos::Center));
        root.draw_text(
            "no data",
            &style,
            (
                (geometry.left + geometry.right) / 2,
                (geometry.top + geometry.bottom) / 2,
            ),
        )?;
    }
    draw_legend(root, &prep.legend, spec.note.as_deref(), geometry.top)?;
    Ok(())
}

fn draw_mesh<DB: DrawingBackend>(
    chart: &mut ChartContext<DB, Coord>,
    spec: &Spec,
    prep: &Prepared,
) -> DrawResult<DB> {
    let xf = |v: &f64| prep.x.fmt.label(*v);
    let yf = |v: &f64| prep.y.fmt.label(*v);
    chart
        .configure_mesh()
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS_LINE.stroke_width(1))
        .label_style(font(LABEL_SIZE, TEXT))
        .axis_desc_style(font(DESC_SIZE, TEXT))
        .x_desc(prep.x_desc.as_str())
        .y_desc(spec.y_desc)
        .x_label_formatter(&xf)
        .y_label_formatter(&yf)
        .draw()
}

fn draw_boundaries<DB: DrawingBackend>(
    chart: &mut ChartContext<DB, Coord>,
    prep: &Prepared,
) -> DrawResult<DB> {
    let style = REBOOT.stroke_width(2);
    for &b in &prep.boundaries {
        chart.draw_series(std::iter::once(DashedPathElement::new(
            vec![(b, prep.y.lo), (b, prep.y.hi)],
            8,
            6,
            style,
        )))?;
    }
    Ok(())
}

fn draw_primary<DB: DrawingBackend>(
    chart: &mut ChartContext<DB, Coord>,
    prep: &Prepared,
) -> Result<Geometry, DrawingAreaErrorKind<DB::ErrorType>> {
    for s in prep.series.iter().filter(|s| !s.secondary) {
        let style = s.color.stroke_width(s.width);
        for run in &s.runs {
            chart.draw_series(LineSeries::new(run.iter().copied(), style))?;
            if s.markers {
                chart.draw_series(run.iter().map(|&p| Circle::new(p, 3, s.color.filled())))?;
            }
        }
    }
    let style = OI_BLACK.stroke_width(2);
    for &(a, b) in &prep.trends {
        chart.draw_series(std::iter::once(DashedPathElement::new(
            vec![a, b],
            10,
            6,
            style,
        )))?;
    }
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let boundary_px = prep
        .boundaries
        .iter()
        .map(|&b| chart.backend_coord(&(b, prep.y.hi)).0)
        .collect();
    Ok(Geometry {
        left: xs.start,
        right: xs.end,
        top: ys.start,
        bottom: ys.end,
        boundary_px,
    })
}

fn draw_reboot_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    g: &Geometry,
) -> DrawResult<DB> {
    let style = font(NOTE_SIZE, MUTED).pos(Pos::new(HPos::Left, VPos::Top));
    let (w, h) = root.estimate_text_size("reboot", &style)?;
    let (w, h) = (w as i32, h as i32);
    let mut last_end = i32::MIN;
    for &px in &g.boundary_px {
        let mut x0 = px + 5;
        if x0 + w > g.right - 2 {
            x0 = px - 5 - w;
        }
        if x0 < g.left + 2 || x0 < last_end + 8 {
            continue;
        }
        let y0 = g.top + 5;
        root.draw(&Rectangle::new(
            [(x0 - 2, y0 - 1), (x0 + w + 2, y0 + h + 3)],
            WHITE.mix(0.85).filled(),
        ))?;
        root.draw_text("reboot", &style, (x0, y0))?;
        last_end = x0 + w;
    }
    Ok(())
}

fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    note: Option<&str>,
    top: i32,
) -> DrawResult<DB> {
    if entries.is_empty() {
        return Ok(());
    }
    let x0 = W - LEGEND_W + 14;
    let x1 = W - 14;
    let rows = entries.len() as i32 + i32::from(note.is_some());
    let y0 = top;
    let y1 = y0 + 12 + rows * LEGEND_ROW;
    root.draw(&Rectangle::new([(x0, y0), (x1, y1)], WHITE.filled()))?;
    root.draw(&Rectangle::new(
        [(x0, y0), (x1, y1)],
        BORDER.stroke_width(1),
    ))?;
    let style = font(LEGEND_SIZE, TEXT).pos(Pos::new(HPos::Left, VPos::Center));
    let text_x = x0 + 52;
    let text_w = x1 - text_x - 8;
    for (i, e) in entries.iter().enumerate() {
        let cy = y0 + 6 + LEGEND_ROW / 2 + i as i32 * LEGEND_ROW;
        let sample = vec![(x0 + 10, cy), (x0 + 42, cy)];
        let line_style = e.color.stroke_width(e.width);
        if e.dashed {
            root.draw(&DashedPathElement::new(sample, 8, 5, line_style))?;
        } else {
            root.draw(&PathElement::new(sample, line_style))?;
        }
        if e.marker {
            root.draw(&Circle::new((x0 + 26, cy), 3, e.color.filled()))?;
        }
        let label = fit_text(root, &e.label, &style, text_w)?;
        root.draw_text(&label, &style, (text_x, cy))?;
    }
    if let Some(note) = note {
        let cy = y0 + 6 + LEGEND_ROW / 2 + entries.len() as i32 * LEGEND_ROW;
        let style = font(NOTE_SIZE, MUTED).pos(Pos::new(HPos::Left, VPos::Center));
        let label = fit_text(root, note, &style, x1 - x0 - 20)?;
        root.draw_text(&label, &style, (x0 + 10, cy))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Writing.

/// Something drawn on a chart-sized area, on any plotters backend.
trait Drawing {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// A line chart: its spec and the ranges and ticks prepared from it.
struct Lines<'a, 'b> {
    spec: &'a Spec<'b>,
    prep: Prepared,
}

impl Drawing for Lines<'_, '_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        draw(root, self.spec, &self.prep)
    }
}

fn render(path: &Path, kind: Kind, spec: &Spec) -> Result<(), ChartError> {
    render_drawing(
        path,
        kind,
        &Lines {
            spec,
            prep: prepare(spec),
        },
    )
}

/// Draws `d` to `path` as PNG or SVG, through a temporary file renamed into place.
fn render_drawing(path: &Path, kind: Kind, d: &impl Drawing) -> Result<(), ChartError> {
    let fail = |reason: String| ChartError::Draw {
        path: path.display().to_string(),
        reason,
    };
    ensure_font().map_err(fail)?;
    let tmp = temp_path(path, kind).map_err(fail)?;
    let result = match kind {
        Kind::Png => write_png(&tmp, d),
        Kind::Svg => write_svg(&tmp, d),
    }
    .and_then(|()| {
        fs::rename(&tmp, path).map_err(|e| format!("cannot rename {}: {e}", tmp.display()))
    });
    if result.is_err() {
        // Best effort: the temporary file may not exist.
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(fail)
}

/// A fresh name in the target's directory, ending in the format's extension
/// (the PNG encoder picks the format from it).
fn temp_path(path: &Path, kind: Kind) -> Result<PathBuf, String> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .ok_or_else(|| "not a file path".to_string())?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    Ok(dir.join(format!(
        ".{}.{}-{n}.tmp.{}",
        name.to_string_lossy(),
        std::process::id(),
        kind.extension()
    )))
}

fn write_png(tmp: &Path, d: &impl Drawing) -> Result<(), String> {
    {
        let root = BitMapBackend::new(tmp, (WIDTH, HEIGHT)).into_drawing_area();
        d.draw_on(&root).map_err(|e| format!("cannot draw: {e}"))?;
        root.present().map_err(|e| format!("cannot write: {e}"))?;
    }
    OpenOptions::new()
        .write(true)
        .open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))
}

fn write_svg(tmp: &Path, d: &impl Drawing) -> Result<(), String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        d.draw_on(&root).map_err(|e| format!("cannot draw: {e}"))?;
        root.present().map_err(|e| format!("cannot draw: {e}"))?;
    }
    fs::File::create(tmp)
        .and_then(|mut f| {
            f.write_all(svg.as_bytes())?;
            f.sync_all()
        })
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const MIB: f64 = 1024.0 * 1024.0;
    const T0: f64 = 1_732_521_600_000.0; // 2024-11-25 08:00 (naive local)

    struct Image {
        width: u32,
        height: u32,
        rgb: Vec<u8>,
    }

    impl Image {
        fn has(&self, c: RGBColor) -> bool {
            self.rgb.chunks_exact(3).any(|p| p == [c.0, c.1, c.2])
        }

        /// Whether the image has at least `n` distinct colours (stops early:
        /// a full count is slow in unoptimised test builds).
        fn has_colours(&self, n: usize) -> bool {
            let mut seen: Vec<&[u8]> = Vec::with_capacity(n);
            for p in self.rgb.chunks_exact(3) {
                if !seen.contains(&p) {
                    seen.push(p);
                    if seen.len() >= n {
                        return true;
                    }
                }
            }
            false
        }
    }

    fn decode(path: &Path) -> Image {
        let file = fs::File::open(path).expect("open png");
        let mut reader = png::Decoder::new(file).read_info().expect("png header");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("png frame");
        assert_eq!(info.color_type, png::ColorType::Rgb);
        assert_eq!(info.bit_depth, png::BitDepth::Eight);
        buf.truncate(info.buffer_size());
        Image {
            width: info.width,
            height: info.height,
            rgb: buf,
        }
    }

    fn assert_chart_png(path: &Path) -> Image {
        let img = decode(path);
        assert_eq!((img.width, img.height), (WIDTH, HEIGHT));
        assert!(img.has_colours(40), "looks blank");
        img
    }

    fn noise(state: &mut u64) -> f64 {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((*state >> 33) as f64 / (1u64 << 31) as f64) - 0.5
    }

    /// A leak rising from 1 MiB to 10 MiB over 16 h, a flat line, a sawtooth.
    fn sample_lines() -> Vec<Line> {
        let mut s = 7;
        let xs: Vec<f64> = (0..193).map(|i| T0 + f64::from(i) * 300_000.0).collect();
        let leak = xs
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                (
                    x,
                    MIB + 9.0 * MIB * i as f64 / 192.0 + 0.2 * MIB * noise(&mut s),
                )
            })
            .collect();
        let flat = xs.iter().map(|&x| (x, 4.0 * MIB)).collect();
        let saw = xs
            .iter()
            .enumerate()
            .map(|(i, &x)| (x, 2.0 * MIB + 4.0 * MIB * (i % 48) as f64 / 48.0))
            .collect();
        vec![
            Line {
                label: "Leak Nonpaged [leaky.sys]".into(),
                points: leak,
            },
            Line {
                label: "Flat Paged".into(),
                points: flat,
            },
            Line {
                label: "Saw Nonpaged".into(),
                points: saw,
            },
        ]
    }

    const REBOOT_AT: f64 = T0 + 10.0 * 3_600_000.0 + 150_000.0;

    fn draw_overview(path: &Path, kind: Kind) -> Result<(), ChartError> {
        overview(
            path,
            kind,
            Axis::Time,
            "Top suspects",
            &sample_lines(),
            &[REBOOT_AT],
        )
    }

    fn draw_pools(path: &Path, kind: Kind) -> Result<(), ChartError> {
        let lines = sample_lines();
        pools(
            path,
            kind,
            Axis::Time,
            "Pool totals",
            &lines[0].points,
            &lines[1].points,
            &[REBOOT_AT],
        )
    }

    fn draw_suspect(path: &Path, kind: Kind) -> Result<(), ChartError> {
        let lines = sample_lines();
        let bytes = &lines[0].points;
        let outstanding: Vec<_> = bytes
            .iter()
            .map(|&(x, y)| (x, (y / 512.0).round()))
            .collect();
        let end = T0 + 16.0 * 3_600_000.0;
        let trends = [
            ((T0, MIB), (REBOOT_AT, 6.6 * MIB)),
            ((REBOOT_AT, 6.6 * MIB), (end, 10.0 * MIB)),
        ];
        suspect(
            path,
            kind,
            Axis::Time,
            "Leak Nonpaged [leaky.sys] +576 KiB/h leak",
            bytes,
            &outstanding,
            &trends,
            &[REBOOT_AT],
        )
    }

    type Draw = fn(&Path, Kind) -> Result<(), ChartError>;
    const CHARTS: [(&str, Draw); 3] = [
        ("overview", draw_overview),
        ("pools", draw_pools),
        ("suspect", draw_suspect),
    ];

    #[test]
    fn overview_png_has_size_detail_and_first_colour() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("overview.png");
        draw_overview(&path, Kind::Png).expect("render");
        let img = assert_chart_png(&path);
        assert!(
            img.has(RGBColor(0xE6, 0x9F, 0x00)),
            "first series colour missing"
        );
        assert!(img.has(RGBColor(0x56, 0xB4, 0xE9)));
        assert!(img.has(RGBColor(0x00, 0x9E, 0x73)));
        assert!(img.has(REBOOT));
    }

    #[test]
    fn pools_png_has_both_pools() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pools.png");
        draw_pools(&path, Kind::Png).expect("render");
        let img = assert_chart_png(&path);
        assert!(img.has(ORANGE));
        assert!(img.has(OI_BLUE));
    }

    #[test]
    fn suspect_png_has_bytes_allocations_and_trend() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("suspect.png");
        draw_suspect(&path, Kind::Png).expect("render");
        let img = assert_chart_png(&path);
        assert!(
            img.has(RGBColor(0x00, 0x72, 0xB2)),
            "bytes line colour missing"
        );
        assert!(img.has(VERMILLION), "allocations line colour missing");
        assert!(img.has(OI_BLACK));
    }

    #[test]
    fn svg_output_is_svg_with_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, draw) in CHARTS {
            let path = dir.path().join(format!("{name}.svg"));
            draw(&path, Kind::Svg).expect("render");
            let text = fs::read_to_string(&path).expect("read svg");
            assert!(text.contains("<svg"), "{name}");
            assert!(text.contains("width=\"1280\""), "{name}");
            assert!(text.contains("height=\"720\""), "{name}");
            assert!(text.contains("sans-serif"), "{name}");
            assert!(text.contains("reboot"), "{name}");
        }
        let text = fs::read_to_string(dir.path().join("suspect.svg")).expect("read");
        assert!(text.contains("outstanding allocations"));
        assert!(text.contains("+576 KiB/h leak"));
    }

    #[test]
    fn rendering_is_deterministic() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, draw) in CHARTS {
            for kind in [Kind::Png, Kind::Svg] {
                let a = dir.path().join(format!("{name}-a.{}", kind.extension()));
                let b = dir.path().join(format!("{name}-b.{}", kind.extension()));
                draw(&a, kind).expect("render a");
                draw(&b, kind).expect("render b");
                let (a, b) = (fs::read(&a).expect("a"), fs::read(&b).expect("b"));
                assert!(!a.is_empty());
                assert!(a == b, "{name} {kind:?} differs between runs");
            }
        }
    }

    #[test]
    fn writes_atomically_and_overwrites() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("chart.png");
        fs::write(&path, b"old").expect("seed");
        draw_overview(&path, Kind::Png).expect("render");
        assert_chart_png(&path);
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("chart.png")]);
    }

    #[test]
    fn errors_name_the_path_and_leave_nothing_behind() {
        let dir = tempfile::tempdir().expect("tempdir");
        for kind in [Kind::Png, Kind::Svg] {
            let path = dir.path().join("missing-dir").join("x.png");
            let err = draw_overview(&path, kind).expect_err("must fail");
            let ChartError::Draw { path: p, reason } = &err;
            assert!(p.ends_with("x.png"), "{p}");
            assert!(!reason.is_empty());
            assert!(err.to_string().starts_with(p.as_str()));
        }
        let err = draw_overview(Path::new("/"), Kind::Svg).expect_err("no file name");
        assert!(err.to_string().contains("not a file path"));
        assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 0);
    }

    #[test]
    fn robust_inputs_render_without_panic() {
        let dir = tempfile::tempdir().expect("tempdir");
        let huge = u64::MAX as f64;
        let cases: Vec<(&str, Vec<(f64, f64)>)> = vec![
            ("empty", vec![]),
            ("single", vec![(T0, 5.0 * MIB)]),
            (
                "equal",
                vec![
                    (T0, 3.0 * MIB),
                    (T0 + 3.6e6, 3.0 * MIB),
                    (T0 + 7.2e6, 3.0 * MIB),
                ],
            ),
            ("zeros", vec![(T0, 0.0), (T0 + 3.6e6, 0.0)]),
            ("same-x", vec![(T0, 1.0), (T0, 2.0 * MIB), (T0, 3.0)]),
            (
                "nan",
                vec![
                    (T0, f64::NAN),
                    (f64::NAN, 1.0),
                    (T0 + 1e6, 2.0 * MIB),
                    (f64::INFINITY, 3.0),
                    (T0 + 2e6, f64::NEG_INFINITY),
                    (T0 + 3e6, 3.0 * MIB),
                ],
            ),
            ("all-nan", vec![(f64::NAN, f64::NAN), (T0, f64::NAN)]),
            (
                "huge",
                vec![(T0, huge), (T0 + 3.6e6, huge / 2.0), (T0 + 7.2e6, 1e300)],
            ),
            ("huge-equal", vec![(T0, huge), (T0 + 3.6e6, huge)]),
            ("negative", vec![(T0, -5.0), (T0 + 3.6e6, -7.0 * MIB)]),
            (
                "unsorted",
                vec![(T0 + 7.2e6, 1.0 * MIB), (T0, 2.0 * MIB), (T0 + 3.6e6, 0.5)],
            ),
            ("tiny-span", vec![(T0, 1.0), (T0 + 1.0, 1.0 + 1e-9)]),
            ("far-x", vec![(-1e20, 1.0), (1e20, 2.0)]),
        ];
        let boundary_sets: [&[f64]; 3] = [&[], &[T0 + 1.0, f64::NAN, T0 + 1.0, 1e30], &[T0]];
        let trends = [
            ((T0, 0.0), (T0 + 3.6e6, 1e22)),
            ((f64::NAN, 0.0), (T0, 1.0)),
            ((T0, 1.0), (T0, 1.0)),
            ((-1e23, -1e23), (1e23, 1e23)),
        ];
        let kinds = [Kind::Png, Kind::Svg];
        let axes = [Axis::Time, Axis::Ordinal];
        for (i, (name, points)) in cases.iter().enumerate() {
            // Every input through the pure preparation with every option...
            for boundaries in boundary_sets {
                for axis in axes {
                    let spec = Spec {
                        title: name,
                        axis,
                        y_desc: "bytes",
                        y2_desc: Some("allocations"),
                        series: vec![
                            SeriesSpec {
                                label: String::new(),
                                points,
                                color: OI_BLUE,
                                width: 3,
                                secondary: false,
                            },
                            SeriesSpec {
                                label: String::new(),
                                points,
                                color: VERMILLION,
                                width: 2,
                                secondary: true,
                            },
                        ],
                        trends: &trends,
                        boundaries,
                        note: None,
                    };
                    let prep = prepare(&spec);
                    for t in [&prep.x, &prep.y].into_iter().chain(&prep.y2) {
                        assert!(
                            t.lo.is_finite() && t.hi.is_finite() && t.hi > t.lo,
                            "{name}"
                        );
                    }
                }
            }
            // ...and drawn by each chart, rotating the options per input.
            let kind = kinds[i % 2];
            let axis = axes[(i / 2) % 2];
            let boundaries = boundary_sets[i % 3];
            let ext = kind.extension();
            let line = Line {
                label: String::new(),
                points: points.clone(),
            };
            let o = dir.path().join(format!("{name}-o.{ext}"));
            overview(&o, kind, axis, name, &[line], boundaries).expect("overview");
            let p = dir.path().join(format!("{name}-p.{ext}"));
            pools(&p, kind, axis, name, points, &[], boundaries).expect("pools");
            let s = dir.path().join(format!("{name}-s.{ext}"));
            suspect(&s, kind, axis, name, points, points, &trends, boundaries).expect("suspect");
            if kind == Kind::Png {
                for f in [&o, &p, &s] {
                    assert_chart_png(f);
                }
            }
        }
        // No lines at all, and more lines than colours.
        let empty = dir.path().join("none.png");
        overview(&empty, Kind::Png, Axis::Time, "", &[], &[]).expect("no lines");
        assert_chart_png(&empty);
        let many: Vec<Line> = (0..12)
            .map(|k| Line {
                label: format!("Tag{k} Paged"),
                points: vec![
                    (T0, f64::from(k) * MIB),
                    (T0 + 3.6e6, f64::from(k + 1) * MIB),
                ],
            })
            .collect();
        let path = dir.path().join("many.png");
        overview(
            &path,
            Kind::Png,
            Axis::Time,
            &"long title ".repeat(40),
            &many,
            &[],
        )
        .expect("many lines");
        let img = assert_chart_png(&path);
        for c in PALETTE {
            assert!(img.has(c), "{c:?}");
        }
    }

    #[test]
    fn overview_caps_lines_and_notes_the_rest() {
        let lines: Vec<Line> = (0..11)
            .map(|k| Line {
                label: format!("L{k}"),
                points: vec![(0.0, 1.0), (1.0, 2.0)],
            })
            .collect();
        let series: Vec<SeriesSpec> = lines
            .iter()
            .take(MAX_LINES)
            .zip(PALETTE)
            .map(|(l, color)| SeriesSpec {
                label: l.label.clone(),
                points: &l.points,
                color,
                width: 2,
                secondary: false,
            })
            .collect();
        assert_eq!(series.len(), 8);
        // The public function draws them with the note; check it succeeds.
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("o.svg");
        overview(&path, Kind::Svg, Axis::Ordinal, "t", &lines, &[]).expect("render");
        let svg = fs::read_to_string(&path).expect("read");
        assert!(svg.contains("+3 more not shown"));
        assert!(svg.contains("\nL7\n"));
        assert!(!svg.contains("\nL8\n"));
    }

    #[test]
    fn file_names_are_safe_and_reversible() {
        assert_eq!(file_name(1, "Leak", "Nonpaged"), "01-Leak-Nonpaged");
        assert_eq!(file_name(12, "Ntfx", "Paged"), "12-Ntfx-Paged");
        assert_eq!(file_name(123, "Ab", "Paged"), "123-Ab-Paged");
        assert_eq!(file_name(0, "Dh 1", "Paged"), "00-Dh_201-Paged");
        assert_eq!(file_name(3, "a/b", "Paged"), "03-a_2Fb-Paged");
        assert_eq!(file_name(3, "a\\b", "Paged"), "03-a_5Cb-Paged");
        assert_eq!(file_name(3, "C:*?", "Paged"), "03-C_3A_2A_3F-Paged");
        assert_eq!(file_name(3, "\"<>|", "Paged"), "03-_22_3C_3E_7C-Paged");
        assert_eq!(file_name(3, "é", "Paged"), "03-_C3_A9-Paged");
        assert_eq!(file_name(3, "a_b", "Paged"), "03-a_5Fb-Paged");
        assert_eq!(file_name(3, "a-b", "Paged"), "03-a-b-Paged");
        assert_eq!(file_name(3, "Tag.", "Paged"), "03-Tag_2E-Paged");
        assert_eq!(file_name(3, "Tag ", "Paged"), "03-Tag_20-Paged");
        assert_eq!(file_name(3, "", "Paged"), "03-_-Paged");
        assert_eq!(file_name(3, "x", ""), "03-x-_");
        assert_eq!(file_name(3, "x", "Non-paged"), "03-x-Non_2Dpaged");
        assert_eq!(file_name(4, "CON", "Paged"), "04-CON-Paged");
        assert_eq!(file_name(4, "\0\n", "Paged"), "04-_00_0A-Paged");

        let reserved = |stem: &str| {
            let base = stem.split('.').next().unwrap_or("").to_ascii_uppercase();
            ["CON", "PRN", "AUX", "NUL"].contains(&base.as_str())
                || ((base.starts_with("COM") || base.starts_with("LPT"))
                    && base.len() == 4
                    && base.as_bytes()[3].is_ascii_digit())
        };
        let tags = [
            "CON", "nul", "AUX", "PRN", "COM1", "LPT9", "", ".", "..", " ", "a.", "a ", "/", "\\",
            ":", "*", "?", "\"", "<", ">", "|", "日本", "Dh 1",
        ];
        for tag in tags {
            for pool in ["Paged", "Nonpaged", "", "CON", "a b."] {
                let name = file_name(7, tag, pool);
                assert!(!name.is_empty());
                assert!(
                    name.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
                    "{name}"
                );
                assert!(!name.ends_with('.') && !name.ends_with(' '), "{name}");
                assert!(!reserved(&name), "{name}");
                assert!(name.starts_with("07-"), "{name}");
                // Reversible: decode the tag part back.
                let rest = &name[3..];
                let (enc, _) = rest.rsplit_once('-').expect("pool separator");
                assert_eq!(decode_part(enc), tag, "{name}");
            }
        }
    }

    fn decode_part(s: &str) -> String {
        if s == "_" {
            return String::new();
        }
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'_' {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("hex");
                out.push(u8::from_str_radix(hex, 16).expect("hex digits"));
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).expect("utf8")
    }

    #[test]
    fn human_bytes_reads_well() {
        assert_eq!(human_bytes(0.0), "0 B");
        assert_eq!(human_bytes(-0.0), "0 B");
        assert_eq!(human_bytes(1.0), "1 B");
        assert_eq!(human_bytes(512.0), "512 B");
        assert_eq!(human_bytes(1023.0), "1023 B");
        assert_eq!(human_bytes(1023.7), "1 KiB");
        assert_eq!(human_bytes(1024.0), "1 KiB");
        assert_eq!(human_bytes(4096.0), "4 KiB");
        assert_eq!(human_bytes(1536.0), "1.5 KiB");
        assert_eq!(human_bytes(9.4 * MIB), "9.4 MiB");
        assert_eq!(human_bytes(9.97 * MIB), "10 MiB");
        assert_eq!(human_bytes(123.4 * MIB), "123 MiB");
        assert_eq!(human_bytes(1023.9 * MIB), "1 GiB");
        assert_eq!(human_bytes(1.2 * 1024.0 * MIB), "1.2 GiB");
        assert_eq!(human_bytes(612.0 * 1024.0), "612 KiB");
        assert_eq!(human_bytes(-2048.0), "-2 KiB");
        assert_eq!(human_bytes(u64::MAX as f64), "16 EiB");
        assert_eq!(human_bytes(1e24), "867362 EiB");
        assert_eq!(human_bytes(f64::NAN), "NaN");
        assert_eq!(human_bytes(f64::INFINITY), "inf B");
        assert_eq!(human_bytes(f64::NEG_INFINITY), "-inf B");
    }

    #[test]
    fn kind_extensions() {
        assert_eq!(Kind::Png.extension(), "png");
        assert_eq!(Kind::Svg.extension(), "svg");
    }

    fn labels(t: &Ticks) -> Vec<String> {
        t.ticks.iter().map(|&v| t.fmt.label(v)).collect()
    }

    fn assert_distinct(l: &[String]) {
        let set: HashSet<_> = l.iter().collect();
        assert_eq!(set.len(), l.len(), "duplicate labels: {l:?}");
    }

    #[test]
    fn time_axis_picks_format_and_at_most_8_labels() {
        let h = HOUR;
        let (t, desc) = time_ticks(T0, T0 + 16.0 * h);
        assert_eq!(t.fmt, TickFormat::Time { pattern: "%H:%M" });
        assert_eq!(labels(&t)[0], "09:00");
        assert_eq!(desc, "local time, 2024-11-25 to 2024-11-26");
        let (t, desc) = time_ticks(T0, T0 + 3.0 * h);
        assert_eq!(labels(&t)[..2], ["08:00".to_string(), "08:30".to_string()]);
        assert_eq!(desc, "local time, 2024-11-25");
        let (t, _) = time_ticks(T0, T0 + 3.0 * DAY);
        assert_eq!(
            t.fmt,
            TickFormat::Time {
                pattern: "%m-%d %H:%M"
            }
        );
        assert!(
            labels(&t).contains(&"11-26 00:00".to_string()),
            "{:?}",
            labels(&t)
        );
        let (t, desc) = time_ticks(T0, T0 + 40.0 * DAY);
        assert_eq!(t.fmt, TickFormat::Time { pattern: "%m-%d" });
        assert_eq!(labels(&t)[0], "12-02"); // a Monday
        assert_eq!(desc, "local time, 2024 to 2025");
        let (t, _) = time_ticks(T0, T0 + 800.0 * DAY);
        assert_eq!(
            t.fmt,
            TickFormat::Time {
                pattern: "%Y-%m-%d"
            }
        );
        // Zero span is padded.
        let (t, _) = time_ticks(T0, T0);
        assert!(t.hi > t.lo);
        assert!(!t.ticks.is_empty());

        let mut span = 1.5 * SEC;
        while span < 5000.0 * DAY {
            for start in [T0, T0 + 1234.0, 0.0, -3.0 * DAY] {
                let (t, _) = time_ticks(start, start + span);
                assert!(
                    !t.ticks.is_empty() && t.ticks.len() <= 8,
                    "{span}: {:?}",
                    t.ticks
                );
                assert!(t.ticks.iter().all(|&v| v >= t.lo && v <= t.hi));
                assert_distinct(&labels(&t));
            }
            span *= 1.37;
        }
    }

    #[test]
    fn value_axis_chooses_units_and_round_ticks() {
        let t = value_ticks(MIB, 10.0 * MIB, Scale::Bytes);
        assert_eq!(
            labels(&t),
            ["0 MiB", "2 MiB", "4 MiB", "6 MiB", "8 MiB", "10 MiB", "12 MiB"]
        );
        let t = value_ticks(100.0, 900.0, Scale::Bytes);
        assert!(
            labels(&t).iter().all(|l| l.ends_with(" B")),
            "{:?}",
            labels(&t)
        );
        let t = value_ticks(1.10 * 1024.0 * MIB, 1.15 * 1024.0 * MIB, Scale::Bytes);
        assert!(
            labels(&t).iter().all(|l| l.ends_with(" GiB")),
            "{:?}",
            labels(&t)
        );
        assert_distinct(&labels(&t));
        let t = value_ticks(0.0, 12_345.0, Scale::Count);
        assert_eq!(labels(&t)[0], "0");
        assert!(
            labels(&t).iter().skip(1).all(|l| l.ends_with('k')),
            "{:?}",
            labels(&t)
        );
        let t = value_ticks(3.0, 40.0, Scale::Count);
        assert!(t.ticks.iter().all(|v| v.fract() == 0.0));

        // Constant values are padded from zero.
        let t = value_ticks(5.0 * MIB, 5.0 * MIB, Scale::Bytes);
        assert!(t.lo == 0.0 && t.hi > 5.0 * MIB);
        let t = value_ticks(0.0, 0.0, Scale::Bytes);
        assert!(t.hi > t.lo);

        let mut lo = 0.3;
        while lo < 1e20 {
            for ratio in [1.0, 1.001, 1.3, 2.0, 10.0, 1000.0] {
                for scale in [Scale::Bytes, Scale::Count] {
                    let hi = lo * ratio;
                    let t = value_ticks(lo, hi, scale);
                    assert!(t.lo <= lo && t.hi >= hi && t.hi > t.lo, "{lo} {hi}");
                    assert!(
                        t.ticks.len() >= 2 && t.ticks.len() <= 9,
                        "{lo} {hi}: {:?}",
                        t.ticks
                    );
                    assert_distinct(&labels(&t));
                }
            }
            lo *= 3.7;
        }
    }

    #[test]
    fn ordinal_axis_uses_integers() {
        let t = ordinal_ticks(1.0, 40.0);
        assert_eq!(labels(&t), ["10", "20", "30", "40"]);
        let t = ordinal_ticks(0.0, 7.0);
        assert_eq!(t.ticks.len(), 8);
        let t = ordinal_ticks(5.0, 5.0);
        assert!(t.hi > t.lo && t.ticks.contains(&5.0));
        for n in 1..300 {
            let t = ordinal_ticks(0.0, f64::from(n));
            assert!(!t.ticks.is_empty() && t.ticks.len() <= 8, "{n}");
        }
    }

    #[test]
    fn lines_break_at_reboots() {
        let pts = [(0.0, 1.0), (1.0, 1.0), (2.0, 1.0), (3.0, 1.0)];
        assert_eq!(split_runs(&pts, &[]).len(), 1);
        let runs = split_runs(&pts, &[1.5]);
        assert_eq!(runs, vec![pts[..2].to_vec(), pts[2..].to_vec()]);
        // A boundary on a point starts the new epoch there.
        let runs = split_runs(&pts, &[2.0]);
        assert_eq!(runs, vec![pts[..2].to_vec(), pts[2..].to_vec()]);
        assert_eq!(split_runs(&pts, &[0.5, 0.6, 2.5]).len(), 3);
        assert!(split_runs(&[], &[1.0]).is_empty());
    }

    #[test]
    fn clipping_keeps_segments_inside() {
        let s = ((0.0, 0.0), (10.0, 10.0));
        let c = clip(s, (2.0, 8.0), (0.0, 5.0)).expect("inside");
        assert_eq!(c, ((2.0, 2.0), (5.0, 5.0)));
        assert!(clip(s, (20.0, 30.0), (0.0, 10.0)).is_none());
        let ((x0, y0), (x1, y1)) =
            clip(((1.0, -5.0), (1.0, 50.0)), (0.0, 2.0), (0.0, 10.0)).expect("vertical");
        assert_eq!((x0, x1), (1.0, 1.0));
        assert!(y0.abs() < 1e-9 && (y1 - 10.0).abs() < 1e-9, "{y0} {y1}");
    }

    #[test]
    fn font_is_embedded_and_registers() {
        assert!(FONT_BYTES.len() > 100_000);
        assert_eq!(ensure_font(), Ok(()));
        assert_eq!(ensure_font(), Ok(()));
    }
}
