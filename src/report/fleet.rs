//! A fleet (`poolscan fleet`) in every format.

use super::*;

/// Renders a fleet ranking (`poolscan fleet`).
pub fn render_fleet(
    f: &crate::fleet::Fleet,
    format: ReportFormat,
    style: &Style,
) -> Result<String> {
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
        ReportFormat::Json => {
            let mut s = serde_json::to_string_pretty(f)
                .map_err(|e| Error::Invalid(format!("json: {e}")))?;
            s.push('\n');
            Ok(s)
        }
        ReportFormat::Csv => {
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
        ReportFormat::Markdown => {
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
            if let Some(c) = short_captures(f) {
                let _ = writeln!(out, "\n> {}", md_cell(&c));
            }
            Ok(out)
        }
        ReportFormat::Table => {
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
            if let Some(c) = short_captures(f) {
                let _ = writeln!(out, "{c}");
            }
            Ok(out)
        }
    }
}

/// The caution under a fleet ranking when a fleet `leak` rests on hosts whose
/// captures span less than a day or have no timestamps: as on one host (see
/// the analysis' caution), a daily cycle or a warming cache is not ruled out,
/// and hosts that share a workload rise together. `None` when no fleet `leak`
/// has such a host (one where it is a `leak` or a `suspect`).
fn short_captures(f: &crate::fleet::Fleet) -> Option<String> {
    // The hosts a fleet `leak` rests on: those where it is a `leak` or a `suspect`.
    let behind: std::collections::HashSet<&str> = f
        .series
        .iter()
        .filter(|s| s.verdict == Verdict::Leak)
        .flat_map(|s| s.leak_hosts.iter().chain(&s.suspect_hosts))
        .map(String::as_str)
        .collect();
    let short: Vec<&str> = f
        .hosts
        .iter()
        .filter(|h| h.under_a_day() && behind.contains(h.name.as_str()))
        .map(|h| h.name.as_str())
        .collect();
    if short.is_empty() {
        return None;
    }
    const NAMED: usize = 5;
    let mut names = short[..short.len().min(NAMED)].join(", ");
    if short.len() > NAMED {
        names.push_str(&format!(" and {} more", short.len() - NAMED));
    }
    let hosts = if short.len() == 1 {
        format!("host ({names}) whose capture spans less than a day or has no timestamps")
    } else {
        format!("hosts ({names}) whose captures span less than a day or have no timestamps")
    };
    Some(format!(
        "Caution: a fleet `leak` rests on {} {hosts}: {}, on every host that shares the workload. Confirm a `leak` on captures of 24 h or more before filing it.",
        short.len(),
        super::analysis::SHORT_SPAN_RISK
    ))
}
