//! Frame timing: how long the last frames took to build and paint
//! (reported by the test hook). A leaf.

use std::cell::RefCell;
use std::collections::VecDeque;

thread_local! {
    /// Milliseconds spent building and painting each of the last frames,
    /// and of that, building the scene (the rest is the canvas calls).
    static DRAW_MS: RefCell<VecDeque<(f64, f64)>> = const { RefCell::new(VecDeque::new()) };
}

/// Keeps this many frame times.
const DRAW_HISTORY: usize = 1024;

/// Notes the time one frame took to build and paint, and to build.
pub fn record_draw(ms: f64, scene_ms: f64) {
    DRAW_MS.with(|d| {
        let mut d = d.borrow_mut();
        if d.len() == DRAW_HISTORY {
            d.pop_front();
        }
        d.push_back((ms, scene_ms));
    });
}

/// The recorded frame times (whole, scene), oldest first.
pub fn draw_times() -> Vec<(f64, f64)> {
    DRAW_MS.with(|d| d.borrow().iter().copied().collect())
}
