//! The critical path in the page: "Critical path" in the details panel asks
//! the analysis worker for the path of the selected goroutine over [trace
//! start, end of the selected slice]; the answer is kept in the core (the
//! data) and the view (what `crate::critical::draw` highlights), and listed
//! in the details panel ([`CriticalPanel`]). Cleared by "Clear path", Esc
//! and opening another trace.

use std::sync::Arc;

use leptos::prelude::*;

use super::core::{self, Ui};
use super::pages::client;
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

/// The core's critical path: the state, and a token so that a late answer
/// to an abandoned request is dropped.
#[derive(Clone, Debug, Default)]
pub struct PathCore {
    pub token: u32,
    pub state: PathState,
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
        c.critical.token = c.critical.token.wrapping_add(1);
        c.critical.state = PathState::Pending;
        c.view.critical = None;
        Some((
            id,
            m.tl.origin,
            m.tl.origin.saturating_add(sp.end),
            c.critical.token,
        ))
    });
    let Some((goroutine, start, end, token)) = target else {
        return;
    };
    core::ui()
        .critical
        .set(PathUi::Pending(format!("G{goroutine}")));
    core::request_redraw();
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
    let shown = core::with(|c| {
        if c.critical.token != token {
            return None;
        }
        let m = c.model.clone()?;
        let (state, ui) = match r {
            Response::CriticalPath(Some(d)) => {
                let tl = &m.tl;
                let panel = cp::panel(&d, tl.origin, |id| {
                    tl.goroutine_index(id).map(|g| tl.goroutine_name(g))
                });
                c.view.critical = Some(Arc::new(cp::highlight(&m, &d)));
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
        c.critical.state = state;
        Some(ui)
    });
    if let Some(ui) = shown {
        let _ = core::ui().critical.try_set(ui);
        core::request_redraw();
    }
}

/// Forgets the path (and any answer still on its way).
pub fn clear() {
    let had = core::with(|c| {
        c.critical.token = c.critical.token.wrapping_add(1);
        c.view.critical = None;
        !matches!(std::mem::take(&mut c.critical.state), PathState::None)
    });
    if let Some(ui) = core::with(|c| c.ui) {
        if ui.critical.with_untracked(|p| *p != PathUi::None) {
            ui.critical.set(PathUi::None);
        }
    }
    if had {
        core::request_redraw();
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
        core::reveal(g, s, false);
    }
}

/// The "Critical path" button of a selected slice.
#[component]
pub fn CriticalButton(ui: Ui) -> impl IntoView {
    view! {
        <div class="nav-links critical-button">
            <button
                class="button"
                id="d-critical"
                title="The chain of goroutines this goroutine waited on, from the trace start to the end of this slice"
                disabled=move || matches!(ui.critical.get(), PathUi::Pending(_))
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
pub fn CriticalPanel(ui: Ui) -> impl IntoView {
    move || match ui.critical.get() {
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
                                    let bar = format!(
                                        "background-size: {:.1}% 100%",
                                        r.share * 100.0
                                    );
                                    view! {
                                        <tr data-goroutine=id.to_string() title=r.detail style=bar>
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
