//! A comparison of two logs (`poolscan diff`) in every format.

use super::*;

/// Renders a comparison.
pub fn render_diff(d: &Comparison, format: ReportFormat, style: &Style) -> Result<String> {
    match format {
        ReportFormat::Json => {
            let mut s = serde_json::to_string_pretty(d)
                .map_err(|e| Error::Invalid(format!("json: {e}")))?;
            s.push('\n');
            Ok(s)
        }
        ReportFormat::Csv => {
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
        ReportFormat::Table | ReportFormat::Markdown => {
            let md = format == ReportFormat::Markdown;
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
