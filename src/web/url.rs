//! The URL hash (`#t=START,END&g=GOROUTINE`, see `view::HashState`):
//! read when a trace is installed, written as the view changes.

use leptos::prelude::*;

use crate::view::HashState;

/// What the current URL hash says.
pub fn read_hash() -> HashState {
    HashState::parse(&window().location().hash().unwrap_or_default())
}

/// Replaces the URL hash (no history entry).
pub fn write_hash(h: &str) {
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("#{h}")),
        );
    }
}
