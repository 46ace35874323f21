//! Fleets: the same tags on every host, leaks on some hosts only.

use super::*;

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
