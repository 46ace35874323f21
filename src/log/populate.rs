//! Memory about to be written in bulk, asked of the kernel in one call.
//!
//! The row columns are new memory: written a page at a time, each first
//! write stops for a page fault. On Linux, `MADV_POPULATE_WRITE` maps the
//! whole range in one call instead (the same pages, zeroed, without a
//! fault each); elsewhere, and on kernels without it (before 5.14), this
//! does nothing and the pages fault in as they are written.

/// Asks for the pages wholly inside `buf` to be mapped for writing. A hint:
/// whatever the kernel answers, `buf` is unchanged and as usable as before.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
pub(super) fn populate<T>(buf: &mut [T]) {
    // SAFETY: sysconf only reads a system setting.
    let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(0);
    if page == 0 {
        return;
    }
    let start = buf.as_mut_ptr() as usize;
    let end = start + std::mem::size_of_val(buf);
    let lo = start.next_multiple_of(page);
    let hi = end / page * page;
    if hi <= lo {
        return;
    }
    // SAFETY: [lo, hi) lies within `buf`, memory this process owns and may
    // write; MADV_POPULATE_WRITE only faults its pages in (as a write of
    // nothing would) and leaves their contents as they are. An error
    // (EINVAL on an old kernel) is ignored: the pages then fault in later.
    unsafe {
        libc::madvise(lo as *mut libc::c_void, hi - lo, libc::MADV_POPULATE_WRITE);
    }
}

/// Elsewhere: nothing (the pages fault in as they are written).
#[cfg(not(target_os = "linux"))]
pub(super) fn populate<T>(_buf: &mut [T]) {}
