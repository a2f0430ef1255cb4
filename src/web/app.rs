//! The Leptos components: header, drop zone, progress, error, the canvas and
//! its tooltip, the details panel and the help overlay. Trace text is only
//! ever rendered as text nodes.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::actions::{
    clear_selection, find_goroutine, follow_hash, reveal, set_filter, set_hide_others,
};
use super::core;
use super::critical::{path_ui, shown as critical_shown, CriticalButton, CriticalPanel};
use super::embed;
use super::events::AppEvent;
use super::input;
use super::js::prefers_dark;
use super::loader;
use super::pages::{self, DetailsLinks, Menu, Page, Pages};
use super::render::request_redraw;
use super::state::{AppState, Ui};
use super::url;
use crate::format;
use crate::safe_text::visible;
use crate::theme::Theme;

const LEGEND: [(u8, &str); 8] = [
    (1, "running"),
    (2, "runnable"),
    (3, "syscall"),
    (4, "blocked: sync"),
    (5, "sleeping"),
    (6, "blocked: network/IO"),
    (7, "blocked: GC"),
    (8, "blocked: other"),
];

fn first_file(files: Option<web_sys::FileList>) -> Option<web_sys::File> {
    files.and_then(|f| f.get(0))
}

#[component]
pub fn App() -> impl IntoView {
    let ui = Ui::new();
    core::with(|c| c.ui = Some(ui));
    // Signals live as long as the owner they are created under: the panel's
    // is created here, under the app's, not by whichever view first asks.
    let _ = path_ui();

    let on_file = move |e: ev::Event| {
        let Some(input) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(f) = first_file(input.files()) {
            loader::load_file(f);
        }
        // Let the same file be chosen again.
        input.set_value("");
    };
    // Embedded in a host page: the host hands over the trace; the page is no drop zone.
    let embedded = embed::embedded();
    let on_drag_over = move |e: ev::DragEvent| {
        e.prevent_default();
        if embedded {
            return;
        }
        if let Some(dt) = e.data_transfer() {
            dt.set_drop_effect("copy");
        }
        ui.dragging.set(true);
    };
    let on_drag_leave = move |e: ev::DragEvent| {
        // Only when leaving the window (relatedTarget is null).
        if e.related_target().is_none() {
            ui.dragging.set(false);
        }
    };
    let on_drop = move |e: ev::DragEvent| {
        e.prevent_default();
        ui.dragging.set(false);
        if embedded {
            return;
        }
        if let Some(f) = first_file(e.data_transfer().and_then(|d| d.files())) {
            loader::load_file(f);
        }
    };
    let state = move || ui.state.get();

    view! {
        <div
            id="app"
            data-state=move || state().as_str()
            class:dragging=move || ui.dragging.get()
            class:embed=embedded
            on:dragover=on_drag_over
            on:dragenter=move |e: ev::DragEvent| e.prevent_default()
            on:dragleave=on_drag_leave
            on:drop=on_drop
        >
            <Show when=move || embedded fallback=move || view! {
                <header class="bar">
                    <h1 class="brand">"Go trace viewer"</h1>
                    <label class="button primary" for="file">"Open trace…"</label>
                    <input id="file" type="file" class="visually-hidden" on:change=on_file />
                    <button id="sample" class="button" on:click=move |_| loader::load_url(loader::SAMPLE_URL.to_string())>
                        "Open sample trace"
                    </button>
                    <Menu />
                    <Search ui=ui />
                    <button
                        id="save-view"
                        class="button"
                        title="Download the generations that overlap the visible range as a trace file of their own (Go 1.22+ traces), to share the part that matters"
                        disabled=move || ui.state.get() != AppState::Ready
                        on:click=move |_| embed::save_view(move |e| ui.notice.set(Some(format!("Could not save the view as a trace: {e}"))))
                    >
                        "Save view as trace"
                    </button>
                    <div class="title" title=move || visible(&ui.title.get(), 500)>
                        <span class="name">{move || visible(&ui.title.get(), 120)}</span>
                        <span class="summary">{move || ui.summary.get()}</span>
                    </div>
                    <HelpButton ui=ui id="help-button" />
                </header>
            }>
                <EmbedBar ui=ui />
            </Show>
            <Show when=move || state() == AppState::Loading>
                <Progress ui=ui />
            </Show>
            <Show when=move || state() == AppState::Ready && ui.warning.get().is_some()>
                <div class="error warning" role="alert" id="warning">
                    <span id="warning-text">{move || ui.warning.get().unwrap_or_default()}</span>
                    " "
                    <button class="close" on:click=move |_| ui.warning.set(None) aria-label="Dismiss">"×"</button>
                </div>
            </Show>
            <Show when=move || state() == AppState::Ready && ui.part.with(|p| p.is_some())>
                <super::parts_ui::PartBar ui=ui />
            </Show>
            <Show when=move || ui.notice.with(|n| n.is_some())>
                <div class="error notice" role="alert" id="notice">
                    <span id="notice-text">{move || ui.notice.get().unwrap_or_default()}</span>
                    <button class="close" on:click=move |_| ui.notice.set(None) aria-label="Dismiss">"×"</button>
                </div>
            </Show>
            <Show when=move || state() == AppState::Error>
                <div class="error" role="alert">
                    <strong>"Could not open this trace. "</strong>
                    <span id="error-text">{move || ui.error.get().unwrap_or_default()}</span>
                    " "
                    <p class="hint">"Open another file, drop one here, or try the sample trace."</p>
                </div>
            </Show>
            <main class="workspace">
                <div class="timeline-wrap">
                    <canvas
                        id="timeline"
                        tabindex="0"
                        aria-label="Trace timeline. Keys: W and S zoom, A and D pan, 0 shows everything, F fits the selection, up and down arrows move between section headers and Enter folds one, question mark for help."
                        on:mousedown=move |e: ev::MouseEvent| input::on_mouse_down(&e)
                        on:dblclick=move |e: ev::MouseEvent| input::on_double_click(&e)
                        on:wheel=move |e: ev::WheelEvent| input::on_wheel(&e)
                        on:mouseleave=move |_| input::on_mouse_leave()
                        on:contextmenu=move |e: ev::MouseEvent| e.prevent_default()
                    ></canvas>
                    <Show when=move || !embedded && (state() == AppState::Empty || state() == AppState::Error)>
                        <EmptyHint />
                    </Show>
                    <Tooltip ui=ui />
                </div>
                <Show when=move || {
                    ui.details.with(|d| d.is_some()) || critical_shown()
                }>
                    <Details ui=ui />
                </Show>
                <Pages />
            </main>
            <footer class="legend" aria-label="Colour legend">
                {LEGEND
                    .iter()
                    .map(|(k, name)| {
                        let k = *k as usize;
                        view! {
                            <span class="key">
                                <span
                                    class="swatch"
                                    style:background=move || {
                                        let dark = ui.state.with(|_| prefers_dark());
                                        Theme::new(dark).states[k].css()
                                    }
                                ></span>
                                {*name}
                            </span>
                        }
                    })
                    .collect_view()}
                <span class="key exec" title="On P and thread lanes a colour is a goroutine (one tint each), not a state; a system call on a thread is the syscall colour">
                    <span
                        class="swatch exec"
                        style:background=move || {
                            let dark = ui.state.with(|_| prefers_dark());
                            let t = Theme::new(dark);
                            format!("linear-gradient(90deg, {}, {}, {})", t.procs[1].css(), t.procs[2].css(), t.procs[3].css())
                        }
                    ></span>
                    "P / thread lanes: goroutine"
                </span>
                <span class="key"><span class="swatch gc"></span>"GC"</span>
                <span class="key"><span class="swatch stw"></span>"stop-the-world"</span>
            </footer>
            <Show when=move || ui.help.get()>
                <Help ui=ui />
            </Show>
        </div>
    }
}

/// The "?" button that toggles the help overlay.
#[component]
fn HelpButton(ui: Ui, id: &'static str) -> impl IntoView {
    view! {
        <button id=id class="button icon" title="Keyboard and mouse help (?)" aria-label="Help" on:click=move |_| ui.help.update(|h| *h = !*h)>
            "?"
        </button>
    }
}

/// The one-line toolbar of embedded mode: title, fit, help, open in full viewer.
#[component]
fn EmbedBar(ui: Ui) -> impl IntoView {
    view! {
        <header class="bar embed-bar" id="embed-bar">
            <span class="name" title=move || visible(&ui.title.get(), 500)>{move || visible(&ui.title.get(), 120)}</span>
            <button
                id="embed-fit"
                class="button"
                title="Show the whole trace (0)"
                disabled=move || ui.state.get() != AppState::Ready
                on:click=move |_| {
                    core::with(|c| c.view.fit_all());
                    request_redraw();
                }
            >
                "Fit"
            </button>
            <HelpButton ui=ui id="embed-help" />
            <button
                id="open-full"
                class="button"
                title="Open this trace, at this view, in the full viewer (a new tab)"
                disabled=move || ui.state.get() != AppState::Ready
                on:click=move |_| embed::open_full()
            >
                "Open in full viewer ↗"
            </button>
        </header>
    }
}

/// The goroutine search box: `/` focuses it; text filters the goroutine
/// lanes as it is typed (their matches marked on the canvas); an id and
/// Enter selects that goroutine; Esc clears. Beside it while there is text,
/// "hide others": unchecked, the goroutines it misses stay, dimmed.
#[component]
fn Search(ui: Ui) -> impl IntoView {
    let hide = RwSignal::new(core::with(|c| c.hide_others));
    let on_hide = move |e: ev::Event| {
        let on = event_target_checked(&e);
        hide.set(on);
        set_hide_others(on);
    };
    let on_input = move |e: ev::Event| {
        let text = event_target_value(&e);
        ui.search.set(text.clone());
        set_filter(&text);
    };
    let on_key = move |e: ev::KeyboardEvent| match e.key().as_str() {
        "Enter" => {
            let text = ui.search.get_untracked();
            if let Some(id) = crate::filter::parse_id(&text) {
                find_goroutine(id);
            }
        }
        "Escape" => {
            e.prevent_default();
            ui.search.set(String::new());
            set_filter("");
            if let Some(c) = core::with(|c| c.canvas.clone()) {
                let _ = c.focus();
            }
        }
        _ => {}
    };
    view! {
        <input
            id="search"
            class="search"
            type="search"
            placeholder="Find goroutine (/)"
            title="Filter goroutines by start function, id, region or task name; an id and Enter selects it; Esc clears"
            aria-label="Find goroutines"
            autocomplete="off"
            spellcheck="false"
            disabled=move || ui.state.get() != AppState::Ready
            prop:value=move || ui.search.get()
            on:input=on_input
            on:keydown=on_key
        />
        <Show when=move || !ui.search.get().trim().is_empty()>
            <label
                class="search-hide"
                title="Hide the goroutines the search does not match (unchecked: keep them, dimmed, around the matches)"
            >
                <input id="search-hide" type="checkbox" prop:checked=move || hide.get() on:change=on_hide />
                "hide others"
            </label>
        </Show>
    }
}

#[component]
fn Progress(ui: Ui) -> impl IntoView {
    let pct = move || (ui.progress.get().max(0.0) * 100.0).round();
    view! {
        <div class="progress-row">
            <div
                class="progress"
                role="progressbar"
                aria-label="Reading the trace"
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || pct().to_string()
                class:indeterminate=move || ui.progress.get() < 0.0
            >
                <div class="fill" style:width=move || format!("{}%", pct())></div>
            </div>
            <span class="progress-text">{move || ui.progress_text.get()}</span>
            <button id="cancel" class="button" on:click=move |_| loader::cancel()>
                "Cancel"
            </button>
        </div>
    }
}

#[component]
fn EmptyHint() -> impl IntoView {
    view! {
        <div class="empty">
            <div class="drop-target">
                <p class="big">"Drop a Go execution trace anywhere on this page"</p>
                <p>
                    "or use " <label for="file" class="link">"Open trace…"</label> " or "
                    <button class="link" on:click=move |_| loader::load_url(loader::SAMPLE_URL.to_string())>
                        "open the sample trace"
                    </button> "."
                </p>
                <p class="muted">
                    "Record one with " <code>"go test -trace=trace.out"</code> ", "
                    <code>"runtime/trace"</code> " or " <code>"curl …/debug/pprof/trace?seconds=5"</code>
                    ". The file is read in your browser; nothing is uploaded."
                </p>
            </div>
        </div>
    }
}

#[component]
fn Tooltip(ui: Ui) -> impl IntoView {
    move || {
        ui.tooltip.get().map(|(x, y, lines)| {
            // Keep it inside the canvas (as wide as it is now, not when the
            // pointer last moved): right of the pointer on the left half,
            // left of it (anchored by its right edge) on the right half.
            let width = core::with(|c| {
                c.canvas
                    .as_ref()
                    .map(|cv| cv.get_bounding_client_rect().width())
                    .unwrap_or(c.view.width)
            });
            let (left, right) = if x > width / 2.0 {
                (None, Some(format!("max(4px, calc(100% - {}px))", x - 12.0)))
            } else {
                (Some(format!("max(0px, min({}px, calc(100% - 240px)))", x + 14.0)), None)
            };
            view! {
                <div class="tooltip" role="tooltip" style:left=left style:right=right style:top=format!("{}px", y + 14.0)>
                    {lines.into_iter().enumerate().map(|(i, l)| view! { <div class:first=i == 0>{visible(&l, 300)}</div> }).collect_view()}
                </div>
            }
        })
    }
}

#[component]
fn Details(ui: Ui) -> impl IntoView {
    let d = move || ui.details.get();
    view! {
        <aside id="details" class="details" aria-label="Selected slice">
            <CriticalPanel />
            {move || {
                d().map(|d| {
                    let g = d.goroutine_index;
                    let prev = d.prev;
                    let next = d.next;
                    let unblocker = d.unblocker;
                    let stack = d.stack.clone();
                    view! {
                        <div class="details-head">
                            <h2>"Goroutine " <span class="gid">{d.goroutine_id}</span></h2>
                            <button class="button icon" aria-label="Close details" on:click=move |_| clear_selection()>
                                "×"
                            </button>
                        </div>
                        <dl>
                            <dt>"Start function"</dt>
                            <dd class="mono" id="d-func">{visible(&d.name, 2000)}</dd>
                            <dt>"State"</dt>
                            <dd id="d-state">{d.state.clone()}</dd>
                            <dt>"Start"</dt>
                            <dd id="d-start">{format::time_at(d.start, 1.0)}</dd>
                            <dt>"End"</dt>
                            <dd id="d-end">{format::time_at(d.end, 1.0)}</dd>
                            <dt>"Duration"</dt>
                            <dd id="d-duration">{format::duration(d.duration)}</dd>
                            <dt>"P"</dt>
                            <dd id="d-p">{d.proc.map_or("–".to_string(), |p| p.to_string())}</dd>
                            <dt>"M (thread)"</dt>
                            <dd id="d-m">{d.thread.map_or("–".to_string(), |t| t.to_string())}</dd>
                        </dl>
                        <div class="nav-links">
                            <button class="button" id="d-prev" disabled=prev.is_none() on:click=move |_| if let Some(s) = prev { reveal(g, s, false) }>
                                "← previous"
                            </button>
                            <button class="button" id="d-next" disabled=next.is_none() on:click=move |_| if let Some(s) = next { reveal(g, s, false) }>
                                "next →"
                            </button>
                        </div>
                        <DetailsLinks group=d.name.clone() goroutine=d.goroutine_id />
                        <CriticalButton />
                        {unblocker.map(|(ug, uid, t)| {
                            view! {
                                <p class="unblock">
                                    "Unblocked by "
                                    <button class="link" id="d-unblocker" on:click=move |_| {
                                        let span = core::with(|c| c.model.as_ref().and_then(|m| m.tl.span_at(ug as usize, t as i64)));
                                        if let Some(s) = span { reveal(ug, s as u32, false) }
                                    }>{format!("goroutine {uid}")}</button>
                                    {format!(" at {}", format::duration(t))}
                                </p>
                            }
                        })}
                        <h3>{d.stack_title.clone()}</h3>
                        {stack.is_empty().then(|| view! { <p class="muted">"The trace has no stack for this state."</p> })}
                        <ol class="stack" id="d-stack">
                            {stack
                                .into_iter()
                                .map(|l| view! { <li><span class="func mono">{visible(&l.func, 500)}</span><span class="loc mono">{path_with_breaks(&visible(&l.location, 500))}</span></li> })
                                .collect_view()}
                        </ol>
                    }
                })
            }}
        </aside>
    }
}

/// A file path with a line-break opportunity (`<wbr>`) after each `/`, so a
/// long path wraps between its parts, not inside a name.
fn path_with_breaks(path: &str) -> impl IntoView {
    path.split_inclusive('/')
        .map(|part| {
            let sep = part.ends_with('/');
            view! { {part.to_string()}{sep.then(|| view! { <wbr /> })} }
        })
        .collect_view()
}

#[component]
fn Help(ui: Ui) -> impl IntoView {
    view! {
        <div class="overlay" on:click=move |_| ui.help.set(false)>
            <div id="help" class="help" role="dialog" aria-modal="true" aria-label="Keyboard and mouse" on:click=move |e: ev::MouseEvent| e.stop_propagation()>
                <h2>"Keyboard and mouse"</h2>
                <table>
                    <tbody>
                        <tr><td><kbd>"W"</kbd>" / "<kbd>"S"</kbd></td><td>"zoom in / out at the pointer"</td></tr>
                        <tr><td><kbd>"A"</kbd>" / "<kbd>"D"</kbd></td><td>"pan left / right"</td></tr>
                        <tr><td><kbd>"Ctrl"</kbd>" or "<kbd>"⌘"</kbd>" + wheel"</td><td>"zoom at the pointer"</td></tr>
                        <tr><td>"wheel, drag"</td><td>"scroll lanes, pan"</td></tr>
                        <tr><td><kbd>"Shift"</kbd>" + drag"</td><td>"select a time range"</td></tr>
                        <tr><td><kbd>"F"</kbd>", double-click"</td><td>"fit the selection (or the selected slice)"</td></tr>
                        <tr><td><kbd>"0"</kbd></td><td>"show the whole trace"</td></tr>
                        <tr><td><kbd>"/"</kbd></td><td>"find goroutines by function, id, region or task: matches are marked, the others hidden (or dimmed: uncheck “hide others”); an id and Enter selects it"</td></tr>
                        <tr><td>"click"</td><td>"select a slice; click a group or section header to fold it"</td></tr>
                        <tr><td><kbd>"↑"</kbd>" / "<kbd>"↓"</kbd></td><td>"move the keyboard focus to the previous / next section or group header"</td></tr>
                        <tr><td><kbd>"Enter"</kbd>" or "<kbd>"Space"</kbd></td><td>"fold or unfold the header with the keyboard focus"</td></tr>
                        <tr><td><kbd>"Esc"</kbd></td><td>"clear the selection, the critical path and the header focus, close this help"</td></tr>
                        <tr><td><kbd>"?"</kbd></td><td>"show / hide this help"</td></tr>
                    </tbody>
                </table>
                <p class="muted">"The view range and the selected goroutine are kept in the address, so a link reopens the same view of the same trace (with ?trace=URL)."</p>
                <button class="button primary" on:click=move |_| ui.help.set(false)>"Close"</button>
            </div>
        </div>
    }
}

/// Opens the analysis page named by id (from the URL hash), or closes the pages.
fn show_page(id: Option<&str>) {
    match id.and_then(|id| Page::ALL.iter().copied().find(|p| p.id() == id)) {
        Some(p) => pages::open(p),
        None => pages::close(),
    }
}

/// Follows the app: a newly installed trace opens the page its hash names.
pub fn on_event(e: AppEvent) {
    if e == AppEvent::ModelChanged {
        if let Some(id) = url::take_pending_page() {
            show_page(Some(&id));
        }
    }
}

/// Follows an edited URL hash (typed, a link, Back/Forward) on a loaded trace.
fn on_hash_change() {
    let loaded = core::with(|c| c.model.is_some() && c.state == AppState::Ready);
    if !loaded {
        return;
    }
    let hs = url::read_hash();
    follow_hash(&hs);
    if hs.page.as_deref() != url::current_page() {
        show_page(hs.page.as_deref());
    }
}

/// Wires what lives outside the component tree: the canvas handle, window
/// listeners, repaint on resize, and `?trace=URL`.
pub fn after_mount() {
    let canvas = document()
        .get_element_by_id("timeline")
        .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok());
    // Repaint whenever the canvas changes size (window, details panel).
    if let Some(cv) = &canvas {
        let cb = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(request_redraw);
        if let Ok(ro) = web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()) {
            ro.observe(cv);
            std::mem::forget(ro);
        }
        cb.forget();
    }
    core::with(|c| c.canvas = canvas);
    std::mem::forget(window_event_listener(ev::keydown, |e| input::on_key(&e)));
    std::mem::forget(window_event_listener(ev::mousemove, |e| {
        input::on_mouse_move(&e)
    }));
    std::mem::forget(window_event_listener(ev::mouseup, |e| {
        input::on_mouse_up(&e)
    }));
    std::mem::forget(window_event_listener(ev::resize, |_| request_redraw()));
    std::mem::forget(window_event_listener(ev::hashchange, |_| on_hash_change()));
    core::set_state(AppState::Empty, None);
    request_redraw();
    let search = window().location().search().unwrap_or_default();
    if let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) {
        if let Some(url) = params.get("trace").filter(|u| !u.is_empty()) {
            loader::load_url(url);
        }
    }
}
