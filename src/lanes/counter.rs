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
    counters_columns(tl, &[kind], view)
        .pop()
        .unwrap_or_default()
}

/// Several counters' columns (as [`counter_columns`]), in the order
/// asked. Zoomed in, each series' samples are decoded once for all the
/// counters asked of it: the goroutine counts share one series with a
/// sample per goroutine transition, the most numerous records of a trace.
pub fn counters_columns(tl: &Timeline, kinds: &[CounterKind], view: &View) -> Vec<Vec<u64>> {
    let n = view.plot_width().ceil() as usize;
    let mut out = vec![vec![0u64; n]; kinds.len()];
    // Per series: (index in `out`, field of the record) of the counters
    // drawn from their samples.
    let mut from_samples: Vec<(usize, Vec<(usize, usize)>)> = Vec::new();
    for (k, &kind) in kinds.iter().enumerate() {
        if n == 0 || from_levels(tl, kind, view, &mut out[k]) {
            continue;
        }
        let (series, field) = kind.source();
        match from_samples.iter_mut().find(|(s, _)| *s == series) {
            Some((_, fields)) => fields.push((k, field)),
            None => from_samples.push((series, vec![(k, field)])),
        }
    }
    for (series, fields) in from_samples {
        samples_columns(tl, series, &fields, view, &mut out);
    }
    out
}

/// Fills `out` from the counter's summaries, if the view is zoomed out
/// enough for them (else returns false).
fn from_levels(tl: &Timeline, kind: CounterKind, view: &View, out: &mut [u64]) -> bool {
    let npp = view.ns_per_px();
    let dur = tl.duration as f64;
    let levels = tl.counter_levels(kind);
    let Some((l, w)) = levels.level_for(npp) else {
        return false;
    };
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
    true
}

/// Fills `out[k]` for each `(k, field)` of `fields` from series
/// `series`' samples in the view, in one pass over them.
fn samples_columns(
    tl: &Timeline,
    series: usize,
    fields: &[(usize, usize)],
    view: &View,
    out: &mut [Vec<u64>],
) {
    let Some(p) = tl.series.get(series) else {
        return;
    };
    let npp = view.ns_per_px();
    let dur = tl.duration as f64;
    let value =
        |r: &gotrace::timeline::Rec, field: usize| r.get(field).map_or(0, |&v| v.max(0) as u64);
    let first = p.index_at(view.t0.floor() as i64).unwrap_or(0);
    let mut samples = p.iter_from(first).map(|(_, r)| r).peekable();
    let mut current = vec![0u64; fields.len()];
    let n = out.first().map_or(0, Vec::len);
    let mut m = current.clone();
    for col in 0..n {
        let t_start = view.t0 + col as f64 * npp;
        let t_end = view.t0 + (col as f64 + 1.0) * npp;
        // Samples by the column's start set the value it starts with (for
        // the first column, the one in effect at t0).
        while let Some(r) = samples.peek() {
            if (r[0] as f64) > t_start {
                break;
            }
            for (c, &(_, f)) in current.iter_mut().zip(fields) {
                *c = value(r, f);
            }
            samples.next();
        }
        m.copy_from_slice(&current);
        while let Some(r) = samples.peek() {
            if (r[0] as f64) >= t_end {
                break;
            }
            for ((c, mx), &(_, f)) in current.iter_mut().zip(m.iter_mut()).zip(fields) {
                *c = value(r, f);
                *mx = (*mx).max(*c);
            }
            samples.next();
        }
        // Nothing is known after the trace end or before its start.
        let outside = t_start > dur || t_end < 0.0;
        for (&mx, &(k, _)) in m.iter().zip(fields) {
            if let Some(slot) = out.get_mut(k).and_then(|o| o.get_mut(col)) {
                *slot = if outside { 0 } else { mx };
            }
        }
    }
}

/// Draws counter lane `lane` (its kind picks the series).
pub fn draw(p: &mut Vec<Prim>, cx: Cx, at: At) -> Drawn {
    let (m, view, theme, lane, y) = (cx.m, cx.view, cx.theme, at.lane, at.y);
    let tl = &m.tl;
    let w = view.width;
    type Series = Vec<(Vec<u64>, Rgba)>;
    let columns = |kinds: &[(CounterKind, Rgba)]| -> Series {
        let ks: Vec<CounterKind> = kinds.iter().map(|k| k.0).collect();
        counters_columns(tl, &ks, view)
            .into_iter()
            .zip(kinds.iter().map(|k| k.1))
            .collect()
    };
    // The heap goal is a line over the heap's area (one pass for both).
    let mut goal = None;
    let (series, max_label): (Series, fn(u64) -> String) = match lane.kind {
        LaneKind::Goroutines => (
            columns(&[
                (CounterKind::GoRunning, theme.states[1]),
                (CounterKind::GoRunnable, theme.states[2]),
                (CounterKind::GoSyscall, theme.states[3]),
            ]),
            |v| count(v),
        ),
        LaneKind::Waiting => (columns(&[(CounterKind::GoWaiting, theme.states[8])]), |v| {
            count(v)
        }),
        LaneKind::Threads => (
            columns(&[
                (CounterKind::ProcsRunning, theme.threads),
                (CounterKind::GoSyscall, theme.states[3]),
            ]),
            |v| count(v),
        ),
        _ => {
            let mut heap = columns(&[
                (CounterKind::HeapAlloc, theme.heap),
                (CounterKind::HeapGoal, theme.heap_goal),
            ]);
            goal = heap.pop().map(|g| g.0);
            (heap, bytes)
        }
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
            step_to(&mut pts, (x, yy));
            step_to(&mut pts, (x + 1.0, yy));
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
            step_to(&mut pts, (x, yy));
            step_to(&mut pts, (x + 1.0, yy));
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

/// Appends a point of a step line, dropping the one it makes redundant:
/// on a level stretch only its ends are kept (a counter is level over
/// most pixel columns, and every point is a canvas call).
fn step_to(pts: &mut Vec<(f64, f64)>, (x, y): (f64, f64)) {
    let n = pts.len();
    if n >= 2 && pts[n - 1].1 == y && pts[n - 2].1 == y {
        pts[n - 1].0 = x;
    } else {
        pts.push((x, y));
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

#[cfg(test)]
mod tests {
    use super::step_to;

    #[test]
    fn a_step_line_keeps_its_corners_only() {
        let mut pts = vec![(0.0, 10.0)];
        for (x, y) in [
            (0.0, 5.0),
            (1.0, 5.0),
            (1.0, 5.0),
            (2.0, 5.0),
            (2.0, 3.0),
            (3.0, 3.0),
        ] {
            step_to(&mut pts, (x, y));
        }
        assert_eq!(
            pts,
            vec![(0.0, 10.0), (0.0, 5.0), (2.0, 5.0), (2.0, 3.0), (3.0, 3.0)]
        );
    }
}
