//! The command line, end to end, with assert_cmd.

use std::io::Write;

use crate::util::{json, poolscan, stdout_of};
use predicates::prelude::*;

const DEMO: &str = "fixtures/synth/poolmon-demo.log";
const NARROW: &str = "fixtures/samples/13-intel-mfd-snapshot-narrow-r.txt";
const TWO_SCREENS: &str = "fixtures/samples/06-msdocs-example4-drsd-two-displays.txt";

#[test]
fn analyze_prints_the_ranking() {
    poolscan()
        .args(["analyze", DEMO])
        .assert()
        .success()
        .stdout(predicate::str::contains("rank"))
        .stdout(predicate::str::contains("leak"))
        .stderr(predicate::str::contains("96 snapshots"));
}

#[test]
fn analyze_json_follows_the_contract() {
    let out = poolscan()
        .args(["analyze", DEMO, "--format", "json", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v = json(&out.stdout);
    assert_eq!(v["schema"], "poolscan.analysis/1");
    assert_eq!(v["snapshots"], 96);
    assert_eq!(v["epochs"], 2);
    assert_eq!(v["time_source"], "stamps");
    assert_eq!(v["start"], "2026-11-25T08:00:00");
    assert_eq!(v["inputs"][0]["snapshots"], 96);
    assert_eq!(v["inputs"][0]["skipped_lines"], 0);
    let series = v["series"].as_array().unwrap();
    assert_eq!(series.len(), 40, "every series is listed");
    for (i, s) in series.iter().enumerate() {
        assert_eq!(s["rank"], i + 1);
        for key in [
            "tag",
            "pool",
            "verdict",
            "score",
            "bytes_first",
            "bytes_last",
            "bytes_max",
            "bytes_per_hour",
            "outstanding_per_hour",
            "snapshots",
            "driver",
            "reason",
        ] {
            assert!(s.get(key).is_some(), "series has {key}");
        }
    }
    let scores: Vec<f64> = series
        .iter()
        .map(|s| s["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "sorted by score");
    assert!(v["pools"]["Nonpaged"]["kib_first"].as_u64().unwrap() > 0);
    // The generator's truth: the steady leak (Gla5) is a leak.
    let gla5 = series.iter().find(|s| s["tag"] == "Gla5").unwrap();
    assert_eq!(gla5["verdict"], "leak");
}

#[test]
fn analyze_csv_and_markdown() {
    let out = poolscan()
        .args(["analyze", DEMO, "--format", "csv", "-q"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("rank,tag,pool,verdict,score,"));
    assert_eq!(text.lines().count(), 41);
    poolscan()
        .args(["analyze", DEMO, "--format", "markdown", "--top", "3", "-q"])
        .assert()
        .success()
        .stdout(predicate::str::contains("| # | tag |"))
        .stdout(predicate::str::contains("| 3 |"))
        .stdout(predicate::str::contains("| 4 |").not());
}

#[test]
fn export_samples_csv_to_stdout() {
    let out = poolscan()
        .args(["export", NARROW, "--format", "csv", "-o", "-", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "source,snapshot,time,epoch,tag,pool,allocs,frees,diff,bytes,per_alloc,driver"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 13);
    assert!(
        rows[0].ends_with(",0,,0,EtwB,Nonpaged,6394,4056,2338,163418368,69896,"),
        "{}",
        rows[0]
    );
}

#[test]
fn export_snapshots_table() {
    let out = poolscan()
        .args([
            "export",
            TWO_SCREENS,
            "--table",
            "snapshots",
            "-o",
            "-",
            "-q",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("source,snapshot,time,epoch,line,rows,stamp,memory_k,"));
    assert_eq!(lines.len(), 3);
    assert!(
        lines[2].contains(",1,,0,7,1,,130480,91808,1240,"),
        "{}",
        lines[2]
    );
}

#[test]
fn interval_and_start_give_a_time_axis() {
    let out = poolscan()
        .args([
            "export",
            TWO_SCREENS,
            "--table",
            "snapshots",
            "-o",
            "-",
            "-q",
            "--interval",
            "10m",
            "--start",
            "2026-11-25T08:00:00",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(",2026-11-25T08:00:00.000,"), "{text}");
    assert!(text.contains(",2026-11-25T08:10:00.000,"), "{text}");
    let out = poolscan()
        .args([
            "analyze",
            TWO_SCREENS,
            "--interval",
            "10m",
            "--format",
            "json",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(json(&out.stdout)["time_source"], "interval");
}

#[test]
fn export_parquet_and_ndjson_files() {
    let dir = tempfile::tempdir().unwrap();
    let pq = dir.path().join("s.parquet");
    poolscan()
        .args(["export", DEMO, "-o"])
        .arg(&pq)
        .arg("-q")
        .assert()
        .success();
    use polars::prelude::{ParquetReader, SerReader};
    let df = ParquetReader::new(std::fs::File::open(&pq).unwrap())
        .finish()
        .unwrap();
    assert_eq!(df.height(), 3671);
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(
        names,
        [
            "source",
            "snapshot",
            "time",
            "epoch",
            "tag",
            "pool",
            "allocs",
            "frees",
            "diff",
            "bytes",
            "per_alloc",
            "driver"
        ]
    );
    let nd = dir.path().join("s.ndjson");
    poolscan()
        .args(["export", NARROW, "-o"])
        .arg(&nd)
        .arg("-q")
        .assert()
        .success();
    let text = std::fs::read_to_string(&nd).unwrap();
    assert_eq!(text.lines().count(), 13);
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["tag"], "EtwB");
    assert_eq!(first["bytes"], 163418368u64);
}

#[test]
fn stdin_input() {
    let bytes = std::fs::read(NARROW).unwrap();
    let out = poolscan()
        .args(["export", "-", "-o", "-", "-q"])
        .write_stdin(bytes)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 14);
}

#[test]
fn gzip_input() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("poolmon.log.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(&std::fs::read(DEMO).unwrap()).unwrap();
    enc.finish().unwrap();
    let out = poolscan()
        .arg("analyze")
        .arg(&gz)
        .args(["--format", "json", "-q"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out.stdout)["snapshots"], 96);
}

#[test]
fn corrupt_gzip_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("bad.log.gz");
    std::fs::write(
        &gz,
        [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef],
    )
    .unwrap();
    poolscan()
        .arg("analyze")
        .arg(&gz)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.log.gz"));
}

#[test]
fn missing_file_exits_2_naming_it() {
    poolscan()
        .args(["analyze", "no/such/poolmon.log"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/poolmon.log"));
}

#[test]
fn strict_fails_on_the_first_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.log");
    let mut text = std::fs::read_to_string(NARROW).unwrap();
    text.insert_str(0, "this line is not poolmon\n");
    std::fs::write(&p, &text).unwrap();
    poolscan()
        .arg("export")
        .arg(&p)
        .args(["-o", "-", "-q"])
        .assert()
        .success();
    poolscan()
        .arg("export")
        .arg(&p)
        .args(["-o", "-", "--strict"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.log:1: not a PoolMon line"));
}

#[test]
fn skipped_lines_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.log");
    let mut text = std::fs::read_to_string(NARROW).unwrap();
    text.push_str("\n Junk Nonp 12 oops 3 4 5\n");
    std::fs::write(&p, &text).unwrap();
    let out = poolscan()
        .arg("analyze")
        .arg(&p)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 skipped"));
    let v = json(&out.stdout);
    assert_eq!(v["inputs"][0]["skipped_lines"], 1);
    let warnings = v["inputs"][0]["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("Frees is not a number")),
        "{warnings:?}"
    );
}

#[test]
fn fail_on_leak_exits_1() {
    poolscan()
        .args(["analyze", DEMO, "--fail-on", "leak", "-q"])
        .assert()
        .code(1);
    poolscan()
        .args(["analyze", NARROW, "--fail-on", "suspect", "-q"])
        .assert()
        .code(0);
}

#[test]
fn bundle_is_written_whole_and_links_resolve() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    poolscan()
        .args(["analyze", DEMO, "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(v["schema"], "poolscan.analysis/1");
    let mut links = 0;
    for part in md.split("](").skip(1) {
        let target = &part[..part.find(')').unwrap()];
        assert!(out.join(target).is_file(), "link {target} resolves");
        links += 1;
    }
    assert!(links >= 3, "overview, pools and at least one suspect chart");
    assert!(out.join("charts/overview.png").is_file());
    assert!(out.join("charts/pools.png").is_file());
    // A non-empty directory is refused without --force, and kept as it was.
    poolscan()
        .args(["analyze", DEMO, "-q", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    poolscan()
        .args(["analyze", DEMO, "-q", "--force", "--out"])
        .arg(&out)
        .assert()
        .success();
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "no temporary directories left: {leftovers:?}"
    );
    // --force never replaces a directory that poolscan did not write.
    let mine = dir.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("thesis.tex"), "keep me").unwrap();
    poolscan()
        .args(["analyze", DEMO, "-q", "--force", "--out"])
        .arg(&mine)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a directory poolscan wrote"));
    assert_eq!(
        std::fs::read_to_string(mine.join("thesis.tex")).unwrap(),
        "keep me"
    );
}

#[test]
fn bundle_charts_carry_the_verdict_and_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    poolscan()
        .args([
            "analyze",
            DEMO,
            "-q",
            "--chart-format",
            "svg",
            "--budget",
            "1200MiB",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let top = &v["series"][0];
    let svg = std::fs::read_to_string(out.join("charts/01-Gla5-Nonpaged.svg")).unwrap();
    // The caption: verdict, rate and share, then the reason (its first words).
    assert_eq!(top["tag"], "Gla5");
    assert!(
        svg.contains("leak: +15.9 KiB/h, 0.04% of the nonpaged pool"),
        "{svg}"
    );
    let reason = top["reason"].as_str().unwrap();
    let first_words: Vec<&str> = reason.split_whitespace().take(5).collect();
    assert!(svg.contains(&format!("Why: {}", first_words.join(" "))));
    assert!(svg.contains("floor judged"));
    assert!(svg.contains("fitted trend per boot"));
    // The pools chart: the budget and when the nonpaged pool reaches it.
    let pools = std::fs::read_to_string(out.join("charts/pools.svg")).unwrap();
    assert!(
        pools.contains("Budget 1.17 GiB: Nonpaged reaches it in 24.5 h"),
        "{pools}"
    );
    // The overview: one panel per suspect (four: two rows, the usual height).
    let overview = std::fs::read_to_string(out.join("charts/overview.svg")).unwrap();
    assert!(overview.contains("height=\"720\""));
    for label in [
        "1. Gla5 Nonpaged: leak",
        "2. Ntfx Nonpaged: leak",
        "4. Kq 3 Nonpaged: suspect",
    ] {
        assert!(overview.contains(label), "{label}");
    }
}

#[test]
fn bundle_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for d in [&a, &b] {
        poolscan()
            .args(["analyze", DEMO, "-q", "--out"])
            .arg(d)
            .assert()
            .success();
    }
    for f in [
        "report.md",
        "report.json",
        "charts/overview.png",
        "charts/pools.png",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn diff_compares_last_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(TWO_SCREENS).unwrap();
    let (before, after) = text.split_at(text.rfind("Memory:").unwrap());
    let (b, a) = (dir.path().join("before.log"), dir.path().join("after.log"));
    std::fs::write(&b, before).unwrap();
    std::fs::write(&a, after).unwrap();
    let out = poolscan()
        .arg("diff")
        .arg(&b)
        .arg(&a)
        .args(["--format", "json", "-q"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);
    assert_eq!(v["changes"][0]["tag"], "Drsd");
    assert_eq!(v["changes"][0]["bytes_change"], 22464 - 17472);
    assert_eq!(v["changes"][0]["outstanding_change"], 6);
    poolscan()
        .arg("diff")
        .arg(&b)
        .arg(&a)
        .assert()
        .success()
        .stdout(predicate::str::contains("+4.9 KiB"));
}

#[test]
fn tags_looks_up_pooltag_files() {
    poolscan()
        .args([
            "tags",
            "CM25",
            "Dh 0",
            "Zzzz",
            "--pooltag",
            "fixtures/pooltag/19c-pooltag-rktools2k3-cm-block.txt",
            "--pooltag",
            "fixtures/pooltag/19d-pooltag-rktools2k3-dh-and-gdi.txt",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("nt!cm"))
        .stdout(predicate::str::contains("Zzzz  (no entry)"));
}

#[test]
fn completions_and_man_page() {
    poolscan()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("poolscan"));
    poolscan()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH"));
}

#[test]
fn help_documents_exit_codes() {
    poolscan()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit status"));
    poolscan()
        .args(["analyze", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples"));
}

#[test]
fn directory_input_reads_its_logs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(NARROW, dir.path().join("a.log")).unwrap();
    std::fs::copy(TWO_SCREENS, dir.path().join("b.txt")).unwrap();
    std::fs::write(dir.path().join("notes.md"), "ignored").unwrap();
    let out = poolscan()
        .arg("analyze")
        .arg(dir.path())
        .args(["--format", "json", "-q"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out.stdout)["inputs"].as_array().unwrap().len(), 2);
}

#[test]
fn no_progress_bar_unless_stderr_is_a_terminal() {
    // The bar is drawn only on a terminal: piped stderr stays clean for logs and CI.
    for extra in [&[][..], &["--no-progress"][..]] {
        let out = poolscan()
            .args(["analyze", "fixtures/synth/poolmon-demo.log", "--top", "1"])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains('\r') && !err.contains("reading"), "{err}");
        assert!(
            err.contains("snapshots"),
            "diagnostics still printed: {err}"
        );
    }
}

/// Logs of a busy machine whose 32-bit counters pass 2^31 (printed negative
/// by the narrow family) and wrap past 2^32 (near zero again): generated by
/// `synth --machine 24 --leaks 1 --hot 2 --snapshots 30 --seed 5 --form
/// narrow|wide`. Every row is read, even with `--strict`, one boot, two
/// wraps (Allocs and Frees of one tag), and the exported counters rise.
#[test]
fn wrapped_counters_are_read_not_skipped_nor_a_reboot() {
    for form in ["narrow", "wide"] {
        let log = format!("fixtures/synth/hot-counters-{form}.log");
        let out = poolscan()
            .args(["analyze", &log, "--strict", "--format", "json", "-q"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{form}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v = json(&out.stdout);
        assert_eq!(v["epochs"], 1, "{form}");
        assert_eq!(v["counter_wraps"], 2, "{form}");
        assert!(v.get("boots").is_none(), "{form}");
        assert_eq!(v["inputs"][0]["skipped_lines"], 0, "{form}");
        let out = poolscan()
            .args(["export", &log, "--format", "csv", "-o", "-"])
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        let mut lines = text.lines();
        let head: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |name: &str| head.iter().position(|&h| h == name).unwrap();
        let (tag, pool, allocs) = (col("tag"), col("pool"), col("allocs"));
        let mut by_tag: std::collections::BTreeMap<(&str, &str), Vec<u64>> = Default::default();
        for l in lines {
            let f: Vec<&str> = l.split(',').collect();
            by_tag
                .entry((f[tag], f[pool]))
                .or_default()
                .push(f[allocs].parse().unwrap());
        }
        let past_2_32 = by_tag
            .values()
            .filter(|v| v.iter().any(|&a| a >= 1 << 32))
            .count();
        let past_2_31 = by_tag
            .values()
            .filter(|v| v.iter().any(|&a| a >= 1 << 31))
            .count();
        assert_eq!((past_2_31, past_2_32), (2, 1), "{form}");
        for v in by_tag.values() {
            assert!(
                v.windows(2).all(|w| w[0] <= w[1]),
                "{form}: counters rise: {v:?}"
            );
        }
    }
}

#[cfg(not(windows))]
#[test]
fn capture_says_it_needs_windows() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("poolmon.log");
    poolscan()
        .args(["capture", "-o"])
        .arg(&out)
        .args(["--count", "1"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("Windows only"));
    assert!(!out.exists(), "nothing written");
}

#[test]
fn capture_rejects_a_bad_interval() {
    poolscan()
        .args(["capture", "-o", "x.log", "--interval", "often"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--interval"));
}

#[test]
fn a_leak_on_a_capture_shorter_than_a_day_comes_with_a_caution() {
    // The demo log spans 17.9 h and holds two `leak`s.
    let caution = "Caution: this capture spans 17.9 h, less than a day";
    poolscan()
        .args(["analyze", DEMO, "-q"])
        .assert()
        .success()
        .stdout(predicate::str::contains(caution));
    poolscan()
        .args(["analyze", DEMO, "-q", "--format", "markdown"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("> {caution}")));
    // A log without timestamps: its span is unknown, so the caution stays
    // until --interval says it is two days (96 snapshots 30 minutes apart).
    let cfg = poolscan_synth::Config {
        seed: 3,
        snapshots: 96,
        series: 20,
        stamp: poolscan_synth::StampStyle::None,
        ..Default::default()
    };
    let (bytes, truth) = poolscan_synth::generate(&cfg);
    assert!(truth.series.iter().any(|s| s.leak));
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(&bytes).unwrap();
    let run =
        |extra: &[&str]| stdout_of(poolscan().args(["analyze", "-q"]).arg(f.path()).args(extra));
    let untimed = run(&[]);
    assert!(untimed.contains(" leak "), "{untimed}");
    assert!(
        untimed.contains("Caution: this log has no timestamps"),
        "{untimed}"
    );
    let two_days = run(&["--interval", "30m"]);
    assert!(two_days.contains(" leak "), "{two_days}");
    assert!(!two_days.contains("Caution"), "{two_days}");
}
