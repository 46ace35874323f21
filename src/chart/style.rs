//! The look shared by every chart: colours (with their contrast against the
//! white background), line strokes and marker shapes, text sizes.
//!
//! Colours are the Okabe–Ito colour-blind-safe colours that keep at least
//! 3:1 contrast against white (WCAG 2's figure for graphics): blue,
//! vermillion, bluish green, reddish purple and black. Its orange, sky blue
//! and yellow do not (2.0:1 to 1.3:1) and are not used. Series of one chart
//! also differ in stroke (solid, dashed) or marker shape, so they stay apart
//! in greyscale and for any colour vision.
//!
//! Text is sized for a chart shown at phone width: a 1280-pixel chart shown
//! 400 pixels wide still has text of at least 8 pixels ([`TEXT_SIZE`] × 400 /
//! 1280).

use super::*;

/// Okabe–Ito blue.
pub(super) const OI_BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Okabe–Ito vermillion.
pub(super) const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Okabe–Ito bluish green.
pub(super) const OI_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
/// Okabe–Ito reddish purple.
pub(super) const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
/// Black.
pub(super) const INK: RGBColor = RGBColor(0x00, 0x00, 0x00);
/// Reboot lines.
pub(super) const REBOOT: RGBColor = RGBColor(0x76, 0x76, 0x76);

/// Every colour a chart draws data, trends, budgets or reboots in: each
/// keeps at least [`MIN_CONTRAST`] against [`BACKGROUND`] (the tests check
/// it; this list and the contrast functions exist for them).
#[cfg(test)]
pub(super) const DATA_COLOURS: [RGBColor; 6] = [OI_BLUE, VERMILLION, OI_GREEN, PURPLE, INK, REBOOT];

/// The background of every chart.
pub(super) const BACKGROUND: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
/// WCAG 2.1's minimum contrast for graphical objects (success criterion 1.4.11).
#[cfg(test)]
pub(super) const MIN_CONTRAST: f64 = 3.0;

pub(super) const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(super) const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub(super) const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
pub(super) const AXIS_LINE: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub(super) const BORDER: RGBColor = RGBColor(0xB0, 0xB0, 0xB0);

/// Titles.
pub(super) const TITLE_SIZE: i32 = 34;
/// Everything else: tick labels, axis titles, legends, captions, notes.
pub(super) const TEXT_SIZE: i32 = 26;
/// The narrowest display a chart is made to be read on, in pixels.
#[cfg(test)]
pub(super) const PHONE_WIDTH: i32 = 400;

/// WCAG 2.1 relative luminance of an sRGB colour, in [0, 1].
#[cfg(test)]
pub(super) fn luminance(c: RGBColor) -> f64 {
    let lin = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
}

/// WCAG 2.1 contrast ratio of two colours, from 1 (same) to 21 (black on white).
#[cfg(test)]
pub(super) fn contrast(a: RGBColor, b: RGBColor) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// How a series' line is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stroke {
    /// A solid line.
    Solid,
    /// A dashed line: `dash` pixels drawn, `gap` pixels left out.
    Dashed { dash: u32, gap: u32 },
    /// No line: only a marker at each point.
    Markers,
}

/// A marker's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Circle,
    Triangle,
    Square,
    Diamond,
}

/// A marker of `shape`, `r` pixels from its centre to its edge, filled or
/// drawn as an outline, at backend pixel `(x, y)` of `area`.
pub(super) fn draw_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    shape: Shape,
    r: i32,
    color: RGBColor,
    filled: bool,
) -> DrawResult<DB> {
    let style = if filled {
        color.filled()
    } else {
        color.stroke_width(2)
    };
    match shape {
        Shape::Circle => area.draw(&Circle::new((x, y), r, style)),
        Shape::Square => area.draw(&Rectangle::new([(x - r, y - r), (x + r, y + r)], style)),
        Shape::Triangle | Shape::Diamond => {
            let pts: Vec<(i32, i32)> = if shape == Shape::Triangle {
                let h = r + r / 3;
                vec![(x, y - h), (x + h, y + r), (x - h, y + r)]
            } else {
                let h = r + r / 3;
                vec![(x, y - h), (x + h, y), (x, y + h), (x - h, y)]
            };
            if filled {
                area.draw(&Polygon::new(pts, style))
            } else {
                let mut ring = pts.clone();
                ring.push(pts[0]);
                area.draw(&PathElement::new(ring, style))
            }
        }
    }
}

/// A polyline of backend pixels drawn with `stroke` (nothing for [`Stroke::Markers`]).
pub(super) fn draw_path<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pts: Vec<(i32, i32)>,
    stroke: Stroke,
    color: RGBColor,
    width: u32,
) -> DrawResult<DB> {
    let style = color.stroke_width(width);
    match stroke {
        Stroke::Solid => area.draw(&PathElement::new(pts, style)),
        Stroke::Dashed { dash, gap } => area.draw(&DashedPathElement::new(pts, dash, gap, style)),
        Stroke::Markers => Ok(()),
    }
}
