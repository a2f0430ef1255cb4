//! The flame-graph canvas (profiles and CPU samples): icicle layout from
//! `analysis::flame`, click to zoom into a frame, hover for a tooltip.

use leptos::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::analysis::flame::{self, Rect};
use crate::analysis::protocol::Flame;
use crate::web::js::prefers_dark;
use crate::web::painter::paint_canvas;

fn draw(cv: &HtmlCanvasElement, width: f64, f: &Flame, focus: usize) -> Vec<Rect> {
    let rects = flame::layout(f, focus, width, 0.5);
    let prims = flame::prims(f, &rects, prefers_dark());
    paint_canvas(cv, (width, flame::height(f)), &prims);
    rects
}

/// The flame graph of `data` (None: nothing yet).
#[component]
pub fn FlameGraph(data: RwSignal<Option<Flame>>, id: &'static str) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let wrap = NodeRef::<leptos::html::Div>::new();
    let focus = RwSignal::new(0usize);
    let tip = RwSignal::new(None::<(f64, f64, Vec<String>)>);
    let rects = StoredValue::new(Vec::<Rect>::new());
    let resized = super::shared::nav().resized;
    Effect::new(move |_| {
        data.track();
        focus.set(0);
    });
    Effect::new(move |_| {
        resized.track();
        let fo = focus.get();
        data.with(|d| {
            let (Some(d), Some(cv), Some(w)) = (d, canvas.get(), wrap.get()) else {
                return;
            };
            let width = (w.client_width() as f64).max(200.0);
            let r = draw(&cv, width, d, fo);
            rects.set_value(r);
        });
    });
    let node_at = move |e: &web_sys::MouseEvent| {
        let (x, y) = (e.offset_x() as f64, e.offset_y() as f64);
        rects.with_value(|r| flame::hit(r, x, y)).map(|n| (n, x, y))
    };
    let on_move = move |e: web_sys::MouseEvent| match node_at(&e) {
        Some((n, x, y)) => {
            let lines = data.with(|d| {
                d.as_ref()
                    .map(|d| flame::describe(d, n))
                    .unwrap_or_default()
            });
            tip.set(Some((x, y, lines)));
        }
        None => tip.set(None),
    };
    let on_click = move |e: web_sys::MouseEvent| {
        if let Some((n, _, _)) = node_at(&e) {
            let cur = focus.get_untracked();
            if n == cur && n != 0 {
                let parent = data.with_untracked(|d| {
                    d.as_ref()
                        .and_then(|d| d.parent.get(n).copied())
                        .unwrap_or(0)
                });
                focus.set(parent as usize);
            } else {
                focus.set(n);
            }
        }
    };
    let empty = move || {
        data.with(|d| {
            d.as_ref()
                .is_some_and(|d| d.total.first().copied().unwrap_or(0) <= 0)
        })
    };
    view! {
        <div class="flame-tools">
            <button class="button" disabled=move || focus.get() == 0 on:click=move |_| focus.set(0)>
                "Reset zoom"
            </button>
            <span class="muted">"Click a frame to zoom into it, click it again (or a faded caller) to zoom out."</span>
        </div>
        <Show when=empty>
            <p class="muted empty-result">"Nothing to show: no samples in this profile."</p>
        </Show>
        <div class="flame-wrap" node_ref=wrap>
            <canvas
                id=id
                class="flame"
                node_ref=canvas
                on:mousemove=on_move
                on:mouseleave=move |_| tip.set(None)
                on:click=on_click
            ></canvas>
            {move || {
                tip.get().map(|(x, y, lines)| {
                    let w = wrap.get().map(|w| w.client_width() as f64).unwrap_or(800.0);
                    let left = if x > w - 320.0 { (x - 320.0).max(0.0) } else { x + 14.0 };
                    view! {
                        <div class="tooltip flame-tip" role="tooltip" style:left=format!("{left}px") style:top=format!("{}px", y + 16.0)>
                            {lines
                                .into_iter()
                                .enumerate()
                                .map(|(i, l)| view! { <div class:first=i == 0>{l}</div> })
                                .collect_view()}
                        </div>
                    }
                })
            }}
        </div>
    }
}
