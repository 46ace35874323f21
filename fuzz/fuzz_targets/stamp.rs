//! The timestamp reader on arbitrary text: `parse_stamp` on every line, then
//! `resolve` on all the stamps found, with the invariants of both.
#![no_main]

use libfuzzer_sys::fuzz_target;
use poolscan::parse::stamp::{parse_stamp, resolve, RawDate};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse_stamp(&text);
    let mut stamps = Vec::new();
    for line in text.split(['\n', '\r']) {
        if let Some(s) = parse_stamp(line) {
            match s.date {
                RawDate::Numeric {
                    year,
                    first,
                    second,
                } => {
                    assert!((1900..=2999).contains(&year));
                    assert!((1..=31).contains(&first) && (1..=31).contains(&second));
                }
                RawDate::Exact(d) => {
                    use chrono::Datelike;
                    assert!((1900..=2999).contains(&d.year()));
                }
            }
            if let Some(o) = s.offset_secs {
                assert!(o.abs() < 24 * 3600);
            }
            stamps.push(s);
        }
    }
    let r = resolve(&stamps);
    assert_eq!(r.times.len(), stamps.len());
    assert!(!r.evidence.is_empty());
    for (s, t) in stamps.iter().zip(&r.times) {
        match s.date {
            // An unambiguous date resolves to itself whatever the order.
            RawDate::Exact(d) => assert_eq!(t.map(|t| t.date()), Some(d)),
            RawDate::Numeric { .. } => {
                assert!(r.order.is_some());
                if let Some(t) = t {
                    assert_eq!(t.time(), s.time);
                }
            }
        }
    }
});
