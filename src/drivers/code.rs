//! Instructions that matter in executable sections: 32-bit immediates (tag candidates) and
//! calls through a pool function's import slot, for x86, x64 and ARM64.
//!
//! Nothing is disassembled from a known start: every byte offset (x86, x64) or every 4-byte
//! word (ARM64) is tried as the start of one of a few encodings, so a pass is linear and
//! never loses its way in data mixed with code. A match inside another instruction is
//! possible but rare, and costs one spurious count.
//!
//! | arch | immediates | pool call sites |
//! |---|---|---|
//! | x64 | `B8+r imm32` (`mov r32`, with or without REX: `41 B8` is `mov r8d`), `68 imm32` (`push`), `C7 /0 … imm32` (`mov r/m32`, e.g. `C7 44 24 28` = `[rsp+28h]`) | any `disp32` whose RIP-relative target is a pool import slot: `FF 15` (`call [rip+…]`), `48 FF 15`, `FF 25` (tail jump), `48 8B 05` (load, then call the register) |
//! | x86 | the same | any `abs32` that is a pool import slot's address: `FF 15`, `FF 25`, `8B 35` (`mov esi, [imp]`) |
//! | ARM64 | `movz Wd/Xd, #lo` with `movk Wd/Xd, #hi, lsl #16` (either order, within 4 instructions); `ldr Wt, literal` | `adrp Xn, page` then `ldr Xt, [Xn, #off]` (within 4 instructions) reaching a pool import slot |

use std::collections::BTreeSet;

use super::pe::{Image, Section};
use super::*;

/// An immediate counts as *near a pool call* when such a call starts at most this many
/// bytes after the end of the instruction(s) that load it (x64 `mov r8d, tag; mov edx,
/// size; mov ecx, flags; call` spans 16).
pub const NEAR_CALL_BYTES: usize = 64;

/// A 32-bit value loaded by code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Immediate {
    /// The value (a tag's bytes read little-endian).
    pub value: u32,
    /// File offset of the first loading instruction.
    pub at: usize,
    /// File offset just past the loading instruction(s).
    pub end: usize,
    /// File offset of the value's 4 bytes, when they are contiguous in the file.
    pub raw: Option<usize>,
}

/// The tags asked for, with a 64 Ki-bit prefilter on their first two bytes.
#[derive(Debug, Clone)]
pub(super) struct Needles {
    values: Vec<u32>,
    first_two: Vec<u64>,
}

impl Needles {
    /// The prefilter and sorted values of `tags`.
    pub fn new(tags: &BTreeSet<Tag>) -> Needles {
        let mut first_two = vec![0u64; 1 << 10];
        let mut values: Vec<u32> = tags.iter().map(|t| t.value()).collect();
        values.sort_unstable();
        for v in &values {
            let lo = (v & 0xFFFF) as usize;
            first_two[lo >> 6] |= 1 << (lo & 63);
        }
        Needles { values, first_two }
    }

    /// True when no tag is asked for.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// True when `v` is a tag asked for.
    pub fn contains(&self, v: u32) -> bool {
        self.may_start(v as u16) && self.values.binary_search(&v).is_ok()
    }

    /// True when a tag asked for starts with these two bytes (read little-endian).
    pub fn may_start(&self, lo: u16) -> bool {
        let lo = usize::from(lo);
        self.first_two[lo >> 6] & (1 << (lo & 63)) != 0
    }
}

/// Appends the immediates of `sec` for which `keep` holds and its pool call sites (file
/// offsets, ascending) to `imms` and `calls`.
pub(super) fn scan_section(
    img: &Image,
    data: &[u8],
    sec: &Section,
    keep: &dyn Fn(u32) -> bool,
    imms: &mut Vec<Immediate>,
    calls: &mut Vec<usize>,
) {
    let Some(code) = data.get(sec.offset..sec.offset + sec.len) else {
        return;
    };
    match img.arch {
        Arch::X64 | Arch::X86 => {
            x86_immediates(code, sec.offset, keep, imms);
            if !img.pool_slots.is_empty() {
                x86_calls(img, code, sec, calls);
            }
        }
        Arch::Arm64 => arm64(img, data, code, sec, keep, imms, calls),
        Arch::Other => {}
    }
}

/// x86 and x64 `mov r32, imm32`, `push imm32` and `mov r/m32, imm32`.
fn x86_immediates(code: &[u8], base: usize, keep: &dyn Fn(u32) -> bool, out: &mut Vec<Immediate>) {
    for i in 0..code.len() {
        let imm_at = match code[i] {
            0xB8..=0xBF | 0x68 => i + 1,
            0xC7 => match modrm_len(code.get(i + 1..).unwrap_or_default()) {
                Some(n) => i + 1 + n,
                None => continue,
            },
            _ => continue,
        };
        let Some(value) = u32_at(code, imm_at) else {
            continue;
        };
        if keep(value) {
            out.push(Immediate {
                value,
                at: base + i,
                end: base + imm_at + 4,
                raw: Some(base + imm_at),
            });
        }
    }
}

/// Length of the ModRM byte, SIB byte and displacement of a `C7 /0` instruction (32-bit
/// addressing); `None` when the ModRM's reg field is not 0 (not `mov r/m32, imm32`).
fn modrm_len(b: &[u8]) -> Option<usize> {
    let m = *b.first()?;
    let (md, reg, rm) = (m >> 6, (m >> 3) & 7, m & 7);
    if reg != 0 {
        return None;
    }
    if md == 3 {
        return Some(1);
    }
    let mut len = 1;
    let mut disp = match md {
        1 => 1,
        2 => 4,
        _ => 0,
    };
    if rm == 4 {
        let sib = *b.get(1)?;
        len += 1;
        if md == 0 && sib & 7 == 5 {
            disp = 4;
        }
    } else if md == 0 && rm == 5 {
        disp = 4;
    }
    Some(len + disp)
}

/// Offsets of 32-bit fields that address a pool import slot: RIP-relative on x64 (the
/// field ends the instruction, so the next instruction starts 4 bytes after it), absolute
/// on x86. Such a field follows a ModRM byte with mod 00 and r/m 101 (`FF 15`, `FF 25`,
/// `8B 05`, `8B 35`, ...), or on x86 the `A1` of `mov eax, [abs32]`; only those are tried.
fn x86_calls(img: &Image, code: &[u8], sec: &Section, out: &mut Vec<usize>) {
    let (Some(&lo), Some(&hi)) = (img.pool_slots.first(), img.pool_slots.last()) else {
        return;
    };
    let (lo, hi) = (i64::from(lo), i64::from(hi));
    let x64 = img.arch == Arch::X64;
    let base = img.image_base as i64;
    for (k, w) in code.windows(5).enumerate() {
        if w[0] & 0xC7 != 0x05 && (x64 || w[0] != 0xA1) {
            continue;
        }
        let i = k + 1;
        let field = u32::from_le_bytes([w[1], w[2], w[3], w[4]]);
        let target = if x64 {
            i64::from(sec.rva) + i as i64 + 4 + i64::from(field as i32)
        } else {
            i64::from(field) - base
        };
        if (lo..=hi).contains(&target) && img.is_pool_slot(target) {
            out.push(sec.offset + i);
        }
    }
}

/// ARM64: `movz`/`movk` pairs and `ldr` literals; `adrp`+`ldr` of a pool import slot.
fn arm64(
    img: &Image,
    data: &[u8],
    code: &[u8],
    sec: &Section,
    keep: &dyn Fn(u32) -> bool,
    imms: &mut Vec<Immediate>,
    calls: &mut Vec<usize>,
) {
    let words: Vec<u32> = code
        .chunks_exact(4)
        .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
        .collect();
    let at = |k: usize| sec.offset + 4 * k;
    let pc = |k: usize| i64::from(sec.rva) + 4 * k as i64;
    for (k, &w) in words.iter().enumerate() {
        let ahead = words.iter().enumerate().skip(k + 1).take(4);
        if w & 0x7F80_0000 == 0x5280_0000 {
            // movz Rd, #imm16, lsl #(16 * hw), paired with a movk of the other half.
            let (hw, imm, rd) = ((w >> 21) & 3, (w >> 5) & 0xFFFF, w & 31);
            if hw > 1 {
                continue;
            }
            for (j, &x) in ahead {
                if x & 0x7F80_0000 == 0x7280_0000 && x & 31 == rd && (x >> 21) & 3 == 1 - hw {
                    let other = (x >> 5) & 0xFFFF;
                    let value = if hw == 0 {
                        imm | other << 16
                    } else {
                        other | imm << 16
                    };
                    if keep(value) {
                        imms.push(Immediate {
                            value,
                            at: at(k),
                            end: at(j) + 4,
                            raw: None,
                        });
                    }
                    break;
                }
            }
        } else if w & 0xFF00_0000 == 0x1800_0000 {
            // ldr Wt, label: a 32-bit literal at pc + imm19 * 4.
            let target = pc(k) + sign_extend((w >> 5) & 0x7_FFFF, 19) * 4;
            let Some(off) = img.offset_of(target) else {
                continue;
            };
            if let Some(value) = u32_at(data, off).filter(|&v| keep(v)) {
                imms.push(Immediate {
                    value,
                    at: at(k),
                    end: at(k) + 4,
                    raw: Some(off),
                });
            }
        } else if w & 0x9F00_0000 == 0x9000_0000 && !img.pool_slots.is_empty() {
            // adrp Xd, page; then ldr Xt, [Xd, #imm12 * 8].
            let rd = w & 31;
            let imm = sign_extend((((w >> 5) & 0x7_FFFF) << 2) | ((w >> 29) & 3), 21);
            let page = (pc(k) & !0xFFF) + (imm << 12);
            for (j, &x) in ahead {
                if x & 0xFFC0_0000 == 0xF940_0000 && (x >> 5) & 31 == rd {
                    let slot = page + i64::from((x >> 10) & 0xFFF) * 8;
                    if img.is_pool_slot(slot) {
                        calls.push(at(j));
                    }
                    break;
                }
            }
        }
    }
}

/// The low `bits` bits of `v` as a signed number.
fn sign_extend(v: u32, bits: u32) -> i64 {
    let shift = 64 - bits;
    (i64::from(v) << shift) >> shift
}

/// The little-endian `u32` at `at`, when the bytes are there.
pub(super) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}
