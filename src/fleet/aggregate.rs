//! Agreement across hosts: each host's ranking kept as a [`HostReport`],
//! then per (tag, pool) the hosts that saw it, leak on it or suspect it,
//! their rates, and the fleet's verdict and score.

use super::*;

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
    /// Whether this host's capture spans less than a day or has no time axis
    /// ([`analysis::spans_under_a_day`]).
    pub fn under_a_day(&self) -> bool {
        analysis::spans_under_a_day(self.hours)
    }

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
pub(crate) fn median_rate(values: &mut [f64]) -> Option<f64> {
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
            let median = median_rate(&mut acc.rates);
            let mut f = FleetSeries {
                rank: 0,
                tag: tag.to_string(),
                pool,
                verdict: verdict(acc.seen, k, s),
                score: score(acc.seen, k, s, mean),
                hosts_seen: acc.seen,
                hosts_leak: k,
                hosts_suspect: s,
                median_bytes_per_hour: median,
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

pub(super) fn reason(f: &FleetSeries) -> String {
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
