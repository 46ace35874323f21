//! `poolscan tags --drivers`, `--write-localtag`, and `analyze`/`fleet --drivers`, end to end.

use predicates::prelude::*;

use super::*;
use crate::util::{json, poolscan};

const DEMO: &str = "fixtures/synth/poolmon-demo.log";

/// The generated folder, and gla5.sys for the demo log's top leak.
fn demo_drivers(dir: &Path) {
    folder(dir, Machine::X64);
    std::fs::write(dir.join("gla5.sys"), gla5()).unwrap();
}

#[test]
fn tags_lists_candidates_with_their_evidence() {
    let dir = tempfile::tempdir().unwrap();
    folder(dir.path(), Machine::X64);
    let out = poolscan()
        .args(["tags", "AlpA", "Nope", "Toolong"])
        .arg("--drivers")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout,
        "AlpA: 3 candidates\n\
         \x20 1. alpha.sys  high 0.85  (2 near a pool call, 0 elsewhere in code, 0 in data)\n\
         \x20    x64; imports ExAllocatePool2, ExFreePoolWithTag; Alpha Devices - Alpha filter driver - 1.2.3\n\
         \x20 2. beta.sys  low 0.3  (0 near a pool call, 0 elsewhere in code, 1 in data)\n\
         \x20    x64; imports ExAllocatePool2, ExFreePoolWithTag, FltAllocatePoolAlignedWithTag\n\
         \x20 3. sub/strings.sys  low 0.1  (0 near a pool call, 0 elsewhere in code, 1 in data)\n\
         \x20    x64; no pool import\n\
         Nope: in no binary\n\
         Toolong: not a pool tag (longer than 4 characters)\n"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains(": 5 files, 3 PE images"), "{stderr}");
    assert!(stderr.contains("skipped 2 not PE"), "{stderr}");
}

#[test]
fn top_limits_the_candidates() {
    let dir = tempfile::tempdir().unwrap();
    folder(dir.path(), Machine::Arm64);
    poolscan()
        .args(["tags", "AlpA", "--top", "1", "-q", "--drivers"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("1. alpha.sys  high 0.85"))
        .stdout(predicate::str::contains("arm64; imports"))
        .stdout(predicate::str::contains("... and 2 more (--top)"))
        .stdout(predicate::str::contains("2. ").not());
}

#[test]
fn write_localtag_then_read_it_back_with_pooltag() {
    let dir = tempfile::tempdir().unwrap();
    folder(dir.path(), Machine::X86);
    let map = dir.path().join("out").join("localtag.txt");
    std::fs::create_dir(dir.path().join("out")).unwrap();
    poolscan()
        .args(["tags", "--drivers"])
        .arg(dir.path())
        .arg("--write-localtag")
        .arg(&map)
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains(
            "(2 lines: tags next to a pool call",
        ));
    assert_eq!(
        std::fs::read_to_string(&map).unwrap(),
        "AlpA   -     alpha.sys\nBetB   -     beta.sys\n"
    );
    poolscan()
        .args(["tags", "AlpA", "BetB", "--pooltag"])
        .arg(&map)
        .assert()
        .success()
        .stdout("AlpA  AlpA  alpha.sys            \nBetB  BetB  beta.sys             \n");
}

#[test]
fn tags_needs_pooltag_or_drivers_and_write_localtag_needs_drivers() {
    poolscan()
        .args(["tags", "AlpA"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--pooltag"));
    poolscan()
        .args(["tags", "--pooltag", "x.txt", "--write-localtag", "y.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--drivers"));
    poolscan()
        .args(["tags", "AlpA", "--drivers", "/nonexistent/drivers"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "scanning the driver folder /nonexistent/drivers: ",
        ));
}

#[test]
fn analyze_names_the_unknown_driver_of_the_top_leak() {
    let dir = tempfile::tempdir().unwrap();
    demo_drivers(dir.path());
    let out = poolscan()
        .args(["analyze", DEMO, "--format", "json", "--drivers"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);
    let series = v["series"].as_array().unwrap();
    let gla5 = &series[0];
    assert_eq!(gla5["tag"], "Gla5");
    assert_eq!(gla5["driver"], "[scan: gla5.sys 0.85]");
    // A suspect the log names keeps its name; `ok` series are left as they are.
    let ntfx = series.iter().find(|s| s["tag"] == "Ntfx").unwrap();
    assert_eq!(ntfx["driver"], "[wfplwfs.sys - WFP filter]");
    for s in series.iter().filter(|s| s["verdict"] == "ok") {
        assert!(!s["driver"].to_string().contains("scan:"), "{s}");
    }
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("--drivers: 1 suspect series named"),
        "{stderr}"
    );

    // The table and the bundle's report.md say the same.
    let bundle = dir.path().join("report");
    poolscan()
        .args(["analyze", DEMO, "-q", "--drivers"])
        .arg(dir.path())
        .arg("--out")
        .arg(&bundle)
        .assert()
        .success()
        .stdout(predicate::str::contains("[scan: gla5.sys 0.85]"));
    let md = std::fs::read_to_string(bundle.join("report.md")).unwrap();
    assert!(md.contains("[scan: gla5.sys 0.85]"), "{md}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bundle.join("report.json")).unwrap())
            .unwrap();
    assert_eq!(report["series"][0]["driver"], "[scan: gla5.sys 0.85]");
}

#[test]
fn without_drivers_analyze_is_unchanged() {
    let out = poolscan()
        .args(["analyze", DEMO, "--format", "json", "-q"])
        .output()
        .unwrap();
    let v = json(&out.stdout);
    assert_eq!(v["series"][0]["tag"], "Gla5");
    assert_eq!(v["series"][0]["driver"], "Unknown Driver");
}

#[test]
fn fleet_names_the_drivers_of_fleet_suspects() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for h in poolscan_synth::fleet(5, 10, 96) {
        let p = dir.path().join(format!("{}.log", h.name));
        std::fs::write(&p, &h.log).unwrap();
        files.push(p);
    }
    let drivers = dir.path().join("drivers");
    std::fs::create_dir(&drivers).unwrap();
    for (name, tag) in [("io.sys", *b"Io  "), ("dh.sys", *b"Dh 1")] {
        let mut d = Driver::new(Machine::X64);
        d.code = vec![
            Op::Alloc("ExAllocatePool2", tag),
            Op::Free("ExFreePoolWithTag", tag),
        ];
        std::fs::write(drivers.join(name), image::build(&d)).unwrap();
    }
    let out = poolscan()
        .arg("fleet")
        .args(&files)
        .args(["--format", "json", "--drivers"])
        .arg(&drivers)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);
    let series = v["series"].as_array().unwrap();
    let named: Vec<(String, String)> = series
        .iter()
        .filter(|s| s["verdict"] != "ok")
        .map(|s| {
            (
                s["tag"].as_str().unwrap().to_string(),
                s["driver"].to_string(),
            )
        })
        .collect();
    assert!(!named.is_empty());
    for (tag, driver) in &named {
        let want = match tag.as_str() {
            "Io" => "\"[scan: io.sys 0.85]\"",
            "Dh 1" => "\"[scan: dh.sys 0.85]\"",
            _ => continue,
        };
        assert_eq!(driver, want, "{tag}");
    }
    assert!(named.iter().any(|(t, _)| t == "Io"), "{named:?}");
}
