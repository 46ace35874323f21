//! The system calls of `poolscan capture` (Windows only; the crate's only
//! unsafe code). Each call fills a buffer that [`super::decode`] reads.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use chrono::Local;
use windows_sys::Wdk::System::SystemInformation::{
    NtQuerySystemInformation, SYSTEM_INFORMATION_CLASS,
};
use windows_sys::Win32::Foundation::{NTSTATUS, STATUS_INFO_LENGTH_MISMATCH};
use windows_sys::Win32::System::Console::SetConsoleCtrlHandler;
use windows_sys::Win32::System::ProcessStatus::{K32GetPerformanceInfo, PERFORMANCE_INFORMATION};
use windows_sys::Win32::System::SystemInformation::{GlobalMemoryStatusEx, MEMORYSTATUSEX};

use super::decode::{self, Layout};
use super::write::{Memory, Snapshot};
use super::Source;
use crate::error::{Error, Result};

const SYSTEM_PERFORMANCE_INFORMATION: SYSTEM_INFORMATION_CLASS = 2;
const SYSTEM_POOL_TAG_INFORMATION: SYSTEM_INFORMATION_CLASS = 22;
/// Never ask for more than this: a reply this large is not a tag table.
const MAX_BUFFER: usize = 256 << 20;

/// The running system. Keeps its buffer between snapshots.
pub(super) struct System {
    buf: Vec<u64>,
}

impl System {
    pub(super) fn new() -> Self {
        System {
            buf: vec![0u64; 64 * 1024 / 8],
        }
    }
}

fn bytes(buf: &[u64], len: usize) -> Vec<u8> {
    buf.iter().flat_map(|w| w.to_le_bytes()).take(len).collect()
}

/// One `NtQuerySystemInformation` call into `buf` (8-byte aligned), grown
/// while the system answers `STATUS_INFO_LENGTH_MISMATCH`; the reply's bytes.
fn query(class: SYSTEM_INFORMATION_CLASS, name: &str, buf: &mut Vec<u64>) -> Result<Vec<u8>> {
    loop {
        let cap = buf.len() * 8;
        let mut returned: u32 = 0;
        // SAFETY: `buf` is a live, writable, 8-byte-aligned allocation of `cap`
        // bytes, and `returned` a live u32; the call writes at most `cap` bytes.
        let status: NTSTATUS = unsafe {
            NtQuerySystemInformation(
                class,
                buf.as_mut_ptr().cast(),
                u32::try_from(cap).unwrap_or(u32::MAX),
                &mut returned,
            )
        };
        if status == STATUS_INFO_LENGTH_MISMATCH {
            let want = (returned as usize).max(cap * 2) + 4096;
            if want > MAX_BUFFER {
                return Err(Error::Invalid(format!(
                    "NtQuerySystemInformation({name}) asks for {want} bytes: not a pool-tag table"
                )));
            }
            buf.resize(want.div_ceil(8), 0);
            continue;
        }
        if status < 0 {
            return Err(Error::Invalid(format!(
                "NtQuerySystemInformation({name}) failed with NTSTATUS 0x{:08X}{}",
                status as u32,
                if status as u32 == 0xC000_0003 || status as u32 == 0xC000_0002 {
                    " (not implemented here: is this Wine?)"
                } else {
                    ""
                }
            )));
        }
        let len = (returned as usize).min(cap);
        return Ok(bytes(buf, len));
    }
}

fn memory() -> Option<Memory> {
    let size = std::mem::size_of::<PERFORMANCE_INFORMATION>() as u32;
    let mut perf = PERFORMANCE_INFORMATION {
        cb: size,
        ..Default::default()
    };
    // SAFETY: `perf` is a live PERFORMANCE_INFORMATION of `size` bytes.
    if unsafe { K32GetPerformanceInfo(&mut perf, size) } == 0 {
        return None;
    }
    let mut status = MEMORYSTATUSEX {
        dwLength: std::mem::size_of::<MEMORYSTATUSEX>() as u32,
        ..Default::default()
    };
    // SAFETY: `status` is a live MEMORYSTATUSEX with dwLength set.
    let have_status = unsafe { GlobalMemoryStatusEx(&mut status) } != 0;
    let page = perf.PageSize as u64;
    let k = |pages: usize| pages as u64 * page / 1024;
    let (total_k, avail_k) = if have_status {
        (status.ullTotalPhys / 1024, status.ullAvailPhys / 1024)
    } else {
        (k(perf.PhysicalTotal), k(perf.PhysicalAvailable))
    };
    let mut scratch = vec![0u64; 1024 / 8];
    let perf_counters = query(
        SYSTEM_PERFORMANCE_INFORMATION,
        "SystemPerformanceInformation",
        &mut scratch,
    )
    .map(|b| decode::performance(&b))
    .unwrap_or_default();
    Some(Memory {
        total_k,
        avail_k,
        commit_k: k(perf.CommitTotal),
        limit_k: k(perf.CommitLimit),
        peak_k: k(perf.CommitPeak),
        nonpaged_k: k(perf.KernelNonpaged),
        paged_k: k(perf.KernelPaged),
        page_size: page,
        perf: perf_counters,
    })
}

impl Source for System {
    fn snapshot(&mut self) -> Result<Snapshot> {
        let reply = query(
            SYSTEM_POOL_TAG_INFORMATION,
            "SystemPoolTagInformation",
            &mut self.buf,
        )?;
        let time = Local::now().fixed_offset();
        let tags = decode::pool_tags(&reply, Layout::native())?;
        Ok(Snapshot {
            time,
            memory: memory(),
            tags,
        })
    }
}

static STOP: OnceLock<&'static AtomicBool> = OnceLock::new();

unsafe extern "system" fn on_ctrl(_kind: u32) -> i32 {
    if let Some(flag) = STOP.get() {
        flag.store(true, Ordering::SeqCst);
    }
    1 // handled: the loop ends between snapshots
}

pub(super) fn stop_on_ctrl_c(flag: &'static AtomicBool) -> Result<()> {
    let _ = STOP.set(flag);
    // SAFETY: `on_ctrl` is a valid handler for the life of the process.
    if unsafe { SetConsoleCtrlHandler(Some(on_ctrl), 1) } == 0 {
        return Err(Error::Invalid(format!(
            "SetConsoleCtrlHandler: {}",
            std::io::Error::last_os_error()
        )));
    }
    Ok(())
}
