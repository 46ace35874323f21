//! Drawing a prepared line chart on any plotters backend: title, legend
//! row, mesh, reboot lines, levels, series, trends, caption; and the text
//! helpers every chart shares (fitting, wrapping, the legend row).

use super::*;

pub(super) type Coord = Cartesian2d<TickAxis, TickAxis>;

pub(super) type DrawResult<DB> =
    Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

type Drawn<DB, T> = Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

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

/// Width in pixels of `text` in `style`.
pub(super) fn text_w<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
) -> Drawn<DB, i32> {
    Ok(i32::try_from(area.estimate_text_size(text, style)?.0).unwrap_or(i32::MAX))
}

/// `text`, shortened with "…" until it is at most `max_w` pixels wide.
pub(super) fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_w: i32,
) -> Drawn<DB, String> {
    if text_w(area, text, style)? <= max_w {
        return Ok(text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    // Binary search the longest prefix that fits with an ellipsis.
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().collect::<String>() + "…";
        if text_w(area, &candidate, style)? <= max_w {
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

/// `text` broken at spaces into lines at most `max_w` pixels wide, at most
/// `max_lines` of them (the last one cut with "…" when text is left over).
pub(super) fn wrap_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_w: i32,
    max_lines: usize,
) -> Drawn<DB, Vec<String>> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut i = 0;
    while i < words.len() {
        let candidate = if current.is_empty() {
            words[i].to_string()
        } else {
            format!("{current} {}", words[i])
        };
        if current.is_empty() || text_w(area, &candidate, style)? <= max_w {
            current = candidate;
            i += 1;
            continue;
        }
        if lines.len() + 1 == max_lines {
            break;
        }
        lines.push(std::mem::take(&mut current));
    }
    if !current.is_empty() {
        if i < words.len() {
            // Text left over: the last line says so.
            current = fit_text(
                area,
                &format!("{current} {}", words[i..].join(" ")),
                style,
                max_w,
            )?;
        } else {
            current = fit_text(area, &current, style, max_w)?;
        }
        lines.push(current);
    }
    lines.truncate(max_lines.max(1));
    Ok(lines)
}

/// Height of one line of [`TEXT_SIZE`] text, with its leading.
pub(super) const LINE_H: i32 = TEXT_SIZE + 8;
/// Length of a legend entry's sample line.
const SAMPLE_W: i32 = 48;

/// A legend entry's top-left corner and its label (fitted to the row).
pub(super) type Placed = (i32, i32, String);

/// Where each legend entry goes in a row (or rows) from `x0` to `x1`
/// starting at `y0`: the entries' top-left corners, and the bottom of the last row.
pub(super) fn legend_layout<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    (x0, x1): (i32, i32),
    y0: i32,
) -> Drawn<DB, (Vec<Placed>, i32)> {
    let style = font(TEXT_SIZE, TEXT);
    let mut out = Vec::new();
    let (mut x, mut y) = (x0, y0);
    for e in entries {
        let sample = sample_w(e);
        let label = fit_text(area, &e.label, &style, x1 - x0 - sample)?;
        let w = sample + text_w(area, &label, &style)?;
        if x > x0 && x + w > x1 {
            x = x0;
            y += LINE_H;
        }
        out.push((x, y, label));
        x += w + 32;
    }
    let bottom = if entries.is_empty() { y0 } else { y + LINE_H };
    Ok((out, bottom))
}

/// Width of an entry's sample and the gap after it: none for a text-only
/// entry (no line, no marker), which is written in [`MUTED`].
fn sample_w(e: &LegendEntry) -> i32 {
    if e.stroke == Stroke::Markers && e.marker.is_none() {
        0
    } else {
        SAMPLE_W + 10
    }
}

/// Draws `entries` as laid out by [`legend_layout`]; returns the bottom of the last row.
pub(super) fn draw_legend_row<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    span: (i32, i32),
    y0: i32,
) -> Drawn<DB, i32> {
    let (at, bottom) = legend_layout(root, entries, span, y0)?;
    let style = font(TEXT_SIZE, TEXT).pos(Pos::new(HPos::Left, VPos::Center));
    for (e, (x, y, label)) in entries.iter().zip(at) {
        let cy = y + LINE_H / 2;
        let stroke = if e.stroke == Stroke::Markers {
            None
        } else {
            Some(e.stroke)
        };
        if let Some(stroke) = stroke {
            draw_path(
                root,
                vec![(x + 2, cy), (x + SAMPLE_W - 2, cy)],
                stroke,
                e.color,
                e.width,
            )?;
        }
        if let Some(shape) = e.marker {
            let r = if stroke.is_some() { 4 } else { 6 };
            draw_marker(root, (x + SAMPLE_W / 2, cy), shape, r, e.color, !e.hollow)?;
        }
        let style = if sample_w(e) == 0 {
            font(TEXT_SIZE, MUTED).pos(Pos::new(HPos::Left, VPos::Center))
        } else {
            style.clone()
        };
        root.draw_text(&label, &style, (x + sample_w(e), cy))?;
    }
    Ok(bottom)
}

/// The caption's paragraphs wrapped to `max_w`: (line, colour) pairs.
pub(super) fn caption_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    caption: &[Paragraph],
    max_w: i32,
) -> Drawn<DB, Vec<(String, RGBColor)>> {
    let mut out = Vec::new();
    for p in caption {
        let style = font(TEXT_SIZE, p.color);
        for line in wrap_text(root, &p.text, &style, max_w, p.max_lines)? {
            out.push((line, p.color));
        }
    }
    Ok(out)
}

/// Pixel geometry of the plotting area after the chart is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Geometry {
    pub(super) left: i32,
    pub(super) right: i32,
    pub(super) top: i32,
    pub(super) bottom: i32,
}

/// Width of a y label area holding `ticks`' labels (and the axis title when `desc`).
pub(super) fn y_area_w<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ticks: &Ticks,
    desc: bool,
) -> Drawn<DB, i32> {
    let style = font(TEXT_SIZE, TEXT);
    let mut w = 0;
    for &t in &ticks.ticks {
        w = w.max(text_w(root, &ticks.fmt.label(t), &style)?);
    }
    Ok(w + 16 + if desc { TEXT_SIZE + 14 } else { 0 })
}

/// The plot's width before its y label areas are known: for choosing x ticks.
pub(super) fn plot_w_estimate(secondary: bool) -> i32 {
    W - 2 * MARGIN - 170 - if secondary { 150 } else { 0 }
}

/// A line chart of `spec` (prepared as `prep`) over the whole of `root`.
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &Spec,
    prep: &Prepared,
) -> DrawResult<DB> {
    root.fill(&BACKGROUND)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);

    let title_style = font(TITLE_SIZE, TEXT).pos(Pos::new(HPos::Center, VPos::Top));
    let title = fit_text(root, spec.title, &title_style, w - 2 * MARGIN)?;
    root.draw_text(&title, &title_style, (w / 2, 12))?;
    let legend_top = 12 + TITLE_SIZE + 10;
    let legend_bottom = draw_legend_row(root, &prep.legend, (MARGIN, w - MARGIN), legend_top)?;

    let caption = caption_lines(root, &spec.caption, w - 2 * MARGIN)?;
    let caption_h = if caption.is_empty() {
        0
    } else {
        caption.len() as i32 * LINE_H + 20
    };
    for (i, (line, color)) in caption.iter().enumerate() {
        let style = font(TEXT_SIZE, *color).pos(Pos::new(HPos::Left, VPos::Top));
        let y = h - MARGIN / 2 - caption_h + 12 + i as i32 * LINE_H;
        root.draw_text(line, &style, (MARGIN, y))?;
    }

    let area = root.margin(legend_bottom + 4, caption_h, 0, 0);
    let left_w = y_area_w(root, &prep.y, true)?;
    let right_w = match &prep.y2 {
        Some(t) => y_area_w(root, t, true)?,
        None => 0,
    };
    let mut builder = ChartBuilder::on(&area);
    builder
        .margin_top(8)
        .margin_left(MARGIN / 2)
        .margin_bottom(4)
        .margin_right(if prep.y2.is_some() {
            MARGIN / 2
        } else {
            MARGIN + 12
        })
        .x_label_area_size(2 * TEXT_SIZE + 26)
        .y_label_area_size(left_w);
    if prep.y2.is_some() {
        builder.right_y_label_area_size(right_w);
    }
    let chart = builder.build_cartesian_2d(TickAxis::new(&prep.x), TickAxis::new(&prep.y))?;

    let geometry = match &prep.y2 {
        None => {
            let mut chart = chart;
            draw_mesh(&mut chart, spec, prep)?;
            draw_data(root, &chart, prep)?
        }
        Some(y2) => {
            let mut chart = chart
                .set_secondary_coord(TickAxis::with_ticks(&prep.x, Vec::new()), TickAxis::new(y2));
            draw_mesh(&mut chart, spec, prep)?;
            let y2f = |v: &f64| y2.fmt.label(*v);
            chart
                .configure_secondary_axes()
                .axis_style(AXIS_LINE.stroke_width(1))
                .label_style(font(TEXT_SIZE, TEXT))
                .axis_desc_style(font(TEXT_SIZE, TEXT))
                .y_desc(spec.y2_desc.unwrap_or_default())
                .y_label_formatter(&y2f)
                .draw()?;
            draw_data(root, &chart, prep)?
        }
    };

    if !prep.has_data {
        let style = font(TITLE_SIZE, MUTED).pos(Pos::new(HPos::Center, VPos::Center));
        root.draw_text(
            "no data",
            &style,
            (
                (geometry.left + geometry.right) / 2,
                (geometry.top + geometry.bottom) / 2,
            ),
        )?;
    }
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
        .label_style(font(TEXT_SIZE, TEXT))
        .axis_desc_style(font(TEXT_SIZE, TEXT))
        .x_desc(prep.x_desc.as_str())
        .y_desc(spec.y_desc)
        .x_label_formatter(&xf)
        .y_label_formatter(&yf)
        .draw()
}

/// Reboots, levels, series, floor markers and trends, in backend pixels of
/// `chart`'s primary axes (secondary values are mapped onto them).
pub(super) fn draw_data<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &ChartContext<DB, Coord>,
    prep: &Prepared,
) -> Drawn<DB, Geometry> {
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let g = Geometry {
        left: xs.start,
        right: xs.end,
        top: ys.start,
        bottom: ys.end,
    };
    let to_primary = |v: f64| match &prep.y2 {
        Some(t) => prep.y.lo + (v - t.lo) / (t.hi - t.lo) * (prep.y.hi - prep.y.lo),
        None => v,
    };
    let px = |p: (f64, f64), secondary: bool| {
        let y = if secondary { to_primary(p.1) } else { p.1 };
        chart.backend_coord(&(p.0, y))
    };
    for &b in &prep.boundaries {
        let x = px((b, prep.y.lo), false).0;
        draw_path(
            root,
            vec![(x, g.top), (x, g.bottom)],
            REBOOT_STROKE,
            REBOOT,
            2,
        )?;
    }
    for &l in &prep.levels {
        let y = px((prep.x.lo, l), false).1;
        draw_path(root, vec![(g.left, y), (g.right, y)], LEVEL_STROKE, INK, 2)?;
    }
    // Secondary series first: bytes, the chart's subject, are drawn on top.
    let order = prep
        .series
        .iter()
        .filter(|s| s.secondary)
        .chain(prep.series.iter().filter(|s| !s.secondary));
    for s in order {
        for run in &s.runs {
            let pts: Vec<(i32, i32)> = run.iter().map(|&p| px(p, s.secondary)).collect();
            if s.markers {
                let r = if s.stroke == Stroke::Markers { 6 } else { 4 };
                for &p in &pts {
                    draw_marker(root, p, s.shape, r, s.color, true)?;
                }
            }
            draw_path(root, pts, s.stroke, s.color, s.width)?;
        }
    }
    for &(a, b) in &prep.trends {
        draw_path(root, vec![px(a, false), px(b, false)], TREND_STROKE, INK, 3)?;
    }
    Ok(g)
}

// ---------------------------------------------------------------------------
// Writing.

/// Something drawn on a chart-sized area, on any plotters backend.
pub(super) trait Drawing {
    /// The chart's size in pixels.
    fn size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT)
    }

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
