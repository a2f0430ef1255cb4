//! What the analysis pages share: which page is open and the choices made
//! on them ([`Nav`]), opening them, the timeline side (its selection, time
//! conversions, focusing it from a page), and small components. The pages
//! (`goroutines`, `profiles`, `tasks`, `mmu`, `flame`) and `pages/mod.rs`
//! build on this.

use std::cell::RefCell;

use leptos::prelude::*;

use crate::web::core;

/// The pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Goroutines,
    Profiles,
    Cpu,
    Tasks,
    Mmu,
}

impl Page {
    pub const ALL: [Page; 5] = [
        Page::Goroutines,
        Page::Profiles,
        Page::Cpu,
        Page::Tasks,
        Page::Mmu,
    ];
    pub fn id(self) -> &'static str {
        match self {
            Page::Goroutines => "goroutines",
            Page::Profiles => "profiles",
            Page::Cpu => "cpu",
            Page::Tasks => "tasks",
            Page::Mmu => "mmu",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Page::Goroutines => "Goroutines",
            Page::Profiles => "Profiles",
            Page::Cpu => "CPU samples",
            Page::Tasks => "Tasks & regions",
            Page::Mmu => "MMU",
        }
    }
    /// The menu label on narrow screens.
    pub fn short(self) -> &'static str {
        match self {
            Page::Cpu => "CPU",
            Page::Tasks => "Tasks",
            p => p.title(),
        }
    }
    pub fn tip(self) -> &'static str {
        match self {
            Page::Goroutines => "Goroutine analysis: goroutines grouped by start function, with time breakdowns",
            Page::Profiles => "Network, sync, syscall and scheduler-latency profiles as flame graphs (and pprof downloads)",
            Page::Cpu => "Flame graph of the CPU samples in the timeline selection",
            Page::Tasks => "User-defined tasks and regions: durations, histograms, event logs",
            Page::Mmu => "Minimum mutator utilization: how much of each time window the program (not the GC) ran",
        }
    }
}

/// What a profile covers; times in ns since the trace start.
#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    All,
    Group(String),
    Goroutine(i64),
    Range(f64, f64),
}

/// The pages' shared state (all `Copy` handles).
#[derive(Clone, Copy)]
pub struct Nav {
    pub page: RwSignal<Option<Page>>,
    /// Bumped when another trace is opened: pages fetch again.
    pub generation: RwSignal<u32>,
    /// The goroutine group the goroutine page shows.
    pub group: RwSignal<Option<String>>,
    pub profile_kind: RwSignal<&'static str>,
    pub profile_scope: RwSignal<Scope>,
    pub cpu_scope: RwSignal<Scope>,
    /// Tasks page: only tasks this goroutine took part in.
    pub task_goroutine: RwSignal<Option<i64>>,
    /// A trace shown a part at a time: the pages analyse the whole file
    /// (else the part shown).
    pub whole_file: RwSignal<bool>,
    /// How much of the file the computation under way has read: (bytes,
    /// of the file's size).
    pub reading: RwSignal<Option<(u64, u64)>>,
    /// Bumped on window resize (canvases redraw).
    pub resized: RwSignal<u32>,
}

thread_local! {
    static NAV: RefCell<Option<Nav>> = const { RefCell::new(None) };
}

/// The pages' state (created on first use).
pub fn nav() -> Nav {
    NAV.with(|n| {
        *n.borrow_mut().get_or_insert_with(|| Nav {
            page: RwSignal::new(None),
            generation: RwSignal::new(0),
            group: RwSignal::new(None),
            profile_kind: RwSignal::new("sched"),
            profile_scope: RwSignal::new(Scope::All),
            cpu_scope: RwSignal::new(Scope::All),
            task_goroutine: RwSignal::new(None),
            whole_file: RwSignal::new(false),
            reading: RwSignal::new(None),
            resized: RwSignal::new(0),
        })
    })
}

/// A new trace: close the pages and forget their choices.
pub fn reset() {
    nav().whole_file.set(false);
    reset_for_part();
}

/// Another part of the same trace: as [`reset`], but the pages keep
/// analysing the whole file if they did.
pub fn reset_for_part() {
    let n = nav();
    n.reading.set(None);
    n.page.set(None);
    n.group.set(None);
    n.profile_scope.set(Scope::All);
    n.cpu_scope.set(Scope::All);
    n.task_goroutine.set(None);
    n.generation.update(|g| *g = g.wrapping_add(1));
}

/// Opens a page.
pub fn open(p: Page) {
    nav().page.set(Some(p));
}

/// Opens the goroutine page on a group (from the details panel).
pub fn open_group(name: String) {
    let n = nav();
    n.group.set(Some(name));
    n.page.set(Some(Page::Goroutines));
}

/// Opens the profiles on the timeline selection if there is one, else on
/// the group `name` (from the details panel).
pub fn open_profile_of_selection(name: Option<String>) {
    let n = nav();
    let scope = match (timeline_selection(), name) {
        (Some((a, b)), _) => Scope::Range(a, b),
        (None, Some(g)) => Scope::Group(g),
        (None, None) => Scope::All,
    };
    n.profile_scope.set(scope);
    n.page.set(Some(Page::Profiles));
}

/// Opens the tasks page on the tasks a goroutine took part in.
pub fn open_tasks_of(goroutine: Option<i64>) {
    let n = nav();
    n.task_goroutine.set(goroutine);
    n.page.set(Some(Page::Tasks));
}

/// Opens the CPU-samples flame graph of the timeline selection (or the
/// visible range).
pub fn open_cpu_of_selection() {
    let n = nav();
    let (a, b) = timeline_selection().unwrap_or_else(visible_range);
    n.cpu_scope.set(Scope::Range(a, b));
    n.page.set(Some(Page::Cpu));
}

pub fn close() {
    nav().page.set(None);
}

// ---- the timeline side ---------------------------------------------------

/// The trace clock time of the timeline's 0.
pub fn origin() -> i64 {
    core::with(|c| c.model.as_ref().map(|m| m.tl.origin).unwrap_or(0))
}

/// Absolute trace time of `rel` ns since the trace start.
pub fn abs(rel: f64) -> i64 {
    origin().saturating_add(rel.round() as i64)
}

/// ns since the trace start of an absolute time.
pub fn rel(abs: i64) -> f64 {
    abs.saturating_sub(origin()) as f64
}

/// The shift-drag selection of the timeline, if any.
pub fn timeline_selection() -> Option<(f64, f64)> {
    core::with(|c| c.view.selection).map(|(a, b)| if a <= b { (a, b) } else { (b, a) })
}

/// The visible time range of the timeline.
pub fn visible_range() -> (f64, f64) {
    core::with(|c| (c.view.t0.max(0.0), c.view.t1.min(c.view.duration)))
}

/// "12.3 ms" since the trace start, for an absolute time: since the start
/// of the part shown, or of the file when the pages analyse the whole file
/// (once the overview knows when it starts).
pub fn at(abs: i64) -> String {
    let since = match file_origin() {
        Some(o) if nav().whole_file.get_untracked() => abs.saturating_sub(o) as f64,
        _ => rel(abs),
    };
    crate::format::duration(since)
}

/// The absolute time of the first event of a file shown in parts.
fn file_origin() -> Option<i64> {
    match core::ui().overview.get_untracked() {
        crate::web::state::Overview::Ready { origin, .. } => origin,
        _ => None,
    }
}

/// What the pages analyse, for headings: the whole trace, or the part of
/// it shown.
pub fn analysed_text() -> String {
    match core::ui().part.get() {
        Some(p) if !nav().whole_file.get() => format!("part {} of the trace", p.index + 1),
        _ => "the whole trace".into(),
    }
}

/// A "computing…" / error line.
#[component]
pub fn Status(busy: Signal<bool>, error: Signal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || busy.get()>
            <p class="busy" role="status">
                {move || {
                    let whole = nav().whole_file.get() && core::ui().part.get().is_some();
                    let what = if whole { " (reading the whole file, every part of it)" } else { "" };
                    let read = nav().reading.get().map(|(b, t)| {
                        format!(" · {} of {} read", crate::format::bytes(b), crate::format::bytes(t))
                    });
                    format!("Computing…{what}{}", read.unwrap_or_default())
                }}
            </p>
        </Show>
        {move || error.get().map(|e| view! { <p class="error-line" role="alert">{e}</p> })}
    }
}

/// A description of a scope for headings.
pub fn scope_text(s: &Scope) -> String {
    match s {
        Scope::All => analysed_text(),
        Scope::Group(g) if g.is_empty() => "goroutines without a start function".into(),
        Scope::Group(g) => format!("goroutine group {}", crate::safe_text::visible(g, 120)),
        Scope::Goroutine(id) => format!("goroutine {id}"),
        Scope::Range(a, b) => format!(
            "{} – {} ({})",
            crate::format::duration(*a),
            crate::format::duration(*b),
            crate::format::duration(b - a)
        ),
    }
}
