//! What the app tells those who follow it (the test hook, the critical
//! path UI): a subscriber list filled at start-up (`web::start`), so the
//! core never calls them. A leaf.

use std::cell::RefCell;

use super::state::AppState;

/// Something that happened in the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppEvent {
    /// The app state changed (or was set again).
    State(AppState),
    /// The canvas was painted.
    Drawn,
    /// Another trace was installed, or the trace was cleared.
    ModelChanged,
    /// Reading progress, in thousandths.
    Progress(u16),
    /// Esc on the timeline (with no help shown): clear what is shown.
    Dismiss,
    /// The overview of a trace shown in parts changed (`web::overview`).
    Overview,
    /// The analysis worker answered (`web::pages::client`).
    Analysis,
}

thread_local! {
    static SUBSCRIBERS: RefCell<Vec<fn(AppEvent)>> = const { RefCell::new(Vec::new()) };
}

/// Calls `f` on every event from now on.
pub fn subscribe(f: fn(AppEvent)) {
    SUBSCRIBERS.with(|s| s.borrow_mut().push(f));
}

/// Tells every subscriber (none may be borrowed from the core's state).
pub fn emit(e: AppEvent) {
    let subs = SUBSCRIBERS.with(|s| s.borrow().clone());
    for f in subs {
        f(e);
    }
}
