//! The analysis pages (what `go tool trace` serves besides the timeline):
//! goroutine analysis, blocking profiles, CPU samples, tasks and regions,
//! MMU. Each page asks the analysis worker ([`client`]) and draws the
//! answer; nothing is computed on the main thread. The pages open from the
//! header menu ([`Menu`]) and from the timeline's details panel, and cover
//! the timeline ([`Pages`]) until closed; their links focus the timeline.

pub mod client;
mod flame;
mod goroutines;
mod mmu;
mod profiles;
mod tasks;

use std::cell::RefCell;

use leptos::ev;
use leptos::prelude::*;

use super::core::{self, AppState};

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
    const ALL: [Page; 5] = [
        Page::Goroutines,
        Page::Profiles,
        Page::Cpu,
        Page::Tasks,
        Page::Mmu,
    ];
    fn id(self) -> &'static str {
        match self {
            Page::Goroutines => "goroutines",
            Page::Profiles => "profiles",
            Page::Cpu => "cpu",
            Page::Tasks => "tasks",
            Page::Mmu => "mmu",
        }
    }
    fn title(self) -> &'static str {
        match self {
            Page::Goroutines => "Goroutines",
            Page::Profiles => "Profiles",
            Page::Cpu => "CPU samples",
            Page::Tasks => "Tasks & regions",
            Page::Mmu => "MMU",
        }
    }
    /// The menu label on narrow screens.
    fn short(self) -> &'static str {
        match self {
            Page::Cpu => "CPU",
            Page::Tasks => "Tasks",
            p => p.title(),
        }
    }
    fn tip(self) -> &'static str {
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
            resized: RwSignal::new(0),
        })
    })
}

/// A new trace: close the pages and forget their choices.
pub fn reset() {
    let n = nav();
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

/// Closes the pages and shows `[a, b]` (absolute times) on the timeline,
/// marked as the selection.
pub fn focus_range(a: i64, b: i64) {
    let (a, b) = (rel(a), rel(b));
    close();
    core::with(|c| {
        c.view.fit(a, b.max(a + 1.0));
        c.view.selection = Some((a, b.max(a + 1.0)));
    });
    core::request_redraw();
}

/// Closes the pages, selects goroutine `id` on the timeline and shows
/// `[a, b]` (absolute; its lifetime).
pub fn focus_goroutine(id: i64, a: i64, b: i64) {
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
        core::reveal(g, span, false);
    }
    core::with(|c| c.view.fit(ra, rb.max(ra + 1.0)));
    core::request_redraw();
}

/// "12.3 ms" since the trace start, for an absolute time.
pub fn at(abs: i64) -> String {
    crate::format::duration(rel(abs))
}

// ---- components ------------------------------------------------------------

/// The header menu: one button per page (enabled once a trace is open).
#[component]
pub fn Menu() -> impl IntoView {
    let n = nav();
    let ready = move || core::ui().state.get() == AppState::Ready;
    view! {
        <nav class="analysis-menu" aria-label="Analyses">
            {Page::ALL
                .iter()
                .map(|&p| {
                    view! {
                        <button
                            class="button"
                            id=format!("menu-{}", p.id())
                            title=p.tip()
                            disabled=move || !ready()
                            class:active=move || n.page.get() == Some(p)
                            on:click=move |_| {
                                if n.page.get_untracked() == Some(p) { close() } else { open(p) }
                            }
                        >
                            <span class="long">{p.title()}</span>
                            <span class="short">{p.short()}</span>
                        </button>
                    }
                })
                .collect_view()}
        </nav>
    }
}

/// Links for the details panel of a selected goroutine slice.
#[component]
pub fn DetailsLinks(group: String, goroutine: i64) -> impl IntoView {
    let g1 = group.clone();
    let g2 = group;
    view! {
        <div class="analysis-links">
            <button class="link" id="d-group-analysis" on:click=move |_| open_group(g1.clone())>
                "goroutine group analysis"
            </button>
            <button class="link" id="d-profile" on:click=move |_| open_profile_of_selection(Some(g2.clone()))>
                "profile of this selection"
            </button>
            <button class="link" id="d-cpu" on:click=move |_| open_cpu_of_selection()>
                "CPU samples here"
            </button>
            <button class="link" id="d-tasks" on:click=move |_| open_tasks_of(Some(goroutine))>
                "task view"
            </button>
        </div>
    }
}

/// The pages, over the timeline (inside `main.workspace`).
#[component]
pub fn Pages() -> impl IntoView {
    let n = nav();
    let shown = move || n.page.get().is_some() && core::ui().state.get() == AppState::Ready;
    std::mem::forget(window_event_listener(ev::keydown, move |e| {
        if e.key() == "Escape" && n.page.get_untracked().is_some() {
            close();
        }
    }));
    // The analysis worker follows the app state (see `client::on_state`).
    Effect::new(move |_| client::on_state(core::ui().state.get()));
    std::mem::forget(window_event_listener(ev::resize, move |_| {
        n.resized.update(|r| *r = r.wrapping_add(1));
    }));
    view! {
        <Show when=shown>
            <section class="pages" id="pages" aria-label="Analysis">
                <div class="pages-head" role="tablist">
                    {Page::ALL
                        .iter()
                        .map(|&p| {
                            view! {
                                <button
                                    class="tab"
                                    role="tab"
                                    id=format!("tab-{}", p.id())
                                    aria-selected=move || (n.page.get() == Some(p)).to_string()
                                    on:click=move |_| open(p)
                                >
                                    {p.title()}
                                </button>
                            }
                        })
                        .collect_view()}
                    <span class="spacer"></span>
                    <button class="button" id="pages-close" title="Back to the timeline (Esc)" on:click=move |_| close()>
                        "× Timeline"
                    </button>
                </div>
                <div class="pages-body" data-page=move || n.page.get().map(|p| p.id()).unwrap_or("")>
                    {move || match n.page.get() {
                        Some(Page::Goroutines) => view! { <goroutines::GoroutinesPage /> }.into_any(),
                        Some(Page::Profiles) => view! { <profiles::ProfilesPage /> }.into_any(),
                        Some(Page::Cpu) => view! { <profiles::CpuPage /> }.into_any(),
                        Some(Page::Tasks) => view! { <tasks::TasksPage /> }.into_any(),
                        Some(Page::Mmu) => view! { <mmu::MmuPage /> }.into_any(),
                        None => ().into_any(),
                    }}
                </div>
            </section>
        </Show>
    }
}

/// A "computing…" / error line.
#[component]
pub fn Status(busy: Signal<bool>, error: Signal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || busy.get()>
            <p class="busy" role="status">"Computing…"</p>
        </Show>
        {move || error.get().map(|e| view! { <p class="error-line" role="alert">{e}</p> })}
    }
}

/// Whether the page is in dark mode.
pub fn dark() -> bool {
    window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// A description of a scope for headings.
pub fn scope_text(s: &Scope) -> String {
    match s {
        Scope::All => "the whole trace".into(),
        Scope::Group(g) if g.is_empty() => "goroutines without a start function".into(),
        Scope::Group(g) => format!("goroutine group {g}"),
        Scope::Goroutine(id) => format!("goroutine {id}"),
        Scope::Range(a, b) => format!(
            "{} – {} ({})",
            crate::format::duration(*a),
            crate::format::duration(*b),
            crate::format::duration(b - a)
        ),
    }
}
