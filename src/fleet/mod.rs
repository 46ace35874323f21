//! `poolscan fleet`: the same ranking on every host, then agreement across hosts.
//!
//! Each input is one host. Hosts are read and ranked a few at a time (one per
//! worker thread), and only their rankings are kept, so memory is bounded by
//! the largest hosts in flight, never by the fleet. Then, per (tag, pool), the
//! hosts' verdicts are counted and weighed by [`verdict`]: one noisy host is
//! not a fleet leak, the same slow leak on many hosts is.
//!
//! The same aggregation is written as standard SQL in `examples/fleet.sql`
//! over the dataset that `poolscan export --partition-by host` writes
//! ([`write_dataset`]); a test checks that both agree.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::{self, Analysis, Verdict};
use crate::atomic;
use crate::error::{Error, Result};
use crate::frame;
use crate::input::{self, Input};
use crate::log::{self, Log, ReadOptions};
use crate::pooltag::TagDb;
use crate::units;

/// One host: a name and the inputs read for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// The host name (from the file or directory name, or `--host-from`).
    pub name: String,
    /// Its inputs, merged by time like `analyze` merges several files.
    pub inputs: Vec<Input>,
}

/// Groups the user's arguments into hosts.
///
/// A directory is one host named after the directory; a file is one host
/// named after the file without its `.log`, `.txt`, `.gz`, `.zst`
/// extensions. With `host_from`, the host is the regular expression's first
/// capture group (or its whole match) in the argument as given. Arguments that
/// name the same host are read together as one host.
pub fn hosts<S: AsRef<str>>(args: &[S], host_from: Option<&regex::Regex>) -> Result<Vec<Host>> {
    let mut out: Vec<Host> = Vec::new();
    for a in args {
        let a = a.as_ref();
        if a == "-" {
            return Err(Error::Invalid(
                "fleet: standard input cannot be a host: give one file or directory per host"
                    .into(),
            ));
        }
        let name = match host_from {
            Some(re) => {
                let caps = re.captures(a).ok_or_else(|| {
                    Error::Invalid(format!("{a}: --host-from {:?} does not match", re.as_str()))
                })?;
                caps.get(1)
                    .or_else(|| caps.get(0))
                    .map(|m| m.as_str().to_string())
                    .unwrap_or_default()
            }
            None => host_name(Path::new(a)),
        };
        if name.is_empty() {
            return Err(Error::Invalid(format!("{a}: cannot name a host after it")));
        }
        let inputs = input::expand(&[a])?;
        match out.iter_mut().find(|h| h.name == name) {
            Some(h) => h.inputs.extend(inputs),
            None => out.push(Host { name, inputs }),
        }
    }
    if out.is_empty() {
        return Err(Error::Invalid("fleet: no hosts given".into()));
    }
    Ok(out)
}

/// The host a path names: a directory's name, or a file's name without its
/// `.log`, `.txt`, `.gz`, `.zst` extensions (`logs/web-07.log.gz` → `web-07`).
pub fn host_name(path: &Path) -> String {
    let mut name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    if path.is_dir() {
        return name;
    }
    loop {
        let lower = name.to_ascii_lowercase();
        let cut = [".gz", ".zst", ".zstd", ".log", ".txt"]
            .iter()
            .find(|e| lower.ends_with(*e) && lower.len() > e.len());
        match cut {
            Some(e) => name.truncate(name.len() - e.len()),
            None => return name,
        }
    }
}

/// What one host's analysis says about one series.
#[derive(Debug, Clone, Serialize)]
pub struct HostSeries {
    /// Pool tag.
    pub tag: String,
    /// `Paged` or `Nonpaged`.
    pub pool: &'static str,
    /// The host's verdict.
    pub verdict: Verdict,
    /// The host's score in [0, 1].
    pub score: f64,
    /// Growth per hour on this host (null without timestamps).
    pub bytes_per_hour: Option<f64>,
    /// Bytes in the host's last snapshot of the series.
    pub bytes_last: u64,
    /// Driver, when known.
    pub driver: Option<String>,
}

/// One host's summary in the fleet report.
#[derive(Debug, Clone, Serialize)]
pub struct HostReport {
    /// Host name.
    pub name: String,
    /// The inputs read for it.
    pub inputs: Vec<String>,
    /// Snapshots read.
    pub snapshots: usize,
    /// Hours covered (null without timestamps).
    pub hours: Option<f64>,
    /// Reboots seen plus one.
    pub epochs: u32,
    /// Lines that could not be read.
    pub skipped_lines: u64,
    /// Series with a `leak` verdict on this host.
    pub leak: usize,
    /// Series with a `suspect` verdict on this host.
    pub suspect: usize,
    /// Every series ranked on this host (not serialised; see `series` of the fleet).
    #[serde(skip)]
    pub series: Vec<HostSeries>,
}

impl HostReport {
    /// Summarises one host's analysis.
    pub fn new(name: &str, log: &Log, a: &Analysis) -> Self {
        HostReport {
            name: name.to_string(),
            inputs: a.inputs.iter().map(|i| i.path.clone()).collect(),
            snapshots: a.snapshots,
            hours: a.hours,
            epochs: a.epochs,
            skipped_lines: log.skipped_lines(),
            leak: a
                .series
                .iter()
                .filter(|s| s.verdict == Verdict::Leak)
                .count(),
            suspect: a
                .series
                .iter()
                .filter(|s| s.verdict == Verdict::Suspect)
                .count(),
            series: a
                .series
                .iter()
                .map(|s| HostSeries {
                    tag: s.tag.clone(),
                    pool: s.pool,
                    verdict: s.verdict,
                    score: s.score,
                    bytes_per_hour: s.bytes_per_hour,
                    bytes_last: s.bytes_last,
                    driver: s.driver.clone(),
                })
                .collect(),
        }
    }
}

/// One (tag, pool) across the fleet.
#[derive(Debug, Clone, Serialize)]
pub struct FleetSeries {
    /// 1-based rank.
    pub rank: usize,
    /// Pool tag.
    pub tag: String,
    /// `Paged` or `Nonpaged`.
    pub pool: &'static str,
    /// The fleet verdict ([`verdict`]).
    pub verdict: Verdict,
    /// The fleet score in [0, 1] ([`score`]).
    pub score: f64,
    /// Hosts whose logs hold the series.
    pub hosts_seen: usize,
    /// Hosts where it is a `leak`.
    pub hosts_leak: usize,
    /// Hosts where it is a `suspect`.
    pub hosts_suspect: usize,
    /// Median growth per hour over the hosts that have a rate.
    pub median_bytes_per_hour: Option<f64>,
    /// Largest growth per hour.
    pub max_bytes_per_hour: Option<f64>,
    /// Mean host score over the hosts seen.
    pub mean_host_score: f64,
    /// Driver, when a host knows it.
    pub driver: Option<String>,
    /// Hosts with a `leak` verdict, by host score.
    pub leak_hosts: Vec<String>,
    /// Hosts with a `suspect` verdict, by host score.
    pub suspect_hosts: Vec<String>,
    /// Why, in one line.
    pub reason: String,
}

/// The `poolscan.fleet/1` document.
#[derive(Debug, Clone, Serialize)]
pub struct Fleet {
    /// `"poolscan.fleet/1"`.
    pub schema: &'static str,
    /// poolscan's version.
    pub version: &'static str,
    /// Every host, in the order given.
    pub hosts: Vec<HostReport>,
    /// Every (tag, pool) seen on any host, ranked.
    pub series: Vec<FleetSeries>,
}

/// Weighted agreement: hosts with a `leak` count 1, hosts with a `suspect` ½.
pub fn support(leak: usize, suspect: usize) -> f64 {
    leak as f64 + 0.5 * suspect as f64
}

/// Agreement needed for a fleet `leak`: two hosts' worth, and a tenth of the hosts seen.
pub fn needed(seen: usize) -> f64 {
    (0.1 * seen as f64).max(2.0)
}

/// The fleet verdict from host counts.
///
/// With support `w` = hosts with `leak` + ½ × hosts with `suspect` among the
/// `seen` hosts: `leak` when `w` ≥ 2 and `w` ≥ `seen`/10 (two hosts agree,
/// and they are not a handful among hundreds); `suspect` when `w` ≥ 1 (one
/// host's leak, or two hosts' suspicion); else `ok`. One noisy host is never
/// a fleet `leak`; a slow leak that is only `suspect` on each host becomes a
/// fleet `leak` when enough hosts agree.
pub fn verdict(seen: usize, leak: usize, suspect: usize) -> Verdict {
    let w = support(leak, suspect);
    if w >= needed(seen) {
        Verdict::Leak
    } else if w >= 1.0 {
        Verdict::Suspect
    } else {
        Verdict::Ok
    }
}

/// The fleet score in [0, 1]: 0.6 × min(1, support / needed) + 0.4 × mean host score.
///
/// Agreement dominates; the hosts' own scores order series with the same
/// agreement (and the `ok` ones).
pub fn score(seen: usize, leak: usize, suspect: usize, mean_host_score: f64) -> f64 {
    let agreement = (support(leak, suspect) / needed(seen)).min(1.0);
    (0.6 * agreement + 0.4 * mean_host_score.clamp(0.0, 1.0)).clamp(0.0, 1.0)
}

/// The median of values (the mean of the two middle ones for an even count); `None` when empty.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// Ranks every (tag, pool) across the hosts.
pub fn aggregate(hosts: Vec<HostReport>) -> Fleet {
    struct Acc<'a> {
        seen: usize,
        leak: Vec<(f64, &'a str)>,
        suspect: Vec<(f64, &'a str)>,
        rates: Vec<f64>,
        score_sum: f64,
        driver: Option<String>,
    }
    let mut by: BTreeMap<(&str, &'static str), Acc> = BTreeMap::new();
    for h in &hosts {
        for s in &h.series {
            let acc = by.entry((s.tag.as_str(), s.pool)).or_insert(Acc {
                seen: 0,
                leak: Vec::new(),
                suspect: Vec::new(),
                rates: Vec::new(),
                score_sum: 0.0,
                driver: None,
            });
            acc.seen += 1;
            acc.score_sum += s.score;
            match s.verdict {
                Verdict::Leak => acc.leak.push((s.score, &h.name)),
                Verdict::Suspect => acc.suspect.push((s.score, &h.name)),
                Verdict::Ok => {}
            }
            if let Some(r) = s.bytes_per_hour.filter(|r| r.is_finite()) {
                acc.rates.push(r);
            }
            if acc.driver.is_none() {
                acc.driver.clone_from(&s.driver);
            }
        }
    }
    let mut series: Vec<FleetSeries> = by
        .into_iter()
        .map(|((tag, pool), mut acc)| {
            let by_score = |v: &mut Vec<(f64, &str)>| -> Vec<String> {
                v.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
                v.iter().map(|(_, h)| h.to_string()).collect()
            };
            let leak_hosts = by_score(&mut acc.leak);
            let suspect_hosts = by_score(&mut acc.suspect);
            let (k, s) = (leak_hosts.len(), suspect_hosts.len());
            let mean = acc.score_sum / acc.seen.max(1) as f64;
            let max = acc.rates.iter().copied().reduce(f64::max);
            let median_rate = median(&mut acc.rates);
            let mut f = FleetSeries {
                rank: 0,
                tag: tag.to_string(),
                pool,
                verdict: verdict(acc.seen, k, s),
                score: score(acc.seen, k, s, mean),
                hosts_seen: acc.seen,
                hosts_leak: k,
                hosts_suspect: s,
                median_bytes_per_hour: median_rate,
                max_bytes_per_hour: max,
                mean_host_score: mean,
                driver: acc.driver,
                leak_hosts,
                suspect_hosts,
                reason: String::new(),
            };
            f.reason = reason(&f);
            f
        })
        .collect();
    series.sort_by(|a, b| {
        b.verdict
            .cmp(&a.verdict)
            .then(b.score.total_cmp(&a.score))
            .then(b.hosts_leak.cmp(&a.hosts_leak))
            .then(a.tag.cmp(&b.tag))
            .then(a.pool.cmp(b.pool))
    });
    for (i, s) in series.iter_mut().enumerate() {
        s.rank = i + 1;
    }
    Fleet {
        schema: "poolscan.fleet/1",
        version: env!("CARGO_PKG_VERSION"),
        hosts,
        series,
    }
}

fn reason(f: &FleetSeries) -> String {
    let (k, s, n) = (f.hosts_leak, f.hosts_suspect, f.hosts_seen);
    let hosts = |x: usize| if x == 1 { "host" } else { "hosts" };
    let mut r = match (k, s) {
        (0, 0) => format!("no leak on its {n} {}", hosts(n)),
        (0, s) => format!("suspect on {s} of {n} {}", hosts(n)),
        (k, 0) => format!("leak on {k} of {n} {}", hosts(n)),
        (k, s) => format!("leak on {k} of {n} {}, suspect on {s} more", hosts(n)),
    };
    if let (Some(m), Some(x)) = (f.median_bytes_per_hour, f.max_bytes_per_hour) {
        r.push_str(&format!(
            "; median {}, max {}",
            units::rate(m),
            units::rate(x)
        ));
    }
    if k > 0 && k <= 3 {
        r.push_str(&format!(" ({})", f.leak_hosts.join(", ")));
    }
    r
}

/// Reads and ranks one host.
pub fn analyze_host(
    host: &Host,
    read: &ReadOptions,
    opts: &analysis::Options,
    tags: Option<&TagDb>,
) -> Result<(Log, Analysis)> {
    let log = log::read(&host.inputs, read)?;
    let a = analysis::analyze(&log, opts, tags)?;
    Ok((log, a))
}

/// Runs `each` on every host's log and analysis, at most one host per
/// worker thread in memory at once; results come back in the hosts' order.
pub fn for_each_host<T, F>(
    hosts: &[Host],
    read: &ReadOptions,
    opts: &analysis::Options,
    tags: Option<&TagDb>,
    each: F,
) -> Result<Vec<T>>
where
    T: Send,
    F: Fn(&Host, &Log, &Analysis) -> Result<T> + Sync,
{
    let per_batch = rayon::current_num_threads().max(1);
    let mut out = Vec::with_capacity(hosts.len());
    for batch in hosts.chunks(per_batch) {
        let done: Vec<Result<T>> = batch
            .par_iter()
            .map(|h| {
                let (log, a) = analyze_host(h, read, opts, tags)?;
                each(h, &log, &a)
            })
            .collect();
        for r in done {
            out.push(r?);
        }
    }
    Ok(out)
}

/// Ranks every host, then the fleet.
pub fn run(
    hosts: &[Host],
    read: &ReadOptions,
    opts: &analysis::Options,
    tags: Option<&TagDb>,
) -> Result<Fleet> {
    let reports = for_each_host(hosts, read, opts, tags, |h, log, a| {
        Ok(HostReport::new(&h.name, log, a))
    })?;
    Ok(aggregate(reports))
}

/// The tables of the dataset, one directory each.
pub const TABLES: [&str; 3] = ["samples", "snapshots", "analysis"];

/// A Hive partition directory name: `host=` and the value with `/`, `\`,
/// `=`, `%`, control characters, `:` and other characters unsafe in file
/// names escaped as `%XX` (as Hive and Spark escape them).
pub fn partition_dir(value: &str) -> String {
    let mut out = String::from("host=");
    for c in value.chars() {
        let safe = c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | '+');
        if safe {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    if out == "host=." || out == "host=.." {
        out = out.replace('.', "%2E");
    }
    out
}

/// Writes the fleet as a Hive-partitioned Parquet dataset:
/// `DIR/{samples,snapshots,analysis}/host=NAME/part-0.parquet`. The `host`
/// column comes from the directory names (it is not repeated in the files),
/// as Spark, Trino, DuckDB, Polars and pyarrow expect. The dataset is written
/// to a temporary directory beside DIR and renamed into place.
pub fn write_dataset(
    dir: &Path,
    hosts: &[Host],
    read: &ReadOptions,
    opts: &analysis::Options,
    tags: Option<&TagDb>,
    force: bool,
) -> Result<Vec<HostReport>> {
    crate::bundle::check_target(dir, force)?;
    atomic::write_dir(dir, |tmp| {
        for_each_host(hosts, read, opts, tags, |h, log, a| {
            let part = partition_dir(&h.name);
            let mut tables = [
                frame::samples(log)?,
                frame::snapshots(log)?,
                frame::analysis(a)?,
            ];
            for (name, df) in TABLES.iter().zip(tables.iter_mut()) {
                let d = tmp.join(name).join(&part);
                std::fs::create_dir_all(&d).map_err(|source| Error::Write {
                    path: d.clone(),
                    source,
                })?;
                let path: PathBuf = d.join("part-0.parquet");
                crate::export::write(df, crate::export::Format::Parquet, &path)?;
            }
            Ok(HostReport::new(&h.name, log, a))
        })
    })
}

/// Runs SQL over a dataset written by [`write_dataset`], with the tables
/// `samples`, `snapshots` and `analysis` registered (each with its `host`
/// column from the partition directories), through polars' SQL engine
/// (cargo feature `sql`).
#[cfg(feature = "sql")]
pub fn query(dataset: &Path, sql: &str) -> Result<polars::prelude::DataFrame> {
    use polars::prelude::*;
    use polars::sql::SQLContext;
    let mut ctx = SQLContext::new();
    let mut registered = 0;
    for t in TABLES {
        let d = dataset.join(t);
        if !d.is_dir() {
            continue;
        }
        let glob = format!("{}/**/*.parquet", d.display());
        let args = ScanArgsParquet {
            hive_options: HiveOptions::new_enabled(),
            glob: true,
            ..Default::default()
        };
        let lf = LazyFrame::scan_parquet(PlRefPath::new(glob.as_str()), args)?;
        ctx.register(t, lf);
        registered += 1;
    }
    if registered == 0 {
        return Err(Error::Invalid(format!(
            "{}: not a poolscan dataset (no samples/, snapshots/ or analysis/ directory); write one with `poolscan export --partition-by host --format parquet -o DIR`",
            dataset.display()
        )));
    }
    Ok(ctx.execute(sql)?.collect()?)
}

/// Series of the fleet that get charts: leaks and suspects, at most `max`
/// (the top five when nothing is suspect).
pub fn charted(f: &Fleet, max: usize) -> Vec<&FleetSeries> {
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
pub const HOSTS_PER_SERIES: usize = 4;

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
    kind: crate::chart::Kind,
    force: bool,
) -> Result<()> {
    crate::bundle::check_target(dir, force)?;
    atomic::write_dir(dir, |tmp| {
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
    kind: crate::chart::Kind,
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
                crate::bundle::suspect_chart(&d.join(&name), kind, log, a, s)?;
                made.push((fs.rank, h.name.clone(), format!("charts/{sub}/{name}")));
            }
            Ok(made)
        })?;
    let mut files: Vec<(usize, String, String)> = files.into_iter().flatten().collect();
    files.sort();

    let json = crate::report::render_fleet(f, crate::report::Format::Json, &Default::default())?;
    atomic::write_bytes(&tmp.join("fleet.json"), json.as_bytes())?;
    let mut md = crate::report::render_fleet(
        f,
        crate::report::Format::Markdown,
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
    atomic::write_bytes(&tmp.join("fleet.md"), md.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_noisy_host_is_not_a_fleet_leak() {
        assert_eq!(verdict(200, 1, 0), Verdict::Suspect);
        assert_eq!(verdict(1, 1, 0), Verdict::Suspect);
        assert_eq!(verdict(200, 0, 1), Verdict::Ok);
        assert_eq!(verdict(200, 0, 0), Verdict::Ok);
    }

    #[test]
    fn agreement_makes_a_fleet_leak() {
        assert_eq!(verdict(2, 2, 0), Verdict::Leak);
        assert_eq!(verdict(10, 2, 0), Verdict::Leak);
        assert_eq!(verdict(200, 30, 0), Verdict::Leak);
        // Ten of 200 is below a tenth: worth a look, not a fleet verdict.
        assert_eq!(verdict(200, 10, 0), Verdict::Suspect);
        // A slow leak that is only suspect on each host.
        assert_eq!(verdict(200, 0, 40), Verdict::Leak);
        assert_eq!(verdict(5, 1, 2), Verdict::Leak);
    }

    #[test]
    fn score_is_bounded_and_led_by_agreement() {
        assert!((score(10, 10, 0, 1.0) - 1.0).abs() < 1e-12);
        assert_eq!(score(10, 0, 0, 0.0), 0.0);
        assert!(score(10, 5, 0, 0.3) > score(10, 1, 0, 0.9));
        assert!(score(3, 0, 0, 7.0) <= 1.0);
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }

    #[test]
    fn host_names_from_paths() {
        assert_eq!(host_name(Path::new("logs/web-07.log.gz")), "web-07");
        assert_eq!(host_name(Path::new("a/host1.txt")), "host1");
        assert_eq!(host_name(Path::new("h.poolmon.log")), "h.poolmon");
        assert_eq!(host_name(Path::new(".log")), ".log");
    }

    #[test]
    fn partition_names_are_escaped() {
        assert_eq!(partition_dir("web-07"), "host=web-07");
        assert_eq!(partition_dir("a/b=c d"), "host=a%2Fb%3Dc%20d");
        assert_eq!(partition_dir(".."), "host=%2E%2E");
    }

    fn hs(tag: &str, verdict: Verdict, score: f64, rate: Option<f64>) -> HostSeries {
        HostSeries {
            tag: tag.into(),
            pool: "Nonpaged",
            verdict,
            score,
            bytes_per_hour: rate,
            bytes_last: 0,
            driver: None,
        }
    }

    fn host(name: &str, series: Vec<HostSeries>) -> HostReport {
        HostReport {
            name: name.into(),
            inputs: vec![],
            snapshots: 10,
            hours: Some(1.0),
            epochs: 1,
            skipped_lines: 0,
            leak: 0,
            suspect: 0,
            series,
        }
    }

    #[test]
    fn aggregate_counts_hosts_and_ranks_shared_leaks_first() {
        let f = aggregate(vec![
            host(
                "a",
                vec![
                    hs("Lk", Verdict::Leak, 0.9, Some(100.0)),
                    hs("Nz", Verdict::Leak, 0.95, Some(900.0)),
                ],
            ),
            host(
                "b",
                vec![
                    hs("Lk", Verdict::Leak, 0.8, Some(300.0)),
                    hs("Nz", Verdict::Ok, 0.05, None),
                ],
            ),
            host("c", vec![hs("Lk", Verdict::Suspect, 0.25, Some(200.0))]),
        ]);
        assert_eq!(f.schema, "poolscan.fleet/1");
        let lk = &f.series[0];
        assert_eq!((lk.tag.as_str(), lk.rank), ("Lk", 1));
        assert_eq!((lk.hosts_seen, lk.hosts_leak, lk.hosts_suspect), (3, 2, 1));
        assert_eq!(lk.leak_hosts, vec!["a", "b"]);
        assert_eq!(lk.median_bytes_per_hour, Some(200.0));
        assert_eq!(lk.max_bytes_per_hour, Some(300.0));
        assert_eq!(lk.verdict, Verdict::Leak);
        let nz = &f.series[1];
        assert_eq!((nz.tag.as_str(), nz.verdict), ("Nz", Verdict::Suspect));
        assert_eq!(nz.median_bytes_per_hour, Some(900.0));
    }
}
