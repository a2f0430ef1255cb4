//! Painting the timeline: coalesced repaints, the canvas' size, the scene
//! (with the core's overlays) replayed by the painter, and the URL hash
//! that mirrors the view.

use leptos::prelude::*;

use super::core::with;
use super::events::{emit, AppEvent};
use super::js;
use super::state::AppState;
use super::{painter, timing, url};
use crate::lanes;
use crate::scene::{self, Overlays};
use crate::theme::Theme;

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

/// Paints the canvas now.
pub fn draw() {
    let dark = js::prefers_dark();
    with(|c| {
        let Some(canvas) = c.canvas.clone() else {
            return;
        };
        if c.theme.dark != dark {
            c.theme = Theme::new(dark);
        }
        let rect = canvas.get_bounding_client_rect();
        let (w, h) = (rect.width().max(1.0), rect.height().max(1.0));
        c.view.width = w;
        c.view.height = h;
        // Opaque: the timeline paints its whole area, so the compositor
        // need not blend the canvas with the page under it.
        let Some(ctx) = js::context_2d(&canvas, (w, h), false, true) else {
            return;
        };
        let dpr = js::dpr();
        match c.model.clone() {
            Some(m) => {
                let content = lanes::content_height(&c.lanes);
                c.view.scroll_by(0.0, content);
                let t0 = js::now_ms();
                let overlays = Overlays {
                    critical: c.critical.as_deref(),
                    find: c.filter.as_ref(),
                    focus: c
                        .header_focus
                        .and_then(|h| lanes::focus::index_of(&c.lanes, h)),
                };
                let sc = scene::build(&m, &c.lanes, &c.view, &c.theme, Some(&overlays));
                let built = js::now_ms();
                painter::paint(&ctx, &sc.prims, dpr);
                let end = js::now_ms();
                timing::record_draw(end - t0, built - t0);
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
    emit(AppEvent::Drawn);
    update_hash();
}

/// Mirrors the view in the URL hash (when it changed).
fn update_hash() {
    // (Read before borrowing the core: `ui()` borrows it too.)
    let part = super::core::ui()
        .part
        .get_untracked()
        .map(|p| p.from)
        .filter(|&f| f > 0);
    let hash = with(|c| {
        if c.state != AppState::Ready {
            return None;
        }
        let m = c.model.as_ref()?;
        let mut hs = c.view.hash_state();
        if let Some(s) = c.view.selected {
            hs.goroutine = Some(m.tl.goroutines[s.g as usize].id);
            hs.slice = m.tl.span(s.g as usize, s.span as usize).map(|sp| sp.start);
        }
        let top = lanes::visible_lanes(&c.lanes, &c.view).start;
        if c.view.scroll_y > 0.0 {
            hs.lane = lanes::lane_key(m, &c.lanes, top);
        }
        hs.page = url::current_page().map(str::to_string);
        hs.part = part;
        let h = hs.format();
        (h != c.last_hash).then(|| {
            c.last_hash = h.clone();
            h
        })
    });
    if let Some(h) = hash {
        url::write_hash(&h);
    }
}
