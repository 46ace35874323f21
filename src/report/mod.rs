//! Reports: one [`Format`] enum and one small function per format (table,
//! JSON, CSV, Markdown) for `analyze` and for `diff`.

use std::fmt::Write as _;

use crate::analysis::{Analysis, SeriesReport, Verdict};
use crate::diff::Comparison;
use crate::error::{Error, Result};
use crate::units;

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
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

/// Renders an analysis.
pub fn render(a: &Analysis, format: Format, style: &Style) -> Result<String> {
    match format {
        Format::Json => json(a),
        Format::Csv => Ok(csv(a)),
        Format::Table => Ok(table(a, style)),
        Format::Markdown => Ok(markdown(a, style.top)),
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
pub fn score_text(score: f64) -> String {
    format!("{:.2}", (score * 100.0 + 1e-9).floor() / 100.0)
}

/// Quotes a CSV field when it needs it.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x}")).unwrap_or_default()
}

fn csv(a: &Analysis) -> String {
    let mut out = String::from(
        "rank,tag,pool,verdict,score,bytes_first,bytes_last,bytes_max,bytes_per_hour,outstanding_per_hour,snapshots,driver,reason\n",
    );
    for s in &a.series {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{}",
            s.rank,
            csv_field(&s.tag),
            s.pool,
            s.verdict.name(),
            s.score,
            s.bytes_first,
            s.bytes_last,
            s.bytes_max,
            opt(s.bytes_per_hour),
            opt(s.outstanding_per_hour),
            s.snapshots,
            csv_field(s.driver.as_deref().unwrap_or("")),
            csv_field(&s.reason)
        );
    }
    out
}

/// A one-line summary of the log: snapshots, span, epochs, series.
pub fn headline(a: &Analysis) -> String {
    let paths: Vec<&str> = a.inputs.iter().map(|i| i.path.as_str()).collect();
    let span = match (&a.start, &a.end, a.hours) {
        (Some(s), Some(e), Some(h)) => format!(
            " over {} ({} to {})",
            units::hours(h),
            s.replace('T', " "),
            e.replace('T', " ")
        ),
        _ => " (no timestamps: snapshot numbers)".to_string(),
    };
    format!(
        "{}: {} snapshots{}, {} epoch{}, {} series",
        paths.join(", "),
        a.snapshots,
        span,
        a.epochs,
        if a.epochs == 1 { "" } else { "s" },
        a.series.len()
    )
}

/// Pool totals in one line.
pub fn pools_line(a: &Analysis) -> String {
    let mut parts = Vec::new();
    for (name, p) in &a.pools {
        let rate = p
            .kib_per_hour
            .map(|r| format!(" ({})", units::rate(r * 1024.0)))
            .unwrap_or_default();
        let budget = p
            .hours_to_budget
            .map(|h| format!(", budget reached in {}", units::hours(h)))
            .unwrap_or_default();
        parts.push(format!(
            "{name} {} -> {}{rate}{budget}",
            units::bytes(p.kib_first as f64 * 1024.0),
            units::bytes(p.kib_last as f64 * 1024.0)
        ));
    }
    if let Some(c) = &a.commit {
        let rate = c
            .kib_per_hour
            .map(|r| format!(" ({})", units::rate(r * 1024.0)))
            .unwrap_or_default();
        let limit = c
            .hours_to_limit
            .map(|h| format!(", limit in {}", units::hours(h)))
            .unwrap_or_default();
        parts.push(format!(
            "Commit {}{rate}{limit}",
            units::bytes(c.kib_last as f64 * 1024.0)
        ));
    }
    format!("Pools: {}", parts.join("; "))
}

/// Counts of each verdict.
pub fn counts(a: &Analysis) -> (usize, usize, usize) {
    let leak = a
        .series
        .iter()
        .filter(|s| s.verdict == Verdict::Leak)
        .count();
    let suspect = a
        .series
        .iter()
        .filter(|s| s.verdict == Verdict::Suspect)
        .count();
    (leak, suspect, a.series.len() - leak - suspect)
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

fn table(a: &Analysis, style: &Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", headline(a));
    let _ = writeln!(out, "{}", pools_line(a));
    let _ = writeln!(out);
    let rows: Vec<&SeriesReport> = a.series.iter().take(style.top).collect();
    let head = [
        "rank",
        "tag",
        "pool",
        "verdict",
        "score",
        "bytes first -> last",
        "rate",
        "driver",
        "reason",
    ];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|s| {
            vec![
                s.rank.to_string(),
                s.tag.clone(),
                s.pool.to_string(),
                s.verdict.name().to_string(),
                score_text(s.score),
                format!(
                    "{} -> {}",
                    units::bytes(s.bytes_first as f64),
                    units::bytes(s.bytes_last as f64)
                ),
                rate_text(s),
                s.driver.clone().unwrap_or_else(|| "-".into()),
                s.reason.clone(),
            ]
        })
        .collect();
    let verdicts: Vec<Verdict> = rows.iter().map(|s| s.verdict).collect();
    aligned(&mut out, &head, &cells, &verdicts, &[0, 4], style);
    let (leak, suspect, ok) = counts(a);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{leak} leak, {suspect} suspect, {ok} ok (top {} shown; --top N for more, --format json for every series)",
        rows.len()
    );
    for i in &a.inputs {
        if i.skipped_lines > 0 {
            let _ = writeln!(
                out,
                "{}: {} lines could not be read (see the warnings above or in --format json)",
                i.path, i.skipped_lines
            );
        }
    }
    out
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
pub fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn markdown(a: &Analysis, top: usize) -> String {
    let mut out = String::new();
    let (leak, suspect, ok) = counts(a);
    let _ = writeln!(
        out,
        "## poolscan: {leak} leak, {suspect} suspect, {ok} ok\n"
    );
    let _ = writeln!(out, "{}  ", md_cell(&headline(a)));
    let _ = writeln!(out, "{}\n", md_cell(&pools_line(a)));
    let _ = writeln!(
        out,
        "| # | tag | pool | verdict | score | bytes first → last | rate | driver | reason |"
    );
    let _ = writeln!(
        out,
        "|--:|-----|------|---------|------:|--------------------|------|--------|--------|"
    );
    for s in a.series.iter().take(top) {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | **{}** | {} | {} → {} | {} | {} | {} |",
            s.rank,
            md_cell(&s.tag).replace('`', "'"),
            s.pool,
            s.verdict.name(),
            score_text(s.score),
            units::bytes(s.bytes_first as f64),
            units::bytes(s.bytes_last as f64),
            rate_text(s),
            md_cell(s.driver.as_deref().unwrap_or("-")),
            md_cell(&s.reason)
        );
    }
    out
}

/// Renders a comparison.
pub fn render_diff(d: &Comparison, format: Format, style: &Style) -> Result<String> {
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(d)
                .map_err(|e| Error::Invalid(format!("json: {e}")))?;
            s.push('\n');
            Ok(s)
        }
        Format::Csv => {
            let mut out = String::from(
                "tag,pool,bytes_before,bytes_after,bytes_change,outstanding_before,outstanding_after,outstanding_change,driver\n",
            );
            for c in &d.changes {
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{}",
                    csv_field(&c.tag),
                    c.pool,
                    c.bytes_before,
                    c.bytes_after,
                    c.bytes_change,
                    c.outstanding_before,
                    c.outstanding_after,
                    c.outstanding_change,
                    csv_field(c.driver.as_deref().unwrap_or(""))
                );
            }
            Ok(out)
        }
        Format::Table | Format::Markdown => {
            let md = format == Format::Markdown;
            let mut out = String::new();
            let when = |t: &Option<String>| {
                t.as_deref()
                    .map(|t| format!(" ({})", t.replace('T', " ")))
                    .unwrap_or_default()
            };
            let _ = writeln!(
                out,
                "{}poolscan diff: before: {}{}, after: {}{}; total {}\n",
                if md { "## " } else { "" },
                d.before.path,
                when(&d.before.time),
                d.after.path,
                when(&d.after.time),
                units::delta_bytes(d.bytes_change as f64)
            );
            if md {
                let _ = writeln!(
                    out,
                    "| tag | pool | bytes before → after | change | outstanding change | driver |"
                );
                let _ = writeln!(
                    out,
                    "|-----|------|----------------------|-------:|-------------------:|--------|"
                );
            } else {
                let _ = writeln!(
                    out,
                    "{:<4}  {:<8}  {:>24}  {:>12}  {:>11}  driver",
                    "tag", "pool", "bytes before -> after", "change", "outstanding"
                );
            }
            for c in d.changes.iter().take(style.top) {
                let ba = format!(
                    "{} -> {}",
                    units::bytes(c.bytes_before as f64),
                    units::bytes(c.bytes_after as f64)
                );
                let drv = c.driver.as_deref().unwrap_or("-");
                if md {
                    let _ = writeln!(
                        out,
                        "| `{}` | {} | {} | {} | {:+} | {} |",
                        md_cell(&c.tag),
                        c.pool,
                        ba.replace("->", "→"),
                        units::delta_bytes(c.bytes_change as f64),
                        c.outstanding_change,
                        md_cell(drv)
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "{:<4}  {:<8}  {:>24}  {:>12}  {:>+11}  {}",
                        c.tag,
                        c.pool,
                        ba,
                        units::delta_bytes(c.bytes_change as f64),
                        c.outstanding_change,
                        cut(drv, style.width.saturating_sub(72).max(10))
                    );
                }
            }
            Ok(out)
        }
    }
}

/// Renders a fleet ranking (`poolscan fleet`).
pub fn render_fleet(f: &crate::fleet::Fleet, format: Format, style: &Style) -> Result<String> {
    let opt_rate = |r: Option<f64>| r.map(units::rate).unwrap_or_else(|| "-".into());
    let counts = |v: Verdict| f.series.iter().filter(|s| s.verdict == v).count();
    let summary = format!(
        "{} leak, {} suspect, {} ok across {} hosts",
        counts(Verdict::Leak),
        counts(Verdict::Suspect),
        counts(Verdict::Ok),
        f.hosts.len()
    );
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(f)
                .map_err(|e| Error::Invalid(format!("json: {e}")))?;
            s.push('\n');
            Ok(s)
        }
        Format::Csv => {
            let mut out = String::from(
                "rank,tag,pool,verdict,score,hosts_seen,hosts_leak,hosts_suspect,median_bytes_per_hour,max_bytes_per_hour,driver,leak_hosts,reason\n",
            );
            for s in &f.series {
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{},{},{},{},{}",
                    s.rank,
                    csv_field(&s.tag),
                    s.pool,
                    s.verdict.name(),
                    s.score,
                    s.hosts_seen,
                    s.hosts_leak,
                    s.hosts_suspect,
                    opt(s.median_bytes_per_hour),
                    opt(s.max_bytes_per_hour),
                    csv_field(s.driver.as_deref().unwrap_or("")),
                    csv_field(&s.leak_hosts.join(";")),
                    csv_field(&s.reason)
                );
            }
            Ok(out)
        }
        Format::Markdown => {
            let mut out = format!("## poolscan fleet: {summary}\n\n");
            let _ = writeln!(
                out,
                "| # | tag | pool | verdict | score | hosts leak / suspect / seen | median rate | max rate | driver | reason |"
            );
            let _ = writeln!(
                out,
                "|--:|-----|------|---------|------:|----------------------------:|------------:|---------:|--------|--------|"
            );
            for s in f.series.iter().take(style.top) {
                let _ = writeln!(
                    out,
                    "| {} | `{}` | {} | **{}** | {} | {} / {} / {} | {} | {} | {} | {} |",
                    s.rank,
                    md_cell(&s.tag).replace('`', "'"),
                    s.pool,
                    s.verdict.name(),
                    score_text(s.score),
                    s.hosts_leak,
                    s.hosts_suspect,
                    s.hosts_seen,
                    opt_rate(s.median_bytes_per_hour),
                    opt_rate(s.max_bytes_per_hour),
                    md_cell(s.driver.as_deref().unwrap_or("-")),
                    md_cell(&s.reason)
                );
            }
            Ok(out)
        }
        Format::Table => {
            let mut out = String::new();
            for h in &f.hosts {
                let hours = h.hours.map(units::hours).unwrap_or_else(|| "-".into());
                let _ = writeln!(
                    out,
                    "host {}: {} snapshots over {}, {} leak, {} suspect{}",
                    h.name,
                    h.snapshots,
                    hours,
                    h.leak,
                    h.suspect,
                    if h.skipped_lines > 0 {
                        format!(", {} lines skipped", h.skipped_lines)
                    } else {
                        String::new()
                    }
                );
            }
            let _ = writeln!(out);
            let head = [
                "rank",
                "tag",
                "pool",
                "verdict",
                "score",
                "leak/susp/seen",
                "median rate",
                "max rate",
                "driver",
                "reason",
            ];
            let rows: Vec<&crate::fleet::FleetSeries> = f.series.iter().take(style.top).collect();
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|s| {
                    vec![
                        s.rank.to_string(),
                        s.tag.clone(),
                        s.pool.to_string(),
                        s.verdict.name().to_string(),
                        score_text(s.score),
                        format!("{}/{}/{}", s.hosts_leak, s.hosts_suspect, s.hosts_seen),
                        opt_rate(s.median_bytes_per_hour),
                        opt_rate(s.max_bytes_per_hour),
                        s.driver.clone().unwrap_or_else(|| "-".into()),
                        s.reason.clone(),
                    ]
                })
                .collect();
            let verdicts: Vec<Verdict> = rows.iter().map(|s| s.verdict).collect();
            aligned(&mut out, &head, &cells, &verdicts, &[0, 4, 5, 6, 7], style);
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "{summary} (top {} shown; --top N for more, --format json for every series)",
                rows.len()
            );
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_scores_never_round_up_across_a_threshold() {
        assert_eq!(score_text(0.348), "0.34");
        assert_eq!(score_text(crate::analysis::LEAK_AT), "0.35");
        assert_eq!(score_text(1.0), "1.00");
        assert_eq!(score_text(0.0), "0.00");
    }
}
