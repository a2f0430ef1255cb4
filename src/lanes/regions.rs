//! Region lanes: a goroutine's user regions at one nesting depth, named
//! where there is room.

use super::common::{covers, drawn, gutter_label, merge_runs, push_runs, run_label, x_range, Run};
use super::find::Marking;
use super::lane::{At, Cx, Drawn, Hit};
use crate::format::duration;
use crate::model::Model;
use crate::prim::{room_for_text, Prim};
use crate::safe_text::visible;
use crate::view::{View, AXIS_H};

/// Goroutine `g`'s regions at `depth` (indices into `Timeline::regions`)
/// that may overlap `[t0, t1]`.
fn at_depth(m: &Model, g: u32, depth: u16, t0: f64, t1: f64) -> &[u32] {
    m.regions
        .get(g as usize)
        .and_then(|d| d.get(depth as usize))
        .map_or(&[], |l| l.overlapping(t0, t1))
}

/// Regions of goroutine `g` at `depth` in the view (indices into `Timeline::regions`).
pub fn region_runs(m: &Model, g: u32, depth: u16, view: &View) -> Vec<Run> {
    let tl = &m.tl;
    let iter = at_depth(m, g, depth, view.t0, view.t1)
        .iter()
        .filter_map(|&i| {
            let r = tl.regions.get(i as usize)?;
            if (r.end as f64) < view.t0 {
                return None;
            }
            let (a, b) = x_range(view, r.start as f64, r.end as f64, 0.0);
            Some((a, b, (r.ty % 6) as u8 + 1, i))
        });
    merge_runs(iter, 1.0)
}

/// Draws the regions of goroutine `g` at depth `d`.
pub fn draw(p: &mut Vec<Prim>, cx: Cx, at: At, (g, d): (u32, u16)) -> Drawn {
    let (m, view, theme, lane, y) = (cx.m, cx.view, cx.theme, at.lane, at.y);
    let tl = &m.tl;
    let runs = region_runs(m, g, d, view);
    push_runs(p, &runs, y + 1.0, lane.h - 2.0, |r| {
        theme.regions[r.key as usize]
    });
    // Names, each clipped to its region (and back to the lanes' area
    // after): only where one fits, as a clip costs the canvas a save and
    // a restore (zoomed out, a server goroutine has a region per pixel).
    for r in runs
        .iter()
        .filter(|r| r.count == 1 && room_for_text(r.x1 - r.x0 - 4.0, 10.0))
    {
        let Some(reg) = tl.regions.get(r.first as usize) else {
            continue;
        };
        let name = visible(&tl.strings.get(reg.ty), 200);
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
    if d == 0 {
        gutter_label(p, lane, y, "regions", (false, 22.0, theme.muted));
    }
    drawn(&runs)
}

/// The region of goroutine `g` at depth `d` within `slop` of `t`.
pub fn hit(m: &Model, (g, d): (u32, u16), t: f64, slop: f64) -> Option<Hit> {
    let tl = &m.tl;
    at_depth(m, g, d, t - slop, t + slop)
        .iter()
        .find(|&&i| {
            tl.regions
                .get(i as usize)
                .is_some_and(|r| covers(r.start, r.end, t, slop))
        })
        .map(|&i| Hit::Region(i))
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
