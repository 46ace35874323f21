//! One analysis for people and programs: the aligned table, CSV and Markdown
//! (JSON is the schema itself).

use super::*;

/// Renders an analysis.
pub fn render(a: &Analysis, format: ReportFormat, style: &Style) -> Result<String> {
    match format {
        ReportFormat::Json => json(a),
        ReportFormat::Csv => Ok(csv(a)),
        ReportFormat::Table => Ok(table(a, style)),
        ReportFormat::Markdown => Ok(markdown(a, style.top)),
    }
}

pub(super) fn csv(a: &Analysis) -> String {
    // The columns of the `analysis` table, in its order.
    let mut out = crate::table::ANALYSIS_COLUMNS.join(",");
    out.push('\n');
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
pub(super) fn headline(a: &Analysis) -> String {
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
    let wraps = match a.counter_wraps {
        0 => String::new(),
        1 => " (1 counter wrapped past 2^32, read as such)".to_string(),
        n => format!(" ({n} counters wrapped past 2^32, read as such)"),
    };
    format!(
        "{}: {} snapshots{}, {} epoch{}, {} series{wraps}",
        paths.join(", "),
        a.snapshots,
        span,
        a.epochs,
        if a.epochs == 1 { "" } else { "s" },
        a.series.len()
    )
}

/// The caution printed under a table of verdicts when a `leak` comes from a
/// capture [`Analysis::under_a_day`]: a daily cycle or a warming cache is not
/// ruled out (on machine-like logs, nearly every false `leak` is of these, on
/// such captures). `None` on a capture of a day or more, or with no `leak`.
pub(super) fn short_capture(a: &Analysis) -> Option<String> {
    if !a.under_a_day() || counts(a).0 == 0 {
        return None;
    }
    let span = match a.hours {
        Some(h) => format!("this capture spans {}, less than a day", units::hours(h)),
        None => "this log has no timestamps, so it may span less than a day (give --interval)"
            .to_string(),
    };
    Some(format!(
        "Caution: {span}: {SHORT_SPAN_RISK}. Confirm a `leak` on a capture of 24 h or more before filing it."
    ))
}

/// Why a rise over less than a day is not yet a leak: the part every
/// short-capture caution shares (one host's, [`short_capture`], and a
/// fleet's).
pub(super) const SHORT_SPAN_RISK: &str = "a tag that follows the day's workload, or a cache still warming up, can rise like a leak over such a span";

/// Pool totals in one line.
pub(super) fn pools_line(a: &Analysis) -> String {
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
pub(super) fn counts(a: &Analysis) -> (usize, usize, usize) {
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

pub(super) fn table(a: &Analysis, style: &Style) -> String {
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
    if let Some(c) = short_capture(a) {
        let _ = writeln!(out, "{c}");
    }
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

pub(super) fn markdown(a: &Analysis, top: usize) -> String {
    let mut out = String::new();
    let (leak, suspect, ok) = counts(a);
    let _ = writeln!(
        out,
        "## poolscan: {leak} leak, {suspect} suspect, {ok} ok\n"
    );
    let _ = writeln!(out, "{}  ", md_cell(&headline(a)));
    let _ = writeln!(out, "{}\n", md_cell(&pools_line(a)));
    if let Some(c) = short_capture(a) {
        let _ = writeln!(out, "> {}\n", md_cell(&c));
    }
    for b in &a.boots {
        let when = b
            .time
            .as_deref()
            .map(|t| format!(" ({})", t.replace('T', " ")));
        let _ = writeln!(
            out,
            "- Reboot read before snapshot {}{}: {}.",
            b.snapshot + 1,
            when.unwrap_or_default(),
            md_cell(&b.why)
        );
    }
    if !a.boots.is_empty() {
        let _ = writeln!(out);
    }
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
