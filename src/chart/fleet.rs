//! The fleet chart: for each top tag, the growth rate on every host, one dot
//! per host, coloured by that host's verdict.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    draw_legend_row, draw_marker, fit_text, font, human_bytes, render_drawing, text_w, ChartError,
    ChartFormat, DrawResult, Drawing, LegendEntry, Shape, Stroke, AXIS_LINE, BACKGROUND, BORDER,
    GRID, MARGIN, MUTED, PURPLE, REBOOT, TEXT, TEXT_SIZE, TITLE_SIZE, VERMILLION, W,
};

/// One row of the fleet chart: a tag and its rate on each host.
#[derive(Debug, Clone)]
pub struct FleetRow {
    /// Row label, e.g. `"Lk01 Nonpaged: leak on 6 of 10"`.
    pub label: String,
    /// `(bytes per hour, host verdict)` per host: 2 leak, 1 suspect, 0 ok.
    pub hosts: Vec<(f64, u8)>,
}

/// The symmetric log transform of the x axis: sign(x) · log10(1 + |x| / 1 KiB).
fn symlog(x: f64) -> f64 {
    x.signum() * (1.0 + x.abs() / 1024.0).log10()
}

/// How a host of each verdict is marked: colour, shape, filled. Each
/// differs from the others in shape too, so they part in greyscale.
fn mark(v: u8) -> (RGBColor, Shape, bool) {
    match v {
        2 => (VERMILLION, Shape::Triangle, true),
        1 => (PURPLE, Shape::Square, true),
        _ => (REBOOT, Shape::Circle, false),
    }
}

/// The most rows the fleet chart draws.
const MAX_ROWS: usize = 12;
/// Marker size (centre to edge), in pixels.
const DOT: i32 = 8;

/// Draws the fleet chart (at most 12 rows) to `path`, atomically.
pub fn fleet(
    path: &Path,
    kind: ChartFormat,
    title: &str,
    rows: &[FleetRow],
) -> Result<(), ChartError> {
    let rows = &rows[..rows.len().min(MAX_ROWS)];
    render_drawing(path, kind, &Fleet { title, rows })
}

/// The fleet chart as a [`Drawing`].
struct Fleet<'a> {
    title: &'a str,
    rows: &'a [FleetRow],
}

impl Drawing for Fleet<'_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        draw(root, self.title, self.rows)
    }
}

/// Vertical offsets (in rows) of one row's hosts, in their order: hosts
/// next to each other in rate take different offsets, so no host hides
/// behind another of the same rate.
fn spread(rates: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..rates.len()).collect();
    order.sort_by(|&a, &b| rates[a].total_cmp(&rates[b]).then(a.cmp(&b)));
    let mut dy = vec![0.0; rates.len()];
    for (rank, &i) in order.iter().enumerate() {
        dy[i] = ((rank % 5) as f64 - 2.0) * 0.14;
    }
    dy
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    rows: &[FleetRow],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&BACKGROUND)?;
    let title_style = font(TITLE_SIZE, TEXT).pos(Pos::new(HPos::Center, VPos::Top));
    let t = fit_text(root, title, &title_style, W - 2 * MARGIN)?;
    root.draw_text(&t, &title_style, (W / 2, 12))?;
    let legend: Vec<LegendEntry> = [("leak host", 2u8), ("suspect host", 1), ("ok host", 0)]
        .into_iter()
        .map(|(label, v)| LegendEntry {
            label: label.to_string(),
            color: mark(v).0,
            width: 0,
            stroke: Stroke::Markers,
            marker: Some(mark(v).1),
            hollow: !mark(v).2,
        })
        .collect();
    let legend_bottom = draw_legend_row(root, &legend, (MARGIN, W - MARGIN), 12 + TITLE_SIZE + 10)?;

    let rates = rows
        .iter()
        .flat_map(|r| r.hosts.iter().map(|h| h.0))
        .filter(|x| x.is_finite());
    let (lo, hi) = rates.fold((0f64, 0f64), |(a, b), x| (a.min(x), b.max(x)));
    // A symmetric log axis: slow and fast leaks, and shrinking hosts, all stay readable.
    let (mut lo, mut hi) = (symlog(lo), symlog(hi).max(symlog(10.0 * 1024.0)));
    let pad = (hi - lo) * 0.04;
    lo -= pad;
    hi += pad;
    let n = rows.len().max(1);
    let label_style = font(TEXT_SIZE, TEXT);
    let max_label = W * 2 / 5;
    let mut labels = Vec::with_capacity(rows.len());
    let mut label_w = 0;
    for r in rows {
        let l = fit_text(root, &r.label, &label_style, max_label)?;
        label_w = label_w.max(text_w(root, &l, &label_style)?);
        labels.push(l);
    }
    let area = root.margin(legend_bottom + 4, 0, 0, 0);
    let mut chart = ChartBuilder::on(&area)
        .margin_left(MARGIN / 2)
        .margin_right(MARGIN + 12)
        .margin_bottom(8)
        .x_label_area_size(2 * TEXT_SIZE + 30)
        .y_label_area_size(label_w + 16)
        .build_cartesian_2d(lo..hi, -0.5f64..(n as f64 - 0.5))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_style(AXIS_LINE)
        .x_labels(0)
        .y_labels(n)
        .x_desc("growth per host (bytes per hour, symmetric log scale)")
        .y_label_formatter(&|v| {
            let i = v.round();
            if (v - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            // Row 0 at the top.
            let idx = n - 1 - i as usize;
            labels.get(idx).cloned().unwrap_or_default()
        })
        .label_style(font(TEXT_SIZE, TEXT))
        .axis_desc_style(font(TEXT_SIZE, MUTED))
        .draw()?;
    // Round ticks: 0, ±1 KiB/h, ±10 KiB/h, ±100 KiB/h, ±1 MiB/h, …; labels
    // that would touch the one before are left out (the grid line stays).
    let mut ticks = vec![0.0];
    for k in 0..12 {
        let v = [1024.0, 10.0 * 1024.0, 100.0 * 1024.0][k % 3] * 1024f64.powi((k / 3) as i32);
        ticks.push(v);
        ticks.push(-v);
    }
    // Labels in order of importance: 0, then the largest rates out (they
    // give the range); one that would touch a placed label is left out.
    ticks.sort_by(|a, b| {
        (*a != 0.0)
            .cmp(&(*b != 0.0))
            .then(b.abs().total_cmp(&a.abs()))
    });
    let tick_style = font(TEXT_SIZE, TEXT).pos(Pos::new(HPos::Center, VPos::Top));
    let mut placed: Vec<(i32, i32)> = Vec::new();
    for v in ticks {
        let t = symlog(v);
        if t < lo || t > hi {
            continue;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(t, -0.5), (t, n as f64 - 0.5)],
            GRID.stroke_width(1),
        )))?;
        let (px, py) = chart.backend_coord(&(t, -0.5));
        let text = if v == 0.0 {
            "0".to_string()
        } else {
            format!("{}/h", human_bytes(v))
        };
        let w = text_w(root, &text, &tick_style)?;
        let (a, b) = (px - w / 2 - 8, px + w / 2 + 8);
        if placed.iter().all(|&(c, d)| b <= c || a >= d) {
            root.draw(&Text::new(text, (px, py + 8), tick_style.clone()))?;
            placed.push((a, b));
        }
    }
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
        BORDER.stroke_width(2),
    )))?;
    for (i, r) in rows.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        let hosts: Vec<(f64, u8)> = r
            .hosts
            .iter()
            .copied()
            .filter(|h| h.0.is_finite())
            .collect();
        let rates: Vec<f64> = hosts.iter().map(|h| h.0).collect();
        let dy = spread(&rates);
        // Ok hosts first, so leaks are drawn on top.
        let mut order: Vec<usize> = (0..hosts.len()).collect();
        order.sort_by_key(|&k| hosts[k].1);
        for k in order {
            let (x, v) = hosts[k];
            let p = chart.backend_coord(&(symlog(x), y + dy[k]));
            let (color, shape, filled) = mark(v);
            draw_marker(root, p, shape, DOT, color, filled)?;
        }
    }
    if rows.is_empty() {
        let style = font(TITLE_SIZE, MUTED).pos(Pos::new(HPos::Center, VPos::Center));
        let (xs, ys) = chart.plotting_area().get_pixel_range();
        root.draw_text(
            "no data",
            &style,
            ((xs.start + xs.end) / 2, (ys.start + ys.end) / 2),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn fleet_chart_is_a_png_of_the_right_size() {
        let dir = tempfile_dir();
        let p = dir.join("fleet.png");
        let rows = vec![
            FleetRow {
                label: "Lk01 Nonpaged: leak on 2 of 3".into(),
                hosts: vec![(1000.0, 2), (1500.0, 2), (10.0, 0)],
            },
            FleetRow {
                label: "Nz01 Paged: leak on 0 of 3".into(),
                hosts: vec![(-50.0, 0), (f64::NAN, 0), (40.0, 1)],
            },
        ];
        fleet(&p, ChartFormat::Png, "Fleet: growth per host", &rows).unwrap();
        let bytes = fs::read(&p).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
        fleet(&dir.join("empty.svg"), ChartFormat::Svg, "none", &[]).unwrap();
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn hosts_of_the_same_rate_do_not_hide_each_other() {
        let dy = spread(&[5.0; 10]);
        let distinct: std::collections::HashSet<String> =
            dy.iter().map(|d| format!("{d:.3}")).collect();
        assert_eq!(distinct.len(), 5);
        // Neighbours in rate never share an offset.
        let dy = spread(&[1.0, 1.0 + 1e-9, 3.0, 2.0]);
        let mut by_rate: Vec<(f64, f64)> =
            [1.0, 1.0 + 1e-9, 3.0, 2.0].into_iter().zip(dy).collect();
        by_rate.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert!(by_rate.windows(2).all(|w| w[0].1 != w[1].1), "{by_rate:?}");
        assert!(spread(&[]).is_empty());
    }

    #[test]
    fn verdicts_differ_in_shape_and_keep_contrast() {
        let marks: Vec<_> = [2u8, 1, 0].iter().map(|&v| mark(v)).collect();
        for (i, a) in marks.iter().enumerate() {
            assert!(super::super::contrast(a.0, BACKGROUND) >= 3.0, "{a:?}");
            for b in &marks[i + 1..] {
                assert_ne!(a.1, b.1, "same shape");
            }
        }
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("poolscan-fleet-chart-{}", std::process::id()));
        fs::create_dir_all(&d).unwrap();
        d
    }
}
