//! Pure layout: from the model and the view state to what is drawn where.
//! Lanes and their vertical positions, the visible spans of a lane merged
//! into runs at least a pixel wide, axis ticks, counter columns, hit tests.
//! No browser types here; everything is tested on the host.

use gotrace::timeline::{CounterKind, ExecLane, RangeKind, SpanLevels, Timeline};

use crate::view::{View, AXIS_H, GUTTER};

pub const COUNTER_H: f64 = 44.0;
pub const GC_H: f64 = 18.0;
pub const PROC_H: f64 = 20.0;
pub const SECTION_H: f64 = 22.0;
pub const GROUP_H: f64 = 20.0;
pub const GOROUTINE_H: f64 = 16.0;
pub const REGION_H: f64 = 12.0;
pub const LANE_GAP: f64 = 2.0;

/// Goroutines sharing a start function.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub name: String,
    /// Goroutine indices, by id.
    pub goroutines: Vec<u32>,
    /// Total running time of its goroutines, ns.
    pub running: i64,
}

/// A loaded trace: the timeline plus what is derived once from it.
#[derive(Clone, Debug)]
pub struct Model {
    pub tl: Timeline,
    /// Groups, busiest first.
    pub groups: Vec<Group>,
    /// Deepest region nesting per goroutine index (0 = no regions).
    pub region_rows: Vec<u16>,
    /// GC mark assist ranges (indices into `Timeline::ranges`) per goroutine index.
    pub assists: Vec<Vec<u32>>,
    /// GC sweep ranges (indices into `Timeline::ranges`) per P index.
    pub sweeps: Vec<Vec<u32>>,
    /// User log messages (indices into `Timeline::logs`, by time) per goroutine index.
    pub logs: Vec<Vec<u32>>,
}

impl Model {
    pub fn new(tl: Timeline) -> Model {
        use std::collections::HashMap;
        let mut by_name: HashMap<String, Group> = HashMap::new();
        for (gi, g) in tl.goroutines.iter().enumerate() {
            // Skip goroutines that never existed in the trace.
            if !g.drawn {
                continue;
            }
            let running = g.running;
            let name = tl.goroutine_name(gi);
            let grp = by_name.entry(name.clone()).or_insert_with(|| Group {
                name,
                goroutines: Vec::new(),
                running: 0,
            });
            grp.goroutines.push(gi as u32);
            grp.running += running;
        }
        let mut groups: Vec<Group> = by_name.into_values().collect();
        groups.sort_by(|a, b| b.running.cmp(&a.running).then_with(|| a.name.cmp(&b.name)));
        let mut region_rows = vec![0u16; tl.goroutines.len()];
        for r in &tl.regions {
            if let Some(d) = region_rows.get_mut(r.goroutine as usize) {
                *d = (*d).max(r.depth.saturating_add(1));
            }
        }
        let mut assists = vec![Vec::new(); tl.goroutines.len()];
        let mut sweeps = vec![Vec::new(); tl.procs.len()];
        for (i, r) in tl.ranges.iter().enumerate() {
            match r.kind {
                RangeKind::GcMarkAssist => {
                    if let Some(v) = usize::try_from(r.resource)
                        .ok()
                        .and_then(|g| assists.get_mut(g))
                    {
                        v.push(i as u32);
                    }
                }
                RangeKind::GcSweep => {
                    let p = tl.procs.iter().position(|p| p.id == r.resource);
                    if let Some(v) = p.and_then(|p| sweeps.get_mut(p)) {
                        v.push(i as u32);
                    }
                }
                _ => {}
            }
        }
        let mut logs = vec![Vec::new(); tl.goroutines.len()];
        for (i, l) in tl.logs.iter().enumerate() {
            if let Some(v) = logs.get_mut(l.goroutine as usize) {
                v.push(i as u32);
            }
        }
        Model {
            tl,
            groups,
            region_rows,
            assists,
            sweeps,
            logs,
        }
    }

    /// The log message (index into `Timeline::logs`) of goroutine `g` nearest to `t`
    /// within `slop` ns, if any.
    pub fn log_near(&self, g: u32, t: f64, slop: f64) -> Option<u32> {
        let ids = self.logs.get(g as usize)?;
        let k = ids.partition_point(|&i| (self.tl.logs[i as usize].time as f64) < t - slop);
        ids[k..]
            .iter()
            .take_while(|&&i| (self.tl.logs[i as usize].time as f64) <= t + slop)
            .min_by(|&&a, &&b| {
                let da = (self.tl.logs[a as usize].time as f64 - t).abs();
                let db = (self.tl.logs[b as usize].time as f64 - t).abs();
                da.total_cmp(&db)
            })
            .copied()
    }

    /// Default collapsed groups: big groups start collapsed when there are many goroutines.
    pub fn default_collapsed(&self) -> std::collections::BTreeSet<u32> {
        let total: usize = self.groups.iter().map(|g| g.goroutines.len()).sum();
        if total <= 60 {
            return Default::default();
        }
        self.groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.goroutines.len() > 8)
            .map(|(i, _)| i as u32)
            .collect()
    }

    /// The group (index) of goroutine index `g`.
    pub fn group_of(&self, g: u32) -> Option<u32> {
        self.groups
            .iter()
            .position(|grp| grp.goroutines.contains(&g))
            .map(|i| i as u32)
    }
}

/// What a lane shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaneKind {
    /// A section title ("Procs", "Goroutines").
    Section,
    /// Goroutines running / runnable / in syscall, stacked.
    Goroutines,
    /// Goroutines waiting.
    Waiting,
    /// Heap in use vs heap goal.
    Heap,
    /// Threads: Ps running Go code and goroutines in syscalls.
    Threads,
    /// GC mark phases and stop-the-world pauses.
    Gc,
    /// Goroutines running on P (index into `Timeline::procs`).
    Proc(u32),
    /// Goroutines running on an OS thread (index into `Timeline::threads`).
    Thread(u32),
    /// CPU profile samples.
    Samples,
    /// Header of a goroutine group (index into `Model::groups`).
    Group(u32),
    /// Goroutine states (goroutine index).
    Goroutine(u32),
    /// User regions of a goroutine at one nesting depth.
    Regions(u32, u16),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub kind: LaneKind,
    /// Top, in content coordinates (before scrolling, below the axis).
    pub y: f64,
    pub h: f64,
    pub label: String,
}

/// All lanes, top to bottom, honouring collapsed groups.
pub fn lanes(m: &Model, collapsed: &std::collections::BTreeSet<u32>) -> Vec<Lane> {
    let mut out = Vec::new();
    let mut y = 0.0;
    let mut push = |kind, h: f64, label: String| {
        out.push(Lane { kind, y, h, label });
        y += h + LANE_GAP;
    };
    push(LaneKind::Section, SECTION_H, "Counters".into());
    push(LaneKind::Goroutines, COUNTER_H, "Goroutines".into());
    push(
        LaneKind::Waiting,
        COUNTER_H * 0.75,
        "Waiting goroutines".into(),
    );
    push(LaneKind::Heap, COUNTER_H, "Heap".into());
    push(LaneKind::Threads, COUNTER_H * 0.75, "Threads".into());
    push(LaneKind::Gc, GC_H, "GC".into());
    push(
        LaneKind::Section,
        SECTION_H,
        format!("Procs ({})", m.tl.procs.len()),
    );
    for (i, p) in m.tl.procs.iter().enumerate() {
        push(LaneKind::Proc(i as u32), PROC_H, format!("Proc {}", p.id));
    }
    if !m.tl.samples.is_empty() {
        push(LaneKind::Samples, GC_H, "CPU samples".into());
    }
    push(
        LaneKind::Section,
        SECTION_H,
        format!("Threads ({})", m.tl.threads.len()),
    );
    for (i, t) in m.tl.threads.iter().enumerate() {
        push(
            LaneKind::Thread(i as u32),
            PROC_H,
            format!("Thread {}", t.id),
        );
    }
    let n: usize = m.groups.iter().map(|g| g.goroutines.len()).sum();
    push(LaneKind::Section, SECTION_H, format!("Goroutines ({n})"));
    for (gi, grp) in m.groups.iter().enumerate() {
        let open = !collapsed.contains(&(gi as u32));
        let marker = if open { "▾" } else { "▸" };
        push(
            LaneKind::Group(gi as u32),
            GROUP_H,
            format!("{marker} {} ({})", grp.name, grp.goroutines.len()),
        );
        if open {
            for &g in &grp.goroutines {
                push(
                    LaneKind::Goroutine(g),
                    GOROUTINE_H,
                    format!("G{}", m.tl.goroutines[g as usize].id),
                );
                for d in 0..m.region_rows[g as usize] {
                    push(LaneKind::Regions(g, d), REGION_H, String::new());
                }
            }
        }
    }
    out
}

/// Total height of the lanes.
pub fn content_height(lanes: &[Lane]) -> f64 {
    lanes.last().map_or(0.0, |l| l.y + l.h + LANE_GAP)
}

/// Indices of the lanes visible in the viewport (canvas height minus the axis).
pub fn visible_lanes(lanes: &[Lane], view: &View) -> std::ops::Range<usize> {
    let top = view.scroll_y;
    let bottom = view.scroll_y + (view.height - AXIS_H);
    let lo = lanes.partition_point(|l| l.y + l.h < top);
    let hi = lanes.partition_point(|l| l.y < bottom);
    lo..hi.max(lo)
}

/// Canvas y of a lane's top.
pub fn lane_screen_y(lane: &Lane, view: &View) -> f64 {
    AXIS_H + lane.y - view.scroll_y
}

/// A drawn run: one span, or several adjacent sub-pixel spans merged.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Run {
    pub x0: f64,
    pub x1: f64,
    /// Colour key of the (dominant) span.
    pub key: u8,
    /// First span index in the run ([`SUMMARY`] for a run drawn from summaries).
    pub first: u32,
    /// Number of spans merged (0 for a run drawn from summaries).
    pub count: u32,
}

/// Number of colour keys [`merge_runs`] accepts.
pub use gotrace::timeline::KEYS;

/// [`Run::first`] of a run drawn from summaries rather than spans.
pub const SUMMARY: u32 = u32::MAX;

/// Merges spans (sorted, given as canvas x ranges) so that nothing narrower
/// than `min_px` is drawn alone: runs of adjacent narrow spans become one run
/// coloured by the key covering most of it. Wide spans are kept as they are.
pub fn merge_runs(spans: impl IntoIterator<Item = (f64, f64, u8, u32)>, min_px: f64) -> Vec<Run> {
    struct Pending {
        run: Run,
        weight: [f64; KEYS],
    }
    fn flush(p: &mut Option<Pending>, out: &mut Vec<Run>, min_px: f64) {
        if let Some(mut p) = p.take() {
            let mut best = 0;
            for k in 1..KEYS {
                if p.weight[k] > p.weight[best] {
                    best = k;
                }
            }
            if p.run.count > 1 {
                p.run.key = best as u8;
            }
            if p.run.x1 - p.run.x0 < min_px {
                p.run.x1 = p.run.x0 + min_px;
            }
            out.push(p.run);
        }
    }
    let mut out: Vec<Run> = Vec::new();
    let mut pending: Option<Pending> = None;
    for (x0, x1, key, idx) in spans {
        let key = key.min(KEYS as u8 - 1);
        let w = (x1 - x0).max(0.0);
        if w >= min_px {
            flush(&mut pending, &mut out, min_px);
            // A wide span may start inside the previous (widened) run.
            let x0 = out.last().map_or(x0, |r| x0.max(r.x1.min(x1)));
            out.push(Run {
                x0,
                x1,
                key,
                first: idx,
                count: 1,
            });
            continue;
        }
        match &mut pending {
            // Adjacent to a pending run that is still narrower than min_px: merge.
            Some(p) if x0 - p.run.x1 < min_px && p.run.x1 - p.run.x0 < min_px => {
                p.run.x1 = p.run.x1.max(x1);
                p.run.count += 1;
                p.weight[key as usize] += w.max(1e-9);
            }
            _ => {
                flush(&mut pending, &mut out, min_px);
                let x0 = out.last().map_or(x0, |r| x0.max(r.x1));
                let mut weight = [0.0; KEYS];
                weight[key as usize] = w.max(1e-9);
                pending = Some(Pending {
                    run: Run {
                        x0,
                        x1: x1.max(x0),
                        key,
                        first: idx,
                        count: 1,
                    },
                    weight,
                });
            }
        }
    }
    flush(&mut pending, &mut out, min_px);
    out
}

pub use gotrace::timeline::{color_key as span_key, wait_family};

/// Names of the colour keys (for the legend and tests).
pub fn key_name(key: u8) -> &'static str {
    match key {
        1 => "running",
        2 => "runnable",
        3 => "syscall",
        4 => "blocked (sync)",
        5 => "sleeping",
        6 => "blocked (network/IO)",
        7 => "blocked (GC)",
        8 => "blocked (other)",
        _ => "",
    }
}

/// Runs drawn from a lane's summaries, if the view is zoomed out enough for
/// them: one per stretch of adjacent buckets of the same key; about two
/// buckets per pixel are visited whatever the number of spans.
fn level_runs(levels: &SpanLevels, view: &View, key: impl Fn(u32) -> u8) -> Option<Vec<Run>> {
    let (l, w) = levels.level_for(view.ns_per_px())?;
    let buckets = levels.levels.get(l)?;
    let wf = w as f64;
    let b0 = (view.t0.max(0.0) / wf).floor() as usize;
    let b1 = ((view.t1.max(0.0) / wf).ceil() as usize + 1).min(buckets.len());
    let mut out: Vec<Run> = Vec::new();
    for (b, &v) in buckets.iter().enumerate().take(b1).skip(b0) {
        let item = v >> 8;
        if item == 0 || v & 255 == 0 {
            continue;
        }
        let k = key(item);
        if k == 0 {
            continue;
        }
        let x0 = view.x_of(b as f64 * wf).max(GUTTER);
        let x1 = view.x_of((b + 1) as f64 * wf).min(view.width);
        if x1 <= x0 {
            continue;
        }
        match out.last_mut() {
            Some(r) if r.key == k && x0 - r.x1 < 0.5 => r.x1 = r.x1.max(x1),
            _ => out.push(Run {
                x0,
                x1,
                key: k,
                first: SUMMARY,
                count: 0,
            }),
        }
    }
    for r in &mut out {
        r.x1 = r.x1.max(r.x0 + 1.0);
    }
    Some(out)
}

/// The runs to draw for goroutine index `g` in the view.
pub fn goroutine_runs(tl: &Timeline, g: u32, view: &View) -> Vec<Run> {
    let Some(gr) = tl.goroutines.get(g as usize) else {
        return Vec::new();
    };
    if let Some(runs) = level_runs(&gr.levels, view, |item| item.min(KEYS as u32 - 1) as u8) {
        return runs;
    }
    let (t0, t1) = (view.t0, view.t1);
    let x_max = view.width;
    let iter = tl
        .spans_from(g as usize, t0.floor() as i64)
        .take_while(|s| (s.start as f64) < t1)
        .filter_map(|s| {
            if s.key == 0 {
                return None;
            }
            let a = view.x_of(s.start as f64).max(GUTTER);
            let b = view.x_of(s.end as f64).min(x_max);
            (b > a || (b == a && a > GUTTER)).then_some((a, b, s.key, s.index as u32))
        });
    merge_runs(iter, 1.0)
}

/// Colour key (1..=12) of a goroutine on a P or thread lane.
pub fn goroutine_color(id: i64) -> u8 {
    (id.rem_euclid(12) + 1) as u8
}

/// Colour key of a thread lane span in a system call.
pub const SYSCALL_KEY: u8 = 13;

/// The runs to draw for an execution lane (a P or a thread): keyed by
/// goroutine ([`goroutine_color`]), system calls on threads [`SYSCALL_KEY`].
pub fn exec_runs(lane: &ExecLane, view: &View) -> Vec<Run> {
    if let Some(runs) = level_runs(&lane.levels, view, |item| {
        if item >= gotrace::timeline::lod::MAX_ITEM {
            SYSCALL_KEY
        } else {
            goroutine_color(item as i64 - 1)
        }
    }) {
        return runs;
    }
    let iter = lane
        .iter_from(view.t0.floor() as i64)
        .take_while(|s| (s.start as f64) < view.t1)
        .map(|s| {
            let a = view.x_of(s.start as f64).max(GUTTER);
            let b = view.x_of(s.end as f64).min(view.width);
            let key = if s.syscall {
                SYSCALL_KEY
            } else {
                goroutine_color(s.goroutine)
            };
            (a, b.max(a), key, s.index as u32)
        });
    merge_runs(iter, 1.0)
}

/// CPU sample ticks: x positions, at most one per pixel.
pub fn sample_ticks(tl: &Timeline, view: &View) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::new();
    for s in tl
        .samples_from(view.t0.floor() as i64)
        .take_while(|s| (s.time as f64) <= view.t1)
    {
        let x = view.x_of(s.time as f64).floor();
        if x >= GUTTER && out.last() != Some(&x) {
            out.push(x);
        }
    }
    out
}

/// GC lane runs: key 1 = mark phase, 2 = stop-the-world (drawn over the marks).
pub fn gc_runs(tl: &Timeline, view: &View) -> Vec<Run> {
    let mut marks = Vec::new();
    let mut stws = Vec::new();
    for (i, r) in tl.ranges.iter().enumerate() {
        if (r.end as f64) < view.t0 || (r.start as f64) > view.t1 {
            continue;
        }
        let a = view.x_of(r.start as f64).max(GUTTER);
        let b = view.x_of(r.end as f64).min(view.width).max(a);
        match r.kind {
            RangeKind::GcMark => marks.push((a, b, 1, i as u32)),
            RangeKind::StopTheWorld => stws.push((a, b, 2, i as u32)),
            _ => {}
        }
    }
    let mut out = merge_runs(marks, 1.0);
    out.extend(merge_runs(stws, 1.0));
    out
}

/// Regions of goroutine `g` at `depth` in the view (indices into `Timeline::regions`).
pub fn region_runs(tl: &Timeline, g: u32, depth: u16, view: &View) -> Vec<Run> {
    let lo = tl.regions.partition_point(|r| r.goroutine < g);
    let hi = tl.regions.partition_point(|r| r.goroutine <= g);
    let iter = (lo..hi).filter_map(|i| {
        let r = &tl.regions[i];
        if r.depth != depth || (r.end as f64) < view.t0 || (r.start as f64) > view.t1 {
            return None;
        }
        let a = view.x_of(r.start as f64).max(GUTTER);
        let b = view.x_of(r.end as f64).min(view.width).max(a);
        Some((a, b, (r.ty % 6) as u8 + 1, i as u32))
    });
    merge_runs(iter, 1.0)
}

/// One time-axis tick.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub x: f64,
    pub t: f64,
    pub label: String,
}

/// Ticks at a 1/2/5×10ⁿ ns step, at least `min_px` apart.
pub fn ticks(view: &View, min_px: f64) -> Vec<Tick> {
    let span = view.t1 - view.t0;
    if span <= 0.0 || !span.is_finite() {
        return Vec::new();
    }
    let raw = span * min_px / view.plot_width();
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
        .max(1.0);
    let first = (view.t0 / step).ceil() as i64;
    let last = (view.t1 / step).floor() as i64;
    (first..=last)
        .map(|k| {
            let t = k as f64 * step;
            Tick {
                x: view.x_of(t),
                t,
                label: crate::format::tick_label(t, step),
            }
        })
        .collect()
}

/// A counter sampled per pixel column of the plot: column `i` covers
/// `[t_of(GUTTER+i), t_of(GUTTER+i+1))` and holds the maximum value in it.
/// Zoomed out, the maxima come from the counter's summaries.
pub fn counter_columns(tl: &Timeline, kind: CounterKind, view: &View) -> Vec<u64> {
    let n = view.plot_width().ceil() as usize;
    let mut out = vec![0u64; n];
    if n == 0 {
        return out;
    }
    let npp = view.ns_per_px();
    let dur = tl.duration as f64;
    let levels = tl.counter_levels(kind);
    if let Some((l, w)) = levels.level_for(npp) {
        let buckets = levels.levels.get(l).map_or(&[][..], |b| &b[..]);
        let scale = levels.scale;
        let wf = w as f64;
        for (col, slot) in out.iter_mut().enumerate() {
            let ta = view.t0 + col as f64 * npp;
            let tb = ta + npp;
            if ta > dur || tb < 0.0 {
                continue;
            }
            let b0 = (ta.max(0.0) / wf).floor() as usize;
            let b1 = ((tb.min(dur) / wf).ceil() as usize).max(b0 + 1);
            *slot = buckets
                .get(b0.min(buckets.len())..b1.min(buckets.len()))
                .and_then(|s| s.iter().copied().max())
                .map_or(0, |v| (v as u64) << scale);
        }
        return out;
    }
    let mut samples = tl.counter_from(kind, view.t0.floor() as i64).peekable();
    let mut current = 0u64;
    // The sample in effect at t0 (if it is not after t0).
    if let Some(&(t, v)) = samples.peek() {
        if (t as f64) <= view.t0 {
            current = v;
            samples.next();
        }
    }
    for (col, slot) in out.iter_mut().enumerate() {
        let t_end = view.t0 + (col as f64 + 1.0) * npp;
        let mut m = current;
        while let Some(&(t, v)) = samples.peek() {
            if (t as f64) >= t_end {
                break;
            }
            current = v;
            m = m.max(v);
            samples.next();
        }
        // Nothing is known after the trace end or before its start.
        let t_start = view.t0 + col as f64 * npp;
        *slot = if t_start > dur || t_end < 0.0 { 0 } else { m };
    }
    out
}

/// What is under a canvas point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Hit {
    /// A goroutine span (goroutine index, span index).
    Span(u32, u32),
    /// A P span (P index, span index in its lane).
    ProcSpan(u32, u32),
    /// A thread span (thread index, span index in its lane).
    ThreadSpan(u32, u32),
    /// A CPU sample (index in `Timeline::samples`).
    Sample(u32),
    /// A region (index in `Timeline::regions`).
    Region(u32),
    /// A GC range (index in `Timeline::ranges`).
    Range(u32),
    /// A user log message (index in `Timeline::logs`).
    Log(u32),
    /// A group header (group index).
    Group(u32),
    /// A counter lane at time t.
    Counter(LaneKind, f64),
}

/// The span of an execution lane at `t`, or the nearest within `slop`.
fn exec_hit(lane: &ExecLane, t: f64, slop: f64) -> Option<u32> {
    if let Some(s) = lane.at(t as i64) {
        return Some(s.index as u32);
    }
    lane.iter_from((t - slop).floor() as i64)
        .take_while(|s| (s.start as f64) <= t + slop)
        .min_by(|a, b| {
            let d = |s: &gotrace::timeline::ExecSpan| {
                ((s.start as f64 - t).abs()).min((s.end as f64 - t).abs())
            };
            d(a).total_cmp(&d(b))
        })
        .map(|s| s.index as u32)
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
    if x < GUTTER {
        return None;
    }
    let tl = &m.tl;
    let t = view.t_of(x);
    let slop = 3.0 * view.ns_per_px();
    match lane.kind {
        LaneKind::Goroutine(g) => {
            // Log markers sit in the top third of the lane.
            let lane_top = lane_screen_y(lane, view);
            if y < lane_top + lane.h / 3.0 + 1.0 {
                if let Some(l) = m.log_near(g, t, slop) {
                    return Some(Hit::Log(l));
                }
            }
            let g = g as usize;
            let drawn = |i: usize| tl.span(g, i).filter(|s| s.key != 0);
            let at = tl.span_at(g, t as i64).and_then(drawn);
            // Else a tiny span within reach, after or before.
            let s = at
                .or_else(|| tl.span_at(g, (t + slop) as i64).and_then(drawn))
                .or_else(|| {
                    tl.span_at(g, (t - slop) as i64)
                        .and_then(drawn)
                        .filter(|s| (s.end as f64) >= t - slop)
                })?;
            Some(Hit::Span(g as u32, s.index as u32))
        }
        LaneKind::Proc(p) => {
            exec_hit(tl.procs.get(p as usize)?, t, slop).map(|i| Hit::ProcSpan(p, i))
        }
        LaneKind::Thread(p) => {
            exec_hit(tl.threads.get(p as usize)?, t, slop).map(|i| Hit::ThreadSpan(p, i))
        }
        LaneKind::Samples => tl
            .samples_from((t - slop).floor() as i64)
            .take_while(|s| (s.time as f64) <= t + slop)
            .min_by(|a, b| {
                let da = (a.time as f64 - t).abs();
                let db = (b.time as f64 - t).abs();
                da.total_cmp(&db)
            })
            .map(|s| Hit::Sample(s.index as u32)),
        LaneKind::Regions(g, d) => {
            let lo = tl.regions.partition_point(|r| r.goroutine < g);
            let hi = tl.regions.partition_point(|r| r.goroutine <= g);
            (lo..hi)
                .find(|&i| {
                    let r = &tl.regions[i];
                    r.depth == d && (r.start as f64) <= t + slop && (r.end as f64) >= t - slop
                })
                .map(|i| Hit::Region(i as u32))
        }
        LaneKind::Gc => tl
            .ranges
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r.kind, RangeKind::GcMark | RangeKind::StopTheWorld))
            .filter(|(_, r)| (r.start as f64) <= t + slop && (r.end as f64) >= t - slop)
            // Prefer the stop-the-world pause over the mark phase around it.
            .max_by_key(|(_, r)| r.kind == RangeKind::StopTheWorld)
            .map(|(i, _)| Hit::Range(i as u32)),
        k @ (LaneKind::Goroutines | LaneKind::Waiting | LaneKind::Heap | LaneKind::Threads) => {
            Some(Hit::Counter(k, t))
        }
        LaneKind::Section | LaneKind::Group(_) => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use gotrace::timeline::*;

    #[test]
    fn wide_spans_stay_separate() {
        let runs = merge_runs(
            vec![(0.0, 10.0, 1, 0), (10.0, 20.0, 2, 1), (20.0, 35.5, 1, 2)],
            1.0,
        );
        assert_eq!(runs.len(), 3);
        assert_eq!(
            runs[1],
            Run {
                x0: 10.0,
                x1: 20.0,
                key: 2,
                first: 1,
                count: 1
            }
        );
    }

    #[test]
    fn sub_pixel_spans_merge_with_the_dominant_colour() {
        // 100 spans of 0.1 px: 70% key 1, 30% key 2.
        let spans: Vec<_> = (0..100)
            .map(|i| {
                (
                    i as f64 * 0.1,
                    i as f64 * 0.1 + 0.1,
                    if i % 10 < 7 { 1 } else { 2 },
                    i,
                )
            })
            .collect();
        let runs = merge_runs(spans, 1.0);
        assert!(runs.len() <= 11, "{runs:?}");
        assert!(runs.iter().all(|r| r.x1 - r.x0 >= 1.0 - 1e-9));
        assert_eq!(runs.iter().map(|r| r.count).sum::<u32>(), 100);
        assert!(runs.iter().all(|r| r.key == 1));
        // Runs are ordered and do not overlap.
        assert!(runs.windows(2).all(|w| w[0].x1 <= w[1].x0 + 1e-9));
    }

    #[test]
    fn isolated_tiny_span_is_widened_to_a_pixel() {
        let runs = merge_runs(vec![(5.0, 5.01, 3, 7), (50.0, 50.2, 1, 8)], 1.0);
        assert_eq!(runs.len(), 2);
        assert_eq!(
            (runs[0].x0, runs[0].x1, runs[0].key, runs[0].first),
            (5.0, 6.0, 3, 7)
        );
    }

    #[test]
    fn merged_runs_are_bounded_by_the_pixel_width() {
        // A million spans over 1000 px never produce more than ~1000 runs.
        let spans = (0..1_000_000u32).map(|i| {
            let x = i as f64 * 0.001;
            (x, x + 0.0008, (i % 3) as u8 + 1, i)
        });
        let runs = merge_runs(spans, 1.0);
        assert!(runs.len() <= 1001, "{}", runs.len());
    }

    #[test]
    fn wait_reasons_have_families() {
        assert_eq!(span_key(SpanState::Waiting, "chan receive"), 4);
        assert_eq!(span_key(SpanState::Waiting, "sync.Mutex.Lock"), 4);
        assert_eq!(span_key(SpanState::Waiting, "sleep"), 5);
        assert_eq!(span_key(SpanState::Waiting, "network"), 6);
        assert_eq!(
            span_key(SpanState::Waiting, "GC background sweeper wait"),
            7
        );
        assert_eq!(span_key(SpanState::Waiting, "forever"), 8);
        assert_eq!(span_key(SpanState::Running, ""), 1);
        assert_eq!(span_key(SpanState::NotExist, ""), 0);
        assert_eq!(key_name(3), "syscall");
    }

    /// Two goroutines: G1 with many tiny spans then a long wait; G2 short.
    pub(crate) fn model() -> Model {
        let mut b = gotrace::timeline::Builder::new();
        let mut tables = gotrace::Tables::new();
        let f = tables.intern_str("main.worker");
        let file = tables.intern_str("w.go");
        let fr = tables.intern_frame(gotrace::tables::Frame {
            pc: 1,
            func: f,
            file,
            line: 3,
        });
        let st = tables.intern_stack(&[fr]);
        let chan = tables.intern_str("chan receive");
        use gotrace::event::*;
        let mk = |time, g, p, id, old, new, reason, stack| Event {
            time,
            m: 0,
            p,
            g,
            stack: gotrace::tables::StackId::NONE,
            wire_type: 0,
            payload: Payload::StateTransition(StateTransition {
                transition: Transition::Goroutine { id, old, new },
                reason,
                stack,
            }),
        };
        use gotrace::tables::{StackId, StrId};
        b.push(&mk(
            0,
            -1,
            0,
            1,
            GoState::Undetermined,
            GoState::Running,
            StrId::EMPTY,
            st,
        ));
        b.push(&mk(
            0,
            -1,
            -1,
            2,
            GoState::Undetermined,
            GoState::Runnable,
            StrId::EMPTY,
            st,
        ));
        let mut t = 0;
        for _ in 0..1000 {
            t += 10;
            b.push(&mk(
                t,
                1,
                0,
                1,
                GoState::Running,
                GoState::Runnable,
                StrId::EMPTY,
                StackId::NONE,
            ));
            t += 10;
            b.push(&mk(
                t,
                -1,
                0,
                1,
                GoState::Runnable,
                GoState::Running,
                StrId::EMPTY,
                StackId::NONE,
            ));
        }
        b.push(&mk(
            t + 10,
            1,
            0,
            1,
            GoState::Running,
            GoState::Waiting,
            chan,
            st,
        ));
        b.push(&mk(
            t + 20,
            -1,
            0,
            2,
            GoState::Runnable,
            GoState::Running,
            StrId::EMPTY,
            StackId::NONE,
        ));
        b.push(&mk(
            1_000_000,
            2,
            0,
            1,
            GoState::Waiting,
            GoState::Runnable,
            StrId::EMPTY,
            StackId::NONE,
        ));
        Model::new(b.finish(&tables))
    }

    #[test]
    fn goroutine_runs_merge_when_zoomed_out_and_split_when_zoomed_in() {
        let m = model();
        let mut v = View::new(m.tl.duration, GUTTER + 1000.0, 600.0);
        let runs = goroutine_runs(&m.tl, 0, &v);
        // 2000 spans of 10 ns in the first 20 µs = ~20 px: merged into at most ~25 runs.
        assert!(runs.len() <= 25, "{}", runs.len());
        let widest = runs
            .iter()
            .max_by(|a, b| (a.x1 - a.x0).total_cmp(&(b.x1 - b.x0)))
            .unwrap();
        assert_eq!(widest.key, 4, "the long chan receive wait");
        v.fit(0.0, 100.0);
        let runs = goroutine_runs(&m.tl, 0, &v);
        assert!(runs.len() >= 9 && runs.len() <= 12, "{}", runs.len());
        assert!(runs.iter().all(|r| r.count == 1));
        assert_eq!(runs[0].key, 1);
        assert_eq!(runs[1].key, 2);
    }

    #[test]
    fn lanes_and_collapsing() {
        let m = model();
        assert_eq!(m.groups.len(), 1);
        assert_eq!(m.groups[0].name, "main.worker");
        let all = lanes(&m, &Default::default());
        assert!(all.iter().any(|l| l.kind == LaneKind::Goroutine(1)));
        assert!(all.windows(2).all(|w| w[0].y + w[0].h <= w[1].y));
        let collapsed = lanes(&m, &[0].into_iter().collect());
        assert!(!collapsed
            .iter()
            .any(|l| matches!(l.kind, LaneKind::Goroutine(_))));
        assert!(collapsed
            .last()
            .unwrap()
            .label
            .starts_with("▸ main.worker (2)"));
        assert!(content_height(&collapsed) < content_height(&all));
    }

    #[test]
    fn visible_lanes_follow_scrolling() {
        let m = model();
        let all = lanes(&m, &Default::default());
        let mut v = View::new(m.tl.duration, 1200.0, AXIS_H + 100.0);
        let r = visible_lanes(&all, &v);
        assert_eq!(r.start, 0);
        assert!(all[r.end - 1].y < 100.0);
        v.scroll_y = content_height(&all) - 50.0;
        let r = visible_lanes(&all, &v);
        assert_eq!(r.end, all.len());
        assert!(r.start > 0);
    }

    #[test]
    fn hit_finds_spans_groups_and_nothing_in_gaps() {
        let m = model();
        let all = lanes(&m, &Default::default());
        let v = View::new(m.tl.duration, GUTTER + 1000.0, 2000.0);
        let g0 = all
            .iter()
            .find(|l| l.kind == LaneKind::Goroutine(0))
            .unwrap();
        let y = lane_screen_y(g0, &v) + g0.h / 2.0;
        let x = v.x_of(500_000.0);
        let Some(Hit::Span(0, s)) = hit(&m, &all, &v, x, y) else {
            panic!("no span")
        };
        assert_eq!(
            m.tl.span(0, s as usize).unwrap().kind.state,
            gotrace::timeline::SpanState::Waiting
        );
        let grp = all.iter().find(|l| l.kind == LaneKind::Group(0)).unwrap();
        assert_eq!(
            hit(&m, &all, &v, 10.0, lane_screen_y(grp, &v) + 2.0),
            Some(Hit::Group(0))
        );
        assert_eq!(hit(&m, &all, &v, x, 5.0), None, "the axis");
        let p0 = all.iter().find(|l| l.kind == LaneKind::Proc(0)).unwrap();
        assert!(matches!(
            hit(&m, &all, &v, v.x_of(1.0), lane_screen_y(p0, &v) + 5.0),
            Some(Hit::ProcSpan(0, _))
        ));
    }

    #[test]
    fn log_markers_are_found_near_the_pointer() {
        use gotrace::event::*;
        let mut tables = gotrace::Tables::new();
        let msg = tables.intern_str("hello");
        let mut b = gotrace::timeline::Builder::new();
        let st = StateTransition {
            transition: Transition::Goroutine {
                id: 1,
                old: GoState::Undetermined,
                new: GoState::Running,
            },
            reason: gotrace::tables::StrId::EMPTY,
            stack: gotrace::tables::StackId::NONE,
        };
        let ev = |time, payload| Event {
            time,
            m: 0,
            p: 0,
            g: 1,
            stack: gotrace::tables::StackId::NONE,
            wire_type: 0,
            payload,
        };
        b.push(&ev(0, Payload::StateTransition(st)));
        b.push(&ev(
            500,
            Payload::Log {
                task: 0,
                category: gotrace::tables::StrId::EMPTY,
                message: msg,
            },
        ));
        b.push(&ev(
            1000,
            Payload::Log {
                task: 0,
                category: gotrace::tables::StrId::EMPTY,
                message: msg,
            },
        ));
        let m = Model::new(b.finish(&tables));
        assert_eq!(m.logs[0], vec![0, 1]);
        assert_eq!(m.log_near(0, 520.0, 50.0), Some(0));
        assert_eq!(m.log_near(0, 980.0, 50.0), Some(1));
        assert_eq!(m.log_near(0, 750.0, 50.0), None);
        let all = lanes(&m, &Default::default());
        let v = View::new(m.tl.duration, GUTTER + 1000.0, 800.0);
        let lane = all
            .iter()
            .find(|l| l.kind == LaneKind::Goroutine(0))
            .unwrap();
        let top = lane_screen_y(lane, &v);
        assert_eq!(
            hit(&m, &all, &v, v.x_of(500.0), top + 2.0),
            Some(Hit::Log(0))
        );
        assert!(matches!(
            hit(&m, &all, &v, v.x_of(500.0), top + lane.h - 2.0),
            Some(Hit::Span(0, _))
        ));
        let text = crate::scene::describe(&m, Hit::Log(0));
        assert_eq!(text[1], "hello");
    }

    #[test]
    fn ticks_are_round_and_inside() {
        let mut v = View::new(1_000_000, GUTTER + 1000.0, 500.0);
        v.fit(0.0, 1e6);
        let t = ticks(&v, 80.0);
        assert!(t.len() >= 8 && t.len() <= 13, "{}", t.len());
        assert!(t.iter().all(|k| k.x >= GUTTER && k.x <= v.width));
        assert_eq!(t[0].label, "0");
        assert!(t.iter().any(|k| k.label == "100 µs"), "{t:?}");
    }

    /// A timeline from metric samples and goroutine transitions.
    fn built(heap: &[(i64, u64)], go: &[(i64, i64, GoStateT, GoStateT)], end: i64) -> Timeline {
        use gotrace::event::*;
        let tables = gotrace::Tables::new();
        let mut b = gotrace::timeline::Builder::new();
        let ev = |time, g, payload| Event {
            time,
            m: 1,
            p: 0,
            g,
            stack: gotrace::tables::StackId::NONE,
            wire_type: 0,
            payload,
        };
        let mut all: Vec<(i64, Event)> = Vec::new();
        for &(t, v) in heap {
            let payload = Payload::Metric {
                metric: Metric::HeapAlloc,
                value: v,
            };
            all.push((t, ev(t, -1, payload)));
        }
        for &(t, id, old, new) in go {
            let st = StateTransition {
                transition: Transition::Goroutine { id, old, new },
                reason: gotrace::tables::StrId::EMPTY,
                stack: gotrace::tables::StackId::NONE,
            };
            all.push((t, ev(t, id, Payload::StateTransition(st))));
        }
        all.sort_by_key(|e| e.0);
        b.push(&ev(0, -1, Payload::Sync { n: 1, clock: None }));
        all.iter().for_each(|(_, e)| b.push(e));
        b.push(&ev(end, -1, Payload::Sync { n: 2, clock: None }));
        b.finish(&tables)
    }
    type GoStateT = gotrace::event::GoState;

    #[test]
    fn counter_columns_hold_the_maximum() {
        let tl = built(&[(0, 10), (500, 30), (501, 20)], &[], 1000);
        let mut v = View::new(1000, GUTTER + 100.0, 500.0);
        v.t0 = 0.0;
        v.t1 = 1000.0;
        let cols = counter_columns(&tl, CounterKind::HeapAlloc, &v);
        assert_eq!(cols.len(), 100);
        assert_eq!(cols[0], 10);
        assert_eq!(cols[49], 10);
        assert_eq!(cols[50], 30, "the short spike is kept");
        assert_eq!(cols[51], 20);
        assert_eq!(cols[99], 20);
    }

    /// Zoomed out, lanes are drawn from summaries; what they show agrees with
    /// the spans, and a short spike in a counter is kept.
    #[test]
    fn zoomed_out_lanes_draw_from_summaries() {
        use gotrace::event::GoState::*;
        let n = 20_000i64;
        // G1 runs 10 ns out of every 100 (waits otherwise) in the first half,
        // then runs 90 ns out of 100.
        let mut go = vec![(0, 1, Undetermined, Running)];
        let mut heap = Vec::new();
        for i in 0..n {
            let t = i * 100;
            let run = if i < n / 2 { 10 } else { 90 };
            if i > 0 {
                go.push((t, 1, Waiting, Running));
            }
            go.push((t + run, 1, Running, Waiting));
            heap.push((t, (i % 7) as u64));
        }
        heap.push((n * 50 + 33, 1_000));
        let tl = built(&heap, &go, n * 100);
        assert!(!tl.goroutines[0].levels.levels.is_empty());
        assert!(!tl.counter_levels(CounterKind::HeapAlloc).levels.is_empty());
        let v = View::new(tl.duration, GUTTER + 1000.0, 500.0);
        assert!(v.ns_per_px() > 1000.0);
        let runs = goroutine_runs(&tl, 0, &v);
        assert!(runs.iter().all(|r| r.first == SUMMARY));
        let key_at = |t: f64| {
            let x = v.x_of(t);
            runs.iter().find(|r| r.x0 <= x && x < r.x1).map(|r| r.key)
        };
        let waiting = span_key(gotrace::timeline::SpanState::Waiting, "");
        assert_eq!(key_at(n as f64 * 25.0), Some(waiting));
        assert_eq!(key_at(n as f64 * 75.0), Some(1), "running dominates");
        // Few runs: one per half (plus the edges), not one per span.
        assert!(runs.len() <= 6, "{runs:?}");
        let cols = counter_columns(&tl, CounterKind::HeapAlloc, &v);
        assert_eq!(
            cols.iter().copied().max(),
            Some(1_000),
            "the spike survives"
        );
        let col = (v.x_of(5e5) - GUTTER) as usize;
        assert_eq!(cols[col], 6);
        assert_eq!(cols[0], 0, "before the trace");
        // Zoomed in, spans are drawn one by one again.
        let mut z = v.clone();
        z.fit(0.0, 1000.0);
        let runs = goroutine_runs(&tl, 0, &z);
        assert!(runs.iter().all(|r| r.first != SUMMARY && r.count == 1));
        // 10 running and 10 waiting spans, and the edges of the padded view.
        assert!((20..=22).contains(&runs.len()), "{}", runs.len());
    }
}
