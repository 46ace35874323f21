//! Growth charts: PNG and SVG charts of pool usage over time.
//!
//! Four charts are drawn: [`overview`] (the top suspects, one panel each on
//! its own scale), [`pools`] (paged and nonpaged pool totals, and the
//! budget), [`suspect`] (one tag: bytes on the left axis, outstanding
//! allocations on the right, the floor that was judged, the fitted trend
//! per boot, and a caption with the verdict and its reason) and [`fleet`]
//! (growth per host of the fleet's top series).
//!
//! What lives here: the API (this file), `style` (colours, strokes, text
//! sizes), `prepare` (points to drawable runs), `ticks` (axes), `draw` (a
//! line chart on any plotters backend), `panels` (the overview's small
//! multiples), `render` (PNG and SVG files), `fleet`. Chart is a leaf: it
//! takes plain points and strings and imports nothing from the crate but
//! `units` and `error`.
//!
//! Every chart is [`WIDTH`] pixels wide and [`HEIGHT`] high (the overview
//! grows by a row of panels beyond four suspects), made to be read both
//! pasted at 100% into an issue tracker and shrunk to a phone's width:
//!
//! * text is at least 26 pixels high (8 pixels on a 400-pixel-wide screen);
//!   the title spans the top, the legend is a row under it (it never covers
//!   data), axis labels carry units, and a caption under the plot says what
//!   a reader needs without the report;
//! * the y axis unit (B, KiB, MiB, GiB, …) is chosen from the data range and
//!   ticks fall on round values of that unit;
//! * the x axis shows local times (`HH:MM` for spans under a day,
//!   `MM-DD HH:MM` up to four days, `MM-DD` beyond, `YYYY-MM-DD` beyond a
//!   year; as many labels as fit, at most 8) or snapshot numbers
//!   ([`Axis::Ordinal`]);
//! * every line keeps at least 3:1 contrast against the white background
//!   and the colours are colour-blind safe (Okabe–Ito's blue, vermillion,
//!   bluish green, reddish purple and black); lines of one chart also differ
//!   in stroke or marker, so they stay apart in greyscale;
//! * reboots are dashed grey vertical lines, and lines are not joined across
//!   them (two consecutive points are split when a boundary `b` lies in
//!   `x0 < b <= x1`);
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
mod panels;
mod prepare;
mod render;
mod style;
mod ticks;

use draw::DrawResult;
use draw::*;
use prepare::*;
use render::*;
use style::*;
use ticks::*;

mod fleet;
pub use fleet::{fleet, FleetRow};

/// Output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartFormat {
    /// An RGB PNG image, [`WIDTH`] pixels wide.
    Png,
    /// An SVG document of the same size (text uses the viewer's `sans-serif` font).
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

/// A fitted straight line from `(x0, y0)` to `(x1, y1)`, y in bytes.
pub type TrendLine = ((f64, f64), (f64, f64));

/// One panel of the [`overview`] chart: a suspect.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    /// The panel's title, e.g. `"1. Leak Nonpaged: leak"`.
    pub label: String,
    /// A second line under the title, e.g. `"+612 KiB/h, 1 MiB → 9.4 MiB"` (may be empty).
    pub detail: String,
    /// `(x, y)` points: x as described by [`Axis`], y in bytes.
    pub points: Vec<(f64, f64)>,
    /// Fitted trend lines (one per boot), drawn dashed.
    pub trends: Vec<TrendLine>,
}

/// What the [`suspect`] chart of one series shows.
#[derive(Debug, Clone, Copy)]
pub struct SuspectChart<'a> {
    /// The title, e.g. `"Leak Nonpaged [leaky.sys]"`.
    pub title: &'a str,
    /// The verdict, e.g. `"leak"` (drawn in vermillion; others in the text colour).
    pub verdict: &'a str,
    /// What follows the verdict on the caption's first line, e.g.
    /// `"+612 KiB/h, 3.2% of the nonpaged pool, 1 MiB → 9.4 MiB"`.
    pub summary: &'a str,
    /// Why it got its verdict (the caption's second paragraph, cut at three lines).
    pub reason: &'a str,
    /// Bytes in use, `(x, bytes)`, x as described by [`Axis`].
    pub bytes: &'a [(f64, f64)],
    /// Outstanding allocations, `(x, count)` (right axis).
    pub outstanding: &'a [(f64, f64)],
    /// The floor the verdict was judged on (window floors or a sawtooth's
    /// troughs), `(x, bytes)`: drawn as markers.
    pub floor: &'a [(f64, f64)],
    /// The legend text of the floor, e.g. `"floor judged (10th percentile per window)"`.
    pub floor_label: &'a str,
    /// Fitted trend lines, one per boot (segment), drawn dashed.
    pub trends: &'a [TrendLine],
    /// x values of reboots (dashed vertical lines).
    pub boundaries: &'a [f64],
}

/// A pool budget for [`pools`]: a horizontal line and when the pools reach it.
#[derive(Debug, Clone)]
pub struct Budget {
    /// The budget in bytes.
    pub bytes: f64,
    /// The projection, e.g. `"Nonpaged reaches it in 31.2 h at +5.8 MiB/h; Paged is not growing"`.
    pub note: String,
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
/// Height of every chart but an overview of more than four suspects, in pixels.
pub const HEIGHT: u32 = 720;

/// The font family registered with plotters and used for all text.
const FAMILY: &str = "sans-serif";
/// DejaVu Sans (Bitstream Vera licence, see FONT-LICENSE.txt beside this file).
const FONT_BYTES: &[u8] = include_bytes!("DejaVuSans.ttf");

/// The most panels [`overview`] draws.
const MAX_LINES: usize = 8;
/// Coordinates beyond this magnitude are treated as invalid and skipped.
const LIMIT: f64 = 1e24;
/// Series with at most this many points also get a marker at each point.
const MARKER_MAX_POINTS: usize = 60;
/// The most x tick labels.
const MAX_X_TICKS: usize = 8;

const W: i32 = WIDTH as i32;
/// The space around everything, in pixels.
const MARGIN: i32 = 20;

const SEC: f64 = 1_000.0;
const MIN: f64 = 60.0 * SEC;
const HOUR: f64 = 60.0 * MIN;
const DAY: f64 = 24.0 * HOUR;

/// Top suspects over time, one panel each (small multiples): each panel
/// has its own y axis, so a suspect of a few KiB shows its growth next to
/// one of hundreds of MiB; x is shared. `boundaries` are x values of reboots.
///
/// Panels are laid out two to a row (one panel alone takes the width); up to
/// four fit in [`HEIGHT`], each further row adds 330 pixels. Only the first
/// 8 are drawn and the title notes how many were left out.
pub fn overview(
    path: &Path,
    kind: ChartFormat,
    axis: Axis,
    title: &str,
    lines: &[Trace],
    boundaries: &[f64],
) -> Result<(), ChartError> {
    let shown = &lines[..lines.len().min(MAX_LINES)];
    let note =
        (lines.len() > MAX_LINES).then(|| format!("+{} more not shown", lines.len() - MAX_LINES));
    render_drawing(
        path,
        kind,
        &panels::Panels::new(title, axis, shown, boundaries, note),
    )
}

/// Paged and nonpaged pool totals over time (y = bytes), reboots marked;
/// with a `budget`, its line and (in the caption) when the pools reach it.
///
/// Nonpaged is a solid vermillion line, paged a dashed blue one.
#[allow(clippy::too_many_arguments)]
pub fn pools(
    path: &Path,
    kind: ChartFormat,
    axis: Axis,
    title: &str,
    nonpaged: &[(f64, f64)],
    paged: &[(f64, f64)],
    boundaries: &[f64],
    budget: Option<&Budget>,
) -> Result<(), ChartError> {
    render(
        path,
        kind,
        &pools_spec(axis, title, nonpaged, paged, boundaries, budget),
    )
}

/// What [`pools`] draws.
fn pools_spec<'a>(
    axis: Axis,
    title: &'a str,
    nonpaged: &'a [(f64, f64)],
    paged: &'a [(f64, f64)],
    boundaries: &'a [f64],
    budget: Option<&Budget>,
) -> Spec<'a> {
    let series = vec![
        SeriesSpec {
            label: "Nonpaged pool".to_string(),
            points: nonpaged,
            color: VERMILLION,
            width: 4,
            stroke: Stroke::Solid,
            shape: Shape::Circle,
            secondary: false,
        },
        SeriesSpec {
            label: "Paged pool".to_string(),
            points: paged,
            color: OI_BLUE,
            width: 4,
            stroke: Stroke::Dashed { dash: 16, gap: 8 },
            shape: Shape::Square,
            secondary: false,
        },
    ];
    let levels = budget
        .map(|b| Level {
            y: b.bytes,
            // The caption gives the figure, as the report writes it.
            label: "budget".to_string(),
        })
        .into_iter()
        .collect();
    let caption = budget
        .map(|b| Paragraph {
            text: b.note.clone(),
            color: TEXT,
            max_lines: 2,
        })
        .into_iter()
        .collect();
    Spec {
        title,
        axis,
        y_desc: "pool bytes in use",
        y2_desc: None,
        series,
        trends: &[],
        trend_label: "",
        levels,
        boundaries,
        caption,
        x_span: None,
        y_steps: 6,
        tight_y: false,
    }
}

/// One suspect (see [`SuspectChart`]): bytes (left axis, solid blue),
/// outstanding allocations (right axis, dashed vermillion), the judged
/// floor (green diamonds), fitted trends per boot (dashed black), reboots,
/// and a caption: the verdict and summary, then the reason.
pub fn suspect(
    path: &Path,
    kind: ChartFormat,
    axis: Axis,
    c: &SuspectChart,
) -> Result<(), ChartError> {
    render(path, kind, &suspect_spec(axis, c))
}

/// What [`suspect`] draws.
fn suspect_spec<'a>(axis: Axis, c: &SuspectChart<'a>) -> Spec<'a> {
    let series = vec![
        SeriesSpec {
            label: "bytes in use (left axis)".to_string(),
            points: c.bytes,
            color: OI_BLUE,
            width: 3,
            stroke: Stroke::Solid,
            shape: Shape::Circle,
            secondary: false,
        },
        SeriesSpec {
            label: "allocations (right axis)".to_string(),
            points: c.outstanding,
            color: VERMILLION,
            width: 2,
            stroke: Stroke::Dashed { dash: 5, gap: 4 },
            shape: Shape::Triangle,
            secondary: true,
        },
        SeriesSpec {
            label: if c.floor_label.trim().is_empty() {
                "floor judged".to_string()
            } else {
                c.floor_label.to_string()
            },
            points: c.floor,
            color: OI_GREEN,
            width: 2,
            stroke: Stroke::Markers,
            shape: Shape::Diamond,
            secondary: false,
        },
    ];
    let headline = match (c.verdict.trim(), c.summary.trim()) {
        ("", s) => s.to_string(),
        (v, "") => v.to_string(),
        (v, s) => format!("{v}: {s}"),
    };
    let mut caption = Vec::new();
    if !headline.is_empty() {
        caption.push(Paragraph {
            text: headline,
            color: verdict_colour(c.verdict),
            max_lines: 1,
        });
    }
    if !c.reason.trim().is_empty() {
        caption.push(Paragraph {
            text: format!("Why: {}", c.reason.trim()),
            color: TEXT,
            max_lines: 3,
        });
    }
    Spec {
        title: c.title,
        axis,
        y_desc: "bytes in use",
        y2_desc: Some("outstanding allocations"),
        series,
        trends: c.trends,
        trend_label: "fitted trend per boot",
        levels: Vec::new(),
        boundaries: c.boundaries,
        caption,
        x_span: None,
        y_steps: 6,
        tight_y: false,
    }
}

/// The colour a verdict's words are written in: `leak` in vermillion (large
/// text keeps 3:1 on white), anything else in the text colour.
fn verdict_colour(verdict: &str) -> RGBColor {
    match verdict.trim() {
        "leak" => VERMILLION,
        _ => TEXT,
    }
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
