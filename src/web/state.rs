//! The app's state as the UI sees it: [`AppState`] (the `data-state` of
//! `#app`) and the reactive [`Ui`] signals. A leaf.

use leptos::prelude::*;

use crate::details::SpanDetails;

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

/// Which part of a big trace is shown (`#part`): bytes `[from, end)` of a
/// file of `size` bytes, the `index`-th part (from 0) of at most `budget`
/// bytes each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Part {
    pub index: usize,
    pub from: u64,
    pub end: u64,
    pub size: u64,
    pub budget: u64,
}

/// The overview of a trace shown a part at a time (`#overview`): every
/// part of the whole file, from its generation index.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Overview {
    /// Not a trace shown in parts.
    #[default]
    None,
    /// The rest of the file is being read for it.
    Reading,
    Ready {
        parts: Vec<OverviewPart>,
        /// Why the index stops before the end of the file, if it does.
        damage: Option<String>,
        /// The wasm memory its worker used (its high-water mark), bytes.
        worker_memory: f64,
        /// The absolute time of the file's first event (the parts' times
        /// count from it).
        origin: Option<i64>,
    },
    /// The file could not be indexed (the message says why).
    Failed(String),
}

pub use crate::analysis::protocol::GenerationRow;

/// One part in the overview.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OverviewPart {
    /// Its bytes, `[from, end)` (`end` of the last one is its last
    /// generation's end).
    pub from: u64,
    pub end: u64,
    /// Its times, ns since the whole trace's first event.
    pub start: i64,
    pub stop: i64,
    pub events: u64,
    pub generations: Vec<GenerationRow>,
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
    /// The part of a big trace shown, when it is shown a part at a time.
    pub part: RwSignal<Option<Part>>,
    /// The whole trace, part by part, when it is shown a part at a time.
    pub overview: RwSignal<Overview>,
    /// A file that was not opened while a trace is shown (dismissable).
    pub notice: RwSignal<Option<String>>,
    /// The goroutine filter typed in `#search`.
    pub search: RwSignal<String>,
    pub details: RwSignal<Option<SpanDetails>>,
    pub help: RwSignal<bool>,
    pub tooltip: RwSignal<Option<(f64, f64, Vec<String>)>>,
    pub title: RwSignal<String>,
    pub summary: RwSignal<String>,
    pub dragging: RwSignal<bool>,
}

impl Ui {
    pub fn new() -> Ui {
        Ui {
            state: RwSignal::new(AppState::Empty),
            progress: RwSignal::new(0.0),
            progress_text: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            warning: RwSignal::new(None),
            notice: RwSignal::new(None),
            part: RwSignal::new(None),
            overview: RwSignal::new(Overview::None),
            search: RwSignal::new(String::new()),
            details: RwSignal::new(None),
            help: RwSignal::new(false),
            tooltip: RwSignal::new(None),
            title: RwSignal::new(String::new()),
            summary: RwSignal::new(String::new()),
            dragging: RwSignal::new(false),
        }
    }
}

impl Default for Ui {
    fn default() -> Self {
        Self::new()
    }
}
