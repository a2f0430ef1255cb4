//! Building a [`Timeline`] from the ordered event stream.
//!
//! Go's semantics respected here:
//! - `Event.g/p/m` is the context *before* the event: a `GoStart` has no
//!   goroutine in its context; the goroutine is in the state transition, and
//!   the P it starts on is `Event.p`.
//! - An unblock (`Waiting → Runnable`) is done by the goroutine in the event's
//!   context (`Event.g`), if any.
//! - Every generation re-states goroutine and P states (`old == new`
//!   transitions): they are no-ops here. A first status (`old == Undetermined`)
//!   is back-dated to the start of the trace, as `go tool trace` does.
//! - Ranges active at the first generation's start (`RangeActive`) are
//!   back-dated to the start of the trace.

use std::collections::HashMap;

/// Hash maps keyed by small integers: SipHash showed up in profiles here.
type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<crate::intmap::IdHasher>>;

use super::*;
use crate::error::Error;
use crate::event::{
    Event, GoState, Metric, Payload, ProcState, RangeName, Resource, StateTransition, Transition,
};
use crate::event::{NO_GOROUTINE, NO_PROC};
use crate::tables::{StackId, StrId, Tables};

/// Reads every event of a trace into a timeline.
///
/// `on_progress(events, bytes_read, bytes_total)` is called every `every` events.
pub fn build(
    data: &[u8],
    every: u64,
    mut on_progress: impl FnMut(u64, usize, usize),
) -> Result<Timeline, Error> {
    let mut reader = crate::reader::Reader::new(data)?;
    let mut b = Builder::new();
    let mut n = 0u64;
    while let Some(ev) = reader.next_event() {
        b.push(&ev?);
        n += 1;
        if every > 0 && n.is_multiple_of(every) {
            on_progress(n, reader.position(), reader.len());
        }
    }
    Ok(b.finish(reader.tables()))
}

#[derive(Clone, Copy)]
struct SpanRec {
    start: i64,
    kind: u16,
    stack: u32,
    unblocker: u32,
}

struct GState {
    id: i64,
    state: SpanState,
    /// First non-empty transition stack: its root frame names the goroutine.
    first_stack: StackId,
    spans: Vec<SpanRec>,
    /// P it is executing on, or NO_PROC.
    on_proc: i64,
    /// Open regions: (type, task, start).
    open_regions: Vec<(u32, u64, i64)>,
}

#[derive(Default)]
struct PState {
    running: Option<(u32, i64)>,
    is_running: bool,
    spans: ProcSpans,
}

/// Consumes events one at a time; [`Builder::finish`] yields the timeline.
pub struct Builder {
    origin: Option<i64>,
    now: i64,
    events: u64,
    syncs: Vec<i64>,
    goroutines: Vec<GState>,
    g_index: FastMap<i64, u32>,
    procs: Vec<PState>,
    kinds: Vec<SpanKind>,
    kind_index: FastMap<SpanKind, u16>,
    open_ranges: FastMap<(u8, u32, i64), i64>,
    ranges: Vec<Range>,
    regions: Vec<Region>,
    tasks: Vec<Task>,
    task_index: FastMap<u64, usize>,
    logs: Vec<Log>,
    counters: Vec<Counter>,
    go_counts: [u64; 6],
    procs_running: u64,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

fn span_state(s: GoState) -> SpanState {
    match s {
        GoState::Undetermined => SpanState::Unknown,
        GoState::NotExist => SpanState::NotExist,
        GoState::Runnable => SpanState::Runnable,
        GoState::Running => SpanState::Running,
        GoState::Waiting => SpanState::Waiting,
        GoState::Syscall => SpanState::Syscall,
    }
}

fn counter_of(s: SpanState) -> Option<CounterKind> {
    match s {
        SpanState::Running => Some(CounterKind::GoRunning),
        SpanState::Runnable => Some(CounterKind::GoRunnable),
        SpanState::Waiting => Some(CounterKind::GoWaiting),
        SpanState::Syscall => Some(CounterKind::GoSyscall),
        SpanState::NotExist | SpanState::Unknown => None,
    }
}

impl Builder {
    pub fn new() -> Self {
        Builder {
            origin: None,
            now: 0,
            events: 0,
            syncs: Vec::new(),
            goroutines: Vec::new(),
            g_index: FastMap::default(),
            procs: Vec::new(),
            kinds: Vec::new(),
            kind_index: FastMap::default(),
            open_ranges: FastMap::default(),
            ranges: Vec::new(),
            regions: Vec::new(),
            tasks: Vec::new(),
            task_index: FastMap::default(),
            logs: Vec::new(),
            counters: vec![Counter::default(); CounterKind::ALL.len()],
            go_counts: [0; 6],
            procs_running: 0,
        }
    }

    /// Number of events consumed so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Consumes one event (events must come in the reader's order).
    pub fn push(&mut self, ev: &Event) {
        let origin = *self.origin.get_or_insert(ev.time);
        // Times never go backwards in an ordered stream; clamp defensively.
        let t = (ev.time - origin).max(self.now);
        self.now = t;
        self.events += 1;
        match ev.payload {
            Payload::Sync { .. } => self.syncs.push(t),
            Payload::Metric { metric, value } => {
                let k = match metric {
                    Metric::HeapAlloc => CounterKind::HeapAlloc,
                    Metric::HeapGoal => CounterKind::HeapGoal,
                    Metric::Gomaxprocs => CounterKind::Gomaxprocs,
                };
                self.counters[k as usize].push(t, value);
            }
            Payload::StateTransition(st) => match st.transition {
                Transition::Goroutine { id, old, new } => {
                    self.go_transition(ev, t, &st, id, old, new)
                }
                Transition::Proc { id, old, new } => self.proc_transition(t, id, old, new),
            },
            Payload::RangeBegin { name, scope } => {
                let key = self.range_key(name, scope);
                self.open_ranges.entry(key).or_insert(t);
            }
            Payload::RangeActive { name, scope } => {
                // Active since before this generation: since the trace start if
                // this is the first generation, else (not seen begin) since now.
                let key = self.range_key(name, scope);
                let start = if self.syncs.len() <= 1 { 0 } else { t };
                self.open_ranges.entry(key).or_insert(start);
            }
            Payload::RangeEnd { name, scope, .. } => {
                let key = self.range_key(name, scope);
                let start = self.open_ranges.remove(&key).unwrap_or(0);
                self.close_range(key, start, t);
            }
            Payload::TaskBegin { id, parent, ty } => {
                let i = self.task(id, parent, ty.0);
                self.tasks[i].start = Some(t);
            }
            Payload::TaskEnd { id, parent, ty } => {
                let i = self.task(id, parent, ty.0);
                self.tasks[i].end = Some(t);
            }
            Payload::RegionBegin { task, ty } => {
                if let Some(g) = self.context_goroutine(ev) {
                    self.goroutines[g as usize]
                        .open_regions
                        .push((ty.0, task, t));
                }
            }
            Payload::RegionEnd { task, ty } => {
                if let Some(g) = self.context_goroutine(ev) {
                    let gs = &mut self.goroutines[g as usize];
                    let (start, depth) = match gs.open_regions.iter().rposition(|r| r.0 == ty.0) {
                        Some(pos) => {
                            let start = gs.open_regions[pos].2;
                            gs.open_regions.truncate(pos);
                            (start, pos)
                        }
                        // Began before the trace.
                        None => (0, 0),
                    };
                    self.regions.push(Region {
                        goroutine: g,
                        start,
                        end: t,
                        ty: ty.0,
                        task,
                        depth: depth as u16,
                    });
                }
            }
            Payload::Log {
                task,
                category,
                message,
            } => {
                let goroutine = self.context_goroutine(ev).unwrap_or(NO_INDEX);
                self.logs.push(Log {
                    time: t,
                    goroutine,
                    task,
                    category: category.0,
                    message: message.0,
                });
            }
            Payload::Label { .. } | Payload::StackSample | Payload::Experimental(_) => {}
        }
    }

    fn context_goroutine(&mut self, ev: &Event) -> Option<u32> {
        (ev.g != NO_GOROUTINE).then(|| self.goroutine(ev.g))
    }

    fn goroutine(&mut self, id: i64) -> u32 {
        if let Some(&i) = self.g_index.get(&id) {
            return i;
        }
        let i = self.goroutines.len() as u32;
        self.goroutines.push(GState {
            id,
            state: SpanState::Unknown,
            first_stack: StackId::NONE,
            spans: Vec::new(),
            on_proc: NO_PROC,
            open_regions: Vec::new(),
        });
        self.g_index.insert(id, i);
        i
    }

    fn proc(&mut self, id: i64) -> Option<&mut PState> {
        if !(0..=1 << 20).contains(&id) {
            return None;
        }
        let i = id as usize;
        while self.procs.len() <= i {
            let pid = self.procs.len() as i64;
            self.procs.push(PState {
                spans: ProcSpans {
                    proc_id: pid,
                    ..Default::default()
                },
                ..Default::default()
            });
        }
        Some(&mut self.procs[i])
    }

    fn kind(&mut self, state: SpanState, reason: u32) -> u16 {
        let k = SpanKind { state, reason };
        if let Some(&i) = self.kind_index.get(&k) {
            return i;
        }
        let i = self.kinds.len().min(u16::MAX as usize) as u16;
        self.kinds.push(k);
        self.kind_index.insert(k, i);
        i
    }

    fn set_count(&mut self, t: i64, state: SpanState, delta: i64) {
        if let Some(k) = counter_of(state) {
            let c = &mut self.go_counts[state as usize];
            *c = c.saturating_add_signed(delta);
            let v = *c;
            self.counters[k as usize].push(t, v);
        }
    }

    fn end_proc_span(&mut self, p: i64, t: i64) {
        if let Some(ps) = self.proc(p) {
            if let Some((g, start)) = ps.running.take() {
                ps.spans.start.push(start);
                ps.spans.end.push(t);
                ps.spans.goroutine.push(g);
            }
        }
    }

    fn go_transition(
        &mut self,
        ev: &Event,
        t: i64,
        st: &StateTransition,
        id: i64,
        old: GoState,
        new: GoState,
    ) {
        let gi = self.goroutine(id);
        let (old_s, new_s) = (span_state(old), span_state(new));
        {
            let gs = &mut self.goroutines[gi as usize];
            if gs.first_stack.is_none() && !st.stack.is_none() {
                gs.first_stack = st.stack;
            }
        }
        let has_spans = !self.goroutines[gi as usize].spans.is_empty();
        if old == new && has_spans {
            // A generation re-stating a known state.
            return;
        }
        // Counters.
        // (Decrement what we last recorded, which equals `old` in a well-formed stream.)
        let prev = self.goroutines[gi as usize].state;
        self.set_count(t, prev, -1);
        self.set_count(t, new_s, 1);

        // Who unblocked it: the goroutine in the event's context.
        if old == GoState::Waiting && new == GoState::Runnable && ev.g != NO_GOROUTINE && ev.g != id
        {
            let by = self.goroutine(ev.g);
            if let Some(last) = self.goroutines[gi as usize].spans.last_mut() {
                last.unblocker = by;
            }
        }

        // P lanes: a goroutine occupies its P while executing (running or in a syscall).
        let on_proc = self.goroutines[gi as usize].on_proc;
        if old.executing() && !new.executing() && on_proc != NO_PROC {
            self.end_proc_span(on_proc, t);
            self.goroutines[gi as usize].on_proc = NO_PROC;
        }
        if new == GoState::Running && !old.executing() {
            let start = if old == GoState::Undetermined { 0 } else { t };
            if ev.p != NO_PROC {
                self.end_proc_span(ev.p, start);
                if let Some(ps) = self.proc(ev.p) {
                    ps.running = Some((gi, start));
                }
                self.goroutines[gi as usize].on_proc = ev.p;
            }
        } else if new == GoState::Syscall && old == GoState::Undetermined && ev.p != NO_PROC {
            // Was already in a syscall holding its P at trace start.
            self.end_proc_span(ev.p, 0);
            if let Some(ps) = self.proc(ev.p) {
                ps.running = Some((gi, 0));
            }
            self.goroutines[gi as usize].on_proc = ev.p;
        }

        // The state span.
        let reason = st.reason.0;
        let kind = self.kind(new_s, reason);
        let stack = if !ev.stack.is_none() {
            ev.stack.0
        } else {
            st.stack.0
        };
        let gs = &mut self.goroutines[gi as usize];
        gs.state = new_s;
        let start = if old == GoState::Undetermined && gs.spans.is_empty() {
            0
        } else {
            t
        };
        if gs.spans.is_empty()
            && start > 0
            && old_s != SpanState::NotExist
            && old != GoState::Undetermined
        {
            // First sight of a goroutine in a known old state (should not
            // happen in a well-formed stream): record the old state from 0.
            let k = self.kind(old_s, 0);
            self.goroutines[gi as usize].spans.push(SpanRec {
                start: 0,
                kind: k,
                stack: 0,
                unblocker: NO_INDEX,
            });
        }
        let gs = &mut self.goroutines[gi as usize];
        if let Some(last) = gs.spans.last_mut() {
            if last.start == start {
                // Zero-length span: replace it (keep who unblocked it).
                last.kind = kind;
                last.stack = stack;
                return;
            }
        }
        gs.spans.push(SpanRec {
            start,
            kind,
            stack,
            unblocker: NO_INDEX,
        });
    }

    fn proc_transition(&mut self, t: i64, id: i64, old: ProcState, new: ProcState) {
        let Some(ps) = self.proc(id) else { return };
        let was = ps.is_running;
        let is = new == ProcState::Running;
        ps.is_running = is;
        let _ = old;
        if was != is {
            self.procs_running = if is {
                self.procs_running + 1
            } else {
                self.procs_running.saturating_sub(1)
            };
            let v = self.procs_running;
            self.counters[CounterKind::ProcsRunning as usize].push(t, v);
        }
        if !is {
            // Stopped or stolen (e.g. from a goroutine blocked in a syscall).
            if let Some((g, _)) = self.procs[id as usize].running {
                if self.goroutines[g as usize].on_proc == id {
                    self.goroutines[g as usize].on_proc = NO_PROC;
                }
            }
            self.end_proc_span(id, t);
        }
    }

    fn range_key(&mut self, name: RangeName, scope: Resource) -> (u8, u32, i64) {
        let res = match scope {
            Resource::None => -1,
            Resource::Goroutine(g) => g,
            Resource::Proc(p) => p,
            Resource::Thread(m) => m,
        };
        match name {
            // Stop-the-world is one global lane whatever its scope.
            RangeName::StopTheWorld(kind) => (RangeKind::StopTheWorld as u8, kind.0, -1),
            RangeName::GcMark => (RangeKind::GcMark as u8, 0, -1),
            RangeName::GcSweep => (RangeKind::GcSweep as u8, 0, res),
            RangeName::GcMarkAssist => (RangeKind::GcMarkAssist as u8, 0, res),
        }
    }

    fn close_range(&mut self, key: (u8, u32, i64), start: i64, end: i64) {
        let kind = RangeKind::from_u8(key.0).unwrap_or(RangeKind::GcMark);
        let resource = match kind {
            RangeKind::GcMarkAssist if key.2 >= 0 => self.goroutine(key.2) as i64,
            _ => key.2,
        };
        self.ranges.push(Range {
            kind,
            label: key.1,
            resource,
            start,
            end,
        });
    }

    fn task(&mut self, id: u64, parent: u64, ty: u32) -> usize {
        if let Some(&i) = self.task_index.get(&id) {
            let tk = &mut self.tasks[i];
            if tk.ty == 0 {
                tk.ty = ty;
            }
            return i;
        }
        let i = self.tasks.len();
        self.tasks.push(Task {
            id,
            parent,
            ty,
            start: None,
            end: None,
        });
        self.task_index.insert(id, i);
        i
    }

    /// Closes everything still open at the last event and returns the model.
    /// `tables` are the reader's tables (the events' string and stack ids).
    pub fn finish(mut self, tables: &Tables) -> Timeline {
        let end = self.now;
        // Close open P spans, ranges and regions.
        for p in 0..self.procs.len() {
            self.end_proc_span(p as i64, end);
        }
        let mut open: Vec<_> = self.open_ranges.drain().collect();
        open.sort();
        for (key, start) in open {
            self.close_range(key, start, end);
        }
        self.ranges
            .sort_by_key(|r| (r.start, r.kind as u8, r.resource));
        for (gi, gs) in self.goroutines.iter_mut().enumerate() {
            for (depth, &(ty, task, start)) in gs.open_regions.iter().enumerate() {
                self.regions.push(Region {
                    goroutine: gi as u32,
                    start,
                    end,
                    ty,
                    task,
                    depth: depth as u16,
                });
            }
            gs.open_regions.clear();
        }

        // Goroutines sorted by id; remap indices.
        let mut order: Vec<u32> = (0..self.goroutines.len() as u32).collect();
        order.sort_by_key(|&i| self.goroutines[i as usize].id);
        let mut remap = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        let map = |i: u32| {
            if i == NO_INDEX {
                NO_INDEX
            } else {
                remap[i as usize]
            }
        };

        let total: usize = self.goroutines.iter().map(|g| g.spans.len()).sum();
        let mut spans = GoSpans {
            start: Vec::with_capacity(total),
            kind: Vec::with_capacity(total),
            stack: Vec::with_capacity(total),
            unblocker: Vec::with_capacity(total),
            kinds: std::mem::take(&mut self.kinds),
        };
        let mut goroutines = Vec::with_capacity(order.len());
        for &old in &order {
            let gs = &self.goroutines[old as usize];
            let spans_start = spans.start.len() as u32;
            for s in &gs.spans {
                spans.start.push(s.start);
                spans.kind.push(s.kind);
                spans.stack.push(s.stack);
                spans.unblocker.push(map(s.unblocker));
            }
            let name = root_func(tables, gs.first_stack).map_or(0, |s| s.0);
            goroutines.push(Goroutine {
                id: gs.id,
                name,
                spans_start,
                spans_end: spans.start.len() as u32,
            });
        }
        let procs = self
            .procs
            .into_iter()
            .map(|mut p| {
                for g in &mut p.spans.goroutine {
                    *g = map(*g);
                }
                p.spans
            })
            .collect();
        for r in &mut self.ranges {
            if r.kind == RangeKind::GcMarkAssist && r.resource >= 0 {
                r.resource = map(r.resource as u32) as i64;
            }
        }
        for r in &mut self.regions {
            r.goroutine = map(r.goroutine);
        }
        self.regions
            .sort_by_key(|r| (r.goroutine, r.start, r.depth));
        for l in &mut self.logs {
            l.goroutine = map(l.goroutine);
        }
        self.tasks.sort_by_key(|t| t.id);

        Timeline {
            origin: self.origin.unwrap_or(0),
            duration: end,
            events: self.events,
            syncs: self.syncs,
            goroutines,
            spans,
            procs,
            ranges: self.ranges,
            regions: self.regions,
            tasks: self.tasks,
            logs: self.logs,
            counters: self.counters,
            strings: copy_strings(tables),
            stacks: copy_stacks(tables),
        }
    }
}

/// Root (outermost) frame's function of a stack.
fn root_func(tables: &Tables, stack: StackId) -> Option<StrId> {
    tables.stack(stack).last().map(|f| f.func)
}

fn copy_strings(tables: &Tables) -> Strings {
    let mut s = Strings::default();
    for i in 1..tables.string_count() {
        s.bytes.extend_from_slice(tables.bytes(StrId(i as u32)));
        s.ends.push(s.bytes.len() as u32);
    }
    s
}

fn copy_stacks(tables: &Tables) -> Stacks {
    use crate::tables::FrameId;
    let mut s = Stacks::default();
    let mut i = 0u32;
    while let Some(f) = tables.frame(FrameId(i)) {
        s.frames.push(Frame {
            func: f.func.0,
            file: f.file.0,
            line: f.line.min(u32::MAX as u64) as u32,
        });
        i += 1;
    }
    for i in 1..tables.stack_count() {
        s.stack_frames.extend(
            tables
                .stack_frame_ids(StackId(i as u32))
                .iter()
                .map(|f| f.0),
        );
        s.ends.push(s.stack_frames.len() as u32);
    }
    s
}
