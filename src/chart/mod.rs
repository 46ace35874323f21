//! Growth charts: PNG and SVG line charts of pool usage over time.
//!
//! Four charts are drawn: [`overview`] (the top suspects, one line each),
//! [`pools`] (paged and nonpaged pool totals), [`suspect`] (one tag: bytes
//! on the left axis, outstanding allocations on the right axis, fitted trend
//! segments dashed) and [`fleet`] (growth per host of the fleet's top series).
//!
//! What lives here: the API and the style (this file), `prepare` (points to
//! drawable runs), `ticks` (axes), `draw` (any plotters backend), `render`
//! (PNG and SVG files), `fleet`. Chart is a leaf: it takes plain points and
//! imports nothing from the crate but `units` and `error`.
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

mod draw;
mod prepare;
mod render;
mod ticks;

use draw::DrawResult;
use draw::*;
use prepare::*;
use render::*;
use ticks::*;

mod fleet;
pub use fleet::{fleet, FleetRow};

/// Output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartFormat {
    /// A 1280×720 RGB PNG image.
    Png,
    /// A 1280×720 SVG document (text uses the viewer's `sans-serif` font).
    Svg,
}

impl ChartFormat {
    /// The file name extension, without the dot: `"png"` or `"svg"`.
    pub fn extension(self) -> &'static str {
        match self {
            ChartFormat::Png => "png",
            ChartFormat::Svg => "svg",
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
pub struct Trace {
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
    kind: ChartFormat,
    axis: Axis,
    title: &str,
    lines: &[Trace],
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
    kind: ChartFormat,
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
    kind: ChartFormat,
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

#[cfg(test)]
mod tests;
