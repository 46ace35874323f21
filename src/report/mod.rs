//! Reports: everything a person reads. One [`ReportFormat`] (table, JSON,
//! CSV, Markdown) and one renderer per subject: [`render`] for an analysis,
//! [`render_diff`] for `diff`, [`render_fleet`] for `fleet`; the shared
//! markup (aligned tables, CSV fields, Markdown cells, scores, colours) in
//! this file; the bundles in [`bundle`]. Imports anything below it; nothing
//! but the binary imports it.

use std::fmt::Write as _;

use crate::analysis::{Analysis, SeriesReport, Verdict};
use crate::diff::Comparison;
use crate::error::{Error, Result};
use crate::units;

pub mod bundle;

mod analysis;
mod diff;
mod fleet;

pub use analysis::render;
pub use diff::render_diff;
pub use fleet::render_fleet;

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// Aligned text for a terminal.
    Table,
    /// The `poolscan.analysis/1` document.
    Json,
    /// Every series, one CSV row each.
    Csv,
    /// A summary and the top rows as a Markdown table.
    Markdown,
}

/// Presentation options.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Rows shown in table and markdown output.
    pub top: usize,
    /// ANSI colours.
    pub color: bool,
    /// Terminal width to fit.
    pub width: usize,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            top: 10,
            color: false,
            width: 120,
        }
    }
}

fn json(a: &Analysis) -> Result<String> {
    let mut s =
        serde_json::to_string_pretty(a).map_err(|e| Error::Invalid(format!("json: {e}")))?;
    s.push('\n');
    Ok(s)
}

/// A score for people: two decimals, rounded down, so that a shown 0.35 is
/// always at or above the `leak` threshold (0.348 shows as 0.34, a `suspect`).
pub(crate) fn score_text(score: f64) -> String {
    format!("{:.2}", (score * 100.0 + 1e-9).floor() / 100.0)
}

/// Quotes a CSV field when it needs it.
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x}")).unwrap_or_default()
}

fn rate_text(s: &SeriesReport) -> String {
    match s.bytes_per_hour {
        Some(r) => units::rate(r),
        None => format!("{}/snap", units::delta_bytes(s.bytes_per_snapshot)),
    }
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else if max <= 1 {
        s.chars().take(max).collect()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('~');
        t
    }
}

fn paint(s: &str, v: Verdict, color: bool) -> String {
    if !color {
        return s.to_string();
    }
    match v {
        Verdict::Leak => format!("\x1b[1;31m{s}\x1b[0m"),
        Verdict::Suspect => format!("\x1b[33m{s}\x1b[0m"),
        Verdict::Ok => s.to_string(),
    }
}

/// Appends an aligned text table: a header line, then one line per row of
/// `cells` with its verdict painted in column 3. Columns in `right` are
/// right-aligned; the last two columns (driver, reason) give way to fit
/// `style.width`, cut with `~`.
fn aligned(
    out: &mut String,
    head: &[&str],
    cells: &[Vec<String>],
    verdicts: &[Verdict],
    right: &[usize],
    style: &Style,
) {
    let n = head.len();
    let mut w: Vec<usize> = head.iter().map(|h| h.len()).collect();
    for c in cells {
        for (k, v) in c.iter().enumerate() {
            w[k] = w[k].max(v.chars().count());
        }
    }
    let (driver, reason) = (n - 2, n - 1);
    let fixed: usize = w[..driver].iter().sum::<usize>() + 2 * (n - 1);
    let room = style.width.clamp(80, 100_000).saturating_sub(fixed);
    w[driver] = w[driver].min((room / 3).max(8));
    w[reason] = w[reason].min(room.saturating_sub(w[driver]).max(20));
    let line = |vals: &[String], verdict: Option<Verdict>, out: &mut String| {
        let mut s = String::new();
        for (k, v) in vals.iter().enumerate() {
            let v = cut(v, w[k]);
            let padded = if right.contains(&k) {
                format!("{v:>width$}", width = w[k])
            } else {
                format!("{v:<width$}", width = w[k])
            };
            match (k, verdict) {
                (3, Some(vd)) => s.push_str(&paint(&padded, vd, style.color)),
                _ => s.push_str(&padded),
            }
            if k + 1 < vals.len() {
                s.push_str("  ");
            }
        }
        let _ = writeln!(out, "{}", s.trim_end());
    };
    let head: Vec<String> = head.iter().map(|h| h.to_string()).collect();
    line(&head, None, out);
    for (c, v) in cells.iter().zip(verdicts) {
        line(c, Some(*v), out);
    }
}

/// Escapes text for a Markdown table cell.
pub(crate) fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests;
