//! Resolving an input's stamps at once: day-first or month-first, whichever
//! makes time run forward.

use super::*;

pub(super) fn local_time(stamp: &RawStamp, order: DateOrder) -> Option<NaiveDateTime> {
    let date = match stamp.date {
        RawDate::Exact(d) => d,
        RawDate::Numeric {
            year,
            first,
            second,
        } => match order {
            DateOrder::MonthFirst => NaiveDate::from_ymd_opt(year, first, second)?,
            DateOrder::DayFirst => NaiveDate::from_ymd_opt(year, second, first)?,
        },
    };
    Some(date.and_time(stamp.time))
}

pub(super) fn times_under(stamps: &[RawStamp], order: DateOrder) -> Vec<Option<NaiveDateTime>> {
    stamps.iter().map(|s| local_time(s, order)).collect()
}

/// (forward steps, total steps) between consecutive valid times.
pub(super) fn forward_steps(times: &[Option<NaiveDateTime>]) -> (usize, usize) {
    let valid: Vec<&NaiveDateTime> = times.iter().flatten().collect();
    let forward = valid.windows(2).filter(|w| w[0] <= w[1]).count();
    (forward, valid.len().saturating_sub(1))
}

/// Decide by which order makes time run forward more often; tie → month-first, assumed.
pub(super) fn by_forward_time(
    month_first: &[Option<NaiveDateTime>],
    day_first: &[Option<NaiveDateTime>],
    nums: &[Num],
) -> (DateOrder, String) {
    let (fm, tm) = forward_steps(month_first);
    let (fd, td) = forward_steps(day_first);
    let explain = |order: DateOrder, win: (usize, usize), lose: (usize, usize)| {
        let how = if win.0 == win.1 && lose.0 < lose.1 {
            "only"
        } else {
            "more often"
        };
        format!(
            "{}: time runs forward {how} that way ({} of {} steps forward, {} of {} the other way)",
            describe(order),
            win.0,
            win.1,
            lose.0,
            lose.1
        )
    };
    if fm > fd {
        (
            DateOrder::MonthFirst,
            explain(DateOrder::MonthFirst, (fm, tm), (fd, td)),
        )
    } else if fd > fm {
        (
            DateOrder::DayFirst,
            explain(DateOrder::DayFirst, (fd, td), (fm, tm)),
        )
    } else {
        let mut ev = String::from("month-first: ambiguous, assumed (US)");
        if nums.iter().all(|n| n.first == n.second) {
            ev.push_str(
                "; day equals month in every numeric date, so the order makes no difference",
            );
        } else if tm > 0 {
            let _ = write!(
                ev,
                "; time runs forward equally either way ({fm} of {tm} steps)"
            );
        }
        (DateOrder::MonthFirst, ev)
    }
}

/// Decide the order once for the file's stamps (in file order) and resolve them all.
///
/// See the module documentation for the rule. Exact dates take part in the "time runs forward"
/// comparison, so a file mixing exact and numeric stamps is decided by how they interleave.
pub fn resolve(stamps: &[RawStamp]) -> Resolved {
    let nums: Vec<Num> = stamps
        .iter()
        .enumerate()
        .filter_map(|(index, s)| match s.date {
            RawDate::Numeric {
                year,
                first,
                second,
            } => Some(Num {
                index,
                year,
                first,
                second,
            }),
            RawDate::Exact(_) => None,
        })
        .collect();
    if nums.is_empty() {
        return Resolved {
            order: None,
            evidence: String::from("no numeric dates: day/month order not needed"),
            times: times_under(stamps, DateOrder::MonthFirst),
        };
    }
    let month_first = times_under(stamps, DateOrder::MonthFirst);
    let day_first = times_under(stamps, DateOrder::DayFirst);
    let day_hint = nums.iter().find(|n| n.first > 12 && n.second <= 12);
    let month_hint = nums.iter().find(|n| n.second > 12 && n.first <= 12);
    let (order, evidence) = match (day_hint, month_hint) {
        (Some(d), None) => (
            DateOrder::DayFirst,
            format!("day-first: a field above 12 ({})", d.show()),
        ),
        (None, Some(m)) => (
            DateOrder::MonthFirst,
            format!("month-first: a field above 12 ({})", m.show()),
        ),
        (Some(d), Some(m)) => {
            let vm = month_first.iter().flatten().count();
            let vd = day_first.iter().flatten().count();
            let conflict = format!(
                "conflicting evidence ({} reads day-first, {} reads month-first)",
                d.show(),
                m.show()
            );
            if vd > vm {
                (
                    DateOrder::DayFirst,
                    format!("day-first: {conflict}; more stamps valid that way ({vd} vs {vm})"),
                )
            } else if vm > vd {
                (
                    DateOrder::MonthFirst,
                    format!("month-first: {conflict}; more stamps valid that way ({vm} vs {vd})"),
                )
            } else {
                let (order, why) = by_forward_time(&month_first, &day_first, &nums);
                (
                    order,
                    format!("{why}; {conflict}, equally many valid ({vm})"),
                )
            }
        }
        (None, None) => by_forward_time(&month_first, &day_first, &nums),
    };
    let times = match order {
        DateOrder::MonthFirst => month_first,
        DateOrder::DayFirst => day_first,
    };
    Resolved {
        order: Some(order),
        evidence,
        times,
    }
}
