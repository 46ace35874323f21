//! From points to what is drawn: invalid values dropped, runs split at
//! reboots, segments clipped to the plotted range, legend entries.

use super::*;

pub(super) struct SeriesSpec<'a> {
    pub(super) label: String,
    pub(super) points: &'a [(f64, f64)],
    pub(super) color: RGBColor,
    pub(super) width: u32,
    pub(super) stroke: Stroke,
    /// The marker drawn at each point when the series has few points (or
    /// always, for [`Stroke::Markers`]).
    pub(super) shape: Shape,
    pub(super) secondary: bool,
}

/// A horizontal line across the plot (a budget), included in the y range.
pub(super) struct Level {
    pub(super) y: f64,
    pub(super) label: String,
}

/// A paragraph of text under the plot, wrapped to the chart's width.
pub(super) struct Paragraph {
    pub(super) text: String,
    pub(super) color: RGBColor,
    /// At most this many lines; the last one ends in "…" when cut.
    pub(super) max_lines: usize,
}

pub(super) struct Spec<'a> {
    pub(super) title: &'a str,
    pub(super) axis: Axis,
    pub(super) y_desc: &'static str,
    pub(super) y2_desc: Option<&'static str>,
    pub(super) series: Vec<SeriesSpec<'a>>,
    pub(super) trends: &'a [Segment],
    /// The legend text of the trends.
    pub(super) trend_label: &'static str,
    pub(super) levels: Vec<Level>,
    pub(super) boundaries: &'a [f64],
    pub(super) caption: Vec<Paragraph>,
    /// The x range to show, when not the data's own (panels share one).
    pub(super) x_span: Option<(f64, f64)>,
    /// About how many steps the y axis has between its ticks.
    pub(super) y_steps: usize,
    /// Whether the y axis ends near the data rather than at round ticks ([`tighten`]).
    pub(super) tight_y: bool,
}

pub(super) type Segment = ((f64, f64), (f64, f64));

pub(super) struct PreparedSeries {
    /// Runs of points to join; a new run starts after each reboot.
    pub(super) runs: Vec<Vec<(f64, f64)>>,
    pub(super) color: RGBColor,
    pub(super) width: u32,
    pub(super) stroke: Stroke,
    pub(super) shape: Shape,
    pub(super) secondary: bool,
    pub(super) markers: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct LegendEntry {
    pub(super) label: String,
    pub(super) color: RGBColor,
    pub(super) width: u32,
    pub(super) stroke: Stroke,
    /// The marker drawn on the sample line, if any.
    pub(super) marker: Option<Shape>,
    /// Whether the marker is drawn as an outline rather than filled.
    pub(super) hollow: bool,
}

pub(super) struct Prepared {
    pub(super) x: Ticks,
    pub(super) x_desc: String,
    pub(super) y: Ticks,
    pub(super) y2: Option<Ticks>,
    pub(super) series: Vec<PreparedSeries>,
    pub(super) trends: Vec<Segment>,
    pub(super) levels: Vec<f64>,
    pub(super) boundaries: Vec<f64>,
    pub(super) legend: Vec<LegendEntry>,
    pub(super) has_data: bool,
}

/// The stroke of fitted trends.
pub(super) const TREND_STROKE: Stroke = Stroke::Dashed { dash: 14, gap: 8 };
/// The stroke of reboot lines.
pub(super) const REBOOT_STROKE: Stroke = Stroke::Dashed { dash: 6, gap: 6 };
/// The stroke of budget lines.
pub(super) const LEVEL_STROKE: Stroke = Stroke::Dashed { dash: 3, gap: 5 };

/// The legend entry of reboot lines.
pub(super) fn reboot_entry() -> LegendEntry {
    LegendEntry {
        label: "reboot".to_string(),
        color: REBOOT,
        width: 2,
        stroke: REBOOT_STROKE,
        marker: None,
        hollow: false,
    }
}

/// The legend entry of fitted trends.
pub(super) fn trend_entry(label: &str) -> LegendEntry {
    LegendEntry {
        label: label.to_string(),
        color: INK,
        width: 3,
        stroke: TREND_STROKE,
        marker: None,
        hollow: false,
    }
}

/// How many x labels of `chars` characters fit side by side in `width` pixels (2 to 8).
pub(super) fn x_ticks_that_fit(width: i32, chars: usize) -> usize {
    // DejaVu Sans digits are 0.64 em wide; keep a gap of 1.5 em between labels.
    let label = (chars as f64 * 0.64 + 1.5) * f64::from(TEXT_SIZE);
    ((f64::from(width.max(0)) / label).floor() as usize).clamp(2, MAX_X_TICKS)
}

/// The x axis for data from `lo` to `hi`, with as many labels as fit in `width` pixels.
pub(super) fn x_ticks(axis: Axis, lo: f64, hi: f64, width: i32) -> (Ticks, String) {
    match axis {
        Axis::Time => {
            let (probe, _) = time_ticks(lo, hi, MAX_X_TICKS);
            let chars = probe
                .ticks
                .iter()
                .map(|&t| probe.fmt.label(t).chars().count())
                .max()
                .unwrap_or(5);
            time_ticks(lo, hi, x_ticks_that_fit(width, chars))
        }
        Axis::Ordinal => {
            let probe = ordinal_ticks(lo, hi, MAX_X_TICKS);
            let chars = probe
                .ticks
                .iter()
                .map(|&t| probe.fmt.label(t).chars().count())
                .max()
                .unwrap_or(3);
            (
                ordinal_ticks(lo, hi, x_ticks_that_fit(width, chars)),
                "snapshot".to_string(),
            )
        }
    }
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

/// The ranges, ticks, runs and legend of `spec`, for a plot about `plot_w` pixels wide.
pub(super) fn prepare(spec: &Spec, plot_w: i32) -> Prepared {
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
    let data_x = spec
        .x_span
        .filter(|&(lo, hi)| valid(lo) && valid(hi) && lo <= hi)
        .or_else(|| min_max(cleaned.iter().flatten().map(|p| p.0)));
    let (xlo, xhi) = data_x
        .or_else(|| min_max(boundaries.iter().copied()))
        .unwrap_or(match spec.axis {
            Axis::Time => (0.0, HOUR),
            Axis::Ordinal => (0.0, 1.0),
        });
    let (mut x, mut x_desc) = x_ticks(spec.axis, xlo, xhi, plot_w);
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
    // Levels (a budget) always show: the headroom is what they are for.
    let levels: Vec<f64> = spec
        .levels
        .iter()
        .map(|l| l.y)
        .filter(|&v| valid(v))
        .collect();
    let (ylo, yhi) = match min_max(levels.iter().copied()) {
        Some((lo, hi)) if primary.is_some() || trend_y.is_some() => (ylo.min(lo), yhi.max(hi)),
        Some(r) => r,
        None => (ylo, yhi),
    };
    let y = value_ticks(ylo, yhi, Scale::Bytes, spec.y_steps);
    // Tight: the first step count (finer ones too) that leaves two ticks inside.
    let y = match spec.tight_y {
        true => [spec.y_steps, spec.y_steps + 2, spec.y_steps * 3]
            .into_iter()
            .find_map(|steps| tighten(&value_ticks(ylo, yhi, Scale::Bytes, steps), ylo, yhi))
            .unwrap_or(y),
        false => y,
    };
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
        value_ticks(r.0, r.1, Scale::Count, spec.y_steps)
    });

    let boundaries: Vec<f64> = boundaries
        .into_iter()
        .filter(|&b| b >= x.lo && b <= x.hi)
        .collect();

    let series: Vec<PreparedSeries> = cleaned
        .iter()
        .zip(&spec.series)
        .map(|(c, s)| PreparedSeries {
            runs: if s.stroke == Stroke::Markers {
                vec![c.clone()]
            } else {
                split_runs(c, &boundaries)
            },
            color: s.color,
            width: s.width,
            stroke: s.stroke,
            shape: s.shape,
            secondary: s.secondary,
            markers: s.stroke == Stroke::Markers || c.len() <= MARKER_MAX_POINTS,
        })
        .collect();

    // Series without points get no legend entry (a chart without a floor
    // does not list one), unless no series has any.
    let mut legend: Vec<LegendEntry> = spec
        .series
        .iter()
        .zip(&series)
        .zip(&cleaned)
        .filter(|(_, c)| !c.is_empty() || !has_data)
        .map(|((s, p), _)| LegendEntry {
            label: s.label.clone(),
            color: s.color,
            width: s.width,
            stroke: s.stroke,
            marker: p.markers.then_some(s.shape),
            hollow: false,
        })
        .collect();
    if !trends.is_empty() {
        legend.push(trend_entry(spec.trend_label));
    }
    for l in spec.levels.iter().filter(|l| valid(l.y)) {
        legend.push(LegendEntry {
            label: l.label.clone(),
            color: INK,
            width: 2,
            stroke: LEVEL_STROKE,
            marker: None,
            hollow: false,
        });
    }
    if !boundaries.is_empty() {
        legend.push(reboot_entry());
    }

    Prepared {
        x,
        x_desc,
        y,
        y2,
        series,
        trends,
        levels,
        boundaries,
        legend,
        has_data,
    }
}
