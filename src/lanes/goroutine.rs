//! Goroutine lanes: one goroutine's states (coloured by [`span_key`]), its
//! GC mark assists as a band on top, and its user log messages as ticks.

use gotrace::timeline::Timeline;

use super::common::{
    band, drawn, fill_lane, gutter_label_marked, level_runs, merge_runs, push_runs, push_ticks,
    Run, KEYS,
};
use super::find::Marking;
use super::lane::{lane_screen_y, At, Cx, Drawn, Hit, Lane};
use crate::format::duration;
use crate::model::Model;
use crate::prim::Prim;
use crate::view::{View, GUTTER};

pub use gotrace::timeline::{color_key as span_key, wait_family};

/// Names of the colour keys (for the legend and tests).
pub fn key_name(key: u8) -> &'static str {
    match key {
        1 => "running",
        2 => "runnable",
        3 => "syscall",
        4 => "blocked (sync)",
        5 => "sleeping",
        6 => "blocked (network/IO)",
        7 => "blocked (GC)",
        8 => "blocked (other)",
        _ => "",
    }
}

/// The runs to draw for goroutine index `g` in the view.
pub fn goroutine_runs(tl: &Timeline, g: u32, view: &View) -> Vec<Run> {
    let Some(gr) = tl.goroutines.get(g as usize) else {
        return Vec::new();
    };
    if let Some(runs) = level_runs(&gr.levels, view, |item| item.min(KEYS as u32 - 1) as u8) {
        return runs;
    }
    let (t0, t1) = (view.t0, view.t1);
    let x_max = view.width;
    let iter = tl
        .spans_from(g as usize, t0.floor() as i64)
        .take_while(|s| (s.start as f64) < t1)
        .filter_map(|s| {
            if s.key == 0 {
                return None;
            }
            let a = view.x_of(s.start as f64).max(GUTTER);
            let b = view.x_of(s.end as f64).min(x_max);
            (b > a || (b == a && a > GUTTER)).then_some((a, b, s.key, s.index as u32))
        });
    merge_runs(iter, 1.0)
}

/// Draws goroutine `g`'s lane (`index`: its position, for the stripes).
pub fn draw(p: &mut Vec<Prim>, cx: Cx, at: At, g: u32) -> Drawn {
    let (m, view, theme, lane, y) = (cx.m, cx.view, cx.theme, at.lane, at.y);
    let tl = &m.tl;
    if at.index.is_multiple_of(2) {
        fill_lane(p, lane, y, view, theme.lane_alt);
    }
    // A match's label is in the text colour (the others muted), and marked
    // when the search names its id.
    let (ink, marking) = match cx.find {
        Some(f) if f.shows(g) => {
            let named = f.id.is_some() && f.id == tl.goroutines.get(g as usize).map(|gr| gr.id);
            let marking = if named {
                Marking::Whole(theme)
            } else {
                Marking::None
            };
            ((true, 14.0, theme.fg), marking)
        }
        _ => ((false, 14.0, theme.muted), Marking::None),
    };
    gutter_label_marked(p, lane, y, &lane.label, ink, marking);
    let runs = goroutine_runs(tl, g, view);
    push_runs(p, &runs, y + 2.0, lane.h - 4.0, |r| {
        theme.states[r.key as usize]
    });
    // Mark assists as a thin band on top.
    band(p, &m.assists[g as usize], view, y, 2.0, theme.gc_mark);
    // User log messages: small ticks at the top, at most one per pixel.
    let ids = &m.logs[g as usize];
    let lo = ids.partition_point(|&i| (tl.logs[i as usize].time as f64) < view.t0);
    let mut last_x = f64::NEG_INFINITY;
    let ticks = ids[lo..]
        .iter()
        .map(|&i| tl.logs[i as usize].time as f64)
        .take_while(|&t| t <= view.t1)
        .filter_map(|t| {
            let x = view.x_of(t).round();
            (x - last_x >= 2.0).then(|| {
                last_x = x;
                x - 1.0
            })
        });
    push_ticks(p, ticks, 2.0, (y, lane.h / 3.0 + 1.0), theme.fg);
    drawn(&runs)
}

/// What is at time `t` (canvas y `y`) on goroutine `g`'s lane: a log marker
/// (in the top third of the lane), else a span, or a tiny one within `slop`.
pub fn hit(m: &Model, g: u32, lane: &Lane, view: &View, y: f64, t: f64, slop: f64) -> Option<Hit> {
    let tl = &m.tl;
    let lane_top = lane_screen_y(lane, view);
    if y < lane_top + lane.h / 3.0 + 1.0 {
        if let Some(l) = m.log_near(g, t, slop) {
            return Some(Hit::Log(l));
        }
    }
    let g = g as usize;
    let drawn = |i: usize| tl.span(g, i).filter(|s| s.key != 0);
    let at = tl.span_at(g, t as i64).and_then(drawn);
    // Else a tiny span within reach, after or before.
    let s = at
        .or_else(|| tl.span_at(g, (t + slop) as i64).and_then(drawn))
        .or_else(|| {
            tl.span_at(g, (t - slop) as i64)
                .and_then(drawn)
                .filter(|s| (s.end as f64) >= t - slop)
        })?;
    Some(Hit::Span(g as u32, s.index as u32))
}

/// Tooltip of span `i` of goroutine `g`.
pub fn describe_span(m: &Model, g: u32, i: u32, res: f64) -> Vec<String> {
    let Some(d) = crate::details::span_details(m, g, i) else {
        return Vec::new();
    };
    let mut v = vec![
        format!("G{} {}", d.goroutine_id, d.name),
        d.state.clone(),
        format!(
            "{} at {}",
            duration(d.duration),
            crate::format::time_at(d.start, res)
        ),
    ];
    if let Some((_, id, _)) = d.unblocker {
        v.push(format!("unblocked by G{id}"));
    }
    v
}

/// Tooltip of log message `i`.
pub fn describe_log(m: &Model, i: u32, res: f64) -> Vec<String> {
    let tl = &m.tl;
    let l = &tl.logs[i as usize];
    let who = tl
        .goroutines
        .get(l.goroutine as usize)
        .map_or(String::new(), |g| format!("G{}, ", g.id));
    let cat = tl.strings.get(l.category);
    let head = if cat.is_empty() {
        "log".to_string()
    } else {
        format!("log [{}]", crate::safe_text::visible(&cat, 100))
    };
    vec![
        head,
        crate::safe_text::visible(&tl.strings.get(l.message), 300),
        format!(
            "{who}task {} at {}",
            l.task,
            crate::format::time_at(l.time as f64, res)
        ),
    ]
}
