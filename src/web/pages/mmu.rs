//! Minimum mutator utilization: the curve on a log time axis, Go's options,
//! percentiles, and the worst windows of a clicked size (which focus the
//! timeline).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::{at, client, nav, Status};
use crate::analysis::mmu_plot::{self, Plot};
use crate::analysis::protocol::{MmuData, Request, Response, Window};
use gotrace::analysis::mmu::UtilFlags;

const HEIGHT: f64 = 340.0;

struct Colors {
    fg: &'static str,
    muted: &'static str,
    grid: &'static str,
    line: &'static str,
    pct: [&'static str; 3],
    mark: &'static str,
}

fn colors() -> Colors {
    if super::dark() {
        Colors {
            fg: "#e6edf3",
            muted: "#9198a1",
            grid: "#30363d",
            line: "#4493f8",
            pct: ["#a371f7", "#3fb950", "#d29922"],
            mark: "#f85149",
        }
    } else {
        Colors {
            fg: "#1f2328",
            muted: "#59636e",
            grid: "#d8dee4",
            line: "#0969da",
            pct: ["#8250df", "#1a7f37", "#9a6700"],
            mark: "#cf222e",
        }
    }
}

fn draw(cv: &HtmlCanvasElement, width: f64, d: &MmuData, hover: Option<f64>, chosen: Option<i64>) {
    let dpr = window().device_pixel_ratio().max(1.0);
    cv.set_width((width * dpr).round().max(1.0) as u32);
    cv.set_height((HEIGHT * dpr).round() as u32);
    let _ = cv.set_attribute("style", &format!("width:{width}px;height:{HEIGHT}px"));
    let Some(ctx) = cv
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, width, HEIGHT);
    let (Some(&lo), Some(&hi)) = (d.windows.first(), d.windows.last()) else {
        return;
    };
    let p = Plot::new(lo, hi, width, HEIGHT);
    let c = colors();
    ctx.set_font("12px system-ui, sans-serif");
    ctx.set_line_width(1.0);
    // Grid and axes.
    ctx.set_stroke_style_str(c.grid);
    ctx.set_fill_style_str(c.muted);
    for (y, label) in p.y_ticks() {
        ctx.begin_path();
        ctx.move_to(mmu_plot::LEFT, y.round() + 0.5);
        ctx.line_to(width - mmu_plot::RIGHT, y.round() + 0.5);
        ctx.stroke();
        let _ = ctx.fill_text(&label, 8.0, y + 4.0);
    }
    for (x, label) in p.x_ticks() {
        ctx.begin_path();
        ctx.move_to(x.round() + 0.5, mmu_plot::TOP);
        ctx.line_to(x.round() + 0.5, HEIGHT - mmu_plot::BOTTOM);
        ctx.stroke();
        let _ = ctx.fill_text(&label, x - 14.0, HEIGHT - 10.0);
    }
    let line =
        |values: &mut dyn Iterator<Item = (i64, f64)>, color: &str, width: f64, dash: bool| {
            ctx.set_stroke_style_str(color);
            ctx.set_line_width(width);
            let dashes = js_sys::Array::new();
            if dash {
                dashes.push(&4.0.into());
                dashes.push(&3.0.into());
            }
            let _ = ctx.set_line_dash(&dashes);
            ctx.begin_path();
            let mut first = true;
            for (w, u) in values {
                let (x, y) = (p.x(w), p.y(u));
                if first {
                    ctx.move_to(x, y);
                    first = false;
                } else {
                    ctx.line_to(x, y);
                }
            }
            ctx.stroke();
            let _ = ctx.set_line_dash(&js_sys::Array::new());
            ctx.set_line_width(1.0);
        };
    for k in 0..3 {
        if d.percentiles.len() == d.windows.len() {
            line(
                &mut d
                    .windows
                    .iter()
                    .zip(&d.percentiles)
                    .map(|(w, p)| (*w, p[k])),
                c.pct[k],
                1.5,
                true,
            );
        }
    }
    line(
        &mut d.windows.iter().copied().zip(d.mmu.iter().copied()),
        c.line,
        2.0,
        false,
    );
    if let Some(w) = chosen {
        let x = p.x(w).round() + 0.5;
        ctx.set_stroke_style_str(c.mark);
        ctx.begin_path();
        ctx.move_to(x, mmu_plot::TOP);
        ctx.line_to(x, HEIGHT - mmu_plot::BOTTOM);
        ctx.stroke();
    }
    if let Some(hx) = hover {
        if let Some(i) = mmu_plot::nearest(&d.windows, p.window_at(hx)) {
            let w = d.windows[i];
            let u = d.mmu.get(i).copied().unwrap_or(0.0);
            let x = p.x(w);
            ctx.set_stroke_style_str(c.muted);
            ctx.begin_path();
            ctx.move_to(x.round() + 0.5, mmu_plot::TOP);
            ctx.line_to(x.round() + 0.5, HEIGHT - mmu_plot::BOTTOM);
            ctx.stroke();
            ctx.set_fill_style_str(c.line);
            ctx.begin_path();
            let _ = ctx.arc(x, p.y(u), 3.5, 0.0, std::f64::consts::TAU);
            ctx.fill();
            ctx.set_fill_style_str(c.fg);
            let text = format!(
                "window {}: MMU {:.1}%",
                crate::format::duration(w as f64),
                u * 100.0
            );
            let tx = if x > width - 220.0 {
                x - 210.0
            } else {
                x + 8.0
            };
            let _ = ctx.fill_text(&text, tx, mmu_plot::TOP + 14.0);
        }
    }
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
        busy.set(true);
        error.set(None);
        worst.set(None);
        client::request(
            &Request::Mmu {
                flags: fl,
                percentiles: pct,
            },
            move |r, _| {
                let _ = busy.try_set(false);
                match r {
                    Response::Mmu(m) => {
                        let _ = data.try_set(Some(m));
                    }
                    Response::Error(e) => {
                        let _ = error.try_set(Some(e));
                    }
                    _ => {}
                }
            },
        );
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
                                        <button class="link worst-window" title="Show this window on the timeline" on:click=move |_| super::focus_range(a, b)>
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
