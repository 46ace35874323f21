//! Helpers shared by the integration tests.

use std::path::PathBuf;

use assert_cmd::Command;

/// The `poolscan` binary, with the user's colour and width settings removed.
pub fn poolscan() -> Command {
    let mut c = Command::cargo_bin("poolscan").unwrap();
    c.env_remove("NO_COLOR").env_remove("COLUMNS");
    c
}

/// Runs `cmd`, asserts that it succeeded (showing its stderr when not) and
/// returns its stdout as text.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Parses JSON output, showing it when it is not JSON.
pub fn json(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

/// The real PoolMon samples of `fixtures/samples/` (not their `.src.txt`), in order.
pub fn samples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir("fixtures/samples")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "txt") && !p.to_string_lossy().ends_with(".src.txt")
        })
        .collect();
    v.sort();
    v
}

/// `text` as UTF-16LE, with a byte-order mark when `bom`.
pub fn utf16le(text: &str, bom: bool) -> Vec<u8> {
    let mut v = if bom { vec![0xff, 0xfe] } else { Vec::new() };
    for u in text.encode_utf16() {
        v.extend_from_slice(&u.to_le_bytes());
    }
    v
}
