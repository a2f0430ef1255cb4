//! Counter lanes (goroutines, waiting goroutines, heap, threads): a
//! stacked area per pixel column of the plot, from the counters' summaries
//! when zoomed out.

use gotrace::timeline::{CounterKind, Timeline};

use super::common::gutter_label;
use super::lane::{At, Cx, Drawn, LaneKind};
use crate::format::{bytes, count};
use crate::model::Model;
use crate::prim::{Align, Prim};
use crate::theme::Rgba;
use crate::view::{View, GUTTER};

/// A counter sampled per pixel column of the plot: column `i` covers
/// `[t_of(GUTTER+i), t_of(GUTTER+i+1))` and holds the maximum value in it.
/// Zoomed out, the maxima come from the counter's summaries.
pub fn counter_columns(tl: &Timeline, kind: CounterKind, view: &View) -> Vec<u64> {
    let n = view.plot_width().ceil() as usize;
    let mut out = vec![0u64; n];
    if n == 0 {
        return out;
    }
    let npp = view.ns_per_px();
    let dur = tl.duration as f64;
    let levels = tl.counter_levels(kind);
    if let Some((l, w)) = levels.level_for(npp) {
        let buckets = levels.levels.get(l).map_or(&[][..], |b| &b[..]);
        let scale = levels.scale;
        let wf = w as f64;
        for (col, slot) in out.iter_mut().enumerate() {
            let ta = view.t0 + col as f64 * npp;
            let tb = ta + npp;
            if ta > dur || tb < 0.0 {
                continue;
            }
            let b0 = (ta.max(0.0) / wf).floor() as usize;
            let b1 = ((tb.min(dur) / wf).ceil() as usize).max(b0 + 1);
            *slot = buckets
                .get(b0.min(buckets.len())..b1.min(buckets.len()))
                .and_then(|s| s.iter().copied().max())
                .map_or(0, |v| (v as u64) << scale);
        }
        return out;
    }
    let mut samples = tl.counter_from(kind, view.t0.floor() as i64).peekable();
    let mut current = 0u64;
    // The sample in effect at t0 (if it is not after t0).
    if let Some(&(t, v)) = samples.peek() {
        if (t as f64) <= view.t0 {
            current = v;
            samples.next();
        }
    }
    for (col, slot) in out.iter_mut().enumerate() {
        let t_end = view.t0 + (col as f64 + 1.0) * npp;
        let mut m = current;
        while let Some(&(t, v)) = samples.peek() {
            if (t as f64) >= t_end {
                break;
            }
            current = v;
            m = m.max(v);
            samples.next();
        }
        // Nothing is known after the trace end or before its start.
        let t_start = view.t0 + col as f64 * npp;
        *slot = if t_start > dur || t_end < 0.0 { 0 } else { m };
    }
    out
}

/// Draws counter lane `lane` (its kind picks the series).
pub fn draw(p: &mut Vec<Prim>, cx: Cx, at: At) -> Drawn {
    let (m, view, theme, lane, y) = (cx.m, cx.view, cx.theme, at.lane, at.y);
    let tl = &m.tl;
    let w = view.width;
    type Series = Vec<(Vec<u64>, Rgba)>;
    let (series, max_label): (Series, fn(u64) -> String) = match lane.kind {
        LaneKind::Goroutines => (
            vec![
                (
                    counter_columns(tl, CounterKind::GoRunning, view),
                    theme.states[1],
                ),
                (
                    counter_columns(tl, CounterKind::GoRunnable, view),
                    theme.states[2],
                ),
                (
                    counter_columns(tl, CounterKind::GoSyscall, view),
                    theme.states[3],
                ),
            ],
            |v| count(v),
        ),
        LaneKind::Waiting => (
            vec![(
                counter_columns(tl, CounterKind::GoWaiting, view),
                theme.states[8],
            )],
            |v| count(v),
        ),
        LaneKind::Threads => (
            vec![
                (
                    counter_columns(tl, CounterKind::ProcsRunning, view),
                    theme.threads,
                ),
                (
                    counter_columns(tl, CounterKind::GoSyscall, view),
                    theme.states[3],
                ),
            ],
            |v| count(v),
        ),
        _ => (
            vec![(
                counter_columns(tl, CounterKind::HeapAlloc, view),
                theme.heap,
            )],
            bytes,
        ),
    };
    // Stack the series.
    let n = series.first().map_or(0, |s| s.0.len());
    let mut stacked: Vec<Vec<u64>> = Vec::with_capacity(series.len());
    let mut acc = vec![0u64; n];
    for (cols, _) in &series {
        for (a, c) in acc.iter_mut().zip(cols) {
            *a += c;
        }
        stacked.push(acc.clone());
    }
    let goal =
        (lane.kind == LaneKind::Heap).then(|| counter_columns(tl, CounterKind::HeapGoal, view));
    let mut max = acc.iter().copied().max().unwrap_or(0);
    if let Some(g) = &goal {
        max = max.max(g.iter().copied().max().unwrap_or(0));
    }
    let top = y + 3.0;
    let base = y + lane.h - 1.0;
    let scale = if max > 0 {
        (base - top) / max as f64
    } else {
        0.0
    };
    let mut drawn = 0;
    // Draw the tallest (outermost) first.
    for (k, cols) in stacked.iter().enumerate().rev() {
        let mut pts = Vec::with_capacity(cols.len() * 2 + 2);
        pts.push((GUTTER, base));
        for (i, &v) in cols.iter().enumerate() {
            let x = GUTTER + i as f64;
            let yy = base - v as f64 * scale;
            pts.push((x, yy));
            pts.push((x + 1.0, yy));
        }
        pts.push((GUTTER + cols.len() as f64, base));
        if cols.iter().any(|&v| v > 0) {
            drawn += 1;
            p.push(Prim::Poly {
                points: pts,
                color: series[k].1,
            });
        }
    }
    if let Some(g) = goal {
        let mut pts = Vec::new();
        for (i, &v) in g.iter().enumerate() {
            if v == 0 {
                continue;
            }
            let x = GUTTER + i as f64;
            let yy = base - v as f64 * scale;
            pts.push((x, yy));
            pts.push((x + 1.0, yy));
        }
        if pts.len() > 1 {
            drawn += 1;
            p.push(Prim::Path {
                points: pts,
                color: theme.heap_goal,
                width: 1.5,
                dash: None,
            });
        }
    }
    p.push(Prim::Line {
        x0: GUTTER,
        y0: base + 0.5,
        x1: w,
        y1: base + 0.5,
        color: theme.grid,
        width: 1.0,
    });
    gutter_label(p, lane, y, &lane.label, (false, 0.0, theme.fg));
    if max > 0 {
        p.push(Prim::Text {
            x: GUTTER - 6.0,
            y: top + 5.0,
            text: max_label(max),
            color: theme.muted,
            align: Align::Right,
            bold: false,
            size: 10.0,
        });
    }
    Drawn {
        runs: drawn,
        widest_x: None,
    }
}

/// Tooltip of counter lane `kind` at time `t`: the counters' values.
pub fn describe(m: &Model, kind: LaneKind, t: f64, res: f64) -> Vec<String> {
    let tl = &m.tl;
    let at = t as i64;
    let v = |k| tl.counter_at(k, at);
    let mut out = vec![format!("at {}", crate::format::time_at(t, res))];
    match kind {
        LaneKind::Goroutines => {
            out.push(format!("running {}", count(v(CounterKind::GoRunning))));
            out.push(format!("runnable {}", count(v(CounterKind::GoRunnable))));
            out.push(format!("in syscall {}", count(v(CounterKind::GoSyscall))));
        }
        LaneKind::Waiting => out.push(format!("waiting {}", count(v(CounterKind::GoWaiting)))),
        LaneKind::Heap => {
            out.push(format!("heap in use {}", bytes(v(CounterKind::HeapAlloc))));
            out.push(format!("heap goal {}", bytes(v(CounterKind::HeapGoal))));
        }
        _ => {
            out.push(format!(
                "Ps running {}",
                count(v(CounterKind::ProcsRunning))
            ));
            out.push(format!("in syscall {}", count(v(CounterKind::GoSyscall))));
            out.push(format!("GOMAXPROCS {}", count(v(CounterKind::Gomaxprocs))));
        }
    }
    out
}
