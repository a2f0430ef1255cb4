//! What changes the loaded trace and the selection: installing a model
//! (or a preview of one), clearing it, selecting and revealing spans,
//! folding groups. Each schedules a repaint.

use std::rc::Rc;

use leptos::prelude::*;

use super::core::{ui, with, Core};
use super::events::{emit, AppEvent};
use super::render::request_redraw;
use super::state::AppState;
use super::url;
use crate::details::span_details;
use crate::filter;
use crate::format;
use crate::lanes::{self, LaneKind};
use crate::model::Model;
use crate::view::{HashState, Selected, View, AXIS_H};

thread_local! {
    /// The range a preview was fitted to, while one is shown: the full model
    /// keeps the user's view if they moved away from it.
    static PREVIEW_FIT: std::cell::Cell<Option<(f64, f64)>> = const { std::cell::Cell::new(None) };
}

/// Puts model `m` in the core with a fresh view of all of it.
fn install(c: &mut Core, m: &Rc<Model>) {
    let (w, h) = (c.view.width.max(400.0), c.view.height.max(300.0));
    c.view = View::new(m.tl.duration, w, h);
    c.view.collapsed = m.default_collapsed();
    c.model = Some(m.clone());
    c.filter = c.filter.take().and_then(|f| search(c, m, &f.text));
    c.header_focus = None;
    relayout(c, m);
}

/// Lists the lanes again (groups or sections folded, the filter changed).
fn relayout(c: &mut Core, m: &Model) {
    c.lanes = lanes::lanes_with(m, &c.view.collapsed, c.folded, c.filter.as_ref());
}

/// Shows a preview: the timeline of the first part of a trace still being
/// read (the page stays in the loading state; the full model replaces it).
pub fn set_preview(m: Model) {
    let m = Rc::new(m);
    let fit = with(|c| {
        install(c, &m);
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

/// The reader stopped before the end (it failed, or ran out of memory):
/// the preview shown, if any, becomes the trace on screen, as for a
/// damaged trace. Returns whether there was one.
pub fn keep_preview(title: String) -> bool {
    if PREVIEW_FIT.with(|p| p.take()).is_none() {
        return false;
    }
    let Some(m) = with(|c| c.model.clone()) else {
        return false;
    };
    emit(AppEvent::ModelChanged);
    let ui = ui();
    ui.title.set(title);
    ui.summary.set(summary(&m));
    super::core::set_state(AppState::Ready, None);
    request_redraw();
    true
}

/// The one-line summary of a trace shown in the toolbar.
fn summary(m: &Model) -> String {
    format!(
        "{} · {} goroutines · {} Ps · {} events",
        format::duration(m.tl.duration as f64),
        format::count(m.groups.iter().map(|g| g.goroutines.len() as u64).sum()),
        m.tl.procs.len(),
        format::count(m.tl.events),
    )
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
    let summary = summary(&m);
    let hs = url::hash_for_new_trace();
    let m = Rc::new(m);
    let to_select = with(|c| {
        install(c, &m);
        c.last_hash.clear();
        if hs.range.is_none() {
            if let Some((a, b, scroll, collapsed)) = kept {
                c.view.t0 = a;
                c.view.t1 = b;
                c.view.scroll_y = scroll;
                c.view.collapsed = collapsed;
                relayout(c, &m);
                c.view.clamp();
            }
        }
        view_from_hash(c, &m, &hs)
    });
    url::set_pending_page(hs.page.clone());
    emit(AppEvent::ModelChanged);
    let ui = ui();
    ui.title.set(title);
    ui.summary.set(summary);
    ui.details.set(None);
    super::core::set_state(AppState::Ready, None);
    select_from_hash(&hs, to_select);
    request_redraw();
}

/// Applies what hash `hs` says about the range and the range selection to
/// the core; returns the slice it selects (goroutine index, span index).
fn view_from_hash(c: &mut Core, m: &Model, hs: &HashState) -> Option<(u32, u32)> {
    if let Some((a, b)) = hs.range {
        c.view.t0 = a;
        c.view.t1 = b;
        c.view.clamp();
    }
    c.view.selection = hs.selection;
    let id = hs.goroutine?;
    let g = m.tl.goroutine_index(id)?;
    let span = match hs.slice {
        Some(start) => {
            m.tl.span_at(g, start)
                .filter(|&s| m.tl.span(g, s).is_some_and(|sp| sp.start == start))?
        }
        None => return m.span_near(id, (c.view.t0 + c.view.t1) / 2.0),
    };
    Some((g as u32, span as u32))
}

/// Selects the slice a hash names (a bare `g=` brings it into view; with
/// `s=` the hash's range is kept), then scrolls to the hash's top lane.
fn select_from_hash(hs: &HashState, to_select: Option<(u32, u32)>) {
    match to_select {
        // With `s=` or a range in the hash, the range stays as the hash says.
        Some((g, span)) if hs.slice.is_some() || hs.range.is_some() => {
            with(|c| {
                let Some(m) = c.model.clone() else { return };
                if let Some(grp) = m.group_of(g) {
                    if c.view.collapsed.remove(&grp) {
                        relayout(c, &m);
                    }
                }
            });
            select(g, span);
        }
        Some((g, span)) => reveal(g, span, false),
        None => {
            with(|c| c.view.selected = None);
            ui().details.set(None);
        }
    }
    if let Some(key) = &hs.lane {
        with(|c| {
            let Some(m) = c.model.clone() else { return };
            let i = (0..c.lanes.len())
                .find(|&i| lanes::lane_key(&m, &c.lanes, i).as_deref() == Some(key));
            if let Some(i) = i {
                let content = lanes::content_height(&c.lanes);
                c.view.scroll_y = 0.0;
                c.view.scroll_by(c.lanes[i].y, content);
            }
        });
    }
}

/// Follows an edited hash (typed, a link, Back/Forward) on a loaded trace.
/// The analysis page is the caller's (the UI's) to open.
pub fn follow_hash(hs: &HashState) {
    let to_select = with(|c| {
        let m = c.model.clone()?;
        Some(view_from_hash(c, &m, hs))
    });
    let Some(to_select) = to_select else { return };
    select_from_hash(hs, to_select);
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
    emit(AppEvent::ModelChanged);
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
                relayout(c, &m);
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
                let content = lanes::content_height(&c.lanes);
                c.view.scroll_y = 0.0;
                c.view.scroll_by(lane.y - visible_h / 3.0, content);
            }
        }
    });
    select(g, span);
}

pub fn toggle_group(gi: u32) {
    with(|c| {
        let Some(m) = c.model.clone() else { return };
        if !c.view.collapsed.remove(&gi) {
            c.view.collapsed.insert(gi);
        }
        relayout(c, &m);
    });
    request_redraw();
}

/// Folds or unfolds a section (`lanes::SECTION_*`).
pub fn toggle_section(bit: u8) {
    with(|c| {
        let Some(m) = c.model.clone() else { return };
        c.folded ^= bit;
        relayout(c, &m);
        let content = lanes::content_height(&c.lanes);
        c.view.scroll_by(0.0, content);
    });
    request_redraw();
}

/// The search for `text` on model `m`, hiding or dimming the goroutines it
/// misses as the user chose.
fn search(c: &Core, m: &Model, text: &str) -> Option<filter::Filter> {
    filter::filter(m, text).map(|f| filter::Filter {
        hide: c.hide_others,
        ..f
    })
}

/// Filters the goroutine lanes to those matching `text` (empty: all).
pub fn set_filter(text: &str) {
    with(|c| {
        let Some(m) = c.model.clone() else {
            c.filter = None;
            return;
        };
        c.filter = search(c, &m, text);
        relayout(c, &m);
        let content = lanes::content_height(&c.lanes);
        c.view.scroll_by(0.0, content);
    });
    emit(AppEvent::Drawn);
    request_redraw();
}

/// Hides the goroutines a search misses (`true`, the default) or keeps
/// them, dimmed, around the matches.
pub fn set_hide_others(hide: bool) {
    with(|c| {
        c.hide_others = hide;
        let Some(m) = c.model.clone() else { return };
        if let Some(f) = &mut c.filter {
            f.hide = hide;
        }
        relayout(c, &m);
        let content = lanes::content_height(&c.lanes);
        c.view.scroll_by(0.0, content);
    });
    emit(AppEvent::Drawn);
    request_redraw();
}

/// Moves the keyboard focus to the next foldable header (`down`) or the
/// previous one, scrolling it into view; false without a trace.
pub fn focus_header(down: bool) -> bool {
    let moved = with(|c| {
        c.model.as_ref()?;
        let h = lanes::focus::step(&c.lanes, &c.view, c.header_focus, down)?;
        c.header_focus = Some(h);
        let i = lanes::focus::index_of(&c.lanes, h)?;
        c.view.scroll_y = lanes::focus::scroll_to(&c.lanes, &c.view, i);
        Some(())
    });
    request_redraw();
    moved.is_some()
}

/// Folds or unfolds the header with the keyboard focus, as a click on it
/// would; false if no header has it. The focus stays on the header.
pub fn fold_focused() -> bool {
    let Some(h) = with(|c| c.header_focus) else {
        return false;
    };
    match h {
        lanes::focus::Header::Section(bit) => toggle_section(bit),
        lanes::focus::Header::Group(g) => toggle_group(g),
    }
    // Folding moves the lanes below; keep the header where the eye is.
    with(|c| {
        if let Some(i) = lanes::focus::index_of(&c.lanes, h) {
            c.view.scroll_y = lanes::focus::scroll_to(&c.lanes, &c.view, i);
        }
    });
    request_redraw();
    true
}

/// Takes the keyboard focus off the headers; whether one had it.
pub fn blur_header() -> bool {
    let had = with(|c| c.header_focus.take().is_some());
    if had {
        request_redraw();
    }
    had
}

/// Selects goroutine `id` (its span in the middle of the view, else its
/// first) and brings its lane into view; false if there is no such goroutine.
pub fn find_goroutine(id: i64) -> bool {
    let target = with(|c| {
        let m = c.model.clone()?;
        m.span_near(id, (c.view.t0 + c.view.t1) / 2.0)
    });
    match target {
        Some((g, span)) => {
            reveal(g, span, false);
            true
        }
        None => false,
    }
}

/// Fits the range selection, else the selected span, else the whole trace.
pub fn fit_selection(c: &mut Core) {
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
