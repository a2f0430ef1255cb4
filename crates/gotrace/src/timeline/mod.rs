//! The compact timeline model the viewer draws: per-goroutine state spans,
//! per-P running spans, GC/STW ranges, user regions, tasks, logs and counters.
//!
//! It is built by consuming the ordered [`Event`](crate::event::Event) stream
//! ([`Builder`]), stored columnar (parallel `Vec`s of small integers, strings
//! and stacks as ids into the model's own [`Strings`]/[`Stacks`]), and has a
//! compact binary encoding ([`Timeline::encode`], [`Timeline::decode`]) for the
//! worker → page message.
//!
//! All times are nanoseconds since the first event of the trace
//! ([`Timeline::origin`] is that event's absolute trace time), so they fit in
//! an `f64` without loss for any realistic trace.
//!
//! Storage per goroutine state span: 8 (start) + 2 (kind) + 4 (stack) +
//! 4 (unblocker) = 18 bytes; a span ends where the next span of the same
//! goroutine starts (the last one at [`Timeline::duration`]). Per P span:
//! 20 bytes.

mod build;
mod encode;
#[cfg(test)]
mod tests;

pub use build::{build, Builder};
pub use encode::DecodeError;

use crate::event::GoId;

/// No goroutine (index), e.g. a span that nobody unblocked.
pub const NO_INDEX: u32 = u32::MAX;

/// A goroutine state as the timeline distinguishes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum SpanState {
    /// Not created yet, or exited (not drawn).
    NotExist = 0,
    Running = 1,
    Runnable = 2,
    /// Blocked; the kind's reason says on what ("chan receive", "sleep", ...).
    Waiting = 3,
    Syscall = 4,
    /// State unknown (never drawn; before the first status of the goroutine).
    Unknown = 5,
}

impl SpanState {
    pub fn from_u8(v: u8) -> SpanState {
        match v {
            1 => SpanState::Running,
            2 => SpanState::Runnable,
            3 => SpanState::Waiting,
            4 => SpanState::Syscall,
            5 => SpanState::Unknown,
            _ => SpanState::NotExist,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            SpanState::NotExist => "not existing",
            SpanState::Running => "running",
            SpanState::Runnable => "runnable",
            SpanState::Waiting => "waiting",
            SpanState::Syscall => "syscall",
            SpanState::Unknown => "unknown",
        }
    }
}

/// A state plus the reason the trace gave for entering it; span kinds are
/// interned in [`GoSpans::kinds`] and spans store a `u16` index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpanKind {
    pub state: SpanState,
    /// Reason string (model [`Strings`] id; 0 = none).
    pub reason: u32,
}

/// A goroutine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Goroutine {
    pub id: GoId,
    /// Its start function (root frame of its first stack), string id; 0 if unknown.
    pub name: u32,
    /// Its spans are `spans_start..spans_end` in [`GoSpans`].
    pub spans_start: u32,
    pub spans_end: u32,
}

/// All goroutine state spans, columnar, grouped by goroutine (in
/// [`Timeline::goroutines`] order) and in time order within a goroutine.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoSpans {
    pub start: Vec<i64>,
    /// Index into `kinds`.
    pub kind: Vec<u16>,
    /// Stack of the transition that began the span (model [`Stacks`] id; 0 = none).
    pub stack: Vec<u32>,
    /// For a waiting span: index (into [`Timeline::goroutines`]) of the
    /// goroutine whose event ended it (the unblock, at the span's end); else [`NO_INDEX`].
    pub unblocker: Vec<u32>,
    pub kinds: Vec<SpanKind>,
}

impl GoSpans {
    pub fn len(&self) -> usize {
        self.start.len()
    }
    pub fn is_empty(&self) -> bool {
        self.start.is_empty()
    }
    pub fn kind_of(&self, i: usize) -> SpanKind {
        self.kinds[self.kind[i] as usize]
    }
}

/// Spans of goroutines running on one P.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcSpans {
    pub proc_id: i64,
    pub start: Vec<i64>,
    pub end: Vec<i64>,
    /// Goroutine index.
    pub goroutine: Vec<u32>,
}

/// What a [`Range`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum RangeKind {
    /// GC concurrent mark phase (global).
    GcMark = 0,
    /// Stop-the-world; the label is its kind ("GC sweep termination", ...).
    StopTheWorld = 1,
    /// GC incremental sweep on a P (`resource` = P id).
    GcSweep = 2,
    /// GC mark assist by a goroutine (`resource` = goroutine index).
    GcMarkAssist = 3,
}

impl RangeKind {
    pub fn from_u8(v: u8) -> Option<RangeKind> {
        Some(match v {
            0 => RangeKind::GcMark,
            1 => RangeKind::StopTheWorld,
            2 => RangeKind::GcSweep,
            3 => RangeKind::GcMarkAssist,
            _ => return None,
        })
    }
}

/// A GC-related time range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub kind: RangeKind,
    pub label: u32,
    /// P id (sweep), goroutine index (mark assist), or -1.
    pub resource: i64,
    pub start: i64,
    pub end: i64,
}

/// A user region (`trace.WithRegion`) on a goroutine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// Goroutine index.
    pub goroutine: u32,
    pub start: i64,
    pub end: i64,
    /// Region type string id.
    pub ty: u32,
    pub task: u64,
    /// Nesting depth, 0 = outermost.
    pub depth: u16,
}

/// A user task (`trace.NewTask`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Task {
    pub id: u64,
    pub parent: u64,
    pub ty: u32,
    /// `None` if it began before the trace / ended after it.
    pub start: Option<i64>,
    pub end: Option<i64>,
}

/// A user log message (`trace.Log`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Log {
    pub time: i64,
    /// Goroutine index or [`NO_INDEX`].
    pub goroutine: u32,
    pub task: u64,
    pub category: u32,
    pub message: u32,
}

/// The counters of a timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum CounterKind {
    HeapAlloc = 0,
    HeapGoal = 1,
    Gomaxprocs = 2,
    GoRunning = 3,
    GoRunnable = 4,
    GoWaiting = 5,
    GoSyscall = 6,
    /// Ps in the running state (each holds a thread).
    ProcsRunning = 7,
}

impl CounterKind {
    pub const ALL: [CounterKind; 8] = [
        CounterKind::HeapAlloc,
        CounterKind::HeapGoal,
        CounterKind::Gomaxprocs,
        CounterKind::GoRunning,
        CounterKind::GoRunnable,
        CounterKind::GoWaiting,
        CounterKind::GoSyscall,
        CounterKind::ProcsRunning,
    ];
    pub fn name(self) -> &'static str {
        match self {
            CounterKind::HeapAlloc => "heap in use",
            CounterKind::HeapGoal => "heap goal",
            CounterKind::Gomaxprocs => "GOMAXPROCS",
            CounterKind::GoRunning => "goroutines running",
            CounterKind::GoRunnable => "goroutines runnable",
            CounterKind::GoWaiting => "goroutines waiting",
            CounterKind::GoSyscall => "goroutines in syscall",
            CounterKind::ProcsRunning => "threads running Go (Ps)",
        }
    }
}

/// A step function: `values[i]` holds from `times[i]` until `times[i+1]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counter {
    pub times: Vec<i64>,
    pub values: Vec<u64>,
}

impl Counter {
    /// Appends a sample; a sample at the same time as the last replaces it,
    /// and an unchanged value is not stored.
    pub fn push(&mut self, time: i64, value: u64) {
        if let (Some(&t), Some(v)) = (self.times.last(), self.values.last_mut()) {
            if t == time {
                *v = value;
                let n = self.values.len();
                if n >= 2 && self.values[n - 2] == value {
                    self.times.pop();
                    self.values.pop();
                }
                return;
            }
            if *v == value {
                return;
            }
        }
        self.times.push(time);
        self.values.push(value);
    }
    pub fn max(&self) -> u64 {
        self.values.iter().copied().max().unwrap_or(0)
    }
    /// The value at `time` (0 before the first sample).
    pub fn value_at(&self, time: i64) -> u64 {
        match self.times.partition_point(|&t| t <= time) {
            0 => 0,
            i => self.values[i - 1],
        }
    }
}

/// Interned strings (bytes; a trace does not promise UTF-8). Id 0 is "".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Strings {
    pub bytes: Vec<u8>,
    /// `ends[i]` is the end of string `i`; `ends[0] == 0`.
    pub ends: Vec<u32>,
}

impl Default for Strings {
    fn default() -> Self {
        Strings {
            bytes: Vec::new(),
            ends: vec![0],
        }
    }
}

impl Strings {
    pub fn get_bytes(&self, id: u32) -> &[u8] {
        let i = id as usize;
        if i == 0 || i >= self.ends.len() {
            return &[];
        }
        let (s, e) = (self.ends[i - 1] as usize, self.ends[i] as usize);
        self.bytes.get(s..e).unwrap_or(&[])
    }
    /// String `id` for display (invalid UTF-8 replaced).
    pub fn get(&self, id: u32) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.get_bytes(id))
    }
    pub fn len(&self) -> usize {
        self.ends.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ends.len() <= 1
    }
}

/// One frame of a stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    pub func: u32,
    pub file: u32,
    pub line: u32,
}

/// Interned stacks (leaf first). Id 0 is the empty stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stacks {
    pub frames: Vec<Frame>,
    /// Frame indices of all stacks, concatenated.
    pub stack_frames: Vec<u32>,
    /// `ends[i]` is the end of stack `i` in `stack_frames`; `ends[0] == 0`.
    pub ends: Vec<u32>,
}

impl Default for Stacks {
    fn default() -> Self {
        Stacks {
            frames: Vec::new(),
            stack_frames: Vec::new(),
            ends: vec![0],
        }
    }
}

impl Stacks {
    /// The frames of stack `id`, leaf first.
    pub fn get(&self, id: u32) -> impl Iterator<Item = Frame> + '_ {
        let i = id as usize;
        let range = if i == 0 || i >= self.ends.len() {
            0..0
        } else {
            self.ends[i - 1] as usize..self.ends[i] as usize
        };
        self.stack_frames
            .get(range)
            .unwrap_or(&[])
            .iter()
            .filter_map(|&f| self.frames.get(f as usize).copied())
    }
    pub fn len(&self) -> usize {
        self.ends.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ends.len() <= 1
    }
}

/// The whole timeline model of one trace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timeline {
    /// Absolute trace time of the first event; all other times are relative to it.
    pub origin: i64,
    /// Time of the last event.
    pub duration: i64,
    /// Number of events consumed.
    pub events: u64,
    /// Times of the generation boundaries (Sync events).
    pub syncs: Vec<i64>,
    /// Goroutines, by id.
    pub goroutines: Vec<Goroutine>,
    pub spans: GoSpans,
    /// One entry per P, by P id.
    pub procs: Vec<ProcSpans>,
    /// GC ranges, by start time.
    pub ranges: Vec<Range>,
    /// Regions, by goroutine index then start.
    pub regions: Vec<Region>,
    pub tasks: Vec<Task>,
    pub logs: Vec<Log>,
    /// Indexed by `CounterKind as usize`.
    pub counters: Vec<Counter>,
    pub strings: Strings,
    pub stacks: Stacks,
}

impl Timeline {
    pub fn counter(&self, kind: CounterKind) -> &Counter {
        static EMPTY: Counter = Counter {
            times: Vec::new(),
            values: Vec::new(),
        };
        self.counters.get(kind as usize).unwrap_or(&EMPTY)
    }

    /// End time of span `i` of goroutine `g` (index): the start of the next span, or the trace end.
    pub fn span_end(&self, g: &Goroutine, i: usize) -> i64 {
        if i + 1 < g.spans_end as usize {
            self.spans.start[i + 1]
        } else {
            self.duration
        }
    }

    /// Index of the goroutine with id `id`.
    pub fn goroutine_index(&self, id: GoId) -> Option<usize> {
        self.goroutines.binary_search_by_key(&id, |g| g.id).ok()
    }

    /// The span of goroutine index `g` covering `time`, if any.
    pub fn span_at(&self, g: usize, time: i64) -> Option<usize> {
        let gr = self.goroutines.get(g)?;
        let (s, e) = (gr.spans_start as usize, gr.spans_end as usize);
        let starts = &self.spans.start[s..e];
        let k = starts.partition_point(|&t| t <= time);
        if k == 0 {
            return None;
        }
        Some(s + k - 1)
    }

    /// Regions of goroutine index `g`.
    pub fn regions_of(&self, g: u32) -> &[Region] {
        let lo = self.regions.partition_point(|r| r.goroutine < g);
        let hi = self.regions.partition_point(|r| r.goroutine <= g);
        &self.regions[lo..hi]
    }

    /// Start function of goroutine index `g`, for display.
    pub fn goroutine_name(&self, g: usize) -> String {
        match self.goroutines.get(g) {
            Some(gr) if gr.name != 0 => self.strings.get(gr.name).into_owned(),
            Some(_) => "(unknown start function)".to_string(),
            None => String::new(),
        }
    }

    /// Approximate heap bytes held by the model.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.spans.start.capacity() * 8
            + self.spans.kind.capacity() * 2
            + self.spans.stack.capacity() * 4
            + self.spans.unblocker.capacity() * 4
            + self.goroutines.capacity() * size_of::<Goroutine>()
            + self
                .procs
                .iter()
                .map(|p| p.start.capacity() * 8 + p.end.capacity() * 8 + p.goroutine.capacity() * 4)
                .sum::<usize>()
            + self.ranges.capacity() * size_of::<Range>()
            + self.regions.capacity() * size_of::<Region>()
            + self.tasks.capacity() * size_of::<Task>()
            + self.logs.capacity() * size_of::<Log>()
            + self
                .counters
                .iter()
                .map(|c| c.times.capacity() * 16)
                .sum::<usize>()
            + self.strings.bytes.capacity()
            + self.strings.ends.capacity() * 4
            + self.stacks.frames.capacity() * size_of::<Frame>()
            + self.stacks.stack_frames.capacity() * 4
            + self.stacks.ends.capacity() * 4
    }
}
