//! Region lanes: a goroutine's user regions at one nesting depth, named
//! where there is room.

use gotrace::timeline::Timeline;

use super::common::{covers, drawn, gutter_label, merge_runs, run_label, x_range, Run};
use super::find::Marking;
use super::lane::{At, Cx, Drawn, Hit};
use crate::format::duration;
use crate::model::Model;
use crate::prim::Prim;
use crate::safe_text::visible;
use crate::view::{View, AXIS_H};

/// Indices into `Timeline::regions` of goroutine `g`'s regions.
fn of_goroutine(tl: &Timeline, g: u32) -> std::ops::Range<usize> {
    let lo = tl.regions.partition_point(|r| r.goroutine < g);
    let hi = tl.regions.partition_point(|r| r.goroutine <= g);
    lo..hi
}

/// Regions of goroutine `g` at `depth` in the view (indices into `Timeline::regions`).
pub fn region_runs(tl: &Timeline, g: u32, depth: u16, view: &View) -> Vec<Run> {
    let iter = of_goroutine(tl, g).filter_map(|i| {
        let r = &tl.regions[i];
        if r.depth != depth || (r.end as f64) < view.t0 || (r.start as f64) > view.t1 {
            return None;
        }
        let (a, b) = x_range(view, r.start as f64, r.end as f64, 0.0);
        Some((a, b, (r.ty % 6) as u8 + 1, i as u32))
    });
    merge_runs(iter, 1.0)
}

/// Draws the regions of goroutine `g` at depth `d`.
pub fn draw(p: &mut Vec<Prim>, cx: Cx, at: At, (g, d): (u32, u16)) -> Drawn {
    let (m, view, theme, lane, y) = (cx.m, cx.view, cx.theme, at.lane, at.y);
    let tl = &m.tl;
    let runs = region_runs(tl, g, d, view);
    for r in &runs {
        let color = theme.regions[r.key as usize];
        p.push(Prim::Rect {
            x: r.x0,
            y: y + 1.0,
            w: r.x1 - r.x0,
            h: lane.h - 2.0,
            color,
        });
        if r.count == 1 {
            let reg = &tl.regions[r.first as usize];
            let name = visible(&tl.strings.get(reg.ty), 200);
            // Clipped to the slice (and back to the lanes' area after).
            let top = y.max(AXIS_H);
            p.push(Prim::Clip(Some((
                r.x0,
                top,
                r.x1 - r.x0,
                (y + lane.h - top).max(0.0),
            ))));
            let marking = match cx.find {
                Some(f) => Marking::Text(f, usize::MAX, theme),
                None => Marking::None,
            };
            run_label(p, r, (y, lane.h), &name, theme.fg, marking);
            p.push(Prim::Clip(Some((
                0.0,
                AXIS_H,
                view.width,
                view.height - AXIS_H,
            ))));
        }
    }
    if d == 0 {
        gutter_label(p, lane, y, "regions", (false, 22.0, theme.muted));
    }
    drawn(&runs)
}

/// The region of goroutine `g` at depth `d` within `slop` of `t`.
pub fn hit(m: &Model, (g, d): (u32, u16), t: f64, slop: f64) -> Option<Hit> {
    let tl = &m.tl;
    of_goroutine(tl, g)
        .find(|&i| {
            let r = &tl.regions[i];
            r.depth == d && covers(r.start, r.end, t, slop)
        })
        .map(|i| Hit::Region(i as u32))
}

/// Tooltip of region `i`.
pub fn describe(m: &Model, i: u32, res: f64) -> Vec<String> {
    let tl = &m.tl;
    let r = &tl.regions[i as usize];
    vec![
        format!("region {}", visible(&tl.strings.get(r.ty), 200)),
        format!(
            "G{}, task {}",
            tl.goroutines[r.goroutine as usize].id, r.task
        ),
        format!(
            "{} at {}",
            duration((r.end - r.start) as f64),
            crate::format::time_at(r.start as f64, res)
        ),
    ]
}
