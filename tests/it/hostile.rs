//! The bad-input matrix: every kind of broken file people pull off test
//! machines, each with its documented outcome (`fixtures/hostile/README.md`):
//! exit 2 with a message naming the file (and the line, where there is one),
//! or exit 0 with the skipped lines counted. Never exit 101, never a hang.
//!
//! Big and binary inputs are generated here, in temporary directories.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use crate::util::{self, utf16le};
use assert_cmd::Command;

const DEMO: &str = "fixtures/synth/poolmon-demo.log";
const NARROW: &str = "fixtures/samples/13-intel-mfd-snapshot-narrow-r.txt";
const HEADER: &str = " Tag  Type     Allocs         Frees    Diff   Bytes    Per Alloc";

fn poolscan() -> Command {
    let mut c = util::poolscan();
    c.env("RAYON_NUM_THREADS", "2")
        .timeout(Duration::from_secs(120));
    c
}

/// Runs `poolscan analyze FILE --format json` (plus `extra`).
fn analyze(file: &Path, extra: &[&str]) -> Output {
    poolscan()
        .arg("analyze")
        .arg(file)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the exit code (never 101: a panic) and returns stderr.
fn expect_code(out: &Output, code: i32) -> String {
    let err = stderr(out);
    assert_ne!(out.status.code(), Some(101), "panicked: {err}");
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    err
}

/// Exit 2 with a message that contains every one of `needles`.
fn expect_error(out: &Output, needles: &[&str]) {
    let err = expect_code(out, 2);
    assert!(err.starts_with("poolscan: error: "), "{err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}: {err}");
    }
}

/// Exit 0; the JSON report.
fn expect_report(out: &Output) -> serde_json::Value {
    expect_code(out, 0);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn input0(v: &serde_json::Value) -> &serde_json::Value {
    &v["inputs"][0]
}

fn warnings(v: &serde_json::Value) -> Vec<String> {
    input0(v)["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect()
}

/// Deterministic pseudo-random bytes (xorshift), so a failure reproduces.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A snapshot in the narrow `/n` layout with `rows` rows, counters at `k`.
fn snapshot(k: u64, rows: usize) -> String {
    let mut s = format!(
        " Memory:16468560K Avail:12072536K  PageFlts:{}   InRam Krnl:56708K P:950888K\r\n \
         Commit:4100436K Limit:17517136K Peak:11685564K            Pool N:710920K P:983564K\r\n\r\n\
         {HEADER}\r\n\r\n",
        1000 + k
    );
    for r in 0..rows {
        let allocs = 1000 + k * (r as u64 + 1);
        s.push_str(&format!(
            " T{r:03} Nonp {allocs:>10} {:>10} {:>8} {:>10} {:>8}\r\n",
            allocs - 10,
            10,
            640 + k,
            64
        ));
    }
    s.push_str("\r\n");
    s
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, bytes).unwrap();
    p
}

/// Whether this process can write where permissions say it cannot (root).
fn privileged(dir: &Path) -> bool {
    let ro = dir.join("probe-ro");
    fs::create_dir(&ro).unwrap();
    set_mode(&ro, 0o555);
    let can = fs::write(ro.join("x"), b"x").is_ok();
    set_mode(&ro, 0o755);
    fs::remove_dir_all(&ro).unwrap();
    can
}

#[cfg(unix)]
fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(not(unix))]
fn set_mode(p: &Path, mode: u32) {
    let mut perm = fs::metadata(p).unwrap().permissions();
    perm.set_readonly(mode & 0o200 == 0);
    fs::set_permissions(p, perm).unwrap();
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

// ---------------------------------------------------------------------------
// Inputs that hold no snapshot: exit 2, naming the file.

#[test]
fn empty_file() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "empty.log", b"");
    expect_error(
        &analyze(&p, &[]),
        &["empty.log: no PoolMon snapshot found (0 lines read)"],
    );
}

#[test]
fn only_blank_lines() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "blank.log", b"\r\n\n   \r\n\t\n\n");
    expect_error(
        &analyze(&p, &[]),
        &["blank.log: no PoolMon snapshot found (5 lines read)"],
    );
}

#[test]
fn random_binary() {
    let d = tempfile::tempdir().unwrap();
    let mut bytes = noise(1 << 20, 0x9e37_79b9_7f4a_7c15);
    bytes[0] = b'x'; // not a gzip or zstd magic
    let p = write(d.path(), "random.bin", &bytes);
    let t = Instant::now();
    let out = analyze(&p, &[]);
    expect_error(
        &out,
        &[
            "random.bin: no PoolMon snapshot found (",
            "lines read; line 1: not a PoolMon line)",
        ],
    );
    assert!(t.elapsed() < Duration::from_secs(30));
    // --strict stops at the first line instead.
    expect_error(
        &analyze(&p, &["--strict"]),
        &["random.bin:1: not a PoolMon line"],
    );
}

#[test]
fn nul_filled() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "zeros.log", &vec![0u8; 1 << 20]);
    expect_error(
        &analyze(&p, &[]),
        &["zeros.log: no PoolMon snapshot found (0 lines read; all 1048576 bytes are NUL"],
    );
}

#[test]
fn stdin_binary() {
    let out = poolscan()
        .args(["analyze", "-"])
        .write_stdin(noise(100_000, 7))
        .output()
        .unwrap();
    expect_error(&out, &["-: no PoolMon snapshot found ("]);
}

// ---------------------------------------------------------------------------
// Size and time: a 30 MB line, many snapshots, bounded memory.

/// Runs the binary under `ulimit -v` (KiB of address space), where `sh` exists.
#[cfg(unix)]
fn analyze_limited(file: &Path, kib: u64) -> Output {
    let bin = assert_cmd::cargo::cargo_bin("poolscan");
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {kib} && exec \"$0\" analyze \"$1\" --format json"
        ))
        .arg(bin)
        .arg(file)
        .env("RAYON_NUM_THREADS", "2")
        .env("MALLOC_ARENA_MAX", "2")
        .output()
        .unwrap()
}

#[test]
fn line_of_30_mb_without_newline() {
    let d = tempfile::tempdir().unwrap();
    let mut bytes = vec![b'x'; 30 << 20];
    bytes[1000] = b' ';
    let alone = write(d.path(), "long.log", &bytes);
    let t = Instant::now();
    expect_error(
        &analyze(&alone, &[]),
        &["long.log: no PoolMon snapshot found (1 lines read; line 1: last line cut off"],
    );
    // After a real snapshot: the snapshot is read, the long line skipped and counted.
    let mut log = fs::read(NARROW).unwrap();
    let lines = log.iter().filter(|&&b| b == b'\n').count();
    log.extend_from_slice(&bytes);
    let after = write(d.path(), "after.log", &log);
    let v = expect_report(&analyze(&after, &[]));
    assert_eq!(input0(&v)["snapshots"], 1);
    assert_eq!(input0(&v)["skipped_lines"], 1);
    let line = lines + 1;
    assert!(
        warnings(&v).contains(&format!(
            "line {line}: last line cut off (log still being written?)"
        )),
        "{:?}",
        warnings(&v)
    );
    assert!(t.elapsed() < Duration::from_secs(60), "{:?}", t.elapsed());
    // Memory stays a small multiple of the input: 512 MiB of address space is enough
    // for 30 MiB (the measured peak is about 45 MiB resident).
    #[cfg(unix)]
    {
        let out = analyze_limited(&after, 512 * 1024);
        expect_code(&out, 0);
    }
}

#[test]
fn many_snapshots_with_missing_stamps_stay_linear() {
    // 40 000 snapshots, every other one without a timestamp line: the times of
    // those are interpolated. This was quadratic (minutes); now it is linear.
    let d = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..20_000u32 {
        let (h, m, s) = (i / 3600, (i / 60) % 60, i % 60);
        text.push_str(&format!(
            "2026-11-{:02}T{:02}:{m:02}:{s:02}\n{HEADER}\n T001 Nonp {i} 0 {i} 64 64\n{HEADER}\n T001 Nonp {i} 0 {i} 64 64\n",
            20 + h / 24,
            h % 24
        ));
    }
    let p = write(d.path(), "gaps.log", text.as_bytes());
    let t = Instant::now();
    let out = poolscan()
        .arg("export")
        .arg(&p)
        .args(["--table", "snapshots", "-o", "-"])
        .output()
        .unwrap();
    let err = expect_code(&out, 0);
    assert!(err.contains("40000 snapshots"), "{err}");
    assert!(err.contains("20000 snapshots have no timestamp line: their times are interpolated"));
    assert!(t.elapsed() < Duration::from_secs(30), "{:?}", t.elapsed());
}

// ---------------------------------------------------------------------------
// Lines that cannot be read: skipped, counted, named; `--strict` fails on them.

#[test]
fn numbers_beyond_u64() {
    let d = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEADER}\n T001 Nonp 99999999999999999999999 1 1 64 64\n T002 Nonp 5 1 4 18446744073709551616 64\n T003 Nonp 18446744073709551615 1 1 64 64\n"
    );
    let p = write(d.path(), "big.log", text.as_bytes());
    let v = expect_report(&analyze(&p, &[]));
    assert_eq!(input0(&v)["skipped_lines"], 2);
    assert_eq!(
        warnings(&v),
        [
            "line 2: row: Allocs beyond 64 bits",
            "line 3: row: Bytes beyond 64 bits"
        ]
    );
    // u64::MAX itself is a number.
    assert_eq!(v["series"].as_array().unwrap().len(), 1);
    expect_error(
        &analyze(&p, &["--strict"]),
        &["big.log:2: row: Allocs beyond 64 bits"],
    );
}

#[test]
fn header_without_rows() {
    // What PoolMon prints for an empty session: one snapshot with no rows.
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "header.log",
        format!("{HEADER}\r\n\r\n").as_bytes(),
    );
    let out = analyze(&p, &[]);
    let v = expect_report(&out);
    assert_eq!(input0(&v)["snapshots"], 1);
    assert_eq!(input0(&v)["skipped_lines"], 0);
    assert!(warnings(&v).is_empty());
    assert!(v["series"].as_array().unwrap().is_empty());
    assert!(stderr(&out).contains("header.log: 1 snapshots, 0 rows, 2 lines, 0 skipped"));
}

#[test]
fn rows_without_header() {
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "rows.log",
        b" T001 Nonp 10 5 5 320 64\n T002 Paged 10 5 5 320 64\n",
    );
    let v = expect_report(&analyze(&p, &[]));
    assert_eq!(input0(&v)["snapshots"], 1);
    assert_eq!(input0(&v)["skipped_lines"], 0);
    assert_eq!(
        warnings(&v),
        ["line 1: rows without a column header: read as a snapshot"]
    );
    assert_eq!(v["series"].as_array().unwrap().len(), 2);
}

#[test]
fn snapshot_cut_mid_line() {
    let d = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(DEMO).unwrap();
    // Keep the last snapshot's first three rows and half of the fourth.
    let last = text.rfind("Mapped_Driver").unwrap();
    let mut end = last;
    for _ in 0..5 {
        end += text[end..].find('\n').unwrap() + 1;
    }
    let cut = end + 20;
    let line = text[..cut].matches('\n').count() + 1;
    let p = write(d.path(), "cut.log", &text.as_bytes()[..cut]);
    let v = expect_report(&analyze(&p, &[]));
    assert_eq!(input0(&v)["snapshots"], 96);
    assert_eq!(input0(&v)["skipped_lines"], 1);
    let w = warnings(&v);
    assert!(
        w.contains(&format!(
            "line {line}: last line cut off (log still being written?)"
        )),
        "{w:?}"
    );
    assert!(
        w.iter()
            .any(|w| w.contains("last snapshot has 3 rows, the one before")),
        "{w:?}"
    );
    expect_error(
        &analyze(&p, &["--strict"]),
        &[&format!("cut.log:{line}: last line cut off")],
    );
}

#[test]
fn utf16_file_of_odd_length() {
    let d = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(NARROW).unwrap();
    let plain = expect_report(&analyze(Path::new(NARROW), &[]));
    let mut bytes = utf16le(&text, true);
    bytes.pop(); // the high byte of the final line end: odd length
    assert_eq!(bytes.len() % 2, 1);
    let p = write(d.path(), "odd16.log", &bytes);
    let v = expect_report(&analyze(&p, &[]));
    assert_eq!(input0(&v)["snapshots"], 1);
    assert_eq!(input0(&v)["skipped_lines"], 0);
    assert_eq!(input0(&v)["lines"], input0(&plain)["lines"]);
    assert_eq!(v["series"], plain["series"]);
}

#[test]
fn corrupt_and_truncated_compression() {
    let d = tempfile::tempdir().unwrap();
    let bad = write(
        d.path(),
        "bad.log.gz",
        &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef],
    );
    expect_error(&analyze(&bad, &[]), &["bad.log.gz: gzip stream is corrupt"]);
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&fs::read(DEMO).unwrap()).unwrap();
    let gz = enc.finish().unwrap();
    let cut = write(d.path(), "cut.log.gz", &gz[..gz.len() / 2]);
    expect_error(&analyze(&cut, &[]), &["cut.log.gz: gzip stream is corrupt"]);
    let zst = write(
        d.path(),
        "bad.log.zst",
        b"\x28\xb5\x2f\xfd\x00\x00\x01\x02\x03garbage",
    );
    expect_error(
        &analyze(&zst, &[]),
        &["bad.log.zst: zstd stream is corrupt"],
    );
}

// ---------------------------------------------------------------------------
// Paths that are not readable files.

#[test]
fn directory_given_as_a_file() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("poolmon.log");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("notes.md"), "not a log").unwrap();
    expect_error(
        &analyze(&dir, &[]),
        &["poolmon.log: directory has no *.log or *.txt files"],
    );
    let out = poolscan()
        .args(["tags", "Ntfx", "--pooltag"])
        .arg(&dir)
        .output()
        .unwrap();
    expect_error(&out, &["reading pooltag file", "poolmon.log"]);
}

#[test]
fn missing_or_unreadable_file() {
    // The system's own text for the error ("No such file or directory" on Unix, "The
    // system cannot find the path specified." on Windows), without Rust's "(os error N)".
    let why = |p: &Path| {
        let e = fs::File::open(p).unwrap_err().to_string();
        e.split(" (os error").next().unwrap().to_string()
    };
    let d = tempfile::tempdir().unwrap();
    let missing = d.path().join("no").join("such").join("poolmon.log");
    let name = Path::new("no").join("such").join("poolmon.log");
    expect_error(
        &analyze(&missing, &[]),
        &[&format!("{}: {}", name.display(), why(&missing))],
    );
    // A path through a regular file.
    let f = write(d.path(), "file.log", b"x");
    let through = f.join("poolmon.log");
    expect_error(
        &analyze(&through, &[]),
        &[&format!(
            "{}: {}",
            Path::new("file.log").join("poolmon.log").display(),
            why(&through)
        )],
    );
    // Unreadable by permission: only when permissions hold (not as root).
    if !privileged(d.path()) {
        let p = write(d.path(), "secret.log", fs::read(NARROW).unwrap().as_slice());
        set_mode(&p, 0o000);
        expect_error(&analyze(&p, &[]), &["secret.log: Permission denied"]);
        set_mode(&p, 0o644);
    }
    // A file that opens but cannot be read (an I/O error on read).
    if cfg!(unix) && Path::new("/proc/self/mem").exists() {
        expect_error(
            &analyze(Path::new("/proc/self/mem"), &[]),
            &["/proc/self/mem: Input/output error"],
        );
    }
    // A device never ends: refused rather than read forever.
    if cfg!(unix) && Path::new("/dev/zero").exists() {
        expect_error(
            &analyze(Path::new("/dev/zero"), &[]),
            &["/dev/zero: is a device, not a file"],
        );
    }
}

// ---------------------------------------------------------------------------
// A log still being written.

#[test]
fn file_that_grows_while_read() {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::sync::Arc;
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("growing.log");
    let first = 6000u64;
    {
        let mut f = fs::File::create(&p).unwrap();
        for k in 0..first {
            f.write_all(snapshot(k, 13).as_bytes()).unwrap();
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(first));
    let writer = {
        let (stop, written, p) = (stop.clone(), written.clone(), p.clone());
        std::thread::spawn(move || {
            let mut f = fs::OpenOptions::new().append(true).open(&p).unwrap();
            let start = Instant::now();
            let mut k = first;
            // Halves of snapshots, so a reader may meet a line cut mid-write.
            while !stop.load(Ordering::Relaxed) && start.elapsed() < Duration::from_secs(60) {
                let s = snapshot(k, 13);
                let (a, b) = s.split_at(s.len() / 2 + 3);
                f.write_all(a.as_bytes()).unwrap();
                f.flush().unwrap();
                std::thread::sleep(Duration::from_millis(1));
                f.write_all(b.as_bytes()).unwrap();
                f.flush().unwrap();
                k += 1;
                written.store(k, Ordering::Relaxed);
            }
        })
    };
    std::thread::sleep(Duration::from_millis(50));
    let before = written.load(Ordering::Relaxed);
    let out = analyze(&p, &["-q"]);
    let after = written.load(Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    let v = expect_report(&out);
    let n = input0(&v)["snapshots"].as_u64().unwrap();
    assert!(
        n >= before && n <= after + 1,
        "{n} snapshots, {before}..{after} written"
    );
    assert!(input0(&v)["skipped_lines"].as_u64().unwrap() <= 1);
    assert_eq!(v["series"].as_array().unwrap().len(), 13);
}

// ---------------------------------------------------------------------------
// Everything at once.

#[test]
fn mix_of_forms() {
    let mut b: Vec<u8> = b"\xef\xbb\xbf".to_vec(); // UTF-8 BOM
    b.extend_from_slice(b"C:\\tools> poolmon -b -r -n poolmon.log\r\n");
    b.extend_from_slice(b"Wed 11/25/2026 23:18:56.12\r\n");
    b.extend_from_slice(snapshot(1, 3).as_bytes());
    // A PowerShell `>>` timestamp in UTF-16LE with a BOM.
    b.extend(utf16le(
        "Wednesday, November 25, 2026 11:28:56 PM\r\n",
        true,
    ));
    // A wide /g snapshot with drivers and LF line ends, with stray NUL and Ctrl-Z bytes.
    b.extend_from_slice(
        format!(
            "{HEADER}    Mapped_Driver\n\n T000 Nonp 2000 1990 10 650 64 [ntfs.sys - NTFS]\0\n T001 Nonp 3000 2990 10 650 64 Unknown Driver\x1a\n"
        )
        .as_bytes(),
    );
    // Junk a chat tool added, a bad row, a prompt, a PoolMon message.
    b.extend_from_slice("hello from the chat \u{1F600}\n".as_bytes());
    b.extend_from_slice(b" T002 Nonp 12 oops 1 64 64\n");
    b.extend_from_slice(b"PoolMon: No localtag.txt in current directory\n");
    // ISO stamp with offset, then a snapshot with old Mac (CR-only) line ends.
    b.extend_from_slice(b"===== 2026-11-25T23:38:56+01:00 =====\r");
    b.extend_from_slice(snapshot(3, 3).replace("\r\n", "\r").as_bytes());
    // A pasted interactive screen with ( delta ) columns, its stamp in UTF-16 without a BOM.
    b.extend(utf16le("2026-11-25 23:48:56\r\n", false));
    b.extend_from_slice(
        format!("{HEADER}\n T000 Nonp 4000 ( 10) 3990 ( 9) 10 650 ( 0) 64\n T001 Nonp 5000 (0) 4990 (0) 10 650 (0) 64\n")
            .as_bytes(),
    );
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "mixed.log", &b);
    let out = analyze(&p, &[]);
    let v = expect_report(&out);
    assert_eq!(input0(&v)["snapshots"], 4, "{:?}", warnings(&v));
    assert_eq!(input0(&v)["skipped_lines"], 2, "{:?}", warnings(&v));
    let w = warnings(&v);
    assert!(
        w.iter().any(|w| w.ends_with(": not a PoolMon line")),
        "{w:?}"
    );
    assert!(
        w.iter()
            .any(|w| w.ends_with(": row: Frees is not a number")),
        "{w:?}"
    );
    assert_eq!(v["time_source"], "stamps");
    assert_eq!(v["series"].as_array().unwrap().len(), 3);
    assert!(stderr(&out).contains(
        "skipped lines by reason: 1 x not a PoolMon line; 1 x row: Frees is not a number"
    ));
}

// ---------------------------------------------------------------------------
// Options that overflow the time axis.

#[test]
fn absurd_interval_is_an_error_not_a_panic() {
    // One snapshot needs no step: fine.
    expect_code(
        &analyze(Path::new(NARROW), &["--interval", "100000000d"]),
        0,
    );
    let two = "fixtures/samples/06-msdocs-example4-drsd-two-displays.txt";
    expect_error(
        &analyze(Path::new(two), &["--interval", "100000000d"]),
        &["--interval: snapshot 2 of 2 would be past the latest date"],
    );
    expect_error(
        &analyze(
            Path::new(two),
            &["--interval", "1e15", "--start", "2026-11-25"],
        ),
        &["--interval: snapshot 2 of 2"],
    );
}

// ---------------------------------------------------------------------------
// Output safety.

#[test]
fn read_only_target() {
    let d = tempfile::tempdir().unwrap();
    let before = listing(d.path());
    // Where permissions hold, a read-only directory; as root (where they do not),
    // a path under a regular file and a path in /proc, which nobody can create.
    let mut targets: Vec<PathBuf> = Vec::new();
    let ro = d.path().join("ro");
    let privileged = privileged(d.path());
    if !privileged {
        fs::create_dir(&ro).unwrap();
        set_mode(&ro, 0o555);
        targets.push(ro.join("out"));
    }
    let file = write(d.path(), "plain.txt", b"x");
    targets.push(file.join("out"));
    if Path::new("/proc/self").exists() {
        targets.push(PathBuf::from("/proc/poolscan-hostile-test"));
    }
    for t in &targets {
        let out = poolscan()
            .args(["analyze", NARROW, "-q", "--out"])
            .arg(t)
            .output()
            .unwrap();
        expect_error(&out, &["writing the bundle to", &t.display().to_string()]);
        let csv = t.with_extension("csv");
        let out = poolscan()
            .args(["export", NARROW, "-q", "-o"])
            .arg(&csv)
            .output()
            .unwrap();
        expect_error(&out, &[&format!("writing {}", csv.display())]);
    }
    if !privileged {
        assert!(
            listing(&ro).is_empty(),
            "nothing written in {}",
            ro.display()
        );
        set_mode(&ro, 0o755);
        fs::remove_dir(&ro).unwrap();
    }
    fs::remove_file(&file).unwrap();
    assert_eq!(listing(d.path()), before, "nothing half-written");
}

#[cfg(unix)]
fn limited_file_size(args: &[&str], kib: u32) -> Output {
    // `ulimit -f` makes writes past the limit fail with EFBIG (SIGXFSZ ignored):
    // a disk that fills up in the middle of the output.
    let bin = assert_cmd::cargo::cargo_bin("poolscan");
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {kib} && exec \"$0\" \"$@\""
        ))
        .arg(bin)
        .args(args)
        .output()
        .unwrap()
}

#[cfg(unix)]
#[test]
fn full_target() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().to_str().unwrap();
    // A disk that fills up while the export is written: nothing is left behind.
    let csv = format!("{dir}/samples.csv");
    let out = limited_file_size(&["export", DEMO, "-q", "-o", &csv], 8);
    expect_error(&out, &[&format!("writing {csv}"), "File too large"]);
    // The same for the bundle: no report directory, no temporary one.
    let bundle = format!("{dir}/report");
    let out = limited_file_size(&["analyze", DEMO, "-q", "--out", &bundle], 8);
    expect_error(&out, &[&format!("writing the bundle to {bundle}")]);
    assert!(listing(d.path()).is_empty(), "{:?}", listing(d.path()));
    // A replaced bundle: the old one stays whole when the new one fails.
    poolscan()
        .args(["analyze", NARROW, "-q", "--out", &bundle])
        .assert()
        .success();
    let old = fs::read(format!("{bundle}/report.json")).unwrap();
    let out = limited_file_size(&["analyze", DEMO, "-q", "--force", "--out", &bundle], 8);
    expect_code(&out, 2);
    assert_eq!(fs::read(format!("{bundle}/report.json")).unwrap(), old);
    assert_eq!(listing(d.path()), ["report"]);
    // A device that is full: written in place (never renamed over), a clear error.
    if Path::new("/dev/full").exists() {
        let out = poolscan()
            .args(["export", NARROW, "-q", "--format", "csv", "-o", "/dev/full"])
            .output()
            .unwrap();
        expect_error(&out, &["/dev/full: No space left on device"]);
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("poolscan"))
            .args(["analyze", NARROW, "-q"])
            .stdout(fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        expect_error(&out, &["writing the report", "No space left on device"]);
        assert!(
            !listing(Path::new("/dev"))
                .iter()
                .any(|f| f.starts_with(".full.")),
            "no temporary file beside /dev/full"
        );
    }
}

#[test]
fn inputs_are_never_written_to() {
    let d = tempfile::tempdir().unwrap();
    let logs = d.path().join("logs");
    fs::create_dir(&logs).unwrap();
    let input = logs.join("poolmon.log");
    fs::copy(NARROW, &input).unwrap();
    let bytes = fs::read(&input).unwrap();
    let mtime = fs::metadata(&input).unwrap().modified().unwrap();
    // Output over an input, or a bundle directory that holds one: refused.
    let out = poolscan()
        .args(["export", "--format", "csv", "-q"])
        .arg(&input)
        .arg("-o")
        .arg(&input)
        .output()
        .unwrap();
    expect_error(&out, &["would overwrite the input", "poolmon.log"]);
    let out = poolscan()
        .args(["export", "--format", "csv", "-q"])
        .arg(&logs)
        .arg("-o")
        .arg(&input)
        .output()
        .unwrap();
    expect_error(&out, &["would overwrite the input"]);
    let out = poolscan()
        .args(["analyze", "-q", "--force"])
        .arg(&logs)
        .arg("--out")
        .arg(&logs)
        .output()
        .unwrap();
    expect_error(&out, &["would overwrite the input"]);
    // Normal runs read and leave the input as it was.
    poolscan()
        .args(["analyze", "-q", "--out"])
        .arg(d.path().join("report"))
        .arg(&input)
        .assert()
        .success();
    poolscan()
        .args(["export", "-q", "-o"])
        .arg(d.path().join("samples.csv"))
        .arg(&input)
        .assert()
        .success();
    assert_eq!(fs::read(&input).unwrap(), bytes);
    assert_eq!(fs::metadata(&input).unwrap().modified().unwrap(), mtime);
    assert_eq!(listing(&logs), ["poolmon.log"]);
}

// ---------------------------------------------------------------------------
// Inputs the fuzzers found: each must still read without a panic.

#[test]
fn fuzz_regressions() {
    let dir = Path::new("fixtures/hostile/crashes");
    let mut n = 0;
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            continue;
        }
        let bytes = fs::read(&p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("parse-") {
            // Decoding in small blocks gives what decoding in one go gives.
            let whole = poolscan::parse::decode::decode_all(&bytes).into_owned();
            for block in [1, 2, 3, 5, 7] {
                let mut d = poolscan::parse::decode::Decoder::new();
                let mut streamed = Vec::new();
                let pieces: Vec<&[u8]> = bytes.chunks(block).collect();
                for (k, piece) in pieces.iter().enumerate() {
                    streamed.extend_from_slice(&d.decode(piece, k + 1 == pieces.len()));
                }
                assert_eq!(streamed, whole, "{name}: blocks of {block}");
            }
            let _ = poolscan::parse::parse_chunk(&bytes, true);
            let _ = poolscan::parse::parse_chunk(&bytes, false);
            let opts = poolscan::log::ReadOptions::default();
            let _ = poolscan::log::Log::from_bytes(&name, &bytes, &opts);
            let out = analyze(&p, &[]);
            assert!(
                matches!(out.status.code(), Some(0 | 2)),
                "{name}: {}",
                stderr(&out)
            );
        } else if name.starts_with("stamp-") {
            let text = String::from_utf8_lossy(&bytes);
            let stamps: Vec<_> = text
                .split(['\n', '\r'])
                .filter_map(poolscan::parse::stamp::parse_stamp)
                .collect();
            let _ = poolscan::parse::stamp::resolve(&stamps);
        } else if name.starts_with("pooltag-") {
            let mut db = poolscan::parse::pooltag::TagDb::new();
            let _ = db.add_text(&name, &bytes);
            let _ = db.lookup(&String::from_utf8_lossy(&bytes));
        } else {
            panic!("{name}: name it parse-, stamp- or pooltag- after its fuzz target");
        }
        n += 1;
    }
    assert!(
        n >= 1,
        "the fuzzers' findings are kept in {}",
        dir.display()
    );
}
