//! The analysis pages (what `go tool trace` serves besides the timeline):
//! goroutine analysis, blocking profiles, CPU samples, tasks and regions,
//! MMU. Each page asks the analysis worker ([`client`]) and draws the
//! answer; nothing is computed on the main thread. The pages open from the
//! header menu ([`Menu`]) and from the timeline's details panel, and cover
//! the timeline ([`Pages`]) until closed; their links focus the timeline.

pub mod client;
mod flame;
mod focus;
mod goroutines;
mod mmu;
mod profiles;
pub mod shared;
mod tasks;

use leptos::ev;
use leptos::prelude::*;

use crate::web::core;
use crate::web::state::AppState;
pub use shared::{close, nav, open, Page, Scope};
use shared::{open_cpu_of_selection, open_group, open_profile_of_selection, open_tasks_of};

// ---- components ------------------------------------------------------------

/// The header menu: one button per page (enabled once a trace is open).
#[component]
pub fn Menu() -> impl IntoView {
    let n = nav();
    let ready = move || core::ui().state.get() == AppState::Ready;
    // The CPU samples page has nothing to show for a trace without samples.
    let no_samples = move |p: Page| {
        p == Page::Cpu
            && ready()
            && core::with(|c| c.model.as_ref().is_some_and(|m| m.tl.samples.is_empty()))
    };
    view! {
        <nav class="analysis-menu" aria-label="Analyses">
            {Page::ALL
                .iter()
                .map(|&p| {
                    view! {
                        <button
                            class="button"
                            id=format!("menu-{}", p.id())
                            title=move || {
                                if no_samples(p) {
                                    "This trace has no CPU samples (record it with the CPU profiler on)"
                                } else {
                                    p.tip()
                                }
                            }
                            disabled=move || !ready() || no_samples(p)
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

/// The pages analyse the whole file (`true`) or the part shown, and fetch
/// their answers again.
fn set_whole_file(whole_file: bool) {
    let n = nav();
    if n.whole_file.get_untracked() != whole_file {
        n.whole_file.set(whole_file);
        client::set_whole_file(whole_file);
        n.generation.update(|g| *g = g.wrapping_add(1));
    }
}

/// Stop (`#analysis-stop`) while the whole file is read: back to the part
/// shown, with a new analysis worker (the one reading is stopped).
fn stop_whole_file() {
    let n = nav();
    n.whole_file.set(false);
    n.reading.set(None);
    client::restart();
    n.generation.update(|g| *g = g.wrapping_add(1));
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
    // The URL hash names the open page.
    Effect::new(move |_| {
        crate::web::url::set_current_page(n.page.get().map(|p| p.id()));
        crate::web::render::request_redraw();
    });
    // The analysis worker follows the app state (see `client::on_state`),
    // and so does a link waiting for the part it named (`focus::on_state`).
    Effect::new(move |_| {
        let state = core::ui().state.get();
        client::on_state(state);
        focus::on_state(state);
    });
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
                    <Show when=move || core::ui().part.get().is_some()>
                        <label
                            class="whole-file"
                            title="Analyse every part of the file, not only the part shown. The file is read once more, whole, which takes a while for a big file; links to times in other parts open those parts."
                        >
                            <input
                                type="checkbox"
                                id="analysis-whole"
                                prop:checked=move || n.whole_file.get()
                                on:change=move |e| set_whole_file(event_target_checked(&e))
                            />
                            "Whole file"
                        </label>
                    </Show>
                    <Show when=move || n.whole_file.get() && n.reading.get().is_some()>
                        <button
                            class="button"
                            id="analysis-stop"
                            title="Stop reading the whole file: back to the part shown (what was read of the file is dropped)"
                            on:click=move |_| stop_whole_file()
                        >
                            "Stop"
                        </button>
                    </Show>
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
