//! `poolscan capture`: snapshots of every pool tag taken with Windows' own
//! query (`NtQuerySystemInformation(SystemPoolTagInformation)`, what PoolMon
//! itself calls), appended to a log in PoolMon's wide `/n` form, so no WDK is
//! needed to make a log.
//!
//! The parts are split so that all but the system calls are tested on every
//! platform: [`decode`] reads the kernel's buffers, [`write`] renders a
//! snapshot, [`run`] is the loop (interval, count, duration, stop between
//! snapshots, one whole write per snapshot) over any [`Source`]. The source
//! of the real machine, [`system`], exists on Windows only.

pub mod decode;
pub mod write;

#[cfg(windows)]
#[allow(unsafe_code)]
mod windows;

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub use decode::{Layout, Performance, PoolCounts, TagCounts};
pub use write::{render, Memory, Snapshot};

use crate::error::{Error, Result};
use crate::parse::pooltag::TagDb;

/// Where snapshots come from: the running system ([`system`]) or, in tests,
/// anything that makes them.
pub trait Source {
    /// Takes one snapshot now.
    fn snapshot(&mut self) -> Result<Snapshot>;
}

/// The running Windows system, queried as PoolMon does; on other platforms an
/// error that says capture needs Windows.
pub fn system() -> Result<Box<dyn Source>> {
    #[cfg(windows)]
    {
        Ok(Box::new(windows::System::new()))
    }
    #[cfg(not(windows))]
    {
        Err(Error::Invalid(
            "capture reads the pool tags of the running Windows system (NtQuerySystemInformation): it runs on Windows only".into(),
        ))
    }
}

/// Stops the loop between snapshots when the console's Ctrl-C (or Ctrl-Break,
/// or the window closing) arrives; on Windows only, elsewhere a no-op.
pub fn stop_on_ctrl_c(flag: &'static AtomicBool) -> Result<()> {
    #[cfg(windows)]
    {
        windows::stop_on_ctrl_c(flag)
    }
    #[cfg(not(windows))]
    {
        let _ = flag;
        Ok(())
    }
}

/// How many snapshots to take and how far apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Time from the start of one snapshot to the start of the next.
    pub interval: Duration,
    /// Stop after this many snapshots.
    pub count: Option<u64>,
    /// Stop when this much time has passed since the first snapshot (the
    /// snapshot due at that moment is still taken).
    pub duration: Option<Duration>,
}

/// Takes snapshots from `source` by `plan`, appending each to `out` as one
/// write followed by a flush to disk, until the plan is done or `stop` is set
/// (checked while waiting, so a stop never cuts a snapshot in half). Calls
/// `each` after every snapshot with its number (from 1) and the number of
/// rows. Returns the number of snapshots written.
pub fn run(
    source: &mut dyn Source,
    out: &Path,
    plan: Plan,
    tags: Option<&TagDb>,
    stop: &AtomicBool,
    mut each: impl FnMut(u64, usize),
) -> Result<u64> {
    let werr = |source| Error::Write {
        path: out.to_path_buf(),
        source,
    };
    // Appending, shared for reading and writing (Rust's default on Windows), so
    // `poolscan analyze` can read the log while the capture runs.
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(out)
        .map_err(werr)?;
    let start = Instant::now();
    let mut taken = 0u64;
    loop {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let due = start + plan.interval * u32::try_from(taken).unwrap_or(u32::MAX);
        if !wait_until(due, stop) {
            break;
        }
        let snap = source.snapshot()?;
        let text = render(&snap, tags);
        file.write_all(text.as_bytes()).map_err(werr)?;
        file.sync_data().map_err(werr)?;
        taken += 1;
        each(taken, snap.tags.len());
        if plan.count.is_some_and(|n| taken >= n) {
            break;
        }
        if let Some(d) = plan.duration {
            if start.elapsed() + plan.interval > d {
                break;
            }
        }
    }
    Ok(taken)
}

/// Sleeps until `due` in short steps; `false` when `stop` was set meanwhile.
fn wait_until(due: Instant, stop: &AtomicBool) -> bool {
    loop {
        if stop.load(Ordering::SeqCst) {
            return false;
        }
        let now = Instant::now();
        if now >= due {
            return true;
        }
        std::thread::sleep((due - now).min(Duration::from_millis(200)));
    }
}

#[cfg(test)]
mod tests;
