//! The text PoolMon and its wrappers print: numbers in fixed widths, headers,
//! stamp lines in every style, summary lines and rows.

use super::*;

pub(super) const SPACES: [u8; 32] = [b' '; 32];

/// Right-aligned unsigned decimal, printf `%{width}d` style (wider numbers are not cut).
#[inline]
pub(super) fn put_u(buf: &mut Vec<u8>, mut v: u64, width: usize) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let len = tmp.len() - i;
    if width > len {
        buf.extend_from_slice(&SPACES[..(width - len).min(SPACES.len())]);
    }
    buf.extend_from_slice(&tmp[i..]);
}

/// Right-aligned signed decimal, printf `%{width}d` style.
#[inline]
/// An Allocs or Frees counter as PoolMon prints it: the kernel's counters are
/// 32-bit (`ULONG`), so only the value modulo 2^32 is printed; the narrow
/// family and the screens print it with `%ld`, so from 2^31 on it appears
/// negative; the wide family prints it as a 64-bit number.
pub(super) fn put_counter(buf: &mut Vec<u8>, form: Form, v: u64, width: usize) {
    let v32 = v as u32;
    match form {
        Form::Wide => put_u(buf, u64::from(v32), width),
        Form::Narrow | Form::Interactive => put_i(buf, i64::from(v32 as i32), width),
    }
}

pub(super) fn put_i(buf: &mut Vec<u8>, v: i64, width: usize) {
    if v >= 0 {
        return put_u(buf, v as u64, width);
    }
    let mut tmp = [0u8; 21];
    let mut i = tmp.len();
    let mut u = v.unsigned_abs();
    loop {
        i -= 1;
        tmp[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    i -= 1;
    tmp[i] = b'-';
    let len = tmp.len() - i;
    if width > len {
        buf.extend_from_slice(&SPACES[..(width - len).min(SPACES.len())]);
    }
    buf.extend_from_slice(&tmp[i..]);
}

pub(super) fn put_2(buf: &mut Vec<u8>, v: u32) {
    buf.push(b'0' + (v / 10 % 10) as u8);
    buf.push(b'0' + (v % 10) as u8);
}

pub(super) const NARROW_HDR: &[u8] =
    b" Tag  Type     Allocs         Frees    Diff   Bytes    Per Alloc";

pub(super) const NARROW_DRV: &[u8] = b"    Mapped_Driver";

pub(super) const WIDE_HDR: &[u8] = b" Tag  Type     Allocs            Frees               Diff            Bytes                 Per Alloc";

pub(super) const WIDE_DRV: &[u8] = b"       Mapped_Driver";

pub(super) const INTER_HDR: &[u8] =
    b" Tag  Type     Allocs            Frees            Diff   Bytes       Per Alloc";

pub(super) const INTER_HDR_DRV: &[u8] =
    b" Tag  Type     Allocs            Frees            Diff   Bytes      Per Alloc  Mapped_Driver";

pub(super) const TITLE: &[u8] = b" System pool information";

pub(super) const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

pub(super) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub(super) const TIME_ZONES: [&str; 5] = [
    "W. Europe Standard Time",
    "Pacific Standard Time",
    "Eastern Standard Time",
    "GMT Standard Time",
    "Tokyo Standard Time",
];

/// Writes the stamp lines for `dt` into `buf`; returns the time the stamp means.
pub(super) fn put_stamp(
    buf: &mut Vec<u8>,
    style: StampStyle,
    dt: NaiveDateTime,
    eol: &[u8],
    tz: &str,
) -> NaiveDateTime {
    let cs = (dt.nanosecond() / 10_000_000).min(99);
    let secs = dt.with_nanosecond(0).unwrap_or(dt);
    let (y, mo, d) = (dt.year().max(0) as u64, dt.month(), dt.day());
    let (h, mi, s) = (dt.hour(), dt.minute(), dt.second());
    match style {
        StampStyle::None => dt,
        StampStyle::UsCmd | StampStyle::DayFirstMarker => {
            if style == StampStyle::UsCmd {
                let wd = WEEKDAYS[dt.weekday().num_days_from_monday() as usize];
                buf.extend_from_slice(&wd.as_bytes()[..3]);
                buf.push(b' ');
                put_2(buf, mo);
                buf.push(b'/');
                put_2(buf, d);
                buf.push(b'/');
                put_u(buf, y, 4);
                buf.push(b' ');
                put_u(buf, u64::from(h), 2); // cmd pads the hour with a space
            } else {
                buf.extend_from_slice(b"===== ");
                put_2(buf, d);
                buf.push(b'/');
                put_2(buf, mo);
                buf.push(b'/');
                put_u(buf, y, 4);
                buf.push(b' ');
                put_2(buf, h);
            }
            buf.push(b':');
            put_2(buf, mi);
            buf.push(b':');
            put_2(buf, s);
            buf.push(b'.');
            put_2(buf, cs);
            if style == StampStyle::DayFirstMarker {
                buf.extend_from_slice(b" =====");
            }
            buf.extend_from_slice(eol);
            secs + TimeDelta::milliseconds(i64::from(cs) * 10)
        }
        StampStyle::Clue => {
            put_u(buf, y, 4);
            buf.push(b'.');
            put_2(buf, mo);
            buf.push(b'.');
            put_2(buf, d);
            buf.push(b'-');
            put_2(buf, h);
            buf.push(b':');
            put_2(buf, mi);
            buf.push(b':');
            put_2(buf, s);
            buf.push(b' ');
            buf.extend_from_slice(tz.as_bytes());
            buf.extend_from_slice(b" (local time of the PC where this was collected)");
            buf.extend_from_slice(eol);
            secs
        }
        StampStyle::PowerShell => {
            buf.extend_from_slice(eol);
            let wd = WEEKDAYS[dt.weekday().num_days_from_monday() as usize];
            buf.extend_from_slice(wd.as_bytes());
            buf.extend_from_slice(b", ");
            buf.extend_from_slice(MONTHS[mo as usize - 1].as_bytes());
            buf.push(b' ');
            put_u(buf, u64::from(d), 1);
            buf.extend_from_slice(b", ");
            put_u(buf, y, 4);
            buf.push(b' ');
            let h12 = if h % 12 == 0 { 12 } else { h % 12 };
            put_u(buf, u64::from(h12), 1);
            buf.push(b':');
            put_2(buf, mi);
            buf.push(b':');
            put_2(buf, s);
            buf.extend_from_slice(if h < 12 { b" AM" } else { b" PM" });
            buf.extend_from_slice(eol);
            buf.extend_from_slice(eol);
            secs
        }
        StampStyle::Iso => {
            put_u(buf, y, 4);
            buf.push(b'-');
            put_2(buf, mo);
            buf.push(b'-');
            put_2(buf, d);
            buf.push(b'T');
            put_2(buf, h);
            buf.push(b':');
            put_2(buf, mi);
            buf.push(b':');
            put_2(buf, s);
            buf.extend_from_slice(eol);
            secs
        }
    }
}

pub(super) fn put_summary(buf: &mut Vec<u8>, v: &SummaryVals, eol: &[u8]) {
    let [mem, avail, pf, krnl, res] = v.line1;
    buf.extend_from_slice(b" Memory:");
    put_u(buf, mem, 8);
    buf.extend_from_slice(b"K Avail:");
    put_u(buf, avail, 8);
    buf.extend_from_slice(b"K  PageFlts:");
    put_u(buf, pf, 6);
    buf.extend_from_slice(b"   InRam Krnl:");
    put_u(buf, krnl, 5);
    buf.extend_from_slice(b"K P:");
    put_u(buf, res, 5);
    buf.push(b'K');
    buf.extend_from_slice(eol);
    let [commit, limit, peak, pn, pp] = v.line2;
    buf.extend_from_slice(b" Commit:");
    put_u(buf, commit, 7);
    buf.extend_from_slice(b"K Limit:");
    put_u(buf, limit, 7);
    buf.extend_from_slice(b"K Peak:");
    put_u(buf, peak, 7);
    buf.extend_from_slice(b"K            Pool N:");
    put_u(buf, pn, 5);
    buf.extend_from_slice(b"K P:");
    put_u(buf, pp, 5);
    buf.push(b'K');
    buf.extend_from_slice(eol);
}

pub(super) fn put_row(
    buf: &mut Vec<u8>,
    form: Form,
    s: &Series,
    v: &Vals,
    driver: bool,
    eol: &[u8],
) {
    let text = if driver { s.driver.as_str() } else { "" };
    put_row_parts(buf, form, &s.tag, s.pool, v, driver, text, eol);
}

/// [`put_row`] from its parts: the tag, the pool, the values and the driver text (written
/// only when `driver` is set).
#[allow(clippy::too_many_arguments)]
pub(super) fn put_row_parts(
    buf: &mut Vec<u8>,
    form: Form,
    tag: &[u8; 4],
    pool: Pool,
    v: &Vals,
    driver: bool,
    driver_text: &str,
    eol: &[u8],
) {
    buf.push(b' ');
    buf.extend_from_slice(tag);
    buf.push(b' ');
    buf.extend_from_slice(pool.printed());
    match form {
        Form::Narrow | Form::Wide => {
            let w: [usize; 5] = if form == Form::Narrow {
                [9, 9, 8, 7, 6]
            } else {
                [18, 18, 16, 14, 12]
            };
            buf.push(b' ');
            put_counter(buf, form, v.allocs, w[0]);
            buf.push(b' ');
            put_counter(buf, form, v.frees, w[1]);
            buf.extend_from_slice(b"  ");
            put_i(buf, v.diff, w[2]);
            buf.push(b' ');
            put_u(buf, v.bytes, w[3]);
            buf.extend_from_slice(b"     ");
            put_u(buf, v.per_alloc, w[4]);
            buf.extend_from_slice(b"        ");
        }
        Form::Interactive => {
            buf.push(b' ');
            put_counter(buf, form, v.allocs, 9);
            buf.extend_from_slice(b" (");
            put_i(buf, v.d_allocs, 4);
            buf.extend_from_slice(b") ");
            put_counter(buf, form, v.frees, 9);
            buf.extend_from_slice(b" (");
            put_i(buf, v.d_frees, 4);
            buf.extend_from_slice(b") ");
            put_i(buf, v.diff, 8);
            buf.push(b' ');
            put_u(buf, v.bytes, 7);
            buf.extend_from_slice(b" (");
            put_i(buf, v.d_bytes, 6);
            buf.extend_from_slice(b") ");
            put_u(buf, v.per_alloc, 6);
            buf.push(b' ');
        }
    }
    if driver {
        buf.extend_from_slice(driver_text.as_bytes());
    }
    buf.extend_from_slice(eol);
}

pub(super) fn widen(dst: &mut Vec<u8>, src: &[u8]) {
    dst.reserve(src.len() * 2);
    for &b in src {
        dst.push(b);
        dst.push(0);
    }
}

// ---------------------------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------------------------
