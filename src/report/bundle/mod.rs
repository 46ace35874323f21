//! The bug-report bundles: `analyze --out DIR` (`report.md`, `report.json`
//! and `charts/`, this file) and `fleet --out DIR` ([`fleet`]). Each is
//! written to a temporary directory beside DIR and renamed into place, so a
//! failure never leaves half a bundle.

use std::fmt::Write as _;
use std::path::Path;

use crate::analysis::{self, Analysis, SeriesReport, Verdict};
use crate::chart::{self, Axis, ChartFormat, Trace, TrendLine};
use crate::error::{Error, Result};
use crate::io;
use crate::log::{Log, TimeSource};
use crate::report::{self, md_cell};
use crate::units;

pub mod fleet;

/// Charts drawn for suspects at most.
pub(crate) const MAX_CHARTS: usize = 10;

/// The series that get their own chart: leaks and suspects, at most [`MAX_CHARTS`].
pub(crate) fn charted(a: &Analysis) -> Vec<&SeriesReport> {
    a.series
        .iter()
        .filter(|s| s.verdict != Verdict::Ok)
        .take(MAX_CHARTS)
        .collect()
}

fn chart_err(e: chart::ChartError) -> Error {
    let chart::ChartError::Draw { path, reason } = e;
    Error::Chart { path, reason }
}

/// Curve (x, bytes) and (x, outstanding) of one series, x in chart units.
type Curve = Vec<(f64, f64)>;

fn points(log: &Log, a: &Analysis, series_id: u32) -> (Curve, Curve) {
    let mut b = Vec::new();
    let mut d = Vec::new();
    for (i, s) in log.snapshots.iter().enumerate() {
        // Rows are few per snapshot relative to the log; a linear scan per chart is fine.
        for r in s.rows.clone() {
            if log.rows.series[r] == series_id {
                let x = x_of(a, i);
                b.push((x, log.rows.bytes(r) as f64));
                d.push((x, log.rows.diff(r) as f64));
                break;
            }
        }
    }
    (b, d)
}

/// One series' points as `(snapshot, bytes)`, in snapshot order.
fn bytes_by_snapshot(log: &Log, series_id: u32) -> Vec<(usize, f64)> {
    let mut out = Vec::new();
    for (i, s) in log.snapshots.iter().enumerate() {
        for r in s.rows.clone() {
            if log.rows.series[r] == series_id {
                out.push((i, log.rows.bytes(r) as f64));
                break;
            }
        }
    }
    out
}

/// The fitted trend of each segment of `s`, in chart coordinates.
fn trend_lines(a: &Analysis, s: &SeriesReport) -> Vec<TrendLine> {
    s.trends
        .iter()
        .map(|t| {
            (
                (x_of(a, t.from_snapshot as usize), t.start_bytes),
                (x_of(a, t.to_snapshot as usize), t.end_bytes),
            )
        })
        .collect()
}

/// The floor each segment of `s` was judged on ([`analysis::judged_floor`]
/// on the segments its trends span), in chart coordinates, and its legend text.
fn floor_points(log: &Log, a: &Analysis, s: &SeriesReport) -> (Vec<(f64, f64)>, String) {
    let pts = bytes_by_snapshot(log, s.series_id);
    let mut out = Vec::new();
    let (mut troughs, mut windows) = (false, Vec::new());
    for t in &s.trends {
        let (from, to) = (t.from_snapshot as usize, t.to_snapshot as usize);
        let seg: Vec<(f64, f64)> = pts
            .iter()
            .filter(|&&(i, _)| i >= from && i <= to)
            .map(|&(i, y)| (x_of(a, i), y))
            .collect();
        let Some(&(x0, _)) = seg.first() else {
            continue;
        };
        // Hours from the segment's start on a time axis (the clock the
        // analysis judges on), snapshot numbers otherwise.
        let scale = match axis(a) {
            Axis::Time => 3_600_000.0,
            Axis::Ordinal => 1.0,
        };
        let x: Vec<f64> = seg.iter().map(|p| (p.0 - x0) / scale).collect();
        let y: Vec<f64> = seg.iter().map(|p| p.1).collect();
        let f = analysis::judged_floor(&x, &y);
        troughs |= f.troughs;
        if !f.troughs {
            // The windows that held points (a gap in the log leaves some empty).
            windows.push(f.points.len());
        }
        out.extend(f.points.into_iter().map(|(h, b)| (x0 + h * scale, b)));
    }
    let label = match (troughs, windows.as_slice()) {
        (true, []) => "floor judged: the sawtooth's troughs".to_string(),
        (true, _) => "floor judged: troughs, or 10th percentile per window".to_string(),
        (false, [w]) => format!("floor judged: 10th percentile of {w} windows"),
        (false, _) => "floor judged: 10th percentile per window".to_string(),
    };
    (out, label)
}

fn axis(a: &Analysis) -> Axis {
    if a.time_source == TimeSource::Ordinal || a.times_ms.iter().any(Option::is_none) {
        Axis::Ordinal
    } else {
        Axis::Time
    }
}

fn x_of(a: &Analysis, snap: usize) -> f64 {
    match axis(a) {
        Axis::Time => a.times_ms.get(snap).copied().flatten().unwrap_or(0) as f64,
        Axis::Ordinal => snap as f64,
    }
}

/// x values where a new epoch starts.
fn boundaries(a: &Analysis) -> Vec<f64> {
    (1..a.snapshot_epochs.len())
        .filter(|&i| a.snapshot_epochs[i] != a.snapshot_epochs[i - 1])
        .map(|i| x_of(a, i))
        .collect()
}

/// Writes the bundle.
pub fn write(dir: &Path, log: &Log, a: &Analysis, kind: ChartFormat, force: bool) -> Result<()> {
    io::check_target(dir, force)?;
    io::write_dir(dir, |tmp| fill(tmp, log, a, kind))
}

fn fill(tmp: &Path, log: &Log, a: &Analysis, kind: ChartFormat) -> Result<()> {
    let charts = tmp.join("charts");
    std::fs::create_dir_all(&charts).map_err(|source| Error::Write {
        path: charts.clone(),
        source,
    })?;
    let ax = axis(a);
    let bounds = boundaries(a);
    let ext = kind.extension();

    // overview: the top suspects (or the top five when nothing is suspect).
    let mut top: Vec<&SeriesReport> = charted(a).into_iter().take(8).collect();
    let not_ok = a.series.iter().filter(|s| s.verdict != Verdict::Ok).count();
    let title = if not_ok > top.len() {
        format!("Top {} of {not_ok} suspects: bytes in use", top.len())
    } else if top.is_empty() {
        "No suspects: the top series' bytes in use".to_string()
    } else {
        "Top suspects: bytes in use".to_string()
    };
    if top.is_empty() {
        top = a.series.iter().take(5).collect();
    }
    let lines: Vec<Trace> = top
        .iter()
        .map(|s| Trace {
            label: format!("{}. {} {}: {}", s.rank, s.tag, s.pool, s.verdict.name()),
            detail: format!(
                "{}, {} → {}",
                rate(s),
                units::bytes(s.bytes_first as f64),
                units::bytes(s.bytes_last as f64)
            ),
            points: points(log, a, s.series_id).0,
            trends: trend_lines(a, s),
        })
        .collect();
    let overview = charts.join(format!("overview.{ext}"));
    chart::overview(&overview, kind, ax, &title, &lines, &bounds).map_err(chart_err)?;

    // pools: totals per snapshot, from the summary lines when every snapshot has them.
    let mut nonpaged = Vec::new();
    let mut paged = Vec::new();
    for (i, s) in log.snapshots.iter().enumerate() {
        if s.partial {
            continue;
        }
        let x = x_of(a, i);
        let (np, p) = match (s.summary.pool_nonpaged_k, s.summary.pool_paged_k) {
            (Some(np), Some(p)) => (np as f64 * 1024.0, p as f64 * 1024.0),
            _ => {
                let mut t = [0f64; 2];
                for r in s.rows.clone() {
                    t[log.series[log.rows.series[r] as usize].pool as usize] +=
                        log.rows.bytes(r) as f64;
                }
                (t[0], t[1])
            }
        };
        nonpaged.push((x, np));
        paged.push((x, p));
    }
    let pools = charts.join(format!("pools.{ext}"));
    let budget = budget(a);
    chart::pools(
        &pools,
        kind,
        ax,
        "Pool totals",
        &nonpaged,
        &paged,
        &bounds,
        budget.as_ref(),
    )
    .map_err(chart_err)?;

    // One chart per suspect.
    let mut files = Vec::new();
    for s in charted(a) {
        let name = format!("{}.{ext}", chart::file_name(s.rank, &s.tag, s.pool));
        suspect_chart(&charts.join(&name), kind, log, a, s)?;
        files.push((s, name));
    }

    let json = report::render(a, report::ReportFormat::Json, &report::Style::default())?;
    io::write_bytes(&tmp.join("report.json"), json.as_bytes())?;
    let md = markdown(a, &files, ext);
    io::write_bytes(&tmp.join("report.md"), md.as_bytes())?;
    Ok(())
}

/// `--budget` as the pools chart draws it: the line and when each pool reaches it.
fn budget(a: &Analysis) -> Option<chart::Budget> {
    let bytes = a.budget_bytes? as f64;
    let parts: Vec<String> = a
        .pools
        .iter()
        .map(|(name, p)| match (p.hours_to_budget, p.kib_per_hour) {
            (Some(h), _) if h <= 0.0 => format!("{name} is already over it"),
            (Some(h), Some(r)) => format!(
                "{name} reaches it in {} (at {} over the last boot)",
                units::hours(h),
                units::rate(r * 1024.0)
            ),
            (Some(h), None) => format!("{name} reaches it in {}", units::hours(h)),
            (None, Some(_)) => format!("{name} is not growing"),
            (None, None) => format!("{name}: no rate (no time axis)"),
        })
        .collect();
    Some(chart::Budget {
        bytes,
        note: format!("Budget {}: {}.", units::bytes(bytes), parts.join("; ")),
    })
}

/// Draws one series' chart (bytes, outstanding allocations, the judged
/// floor, fitted trends, reboots, and a caption with the verdict) to `path`.
pub(crate) fn suspect_chart(
    path: &Path,
    kind: ChartFormat,
    log: &Log,
    a: &Analysis,
    s: &SeriesReport,
) -> Result<()> {
    let (b, d) = points(log, a, s.series_id);
    let trends = trend_lines(a, s);
    let (floor, floor_label) = floor_points(log, a, s);
    let title = format!(
        "{} {}{}",
        s.tag,
        s.pool,
        s.driver
            .as_deref()
            .map(|d| format!(" {d}"))
            .unwrap_or_default(),
    );
    let share = if s.pool_share > 0.0 {
        format!(
            ", {} of the {} pool",
            share(s.pool_share),
            s.pool.to_lowercase()
        )
    } else {
        String::new()
    };
    let summary = format!(
        "{}{share}, {} → {}, score {}",
        rate(s),
        units::bytes(s.bytes_first as f64),
        units::bytes(s.bytes_last as f64),
        report::score_text(s.score)
    );
    let c = chart::SuspectChart {
        title: &title,
        verdict: s.verdict.name(),
        summary: &summary,
        reason: &s.reason,
        bytes: &b,
        outstanding: &d,
        floor: &floor,
        floor_label: &floor_label,
        trends: &trends,
        boundaries: &boundaries(a),
    };
    chart::suspect(path, kind, axis(a), &c).map_err(chart_err)
}

/// A share of the pool: "3.2%", or "0.04%" when small.
fn share(f: f64) -> String {
    let pct = f * 100.0;
    if pct >= 1.0 {
        format!("{pct:.1}%")
    } else {
        format!("{pct:.2}%")
    }
}

fn rate(s: &SeriesReport) -> String {
    match s.bytes_per_hour {
        Some(r) => units::rate(r),
        None => format!("{}/snapshot", units::delta_bytes(s.bytes_per_snapshot)),
    }
}

/// What to do next for a suspect.
fn next_steps(s: &SeriesReport) -> String {
    let pool_flag = if s.pool == "Paged" {
        "paged"
    } else {
        "nonpaged"
    };
    format!(
        "Next: find the allocating code with a pool-tag breakpoint (`ed nt!PoolHitTag '{tag}'` in WinDbg, or `!poolfind {tag}`), \
         run the owning driver under Driver Verifier with pool tracking (`verifier /flags 0x9 /driver <name>.sys`, then `!verifier 3` \
         for outstanding allocations), or record a WPR pool trace (`wpr -start Pool -filemode`, reproduce, `wpr -stop pool.etl`) and \
         group {pool_flag} allocations of tag `{tag}` by stack in WPA.",
        tag = s.tag
    )
}

/// `report.md`: summary, table, a paragraph per suspect with its chart.
pub fn markdown(a: &Analysis, files: &[(&SeriesReport, String)], ext: &str) -> String {
    let mut out = report::render(
        a,
        report::ReportFormat::Markdown,
        &report::Style {
            top: 15,
            color: false,
            width: 200,
        },
    )
    .unwrap_or_default();
    let _ = writeln!(out, "\n![Top suspects](charts/overview.{ext})\n");
    let _ = writeln!(out, "![Pool totals](charts/pools.{ext})\n");
    if files.is_empty() {
        let _ = writeln!(
            out,
            "No series reached `suspect`: nothing here looks like a leak.\n"
        );
    }
    for (s, file) in files {
        let _ = writeln!(
            out,
            "### {}. `{}` {}: {}\n",
            s.rank,
            md_cell(&s.tag),
            s.pool,
            s.verdict.name()
        );
        let share = if s.pool_share > 0.0 {
            format!(
                ", {:.1}% of {} pool",
                s.pool_share * 100.0,
                s.pool.to_lowercase()
            )
        } else {
            String::new()
        };
        let driver = s
            .driver
            .as_deref()
            .map(|d| format!(" Driver: {}.", md_cell(d)))
            .unwrap_or_else(|| " Driver: unknown (give `--pooltag pooltag.txt`).".into());
        let _ = writeln!(
            out,
            "{} → {} ({}{share}), score {}.{driver} Why: {}.\n",
            units::bytes(s.bytes_first as f64),
            units::bytes(s.bytes_last as f64),
            rate(s),
            report::score_text(s.score),
            md_cell(&s.reason)
        );
        let _ = writeln!(out, "{}\n", next_steps(s));
        let _ = writeln!(out, "![{} {}](charts/{})\n", md_cell(&s.tag), s.pool, file);
    }
    let _ = writeln!(
        out,
        "---\nA pool tag names an allocation site family, not a call stack: confirm the owner with PoolHitTag, Driver Verifier or a WPR pool trace before filing. Generated by poolscan {}.",
        env!("CARGO_PKG_VERSION")
    );
    out
}
