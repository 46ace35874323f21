//! The domain types every stage shares: the pool of a series, the summary
//! lines' values, series keys and their hash map, and how PoolMon derives
//! Diff and Per Alloc from the other columns.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Pool type of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pool {
    /// `Nonp` rows.
    Nonpaged = 0,
    /// `Paged` rows.
    Paged = 1,
}

impl Pool {
    /// The name used in tables and reports.
    pub fn name(self) -> &'static str {
        match self {
            Pool::Nonpaged => "Nonpaged",
            Pool::Paged => "Paged",
        }
    }

    /// Reads `Nonpaged`/`Nonp`/`Paged` (any case).
    pub fn from_name(s: &str) -> Option<Pool> {
        match s.to_ascii_lowercase().as_str() {
            "nonpaged" | "nonp" | "np" => Some(Pool::Nonpaged),
            "paged" | "p" => Some(Pool::Paged),
            _ => None,
        }
    }
}

/// Values of the two `/r` summary lines, in KiB except `page_faults`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// `Memory:` physical memory.
    pub memory_k: Option<i64>,
    /// `Avail:` available memory.
    pub avail_k: Option<i64>,
    /// `PageFlts:` page faults (cumulative in snapshots). A 32-bit count:
    /// a value printed negative (past 2^31) is stored as its unsigned value.
    pub page_faults: Option<i64>,
    /// `InRam Krnl:` resident kernel code.
    pub inram_krnl_k: Option<i64>,
    /// First `P:`: resident paged pool.
    pub paged_resident_k: Option<i64>,
    /// `Commit:` commit charge.
    pub commit_k: Option<i64>,
    /// `Limit:` commit limit.
    pub limit_k: Option<i64>,
    /// `Peak:` peak commit.
    pub peak_k: Option<i64>,
    /// `Pool N:` nonpaged pool.
    pub pool_nonpaged_k: Option<i64>,
    /// Second `P:`: paged pool.
    pub pool_paged_k: Option<i64>,
}

/// A small multiplicative hasher for integer keys (series ids are hashed once per row).
#[derive(Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A hash map keyed by integers, with [`IdHasher`].
pub(crate) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// The series key: the tag's four bytes and the pool in one integer.
pub(crate) fn series_key(tag: [u8; 4], pool: Pool) -> u64 {
    (u64::from(u32::from_le_bytes(tag)) << 1) | pool as u64
}

/// Splits a series key back into tag bytes and pool.
pub(crate) fn split_key(key: u64) -> ([u8; 4], Pool) {
    let pool = if key & 1 == 1 {
        Pool::Paged
    } else {
        Pool::Nonpaged
    };
    (((key >> 1) as u32).to_le_bytes(), pool)
}

/// Marks a row without Mapped_Driver text.
pub const NO_DRIVER: u32 = u32::MAX;

/// Where Allocs, Frees and Bytes are in a row's three counters, kept side by
/// side (`Part::counters`, `Rows::counters`).
pub const ALLOCS: usize = 0;
/// See [`ALLOCS`].
pub const FREES: usize = 1;
/// See [`ALLOCS`].
pub const BYTES: usize = 2;

/// Diff as PoolMon prints it: Allocs − Frees (every row of the real samples
/// agrees); `None` when that is beyond 64 bits. Rows are stored without it;
/// those that print another value keep theirs.
pub fn diff_of(allocs: u64, frees: u64) -> Option<i64> {
    i64::try_from(i128::from(allocs) - i128::from(frees)).ok()
}

/// [`diff_of`] a row's counters (Allocs, Frees and Bytes side by side).
#[inline]
pub fn counters_diff(c: &[u64; 3]) -> Option<i64> {
    diff_of(c[ALLOCS], c[FREES])
}

/// A 32-bit count printed with `%ld` (PageFlts): a negative value down to
/// -2^31 is the unsigned value past 2^31; other values are kept as printed.
pub fn unsigned32(printed: i64) -> i64 {
    let m = COUNTER_MOD as i64;
    if (-m / 2..0).contains(&printed) {
        printed + m
    } else {
        printed
    }
}

/// The modulus of PoolMon's counters (Allocs, Frees, PageFlts are `ULONG`s).
pub const COUNTER_MOD: u64 = 1 << 32;

/// Per Alloc as PoolMon prints it: Bytes / Diff rounded down (every row of
/// the real samples agrees), and Bytes when Diff is not positive. Rows are
/// stored without it; those that print another value keep theirs.
pub fn per_alloc_of(bytes: u64, diff: i64) -> u64 {
    if diff > 0 {
        bytes / diff as u64
    } else {
        bytes
    }
}

/// Whether `per_alloc` is [`per_alloc_of`]`(bytes, diff)` (without dividing).
pub fn is_per_alloc_of(per_alloc: u64, bytes: u64, diff: i64) -> bool {
    if diff > 0 {
        let (d, b) = (diff as u128, u128::from(bytes));
        let low = u128::from(per_alloc) * d;
        low <= b && b - low < d
    } else {
        per_alloc == bytes
    }
}

/// Row `r`'s value in a list of `(row, value)` in row order (the rows whose
/// value is not the usual one), if it is there.
#[inline]
pub(crate) fn odd_value<R: Copy + Ord, T: Copy>(list: &[(R, T)], r: R) -> Option<T> {
    list.binary_search_by_key(&r, |&(row, _)| row)
        .ok()
        .map(|k| list[k].1)
}
