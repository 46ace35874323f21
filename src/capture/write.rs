//! One snapshot as PoolMon's wide `/n` text (`poolmon -b -r -n` from a 64-bit
//! PoolMon, with `-g` when a tag file is given), after an ISO 8601 timestamp
//! line: what poolscan, PoolMon's users and other tools already read.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, SecondsFormat};

use super::decode::{Performance, PoolCounts, TagCounts};
use crate::parse::pooltag::TagDb;

/// The memory summary of one snapshot, in KiB (PoolMon's `Memory:` and
/// `Commit:` lines); the page-fault and resident counters come from
/// [`Performance`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Memory {
    /// Physical memory.
    pub total_k: u64,
    /// Available physical memory.
    pub avail_k: u64,
    /// Commit charge.
    pub commit_k: u64,
    /// Commit limit.
    pub limit_k: u64,
    /// Peak commit charge.
    pub peak_k: u64,
    /// Nonpaged pool.
    pub nonpaged_k: u64,
    /// Paged pool.
    pub paged_k: u64,
    /// Page size in bytes (to turn the resident page counts into KiB).
    pub page_size: u64,
    /// Page faults and resident kernel pages, where the system reports them.
    pub perf: Performance,
}

/// One capture: when, the memory summary (when it could be read), every tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// When the pool-tag query returned.
    pub time: DateTime<FixedOffset>,
    /// The memory summary.
    pub memory: Option<Memory>,
    /// Every tag the kernel reported.
    pub tags: Vec<TagCounts>,
}

const HEADER: &str = " Tag  Type     Allocs            Frees               Diff            Bytes                 Per Alloc";
const DRIVER_HEADER: &str = "       Mapped_Driver";

/// The tag as PoolMon prints it: the kernel's high "protected" bit of the last
/// byte cleared, and a byte that is not printable ASCII shown as `?`.
pub fn tag_text(tag: [u8; 4]) -> String {
    let mut t = tag;
    t[3] &= 0x7f;
    t.iter()
        .map(|&c| {
            if (0x20..0x7f).contains(&c) {
                c as char
            } else {
                '?'
            }
        })
        .collect()
}

struct Row {
    tag: String,
    pool: &'static str,
    allocs: u32,
    frees: u32,
    diff: i64,
    bytes: u64,
}

fn rows(tags: &[TagCounts]) -> Vec<Row> {
    let mut out = Vec::with_capacity(tags.len() * 2);
    for t in tags {
        let text = tag_text(t.tag);
        for (pool, c) in [("Nonp ", t.nonpaged), ("Paged", t.paged)] {
            if c == PoolCounts::default() {
                continue;
            }
            out.push(Row {
                tag: text.clone(),
                pool,
                allocs: c.allocs,
                frees: c.frees,
                // Outstanding allocations modulo 2^32: right across a wrap of either counter.
                diff: i64::from(c.allocs.wrapping_sub(c.frees) as i32),
                bytes: c.used,
            });
        }
    }
    // `poolmon -b`: largest Bytes first.
    out.sort_by(|a, b| {
        b.bytes
            .cmp(&a.bytes)
            .then_with(|| a.tag.cmp(&b.tag))
            .then(a.pool.cmp(b.pool))
    });
    out
}

/// Renders `snap` as one block of text, CRLF line ends as PoolMon writes them:
/// the timestamp line, a blank line, the two summary lines (when known), the
/// header and the rows sorted by Bytes. With `tags`, the `Mapped_Driver`
/// column holds each tag's description (`Unknown Driver` when it has none).
pub fn render(snap: &Snapshot, tags: Option<&TagDb>) -> String {
    let mut s = String::with_capacity(128 + snap.tags.len() * 2 * 120);
    let nl = "\r\n";
    let _ = write!(
        s,
        "{}{nl}{nl}",
        snap.time.to_rfc3339_opts(SecondsFormat::Secs, false)
    );
    if let Some(m) = &snap.memory {
        let kib = |pages: Option<u64>| pages.map(|p| p * m.page_size / 1024);
        let opt = |v: Option<u64>| v.map_or_else(|| "?".to_string(), |v| v.to_string());
        let _ = write!(
            s,
            " Memory:{:>8}K Avail:{:>8}K  PageFlts:{:>6}   InRam Krnl:{:>5}K P:{:>5}K{nl}",
            m.total_k,
            m.avail_k,
            opt(m.perf.page_faults.map(u64::from)),
            opt(kib(m.perf.resident_kernel)),
            opt(kib(m.perf.resident_paged)),
        );
        let _ = write!(
            s,
            " Commit:{:>7}K Limit:{:>7}K Peak:{:>7}K            Pool N:{:>5}K P:{:>5}K{nl}{nl}",
            m.commit_k, m.limit_k, m.peak_k, m.nonpaged_k, m.paged_k
        );
    }
    s.push_str(HEADER);
    if tags.is_some() {
        s.push_str(DRIVER_HEADER);
    }
    s.push_str(nl);
    s.push_str(nl);
    for r in rows(&snap.tags) {
        let per = match r.diff {
            d if d > 0 => r.bytes / d as u64,
            _ => 0,
        };
        let _ = write!(
            s,
            " {:<4} {} {:>18} {:>18}  {:>16} {:>14}     {:>12}        ",
            r.tag, r.pool, r.allocs, r.frees, r.diff, r.bytes, per
        );
        if let Some(db) = tags {
            match db.describe(r.tag.trim_end()) {
                Some(d) => s.push_str(&d),
                None => s.push_str("Unknown Driver"),
            }
        }
        s.push_str(nl);
    }
    s
}
