//! Helpers the lane kinds share: runs (spans merged to at least a pixel),
//! runs from summaries, and the drawing of runs, bands, stripes and labels.

use gotrace::timeline::SpanLevels;

use super::find::Marking;
use super::lane::{Drawn, Lane};
use crate::model::ByStart;
use crate::prim::{fit_text, Align, Prim, XYWH};
use crate::theme::Rgba;
use crate::view::{View, GUTTER};

/// A drawn run: one span, or several adjacent sub-pixel spans merged.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Run {
    pub x0: f64,
    pub x1: f64,
    /// Colour key of the (dominant) span.
    pub key: u8,
    /// First span index in the run ([`SUMMARY`] for a run drawn from summaries).
    pub first: u32,
    /// Number of spans merged (0 for a run drawn from summaries).
    pub count: u32,
}

/// Number of colour keys [`merge_runs`] accepts.
pub use gotrace::timeline::KEYS;

/// [`Run::first`] of a run drawn from summaries rather than spans.
pub const SUMMARY: u32 = u32::MAX;

/// Merges spans (sorted, given as canvas x ranges) so that nothing narrower
/// than `min_px` is drawn alone: runs of adjacent narrow spans become one run
/// coloured by the key covering most of it. Wide spans are kept as they are.
pub fn merge_runs(spans: impl IntoIterator<Item = (f64, f64, u8, u32)>, min_px: f64) -> Vec<Run> {
    struct Pending {
        run: Run,
        weight: [f64; KEYS],
    }
    fn flush(p: &mut Option<Pending>, out: &mut Vec<Run>, min_px: f64) {
        if let Some(mut p) = p.take() {
            let mut best = 0;
            for k in 1..KEYS {
                if p.weight[k] > p.weight[best] {
                    best = k;
                }
            }
            if p.run.count > 1 {
                p.run.key = best as u8;
            }
            if p.run.x1 - p.run.x0 < min_px {
                p.run.x1 = p.run.x0 + min_px;
            }
            out.push(p.run);
        }
    }
    let mut out: Vec<Run> = Vec::new();
    let mut pending: Option<Pending> = None;
    for (x0, x1, key, idx) in spans {
        let key = key.min(KEYS as u8 - 1);
        let w = (x1 - x0).max(0.0);
        if w >= min_px {
            flush(&mut pending, &mut out, min_px);
            // A wide span may start inside the previous (widened) run.
            let x0 = out.last().map_or(x0, |r| x0.max(r.x1.min(x1)));
            out.push(Run {
                x0,
                x1,
                key,
                first: idx,
                count: 1,
            });
            continue;
        }
        match &mut pending {
            // Adjacent to a pending run that is still narrower than min_px: merge.
            Some(p) if x0 - p.run.x1 < min_px && p.run.x1 - p.run.x0 < min_px => {
                p.run.x1 = p.run.x1.max(x1);
                p.run.count += 1;
                p.weight[key as usize] += w.max(1e-9);
            }
            _ => {
                flush(&mut pending, &mut out, min_px);
                let x0 = out.last().map_or(x0, |r| x0.max(r.x1));
                let mut weight = [0.0; KEYS];
                weight[key as usize] = w.max(1e-9);
                pending = Some(Pending {
                    run: Run {
                        x0,
                        x1: x1.max(x0),
                        key,
                        first: idx,
                        count: 1,
                    },
                    weight,
                });
            }
        }
    }
    flush(&mut pending, &mut out, min_px);
    out
}

/// Runs drawn from a lane's summaries, if the view is zoomed out enough for
/// them: one per stretch of adjacent buckets of the same key; about two
/// buckets per pixel are visited whatever the number of spans.
pub fn level_runs(levels: &SpanLevels, view: &View, key: impl Fn(u32) -> u8) -> Option<Vec<Run>> {
    let (l, w) = levels.level_for(view.ns_per_px())?;
    let buckets = levels.levels.get(l)?;
    let wf = w as f64;
    let b0 = (view.t0.max(0.0) / wf).floor() as usize;
    let b1 = ((view.t1.max(0.0) / wf).ceil() as usize + 1).min(buckets.len());
    let mut out: Vec<Run> = Vec::new();
    for (b, &v) in buckets.iter().enumerate().take(b1).skip(b0) {
        let item = v >> 8;
        if item == 0 || v & 255 == 0 {
            continue;
        }
        let k = key(item);
        if k == 0 {
            continue;
        }
        let x0 = view.x_of(b as f64 * wf).max(GUTTER);
        let x1 = view.x_of((b + 1) as f64 * wf).min(view.width);
        if x1 <= x0 {
            continue;
        }
        match out.last_mut() {
            Some(r) if r.key == k && x0 - r.x1 < 0.5 => r.x1 = r.x1.max(x1),
            _ => out.push(Run {
                x0,
                x1,
                key: k,
                first: SUMMARY,
                count: 0,
            }),
        }
    }
    for r in &mut out {
        r.x1 = r.x1.max(r.x0 + 1.0);
    }
    Some(out)
}

pub fn widest(runs: &[Run]) -> Option<f64> {
    runs.iter()
        .max_by(|a, b| (a.x1 - a.x0).total_cmp(&(b.x1 - b.x0)))
        .map(|r| (r.x0 + r.x1) / 2.0)
}
/// A thin band marking GC ranges: ranges closer than a pixel are merged
/// into one rectangle.
pub fn band(p: &mut Vec<Prim>, ranges: &ByStart, view: &View, y: f64, h: f64, color: Rgba) {
    let rects: Vec<XYWH> = ranges
        .unions(view.t0, view.t1, view.ns_per_px())
        .into_iter()
        .map(|(start, end)| {
            let a = view.x_of(start as f64).max(GUTTER);
            let b = view.x_of(end as f64).min(view.width).max(a + 1.0);
            (a, y, b - a, h)
        })
        .collect();
    if !rects.is_empty() {
        p.push(Prim::Rects { color, rects });
    }
}

/// Pushes a lane's runs as one [`Prim::Rects`] per colour: runs of a lane
/// never overlap, so their order does not matter, and the canvas then
/// changes its fill style once per colour instead of once per run.
pub fn push_runs(p: &mut Vec<Prim>, runs: &[Run], y: f64, h: f64, color: impl Fn(&Run) -> Rgba) {
    let mut groups: Vec<(Rgba, Vec<XYWH>)> = Vec::new();
    for r in runs {
        let c = color(r);
        let rect = (r.x0, y, r.x1 - r.x0, h);
        match groups.iter_mut().find(|g| g.0 == c) {
            Some(g) => g.1.push(rect),
            None => groups.push((c, vec![rect])),
        }
    }
    p.extend(
        groups
            .into_iter()
            .map(|(color, rects)| Prim::Rects { color, rects }),
    );
}

/// What a lane of runs reports.
pub fn drawn(runs: &[Run]) -> Drawn {
    Drawn {
        runs: runs.len(),
        widest_x: widest(runs),
    }
}

/// The lane's label in the gutter (truncated to fit), `indent` px in.
pub fn gutter_label(p: &mut Vec<Prim>, lane: &Lane, y: f64, text: &str, style: (bool, f64, Rgba)) {
    gutter_label_marked(p, lane, y, text, style, Marking::None);
}

/// [`gutter_label`], with the part `marking` picks marked as a search hit.
pub fn gutter_label_marked(
    p: &mut Vec<Prim>,
    lane: &Lane,
    y: f64,
    text: &str,
    (bold, indent, color): (bool, f64, Rgba),
    marking: Marking,
) {
    if let Some(t) = fit_text(text, GUTTER - 8.0 - indent, 12.0) {
        marking.push(p, (6.0 + indent, y + lane.h / 2.0), &t, (12.0, bold));
        p.push(Prim::Text {
            x: 6.0 + indent,
            y: y + lane.h / 2.0,
            text: t,
            color,
            align: Align::Left,
            bold,
            size: 12.0,
        });
    }
}

/// Ticks at canvas x positions (increasing), each `w` px wide, as one
/// [`Prim::Rects`]: ticks that touch become one rectangle, so a dense
/// stretch costs the canvas one call instead of one per tick.
pub fn push_ticks(
    p: &mut Vec<Prim>,
    xs: impl IntoIterator<Item = f64>,
    w: f64,
    (y, h): (f64, f64),
    color: Rgba,
) {
    let mut rects: Vec<XYWH> = Vec::new();
    for x in xs {
        match rects.last_mut() {
            Some(last) if x <= last.0 + last.2 => last.2 = last.2.max(x + w - last.0),
            _ => rects.push((x, y, w, h)),
        }
    }
    if !rects.is_empty() {
        p.push(Prim::Rects { color, rects });
    }
}

/// A full-width background of the lane.
pub fn fill_lane(p: &mut Vec<Prim>, lane: &Lane, y: f64, view: &View, color: Rgba) {
    p.push(Prim::Rect {
        x: 0.0,
        y,
        w: view.width,
        h: lane.h,
        color,
    });
}

/// The x range of `[start, end]` ns on the plot (clamped to it, at least `min_w` wide).
pub fn x_range(view: &View, start: f64, end: f64, min_w: f64) -> (f64, f64) {
    let a = view.x_of(start).max(GUTTER);
    let b = view.x_of(end).min(view.width).max(a + min_w);
    (a, b)
}

/// Whether `[start, end]` ns is within `slop` of `t`.
pub fn covers(start: i64, end: i64, t: f64, slop: f64) -> bool {
    (start as f64) <= t + slop && (end as f64) >= t - slop
}

/// A run's name inside it, if it fits (10 px text, `y` the lane's top),
/// with the part `marking` picks marked as a search hit.
pub fn run_label(
    p: &mut Vec<Prim>,
    r: &Run,
    (y, h): (f64, f64),
    text: &str,
    color: Rgba,
    marking: Marking,
) {
    if let Some(t) = fit_text(text, r.x1 - r.x0 - 4.0, 10.0) {
        marking.push(p, (r.x0 + 2.0, y + h / 2.0), &t, (10.0, false));
        p.push(Prim::Text {
            x: r.x0 + 2.0,
            y: y + h / 2.0,
            text: t,
            color,
            align: Align::Left,
            bold: false,
            size: 10.0,
        });
    }
}
