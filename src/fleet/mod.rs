//! `poolscan fleet`: the same ranking on every host, then agreement across hosts.
//!
//! What lives here: hosts from inputs and their ranking a few at a time (this
//! file), and the agreement across hosts (`aggregate`). Imports: `analysis`,
//! `log`, `parse`, `model`, `units`, `error`; the dataset is in
//! [`crate::table::dataset`], the fleet bundle in [`crate::report::bundle::fleet`].
//!
//!
//! Each input is one host. Hosts are read and ranked a few at a time (one per
//! worker thread), and only their rankings are kept, so memory is bounded by
//! the largest hosts in flight, never by the fleet. Then, per (tag, pool), the
//! hosts' verdicts are counted and weighed by [`verdict`]: one noisy host is
//! not a fleet leak, the same slow leak on many hosts is.
//!
//! The same aggregation is written as standard SQL in `examples/fleet.sql`
//! over the dataset that `poolscan export --partition-by host` writes
//! ([`crate::table::dataset::write_dataset`]); a test checks that both agree.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::{self, Analysis, Verdict};
use crate::error::{Error, Result};
use crate::log::{self, Log, ReadOptions};
use crate::parse::input::{self, Input};
use crate::parse::pooltag::TagDb;
use crate::units;

mod aggregate;
mod drivers;

pub use aggregate::*;

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
pub(crate) fn host_name(path: &Path) -> String {
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

/// Reads and ranks one host.
pub(crate) fn analyze_host(
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
pub(crate) fn for_each_host<T, F>(
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

#[cfg(test)]
mod tests;
