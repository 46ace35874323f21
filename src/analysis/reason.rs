//! The reason a series got its verdict, in plain English.

use super::*;

/// What the reason is told besides the judgement.
pub(super) struct Context {
    /// Bytes in the series' first and last snapshots.
    pub(super) first: u64,
    pub(super) last: u64,
    /// Hours between them (0 on an ordinal axis).
    pub(super) span_h: f64,
    /// Whether the log has a time axis.
    pub(super) timed: bool,
    /// Snapshots the series appears in.
    pub(super) n: usize,
    /// Why it was held back from `leak`, if it was.
    pub(super) held: Option<Held>,
    /// Series of the log whose drift was tested.
    pub(super) tested: usize,
}

/// "1 series in 12,000" for a p-value.
fn one_in(p: f64) -> String {
    if p <= 1e-9 {
        return "fewer than 1 series in a billion".to_string();
    }
    let n = (1.0 / p).round().max(1.0) as u64;
    format!("1 series in {}", units::thousands(n))
}

/// The one-line reason.
pub(super) fn reason(j: &Judged, verdict: Verdict, c: &Context) -> String {
    let (first, last, span_h, timed, n) = (c.first, c.last, c.span_h, c.timed, c.n);
    if n < 3 {
        return format!(
            "only {n} snapshot{}: too few to judge",
            if n == 1 { "" } else { "s" }
        );
    }
    let e = j.best;
    let change = units::delta_bytes(last as f64 - first as f64);
    let over = if timed {
        format!(" over {}", units::hours(span_h))
    } else {
        format!(" over {n} snapshots")
    };
    let mut parts = Vec::new();
    match verdict {
        Verdict::Leak | Verdict::Suspect => {
            match j.path {
                Path::Noise => parts.push(format!(
                    "rose steadily through its noise (trend {:.1}σ above flat)",
                    e.snr
                )),
                Path::Teeth => parts.push(format!(
                    "its sawtooth's troughs rose {} times in {} teeth",
                    e.floor_up,
                    e.floor_steps + 1
                )),
                Path::Floor if j.alloc_clock || !timed => parts.push(format!(
                    "its floor rose in {} of {} windows",
                    e.floor_up, e.floor_steps
                )),
                Path::Floor => parts.push(format!(
                    "its floor rose in {} of {} windows of {}",
                    e.floor_up,
                    e.floor_steps,
                    units::hours(e.window)
                )),
            }
            if j.path != Path::Noise {
                if e.retention > 0.9 {
                    parts.push("never fell back".to_string());
                } else {
                    parts.push(format!("kept {:.0}% of its rises", e.retention * 100.0));
                }
            }
            if j.late {
                parts.push("started late".to_string());
            }
            if j.alloc_clock {
                parts.push("grows with allocations".to_string());
            }
            if j.leaking >= 2 {
                parts.push(format!("grew again in {} boots", j.leaking));
            }
            let d = j.drift;
            let odds = format!(
                "{} would by chance; the log has {}",
                one_in(d.p),
                units::thousands(c.tested as u64)
            );
            match c.held {
                None if verdict == Verdict::Leak => {
                    parts.push(format!("{:.1}σ beyond its own wandering ({odds})", d.z))
                }
                Some(Held::Wandering) => parts.push(format!(
                    "but within its own wandering for a log this size ({:.1}σ: {odds})",
                    d.z
                )),
                Some(Held::Small(required)) => parts.push(format!(
                    "but grew only {} (a leak grows {} or more)",
                    units::bytes(d.growth),
                    units::bytes(required)
                )),
                Some(Held::Levelled) => parts.push(format!(
                    "but its rise slowed down ({:.1}σ slower in the second half: a cache filling up or a cycle?)",
                    d.levelled
                )),
                Some(Held::Bent) => parts.push(format!(
                    "but its rise bends over ({:.1}σ of curvature beyond its own noise, on hours and on allocations: a cache filling up or a cycle?)",
                    -d.bent
                )),
                None => {}
            }
            parts.push(format!("{change}{over}"));
            if let Some(k) = j.never_freed {
                if (1.0..1e9).contains(&k) {
                    parts.push(format!("1 in {k:.0} allocations never freed"));
                }
            }
        }
        Verdict::Ok => {
            let why = if e.tau <= 0.05 && e.retention <= 0.05 {
                "no lasting rise"
            } else if e.step > 0.6 {
                "one step, not a trend"
            } else if e.decel < 0.3 {
                "levelled off (a cache filling up)"
            } else if e.retention < 0.5 {
                "gives back what it takes (churn)"
            } else if e.snr < 2.0 {
                "rise within its own noise"
            } else {
                "weak trend"
            };
            parts.push(why.to_string());
            parts.push(format!("{change}{over}"));
        }
    }
    parts.join("; ")
}
