//! One real driver: `WinDivert64.sys` from the `pydivert` 4.0.1 wheel for Windows on PyPI
//! (LGPL/GPL; not committed). `.ci/run` fetches it, checks its sha256 and sets
//! `POOLSCAN_WINDIVERT` to its path; without it the test is skipped with a note.

use poolscan::drivers::{self, Arch, Confidence, Query, Tag};

/// Size of `pydivert/windivert_dll/WinDivert64.sys` in `pydivert-4.0.1-py3-none-win_amd64.whl`
/// (sha256 8da08533…ddc2; `.ci/run` checks the hashes of the wheel and of the file).
const SIZE: u64 = 94_144;

#[test]
fn wdiv_is_attributed_to_windivert64_sys() {
    let Some(path) = std::env::var_os("POOLSCAN_WINDIVERT") else {
        eprintln!("skipped: POOLSCAN_WINDIVERT is not set (.ci/run fetches WinDivert64.sys from pydivert 4.0.1)");
        return;
    };
    let path = std::path::PathBuf::from(path);
    if !path.is_file() {
        eprintln!(
            "skipped: POOLSCAN_WINDIVERT={} is not a file",
            path.display()
        );
        return;
    }
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        SIZE,
        "{} is not pydivert 4.0.1's WinDivert64.sys",
        path.display()
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&path, dir.path().join("WinDivert64.sys")).unwrap();
    // A decoy: the tag as a string in another binary's data.
    let mut decoy = super::image::Driver::new(super::image::Machine::X64);
    decoy.data = b"WDiv WinDivert\0".to_vec();
    std::fs::write(dir.path().join("decoy.sys"), super::image::build(&decoy)).unwrap();

    let scan = drivers::scan(dir.path(), &Query::tags(&["WDiv"])).unwrap();
    let found = scan.candidates(Tag(*b"WDiv"));
    assert_eq!(found.len(), 2, "{found:?}");
    let best = &found[0];
    assert_eq!(best.binary.name, "WinDivert64.sys");
    assert_eq!(best.binary.arch, Arch::X64);
    assert_eq!(best.confidence, Confidence::High);
    assert_eq!(best.score, 0.95);
    // Counted independently with `objdump -d -M intel`: the bytes occur 32 times, all in
    // .text; 30 are `mov edx, 'WDiv'` (ExFreePoolWithTag) or `mov r8d, 'WDiv'`
    // (ExAllocatePoolWithTag) shortly before `call [rip+…]` through the import, 2 are
    // `mov qword ptr [rbp+…], 'WDiv'` (a structure's tag field).
    assert_eq!(best.hits.near_call, 30, "{:?}", best.hits);
    assert_eq!(best.hits.code, 2, "{:?}", best.hits);
    assert_eq!(best.hits.data, 0);
    assert!(best.binary.pool_imports.contains(&"ExAllocatePoolWithTag"));
    assert!(best.binary.pool_imports.contains(&"ExFreePoolWithTag"));
    let v = best.binary.version.as_ref().expect("a version resource");
    assert!(v.to_string().contains("WinDivert"), "{v}");
    assert_eq!(found[1].binary.name, "decoy.sys");
    assert_eq!(found[1].confidence, Confidence::Low);
    assert_eq!(
        scan.label("WDiv").as_deref(),
        Some("[scan: WinDivert64.sys 0.95]")
    );

    // Discovery finds WDiv too, from nothing but the binary.
    let all = drivers::scan(
        dir.path(),
        &Query {
            discover: true,
            ..Query::default()
        },
    )
    .unwrap();
    assert!(
        all.localtag()
            .lines()
            .any(|l| l == "WDiv   -     WinDivert64.sys"),
        "{}",
        all.localtag()
    );
}
