//! The page's engine: the loaded model, the one [`View`] state, the canvas,
//! and the input handlers that change the view. UI signals ([`Ui`]) are set
//! only after the core's borrow is released, so reactive updates never
//! re-enter it.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::details::{span_details, SpanDetails};
use crate::layout::{self, Hit, Lane, LaneKind, Model};
use crate::scene::{self, LaneStat};
use crate::theme::Theme;
use crate::view::{HashState, Selected, View, AXIS_H, GUTTER};

/// What the page is doing (`data-state` of the app root).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppState {
    Empty,
    Loading,
    Ready,
    Error,
}

impl AppState {
    pub fn as_str(self) -> &'static str {
        match self {
            AppState::Empty => "empty",
            AppState::Loading => "loading",
            AppState::Ready => "ready",
            AppState::Error => "error",
        }
    }
}

/// The reactive bits of the UI (all `Copy` handles).
#[derive(Clone, Copy)]
pub struct Ui {
    pub state: RwSignal<AppState>,
    /// 0..1, or negative when unknown.
    pub progress: RwSignal<f64>,
    pub progress_text: RwSignal<String>,
    pub error: RwSignal<Option<String>>,
    /// Set when the trace is damaged but what came before the damage loaded.
    pub warning: RwSignal<Option<String>>,
    pub details: RwSignal<Option<SpanDetails>>,
    pub help: RwSignal<bool>,
    pub tooltip: RwSignal<Option<(f64, f64, Vec<String>)>>,
    pub title: RwSignal<String>,
    pub summary: RwSignal<String>,
    pub dragging: RwSignal<bool>,
    /// The critical path panel.
    pub critical: RwSignal<super::critical::PathUi>,
}

impl Ui {
    pub fn new() -> Ui {
        Ui {
            state: RwSignal::new(AppState::Empty),
            progress: RwSignal::new(0.0),
            progress_text: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            warning: RwSignal::new(None),
            details: RwSignal::new(None),
            help: RwSignal::new(false),
            tooltip: RwSignal::new(None),
            title: RwSignal::new(String::new()),
            summary: RwSignal::new(String::new()),
            dragging: RwSignal::new(false),
            critical: RwSignal::new(Default::default()),
        }
    }
}

impl Default for Ui {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum DragMode {
    Pan,
    Select,
}

#[derive(Clone, Copy, Debug)]
struct Drag {
    mode: DragMode,
    x0: f64,
    y0: f64,
    last_x: f64,
    last_y: f64,
    moved: bool,
}

pub struct Core {
    pub ui: Option<Ui>,
    pub model: Option<Rc<Model>>,
    pub lanes: Vec<Lane>,
    pub view: View,
    pub theme: Theme,
    pub canvas: Option<HtmlCanvasElement>,
    pub stats: Vec<LaneStat>,
    pub state: AppState,
    pub error: Option<String>,
    /// The critical path asked for from the details panel (drawn from `view.critical`).
    pub critical: super::critical::PathCore,
    raf: bool,
    drag: Option<Drag>,
    last_hash: String,
}

thread_local! {
    static CORE: RefCell<Core> = RefCell::new(Core {
        ui: None,
        model: None,
        lanes: Vec::new(),
        view: View::default(),
        theme: Theme::new(false),
        canvas: None,
        stats: Vec::new(),
        state: AppState::Empty,
        error: None,
        critical: super::critical::PathCore {
            token: 0,
            state: super::critical::PathState::None,
        },
        raf: false,
        drag: None,
        last_hash: String::new(),
    });
}

/// Runs `f` with the core borrowed. Never set signals inside `f`.
pub fn with<R>(f: impl FnOnce(&mut Core) -> R) -> R {
    CORE.with(|c| f(&mut c.borrow_mut()))
}

pub fn ui() -> Ui {
    with(|c| c.ui).expect("UI is mounted")
}

/// Sets the app state (and the `data-state` attribute through the UI).
pub fn set_state(s: AppState, error: Option<String>) {
    with(|c| {
        c.state = s;
        c.error = error.clone();
    });
    let ui = ui();
    ui.state.set(s);
    ui.error.set(error);
    super::hook::update();
}

/// Schedules a repaint on the next animation frame (coalesced).
pub fn request_redraw() {
    let schedule = with(|c| !std::mem::replace(&mut c.raf, true));
    if schedule {
        request_animation_frame(|| {
            with(|c| c.raf = false);
            draw();
        });
    }
}

fn prefers_dark() -> bool {
    window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// Paints the canvas now.
pub fn draw() {
    let dark = prefers_dark();
    with(|c| {
        let Some(canvas) = c.canvas.clone() else {
            return;
        };
        if c.theme.dark != dark {
            c.theme = Theme::new(dark);
        }
        let rect = canvas.get_bounding_client_rect();
        let (w, h) = (rect.width().max(1.0), rect.height().max(1.0));
        let dpr = window().device_pixel_ratio().max(1.0);
        let (bw, bh) = ((w * dpr).round() as u32, (h * dpr).round() as u32);
        if canvas.width() != bw {
            canvas.set_width(bw);
        }
        if canvas.height() != bh {
            canvas.set_height(bh);
        }
        c.view.width = w;
        c.view.height = h;
        // Opaque: the timeline paints its whole area, so the compositor
        // need not blend the canvas with the page under it.
        let opts = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&opts, &"alpha".into(), &false.into());
        let Ok(Some(ctx)) = canvas.get_context_with_context_options("2d", &opts) else {
            return;
        };
        let Ok(ctx) = ctx.dyn_into::<CanvasRenderingContext2d>() else {
            return;
        };
        match c.model.clone() {
            Some(m) => {
                let content = layout::content_height(&c.lanes);
                c.view.scroll_by(0.0, content);
                let t0 = super::hook::now_ms();
                let sc = scene::build(&m, &c.lanes, &c.view, &c.theme, None);
                super::painter::paint(&ctx, &sc, dpr);
                super::hook::record_draw(super::hook::now_ms() - t0);
                c.stats = sc.lanes;
            }
            None => {
                let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
                ctx.set_fill_style_str(&c.theme.bg.css());
                ctx.fill_rect(0.0, 0.0, w, h);
                c.stats.clear();
            }
        }
    });
    super::hook::update();
    update_hash();
}

fn update_hash() {
    let hash = with(|c| {
        if c.state != AppState::Ready {
            return None;
        }
        let m = c.model.as_ref()?;
        let g = c.view.selected.map(|s| m.tl.goroutines[s.g as usize].id);
        let h = c.view.to_hash(g);
        (h != c.last_hash).then(|| {
            c.last_hash = h.clone();
            h
        })
    });
    if let Some(h) = hash {
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&format!("#{h}")),
            );
        }
    }
}

thread_local! {
    /// The range a preview was fitted to, while one is shown: the full model
    /// keeps the user's view if they moved away from it.
    static PREVIEW_FIT: std::cell::Cell<Option<(f64, f64)>> = const { std::cell::Cell::new(None) };
}

/// Shows a preview: the timeline of the first part of a trace still being
/// read (the page stays in the loading state; the full model replaces it).
pub fn set_preview(m: Model) {
    let m = Rc::new(m);
    let fit = with(|c| {
        let (w, h) = (c.view.width.max(400.0), c.view.height.max(300.0));
        c.view = View::new(m.tl.duration, w, h);
        c.view.collapsed = m.default_collapsed();
        c.model = Some(m.clone());
        c.lanes = layout::lanes(&m, &c.view.collapsed);
        (c.view.t0, c.view.t1)
    });
    PREVIEW_FIT.with(|p| p.set(Some(fit)));
    request_redraw();
}

/// Forgets any preview (a new load, an error).
pub fn clear_preview() {
    PREVIEW_FIT.with(|p| p.set(None));
}

/// Lets go of a preview's model before the full one is decoded (so the two
/// never sit in memory together); the canvas keeps its pixels until then.
pub fn release_preview_model() {
    let had = PREVIEW_FIT.with(|p| p.get()).is_some();
    if had {
        with(|c| {
            c.model = None;
            c.lanes.clear();
        });
    }
}

/// Installs a freshly decoded model: a new view (honouring the URL hash).
pub fn set_model(m: Model, title: String) {
    // A preview the user zoomed or scrolled: keep where they are.
    let kept = PREVIEW_FIT.with(|p| p.take()).and_then(|fit| {
        with(|c| {
            let moved = (c.view.t0, c.view.t1) != fit || c.view.scroll_y != 0.0;
            moved.then_some((
                c.view.t0,
                c.view.t1,
                c.view.scroll_y,
                c.view.collapsed.clone(),
            ))
        })
    });
    let summary = format!(
        "{} · {} goroutines · {} Ps · {} events",
        crate::format::duration(m.tl.duration as f64),
        crate::format::count(m.groups.iter().map(|g| g.goroutines.len() as u64).sum()),
        m.tl.procs.len(),
        crate::format::count(m.tl.events),
    );
    let hash = window().location().hash().unwrap_or_default();
    let hs = HashState::parse(&hash);
    let m = Rc::new(m);
    let to_select = with(|c| {
        let (w, h) = (c.view.width.max(400.0), c.view.height.max(300.0));
        c.view = View::new(m.tl.duration, w, h);
        c.view.collapsed = m.default_collapsed();
        c.model = Some(m.clone());
        c.lanes = layout::lanes(&m, &c.view.collapsed);
        c.last_hash.clear();
        if let Some((a, b)) = hs.range {
            c.view.t0 = a;
            c.view.t1 = b;
            c.view.clamp();
        } else if let Some((a, b, scroll, collapsed)) = kept {
            c.view.t0 = a;
            c.view.t1 = b;
            c.view.scroll_y = scroll;
            c.view.collapsed = collapsed;
            c.lanes = layout::lanes(&m, &c.view.collapsed);
            c.view.clamp();
        }
        hs.goroutine.and_then(|id| {
            let g = m.tl.goroutine_index(id)?;
            let mid = ((c.view.t0 + c.view.t1) / 2.0).max(0.0) as i64;
            let span =
                m.tl.span_at(g, mid)
                    .or_else(|| (m.tl.span_count(g) > 0).then_some(0))?;
            Some((g as u32, span as u32))
        })
    });
    super::critical::clear();
    let ui = ui();
    ui.title.set(title);
    ui.summary.set(summary);
    ui.details.set(None);
    set_state(AppState::Ready, None);
    if let Some((g, span)) = to_select {
        reveal(g, span, false);
    }
    request_redraw();
}

/// Clears the model (e.g. after an error).
pub fn clear_model() {
    clear_preview();
    with(|c| {
        c.model = None;
        c.lanes.clear();
        c.view.selected = None;
        c.view.selection = None;
    });
    ui().details.set(None);
    super::critical::clear();
    request_redraw();
}

/// Selects a goroutine span and shows its details.
pub fn select(g: u32, span: u32) {
    let d = with(|c| {
        let m = c.model.clone()?;
        c.view.selected = Some(Selected { g, span });
        span_details(&m, g, span)
    });
    ui().details.set(d);
    request_redraw();
}

pub fn clear_selection() {
    with(|c| {
        c.view.selected = None;
        c.view.selection = None;
    });
    ui().details.set(None);
    request_redraw();
}

/// Selects a span and brings it into view: expands its group, scrolls to its
/// lane, and pans (or, if `fit`, zooms) the time range to it.
pub fn reveal(g: u32, span: u32, fit: bool) {
    with(|c| {
        let Some(m) = c.model.clone() else { return };
        if let Some(grp) = m.group_of(g) {
            if c.view.collapsed.remove(&grp) {
                c.lanes = layout::lanes(&m, &c.view.collapsed);
            }
        }
        let Some(sp) = m.tl.span(g as usize, span as usize) else {
            return;
        };
        let (a, b) = (sp.start as f64, sp.end as f64);
        let len = c.view.t1 - c.view.t0;
        if fit || b - a > len {
            c.view.fit(a, b);
        } else if a < c.view.t0 || b > c.view.t1 {
            let mid = (a + b) / 2.0;
            c.view.t0 = mid - len / 2.0;
            c.view.t1 = mid + len / 2.0;
            c.view.clamp();
        }
        if let Some(lane) = c.lanes.iter().find(|l| l.kind == LaneKind::Goroutine(g)) {
            let visible_h = c.view.height - AXIS_H;
            if lane.y < c.view.scroll_y || lane.y + lane.h > c.view.scroll_y + visible_h {
                let content = layout::content_height(&c.lanes);
                c.view.scroll_y = 0.0;
                c.view.scroll_by(lane.y - visible_h / 3.0, content);
            }
        }
    });
    select(g, span);
}

fn toggle_group(gi: u32) {
    with(|c| {
        let Some(m) = c.model.clone() else { return };
        if !c.view.collapsed.remove(&gi) {
            c.view.collapsed.insert(gi);
        }
        c.lanes = layout::lanes(&m, &c.view.collapsed);
    });
    request_redraw();
}

// ---- input ---------------------------------------------------------------

fn canvas_xy(x: f64, y: f64) -> Option<(f64, f64, bool)> {
    with(|c| {
        let r = c.canvas.as_ref()?.get_bounding_client_rect();
        let (cx, cy) = (x - r.left(), y - r.top());
        Some((
            cx,
            cy,
            cx >= 0.0 && cy >= 0.0 && cx < r.width() && cy < r.height(),
        ))
    })
}

fn hit_at(x: f64, y: f64) -> Option<Hit> {
    with(|c| {
        let m = c.model.clone()?;
        layout::hit(&m, &c.lanes, &c.view, x, y)
    })
}

/// Keyboard: W/S zoom at the cursor, A/D pan, 0 fit all, F fit the selection,
/// ? help, Escape closes help / clears the selection.
pub fn on_key(e: &web_sys::KeyboardEvent) {
    if e.ctrl_key() || e.meta_key() || e.alt_key() {
        return;
    }
    if let Some(t) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let tag = t.tag_name();
        if tag == "INPUT" || tag == "TEXTAREA" || tag == "SELECT" {
            return;
        }
    }
    let key = e.key();
    let ui = ui();
    if key == "?" {
        ui.help.update(|h| *h = !*h);
        e.prevent_default();
        return;
    }
    if key == "Escape" {
        if ui.help.get_untracked() {
            ui.help.set(false);
        } else {
            clear_selection();
            super::critical::clear();
        }
        return;
    }
    let handled = with(|c| {
        if c.model.is_none() {
            return false;
        }
        let v = &mut c.view;
        let anchor = match v.hover {
            Some((x, _)) if x >= GUTTER => x,
            _ => GUTTER + v.plot_width() / 2.0,
        };
        match key.as_str() {
            "w" | "W" => v.zoom_at(0.8, anchor),
            "s" | "S" => v.zoom_at(1.25, anchor),
            "a" | "A" => v.pan_px(-v.plot_width() * 0.15),
            "d" | "D" => v.pan_px(v.plot_width() * 0.15),
            "0" => v.fit_all(),
            "f" | "F" => fit_selection(c),
            _ => return false,
        }
        true
    });
    if handled {
        e.prevent_default();
        ui.tooltip.set(None);
        request_redraw();
    }
}

fn fit_selection(c: &mut Core) {
    if let Some((a, b)) = c.view.selection {
        c.view.fit(a, b);
        c.view.selection = None;
    } else if let (Some(sel), Some(m)) = (c.view.selected, c.model.clone()) {
        if let Some(sp) = m.tl.span(sel.g as usize, sel.span as usize) {
            c.view.fit(sp.start as f64, sp.end as f64);
        }
    } else {
        c.view.fit_all();
    }
}

pub fn on_mouse_down(e: &web_sys::MouseEvent) {
    if e.button() != 0 {
        return;
    }
    let Some((x, y, inside)) = canvas_xy(e.client_x() as f64, e.client_y() as f64) else {
        return;
    };
    if !inside {
        return;
    }
    e.prevent_default();
    if let Some(c) = with(|c| c.canvas.clone()) {
        let _ = c.focus();
    }
    let mode = if e.shift_key() && x >= GUTTER {
        DragMode::Select
    } else {
        DragMode::Pan
    };
    with(|c| {
        c.drag = Some(Drag {
            mode,
            x0: x,
            y0: y,
            last_x: x,
            last_y: y,
            moved: false,
        })
    });
}

pub fn on_mouse_move(e: &web_sys::MouseEvent) {
    let Some((x, y, inside)) = canvas_xy(e.client_x() as f64, e.client_y() as f64) else {
        return;
    };
    let dragging = with(|c| {
        let Some(mut d) = c.drag else { return false };
        if (x - d.x0).abs() + (y - d.y0).abs() > 3.0 {
            d.moved = true;
        }
        if d.moved {
            match d.mode {
                DragMode::Pan => {
                    c.view.pan_px(-(x - d.last_x));
                    let content = layout::content_height(&c.lanes);
                    c.view.scroll_by(-(y - d.last_y), content);
                }
                DragMode::Select => {
                    let a = c.view.t_of(d.x0);
                    let b = c.view.t_of(x.clamp(GUTTER, c.view.width));
                    c.view.selection = Some((a.min(b), a.max(b)));
                }
            }
        }
        d.last_x = x;
        d.last_y = y;
        c.drag = Some(d);
        c.view.hover = inside.then_some((x, y));
        true
    });
    let ui = ui();
    if dragging {
        ui.tooltip.set(None);
        request_redraw();
        return;
    }
    if !inside {
        let had = with(|c| c.view.hover.take().is_some());
        if had {
            ui.tooltip.set(None);
            request_redraw();
        }
        return;
    }
    with(|c| c.view.hover = Some((x, y)));
    let tip = with(|c| {
        let m = c.model.clone()?;
        let h = layout::hit(&m, &c.lanes, &c.view, x, y)?;
        Some(scene::describe(&m, h))
    });
    ui.tooltip.set(tip.map(|lines| (x, y, lines)));
    request_redraw();
}

pub fn on_mouse_up(e: &web_sys::MouseEvent) {
    let Some(d) = with(|c| c.drag.take()) else {
        return;
    };
    if d.moved {
        request_redraw();
        return;
    }
    let Some((x, y, _)) = canvas_xy(e.client_x() as f64, e.client_y() as f64) else {
        return;
    };
    click(x, y);
}

fn click(x: f64, y: f64) {
    match hit_at(x, y) {
        Some(Hit::Span(g, i)) => select(g, i),
        Some(Hit::Group(gi)) => toggle_group(gi),
        Some(hit @ (Hit::ProcSpan(..) | Hit::ThreadSpan(..))) => {
            // Select the goroutine's own span at that time.
            let target = with(|c| {
                let m = c.model.clone()?;
                let sp = match hit {
                    Hit::ProcSpan(p, i) => m.tl.procs.get(p as usize)?.get(i as usize)?,
                    Hit::ThreadSpan(p, i) => m.tl.threads.get(p as usize)?.get(i as usize)?,
                    _ => return None,
                };
                let g = m.tl.goroutine_index(sp.goroutine)?;
                let t = (c.view.t_of(x) as i64).clamp(sp.start, sp.end);
                Some((g as u32, m.tl.span_at(g, t)? as u32))
            });
            if let Some((g, s)) = target {
                select(g, s);
            }
        }
        Some(Hit::Log(l)) => {
            let target = with(|c| {
                let m = c.model.clone()?;
                let log = m.tl.logs[l as usize];
                Some((
                    log.goroutine,
                    m.tl.span_at(log.goroutine as usize, log.time)? as u32,
                ))
            });
            if let Some((g, s)) = target {
                select(g, s);
            }
        }
        Some(Hit::Region(r)) => {
            let target = with(|c| {
                let m = c.model.clone()?;
                let reg = m.tl.regions[r as usize];
                let t = (c.view.t_of(x) as i64).clamp(reg.start, reg.end);
                Some((
                    reg.goroutine,
                    m.tl.span_at(reg.goroutine as usize, t)? as u32,
                ))
            });
            if let Some((g, s)) = target {
                select(g, s);
            }
        }
        _ => clear_selection(),
    }
}

pub fn on_double_click(e: &web_sys::MouseEvent) {
    let Some((x, y, _)) = canvas_xy(e.client_x() as f64, e.client_y() as f64) else {
        return;
    };
    e.prevent_default();
    let has_range = with(|c| c.view.selection.is_some());
    if !has_range {
        if let Some(Hit::Span(g, i)) = hit_at(x, y) {
            reveal(g, i, true);
            return;
        }
    }
    with(fit_selection);
    request_redraw();
}

pub fn on_wheel(e: &web_sys::WheelEvent) {
    let Some((x, _, inside)) = canvas_xy(e.client_x() as f64, e.client_y() as f64) else {
        return;
    };
    if !inside {
        return;
    }
    e.prevent_default();
    let scale = match e.delta_mode() {
        1 => 16.0,  // lines
        2 => 400.0, // pages
        _ => 1.0,
    };
    let (dx, dy) = (e.delta_x() * scale, e.delta_y() * scale);
    with(|c| {
        if c.model.is_none() {
            return;
        }
        if e.ctrl_key() || e.meta_key() {
            c.view.zoom_at((dy * 0.002).exp(), x);
        } else if e.shift_key() {
            c.view.pan_px(dy + dx);
        } else {
            let content = layout::content_height(&c.lanes);
            c.view.scroll_by(dy, content);
            if dx != 0.0 {
                c.view.pan_px(dx);
            }
        }
    });
    ui().tooltip.set(None);
    request_redraw();
}

pub fn on_mouse_leave() {
    let dragging = with(|c| c.drag.is_some());
    if !dragging {
        with(|c| c.view.hover = None);
        ui().tooltip.set(None);
        request_redraw();
    }
}
