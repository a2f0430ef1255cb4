//! `window.__gotrace`: a read-only snapshot of the page for end-to-end tests
//! (state, drawn runs per lane, visible range, selection, critical path).
//! Rebuilt when the app says something changed ([`on_event`], subscribed
//! at start-up); the app never calls it.

use js_sys::{Array, Object};
use wasm_bindgen::JsValue;

use super::core;
use super::critical::{self, PathState};
use super::events::AppEvent;
use super::js::{set, wasm_memory_bytes};
use super::timing;
use crate::lanes::LaneKind;

/// Follows the app: a new state, a new frame or an analysis answer (with
/// its worker's memory) rebuilds the snapshot.
pub fn on_event(e: AppEvent) {
    if matches!(
        e,
        AppEvent::State(_) | AppEvent::Drawn | AppEvent::Overview | AppEvent::Analysis
    ) {
        update();
    }
}

fn kind_name(k: LaneKind) -> (&'static str, f64) {
    match k {
        LaneKind::Section => ("section", -1.0),
        LaneKind::Goroutines => ("goroutines", -1.0),
        LaneKind::Waiting => ("waiting", -1.0),
        LaneKind::Heap => ("heap", -1.0),
        LaneKind::Threads => ("threads", -1.0),
        LaneKind::Gc => ("gc", -1.0),
        LaneKind::Proc(p) => ("proc", p as f64),
        LaneKind::Thread(t) => ("thread", t as f64),
        LaneKind::Samples => ("samples", -1.0),
        LaneKind::Group(g) => ("group", g as f64),
        LaneKind::Goroutine(g) => ("goroutine", g as f64),
        LaneKind::Regions(g, _) => ("regions", g as f64),
    }
}

/// Rebuilds `window.__gotrace` from the core.
pub fn update() {
    let o = Object::new();
    let path = critical::state();
    core::with(|c| {
        set(&o, "state", c.state.as_str());
        set(
            &o,
            "error",
            c.error.clone().map(JsValue::from).unwrap_or(JsValue::NULL),
        );
        let lanes = Array::new();
        let mut total = 0usize;
        for l in &c.stats {
            let lo = Object::new();
            let (kind, index) = kind_name(l.kind);
            set(&lo, "label", l.label.as_str());
            set(&lo, "kind", kind);
            set(&lo, "index", index);
            set(&lo, "y", l.y);
            set(&lo, "h", l.h);
            set(&lo, "runs", l.runs as f64);
            set(
                &lo,
                "x",
                l.widest_x.map(JsValue::from).unwrap_or(JsValue::NULL),
            );
            // The search: true for a marked match, false for a miss, null
            // when there is no search or it does not concern the lane.
            set(
                &lo,
                "match",
                l.matched.map(JsValue::from).unwrap_or(JsValue::NULL),
            );
            set(&lo, "dimmed", l.dimmed);
            lanes.push(&lo);
            total += l.runs;
        }
        set(&o, "lanes", lanes);
        set(&o, "drawnSpans", total as f64);
        let vis = Object::new();
        set(&vis, "t0", c.view.t0);
        set(&vis, "t1", c.view.t1);
        set(&o, "visible", vis);
        set(&o, "scrollY", c.view.scroll_y);
        set(&o, "hasSelection", c.view.selection.is_some());
        match c.view.selection {
            Some((a, b)) => {
                let r = Object::new();
                set(&r, "t0", a.min(b));
                set(&r, "t1", a.max(b));
                set(&o, "selectionRange", r);
            }
            None => set(&o, "selectionRange", JsValue::NULL),
        }
        let top = crate::lanes::visible_lanes(&c.lanes, &c.view).start;
        set(
            &o,
            "topLane",
            c.model
                .as_ref()
                .and_then(|m| crate::lanes::lane_key(m, &c.lanes, top))
                .map(JsValue::from)
                .unwrap_or(JsValue::NULL),
        );
        match (&c.model, c.view.selected) {
            (Some(m), Some(s)) => {
                let so = Object::new();
                set(&so, "goroutine", m.tl.goroutines[s.g as usize].id as f64);
                set(&so, "span", s.span as f64);
                if let Some(sp) = m.tl.span(s.g as usize, s.span as usize) {
                    set(&so, "start", sp.start as f64);
                    set(&so, "end", sp.end as f64);
                }
                set(&o, "selected", so);
            }
            _ => set(&o, "selected", JsValue::NULL),
        }
        set(&o, "critical", critical(c, &path));
        // The axis and the cursor badge as drawn (their text is on the canvas).
        let ax = crate::layout::axis(&c.view, 90.0);
        let axo = Object::new();
        set(
            &axo,
            "reference",
            ax.reference.map(JsValue::from).unwrap_or(JsValue::NULL),
        );
        let ticks = Array::new();
        for t in &ax.ticks {
            ticks.push(&JsValue::from(t.label.as_str()));
        }
        set(&axo, "ticks", ticks);
        set(&o, "axis", axo);
        set(
            &o,
            "cursor",
            c.view
                .hover
                .filter(|(x, _)| *x >= crate::view::GUTTER)
                .map(|(x, _)| {
                    JsValue::from(crate::format::time_at(c.view.t_of(x), c.view.ns_per_px()))
                })
                .unwrap_or(JsValue::NULL),
        );
        let fo = Object::new();
        set(
            &fo,
            "text",
            c.filter.as_ref().map_or("", |f| f.text.as_str()),
        );
        set(
            &fo,
            "matches",
            c.filter
                .as_ref()
                .map_or(JsValue::NULL, |f| (f.matches as f64).into()),
        );
        set(&fo, "hide", c.hide_others);
        // The colours the matches are marked with (to find them in pixels).
        set(&fo, "markColor", c.theme.find_mark.css().as_str());
        set(&fo, "edgeColor", c.theme.find_edge.css().as_str());
        set(
            &fo,
            "marked",
            c.stats.iter().filter(|l| l.matched == Some(true)).count() as f64,
        );
        set(&o, "filter", fo);
        // The header with the keyboard focus: its lane key and label.
        let focus = c.model.as_ref().and_then(|m| {
            let i = crate::lanes::focus::index_of(&c.lanes, c.header_focus?)?;
            let f = Object::new();
            set(&f, "key", crate::lanes::lane_key(m, &c.lanes, i)?.as_str());
            set(&f, "label", c.lanes[i].label.as_str());
            set(&f, "color", c.theme.focus.css().as_str());
            Some(f)
        });
        set(
            &o,
            "headerFocus",
            focus.map(JsValue::from).unwrap_or(JsValue::NULL),
        );
        set(&o, "contentHeight", crate::lanes::content_height(&c.lanes));
        if let Some(m) = &c.model {
            set(&o, "duration", m.tl.duration as f64);
            // The absolute time (the trace's clock) of the timeline's 0.
            set(&o, "origin", m.tl.origin as f64);
            set(&o, "events", m.tl.events as f64);
            set(&o, "goroutines", m.tl.goroutines.len() as f64);
            set(&o, "procs", m.tl.procs.len() as f64);
            set(&o, "threads", m.tl.threads.len() as f64);
            set(&o, "samples", m.tl.samples.len() as f64);
            set(&o, "groups", m.groups.len() as f64);
            set(&o, "modelBytes", m.tl.heap_bytes() as f64);
        }
    });
    set(&o, "wasmMemory", wasm_memory_bytes());
    set(&o, "workerWasmMemory", super::memory::worker_high_water());
    set(
        &o,
        "analysisWorkerWasmMemory",
        super::memory::analysis_high_water(),
    );
    // The part of a big trace shown (`#part`), or null.
    let part = leptos::prelude::GetUntracked::get_untracked(&super::core::ui().part);
    let p = match part {
        Some(p) => {
            let po = Object::new();
            set(&po, "index", p.index as f64);
            set(&po, "from", p.from as f64);
            set(&po, "end", p.end as f64);
            set(&po, "size", p.size as f64);
            JsValue::from(po)
        }
        None => JsValue::NULL,
    };
    set(&o, "part", p);
    set(&o, "overview", overview());
    let (draws, scenes) = (Array::new(), Array::new());
    for (ms, scene_ms) in timing::draw_times() {
        draws.push(&JsValue::from(ms));
        scenes.push(&JsValue::from(scene_ms));
    }
    set(&o, "drawMs", draws);
    set(&o, "sceneMs", scenes);
    set(&o, "timelineDigest", digest_fn());
    set(&js_sys::global(), "__gotrace", o);
}

/// `timelineDigest()`: the fingerprint of the model shown (16 hex digits,
/// as `gotrace timeline` prints it), or null. Computed when called (it
/// reads the whole model); one function for every snapshot.
fn digest_fn() -> JsValue {
    thread_local! {
        static F: JsValue = wasm_bindgen::closure::Closure::<dyn Fn() -> JsValue>::new(|| {
            core::with(|c| {
                c.model
                    .as_ref()
                    .map_or(JsValue::NULL, |m| format!("{:016x}", m.tl.digest()).into())
            })
        })
        .into_js_value();
    }
    F.with(JsValue::clone)
}

/// The critical path: `null`, or its state, size, goroutines (by share)
/// and what of it is drawn now (stretches outlined, hop connectors).
fn critical(c: &core::Core, state: &PathState) -> JsValue {
    use crate::critical::{marks, Mark};
    let o = Object::new();
    match state {
        PathState::None => return JsValue::NULL,
        PathState::Pending => set(&o, "state", "pending"),
        PathState::Failed(e) => {
            set(&o, "state", "error");
            set(&o, "error", e.as_str());
        }
        PathState::Ready(d) => {
            set(&o, "state", "ready");
            set(&o, "goroutine", d.goroutine as f64);
            set(&o, "segments", d.segments.len() as f64);
            set(&o, "hops", d.hops as f64);
            let gs = Array::new();
            for s in &d.goroutines {
                gs.push(&JsValue::from(s.goroutine as f64));
            }
            set(&o, "goroutines", gs);
            set(&o, "color", crate::critical::color(&c.theme).css());
            if let Some(h) = &c.critical {
                let mk = marks(h, &c.lanes, &c.view);
                let stretches = mk
                    .iter()
                    .filter(|m| matches!(m, Mark::Stretch { .. }))
                    .count();
                set(&o, "stretches", h.stretches.len() as f64);
                set(&o, "drawnStretches", stretches as f64);
                set(&o, "drawnHops", (mk.len() - stretches) as f64);
            }
        }
    }
    o.into()
}

/// The overview of a trace shown in parts (`#overview`), or null: its state
/// (`reading`, `ready`, `failed`), and when ready its parts (bytes, times
/// in ns since the whole trace's start, events, generations) and damage.
fn overview() -> JsValue {
    use super::state::Overview;
    let o = Object::new();
    match leptos::prelude::GetUntracked::get_untracked(&super::core::ui().overview) {
        Overview::None => return JsValue::NULL,
        Overview::Reading => set(&o, "state", "reading"),
        Overview::Failed(why) => {
            set(&o, "state", "failed");
            set(&o, "error", why.as_str());
        }
        Overview::Ready {
            parts,
            damage,
            worker_memory,
            origin,
        } => {
            set(&o, "state", "ready");
            set(&o, "workerWasmMemory", worker_memory);
            match origin {
                Some(t) => set(&o, "origin", t as f64),
                None => set(&o, "origin", JsValue::NULL),
            }
            let list = Array::new();
            for p in parts {
                let po = Object::new();
                set(&po, "from", p.from as f64);
                set(&po, "end", p.end as f64);
                set(&po, "start", p.start as f64);
                set(&po, "stop", p.stop as f64);
                set(&po, "events", p.events as f64);
                set(&po, "generations", p.generations.len() as f64);
                let gc: u32 = p.generations.iter().map(|g| g.gc_cycles).sum();
                let stw: i64 = p.generations.iter().map(|g| g.stw).sum();
                set(&po, "gcCycles", gc as f64);
                set(&po, "stwNs", stw as f64);
                list.push(&po);
            }
            set(&o, "parts", list);
            match damage {
                Some(d) => set(&o, "damage", d.as_str()),
                None => set(&o, "damage", JsValue::NULL),
            }
        }
    }
    o.into()
}
