//! The bar of a trace shown a part at a time (`#part`): which bytes are
//! shown, the previous and next parts, and the overview of every part
//! (`#overview`, see `web::overview`).

use leptos::prelude::*;

use super::loader;
use super::state::{GenerationRow, Overview, OverviewPart, Ui};
use crate::format;

/// The part of a big trace on screen, and buttons to the parts around it.
#[component]
pub fn PartBar(ui: Ui) -> impl IntoView {
    let part = move || ui.part.get().unwrap_or_default();
    let text = move || {
        let p = part();
        format!(
            "Part {} of this trace: bytes {}–{} of {}. A trace this big is shown a part at a time (parts of {} or a little more: whole generations) so that it fits in a browser tab.",
            p.index + 1,
            crate::format::bytes(p.from),
            crate::format::bytes(p.end),
            crate::format::bytes(p.size),
            crate::format::bytes(p.budget),
        )
    };
    view! {
        <div class="part" role="status" id="part">
            <span id="part-text">{text}</span>
            " "
            <button id="part-prev" class="button" disabled=move || { part().index == 0 } on:click=move |_| loader::open_part(-1)>
                "← Previous part"
            </button>
            // (In braces: a bare `>` would end the tag.)
            <button id="part-next" class="button" disabled=move || { let p = part(); p.end >= p.size } on:click=move |_| loader::open_part(1)>
                "Next part →"
            </button>
            <OverviewStrip ui=ui />
        </div>
    }
}

/// Every part of the file as a button (`#overview`, `.ov-part`), as wide as
/// its time span, with a bar per generation as high as its event rate: the
/// user sees where the busy stretches are and opens any part.
#[component]
fn OverviewStrip(ui: Ui) -> impl IntoView {
    move || match ui.overview.get() {
        Overview::None => ().into_any(),
        Overview::Reading => view! {
            <span id="overview-status" class="overview-status">
                "Reading the rest of the file for an overview of every part…"
            </span>
        }
        .into_any(),
        Overview::Failed(why) => view! {
            <span id="overview-status" class="overview-status">
                {format!("No overview of the whole trace: {why}")}
            </span>
        }
        .into_any(),
        Overview::Ready { parts, damage, .. } => {
            let peak = parts
                .iter()
                .flat_map(|p| p.generations.iter())
                .map(rate)
                .fold(0.0, f64::max);
            let shown = move || ui.part.get().map_or(usize::MAX, |p| p.index);
            let buttons = parts
                .into_iter()
                .enumerate()
                .map(|(i, p)| part_button(i, p, peak, shown))
                .collect_view();
            view! {
                <div id="overview" class="overview" role="group" aria-label="Every part of the trace">
                    {buttons}
                </div>
                {damage.map(|d| view! {
                    <span id="overview-status" class="overview-status">
                        {format!("The overview stops before the end of the file: {d}")}
                    </span>
                })}
            }
            .into_any()
        }
    }
}

/// Events per ns of a generation.
fn rate(g: &GenerationRow) -> f64 {
    g.events as f64 / (g.stop - g.start).max(1) as f64
}

/// A generation's bar: as high as its event rate (of the busiest one's),
/// from the accent colour to the GC colour as the world was stopped for
/// up to 5 % of it, and its numbers as its tooltip.
fn generation_bar(g: &GenerationRow, peak: f64) -> impl IntoView {
    let span = (g.stop - g.start).max(1);
    let h = (rate(g) / peak.max(f64::MIN_POSITIVE) * 100.0).clamp(6.0, 100.0);
    let stopped = (g.stw as f64 / span as f64 * 2000.0).clamp(0.0, 100.0);
    let title = format!(
        "Generation {}: {} to {}, {} events, {} GC cycles, world stopped {}, heap up to {}",
        g.number,
        format::duration(g.start as f64),
        format::duration(g.stop as f64),
        format::count(g.events),
        g.gc_cycles,
        format::duration(g.stw as f64),
        format::bytes(g.heap_max),
    );
    view! {
        <span
            class="ov-gen"
            title=title
            style:flex-grow=span.to_string()
            style:height=format!("{h:.0}%")
            style:background=format!("color-mix(in srgb, var(--gc) {stopped:.0}%, color-mix(in srgb, var(--accent) 55%, var(--bg)))")
        ></span>
    }
}

fn part_button(
    i: usize,
    p: OverviewPart,
    peak: f64,
    shown: impl Fn() -> usize + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let span = (p.stop - p.start).max(1);
    let label = format!(
        "Part {}: {} to {} ({}), {} events, bytes {} to {}",
        i + 1,
        format::duration(p.start as f64),
        format::duration(p.stop as f64),
        format::duration(span as f64),
        format::count(p.events),
        format::bytes(p.from),
        format::bytes(p.end),
    );
    let gc: u32 = p.generations.iter().map(|g| g.gc_cycles).sum();
    let stw: i64 = p.generations.iter().map(|g| g.stw).sum();
    let label = format!(
        "{label}, {gc} GC cycles, world stopped {}",
        format::duration(stw as f64)
    );
    let bars = p
        .generations
        .iter()
        .map(|g| generation_bar(g, peak))
        .collect_view();
    view! {
        <button
            class="ov-part"
            data-index=i.to_string()
            title=label.clone()
            aria-label=label
            aria-current=move || (shown() == i).then_some("true")
            style:flex-grow=format!("{span}")
            on:click=move |_| loader::open_part_at(i)
        >
            <span class="ov-bars">{bars}</span>
            <span class="ov-num">{(i + 1).to_string()}</span>
        </button>
    }
}
