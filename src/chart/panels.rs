//! The overview as small multiples: one panel per suspect, each with its own
//! y axis (so every suspect shows its own growth whatever the others'
//! sizes), all on the same x range.

use super::*;

/// Height of a row of panels when the overview grows beyond [`HEIGHT`].
pub(super) const ROW_H: i32 = 330;
/// Height of the title and the legend (two rows at most: its entries, then
/// the shared x axis's title) above the panels.
const HEADER_H: i32 = 12 + TITLE_SIZE + 10 + 2 * LINE_H + 8;
/// Space between panels.
const GAP: i32 = 24;

/// Columns and rows of panels for `n` suspects: one column for one, else two.
pub(super) fn grid(n: usize) -> (usize, usize) {
    let cols = if n <= 1 { 1 } else { 2 };
    (cols, n.max(1).div_ceil(cols))
}

/// The overview's height for `n` panels: [`HEIGHT`] up to two rows, then
/// [`ROW_H`] more per row.
pub(super) fn height(n: usize) -> u32 {
    let (_, rows) = grid(n);
    if rows <= 2 {
        return HEIGHT;
    }
    u32::try_from(HEADER_H + rows as i32 * ROW_H + MARGIN / 2).unwrap_or(HEIGHT)
}

/// A panel's outer box, in pixels: `(left, top, right, bottom)`.
pub(super) type Rect = (i32, i32, i32, i32);

/// Where each of `n` panels goes.
pub(super) fn layout(n: usize) -> Vec<Rect> {
    let (cols, rows) = grid(n);
    let h = height(n) as i32;
    let col_w = (W - 2 * MARGIN - (cols as i32 - 1) * GAP) / cols as i32;
    let row_h = (h - HEADER_H - MARGIN / 2) / rows as i32;
    (0..n)
        .map(|i| {
            let (c, r) = ((i % cols) as i32, (i / cols) as i32);
            let left = MARGIN + c * (col_w + GAP);
            let top = HEADER_H + r * row_h;
            (left, top, left + col_w, top + row_h)
        })
        .collect()
}

/// The overview chart, ready to draw.
pub(super) struct Panels<'a> {
    title: String,
    axis: Axis,
    traces: &'a [Trace],
    boundaries: &'a [f64],
}

impl<'a> Panels<'a> {
    pub(super) fn new(
        title: &str,
        axis: Axis,
        traces: &'a [Trace],
        boundaries: &'a [f64],
        note: Option<String>,
    ) -> Self {
        let title = match note {
            Some(n) => format!("{title} ({n})"),
            None => title.to_string(),
        };
        Panels {
            title,
            axis,
            traces,
            boundaries,
        }
    }

    /// One panel's line chart: its series and trends, on the shared x range.
    fn spec(&self, t: &'a Trace, x_span: Option<(f64, f64)>) -> Spec<'a> {
        Spec {
            title: "",
            axis: self.axis,
            y_desc: "",
            y2_desc: None,
            series: vec![SeriesSpec {
                label: String::new(),
                points: &t.points,
                color: OI_BLUE,
                width: 3,
                stroke: Stroke::Solid,
                shape: Shape::Circle,
                secondary: false,
            }],
            trends: &t.trends,
            trend_label: "",
            levels: Vec::new(),
            boundaries: self.boundaries,
            caption: Vec::new(),
            x_span,
            y_steps: 3,
            tight_y: true,
        }
    }
}

impl Drawing for Panels<'_> {
    fn size(&self) -> (u32, u32) {
        (WIDTH, height(self.traces.len()))
    }

    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&BACKGROUND)?;
        let title_style = font(TITLE_SIZE, TEXT).pos(Pos::new(HPos::Center, VPos::Top));
        let title = fit_text(root, &self.title, &title_style, W - 2 * MARGIN)?;
        root.draw_text(&title, &title_style, (W / 2, 12))?;

        // The shared x range: every panel's points, else the reboots.
        let x_span = min_max(
            self.traces
                .iter()
                .flat_map(|t| clean(&t.points))
                .map(|p| p.0),
        );
        let rects = layout(self.traces.len());
        let (cols, _) = grid(self.traces.len());
        let specs: Vec<Spec> = self.traces.iter().map(|t| self.spec(t, x_span)).collect();
        let preps: Vec<Prepared> = specs
            .iter()
            .zip(&rects)
            .map(|(s, r)| prepare(s, r.2 - r.0 - 130))
            .collect();

        // The legend: what the lines are, and the shared x axis.
        let mut legend = vec![LegendEntry {
            label: "bytes in use, each panel on its own scale".to_string(),
            color: OI_BLUE,
            width: 3,
            stroke: Stroke::Solid,
            marker: None,
            hollow: false,
        }];
        if preps.iter().any(|p| !p.trends.is_empty()) {
            legend.push(trend_entry("fitted trend per boot"));
        }
        if preps.iter().any(|p| !p.boundaries.is_empty()) {
            legend.push(reboot_entry());
        }
        let x_desc = preps
            .first()
            .map(|p| p.x_desc.clone())
            .unwrap_or_else(|| match self.axis {
                Axis::Time => "local time".to_string(),
                Axis::Ordinal => "snapshot".to_string(),
            });
        legend.push(LegendEntry {
            label: format!("x: {x_desc}"),
            color: MUTED,
            width: 0,
            stroke: Stroke::Markers,
            marker: None,
            hollow: false,
        });
        draw_legend_row(root, &legend, (MARGIN, W - MARGIN), 12 + TITLE_SIZE + 10)?;

        if self.traces.is_empty() {
            let style = font(TITLE_SIZE, MUTED).pos(Pos::new(HPos::Center, VPos::Center));
            let h = height(0) as i32;
            root.draw_text("no data", &style, (W / 2, (HEADER_H + h) / 2))?;
            return Ok(());
        }
        for (i, ((t, prep), &rect)) in self.traces.iter().zip(&preps).zip(&rects).enumerate() {
            // Panels of one row are apart by a gap; rows by a rule.
            if i >= cols {
                root.draw(&PathElement::new(
                    vec![(rect.0, rect.1 - 2), (rect.2, rect.1 - 2)],
                    GRID.stroke_width(2),
                ))?;
            }
            draw_panel(root, t, prep, rect)?;
        }
        Ok(())
    }
}

/// One panel: its title and detail lines, then its chart.
fn draw_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    t: &Trace,
    prep: &Prepared,
    (left, top, right, bottom): Rect,
) -> DrawResult<DB> {
    let label = if t.label.trim().is_empty() {
        "(no label)"
    } else {
        t.label.as_str()
    };
    let style = font(TEXT_SIZE, TEXT).pos(Pos::new(HPos::Left, VPos::Top));
    let label = fit_text(root, label, &style, right - left)?;
    root.draw_text(&label, &style, (left, top + 8))?;
    let mut head = top + 8 + LINE_H;
    if !t.detail.trim().is_empty() {
        let style = font(TEXT_SIZE, MUTED).pos(Pos::new(HPos::Left, VPos::Top));
        let detail = fit_text(root, &t.detail, &style, right - left)?;
        root.draw_text(&detail, &style, (left, head))?;
        head += LINE_H;
    }
    let (w, h) = root.dim_in_pixel();
    let area = root.margin(
        head,
        (h as i32 - bottom).max(0),
        left,
        (w as i32 - right).max(0),
    );
    let y_w = y_area_w(root, &prep.y, false)?;
    let chart = ChartBuilder::on(&area)
        .margin_top(6)
        .margin_right(14)
        .margin_bottom(4)
        .x_label_area_size(TEXT_SIZE + 16)
        .y_label_area_size(y_w)
        .build_cartesian_2d(TickAxis::new(&prep.x), TickAxis::new(&prep.y))?;
    let mut chart = chart;
    let xf = |v: &f64| prep.x.fmt.label(*v);
    let yf = |v: &f64| prep.y.fmt.label(*v);
    chart
        .configure_mesh()
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS_LINE.stroke_width(1))
        .label_style(font(TEXT_SIZE, TEXT))
        .x_label_formatter(&xf)
        .y_label_formatter(&yf)
        .draw()?;
    let g = draw_data(root, &chart, prep)?;
    if !prep.has_data {
        let style = font(TEXT_SIZE, MUTED).pos(Pos::new(HPos::Center, VPos::Center));
        root.draw_text(
            "no data",
            &style,
            ((g.left + g.right) / 2, (g.top + g.bottom) / 2),
        )?;
    }
    Ok(())
}
