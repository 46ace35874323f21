//! The fastest reader of a plain row's numbers: a bit mask of the digit and
//! space bytes of the 64 bytes after the type token, from which all five
//! fields are found and converted at once (no field waits for the one before
//! it). Rows whose numbers do not fit the window (the wide `/n` family) or
//! are not five plain numbers go to [`plain_numbers`] and [`row_numbers`].

use super::*;

/// Bytes the window reader looks at.
pub(super) const WINDOW: usize = 64;

/// The numbers of the row whose numeric part (after the type token) is
/// `buf[at..at + len]`, read from the window of [`WINDOW`] bytes at `at`:
/// the fields, and where the numbers end (relative to `at`). `buf` may go on
/// past the line (those bytes are ignored) but must hold the window; the
/// bytes before `at` are the row's tag and type.
///
/// `None` for anything else, as [`plain_numbers`] (a 17-digit value, a tab,
/// a field past the window too): the other readers then read the row.
/// Where it reads a row, it agrees with [`row_numbers`].
#[inline(always)]
pub(super) fn window_numbers(buf: &[u8], at: usize, len: usize) -> Option<(Numbers, usize)> {
    let w: &[u8; WINDOW] = buf.get(at..at + WINDOW)?.try_into().ok()?;
    let (digit, space, _) = masks(w);
    numbers_in(w, buf, at, len, digit, space)
}

/// [`window_numbers`] given the window `w` (at `at` in `buf`) and its
/// digit and space masks.
#[inline(always)]
pub(super) fn numbers_in(
    w: &[u8; WINDOW],
    buf: &[u8],
    at: usize,
    len: usize,
    digit: u64,
    space: u64,
) -> Option<(Numbers, usize)> {
    let valid = if len >= WINDOW {
        u64::MAX
    } else {
        (1u64 << len) - 1
    };
    let (digit, space) = (digit & valid, space & valid);
    // The numbers follow the type after whitespace.
    if space & 1 == 0 {
        return None;
    }
    let word = !space & valid;
    let mut t = Tokens {
        starts: word & !(word << 1),
        // The bit after each token (a token that reaches the window's end has none).
        ends: !word & (word << 1),
        digit,
    };
    let (allocs, neg_a, _) = t.next(w, buf, at, true)?;
    let (frees, neg_f, _) = t.next(w, buf, at, true)?;
    let (diff, neg_d, _) = t.next(w, buf, at, true)?;
    let (bytes, _, _) = t.next(w, buf, at, false)?;
    let (per_alloc, _, end) = t.next(w, buf, at, false)?;
    let allocs = counter32(neg_a, allocs)?;
    let frees = counter32(neg_f, frees)?;
    // Up to 16 digits: within i64.
    let diff = if neg_d { -(diff as i64) } else { diff as i64 };
    Some(((allocs, frees, diff, bytes, per_alloc, false), end))
}

/// The whitespace-separated tokens of a window, from its masks.
struct Tokens {
    /// The first byte of each token not yet read.
    starts: u64,
    /// The byte after each token not yet read.
    ends: u64,
    /// The window's digit bytes.
    digit: u64,
}

impl Tokens {
    /// The next token as a number (a `-` before its digits when `signed`):
    /// its value, whether it was negative, and where it ends.
    #[inline(always)]
    fn next(
        &mut self,
        w: &[u8; WINDOW],
        buf: &[u8],
        at: usize,
        signed: bool,
    ) -> Option<(u64, bool, usize)> {
        let (s, e) = (self.starts.trailing_zeros(), self.ends.trailing_zeros());
        if e >= 64 {
            return None;
        }
        self.starts &= self.starts.wrapping_sub(1);
        self.ends &= self.ends - 1;
        let bits = (1u64 << e) - (1u64 << s);
        let neg = if self.digit & bits == bits {
            false
        } else if signed && self.digit & bits == bits & !(1u64 << s) && w[s as usize] == b'-' {
            true
        } else {
            return None;
        };
        // Digits only (a lone `-` has none: `digits_before` refuses it).
        let n = (e - s) as usize - usize::from(neg);
        let end = at + e as usize;
        Some((digits_before(buf, end, n)?, neg, e as usize))
    }
}

/// The value of the `n` ASCII digits that end at `buf[end]` (exclusive),
/// 1 to 16 of them; `None` for more, or when fewer than 8 (16) bytes come
/// before `end`.
#[inline(always)]
fn digits_before(buf: &[u8], end: usize, n: usize) -> Option<u64> {
    match n {
        1..=8 => last8(buf, end, n),
        9..=16 => Some(last8(buf, end - 8, n - 8)? * 100_000_000 + last8(buf, end, 8)?),
        _ => None,
    }
}

/// The value of the last `n` (1 to 8) bytes before `buf[end]`, all ASCII
/// digits; `None` when fewer than 8 bytes come before `end`.
#[inline(always)]
fn last8(buf: &[u8], end: usize, n: usize) -> Option<u64> {
    let w = word8(buf, end.checked_sub(8)?)?;
    // The digits are the top `n` bytes: fill the bytes below them with '0's.
    let w = if n >= 8 {
        w
    } else {
        (w & (u64::MAX << (8 * (8 - n)))) | (0x3030_3030_3030_3030 >> (8 * n))
    };
    Some(swar8(w))
}

/// Bit `k` of the first mask is set when byte `k` of `w` is an ASCII digit,
/// of the second when it is a space (a tab counts as neither: such rows are
/// left to the other readers), of the third when it ends a line (`\n` or
/// `\r`).
#[inline(always)]
pub(super) fn masks(w: &[u8; WINDOW]) -> (u64, u64, u64) {
    #[cfg(target_arch = "x86_64")]
    {
        masks_sse2(w)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        masks_swar(w)
    }
}

/// [`masks`] sixteen bytes at a time with SSE2 (part of every x86-64 CPU).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
#[allow(unsafe_code)]
fn masks_sse2(w: &[u8; WINDOW]) -> (u64, u64, u64) {
    use core::arch::x86_64::*;
    let (mut digit, mut space, mut eol) = (0u64, 0u64, 0u64);
    for q in 0..WINDOW / 16 {
        let half = |k: usize| word8(w, 16 * q + k).unwrap_or(0) as i64;
        // SAFETY: SSE2 is part of the x86-64 baseline, so these intrinsics are
        // available on every CPU this code runs on; none of them touches memory.
        let (d, s, e) = unsafe {
            let v = _mm_set_epi64x(half(8), half(0));
            // (c - '0') < 10 unsigned, as a signed compare of c - '0' - 128.
            let x = _mm_sub_epi8(v, _mm_set1_epi8((b'0' as i8).wrapping_add(i8::MIN)));
            let d = _mm_cmplt_epi8(x, _mm_set1_epi8(i8::MIN + 10));
            let s = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
            let e = _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8)),
            );
            (
                _mm_movemask_epi8(d),
                _mm_movemask_epi8(s),
                _mm_movemask_epi8(e),
            )
        };
        digit |= u64::from(d as u16) << (16 * q);
        space |= u64::from(s as u16) << (16 * q);
        eol |= u64::from(e as u16) << (16 * q);
    }
    (digit, space, eol)
}

/// [`masks`] eight bytes at a time in plain integer arithmetic.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(super) fn masks_swar(w: &[u8; WINDOW]) -> (u64, u64, u64) {
    const LO7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HI: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `x` that is not zero.
    let nonzero = |x: u64| ((x & LO7).wrapping_add(LO7) | x) & HI;
    // The high bits gathered into the low eight bits (byte k → bit k).
    let gather = |hi: u64| ((hi >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56;
    let (mut digit, mut space, mut eol) = (0u64, 0u64, 0u64);
    for q in 0..WINDOW / 8 {
        let v = word8(w, 8 * q).unwrap_or(0);
        // A digit XOR '0' is 0 to 9: below 0x80, and below 0x80 still after adding 0x76.
        let x = v ^ 0x3030_3030_3030_3030;
        let not_digit = ((x & LO7).wrapping_add(0x7676_7676_7676_7676) | x) & HI;
        let not_space = nonzero(v ^ 0x2020_2020_2020_2020);
        let not_eol = nonzero(v ^ 0x0a0a_0a0a_0a0a_0a0a) & nonzero(v ^ 0x0d0d_0d0d_0d0d_0d0d);
        digit |= gather(!not_digit & HI) << (8 * q);
        space |= gather(!not_space & HI) << (8 * q);
        eol |= gather(!not_eol & HI) << (8 * q);
    }
    (digit, space, eol)
}
