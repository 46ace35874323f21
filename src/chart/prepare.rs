//! From points to what is drawn: invalid values dropped, runs split at
//! reboots, segments clipped to the plotted range, legend entries.

use super::*;

pub(super) struct SeriesSpec<'a> {
    pub(super) label: String,
    pub(super) points: &'a [(f64, f64)],
    pub(super) color: RGBColor,
    pub(super) width: u32,
    pub(super) secondary: bool,
}

pub(super) struct Spec<'a> {
    pub(super) title: &'a str,
    pub(super) axis: Axis,
    pub(super) y_desc: &'static str,
    pub(super) y2_desc: Option<&'static str>,
    pub(super) series: Vec<SeriesSpec<'a>>,
    pub(super) trends: &'a [Segment],
    pub(super) boundaries: &'a [f64],
    pub(super) note: Option<String>,
}

pub(super) type Segment = ((f64, f64), (f64, f64));

pub(super) struct PreparedSeries {
    /// Runs of points to join; a new run starts after each reboot.
    pub(super) runs: Vec<Vec<(f64, f64)>>,
    pub(super) color: RGBColor,
    pub(super) width: u32,
    pub(super) secondary: bool,
    pub(super) markers: bool,
}

pub(super) struct LegendEntry {
    pub(super) label: String,
    pub(super) color: RGBColor,
    pub(super) width: u32,
    pub(super) dashed: bool,
    pub(super) marker: bool,
}

pub(super) struct Prepared {
    pub(super) x: Ticks,
    pub(super) x_desc: String,
    pub(super) y: Ticks,
    pub(super) y2: Option<Ticks>,
    pub(super) series: Vec<PreparedSeries>,
    pub(super) trends: Vec<Segment>,
    pub(super) boundaries: Vec<f64>,
    pub(super) legend: Vec<LegendEntry>,
    pub(super) has_data: bool,
}

pub(super) fn valid(v: f64) -> bool {
    v.is_finite() && v.abs() <= LIMIT
}

/// Valid points, sorted by x (stable, so equal x keep their order).
pub(super) fn clean(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|&(x, y)| valid(x) && valid(y))
        .collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

/// Splits sorted points into runs that do not cross a boundary.
pub(super) fn split_runs(points: &[(f64, f64)], boundaries: &[f64]) -> Vec<Vec<(f64, f64)>> {
    let mut runs = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for &p in points {
        if let Some(&prev) = current.last() {
            let i = boundaries.partition_point(|&b| b <= prev.0);
            if boundaries.get(i).is_some_and(|&b| b <= p.0) {
                runs.push(std::mem::take(&mut current));
            }
        }
        current.push(p);
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

pub(super) fn min_max(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// Clips segment `s` to `x0 <= x <= x1`, `y0 <= y <= y1` (Liang–Barsky).
pub(super) fn clip(s: Segment, (x0, x1): (f64, f64), (y0, y1): (f64, f64)) -> Option<Segment> {
    let ((ax, ay), (bx, by)) = s;
    let (dx, dy) = (bx - ax, by - ay);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (p, q) in [(-dx, ax - x0), (dx, x1 - ax), (-dy, ay - y0), (dy, y1 - ay)] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0 > t1 || !t0.is_finite() || !t1.is_finite() {
        return None;
    }
    Some(((ax + t0 * dx, ay + t0 * dy), (ax + t1 * dx, ay + t1 * dy)))
}

pub(super) fn prepare(spec: &Spec) -> Prepared {
    let mut boundaries: Vec<f64> = spec
        .boundaries
        .iter()
        .copied()
        .filter(|&b| valid(b))
        .collect();
    boundaries.sort_by(f64::total_cmp);
    boundaries.dedup();

    let cleaned: Vec<Vec<(f64, f64)>> = spec.series.iter().map(|s| clean(s.points)).collect();
    let has_data = cleaned.iter().any(|c| !c.is_empty());

    // x range: the data, else the boundaries, else a default.
    let data_x = min_max(cleaned.iter().flatten().map(|p| p.0));
    let (xlo, xhi) = data_x
        .or_else(|| min_max(boundaries.iter().copied()))
        .unwrap_or(match spec.axis {
            Axis::Time => (0.0, HOUR),
            Axis::Ordinal => (0.0, 1.0),
        });
    let (mut x, mut x_desc) = match spec.axis {
        Axis::Time => time_ticks(xlo, xhi),
        Axis::Ordinal => (ordinal_ticks(xlo, xhi), "snapshot".to_string()),
    };
    if data_x.is_none() && boundaries.is_empty() {
        // Nothing to place on the x axis: show no made-up times.
        x.ticks.clear();
        if spec.axis == Axis::Time {
            x_desc = "local time".to_string();
        }
    }
    let xr = (x.lo, x.hi);

    // Trends cut to the x range.
    let full_y = (-f64::MAX, f64::MAX);
    let trends_x: Vec<Segment> = spec
        .trends
        .iter()
        .copied()
        .filter(|&((a, b), (c, d))| valid(a) && valid(b) && valid(c) && valid(d))
        .filter_map(|s| clip(s, xr, full_y))
        .collect();

    // Primary y range: the data, widened for trends by at most the data's own span.
    let primary = min_max(
        cleaned
            .iter()
            .zip(&spec.series)
            .filter(|(_, s)| !s.secondary)
            .flat_map(|(c, _)| c.iter().map(|p| p.1)),
    );
    let trend_y = min_max(trends_x.iter().flat_map(|&((_, a), (_, b))| [a, b]));
    let (ylo, yhi) = match (primary, trend_y) {
        (Some((lo, hi)), Some((tlo, thi))) => {
            let margin = (hi - lo).max(hi.abs().max(lo.abs()) * 0.25).max(1.0);
            (lo.min(tlo.max(lo - margin)), hi.max(thi.min(hi + margin)))
        }
        (Some(r), None) | (None, Some(r)) => r,
        (None, None) => (0.0, 0.0),
    };
    let y = value_ticks(ylo, yhi, Scale::Bytes);
    let trends: Vec<Segment> = trends_x
        .into_iter()
        .filter_map(|s| clip(s, xr, (y.lo, y.hi)))
        .collect();

    let y2 = spec.y2_desc.map(|_| {
        let r = min_max(
            cleaned
                .iter()
                .zip(&spec.series)
                .filter(|(_, s)| s.secondary)
                .flat_map(|(c, _)| c.iter().map(|p| p.1)),
        )
        .unwrap_or((0.0, 0.0));
        value_ticks(r.0, r.1, Scale::Count)
    });

    let boundaries: Vec<f64> = boundaries
        .into_iter()
        .filter(|&b| b >= x.lo && b <= x.hi)
        .collect();

    let series: Vec<PreparedSeries> = cleaned
        .iter()
        .zip(&spec.series)
        .map(|(c, s)| PreparedSeries {
            runs: split_runs(c, &boundaries),
            color: s.color,
            width: s.width,
            secondary: s.secondary,
            markers: c.len() <= MARKER_MAX_POINTS,
        })
        .collect();

    let mut legend: Vec<LegendEntry> = spec
        .series
        .iter()
        .zip(&series)
        .map(|(s, p)| LegendEntry {
            label: s.label.clone(),
            color: s.color,
            width: s.width,
            dashed: false,
            marker: p.markers,
        })
        .collect();
    if !trends.is_empty() {
        legend.push(LegendEntry {
            label: "fitted trend".to_string(),
            color: OI_BLACK,
            width: 2,
            dashed: true,
            marker: false,
        });
    }
    if !boundaries.is_empty() {
        legend.push(LegendEntry {
            label: "reboot".to_string(),
            color: REBOOT,
            width: 2,
            dashed: true,
            marker: false,
        });
    }

    Prepared {
        x,
        x_desc,
        y,
        y2,
        series,
        trends,
        boundaries,
        legend,
        has_data,
    }
}
