//! Pure layout: from the model and the view state to what is drawn where.
//! The axis ticks live here; the lane list, runs and hit tests live with
//! the lane kinds (`crate::lanes`) and are re-exported here (one path for
//! the scene, the page and the benches). No browser types; tested on the host.

pub use crate::lanes::*;
pub use crate::model::{Group, Model};

use crate::view::View;
#[cfg(test)]
use crate::view::{AXIS_H, GUTTER};

/// One time-axis tick.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub x: f64,
    pub t: f64,
    pub label: String,
}

/// Ticks at a 1/2/5×10ⁿ ns step, at least `min_px` apart.
pub fn ticks(view: &View, min_px: f64) -> Vec<Tick> {
    let span = view.t1 - view.t0;
    if span <= 0.0 || !span.is_finite() {
        return Vec::new();
    }
    let raw = span * min_px / view.plot_width();
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
        .max(1.0);
    let first = (view.t0 / step).ceil() as i64;
    let last = (view.t1 / step).floor() as i64;
    (first..=last)
        .map(|k| {
            let t = k as f64 * step;
            Tick {
                x: view.x_of(t),
                t,
                label: crate::format::tick_label(t, step),
            }
        })
        .collect()
}

/// The time axis: ticks, and when zoomed in far from the trace start a
/// `reference` ("629.845 ms +") the tick labels are offsets from ("+2 µs").
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub reference: Option<String>,
    pub ticks: Vec<Tick>,
}

/// [`ticks`], as offsets from the first tick when absolute labels would
/// need many more digits than the step (the first tick at ≥ 1000 steps).
pub fn axis(view: &View, min_px: f64) -> Axis {
    let mut ticks = ticks(view, min_px);
    let step = match ticks.as_slice() {
        [a, b, ..] => b.t - a.t,
        _ => {
            return Axis {
                reference: None,
                ticks,
            }
        }
    };
    let r = ticks[0].t;
    if r.abs() / step < 1000.0 {
        return Axis {
            reference: None,
            ticks,
        };
    }
    for t in &mut ticks {
        let off = t.t - r;
        t.label = if off.abs() < step / 2.0 {
            "0".to_string()
        } else {
            format!("+{}", crate::format::tick_label(off, step))
        };
    }
    Axis {
        reference: Some(format!("{} +", crate::format::time_at(r, step))),
        ticks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gotrace::timeline::*;

    #[test]
    fn zoomed_in_axis_is_relative() {
        let mut v = crate::view::View::new(1_000_000_000, GUTTER + 1000.0, 500.0);
        assert_eq!(axis(&v, 90.0).reference, None);
        v.t0 = 629_845_000.0;
        v.t1 = v.t0 + 10_000.0;
        let a = axis(&v, 90.0);
        assert_eq!(a.reference.as_deref(), Some("629.845 ms +"));
        assert_eq!(a.ticks[0].label, "0");
        assert_eq!(a.ticks[1].label, "+1 µs");
    }

    #[test]
    fn wide_spans_stay_separate() {
        let runs = merge_runs(
            vec![(0.0, 10.0, 1, 0), (10.0, 20.0, 2, 1), (20.0, 35.5, 1, 2)],
            1.0,
        );
        assert_eq!(runs.len(), 3);
        assert_eq!(
            runs[1],
            Run {
                x0: 10.0,
                x1: 20.0,
                key: 2,
                first: 1,
                count: 1
            }
        );
    }

    #[test]
    fn sub_pixel_spans_merge_with_the_dominant_colour() {
        // 100 spans of 0.1 px: 70% key 1, 30% key 2.
        let spans: Vec<_> = (0..100)
            .map(|i| {
                (
                    i as f64 * 0.1,
                    i as f64 * 0.1 + 0.1,
                    if i % 10 < 7 { 1 } else { 2 },
                    i,
                )
            })
            .collect();
        let runs = merge_runs(spans, 1.0);
        assert!(runs.len() <= 11, "{runs:?}");
        assert!(runs.iter().all(|r| r.x1 - r.x0 >= 1.0 - 1e-9));
        assert_eq!(runs.iter().map(|r| r.count).sum::<u32>(), 100);
        assert!(runs.iter().all(|r| r.key == 1));
        // Runs are ordered and do not overlap.
        assert!(runs.windows(2).all(|w| w[0].x1 <= w[1].x0 + 1e-9));
    }

    #[test]
    fn isolated_tiny_span_is_widened_to_a_pixel() {
        let runs = merge_runs(vec![(5.0, 5.01, 3, 7), (50.0, 50.2, 1, 8)], 1.0);
        assert_eq!(runs.len(), 2);
        assert_eq!(
            (runs[0].x0, runs[0].x1, runs[0].key, runs[0].first),
            (5.0, 6.0, 3, 7)
        );
    }

    #[test]
    fn merged_runs_are_bounded_by_the_pixel_width() {
        // A million spans over 1000 px never produce more than ~1000 runs.
        let spans = (0..1_000_000u32).map(|i| {
            let x = i as f64 * 0.001;
            (x, x + 0.0008, (i % 3) as u8 + 1, i)
        });
        let runs = merge_runs(spans, 1.0);
        assert!(runs.len() <= 1001, "{}", runs.len());
    }

    #[test]
    fn wait_reasons_have_families() {
        assert_eq!(span_key(SpanState::Waiting, "chan receive"), 4);
        assert_eq!(span_key(SpanState::Waiting, "sync.Mutex.Lock"), 4);
        assert_eq!(span_key(SpanState::Waiting, "sleep"), 5);
        assert_eq!(span_key(SpanState::Waiting, "network"), 6);
        assert_eq!(
            span_key(SpanState::Waiting, "GC background sweeper wait"),
            7
        );
        assert_eq!(span_key(SpanState::Waiting, "forever"), 8);
        assert_eq!(span_key(SpanState::Running, ""), 1);
        assert_eq!(span_key(SpanState::NotExist, ""), 0);
        assert_eq!(key_name(3), "syscall");
    }

    use crate::fixture::model;

    #[test]
    fn goroutine_runs_merge_when_zoomed_out_and_split_when_zoomed_in() {
        let m = model();
        let mut v = View::new(m.tl.duration, GUTTER + 1000.0, 600.0);
        let runs = goroutine_runs(&m.tl, 0, &v);
        // 2000 spans of 10 ns in the first 20 µs = ~20 px: merged into at most ~25 runs.
        assert!(runs.len() <= 25, "{}", runs.len());
        let widest = runs
            .iter()
            .max_by(|a, b| (a.x1 - a.x0).total_cmp(&(b.x1 - b.x0)))
            .unwrap();
        assert_eq!(widest.key, 4, "the long chan receive wait");
        v.fit(0.0, 100.0);
        let runs = goroutine_runs(&m.tl, 0, &v);
        assert!(runs.len() >= 9 && runs.len() <= 12, "{}", runs.len());
        assert!(runs.iter().all(|r| r.count == 1));
        assert_eq!(runs[0].key, 1);
        assert_eq!(runs[1].key, 2);
    }

    #[test]
    fn lanes_and_collapsing() {
        let m = model();
        assert_eq!(m.groups.len(), 1);
        assert_eq!(m.groups[0].name, "main.worker");
        let all = lanes(&m, &Default::default());
        assert!(all.iter().any(|l| l.kind == LaneKind::Goroutine(1)));
        assert!(all.windows(2).all(|w| w[0].y + w[0].h <= w[1].y));
        let collapsed = lanes(&m, &[0].into_iter().collect());
        assert!(!collapsed
            .iter()
            .any(|l| matches!(l.kind, LaneKind::Goroutine(_))));
        assert!(collapsed
            .last()
            .unwrap()
            .label
            .starts_with("▸ main.worker (2)"));
        assert!(content_height(&collapsed) < content_height(&all));
    }

    #[test]
    fn visible_lanes_follow_scrolling() {
        let m = model();
        let all = lanes(&m, &Default::default());
        let mut v = View::new(m.tl.duration, 1200.0, AXIS_H + 100.0);
        let r = visible_lanes(&all, &v);
        assert_eq!(r.start, 0);
        assert!(all[r.end - 1].y < 100.0);
        v.scroll_y = content_height(&all) - 50.0;
        let r = visible_lanes(&all, &v);
        assert_eq!(r.end, all.len());
        assert!(r.start > 0);
    }

    #[test]
    fn hit_finds_spans_groups_and_nothing_in_gaps() {
        let m = model();
        let all = lanes(&m, &Default::default());
        let v = View::new(m.tl.duration, GUTTER + 1000.0, 2000.0);
        let g0 = all
            .iter()
            .find(|l| l.kind == LaneKind::Goroutine(0))
            .unwrap();
        let y = lane_screen_y(g0, &v) + g0.h / 2.0;
        let x = v.x_of(500_000.0);
        let Some(Hit::Span(0, s)) = hit(&m, &all, &v, x, y) else {
            panic!("no span")
        };
        assert_eq!(
            m.tl.span(0, s as usize).unwrap().kind.state,
            gotrace::timeline::SpanState::Waiting
        );
        let grp = all.iter().find(|l| l.kind == LaneKind::Group(0)).unwrap();
        assert_eq!(
            hit(&m, &all, &v, 10.0, lane_screen_y(grp, &v) + 2.0),
            Some(Hit::Group(0))
        );
        assert_eq!(hit(&m, &all, &v, x, 5.0), None, "the axis");
        let p0 = all.iter().find(|l| l.kind == LaneKind::Proc(0)).unwrap();
        assert!(matches!(
            hit(&m, &all, &v, v.x_of(1.0), lane_screen_y(p0, &v) + 5.0),
            Some(Hit::ProcSpan(0, _))
        ));
    }

    #[test]
    fn log_markers_are_found_near_the_pointer() {
        use gotrace::event::*;
        let mut tables = gotrace::Tables::new();
        let msg = tables.intern_str("hello");
        let mut b = gotrace::timeline::Builder::new();
        let st = StateTransition {
            transition: Transition::Goroutine {
                id: 1,
                old: GoState::Undetermined,
                new: GoState::Running,
            },
            reason: gotrace::tables::StrId::EMPTY,
            stack: gotrace::tables::StackId::NONE,
        };
        let ev = |time, payload| Event {
            time,
            m: 0,
            p: 0,
            g: 1,
            stack: gotrace::tables::StackId::NONE,
            wire_type: 0,
            payload,
        };
        b.push(&ev(0, Payload::StateTransition(st)));
        b.push(&ev(
            500,
            Payload::Log {
                task: 0,
                category: gotrace::tables::StrId::EMPTY,
                message: msg,
            },
        ));
        b.push(&ev(
            1000,
            Payload::Log {
                task: 0,
                category: gotrace::tables::StrId::EMPTY,
                message: msg,
            },
        ));
        let m = Model::new(b.finish(&tables));
        assert_eq!(m.logs[0], vec![0, 1]);
        assert_eq!(m.log_near(0, 520.0, 50.0), Some(0));
        assert_eq!(m.log_near(0, 980.0, 50.0), Some(1));
        assert_eq!(m.log_near(0, 750.0, 50.0), None);
        let all = lanes(&m, &Default::default());
        let v = View::new(m.tl.duration, GUTTER + 1000.0, 800.0);
        let lane = all
            .iter()
            .find(|l| l.kind == LaneKind::Goroutine(0))
            .unwrap();
        let top = lane_screen_y(lane, &v);
        assert_eq!(
            hit(&m, &all, &v, v.x_of(500.0), top + 2.0),
            Some(Hit::Log(0))
        );
        assert!(matches!(
            hit(&m, &all, &v, v.x_of(500.0), top + lane.h - 2.0),
            Some(Hit::Span(0, _))
        ));
        let text = crate::lanes::describe(&m, Hit::Log(0));
        assert_eq!(text[1], "hello");
    }

    #[test]
    fn ticks_are_round_and_inside() {
        let mut v = View::new(1_000_000, GUTTER + 1000.0, 500.0);
        v.fit(0.0, 1e6);
        let t = ticks(&v, 80.0);
        assert!(t.len() >= 8 && t.len() <= 13, "{}", t.len());
        assert!(t.iter().all(|k| k.x >= GUTTER && k.x <= v.width));
        assert_eq!(t[0].label, "0");
        assert!(t.iter().any(|k| k.label == "100 µs"), "{t:?}");
    }

    /// A timeline from metric samples and goroutine transitions.
    fn built(heap: &[(i64, u64)], go: &[(i64, i64, GoStateT, GoStateT)], end: i64) -> Timeline {
        use gotrace::event::*;
        let tables = gotrace::Tables::new();
        let mut b = gotrace::timeline::Builder::new();
        let ev = |time, g, payload| Event {
            time,
            m: 1,
            p: 0,
            g,
            stack: gotrace::tables::StackId::NONE,
            wire_type: 0,
            payload,
        };
        let mut all: Vec<(i64, Event)> = Vec::new();
        for &(t, v) in heap {
            let payload = Payload::Metric {
                metric: Metric::HeapAlloc,
                value: v,
            };
            all.push((t, ev(t, -1, payload)));
        }
        for &(t, id, old, new) in go {
            let st = StateTransition {
                transition: Transition::Goroutine { id, old, new },
                reason: gotrace::tables::StrId::EMPTY,
                stack: gotrace::tables::StackId::NONE,
            };
            all.push((t, ev(t, id, Payload::StateTransition(st))));
        }
        all.sort_by_key(|e| e.0);
        b.push(&ev(0, -1, Payload::Sync { n: 1, clock: None }));
        all.iter().for_each(|(_, e)| b.push(e));
        b.push(&ev(end, -1, Payload::Sync { n: 2, clock: None }));
        b.finish(&tables)
    }
    type GoStateT = gotrace::event::GoState;

    #[test]
    fn counter_columns_hold_the_maximum() {
        let tl = built(&[(0, 10), (500, 30), (501, 20)], &[], 1000);
        let mut v = View::new(1000, GUTTER + 100.0, 500.0);
        v.t0 = 0.0;
        v.t1 = 1000.0;
        let cols = counter_columns(&tl, CounterKind::HeapAlloc, &v);
        assert_eq!(cols.len(), 100);
        assert_eq!(cols[0], 10);
        assert_eq!(cols[49], 10);
        assert_eq!(cols[50], 30, "the short spike is kept");
        assert_eq!(cols[51], 20);
        assert_eq!(cols[99], 20);
    }

    /// Several counters at once (one pass over each series) give what each
    /// gives from its own samples, in the order asked, zoomed in and out.
    #[test]
    fn counters_of_one_series_share_a_pass() {
        use gotrace::event::GoState::*;
        let mut go = vec![(0, 1, Undetermined, Running), (0, 2, Undetermined, Waiting)];
        let mut heap = Vec::new();
        for i in 1..3000i64 {
            let (a, b) = if i % 2 == 1 { (1, 2) } else { (2, 1) };
            go.push((i * 37, a, Running, Waiting));
            go.push((i * 37 + 5, b, Waiting, Running));
            heap.push((i * 41, (i % 13) as u64 * 100));
        }
        let tl = built(&heap, &go, 3000 * 41);
        // From the samples one by one (what one counter alone drew before).
        let by_hand = |kind: CounterKind, v: &View| -> Vec<u64> {
            let npp = v.ns_per_px();
            let n = v.plot_width().ceil() as usize;
            let samples: Vec<(i64, u64)> = tl.counter_from(kind, 0).collect();
            (0..n)
                .map(|c| {
                    let (a, b) = (v.t0 + c as f64 * npp, v.t0 + (c as f64 + 1.0) * npp);
                    let before = samples
                        .iter()
                        .rev()
                        .find(|s| s.0 as f64 <= a)
                        .map_or(0, |s| s.1);
                    let inside = samples
                        .iter()
                        .filter(|s| (s.0 as f64) > a && (s.0 as f64) < b);
                    inside.map(|s| s.1).fold(before, u64::max)
                })
                .collect()
        };
        let kinds = [
            CounterKind::GoRunning,
            CounterKind::HeapAlloc,
            CounterKind::GoWaiting,
        ];
        let mut v = View::new(tl.duration, GUTTER + 200.0, 500.0);
        v.t0 = 1000.0;
        v.t1 = 1800.0;
        let cols = crate::lanes::counter::counters_columns(&tl, &kinds, &v);
        assert_eq!(cols.len(), 3);
        for (k, kind) in kinds.iter().enumerate() {
            assert_eq!(cols[k], by_hand(*kind, &v), "{kind:?} zoomed in");
            assert_eq!(cols[k], counter_columns(&tl, *kind, &v));
        }
        assert!(cols[0].iter().any(|&c| c > 0) && cols[1].iter().any(|&c| c > 0));
        let whole = View::new(tl.duration, GUTTER + 200.0, 500.0);
        let cols = crate::lanes::counter::counters_columns(&tl, &kinds, &whole);
        for (k, kind) in kinds.iter().enumerate() {
            assert_eq!(
                cols[k],
                counter_columns(&tl, *kind, &whole),
                "{kind:?} zoomed out"
            );
        }
    }

    /// Zoomed out, lanes are drawn from summaries; what they show agrees with
    /// the spans, and a short spike in a counter is kept.
    #[test]
    fn zoomed_out_lanes_draw_from_summaries() {
        use gotrace::event::GoState::*;
        let n = 20_000i64;
        // G1 runs 10 ns out of every 100 (waits otherwise) in the first half,
        // then runs 90 ns out of 100.
        let mut go = vec![(0, 1, Undetermined, Running)];
        let mut heap = Vec::new();
        for i in 0..n {
            let t = i * 100;
            let run = if i < n / 2 { 10 } else { 90 };
            if i > 0 {
                go.push((t, 1, Waiting, Running));
            }
            go.push((t + run, 1, Running, Waiting));
            heap.push((t, (i % 7) as u64));
        }
        heap.push((n * 50 + 33, 1_000));
        let tl = built(&heap, &go, n * 100);
        assert!(!tl.goroutines[0].levels.levels.is_empty());
        assert!(!tl.counter_levels(CounterKind::HeapAlloc).levels.is_empty());
        let v = View::new(tl.duration, GUTTER + 1000.0, 500.0);
        assert!(v.ns_per_px() > 1000.0);
        let runs = goroutine_runs(&tl, 0, &v);
        assert!(runs.iter().all(|r| r.first == SUMMARY));
        let key_at = |t: f64| {
            let x = v.x_of(t);
            runs.iter().find(|r| r.x0 <= x && x < r.x1).map(|r| r.key)
        };
        let waiting = span_key(gotrace::timeline::SpanState::Waiting, "");
        assert_eq!(key_at(n as f64 * 25.0), Some(waiting));
        assert_eq!(key_at(n as f64 * 75.0), Some(1), "running dominates");
        // Few runs: one per half (plus the edges), not one per span.
        assert!(runs.len() <= 6, "{runs:?}");
        let cols = counter_columns(&tl, CounterKind::HeapAlloc, &v);
        assert_eq!(
            cols.iter().copied().max(),
            Some(1_000),
            "the spike survives"
        );
        let col = (v.x_of(5e5) - GUTTER) as usize;
        assert_eq!(cols[col], 6);
        assert_eq!(cols[0], 0, "before the trace");
        // Zoomed in, spans are drawn one by one again.
        let mut z = v.clone();
        z.fit(0.0, 1000.0);
        let runs = goroutine_runs(&tl, 0, &z);
        assert!(runs.iter().all(|r| r.first != SUMMARY && r.count == 1));
        // 10 running and 10 waiting spans, and the edges of the padded view.
        assert!((20..=22).contains(&runs.len()), "{}", runs.len());
    }
}
