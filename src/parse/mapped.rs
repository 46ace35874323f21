//! A plain log file read through memory maps (Linux): each chunk of the file
//! is mapped on its own and parsed where it lies in the page cache, instead
//! of being copied out by `read` first (the copy took 5% to 11% of the CPU
//! time of `analyze` on a hot 1 GB log).
//!
//! A file that shrinks while it is mapped (another program truncates it),
//! or whose pages cannot be read (a network share gone), raises `SIGBUS` on
//! the bytes that are gone, which would end the process. A handler installed
//! with the first mapping catches the faults within the mappings made here:
//! each such page is replaced by one of zeros, the mapping is marked
//! ([`Mapping::failed`]), and the reader reports the file as unreadable
//! instead of parsing the zeros. A fault anywhere else goes on to the handler
//! that was there before (Rust's, or the default action).

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;

/// One mapped piece of a file: `[start, start + len)` of it, read only.
pub struct Mapping {
    /// The mapping's first page.
    base: *mut libc::c_void,
    /// The mapping's length (from `base`).
    map_len: usize,
    /// Where the piece starts within the mapping.
    off: usize,
    /// The piece's length.
    len: usize,
    /// Its slot in the guarded ranges.
    slot: usize,
}

// SAFETY: the mapping is read only and owned by this value alone (unmapped
// on drop): sharing or sending it is sharing or sending a `&[u8]`.
#[allow(unsafe_code)]
unsafe impl Send for Mapping {}
#[allow(unsafe_code)]
unsafe impl Sync for Mapping {}

impl Mapping {
    /// Maps `[start, start + len)` of `file` (`len` > 0), which must lie
    /// within the file as it is now. An error when it cannot be mapped, or
    /// the guard cannot be installed or has no free slot: the caller then
    /// reads the file instead.
    #[allow(unsafe_code)]
    pub(crate) fn new(file: &File, start: u64, len: usize) -> io::Result<Mapping> {
        install()?;
        let page = page_size();
        let aligned = start / page as u64 * page as u64;
        let off = (start - aligned) as usize;
        let map_len = off + len;
        let at = libc::off_t::try_from(aligned).map_err(|_| io::Error::other("file too large"))?;
        // SAFETY: a new read-only shared mapping of an open file, at an
        // address the kernel chooses; nothing else is touched.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                at,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let Some(slot) = guard(base as usize, map_len) else {
            // SAFETY: the mapping just made, not used.
            unsafe {
                libc::munmap(base, map_len);
            }
            return Err(io::Error::other("too many mappings in use"));
        };
        Ok(Mapping {
            base,
            map_len,
            off,
            len,
            slot,
        })
    }

    /// Whether some of the piece could not be read (the file shrank under
    /// it, or its storage failed): those pages read as zeros.
    pub(crate) fn failed(&self) -> bool {
        FAILED[self.slot].load(Ordering::SeqCst)
    }

    /// The piece's bytes.
    #[allow(unsafe_code)]
    pub(crate) fn bytes(&self) -> &[u8] {
        // SAFETY: the mapping covers `off + len` readable bytes from `base`
        // and lives as long as `self`.
        unsafe { std::slice::from_raw_parts(self.base.cast::<u8>().add(self.off), self.len) }
    }

    /// The piece cut to its first `len` bytes.
    pub(crate) fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }
}

impl Drop for Mapping {
    #[allow(unsafe_code)]
    fn drop(&mut self) {
        // Unguarded first, so that the handler never patches the range
        // once it may be mapped again for something else.
        ENDS[self.slot].store(0, Ordering::SeqCst);
        STARTS[self.slot].store(0, Ordering::SeqCst);
        // SAFETY: `base..base + map_len` is this value's own mapping (with
        // any page of zeros the handler put in it), and no slice of it
        // outlives `self`.
        unsafe {
            libc::munmap(self.base, self.map_len);
        }
    }
}

/// How many mappings can be guarded at once (more than the chunks in flight
/// of the inputs read together; past it, files are read instead of mapped).
const SLOTS: usize = 256;

/// The guarded ranges `[STARTS[k], ENDS[k])`; a free slot has a start of 0.
static STARTS: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
static ENDS: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
/// Whether the handler replaced a page in the range.
static FAILED: [AtomicBool; SLOTS] = [const { AtomicBool::new(false) }; SLOTS];

/// The page size, read once (the handler reads it too).
static PAGE: AtomicUsize = AtomicUsize::new(0);

/// The `SIGBUS` action before ours, or the error installing ours.
static PREVIOUS: OnceLock<Result<libc::sigaction, i32>> = OnceLock::new();

/// Takes a free slot for `[start, start + len)`.
fn guard(start: usize, len: usize) -> Option<usize> {
    (0..SLOTS).find(|&k| {
        if STARTS[k]
            .compare_exchange(0, start, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            return false;
        }
        FAILED[k].store(false, Ordering::SeqCst);
        ENDS[k].store(start + len, Ordering::SeqCst);
        true
    })
}

/// Installs the `SIGBUS` handler, once.
#[allow(unsafe_code)]
fn install() -> io::Result<()> {
    let installed = PREVIOUS.get_or_init(|| {
        PAGE.store(page_size(), Ordering::SeqCst);
        // SAFETY: plain sigaction calls with structures set up here; the
        // handler only uses atomics, mmap and the previous action.
        unsafe {
            let mut previous: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGBUS, std::ptr::null(), &mut previous) != 0 {
                return Err(io::Error::last_os_error().raw_os_error().unwrap_or(0));
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigbus as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
            libc::sigemptyset(&mut action.sa_mask);
            if libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut()) != 0 {
                return Err(io::Error::last_os_error().raw_os_error().unwrap_or(0));
            }
            Ok(previous)
        }
    });
    match installed {
        Ok(_) => Ok(()),
        Err(code) => Err(io::Error::from_raw_os_error(*code)),
    }
}

/// The `SIGBUS` handler: a fault within a guarded mapping gets a page of
/// zeros in place of the page that is gone; any other goes to the action
/// that was there before.
#[allow(unsafe_code)]
extern "C" fn on_sigbus(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: the kernel hands a valid siginfo to an SA_SIGINFO handler.
    let addr = unsafe { (*info).si_addr() } as usize;
    let page = PAGE.load(Ordering::SeqCst).max(1);
    for k in 0..SLOTS {
        let start = STARTS[k].load(Ordering::SeqCst);
        if start == 0 || addr < start || addr >= ENDS[k].load(Ordering::SeqCst) {
            continue;
        }
        let at = addr / page * page;
        // SAFETY: the page lies within a mapping that this module made and
        // still owns (its slot is freed before it is unmapped); replacing it
        // with zeros changes what its reader sees, nothing else.
        let zeros = unsafe {
            libc::mmap(
                at as *mut libc::c_void,
                page,
                libc::PROT_READ,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                -1,
                0,
            )
        };
        if zeros != libc::MAP_FAILED {
            FAILED[k].store(true, Ordering::SeqCst);
            return;
        }
        break;
    }
    // Not ours (or no page to put there): what would have happened anyway.
    let Some(Ok(previous)) = PREVIOUS.get() else {
        return;
    };
    let handler = previous.sa_sigaction;
    // SAFETY: calling the action that was installed before, as the kernel
    // would have; the default action is restored and the fault repeats.
    unsafe {
        if handler == libc::SIG_DFL || handler == libc::SIG_IGN {
            let mut default: libc::sigaction = std::mem::zeroed();
            default.sa_sigaction = libc::SIG_DFL;
            libc::sigaction(libc::SIGBUS, &default, std::ptr::null_mut());
        } else if previous.sa_flags & libc::SA_SIGINFO != 0 {
            let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                std::mem::transmute(handler);
            f(sig, info, ctx);
        } else {
            let f: extern "C" fn(libc::c_int) = std::mem::transmute(handler);
            f(sig);
        }
    }
}

/// The system's page size.
#[allow(unsafe_code)]
fn page_size() -> usize {
    // SAFETY: sysconf only reads a system setting.
    usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })
        .ok()
        .filter(|&p| p > 0)
        .unwrap_or(4096)
}
