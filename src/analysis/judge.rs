//! Judging one series: cut into segments at epochs and counter drops, each
//! segment judged on both clocks, the evidence pooled into a score.

use super::*;

/// One segment of a series.
pub(super) struct Segment {
    /// Range into the series' points.
    pub(super) lo: usize,
    pub(super) hi: usize,
}

/// Most points of a segment that are judged: a longer segment is judged on
/// this many evenly spaced points (its first and last among them), so that
/// the cost of a series is bounded however long the log.
pub const JUDGE_POINTS: usize = 2048;

/// The points of segment `lo..hi` that are judged: all of them, or
/// [`JUDGE_POINTS`] evenly spaced by index (first and last included).
pub(super) fn judged_points(lo: usize, hi: usize) -> Vec<usize> {
    spaced(hi - lo, JUDGE_POINTS).map(|i| lo + i).collect()
}

/// Indices of at most `most` (≥ 2) of `n` points evenly spaced by index,
/// the first and last included: all of them when `n ≤ most`.
pub(super) fn spaced(n: usize, most: usize) -> impl Iterator<Item = usize> {
    let k = n.min(most);
    (0..k).map(move |j| {
        if n <= most {
            j
        } else {
            j * (n - 1) / (most - 1)
        }
    })
}

/// A segment's points on the time clock, with what every reading of them
/// shares (computed once).
pub(super) struct Points {
    /// The points judged ([`judged_points`]), as indices into the series.
    pub(super) at: Vec<usize>,
    /// Time clock: hours, or snapshot numbers when untimed.
    pub(super) x: Vec<f64>,
    /// Bytes.
    pub(super) y: Vec<f64>,
    /// [`fit_line`]`(x, y)` (for 3 points or more).
    pub(super) fit: Option<stats::Fit>,
    /// [`stats::drops`]`(y)` with [`DROP_SIGMA`].
    pub(super) drops: Option<Vec<usize>>,
}

/// What the analysis keeps for one series.
pub(super) struct Judged {
    pub(super) score: f64,
    pub(super) leaking: u32,
    pub(super) segments: u32,
    pub(super) best: Evidence,
    pub(super) late: bool,
    pub(super) alloc_clock: bool,
    pub(super) trends: Vec<Trend>,
    pub(super) bytes_per_hour: Option<f64>,
    pub(super) outstanding_per_hour: Option<f64>,
    pub(super) bytes_per_snapshot: f64,
    pub(super) never_freed: Option<f64>,
    /// How the strongest segment was read.
    pub(super) path: Path,
    /// Drift beyond its own wandering, for the log-wide decision.
    pub(super) drift: Drift,
}

/// Judges one series given its points (in snapshot order); `hours` and
/// `epoch` are per snapshot of the log.
#[allow(clippy::too_many_arguments)]
pub(super) fn judge(
    snap: &[u32],
    hours: &[f64],
    epoch: &[u32],
    allocs: &[u64],
    frees: &[u64],
    diff: &[i64],
    bytes: &[u64],
    timed: bool,
) -> Judged {
    let n = snap.len().min(allocs.len()).min(frees.len());
    let mut segs = Vec::new();
    let mut lo = 0;
    if n > 0 {
        // A new segment where the epoch changes or Allocs or Frees drop.
        let mut prev = (epoch[snap[0] as usize], allocs[0], frees[0]);
        for (i, ((&s, &a), &f)) in snap[..n]
            .iter()
            .zip(&allocs[..n])
            .zip(&frees[..n])
            .enumerate()
            .skip(1)
        {
            let e = epoch[s as usize];
            if e != prev.0 || a < prev.1 || f < prev.2 {
                segs.push(Segment { lo, hi: i });
                lo = i;
            }
            prev = (e, a, f);
        }
        segs.push(Segment { lo, hi: n });
    }
    let mut weighted = 0.0;
    let mut weights = 0.0;
    let mut leaking = 0;
    let mut best = Evidence::default();
    let mut late = false;
    let mut alloc_clock = false;
    let mut trends = Vec::new();
    let mut bytes_per_hour = None;
    let mut outstanding_per_hour = None;
    let mut bytes_per_snapshot = 0.0;
    let mut never_freed = None;
    let points: Vec<Points> = segs
        .iter()
        .map(|s| {
            let at = judged_points(s.lo, s.hi);
            let x: Vec<f64> = at
                .iter()
                .map(|&i| {
                    let s = snap[i];
                    if timed {
                        hours[s as usize]
                    } else {
                        f64::from(s)
                    }
                })
                .collect();
            let y: Vec<f64> = at.iter().map(|&i| bytes[i] as f64).collect();
            let fit = if y.len() >= 3 { fit_line(&x, &y) } else { None };
            let drops = stats::drops(&y, DROP_SIGMA);
            Points {
                at,
                x,
                y,
                fit,
                drops,
            }
        })
        .collect();
    // The series' own noise correlation, pooled over its segments (a random
    // walk is one in every boot, however short the boot).
    let rho = pooled_rho(&points);
    let mut path = Path::Floor;
    // A leak grows in every boot: the trend tests of all segments combined
    // back up each segment's own.
    let pooled = pooled_trend(&points, rho);
    let mut bend = Bend::default();
    for (s, pts) in segs.iter().zip(&points) {
        // Points in the segment, and of them those judged.
        let (m, n) = (s.hi - s.lo, pts.at.len());
        if m < 3 {
            continue;
        }
        let (x_time, y) = (&pts.x, &pts.y);
        let known = Known {
            fit: Some(pts.fit),
            drops: Some(pts.drops.as_deref()),
            rising: Some(stats::rising_share(y)),
        };
        // The allocation clock counts the allocations that were matched by
        // frees (the churn, min(ΔAllocs, ΔFrees) per interval), so the
        // series' own rises and falls do not move it.
        // Summed point after point, read at each judged point.
        let mut churn = 0.0;
        let mut x_ops: Vec<f64> = Vec::with_capacity(n);
        let mut from = s.lo;
        for &at in &pts.at {
            let (a, f) = (&allocs[from..=at], &frees[from..=at]);
            for (a, f) in a.windows(2).zip(f.windows(2)) {
                churn += a[1].saturating_sub(a[0]).min(f[1].saturating_sub(f[0])) as f64;
            }
            x_ops.push(churn);
            from = at;
        }
        bend.add(x_time, &x_ops, y);
        let yd: Vec<f64> = pts.at.iter().map(|&i| diff[i] as f64).collect();
        let (on_time, time_path) = judge_clock(x_time, y, rho, pooled, known);
        // The same values on another clock: all but the fit carries over.
        let on_drops = Known { fit: None, ..known };
        let (mut on_ops, ops_path) = judge_clock(&x_ops, y, rho, Pooled::default(), on_drops);
        // A cache that stopped growing in time is not a per-operation leak.
        on_ops.e *= on_time.decel;
        // The trailing half: a leak that starts late, after a first half
        // that neither grew nor fell (a cache that filled up first is not
        // one, nor is a walk that went down and came back), and that ends
        // above anything the first half reached (its last quarter's 10th
        // percentile over the first half's 90th).
        let half = n / 2;
        let head_flat = n >= 12
            && slope_se(&x_time[..half], &y[..half], rho)
                .is_none_or(|(b, se, _)| (b / se).abs() < 2.0);
        let new_high = n >= 12 && {
            let head_high = stats::quantile(&y[..half], 0.9).unwrap_or(f64::INFINITY);
            let end_low = stats::quantile(&y[n - n / 4..], 0.1).unwrap_or(0.0);
            end_low > head_high
        };
        let (tail, tail_path) = if head_flat && new_high {
            let (t, p) = judge_clock(
                &x_time[half..],
                &y[half..],
                rho,
                Pooled::default(),
                Known::default(),
            );
            (Evidence { e: t.e * 0.9, ..t }, p)
        } else {
            (Evidence::default(), Path::Floor)
        };
        let mut e = on_time;
        let mut seg_path = time_path;
        let mut used_ops = false;
        let mut used_tail = false;
        if on_ops.e > e.e {
            e = on_ops;
            seg_path = ops_path;
            used_ops = true;
        }
        if tail.e > e.e {
            e = tail;
            seg_path = tail_path;
            used_tail = true;
            used_ops = false;
        }
        let w = (m - 1) as f64;
        weighted += w * e.e;
        weights += w;
        if e.e >= LEAK_AT {
            leaking += 1;
        }
        if e.e >= best.e {
            best = e;
            late = used_tail;
            alloc_clock = used_ops;
            path = seg_path;
        }
        // Rates and trend on this segment (the last one wins).
        if let Some(fit) = pts.fit {
            let (x0, x1) = (x_time[0], x_time[n - 1]);
            trends.push(Trend {
                from_snapshot: snap[s.lo],
                to_snapshot: snap[s.hi - 1],
                start_bytes: fit.intercept + fit.slope * x0,
                end_bytes: fit.intercept + fit.slope * x1,
            });
            if timed {
                bytes_per_hour = Some(fit.slope);
                outstanding_per_hour = fit_line(x_time, &yd).map(|f| f.slope);
            }
            let steps = f64::from(snap[s.hi - 1] - snap[s.lo]).max(1.0);
            bytes_per_snapshot = (fit.end_bytes(x1) - fit.end_bytes(x0)) / steps;
        }
        let da = (allocs[s.hi - 1] - allocs[s.lo]) as f64;
        let dd = (diff[s.hi - 1] - diff[s.lo]) as f64;
        if da > 0.0 && dd > 0.0 {
            never_freed = Some(da / dd);
        }
    }
    let mut score = if weights > 0.0 {
        weighted / weights
    } else {
        0.0
    };
    // The strongest segment counts at least as much as the average (a leak in the last boot).
    score = score.max(best.e * 0.95);
    if leaking >= 2 {
        score = (score + 0.1).min(1.0);
    }
    let mut drift = series_drift(&points);
    drift.bent = bend.z();
    Judged {
        score,
        leaking,
        segments: segs.len() as u32,
        best,
        late,
        alloc_clock,
        trends,
        bytes_per_hour,
        outstanding_per_hour,
        bytes_per_snapshot,
        never_freed,
        path,
        drift,
    }
}

pub(super) trait EndBytes {
    fn end_bytes(&self, x: f64) -> f64;
}

impl EndBytes for stats::Fit {
    fn end_bytes(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }
}
