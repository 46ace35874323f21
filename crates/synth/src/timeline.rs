//! The time line of a log: snapshot times with jitter and gaps, reboots and
//! the boot epoch of each snapshot.

use super::*;

#[derive(Debug, Clone)]
pub(super) struct Epoch {
    pub(super) start: usize,
    pub(super) len: usize,
    /// Time of the first snapshot, seconds since the first snapshot of the log.
    pub(super) t0: f64,
    /// Time of the last snapshot.
    pub(super) t1: f64,
    /// `max(t1 − t0, interval)`.
    pub(super) dur: f64,
    /// Seconds since boot at the first snapshot.
    pub(super) uptime0: f64,
}

#[derive(Debug, Clone)]
pub(super) struct Timeline {
    /// Centiseconds since the first snapshot.
    pub(super) cs: Vec<i64>,
    pub(super) epoch_of: Vec<u32>,
    pub(super) epochs: Vec<Epoch>,
}

/// Where snapshot `i` falls on a time line.
pub(super) struct Moment<'a> {
    /// Its boot epoch, the epoch itself and its index within the epoch.
    pub(super) e: usize,
    pub(super) ep: &'a Epoch,
    pub(super) k: usize,
    /// Seconds since the first snapshot, and since the snapshot before.
    pub(super) t: f64,
    pub(super) dt: f64,
    /// The time its stamp line says (`start` plus `t`).
    pub(super) when: NaiveDateTime,
}

impl Timeline {
    /// Snapshot `i` of a log whose first snapshot is at `start`.
    pub(super) fn at(&self, i: usize, start: NaiveDateTime) -> Moment<'_> {
        let e = self.epoch_of[i] as usize;
        let ep = &self.epochs[e];
        let dt = if i == 0 {
            0.0
        } else {
            (self.cs[i] - self.cs[i - 1]) as f64 / 100.0
        };
        Moment {
            e,
            ep,
            k: i - ep.start,
            t: self.cs[i] as f64 / 100.0,
            dt,
            when: start
                .checked_add_signed(TimeDelta::milliseconds(self.cs[i] * 10))
                .unwrap_or(start),
        }
    }
}

pub(super) fn reboot_positions(n: usize, reboots: usize, rng: &mut Rng) -> Vec<usize> {
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

pub(super) fn timeline(cfg: &Config, rng: &mut Rng) -> Timeline {
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
pub(super) struct Ctx {
    pub(super) interval: f64,
    /// Seconds from the first to the last snapshot (at least one interval).
    pub(super) total: f64,
    /// Longest epoch duration.
    pub(super) d_ref: f64,
    /// Shortest duration among epochs with ≥ 6 snapshots (all epochs if none has 6).
    pub(super) d_min: f64,
    /// Fewest snapshots among those epochs.
    pub(super) n_min: usize,
    pub(super) n: usize,
}

impl Ctx {
    pub(super) fn new(cfg: &Config, tl: &Timeline) -> Ctx {
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
