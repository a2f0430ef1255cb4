//! The URL hash (`#t=START,END&g=GOROUTINE&s=…&sel=…&lane=…&page=…`, see
//! `view::HashState`): the page's hash applies to the first trace opened
//! ([`hash_for_new_trace`]), written as the view changes.

use std::cell::{Cell, RefCell};

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

thread_local! {
    static FIRST: Cell<bool> = const { Cell::new(true) };
    static PENDING_PAGE: RefCell<Option<String>> = const { RefCell::new(None) };
    static CURRENT_PAGE: Cell<Option<&'static str>> = const { Cell::new(None) };
}

/// The open analysis page (its id), as the hash shows it.
pub fn set_current_page(p: Option<&'static str>) {
    CURRENT_PAGE.with(|x| x.set(p));
}

pub fn current_page() -> Option<&'static str> {
    CURRENT_PAGE.with(|x| x.get())
}

/// The hash a newly installed trace opens at: the page's for the first
/// trace opened in this page; nothing (the whole trace, no selection) for
/// any later one, whose view the old hash does not describe.
pub fn hash_for_new_trace() -> HashState {
    if FIRST.with(|f| f.replace(false)) {
        read_hash()
    } else {
        HashState::default()
    }
}

/// The part (its first byte) the page's hash asks the first trace opened
/// to show, if it is a part other than the first (`part=`).
pub fn part_for_first_trace() -> Option<u64> {
    FIRST.with(|f| f.get()).then(|| read_hash().part).flatten()
}

/// Remembers the analysis page a hash asks for, for the UI to open once the
/// trace is installed.
pub fn set_pending_page(p: Option<String>) {
    PENDING_PAGE.with(|x| *x.borrow_mut() = p);
}

pub fn take_pending_page() -> Option<String> {
    PENDING_PAGE.with(|x| x.borrow_mut().take())
}
