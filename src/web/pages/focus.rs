//! The pages' links to the timeline: show a time range, or a goroutine
//! over a time range. When the pages analyse the whole file of a trace
//! shown a part at a time, a link may name a time in another part: that
//! part is opened first (found in the overview), and the link is followed
//! once it is shown.

use std::cell::Cell;

use leptos::prelude::*;

use super::shared::{close, origin, rel};
use crate::web::actions::reveal;
use crate::web::core;
use crate::web::loader;
use crate::web::render::request_redraw;
use crate::web::state::{AppState, Overview};

/// What a link shows (absolute times).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    Range(i64, i64),
    Goroutine(i64, i64, i64),
}

thread_local! {
    /// A link waiting for the part it named to be shown.
    static PENDING: Cell<Option<Target>> = const { Cell::new(None) };
}

/// Closes the pages and shows `[a, b]` (absolute times) on the timeline,
/// marked as the selection.
pub fn focus_range(a: i64, b: i64) {
    follow(Target::Range(a, b));
}

/// Closes the pages, selects goroutine `id` on the timeline and shows
/// `[a, b]` (absolute; its lifetime).
pub fn focus_goroutine(id: i64, a: i64, b: i64) {
    follow(Target::Goroutine(id, a, b));
}

/// Follows the app state: a link waiting for its part is followed once
/// that part is shown, and dropped if it fails or is cancelled.
pub fn on_state(state: AppState) {
    match state {
        AppState::Ready => {
            if let Some(t) = PENDING.with(|p| p.take()) {
                show(t);
            }
        }
        AppState::Empty | AppState::Error => PENDING.with(|p| p.set(None)),
        AppState::Loading => {}
    }
}

fn follow(t: Target) {
    match where_is(t) {
        Where::Here => show(t),
        Where::Part(i) => {
            PENDING.with(|p| p.set(Some(t)));
            close();
            loader::open_part_at(i);
        }
        Where::Unknown(why) => core::ui().notice.set(Some(why.into())),
    }
}

enum Where {
    /// In the part shown (or the trace is not shown in parts).
    Here,
    /// In the `i`-th part of the file.
    Part(usize),
    /// In another part, which the overview does not know yet.
    Unknown(&'static str),
}

/// Which part of the file shows `t`: the part holding its start (a
/// goroutine the part shown has is shown there, whatever its times).
fn where_is(t: Target) -> Where {
    let ui = core::ui();
    let Some(part) = ui.part.get_untracked() else {
        return Where::Here;
    };
    let start = origin();
    let (duration, has_goroutine) = core::with(|c| {
        let has = match t {
            Target::Goroutine(id, ..) => c
                .model
                .as_ref()
                .is_some_and(|m| m.tl.goroutine_index(id).is_some()),
            Target::Range(..) => false,
        };
        (c.view.duration, has)
    });
    let a = match t {
        Target::Range(a, _) | Target::Goroutine(_, a, _) => a,
    };
    let here = a >= start && (a - start) as f64 <= duration;
    if here || has_goroutine {
        return Where::Here;
    }
    match ui.overview.get_untracked() {
        Overview::Ready {
            parts,
            origin: Some(file_start),
            ..
        } if !parts.is_empty() => {
            // The part whose time span holds `a`; in a gap between two
            // parts, the later one; past the end, the last.
            let at = a.saturating_sub(file_start);
            let i = parts
                .iter()
                .position(|p| at <= p.stop)
                .unwrap_or(parts.len() - 1);
            if i == part.index {
                Where::Here
            } else {
                Where::Part(i)
            }
        }
        _ => Where::Unknown(
            "That time is in another part of the file, and the overview of the file's parts is still being read: follow the link again once the overview lists them.",
        ),
    }
}

/// Shows `t` on the timeline of the part shown.
fn show(t: Target) {
    match t {
        Target::Range(a, b) => {
            let (a, b) = (rel(a), rel(b));
            close();
            core::with(|c| {
                c.view.fit(a, b.max(a + 1.0));
                c.view.selection = Some((a, b.max(a + 1.0)));
            });
            request_redraw();
        }
        Target::Goroutine(id, a, b) => {
            let (ra, rb) = (rel(a), rel(b));
            close();
            let target = core::with(|c| {
                let m = c.model.clone()?;
                let g = m.tl.goroutine_index(id)?;
                let mid = ((ra + rb) / 2.0).max(0.0) as i64;
                let span =
                    m.tl.span_at(g, mid)
                        .or_else(|| (m.tl.span_count(g) > 0).then_some(0))?;
                Some((g as u32, span as u32))
            });
            if let Some((g, span)) = target {
                reveal(g, span, false);
            }
            core::with(|c| c.view.fit(ra, rb.max(ra + 1.0)));
            request_redraw();
        }
    }
}
