//! Drawing primitives: the display list every canvas of the viewer is
//! described with (the timeline's [`crate::scene`], the analysis pages'
//! plots), replayed by `web::painter`. A leaf: colours and geometry only.

use crate::theme::Rgba;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// A rectangle: x, y, width, height.
pub type XYWH = (f64, f64, f64, f64);

#[derive(Clone, Debug, PartialEq)]
pub enum Prim {
    Rect {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        color: Rgba,
    },
    StrokeRect {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        color: Rgba,
        width: f64,
    },
    Line {
        x0: f64,
        y0: f64,
        x1: f64,
        y1: f64,
        color: Rgba,
        width: f64,
    },
    /// Rectangles of one colour `(x, y, w, h)` that do not overlap each
    /// other: a lane's runs, painted colour by colour.
    Rects { color: Rgba, rects: Vec<XYWH> },
    /// A closed polygon.
    Poly {
        points: Vec<(f64, f64)>,
        color: Rgba,
    },
    /// An open polyline, dashed (`dash`: on and off lengths) or solid.
    Path {
        points: Vec<(f64, f64)>,
        color: Rgba,
        width: f64,
        dash: Option<(f64, f64)>,
    },
    /// A filled circle.
    Circle { x: f64, y: f64, r: f64, color: Rgba },
    /// Text with its baseline at the middle (`y` is the vertical centre).
    Text {
        x: f64,
        y: f64,
        text: String,
        color: Rgba,
        align: Align,
        bold: bool,
        size: f64,
    },
    /// A highlight behind `text`, where it stands in a left-aligned
    /// [`Prim::Text`] at (`x`, `y`) that starts with `before` (same size and
    /// weight): the painter measures both, so the mark fits the glyphs.
    Mark {
        x: f64,
        y: f64,
        before: String,
        text: String,
        size: f64,
        bold: bool,
        color: Rgba,
    },
    /// Clip subsequent primitives to a rectangle (`None` resets).
    Clip(Option<(f64, f64, f64, f64)>),
}

/// Roughly truncates `s` to fit `max_w` px at `size` px font.
/// Whether [`fit_text`] puts anything in `max_w` px (two characters, or
/// one and an ellipsis): callers skip the work around a label otherwise.
pub fn room_for_text(max_w: f64, size: f64) -> bool {
    max_w / (size * 0.6) >= 2.0
}

pub fn fit_text(s: &str, max_w: f64, size: f64) -> Option<String> {
    if !room_for_text(max_w, size) {
        return None;
    }
    let max_chars = (max_w / (size * 0.6)).floor() as usize;
    let n = s.chars().count();
    if n <= max_chars {
        return Some(s.to_string());
    }
    let mut t: String = s.chars().take(max_chars - 1).collect();
    t.push('…');
    Some(t)
}
