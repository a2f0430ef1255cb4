//! Embedding: the postMessage protocol (README "Embedding") and embedded
//! mode (`?embed`). A host page — `embed.js`'s `<go-trace>`, or any page
//! with an iframe — hands the viewer a trace and moves its view; the viewer
//! tells the host what it shows. The checks that need no browser are in
//! `crate::embed`.
//!
//! Trust: messages are taken only from `window.parent` (or, in a tab opened
//! by "Open in full viewer", from the viewer tab that opened it, same
//! origin), decoded into typed values (`serde-wasm-bindgen`) and checked;
//! anything else is ignored. Events go only to the window and origin that
//! handed over the trace; for a trace opened by `?trace=URL` inside a frame,
//! only to a same-origin parent.

use std::cell::RefCell;

use js_sys::{ArrayBuffer, Object};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use web_sys::MessageEvent;

use super::actions;
use super::core;
use super::events::AppEvent;
use super::js::js_text;
use super::loader;
use super::pages::client;
use super::render::request_redraw;
use super::state::AppState;
use super::url;
use crate::analysis::protocol::{Request, Response};
use crate::embed::{checked_goroutine, checked_title, checked_view, Send, Throttle};
use crate::lanes::LaneKind;
use crate::view::AXIS_H;

// ---- messages from the host -------------------------------------------------

#[derive(Deserialize)]
struct Incoming {
    #[serde(default)]
    gotrace: Option<GotraceMessage>,
    #[serde(default)]
    perfetto: Option<PerfettoMessage>,
}

/// `{gotrace: {...}}`: open a trace (`buffer`, `blob` or `url`), and/or
/// move the view, and/or select a goroutine.
#[derive(Deserialize)]
struct GotraceMessage {
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    buffer: JsValue,
    /// A `Blob` or `File`: read slice by slice like a dropped file, so a
    /// trace of any size can be handed over without copying it.
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    blob: JsValue,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    view: Option<ViewMessage>,
    #[serde(default)]
    goroutine: Option<f64>,
}

#[derive(Deserialize)]
struct ViewMessage {
    start: f64,
    end: f64,
}

/// Perfetto UI's `{perfetto: {buffer, title}}`.
#[derive(Deserialize)]
struct PerfettoMessage {
    #[serde(with = "serde_wasm_bindgen::preserve")]
    buffer: JsValue,
    #[serde(default)]
    title: Option<String>,
}

// ---- events to the host -----------------------------------------------------

#[derive(Serialize)]
struct Outgoing<'a> {
    gotrace: Event<'a>,
}

#[derive(Serialize)]
struct Range {
    start: f64,
    end: f64,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Event<'a> {
    Progress {
        fraction: f64,
    },
    Ready {
        title: &'a str,
        events: f64,
        goroutines: f64,
        duration: f64,
        view: Range,
    },
    Error {
        message: &'a str,
    },
    View {
        start: f64,
        end: f64,
    },
    Select {
        goroutine: Option<f64>,
        start: Option<f64>,
        end: Option<f64>,
    },
}

// ---- state ------------------------------------------------------------------

#[derive(Default)]
struct Host {
    /// Where events go: the window that handed over the trace, and its origin.
    target: Option<(JsValue, String)>,
    /// The trace shown reached "ready" (its `ready` event is being prepared).
    ready_sent: bool,
    /// Its `ready` event was posted: `view` and `select` events may follow.
    announced: bool,
    throttle: Throttle,
    /// A `view` event is scheduled (a timer is pending).
    view_timer: bool,
    /// The selection last reported: (goroutine id, start, end).
    selection: Option<(i64, f64, f64)>,
    /// The host's requests for the trace being loaded: applied when it is ready.
    pending_view: Option<(f64, f64)>,
    pending_goroutine: Option<i64>,
    _listener: Option<Closure<dyn FnMut(MessageEvent)>>,
}

thread_local! {
    static HOST: RefCell<Host> = RefCell::new(Host::default());
}

/// Whether the page runs in embedded mode (`?embed`).
pub fn embedded() -> bool {
    url_param("embed").is_some()
}

/// Reads `?embed`, starts listening to the host. Called once at start-up,
/// after the app is mounted (so `PONG` means the viewer can take a trace).
pub fn start() {
    let listener = Closure::<dyn FnMut(MessageEvent)>::new(on_message);
    let _ = window().add_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
    HOST.with(|h| {
        let mut h = h.borrow_mut();
        h._listener = Some(listener);
        // In a frame, a trace opened by `?trace=URL` reports to a same-origin parent only.
        if let Some(parent) = parent_window() {
            h.target = Some((parent, own_origin()));
        }
    });
}

fn url_param(name: &str) -> Option<String> {
    let search = window().location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

fn own_origin() -> String {
    window().location().origin().unwrap_or_default()
}

/// `window.parent` when the page is in a frame.
fn parent_window() -> Option<JsValue> {
    let w = window();
    let parent = w.parent().ok().flatten()?;
    (!Object::is(&parent, &w)).then(|| parent.into())
}

/// `window.opener` when it is a viewer tab of the same origin.
fn opener_window() -> Option<JsValue> {
    let opener = window().opener().ok()?;
    (opener.is_object()).then_some(opener)
}

fn on_message(e: MessageEvent) {
    let Some(source) = e.source().map(JsValue::from) else {
        return;
    };
    let from_parent = parent_window().is_some_and(|p| Object::is(&p, &source));
    let from_opener =
        opener_window().is_some_and(|o| Object::is(&o, &source)) && e.origin() == own_origin();
    if !(from_parent || from_opener) {
        return;
    }
    let data = e.data();
    if data.as_string().as_deref() == Some("PING") {
        post_raw(&source, &e.origin(), &JsValue::from_str("PONG"));
        return;
    }
    if !data.is_object() {
        return;
    }
    let Ok(msg) = serde_wasm_bindgen::from_value::<Incoming>(data) else {
        return;
    };
    if let Some(p) = msg.perfetto {
        if let Ok(buf) = p.buffer.dyn_into::<ArrayBuffer>() {
            loader::load_buffer(buf, host_opens(p.title, None, None, (source, e.origin())));
        }
        return;
    }
    let Some(g) = msg.gotrace else { return };
    let view = g.view.and_then(|v| checked_view(v.start, v.end));
    let goroutine = g.goroutine.and_then(checked_goroutine);
    if let Ok(buf) = g.buffer.clone().dyn_into::<ArrayBuffer>() {
        let title = host_opens(g.title, view, goroutine, (source, e.origin()));
        loader::load_buffer(buf, title);
    } else if let Ok(blob) = g.blob.clone().dyn_into::<web_sys::Blob>() {
        let title = host_opens(g.title, view, goroutine, (source, e.origin()));
        loader::load_blob(blob, title);
    } else if let Some(u) = g.url.as_deref().and_then(checked_url) {
        HOST.with(|h| {
            let mut h = h.borrow_mut();
            h.target = Some((source, e.origin()));
            h.pending_view = view;
            h.pending_goroutine = goroutine;
        });
        loader::load_url(u);
    } else {
        if let Some((a, b)) = view {
            set_view(a, b);
        }
        if let Some(id) = goroutine {
            actions::find_goroutine(id);
        }
    }
}

/// A URL the viewer may fetch: http(s), resolved against the page.
fn checked_url(u: &str) -> Option<String> {
    let base = window().location().href().ok()?;
    let url = web_sys::Url::new_with_base(u, &base).ok()?;
    matches!(url.protocol().as_str(), "http:" | "https:").then(|| url.href())
}

/// The host opens a trace: notes whom to answer and what to show once it is
/// read; returns the checked title.
fn host_opens(
    title: Option<String>,
    view: Option<(f64, f64)>,
    goroutine: Option<i64>,
    target: (JsValue, String),
) -> String {
    let title = title
        .map(|t| checked_title(&t))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "trace".to_string());
    HOST.with(|h| {
        let mut h = h.borrow_mut();
        h.target = Some(target);
        h.pending_view = view;
        h.pending_goroutine = goroutine;
    });
    // The host says which view to show; a hash left by an earlier trace must not.
    url::write_hash("");
    title
}

/// Moves the view to `[a, b]` (ns since the trace's start).
fn set_view(a: f64, b: f64) {
    let moved = core::with(|c| {
        c.model.as_ref()?;
        c.view.t0 = a;
        c.view.t1 = b;
        c.view.clamp();
        Some(())
    });
    if moved.is_some() {
        request_redraw();
    }
}

// ---- following the app ------------------------------------------------------

/// Subscribed to the app's events at start-up.
pub fn on_event(e: AppEvent) {
    match e {
        AppEvent::State(AppState::Loading) => HOST.with(|h| {
            let mut h = h.borrow_mut();
            h.ready_sent = false;
            h.announced = false;
            h.throttle.reset();
            h.selection = None;
        }),
        AppEvent::Progress(permille) => post(Event::Progress {
            fraction: f64::from(permille) / 1000.0,
        }),
        AppEvent::State(AppState::Ready) => on_ready(),
        AppEvent::State(AppState::Error) => {
            let message = core::with(|c| c.error.clone()).unwrap_or_default();
            post(Event::Error { message: &message });
        }
        AppEvent::Drawn => {
            report_view();
            report_selection();
        }
        _ => {}
    }
}

fn on_ready() {
    let first = HOST.with(|h| {
        let mut h = h.borrow_mut();
        !std::mem::replace(&mut h.ready_sent, true)
    });
    if first {
        // After the app has finished installing the trace (it selects from
        // the URL hash right after announcing "ready"), so the host's view
        // and goroutine win.
        set_timeout(apply_pending_and_announce, std::time::Duration::ZERO);
    }
}

fn apply_pending_and_announce() {
    let (view, goroutine) = HOST.with(|h| {
        let mut h = h.borrow_mut();
        (h.pending_view.take(), h.pending_goroutine.take())
    });
    if embedded() {
        show_timeline_first();
    }
    if let Some((a, b)) = view {
        set_view(a, b);
    }
    if let Some(id) = goroutine {
        actions::find_goroutine(id);
        // Selecting reveals the slice; a view the host asked for stays.
        if let Some((a, b)) = view {
            set_view(a, b);
        }
    }
    let title = core::ui().title.get_untracked();
    let info = core::with(|c| {
        let m = c.model.as_ref()?;
        Some((
            m.tl.events as f64,
            m.tl.goroutines.len() as f64,
            m.tl.duration as f64,
            c.view.t0,
            c.view.t1,
        ))
    });
    if let Some((events, goroutines, duration, t0, t1)) = info {
        HOST.with(|h| h.borrow_mut().throttle.offer((t0, t1), f64::NEG_INFINITY));
        post(Event::Ready {
            title: &title,
            events,
            goroutines,
            duration,
            view: Range { start: t0, end: t1 },
        });
        HOST.with(|h| h.borrow_mut().announced = true);
        report_selection();
    }
}

/// In a small frame the counters would fill it: scroll so the Procs come first.
fn show_timeline_first() {
    core::with(|c| {
        let content = crate::lanes::content_height(&c.lanes);
        if let Some(y) = c
            .lanes
            .iter()
            .position(|l| matches!(l.kind, LaneKind::Gc))
            .map(|i| c.lanes[i].y)
        {
            let visible = c.view.height - AXIS_H;
            if content > visible {
                c.view.scroll_y = 0.0;
                c.view.scroll_by(y, content);
            }
        }
    });
    request_redraw();
}

fn report_view() {
    let Some(v) = core::with(|c| c.model.as_ref().map(|_| (c.view.t0, c.view.t1))) else {
        return;
    };
    let now = super::js::now_ms();
    let decision = HOST.with(|h| {
        let mut h = h.borrow_mut();
        if !h.announced || h.target.is_none() {
            return Send::Nothing;
        }
        match h.throttle.offer(v, now) {
            Send::Later(ms) if !h.view_timer => {
                h.view_timer = true;
                Send::Later(ms)
            }
            Send::Later(_) => Send::Nothing,
            d => d,
        }
    });
    match decision {
        Send::Now => post(Event::View {
            start: v.0,
            end: v.1,
        }),
        Send::Later(ms) => {
            set_timeout(
                || {
                    HOST.with(|h| h.borrow_mut().view_timer = false);
                    report_view();
                },
                std::time::Duration::from_millis(ms.ceil() as u64 + 1),
            );
        }
        Send::Nothing => {}
    }
}

fn report_selection() {
    let now = core::with(|c| {
        let m = c.model.as_ref()?;
        let s = c.view.selected?;
        let sp = m.tl.span(s.g as usize, s.span as usize)?;
        Some((
            m.tl.goroutines[s.g as usize].id,
            sp.start as f64,
            sp.end as f64,
        ))
    });
    let changed = HOST.with(|h| {
        let mut h = h.borrow_mut();
        if !h.announced {
            return false;
        }
        let changed = h.selection != now;
        h.selection = now;
        changed
    });
    if changed {
        post(Event::Select {
            goroutine: now.map(|s| s.0 as f64),
            start: now.map(|s| s.1),
            end: now.map(|s| s.2),
        });
    }
}

fn post(event: Event) {
    let Some((target, origin)) = HOST.with(|h| h.borrow().target.clone()) else {
        return;
    };
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    if let Ok(v) = (Outgoing { gotrace: event }).serialize(&ser) {
        post_raw(&target, &origin, &v);
    }
}

/// `target.postMessage(msg, origin)` on a window given as a JS value.
fn post_raw(target: &JsValue, origin: &str, msg: &JsValue) {
    // A cross-origin parent is no `Window` of this realm (`instanceof` fails), yet has postMessage.
    let w = target.unchecked_ref::<web_sys::Window>();
    if let Err(e) = w.post_message(msg, origin) {
        web_sys::console::warn_1(
            &format!("gotrace: could not post to the host: {}", js_text(&e)).into(),
        );
    }
}

// ---- buttons ------------------------------------------------------------------

/// "Open in full viewer": the same trace and view in a new tab, handed over
/// with the same protocol (the new tab is a viewer of this origin).
pub fn open_full() {
    let (view, selected) = core::with(|c| {
        let sel = c
            .model
            .as_ref()
            .and_then(|m| c.view.selected.map(|s| m.tl.goroutines[s.g as usize].id));
        ((c.view.t0, c.view.t1), sel)
    });
    let Some((file, later_part)) = loader::shown_file() else {
        return;
    };
    // The new tab opens the file from its first part: the view of a later
    // part (its times are since that part's start) would not fit it.
    let view = (!later_part).then_some(view);
    let mut href = "./".to_string();
    if let Some((a, b)) = view {
        href.push_str(&format!("#t={a:.0},{b:.0}"));
        if let Some(g) = selected {
            href.push_str(&format!("&g={g}"));
        }
    }
    let Ok(Some(tab)) = window().open_with_url_and_target(&href, "_blank") else {
        return;
    };
    let title = core::ui().title.get_untracked();
    hand_over(tab, file, title, view, selected, 0);
}

/// Pings `tab` until it answers, then posts the trace file (at most 30 s):
/// the `Blob` itself, cloned by reference, never read here.
fn hand_over(
    tab: web_sys::Window,
    file: web_sys::Blob,
    title: String,
    view: Option<(f64, f64)>,
    g: Option<i64>,
    tries: u32,
) {
    if tries > 300 || tab.closed().unwrap_or(true) {
        return;
    }
    let origin = own_origin();
    let answered = std::rc::Rc::new(std::cell::Cell::new(false));
    let flag = answered.clone();
    let tab_js: JsValue = tab.clone().into();
    let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        if e.data().as_string().as_deref() == Some("PONG")
            && e.source().is_some_and(|s| Object::is(&s, &tab_js))
        {
            flag.set(true);
        }
    });
    let _ = window().add_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
    let _ = tab.post_message(&JsValue::from_str("PING"), &origin);
    set_timeout(
        move || {
            let _ = window()
                .remove_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
            drop(listener);
            if !answered.get() {
                return hand_over(tab, file, title, view, g, tries + 1);
            }
            let msg = Object::new();
            let inner = Object::new();
            super::js::set(&inner, "blob", file.clone());
            super::js::set(&inner, "title", title.as_str());
            if let Some((start, end)) = view {
                let v = Object::new();
                super::js::set(&v, "start", start);
                super::js::set(&v, "end", end);
                super::js::set(&inner, "view", v);
            }
            if let Some(g) = g {
                super::js::set(&inner, "goroutine", g as f64);
            }
            super::js::set(&msg, "gotrace", inner);
            let _ = tab.post_message(&msg, &origin);
        },
        std::time::Duration::from_millis(100),
    );
}

/// "Save view as trace": the generations overlapping the visible range as a trace file.
pub fn save_view(on_error: impl Fn(String) + 'static) {
    let (a, b) = core::with(|c| (c.view.t0.max(0.0) as i64, c.view.t1.max(0.0) as i64));
    let name = core::ui().title.get_untracked();
    let stem = name
        .trim_end_matches(".gz")
        .trim_end_matches(".trace")
        .trim_end_matches(".out");
    let stem = if stem.is_empty() { "trace" } else { stem };
    let file = format!(
        "{stem}-{}-{}.trace",
        crate::format::duration(a as f64),
        crate::format::duration(b as f64)
    )
    .replace([' ', '/', '\\'], "");
    client::request(&Request::Cut { start: a, end: b }, move |r, _| match r {
        Response::Slices { ranges } => {
            let Some((trace, _)) = loader::shown_file() else {
                return on_error("The trace is no longer open.".into());
            };
            let parts = js_sys::Array::new();
            for [start, end] in ranges {
                match trace.slice_with_f64_and_f64(start as f64, end as f64) {
                    Ok(p) => {
                        parts.push(&p);
                    }
                    Err(e) => return on_error(format!("Download failed: {}", js_text(&e))),
                }
            }
            if let Err(e) = super::js::download_parts(&file, &parts) {
                on_error(format!("Download failed: {}", js_text(&e)));
            }
        }
        Response::Error(e) => on_error(e),
        _ => {}
    });
}
