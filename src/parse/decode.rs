//! Byte decoding: whatever encoding a log was written in, out comes text
//! that the line parser reads as ASCII-compatible bytes.
//!
//! PoolMon writes ANSI text; PowerShell wrappers may write the whole file, or
//! just the timestamp lines they append with `>>`, as UTF-16LE (with a BOM
//! in Windows PowerShell 5.1). Editors add a UTF-8 BOM; other writers leave
//! stray NUL and Ctrl-Z bytes. The [`Decoder`] works on a stream, a block at a
//! time, switching between byte mode and UTF-16LE mode wherever the data does:
//!
//! * byte mode: `FF FE` switches to UTF-16LE; so do two printable bytes each
//!   followed by `00` (a UTF-16 block without BOM); `EF BB BF`, NUL and
//!   Ctrl-Z are dropped; every other byte is copied;
//! * UTF-16LE mode: code units are written as UTF-8; a unit whose two bytes
//!   are both printable ASCII (`\r\n`, ` T`…) ends the block (the next writer
//!   appended ASCII) and byte mode takes over at that byte.
//!
//! Input without NUL, `FF`, `EF` or Ctrl-Z bytes, the common case, passes
//! through untouched without a copy.

use std::borrow::Cow;

/// Streaming decoder state.
#[derive(Debug, Default, Clone)]
pub struct Decoder {
    utf16: bool,
    pending: Vec<u8>,
    /// The last block passed through untouched ended with a printable byte,
    /// which may be the first byte of a UTF-16LE block without BOM.
    tail_open: bool,
    /// Bytes dropped (stray NUL, Ctrl-Z, BOMs) so far.
    pub dropped: u64,
    /// UTF-16LE blocks seen so far.
    pub utf16_blocks: u64,
}

fn printable(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7e)
}

fn push_char(out: &mut Vec<u8>, c: char) {
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

impl Decoder {
    /// A decoder in byte mode.
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes the next block of input. `last` says no more input follows,
    /// so bytes held back for look-ahead are flushed.
    pub fn decode<'a>(&mut self, block: &'a [u8], last: bool) -> Cow<'a, [u8]> {
        if self.pending.is_empty() && !self.utf16 && clean(block) {
            if let Some(&b) = block.last() {
                self.tail_open = printable(b);
            }
            return Cow::Borrowed(block);
        }
        let mut input = std::mem::take(&mut self.pending);
        input.extend_from_slice(block);
        let mut out = Vec::with_capacity(input.len());
        let n = input.len();
        let mut i = 0;
        // The first NUL, `FF` or Ctrl-Z, and the first `EF`, at or after
        // `i` (found again once `i` reaches them).
        let (mut next_nul, mut next_ef) = (0, 0);
        while i < n {
            // Look-ahead needs up to 4 bytes; hold the tail back unless this is the end.
            if !last && n - i < 4 {
                break;
            }
            if std::mem::take(&mut self.tail_open)
                && !self.utf16
                && input[0] == 0
                && input.get(1).is_some_and(|&c| c != 0 && printable(c))
                && input.get(2) == Some(&0)
            {
                // The block passed through before ended with the first byte of a
                // UTF-16LE block: this NUL is that unit's high byte.
                self.utf16 = true;
                self.utf16_blocks += 1;
                i = 1;
                continue;
            }
            if self.utf16 {
                if i + 1 >= n {
                    // Odd final byte of a UTF-16 block.
                    if input[i] != 0 {
                        out.push(input[i]);
                    }
                    i += 1;
                    continue;
                }
                let (lo, hi) = (input[i], input[i + 1]);
                if hi == 0 {
                    match lo {
                        0 | 0x1a => self.dropped += 1,
                        c if c < 0x80 => out.push(c),
                        c => push_char(&mut out, char::from(c)),
                    }
                    i += 2;
                } else if lo == 0xff && hi == 0xfe {
                    self.dropped += 2;
                    i += 2;
                } else if printable(lo) && printable(hi) {
                    // An ASCII writer appended here: back to byte mode.
                    self.utf16 = false;
                } else {
                    let unit = u16::from_le_bytes([lo, hi]);
                    if (0xd800..0xdc00).contains(&unit) && i + 3 < n {
                        let low = u16::from_le_bytes([input[i + 2], input[i + 3]]);
                        let c = char::decode_utf16([unit, low]).next();
                        match c {
                            Some(Ok(c)) => {
                                push_char(&mut out, c);
                                i += 4;
                            }
                            _ => {
                                push_char(&mut out, char::REPLACEMENT_CHARACTER);
                                i += 2;
                            }
                        }
                    } else {
                        let c =
                            char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER);
                        push_char(&mut out, c);
                        i += 2;
                    }
                }
                continue;
            }
            // A run of bytes none of which can start a sequence (no NUL,
            // `FF`, `EF` or Ctrl-Z, and no NUL after it) is copied as it is.
            // Where the next such bytes are is looked for again only once
            // passed, each kind on its own, so that every search ends at the
            // byte it finds: linear however many there are.
            if next_nul <= i {
                next_nul = memchr::memchr3(0, 0xff, 0x1a, &input[i..]).map_or(n, |k| i + k);
            }
            if next_ef <= i {
                next_ef = memchr::memchr(0xef, &input[i..]).map_or(n, |k| i + k);
            }
            let run = (next_nul.min(next_ef) - i).saturating_sub(1);
            if run > 0 {
                out.extend_from_slice(&input[i..i + run]);
                i += run;
                continue;
            }
            let b = input[i];
            let at = |k: usize| input.get(i + k).copied();
            if b == 0xff && at(1) == Some(0xfe) {
                self.utf16 = true;
                self.utf16_blocks += 1;
                self.dropped += 2;
                i += 2;
            } else if b == 0xef && at(1) == Some(0xbb) && at(2) == Some(0xbf) {
                self.dropped += 3;
                i += 3;
            } else if b != 0
                && printable(b)
                && at(1) == Some(0)
                && at(2).is_some_and(|c| c != 0 && printable(c))
                && at(3) == Some(0)
            {
                self.utf16 = true;
                self.utf16_blocks += 1;
            } else if b == 0 || b == 0x1a {
                self.dropped += 1;
                i += 1;
            } else {
                out.push(b);
                i += 1;
            }
        }
        let tail = &input[i..];
        if !self.utf16 && special(tail).is_none() {
            // Bytes held back for a look-ahead that none of them can start
            // (as after a block passed through): the next block, if clean,
            // passes through untouched again.
            out.extend_from_slice(tail);
            self.tail_open = tail.last().is_some_and(|&b| printable(b));
        } else {
            self.pending = tail.to_vec();
        }
        Cow::Owned(out)
    }
}

/// Where the first byte that may start a sequence to decode is: NUL, `FF`,
/// `EF` or Ctrl-Z.
fn special(bytes: &[u8]) -> Option<usize> {
    let a = memchr::memchr3(0, 0xff, 0x1a, bytes);
    let b = memchr::memchr(0xef, &bytes[..a.unwrap_or(bytes.len())]);
    b.or(a)
}

/// True when a block needs no decoding: no NUL, no `FF`, no `EF`, no Ctrl-Z.
fn clean(block: &[u8]) -> bool {
    special(block).is_none()
}

/// Decodes a whole buffer in one go.
pub fn decode_all(bytes: &[u8]) -> Cow<'_, [u8]> {
    Decoder::new().decode(bytes, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, bom: bool) -> Vec<u8> {
        let mut v = if bom { vec![0xff, 0xfe] } else { vec![] };
        for u in s.encode_utf16() {
            v.extend_from_slice(&u.to_le_bytes());
        }
        v
    }

    #[test]
    fn ascii_passes_through_without_copy() {
        assert!(matches!(decode_all(b" Tag  Type\r\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn utf16_file_with_bom() {
        let v = utf16(
            "Wed 11/25/2026 23:18:56.12\r\n Abcd Nonp 1 0 1 64 64\r\n",
            true,
        );
        assert_eq!(
            &*decode_all(&v),
            b"Wed 11/25/2026 23:18:56.12\r\n Abcd Nonp 1 0 1 64 64\r\n"
        );
    }

    #[test]
    fn mixed_blocks() {
        let mut v = b"\r\n Abcd Nonp 1 0 1 64 64\r\n".to_vec();
        v.extend(utf16("Wednesday, November 25, 2026 11:18:56 PM\r\n", true));
        v.extend_from_slice(b"\r\n Abcd Nonp 2 0 2 128 64\r\n");
        v.extend(utf16("2026-11-25T23:30:00\r\n", false));
        v.extend_from_slice(b" Abcd Nonp 3 0 3 192 64\r\n");
        let out = decode_all(&v);
        assert_eq!(
            String::from_utf8_lossy(&out),
            "\r\n Abcd Nonp 1 0 1 64 64\r\nWednesday, November 25, 2026 11:18:56 PM\r\n\r\n Abcd Nonp 2 0 2 128 64\r\n2026-11-25T23:30:00\r\n Abcd Nonp 3 0 3 192 64\r\n"
        );
    }

    #[test]
    fn streaming_in_small_blocks_equals_whole() {
        let mut v = b"\xef\xbb\xbf\r\n Abcd Nonp 1 0 1 64 64\x1a\r\n".to_vec();
        v.extend(utf16(
            "Mittwoch, 25. November 2026 \u{00e4} 23:18:56\r\n",
            true,
        ));
        v.extend_from_slice(b" Abcd Nonp 2 0 2 128 64\r\n\0");
        let whole = decode_all(&v).into_owned();
        for size in 1..9 {
            let mut d = Decoder::new();
            let mut out = Vec::new();
            let chunks: Vec<&[u8]> = v.chunks(size).collect();
            for (k, c) in chunks.iter().enumerate() {
                out.extend_from_slice(&d.decode(c, k + 1 == chunks.len()));
            }
            assert_eq!(out, whole, "block size {size}");
        }
        assert!(String::from_utf8(whole).is_ok());
    }

    #[test]
    fn utf16_block_starting_at_the_end_of_a_clean_block() {
        // Found by the parse fuzz target: the first byte of a UTF-16 block
        // without BOM was the last byte of a block passed through untouched.
        let v = b"ab0\0@\0\0\0\0\0\0\0\0II";
        let whole = decode_all(v).into_owned();
        assert_eq!(String::from_utf8_lossy(&whole), "ab0@\u{4900}I");
        for cut in 1..v.len() {
            let mut d = Decoder::new();
            let mut out = d.decode(&v[..cut], false).into_owned();
            out.extend_from_slice(&d.decode(&v[cut..], true));
            assert_eq!(out, whole, "cut at {cut}");
        }
    }

    #[test]
    fn odd_length_utf16_and_stray_bytes() {
        let mut v = utf16("ab", true);
        v.push(b'c');
        assert_eq!(&*decode_all(&v), b"abc");
        assert_eq!(&*decode_all(b"a\0b\x1ac"), b"abc");
    }

    #[test]
    fn clean_blocks_pass_through_again_after_one_decoded() {
        // A UTF-8 BOM (an editor's, or `Out-File -Encoding utf8`) on the
        // first block must not send the whole log through the slow path.
        let mut d = Decoder::new();
        let first = d.decode(b"\xef\xbb\xbf Abcd Nonp 1 0 1 64 64\r\n", false);
        assert_eq!(&*first, b" Abcd Nonp 1 0 1 64 64\r\n");
        let second = d.decode(b" Abcd Nonp 2 0 2 128 64\r\n", false);
        assert!(matches!(second, Cow::Borrowed(_)));
        // So does a block after a UTF-16 stamp.
        let mut block = utf16("Wed 11/25/2026 23:18:56.12\r\n", true);
        block.extend_from_slice(b" Abcd Nonp 3 0 3 192 64\r\n");
        assert_eq!(
            &*d.decode(&block, false),
            b"Wed 11/25/2026 23:18:56.12\r\n Abcd Nonp 3 0 3 192 64\r\n"
        );
        assert!(matches!(
            d.decode(b" Abcd Nonp 4 0 4 256 64\r\n", false),
            Cow::Borrowed(_)
        ));
    }

    proptest::proptest! {
        #[test]
        fn streaming_cut_anywhere_equals_whole(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![
                    b'a', b'Z', b' ', b'\n', b'\r', 0u8, 0xff, 0xfe, 0xef, 0xbb, 0xbf, 0x1a, 0xd8, 0xdc, 0x80,
                ]),
                0..300,
            ),
            cuts in proptest::collection::vec(0usize..300, 0..8),
        ) {
            let whole = decode_all(&bytes).into_owned();
            let mut cuts: Vec<usize> = cuts.into_iter().filter(|&c| c < bytes.len()).collect();
            cuts.sort_unstable();
            cuts.push(bytes.len());
            let mut d = Decoder::new();
            let mut out = Vec::new();
            let mut from = 0;
            for (k, &to) in cuts.iter().enumerate() {
                out.extend_from_slice(&d.decode(&bytes[from..to], k + 1 == cuts.len()));
                from = to;
            }
            proptest::prop_assert_eq!(out, whole);
        }
    }
}
