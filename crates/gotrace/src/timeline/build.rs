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

use super::feed::{MaxFeed, SpanFeed, SpanOf};
use super::lod::{self, MaxLevels};
use super::model::*;
use super::packed::{self, Packed, Rec};
use super::ship::SealedChunk;
use crate::error::Error;
use crate::event::{
    Event, GoState, Metric, Payload, ProcState, RangeName, Resource, StateTransition, Transition,
};
use crate::event::{NO_GOROUTINE, NO_PROC, NO_THREAD};
use crate::tables::{StackId, StrId, Tables};

/// Reads every event of a trace into a timeline.
///
/// `on_progress(events, bytes_read, bytes_total)` is called every `every` events.
pub fn build(
    data: &[u8],
    every: u64,
    mut on_progress: impl FnMut(u64, usize, usize),
) -> Result<Timeline, Error> {
    let mut b = Builder::new();
    let mut n = 0u64;
    let (reader, error) = crate::reader::read_events(data, |ev, reader| {
        b.push(ev);
        n += 1;
        if every > 0 && n.is_multiple_of(every) {
            on_progress(n, reader.position(), reader.len());
        }
    })?;
    match error {
        Some(e) => Err(e),
        None => Ok(b.finish(reader.tables())),
    }
}

/// Reads a trace (its bytes, or a stream: [`crate::stream::Source`]) into a
/// timeline: the model of what was read, and the damage that stopped the
/// read, if any (everything before it is in the model, as Go keeps it).
pub fn from_trace(source: impl crate::stream::Source) -> Result<(Timeline, Option<Error>), Error> {
    let mut b = Builder::new();
    let out = source.read_all(|ev, _| b.push(ev))?;
    Ok((b.finish(&out.tables), out.error))
}

/// Goroutine ids below this are looked up in a table.
const DENSE_IDS: i64 = 1 << 22;

/// Goroutine span record fields (see [`Goroutine::spans`]).
const SPAN_FIELDS: usize = 3;

#[derive(Clone)]
struct GState {
    id: i64,
    state: SpanState,
    /// First non-empty transition stack: its root frame names the goroutine.
    first_stack: StackId,
    /// Records `[start, payload, unblocker id + 1]`; the last one stays amendable.
    spans: packed::Writer,
    levels: SpanFeed,
    /// When it last started running (while running), and the total so far.
    running_since: Option<i64>,
    running: i64,
    drawn: bool,
    /// P it is executing on, or NO_PROC.
    on_proc: i64,
    /// Thread it is executing on (running or in a syscall), or NO_THREAD.
    on_thread: i64,
    /// Open regions: (type, task, start).
    open_regions: Vec<(u32, u64, i64)>,
}

/// An execution lane being built: the open span (goroutine index, start, aux)
/// and the finished ones.
#[derive(Clone)]
struct ExecState {
    running: Option<(u32, i64, i64)>,
    spans: packed::Writer,
    levels: SpanFeed,
}

impl ExecState {
    fn new(kind: ExecKind) -> ExecState {
        ExecState {
            running: None,
            spans: packed::Writer::new(ExecLane::fields(kind), 0b0001),
            levels: SpanFeed::default(),
        }
    }
}

#[derive(Clone)]
struct PState {
    is_running: bool,
    exec: ExecState,
}

/// A counter series being built: the values now, written out as one record
/// when time moves on (so several changes at one time cost one record).
#[derive(Clone)]
struct SeriesState {
    w: packed::Writer,
    levels: MaxFeed,
    values: Rec,
    time: i64,
    dirty: bool,
}

impl SeriesState {
    /// `steps`: the values move by one at a time (goroutine counts).
    fn new(fields: usize, steps: bool) -> SeriesState {
        let mask = if steps { 0xff } else { 0x7f };
        SeriesState {
            w: packed::Writer::new(fields, mask),
            levels: MaxFeed::default(),
            values: [0; packed::MAX_FIELDS],
            time: 0,
            dirty: false,
        }
    }
    fn flush(&mut self) {
        if self.dirty {
            let mut rec = self.values;
            rec[0] = self.time;
            // Changed and changed back at the same time: nothing to record.
            let same = self.w.last().is_some_and(|l| l[1..] == rec[1..]);
            if !same {
                self.w.push(rec);
            }
            self.dirty = false;
        }
    }
    fn set(&mut self, t: i64, col: usize, v: i64) {
        if t != self.time {
            self.flush();
            self.time = t;
        }
        if let Some(slot) = self.values.get_mut(col) {
            if *slot != v || self.w.is_empty() {
                *slot = v;
                self.dirty = true;
            }
        }
    }
    /// The series' column and its counters' levels (into `out`).
    fn finish(mut self, s: usize, end: i64, out: &mut [MaxLevels]) -> Packed {
        self.flush();
        let col = self.w.finish();
        self.levels.finish(s, &col, end, out);
        col
    }
}

/// Consumes events one at a time; [`Builder::finish`] yields the timeline.
#[derive(Clone)]
pub struct Builder {
    origin: Option<i64>,
    now: i64,
    events: u64,
    syncs: Vec<i64>,
    goroutines: Vec<GState>,
    /// Goroutine index by id: ids are small and dense in practice, so a
    /// table up to [`DENSE_IDS`], a map beyond.
    g_dense: Vec<u32>,
    g_index: FastMap<i64, u32>,
    procs: Vec<PState>,
    threads: Vec<(i64, ExecState)>,
    m_index: FastMap<i64, u32>,
    kinds: Vec<SpanKind>,
    /// Colour key of each kind known so far ([`Builder::update_keys`]).
    kind_keys: Vec<u8>,
    kind_index: FastMap<SpanKind, u16>,
    payloads: Vec<SpanPayload>,
    /// (state, reason, stack) → payload, so a transition costs one lookup.
    transition_payload: FastMap<(u8, u32, u32), u32>,
    open_ranges: FastMap<(u8, u32, i64), i64>,
    ranges: Vec<Range>,
    regions: Vec<Region>,
    tasks: Vec<Task>,
    task_index: FastMap<u64, usize>,
    logs: Vec<Log>,
    series: Vec<SeriesState>,
    samples: packed::Writer,
    go_counts: [i64; 6],
    procs_running: i64,
    /// The name of the next column to send chunks of ahead.
    next_column: u32,
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
            g_dense: Vec::new(),
            g_index: FastMap::default(),
            procs: Vec::new(),
            threads: Vec::new(),
            m_index: FastMap::default(),
            kinds: Vec::new(),
            kind_keys: Vec::new(),
            kind_index: FastMap::default(),
            payloads: Vec::new(),
            transition_payload: FastMap::default(),
            open_ranges: FastMap::default(),
            ranges: Vec::new(),
            regions: Vec::new(),
            tasks: Vec::new(),
            task_index: FastMap::default(),
            logs: Vec::new(),
            series: SERIES_FIELDS
                .iter()
                .enumerate()
                .map(|(i, &f)| SeriesState::new(f, i == 0))
                .collect(),
            samples: packed::Writer::new(4, 0b0001),
            go_counts: [0; 6],
            procs_running: 0,
            next_column: 1,
        }
    }

    /// Colour keys of the span kinds added since the last call (a kind's
    /// reason is a string of the reader's `tables`).
    fn update_keys(&mut self, tables: &Tables) {
        for k in &self.kinds[self.kind_keys.len()..] {
            self.kind_keys
                .push(color_key(k.state, &tables.str(StrId(k.reason))));
        }
    }

    /// Feeds the records written since the last call to the lanes' levels.
    fn feed_levels(&mut self, tables: &Tables) {
        self.update_keys(tables);
        let span = goroutine_span(&self.payloads, &self.kind_keys);
        for gs in &mut self.goroutines {
            gs.levels.feed(&gs.spans, &span);
        }
        let lanes = self.procs.iter_mut().map(|p| &mut p.exec);
        for ex in lanes.chain(self.threads.iter_mut().map(|t| &mut t.1)) {
            ex.levels.feed(&ex.spans, exec_span);
        }
        for (s, ser) in self.series.iter_mut().enumerate() {
            ser.levels.feed(s, &ser.w);
        }
    }

    /// Moves every chunk of the model's columns that will not be written to
    /// any more out of the builder, to `emit` (the viewer's worker sends
    /// them to the page at once, so what it holds does not grow with the
    /// model). The lanes' levels take those records first. The model
    /// [`Builder::finish`] returns then names the chunks sent (the page
    /// puts them back: [`Decoder::with_shipped`](super::Decoder::with_shipped)).
    /// `tables` are the reader's tables so far.
    pub fn take_sealed(&mut self, tables: &Tables, mut emit: impl FnMut(SealedChunk)) {
        self.feed_levels(tables);
        let mut send = |column, index, bytes| {
            emit(SealedChunk {
                column,
                index,
                bytes,
            })
        };
        let next = &mut self.next_column;
        let lanes = self.procs.iter_mut().map(|p| &mut p.exec.spans);
        let writers = self
            .goroutines
            .iter_mut()
            .map(|g| &mut g.spans)
            .chain(lanes)
            .chain(self.threads.iter_mut().map(|t| &mut t.1.spans))
            .chain(self.series.iter_mut().map(|s| &mut s.w))
            .chain([&mut self.samples]);
        for w in writers {
            w.take_sealed(next, &mut send);
        }
    }

    /// Number of events consumed so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Heap bytes held by the goroutine lanes' columns.
    pub fn goroutine_lane_bytes(&self) -> usize {
        self.goroutines
            .iter()
            .map(|g| g.spans.written().heap_bytes())
            .sum()
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
                self.set_counter(k, t, value.min(i64::MAX as u64) as i64);
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
            Payload::StackSample => {
                self.samples.push([
                    t,
                    ev.g.saturating_add(1).max(0),
                    ev.stack.0 as i64,
                    ev.m.saturating_add(1).max(0),
                    0,
                ]);
            }
            Payload::Label { .. } | Payload::Experimental(_) => {}
        }
    }

    fn set_counter(&mut self, kind: CounterKind, t: i64, v: i64) {
        let (s, col) = kind.source();
        if let Some(series) = self.series.get_mut(s) {
            series.set(t, col, v);
        }
    }

    fn context_goroutine(&mut self, ev: &Event) -> Option<u32> {
        (ev.g != NO_GOROUTINE).then(|| self.goroutine(ev.g))
    }

    #[inline]
    fn goroutine(&mut self, id: i64) -> u32 {
        let dense = (0..DENSE_IDS).contains(&id);
        if dense {
            if let Some(&i) = self.g_dense.get(id as usize) {
                if i != NO_INDEX {
                    return i;
                }
            }
        } else if let Some(&i) = self.g_index.get(&id) {
            return i;
        }
        self.new_goroutine(id, dense)
    }

    #[inline(never)]
    fn new_goroutine(&mut self, id: i64, dense: bool) -> u32 {
        let i = self.goroutines.len() as u32;
        self.goroutines.push(GState {
            id,
            state: SpanState::Unknown,
            first_stack: StackId::NONE,
            spans: packed::Writer::new(SPAN_FIELDS, 0b0001),
            levels: SpanFeed::default(),
            running_since: None,
            running: 0,
            drawn: false,
            on_proc: NO_PROC,
            on_thread: NO_THREAD,
            open_regions: Vec::new(),
        });
        if dense {
            let id = id as usize;
            if self.g_dense.len() <= id {
                self.g_dense.resize(id + 1, NO_INDEX);
            }
            self.g_dense[id] = i;
        } else {
            self.g_index.insert(id, i);
        }
        i
    }

    fn proc(&mut self, id: i64) -> Option<&mut PState> {
        if !(0..=1 << 20).contains(&id) {
            return None;
        }
        let i = id as usize;
        while self.procs.len() <= i {
            self.procs.push(PState {
                is_running: false,
                exec: ExecState::new(ExecKind::Proc),
            });
        }
        Some(&mut self.procs[i])
    }

    fn thread(&mut self, id: i64) -> Option<&mut ExecState> {
        if id == NO_THREAD {
            return None;
        }
        let i = match self.m_index.get(&id) {
            Some(&i) => i,
            None => {
                let i = self.threads.len() as u32;
                self.threads.push((id, ExecState::new(ExecKind::Thread)));
                self.m_index.insert(id, i);
                i
            }
        };
        self.threads.get_mut(i as usize).map(|t| &mut t.1)
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

    /// The interned (kind, stack) pair of a span in `state` entered for
    /// `reason` (a kind is one (state, reason) pair, so one lookup serves).
    fn payload(&mut self, state: SpanState, reason: u32, stack: u32) -> i64 {
        if let Some(&p) = self.transition_payload.get(&(state as u8, reason, stack)) {
            return p as i64;
        }
        let kind = self.kind(state, reason);
        let p = self.payloads.len() as u32;
        self.payloads.push(SpanPayload { kind, stack });
        self.transition_payload
            .insert((state as u8, reason, stack), p);
        p as i64
    }

    fn set_count(&mut self, t: i64, state: SpanState, delta: i64) {
        if let Some(k) = counter_of(state) {
            let c = &mut self.go_counts[state as usize];
            *c = c.saturating_add(delta).max(0);
            let v = *c;
            self.set_counter(k, t, v);
        }
    }

    /// Closes the open span of an execution lane at `t`.
    fn end_exec(goroutines: &[GState], ex: &mut ExecState, t: i64) {
        if let Some((g, start, aux)) = ex.running.take() {
            let id = goroutines.get(g as usize).map_or(-1, |g| g.id);
            ex.spans.push([start, t - start, id, aux, 0]);
        }
    }

    fn end_proc_span(&mut self, p: i64, t: i64) {
        if (0..self.procs.len() as i64).contains(&p) {
            Self::end_exec(&self.goroutines, &mut self.procs[p as usize].exec, t);
        }
    }

    fn begin_proc_span(&mut self, p: i64, g: u32, start: i64) {
        self.end_proc_span(p, start);
        if let Some(ps) = self.proc(p) {
            ps.exec.running = Some((g, start, 0));
        }
        self.goroutines[g as usize].on_proc = p;
    }

    fn end_thread_span(&mut self, g: u32, t: i64) {
        let m = std::mem::replace(&mut self.goroutines[g as usize].on_thread, NO_THREAD);
        if let Some(&i) = self.m_index.get(&m) {
            if let Some((_, ex)) = self.threads.get_mut(i as usize) {
                Self::end_exec(&self.goroutines, ex, t);
            }
        }
    }

    fn begin_thread_span(&mut self, m: i64, g: u32, start: i64, p: i64, syscall: bool) {
        let aux = ((p.max(-1) + 1) << 1) | syscall as i64;
        if self.thread(m).is_none() {
            return;
        }
        let Some(&i) = self.m_index.get(&m) else {
            return;
        };
        let Builder {
            threads,
            goroutines,
            ..
        } = self;
        if let Some((_, ex)) = threads.get_mut(i as usize) {
            if let Some((pg, _, _)) = ex.running {
                // Another goroutine still on this thread: it left unseen.
                if pg != g {
                    if let Some(other) = goroutines.get_mut(pg as usize) {
                        other.on_thread = NO_THREAD;
                    }
                }
            }
            Self::end_exec(goroutines, ex, start);
            ex.running = Some((g, start, aux));
        }
        if let Some(gs) = goroutines.get_mut(g as usize) {
            gs.on_thread = m;
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
            self.goroutine(ev.g);
            if let Some(last) = self.goroutines[gi as usize].spans.last_mut() {
                last[2] = ev.g.saturating_add(1).max(0);
            }
        }

        // P and thread lanes: a goroutine occupies its P and thread while
        // executing (running or in a syscall).
        let start = if old == GoState::Undetermined { 0 } else { t };
        let on_proc = self.goroutines[gi as usize].on_proc;
        if old.executing() && !new.executing() {
            if on_proc != NO_PROC {
                self.end_proc_span(on_proc, t);
                self.goroutines[gi as usize].on_proc = NO_PROC;
            }
            self.end_thread_span(gi, t);
        }
        if new == GoState::Running && !old.executing() {
            if ev.p != NO_PROC {
                self.begin_proc_span(ev.p, gi, start);
            }
        } else if new == GoState::Syscall && old == GoState::Undetermined && ev.p != NO_PROC {
            // Was already in a syscall holding its P at trace start.
            self.begin_proc_span(ev.p, gi, 0);
        }
        if new.executing() && (!old.executing() || old != new) {
            let m = if old.executing() {
                self.goroutines[gi as usize].on_thread
            } else {
                ev.m
            };
            let m = if m == NO_THREAD { ev.m } else { m };
            self.begin_thread_span(m, gi, start, ev.p, new == GoState::Syscall);
        }

        // Running time.
        {
            let gs = &mut self.goroutines[gi as usize];
            if let Some(since) = gs.running_since.take() {
                gs.running += t - since;
            }
            if new == GoState::Running {
                gs.running_since = Some(start);
            }
        }

        // The state span.
        let reason = st.reason.0;
        let stack = if !ev.stack.is_none() {
            ev.stack.0
        } else {
            st.stack.0
        };
        let payload = self.payload(new_s, reason, stack);
        let gs = &mut self.goroutines[gi as usize];
        gs.state = new_s;
        gs.drawn |= new_s.is_drawn();
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
            let first = self.payload(old_s, 0, 0);
            let gs = &mut self.goroutines[gi as usize];
            gs.drawn |= old_s.is_drawn();
            gs.spans.push([0, first, 0, 0, 0]);
        }
        let gs = &mut self.goroutines[gi as usize];
        match gs.spans.last_mut() {
            // Zero-length span: replace it (keep who unblocked it).
            Some(last) if last[0] == start => last[1] = payload,
            _ => gs.spans.push([start, payload, 0, 0, 0]),
        }
        if new_s == SpanState::NotExist {
            // An exited goroutine's lane will not grow: give back the room
            // kept for its next records (a trace can have millions of
            // short-lived goroutines).
            gs.spans.shrink();
        }
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
                (self.procs_running - 1).max(0)
            };
            let v = self.procs_running;
            self.set_counter(CounterKind::ProcsRunning, t, v);
        }
        if !is {
            // Stopped or stolen (e.g. from a goroutine blocked in a syscall).
            if let Some((g, _, _)) = self.procs[id as usize].exec.running {
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
        // Close open P and thread spans, ranges and regions.
        for p in &mut self.procs {
            Self::end_exec(&self.goroutines, &mut p.exec, end);
        }
        for (_, ex) in &mut self.threads {
            Self::end_exec(&self.goroutines, ex, end);
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
            if let Some(since) = gs.running_since.take() {
                gs.running += end - since;
            }
        }

        // Goroutines sorted by id; remap indices.
        let mut order: Vec<u32> = (0..self.goroutines.len() as u32).collect();
        order.sort_by_key(|&i| self.goroutines[i as usize].id);
        let mut remap = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        let map = |i: u32| remap.get(i as usize).copied().unwrap_or(NO_INDEX);

        let strings = copy_strings(tables);
        self.update_keys(tables);
        let kind_keys = std::mem::take(&mut self.kind_keys);
        let payloads = std::mem::take(&mut self.payloads);
        let mut slots: Vec<Option<GState>> = self.goroutines.into_iter().map(Some).collect();
        let goroutines = order
            .iter()
            .filter_map(|&old| slots.get_mut(old as usize).and_then(Option::take))
            .map(|gs| {
                let spans = gs.spans.finish();
                let levels = gs
                    .levels
                    .finish(&spans, end, goroutine_span(&payloads, &kind_keys));
                Goroutine {
                    id: gs.id,
                    name: root_func(tables, gs.first_stack).map_or(0, |s| s.0),
                    spans,
                    levels,
                    running: gs.running,
                    drawn: gs.drawn,
                }
            })
            .collect();
        let exec_lane = |kind: ExecKind, id: i64, ex: ExecState| {
            let spans = ex.spans.finish();
            let levels = ex.levels.finish(&spans, end, exec_span);
            ExecLane {
                kind,
                id,
                spans,
                levels,
            }
        };
        let procs = self
            .procs
            .into_iter()
            .enumerate()
            .map(|(i, p)| exec_lane(ExecKind::Proc, i as i64, p.exec))
            .collect();
        self.threads.sort_by_key(|t| t.0);
        let threads = self
            .threads
            .into_iter()
            .filter(|(_, ex)| !ex.spans.is_empty())
            .map(|(id, ex)| exec_lane(ExecKind::Thread, id, ex))
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
            if l.goroutine != NO_INDEX {
                l.goroutine = map(l.goroutine);
            }
        }
        self.tasks.sort_by_key(|t| t.id);
        let mut counter_levels = vec![MaxLevels::default(); CounterKind::ALL.len()];
        let series: Vec<Packed> = self
            .series
            .into_iter()
            .enumerate()
            .map(|(s, ser)| ser.finish(s, end, &mut counter_levels))
            .collect();

        Timeline {
            origin: self.origin.unwrap_or(0),
            duration: end,
            events: self.events,
            syncs: self.syncs,
            goroutines,
            kinds: self.kinds,
            kind_keys,
            payloads,
            procs,
            threads,
            ranges: self.ranges,
            regions: self.regions,
            tasks: self.tasks,
            logs: self.logs,
            series,
            counter_levels,
            samples: self.samples.finish(),
            strings,
            stacks: copy_stacks(tables),
        }
    }
}

/// A goroutine span for its lane's levels: its colour key ([`color_key`])
/// from its payload, until the next span starts.
fn goroutine_span<'a>(payloads: &'a [SpanPayload], keys: &'a [u8]) -> impl SpanOf + 'a {
    move |r: &Rec, next: Option<&Rec>, end: i64| {
        let kind = payloads
            .get(r[1] as usize)
            .map_or(usize::MAX, |p| p.kind as usize);
        let key = keys.get(kind).copied().unwrap_or(0) as u32;
        (r[0], next.map_or(end, |n| n[0]), key)
    }
}

/// An execution span for its lane's levels, by goroutine id + 1 (threads
/// in a system call are drawn as such, whoever made the call).
fn exec_span(r: &Rec, _next: Option<&Rec>, _end: i64) -> (i64, i64, u32) {
    let item = if r[3] & 1 == 1 {
        lod::MAX_ITEM
    } else {
        r[2].saturating_add(1).clamp(0, lod::MAX_ITEM as i64 - 1) as u32
    };
    (r[0], r[0].saturating_add(r[1]), item)
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
