//! Decoding the buffers `NtQuerySystemInformation` fills: the pool-tag table
//! (`SystemPoolTagInformation`, class 22) and the page-fault and resident-page
//! counters of `SystemPerformanceInformation` (class 2).
//!
//! Both are plain bytes here, so the decoding is tested on every platform
//! with crafted buffers of either pointer width.

use crate::error::{Error, Result};

/// Pointer width of the process that made the query: it sets the size of the
/// `SIZE_T` fields of `SYSTEM_POOLTAG` and the alignment of its array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// 64-bit: 40-byte entries after an 8-byte count (4 bytes of padding).
    X64,
    /// 32-bit (x86, or WoW64): 28-byte entries after a 4-byte count.
    X86,
}

impl Layout {
    /// The layout of this build of poolscan.
    pub fn native() -> Self {
        if cfg!(target_pointer_width = "64") {
            Layout::X64
        } else {
            Layout::X86
        }
    }
    fn header(self) -> usize {
        match self {
            Layout::X64 => 8,
            Layout::X86 => 4,
        }
    }
    /// Bytes per `SYSTEM_POOLTAG` entry.
    pub fn entry(self) -> usize {
        match self {
            Layout::X64 => 40,
            Layout::X86 => 28,
        }
    }
}

/// One `SYSTEM_POOLTAG`: a tag's counters in both pools. Allocs and Frees are
/// the kernel's 32-bit counters (they wrap); Used is pointer-sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagCounts {
    /// The four tag bytes as the kernel stores them.
    pub tag: [u8; 4],
    /// Paged pool: allocations, frees, bytes in use.
    pub paged: PoolCounts,
    /// Nonpaged pool: allocations, frees, bytes in use.
    pub nonpaged: PoolCounts,
}

/// One pool's counters of a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolCounts {
    /// Cumulative allocations (32-bit, wraps).
    pub allocs: u32,
    /// Cumulative frees (32-bit, wraps).
    pub frees: u32,
    /// Bytes in use.
    pub used: u64,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from(u32_at(b, at)) | (u64::from(u32_at(b, at + 4)) << 32)
}

/// Decodes a `SYSTEM_POOLTAG_INFORMATION` buffer: `ULONG Count`, then `Count`
/// entries. A buffer shorter than its count says is an error naming both sizes
/// (the caller grows the buffer on `STATUS_INFO_LENGTH_MISMATCH`, so a short
/// buffer here means a bad reply, not a small buffer).
pub fn pool_tags(buf: &[u8], layout: Layout) -> Result<Vec<TagCounts>> {
    if buf.len() < 4 {
        return Err(Error::Invalid(format!(
            "SystemPoolTagInformation: {} bytes, too short for the count",
            buf.len()
        )));
    }
    let count = u32_at(buf, 0) as usize;
    let need = count
        .checked_mul(layout.entry())
        .and_then(|n| n.checked_add(layout.header()))
        .filter(|&n| n <= buf.len())
        .ok_or_else(|| {
            Error::Invalid(format!(
                "SystemPoolTagInformation: {count} tags need {} bytes, the reply has {}",
                (count as u128) * layout.entry() as u128 + layout.header() as u128,
                buf.len()
            ))
        })?;
    let body = &buf[layout.header()..need];
    Ok(body
        .chunks_exact(layout.entry())
        .map(|e| match layout {
            Layout::X64 => TagCounts {
                tag: [e[0], e[1], e[2], e[3]],
                paged: PoolCounts {
                    allocs: u32_at(e, 4),
                    frees: u32_at(e, 8),
                    used: u64_at(e, 16),
                },
                nonpaged: PoolCounts {
                    allocs: u32_at(e, 24),
                    frees: u32_at(e, 28),
                    used: u64_at(e, 32),
                },
            },
            Layout::X86 => TagCounts {
                tag: [e[0], e[1], e[2], e[3]],
                paged: PoolCounts {
                    allocs: u32_at(e, 4),
                    frees: u32_at(e, 8),
                    used: u64::from(u32_at(e, 12)),
                },
                nonpaged: PoolCounts {
                    allocs: u32_at(e, 16),
                    frees: u32_at(e, 20),
                    used: u64::from(u32_at(e, 24)),
                },
            },
        })
        .collect())
}

/// The counters PoolMon's `Memory:` line takes from
/// `SYSTEM_PERFORMANCE_INFORMATION` (same layout at both pointer widths: all
/// fields are `LARGE_INTEGER` or `ULONG`), in pages except `page_faults`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Performance {
    /// `PageFaultCount` (offset 0x3C): cumulative page faults, 32-bit.
    pub page_faults: Option<u32>,
    /// `ResidentSystemCodePage` + `ResidentSystemDriverPage` (0x8C, 0xAC): PoolMon's `InRam Krnl`.
    pub resident_kernel: Option<u64>,
    /// `ResidentPagedPoolPage` (0xA8): PoolMon's first `P:`.
    pub resident_paged: Option<u64>,
}

/// Decodes what a `SystemPerformanceInformation` reply holds of [`Performance`];
/// fields beyond the reply's length are `None`.
pub fn performance(buf: &[u8]) -> Performance {
    let get = |at: usize| (buf.len() >= at + 4).then(|| u32_at(buf, at));
    let code = get(0x8C);
    let driver = get(0xAC);
    Performance {
        page_faults: get(0x3C),
        resident_kernel: code.zip(driver).map(|(c, d)| u64::from(c) + u64::from(d)),
        resident_paged: get(0xA8).map(u64::from),
    }
}
