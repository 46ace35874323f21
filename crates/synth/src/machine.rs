//! Logs that look like a real machine: hundreds to thousands of `(tag, pool)` series with
//! heavy-tailed sizes, printed sorted by bytes as `poolmon -b` prints them; most series are
//! healthy (static, flat, wandering, daily, caches, churn, steps, sawtooth, drivers loaded and
//! unloaded), a few are planted leaks.
//!
//! One concern (the machine-like generator: its families, their parameters and the writer),
//! so one file, longer than the others.
//!
//! Levels are drawn in bytes (log-normal around 16 KiB with σ = 2 in log units, plus a few big
//! tags of 24–640 MiB), object sizes log-uniform from 16 B to 64 KiB (at most a quarter of the
//! level), and `Diff = level / size`. Time constants are in real time (seconds): a daily cycle
//! is 24 h whatever the snapshot interval, a cache warms over hours (but flattens within the
//! capture), a wandering tag moves 1–10 % of its level per nominal interval (scaled by
//! `√(Δt / interval)` over gaps).

use super::*;

const KIB: f64 = 1024.0;
const MIB: f64 = 1024.0 * 1024.0;
const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;

/// The least growth of a planted leak within the longest boot epoch, in bytes (256 KiB).
pub const MIN_LEAK_GROWTH: u64 = 256 * 1024;
/// The most a planted leak is drawn to grow (48 MiB; small-on-big leaks stay below it too).
pub const MAX_LEAK_GROWTH: u64 = 48 * 1024 * 1024;

/// The shape of one series of a [`generate_machine`] log: seven leak families and eleven
/// healthy ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MachineFamily {
    /// Leak: linear growth G on a level of G/20 to 20·G, noise 1–5 % of the level and at most G/4.
    LeakLinear,
    /// Leak: slow growth under heavy noise: noise 4–15 % of the level, G / noise sd 2–4; i.i.d.
    /// or AR(1) noise (φ 0.3–0.8).
    LeakNoisy,
    /// Leak: a sawtooth (period 10 min–6 h, at least 3 intervals and 2 cycles) whose floor
    /// rises by G; the amplitude is G/3 to 3·G.
    LeakOnSawtooth,
    /// Leak: a churning tag (hundreds to thousands of allocations a second) that keeps
    /// 0.01–1 % of them.
    LeakOnChurn,
    /// Leak: 3–12 bursts of work (one per equal stratum of each epoch), each leaving a step up;
    /// the steps add up to G.
    LeakStaircase,
    /// Leak: flat for 30–70 % of the capture, then linear to G.
    LeakLate,
    /// Leak: 0.3–5 % growth of a tag of 64–640 MiB, its noise 0.05–0.5 % of the level and at
    /// most G/3.
    LeakSmallOnBig,
    /// Healthy: allocated once (at boot or driver load) and never touched again.
    Static,
    /// Healthy: flat, i.i.d. noise 1–10 % of the level.
    Flat,
    /// Healthy: random walk reflected between bounds ±15–60 % of the level, moves 1–10 % of the
    /// level per interval.
    Walk,
    /// Healthy: mean-reverting AR(1) around the level, φ 0.9–0.995 per interval, moves 1–10 % of
    /// the level per interval (stationary sd at most 60 % of the level).
    MeanRevert,
    /// Healthy: 24 h cycle, amplitude 5–50 % of the level, plus noise 0.5–3 %.
    Daily,
    /// Healthy: a cache that warms from a cold level by 20–300 %, starting between 10 % of
    /// the capture before its first snapshot and 30 % into it (time constant 0.5–8 h, at most
    /// a third of the time left to 90 % of the capture, so that it is 95 % warm by then and
    /// flat at the end; it re-warms from boot after a reboot).
    CacheWarm,
    /// Healthy: high allocation and free rate (100–20 000 a second) around a steady level.
    Churn,
    /// Healthy: one to three level shifts of 10–200 % (up) or 10–60 % (down), permanent or
    /// temporary; never only permanent steps up when there are several.
    Step,
    /// Healthy: periodic build-up of 10–300 % of the floor and release (period 10 min–6 h,
    /// ±20 % jitter).
    Sawtooth,
    /// Healthy: a driver loaded at 15–85 % of the capture: absent before, flat after.
    Appears,
    /// Healthy: a driver unloaded at 15–85 % of the capture: its row either disappears or
    /// drops to zero.
    Vanishes,
}

impl MachineFamily {
    /// The leak families, in the order [`generate_machine`] cycles through them.
    pub const LEAKS: [MachineFamily; 7] = [
        MachineFamily::LeakLinear,
        MachineFamily::LeakNoisy,
        MachineFamily::LeakOnSawtooth,
        MachineFamily::LeakOnChurn,
        MachineFamily::LeakStaircase,
        MachineFamily::LeakLate,
        MachineFamily::LeakSmallOnBig,
    ];

    /// The healthy families with their share of the healthy series, in percent.
    pub const HEALTHY: [(MachineFamily, u32); 11] = [
        (MachineFamily::Static, 14),
        (MachineFamily::Flat, 30),
        (MachineFamily::Walk, 8),
        (MachineFamily::MeanRevert, 8),
        (MachineFamily::Daily, 7),
        (MachineFamily::CacheWarm, 6),
        (MachineFamily::Churn, 10),
        (MachineFamily::Step, 6),
        (MachineFamily::Sawtooth, 5),
        (MachineFamily::Appears, 3),
        (MachineFamily::Vanishes, 3),
    ];

    /// Every family, leaks first.
    pub fn all() -> impl Iterator<Item = MachineFamily> {
        MachineFamily::LEAKS
            .into_iter()
            .chain(MachineFamily::HEALTHY.into_iter().map(|(f, _)| f))
    }

    /// Whether series of this family are leaks.
    pub fn is_leak(self) -> bool {
        MachineFamily::LEAKS.contains(&self)
    }

    /// The snake_case name (`leak_linear`, …, `vanishes`).
    pub fn name(self) -> &'static str {
        match self {
            MachineFamily::LeakLinear => "leak_linear",
            MachineFamily::LeakNoisy => "leak_noisy",
            MachineFamily::LeakOnSawtooth => "leak_on_sawtooth",
            MachineFamily::LeakOnChurn => "leak_on_churn",
            MachineFamily::LeakStaircase => "leak_staircase",
            MachineFamily::LeakLate => "leak_late",
            MachineFamily::LeakSmallOnBig => "leak_small_on_big",
            MachineFamily::Static => "static",
            MachineFamily::Flat => "flat",
            MachineFamily::Walk => "walk",
            MachineFamily::MeanRevert => "mean_revert",
            MachineFamily::Daily => "daily",
            MachineFamily::CacheWarm => "cache_warm",
            MachineFamily::Churn => "churn",
            MachineFamily::Step => "step",
            MachineFamily::Sawtooth => "sawtooth",
            MachineFamily::Appears => "appears",
            MachineFamily::Vanishes => "vanishes",
        }
    }

    /// Parses a name as returned by [`MachineFamily::name`] (case-insensitive, `-` for `_`).
    pub fn from_name(name: &str) -> Option<MachineFamily> {
        let norm = name.trim().to_ascii_lowercase().replace('-', "_");
        MachineFamily::all().find(|f| f.name() == norm)
    }

    /// The closest [`Family`] of the labelled generator (for [`MachineTruth::to_truth`]).
    pub fn nearest(self) -> Family {
        match self {
            MachineFamily::LeakLinear | MachineFamily::LeakOnChurn => Family::Steady,
            MachineFamily::LeakNoisy => Family::SlowNoisy,
            MachineFamily::LeakOnSawtooth => Family::LeakOnSawtooth,
            MachineFamily::LeakStaircase => Family::Staircase,
            MachineFamily::LeakLate => Family::LateStart,
            MachineFamily::LeakSmallOnBig => Family::SmallOnBig,
            MachineFamily::Static | MachineFamily::Flat | MachineFamily::Churn => Family::Flat,
            MachineFamily::Walk | MachineFamily::MeanRevert => Family::RandomWalk,
            MachineFamily::Daily => Family::Periodic,
            MachineFamily::CacheWarm => Family::CachePlateau,
            MachineFamily::Step => Family::OneStep,
            MachineFamily::Sawtooth => Family::Sawtooth,
            MachineFamily::Appears => Family::AppearsMidway,
            MachineFamily::Vanishes => Family::TempStep,
        }
    }
}

/// Settings of [`generate_machine`]. Start from [`MachineConfig::default`] and override fields.
#[derive(Debug, Clone, PartialEq)]
pub struct MachineConfig {
    /// Seed of every random choice; same config ⇒ byte-identical output.
    pub seed: u64,
    /// Number of `(tag, pool)` series (300, 1,000, 3,000 on real machines).
    pub tags: usize,
    /// Number of planted leaks (cycling through [`MachineFamily::LEAKS`] from a random one);
    /// 0 for a clean log.
    pub leaks: usize,
    /// Number of snapshots.
    pub snapshots: usize,
    /// Nominal seconds between snapshots (60–900 on real captures).
    pub interval_secs: u32,
    /// Interval jitter, ± this share of the interval.
    pub jitter: f64,
    /// Probability that an interval is 3–10× longer (a missed run).
    pub gap_prob: f64,
    /// Number of reboots, placed at random snapshots.
    pub reboots: usize,
    /// Text layout ([`Form::Narrow`] or [`Form::Wide`] `/n` snapshots; [`Form::Interactive`]
    /// screens are written too, though nobody pastes 3,000-row screens).
    pub form: Form,
    /// Stamp line style written before each snapshot.
    pub stamp: StampStyle,
    /// File encoding.
    pub encoding: Encoding,
    /// Line terminator.
    pub line_ending: LineEnding,
    /// `/g`: add the `Mapped_Driver` column.
    pub driver: bool,
    /// `/r`: write the `Memory:` / `Commit:` summary lines.
    pub summary: bool,
    /// Time of the first snapshot (the daily cycles follow its time of day).
    pub start: NaiveDateTime,
    /// Record every printed row in [`MachineTruth::rows`] (1.5 million rows for 3,000 tags ×
    /// 500 snapshots: off by default).
    pub rows: bool,
    /// Healthy series of the most allocations whose counters were already high when the
    /// capture began (a busy machine up for days): in the first boot epoch the first of them
    /// passes 2^31 near the middle of the capture (printed negative by the narrow family), the
    /// second wraps past 2^32 there (printed near zero again), and so on alternately. PoolMon's
    /// counters are 32-bit: rows print them modulo 2^32; [`MachineTruth::rows`] keep the
    /// unwrapped values.
    pub hot_counters: usize,
    /// Rows in one fixed order (generation order) every snapshot instead of by Bytes as
    /// `poolmon -b` prints them: the same log otherwise, for comparisons of reading speed.
    pub fixed_order: bool,
}

impl Default for MachineConfig {
    fn default() -> Self {
        MachineConfig {
            seed: 1,
            tags: 1000,
            leaks: 7,
            snapshots: 96,
            interval_secs: 300,
            jitter: 0.1,
            gap_prob: 0.01,
            reboots: 0,
            form: Form::Narrow,
            stamp: StampStyle::UsCmd,
            encoding: Encoding::Ascii,
            line_ending: LineEnding::Crlf,
            driver: false,
            summary: true,
            start: Config::default().start,
            rows: false,
            hot_counters: 2,
            fixed_order: false,
        }
    }
}

impl MachineConfig {
    /// The same configuration with the first snapshot at `hour` (0–23, taken modulo 24) of
    /// the day of [`MachineConfig::start`]; the daily cycles follow the time of day.
    pub fn starting_at_hour(mut self, hour: u32) -> MachineConfig {
        if let Some(t) = self.start.with_hour(hour % 24) {
            self.start = t;
        }
        self
    }
}

/// Ground truth of one series of a machine log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineSeries {
    /// The tag with trailing spaces trimmed.
    pub tag: String,
    /// `"Paged"` or `"Nonpaged"`.
    pub pool: &'static str,
    /// The family the series was drawn from.
    pub family: MachineFamily,
    /// `family.is_leak()`.
    pub leak: bool,
    /// The typical level (the baseline, or the floor) in bytes.
    pub level_bytes: u64,
    /// Leaks: the leaked bytes at the end of the epoch where they grew most (at least
    /// [`MIN_LEAK_GROWTH`] when an epoch has 3 snapshots or more); 0 for healthy series.
    pub growth_bytes: u64,
}

/// What a machine log contains.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MachineTruth {
    /// Every series, in generation order.
    pub series: Vec<MachineSeries>,
    /// Per snapshot, the time its stamp line means (see [`Truth::times`]).
    pub times: Vec<NaiveDateTime>,
    /// Per snapshot, the 0-based boot epoch.
    pub epochs: Vec<u32>,
    /// Every printed row in printed order, when [`MachineConfig::rows`] is set.
    pub rows: Vec<TruthRow>,
}

impl MachineTruth {
    /// The same truth with each family mapped to its [`MachineFamily::nearest`] [`Family`]
    /// (for tools that read a [`Truth`], e.g. [`truth_tsv`]).
    pub fn to_truth(&self) -> Truth {
        Truth {
            series: self
                .series
                .iter()
                .map(|s| TruthSeries {
                    tag: s.tag.clone(),
                    pool: s.pool,
                    family: s.family.nearest(),
                    leak: s.leak,
                })
                .collect(),
            times: self.times.clone(),
            epochs: self.epochs.clone(),
            rows: self.rows.clone(),
        }
    }
}

/// Tab-separated labels: `tag\tpool\tfamily\tleak\tlevel_bytes\tgrowth_bytes`, one line per series.
pub fn machine_truth_tsv(truth: &MachineTruth) -> String {
    let mut s = String::from("tag\tpool\tfamily\tleak\tlevel_bytes\tgrowth_bytes\n");
    for t in &truth.series {
        s.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\n",
            t.tag,
            t.pool,
            t.family.name(),
            u8::from(t.leak),
            t.level_bytes,
            t.growth_bytes
        ));
    }
    s
}

/// Generates a machine log in memory.
pub fn generate_machine(cfg: &MachineConfig) -> (Vec<u8>, MachineTruth) {
    let row = if cfg.form == Form::Wide { 110 } else { 80 };
    let mut out = Vec::with_capacity((cfg.tags * cfg.snapshots * row).min(1 << 30));
    let truth = run_machine(cfg, &mut out).expect("writing to a Vec cannot fail");
    (out, truth)
}

/// Streams a machine log to `w` (through a `BufWriter`).
pub fn write_machine<W: Write>(cfg: &MachineConfig, w: W) -> io::Result<MachineTruth> {
    let mut bw = BufWriter::with_capacity(1 << 18, w);
    let truth = run_machine(cfg, &mut bw)?;
    bw.flush()?;
    Ok(truth)
}

// ---------------------------------------------------------------------------------------------
// Series
// ---------------------------------------------------------------------------------------------

/// Log-level facts the series depend on.
struct MCtx {
    interval: f64,
    /// Seconds from the first to the last snapshot (at least one interval).
    total: f64,
    /// Longest epoch duration.
    d_ref: f64,
    epochs: Vec<(f64, f64)>,
    /// Most allocations a second a tag may make, so that counters stay below 2^31.
    lambda_cap: f64,
}

/// One series: its parameters and its state.
struct MSeries {
    fam: MachineFamily,
    tag: [u8; 4],
    pool: Pool,
    driver: String,
    rng: Rng,
    size: u64,
    size_cv: f64,
    /// Level (objects): the baseline, the floor, the centre.
    base: f64,
    /// Noise sd (objects) and its AR(1) coefficient per interval (0: i.i.d.).
    sigma: f64,
    noise_phi: f64,
    noise: f64,
    /// Workload, allocations a second.
    lambda: f64,
    /// Walk bounds (objects), move sd per interval (objects), AR coefficient, state.
    lo: f64,
    hi: f64,
    step: f64,
    phi: f64,
    wander: f64,
    /// Daily amplitude (share), cache gain (objects), sawtooth amplitude (objects).
    amp: f64,
    /// Daily phase (s), cache start of the first epoch (s), cache time constant (s).
    phase: f64,
    t_warm: f64,
    tau: f64,
    /// Sawtooth cycle starts (s since the first snapshot), ascending, and the current cycle.
    cycles: Vec<f64>,
    cyc: usize,
    /// Level shifts: (on, off, delta objects).
    shifts: Vec<(f64, f64, f64)>,
    /// Leaked objects over the reference span, the span (s) and the late onset (s).
    g_obj: f64,
    span: f64,
    onset: f64,
    /// Staircase: bursts per epoch, leaked share of a burst's allocations, the plan.
    bursts: usize,
    rho: f64,
    stairs: Vec<(usize, f64)>,
    stair_pos: usize,
    stair_level: f64,
    /// Lifecycle: load and unload times (s), and whether an unloaded tag keeps a zero row.
    appear: f64,
    vanish: f64,
    keep_row: bool,
    /// Counters.
    allocs: u64,
    frees: u64,
    diff: i64,
    bytes: u64,
    present: bool,
    growth: u64,
    /// Added to both counters in the first boot epoch ([`MachineConfig::hot_counters`]), and
    /// the value they are to pass in its middle (0: not hot).
    hot: u64,
    hot_target: u64,
}

fn level_bytes(rng: &mut Rng, big: bool) -> f64 {
    if big {
        rng.log_range(24.0 * MIB, 640.0 * MIB)
    } else {
        (16.0 * KIB * (2.0 * rng.normal()).exp()).clamp(48.0, 96.0 * MIB)
    }
}

/// Object size: log-uniform from 16 B to `min(64 KiB, level / 4, cap)`, a multiple of 8.
fn object_size(rng: &mut Rng, level: f64, cap: f64) -> u64 {
    let hi = (level / 4.0).min(cap).clamp(16.0, 65536.0);
    let s = rng.log_range(16.0, hi);
    ((s / 8.0).round() * 8.0).max(16.0) as u64
}

/// Sawtooth period: 10 min–6 h, at least 3 intervals, at most half the capture.
fn saw_period(rng: &mut Rng, ctx: &MCtx) -> f64 {
    let lo = (3.0 * ctx.interval).max(600.0);
    let hi = (6.0 * HOUR).min(ctx.total / 2.0).max(lo);
    rng.log_range(lo, hi.max(lo * 1.0001))
}

fn saw_cycles(rng: &mut Rng, period: f64, total: f64) -> Vec<f64> {
    let mut v = vec![-period * rng.f64()];
    while *v.last().unwrap_or(&0.0) <= total {
        let last = *v.last().unwrap_or(&0.0);
        v.push(last + period * rng.range(0.8, 1.2));
    }
    v
}

impl MSeries {
    fn new(
        seed: u64,
        index: usize,
        (fam, big): (MachineFamily, bool),
        (tag, pool, driver): ([u8; 4], Pool, String),
        ctx: &MCtx,
    ) -> MSeries {
        use MachineFamily as F;
        let mut rng = Rng::stream(seed, 10_000 + index as u64);
        let r = &mut rng;
        let mut s = MSeries {
            fam,
            tag,
            pool,
            driver,
            rng: Rng::new(0),
            size: 16,
            size_cv: 0.0,
            base: 0.0,
            sigma: 0.0,
            noise_phi: 0.0,
            noise: 0.0,
            lambda: r.log_range(0.01, 200.0).min(ctx.lambda_cap),
            lo: 0.0,
            hi: 0.0,
            step: 0.0,
            phi: 0.0,
            wander: 0.0,
            amp: 0.0,
            phase: 0.0,
            t_warm: 0.0,
            tau: 1.0,
            cycles: Vec::new(),
            cyc: 0,
            shifts: Vec::new(),
            g_obj: 0.0,
            span: ctx.d_ref,
            onset: 0.0,
            bursts: 0,
            rho: 1.0,
            stairs: Vec::new(),
            stair_pos: 0,
            stair_level: 0.0,
            appear: f64::NEG_INFINITY,
            vanish: f64::INFINITY,
            keep_row: false,
            allocs: 0,
            frees: 0,
            diff: 0,
            bytes: 0,
            present: false,
            growth: 0,
            hot: 0,
            hot_target: 0,
        };
        if fam.is_leak() {
            // Leak growth G in bytes, then the level it sits on, in bytes.
            let mut g = r.log_range(MIN_LEAK_GROWTH as f64, MAX_LEAK_GROWTH as f64);
            let mut sigma_b = 0.0;
            let level = match fam {
                F::LeakLinear | F::LeakLate => {
                    let level = (g / r.log_range(0.05, 20.0)).clamp(4.0 * KIB, 400.0 * MIB);
                    sigma_b = (level * r.log_range(0.01, 0.05)).min(g / r.log_range(4.0, 30.0));
                    level
                }
                F::LeakNoisy => {
                    sigma_b = g / r.range(2.0, 4.0);
                    let level = (sigma_b / r.log_range(0.04, 0.15)).min(400.0 * MIB);
                    if r.chance(0.4) {
                        s.noise_phi = r.range(0.3, 0.8);
                    }
                    level
                }
                F::LeakOnSawtooth => {
                    let amp = g / r.log_range(1.0 / 3.0, 3.0);
                    let level = (amp / r.log_range(0.2, 3.0)).clamp(4.0 * KIB, 400.0 * MIB);
                    s.amp = amp; // bytes for now
                    sigma_b = amp.min(level) * r.log_range(0.01, 0.04);
                    level
                }
                F::LeakOnChurn => (g / r.log_range(0.1, 10.0)).clamp(16.0 * KIB, 400.0 * MIB),
                F::LeakStaircase => {
                    s.bursts = 3 + r.below(10);
                    let level = (g / r.log_range(0.1, 10.0)).clamp(4.0 * KIB, 400.0 * MIB);
                    let per = g / s.bursts as f64;
                    sigma_b = (level * r.log_range(0.005, 0.03)).min(per / r.log_range(6.0, 20.0));
                    level
                }
                _ => {
                    // LeakSmallOnBig
                    let level = r.log_range(64.0 * MIB, 640.0 * MIB);
                    g = (level * r.log_range(0.003, 0.05))
                        .clamp(MIN_LEAK_GROWTH as f64, MAX_LEAK_GROWTH as f64);
                    sigma_b = (level * r.log_range(0.0005, 0.005)).min(g / r.log_range(3.0, 8.0));
                    level
                }
            };
            // At least 32 leaked objects.
            s.size = object_size(r, level, g / 32.0);
            let size = s.size as f64;
            s.g_obj = (g / size).ceil();
            s.base = (level / size).max(1.0);
            s.sigma = sigma_b / size;
            match fam {
                F::LeakLate => {
                    s.onset = r.range(0.3, 0.7) * ctx.total;
                    s.span = ctx
                        .epochs
                        .iter()
                        .map(|&(t0, t1)| t1 - t0.max(s.onset))
                        .fold(0.0, f64::max);
                    if s.span <= 0.0 {
                        s.span = ctx.interval;
                    }
                }
                F::LeakOnSawtooth => {
                    s.amp /= size;
                    let p = saw_period(r, ctx);
                    s.cycles = saw_cycles(r, p, ctx.total);
                }
                F::LeakOnChurn => {
                    let rate = s.g_obj / ctx.d_ref;
                    let rho = r.log_range(1e-4, 1e-2);
                    s.lambda = (rate / rho).min(ctx.lambda_cap).max(2.0 * rate);
                    s.sigma = s.base.sqrt() + s.base * r.log_range(0.005, 0.02);
                }
                F::LeakStaircase => {
                    s.lambda = r.log_range(0.001, 1.0).min(ctx.lambda_cap);
                    // Leaked share of a burst's allocations; bursts make at most 2·10^8.
                    s.rho = r.log_range(1e-3, 0.1).max(s.g_obj / 2e8).min(1.0);
                }
                F::LeakSmallOnBig => s.lambda = (s.lambda * 5.0).min(ctx.lambda_cap),
                _ => {}
            }
        } else {
            let level = level_bytes(r, big);
            s.size = object_size(r, level, 65536.0);
            let size = s.size as f64;
            s.base = (level / size).round().max(1.0);
            let b = s.base;
            match fam {
                F::Static => s.lambda = 0.0,
                F::Flat => s.sigma = b * r.log_range(0.01, 0.10),
                F::Walk => {
                    let w = r.range(0.15, 0.6);
                    s.lo = b * (1.0 - w);
                    s.hi = b * (1.0 + w);
                    s.step = b * r.log_range(0.01, 0.10);
                    s.wander = r.range(s.lo, s.hi);
                }
                F::MeanRevert => {
                    s.phi = r.range(0.9, 0.995);
                    let root = (1.0 - s.phi * s.phi).sqrt();
                    s.step = b * r.log_range(0.01, 0.10).min(0.6 * root);
                    s.wander = (s.step / root * r.normal()).max(-0.9 * b);
                }
                F::Daily => {
                    s.amp = r.range(0.05, 0.5);
                    s.phase = r.range(0.0, DAY);
                    s.sigma = b * r.log_range(0.005, 0.03);
                }
                F::CacheWarm => {
                    s.amp = b * r.log_range(0.2, 3.0);
                    s.t_warm = r.range(-0.1, 0.3) * ctx.total;
                    s.tau = r
                        .log_range(0.5 * HOUR, 8.0 * HOUR)
                        .min((0.9 * ctx.total - s.t_warm) / 3.0)
                        .max(1.0);
                    s.sigma = (b + s.amp) * r.log_range(0.005, 0.03);
                }
                F::Churn => {
                    s.lambda = r
                        .log_range(100.0, 20_000.0)
                        .min(ctx.lambda_cap * r.range(0.2, 1.0));
                    s.sigma = b.sqrt() + b * r.log_range(0.005, 0.03);
                }
                F::Step => {
                    s.sigma = b * r.log_range(0.005, 0.03);
                    let n = match r.below(20) {
                        0..=11 => 1,
                        12..=16 => 2,
                        _ => 3,
                    };
                    for _ in 0..n {
                        let on = r.range(0.1, 0.9) * ctx.total;
                        let up = r.chance(0.6);
                        let delta = if up {
                            b * r.log_range(0.1, 2.0)
                        } else {
                            -b * r.range(0.1, 0.6)
                        };
                        let off = if r.chance(0.4) {
                            on + r.range(0.05, 0.4) * ctx.total
                        } else {
                            f64::INFINITY
                        };
                        s.shifts.push((on, off, delta));
                    }
                    let all_up_for_good = s
                        .shifts
                        .iter()
                        .all(|&(_, off, d)| d > 0.0 && off.is_infinite());
                    if n > 1 && all_up_for_good {
                        // Several permanent steps up would be a staircase leak.
                        if let Some(last) = s.shifts.last_mut() {
                            last.2 = -b * r.range(0.1, 0.6);
                        }
                    }
                }
                F::Sawtooth => {
                    s.amp = b * r.log_range(0.1, 3.0);
                    let p = saw_period(r, ctx);
                    s.cycles = saw_cycles(r, p, ctx.total);
                    s.sigma = s.amp.min(b) * r.log_range(0.01, 0.05);
                }
                F::Appears => {
                    s.appear = r.range(0.15, 0.85) * ctx.total;
                    s.sigma = b * r.log_range(0.01, 0.05);
                }
                F::Vanishes => {
                    s.vanish = r.range(0.15, 0.85) * ctx.total;
                    s.keep_row = r.chance(0.5);
                    s.sigma = b * r.log_range(0.01, 0.05);
                }
                _ => {}
            }
        }
        if s.lambda > 0.0 && r.chance(0.3) {
            s.size_cv = r.range(0.05, 0.4);
        }
        if s.sigma > 0.0 {
            s.noise = s.sigma * r.normal();
        }
        s.rng = rng;
        s
    }

    fn trimmed_tag(&self) -> String {
        String::from_utf8_lossy(&self.tag).trim_end().to_string()
    }

    fn level_bytes(&self) -> u64 {
        (self.base * self.size as f64).round() as u64
    }

    fn plan_stairs(&mut self, len: usize) {
        self.stairs.clear();
        self.stair_pos = 0;
        self.stair_level = 0.0;
        if len < 3 || self.bursts == 0 {
            return;
        }
        let slots = len - 2;
        let k = self.bursts.min(slots);
        let w: Vec<f64> = (0..k).map(|_| self.rng.range(0.6, 1.4)).collect();
        let sum: f64 = w.iter().sum();
        let mut left = self.g_obj;
        for (j, wj) in w.iter().enumerate() {
            let lo = j * slots / k;
            let hi = ((j + 1) * slots / k).max(lo + 1);
            let idx = 1 + lo + self.rng.below(hi - lo);
            let step = if j + 1 == k {
                left
            } else {
                (self.g_obj * wj / sum).floor().min(left)
            };
            left -= step;
            self.stairs.push((idx, step));
        }
    }

    fn saw(&mut self, t: f64) -> f64 {
        while self.cyc + 2 < self.cycles.len() && self.cycles[self.cyc + 1] <= t {
            self.cyc += 1;
        }
        let (a, b) = (self.cycles[self.cyc], self.cycles[self.cyc + 1]);
        self.amp * ((t - a) / (b - a)).clamp(0.0, 1.0)
    }

    /// Advances to snapshot `k` of epoch `(t0, len, uptime0)`, at `t` seconds since the first
    /// snapshot and `dt` after the previous one. `None` when the tag has no row.
    fn step(
        &mut self,
        k: usize,
        ep: &Epoch,
        first_epoch: bool,
        t: f64,
        dt: f64,
        ctx: &MCtx,
    ) -> Option<Vals> {
        use MachineFamily as F;
        if k == 0 {
            self.plan_stairs(ep.len);
        }
        let gone = t >= self.vanish;
        if t < self.appear || (gone && !(self.keep_row && self.present && k > 0)) {
            self.present = false;
            return None;
        }
        let step_dt = if k == 0 { ctx.interval } else { dt.max(1.0) };
        let ratio = step_dt / ctx.interval;
        let z = self.rng.normal();
        if self.sigma > 0.0 {
            self.noise = if self.noise_phi > 0.0 {
                let a = self.noise_phi.powf(ratio);
                a * self.noise + self.sigma * (1.0 - a * a).sqrt() * z
            } else {
                self.sigma * z
            };
        }
        match self.fam {
            F::Walk => {
                let mut x = self.wander + self.step * ratio.sqrt() * self.rng.normal();
                for _ in 0..4 {
                    if x > self.hi {
                        x = 2.0 * self.hi - x;
                    } else if x < self.lo {
                        x = 2.0 * self.lo - x;
                    }
                }
                self.wander = x.clamp(self.lo, self.hi);
            }
            F::MeanRevert => {
                let a = self.phi.powf(ratio);
                let sd = self.step * ((1.0 - a * a) / (1.0 - self.phi * self.phi)).sqrt();
                let mut x = a * self.wander + sd * self.rng.normal();
                let floor = -0.9 * self.base;
                if x < floor {
                    x = (2.0 * floor - x).min(self.base);
                }
                self.wander = x;
            }
            _ => {}
        }
        let tau = t - ep.t0;
        let mut extra_work = 0.0;
        let smooth = match self.fam {
            F::Walk => self.wander,
            F::MeanRevert => self.base + self.wander,
            F::Daily => {
                let x = std::f64::consts::TAU * (t + self.phase) / DAY;
                self.base * (1.0 + self.amp * (x.sin() + 0.2 * (2.0 * x).sin()) / 1.1)
            }
            F::CacheWarm => {
                let start = if first_epoch {
                    self.t_warm
                } else {
                    ep.t0 - ep.uptime0
                };
                let x = ((t - start) / self.tau).max(0.0);
                self.base + self.amp * (1.0 - (-x).exp())
            }
            F::Step => {
                let shifted: f64 = self
                    .shifts
                    .iter()
                    .filter(|&&(on, off, _)| t >= on && t < off)
                    .map(|s| s.2)
                    .sum();
                (self.base + shifted).max(0.05 * self.base)
            }
            F::Sawtooth | F::LeakOnSawtooth => self.base + self.saw(t),
            _ => self.base,
        };
        let leak = match self.fam {
            F::LeakLinear
            | F::LeakNoisy
            | F::LeakOnSawtooth
            | F::LeakOnChurn
            | F::LeakSmallOnBig => (self.g_obj * (tau / self.span).min(1.0)).floor(),
            F::LeakLate => {
                let s = t - ep.t0.max(self.onset);
                if s > 0.0 {
                    (self.g_obj * (s / self.span).min(1.0)).floor()
                } else {
                    0.0
                }
            }
            F::LeakStaircase => {
                while self.stair_pos < self.stairs.len() && self.stairs[self.stair_pos].0 == k {
                    let step = self.stairs[self.stair_pos].1;
                    self.stair_level += step;
                    extra_work += step / self.rho;
                    self.stair_pos += 1;
                }
                self.stair_level
            }
            _ => 0.0,
        };
        if k + 1 == ep.len {
            self.growth = self.growth.max((leak * self.size as f64) as u64);
        }
        let zeroing = gone && self.keep_row;
        let diff = if zeroing {
            0
        } else {
            ((smooth + self.noise).round().max(0.0) + leak) as i64
        };
        let lambda = if zeroing { 0.0 } else { self.lambda };
        let w_mult = (1.0 + 0.2 * self.rng.normal()).max(0.0);
        let bz = self.rng.normal();

        let fresh = k == 0 || !self.present;
        let (old_a, old_f, old_b) = (self.allocs, self.frees, self.bytes);
        let mut active = fresh;
        if fresh {
            // Counters start at boot, or at driver load for a tag that just appeared.
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
            active = w > 0 || d != 0;
            self.allocs += w + d.max(0) as u64;
            self.frees += w + (-d).max(0) as u64;
        }
        self.diff = diff;
        let size = self.size;
        self.bytes = if diff <= 0 {
            0
        } else if self.size_cv == 0.0 {
            diff as u64 * size
        } else if active {
            let mean = diff as f64 * size as f64;
            let v = mean + bz * self.size_cv * size as f64 * (diff as f64).sqrt();
            v.round().max(8.0 * diff as f64) as u64
        } else {
            self.bytes
        };
        let (d_allocs, d_frees, d_bytes) = if fresh {
            (0, 0, 0)
        } else {
            (
                self.allocs as i64 - old_a as i64,
                self.frees as i64 - old_f as i64,
                self.bytes as i64 - old_b as i64,
            )
        };
        self.present = true;
        let per_alloc = if diff > 0 {
            self.bytes / diff as u64
        } else {
            self.bytes
        };
        if first_epoch && k == 0 && self.hot_target > 0 {
            // Allocations by the middle of the epoch: so far, then half of it.
            let mid = self.allocs as f64 + self.lambda * ep.dur / 2.0;
            self.hot = self.hot_target.saturating_sub(mid as u64);
        }
        let hot = if first_epoch { self.hot } else { 0 };
        Some(Vals {
            series: 0,
            allocs: self.allocs + hot,
            frees: self.frees + hot,
            diff,
            bytes: self.bytes,
            per_alloc,
            d_allocs,
            d_frees,
            d_bytes,
        })
    }
}

/// Families of the series: the leaks cycling from a random one, the healthy series in the
/// [`MachineFamily::HEALTHY`] proportions (stratified, so every log has them), a few of them
/// big; shuffled.
fn machine_families(n: usize, leaks: usize, rng: &mut Rng) -> Vec<(MachineFamily, bool)> {
    let n_leak = leaks.min(n);
    let m = n - n_leak;
    let total: u32 = MachineFamily::HEALTHY.iter().map(|h| h.1).sum();
    let mut healthy: Vec<(MachineFamily, bool)> = (0..m)
        .map(|j| {
            let u = (j as f64 + 0.5) / m as f64 * f64::from(total);
            let mut acc = 0.0;
            let mut fam = MachineFamily::Flat;
            for &(f, w) in &MachineFamily::HEALTHY {
                acc += f64::from(w);
                if u < acc {
                    fam = f;
                    break;
                }
            }
            (fam, false)
        })
        .collect();
    rng.shuffle(&mut healthy);
    let n_big = if m == 0 { 0 } else { (n / 250).max(2).min(m) };
    for h in healthy.iter_mut().take(n_big) {
        h.1 = true;
    }
    let off = rng.below(MachineFamily::LEAKS.len());
    let mut out: Vec<(MachineFamily, bool)> = (0..n_leak)
        .map(|j| {
            (
                MachineFamily::LEAKS[(off + j) % MachineFamily::LEAKS.len()],
                false,
            )
        })
        .collect();
    out.extend(healthy);
    rng.shuffle(&mut out);
    out
}

// ---------------------------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------------------------

/// Marks the `n` healthy series with the most allocations a second to start their counters
/// high enough that they pass 2^31 (even places) or 2^32 (odd places) in the middle of the
/// first epoch ([`MachineConfig::hot_counters`]).
fn heat_counters(series: &mut [MSeries], n: usize) {
    let mut busy: Vec<usize> = (0..series.len())
        .filter(|&i| {
            let s = &series[i];
            !s.fam.is_leak() && s.appear == f64::NEG_INFINITY && s.vanish == f64::INFINITY
        })
        .collect();
    busy.sort_by(|&a, &b| {
        series[b]
            .lambda
            .total_cmp(&series[a].lambda)
            .then(a.cmp(&b))
    });
    for (place, &i) in busy.iter().take(n).enumerate() {
        series[i].hot_target = if place % 2 == 0 {
            1u64 << 31
        } else {
            1u64 << 32
        };
    }
}

fn run_machine<W: Write>(cfg: &MachineConfig, w: &mut W) -> io::Result<MachineTruth> {
    let tl_cfg = Config {
        seed: cfg.seed,
        snapshots: cfg.snapshots,
        interval_secs: cfg.interval_secs,
        jitter: cfg.jitter,
        gap_prob: cfg.gap_prob,
        reboots: cfg.reboots,
        ..Config::default()
    };
    let tl = timeline(&tl_cfg, &mut Rng::stream(cfg.seed, 1));
    let interval = f64::from(cfg.interval_secs.max(1));
    let total = tl
        .cs
        .last()
        .map_or(interval, |&c| (c as f64 / 100.0).max(interval));
    let max_up = tl.epochs.iter().map(|e| e.uptime0).fold(0.0, f64::max);
    let ctx = MCtx {
        interval,
        total,
        d_ref: tl.epochs.iter().map(|e| e.dur).fold(interval, f64::max),
        epochs: tl.epochs.iter().map(|e| (e.t0, e.t1)).collect(),
        lambda_cap: 1.8e9 / (max_up + total + interval),
    };
    let mut srng = Rng::stream(cfg.seed, 2);
    let tags = tags_and_pools(cfg.tags, &mut srng);
    let fams = machine_families(cfg.tags, cfg.leaks, &mut srng);
    let tz = TIME_ZONES[srng.below(TIME_ZONES.len())];
    let mut series: Vec<MSeries> = fams
        .into_iter()
        .zip(tags)
        .enumerate()
        .map(|(i, (f, t))| MSeries::new(cfg.seed, i, f, t, &ctx))
        .collect();
    heat_counters(&mut series, cfg.hot_counters);
    let mut machine = Machine::new(cfg.seed);
    let trimmed: Vec<String> = series.iter().map(MSeries::trimmed_tag).collect();

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
    let mut rows = Vec::new();
    let mut body: Vec<u8> = Vec::with_capacity(cfg.tags * 120 + 1024);
    let mut stamp: Vec<u8> = Vec::with_capacity(256);
    let mut wide: Vec<u8> = Vec::new();
    let mut vals: Vec<Vals> = Vec::with_capacity(series.len());
    let mut order: Vec<usize> = Vec::with_capacity(series.len());

    for i in 0..cfg.snapshots {
        let Moment {
            e,
            ep,
            k,
            t,
            dt,
            when,
        } = tl.at(i, cfg.start);

        vals.clear();
        let (mut n_bytes, mut p_bytes) = (0u64, 0u64);
        for (idx, s) in series.iter_mut().enumerate() {
            if let Some(mut v) = s.step(k, ep, e == 0, t, dt, &ctx) {
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

        // poolmon -b: bytes descending (ties by tag, then pool).
        order.clear();
        order.extend(0..vals.len());
        if !cfg.fixed_order {
            order.sort_unstable_by(|&a, &b| {
                let (va, vb) = (&vals[a], &vals[b]);
                let (sa, sb) = (&series[va.series], &series[vb.series]);
                vb.bytes
                    .cmp(&va.bytes)
                    .then_with(|| sa.tag.cmp(&sb.tag))
                    .then_with(|| sa.pool.cmp(&sb.pool))
            });
        }

        stamp.clear();
        times.push(put_stamp(&mut stamp, cfg.stamp, when, eol, tz));

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
            put_row_parts(
                &mut body, cfg.form, &s.tag, s.pool, v, cfg.driver, &s.driver, eol,
            );
            if cfg.rows {
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
            body.extend_from_slice(eol);
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

    let truth_series = series
        .iter()
        .zip(trimmed)
        .map(|(s, tag)| MachineSeries {
            tag,
            pool: s.pool.name(),
            family: s.fam,
            leak: s.fam.is_leak(),
            level_bytes: s.level_bytes(),
            growth_bytes: if s.fam.is_leak() { s.growth } else { 0 },
        })
        .collect();
    Ok(MachineTruth {
        series: truth_series,
        times,
        epochs: tl.epoch_of.clone(),
        rows,
    })
}

#[cfg(test)]
mod tests;
