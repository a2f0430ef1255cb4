//! The GC lane: mark phases, with stop-the-world pauses drawn over them.

use gotrace::timeline::RangeKind;

use super::common::{covers, drawn, gutter_label, merge_runs, x_range, Run};
use super::lane::{At, Cx, Drawn, Hit};
use crate::format::duration;
use crate::model::Model;
use crate::prim::Prim;
use crate::view::View;

/// GC lane runs: key 1 = mark phase, 2 = stop-the-world (drawn over the marks).
pub fn gc_runs(m: &Model, view: &View) -> Vec<Run> {
    let tl = &m.tl;
    let mut marks = Vec::new();
    let mut stws = Vec::new();
    for &i in m.gc.overlapping(view.t0, view.t1) {
        let Some(r) = tl.ranges.get(i as usize) else {
            continue;
        };
        if (r.end as f64) < view.t0 {
            continue;
        }
        let (a, b) = x_range(view, r.start as f64, r.end as f64, 0.0);
        match r.kind {
            RangeKind::GcMark => marks.push((a, b, 1, i)),
            RangeKind::StopTheWorld => stws.push((a, b, 2, i)),
            _ => {}
        }
    }
    let mut out = merge_runs(marks, 1.0);
    out.extend(merge_runs(stws, 1.0));
    out
}

pub fn draw(p: &mut Vec<Prim>, cx: Cx, at: At) -> Drawn {
    let (m, view, theme, lane, y) = (cx.m, cx.view, cx.theme, at.lane, at.y);
    gutter_label(p, lane, y, &lane.label, (false, 0.0, theme.fg));
    let runs = gc_runs(m, view);
    for r in &runs {
        let stw = r.key == 2;
        let color = if stw { theme.stw } else { theme.gc_mark };
        let (yy, hh) = if stw {
            (y + 1.0, lane.h - 2.0)
        } else {
            (y + 4.0, lane.h - 8.0)
        };
        p.push(Prim::Rect {
            x: r.x0,
            y: yy,
            w: r.x1 - r.x0,
            h: hh,
            color,
        });
    }
    drawn(&runs)
}

/// The GC range at `t` (within `slop`), a pause before the mark phase around it.
pub fn hit(m: &Model, t: f64, slop: f64) -> Option<Hit> {
    m.gc.overlapping(t - slop, t + slop)
        .iter()
        .filter_map(|&i| Some((i, m.tl.ranges.get(i as usize)?)))
        .filter(|(_, r)| covers(r.start, r.end, t, slop))
        // Prefer the stop-the-world pause over the mark phase around it.
        .max_by_key(|(_, r)| r.kind == RangeKind::StopTheWorld)
        .map(|(i, _)| Hit::Range(i))
}

/// Tooltip of GC range `i` (also the assist and sweep bands' ranges).
pub fn describe(m: &Model, i: u32, res: f64) -> Vec<String> {
    let tl = &m.tl;
    let r = &tl.ranges[i as usize];
    let name = match r.kind {
        RangeKind::GcMark => "GC mark phase".to_string(),
        RangeKind::StopTheWorld => format!("stop-the-world ({})", tl.strings.get(r.label)),
        RangeKind::GcSweep => "GC sweep".to_string(),
        RangeKind::GcMarkAssist => "GC mark assist".to_string(),
    };
    vec![
        name,
        format!(
            "{} at {}",
            duration((r.end - r.start) as f64),
            crate::format::time_at(r.start as f64, res)
        ),
    ]
}
