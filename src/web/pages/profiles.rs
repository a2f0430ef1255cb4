//! Blocking profiles (network, sync, syscall, scheduler latency) and the
//! CPU-samples flame graph, with a pprof download.

use leptos::prelude::*;

use super::client;
use super::flame::FlameGraph;
use super::shared::{self, nav, scope_text, Scope, Status};
use crate::analysis::protocol::{self as proto, Flame, Request, Response};

const KINDS: [(&str, &str); 4] = [
    ("net", "Network wait"),
    ("sync", "Sync block"),
    ("syscall", "Syscall"),
    ("sched", "Scheduler wait"),
];

fn wire(scope: &Scope) -> (proto::Scope, Option<(i64, i64)>) {
    match scope {
        Scope::All => (proto::Scope::All, None),
        Scope::Group(g) => (proto::Scope::Group(g.clone()), None),
        Scope::Goroutine(id) => (proto::Scope::Ids(vec![*id]), None),
        Scope::Range(a, b) => (proto::Scope::All, Some((shared::abs(*a), shared::abs(*b)))),
    }
}

/// Buttons choosing what a profile covers.
fn flame_of(r: Response) -> Option<Flame> {
    match r {
        Response::Flame(f) => Some(f),
        _ => None,
    }
}

#[component]
fn ScopeButtons(scope: RwSignal<Scope>, groups: bool) -> impl IntoView {
    let n = nav();
    let sel = shared::timeline_selection();
    let vis = shared::visible_range();
    let group = n.group.get_untracked();
    let is =
        move |s: &Scope| scope.with(|c| std::mem::discriminant(c) == std::mem::discriminant(s));
    view! {
        <div class="segmented" role="group" aria-label="What to include">
            <button class="button" id="scope-all" class:active=move || is(&Scope::All) on:click=move |_| scope.set(Scope::All)>
                "Whole trace"
            </button>
            {(groups && group.is_some()).then(|| {
                let g = group.clone().unwrap_or_default();
                let label = format!("Group {}", crate::safe_text::visible(&g, 80));
                view! {
                    <button class="button" id="scope-group" class:active=move || is(&Scope::Group(String::new())) on:click=move |_| scope.set(Scope::Group(g.clone()))>
                        {label}
                    </button>
                }
            })}
            <button
                class="button"
                id="scope-selection"
                disabled=sel.is_none()
                title="Shift+drag on the timeline to select a time range"
                class:active=move || is(&Scope::Range(0.0, 0.0)) && sel.is_some_and(|s| scope.with(|c| *c == Scope::Range(s.0, s.1)))
                on:click=move |_| if let Some((a, b)) = sel { scope.set(Scope::Range(a, b)) }
            >
                "Timeline selection"
            </button>
            <button
                class="button"
                id="scope-visible"
                class:active=move || scope.with(|c| *c == Scope::Range(vis.0, vis.1))
                on:click=move |_| scope.set(Scope::Range(vis.0, vis.1))
            >
                "Visible range"
            </button>
        </div>
    }
}

#[component]
pub fn ProfilesPage() -> impl IntoView {
    let n = nav();
    let data = RwSignal::new(None::<Flame>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let dl_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        n.generation.track();
        let kind = n.profile_kind.get();
        let (scope, window) = wire(&n.profile_scope.get());
        let req = Request::Profile {
            kind: kind.to_string(),
            scope,
            window,
        };
        client::fetch(&req, (busy, error), data, flame_of);
    });
    let on_download = move |_| {
        let (scope, window) = wire(&n.profile_scope.get_untracked());
        dl_error.set(None);
        client::request(
            &Request::Pprof {
                kind: n.profile_kind.get_untracked().to_string(),
                scope,
                window,
            },
            move |r, buf| match (r, buf) {
                (Response::Pprof { name, .. }, Some(buf)) => {
                    if let Err(e) = super::super::js::download(&name, &buf) {
                        let _ = dl_error.try_set(Some(format!("Download failed: {e:?}")));
                    }
                }
                (Response::Error(e), _) => {
                    let _ = dl_error.try_set(Some(e));
                }
                _ => {}
            },
        );
    };
    let summary = move || {
        data.with(|d| {
            d.as_ref().map(|d| {
                format!(
                    "{} of delay over {} samples",
                    crate::format::duration(d.total.first().copied().unwrap_or(0) as f64),
                    crate::format::count(d.samples)
                )
            })
        })
    };
    view! {
        <div class="page profiles-page">
            <h2>{move || KINDS.iter().find(|k| k.0 == n.profile_kind.get()).map(|k| k.1).unwrap_or("")} " profile of " {move || scope_text(&n.profile_scope.get())}</h2>
            <div class="toolbar">
                <div class="segmented" role="group" aria-label="Profile">
                    {KINDS
                        .iter()
                        .map(|&(k, label)| {
                            view! {
                                <button class="button" id=format!("kind-{k}") class:active=move || n.profile_kind.get() == k on:click=move |_| n.profile_kind.set(k)>
                                    {label}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
                <ScopeButtons scope=n.profile_scope groups=true />
                <button class="button primary" id="download-pprof" title="The same profile as `go tool trace -pprof=…` (open with `go tool pprof`)" on:click=on_download>
                    {move || format!("Download {}.pb.gz", n.profile_kind.get())}
                </button>
            </div>
            <p class="muted summary-line" id="profile-summary">{summary}</p>
            {move || dl_error.get().map(|e| view! { <p class="error-line">{e}</p> })}
            <Status busy=busy.into() error=error.into() />
            <FlameGraph data=data id="profile-flame" />
        </div>
    }
}

#[component]
pub fn CpuPage() -> impl IntoView {
    let n = nav();
    if n.cpu_scope.get_untracked() == Scope::All {
        if let Some((a, b)) = shared::timeline_selection() {
            n.cpu_scope.set(Scope::Range(a, b));
        }
    }
    let data = RwSignal::new(None::<Flame>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        n.generation.track();
        let (_, window) = wire(&n.cpu_scope.get());
        client::fetch(&Request::Cpu { window }, (busy, error), data, flame_of);
    });
    let summary = move || {
        data.with(|d| {
            d.as_ref().map(|d| {
                if d.samples == 0 {
                    "No CPU samples here. CPU samples are in the trace only when a CPU profile ran while tracing (pprof.StartCPUProfile).".to_string()
                } else {
                    format!("{} CPU samples", crate::format::count(d.samples))
                }
            })
        })
    };
    view! {
        <div class="page cpu-page">
            <h2>"CPU samples of " {move || scope_text(&n.cpu_scope.get())}</h2>
            <div class="toolbar">
                <ScopeButtons scope=n.cpu_scope groups=false />
            </div>
            <p class="muted summary-line" id="cpu-summary">{summary}</p>
            <Status busy=busy.into() error=error.into() />
            <FlameGraph data=data id="cpu-flame" />
        </div>
    }
}
