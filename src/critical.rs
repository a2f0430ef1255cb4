//! The critical path of a goroutine on the timeline (pure): from the
//! analysis worker's [`CriticalPathData`] (absolute times, goroutine ids) to
//! a [`Highlight`] in timeline terms (goroutine indices, ns since the trace
//! start), to what is drawn over the lanes ([`draw`], called by
//! `scene::build` when the page passes a highlight in its `Overlays`), and
//! to the rows of the details panel ([`panel`]).
//!
//! On the canvas each stretch of the path on one goroutine is outlined on
//! that goroutine's lane, and each hop (an unblock or a creation) is a
//! connector from the unblocking goroutine's lane to the unblocked one's,
//! with an arrow head on the latter. Goroutines without a lane (in a
//! collapsed group) are skipped.

use crate::analysis::protocol::{CriticalPathData, PathEdgeKind, PathState, PathStop};
use crate::format::duration;
use crate::lanes::lane::{lane_screen_y, Lane, LaneKind};
use crate::model::Model;
use crate::prim::Prim;
use crate::theme::{Rgba, Theme};
use crate::view::{View, AXIS_H, GUTTER};

/// Consecutive segments of the path on one goroutine, ns since the trace start.
#[derive(Clone, Debug, PartialEq)]
pub struct Stretch {
    /// Goroutine index.
    pub g: u32,
    pub start: f64,
    pub end: f64,
    pub segments: usize,
}

/// At `time` goroutine `from` unblocked (or created) goroutine `to`.
#[derive(Clone, Debug, PartialEq)]
pub struct Hop {
    pub time: f64,
    pub from: u32,
    pub to: u32,
}

/// A critical path in timeline terms, forward in time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Highlight {
    pub stretches: Vec<Stretch>,
    pub hops: Vec<Hop>,
    /// Segments of the path (including those of goroutines not in the timeline).
    pub segments: usize,
}

/// The path's geometry on the timeline (segments of goroutines the
/// timeline does not know are left out).
pub fn highlight(m: &Model, d: &CriticalPathData) -> Highlight {
    let tl = &m.tl;
    let rel = |t: i64| t.saturating_sub(tl.origin) as f64;
    let index = |id: i64| tl.goroutine_index(id).map(|g| g as u32);
    let mut h = Highlight {
        segments: d.segments.len(),
        ..Highlight::default()
    };
    for s in &d.segments {
        if let Some(g) = index(s.goroutine) {
            let (a, b) = (rel(s.start), rel(s.end));
            match h.stretches.last_mut() {
                Some(last) if last.g == g && a <= last.end => {
                    last.end = last.end.max(b);
                    last.segments += 1;
                }
                _ => h.stretches.push(Stretch {
                    g,
                    start: a,
                    end: b,
                    segments: 1,
                }),
            }
        }
        if let Some(e) = &s.via {
            if let (Some(from), Some(to)) = (index(s.goroutine), index(e.target)) {
                if from != to {
                    h.hops.push(Hop {
                        time: rel(e.time),
                        from,
                        to,
                    });
                }
            }
        }
    }
    h
}

/// The highlight colour.
pub fn color(theme: &Theme) -> Rgba {
    if theme.dark {
        Rgba::hex(0xff5cd6)
    } else {
        Rgba::hex(0xd1007a)
    }
}

/// What is drawn, in canvas px.
#[derive(Clone, Debug, PartialEq)]
pub enum Mark {
    /// A stretch outlined on its lane (`y`, `h`: the lane's top and height).
    Stretch { x0: f64, x1: f64, y: f64, h: f64 },
    /// A connector at `x` from the edge of one lane (`y0`) to the edge of
    /// the other (`y1`, the arrow tip).
    Hop { x: f64, y0: f64, y1: f64 },
}

/// The marks of the visible part of the path.
pub fn marks(h: &Highlight, lanes: &[Lane], view: &View) -> Vec<Mark> {
    // The lanes (canvas y, height) of the path's goroutines, in one pass.
    let mut gs: Vec<u32> = h.stretches.iter().map(|s| s.g).collect();
    gs.sort_unstable();
    gs.dedup();
    let mut lane_of: Vec<Option<(f64, f64)>> = vec![None; gs.len()];
    for l in lanes {
        if let LaneKind::Goroutine(g) = l.kind {
            if let Ok(i) = gs.binary_search(&g) {
                lane_of[i] = Some((lane_screen_y(l, view), l.h));
            }
        }
    }
    let lane = |g: u32| gs.binary_search(&g).ok().and_then(|i| lane_of[i]);
    let (w, top, bottom) = (view.width, AXIS_H, view.height);
    let mut out = Vec::new();
    let lo = h.stretches.partition_point(|s| s.end < view.t0);
    for s in h.stretches[lo..].iter().take_while(|s| s.start <= view.t1) {
        let Some((y, lh)) = lane(s.g) else { continue };
        if y + lh < top || y > bottom {
            continue;
        }
        let x0 = view.x_of(s.start).max(GUTTER - 1.0);
        let x1 = view.x_of(s.end).min(w + 2.0).max(x0 + 1.0);
        if x1 < GUTTER {
            continue;
        }
        out.push(Mark::Stretch { x0, x1, y, h: lh });
    }
    let lo = h.hops.partition_point(|e| e.time < view.t0);
    for e in h.hops[lo..].iter().take_while(|e| e.time <= view.t1) {
        let (Some((ya, ha)), Some((yb, hb))) = (lane(e.from), lane(e.to)) else {
            continue;
        };
        let (y0, y1) = if yb >= ya {
            (ya + ha, yb)
        } else {
            (ya, yb + hb)
        };
        if y0.max(y1) < top || y0.min(y1) > bottom {
            continue;
        }
        let x = view.x_of(e.time);
        if x < GUTTER || x > w {
            continue;
        }
        out.push(Mark::Hop { x, y0, y1 });
    }
    out
}

/// Draws highlight `h` over the lanes (`scene::build` calls it for its overlay).
pub fn draw(p: &mut Vec<Prim>, h: &Highlight, lanes: &[Lane], view: &View, theme: &Theme) {
    let c = color(theme);
    for mk in marks(h, lanes, view) {
        match mk {
            Mark::Stretch { x0, x1, y, h } => {
                if x1 - x0 < 4.0 {
                    p.push(Prim::Rect {
                        x: x0,
                        y,
                        w: (x1 - x0).max(1.5),
                        h,
                        color: c,
                    });
                } else {
                    p.push(Prim::Rect {
                        x: x0,
                        y: y + 2.0,
                        w: x1 - x0,
                        h: h - 4.0,
                        color: c.alpha(48),
                    });
                    p.push(Prim::StrokeRect {
                        x: x0,
                        y: y + 1.0,
                        w: x1 - x0,
                        h: h - 2.0,
                        color: c,
                        width: 2.0,
                    });
                }
            }
            Mark::Hop { x, y0, y1 } => {
                let dir = if y1 >= y0 { 1.0 } else { -1.0 };
                let base = y1 - dir * 6.0;
                p.push(Prim::Line {
                    x0: x,
                    y0,
                    x1: x,
                    y1: base,
                    color: c,
                    width: 2.0,
                });
                p.push(Prim::Poly {
                    points: vec![(x - 4.0, base), (x + 4.0, base), (x, y1)],
                    color: c,
                });
            }
        }
    }
}

// ---- the details panel -----------------------------------------------------

/// Segments listed in the panel at most (the latest ones).
pub const MAX_ROWS: usize = 300;

/// One goroutine of the path.
#[derive(Clone, Debug, PartialEq)]
pub struct GoroutineRow {
    pub goroutine: i64,
    /// "G23 main.holderC"
    pub label: String,
    /// Share of the path, 0..=1.
    pub share: f64,
    /// "77.2%"
    pub percent: String,
    /// "3.003 ms"
    pub time: String,
    /// "running 3.002 ms · runnable 1.024 µs · 2 segments"
    pub detail: String,
    /// The middle of its longest segment, ns since the trace start (where a click goes).
    pub mid: Option<f64>,
}

/// One segment of the path.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentRow {
    pub goroutine: i64,
    /// "G23 main.holderC"
    pub label: String,
    /// "running", "waiting: sleep"
    pub state: String,
    /// "3.002 ms"
    pub duration: String,
    /// Start, since the trace start ("71.552 µs").
    pub at: String,
    /// The middle of the segment, ns since the trace start (where a click goes).
    pub mid: f64,
    /// "→ unblocks G22 (sync)"
    pub edge: Option<String>,
}

/// What the details panel shows of a path.
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    /// "Critical path of G21 main.waiterA"
    pub title: String,
    /// "0 ns – 3.890 ms (3.890 ms) · 7 segments · 3 hops"
    pub summary: String,
    /// Why the path starts or ends where it does, when that is not the window's bounds.
    pub notes: Vec<String>,
    pub goroutines: Vec<GoroutineRow>,
    /// Forward in time; the latest [`MAX_ROWS`] at most.
    pub segments: Vec<SegmentRow>,
    /// Earlier segments not listed.
    pub more: usize,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn state_text(state: PathState, reason: &str) -> String {
    let s = match state {
        PathState::Running => "running",
        PathState::Runnable => "runnable",
        PathState::Syscall => "syscall",
        PathState::Waiting => "waiting",
    };
    if reason.is_empty() {
        s.to_string()
    } else {
        format!("{s}: {reason}")
    }
}

/// The panel of `d`; `origin` is the trace clock time of the timeline's 0,
/// `name` names goroutines the path's shares do not (such as the
/// goroutine itself when none of its time is on the path).
pub fn panel(d: &CriticalPathData, origin: i64, name: impl Fn(i64) -> Option<String>) -> Panel {
    let rel = |t: i64| t.saturating_sub(origin) as f64;
    let names: std::collections::HashMap<i64, &str> = d
        .goroutines
        .iter()
        .filter(|s| !s.name.is_empty())
        .map(|s| (s.goroutine, s.name.as_str()))
        .collect();
    let label = |id: i64| match names.get(&id).map(|n| n.to_string()).or_else(|| name(id)) {
        Some(n) if !n.is_empty() => format!("G{id} {n}"),
        _ => format!("G{id}"),
    };
    let total = (d.end - d.start).max(0);
    let summary = format!(
        "{} – {} ({}) · {} · {}",
        duration(rel(d.start)),
        duration(rel(d.end)),
        duration(total as f64),
        plural(d.segments.len(), "segment", "segments"),
        plural(d.hops, "hop", "hops"),
    );
    let mut notes = Vec::new();
    if d.end < d.window.1 {
        notes.push(format!(
            "G{} exited at {}: the path ends there.",
            d.goroutine,
            duration(rel(d.end))
        ));
    }
    match &d.stop {
        PathStop::ReachedStart => {}
        PathStop::Origin { goroutine, time } => notes.push(format!(
            "Nothing is known about G{goroutine} before {} (created by no goroutine, or not traced before): the path starts there.",
            duration(rel(*time))
        )),
        PathStop::Limit => notes.push(
            "The path is too long: only its latest part was computed.".to_string(),
        ),
        PathStop::Cycle { time } => notes.push(format!(
            "Unblock events form a cycle at {}: the path starts there.",
            duration(rel(*time))
        )),
    }
    // Each goroutine's longest segment: (duration, middle).
    let mut longest: std::collections::HashMap<i64, (i64, f64)> = Default::default();
    for g in &d.segments {
        let e = longest.entry(g.goroutine).or_insert((-1, 0.0));
        if g.end - g.start > e.0 {
            *e = (g.end - g.start, (rel(g.start) + rel(g.end)) / 2.0);
        }
    }
    let goroutines = d
        .goroutines
        .iter()
        .map(|s| {
            let mut parts = Vec::new();
            for (what, v) in [
                ("running", s.running),
                ("runnable", s.runnable),
                ("syscall", s.syscall),
                ("waiting", s.waiting),
            ] {
                if v > 0 {
                    parts.push(format!("{what} {}", duration(v as f64)));
                }
            }
            parts.push(plural(s.segments, "segment", "segments"));
            GoroutineRow {
                goroutine: s.goroutine,
                label: label(s.goroutine),
                share: if total > 0 {
                    (s.total as f64 / total as f64).clamp(0.0, 1.0)
                } else {
                    0.0
                },
                percent: crate::analysis::table::percent(s.total, total),
                time: duration(s.total as f64),
                detail: parts.join(" · "),
                mid: longest.get(&s.goroutine).map(|&(_, mid)| mid),
            }
        })
        .collect();
    let more = d.segments.len().saturating_sub(MAX_ROWS);
    let segments = d.segments[more..]
        .iter()
        .map(|s| SegmentRow {
            goroutine: s.goroutine,
            label: label(s.goroutine),
            state: state_text(s.state, &s.reason),
            duration: duration((s.end - s.start) as f64),
            at: duration(rel(s.start)),
            mid: (rel(s.start) + rel(s.end)) / 2.0,
            edge: s.via.as_ref().map(|e| {
                let verb = match e.kind {
                    PathEdgeKind::Unblock => "unblocks",
                    PathEdgeKind::Create => "creates",
                };
                if e.reason.is_empty() {
                    format!("→ {verb} G{}", e.target)
                } else {
                    format!("→ {verb} G{} ({})", e.target, e.reason)
                }
            }),
        })
        .collect();
    Panel {
        title: format!("Critical path of {}", label(d.goroutine)),
        summary,
        notes,
        goroutines,
        segments,
        more,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::protocol::{PathEdge, PathSegment, PathShare};

    /// G2 runs until 1 ms and unblocks G1 (chan receive), which then runs.
    fn data(m: &Model) -> CriticalPathData {
        let o = m.tl.origin;
        let seg = |g, a, b, state, via| PathSegment {
            goroutine: g,
            start: o + a,
            end: o + b,
            state,
            reason: String::new(),
            via,
        };
        let share = |g: i64, name: &str, total| PathShare {
            goroutine: g,
            name: name.into(),
            segments: 1,
            total,
            running: total,
            runnable: 0,
            syscall: 0,
            waiting: 0,
        };
        CriticalPathData {
            goroutine: 1,
            window: (o, o + 1_500_000),
            start: o + 20_040,
            end: o + 1_500_000,
            segments: vec![
                seg(
                    2,
                    20_040,
                    1_000_000,
                    PathState::Running,
                    Some(PathEdge {
                        kind: PathEdgeKind::Unblock,
                        target: 1,
                        time: o + 1_000_000,
                        reason: "chan receive".into(),
                        waiting_since: Some(o + 20_030),
                        stack: None,
                    }),
                ),
                seg(1, 1_000_000, 1_200_000, PathState::Runnable, None),
                seg(1, 1_200_000, 1_500_000, PathState::Running, None),
                // A goroutine the timeline does not know.
                seg(99, 1_500_000, 1_500_000, PathState::Running, None),
            ],
            goroutines: vec![
                share(2, "main.producer", 979_960),
                share(1, "main.worker", 500_000),
            ],
            hops: 1,
            stop: PathStop::Origin {
                goroutine: 2,
                time: o + 20_040,
            },
            stacks: Vec::new(),
        }
    }

    #[test]
    fn highlight_merges_stretches_and_keeps_hops() {
        let m = crate::fixture::model();
        let h = highlight(&m, &data(&m));
        assert_eq!(h.segments, 4);
        assert_eq!(
            h.stretches,
            vec![
                Stretch {
                    g: 1,
                    start: 20_040.0,
                    end: 1_000_000.0,
                    segments: 1
                },
                Stretch {
                    g: 0,
                    start: 1_000_000.0,
                    end: 1_500_000.0,
                    segments: 2
                },
            ]
        );
        assert_eq!(
            h.hops,
            vec![Hop {
                time: 1_000_000.0,
                from: 1,
                to: 0
            }]
        );
    }

    #[test]
    fn marks_follow_lanes_and_the_view() {
        let m = crate::fixture::model();
        let mut lanes = crate::lanes::lanes(&m, &Default::default());
        let mut v = View::new(m.tl.duration, GUTTER + 1000.0, 2000.0);
        let h = highlight(&m, &data(&m));
        let lane = |g| {
            lanes
                .iter()
                .find(|l| l.kind == LaneKind::Goroutine(g))
                .cloned()
                .unwrap()
        };
        let (l0, l1) = (lane(0), lane(1));
        let mk = marks(&h, &lanes, &v);
        assert_eq!(mk.len(), 3, "{mk:?}");
        let Mark::Stretch { x0, x1, y, .. } = mk[0] else {
            panic!("{mk:?}")
        };
        assert!((x0 - v.x_of(20_040.0)).abs() < 1e-6 && (x1 - v.x_of(1e6)).abs() < 1e-6);
        assert_eq!(y, lane_screen_y(&l1, &v));
        // The hop goes from G2's lane (below) up to G1's, ending at its bottom edge.
        let Mark::Hop { x, y0, y1 } = mk[2] else {
            panic!("{mk:?}")
        };
        assert!((x - v.x_of(1e6)).abs() < 1e-6);
        assert!(l1.y > l0.y);
        assert_eq!(y0, lane_screen_y(&l1, &v));
        assert_eq!(y1, lane_screen_y(&l0, &v) + l0.h);
        // Drawn: fills, outlines, a connector and its arrow head.
        let theme = Theme::new(false);
        let mut p = Vec::new();
        draw(&mut p, &h, &lanes, &v, &theme);
        let c = color(&theme);
        assert!(p
            .iter()
            .any(|q| matches!(q, Prim::StrokeRect { color, .. } if *color == c)));
        assert!(p
            .iter()
            .any(|q| matches!(q, Prim::Line { color, .. } if *color == c)));
        assert!(p.iter().any(|q| matches!(q, Prim::Poly { .. })));
        // Nothing is drawn of an empty path.
        let mut q = Vec::new();
        draw(&mut q, &Highlight::default(), &lanes, &v, &theme);
        assert!(q.is_empty());
        // Zoomed in after the hop: only G1's stretch.
        v.t0 = 1_300_000.0;
        v.t1 = 1_400_000.0;
        let mk = marks(&h, &lanes, &v);
        assert!(
            matches!(mk[..], [Mark::Stretch { y, .. }] if y == lane_screen_y(&l0, &v)),
            "{mk:?}"
        );
        // A goroutine without a lane (collapsed group) is skipped, with its hops.
        lanes.retain(|l| l.kind != LaneKind::Goroutine(1));
        v.fit_all();
        let mk = marks(&h, &lanes, &v);
        assert_eq!(mk.len(), 1, "{mk:?}");
        // Scrolled far away: nothing.
        v.scroll_y = 1e6;
        assert!(marks(&h, &lanes, &v).is_empty());
    }

    #[test]
    fn panel_lists_goroutines_and_segments_as_text() {
        let m = crate::fixture::model();
        let p = panel(&data(&m), m.tl.origin, |_| None);
        assert_eq!(p.title, "Critical path of G1 main.worker");
        assert!(p.summary.contains("4 segments · 1 hop"), "{}", p.summary);
        assert_eq!(p.notes.len(), 1);
        assert!(p.notes[0].contains("G2"), "{:?}", p.notes);
        assert_eq!(p.goroutines[0].label, "G2 main.producer");
        assert_eq!(p.goroutines[0].percent, "66.2%");
        assert!(p.goroutines[0].share > p.goroutines[1].share);
        assert_eq!(p.goroutines[0].detail, "running 980 µs · 1 segment");
        assert_eq!(p.goroutines[0].mid, Some((20_040.0 + 1_000_000.0) / 2.0));
        assert_eq!(p.goroutines[1].mid, Some(1_350_000.0));
        assert_eq!(p.segments.len(), 4);
        assert_eq!(p.more, 0);
        let s = &p.segments[0];
        assert_eq!(s.label, "G2 main.producer");
        assert_eq!(s.state, "running");
        assert_eq!(s.edge.as_deref(), Some("→ unblocks G1 (chan receive)"));
        assert_eq!(s.mid, (20_040.0 + 1_000_000.0) / 2.0);
        assert_eq!(p.segments[3].label, "G99");
        // Long paths list the latest segments.
        let mut d = data(&m);
        let one = d.segments[1].clone();
        d.segments = vec![one; MAX_ROWS + 5];
        let p = panel(&d, m.tl.origin, |_| None);
        assert_eq!((p.segments.len(), p.more), (MAX_ROWS, 5));
        // Goroutines without a share are named by the caller.
        d.goroutines.retain(|s| s.goroutine != 1);
        let p = panel(&d, m.tl.origin, |id| {
            (id == 1).then(|| "main.worker".into())
        });
        assert_eq!(p.title, "Critical path of G1 main.worker");
        assert_eq!(p.segments[0].label, "G1 main.worker");
    }
}
