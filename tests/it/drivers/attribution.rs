//! Planted tags in generated images are attributed to their binary, on x64, x86 and ARM64,
//! with data-only hits ranked below.

use poolscan::drivers::{self, Confidence, Hits, Query, Tag};
use poolscan::parse::pooltag::TagDb;

use super::*;

fn hits(near_call: u32, code: u32, data: u32) -> Hits {
    Hits {
        near_call,
        code,
        data,
    }
}

/// (path, confidence, score, hits) of each candidate.
fn ranked(scan: &drivers::Scan, tag: &str) -> Vec<(String, Confidence, f64, Hits)> {
    scan.candidates(Tag::parse(tag).unwrap())
        .iter()
        .map(|c| (c.binary.path.clone(), c.confidence, c.score, c.hits))
        .collect()
}

#[test]
fn planted_tags_are_attributed_on_every_architecture() {
    for m in MACHINES {
        let dir = tempfile::tempdir().unwrap();
        folder(dir.path(), m);
        let q = Query::tags(&["AlpA", "AlpS", "BetB", "Dat1", "Zzzz"]);
        let scan = drivers::scan(dir.path(), &q).unwrap();
        let ctx = format!("{m:?}");
        assert_eq!(scan.files, 5, "{ctx}");
        assert_eq!(scan.binaries.len(), 3, "{ctx}");
        assert_eq!(scan.skipped.not_pe, 2, "{ctx}: readme.txt and empty.sys");
        assert_eq!(scan.skipped.malformed, 0, "{ctx}: {:?}", scan.notes);

        // Near the allocation and the free; then the data-only hits, pool importer first.
        assert_eq!(
            ranked(&scan, "AlpA"),
            [
                ("alpha.sys".into(), Confidence::High, 0.85, hits(2, 0, 0)),
                ("beta.sys".into(), Confidence::Low, 0.3, hits(0, 0, 1)),
                (
                    "sub/strings.sys".into(),
                    Confidence::Low,
                    0.1,
                    hits(0, 0, 1)
                ),
            ],
            "{ctx}"
        );
        assert_eq!(
            ranked(&scan, "AlpS"),
            [("alpha.sys".into(), Confidence::Medium, 0.6, hits(0, 1, 0))],
            "{ctx}"
        );
        assert_eq!(
            ranked(&scan, "BetB"),
            [
                ("beta.sys".into(), Confidence::High, 0.8, hits(1, 0, 1)),
                (
                    "sub/strings.sys".into(),
                    Confidence::Low,
                    0.1,
                    hits(0, 0, 1)
                ),
            ],
            "{ctx}"
        );
        assert_eq!(
            ranked(&scan, "Dat1"),
            [("alpha.sys".into(), Confidence::Low, 0.3, hits(0, 0, 1))],
            "{ctx}"
        );
        assert!(ranked(&scan, "Zzzz").is_empty(), "{ctx}");
        assert!(ranked(&scan, "Nota").is_empty(), "{ctx}: not asked for");

        assert_eq!(
            scan.label("AlpA").as_deref(),
            Some("[scan: alpha.sys 0.85]")
        );
        assert_eq!(scan.label("AlpS").as_deref(), Some("[scan: alpha.sys 0.6]"));
        assert_eq!(scan.label("BetB").as_deref(), Some("[scan: beta.sys 0.8]"));
        assert_eq!(
            scan.label("Dat1"),
            None,
            "{ctx}: data only never names a driver"
        );

        let alpha = &scan.binaries[0];
        assert_eq!(alpha.name, "alpha.sys");
        assert_eq!(alpha.arch.name(), format!("{m:?}").to_lowercase());
        assert_eq!(alpha.pool_imports, ["ExAllocatePool2", "ExFreePoolWithTag"]);
        let v = alpha.version.as_ref().expect("version resource");
        assert_eq!(v.to_string(), "Alpha Devices - Alpha filter driver - 1.2.3");
        let beta = &scan.binaries[1];
        assert_eq!(
            beta.pool_imports,
            [
                "ExAllocatePool2",
                "ExFreePoolWithTag",
                "FltAllocatePoolAlignedWithTag"
            ]
        );
        assert_eq!(beta.version, None);
        assert!(scan.binaries[2].pool_imports.is_empty());
    }
}

#[test]
fn discovery_finds_the_tags_near_pool_calls_only_and_writes_a_localtag_map() {
    for m in MACHINES {
        let dir = tempfile::tempdir().unwrap();
        folder(dir.path(), m);
        let q = Query {
            discover: true,
            ..Query::default()
        };
        let scan = drivers::scan(dir.path(), &q).unwrap();
        let map = scan.localtag();
        assert_eq!(
            map, "AlpA   -     alpha.sys\nBetB   -     beta.sys\n",
            "{m:?}"
        );
        // Read back as --pooltag reads it.
        let mut db = TagDb::new();
        assert!(db.add_text("localtag.txt", map.as_bytes()).is_empty());
        assert_eq!(db.describe("AlpA").as_deref(), Some("[alpha.sys]"));
        assert_eq!(db.describe("BetB").as_deref(), Some("[beta.sys]"));
        assert_eq!(db.describe("AlpS"), None);
    }
}

#[test]
fn a_tag_shared_by_two_binaries_names_both_and_the_order_is_stable() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["zeta.sys", "eta.sys"] {
        let mut d = Driver::new(Machine::X64);
        d.code = vec![Op::Alloc("ExAllocatePool2", *b"Shrd"), Op::Pad(8)];
        std::fs::write(dir.path().join(name), image::build(&d)).unwrap();
    }
    let q = Query::tags(&["Shrd"]);
    let scan = drivers::scan(dir.path(), &q).unwrap();
    assert_eq!(
        scan.label("Shrd").as_deref(),
        Some("[scan: eta.sys 0.8][scan: zeta.sys 0.8]")
    );
    let again = drivers::scan(dir.path(), &q).unwrap();
    assert_eq!(ranked(&scan, "Shrd"), ranked(&again, "Shrd"));
}

#[test]
fn short_tags_are_space_padded_like_poolmon_prints_them() {
    let mut d = Driver::new(Machine::X64);
    d.code = vec![Op::Alloc("ExAllocatePool2", *b"Cc  "), Op::Pad(8)];
    let bin = drivers::inspect("cc.sys", &image::build(&d), &Query::tags(&["Cc"])).unwrap();
    assert_eq!(bin.hits[&Tag(*b"Cc  ")].near_call, 1);
}

#[test]
fn every_pool_function_counts_as_a_pool_call() {
    for f in drivers::POOL_FUNCTIONS {
        let mut d = Driver::new(Machine::X64);
        d.imports = vec![("ntoskrnl.exe", vec![f])];
        d.code = vec![Op::Alloc(f, *b"Fnct"), Op::Pad(8)];
        let bin = drivers::inspect("f.sys", &image::build(&d), &Query::tags(&["Fnct"])).unwrap();
        assert_eq!(bin.hits[&Tag(*b"Fnct")], hits(1, 0, 0), "{f}");
        assert_eq!(bin.pool_imports, [*f]);
    }
    // A call through another import is not a pool call.
    let mut d = Driver::new(Machine::X64);
    d.code = vec![Op::Alloc("KeBugCheckEx", *b"Fnct"), Op::Pad(8)];
    let bin = drivers::inspect("f.sys", &image::build(&d), &Query::tags(&["Fnct"])).unwrap();
    assert_eq!(bin.hits[&Tag(*b"Fnct")], hits(0, 1, 0));
}

#[test]
fn a_single_file_can_be_scanned_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alpha.sys");
    std::fs::write(&path, alpha(Machine::X64)).unwrap();
    let scan = drivers::scan(&path, &Query::tags(&["AlpA"])).unwrap();
    assert_eq!(scan.files, 1);
    assert_eq!(
        scan.label("AlpA").as_deref(),
        Some("[scan: alpha.sys 0.85]")
    );
}

#[test]
fn a_missing_folder_is_an_error_naming_it() {
    let err = drivers::scan(Path::new("/nonexistent/drivers"), &Query::default()).unwrap_err();
    assert!(
        err.to_string().starts_with("/nonexistent/drivers: "),
        "{err}"
    );
}
