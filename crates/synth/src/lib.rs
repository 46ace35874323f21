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
//! # Machine logs
//!
//! [`generate_machine`] writes logs that look like a real machine's `poolmon -b -r -n` capture:
//! 300 to 3,000 `(tag, pool)` series with heavy-tailed sizes (a few tags of hundreds of MiB,
//! most of KiB), rows sorted by bytes in every snapshot, drivers loaded and unloaded midway,
//! mostly healthy tags ([`MachineFamily::HEALTHY`]: static, flat, wandering, daily, caches,
//! churn, steps, sawtooth) and a configurable number of planted leaks
//! ([`MachineFamily::LEAKS`], each growing 256 KiB to 48 MiB), labelled in a [`MachineTruth`].
//!
//! # Example
//!
//! ```
//! use poolscan_synth::{generate, truth_tsv, Config, Family, Form};
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

mod fleet;
mod machine;
mod rng;
mod series;
mod text;
mod timeline;

pub use fleet::*;
pub use machine::*;
use rng::*;
use series::*;
use text::*;
use timeline::*;

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
        let Moment {
            ep, k, t, dt, when, ..
        } = tl.at(i, cfg.start);

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
mod tests;
