//! Synthetic PoolMon logs with ground truth: a labelled benchmark generator.
//!
//! [`generate`] and [`write_log`] produce a PoolMon log (a series of appended `/n` snapshots, or pasted
//! interactive screens) for a configurable set of `(tag, pool)` series, each drawn from one
//! [`Family`]: six leak shapes and ten non-leak shapes (see `detection-research.md` §8.2). The
//! returned [`Truth`] labels every series, and gives the time written in each stamp line and the
//! boot epoch of each snapshot.
//!
//! # Model
//!
//! Per series and per interval the generator simulates the outstanding objects
//! `Diff = baseline + shape(t) + noise + leaked(t)` (rounded, never negative), and the
//! allocations made in the interval (workload `λ·Δt`, plus bursts for the staircase leak). The
//! counters stay consistent: `Allocs += work + max(ΔDiff, 0)` and `Frees += work + max(−ΔDiff, 0)`,
//! so both are monotone within a boot epoch and `Frees = Allocs − Diff` always holds.
//! `Bytes = Diff × size` (some series draw object sizes from a narrow distribution, so `Bytes` is
//! then not an exact multiple of `Diff`), and `Per Alloc = Bytes / Diff` with integer division
//! (`Bytes` when `Diff = 0`), as PoolMon computes it.
//!
//! Reboots restart all cumulative counters (the first snapshot of an epoch shows the allocations
//! made since boot), put leaks back at their baseline and make caches re-warm; time keeps running.
//!
//! # Layout
//!
//! The text follows `poolmon-format.md`: §5 snapshots in the narrow (`%9ld …`) or wide
//! (`%18I64d …`) width family with 8 trailing spaces plus the optional `Mapped_Driver` text, §6
//! summary lines (`/r`), §4 interactive screens with `( delta )` columns and a title line, and the
//! §10 wrapper stamp lines (cmd `%date% %time%`, `=====` markers, Clue, PowerShell `Get-Date`,
//! ISO) in ASCII, UTF-16LE, mixed UTF-16LE/ASCII or UTF-8-with-BOM files and CRLF, LF or CR line
//! endings.
//!
//! # Example
//!
//! ```
//! use poolscan::synth::{generate, truth_tsv, Config, Family, Form};
//!
//! let cfg = Config {
//!     seed: 7,
//!     snapshots: 24,
//!     families: Some(vec![Family::Steady, Family::CachePlateau]),
//!     series: 10,
//!     form: Form::Wide,
//!     ..Config::default()
//! };
//! let (log, truth) = generate(&cfg);
//! assert!(log.starts_with(b"Wed 11/25/2026  8:00:00.00\r\n"));
//! assert_eq!(truth.series[0].family, Family::Steady);
//! assert!(truth_tsv(&truth).starts_with("tag\tpool\tfamily\tleak\n"));
//! ```
//!
//! The output is a pure function of the [`Config`]: the same configuration gives byte-identical
//! logs on a given platform (the generator uses its own xoshiro256** generator seeded through
//! SplitMix64, and the Box–Muller normal; results could differ across platforms only if their
//! `ln`/`exp`/`sin` differ in the last bit). Every series draws from its own stream, so its
//! values depend only on the seed, its index, its family and the timeline, not on the other series.

use std::io::{self, BufWriter, Write};

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta, Timelike};

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/// Which PoolMon text layout is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Form {
    /// `/n` snapshots with the narrow ("32-bit") widths `%9ld %9ld  %8ld %7ld     %6ld`.
    #[default]
    Narrow,
    /// `/n` snapshots with the wide ("64-bit") widths `%18I64d %18I64d  %16I64d %14I64d     %12I64d`.
    Wide,
    /// Pasted interactive screens (32-bit row widths) with `( delta )` columns and a
    /// ` System pool information` title line.
    Interactive,
}

/// The wrapper timestamp line written before each snapshot (format notes §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StampStyle {
    /// No stamp lines.
    None,
    /// cmd `%date% %time%` in en-US: `Wed 11/25/2026 23:18:56.12` (hour space-padded, as cmd does).
    #[default]
    UsCmd,
    /// `echo ===== %date% %time% =====` in en-GB: `===== 25/11/2026 23:18:56.12 =====`.
    DayFirstMarker,
    /// Microsoft Clue: `2026.11.25-23:18:56 W. Europe Standard Time (local time of the PC where this was collected)`.
    Clue,
    /// PowerShell `Get-Date` default output: blank line, `Wednesday, November 25, 2026 11:18:56 PM`, blank line.
    PowerShell,
    /// ISO 8601 without zone: `2026-11-25T23:18:56`.
    Iso,
}

/// Character encoding of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Encoding {
    /// Plain ASCII, what poolmon writes.
    #[default]
    Ascii,
    /// The whole file UTF-16LE with a BOM.
    Utf16Le,
    /// Stamp lines UTF-16LE, each block with its own BOM (`Get-Date >> log` in Windows PowerShell
    /// 5.1), snapshots ASCII (`poolmon -n log`). Without stamp lines this is plain ASCII.
    MixedUtf16,
    /// UTF-8 with a BOM at the start of the file (the content itself is ASCII).
    Utf8Bom,
}

/// Line terminator written after every line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LineEnding {
    /// `\r\n`, what poolmon's text-mode `fopen` writes.
    #[default]
    Crlf,
    /// `\n`.
    Lf,
    /// `\r` alone.
    Cr,
}

impl LineEnding {
    fn bytes(self) -> &'static [u8] {
        match self {
            LineEnding::Crlf => b"\r\n",
            LineEnding::Lf => b"\n",
            LineEnding::Cr => b"\r",
        }
    }
}

/// The shape of one `(tag, pool)` series: six leak families and ten non-leak families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// Leak: linear growth, signal-to-noise (growth over the longest epoch / noise sd) 4–32.
    Steady,
    /// Leak: slow linear growth under heavy i.i.d. noise, SNR 2–4.
    SlowNoisy,
    /// Leak: 3–10 per-operation bursts per epoch, spread over the epoch (one per equal stratum), each
    /// with a burst of allocations; Diff stays up after each step (steps ≥ 7× the noise sd).
    Staircase,
    /// Leak: flat for 30–70 % of the log, then linear (SNR 6–32).
    LateStart,
    /// Leak: sawtooth churn whose floor rises.
    LeakOnSawtooth,
    /// Leak: growth of 3–15 % of a big baseline (×50), at least 5× the noise sd.
    SmallOnBig,
    /// Not a leak: flat with small noise (some series are static: no workload, no noise).
    Flat,
    /// Not a leak: big baseline (×50) with 5 % noise.
    BigNoisy,
    /// Not a leak: a cache that warms to a plateau within 3–20 % of each epoch, then stays flat.
    CachePlateau,
    /// Not a leak: sawtooth with a flat floor (period 3–30 snapshots); the log may end on a peak.
    Sawtooth,
    /// Not a leak: one step up at a random time (20–80 % of the log), then flat.
    OneStep,
    /// Not a leak: a step up that goes back down later.
    TempStep,
    /// Not a leak: the tag is absent from the first 20–60 % of the snapshots, then flat.
    AppearsMidway,
    /// Not a leak: sine with at least two full periods in every epoch of ≥ 6 snapshots.
    Periodic,
    /// Not a leak: AR(1) around a mean, φ 0.9–0.98, reflected at ±3 sd.
    RandomWalk,
    /// Not a leak: declines (exponentially) towards its baseline in every epoch.
    Draining,
}

impl Family {
    /// The leak families (label 1).
    pub const LEAKS: [Family; 6] = [
        Family::Steady,
        Family::SlowNoisy,
        Family::Staircase,
        Family::LateStart,
        Family::LeakOnSawtooth,
        Family::SmallOnBig,
    ];
    /// The non-leak families (label 0).
    pub const NON_LEAKS: [Family; 10] = [
        Family::Flat,
        Family::BigNoisy,
        Family::CachePlateau,
        Family::Sawtooth,
        Family::OneStep,
        Family::TempStep,
        Family::AppearsMidway,
        Family::Periodic,
        Family::RandomWalk,
        Family::Draining,
    ];

    /// Whether series of this family are leaks.
    pub fn is_leak(self) -> bool {
        Family::LEAKS.contains(&self)
    }

    /// The snake_case name (`steady`, `slow_noisy`, …, `draining`).
    pub fn name(self) -> &'static str {
        match self {
            Family::Steady => "steady",
            Family::SlowNoisy => "slow_noisy",
            Family::Staircase => "staircase",
            Family::LateStart => "late_start",
            Family::LeakOnSawtooth => "leak_on_sawtooth",
            Family::SmallOnBig => "small_on_big",
            Family::Flat => "flat",
            Family::BigNoisy => "big_noisy",
            Family::CachePlateau => "cache_plateau",
            Family::Sawtooth => "sawtooth",
            Family::OneStep => "one_step",
            Family::TempStep => "temp_step",
            Family::AppearsMidway => "appears_midway",
            Family::Periodic => "periodic",
            Family::RandomWalk => "random_walk",
            Family::Draining => "draining",
        }
    }

    /// Parses a name as returned by [`Family::name`] (case-insensitive, `-` accepted for `_`).
    pub fn from_name(name: &str) -> Option<Family> {
        let norm = name.trim().to_ascii_lowercase().replace('-', "_");
        Family::LEAKS
            .iter()
            .chain(Family::NON_LEAKS.iter())
            .copied()
            .find(|f| f.name() == norm)
    }
}

/// Generator settings. Start from [`Config::default`] and override fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Seed of every random choice; same config ⇒ byte-identical output.
    pub seed: u64,
    /// Number of snapshots (or interactive screens) written.
    pub snapshots: usize,
    /// Number of `(tag, pool)` series (background and families).
    pub series: usize,
    /// Share of the series drawn from the leak families (the rest from the non-leak families,
    /// spread evenly over the families); ignored when `families` is `Some`.
    pub leak_share: f64,
    /// When `Some`: exactly one series per entry, in this order, then `series − len` background
    /// series (`Flat` or `BigNoisy`); when `series < len`, `len` series are written.
    pub families: Option<Vec<Family>>,
    /// Nominal seconds between snapshots.
    pub interval_secs: u32,
    /// Interval jitter, ± this share of the interval (clamped to 0..0.95).
    pub jitter: f64,
    /// Probability that an interval is 3–10× longer (a gap).
    pub gap_prob: f64,
    /// Number of reboots, placed at random snapshots (at most `snapshots − 1`).
    pub reboots: usize,
    /// Text layout.
    pub form: Form,
    /// `/g`: add the `Mapped_Driver` column (`[name.sys - desc]` or `Unknown Driver`).
    pub driver: bool,
    /// `/r`: write the `Memory:` / `Commit:` summary lines.
    pub summary: bool,
    /// Stamp line style written before each snapshot.
    pub stamp: StampStyle,
    /// File encoding.
    pub encoding: Encoding,
    /// Line terminator.
    pub line_ending: LineEnding,
    /// Time of the first snapshot.
    pub start: NaiveDateTime,
    /// When `Some`: tag names and pools are drawn from this seed instead of `seed`, so logs
    /// with different seeds share their tags (a fleet of hosts running the same drivers).
    pub tag_seed: Option<u64>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 1,
            snapshots: 48,
            series: 60,
            leak_share: 0.1,
            families: None,
            interval_secs: 600,
            jitter: 0.2,
            gap_prob: 0.02,
            reboots: 0,
            form: Form::Narrow,
            driver: false,
            summary: true,
            stamp: StampStyle::UsCmd,
            encoding: Encoding::Ascii,
            line_ending: LineEnding::Crlf,
            start: NaiveDate::from_ymd_opt(2026, 11, 25)
                .and_then(|d| d.and_hms_opt(8, 0, 0))
                .unwrap_or_default(),
            tag_seed: None,
        }
    }
}

/// Ground truth of one `(tag, pool)` series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthSeries {
    /// The tag as printed (4 characters) with trailing spaces trimmed, e.g. `Io` for `Io  `.
    pub tag: String,
    /// `"Paged"` or `"Nonpaged"`.
    pub pool: &'static str,
    /// The family the series was drawn from.
    pub family: Family,
    /// `family.is_leak()`.
    pub leak: bool,
}

/// One printed row (recorded by [`generate`] only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthRow {
    /// 0-based snapshot index.
    pub snapshot: u32,
    /// Tag as in [`TruthSeries::tag`].
    pub tag: String,
    /// `"Paged"` or `"Nonpaged"`.
    pub pool: &'static str,
    /// Cumulative allocations.
    pub allocs: u64,
    /// Cumulative frees.
    pub frees: u64,
    /// `allocs − frees`.
    pub diff: i64,
    /// Bytes in use.
    pub bytes: u64,
    /// `bytes / diff` (integer division), `bytes` when `diff` is 0.
    pub per_alloc: u64,
}

/// What the log contains, for scoring.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Truth {
    /// Every series, in generation order.
    pub series: Vec<TruthSeries>,
    /// Per snapshot, the time the stamp line means: centiseconds for the cmd styles
    /// (`UsCmd`, `DayFirstMarker`), whole seconds for `Clue`, `PowerShell` and `Iso`, and the
    /// simulated time (centiseconds) when there is no stamp.
    pub times: Vec<NaiveDateTime>,
    /// Per snapshot, the 0-based boot epoch.
    pub epochs: Vec<u32>,
    /// Every printed row, in printed order; filled by [`generate`] only, empty from [`write_log`].
    pub rows: Vec<TruthRow>,
}

/// Generates the whole log in memory and records every printed row in [`Truth::rows`].
pub fn generate(cfg: &Config) -> (Vec<u8>, Truth) {
    let mut out = Vec::new();
    let mut rows = Vec::new();
    let mut truth = run(cfg, &mut out, Some(&mut rows)).expect("writing to a Vec cannot fail");
    truth.rows = rows;
    (out, truth)
}

/// Streams the log to `w` (through a `BufWriter`); rows are not recorded in the returned truth.
pub fn write_log<W: Write>(cfg: &Config, w: W) -> io::Result<Truth> {
    let mut bw = BufWriter::with_capacity(1 << 18, w);
    let truth = run(cfg, &mut bw, None)?;
    bw.flush()?;
    Ok(truth)
}

/// Tab-separated labels: a `tag\tpool\tfamily\tleak` header, then one line per series with the
/// trimmed tag, `Paged`/`Nonpaged`, the family name and `1` (leak) or `0`.
pub fn truth_tsv(truth: &Truth) -> String {
    let mut s = String::from("tag\tpool\tfamily\tleak\n");
    for t in &truth.series {
        s.push_str(&t.tag);
        s.push('\t');
        s.push_str(t.pool);
        s.push('\t');
        s.push_str(t.family.name());
        s.push('\t');
        s.push_str(if t.leak { "1\n" } else { "0\n" });
    }
    s
}

/// One host of a generated fleet.
#[derive(Debug, Clone)]
pub struct FleetHost {
    /// Host name, `host01`, `host02`, ….
    pub name: String,
    /// Its log.
    pub log: Vec<u8>,
    /// Its truth: the same tags on every host, leaking on some hosts only.
    pub series: Vec<TruthSeries>,
}

/// The plan of [`fleet`]: per labelled slot, its family on a leaking host, and on
/// how many of the hosts (from the first) it leaks; other hosts get `Flat`.
pub const FLEET_PLAN: [(Family, FleetShare); 8] = [
    (Family::Steady, FleetShare::Most),
    (Family::Staircase, FleetShare::Half),
    (Family::SlowNoisy, FleetShare::All),
    (Family::Steady, FleetShare::One),
    (Family::BigNoisy, FleetShare::All),
    (Family::CachePlateau, FleetShare::All),
    (Family::Sawtooth, FleetShare::All),
    (Family::RandomWalk, FleetShare::All),
];

/// On how many hosts a [`FLEET_PLAN`] slot has its family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FleetShare {
    /// Every host.
    All,
    /// 70 % of the hosts (rounded up).
    Most,
    /// Half of the hosts (rounded up).
    Half,
    /// The first host only.
    One,
}

impl FleetShare {
    /// Hosts (from the first) that get the slot's family.
    pub fn hosts(self, n: usize) -> usize {
        match self {
            FleetShare::All => n,
            FleetShare::Most => (n * 7).div_ceil(10),
            FleetShare::Half => n.div_ceil(2),
            FleetShare::One => n.min(1),
        }
    }
}

/// A fleet of `hosts` logs of `snapshots` snapshots: the same tags everywhere (drawn from
/// `seed`), each host's noise from its own seed, the [`FLEET_PLAN`] slots first, then
/// `Flat`/`BigNoisy` background up to 40 series. Leaks (a shared steady leak on 70 % of the
/// hosts, a staircase on half, a slow noisy leak on all, a steady leak on one host) sit next
/// to non-leaks present on every host.
pub fn fleet(seed: u64, hosts: usize, snapshots: usize) -> Vec<FleetHost> {
    (0..hosts)
        .map(|h| {
            let families: Vec<Family> = FLEET_PLAN
                .iter()
                .map(|&(f, share)| {
                    if h < share.hosts(hosts) {
                        f
                    } else {
                        Family::Flat
                    }
                })
                .collect();
            let cfg = Config {
                seed: seed.wrapping_mul(1000).wrapping_add(h as u64 + 1),
                tag_seed: Some(seed),
                snapshots,
                series: 40,
                families: Some(families),
                interval_secs: 300,
                ..Config::default()
            };
            let (log, truth) = generate(&cfg);
            FleetHost {
                name: format!("host{:02}", h + 1),
                log,
                series: truth.series,
            }
        })
        .collect()
}

/// Cuts the log in the middle of one of the last snapshot's rows (mid-line, no terminator), as a
/// log that is still being written looks. Works on ASCII and UTF-16LE content (the cut stays on a
/// code-unit boundary). If the last snapshot has no rows, the cut falls inside its header line;
/// a log without any header is cut in half.
pub fn truncate_last(bytes: &mut Vec<u8>) {
    const HDR: &[u8] = b"Tag  Type";
    let wide_hdr: Vec<u8> = HDR.iter().flat_map(|&b| [b, 0]).collect();
    let (unit, hdr) = if let Some(p) = rfind(bytes, HDR) {
        (1usize, p)
    } else if let Some(p) = rfind(bytes, &wide_hdr) {
        (2usize, p)
    } else {
        let cut = (bytes.len() / 2) & !1;
        bytes.truncate(cut);
        return;
    };
    // Split into lines (in code units) from the header onwards.
    let unit_at = |pos: usize| -> u8 {
        if unit == 2 && bytes.get(pos + 1).copied().unwrap_or(0) != 0 {
            0xFF
        } else {
            bytes[pos]
        }
    };
    let mut lines: Vec<(usize, usize)> = Vec::new();
    let mut start = hdr;
    let mut pos = hdr;
    while pos + unit <= bytes.len() {
        let c = unit_at(pos);
        if c == b'\n' || c == b'\r' {
            lines.push((start, pos));
            start = pos + unit;
        }
        pos += unit;
    }
    if start < bytes.len() {
        lines.push((start, bytes.len()));
    }
    let non_blank: Vec<(usize, usize)> = lines
        .iter()
        .copied()
        .filter(|&(s, e)| (s..e).step_by(unit).any(|p| unit_at(p) != b' '))
        .collect();
    // non_blank[0] is the header line itself.
    let (s, e) = if non_blank.len() > 1 {
        let rows = &non_blank[1..];
        rows[rows.len() / 2]
    } else {
        non_blank.first().copied().unwrap_or((hdr, bytes.len()))
    };
    let units = (e - s) / unit;
    let mid = s + (units / 2).max(1) * unit;
    // Cut right after a visible character, so the partial line ends inside a field.
    let last_visible = (s..e)
        .step_by(unit)
        .rev()
        .find(|&p| unit_at(p) != b' ')
        .unwrap_or(e);
    let cut = (mid..last_visible)
        .step_by(unit)
        .find(|&p| unit_at(p) != b' ')
        .map_or(mid, |p| p + unit);
    bytes.truncate(cut.min(bytes.len()));
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| &hay[i..i + needle.len()] == needle)
}

// ---------------------------------------------------------------------------------------------
// Random numbers
// ---------------------------------------------------------------------------------------------

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256** seeded through SplitMix64, with a Box–Muller normal.
#[derive(Debug, Clone)]
struct Rng {
    s: [u64; 4],
    spare: Option<f64>,
}

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut x = seed;
        let s = [
            splitmix(&mut x),
            splitmix(&mut x),
            splitmix(&mut x),
            splitmix(&mut x),
        ];
        Rng { s, spare: None }
    }

    /// An independent stream for `(seed, stream)`.
    fn stream(seed: u64, stream: u64) -> Rng {
        let mut x = seed;
        let a = splitmix(&mut x);
        let mut y = stream ^ 0x5851_F42D_4C95_7F2D;
        let b = splitmix(&mut y);
        Rng::new(a ^ b.rotate_left(23))
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.f64()
    }

    /// Log-uniform in [a, b] (a, b > 0).
    fn log_range(&mut self, a: f64, b: f64) -> f64 {
        (a.ln() + (b.ln() - a.ln()) * self.f64()).exp()
    }

    /// Uniform integer in [0, n) (0 when n is 0).
    fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let u1 = 1.0 - self.f64();
        let u2 = self.f64();
        let r = (-2.0 * u1.ln()).sqrt();
        let (s, c) = (std::f64::consts::TAU * u2).sin_cos();
        self.spare = Some(r * s);
        r * c
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Timeline: snapshot times and boot epochs
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Epoch {
    start: usize,
    len: usize,
    /// Time of the first snapshot, seconds since the first snapshot of the log.
    t0: f64,
    /// Time of the last snapshot.
    t1: f64,
    /// `max(t1 − t0, interval)`.
    dur: f64,
    /// Seconds since boot at the first snapshot.
    uptime0: f64,
}

#[derive(Debug, Clone)]
struct Timeline {
    /// Centiseconds since the first snapshot.
    cs: Vec<i64>,
    epoch_of: Vec<u32>,
    epochs: Vec<Epoch>,
}

fn reboot_positions(n: usize, reboots: usize, rng: &mut Rng) -> Vec<usize> {
    let r = reboots.min(n.saturating_sub(1));
    if r == 0 {
        return Vec::new();
    }
    let min_gap = (n / (r + 1) / 2).max(1);
    for _ in 0..200 {
        let mut pos: Vec<usize> = (0..r).map(|_| 1 + rng.below(n - 1)).collect();
        pos.sort_unstable();
        let mut ok = pos[0] >= min_gap && n - pos[r - 1] >= min_gap;
        for w in pos.windows(2) {
            ok &= w[1] - w[0] >= min_gap;
        }
        if ok {
            return pos;
        }
    }
    // Evenly spaced fallback (always distinct since r ≤ n − 1).
    (1..=r).map(|j| (j * n / (r + 1)).max(j)).collect()
}

fn timeline(cfg: &Config, rng: &mut Rng) -> Timeline {
    let n = cfg.snapshots;
    let interval = f64::from(cfg.interval_secs.max(1));
    let jitter = cfg.jitter.clamp(0.0, 0.95);
    let reboots = reboot_positions(n, cfg.reboots, rng);
    let mut cs = Vec::with_capacity(n);
    let mut epoch_of = Vec::with_capacity(n);
    let mut epochs: Vec<Epoch> = Vec::new();
    let mut t_cs: i64 = 0;
    let mut next_reboot = 0usize;
    for i in 0..n {
        let mut uptime = 0.0;
        let is_reboot = next_reboot < reboots.len() && reboots[next_reboot] == i;
        if i == 0 {
            uptime = rng.log_range(3600.0, 20.0 * 86400.0);
        } else {
            let mut dt = interval * (1.0 + jitter * rng.range(-1.0, 1.0));
            if rng.chance(cfg.gap_prob) {
                dt *= rng.range(3.0, 10.0);
            }
            if is_reboot {
                uptime = dt * rng.range(0.3, 1.0);
                dt += rng.range(120.0, 360.0); // the machine is down for a few minutes
            }
            t_cs += ((dt * 100.0).round() as i64).max(1);
        }
        if i == 0 || is_reboot {
            if is_reboot {
                next_reboot += 1;
            }
            let t = t_cs as f64 / 100.0;
            epochs.push(Epoch {
                start: i,
                len: 0,
                t0: t,
                t1: t,
                dur: interval,
                uptime0: uptime,
            });
        }
        cs.push(t_cs);
        epoch_of.push((epochs.len() - 1) as u32);
        if let Some(e) = epochs.last_mut() {
            e.len += 1;
            e.t1 = t_cs as f64 / 100.0;
            e.dur = (e.t1 - e.t0).max(interval);
        }
    }
    Timeline {
        cs,
        epoch_of,
        epochs,
    }
}

/// Log-level facts that series parameters depend on.
#[derive(Debug, Clone)]
struct Ctx {
    interval: f64,
    /// Seconds from the first to the last snapshot (at least one interval).
    total: f64,
    /// Longest epoch duration.
    d_ref: f64,
    /// Shortest duration among epochs with ≥ 6 snapshots (all epochs if none has 6).
    d_min: f64,
    /// Fewest snapshots among those epochs.
    n_min: usize,
    n: usize,
}

impl Ctx {
    fn new(cfg: &Config, tl: &Timeline) -> Ctx {
        let interval = f64::from(cfg.interval_secs.max(1));
        let total = tl
            .cs
            .last()
            .map_or(interval, |&c| (c as f64 / 100.0).max(interval));
        let d_ref = tl.epochs.iter().map(|e| e.dur).fold(interval, f64::max);
        let long: Vec<&Epoch> = tl.epochs.iter().filter(|e| e.len >= 6).collect();
        let pool: Vec<&Epoch> = if long.is_empty() {
            tl.epochs.iter().collect()
        } else {
            long
        };
        let d_min = pool.iter().map(|e| e.dur).fold(f64::INFINITY, f64::min);
        let n_min = pool.iter().map(|e| e.len).min().unwrap_or(0);
        Ctx {
            interval,
            total,
            d_ref,
            d_min: if d_min.is_finite() { d_min } else { interval },
            n_min,
            n: cfg.snapshots,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tags, pools, drivers
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Pool {
    // Declared Paged first: on equal tags the tag sort prints Paged first (as in S 12).
    Paged,
    Nonpaged,
}

impl Pool {
    fn printed(self) -> &'static [u8; 5] {
        match self {
            Pool::Paged => b"Paged",
            Pool::Nonpaged => b"Nonp ",
        }
    }
    fn name(self) -> &'static str {
        match self {
            Pool::Paged => "Paged",
            Pool::Nonpaged => "Nonpaged",
        }
    }
}

/// Tags every log with enough series includes: inner space, trailing spaces, digit first, case pair.
const SPECIAL_TAGS: [&[u8; 4]; 6] = [b"Dh 1", b"Io  ", b"CM  ", b"8042", b"NtFs", b"NtFS"];

const KNOWN_TAGS: [&[u8; 4]; 72] = [
    b"Wait", b"ObSt", b"Gxlt", b"Ustm", b"Key ", b"SePa", b"File", b"MmSt", b"NtfF", b"EtwB",
    b"CM25", b"1MEM", b"HidC", b"HidP", b"Thre", b"Toke", b"IoNm", b"MmCa", b"FMsl", b"HalD",
    b"Ntop", b"SQSF", b"IXGB", b"NtxF", b"FMfn", b"SeAt", b"SeTd", b"SeTl", b"ConT", b"Ntfx",
    b"Irp ", b"Mdl ", b"Vad ", b"Proc", b"Even", b"Sema", b"Muta", b"ObNm", b"AfdE", b"TcpE",
    b"CcSc", b"MmRe", b"Ptrs", b"Vi  ", b"FMfc", b"FSfm", b"Devi", b"Driv", b"Symb", b"Sect",
    b"ALPC", b"Ntff", b"NDnd", b"Nb  ", b"Ntfn", b"KSCM", b"WfpF", b"Flst", b"Gla5", b"Gh05",
    b"Usqm", b"Mm  ", b"Se  ", b"Ob  ", b"Lfs ", b"Ip  ", b"Tcp ", b"Dh 0", b"Dh 2", b"Gp  ",
    b"DxgK", b"usbp",
];

const DRIVERS: [(&str, &str); 24] = [
    ("ntfs.sys", "NTFS"),
    ("ntfs.sys", "AttrSup.c"),
    ("nt!ps", "Thread objects"),
    ("nt!se", "Security"),
    ("nt!io", "I/O manager"),
    ("nt!mm", "Mm sections"),
    ("nt!cm", "Configuration Manager"),
    ("nt!ob", "Object Manager"),
    ("nt!etw", "Etw buffers"),
    ("fltmgr.sys", "Filter Manager"),
    ("tcpip.sys", "TCP/IP endpoints"),
    ("afd.sys", "Afd endpoints"),
    ("ndis.sys", "NDIS buffers"),
    ("hidclass.sys", "HID Class driver"),
    ("hidparse.sys", "HID Parser"),
    ("win32k.sys", "Gdi Objects"),
    ("dxgkrnl.sys", "DirectX kernel"),
    ("usbport.sys", "USB port driver"),
    ("storport.sys", "Storport"),
    ("refs.sys", "ReFS"),
    ("netio.sys", "NetIO buffers"),
    ("wfplwfs.sys", "WFP filter"),
    ("ixgbe.sys", "Intel 10GbE"),
    ("i8042prt.sys", "i8042 port"),
];

fn random_tag(rng: &mut Rng) -> [u8; 4] {
    const UP: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const LO: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
    const DG: &[u8] = b"0123456789";
    let kind = rng.below(10);
    let mut pick = |set: &[u8]| set[rng.below(set.len())];
    match kind {
        0..=2 => [pick(UP), pick(LO), pick(LO), pick(LO)],
        3 => [pick(UP), pick(LO), pick(UP), pick(LO)],
        4 => [pick(UP), pick(UP), pick(UP), pick(UP)],
        5 => [pick(UP), pick(LO), pick(LO), b' '],
        6 => [pick(UP), pick(LO), b' ', b' '],
        7 => [pick(UP), pick(UP), pick(DG), pick(DG)],
        8 => [pick(DG), pick(UP), pick(UP), pick(UP)],
        _ => [pick(UP), pick(LO), b' ', pick(DG)],
    }
}

/// The `(tag, pool, driver text)` of every series, ~60 % Nonpaged, ~15 % of tags in both pools.
fn tags_and_pools(count: usize, rng: &mut Rng) -> Vec<([u8; 4], Pool, String)> {
    let mut tags: Vec<[u8; 4]> = Vec::new();
    if count >= 12 {
        tags.extend(SPECIAL_TAGS.iter().map(|t| **t));
    }
    let mut known: Vec<[u8; 4]> = KNOWN_TAGS.iter().map(|t| **t).collect();
    rng.shuffle(&mut known);
    let mut known = known.into_iter();
    let mut out = Vec::with_capacity(count);
    let mut idx = 0usize;
    let mut used = std::collections::HashSet::new();
    while out.len() < count {
        let tag = if idx < tags.len() {
            tags[idx]
        } else {
            let mut cand = if rng.chance(0.5) {
                known.next().unwrap_or_else(|| random_tag(rng))
            } else {
                random_tag(rng)
            };
            let mut tries = 0;
            while used.contains(&cand) && tries < 1000 {
                cand = random_tag(rng);
                tries += 1;
            }
            cand
        };
        idx += 1;
        if !used.insert(tag) {
            continue;
        }
        let driver = if rng.chance(0.3) {
            "Unknown Driver".to_string()
        } else {
            let (bin, desc) = DRIVERS[rng.below(DRIVERS.len())];
            if rng.chance(0.15) {
                format!("[{bin}  -  {desc}]")
            } else {
                format!("[{bin} - {desc}]")
            }
        };
        let room = count - out.len();
        if room >= 2 && rng.chance(0.1) {
            let (a, b) = if rng.chance(0.5) {
                (Pool::Nonpaged, Pool::Paged)
            } else {
                (Pool::Paged, Pool::Nonpaged)
            };
            out.push((tag, a, driver.clone()));
            out.push((tag, b, driver));
        } else {
            let pool = if rng.chance(0.63) {
                Pool::Nonpaged
            } else {
                Pool::Paged
            };
            out.push((tag, pool, driver));
        }
    }
    out
}

/// Family of every series: the explicit list plus background, or a balanced mix by `leak_share`.
fn families_for(cfg: &Config, rng: &mut Rng) -> Vec<Family> {
    if let Some(list) = &cfg.families {
        let n = cfg.series.max(list.len());
        let mut out = list.clone();
        while out.len() < n {
            out.push(if rng.chance(0.85) {
                Family::Flat
            } else {
                Family::BigNoisy
            });
        }
        return out;
    }
    let n = cfg.series;
    let n_leak = ((n as f64 * cfg.leak_share.clamp(0.0, 1.0)).round() as usize).min(n);
    let mut out = Vec::with_capacity(n);
    let off = rng.below(Family::LEAKS.len());
    for j in 0..n_leak {
        out.push(Family::LEAKS[(off + j) % Family::LEAKS.len()]);
    }
    let off = rng.below(Family::NON_LEAKS.len());
    for j in 0..n - n_leak {
        out.push(Family::NON_LEAKS[(off + j) % Family::NON_LEAKS.len()]);
    }
    rng.shuffle(&mut out);
    out
}

// ---------------------------------------------------------------------------------------------
// Series
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
struct Params {
    base: f64,
    sigma: f64,
    phi: f64,
    /// Reflect the noise at ±bound (0 = unbounded).
    bound: f64,
    /// Allocations per second.
    lambda: f64,
    /// Leak objects per second.
    rate: f64,
    /// LateStart onset, seconds since the first snapshot.
    onset: f64,
    amp: f64,
    period: f64,
    phase: f64,
    /// Cache warm-up or drain time constant, as a share of the epoch duration.
    frac: f64,
    t_a: f64,
    t_b: f64,
    bursts: usize,
    /// Leaked objects per burst allocation (staircase).
    rho: f64,
    /// Staircase growth per epoch with all bursts.
    total: f64,
    /// First snapshot where the tag is present.
    appear: usize,
    size: u64,
    size_cv: f64,
}

#[derive(Debug, Clone)]
struct Series {
    tag: [u8; 4],
    pool: Pool,
    family: Family,
    driver: String,
    p: Params,
    rng: Rng,
    noise: f64,
    stairs: Vec<(usize, f64)>,
    stair_pos: usize,
    stair_level: f64,
    allocs: u64,
    frees: u64,
    diff: i64,
    bytes: u64,
    present: bool,
}

/// One row's values for one snapshot.
#[derive(Debug, Clone, Copy, Default)]
struct Vals {
    series: usize,
    allocs: u64,
    frees: u64,
    diff: i64,
    bytes: u64,
    per_alloc: u64,
    d_allocs: i64,
    d_frees: i64,
    d_bytes: i64,
}

fn draw_params(fam: Family, rng: &mut Rng, ctx: &Ctx) -> Params {
    let mut p = Params {
        lambda: rng.log_range(0.005, 200.0),
        ..Params::default()
    };
    let b0 = rng.log_range(20.0, 1e5);
    let big_b0 = 50.0 * rng.log_range(20.0, 2e4);
    let small_sigma = |rng: &mut Rng, level: f64| level * rng.log_range(0.002, 0.03);
    // Sawtooth period: 3–30 snapshots, at most a third of the shortest epoch.
    let saw_period = |rng: &mut Rng| {
        let hi = ctx.d_min / 3.0;
        let lo = (3.0 * ctx.interval).min(hi);
        (rng.range(3.0, 30.0) * ctx.interval).clamp(lo, hi.max(lo))
    };
    let mut peak;
    let mut big = false;
    match fam {
        Family::Steady | Family::SlowNoisy => {
            let (g, snr) = if fam == Family::Steady {
                (rng.log_range(0.05, 5.0), rng.log_range(4.0, 32.0))
            } else {
                (rng.log_range(0.01, 0.2), rng.range(2.0, 4.0))
            };
            p.base = b0;
            let growth = (g * b0).max(rng.range(20.0, 60.0));
            p.sigma = growth / snr;
            p.rate = growth / ctx.d_ref;
            peak = b0 + growth;
        }
        Family::Staircase => {
            p.base = b0;
            p.bursts = 3 + rng.below(8);
            p.total = (rng.log_range(0.2, 3.0) * b0).max(10.0 * p.bursts as f64);
            p.sigma = p.total / p.bursts as f64 / rng.log_range(10.0, 30.0);
            p.rho = rng.log_range(1e-3, 0.1);
            p.lambda = rng.log_range(0.001, 5.0);
            peak = b0 + p.total * 1.5;
        }
        Family::LateStart => {
            p.base = b0;
            p.onset = rng.range(0.3, 0.7) * ctx.total;
            let growth = (rng.log_range(0.1, 3.0) * b0).max(rng.range(20.0, 60.0));
            p.sigma = growth / rng.log_range(6.0, 32.0);
            // Growth over the longest post-onset stretch of any epoch.
            p.rate = growth / (ctx.total - p.onset).max(ctx.interval);
            peak = b0 + growth * 2.0;
        }
        Family::LeakOnSawtooth => {
            p.base = b0;
            p.amp = (rng.log_range(0.1, 5.0) * b0).max(10.0);
            p.period = saw_period(rng);
            p.phase = rng.range(0.0, p.period);
            let growth = p.amp * rng.range(0.5, 2.0);
            p.sigma = p.amp.min(growth) / rng.log_range(10.0, 40.0);
            p.rate = growth / ctx.d_ref;
            peak = b0 + p.amp + growth;
        }
        Family::SmallOnBig => {
            big = true;
            p.base = big_b0;
            let growth = big_b0 * rng.range(0.03, 0.15);
            p.sigma = growth / rng.range(5.0, 12.0);
            p.rate = growth / ctx.d_ref;
            p.lambda *= 5.0;
            peak = big_b0 + growth;
        }
        Family::Flat => {
            p.base = b0;
            if rng.chance(0.1) {
                p.lambda = 0.0; // static tag: allocated once, never touched again
            } else {
                p.sigma = b0 * rng.log_range(0.002, 0.05);
            }
            peak = b0;
        }
        Family::BigNoisy => {
            big = true;
            p.base = big_b0;
            p.sigma = 0.05 * big_b0;
            p.lambda *= 5.0;
            peak = big_b0 * 1.2;
        }
        Family::CachePlateau => {
            p.base = b0;
            p.amp = (rng.log_range(0.2, 5.0) * b0).max(20.0);
            p.frac = rng.range(0.03, 0.2);
            p.sigma = small_sigma(rng, b0 + p.amp);
            peak = b0 + p.amp;
        }
        Family::Sawtooth => {
            p.base = b0;
            p.amp = (rng.log_range(0.1, 5.0) * b0).max(10.0);
            p.period = saw_period(rng);
            p.phase = if rng.chance(0.3) {
                // End on a peak: the last snapshot sits just before a drop.
                let want = rng.range(0.93, 0.99) * p.period;
                (want - ctx.total).rem_euclid(p.period)
            } else {
                rng.range(0.0, p.period)
            };
            p.sigma = p.amp.min(b0) / rng.log_range(10.0, 40.0);
            peak = b0 + p.amp;
        }
        Family::OneStep | Family::TempStep => {
            p.base = b0;
            p.amp = (rng.log_range(0.1, 10.0) * b0).max(10.0);
            if fam == Family::OneStep {
                p.t_a = rng.range(0.2, 0.8) * ctx.total;
                p.t_b = f64::INFINITY;
            } else {
                p.amp = p.amp.max(0.5 * b0);
                p.t_a = rng.range(0.1, 0.45) * ctx.total;
                p.t_b = p.t_a + rng.range(0.15, 0.4) * ctx.total;
            }
            p.sigma = p.amp.min(b0) / rng.log_range(20.0, 60.0);
            peak = b0 + p.amp;
        }
        Family::AppearsMidway => {
            p.base = b0;
            p.sigma = small_sigma(rng, b0);
            p.appear = if ctx.n >= 2 {
                ((rng.range(0.2, 0.6) * ctx.n as f64).round() as usize).clamp(1, ctx.n - 1)
            } else {
                0
            };
            peak = b0;
        }
        Family::Periodic => {
            p.amp = rng.log_range(0.2, 2.0) * b0;
            p.base = b0 + p.amp;
            let hi = (ctx.d_min / 2.0).min(150.0 * ctx.interval);
            let lo = (4.0 * ctx.interval).min(hi);
            p.period = if hi > lo { rng.log_range(lo, hi) } else { hi };
            p.phase = rng.range(0.0, std::f64::consts::TAU);
            p.sigma = p.amp / rng.log_range(8.0, 30.0);
            peak = b0 + 2.0 * p.amp;
        }
        Family::RandomWalk => {
            p.base = b0;
            p.sigma = b0 * rng.range(0.03, 0.15);
            // Correlation time 1/(1−φ) at most a sixth of the shortest epoch, so it is seen to revert.
            let phi_hi = (1.0 - 6.0 / ctx.n_min.max(1) as f64).clamp(0.9, 0.98);
            p.phi = rng.range(0.9, phi_hi);
            p.bound = 3.0 * p.sigma;
            peak = b0 * 1.5;
        }
        Family::Draining => {
            p.base = b0;
            p.amp = rng.log_range(1.0, 5.0) * b0;
            p.frac = rng.range(0.15, 0.4);
            p.sigma = small_sigma(rng, b0);
            peak = b0 + p.amp;
        }
    }
    peak += 3.0 * p.sigma;
    let cap = if big { 1.5e9 } else { 2.5e8 };
    let size_hi = (cap / peak.max(1.0)).clamp(16.0, 65536.0);
    p.size = rng.log_range(16.0, size_hi).round().max(16.0) as u64;
    if rng.chance(0.35) {
        p.size_cv = rng.range(0.05, 0.3);
    }
    p
}

impl Series {
    fn new(
        seed: u64,
        index: usize,
        family: Family,
        (tag, pool, driver): ([u8; 4], Pool, String),
        ctx: &Ctx,
    ) -> Series {
        let mut rng = Rng::stream(seed, 1000 + index as u64);
        let p = draw_params(family, &mut rng, ctx);
        let noise = if p.sigma > 0.0 && p.phi > 0.0 {
            (p.sigma * rng.normal()).clamp(-p.bound, p.bound)
        } else {
            0.0
        };
        Series {
            tag,
            pool,
            family,
            driver,
            p,
            rng,
            noise,
            stairs: Vec::new(),
            stair_pos: 0,
            stair_level: 0.0,
            allocs: 0,
            frees: 0,
            diff: 0,
            bytes: 0,
            present: false,
        }
    }

    fn trimmed_tag(&self) -> String {
        String::from_utf8_lossy(&self.tag).trim_end().to_string()
    }

    fn plan_stairs(&mut self, ep: &Epoch) {
        self.stairs.clear();
        self.stair_pos = 0;
        self.stair_level = 0.0;
        if ep.len < 3 {
            return;
        }
        // Burst positions: local indices 1..=len−2 (every step is seen afterwards), one in each
        // of k equal strata so the bursts spread over the epoch.
        let slots = ep.len - 2;
        let k = self.p.bursts.min(slots);
        let per = self.p.total / self.p.bursts as f64;
        for j in 0..k {
            let lo = j * slots / k;
            let hi = ((j + 1) * slots / k).max(lo + 1);
            let idx = 1 + lo + self.rng.below(hi - lo);
            let step = (per * self.rng.range(0.7, 1.3)).round().max(1.0);
            self.stairs.push((idx, step));
        }
    }

    fn saw(&self, t: f64) -> f64 {
        if self.p.period <= 0.0 {
            return 0.0;
        }
        let x = (t + self.p.phase) / self.p.period;
        self.p.amp * (x - x.floor())
    }

    /// Advances to snapshot `i` (local index `k` of epoch `ep`, `t` seconds since the first
    /// snapshot, `dt` since the previous one). Returns `None` when the tag is absent.
    fn step(&mut self, i: usize, k: usize, ep: &Epoch, t: f64, dt: f64) -> Option<Vals> {
        if k == 0 && self.family == Family::Staircase {
            self.plan_stairs(ep);
        }
        if self.family == Family::AppearsMidway && i < self.p.appear {
            self.present = false;
            return None;
        }
        let p = &self.p;
        let z = self.rng.normal();
        if p.sigma > 0.0 {
            let innov = (1.0 - p.phi * p.phi).sqrt() * p.sigma * z;
            let mut x = p.phi * self.noise + innov;
            if p.bound > 0.0 {
                if x > p.bound {
                    x = 2.0 * p.bound - x;
                } else if x < -p.bound {
                    x = -2.0 * p.bound - x;
                }
                x = x.clamp(-p.bound, p.bound);
            }
            self.noise = x;
        }
        let tau = t - ep.t0;
        let mut extra_work = 0.0;
        let (smooth, leak) = match self.family {
            Family::Steady | Family::SlowNoisy | Family::SmallOnBig => (p.base, p.rate * tau),
            Family::Staircase => {
                while self.stair_pos < self.stairs.len() && self.stairs[self.stair_pos].0 == k {
                    let step = self.stairs[self.stair_pos].1;
                    self.stair_level += step;
                    extra_work += step / p.rho;
                    self.stair_pos += 1;
                }
                (p.base, self.stair_level)
            }
            Family::LateStart => (p.base, p.rate * (t - ep.t0.max(p.onset)).max(0.0)),
            Family::LeakOnSawtooth => (p.base + self.saw(t), p.rate * tau),
            Family::Flat | Family::BigNoisy | Family::AppearsMidway | Family::RandomWalk => {
                (p.base, 0.0)
            }
            Family::CachePlateau => {
                let x = (tau / (p.frac * ep.dur)).min(1.0);
                (p.base + p.amp * (1.0 - (1.0 - x).powi(3)), 0.0)
            }
            Family::Sawtooth => (p.base + self.saw(t), 0.0),
            Family::OneStep | Family::TempStep => {
                let on = t >= p.t_a && t < p.t_b;
                (p.base + if on { p.amp } else { 0.0 }, 0.0)
            }
            Family::Periodic => (
                p.base + p.amp * (std::f64::consts::TAU * t / p.period + p.phase).sin(),
                0.0,
            ),
            Family::Draining => (p.base + p.amp * (-tau / (p.frac * ep.dur)).exp(), 0.0),
        };
        let diff = ((smooth + self.noise).round().max(0.0) + leak.max(0.0).floor()) as i64;
        let w_mult = (1.0 + 0.2 * self.rng.normal()).max(0.0);
        let bz = self.rng.normal();
        let (lambda, size, cv) = (p.lambda, p.size, p.size_cv);

        let fresh = k == 0 || !self.present;
        let (old_a, old_f, old_b) = if self.present && k > 0 {
            (self.allocs, self.frees, self.bytes)
        } else {
            (0, 0, 0)
        };
        if fresh {
            // Counters start at boot (or at driver load for a tag that just appeared).
            let up = if k == 0 {
                ep.uptime0
            } else {
                dt * self.rng.range(0.1, 1.0)
            };
            let w = (lambda * up * w_mult).round() as u64;
            self.allocs = diff as u64 + w;
            self.frees = w;
        } else {
            let w = (lambda * dt * w_mult + extra_work).round() as u64;
            let d = diff - self.diff;
            self.allocs += w + d.max(0) as u64;
            self.frees += w + (-d).max(0) as u64;
        }
        self.diff = diff;
        self.bytes = if diff <= 0 {
            0
        } else if cv == 0.0 {
            diff as u64 * size
        } else {
            let mean = diff as f64 * size as f64;
            let v = mean + bz * cv * size as f64 * (diff as f64).sqrt();
            v.round().max(8.0 * diff as f64) as u64
        };
        self.present = true;
        let per_alloc = if diff > 0 {
            self.bytes / diff as u64
        } else {
            self.bytes
        };
        let (d_allocs, d_frees, d_bytes) = if k == 0 {
            (0, 0, 0) // a freshly started poolmon shows zero deltas
        } else {
            (
                self.allocs as i64 - old_a as i64,
                self.frees as i64 - old_f as i64,
                self.bytes as i64 - old_b as i64,
            )
        };
        Some(Vals {
            series: 0,
            allocs: self.allocs,
            frees: self.frees,
            diff,
            bytes: self.bytes,
            per_alloc,
            d_allocs,
            d_frees,
            d_bytes,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Machine summary (/r)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Machine {
    rng: Rng,
    mem: u64,
    limit: u64,
    base_commit: f64,
    avail_frac: f64,
    krnl: f64,
    pf_rate: f64,
    pf: f64,
    wander: f64,
    peak: u64,
    resident: f64,
}

struct SummaryVals {
    line1: [u64; 5],
    line2: [u64; 5],
}

impl Machine {
    fn new(seed: u64) -> Machine {
        let mut rng = Rng::stream(seed, 3);
        let gib = [4u64, 8, 16, 32, 64][rng.below(5)];
        let mem = (gib * 1024 * 1024) as f64 * rng.range(0.97, 0.995);
        let limit = mem * rng.range(1.2, 2.5);
        Machine {
            mem: mem as u64,
            limit: limit as u64,
            base_commit: mem * rng.range(0.15, 0.5),
            avail_frac: rng.range(0.4, 0.8),
            krnl: rng.range(8000.0, 80000.0),
            pf_rate: rng.log_range(50.0, 3000.0),
            pf: 0.0,
            wander: 0.0,
            peak: 0,
            resident: rng.range(0.88, 1.0),
            rng,
        }
    }

    fn snapshot(
        &mut self,
        k: usize,
        ep: &Epoch,
        dt: f64,
        pools_kib: (u64, u64),
        interactive: bool,
    ) -> SummaryVals {
        let rng = &mut self.rng;
        let mem = self.mem as f64;
        self.wander = 0.95 * self.wander + 0.004 * mem * rng.normal();
        let (n_kib, p_kib) = pools_kib;
        let pools = (n_kib + p_kib) as f64;
        let commit = (self.base_commit + pools + self.wander)
            .clamp(mem * 0.05, self.limit as f64 * 0.98) as u64;
        if k == 0 {
            self.pf = self.pf_rate * ep.uptime0;
            let boost = if ep.start == 0 {
                rng.range(1.0, 1.5)
            } else {
                rng.range(1.0, 1.1)
            };
            self.peak = (commit as f64 * boost) as u64;
        } else {
            self.pf += self.pf_rate * dt * rng.range(0.5, 1.5);
        }
        self.peak = self.peak.max(commit).min(self.limit);
        let avail = (mem * self.avail_frac - pools - 0.5 * self.wander).max(mem * 0.02) as u64;
        let page_flts = if interactive {
            rng.below(300) as u64
        } else {
            self.pf as u64
        };
        let krnl = (self.krnl * rng.range(0.99, 1.01)) as u64;
        let resident_p = (p_kib as f64 * self.resident).round() as u64;
        SummaryVals {
            line1: [self.mem, avail, page_flts, krnl, resident_p],
            line2: [commit, self.limit, self.peak, n_kib, p_kib],
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Text output
// ---------------------------------------------------------------------------------------------

const SPACES: [u8; 32] = [b' '; 32];

/// Right-aligned unsigned decimal, printf `%{width}d` style (wider numbers are not cut).
#[inline]
fn put_u(buf: &mut Vec<u8>, mut v: u64, width: usize) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let len = tmp.len() - i;
    if width > len {
        buf.extend_from_slice(&SPACES[..(width - len).min(SPACES.len())]);
    }
    buf.extend_from_slice(&tmp[i..]);
}

/// Right-aligned signed decimal, printf `%{width}d` style.
#[inline]
fn put_i(buf: &mut Vec<u8>, v: i64, width: usize) {
    if v >= 0 {
        return put_u(buf, v as u64, width);
    }
    let mut tmp = [0u8; 21];
    let mut i = tmp.len();
    let mut u = v.unsigned_abs();
    loop {
        i -= 1;
        tmp[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    i -= 1;
    tmp[i] = b'-';
    let len = tmp.len() - i;
    if width > len {
        buf.extend_from_slice(&SPACES[..(width - len).min(SPACES.len())]);
    }
    buf.extend_from_slice(&tmp[i..]);
}

fn put_2(buf: &mut Vec<u8>, v: u32) {
    buf.push(b'0' + (v / 10 % 10) as u8);
    buf.push(b'0' + (v % 10) as u8);
}

const NARROW_HDR: &[u8] = b" Tag  Type     Allocs         Frees    Diff   Bytes    Per Alloc";
const NARROW_DRV: &[u8] = b"    Mapped_Driver";
const WIDE_HDR: &[u8] = b" Tag  Type     Allocs            Frees               Diff            Bytes                 Per Alloc";
const WIDE_DRV: &[u8] = b"       Mapped_Driver";
const INTER_HDR: &[u8] =
    b" Tag  Type     Allocs            Frees            Diff   Bytes       Per Alloc";
const INTER_HDR_DRV: &[u8] =
    b" Tag  Type     Allocs            Frees            Diff   Bytes      Per Alloc  Mapped_Driver";
const TITLE: &[u8] = b" System pool information";

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const TIME_ZONES: [&str; 5] = [
    "W. Europe Standard Time",
    "Pacific Standard Time",
    "Eastern Standard Time",
    "GMT Standard Time",
    "Tokyo Standard Time",
];

/// Writes the stamp lines for `dt` into `buf`; returns the time the stamp means.
fn put_stamp(
    buf: &mut Vec<u8>,
    style: StampStyle,
    dt: NaiveDateTime,
    eol: &[u8],
    tz: &str,
) -> NaiveDateTime {
    let cs = (dt.nanosecond() / 10_000_000).min(99);
    let secs = dt.with_nanosecond(0).unwrap_or(dt);
    let (y, mo, d) = (dt.year().max(0) as u64, dt.month(), dt.day());
    let (h, mi, s) = (dt.hour(), dt.minute(), dt.second());
    match style {
        StampStyle::None => dt,
        StampStyle::UsCmd | StampStyle::DayFirstMarker => {
            if style == StampStyle::UsCmd {
                let wd = WEEKDAYS[dt.weekday().num_days_from_monday() as usize];
                buf.extend_from_slice(&wd.as_bytes()[..3]);
                buf.push(b' ');
                put_2(buf, mo);
                buf.push(b'/');
                put_2(buf, d);
                buf.push(b'/');
                put_u(buf, y, 4);
                buf.push(b' ');
                put_u(buf, u64::from(h), 2); // cmd pads the hour with a space
            } else {
                buf.extend_from_slice(b"===== ");
                put_2(buf, d);
                buf.push(b'/');
                put_2(buf, mo);
                buf.push(b'/');
                put_u(buf, y, 4);
                buf.push(b' ');
                put_2(buf, h);
            }
            buf.push(b':');
            put_2(buf, mi);
            buf.push(b':');
            put_2(buf, s);
            buf.push(b'.');
            put_2(buf, cs);
            if style == StampStyle::DayFirstMarker {
                buf.extend_from_slice(b" =====");
            }
            buf.extend_from_slice(eol);
            secs + TimeDelta::milliseconds(i64::from(cs) * 10)
        }
        StampStyle::Clue => {
            put_u(buf, y, 4);
            buf.push(b'.');
            put_2(buf, mo);
            buf.push(b'.');
            put_2(buf, d);
            buf.push(b'-');
            put_2(buf, h);
            buf.push(b':');
            put_2(buf, mi);
            buf.push(b':');
            put_2(buf, s);
            buf.push(b' ');
            buf.extend_from_slice(tz.as_bytes());
            buf.extend_from_slice(b" (local time of the PC where this was collected)");
            buf.extend_from_slice(eol);
            secs
        }
        StampStyle::PowerShell => {
            buf.extend_from_slice(eol);
            let wd = WEEKDAYS[dt.weekday().num_days_from_monday() as usize];
            buf.extend_from_slice(wd.as_bytes());
            buf.extend_from_slice(b", ");
            buf.extend_from_slice(MONTHS[mo as usize - 1].as_bytes());
            buf.push(b' ');
            put_u(buf, u64::from(d), 1);
            buf.extend_from_slice(b", ");
            put_u(buf, y, 4);
            buf.push(b' ');
            let h12 = if h % 12 == 0 { 12 } else { h % 12 };
            put_u(buf, u64::from(h12), 1);
            buf.push(b':');
            put_2(buf, mi);
            buf.push(b':');
            put_2(buf, s);
            buf.extend_from_slice(if h < 12 { b" AM" } else { b" PM" });
            buf.extend_from_slice(eol);
            buf.extend_from_slice(eol);
            secs
        }
        StampStyle::Iso => {
            put_u(buf, y, 4);
            buf.push(b'-');
            put_2(buf, mo);
            buf.push(b'-');
            put_2(buf, d);
            buf.push(b'T');
            put_2(buf, h);
            buf.push(b':');
            put_2(buf, mi);
            buf.push(b':');
            put_2(buf, s);
            buf.extend_from_slice(eol);
            secs
        }
    }
}

fn put_summary(buf: &mut Vec<u8>, v: &SummaryVals, eol: &[u8]) {
    let [mem, avail, pf, krnl, res] = v.line1;
    buf.extend_from_slice(b" Memory:");
    put_u(buf, mem, 8);
    buf.extend_from_slice(b"K Avail:");
    put_u(buf, avail, 8);
    buf.extend_from_slice(b"K  PageFlts:");
    put_u(buf, pf, 6);
    buf.extend_from_slice(b"   InRam Krnl:");
    put_u(buf, krnl, 5);
    buf.extend_from_slice(b"K P:");
    put_u(buf, res, 5);
    buf.push(b'K');
    buf.extend_from_slice(eol);
    let [commit, limit, peak, pn, pp] = v.line2;
    buf.extend_from_slice(b" Commit:");
    put_u(buf, commit, 7);
    buf.extend_from_slice(b"K Limit:");
    put_u(buf, limit, 7);
    buf.extend_from_slice(b"K Peak:");
    put_u(buf, peak, 7);
    buf.extend_from_slice(b"K            Pool N:");
    put_u(buf, pn, 5);
    buf.extend_from_slice(b"K P:");
    put_u(buf, pp, 5);
    buf.push(b'K');
    buf.extend_from_slice(eol);
}

fn put_row(buf: &mut Vec<u8>, form: Form, s: &Series, v: &Vals, driver: bool, eol: &[u8]) {
    buf.push(b' ');
    buf.extend_from_slice(&s.tag);
    buf.push(b' ');
    buf.extend_from_slice(s.pool.printed());
    match form {
        Form::Narrow | Form::Wide => {
            let w: [usize; 5] = if form == Form::Narrow {
                [9, 9, 8, 7, 6]
            } else {
                [18, 18, 16, 14, 12]
            };
            buf.push(b' ');
            put_u(buf, v.allocs, w[0]);
            buf.push(b' ');
            put_u(buf, v.frees, w[1]);
            buf.extend_from_slice(b"  ");
            put_i(buf, v.diff, w[2]);
            buf.push(b' ');
            put_u(buf, v.bytes, w[3]);
            buf.extend_from_slice(b"     ");
            put_u(buf, v.per_alloc, w[4]);
            buf.extend_from_slice(b"        ");
        }
        Form::Interactive => {
            buf.push(b' ');
            put_u(buf, v.allocs, 9);
            buf.extend_from_slice(b" (");
            put_i(buf, v.d_allocs, 4);
            buf.extend_from_slice(b") ");
            put_u(buf, v.frees, 9);
            buf.extend_from_slice(b" (");
            put_i(buf, v.d_frees, 4);
            buf.extend_from_slice(b") ");
            put_i(buf, v.diff, 8);
            buf.push(b' ');
            put_u(buf, v.bytes, 7);
            buf.extend_from_slice(b" (");
            put_i(buf, v.d_bytes, 6);
            buf.extend_from_slice(b") ");
            put_u(buf, v.per_alloc, 6);
            buf.push(b' ');
        }
    }
    if driver {
        buf.extend_from_slice(s.driver.as_bytes());
    }
    buf.extend_from_slice(eol);
}

fn widen(dst: &mut Vec<u8>, src: &[u8]) {
    dst.reserve(src.len() * 2);
    for &b in src {
        dst.push(b);
        dst.push(0);
    }
}

// ---------------------------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------------------------

fn run<W: Write>(
    cfg: &Config,
    w: &mut W,
    mut rows_out: Option<&mut Vec<TruthRow>>,
) -> io::Result<Truth> {
    let mut tl_rng = Rng::stream(cfg.seed, 1);
    let tl = timeline(cfg, &mut tl_rng);
    let ctx = Ctx::new(cfg, &tl);
    let mut struct_rng = Rng::stream(cfg.seed, 2);
    let fams = families_for(cfg, &mut struct_rng);
    let tags = match cfg.tag_seed {
        Some(t) => tags_and_pools(fams.len(), &mut Rng::stream(t, 2)),
        None => tags_and_pools(fams.len(), &mut struct_rng),
    };
    let sort_by_bytes = struct_rng.chance(0.3);
    let tz = TIME_ZONES[struct_rng.below(TIME_ZONES.len())];
    let mut series: Vec<Series> = fams
        .iter()
        .zip(tags)
        .enumerate()
        .map(|(i, (&f, t))| Series::new(cfg.seed, i, f, t, &ctx))
        .collect();
    let mut machine = Machine::new(cfg.seed);

    let truth_series: Vec<TruthSeries> = series
        .iter()
        .map(|s| TruthSeries {
            tag: s.trimmed_tag(),
            pool: s.pool.name(),
            family: s.family,
            leak: s.family.is_leak(),
        })
        .collect();
    let trimmed: Vec<String> = truth_series.iter().map(|t| t.tag.clone()).collect();
    let mut tag_order: Vec<usize> = (0..series.len()).collect();
    tag_order.sort_by(|&a, &b| {
        (series[a].tag, series[a].pool, a).cmp(&(series[b].tag, series[b].pool, b))
    });

    let eol = cfg.line_ending.bytes();
    let interactive = cfg.form == Form::Interactive;
    let header: Vec<u8> = match (cfg.form, cfg.driver) {
        (Form::Narrow, d) => [NARROW_HDR, if d { NARROW_DRV } else { b"" }].concat(),
        (Form::Wide, d) => [WIDE_HDR, if d { WIDE_DRV } else { b"" }].concat(),
        (Form::Interactive, false) => INTER_HDR.to_vec(),
        (Form::Interactive, true) => INTER_HDR_DRV.to_vec(),
    };

    match cfg.encoding {
        Encoding::Utf16Le => w.write_all(&[0xFF, 0xFE])?,
        Encoding::Utf8Bom => w.write_all(&[0xEF, 0xBB, 0xBF])?,
        Encoding::Ascii | Encoding::MixedUtf16 => {}
    }

    let mut times = Vec::with_capacity(cfg.snapshots);
    let mut body: Vec<u8> = Vec::with_capacity(1 << 16);
    let mut stamp: Vec<u8> = Vec::with_capacity(256);
    let mut wide: Vec<u8> = Vec::new();
    let mut vals: Vec<Vals> = Vec::with_capacity(series.len());
    let mut order: Vec<usize> = Vec::with_capacity(series.len());
    let mut pos: Vec<usize> = Vec::with_capacity(series.len());

    for i in 0..cfg.snapshots {
        let e = tl.epoch_of[i] as usize;
        let ep = &tl.epochs[e];
        let k = i - ep.start;
        let t = tl.cs[i] as f64 / 100.0;
        let dt = if i == 0 {
            0.0
        } else {
            (tl.cs[i] - tl.cs[i - 1]) as f64 / 100.0
        };
        let when = cfg
            .start
            .checked_add_signed(TimeDelta::milliseconds(tl.cs[i] * 10))
            .unwrap_or(cfg.start);

        vals.clear();
        let (mut n_bytes, mut p_bytes) = (0u64, 0u64);
        for (idx, s) in series.iter_mut().enumerate() {
            if let Some(mut v) = s.step(i, k, ep, t, dt) {
                v.series = idx;
                match s.pool {
                    Pool::Nonpaged => n_bytes += v.bytes,
                    Pool::Paged => p_bytes += v.bytes,
                }
                vals.push(v);
            }
        }
        let kib = |b: u64| (b + 512) / 1024;
        let summary = machine.snapshot(k, ep, dt, (kib(n_bytes), kib(p_bytes)), interactive);

        // Row order: by tag (poolmon /t) or by bytes descending (/b).
        order.clear();
        if sort_by_bytes {
            order.extend(0..vals.len());
            order.sort_by(|&a, &b| {
                let (va, vb) = (&vals[a], &vals[b]);
                vb.bytes
                    .cmp(&va.bytes)
                    .then_with(|| series[va.series].tag.cmp(&series[vb.series].tag))
                    .then_with(|| va.series.cmp(&vb.series))
            });
        } else {
            // vals are in series order; map series → position.
            pos.clear();
            pos.resize(series.len(), usize::MAX);
            for (j, v) in vals.iter().enumerate() {
                pos[v.series] = j;
            }
            order.extend(
                tag_order
                    .iter()
                    .map(|&s| pos[s])
                    .filter(|&j| j != usize::MAX),
            );
        }

        // Stamp.
        stamp.clear();
        let meant = put_stamp(&mut stamp, cfg.stamp, when, eol, tz);
        times.push(meant);

        // Body.
        body.clear();
        if interactive {
            if cfg.summary {
                put_summary(&mut body, &summary, eol);
            }
            body.extend_from_slice(TITLE);
            body.extend_from_slice(eol);
        } else {
            body.extend_from_slice(eol);
            if cfg.summary {
                put_summary(&mut body, &summary, eol);
                body.extend_from_slice(eol);
            }
        }
        body.extend_from_slice(&header);
        body.extend_from_slice(eol);
        body.extend_from_slice(eol);
        for &j in &order {
            let v = &vals[j];
            let s = &series[v.series];
            put_row(&mut body, cfg.form, s, v, cfg.driver, eol);
            if let Some(rows) = rows_out.as_deref_mut() {
                rows.push(TruthRow {
                    snapshot: i as u32,
                    tag: trimmed[v.series].clone(),
                    pool: s.pool.name(),
                    allocs: v.allocs,
                    frees: v.frees,
                    diff: v.diff,
                    bytes: v.bytes,
                    per_alloc: v.per_alloc,
                });
            }
        }
        if interactive {
            body.extend_from_slice(eol); // pasted screens are separated by a blank line
        }

        match cfg.encoding {
            Encoding::Ascii | Encoding::Utf8Bom => {
                w.write_all(&stamp)?;
                w.write_all(&body)?;
            }
            Encoding::Utf16Le => {
                wide.clear();
                widen(&mut wide, &stamp);
                widen(&mut wide, &body);
                w.write_all(&wide)?;
            }
            Encoding::MixedUtf16 => {
                if !stamp.is_empty() {
                    wide.clear();
                    wide.extend_from_slice(&[0xFF, 0xFE]);
                    widen(&mut wide, &stamp);
                    w.write_all(&wide)?;
                }
                w.write_all(&body)?;
            }
        }
    }

    Ok(Truth {
        series: truth_series,
        times,
        epochs: tl.epoch_of.clone(),
        rows: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg_with(families: Vec<Family>, seed: u64, n: usize) -> Config {
        Config {
            seed,
            snapshots: n,
            series: families.len(),
            families: Some(families),
            gap_prob: 0.0,
            ..Config::default()
        }
    }

    /// Diff values and times (seconds) of each series, keyed by series index.
    fn per_series(truth: &Truth) -> Vec<(Vec<f64>, Vec<f64>, Vec<u32>)> {
        let t0 = truth.times[0];
        truth
            .series
            .iter()
            .map(|s| {
                let rows: Vec<&TruthRow> = truth
                    .rows
                    .iter()
                    .filter(|r| r.tag == s.tag && r.pool == s.pool)
                    .collect();
                let d = rows.iter().map(|r| r.diff as f64).collect();
                let t = rows
                    .iter()
                    .map(|r| {
                        (truth.times[r.snapshot as usize] - t0).num_milliseconds() as f64 / 1e3
                    })
                    .collect();
                let snaps = rows.iter().map(|r| r.snapshot).collect();
                (d, t, snaps)
            })
            .collect()
    }

    fn mean(v: &[f64]) -> f64 {
        v.iter().sum::<f64>() / v.len().max(1) as f64
    }

    fn sd(v: &[f64]) -> f64 {
        let m = mean(v);
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len().max(2) - 1) as f64).sqrt()
    }

    /// (fitted growth over the span, residual sd) of a least-squares line.
    fn fit(y: &[f64], t: &[f64]) -> (f64, f64) {
        let (my, mt) = (mean(y), mean(t));
        let sxx: f64 = t.iter().map(|x| (x - mt).powi(2)).sum();
        let sxy: f64 = t.iter().zip(y).map(|(x, y)| (x - mt) * (y - my)).sum();
        let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
        let res: Vec<f64> = t
            .iter()
            .zip(y)
            .map(|(x, y)| y - (my + slope * (x - mt)))
            .collect();
        let span = t.last().unwrap_or(&0.0) - t.first().unwrap_or(&0.0);
        (slope * span, sd(&res))
    }

    fn thirds(v: &[f64]) -> (&[f64], &[f64], &[f64]) {
        let n = v.len() / 3;
        (&v[..n], &v[n..v.len() - n], &v[v.len() - n..])
    }

    /// Runs `check` on every series of `fam` over several seeds.
    fn check_family(fam: Family, check: impl Fn(&[f64], &[f64], &[u32], u64)) {
        let hi: u64 = std::env::var("SYNTH_SEEDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(12);
        for seed in 1..=hi {
            let (_, truth) = generate(&cfg_with(vec![fam; 5], seed, 60));
            for (d, t, s) in per_series(&truth) {
                check(&d, &t, &s, seed);
            }
        }
    }

    #[test]
    fn rng_normal_moments() {
        let mut rng = Rng::new(42);
        let z: Vec<f64> = (0..200_000).map(|_| rng.normal()).collect();
        let m = mean(&z);
        let v = sd(&z).powi(2);
        let lag1: f64 = z.windows(2).map(|w| w[0] * w[1]).sum::<f64>() / z.len() as f64;
        assert!(
            m.abs() < 0.01 && (v - 1.0).abs() < 0.02 && lag1.abs() < 0.01,
            "{m} {v} {lag1}"
        );
        let u: Vec<f64> = (0..100_000).map(|_| rng.f64()).collect();
        assert!(u.iter().all(|&x| (0.0..1.0).contains(&x)));
        assert!((mean(&u) - 0.5).abs() < 0.01);
    }

    #[test]
    fn same_seed_same_bytes() {
        let cfg = Config {
            reboots: 2,
            driver: true,
            ..Config::default()
        };
        let (a, ta) = generate(&cfg);
        let (b, tb) = generate(&cfg);
        assert_eq!(a, b);
        assert_eq!(ta, tb);
        let mut c = Vec::new();
        let tc = write_log(&cfg, &mut c).unwrap();
        assert_eq!(a, c, "streaming and in-memory output differ");
        assert_eq!(ta.series, tc.series);
        assert_eq!(ta.times, tc.times);
        assert!(tc.rows.is_empty());
        let (d, _) = generate(&Config { seed: 2, ..cfg });
        assert_ne!(a, d);
    }

    #[test]
    fn counters_consistent_within_epochs() {
        for seed in 1..=6 {
            let cfg = Config {
                seed,
                snapshots: 80,
                reboots: (seed % 4) as usize,
                gap_prob: 0.1,
                leak_share: 0.4,
                ..Config::default()
            };
            let (_, truth) = generate(&cfg);
            let epochs_seen = truth.epochs.last().copied().unwrap_or(0) as usize;
            assert_eq!(epochs_seen, cfg.reboots);
            for r in &truth.rows {
                assert_eq!(r.frees as i64, r.allocs as i64 - r.diff, "{r:?}");
                assert!(r.diff >= 0);
                let want = if r.diff > 0 {
                    r.bytes / r.diff as u64
                } else {
                    r.bytes
                };
                assert_eq!(r.per_alloc, want, "{r:?}");
                if r.diff == 0 {
                    assert_eq!(r.bytes, 0);
                }
            }
            let mut last: std::collections::HashMap<(String, &str), &TruthRow> =
                std::collections::HashMap::new();
            let mut resets = 0;
            for r in &truth.rows {
                if let Some(p) = last.get(&(r.tag.clone(), r.pool)) {
                    let same_epoch =
                        truth.epochs[p.snapshot as usize] == truth.epochs[r.snapshot as usize];
                    if same_epoch {
                        assert!(r.allocs >= p.allocs && r.frees >= p.frees, "{p:?} -> {r:?}");
                    } else if r.allocs < p.allocs {
                        resets += 1;
                    }
                }
                last.insert((r.tag.clone(), r.pool), r);
            }
            if cfg.reboots > 0 {
                assert!(resets > 0, "counters never restarted after a reboot");
            }
        }
    }

    #[test]
    fn epochs_and_times() {
        let cfg = Config {
            snapshots: 50,
            reboots: 3,
            gap_prob: 0.2,
            ..Config::default()
        };
        let (_, truth) = generate(&cfg);
        assert_eq!(truth.times.len(), 50);
        assert_eq!(truth.epochs.len(), 50);
        assert_eq!(truth.times[0], cfg.start);
        assert!(truth.times.windows(2).all(|w| w[1] > w[0]));
        assert!(truth
            .epochs
            .windows(2)
            .all(|w| w[1] == w[0] || w[1] == w[0] + 1));
        assert_eq!(truth.epochs[49], 3);
        // Intervals stay within jitter, gaps (≤ 10×) and reboot downtime.
        for w in truth.times.windows(2) {
            let s = (w[1] - w[0]).num_milliseconds() as f64 / 1e3;
            assert!(
                (600.0 * 0.8 - 0.01..=600.0 * 1.2 * 10.0 + 360.0).contains(&s),
                "{s}"
            );
        }
    }

    #[test]
    fn leak_share_and_families() {
        let (_, truth) = generate(&Config::default());
        assert_eq!(truth.series.len(), 60);
        assert_eq!(truth.series.iter().filter(|s| s.leak).count(), 6);
        let fams = vec![Family::Steady, Family::Periodic, Family::Draining];
        let cfg = Config {
            families: Some(fams.clone()),
            series: 10,
            ..Config::default()
        };
        let (_, truth) = generate(&cfg);
        assert_eq!(truth.series.len(), 10);
        for (s, f) in truth.series.iter().zip(&fams) {
            assert_eq!(s.family, *f);
        }
        for s in &truth.series[3..] {
            assert!(matches!(s.family, Family::Flat | Family::BigNoisy));
            assert!(!s.leak);
        }
        let (_, truth) = generate(&Config { series: 1, ..cfg });
        assert_eq!(truth.series.len(), 3);
    }

    #[test]
    fn family_names_round_trip() {
        let all: Vec<Family> = Family::LEAKS
            .iter()
            .chain(&Family::NON_LEAKS)
            .copied()
            .collect();
        assert_eq!(all.len(), 16);
        for f in all {
            assert_eq!(Family::from_name(f.name()), Some(f));
            assert_eq!(f.is_leak(), Family::LEAKS.contains(&f));
        }
        assert_eq!(
            Family::from_name("Leak-On-Sawtooth"),
            Some(Family::LeakOnSawtooth)
        );
        assert_eq!(Family::from_name("nope"), None);
    }

    #[test]
    fn tags_pools_and_sorting() {
        let mut by_bytes = 0;
        let mut by_tag = 0;
        for seed in 1..=20 {
            let (_, truth) = generate(&Config {
                seed,
                snapshots: 3,
                ..Config::default()
            });
            let mut keys = std::collections::HashSet::new();
            for s in &truth.series {
                assert!(keys.insert((s.tag.clone(), s.pool)), "duplicate {s:?}");
                assert!(!s.tag.is_empty() && s.tag.len() <= 4);
            }
            let tags: Vec<&str> = truth.series.iter().map(|s| s.tag.as_str()).collect();
            for special in ["Dh 1", "Io", "CM", "8042", "NtFs", "NtFS"] {
                assert!(tags.contains(&special), "{special} missing");
            }
            let dual = truth
                .series
                .iter()
                .filter(|s| s.pool == "Paged" && keys.contains(&(s.tag.clone(), "Nonpaged")))
                .count();
            assert!(dual > 0, "no tag in both pools");
            let nonpaged = truth.series.iter().filter(|s| s.pool == "Nonpaged").count();
            assert!((24..=48).contains(&nonpaged), "{nonpaged} nonpaged of 60");
            let first: Vec<&TruthRow> = truth.rows.iter().filter(|r| r.snapshot == 0).collect();
            let pad = |t: &str| format!("{t:<4}");
            if first.windows(2).all(|w| pad(&w[0].tag) <= pad(&w[1].tag)) {
                by_tag += 1;
            } else {
                assert!(first.windows(2).all(|w| w[0].bytes >= w[1].bytes));
                by_bytes += 1;
            }
        }
        assert!(by_tag > 0 && by_bytes > 0, "tag {by_tag}, bytes {by_bytes}");
    }

    fn expected_row(r: &TruthRow, form: Form, prev: Option<&TruthRow>) -> String {
        let ty = if r.pool == "Paged" { "Paged" } else { "Nonp " };
        let tag = format!("{:<4}", r.tag);
        match form {
            Form::Narrow => format!(
                " {tag} {ty} {:>9} {:>9}  {:>8} {:>7}     {:>6}        ",
                r.allocs, r.frees, r.diff, r.bytes, r.per_alloc
            ),
            Form::Wide => format!(
                " {tag} {ty} {:>18} {:>18}  {:>16} {:>14}     {:>12}        ",
                r.allocs, r.frees, r.diff, r.bytes, r.per_alloc
            ),
            Form::Interactive => {
                let (da, df, db) = prev.map_or((0, 0, 0), |p| {
                    (
                        r.allocs as i64 - p.allocs as i64,
                        r.frees as i64 - p.frees as i64,
                        r.bytes as i64 - p.bytes as i64,
                    )
                });
                format!(
                    " {tag} {ty} {:>9} ({:>4}) {:>9} ({:>4}) {:>8} {:>7} ({:>6}) {:>6} ",
                    r.allocs, da, r.frees, df, r.diff, r.bytes, db, r.per_alloc
                )
            }
        }
    }

    #[test]
    fn rows_match_printf_layouts() {
        for form in [Form::Narrow, Form::Wide, Form::Interactive] {
            let cfg = Config {
                form,
                snapshots: 6,
                series: 30,
                stamp: StampStyle::None,
                line_ending: LineEnding::Lf,
                ..Config::default()
            };
            let (bytes, truth) = generate(&cfg);
            let text = String::from_utf8(bytes).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            let row_lines: Vec<&str> = lines
                .iter()
                .copied()
                .filter(|l| l.contains(" Nonp ") || l.contains(" Paged "))
                .collect();
            assert_eq!(row_lines.len(), truth.rows.len());
            let mut prev: std::collections::HashMap<(String, &str), &TruthRow> =
                std::collections::HashMap::new();
            for (line, r) in row_lines.iter().zip(&truth.rows) {
                let zero = TruthRow {
                    allocs: 0,
                    frees: 0,
                    bytes: 0,
                    ..r.clone()
                };
                let p = if r.snapshot == 0 {
                    Some(r) // a fresh screen shows zero deltas
                } else {
                    // A tag absent from the previous screen counts from zero.
                    Some(prev.get(&(r.tag.clone(), r.pool)).copied().unwrap_or(&zero))
                };
                assert_eq!(*line, expected_row(r, form, p));
                prev.insert((r.tag.clone(), r.pool), r);
            }
            let hdr = match form {
                Form::Narrow => NARROW_HDR,
                Form::Wide => WIDE_HDR,
                Form::Interactive => INTER_HDR,
            };
            let n_hdr = lines.iter().filter(|l| l.as_bytes() == hdr).count();
            assert_eq!(n_hdr, 6);
            let titles = lines.iter().filter(|l| l.as_bytes() == TITLE).count();
            assert_eq!(titles, if form == Form::Interactive { 6 } else { 0 });
        }
    }

    #[test]
    fn snapshot_structure_and_summary() {
        let cfg = Config {
            snapshots: 4,
            series: 20,
            stamp: StampStyle::None,
            line_ending: LineEnding::Lf,
            ..Config::default()
        };
        let (bytes, truth) = generate(&cfg);
        let text = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // First snapshot: empty line, Memory, Commit, empty, header, empty, rows.
        assert_eq!(lines[0], "");
        assert!(lines[1].starts_with(" Memory:") && lines[1].ends_with('K'));
        assert!(lines[2].starts_with(" Commit:") && lines[2].contains("            Pool N:"));
        assert_eq!(lines[3], "");
        assert_eq!(lines[4].as_bytes(), NARROW_HDR);
        assert_eq!(lines[5], "");
        let commits: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| l.starts_with(" Commit:"))
            .collect();
        assert_eq!(commits.len(), 4);
        for (snap, line) in commits.iter().enumerate() {
            let rows = truth.rows.iter().filter(|r| r.snapshot == snap as u32);
            let (mut n, mut p) = (0u64, 0u64);
            for r in rows {
                if r.pool == "Paged" {
                    p += r.bytes;
                } else {
                    n += r.bytes;
                }
            }
            let want = format!("Pool N:{:>5}K P:{:>5}K", (n + 512) / 1024, (p + 512) / 1024);
            assert!(line.ends_with(&want), "{line} vs {want}");
        }
        // Without /r: the header follows the empty line directly; with /g: driver text.
        let (bytes, _) = generate(&Config {
            summary: false,
            driver: true,
            ..cfg
        });
        let text = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "");
        assert_eq!(
            lines[1],
            format!(
                "{}    Mapped_Driver",
                std::str::from_utf8(NARROW_HDR).unwrap()
            )
        );
        assert!(lines[3].ends_with(']') || lines[3].ends_with("Unknown Driver"));
        assert!(lines[3].contains("        [") || lines[3].contains("        Unknown Driver"));
    }

    #[test]
    fn every_style_produces_output() {
        let forms = [Form::Narrow, Form::Wide, Form::Interactive];
        let stamps = [
            StampStyle::None,
            StampStyle::UsCmd,
            StampStyle::DayFirstMarker,
            StampStyle::Clue,
            StampStyle::PowerShell,
            StampStyle::Iso,
        ];
        let encs = [
            Encoding::Ascii,
            Encoding::Utf16Le,
            Encoding::MixedUtf16,
            Encoding::Utf8Bom,
        ];
        let eols = [LineEnding::Crlf, LineEnding::Lf, LineEnding::Cr];
        for form in forms {
            for stamp in stamps {
                for encoding in encs {
                    for line_ending in eols {
                        for driver in [false, true] {
                            let cfg = Config {
                                form,
                                stamp,
                                encoding,
                                line_ending,
                                driver,
                                snapshots: 3,
                                series: 8,
                                ..Config::default()
                            };
                            let (b, truth) = generate(&cfg);
                            assert!(!b.is_empty());
                            assert_eq!(truth.times.len(), 3);
                            let has_nul = b.contains(&0);
                            match encoding {
                                Encoding::Utf16Le => {
                                    assert_eq!(&b[..2], &[0xFF, 0xFE]);
                                    assert!(b[2..].chunks(2).all(|c| c.len() == 2 && c[1] == 0));
                                }
                                Encoding::MixedUtf16 => {
                                    let stamped = stamp != StampStyle::None;
                                    assert_eq!(has_nul, stamped);
                                    assert_eq!(b.starts_with(&[0xFF, 0xFE]), stamped);
                                    assert!(rfind(&b, b"Tag  Type").is_some());
                                }
                                Encoding::Utf8Bom => {
                                    assert!(b.starts_with(&[0xEF, 0xBB, 0xBF]));
                                    assert!(!has_nul);
                                }
                                Encoding::Ascii => assert!(!has_nul && b.is_ascii()),
                            }
                            let ascii: Vec<u8> = b.iter().copied().filter(|&c| c != 0).collect();
                            match line_ending {
                                LineEnding::Crlf => {
                                    let lf = ascii.iter().filter(|&&c| c == b'\n').count();
                                    let crlf = ascii.windows(2).filter(|w| w == b"\r\n").count();
                                    assert_eq!(lf, crlf);
                                }
                                LineEnding::Lf => assert!(!ascii.contains(&b'\r')),
                                LineEnding::Cr => assert!(!ascii.contains(&b'\n')),
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn stamps_print_the_recorded_times() {
        let start = NaiveDate::from_ymd_opt(2026, 11, 25)
            .unwrap()
            .and_hms_opt(23, 18, 56)
            .unwrap();
        let cases = [
            (StampStyle::UsCmd, "Wed 11/25/2026 23:18:56.00"),
            (StampStyle::DayFirstMarker, "===== 25/11/2026 23:18:56.00 ====="),
            (
                StampStyle::Clue,
                "2026.11.25-23:18:56 W. Europe Standard Time (local time of the PC where this was collected)",
            ),
            (StampStyle::PowerShell, "\nWednesday, November 25, 2026 11:18:56 PM\n\n"),
            (StampStyle::Iso, "2026-11-25T23:18:56"),
        ];
        for (style, want) in cases {
            let mut buf = Vec::new();
            let t = put_stamp(&mut buf, style, start, b"\n", "W. Europe Standard Time");
            assert_eq!(t, start);
            let got = String::from_utf8(buf).unwrap();
            assert_eq!(got.trim_end_matches('\n'), want.trim_end_matches('\n'));
        }
        // Space-padded cmd hour, centiseconds, and 12-hour clock.
        let t = NaiveDate::from_ymd_opt(2026, 1, 2)
            .unwrap()
            .and_hms_milli_opt(9, 5, 7, 129)
            .unwrap();
        let mut buf = Vec::new();
        let meant = put_stamp(&mut buf, StampStyle::UsCmd, t, b"\n", "");
        assert_eq!(buf, b"Fri 01/02/2026  9:05:07.12\n");
        assert_eq!(meant, t.with_nanosecond(120_000_000).unwrap());
        let mut buf = Vec::new();
        let meant = put_stamp(&mut buf, StampStyle::PowerShell, t, b"\n", "");
        assert_eq!(buf, b"\nFriday, January 2, 2026 9:05:07 AM\n\n");
        assert_eq!(meant, t.with_nanosecond(0).unwrap());
        // Truth times agree with the printed stamps.
        let cfg = Config {
            snapshots: 10,
            stamp: StampStyle::Iso,
            line_ending: LineEnding::Lf,
            ..Config::default()
        };
        let (b, truth) = generate(&cfg);
        let text = String::from_utf8(b).unwrap();
        let printed: Vec<String> = text
            .lines()
            .filter(|l| l.starts_with("2026-"))
            .map(str::to_string)
            .collect();
        let want: Vec<String> = truth
            .times
            .iter()
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string())
            .collect();
        assert_eq!(printed, want);
        assert!(truth.times.iter().all(|t| t.nanosecond() == 0));
    }

    #[test]
    fn interactive_deltas_and_pagefaults() {
        let cfg = Config {
            form: Form::Interactive,
            snapshots: 5,
            series: 10,
            stamp: StampStyle::None,
            line_ending: LineEnding::Lf,
            ..Config::default()
        };
        let (b, _) = generate(&cfg);
        let text = String::from_utf8(b).unwrap();
        assert!(text.contains(" System pool information\n Tag  Type"));
        let nonzero = text
            .lines()
            .filter(|l| l.contains(" Nonp ") || l.contains(" Paged "))
            .filter(|l| !l.contains("(   0)"))
            .count();
        assert!(nonzero > 0, "deltas never change");
        for l in text.lines().filter(|l| l.starts_with(" Memory:")) {
            let pf: u64 = l
                .split("PageFlts:")
                .nth(1)
                .unwrap()
                .split_whitespace()
                .next()
                .unwrap()
                .parse()
                .unwrap();
            assert!(
                pf < 1000,
                "interactive PageFlts is a per-refresh count: {pf}"
            );
        }
    }

    #[test]
    fn truncate_last_cuts_mid_line() {
        for encoding in [Encoding::Ascii, Encoding::Utf16Le, Encoding::MixedUtf16] {
            for form in [Form::Narrow, Form::Interactive] {
                let cfg = Config {
                    encoding,
                    form,
                    snapshots: 4,
                    series: 12,
                    ..Config::default()
                };
                let (full, truth) = generate(&cfg);
                let mut cut = full.clone();
                truncate_last(&mut cut);
                assert!(cut.len() < full.len());
                assert_eq!(&full[..cut.len()], &cut[..]);
                let text: Vec<u8> = cut.iter().copied().filter(|&c| c != 0).collect();
                let last_line = text.rsplit(|&c| c == b'\n' || c == b'\r').next().unwrap();
                assert!(!last_line.is_empty(), "cut at a line boundary");
                assert!(!last_line.ends_with(b" "), "cut inside the trailing spaces");
                let s = String::from_utf8_lossy(last_line);
                assert!(s.starts_with(' '), "{s:?}");
                // The cut is in the last snapshot: no complete row of it is missing before it.
                let last_snap = truth.rows.iter().filter(|r| r.snapshot == 3).count();
                let rows_total = truth.rows.len();
                let text = String::from_utf8_lossy(&text).to_string();
                let complete = text
                    .lines()
                    .filter(|l| l.contains(" Nonp ") || l.contains(" Paged "))
                    .count();
                assert!(complete >= rows_total - last_snap && complete < rows_total);
                if encoding == Encoding::Utf16Le {
                    assert_eq!(cut.len() % 2, 0);
                }
            }
        }
        let mut v = b"no header here".to_vec();
        truncate_last(&mut v);
        assert_eq!(v.len(), 7 & !1);
    }

    #[test]
    fn truth_tsv_lines() {
        let (_, truth) = generate(&Config {
            snapshots: 2,
            ..Config::default()
        });
        let tsv = truth_tsv(&truth);
        let mut lines = tsv.lines();
        assert_eq!(lines.next(), Some("tag\tpool\tfamily\tleak"));
        assert_eq!(lines.clone().count(), 60);
        for (l, s) in lines.zip(&truth.series) {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(
                f,
                [
                    s.tag.as_str(),
                    s.pool,
                    s.family.name(),
                    if s.leak { "1" } else { "0" }
                ]
            );
        }
    }

    #[test]
    fn bytes_not_always_exact_multiples() {
        let (_, truth) = generate(&Config::default());
        let inexact = truth
            .rows
            .iter()
            .filter(|r| r.diff > 0 && r.bytes % r.diff as u64 != 0)
            .count();
        assert!(inexact > 0 && inexact < truth.rows.len());
    }

    // ---- family shapes ----

    #[test]
    fn steady_grows_clearly() {
        check_family(Family::Steady, |d, t, _, seed| {
            let (g, res) = fit(d, t);
            assert!(g > 2.5 * res, "seed {seed}: growth {g} res {res}");
            let (a, _, c) = thirds(d);
            assert!(mean(c) > mean(a));
        });
    }

    #[test]
    fn slow_noisy_grows_under_noise() {
        check_family(Family::SlowNoisy, |d, t, _, seed| {
            let (g, res) = fit(d, t);
            assert!(
                g > 0.5 * res && g < 8.0 * res,
                "seed {seed}: growth {g} res {res}"
            );
        });
    }

    #[test]
    fn small_on_big_grows_a_few_percent() {
        check_family(Family::SmallOnBig, |d, t, _, seed| {
            let (g, res) = fit(d, t);
            let (a, _, _) = thirds(d);
            assert!(mean(a) > 1000.0);
            assert!(
                g > 0.025 * mean(a) && g > 3.5 * res,
                "seed {seed}: {g} {res}"
            );
        });
    }

    #[test]
    fn staircase_has_steps_that_stay() {
        check_family(Family::Staircase, |d, _, _, seed| {
            let deltas: Vec<f64> = d.windows(2).map(|w| w[1] - w[0]).collect();
            let mut abs: Vec<f64> = deltas.iter().map(|x| x.abs()).collect();
            abs.sort_by(f64::total_cmp);
            let typical = abs[abs.len() / 2].max(1.0);
            let jumps = deltas.iter().filter(|&&x| x > 3.0 * typical).count();
            assert!(jumps >= 3, "seed {seed}: {jumps} jumps, {d:?}");
            let (a, _, c) = thirds(d);
            assert!(mean(c) > d[0] + 4.0 * typical, "seed {seed}");
            let _ = a;
        });
    }

    #[test]
    fn late_start_is_flat_then_grows() {
        check_family(Family::LateStart, |d, t, _, seed| {
            let early = &d[..d.len() / 4];
            let late = &d[d.len() * 9 / 10..];
            let (g, res) = fit(early, &t[..early.len()]);
            assert!(g.abs() < 6.0 * res + 2.0, "seed {seed}: early growth {g}");
            assert!(
                mean(late) > mean(early) + 3.0 * sd(early) + 1.0,
                "seed {seed}: {d:?}"
            );
        });
    }

    #[test]
    fn leak_on_sawtooth_floor_rises() {
        check_family(Family::LeakOnSawtooth, |d, _, _, seed| {
            let (a, _, c) = thirds(d);
            let fmin = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
            assert!(fmin(c) > fmin(a), "seed {seed}: {d:?}");
        });
    }

    #[test]
    fn flat_and_big_noisy_stay_flat() {
        for fam in [Family::Flat, Family::BigNoisy] {
            check_family(fam, |d, t, _, seed| {
                let (g, res) = fit(d, t);
                let (a, _, c) = thirds(d);
                assert!(g.abs() < 3.0 * res + 2.0, "seed {seed}: {g} {res}");
                assert!(
                    (mean(c) - mean(a)).abs() < 0.08 * mean(a) + 2.0,
                    "seed {seed}"
                );
            });
        }
    }

    #[test]
    fn cache_plateau_last_third_flat() {
        check_family(Family::CachePlateau, |d, t, _, seed| {
            let (a, b, c) = thirds(d);
            let tc = &t[t.len() - c.len()..];
            let (g, res) = fit(c, tc);
            assert!(g.abs() < 4.0 * res + 2.0, "seed {seed}: {g} {res}");
            assert!(
                (mean(c) - mean(b)).abs() < 0.05 * mean(c) + 2.0,
                "seed {seed}"
            );
            assert!(d[0] < mean(c), "the cache warms up");
            let _ = a;
        });
    }

    #[test]
    fn sawtooth_floor_flat() {
        check_family(Family::Sawtooth, |d, _, _, seed| {
            let h = d.len() / 2;
            let fmin = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
            let fmax = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let range = fmax(d) - fmin(d);
            assert!(
                (fmin(&d[..h]) - fmin(&d[h..])).abs() < 0.25 * range + 1.0,
                "seed {seed}"
            );
            assert!(
                (fmax(&d[..h]) - fmax(&d[h..])).abs() < 0.25 * range + 1.0,
                "seed {seed}"
            );
        });
        // Some logs end on a peak.
        let mut peaks = 0;
        for seed in 1..=20 {
            let (_, truth) = generate(&cfg_with(vec![Family::Sawtooth; 5], seed, 60));
            for (d, _, _) in per_series(&truth) {
                let m = d.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let lo = d.iter().copied().fold(f64::INFINITY, f64::min);
                if d[d.len() - 1] > lo + 0.8 * (m - lo) {
                    peaks += 1;
                }
            }
        }
        assert!(peaks > 5, "{peaks}");
    }

    #[test]
    fn one_step_then_flat() {
        check_family(Family::OneStep, |d, t, _, seed| {
            let deltas: Vec<f64> = d.windows(2).map(|w| w[1] - w[0]).collect();
            let (j, big) = deltas
                .iter()
                .copied()
                .enumerate()
                .fold(
                    (0, f64::MIN),
                    |acc, (i, x)| if x > acc.1 { (i, x) } else { acc },
                );
            let before = &d[..=j];
            let after = &d[j + 1..];
            assert!(
                (d.len() / 6..=d.len() * 5 / 6).contains(&(j + 1)),
                "seed {seed}: step at {j}"
            );
            assert!(big > 4.0 * sd(before).max(sd(after)), "seed {seed}");
            let (g, res) = fit(after, &t[j + 1..]);
            assert!(g.abs() < 4.0 * res + 3.0, "seed {seed}: after {g} {res}");
        });
    }

    #[test]
    fn temp_step_goes_back_down() {
        check_family(Family::TempStep, |d, _, _, seed| {
            let n = d.len();
            let (first, last) = (mean(&d[..n / 10]), mean(&d[n - n / 10..]));
            let peak = d.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            assert!(peak - first > 5.0 * sd(&d[..n / 10]) + 5.0, "seed {seed}");
            assert!(
                (last - first).abs() < 0.2 * (peak - first),
                "seed {seed}: {d:?}"
            );
        });
    }

    #[test]
    fn appears_midway_absent_then_flat() {
        check_family(Family::AppearsMidway, |d, t, snaps, seed| {
            let first = snaps[0] as usize;
            assert!(
                (10..=38).contains(&first),
                "seed {seed}: appears at {first}"
            );
            assert_eq!(snaps.len(), 60 - first, "present until the end");
            let (g, res) = fit(d, t);
            assert!(g.abs() < 4.0 * res + 3.0, "seed {seed}: {g} {res}");
        });
    }

    #[test]
    fn periodic_has_two_periods() {
        check_family(Family::Periodic, |d, t, _, seed| {
            let m = mean(d);
            let signs: Vec<bool> = d.iter().filter(|&&x| x != m).map(|&x| x > m).collect();
            let crossings = signs.windows(2).filter(|w| w[0] != w[1]).count();
            assert!(crossings >= 4, "seed {seed}: {crossings} crossings");
            let h = d.len() / 2;
            let range = d.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                - d.iter().copied().fold(f64::INFINITY, f64::min);
            assert!(
                (mean(&d[..h]) - mean(&d[h..])).abs() < 0.3 * range,
                "seed {seed}"
            );
            let _ = t;
        });
    }

    #[test]
    fn random_walk_stays_bounded() {
        check_family(Family::RandomWalk, |d, _, _, seed| {
            let m = mean(d);
            assert!(
                d.iter().all(|x| (x - m).abs() < 0.6 * m + 2.0),
                "seed {seed}"
            );
            let m2 = d.len() / 2;
            assert!(sd(d) > 0.0);
            let _ = m2;
        });
    }

    #[test]
    fn draining_declines() {
        check_family(Family::Draining, |d, _, _, seed| {
            let (a, _, c) = thirds(d);
            assert!(mean(c) < mean(a) && d[d.len() - 1] < d[0], "seed {seed}");
        });
    }

    #[test]
    fn degenerate_configs_do_not_panic() {
        let base = Config::default();
        let cases = [
            Config {
                snapshots: 0,
                ..base.clone()
            },
            Config {
                snapshots: 1,
                reboots: 5,
                ..base.clone()
            },
            Config {
                snapshots: 2,
                reboots: 1,
                ..base.clone()
            },
            Config {
                series: 0,
                ..base.clone()
            },
            Config {
                series: 1,
                leak_share: 1.0,
                ..base.clone()
            },
            Config {
                interval_secs: 0,
                jitter: 3.0,
                gap_prob: 1.0,
                leak_share: 7.0,
                ..base.clone()
            },
            Config {
                families: Some(Vec::new()),
                series: 0,
                ..base.clone()
            },
            Config {
                families: Some(
                    Family::LEAKS
                        .iter()
                        .chain(&Family::NON_LEAKS)
                        .copied()
                        .collect(),
                ),
                snapshots: 3,
                reboots: 2,
                ..base.clone()
            },
        ];
        for cfg in cases {
            let (b, truth) = generate(&cfg);
            assert_eq!(truth.times.len(), cfg.snapshots);
            assert_eq!(truth.epochs.len(), cfg.snapshots);
            assert_eq!(b.is_empty(), cfg.snapshots == 0);
            let mut c = b.clone();
            truncate_last(&mut c);
            assert!(c.len() <= b.len());
        }
    }

    #[test]
    fn reboots_restart_leaks_and_caches() {
        let cfg = Config {
            reboots: 1,
            snapshots: 80,
            gap_prob: 0.0,
            ..cfg_with(vec![Family::Steady, Family::CachePlateau], 9, 80)
        };
        let (_, truth) = generate(&cfg);
        let boot = truth.epochs.iter().position(|&e| e == 1).unwrap();
        let series = per_series(&truth);
        for (d, _, _) in &series {
            assert!(d[boot] < d[boot - 1], "value did not restart at the reboot");
        }
    }
}
