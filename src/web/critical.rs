//! The critical path in the page: "Critical path" in the details panel asks
//! the analysis worker for the path of the selected goroutine over [trace
//! start, end of the selected slice]; the answer is kept here (the data),
//! in the core as an overlay (what `crate::critical::draw` highlights), and
//! listed in the details panel ([`CriticalPanel`]). Cleared by "Clear path",
//! and, notified by the app ([`on_event`], subscribed at start-up), by Esc
//! and opening another trace.

use std::cell::RefCell;
use std::sync::Arc;

use leptos::prelude::*;

use super::actions::reveal;
use super::core;
use super::events::AppEvent;
use super::pages::client;
use super::render::request_redraw;
use crate::analysis::protocol::{CriticalPathData, Request, Response};
use crate::critical::{self as cp, Panel};

/// The path as the core keeps it.
#[derive(Clone, Debug, Default)]
pub enum PathState {
    #[default]
    None,
    Pending,
    Ready(Arc<CriticalPathData>),
    Failed(String),
}

/// The critical path: the state, and a token so that a late answer to an
/// abandoned request is dropped.
#[derive(Clone, Debug, Default)]
struct PathCore {
    token: u32,
    state: PathState,
}

thread_local! {
    static PATH: RefCell<PathCore> = RefCell::new(PathCore::default());
    static PATH_UI: RefCell<Option<RwSignal<PathUi>>> = const { RefCell::new(None) };
}

fn with_path<R>(f: impl FnOnce(&mut PathCore) -> R) -> R {
    PATH.with(|p| f(&mut p.borrow_mut()))
}

/// The panel's signal (created on first use: `App` does it, under its owner).
pub fn path_ui() -> RwSignal<PathUi> {
    PATH_UI.with(|s| {
        *s.borrow_mut()
            .get_or_insert_with(|| RwSignal::new(PathUi::None))
    })
}

/// The path's state now (for the test hook).
pub fn state() -> PathState {
    with_path(|p| p.state.clone())
}

/// Whether the panel shows anything (reactive).
pub fn shown() -> bool {
    path_ui().with(|p| *p != PathUi::None)
}

/// Follows the app: Esc and another trace clear the path.
pub fn on_event(e: AppEvent) {
    if matches!(e, AppEvent::ModelChanged | AppEvent::Dismiss) {
        clear();
    }
}

/// What the panel shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum PathUi {
    #[default]
    None,
    /// "G21": whose path is being computed.
    Pending(String),
    Ready(Arc<Panel>),
    Failed(String),
}

/// Asks for the critical path of the selected goroutine over [trace start,
/// end of the selected slice] (absolute times on the wire).
pub fn request() {
    let target = core::with(|c| {
        let m = c.model.clone()?;
        let sel = c.view.selected?;
        let sp = m.tl.span(sel.g as usize, sel.span as usize)?;
        let id = m.tl.goroutines.get(sel.g as usize)?.id;
        c.critical = None;
        Some((id, m.tl.origin, m.tl.origin.saturating_add(sp.end)))
    });
    let Some((goroutine, start, end)) = target else {
        return;
    };
    let token = with_path(|p| {
        p.token = p.token.wrapping_add(1);
        p.state = PathState::Pending;
        p.token
    });
    path_ui().set(PathUi::Pending(format!("G{goroutine}")));
    request_redraw();
    client::request(
        &Request::CriticalPath {
            goroutine,
            start,
            end,
        },
        move |r, _| answered(token, goroutine, r),
    );
}

fn answered(token: u32, goroutine: i64, r: Response) {
    if with_path(|p| p.token != token) {
        return;
    }
    let shown = core::with(|c| {
        let m = c.model.clone()?;
        let (state, ui) = match r {
            Response::CriticalPath(Some(d)) => {
                let tl = &m.tl;
                let panel = cp::panel(&d, tl.origin, |id| {
                    tl.goroutine_index(id).map(|g| tl.goroutine_name(g))
                });
                c.critical = Some(Arc::new(cp::highlight(&m, &d)));
                (
                    PathState::Ready(Arc::new(d)),
                    PathUi::Ready(Arc::new(panel)),
                )
            }
            Response::CriticalPath(None) => {
                let e = format!("Goroutine {goroutine} is not in this trace.");
                (PathState::Failed(e.clone()), PathUi::Failed(e))
            }
            Response::Error(e) => (PathState::Failed(e.clone()), PathUi::Failed(e)),
            _ => {
                let e = "The analysis worker gave an unexpected answer.".to_string();
                (PathState::Failed(e.clone()), PathUi::Failed(e))
            }
        };
        Some((state, ui))
    });
    if let Some((state, ui)) = shown {
        with_path(|p| p.state = state);
        let _ = path_ui().try_set(ui);
        request_redraw();
    }
}

/// Forgets the path (and any answer still on its way).
pub fn clear() {
    let had = with_path(|p| {
        p.token = p.token.wrapping_add(1);
        !matches!(std::mem::take(&mut p.state), PathState::None)
    });
    core::with(|c| c.critical = None);
    let ui = path_ui();
    if ui.with_untracked(|p| *p != PathUi::None) {
        ui.set(PathUi::None);
    }
    if had {
        request_redraw();
    }
}

/// Selects goroutine `id`'s slice at `t` (ns since the trace start) and shows it.
fn go_to(id: i64, t: f64) {
    let target = core::with(|c| {
        let m = c.model.clone()?;
        let g = m.tl.goroutine_index(id)?;
        let s = m.tl.span_at(g, t.max(0.0) as i64)?;
        Some((g as u32, s as u32))
    });
    if let Some((g, s)) = target {
        reveal(g, s, false);
    }
}

/// The "Critical path" button of a selected slice.
#[component]
pub fn CriticalButton() -> impl IntoView {
    let ui = path_ui();
    view! {
        <div class="nav-links critical-button">
            <button
                class="button"
                id="d-critical"
                title="The chain of goroutines this goroutine waited on, from the trace start to the end of this slice"
                disabled=move || matches!(ui.get(), PathUi::Pending(_))
                on:click=move |_| request()
            >
                "Critical path"
            </button>
        </div>
    }
}

/// The path in the details panel: goroutines by share, then the segments
/// (each selects its goroutine's slice at that time). Text only.
#[component]
pub fn CriticalPanel() -> impl IntoView {
    let ui = path_ui();
    move || match ui.get() {
        PathUi::None => ().into_any(),
        PathUi::Pending(g) => view! {
            <section class="critical" id="critical" aria-label="Critical path">
                <p class="busy" role="status" id="cp-busy">
                    "Computing critical path…"
                    <span class="muted">{format!(" ({g})")}</span>
                </p>
                <button class="button" id="cp-clear" on:click=move |_| clear()>"Cancel"</button>
            </section>
        }
        .into_any(),
        PathUi::Failed(e) => view! {
            <section class="critical" id="critical" aria-label="Critical path">
                <p class="error-line" role="alert" id="cp-error">{e}</p>
                <button class="button" id="cp-clear" on:click=move |_| clear()>"Clear path"</button>
            </section>
        }
        .into_any(),
        PathUi::Ready(p) => {
            let p = (*p).clone();
            let more = p.more;
            view! {
                <section class="critical" id="critical" aria-label="Critical path">
                    <div class="critical-head">
                        <h3 id="cp-title">{p.title}</h3>
                        <button class="button" id="cp-clear" title="Remove the highlight (Esc)" on:click=move |_| clear()>
                            "Clear path"
                        </button>
                    </div>
                    <p class="cp-summary" id="cp-summary">{p.summary}</p>
                    {p.notes.into_iter().map(|n| view! { <p class="muted cp-note">{n}</p> }).collect_view()}
                    <table class="cp-goroutines" id="cp-goroutines">
                        <tbody>
                            {p.goroutines
                                .into_iter()
                                .map(|r| {
                                    let (id, mid) = (r.goroutine, r.mid);
                                    // Through CSSOM (`style:`), not a style attribute (CSP).
                                    let bar = format!("{:.1}% 100%", r.share * 100.0);
                                    view! {
                                        <tr data-goroutine=id.to_string() title=r.detail style:background-size=bar>
                                            <td class="cp-g">
                                                <button class="link mono" disabled=mid.is_none() on:click=move |_| if let Some(t) = mid { go_to(id, t) }>
                                                    {r.label}
                                                </button>
                                            </td>
                                            <td class="num cp-share">{r.percent}</td>
                                            <td class="num">{r.time}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                    <h4>"Segments"</h4>
                    {(more > 0).then(|| view! { <p class="muted cp-note">{format!("… {more} earlier segments not listed")}</p> })}
                    <ol class="cp-segments" id="cp-segments">
                        {p.segments
                            .into_iter()
                            .map(|s| {
                                let (id, mid) = (s.goroutine, s.mid);
                                view! {
                                    <li data-goroutine=id.to_string()>
                                        <button class="cp-seg" title=format!("at {}", s.at) on:click=move |_| go_to(id, mid)>
                                            <span class="cp-g mono">{s.label}</span>
                                            <span class="cp-state">{s.state}</span>
                                            <span class="cp-dur">{s.duration}</span>
                                        </button>
                                        {s.edge.map(|e| view! { <div class="cp-edge">{e}</div> })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                </section>
            }
            .into_any()
        }
    }
}
