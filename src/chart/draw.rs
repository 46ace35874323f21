//! Drawing a prepared chart on any plotters backend: title, mesh, reboot
//! lines, series, legend.

use super::*;

pub(super) type Coord = Cartesian2d<TickAxis, TickAxis>;

pub(super) type DrawResult<DB> =
    Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

pub(super) fn font(size: i32, color: RGBColor) -> TextStyle<'static> {
    let mut style = TextStyle::from((FAMILY, size).into_font());
    style.color = color.to_backend_color();
    style
}

pub(super) fn ensure_font() -> Result<(), String> {
    static FONT: OnceLock<Result<(), String>> = OnceLock::new();
    FONT.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, FONT_BYTES)
            .map_err(|_| "the embedded font could not be loaded".to_string())
    })
    .clone()
}

/// `text`, shortened with "…" until it is at most `max_w` pixels wide.
pub(super) fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_w: i32,
) -> Result<String, DrawingAreaErrorKind<DB::ErrorType>> {
    let max_w = u32::try_from(max_w.max(0)).unwrap_or(0);
    if area.estimate_text_size(text, style)?.0 <= max_w {
        return Ok(text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    // Binary search the longest prefix that fits with an ellipsis.
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().collect::<String>() + "…";
        if area.estimate_text_size(&candidate, style)?.0 <= max_w {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Ok(chars[..lo]
        .iter()
        .collect::<String>()
        .trim_end()
        .to_string()
        + "…")
}

/// Pixel geometry of the plotting area after the chart is drawn.
pub(super) struct Geometry {
    pub(super) left: i32,
    pub(super) right: i32,
    pub(super) top: i32,
    pub(super) bottom: i32,
    pub(super) boundary_px: Vec<i32>,
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &Spec,
    prep: &Prepared,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;

    let title_style = font(TITLE_SIZE, TEXT).pos(Pos::new(HPos::Center, VPos::Top));
    let title = fit_text(root, spec.title, &title_style, W - 40)?;
    root.draw_text(&title, &title_style, (W / 2, 14))?;

    let area = root.margin(TITLE_H, 0, 0, LEGEND_W);
    let mut builder = ChartBuilder::on(&area);
    builder
        .margin_top(8)
        .margin_left(12)
        .margin_bottom(8)
        .margin_right(if prep.y2.is_some() { 8 } else { 24 })
        .x_label_area_size(52)
        .y_label_area_size(96);
    if prep.y2.is_some() {
        builder.right_y_label_area_size(84);
    }
    let chart = builder.build_cartesian_2d(TickAxis::new(&prep.x), TickAxis::new(&prep.y))?;

    let geometry = match &prep.y2 {
        None => {
            let mut chart = chart;
            draw_mesh(&mut chart, spec, prep)?;
            draw_boundaries(&mut chart, prep)?;
            draw_primary(&mut chart, prep)?
        }
        Some(y2) => {
            let mut chart = chart
                .set_secondary_coord(TickAxis::with_ticks(&prep.x, Vec::new()), TickAxis::new(y2));
            draw_mesh(&mut chart, spec, prep)?;
            let y2f = |v: &f64| y2.fmt.label(*v);
            chart
                .configure_secondary_axes()
                .axis_style(AXIS_LINE.stroke_width(1))
                .label_style(font(LABEL_SIZE, TEXT))
                .axis_desc_style(font(DESC_SIZE, TEXT))
                .y_desc(spec.y2_desc.unwrap_or_default())
                .y_label_formatter(&y2f)
                .draw()?;
            draw_boundaries(&mut chart, prep)?;
            for s in prep.series.iter().filter(|s| s.secondary) {
                let style = s.color.stroke_width(s.width);
                for run in &s.runs {
                    chart.draw_secondary_series(LineSeries::new(run.iter().copied(), style))?;
                    if s.markers {
                        chart.draw_secondary_series(
                            run.iter().map(|&p| Circle::new(p, 3, s.color.filled())),
                        )?;
                    }
                }
            }
            draw_primary(&mut chart, prep)?
        }
    };

    draw_reboot_labels(root, &geometry)?;
    if !prep.has_data {
        let style = font(20, MUTED).pos(Pos::new(HPos::Center, VPos::Center));
        root.draw_text(
            "no data",
            &style,
            (
                (geometry.left + geometry.right) / 2,
                (geometry.top + geometry.bottom) / 2,
            ),
        )?;
    }
    draw_legend(root, &prep.legend, spec.note.as_deref(), geometry.top)?;
    Ok(())
}

pub(super) fn draw_mesh<DB: DrawingBackend>(
    chart: &mut ChartContext<DB, Coord>,
    spec: &Spec,
    prep: &Prepared,
) -> DrawResult<DB> {
    let xf = |v: &f64| prep.x.fmt.label(*v);
    let yf = |v: &f64| prep.y.fmt.label(*v);
    chart
        .configure_mesh()
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS_LINE.stroke_width(1))
        .label_style(font(LABEL_SIZE, TEXT))
        .axis_desc_style(font(DESC_SIZE, TEXT))
        .x_desc(prep.x_desc.as_str())
        .y_desc(spec.y_desc)
        .x_label_formatter(&xf)
        .y_label_formatter(&yf)
        .draw()
}

pub(super) fn draw_boundaries<DB: DrawingBackend>(
    chart: &mut ChartContext<DB, Coord>,
    prep: &Prepared,
) -> DrawResult<DB> {
    let style = REBOOT.stroke_width(2);
    for &b in &prep.boundaries {
        chart.draw_series(std::iter::once(DashedPathElement::new(
            vec![(b, prep.y.lo), (b, prep.y.hi)],
            8,
            6,
            style,
        )))?;
    }
    Ok(())
}

pub(super) fn draw_primary<DB: DrawingBackend>(
    chart: &mut ChartContext<DB, Coord>,
    prep: &Prepared,
) -> Result<Geometry, DrawingAreaErrorKind<DB::ErrorType>> {
    for s in prep.series.iter().filter(|s| !s.secondary) {
        let style = s.color.stroke_width(s.width);
        for run in &s.runs {
            chart.draw_series(LineSeries::new(run.iter().copied(), style))?;
            if s.markers {
                chart.draw_series(run.iter().map(|&p| Circle::new(p, 3, s.color.filled())))?;
            }
        }
    }
    let style = OI_BLACK.stroke_width(2);
    for &(a, b) in &prep.trends {
        chart.draw_series(std::iter::once(DashedPathElement::new(
            vec![a, b],
            10,
            6,
            style,
        )))?;
    }
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let boundary_px = prep
        .boundaries
        .iter()
        .map(|&b| chart.backend_coord(&(b, prep.y.hi)).0)
        .collect();
    Ok(Geometry {
        left: xs.start,
        right: xs.end,
        top: ys.start,
        bottom: ys.end,
        boundary_px,
    })
}

pub(super) fn draw_reboot_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    g: &Geometry,
) -> DrawResult<DB> {
    let style = font(NOTE_SIZE, MUTED).pos(Pos::new(HPos::Left, VPos::Top));
    let (w, h) = root.estimate_text_size("reboot", &style)?;
    let (w, h) = (w as i32, h as i32);
    let mut last_end = i32::MIN;
    for &px in &g.boundary_px {
        let mut x0 = px + 5;
        if x0 + w > g.right - 2 {
            x0 = px - 5 - w;
        }
        if x0 < g.left + 2 || x0 < last_end + 8 {
            continue;
        }
        let y0 = g.top + 5;
        root.draw(&Rectangle::new(
            [(x0 - 2, y0 - 1), (x0 + w + 2, y0 + h + 3)],
            WHITE.mix(0.85).filled(),
        ))?;
        root.draw_text("reboot", &style, (x0, y0))?;
        last_end = x0 + w;
    }
    Ok(())
}

pub(super) fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    note: Option<&str>,
    top: i32,
) -> DrawResult<DB> {
    if entries.is_empty() {
        return Ok(());
    }
    let x0 = W - LEGEND_W + 14;
    let x1 = W - 14;
    let rows = entries.len() as i32 + i32::from(note.is_some());
    let y0 = top;
    let y1 = y0 + 12 + rows * LEGEND_ROW;
    root.draw(&Rectangle::new([(x0, y0), (x1, y1)], WHITE.filled()))?;
    root.draw(&Rectangle::new(
        [(x0, y0), (x1, y1)],
        BORDER.stroke_width(1),
    ))?;
    let style = font(LEGEND_SIZE, TEXT).pos(Pos::new(HPos::Left, VPos::Center));
    let text_x = x0 + 52;
    let text_w = x1 - text_x - 8;
    for (i, e) in entries.iter().enumerate() {
        let cy = y0 + 6 + LEGEND_ROW / 2 + i as i32 * LEGEND_ROW;
        let sample = vec![(x0 + 10, cy), (x0 + 42, cy)];
        let line_style = e.color.stroke_width(e.width);
        if e.dashed {
            root.draw(&DashedPathElement::new(sample, 8, 5, line_style))?;
        } else {
            root.draw(&PathElement::new(sample, line_style))?;
        }
        if e.marker {
            root.draw(&Circle::new((x0 + 26, cy), 3, e.color.filled()))?;
        }
        let label = fit_text(root, &e.label, &style, text_w)?;
        root.draw_text(&label, &style, (text_x, cy))?;
    }
    if let Some(note) = note {
        let cy = y0 + 6 + LEGEND_ROW / 2 + entries.len() as i32 * LEGEND_ROW;
        let style = font(NOTE_SIZE, MUTED).pos(Pos::new(HPos::Left, VPos::Center));
        let label = fit_text(root, note, &style, x1 - x0 - 20)?;
        root.draw_text(&label, &style, (x0 + 10, cy))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Writing.

/// Something drawn on a chart-sized area, on any plotters backend.
pub(super) trait Drawing {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// A line chart: its spec and the ranges and ticks prepared from it.
pub(super) struct Lines<'a, 'b> {
    pub(super) spec: &'a Spec<'b>,
    pub(super) prep: Prepared,
}

impl Drawing for Lines<'_, '_> {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        draw(root, self.spec, &self.prep)
    }
}
