//! The lane kinds. Each kind is one module owning its runs, drawing, hit
//! test and tooltip: [`goroutine`], [`regions`], [`exec`] (P and thread),
//! [`counter`], [`gc`], [`samples`], [`header`] (sections, group headers).
//! They share [`lane`] (the lane list's types) and [`common`] (runs and
//! drawing helpers). This file lists the lanes and dispatches to the kinds.

pub mod common;
pub mod counter;
pub mod exec;
pub mod find;
pub mod focus;
pub mod gc;
pub mod goroutine;
pub mod header;
pub mod lane;
pub mod regions;
pub mod samples;

pub use common::{merge_runs, Run, KEYS, SUMMARY};
pub use counter::counter_columns;
pub use exec::{exec_runs, goroutine_color, Exec, SYSCALL_KEY};
pub use gc::gc_runs;
pub use goroutine::{goroutine_runs, key_name, span_key, wait_family};
pub use lane::*;
pub use regions::region_runs;
pub use samples::sample_ticks;

use crate::filter::Filter;
use crate::model::Model;
use crate::prim::Prim;
use crate::safe_text::visible;
use crate::theme::Theme;
use crate::view::{View, AXIS_H, GUTTER};

/// All lanes, top to bottom, honouring collapsed groups.
pub fn lanes(m: &Model, collapsed: &std::collections::BTreeSet<u32>) -> Vec<Lane> {
    lanes_with(m, collapsed, 0, None)
}

/// The foldable sections, as bits of the `folded` mask of [`lanes_with`]
/// (in their order on the timeline; the Goroutines section folds by group).
pub const SECTION_COUNTERS: u8 = 1;
pub const SECTION_PROCS: u8 = 2;
pub const SECTION_THREADS: u8 = 4;
/// The sections in order (the `n`th section lane is `SECTIONS[n]`; 0: not foldable).
pub const SECTIONS: [u8; 4] = [SECTION_COUNTERS, SECTION_PROCS, SECTION_THREADS, 0];

/// All lanes, top to bottom: sections in `folded` (a mask of `SECTION_*`)
/// show only their header; with a `filter`, the groups with a match open,
/// and if it hides the others ([`Filter::hide`]) only the goroutines it
/// matches and the headers of groups with a match are listed (kept, the
/// others are drawn dimmed: `find`).
pub fn lanes_with(
    m: &Model,
    collapsed: &std::collections::BTreeSet<u32>,
    folded: u8,
    filter: Option<&Filter>,
) -> Vec<Lane> {
    let mut out = Vec::new();
    let mut y = 0.0;
    let mut push = |kind, h: f64, label: String| {
        out.push(Lane { kind, y, h, label });
        y += h + LANE_GAP;
    };
    let marker = |bit: u8| if folded & bit != 0 { "▸" } else { "▾" };
    let open = |bit: u8| folded & bit == 0;
    push(
        LaneKind::Section,
        SECTION_H,
        format!("{} Counters", marker(SECTION_COUNTERS)),
    );
    if open(SECTION_COUNTERS) {
        push(LaneKind::Goroutines, COUNTER_H, "Goroutines".into());
        push(
            LaneKind::Waiting,
            COUNTER_H * 0.75,
            "Waiting goroutines".into(),
        );
        push(LaneKind::Heap, COUNTER_H, "Heap".into());
        push(LaneKind::Threads, COUNTER_H * 0.75, "Threads".into());
        push(LaneKind::Gc, GC_H, "GC".into());
    }
    push(
        LaneKind::Section,
        SECTION_H,
        format!("{} Procs ({})", marker(SECTION_PROCS), m.tl.procs.len()),
    );
    if open(SECTION_PROCS) {
        for (i, p) in m.tl.procs.iter().enumerate() {
            push(LaneKind::Proc(i as u32), PROC_H, format!("Proc {}", p.id));
        }
        if !m.tl.samples.is_empty() {
            push(LaneKind::Samples, GC_H, "CPU samples".into());
        }
    }
    push(
        LaneKind::Section,
        SECTION_H,
        format!(
            "{} Threads ({})",
            marker(SECTION_THREADS),
            m.tl.threads.len()
        ),
    );
    if open(SECTION_THREADS) {
        for (i, t) in m.tl.threads.iter().enumerate() {
            push(
                LaneKind::Thread(i as u32),
                PROC_H,
                format!("Thread {}", t.id),
            );
        }
    }
    let n: usize = m.groups.iter().map(|g| g.goroutines.len()).sum();
    let title = match filter {
        Some(f) if f.hide => format!("Goroutines ({} of {n})", f.matches),
        Some(f) => format!("Goroutines ({n}, {} match)", f.matches),
        None => format!("Goroutines ({n})"),
    };
    push(LaneKind::Section, SECTION_H, title);
    let hiding = filter.filter(|f| f.hide);
    for (gi, grp) in m.groups.iter().enumerate() {
        let shown: Vec<u32> = match hiding {
            Some(f) => grp
                .goroutines
                .iter()
                .copied()
                .filter(|&g| f.shows(g))
                .collect(),
            None => grp.goroutines.clone(),
        };
        if hiding.is_some() && shown.is_empty() {
            continue;
        }
        // A filter opens the groups it matches in.
        let has_match = filter.is_some_and(|f| grp.goroutines.iter().any(|&g| f.shows(g)));
        let open = has_match || !collapsed.contains(&(gi as u32));
        let marker = if open { "▾" } else { "▸" };
        let count = if shown.len() == grp.goroutines.len() {
            grp.goroutines.len().to_string()
        } else {
            format!("{} of {}", shown.len(), grp.goroutines.len())
        };
        push(
            LaneKind::Group(gi as u32),
            GROUP_H,
            format!("{marker} {} ({count})", visible(&grp.name, 200)),
        );
        if open {
            for g in shown {
                push(
                    LaneKind::Goroutine(g),
                    GOROUTINE_H,
                    format!("G{}", m.tl.goroutines[g as usize].id),
                );
                let depths = m.regions.get(g as usize).map_or(0, Vec::len);
                for d in 0..depths as u16 {
                    push(LaneKind::Regions(g, d), REGION_H, String::new());
                }
            }
        }
    }
    out
}

/// A key for lane `i` that stays the same for the same trace (for the URL
/// hash): `g22` (goroutine id), `p0`, `m5` (thread id), `r22.1` (regions),
/// `grp3`, `sec1`, or the counter's name.
pub fn lane_key(m: &Model, lanes: &[Lane], i: usize) -> Option<String> {
    let l = lanes.get(i)?;
    let tl = &m.tl;
    Some(match l.kind {
        LaneKind::Section => {
            let n = lanes[..i]
                .iter()
                .filter(|x| x.kind == LaneKind::Section)
                .count();
            format!("sec{n}")
        }
        LaneKind::Goroutines => "goroutines".into(),
        LaneKind::Waiting => "waiting".into(),
        LaneKind::Heap => "heap".into(),
        LaneKind::Threads => "threads".into(),
        LaneKind::Gc => "gc".into(),
        LaneKind::Samples => "samples".into(),
        LaneKind::Proc(p) => format!("p{}", tl.procs.get(p as usize)?.id),
        LaneKind::Thread(t) => format!("m{}", tl.threads.get(t as usize)?.id),
        LaneKind::Group(g) => format!("grp{g}"),
        LaneKind::Goroutine(g) => format!("g{}", tl.goroutines.get(g as usize)?.id),
        LaneKind::Regions(g, d) => format!("r{}.{d}", tl.goroutines.get(g as usize)?.id),
    })
}

/// Total height of the lanes.
pub fn content_height(lanes: &[Lane]) -> f64 {
    lanes.last().map_or(0.0, |l| l.y + l.h + LANE_GAP)
}

/// The lanes' vertical scrollbar (at the right edge of the canvas), when
/// the lanes are taller than the view.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scrollbar {
    /// Left edge of the bar (and of where a drag grabs it), canvas px.
    pub x: f64,
    /// The thumb's top and height, canvas px.
    pub y: f64,
    pub h: f64,
    /// Content px scrolled per px the thumb moves.
    pub scale: f64,
}

/// Width of the scrollbar, px.
pub const SCROLLBAR_W: f64 = 10.0;

/// Where the scrollbar's thumb is for `view` over `lanes`.
pub fn scrollbar(lanes: &[Lane], view: &View) -> Option<Scrollbar> {
    let content = content_height(lanes);
    let vis = view.height - AXIS_H;
    if vis <= 0.0 || content <= vis + 0.5 {
        return None;
    }
    let h = (vis * vis / content).clamp(24.0_f64.min(vis), vis);
    let max_scroll = content - vis;
    let travel = (vis - h).max(1.0);
    Some(Scrollbar {
        x: view.width - SCROLLBAR_W,
        y: AXIS_H + (view.scroll_y / max_scroll).clamp(0.0, 1.0) * travel,
        h,
        scale: max_scroll / travel,
    })
}

/// Indices of the lanes visible in the viewport (canvas height minus the axis).
pub fn visible_lanes(lanes: &[Lane], view: &View) -> std::ops::Range<usize> {
    let top = view.scroll_y;
    let bottom = view.scroll_y + (view.height - AXIS_H);
    let lo = lanes.partition_point(|l| l.y + l.h < top);
    let hi = lanes.partition_point(|l| l.y < bottom);
    lo..hi.max(lo)
}
/// Draws lane `lane` (the `index`th of the lane list) with its top at canvas
/// y `y`, marking the hits of search `find`.
pub fn draw(
    p: &mut Vec<Prim>,
    m: &Model,
    lane: &Lane,
    (y, index): (f64, usize),
    view: &View,
    theme: &Theme,
    find: Option<&Filter>,
) -> Drawn {
    let cx = Cx {
        m,
        view,
        theme,
        find,
    };
    let at = At { lane, y, index };
    match lane.kind {
        LaneKind::Section => header::draw_section(p, cx, at),
        LaneKind::Group(_) => header::draw_group(p, cx, at),
        LaneKind::Goroutine(g) => goroutine::draw(p, cx, at, g),
        LaneKind::Regions(g, d) => regions::draw(p, cx, at, (g, d)),
        LaneKind::Proc(i) => exec::draw(p, cx, at, Exec::Proc(i)),
        LaneKind::Thread(i) => exec::draw(p, cx, at, Exec::Thread(i)),
        LaneKind::Samples => samples::draw(p, cx, at),
        LaneKind::Gc => gc::draw(p, cx, at),
        LaneKind::Goroutines | LaneKind::Waiting | LaneKind::Heap | LaneKind::Threads => {
            counter::draw(p, cx, at)
        }
    }
}

/// The lane at canvas y.
pub fn lane_at<'a>(lanes: &'a [Lane], view: &View, y: f64) -> Option<&'a Lane> {
    if y < AXIS_H {
        return None;
    }
    let cy = y - AXIS_H + view.scroll_y;
    let i = lanes.partition_point(|l| l.y + l.h < cy);
    lanes.get(i).filter(|l| cy >= l.y && cy < l.y + l.h)
}
/// Hit test at canvas (x, y); spans narrower than a few pixels are found
/// within `slop_px` of the pointer.
pub fn hit(m: &Model, lanes: &[Lane], view: &View, x: f64, y: f64) -> Option<Hit> {
    let lane = lane_at(lanes, view, y)?;
    if let LaneKind::Group(g) = lane.kind {
        return Some(Hit::Group(g));
    }
    if lane.kind == LaneKind::Section {
        let n = lanes
            .iter()
            .take_while(|l| !std::ptr::eq(*l, lane))
            .filter(|l| l.kind == LaneKind::Section)
            .count();
        let bit = SECTIONS.get(n).copied().unwrap_or(0);
        return (bit != 0).then_some(Hit::Section(bit));
    }
    if x < GUTTER {
        return None;
    }
    let t = view.t_of(x);
    let slop = 3.0 * view.ns_per_px();
    match lane.kind {
        LaneKind::Goroutine(g) => goroutine::hit(m, g, lane, view, y, t, slop),
        LaneKind::Proc(p) => exec::hit(m, Exec::Proc(p), t, slop),
        LaneKind::Thread(p) => exec::hit(m, Exec::Thread(p), t, slop),
        LaneKind::Samples => samples::hit(m, t, slop),
        LaneKind::Regions(g, d) => regions::hit(m, (g, d), t, slop),
        LaneKind::Gc => gc::hit(m, t, slop),
        k @ (LaneKind::Goroutines | LaneKind::Waiting | LaneKind::Heap | LaneKind::Threads) => {
            Some(Hit::Counter(k, t))
        }
        LaneKind::Section | LaneKind::Group(_) => None,
    }
}

/// A one-line-per-fact description of what is under the pointer (tooltip text).
pub fn describe(m: &Model, hit: Hit) -> Vec<String> {
    describe_at(m, hit, 1e6)
}

/// [`describe`], times with as many digits as `res` ns needs (the time a
/// pixel covers: the tooltip follows the zoom).
pub fn describe_at(m: &Model, hit: Hit, res: f64) -> Vec<String> {
    match hit {
        Hit::Span(g, i) => goroutine::describe_span(m, g, i, res),
        Hit::Log(i) => goroutine::describe_log(m, i, res),
        Hit::ProcSpan(p, i) => exec::describe(m, Exec::Proc(p), i, res),
        Hit::ThreadSpan(t, i) => exec::describe(m, Exec::Thread(t), i, res),
        Hit::Sample(i) => samples::describe(m, i, res),
        Hit::Region(i) => regions::describe(m, i, res),
        Hit::Range(i) => gc::describe(m, i, res),
        Hit::Group(gi) => header::describe_group(m, gi),
        Hit::Section(_) => vec![
            "click to fold or unfold this section".into(),
            "(keyboard: ↑/↓ to it, then Enter)".into(),
        ],
        Hit::Counter(kind, t) => counter::describe(m, kind, t, res),
    }
}
