//! The fleet chart: for each top tag, the growth rate on every host, one dot
//! per host, coloured by that host's verdict.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    font, human_bytes, render_drawing, ChartError, ChartFormat, DrawResult, Drawing, BORDER, GRID,
    MUTED, ORANGE, TEXT, VERMILLION,
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

const OK_GREY: RGBColor = RGBColor(0x99, 0x99, 0x99);

fn color(v: u8) -> RGBColor {
    match v {
        2 => VERMILLION,
        1 => ORANGE,
        _ => OK_GREY,
    }
}

/// Draws the fleet chart (at most 12 rows) to `path`, atomically.
pub fn fleet(
    path: &Path,
    kind: ChartFormat,
    title: &str,
    rows: &[FleetRow],
) -> Result<(), ChartError> {
    let rows = &rows[..rows.len().min(12)];
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

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    rows: &[FleetRow],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
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
    let mut chart = ChartBuilder::on(root)
        .caption(title, font(24, TEXT))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(330)
        .build_cartesian_2d(lo..hi, -0.5f64..(n as f64 - 0.5))?;
    let labels: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .axis_style(BORDER)
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
        .label_style(font(14, TEXT))
        .axis_desc_style(font(16, MUTED))
        .draw()?;
    // Round ticks: 0, ±1 KiB/h, ±10 KiB/h, ±100 KiB/h, ±1 MiB/h, …
    let mut ticks = vec![0.0];
    for k in 0..8 {
        let v = [1024.0, 10.0 * 1024.0, 100.0 * 1024.0][k % 3] * 1024f64.powi((k / 3) as i32);
        ticks.push(v);
        ticks.push(-v);
    }
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
        let style = font(13, TEXT).pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Top,
        ));
        root.draw(&Text::new(text, (px, py + 6), style))?;
    }
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
        BORDER.stroke_width(2),
    )))?;
    for (i, r) in rows.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        // Ok hosts first, so leaks are drawn on top.
        let mut hosts: Vec<(f64, u8)> = r
            .hosts
            .iter()
            .copied()
            .filter(|h| h.0.is_finite())
            .collect();
        hosts.sort_by_key(|h| h.1);
        chart.draw_series(hosts.iter().enumerate().map(|(k, &(x, v))| {
            // A small vertical spread keeps hosts with the same rate apart.
            let dy = ((k % 7) as f64 - 3.0) * 0.05;
            Circle::new((symlog(x), y + dy), 6, color(v).filled())
        }))?;
    }
    // Legend, top right.
    let (w, _) = root.dim_in_pixel();
    let x0 = w as i32 - 330;
    for (k, (name, v)) in [("leak", 2u8), ("suspect", 1), ("ok", 0)]
        .iter()
        .enumerate()
    {
        let x = x0 + k as i32 * 105;
        root.draw(&Circle::new((x, 24), 6, color(*v).filled()))?;
        root.draw(&Text::new(
            format!("{name} host"),
            (x + 12, 16),
            font(15, TEXT),
        ))?;
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

    fn tempfile_dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("poolscan-fleet-chart-{}", std::process::id()));
        fs::create_dir_all(&d).unwrap();
        d
    }
}
