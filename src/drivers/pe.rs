//! A PE image's headers with the `object` crate: architecture, sections (file ranges clamped
//! to the file), the import slots of the pool functions, the version resource.
//!
//! Every count read from the file is bounded before it drives a loop: at most
//! [`MAX_SECTIONS`] sections, [`MAX_DESCRIPTORS`] import descriptors and [`MAX_THUNKS`]
//! imported functions; executable sections that overlap one already taken are dropped, so
//! the code passes read each byte of the file once at most.

use std::collections::BTreeSet;

use object::pe as raw;
use object::read::pe::{DataDirectories, ImageNtHeaders, ImageOptionalHeader, Import};
use object::read::pe::{ResourceDirectory, SectionTable};
use object::LittleEndian as LE;

use super::*;

/// Functions whose arguments include a pool tag, matched by name in any imported module
/// (`ntoskrnl.exe`, `FLTMGR.SYS`, `NDIS.SYS`).
pub const POOL_FUNCTIONS: &[&str] = &[
    "ExAllocatePool2",
    "ExAllocatePool3",
    "ExAllocatePoolPriorityUninitialized",
    "ExAllocatePoolPriorityZero",
    "ExAllocatePoolQuotaUninitialized",
    "ExAllocatePoolQuotaZero",
    "ExAllocatePoolUninitialized",
    "ExAllocatePoolWithQuotaTag",
    "ExAllocatePoolWithTag",
    "ExAllocatePoolWithTagPriority",
    "ExAllocatePoolZero",
    "ExFreePool2",
    "ExFreePoolWithTag",
    "ExInitializeLookasideListEx",
    "ExInitializeNPagedLookasideList",
    "ExInitializePagedLookasideList",
    "FltAllocatePoolAlignedWithTag",
    "FltFreePoolAlignedWithTag",
    "NdisAllocateMemoryWithTag",
    "NdisAllocateMemoryWithTagPriority",
    "NdisFreeMemoryWithTagPriority",
];

/// Sections looked at, at most (the Windows loader refuses more than 96).
const MAX_SECTIONS: usize = 96;
/// Import descriptors (imported modules) read, at most.
const MAX_DESCRIPTORS: usize = 4096;
/// Imported functions read over all modules, at most.
const MAX_THUNKS: usize = 1 << 16;

/// The instruction set of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    /// 32-bit x86 (`IMAGE_FILE_MACHINE_I386`).
    X86,
    /// x86-64 (`IMAGE_FILE_MACHINE_AMD64`).
    X64,
    /// ARM64 (`IMAGE_FILE_MACHINE_ARM64`).
    Arm64,
    /// Anything else: only the tag's bytes are searched, no instruction is decoded.
    Other,
}

impl Arch {
    /// `x86`, `x64`, `arm64` or `other`.
    pub fn name(self) -> &'static str {
        match self {
            Arch::X86 => "x86",
            Arch::X64 => "x64",
            Arch::Arm64 => "arm64",
            Arch::Other => "other",
        }
    }
}

/// A section's bytes in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Section {
    /// Relative virtual address of its first byte.
    pub rva: u32,
    /// File offset of its first byte.
    pub offset: usize,
    /// Bytes of it in the file (within the file).
    pub len: usize,
    /// Executable (code) section.
    pub exec: bool,
}

/// What the scan needs of a PE image.
#[derive(Debug, Clone)]
pub(super) struct Image {
    /// Instruction set.
    pub arch: Arch,
    /// Preferred load address (x86 code holds absolute addresses).
    pub image_base: u64,
    /// Sections, in header order.
    pub sections: Vec<Section>,
    /// RVAs of the import-address-table slots of pool functions, sorted.
    pub pool_slots: Vec<u32>,
    /// The pool functions imported, sorted.
    pub pool_imports: Vec<&'static str>,
    /// The version resource.
    pub version: Option<VersionInfo>,
}

impl Image {
    /// The file offset of an RVA, when a section holds it in the file.
    pub fn offset_of(&self, rva: i64) -> Option<usize> {
        let rva = u32::try_from(rva).ok()?;
        self.sections.iter().find_map(|s| {
            let k = rva.checked_sub(s.rva)? as usize;
            (k < s.len).then(|| s.offset + k)
        })
    }

    /// True when `rva` is a pool function's import slot.
    pub fn is_pool_slot(&self, rva: i64) -> bool {
        u32::try_from(rva).is_ok_and(|r| self.pool_slots.binary_search(&r).is_ok())
    }
}

/// Why a file is not scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotScanned {
    /// Not a PE image: no `MZ` signature.
    NotPe,
    /// `MZ`, but the PE headers cannot be read; the reason.
    Malformed(String),
}

/// Reads the headers of a PE image.
pub(super) fn parse(data: &[u8]) -> std::result::Result<Image, NotScanned> {
    if !data.starts_with(b"MZ") {
        return Err(NotScanned::NotPe);
    }
    let bad = |e: object::read::Error| NotScanned::Malformed(e.to_string());
    match object::read::pe::optional_header_magic(data).map_err(bad)? {
        raw::IMAGE_NT_OPTIONAL_HDR64_MAGIC => parse_as::<raw::ImageNtHeaders64>(data).map_err(bad),
        raw::IMAGE_NT_OPTIONAL_HDR32_MAGIC => parse_as::<raw::ImageNtHeaders32>(data).map_err(bad),
        m => Err(NotScanned::Malformed(format!(
            "unknown optional header magic {m:#06x}"
        ))),
    }
}

fn parse_as<Pe: ImageNtHeaders>(data: &[u8]) -> object::read::Result<Image> {
    let dos = raw::ImageDosHeader::parse(data)?;
    let mut offset = u64::from(dos.nt_headers_offset());
    let (nt, dirs) = Pe::parse(data, &mut offset)?;
    let table = nt.sections(data, offset)?;
    let arch = match nt.file_header().machine.get(LE) {
        raw::IMAGE_FILE_MACHINE_I386 => Arch::X86,
        raw::IMAGE_FILE_MACHINE_AMD64 => Arch::X64,
        raw::IMAGE_FILE_MACHINE_ARM64 => Arch::Arm64,
        _ => Arch::Other,
    };
    let sections = sections(data.len(), &table);
    let (pool_slots, pool_imports) = pool_imports::<Pe>(data, &table, &dirs);
    Ok(Image {
        arch,
        image_base: nt.optional_header().image_base(),
        sections,
        pool_slots,
        pool_imports,
        version: version_resource(data, &table, &dirs),
    })
}

/// The sections' file ranges, clamped to the file; executable ones overlapping an earlier
/// executable one lose their `exec` mark (hostile files only).
fn sections(file_len: usize, table: &SectionTable<'_>) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    for s in table.iter().take(MAX_SECTIONS) {
        let start = s.pointer_to_raw_data.get(LE) as usize;
        let raw_size = s.size_of_raw_data.get(LE) as usize;
        let virtual_size = s.virtual_size.get(LE) as usize;
        let size = if virtual_size == 0 {
            raw_size
        } else {
            raw_size.min(virtual_size)
        };
        let offset = start.min(file_len);
        let len = size.min(file_len - offset);
        let flags = s.characteristics.get(LE);
        let mut exec = flags & (raw::IMAGE_SCN_MEM_EXECUTE | raw::IMAGE_SCN_CNT_CODE) != 0;
        if exec {
            let overlaps = out
                .iter()
                .any(|o| o.exec && offset < o.offset + o.len && o.offset < offset + len);
            exec = !overlaps && len > 0;
        }
        out.push(Section {
            rva: s.virtual_address.get(LE),
            offset,
            len,
            exec,
        });
    }
    out
}

/// The import slots and names of the pool functions; what cannot be read is left out.
fn pool_imports<Pe: ImageNtHeaders>(
    data: &[u8],
    table: &SectionTable<'_>,
    dirs: &DataDirectories<'_>,
) -> (Vec<u32>, Vec<&'static str>) {
    let mut slots = Vec::new();
    let mut names = BTreeSet::new();
    let Ok(Some(imports)) = dirs.import_table(data, table) else {
        return (slots, Vec::new());
    };
    let Ok(mut descriptors) = imports.descriptors() else {
        return (slots, Vec::new());
    };
    let thunk_size = std::mem::size_of::<Pe::ImageThunkData>() as u32;
    let mut budget = MAX_THUNKS;
    for _ in 0..MAX_DESCRIPTORS {
        let Ok(Some(d)) = descriptors.next() else {
            break;
        };
        let first = d.first_thunk.get(LE);
        let lookup = match d.original_first_thunk.get(LE) {
            0 => first,
            x => x,
        };
        let Ok(mut thunks) = imports.thunks(lookup) else {
            continue;
        };
        let mut slot = first;
        while budget > 0 {
            budget -= 1;
            let Ok(Some(thunk)) = thunks.next::<Pe>() else {
                break;
            };
            if let Ok(Import::Name(_, name)) = imports.import::<Pe>(thunk) {
                if let Some(f) = POOL_FUNCTIONS.iter().find(|f| f.as_bytes() == name) {
                    slots.push(slot);
                    names.insert(*f);
                }
            }
            slot = slot.wrapping_add(thunk_size);
        }
    }
    slots.sort_unstable();
    slots.dedup();
    (slots, names.into_iter().collect())
}

/// The first `RT_VERSION` resource (first name, first language), parsed.
fn version_resource(
    data: &[u8],
    table: &SectionTable<'_>,
    dirs: &DataDirectories<'_>,
) -> Option<VersionInfo> {
    let dir: ResourceDirectory<'_> = dirs.resource_directory(data, table).ok()??;
    let root = dir.root().ok()?;
    let of_type = root
        .entries
        .iter()
        .find(|e| e.name_or_id().id() == Some(raw::RT_VERSION))?;
    let names = of_type.data(dir).ok()?.table()?;
    let langs = names.entries.first()?.data(dir).ok()?.table()?;
    let entry = langs.entries.first()?.data(dir).ok()?.data()?;
    let bytes = table.pe_data_at(data, entry.offset_to_data.get(LE))?;
    let size = (entry.size.get(LE) as usize).min(bytes.len());
    version::parse(&bytes[..size])
}
