//! The canvas painter: replays a display list ([`Prim`]s) on a 2D context.
//! Thin and dumb on purpose; every decision about what to draw is made in
//! `crate::scene` (the timeline) or the analysis pages' plots.

use web_sys::CanvasRenderingContext2d;

use crate::prim::{Align, Prim};
use crate::theme::Rgba;

const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

/// Paints `prims` in CSS pixels (the context is scaled by `dpr`).
pub fn paint(ctx: &CanvasRenderingContext2d, prims: &[Prim], dpr: f64) {
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.set_text_baseline("middle");
    let mut fill: Option<Rgba> = None;
    let mut font = (0.0f64, false);
    let mut clipped = false;
    for p in prims {
        match p {
            Prim::Rect { x, y, w, h, color } => {
                set_fill(ctx, &mut fill, *color);
                ctx.fill_rect(*x, *y, *w, *h);
            }
            Prim::Rects { color, rects } => {
                set_fill(ctx, &mut fill, *color);
                for &(x, y, w, h) in rects {
                    ctx.fill_rect(x, y, w, h);
                }
            }
            Prim::StrokeRect {
                x,
                y,
                w,
                h,
                color,
                width,
            } => {
                ctx.set_stroke_style_str(&color.css());
                ctx.set_line_width(*width);
                ctx.stroke_rect(*x, *y, *w, *h);
            }
            Prim::Line {
                x0,
                y0,
                x1,
                y1,
                color,
                width,
            } => {
                ctx.set_stroke_style_str(&color.css());
                ctx.set_line_width(*width);
                ctx.begin_path();
                // Crisp 1px lines on pixel centres.
                let (ax, bx) = if x0 == x1 {
                    (x0.floor() + 0.5, x1.floor() + 0.5)
                } else {
                    (*x0, *x1)
                };
                let (ay, by) = if y0 == y1 {
                    (y0.floor() + 0.5, y1.floor() + 0.5)
                } else {
                    (*y0, *y1)
                };
                ctx.move_to(ax, ay);
                ctx.line_to(bx, by);
                ctx.stroke();
            }
            Prim::Poly { points, color } => {
                if points.len() < 3 {
                    continue;
                }
                set_fill(ctx, &mut fill, *color);
                ctx.begin_path();
                ctx.move_to(points[0].0, points[0].1);
                for &(x, y) in &points[1..] {
                    ctx.line_to(x, y);
                }
                ctx.close_path();
                ctx.fill();
            }
            Prim::Path {
                points,
                color,
                width,
                dash,
            } => {
                if points.len() < 2 {
                    continue;
                }
                ctx.set_stroke_style_str(&color.css());
                ctx.set_line_width(*width);
                if let Some((on, off)) = dash {
                    let _ = ctx.set_line_dash(&js_sys::Array::of2(&(*on).into(), &(*off).into()));
                }
                ctx.begin_path();
                ctx.move_to(points[0].0, points[0].1);
                for &(x, y) in &points[1..] {
                    ctx.line_to(x, y);
                }
                ctx.stroke();
                if dash.is_some() {
                    let _ = ctx.set_line_dash(&js_sys::Array::new());
                }
            }
            Prim::Circle { x, y, r, color } => {
                set_fill(ctx, &mut fill, *color);
                ctx.begin_path();
                let _ = ctx.arc(*x, *y, *r, 0.0, std::f64::consts::TAU);
                ctx.fill();
            }
            Prim::Text {
                x,
                y,
                text,
                color,
                align,
                bold,
                size,
            } => {
                set_font(ctx, &mut font, *size, *bold);
                ctx.set_text_align(match align {
                    Align::Left => "left",
                    Align::Center => "center",
                    Align::Right => "right",
                });
                set_fill(ctx, &mut fill, *color);
                let _ = ctx.fill_text(text, *x, *y);
            }
            Prim::Mark {
                x,
                y,
                before,
                text,
                size,
                bold,
                color,
            } => {
                set_font(ctx, &mut font, *size, *bold);
                let w = |s: &str| ctx.measure_text(s).map_or(0.0, |m| m.width());
                let x0 = x + w(before);
                set_fill(ctx, &mut fill, *color);
                // A little wider and taller than the glyphs, as a pen stroke.
                ctx.fill_rect(x0 - 1.5, y - size * 0.7, w(text) + 3.0, size * 1.4);
            }
            Prim::Clip(rect) => {
                if clipped {
                    ctx.restore();
                    clipped = false;
                    fill = None;
                    font = (0.0, false);
                }
                if let Some((x, y, w, h)) = rect {
                    ctx.save();
                    ctx.begin_path();
                    ctx.rect(*x, *y, *w, *h);
                    ctx.clip();
                    clipped = true;
                }
            }
        }
    }
    if clipped {
        ctx.restore();
    }
}

/// Sizes canvas `cv` to `w`×`h` CSS px (through CSSOM), clears it and
/// paints `prims` on it: the analysis pages' plots.
pub fn paint_canvas(cv: &web_sys::HtmlCanvasElement, size: (f64, f64), prims: &[Prim]) {
    if let Some(ctx) = super::js::context_2d(cv, size, true, false) {
        paint(&ctx, prims, super::js::dpr());
    }
}

fn set_font(ctx: &CanvasRenderingContext2d, current: &mut (f64, bool), size: f64, bold: bool) {
    if *current != (size, bold) {
        ctx.set_font(&format!(
            "{}{}px {FONT}",
            if bold { "600 " } else { "" },
            size
        ));
        *current = (size, bold);
    }
}

fn set_fill(ctx: &CanvasRenderingContext2d, current: &mut Option<Rgba>, c: Rgba) {
    if *current != Some(c) {
        ctx.set_fill_style_str(&c.css());
        *current = Some(c);
    }
}
