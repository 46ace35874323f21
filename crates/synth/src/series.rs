//! The series of a log: tags, pools and drivers, each series' family
//! parameters, its counters snapshot by snapshot, and the machine's summary
//! values.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Pool {
    // Declared Paged first: on equal tags the tag sort prints Paged first (as in S 12).
    Paged,
    Nonpaged,
}

impl Pool {
    pub(super) fn printed(self) -> &'static [u8; 5] {
        match self {
            Pool::Paged => b"Paged",
            Pool::Nonpaged => b"Nonp ",
        }
    }
    pub(super) fn name(self) -> &'static str {
        match self {
            Pool::Paged => "Paged",
            Pool::Nonpaged => "Nonpaged",
        }
    }
}

/// Tags every log with enough series includes: inner space, trailing spaces, digit first, case pair.
pub(super) const SPECIAL_TAGS: [&[u8; 4]; 6] =
    [b"Dh 1", b"Io  ", b"CM  ", b"8042", b"NtFs", b"NtFS"];

pub(super) const KNOWN_TAGS: [&[u8; 4]; 72] = [
    b"Wait", b"ObSt", b"Gxlt", b"Ustm", b"Key ", b"SePa", b"File", b"MmSt", b"NtfF", b"EtwB",
    b"CM25", b"1MEM", b"HidC", b"HidP", b"Thre", b"Toke", b"IoNm", b"MmCa", b"FMsl", b"HalD",
    b"Ntop", b"SQSF", b"IXGB", b"NtxF", b"FMfn", b"SeAt", b"SeTd", b"SeTl", b"ConT", b"Ntfx",
    b"Irp ", b"Mdl ", b"Vad ", b"Proc", b"Even", b"Sema", b"Muta", b"ObNm", b"AfdE", b"TcpE",
    b"CcSc", b"MmRe", b"Ptrs", b"Vi  ", b"FMfc", b"FSfm", b"Devi", b"Driv", b"Symb", b"Sect",
    b"ALPC", b"Ntff", b"NDnd", b"Nb  ", b"Ntfn", b"KSCM", b"WfpF", b"Flst", b"Gla5", b"Gh05",
    b"Usqm", b"Mm  ", b"Se  ", b"Ob  ", b"Lfs ", b"Ip  ", b"Tcp ", b"Dh 0", b"Dh 2", b"Gp  ",
    b"DxgK", b"usbp",
];

pub(super) const DRIVERS: [(&str, &str); 24] = [
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

pub(super) fn random_tag(rng: &mut Rng) -> [u8; 4] {
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
pub(super) fn tags_and_pools(count: usize, rng: &mut Rng) -> Vec<([u8; 4], Pool, String)> {
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
pub(super) fn families_for(cfg: &Config, rng: &mut Rng) -> Vec<Family> {
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
pub(super) struct Params {
    pub(super) base: f64,
    pub(super) sigma: f64,
    pub(super) phi: f64,
    /// Reflect the noise at ±bound (0 = unbounded).
    pub(super) bound: f64,
    /// Allocations per second.
    pub(super) lambda: f64,
    /// Leak objects per second.
    pub(super) rate: f64,
    /// LateStart onset, seconds since the first snapshot.
    pub(super) onset: f64,
    pub(super) amp: f64,
    pub(super) period: f64,
    pub(super) phase: f64,
    /// Cache warm-up or drain time constant, as a share of the epoch duration.
    pub(super) frac: f64,
    pub(super) t_a: f64,
    pub(super) t_b: f64,
    pub(super) bursts: usize,
    /// Leaked objects per burst allocation (staircase).
    pub(super) rho: f64,
    /// Staircase growth per epoch with all bursts.
    pub(super) total: f64,
    /// First snapshot where the tag is present.
    pub(super) appear: usize,
    pub(super) size: u64,
    pub(super) size_cv: f64,
}

#[derive(Debug, Clone)]
pub(super) struct Series {
    pub(super) tag: [u8; 4],
    pub(super) pool: Pool,
    pub(super) family: Family,
    pub(super) driver: String,
    pub(super) p: Params,
    pub(super) rng: Rng,
    pub(super) noise: f64,
    pub(super) stairs: Vec<(usize, f64)>,
    pub(super) stair_pos: usize,
    pub(super) stair_level: f64,
    pub(super) allocs: u64,
    pub(super) frees: u64,
    pub(super) diff: i64,
    pub(super) bytes: u64,
    pub(super) present: bool,
}

/// One row's values for one snapshot.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Vals {
    pub(super) series: usize,
    pub(super) allocs: u64,
    pub(super) frees: u64,
    pub(super) diff: i64,
    pub(super) bytes: u64,
    pub(super) per_alloc: u64,
    pub(super) d_allocs: i64,
    pub(super) d_frees: i64,
    pub(super) d_bytes: i64,
}

pub(super) fn draw_params(fam: Family, rng: &mut Rng, ctx: &Ctx) -> Params {
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
    pub(super) fn new(
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

    pub(super) fn trimmed_tag(&self) -> String {
        String::from_utf8_lossy(&self.tag).trim_end().to_string()
    }

    pub(super) fn plan_stairs(&mut self, ep: &Epoch) {
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

    pub(super) fn saw(&self, t: f64) -> f64 {
        if self.p.period <= 0.0 {
            return 0.0;
        }
        let x = (t + self.p.phase) / self.p.period;
        self.p.amp * (x - x.floor())
    }

    /// Advances to snapshot `i` (local index `k` of epoch `ep`, `t` seconds since the first
    /// snapshot, `dt` since the previous one). Returns `None` when the tag is absent.
    pub(super) fn step(&mut self, i: usize, k: usize, ep: &Epoch, t: f64, dt: f64) -> Option<Vals> {
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
pub(super) struct Machine {
    pub(super) rng: Rng,
    pub(super) mem: u64,
    pub(super) limit: u64,
    pub(super) base_commit: f64,
    pub(super) avail_frac: f64,
    pub(super) krnl: f64,
    pub(super) pf_rate: f64,
    pub(super) pf: f64,
    pub(super) wander: f64,
    pub(super) peak: u64,
    pub(super) resident: f64,
}

pub(super) struct SummaryVals {
    pub(super) line1: [u64; 5],
    pub(super) line2: [u64; 5],
}

impl Machine {
    pub(super) fn new(seed: u64) -> Machine {
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

    pub(super) fn snapshot(
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
