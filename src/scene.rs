//! From model + view + theme to a flat list of drawing primitives. The canvas
//! painter (`web::painter`) only replays this list, so everything about what
//! is drawn is decided (and tested) here.

use crate::critical::Highlight;
use crate::filter::Filter;
use crate::lanes::{self, Lane, LaneKind};
use crate::layout;
use crate::model::Model;
use crate::theme::Theme;
use crate::view::{View, AXIS_H, GUTTER};

pub use crate::lanes::describe;
pub use crate::prim::{fit_text, Align, Prim, XYWH};

/// What is drawn over the lanes besides the view's own selection: inputs
/// of [`build`], owned by whoever computed them (the page keeps them).
#[derive(Clone, Copy, Debug, Default)]
pub struct Overlays<'a> {
    /// A critical path (`crate::critical`).
    pub critical: Option<&'a Highlight>,
    /// The search: its hits marked, the lanes that miss dimmed when kept
    /// (`lanes::find`).
    pub find: Option<&'a Filter>,
    /// The lane index of the header with the keyboard focus (`lanes::focus`).
    pub focus: Option<usize>,
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
    /// Whether the lane matches the search (`None`: no search, or a lane a
    /// search does not concern).
    pub matched: Option<bool>,
    /// Drawn dimmed (a miss while the search keeps the others).
    pub dimmed: bool,
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

/// About how wide an axis label is drawn (11 px digits and units), px.
fn label_width(s: &str) -> f64 {
    s.chars().count() as f64 * 5.6
}

/// Builds the scene for the whole canvas.
pub fn build(
    m: &Model,
    lanes: &[Lane],
    view: &View,
    theme: &Theme,
    overlays: Option<&Overlays>,
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
    let axis = layout::axis(view, 90.0);
    let ticks = axis.ticks;

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
    let range = lanes::visible_lanes(lanes, view);
    let find = overlays.and_then(|o| o.find);
    for (n, lane) in lanes[range.clone()].iter().enumerate() {
        let y = lanes::lane_screen_y(lane, view);
        let d = lanes::draw(
            &mut sc.prims,
            m,
            lane,
            (y, range.start + n),
            view,
            theme,
            find,
        );
        let matched = find.and_then(|f| lanes::find::lane_match(m, f, lane.kind));
        let dimmed = find.is_some_and(|f| {
            lanes::find::overlay(&mut sc.prims, f, matched, (lane, y), view, theme)
        });
        sc.lanes.push(LaneStat {
            label: lane.label.clone(),
            kind: lane.kind,
            y,
            h: lane.h,
            runs: d.runs,
            widest_x: d.widest_x,
            matched,
            dimmed,
        });
    }
    let p = &mut sc.prims;
    // The header with the keyboard focus: a ring inside its lane.
    if let Some(lane) = overlays.and_then(|o| o.focus).and_then(|i| lanes.get(i)) {
        let y = lanes::lane_screen_y(lane, view);
        p.push(Prim::StrokeRect {
            x: 1.0,
            y: y + 1.0,
            w: w - 2.0,
            h: lane.h - 2.0,
            color: theme.focus,
            width: 2.0,
        });
    }

    // Selected span outline.
    if let Some(sel) = view.selected {
        if let Some(lane) = lanes.iter().find(|l| l.kind == LaneKind::Goroutine(sel.g)) {
            if let Some(sp) = m.tl.span(sel.g as usize, sel.span as usize) {
                let x0 = view.x_of(sp.start as f64).max(GUTTER - 2.0);
                let x1 = view.x_of(sp.end as f64).min(w + 2.0).max(x0 + 1.0);
                let y = lanes::lane_screen_y(lane, view);
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
    if let Some(h) = overlays.and_then(|o| o.critical) {
        crate::critical::draw(p, h, lanes, view, theme);
    }
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
    p.push(Prim::Clip(None));

    // The lanes' scrollbar (drag it; see `lanes::scrollbar`).
    if let Some(bar) = lanes::scrollbar(lanes, view) {
        p.push(Prim::Rect {
            x: bar.x,
            y: AXIS_H,
            w: lanes::SCROLLBAR_W,
            h: h - AXIS_H,
            color: theme.axis_bg,
        });
        p.push(Prim::Rect {
            x: bar.x + 2.0,
            y: bar.y + 1.0,
            w: lanes::SCROLLBAR_W - 4.0,
            h: bar.h - 2.0,
            color: theme.muted,
        });
    }

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
        // A label that would run off the right edge is left out (the
        // narrowed canvas showed "400 n"); its tick stays.
        if t.x + 3.0 + label_width(&t.label) > w {
            continue;
        }
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
    if let Some(r) = axis.reference {
        // Zoomed in: the ticks are offsets from this time.
        p.push(Prim::Text {
            x: GUTTER - 6.0,
            y: AXIS_H / 2.0 - 1.0,
            text: r,
            color: theme.fg,
            align: Align::Right,
            bold: true,
            size: 11.0,
        });
    }
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
            let text = crate::format::time_at(view.t_of(hx), view.ns_per_px());
            let x = hx.clamp(GUTTER + 55.0, w - 55.0);
            p.push(Prim::Rect {
                x: x - 54.0,
                y: 3.0,
                w: 108.0,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scene_draws_visible_lanes_only_and_counts_runs() {
        let m = crate::fixture::model();
        let lanes = lanes::lanes(&m, &Default::default());
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
    fn overlays_draw_the_critical_path() {
        use crate::critical::{color, Highlight, Stretch};
        let m = crate::fixture::model();
        let lanes = lanes::lanes(&m, &Default::default());
        let theme = Theme::new(true);
        let v = View::new(m.tl.duration, GUTTER + 800.0, 2000.0);
        let c = color(&theme);
        let h = Highlight {
            stretches: vec![Stretch {
                g: 0,
                start: 0.0,
                end: m.tl.duration as f64 / 2.0,
                segments: 1,
            }],
            hops: Vec::new(),
            segments: 1,
        };
        let has = |o: Option<&Overlays>| {
            build(&m, &lanes, &v, &theme, o)
                .prims
                .iter()
                .any(|q| matches!(q, Prim::StrokeRect { color, .. } if *color == c))
        };
        assert!(!has(None));
        assert!(has(Some(&Overlays {
            critical: Some(&h),
            ..Default::default()
        })));
    }

    #[test]
    fn search_marks_hits_and_dims_kept_misses() {
        let m = crate::fixture::model();
        let theme = Theme::new(false);
        let v = View::new(m.tl.duration, GUTTER + 800.0, 2000.0);
        let mut f = crate::filter::filter(&m, "worker").unwrap();
        let name = m.groups.iter().find(|g| g.name.contains("worker")).unwrap();
        let draw = |f: &Filter| {
            let ls = lanes::lanes_with(&m, &Default::default(), 0, Some(f));
            let o = Overlays {
                find: Some(f),
                ..Default::default()
            };
            build(&m, &ls, &v, &theme, Some(&o))
        };
        let hidden = draw(&f);
        // Hidden misses: every goroutine lane drawn is a hit with a bar.
        let gl: Vec<_> = hidden
            .lanes
            .iter()
            .filter(|l| matches!(l.kind, LaneKind::Goroutine(_)))
            .collect();
        assert!(!gl.is_empty() && gl.iter().all(|l| l.matched == Some(true) && !l.dimmed));
        let bars = |sc: &Scene| {
            sc.prims
                .iter()
                .filter(|q| matches!(q, Prim::Rect { color, .. } if *color == theme.find_edge))
                .count()
        };
        assert!(bars(&hidden) >= gl.len());
        // The group's name is marked behind "worker".
        assert!(hidden.prims.iter().any(|q| matches!(q,
            Prim::Mark { text, color, .. } if text == "worker" && *color == theme.find_mark)));
        assert!(name.name.contains("worker"));
        // Kept: misses are listed and dimmed, hits are not; the goroutine
        // named by its id has its label marked.
        let g = m.groups[0].goroutines[0];
        let id = m.tl.goroutines[g as usize].id;
        f = crate::filter::filter(&m, &format!("G{id}")).unwrap();
        f.hide = false;
        let kept = draw(&f);
        assert!(kept.prims.iter().any(|q| matches!(q,
            Prim::Mark { text, before, .. } if *text == format!("G{id}") && before.is_empty())));
        let misses = kept
            .lanes
            .iter()
            .filter(|l| l.matched == Some(false))
            .count();
        assert!(misses > 0);
        assert!(kept
            .lanes
            .iter()
            .all(|l| l.dimmed == (l.matched == Some(false))));
        f.hide = true;
        assert!(kept.lanes.len() > draw(&f).lanes.len());
        // No search: nothing marked.
        let plain = build(&m, &lanes::lanes(&m, &Default::default()), &v, &theme, None);
        assert!(plain.lanes.iter().all(|l| l.matched.is_none() && !l.dimmed));
        assert_eq!(bars(&plain), 0);
    }

    #[test]
    fn the_focused_header_has_a_ring() {
        let m = crate::fixture::model();
        let ls = lanes::lanes(&m, &Default::default());
        let theme = Theme::new(true);
        let v = View::new(m.tl.duration, GUTTER + 800.0, 2000.0);
        let ring = |focus| {
            let o = Overlays {
                focus,
                ..Default::default()
            };
            build(&m, &ls, &v, &theme, Some(&o))
                .prims
                .iter()
                .any(|q| matches!(q, Prim::StrokeRect { color, .. } if *color == theme.focus))
        };
        assert!(!ring(None));
        assert!(ring(Some(0)));
    }

    #[test]
    fn axis_labels_stay_inside_the_canvas() {
        let m = crate::fixture::model();
        let ls = lanes::lanes(&m, &Default::default());
        let theme = Theme::new(false);
        let mut dropped = 0;
        for w in (300..1500).step_by(23) {
            let v = View::new(m.tl.duration, w as f64, 400.0);
            let sc = build(&m, &ls, &v, &theme, None);
            let labels: Vec<_> = sc
                .prims
                .iter()
                .filter_map(|q| match q {
                    Prim::Text {
                        x, y, text, size, ..
                    } if *size == 11.0 && *y == AXIS_H / 2.0 - 1.0 && *x > GUTTER => {
                        Some((*x, text.clone()))
                    }
                    _ => None,
                })
                .collect();
            for (x, text) in &labels {
                assert!(
                    x + label_width(text) <= w as f64,
                    "{text:?} at {x} in {w} px"
                );
            }
            dropped += layout::axis(&v, 90.0).ticks.len() - labels.len();
        }
        // Some widths put a tick too close to the edge for its label.
        assert!(dropped > 0);
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
        let m = crate::fixture::model();
        let i = m.tl.span_at(0, 500_000).unwrap();
        let lines = describe(&m, crate::lanes::Hit::Span(0, i as u32));
        assert_eq!(lines[0], "G1 main.worker");
        assert_eq!(lines[1], "waiting: chan receive");
        assert_eq!(lines[3], "unblocked by G2");
    }
}
