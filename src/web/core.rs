//! The page's engine state: the loaded model, the one [`View`], the lanes,
//! the theme, the canvas, the overlays drawn over the lanes. UI signals
//! ([`Ui`]) are set only after the core's borrow is released, so reactive
//! updates never re-enter it. Who changes it: `actions` (model, selection),
//! `input` (the view), `render` (paints it), `critical` (its overlay).

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use web_sys::HtmlCanvasElement;

use super::events::{emit, AppEvent};
use super::state::{AppState, Ui};
use crate::critical::Highlight;
use crate::filter::Filter;
use crate::lanes::focus::Header;
use crate::lanes::Lane;
use crate::model::Model;
use crate::scene::LaneStat;
use crate::theme::Theme;
use crate::view::View;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DragMode {
    Pan,
    Select,
    /// Dragging the lanes' scrollbar thumb.
    Scrollbar,
}

/// A mouse drag on the canvas.
#[derive(Clone, Copy, Debug)]
pub struct Drag {
    pub mode: DragMode,
    pub x0: f64,
    pub y0: f64,
    pub last_x: f64,
    pub last_y: f64,
    pub moved: bool,
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
    /// The critical path drawn over the lanes (set by `web::critical`;
    /// passed to `scene::build` as an overlay).
    pub critical: Option<Arc<Highlight>>,
    /// A repaint is scheduled.
    pub raf: bool,
    pub drag: Option<Drag>,
    /// The URL hash last written.
    pub last_hash: String,
    /// Folded sections (a mask of `lanes::SECTION_*`).
    pub folded: u8,
    /// The goroutine filter of the search box.
    pub filter: Option<Filter>,
    /// Whether a search hides the goroutines it does not match (else they
    /// stay, dimmed); the user's choice, kept across searches and traces.
    pub hide_others: bool,
    /// The header with the keyboard focus (↑/↓, folded with Enter/Space).
    pub header_focus: Option<Header>,
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
        critical: None,
        raf: false,
        drag: None,
        last_hash: String::new(),
        folded: 0,
        filter: None,
        hide_others: true,
        header_focus: None,
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
    emit(AppEvent::State(s));
}
