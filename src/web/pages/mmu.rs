//! Minimum mutator utilization: the curve on a log time axis, Go's options,
//! percentiles, and the worst windows of a clicked size (which focus the
//! timeline).

use leptos::prelude::*;
use web_sys::HtmlCanvasElement;

use super::shared::{at, nav, Status};
use super::{client, focus};
use crate::analysis::mmu_plot::{self, Plot};
use crate::analysis::protocol::{MmuData, Request, Response, Window};
use crate::theme::Theme;
use crate::web::js::prefers_dark;
use crate::web::painter::paint_canvas;
use gotrace::analysis::mmu::UtilFlags;

const HEIGHT: f64 = 340.0;

fn draw(cv: &HtmlCanvasElement, width: f64, d: &MmuData, hover: Option<f64>, chosen: Option<i64>) {
    let theme = Theme::new(prefers_dark());
    let prims = mmu_plot::prims(d, (width, HEIGHT), hover, chosen, &theme);
    paint_canvas(cv, (width, HEIGHT), &prims);
}

#[component]
pub fn MmuPage() -> impl IntoView {
    let n = nav();
    let per_proc = RwSignal::new(false);
    let stw = RwSignal::new(true);
    let background = RwSignal::new(true);
    let assist = RwSignal::new(true);
    let sweep = RwSignal::new(false);
    let show_pct = RwSignal::new(false);
    let data = RwSignal::new(None::<MmuData>);
    let chosen = RwSignal::new(None::<i64>);
    let worst = RwSignal::new(None::<Vec<Window>>);
    let hover = RwSignal::new(None::<f64>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let wrap = NodeRef::<leptos::html::Div>::new();
    let flags = Memo::new(move |_| {
        let mut f = UtilFlags::empty();
        for (on, flag) in [
            (stw.get(), UtilFlags::STW),
            (background.get(), UtilFlags::BACKGROUND),
            (assist.get(), UtilFlags::ASSIST),
            (sweep.get(), UtilFlags::SWEEP),
            (per_proc.get(), UtilFlags::PER_PROC),
        ] {
            if on {
                f = f.union(flag);
            }
        }
        f.bits()
    });
    Effect::new(move |_| {
        n.generation.track();
        let fl = flags.get();
        let pct = show_pct.get();
        worst.set(None);
        let req = Request::Mmu {
            flags: fl,
            percentiles: pct,
        };
        let mmu_of = |r| match r {
            Response::Mmu(m) => Some(m),
            _ => None,
        };
        client::fetch(&req, (busy, error), data, mmu_of);
    });
    Effect::new(move |_| {
        let Some(w) = chosen.get() else {
            return;
        };
        let fl = flags.get();
        client::request(
            &Request::MmuWorst {
                flags: fl,
                window: w,
                n: 10,
            },
            move |r, _| {
                if let Response::MmuWorst(ws) = r {
                    let _ = worst.try_set(Some(ws));
                }
            },
        );
    });
    Effect::new(move |_| {
        n.resized.track();
        let h = hover.get();
        let ch = chosen.get();
        data.with(|d| {
            let (Some(d), Some(cv), Some(w)) = (d, canvas.get(), wrap.get()) else {
                return;
            };
            draw(&cv, (w.client_width() as f64).max(300.0), d, h, ch);
        });
    });
    let plot_of = move || {
        let width = wrap.get().map(|w| (w.client_width() as f64).max(300.0))?;
        data.with_untracked(|d| {
            let d = d.as_ref()?;
            Some(Plot::new(
                *d.windows.first()?,
                *d.windows.last()?,
                width,
                HEIGHT,
            ))
        })
    };
    let on_click = move |e: web_sys::MouseEvent| {
        let x = e.offset_x() as f64;
        let Some(p) = plot_of() else { return };
        let w = p.window_at(x);
        let snapped = data.with_untracked(|d| {
            d.as_ref().and_then(|d| {
                mmu_plot::nearest(&d.windows, w).and_then(|i| d.windows.get(i).copied())
            })
        });
        chosen.set(snapped);
    };
    let check = move |id: &'static str,
                      label: &'static str,
                      sig: RwSignal<bool>,
                      tip: &'static str| {
        view! {
            <label title=tip>
                <input type="checkbox" id=id prop:checked=move || sig.get() on:change=move |e| sig.set(event_target_checked(&e)) />
                {label}
            </label>
        }
    };
    let empty = move || data.with(|d| d.as_ref().is_some_and(|d| d.windows.is_empty()));
    view! {
        <div class="page mmu-page">
            <h2>"Minimum mutator utilization"</h2>
            <p class="muted">"For each window size, the smallest share of any window of that length that the program (not the garbage collector) had the CPU. Click the plot to list the worst windows of that size."</p>
            <form class="filters mmu-options" on:submit=move |e| e.prevent_default()>
                <fieldset>
                    <legend>"View"</legend>
                    <label><input type="radio" name="mmu-view" id="mmu-system" prop:checked=move || !per_proc.get() on:change=move |_| per_proc.set(false) />"System"</label>
                    <label title="Per P: each processor's utilization separately"><input type="radio" name="mmu-view" id="mmu-perproc" prop:checked=move || per_proc.get() on:change=move |_| per_proc.set(true) />"Per-goroutine (per P)"</label>
                </fieldset>
                <fieldset>
                    <legend>"Include"</legend>
                    {check("mmu-stw", "STW", stw, "Stop-the-world pauses")}
                    {check("mmu-background", "Background workers", background, "GC background mark workers")}
                    {check("mmu-assist", "Mark assist", assist, "Mark assists by allocating goroutines")}
                    {check("mmu-sweep", "Sweep", sweep, "Sweeping by allocating goroutines")}
                </fieldset>
                <fieldset>
                    <legend>"Show"</legend>
                    {check("mmu-percentiles", "Percentiles (p95, p99, p99.9 MU)", show_pct, "Mutator utilization that 95%, 99%, 99.9% of windows exceed")}
                </fieldset>
            </form>
            <Status busy=busy.into() error=error.into() />
            <Show when=empty>
                <p class="muted empty-result">"No utilization data: the trace has no GC activity to measure."</p>
            </Show>
            <div class="plot-wrap" node_ref=wrap>
                <canvas
                    id="mmu-plot"
                    node_ref=canvas
                    on:mousemove=move |e: web_sys::MouseEvent| hover.set(Some(e.offset_x() as f64))
                    on:mouseleave=move |_| hover.set(None)
                    on:click=on_click
                ></canvas>
            </div>
            <div class="legend-row">
                <span class="key"><span class="swatch line-mmu"></span>"MMU"</span>
                <Show when=move || show_pct.get()>
                    <span class="key"><span class="swatch line-p95"></span>"p95"</span>
                    <span class="key"><span class="swatch line-p99"></span>"p99"</span>
                    <span class="key"><span class="swatch line-p999"></span>"p99.9"</span>
                </Show>
                <span class="muted">"time axis: window size (log scale)"</span>
            </div>
            <div id="worst-windows">
                {move || {
                    let w = chosen.get()?;
                    let list = worst.get()?;
                    Some(view! {
                        <h3>{format!("Worst windows of {}", crate::format::duration(w as f64))}</h3>
                        <ol class="worst">
                            {list.into_iter().map(|win| {
                                let (a, b) = (win.start, win.end);
                                view! {
                                    <li>
                                        <button class="link worst-window" title="Show this window on the timeline" on:click=move |_| focus::focus_range(a, b)>
                                            {format!("{} – {}", at(win.start), at(win.end))}
                                        </button>
                                        <span class="muted">{format!(" mutator utilization {:.1}%", win.util * 100.0)}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    })
                }}
            </div>
        </div>
    }
}
