//! The fleet bundle: `fleet.md`, `fleet.json`, the fleet chart and each
//! host's charts of the series the fleet suspects.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::analysis::{self, Verdict};
use crate::error::{Error, Result};
use crate::fleet::{for_each_host, Fleet, FleetSeries, Host};
use crate::io;
use crate::log::ReadOptions;
use crate::parse::pooltag::TagDb;
use crate::table::dataset::partition_dir;

/// Series of the fleet that get charts: leaks and suspects, at most `max`
/// (the top five when nothing is suspect).
pub(crate) fn charted(f: &Fleet, max: usize) -> Vec<&FleetSeries> {
    let mut top: Vec<&FleetSeries> = f
        .series
        .iter()
        .filter(|s| s.verdict != Verdict::Ok)
        .take(max)
        .collect();
    if top.is_empty() {
        top = f.series.iter().take(max.min(5)).collect();
    }
    top
}

/// Hosts charted per fleet series in the bundle.
pub(crate) const HOSTS_PER_SERIES: usize = 4;

/// Writes the fleet bundle to DIR (through a temporary directory renamed into
/// place): `fleet.md`, `fleet.json`, `charts/fleet.EXT` (the growth rate of
/// the top series on every host) and `charts/HOST/NN-TAG-POOL.EXT` (the top
/// series on the hosts where they leak). Hosts with charts are read again,
/// so memory stays bounded by the hosts in flight.
#[allow(clippy::too_many_arguments)]
pub fn write_bundle(
    dir: &Path,
    f: &Fleet,
    hosts: &[Host],
    read: &ReadOptions,
    opts: &analysis::Options,
    tags: Option<&TagDb>,
    kind: crate::chart::ChartFormat,
    force: bool,
) -> Result<()> {
    io::check_target(dir, force)?;
    io::write_dir(dir, |tmp| {
        fill_bundle(tmp, f, hosts, read, opts, tags, kind)
    })
}

fn fill_bundle(
    tmp: &Path,
    f: &Fleet,
    hosts: &[Host],
    read: &ReadOptions,
    opts: &analysis::Options,
    tags: Option<&TagDb>,
    kind: crate::chart::ChartFormat,
) -> Result<()> {
    use crate::chart;
    let ext = kind.extension();
    let charts = tmp.join("charts");
    std::fs::create_dir_all(&charts).map_err(|source| Error::Write {
        path: charts.clone(),
        source,
    })?;
    let top = charted(f, 12);
    // The fleet chart: one row per top series, one dot per host.
    let mut per: HashMap<(&str, &str), Vec<(f64, u8)>> = HashMap::new();
    for h in &f.hosts {
        for s in &h.series {
            if let Some(r) = s.bytes_per_hour {
                per.entry((s.tag.as_str(), s.pool))
                    .or_default()
                    .push((r, s.verdict as u8));
            }
        }
    }
    let rows: Vec<chart::FleetRow> = top
        .iter()
        .map(|s| chart::FleetRow {
            label: format!(
                "{} {}: {} on {}/{}",
                s.tag,
                s.pool,
                s.verdict.name(),
                s.hosts_leak,
                s.hosts_seen
            ),
            hosts: per
                .get(&(s.tag.as_str(), s.pool))
                .cloned()
                .unwrap_or_default(),
        })
        .collect();
    chart::fleet(
        &charts.join(format!("fleet.{ext}")),
        kind,
        &format!("Growth per host of the top {} series", rows.len()),
        &rows,
    )
    .map_err(|chart::ChartError::Draw { path, reason }| Error::Chart { path, reason })?;

    // Per-host charts of the top series that are not ok, on the hosts where they leak.
    let mut wanted: BTreeMap<&str, Vec<&FleetSeries>> = BTreeMap::new();
    for s in top.iter().filter(|s| s.verdict != Verdict::Ok).take(5) {
        for h in s
            .leak_hosts
            .iter()
            .chain(&s.suspect_hosts)
            .take(HOSTS_PER_SERIES)
        {
            wanted.entry(h.as_str()).or_default().push(s);
        }
    }
    let again: Vec<Host> = hosts
        .iter()
        .filter(|h| wanted.contains_key(h.name.as_str()))
        .cloned()
        .collect();
    let files: Vec<Vec<(usize, String, String)>> =
        for_each_host(&again, read, opts, tags, |h, log, a| {
            let sub = partition_dir(&h.name)["host=".len()..].to_string();
            let d = charts.join(&sub);
            std::fs::create_dir_all(&d).map_err(|source| Error::Write {
                path: d.clone(),
                source,
            })?;
            let mut made = Vec::new();
            for fs in wanted.get(h.name.as_str()).into_iter().flatten() {
                let Some(s) = a
                    .series
                    .iter()
                    .find(|s| s.tag == fs.tag && s.pool == fs.pool)
                else {
                    continue;
                };
                let name = format!("{}.{ext}", chart::file_name(fs.rank, &fs.tag, fs.pool));
                super::suspect_chart(&d.join(&name), kind, log, a, s)?;
                made.push((fs.rank, h.name.clone(), format!("charts/{sub}/{name}")));
            }
            Ok(made)
        })?;
    let mut files: Vec<(usize, String, String)> = files.into_iter().flatten().collect();
    files.sort();

    let json =
        crate::report::render_fleet(f, crate::report::ReportFormat::Json, &Default::default())?;
    io::write_bytes(&tmp.join("fleet.json"), json.as_bytes())?;
    let mut md = crate::report::render_fleet(
        f,
        crate::report::ReportFormat::Markdown,
        &crate::report::Style {
            top: 20,
            ..Default::default()
        },
    )?;
    md.push_str(&format!("\n![growth per host](charts/fleet.{ext})\n"));
    for s in top.iter().filter(|s| s.verdict != Verdict::Ok).take(5) {
        md.push_str(&format!(
            "\n### {}. `{}` {}: {}\n\n{}\n",
            s.rank,
            s.tag.replace('`', "'"),
            s.pool,
            s.verdict.name(),
            crate::report::md_cell(&s.reason)
        ));
        for (_, host, file) in files.iter().filter(|(r, _, _)| *r == s.rank) {
            md.push_str(&format!("\n{host}:\n\n![{} on {host}]({file})\n", s.tag));
        }
    }
    io::write_bytes(&tmp.join("fleet.md"), md.as_bytes())?;
    Ok(())
}
