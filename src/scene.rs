//! From model + view + theme to a flat list of drawing primitives. The canvas
//! painter (`web::painter`) only replays this list, so everything about what
//! is drawn is decided (and tested) here.

use gotrace::timeline::{CounterKind, RangeKind, SpanState};

use crate::layout::{self, Hit, Lane, LaneKind, Model, Run};
use crate::theme::{Rgba, Theme};
use crate::view::{View, AXIS_H, GUTTER};

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
    /// An open polyline.
    Path {
        points: Vec<(f64, f64)>,
        color: Rgba,
        width: f64,
    },
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
    /// Clip subsequent primitives to a rectangle (`None` resets).
    Clip(Option<(f64, f64, f64, f64)>),
}

/// How many runs were drawn in one lane (exposed to tests via `window.__gotrace`).
#[derive(Clone, Debug, PartialEq)]
pub struct LaneStat {
    pub label: String,
    pub kind: LaneKind,
    /// Canvas y and height.
    pub y: f64,
    pub h: f64,
    pub runs: usize,
    /// Centre x of the widest drawn run, if any.
    pub widest_x: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scene {
    pub prims: Vec<Prim>,
    pub lanes: Vec<LaneStat>,
}

impl Scene {
    pub fn total_runs(&self) -> usize {
        self.lanes.iter().map(|l| l.runs).sum()
    }
}

/// Roughly truncates `s` to fit `max_w` px at `size` px font.
pub fn fit_text(s: &str, max_w: f64, size: f64) -> Option<String> {
    let per = size * 0.6;
    let max_chars = (max_w / per).floor() as usize;
    if max_chars < 2 {
        return None;
    }
    let n = s.chars().count();
    if n <= max_chars {
        return Some(s.to_string());
    }
    let mut t: String = s.chars().take(max_chars - 1).collect();
    t.push('…');
    Some(t)
}

fn widest(runs: &[Run]) -> Option<f64> {
    runs.iter()
        .max_by(|a, b| (a.x1 - a.x0).total_cmp(&(b.x1 - b.x0)))
        .map(|r| (r.x0 + r.x1) / 2.0)
}

/// Builds the scene for the whole canvas.
pub fn build(
    m: &Model,
    lanes: &[Lane],
    view: &View,
    theme: &Theme,
    hover_hit: Option<Hit>,
) -> Scene {
    let mut sc = Scene::default();
    let p = &mut sc.prims;
    let (w, h) = (view.width, view.height);
    p.push(Prim::Rect {
        x: 0.0,
        y: 0.0,
        w,
        h,
        color: theme.bg,
    });
    let ticks = layout::ticks(view, 90.0);

    // Lanes (clipped below the axis).
    p.push(Prim::Clip(Some((0.0, AXIS_H, w, h - AXIS_H))));
    // Grid lines first, under the lanes' content.
    for t in &ticks {
        p.push(Prim::Line {
            x0: t.x,
            y0: AXIS_H,
            x1: t.x,
            y1: h,
            color: theme.grid,
            width: 1.0,
        });
    }
    let range = layout::visible_lanes(lanes, view);
    for (n, lane) in lanes[range.clone()].iter().enumerate() {
        let y = layout::lane_screen_y(lane, view);
        let stat = draw_lane(&mut sc.prims, m, lane, y, view, theme, range.start + n);
        sc.lanes.push(stat);
    }
    let p = &mut sc.prims;

    // Selected span outline.
    if let Some(sel) = view.selected {
        if let Some(lane) = lanes.iter().find(|l| l.kind == LaneKind::Goroutine(sel.g)) {
            if let Some(sp) = m.tl.span(sel.g as usize, sel.span as usize) {
                let x0 = view.x_of(sp.start as f64).max(GUTTER - 2.0);
                let x1 = view.x_of(sp.end as f64).min(w + 2.0).max(x0 + 1.0);
                let y = layout::lane_screen_y(lane, view);
                p.push(Prim::StrokeRect {
                    x: x0 - 1.0,
                    y: y - 1.0,
                    w: x1 - x0 + 2.0,
                    h: lane.h + 2.0,
                    color: theme.outline,
                    width: 2.0,
                });
            }
        }
    }
    crate::critical::draw(p, lanes, view, theme);
    // Range selection.
    if let Some((a, b)) = view.selection {
        let (a, b) = (a.min(b), a.max(b));
        let x0 = view.x_of(a).max(GUTTER);
        let x1 = view.x_of(b).min(w);
        if x1 > x0 {
            p.push(Prim::Rect {
                x: x0,
                y: AXIS_H,
                w: x1 - x0,
                h: h - AXIS_H,
                color: theme.selection,
            });
            p.push(Prim::Line {
                x0,
                y0: AXIS_H,
                x1: x0,
                y1: h,
                color: theme.selection_edge,
                width: 1.0,
            });
            p.push(Prim::Line {
                x0: x1,
                y0: AXIS_H,
                x1,
                y1: h,
                color: theme.selection_edge,
                width: 1.0,
            });
        }
    }
    // Hover line.
    if let Some((hx, hy)) = view.hover {
        if hx >= GUTTER && hy >= AXIS_H {
            p.push(Prim::Line {
                x0: hx,
                y0: AXIS_H,
                x1: hx,
                y1: h,
                color: theme.hover,
                width: 1.0,
            });
        }
    }
    let _ = hover_hit;
    p.push(Prim::Clip(None));

    // Axis.
    p.push(Prim::Rect {
        x: 0.0,
        y: 0.0,
        w,
        h: AXIS_H,
        color: theme.axis_bg,
    });
    p.push(Prim::Line {
        x0: 0.0,
        y0: AXIS_H - 0.5,
        x1: w,
        y1: AXIS_H - 0.5,
        color: theme.grid,
        width: 1.0,
    });
    for t in &ticks {
        p.push(Prim::Line {
            x0: t.x,
            y0: AXIS_H - 6.0,
            x1: t.x,
            y1: AXIS_H,
            color: theme.muted,
            width: 1.0,
        });
        p.push(Prim::Text {
            x: t.x + 3.0,
            y: AXIS_H / 2.0 - 1.0,
            text: t.label.clone(),
            color: theme.fg,
            align: Align::Left,
            bold: false,
            size: 11.0,
        });
    }
    let span_label = format!("view {}", crate::format::duration(view.t1 - view.t0));
    p.push(Prim::Rect {
        x: 0.0,
        y: 0.0,
        w: GUTTER,
        h: AXIS_H - 1.0,
        color: theme.axis_bg,
    });
    p.push(Prim::Text {
        x: 8.0,
        y: AXIS_H / 2.0 - 1.0,
        text: span_label,
        color: theme.muted,
        align: Align::Left,
        bold: false,
        size: 11.0,
    });
    if let Some((a, b)) = view.selection {
        let x = (view.x_of(a.min(b)) + view.x_of(a.max(b))) / 2.0;
        if x > GUTTER && x < w {
            let text = crate::format::duration((b - a).abs());
            p.push(Prim::Rect {
                x: x - 38.0,
                y: 3.0,
                w: 76.0,
                h: AXIS_H - 6.0,
                color: theme.selection_edge,
            });
            p.push(Prim::Text {
                x,
                y: AXIS_H / 2.0,
                text,
                color: theme.bg,
                align: Align::Center,
                bold: true,
                size: 11.0,
            });
        }
    }
    if let Some((hx, _)) = view.hover {
        if hx >= GUTTER && view.selection.is_none() {
            let text = crate::format::duration(view.t_of(hx));
            let x = hx.clamp(GUTTER + 45.0, w - 45.0);
            p.push(Prim::Rect {
                x: x - 44.0,
                y: 3.0,
                w: 88.0,
                h: AXIS_H - 6.0,
                color: theme.fg,
            });
            p.push(Prim::Text {
                x,
                y: AXIS_H / 2.0,
                text,
                color: theme.bg,
                align: Align::Center,
                bold: false,
                size: 11.0,
            });
        }
    }
    // Gutter separator.
    p.push(Prim::Line {
        x0: GUTTER - 0.5,
        y0: 0.0,
        x1: GUTTER - 0.5,
        y1: h,
        color: theme.grid,
        width: 1.0,
    });
    sc
}

#[allow(clippy::too_many_arguments)]
fn draw_lane(
    p: &mut Vec<Prim>,
    m: &Model,
    lane: &Lane,
    y: f64,
    view: &View,
    theme: &Theme,
    index: usize,
) -> LaneStat {
    let tl = &m.tl;
    let w = view.width;
    let mut stat = LaneStat {
        label: lane.label.clone(),
        kind: lane.kind,
        y,
        h: lane.h,
        runs: 0,
        widest_x: None,
    };
    let label = |p: &mut Vec<Prim>, text: &str, bold: bool, indent: f64, color: Rgba| {
        if let Some(t) = fit_text(text, GUTTER - 8.0 - indent, 12.0) {
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
    };
    match lane.kind {
        LaneKind::Section => {
            p.push(Prim::Rect {
                x: 0.0,
                y,
                w,
                h: lane.h,
                color: theme.section_bg,
            });
            label(p, &lane.label, true, 0.0, theme.fg);
        }
        LaneKind::Group(_) => {
            p.push(Prim::Rect {
                x: 0.0,
                y,
                w,
                h: lane.h,
                color: theme.lane_alt,
            });
            if let Some(t) = fit_text(&lane.label, w - 16.0, 12.0) {
                p.push(Prim::Text {
                    x: 6.0,
                    y: y + lane.h / 2.0,
                    text: t,
                    color: theme.fg,
                    align: Align::Left,
                    bold: true,
                    size: 12.0,
                });
            }
        }
        LaneKind::Goroutine(g) => {
            if index.is_multiple_of(2) {
                p.push(Prim::Rect {
                    x: 0.0,
                    y,
                    w,
                    h: lane.h,
                    color: theme.lane_alt,
                });
            }
            label(p, &lane.label, false, 14.0, theme.muted);
            let runs = layout::goroutine_runs(tl, g, view);
            push_runs(p, &runs, y + 2.0, lane.h - 4.0, |r| {
                theme.states[r.key as usize]
            });
            // Mark assists as a thin band on top.
            band(p, m, &m.assists[g as usize], view, y, 2.0, theme.gc_mark);
            // User log messages: small ticks at the top, at most one per pixel.
            let ids = &m.logs[g as usize];
            let lo = ids.partition_point(|&i| (tl.logs[i as usize].time as f64) < view.t0);
            let mut last_x = f64::NEG_INFINITY;
            for &i in &ids[lo..] {
                let t = tl.logs[i as usize].time as f64;
                if t > view.t1 {
                    break;
                }
                let x = view.x_of(t).round();
                if x - last_x >= 2.0 {
                    p.push(Prim::Rect {
                        x: x - 1.0,
                        y,
                        w: 2.0,
                        h: lane.h / 3.0 + 1.0,
                        color: theme.fg,
                    });
                    last_x = x;
                }
            }
            stat.runs = runs.len();
            stat.widest_x = widest(&runs);
        }
        LaneKind::Regions(g, d) => {
            let runs = layout::region_runs(tl, g, d, view);
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
                    let name = tl.strings.get(reg.ty);
                    if let Some(t) = fit_text(&name, r.x1 - r.x0 - 4.0, 10.0) {
                        p.push(Prim::Text {
                            x: r.x0 + 2.0,
                            y: y + lane.h / 2.0,
                            text: t,
                            color: theme.fg,
                            align: Align::Left,
                            bold: false,
                            size: 10.0,
                        });
                    }
                }
            }
            if d == 0 {
                label(p, "regions", false, 22.0, theme.muted);
            }
            stat.runs = runs.len();
            stat.widest_x = widest(&runs);
        }
        LaneKind::Proc(_) | LaneKind::Thread(_) => {
            let (ex, sweeps) = match lane.kind {
                LaneKind::Proc(pi) => (&tl.procs[pi as usize], Some(&m.sweeps[pi as usize])),
                LaneKind::Thread(ti) => (&tl.threads[ti as usize], None),
                _ => unreachable!("matched above"),
            };
            if index.is_multiple_of(2) {
                p.push(Prim::Rect {
                    x: 0.0,
                    y,
                    w,
                    h: lane.h,
                    color: theme.lane_alt,
                });
            }
            label(p, &lane.label, false, 0.0, theme.fg);
            let runs = layout::exec_runs(ex, view);
            push_runs(p, &runs, y + 2.0, lane.h - 4.0, |r| {
                if r.key == layout::SYSCALL_KEY {
                    theme.states[3]
                } else {
                    theme.procs[r.key as usize % theme.procs.len()]
                }
            });
            for r in &runs {
                // Name the goroutine where there is room for it.
                if r.x1 - r.x0 < 24.0 {
                    continue;
                }
                let span = if r.count == 1 {
                    ex.get(r.first as usize)
                } else {
                    ex.at(view.t_of((r.x0 + r.x1) / 2.0) as i64)
                };
                if let Some(sp) = span.filter(|_| r.count <= 1) {
                    let text = if sp.syscall {
                        format!("G{} syscall", sp.goroutine)
                    } else {
                        format!("G{}", sp.goroutine)
                    };
                    if let Some(t) = fit_text(&text, r.x1 - r.x0 - 4.0, 10.0) {
                        p.push(Prim::Text {
                            x: r.x0 + 2.0,
                            y: y + lane.h / 2.0,
                            text: t,
                            color: theme.on_color,
                            align: Align::Left,
                            bold: false,
                            size: 10.0,
                        });
                    }
                }
            }
            // Sweeps on this P as a thin band at the bottom.
            if let Some(sweeps) = sweeps {
                band(p, m, sweeps, view, y + lane.h - 3.0, 2.0, theme.gc_mark);
            }
            stat.runs = runs.len();
            stat.widest_x = widest(&runs);
        }
        LaneKind::Samples => {
            label(p, &lane.label, false, 0.0, theme.fg);
            let ticks = layout::sample_ticks(tl, view);
            for &x in &ticks {
                p.push(Prim::Rect {
                    x,
                    y: y + 3.0,
                    w: 1.0,
                    h: lane.h - 6.0,
                    color: theme.fg,
                });
            }
            stat.runs = ticks.len();
            stat.widest_x = ticks.first().copied();
        }
        LaneKind::Gc => {
            label(p, &lane.label, false, 0.0, theme.fg);
            let runs = layout::gc_runs(tl, view);
            for r in &runs {
                let color = if r.key == 2 { theme.stw } else { theme.gc_mark };
                let (yy, hh) = if r.key == 2 {
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
            stat.runs = runs.len();
            stat.widest_x = widest(&runs);
        }
        LaneKind::Goroutines | LaneKind::Waiting | LaneKind::Heap | LaneKind::Threads => {
            type Series = Vec<(Vec<u64>, Rgba)>;
            let (series, max_label): (Series, fn(u64) -> String) = match lane.kind {
                LaneKind::Goroutines => (
                    vec![
                        (
                            layout::counter_columns(tl, CounterKind::GoRunning, view),
                            theme.states[1],
                        ),
                        (
                            layout::counter_columns(tl, CounterKind::GoRunnable, view),
                            theme.states[2],
                        ),
                        (
                            layout::counter_columns(tl, CounterKind::GoSyscall, view),
                            theme.states[3],
                        ),
                    ],
                    |v| crate::format::count(v),
                ),
                LaneKind::Waiting => (
                    vec![(
                        layout::counter_columns(tl, CounterKind::GoWaiting, view),
                        theme.states[8],
                    )],
                    |v| crate::format::count(v),
                ),
                LaneKind::Threads => (
                    vec![
                        (
                            layout::counter_columns(tl, CounterKind::ProcsRunning, view),
                            theme.threads,
                        ),
                        (
                            layout::counter_columns(tl, CounterKind::GoSyscall, view),
                            theme.states[3],
                        ),
                    ],
                    |v| crate::format::count(v),
                ),
                _ => (
                    vec![(
                        layout::counter_columns(tl, CounterKind::HeapAlloc, view),
                        theme.heap,
                    )],
                    crate::format::bytes,
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
            let goal = (lane.kind == LaneKind::Heap)
                .then(|| layout::counter_columns(tl, CounterKind::HeapGoal, view));
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
            label(p, &lane.label, false, 0.0, theme.fg);
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
            stat.runs = drawn;
        }
    }
    stat
}

/// A thin band marking GC ranges (indices into `Timeline::ranges`, by
/// start): ranges closer than a pixel are merged into one rectangle.
fn band(p: &mut Vec<Prim>, m: &Model, ranges: &[u32], view: &View, y: f64, h: f64, color: Rgba) {
    let tl = &m.tl;
    let get = |i: &u32| tl.ranges.get(*i as usize);
    // Ranges starting after the view are not drawn; the ones before may reach into it.
    let hi = ranges.partition_point(|i| get(i).is_some_and(|r| (r.start as f64) <= view.t1));
    let mut rects: Vec<XYWH> = Vec::new();
    for r in ranges[..hi].iter().filter_map(get) {
        if (r.end as f64) < view.t0 {
            continue;
        }
        let a = view.x_of(r.start as f64).max(GUTTER);
        let b = view.x_of(r.end as f64).min(view.width).max(a + 1.0);
        match rects.last_mut() {
            Some(last) if a <= last.0 + last.2 + 1.0 => {
                last.2 = last.2.max(b - last.0);
            }
            _ => rects.push((a, y, b - a, h)),
        }
    }
    if !rects.is_empty() {
        p.push(Prim::Rects { color, rects });
    }
}

/// Pushes a lane's runs as one [`Prim::Rects`] per colour: runs of a lane
/// never overlap, so their order does not matter, and the canvas then
/// changes its fill style once per colour instead of once per run.
fn push_runs(p: &mut Vec<Prim>, runs: &[Run], y: f64, h: f64, color: impl Fn(&Run) -> Rgba) {
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

/// A one-line-per-fact description of what is under the pointer (tooltip text).
pub fn describe(m: &Model, hit: Hit) -> Vec<String> {
    use crate::format::{bytes, count, duration};
    let tl = &m.tl;
    match hit {
        Hit::Span(g, i) => {
            let Some(d) = crate::details::span_details(m, g, i) else {
                return Vec::new();
            };
            let mut v = vec![
                format!("G{} {}", d.goroutine_id, d.name),
                d.state.clone(),
                format!("{} at {}", duration(d.duration), duration(d.start)),
            ];
            if let Some((_, id, _)) = d.unblocker {
                v.push(format!("unblocked by G{id}"));
            }
            v
        }
        Hit::ProcSpan(_, _) | Hit::ThreadSpan(_, _) => {
            let (ex, i, what) = match hit {
                Hit::ProcSpan(pi, i) => (&tl.procs[pi as usize], i, "Proc"),
                Hit::ThreadSpan(ti, i) => (&tl.threads[ti as usize], i, "Thread"),
                _ => unreachable!("matched above"),
            };
            let Some(sp) = ex.get(i as usize) else {
                return Vec::new();
            };
            let name = tl
                .goroutine_index(sp.goroutine)
                .map_or(String::new(), |g| tl.goroutine_name(g));
            let mut v = vec![
                format!("{what} {}: G{} {}", ex.id, sp.goroutine, name),
                format!(
                    "{} at {}",
                    duration((sp.end - sp.start) as f64),
                    duration(sp.start as f64)
                ),
            ];
            if what == "Thread" {
                v.push(match (sp.syscall, sp.proc) {
                    (true, _) => "in a system call".to_string(),
                    (false, p) if p >= 0 => format!("running Go code on P{p}"),
                    _ => "running Go code".to_string(),
                });
            }
            v
        }
        Hit::Sample(i) => {
            let Some(s) = tl.sample(i as usize) else {
                return Vec::new();
            };
            let mut v = vec![format!("CPU sample at {}", duration(s.time as f64))];
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
        Hit::Region(i) => {
            let r = &tl.regions[i as usize];
            vec![
                format!("region {}", tl.strings.get(r.ty)),
                format!(
                    "G{}, task {}",
                    tl.goroutines[r.goroutine as usize].id, r.task
                ),
                format!(
                    "{} at {}",
                    duration((r.end - r.start) as f64),
                    duration(r.start as f64)
                ),
            ]
        }
        Hit::Range(i) => {
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
                    duration(r.start as f64)
                ),
            ]
        }
        Hit::Log(i) => {
            let l = &tl.logs[i as usize];
            let who = tl
                .goroutines
                .get(l.goroutine as usize)
                .map_or(String::new(), |g| format!("G{}, ", g.id));
            let cat = tl.strings.get(l.category);
            let head = if cat.is_empty() {
                "log".to_string()
            } else {
                format!("log [{cat}]")
            };
            vec![
                head,
                tl.strings.get(l.message).into_owned(),
                format!("{who}task {} at {}", l.task, duration(l.time as f64)),
            ]
        }
        Hit::Group(gi) => {
            let grp = &m.groups[gi as usize];
            vec![
                grp.name.clone(),
                format!(
                    "{} goroutines, running {} in total",
                    grp.goroutines.len(),
                    duration(grp.running as f64)
                ),
                "click to expand or collapse".into(),
            ]
        }
        Hit::Counter(kind, t) => {
            let at = t as i64;
            let v = |k| tl.counter_at(k, at);
            let mut out = vec![format!("at {}", duration(t))];
            match kind {
                LaneKind::Goroutines => {
                    out.push(format!("running {}", count(v(CounterKind::GoRunning))));
                    out.push(format!("runnable {}", count(v(CounterKind::GoRunnable))));
                    out.push(format!("in syscall {}", count(v(CounterKind::GoSyscall))));
                }
                LaneKind::Waiting => {
                    out.push(format!("waiting {}", count(v(CounterKind::GoWaiting))))
                }
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
    }
}

/// Whether the goroutine span is drawable.
pub fn is_drawn(state: SpanState) -> bool {
    state.is_drawn()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scene_draws_visible_lanes_only_and_counts_runs() {
        let m = crate::layout::tests::model();
        let lanes = layout::lanes(&m, &Default::default());
        let theme = Theme::new(false);
        let mut v = View::new(m.tl.duration, GUTTER + 800.0, 2000.0);
        let sc = build(&m, &lanes, &v, &theme, None);
        assert_eq!(sc.lanes.len(), lanes.len());
        let g0 = sc
            .lanes
            .iter()
            .find(|l| l.kind == LaneKind::Goroutine(0))
            .unwrap();
        assert!(g0.runs >= 2 && g0.runs <= 25, "{}", g0.runs);
        assert!(g0.widest_x.unwrap() > GUTTER);
        // The goroutines counter has an area.
        assert!(
            sc.lanes
                .iter()
                .find(|l| l.kind == LaneKind::Goroutines)
                .unwrap()
                .runs
                >= 1
        );
        // A short canvas draws fewer lanes.
        v.height = AXIS_H + 60.0;
        let small = build(&m, &lanes, &v, &theme, None);
        assert!(small.lanes.len() < lanes.len());
        // Every rectangle is inside the canvas horizontally.
        for p in &sc.prims {
            let rects = match p {
                Prim::Rect { x, w, .. } => vec![(*x, *w)],
                Prim::Rects { rects, .. } => rects.iter().map(|r| (r.0, r.2)).collect(),
                _ => vec![],
            };
            for (x, w) in rects {
                assert!(x >= 0.0 && x + w <= v.width + 1.0 + 1e-9, "{p:?}");
            }
        }
    }

    #[test]
    fn text_is_truncated_to_fit() {
        assert_eq!(fit_text("main.worker", 200.0, 12.0).unwrap(), "main.worker");
        let t = fit_text("github.com/some/very/long/package.function", 60.0, 12.0).unwrap();
        assert!(t.ends_with('…') && t.chars().count() <= 9);
        assert_eq!(fit_text("x", 5.0, 12.0), None);
    }

    #[test]
    fn tooltips_describe_spans() {
        let m = crate::layout::tests::model();
        let i = m.tl.span_at(0, 500_000).unwrap();
        let lines = describe(&m, Hit::Span(0, i as u32));
        assert_eq!(lines[0], "G1 main.worker");
        assert_eq!(lines[1], "waiting: chan receive");
        assert_eq!(lines[3], "unblocked by G2");
    }
}
