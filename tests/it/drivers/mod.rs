//! `poolscan tags --drivers` and `analyze --drivers`: generated driver images with planted
//! tags (`attribution`), malformed and hostile images (`hostile`), one real driver
//! (`windivert`), the command line (`cli`).

pub mod image;

mod attribution;
mod cli;
mod hostile;
mod windivert;

use std::path::Path;

use image::{Driver, Machine, Op};

pub const MACHINES: [Machine; 3] = [Machine::X64, Machine::X86, Machine::Arm64];

/// A driver that allocates and frees with `AlpA` (twice near a pool call), stores `AlpS`
/// into a structure far from any call (code only), holds `Dat1` in its data, and has a
/// version resource.
pub fn alpha(m: Machine) -> Vec<u8> {
    let mut d = Driver::new(m);
    d.code = vec![
        Op::Call("KeBugCheckEx"),
        Op::Pad(80),
        Op::Alloc("ExAllocatePool2", *b"AlpA"),
        Op::Pad(16),
        Op::Free("ExFreePoolWithTag", *b"AlpA"),
        Op::Pad(200),
        Op::Store(*b"AlpS"),
        Op::Pad(200),
    ];
    d.data = b"config\0Dat1\0".to_vec();
    d.version = vec![
        ("CompanyName", "Alpha Devices".to_string()),
        ("FileDescription", "Alpha filter driver".to_string()),
        ("FileVersion", "1.2.3".to_string()),
    ];
    image::build(&d)
}

/// A driver that allocates with `BetB` through FltMgr, and has `AlpA` as a string in data.
pub fn beta(m: Machine) -> Vec<u8> {
    let mut d = Driver::new(m);
    d.imports
        .push(("FLTMGR.SYS", vec!["FltAllocatePoolAlignedWithTag"]));
    d.code = vec![
        Op::Alloc("FltAllocatePoolAlignedWithTag", *b"BetB"),
        Op::Pad(100),
    ];
    d.data = b"tags: AlpA BetB\0".to_vec();
    image::build(&d)
}

/// A binary with no pool import whose data names `AlpA` and `BetB` (a tag list in a tool).
pub fn strings(m: Machine) -> Vec<u8> {
    let mut d = Driver::new(m);
    d.imports = vec![("ntoskrnl.exe", vec!["KeBugCheckEx"])];
    d.code = vec![Op::Call("KeBugCheckEx"), Op::Pad(64)];
    d.data = b"AlpA\0BetB\0".to_vec();
    image::build(&d)
}

/// A folder with alpha.sys, beta.sys, sub/strings.sys, and two files that are not PE images.
pub fn folder(dir: &Path, m: Machine) {
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("alpha.sys"), alpha(m)).unwrap();
    std::fs::write(dir.join("beta.sys"), beta(m)).unwrap();
    std::fs::write(dir.join("sub/strings.sys"), strings(m)).unwrap();
    std::fs::write(dir.join("readme.txt"), "AlpA is not here\n").unwrap();
    std::fs::write(dir.join("empty.sys"), b"").unwrap();
}

/// The demo log's top leak, `Gla5` (PoolMon says `Unknown Driver`), allocated and freed.
pub fn gla5() -> Vec<u8> {
    let mut d = Driver::new(Machine::X64);
    d.code = vec![
        Op::Alloc("ExAllocatePool2", *b"Gla5"),
        Op::Pad(20),
        Op::Free("ExFreePoolWithTag", *b"Gla5"),
    ];
    d.version = vec![("CompanyName", "Glass Labs".into())];
    image::build(&d)
}

/// With `POOLSCAN_WRITE_DRIVERS=DIR`: writes the generated images there (the seed corpus of
/// the `drivers` fuzz target, `fuzz/run.sh`; the README's `analyze --drivers` example).
#[test]
fn write_generated_drivers() {
    let Some(dir) = std::env::var_os("POOLSCAN_WRITE_DRIVERS") else {
        return;
    };
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir).unwrap();
    for m in MACHINES {
        let name = format!("{m:?}").to_lowercase();
        for (what, bytes) in [
            ("alpha", alpha(m)),
            ("beta", beta(m)),
            ("strings", strings(m)),
        ] {
            std::fs::write(dir.join(format!("{what}-{name}.sys")), bytes).unwrap();
        }
    }
    std::fs::write(dir.join("gla5.sys"), gla5()).unwrap();
}
