//! The CPU samples lane: a tick per sample, at most one per pixel.

use gotrace::timeline::Timeline;

use super::common::{gutter_label, push_ticks};
use super::lane::{At, Cx, Drawn, Hit};
use crate::model::Model;
use crate::prim::Prim;
use crate::view::{View, GUTTER};

/// CPU sample ticks: x positions, at most one per pixel.
pub fn sample_ticks(tl: &Timeline, view: &View) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::new();
    for s in tl
        .samples_from(view.t0.floor() as i64)
        .take_while(|s| (s.time as f64) <= view.t1)
    {
        let x = view.x_of(s.time as f64).floor();
        if x >= GUTTER && out.last() != Some(&x) {
            out.push(x);
        }
    }
    out
}

pub fn draw(p: &mut Vec<Prim>, cx: Cx, at: At) -> Drawn {
    let (m, view, theme, lane, y) = (cx.m, cx.view, cx.theme, at.lane, at.y);
    gutter_label(p, lane, y, &lane.label, (false, 0.0, theme.fg));
    let ticks = sample_ticks(&m.tl, view);
    push_ticks(
        p,
        ticks.iter().copied(),
        1.0,
        (y + 3.0, lane.h - 6.0),
        theme.fg,
    );
    Drawn {
        runs: ticks.len(),
        widest_x: ticks.first().copied(),
    }
}

/// The sample nearest to `t` within `slop`.
pub fn hit(m: &Model, t: f64, slop: f64) -> Option<Hit> {
    m.tl.samples_from((t - slop).floor() as i64)
        .take_while(|s| (s.time as f64) <= t + slop)
        .min_by(|a, b| {
            let da = (a.time as f64 - t).abs();
            let db = (b.time as f64 - t).abs();
            da.total_cmp(&db)
        })
        .map(|s| Hit::Sample(s.index as u32))
}

/// Tooltip of sample `i`: its time, goroutine and top frames.
pub fn describe(m: &Model, i: u32, res: f64) -> Vec<String> {
    let tl = &m.tl;
    let Some(s) = tl.sample(i as usize) else {
        return Vec::new();
    };
    let mut v = vec![format!(
        "CPU sample at {}",
        crate::format::time_at(s.time as f64, res)
    )];
    if s.goroutine >= 0 {
        let name = tl
            .goroutine_index(s.goroutine)
            .map_or(String::new(), |g| tl.goroutine_name(g));
        v.push(format!("G{} {name}", s.goroutine));
    }
    v.extend(
        tl.stacks
            .get(s.stack)
            .take(6)
            .map(|f| tl.strings.get(f.func).into_owned()),
    );
    v
}
