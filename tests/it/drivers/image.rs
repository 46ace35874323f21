//! Synthetic driver images (PE files) for the tests and the benchmark: real headers, an
//! import table, code that allocates and frees with chosen tags (x64, x86 or ARM64
//! encodings, as the compilers emit them), a data section, a version resource.
//!
//! Shared with `benches/drivers.rs` through `#[path]`: no dependency but std.
#![allow(dead_code)]

use std::collections::HashMap;

/// The instruction set of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Machine {
    X86,
    X64,
    Arm64,
}

/// One piece of code.
#[derive(Debug, Clone)]
pub enum Op {
    /// `func(flags, size, tag)` (the tag as its third argument), result kept.
    Alloc(&'static str, [u8; 4]),
    /// `func(kept pointer, tag)`.
    Free(&'static str, [u8; 4]),
    /// The tag stored into a structure: an immediate with no call near it.
    Store([u8; 4]),
    /// A call with no tag near it.
    Call(&'static str),
    /// Filler bytes (int3 on x86/x64, nop on ARM64).
    Pad(usize),
    /// Bytes as given (ARM64: padded to whole words).
    Raw(Vec<u8>),
}

/// What to put in the image.
#[derive(Debug, Clone)]
pub struct Driver {
    pub machine: Machine,
    /// Imported modules and their functions, by name.
    pub imports: Vec<(&'static str, Vec<&'static str>)>,
    /// The code, in order, then a return.
    pub code: Vec<Op>,
    /// The bytes of the data section.
    pub data: Vec<u8>,
    /// Version strings (CompanyName, FileDescription, FileVersion, ...), if any.
    pub version: Vec<(&'static str, String)>,
}

impl Driver {
    /// An x64 driver importing ExAllocatePool2 and ExFreePoolWithTag from ntoskrnl.exe.
    pub fn new(machine: Machine) -> Driver {
        Driver {
            machine,
            imports: vec![(
                "ntoskrnl.exe",
                vec!["ExAllocatePool2", "ExFreePoolWithTag", "KeBugCheckEx"],
            )],
            code: Vec::new(),
            data: Vec::new(),
            version: Vec::new(),
        }
    }
}

const FILE_ALIGN: usize = 0x200;
const SECTION_ALIGN: u32 = 0x1000;
/// Where the PE signature is (`e_lfanew`).
pub const PE_OFFSET: usize = 0x80;
/// Where the COFF file header is.
pub const COFF_OFFSET: usize = PE_OFFSET + 4;
/// Where the optional header is.
pub const OPT_OFFSET: usize = COFF_OFFSET + 20;

impl Machine {
    fn is64(self) -> bool {
        self != Machine::X86
    }
    fn code(self) -> u16 {
        match self {
            Machine::X86 => 0x014c,
            Machine::X64 => 0x8664,
            Machine::Arm64 => 0xAA64,
        }
    }
    fn image_base(self) -> u64 {
        match self {
            Machine::X86 => 0x10000,
            _ => 0x1_4000_0000,
        }
    }
    /// Size of the optional header with 16 data directories.
    pub fn opt_size(self) -> usize {
        if self.is64() {
            240
        } else {
            224
        }
    }
    /// Where the section table is.
    pub fn section_table(self) -> usize {
        OPT_OFFSET + self.opt_size()
    }
}

fn align(x: usize, a: usize) -> usize {
    x.div_ceil(a) * a
}

fn put16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_le_bytes());
}
fn put32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}
fn put64(b: &mut [u8], at: usize, v: u64) {
    b[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

/// The import section at `rva`: its bytes, the slot RVA of each function, and the import
/// directory (RVA, size).
fn imports(d: &Driver, rva: u32) -> (Vec<u8>, HashMap<&'static str, u32>, (u32, u32)) {
    let thunk = if d.machine.is64() { 8 } else { 4 };
    let n = d.imports.len();
    let mut off = align((n + 1) * 20, 8);
    let mut tables = Vec::new();
    for (_, funcs) in &d.imports {
        let ilt = off;
        off += (funcs.len() + 1) * thunk;
        let iat = off;
        off += (funcs.len() + 1) * thunk;
        tables.push((ilt, iat));
    }
    let mut names = Vec::new();
    for (dll, funcs) in &d.imports {
        let mut per = Vec::new();
        for f in funcs {
            off = align(off, 2);
            per.push(off);
            off += 2 + f.len() + 1;
        }
        let dll_at = off;
        off += dll.len() + 1;
        names.push((per, dll_at));
    }
    let mut b = vec![0u8; align(off, 16)];
    let mut slots = HashMap::new();
    for (k, (dll, funcs)) in d.imports.iter().enumerate() {
        let (ilt, iat) = tables[k];
        let (per, dll_at) = &names[k];
        let desc = k * 20;
        put32(&mut b, desc, rva + ilt as u32);
        put32(&mut b, desc + 12, rva + *dll_at as u32);
        put32(&mut b, desc + 16, rva + iat as u32);
        b[*dll_at..*dll_at + dll.len()].copy_from_slice(dll.as_bytes());
        for (j, f) in funcs.iter().enumerate() {
            let hint = per[j];
            b[hint + 2..hint + 2 + f.len()].copy_from_slice(f.as_bytes());
            let target = rva as u64 + hint as u64;
            for table in [ilt, iat] {
                if thunk == 8 {
                    put64(&mut b, table + j * 8, target);
                } else {
                    put32(&mut b, table + j * 4, target as u32);
                }
            }
            slots.insert(*f, rva + (iat + j * thunk) as u32);
        }
    }
    (b, slots, (rva, ((n + 1) * 20) as u32))
}

/// Machine code for `d.code` placed at `rva`.
fn code(d: &Driver, rva: u32, slots: &HashMap<&'static str, u32>) -> Vec<u8> {
    let slot = |f: &str| {
        *slots
            .get(f)
            .unwrap_or_else(|| panic!("{f} is not imported"))
    };
    let mut c: Vec<u8> = Vec::new();
    match d.machine {
        Machine::X64 => {
            // call [rip+disp32]: disp from the end of the instruction.
            let call = |c: &mut Vec<u8>, f: &str| {
                c.extend([0xFF, 0x15]);
                let next = rva as i64 + c.len() as i64 + 4;
                c.extend(((slot(f) as i64 - next) as i32).to_le_bytes());
            };
            for op in &d.code {
                match op {
                    Op::Alloc(f, tag) => {
                        c.extend([0xB9, 0x40, 0, 0, 0]); // mov ecx, 40h (POOL_FLAG_NON_PAGED)
                        c.extend([0xBA, 0, 1, 0, 0]); // mov edx, 100h
                        c.extend([0x41, 0xB8]); // mov r8d, tag
                        c.extend(tag);
                        call(&mut c, f);
                        c.extend([0x48, 0x8B, 0xD8]); // mov rbx, rax
                    }
                    Op::Free(f, tag) => {
                        c.extend([0x48, 0x8B, 0xCB]); // mov rcx, rbx
                        c.push(0xBA); // mov edx, tag
                        c.extend(tag);
                        call(&mut c, f);
                    }
                    Op::Store(tag) => {
                        c.extend([0xC7, 0x43, 0x08]); // mov dword ptr [rbx+8], tag
                        c.extend(tag);
                    }
                    Op::Call(f) => {
                        c.extend([0x33, 0xC9]); // xor ecx, ecx
                        call(&mut c, f);
                    }
                    Op::Pad(n) => c.extend(std::iter::repeat_n(0xCC, *n)),
                    Op::Raw(b) => c.extend(b),
                }
            }
            c.push(0xC3);
        }
        Machine::X86 => {
            let base = d.machine.image_base() as u32;
            let call = |c: &mut Vec<u8>, f: &str| {
                c.extend([0xFF, 0x15]);
                c.extend((base + slot(f)).to_le_bytes());
            };
            for op in &d.code {
                match op {
                    Op::Alloc(f, tag) => {
                        c.push(0x68); // push tag
                        c.extend(tag);
                        c.extend([0x68, 0, 1, 0, 0]); // push 100h
                        c.extend([0x6A, 0]); // push 0 (NonPagedPool)
                        call(&mut c, f);
                        c.extend([0x8B, 0xD8]); // mov ebx, eax
                    }
                    Op::Free(f, tag) => {
                        c.push(0x68);
                        c.extend(tag);
                        c.push(0x53); // push ebx
                        call(&mut c, f);
                    }
                    Op::Store(tag) => {
                        c.extend([0xC7, 0x43, 0x08]);
                        c.extend(tag);
                    }
                    Op::Call(f) => call(&mut c, f),
                    Op::Pad(n) => c.extend(std::iter::repeat_n(0xCC, *n)),
                    Op::Raw(b) => c.extend(b),
                }
            }
            c.push(0xC3);
        }
        Machine::Arm64 => {
            let mut w: Vec<u32> = Vec::new();
            let movz = |rd: u32, imm: u32| 0x5280_0000 | (imm & 0xFFFF) << 5 | rd;
            let movk16 = |rd: u32, imm: u32| 0x72A0_0000 | (imm & 0xFFFF) << 5 | rd;
            let tag_into = |w: &mut Vec<u32>, rd: u32, tag: &[u8; 4]| {
                let v = u32::from_le_bytes(*tag);
                w.push(movz(rd, v & 0xFFFF));
                w.push(movk16(rd, v >> 16));
            };
            // adrp x16, slot page; ldr x16, [x16, #slot offset]; blr x16.
            let call = |w: &mut Vec<u32>, f: &str| {
                let pc = rva as i64 + 4 * w.len() as i64;
                let s = slot(f) as i64;
                let pages = ((s & !0xFFF) - (pc & !0xFFF)) >> 12;
                let (lo, hi) = ((pages & 3) as u32, ((pages >> 2) & 0x7_FFFF) as u32);
                w.push(0x9000_0000 | lo << 29 | hi << 5 | 16);
                w.push(0xF940_0000 | (((s & 0xFFF) / 8) as u32) << 10 | 16 << 5 | 16);
                w.push(0xD63F_0200);
            };
            for op in &d.code {
                match op {
                    Op::Alloc(f, tag) => {
                        tag_into(&mut w, 2, tag);
                        w.push(movz(1, 0x100));
                        w.push(movz(0, 0x40));
                        call(&mut w, f);
                        w.push(0xAA00_03F3); // mov x19, x0
                    }
                    Op::Free(f, tag) => {
                        w.push(0xAA13_03E0); // mov x0, x19
                        tag_into(&mut w, 1, tag);
                        call(&mut w, f);
                    }
                    Op::Store(tag) => {
                        tag_into(&mut w, 8, tag);
                        w.push(0xB900_0A68); // str w8, [x19, #8]
                    }
                    Op::Call(f) => call(&mut w, f),
                    Op::Pad(n) => w.extend(std::iter::repeat_n(0xD503_201F, n.div_ceil(4))),
                    Op::Raw(b) => w.extend(b.chunks(4).map(|q| {
                        let mut x = [0u8; 4];
                        x[..q.len()].copy_from_slice(q);
                        u32::from_le_bytes(x)
                    })),
                }
            }
            w.push(0xD65F_03C0); // ret
            for x in w {
                c.extend(x.to_le_bytes());
            }
        }
    }
    c
}

/// A version-resource node: header, key, value, children, with the 4-byte padding.
fn vnode(key: &str, value: &[u8], value_len: u16, text: bool, children: &[Vec<u8>]) -> Vec<u8> {
    let mut b = vec![0, 0];
    b.extend(value_len.to_le_bytes());
    b.extend(u16::from(text).to_le_bytes());
    for u in key.encode_utf16().chain([0]) {
        b.extend(u.to_le_bytes());
    }
    b.resize(align(b.len(), 4), 0);
    b.extend(value);
    for c in children {
        b.resize(align(b.len(), 4), 0);
        b.extend(c);
    }
    let len = b.len() as u16;
    b[..2].copy_from_slice(&len.to_le_bytes());
    b
}

/// A `VS_VERSIONINFO` with the given strings.
pub fn version_info(strings: &[(&str, String)]) -> Vec<u8> {
    let strings: Vec<Vec<u8>> = strings
        .iter()
        .map(|(k, v)| {
            let mut value = Vec::new();
            for u in v.encode_utf16().chain([0]) {
                value.extend(u.to_le_bytes());
            }
            vnode(k, &value, (v.encode_utf16().count() + 1) as u16, true, &[])
        })
        .collect();
    let table = vnode("040904B0", &[], 0, true, &strings);
    let sfi = vnode("StringFileInfo", &[], 0, true, &[table]);
    let mut fixed = vec![0u8; 52];
    put32(&mut fixed, 0, 0xFEEF_04BD);
    put32(&mut fixed, 4, 0x0001_0000);
    put32(&mut fixed, 8, 0x0001_0002); // 1.2
    put32(&mut fixed, 12, 0x0003_0004); // .3.4
    vnode("VS_VERSION_INFO", &fixed, 52, false, &[sfi])
}

/// The resource section at `rva` holding one RT_VERSION resource.
fn resources(info: &[u8], rva: u32) -> Vec<u8> {
    let mut b = vec![0u8; 0x60];
    // Three directory levels (type 16, name 1, language 0x409), each one ID entry.
    for (level, id) in [(0usize, 16u32), (1, 1), (2, 0x409)] {
        let at = level * 0x18;
        put16(&mut b, at + 14, 1); // NumberOfIdEntries
        put32(&mut b, at + 16, id);
        let next = if level < 2 {
            0x8000_0000 | ((level + 1) * 0x18) as u32
        } else {
            0x48
        };
        put32(&mut b, at + 20, next);
    }
    put32(&mut b, 0x48, rva + 0x60); // OffsetToData (an RVA)
    put32(&mut b, 0x4C, info.len() as u32);
    b.extend(info);
    b
}

/// The PE file.
pub fn build(d: &Driver) -> Vec<u8> {
    let m = d.machine;
    let n_sections = if d.version.is_empty() { 3 } else { 4 };
    let headers = align(m.section_table() + 40 * n_sections, FILE_ALIGN);
    let rdata_rva = SECTION_ALIGN;
    let (rdata, slots, import_dir) = imports(d, rdata_rva);
    let text_rva = rdata_rva + align(rdata.len(), SECTION_ALIGN as usize) as u32;
    let text = code(d, text_rva, &slots);
    let data_rva = text_rva + align(text.len(), SECTION_ALIGN as usize) as u32;
    let mut data = d.data.clone();
    if data.is_empty() {
        data.push(0);
    }
    let rsrc_rva = data_rva + align(data.len(), SECTION_ALIGN as usize) as u32;
    let rsrc = (!d.version.is_empty()).then(|| resources(&version_info(&d.version), rsrc_rva));
    let mut sections: Vec<(&[u8; 8], u32, &[u8], u32)> = vec![
        (b".rdata\0\0", rdata_rva, &rdata, 0x4000_0040),
        (b".text\0\0\0", text_rva, &text, 0x6000_0020),
        (b".data\0\0\0", data_rva, &data, 0xC000_0040),
    ];
    if let Some(r) = &rsrc {
        sections.push((b".rsrc\0\0\0", rsrc_rva, r, 0x4000_0040));
    }
    let end_rva = sections
        .last()
        .map(|s| s.1 + align(s.2.len(), SECTION_ALIGN as usize) as u32)
        .unwrap_or(SECTION_ALIGN);

    let mut f = vec![0u8; headers];
    f[..2].copy_from_slice(b"MZ");
    put32(&mut f, 0x3C, PE_OFFSET as u32);
    f[PE_OFFSET..PE_OFFSET + 4].copy_from_slice(b"PE\0\0");
    put16(&mut f, COFF_OFFSET, m.code());
    put16(&mut f, COFF_OFFSET + 2, sections.len() as u16);
    put16(&mut f, COFF_OFFSET + 16, m.opt_size() as u16);
    put16(
        &mut f,
        COFF_OFFSET + 18,
        if m.is64() { 0x0022 } else { 0x0102 },
    );
    let o = OPT_OFFSET;
    put16(&mut f, o, if m.is64() { 0x20B } else { 0x10B });
    put32(&mut f, o + 4, text.len() as u32);
    put32(&mut f, o + 16, text_rva); // AddressOfEntryPoint
    put32(&mut f, o + 20, text_rva); // BaseOfCode
    let w = if m.is64() {
        put64(&mut f, o + 24, m.image_base());
        o + 32
    } else {
        put32(&mut f, o + 24, data_rva); // BaseOfData
        put32(&mut f, o + 28, m.image_base() as u32);
        o + 32
    };
    put32(&mut f, w, SECTION_ALIGN);
    put32(&mut f, w + 4, FILE_ALIGN as u32);
    put16(&mut f, w + 8, 10); // OS version 10.0
    put16(&mut f, w + 16, 10); // subsystem version 10.0
    put32(&mut f, w + 24, end_rva); // SizeOfImage
    put32(&mut f, w + 28, headers as u32);
    put16(&mut f, w + 36, 1); // IMAGE_SUBSYSTEM_NATIVE
    put16(&mut f, w + 38, 0x0160);
    let (counts, dirs) = if m.is64() {
        (w + 40 + 32 + 4, w + 40 + 32 + 8)
    } else {
        (w + 40 + 16 + 4, w + 40 + 16 + 8)
    };
    put32(&mut f, counts, 16); // NumberOfRvaAndSizes
    put32(&mut f, dirs + 8, import_dir.0);
    put32(&mut f, dirs + 12, import_dir.1);
    if let Some(r) = &rsrc {
        put32(&mut f, dirs + 16, rsrc_rva);
        put32(&mut f, dirs + 20, r.len() as u32);
    }
    let mut raw = headers;
    for (k, (name, rva, bytes, flags)) in sections.iter().enumerate() {
        let at = m.section_table() + 40 * k;
        f[at..at + 8].copy_from_slice(*name);
        put32(&mut f, at + 8, bytes.len() as u32);
        put32(&mut f, at + 12, *rva);
        let size = align(bytes.len(), FILE_ALIGN);
        put32(&mut f, at + 16, size as u32);
        put32(&mut f, at + 20, raw as u32);
        put32(&mut f, at + 36, *flags);
        raw += size;
    }
    for (_, _, bytes, _) in &sections {
        let start = f.len();
        f.extend(*bytes);
        f.resize(start + align(bytes.len(), FILE_ALIGN), 0);
    }
    f
}
