//! The pooltag.txt reader on arbitrary bytes: `TagDb::add_text`, then
//! `lookup`/`describe` of tags taken from the input, with their invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;
use poolscan::parse::pooltag::{wildcard_match, TagDb};

fuzz_target!(|data: &[u8]| {
    let mut db = TagDb::new();
    let warnings = db.add_text("fuzz", data);
    // UTF-16 text has its line ends as `0a 00`: count the `0a` bytes either way.
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    assert!(db.len() + warnings.len() <= lines);
    assert!(warnings.iter().all(|w| w.line >= 1 && w.line <= lines));
    let text = String::from_utf8_lossy(data);
    let chars: Vec<char> = text.chars().collect();
    let mut queries: Vec<String> = chars
        .windows(4)
        .take(64)
        .map(|w| w.iter().collect())
        .collect();
    queries.extend(text.lines().take(16).map(|l| l.chars().take(6).collect()));
    queries.extend(["", "Cc", "    ", "*", "????", "Abcde"].map(String::from));
    for q in &queries {
        let hits = db.lookup(q);
        let key = q.trim_end_matches(' ');
        for h in &hits {
            assert_eq!(h.pattern.chars().count(), 4, "{:?}", h.pattern);
            assert!(wildcard_match(&h.pattern, key), "{:?} {:?}", h.pattern, q);
        }
        assert_eq!(db.describe(q).is_some(), !hits.is_empty());
    }
    if let [a, b, ..] = &queries[..] {
        let _ = wildcard_match(a, b);
    }
});
