//! The driver scan on arbitrary bytes: `drivers::inspect` (PE headers, imports, version
//! resource, the x86/x64/ARM64 decoders, the byte search) with tags taken from the input
//! and discovery on, then the ranking and the localtag.txt map, with their invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;
use poolscan::drivers::{inspect, NotScanned, Query, Scan, Skipped, Tag};
use poolscan::parse::pooltag::TagDb;

fuzz_target!(|data: &[u8]| {
    let mut query = Query {
        discover: true,
        ..Query::default()
    };
    for w in data.chunks_exact(4).skip(1).step_by(7).take(16) {
        query.tags.insert(Tag([w[0], w[1], w[2], w[3]]));
    }
    query.tags.insert(Tag(*b"WDiv"));
    let binary = match inspect("fuzz.sys", data, &query) {
        Ok(b) => b,
        Err(NotScanned::NotPe) => {
            assert!(!data.starts_with(b"MZ"));
            return;
        }
        Err(NotScanned::Malformed(why)) => {
            assert!(data.starts_with(b"MZ") && !why.is_empty());
            return;
        }
    };
    assert_eq!(binary.size, data.len() as u64);
    assert!(binary.pool_imports.windows(2).all(|w| w[0] < w[1]));
    // One decoded immediate and one byte match per offset at most, per kind.
    let total: u64 = binary
        .hits
        .values()
        .map(|h| u64::from(h.near_call) + u64::from(h.code) + u64::from(h.data))
        .sum();
    assert!(total <= 2 * data.len() as u64 + 8, "{total} hits in {} bytes", data.len());
    for (tag, h) in &binary.hits {
        assert!(!h.is_empty());
        if !query.tags.contains(tag) {
            // Discovered: near a pool call, plausible, and nothing else counted.
            assert!(h.near_call > 0 && h.code == 0 && h.data == 0, "{tag:?} {h:?}");
            assert!(tag.is_plausible());
        }
    }
    let scan = Scan {
        root: "fuzz".into(),
        files: 1,
        bytes: binary.size,
        binaries: vec![binary],
        skipped: Skipped::default(),
        notes: Vec::new(),
    };
    for tag in &query.tags {
        for c in scan.candidates(*tag) {
            assert!((0.0..=1.0).contains(&c.score));
        }
        if let Some(label) = scan.label(&tag.to_string()) {
            assert!(label.starts_with("[scan: fuzz.sys "), "{label}");
        }
    }
    // The map reads back: one entry per line, each a discovered or asked tag.
    let map = scan.localtag();
    let mut db = TagDb::new();
    assert!(db.add_text("localtag.txt", map.as_bytes()).is_empty(), "{map}");
    assert_eq!(db.len(), map.lines().count());
});
