//! Keyboard, mouse and wheel on the timeline: pan, zoom, scroll, select,
//! hover tooltips.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::actions::{
    blur_header, clear_selection, fit_selection, focus_header, fold_focused, reveal, select,
    toggle_group, toggle_section,
};
use super::core::{ui, with, Drag, DragMode};
use super::events::{emit, AppEvent};
use super::render::request_redraw;
use crate::lanes::{self, Hit};
use crate::view::GUTTER;

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
        lanes::hit(&m, &c.lanes, &c.view, x, y)
    })
}

/// Keyboard: W/S zoom at the cursor, A/D pan, 0 fit all, F fit the selection,
/// ? help, Escape closes help / clears the selection; on the timeline, ↑/↓
/// move the focus between the foldable headers and Enter/Space folds one.
pub fn on_key(e: &web_sys::KeyboardEvent) {
    if e.ctrl_key() || e.meta_key() || e.alt_key() {
        return;
    }
    let target = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
    let tag = target.as_ref().map(|t| t.tag_name()).unwrap_or_default();
    if tag == "INPUT" || tag == "TEXTAREA" || tag == "SELECT" {
        return;
    }
    let key = e.key();
    let ui = ui();
    // Arrows, Enter and Space belong to whatever else has the focus (a
    // button, a scrolled page): the headers take them only from the canvas
    // or the page itself.
    if (tag == "CANVAS" || tag == "BODY" || tag.is_empty()) && !ui.help.get_untracked() {
        let done = match key.as_str() {
            "ArrowDown" => focus_header(true),
            "ArrowUp" => focus_header(false),
            "Enter" | " " => fold_focused(),
            _ => false,
        };
        if done {
            e.prevent_default();
            ui.tooltip.set(None);
            return;
        }
    }
    if key == "/" {
        if let Some(el) = document()
            .get_element_by_id("search")
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        {
            e.prevent_default();
            let _ = el.focus();
        }
        return;
    }
    if key == "?" {
        ui.help.update(|h| *h = !*h);
        e.prevent_default();
        return;
    }
    if key == "Escape" {
        if ui.help.get_untracked() {
            ui.help.set(false);
        } else {
            blur_header();
            clear_selection();
            emit(AppEvent::Dismiss);
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
    let on_bar = with(|c| {
        c.model.is_some() && lanes::scrollbar(&c.lanes, &c.view).is_some_and(|b| x >= b.x)
    });
    let mode = if on_bar {
        DragMode::Scrollbar
    } else if e.shift_key() && x >= GUTTER {
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
                    let content = lanes::content_height(&c.lanes);
                    c.view.scroll_by(-(y - d.last_y), content);
                }
                DragMode::Scrollbar => {
                    let content = lanes::content_height(&c.lanes);
                    if let Some(b) = lanes::scrollbar(&c.lanes, &c.view) {
                        c.view.scroll_by((y - d.last_y) * b.scale, content);
                    }
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
        let h = lanes::hit(&m, &c.lanes, &c.view, x, y)?;
        Some(lanes::describe_at(&m, h, c.view.ns_per_px()))
    });
    ui.tooltip.set(tip.map(|lines| (x, y, lines)));
    request_redraw();
}

pub fn on_mouse_up(e: &web_sys::MouseEvent) {
    let Some(d) = with(|c| c.drag.take()) else {
        return;
    };
    if d.moved || d.mode == DragMode::Scrollbar {
        request_redraw();
        return;
    }
    let Some((x, y, _)) = canvas_xy(e.client_x() as f64, e.client_y() as f64) else {
        return;
    };
    click(x, y);
}

fn click(x: f64, y: f64) {
    let hit = hit_at(x, y);
    match hit {
        Some(Hit::Span(g, i)) => select(g, i),
        Some(Hit::Group(gi)) => toggle_group(gi),
        Some(Hit::Section(bit)) => toggle_section(bit),
        // Select the goroutine's own span at that time.
        Some(Hit::ProcSpan(..) | Hit::ThreadSpan(..) | Hit::Log(_) | Hit::Region(_)) => {
            let target = with(|c| {
                let m = c.model.clone()?;
                let at = c.view.t_of(x) as i64;
                let (g, t) = match hit? {
                    h @ (Hit::ProcSpan(..) | Hit::ThreadSpan(..)) => {
                        let sp = lanes::exec::span_of(&m, h)?;
                        (
                            m.tl.goroutine_index(sp.goroutine)?,
                            at.clamp(sp.start, sp.end),
                        )
                    }
                    Hit::Log(l) => {
                        let log = m.tl.logs[l as usize];
                        (log.goroutine as usize, log.time)
                    }
                    Hit::Region(r) => {
                        let reg = m.tl.regions[r as usize];
                        (reg.goroutine as usize, at.clamp(reg.start, reg.end))
                    }
                    _ => return None,
                };
                Some((g as u32, m.tl.span_at(g, t)? as u32))
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
            let content = lanes::content_height(&c.lanes);
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
