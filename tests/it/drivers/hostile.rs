//! Malformed and hostile driver files (`fixtures/hostile/README.md`, table D): never a
//! panic, never a hang; a file that is not a readable PE image is skipped and counted.

use std::time::{Duration, Instant};

use poolscan::drivers::{self, NotScanned, Query, Tag};

use super::image::{COFF_OFFSET, OPT_OFFSET, PE_OFFSET};
use super::*;

fn query() -> Query {
    Query {
        discover: true,
        ..Query::tags(&["AlpA", "AlpS", "Dat1"])
    }
}

fn put32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// Inspects `bytes` and checks that it took at most `limit`; the outcome.
fn timed(bytes: &[u8], limit: Duration) -> Result<drivers::Binary, NotScanned> {
    let start = Instant::now();
    let out = drivers::inspect("hostile.sys", bytes, &query());
    assert!(start.elapsed() < limit, "took {:?}", start.elapsed());
    out
}

/// Section header `k` of an image of machine `m`.
fn section(m: Machine, k: usize) -> usize {
    m.section_table() + 40 * k
}

#[test]
fn every_truncation_of_a_driver() {
    for m in MACHINES {
        let full = alpha(m);
        for n in 0..full.len() {
            match drivers::inspect("cut.sys", &full[..n], &query()) {
                Ok(b) => {
                    // A cut image is read as far as it goes: never more hits than whole.
                    let whole = drivers::inspect("a.sys", &full, &query()).unwrap();
                    for (tag, h) in &b.hits {
                        let w = whole.hits.get(tag).copied().unwrap_or_default();
                        assert!(
                            h.near_call + h.code + h.data <= w.near_call + w.code + w.data,
                            "{m:?} cut at {n}: {tag} {h:?} > {w:?}"
                        );
                    }
                }
                Err(NotScanned::NotPe) => assert!(n < 2, "{m:?} cut at {n}"),
                Err(NotScanned::Malformed(why)) => assert!(!why.is_empty()),
            }
        }
    }
}

#[test]
fn sections_pointing_past_the_file() {
    for m in MACHINES {
        for k in 0..3 {
            for (offset, size) in [
                (0xFFFF_FF00, 0x1000),
                (0x200, 0xFFFF_FFFF),
                (0xFFFF_FFFF, 0xFFFF_FFFF),
            ] {
                let mut b = alpha(m);
                put32(&mut b, section(m, k) + 20, offset); // PointerToRawData
                put32(&mut b, section(m, k) + 16, size); // SizeOfRawData
                put32(&mut b, section(m, k) + 8, size); // VirtualSize
                let _ = timed(&b, Duration::from_secs(5));
            }
        }
        // The code section moved out of the file: the image is read, but no section holds
        // the code any more, so its bytes count as data.
        let mut b = alpha(m);
        put32(&mut b, section(m, 1) + 20, 0xFFFF_0000);
        let bin = timed(&b, Duration::from_secs(5)).unwrap();
        let alp = bin.hits.get(&Tag(*b"AlpA")).copied().unwrap_or_default();
        assert_eq!((alp.near_call, alp.code), (0, 0), "{m:?}");
        assert_eq!(
            bin.hits[&Tag(*b"Dat1")].data,
            1,
            "{m:?}: the data is still read"
        );
    }
}

#[test]
fn huge_counts() {
    for m in MACHINES {
        // 65535 sections (the table runs past the file).
        let mut b = alpha(m);
        b[COFF_OFFSET + 2..COFF_OFFSET + 4].copy_from_slice(&u16::MAX.to_le_bytes());
        assert!(matches!(
            timed(&b, Duration::from_secs(5)),
            Err(NotScanned::Malformed(_))
        ));
        // 4 billion data directories.
        let mut b = alpha(m);
        let count = OPT_OFFSET + m.opt_size() - 128 - 4;
        put32(&mut b, count, u32::MAX);
        let _ = timed(&b, Duration::from_secs(5));
        // e_lfanew past the end.
        let mut b = alpha(m);
        put32(&mut b, 0x3C, 0xFFFF_FFF0);
        assert!(matches!(
            timed(&b, Duration::from_secs(5)),
            Err(NotScanned::Malformed(_))
        ));
    }
}

#[test]
fn many_sections_all_over_the_same_code_are_read_once() {
    // 96 executable sections, each the whole of a 4 MiB file: the overlapping ones are
    // dropped, so the code pass reads the file once, not 96 times.
    let m = Machine::X64;
    let mut b = alpha(m);
    let table = m.section_table();
    b.resize(4 << 20, 0xB8); // `mov eax, imm32` everywhere
    b[COFF_OFFSET + 2..COFF_OFFSET + 4].copy_from_slice(&96u16.to_le_bytes());
    for k in 0..96 {
        let at = table + 40 * k;
        b[at..at + 40].fill(0);
        put32(&mut b, at + 8, 4 << 20);
        put32(&mut b, at + 12, 0x1000 + 0x1000 * k as u32);
        put32(&mut b, at + 16, 4 << 20);
        put32(&mut b, at + 20, 0);
        put32(&mut b, at + 36, 0x6000_0020);
    }
    let _ = timed(&b, Duration::from_secs(20));
}

#[test]
fn import_tables_that_run_on_or_point_anywhere() {
    for m in MACHINES {
        let dirs = OPT_OFFSET + m.opt_size() - 128;
        for (rva, fill) in [
            (0x1000, 0x01u8),
            (0x1000, 0xFF),
            (0x1004, 0x10),
            (0xFFFF_FFF0, 0),
            (0x10, 0x41),
        ] {
            let mut b = alpha(m);
            put32(&mut b, dirs + 8, rva);
            // The whole import section filled: every descriptor, thunk and name is junk.
            let raw = u32::from_le_bytes(b[section(m, 0) + 20..][..4].try_into().unwrap());
            let size = u32::from_le_bytes(b[section(m, 0) + 16..][..4].try_into().unwrap());
            b[raw as usize..(raw + size) as usize].fill(fill);
            let bin = timed(&b, Duration::from_secs(5)).unwrap();
            assert!(bin.pool_imports.is_empty(), "{m:?} {rva:#x} {fill:#x}");
        }
    }
}

#[test]
fn resource_directories_that_loop_or_lie() {
    for m in MACHINES {
        let full = alpha(m);
        let rsrc = u32::from_le_bytes(full[section(m, 3) + 20..][..4].try_into().unwrap()) as usize;
        // Each directory entry pointing back at the root table; sizes and offsets maxed.
        for (at, v) in [
            (rsrc + 20, 0x8000_0000u32),
            (rsrc + 0x18 + 20, 0x8000_0000),
            (rsrc + 0x30 + 20, 0x8000_0000),
            (rsrc + 0x4C, u32::MAX),
            (rsrc + 0x48, u32::MAX),
            (rsrc + 12, 0xFFFF_FFFF),
        ] {
            let mut b = full.clone();
            put32(&mut b, at, v);
            let bin = timed(&b, Duration::from_secs(5)).unwrap();
            assert_eq!(bin.hits[&Tag(*b"AlpA")].near_call, 2, "{m:?}");
        }
        // The VS_VERSIONINFO lengths maxed out or zeroed.
        for v in [0xFFFFu16, 0, 5] {
            let mut b = full.clone();
            b[rsrc + 0x60..rsrc + 0x62].copy_from_slice(&v.to_le_bytes());
            let _ = timed(&b, Duration::from_secs(5)).unwrap();
        }
    }
}

#[test]
fn random_bytes_behind_an_mz_and_a_pe_signature() {
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let mut noise = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    };
    for round in 0..200 {
        let mut b = noise(64 + round * 37);
        b[..2].copy_from_slice(b"MZ");
        if round % 2 == 0 && b.len() > PE_OFFSET + 200 {
            put32(&mut b, 0x3C, PE_OFFSET as u32);
            b[PE_OFFSET..PE_OFFSET + 4].copy_from_slice(b"PE\0\0");
            let magic: u16 = if round % 4 == 0 { 0x20B } else { 0x10B };
            b[OPT_OFFSET..OPT_OFFSET + 2].copy_from_slice(&magic.to_le_bytes());
        }
        let _ = timed(&b, Duration::from_secs(5));
    }
    // 8 MiB of noise behind real headers.
    let mut b = alpha(Machine::X64);
    b.extend(noise(8 << 20));
    let _ = timed(&b, Duration::from_secs(20)).unwrap();
}

#[test]
fn a_folder_of_hostile_files_is_scanned_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("good.sys"), alpha(Machine::X64)).unwrap();
    std::fs::write(p.join("cut.sys"), &alpha(Machine::X64)[..300]).unwrap();
    std::fs::write(p.join("mz.sys"), b"MZ").unwrap();
    std::fs::write(p.join("text.sys"), b"not a driver").unwrap();
    std::fs::write(p.join("one.sys"), b"M").unwrap();
    // A sparse file beyond the size limit: skipped without being read.
    let big = std::fs::File::create(p.join("huge.sys")).unwrap();
    big.set_len(drivers::MAX_FILE_BYTES + 1).unwrap();
    // A link to a directory above: not followed (no cycle).
    #[cfg(unix)]
    std::os::unix::fs::symlink(p, p.join("loop")).unwrap();
    let scan = drivers::scan(p, &query()).unwrap();
    assert_eq!(scan.binaries.len(), 1);
    assert_eq!(scan.skipped.not_pe, 2);
    assert_eq!(scan.skipped.malformed, 2, "{:?}", scan.notes);
    assert_eq!(scan.skipped.too_large, 1);
    assert!(
        scan.notes.iter().any(|n| n.starts_with("cut.sys: ")),
        "{:?}",
        scan.notes
    );
    assert_eq!(scan.label("AlpA").as_deref(), Some("[scan: good.sys 0.85]"));
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_counted_not_fatal() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("locked.sys");
    std::fs::write(&path, alpha(Machine::X64)).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_ok() {
        eprintln!("skipped: running as root, the file is readable anyway");
        return;
    }
    let scan = drivers::scan(dir.path(), &query()).unwrap();
    assert_eq!(scan.skipped.unreadable, 1);
    assert!(
        scan.notes[0].starts_with("locked.sys: "),
        "{:?}",
        scan.notes
    );
}
