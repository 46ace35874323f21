//! The numbers of a pool row: a one-pass reader for plain `/n` rows
//! (whitespace and digits eight bytes at a time) and the exact nom reader it
//! falls back to (`( delta )` columns, signs, 20-digit values, junk), with the
//! reason a field cannot be read.

use nom::bytes::complete::{tag, take_while};
use nom::character::complete::i64 as nom_i64;
use nom::combinator::opt;
use nom::sequence::{delimited, preceded};
use nom::{IResult, Parser};

use super::*;
use crate::model::COUNTER_MOD;

pub(super) type In<'a> = &'a [u8];

pub(super) fn is_ws(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

pub(super) fn ws0(i: In) -> IResult<In, In> {
    take_while(is_ws).parse(i)
}

/// `( delta )`, optionally glued to the number before it: `(   0)`, `( -184)`, `(0)`.
pub(super) fn delta(i: In) -> IResult<In, i64> {
    preceded(
        ws0,
        delimited(tag("("), preceded(ws0, nom_i64), preceded(ws0, tag(")"))),
    )
    .parse(i)
}

/// Error for the hand-written number parsers.
pub(super) fn fail(i: In) -> nom::Err<nom::error::Error<In>> {
    nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Digit))
}

/// Decimal digits as u64, refusing overflow. The hot path of the parser: a
/// plain loop is several times faster than the generic nom number parser.
pub(super) fn digits_u64(i: In) -> IResult<In, u64> {
    let mut v: u64 = 0;
    let mut k = 0;
    while let Some(&c) = i.get(k) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d)))
            .ok_or_else(|| fail(i))?;
        k += 1;
    }
    if k == 0 {
        return Err(fail(i));
    }
    Ok((&i[k..], v))
}

/// Spaces and tabs, at least one.
pub(super) fn ws1_fast(i: In) -> IResult<In, ()> {
    let k = i.iter().take_while(|&&c| is_ws(c)).count();
    if k == 0 {
        Err(fail(i))
    } else {
        Ok((&i[k..], ()))
    }
}

/// An optional `( delta )`: checks for a `(` before running the nom parser.
pub(super) fn opt_delta(i: In) -> IResult<In, Option<i64>> {
    let k = i.iter().take_while(|&&c| is_ws(c)).count();
    if i.get(k) == Some(&b'(') {
        opt(delta).parse(i)
    } else {
        Ok((i, None))
    }
}

/// A whitespace-separated unsigned count.
pub(super) fn count(i: In) -> IResult<In, u64> {
    let (i, ()) = ws1_fast(i)?;
    digits_u64(i)
}

/// A 32-bit counter as printed: PoolMon's Allocs and Frees are `ULONG`s,
/// printed with `%ld` by the narrow snapshot family and the screens, so a
/// value in [2^31, 2^32) appears as its negative two's complement. Given the
/// digits' value and whether a `-` came before them, the counter's unsigned
/// value; `None` for a negative value beyond 32 bits.
pub(super) fn counter32(neg: bool, v: u64) -> Option<u64> {
    match (neg, v) {
        (false, v) | (true, v @ 0) => Some(v),
        (true, v) if v <= COUNTER_MOD / 2 => Some(COUNTER_MOD - v),
        _ => None,
    }
}

/// A whitespace-separated count that may be printed negative (a 32-bit
/// counter past 2^31, [`counter32`]).
pub(super) fn counter(i: In) -> IResult<In, u64> {
    let (i, ()) = ws1_fast(i)?;
    let (neg, j) = match i.first() {
        Some(b'-') => (true, &i[1..]),
        _ => (false, i),
    };
    let (rest, v) = digits_u64(j)?;
    Ok((rest, counter32(neg, v).ok_or_else(|| fail(i))?))
}

/// A whitespace-separated signed number (Diff may be negative).
pub(super) fn signed(i: In) -> IResult<In, i64> {
    let (i, ()) = ws1_fast(i)?;
    let (neg, i) = match i.first() {
        Some(b'-') => (true, &i[1..]),
        _ => (false, i),
    };
    let (rest, v) = digits_u64(i)?;
    let v = if neg {
        if v > i64::MAX as u64 + 1 {
            return Err(fail(i));
        }
        (v as i64).wrapping_neg()
    } else {
        i64::try_from(v).map_err(|_| fail(i))?
    };
    Ok((rest, v))
}

/// The numeric part of a row, after the type token.
///
/// `Allocs [(d)] Frees [(d)] Diff Bytes [(d)] PerAlloc [driver]`.
/// Returns the fields, whether deltas were seen, and the rest of the line.
pub(super) type Numbers = (u64, u64, i64, u64, u64, bool);

pub(super) fn row_numbers(i: In) -> Result<(Numbers, In), &'static str> {
    let (i, allocs) = counter(i).map_err(|_| field_error(i, "Allocs"))?;
    let (i, d1) = opt_delta(i).map_err(|_| "Allocs delta")?;
    let (i, frees) = counter(i).map_err(|_| field_error(i, "Frees"))?;
    let (i, d2) = opt_delta(i).map_err(|_| "Frees delta")?;
    let (i, diff) = signed(i).map_err(|_| field_error(i, "Diff"))?;
    let (i, bytes) = count(i).map_err(|_| field_error(i, "Bytes"))?;
    let (i, d3) = opt_delta(i).map_err(|_| "Bytes delta")?;
    let (i, per_alloc) = count(i).map_err(|_| field_error(i, "Per Alloc"))?;
    let interactive = d1.is_some() || d2.is_some() || d3.is_some();
    Ok(((allocs, frees, diff, bytes, per_alloc, interactive), i))
}

/// The numeric part of the usual row (`/n` snapshots: five numbers, no
/// deltas, none longer than 19 digits), in one pass over the bytes. `None`
/// for anything else (deltas, a field that is not a plain number, 20 digits
/// or more): [`row_numbers`] then reads it, or says what is wrong. Where
/// both read a row they agree.
#[inline(always)]
pub(super) fn plain_numbers(i: In) -> Option<(Numbers, In)> {
    /// Whitespace, then up to 19 digits (an optional `-` when `signed`):
    /// the value, whether it was negative, and where it ends.
    #[inline(always)]
    fn field(i: In, mut k: usize, signed: bool) -> Option<(u64, bool, usize)> {
        let start = k;
        // Columns are padded with runs of spaces: skip them eight at a time.
        while let Some(w) = word8(i, k) {
            let other = w ^ 0x2020_2020_2020_2020;
            if other != 0 {
                k += (other.trailing_zeros() / 8) as usize;
                break;
            }
            k += 8;
        }
        while k < i.len() && is_ws(i[k]) {
            k += 1;
        }
        if k == start {
            return None;
        }
        let neg = signed && i.get(k) == Some(&b'-');
        k += usize::from(neg);
        let first = k;
        let mut v: u64 = 0;
        // Eight bytes at a time while they are all digits, then the rest of the run.
        while let Some(w) = word8(i, k) {
            let run = digit_run(w);
            if run == 0 || k - first + run > 19 {
                break;
            }
            v = v.wrapping_mul(POW10[run]).wrapping_add(swar_digits(w, run));
            k += run;
            if run < 8 {
                break;
            }
        }
        while k < i.len() {
            let d = i[k].wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            // 19 digits cannot overflow: checked below before any 20th.
            v = v.wrapping_mul(10).wrapping_add(u64::from(d));
            k += 1;
        }
        let digits = k - first;
        if digits == 0 || digits > 19 {
            return None;
        }
        Some((v, neg, k))
    }
    let (allocs, neg, k) = field(i, 0, true)?;
    let allocs = counter32(neg, allocs)?;
    let (frees, neg, k) = field(i, k, true)?;
    let frees = counter32(neg, frees)?;
    let (diff, neg, k) = field(i, k, true)?;
    let (bytes, _, k) = field(i, k, false)?;
    let (per_alloc, _, k) = field(i, k, false)?;
    // Diff as i64: 19 digits may exceed i64::MAX; leave those to the exact path.
    let diff = i64::try_from(diff).ok()?;
    let diff = if neg { -diff } else { diff };
    Some(((allocs, frees, diff, bytes, per_alloc, false), &i[k..]))
}

/// The eight bytes of `i` from `k` as one word (first byte lowest), if there are eight.
pub(super) fn word8(i: In, k: usize) -> Option<u64> {
    let w: [u8; 8] = i.get(k..k + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(w))
}

/// Powers of ten up to 10⁸.
pub(super) const POW10: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// How many of the eight bytes of `w` (first byte lowest) are ASCII digits
/// before the first that is not.
pub(super) fn digit_run(w: u64) -> usize {
    const HI: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    // A digit byte is 0x30–0x39: its high nibble is 3, and still 3 after adding 6.
    // (A carry out of a byte only reaches bytes after a non-digit.)
    let bad =
        ((w & HI) | ((w.wrapping_add(0x0606_0606_0606_0606) & HI) >> 4)) ^ 0x3333_3333_3333_3333;
    (bad.trailing_zeros() / 8) as usize
}

/// The value of the first `run` (1 to 8) bytes of `w`, all ASCII digits.
pub(super) fn swar_digits(w: u64, run: usize) -> u64 {
    // Move the digits to the top and fill the bottom with '0's: eight digits.
    let w = if run == 8 {
        w
    } else {
        (w << (8 * (8 - run))) | (0x3030_3030_3030_3030 >> (8 * run))
    };
    swar8(w)
}

/// The value of the eight ASCII digits of `w` (first byte most significant).
#[inline(always)]
pub(super) fn swar8(w: u64) -> u64 {
    let w = w.wrapping_sub(0x3030_3030_3030_3030);
    let w = (w.wrapping_mul(10) + (w >> 8)) & 0x00FF_00FF_00FF_00FF;
    let w = (w.wrapping_mul(100) + (w >> 16)) & 0x0000_FFFF_0000_FFFF;
    (w.wrapping_mul(10_000) + (w >> 32)) & 0xFFFF_FFFF
}

/// Explains why a numeric field failed: missing, too large, negative (a
/// counter below -2^31: no 32-bit value prints so) or not a number.
pub(super) fn field_error(i: In, field: &'static str) -> &'static str {
    let t = trim_start(i);
    let digits = t.iter().take_while(|c| c.is_ascii_digit()).count();
    if t.is_empty() {
        match field {
            "Allocs" => "row cut off: no Allocs",
            "Frees" => "row cut off: no Frees",
            "Diff" => "row cut off: no Diff",
            "Bytes" => "row cut off: no Bytes",
            _ => "row cut off: no Per Alloc",
        }
    } else if digits > 0 {
        match field {
            "Allocs" => "row: Allocs beyond 64 bits",
            "Frees" => "row: Frees beyond 64 bits",
            "Diff" => "row: Diff beyond 64 bits",
            "Bytes" => "row: Bytes beyond 64 bits",
            _ => "row: Per Alloc beyond 64 bits",
        }
    } else if t.first() == Some(&b'-') && t.get(1).is_some_and(u8::is_ascii_digit) {
        match field {
            "Allocs" => "row: negative Allocs beyond 32 bits",
            "Frees" => "row: negative Frees beyond 32 bits",
            "Diff" => "row: Diff is not a number",
            "Bytes" => "row: negative Bytes",
            _ => "row: negative Per Alloc",
        }
    } else {
        match field {
            "Allocs" => "row: Allocs is not a number",
            "Frees" => "row: Frees is not a number",
            "Diff" => "row: Diff is not a number",
            "Bytes" => "row: Bytes is not a number",
            _ => "row: Per Alloc is not a number",
        }
    }
}
