//! `poolscan fleet`, the partitioned dataset and the SQL aggregation, on a
//! generated fleet: the same tags on every host, leaks on some hosts only.

use std::path::{Path, PathBuf};

use crate::util::{json, poolscan, stdout_of};
use polars::prelude::*;
use poolscan_synth::{self as synth, Family, FleetShare, FLEET_PLAN};
use serde_json::Value;

const HOSTS: usize = 10;

/// Truth per slot of the plan: (tag, pool, family, hosts where it leaks).
type Slot = (String, &'static str, Family, usize);

/// Writes the fleet as `host01.log`… and returns the files and the truth per slot.
fn write_fleet(dir: &Path) -> (Vec<PathBuf>, Vec<Slot>) {
    let fleet = synth::fleet(5, HOSTS, 96);
    let mut files = Vec::new();
    for h in &fleet {
        let p = dir.join(format!("{}.log", h.name));
        std::fs::write(&p, &h.log).unwrap();
        files.push(p);
    }
    let truth = FLEET_PLAN
        .iter()
        .enumerate()
        .map(|(i, &(fam, share))| {
            let s = &fleet[0].series[i];
            // The same tag and pool on every host.
            for h in &fleet {
                assert_eq!((&h.series[i].tag, h.series[i].pool), (&s.tag, s.pool));
            }
            let leaking = if fam.is_leak() { share.hosts(HOSTS) } else { 0 };
            (s.tag.clone(), s.pool, fam, leaking)
        })
        .collect();
    (files, truth)
}

fn find<'a>(series: &'a [Value], tag: &str, pool: &str) -> &'a Value {
    series
        .iter()
        .find(|s| s["tag"] == tag && s["pool"] == pool)
        .unwrap_or_else(|| panic!("{tag} {pool} not in the fleet ranking"))
}

#[test]
fn fleet_ranks_shared_leaks_first_with_host_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (files, truth) = write_fleet(dir.path());
    // The generated fleet's leaks are small on some hosts (about 10 KiB over
    // 8 h): under the default 64 KiB a host calls them `suspect`. The host
    // counts of the plan are checked with the gate lowered.
    let out = poolscan()
        .arg("fleet")
        .args(&files)
        .args(["--format", "json", "--min-growth", "1KiB"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);
    assert_eq!(v["schema"], "poolscan.fleet/1");
    assert_eq!(v["hosts"].as_array().unwrap().len(), HOSTS);
    assert_eq!(v["hosts"][0]["name"], "host01");
    let series = v["series"].as_array().unwrap();

    // The leaks shared by several hosts are the top of the ranking, as fleet leaks.
    let shared: Vec<&Slot> = truth.iter().filter(|t| t.3 >= 2).collect();
    for (k, s) in series.iter().take(shared.len()).enumerate() {
        assert!(
            shared
                .iter()
                .any(|t| s["tag"] == t.0.as_str() && s["pool"] == t.1),
            "rank {} is {} {}, not a shared leak",
            k + 1,
            s["tag"],
            s["pool"]
        );
        assert_eq!(s["verdict"], "leak", "{s}");
    }
    // Host counts: every host has every tag; the steady leaks are found on
    // exactly the hosts that leak; the staircase (a few bursts, which a
    // host's random walk could also make) is a `leak` or a `suspect` on
    // exactly those hosts (and a fleet `leak`, above); the slow noisy leak
    // may be `suspect` on some.
    for (tag, pool, fam, leaking) in &truth {
        let s = find(series, tag, pool);
        assert_eq!(s["hosts_seen"], HOSTS, "{s}");
        match fam {
            Family::Steady | Family::Staircase => {
                let leak = s["hosts_leak"].as_u64().unwrap() as usize;
                let seen = leak + s["hosts_suspect"].as_u64().unwrap() as usize;
                if *fam == Family::Steady {
                    assert_eq!(leak, *leaking, "{fam:?}: {s}");
                } else {
                    assert_eq!(seen, *leaking, "{fam:?}: {s}");
                }
                let hosts = s["leak_hosts"].as_array().unwrap();
                assert_eq!(hosts.len(), leak);
                if *leaking == 1 {
                    // One host's leak is worth a look, not a fleet leak.
                    assert_eq!(s["verdict"], "suspect", "{s}");
                    assert_eq!(hosts[0], "host01");
                }
            }
            Family::SlowNoisy => {
                let support =
                    s["hosts_leak"].as_f64().unwrap() + 0.5 * s["hosts_suspect"].as_f64().unwrap();
                assert!(support >= 2.0, "{s}");
            }
            _ => assert_ne!(s["verdict"], "leak", "{fam:?} is not a leak: {s}"),
        }
    }
    assert_eq!(FleetShare::Most.hosts(HOSTS), 7);
}

#[test]
fn dataset_reads_back_and_the_sql_agrees_with_fleet() {
    let dir = tempfile::tempdir().unwrap();
    let (files, _) = write_fleet(dir.path());
    let data = dir.path().join("dataset");
    poolscan()
        .args([
            "export",
            "--partition-by",
            "host",
            "--format",
            "parquet",
            "-o",
        ])
        .arg(&data)
        .args(&files)
        .assert()
        .success();
    for t in ["samples", "snapshots", "analysis"] {
        for h in 1..=HOSTS {
            let p = data
                .join(t)
                .join(format!("host=host{h:02}"))
                .join("part-0.parquet");
            assert!(p.is_file(), "{}", p.display());
        }
    }
    // Rows per host in the dataset = rows read from that host's log (each
    // host's part read on its own; the `host` column is in the directory name).
    for (k, f) in files.iter().enumerate() {
        let log = poolscan::log::read(
            &poolscan::parse::input::expand(&[f.to_str().unwrap()]).unwrap(),
            &Default::default(),
        )
        .unwrap();
        let name = format!("host{:02}", k + 1);
        let part = data
            .join("samples")
            .join(format!("host={name}"))
            .join("part-0.parquet");
        let df = ParquetReader::new(std::fs::File::open(&part).unwrap())
            .finish()
            .unwrap();
        assert!(
            df.column("host").is_err(),
            "host is not repeated in the files"
        );
        assert_eq!(df.height(), log.rows.len(), "{name}");
    }
    #[cfg(feature = "sql")]
    sql_agrees_with_fleet(&files, &data);
}

/// The SQL of examples/fleet.sql over the dataset gives the same ranking as
/// `poolscan fleet` (a build with the `sql` feature).
#[cfg(feature = "sql")]
fn sql_agrees_with_fleet(files: &[PathBuf], data: &Path) {
    // The dataset read back with its Hive partitions: every host's rows.
    let samples = LazyFrame::scan_parquet(
        PlRefPath::new(format!("{}/samples/**/*.parquet", data.display()).as_str()),
        ScanArgsParquet {
            hive_options: HiveOptions::new_enabled(),
            glob: true,
            ..Default::default()
        },
    )
    .unwrap()
    .collect()
    .unwrap();
    assert_eq!(
        samples.column("host").unwrap().n_unique().unwrap(),
        files.len()
    );
    // The SQL of examples/fleet.sql gives the same ranking as `poolscan fleet`.
    let fleet = poolscan()
        .arg("fleet")
        .args(files)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(fleet.status.success());
    let fleet = json(&fleet.stdout);
    let sql = poolscan()
        .arg("sql")
        .arg(data)
        .arg("examples/fleet.sql")
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        sql.status.success(),
        "{}",
        String::from_utf8_lossy(&sql.stderr)
    );
    let sql = json(&sql.stdout);
    let a = fleet["series"].as_array().unwrap();
    let b = sql.as_array().unwrap();
    assert_eq!(a.len(), b.len());
    let close = |x: &Value, y: &Value| match (x.as_f64(), y.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
        _ => x.is_null() && y.is_null(),
    };
    for (x, y) in a.iter().zip(b) {
        for key in [
            "tag",
            "pool",
            "verdict",
            "hosts_seen",
            "hosts_leak",
            "hosts_suspect",
        ] {
            assert_eq!(x[key], y[key], "{key}: fleet {x} / sql {y}");
        }
        for key in ["score", "median_bytes_per_hour", "max_bytes_per_hour"] {
            assert!(close(&x[key], &y[key]), "{key}: fleet {x} / sql {y}");
        }
    }
}

#[test]
fn fleet_bundle_host_from_and_directories() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = synth::fleet(9, 3, 48);
    // One directory per host, the host name from a regular expression.
    let mut args = Vec::new();
    for h in &fleet {
        let d = dir.path().join(format!("run-{}", h.name));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("poolmon.log"), &h.log).unwrap();
        args.push(d.join("poolmon.log"));
    }
    let out_dir = dir.path().join("report");
    let out = poolscan()
        .arg("fleet")
        .args(&args)
        .args([
            "--host-from",
            r"run-([a-z0-9]+)",
            "--format",
            "csv",
            "--out",
        ])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("rank,tag,pool,verdict,score,hosts_seen,hosts_leak"));
    assert!(out_dir.join("fleet.md").is_file());
    let j = json(&std::fs::read(out_dir.join("fleet.json")).unwrap());
    let names: Vec<&str> = j["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["host01", "host02", "host03"]);
    let png = std::fs::read(out_dir.join("charts/fleet.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let md = std::fs::read_to_string(out_dir.join("fleet.md")).unwrap();
    // Every chart the report links to exists.
    for link in md.split("](").skip(1) {
        let file = &link[..link.find(')').unwrap()];
        assert!(out_dir.join(file).is_file(), "{file}");
    }
    assert!(md.contains("charts/host01/"), "{md}");

    // The directories as hosts, named after the directories.
    let dirs: Vec<PathBuf> = args
        .iter()
        .map(|p| p.parent().unwrap().to_path_buf())
        .collect();
    let out = poolscan()
        .arg("fleet")
        .args(&dirs)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(json(&out.stdout)["hosts"][2]["name"], "run-host03");

    // A regular expression that does not match names the input.
    poolscan()
        .arg("fleet")
        .args(&args)
        .args(["--host-from", "nomatch-(x)"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("does not match"));
}

#[test]
fn sql_on_a_directory_that_is_not_a_dataset_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    // Without the `sql` feature the command says how to get it, also exit 2.
    let expected = if cfg!(feature = "sql") {
        "not a poolscan dataset"
    } else {
        "--features sql"
    };
    poolscan()
        .arg("sql")
        .arg(dir.path())
        .arg("SELECT 1")
        .assert()
        .code(2)
        .stderr(predicates::str::contains(expected));
    // Standard input cannot be a host.
    poolscan()
        .args(["fleet", "-"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("standard input cannot be a host"));
}

#[test]
fn a_fleet_leak_from_captures_shorter_than_a_day_comes_with_a_caution() {
    // 96 snapshots five minutes apart: 7.9 h per host.
    let dir = tempfile::tempdir().unwrap();
    let (files, _) = write_fleet(dir.path());
    let run = |format: &str, files: &[PathBuf]| {
        stdout_of(
            poolscan()
                .arg("fleet")
                .args(files)
                .args(["--format", format]),
        )
    };
    // Some fleet `leak` in a table: its summary line does not start with 0.
    let leaks = |table: &str| {
        let summary = table
            .lines()
            .find(|l| l.contains(" leak, ") && l.contains(" hosts (top "))
            .unwrap_or_else(|| panic!("no summary:\n{table}"));
        summary.split(' ').next().unwrap().parse::<usize>().unwrap()
    };
    let table = run("table", &files);
    assert!(leaks(&table) > 0, "{table}");
    let line = table
        .lines()
        .find(|l| l.starts_with("Caution: a fleet `leak` rests on "))
        .unwrap_or_else(|| panic!("no caution:\n{table}"));
    assert!(line.contains("less than a day or ha"), "{line}");
    assert!(line.contains("host01"), "{line}");
    let md = run("markdown", &files);
    assert!(md.contains("\n> Caution: a fleet `leak` rests on "), "{md}");
    // JSON is the schema: no caution text in it.
    assert!(!run("json", &files).contains("Caution"));

    // The same fleet over 25 h per host: no caution.
    let long = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for h in &synth::fleet(5, HOSTS, 300) {
        let p = long.path().join(format!("{}.log", h.name));
        std::fs::write(&p, &h.log).unwrap();
        files.push(p);
    }
    let table = run("table", &files);
    assert!(leaks(&table) > 0, "{table}");
    assert!(!table.contains("Caution"), "{table}");
}
