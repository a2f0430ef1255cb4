//! The timeline model's types: spans, lanes, ranges, counters, samples, and
//! the string and stack tables (see the module `timeline`).

use super::lod::{Levels, MaxLevels, SpanLevels};
use super::packed::{self, Packed, Rec};
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
    /// Whether the timeline draws a span in this state.
    pub fn is_drawn(self) -> bool {
        !matches!(self, SpanState::NotExist | SpanState::Unknown)
    }
}

/// A state plus the reason the trace gave for entering it; span kinds are
/// interned in [`Timeline::kinds`] and spans store an index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpanKind {
    pub state: SpanState,
    /// Reason string (model [`Strings`] id; 0 = none).
    pub reason: u32,
}

/// Number of colour keys of goroutine spans ([`color_key`]).
pub const KEYS: usize = 16;

/// Colour key of a goroutine span (0 = not drawn): its state, and for
/// waiting spans the family of its reason ([`wait_family`]).
pub fn color_key(state: SpanState, reason: &str) -> u8 {
    match state {
        SpanState::Running => 1,
        SpanState::Runnable => 2,
        SpanState::Syscall => 3,
        SpanState::Waiting => 4 + wait_family(reason),
        SpanState::NotExist | SpanState::Unknown => 0,
    }
}

/// Families of blocking reasons: 0 synchronization, 1 sleep, 2 network/IO,
/// 3 GC, 4 other.
pub fn wait_family(reason: &str) -> u8 {
    let r = reason.to_ascii_lowercase();
    if r.contains("chan")
        || r.contains("select")
        || r.contains("sync")
        || r.contains("mutex")
        || r.contains("cond")
    {
        0
    } else if r.contains("sleep") {
        1
    } else if r.contains("network") || r.contains("i/o") || r.contains("poll") || r.contains("io ")
    {
        2
    } else if r.contains("gc") || r.contains("garbage") {
        3
    } else {
        4
    }
}

/// A goroutine and its state spans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Goroutine {
    pub id: GoId,
    /// Its start function (root frame of its first stack), string id; 0 if unknown.
    pub name: u32,
    /// State spans, records `[start, payload, unblocker + 1]` (payload: index
    /// into [`Timeline::payloads`], the span's kind and the stack of its
    /// transition; unblocker: for a waiting span, id of the goroutine whose
    /// event ended it, -1 = none). A span ends where the next starts, the last at
    /// the trace end.
    pub spans: Packed,
    /// Summaries by colour key ([`color_key`]).
    pub levels: SpanLevels,
    /// Total time running, ns.
    pub running: i64,
    /// Whether any span is drawn (it existed during the trace).
    pub drawn: bool,
}

/// What a goroutine span is, interned: few distinct (kind, stack) pairs
/// occur, so a span stores one small index for both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpanPayload {
    /// Index into [`Timeline::kinds`].
    pub kind: u16,
    /// Stack of the transition that began the span (0 = none).
    pub stack: u32,
}

/// One goroutine state span, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// Index within its goroutine's spans.
    pub index: usize,
    pub start: i64,
    pub end: i64,
    pub kind: SpanKind,
    /// Colour key ([`color_key`]).
    pub key: u8,
    /// Stack of the transition that began the span (0 = none).
    pub stack: u32,
    /// Id of the goroutine that unblocked it, or -1.
    pub unblocker: GoId,
}

/// What an [`ExecLane`] shows: goroutines running on a P, or on an OS thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ExecKind {
    Proc = 0,
    Thread = 1,
}

/// Spans of goroutines executing on one P or one OS thread (M): records
/// `[start, duration, goroutine id, aux]`; for threads `aux` is
/// `(P id + 1) << 1 | in_syscall`, for Ps 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecLane {
    pub kind: ExecKind,
    /// P or M id.
    pub id: i64,
    pub spans: Packed,
    /// Summaries by goroutine id + 1.
    pub levels: SpanLevels,
}

/// One execution span, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExecSpan {
    pub index: usize,
    pub start: i64,
    pub end: i64,
    /// Goroutine id.
    pub goroutine: GoId,
    /// For threads: the P held (-1 none).
    pub proc: i64,
    /// For threads: in a system call (rather than running Go code).
    pub syscall: bool,
}

impl ExecLane {
    /// Record fields of a lane of this kind (P lanes have no `aux`).
    pub fn fields(kind: ExecKind) -> usize {
        match kind {
            ExecKind::Proc => 3,
            ExecKind::Thread => 4,
        }
    }
    pub fn new(kind: ExecKind, id: i64) -> ExecLane {
        ExecLane {
            kind,
            id,
            spans: Packed::new(Self::fields(kind), 0b0001),
            levels: SpanLevels::default(),
        }
    }
    fn decode(i: usize, r: &Rec) -> ExecSpan {
        ExecSpan {
            index: i,
            start: r[0],
            end: r[0].saturating_add(r[1].max(0)),
            goroutine: r[2],
            proc: (r[3] >> 1) - 1,
            syscall: r[3] & 1 == 1,
        }
    }
    pub fn len(&self) -> usize {
        self.spans.len()
    }
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
    pub fn get(&self, i: usize) -> Option<ExecSpan> {
        self.spans.get(i).map(|r| Self::decode(i, &r))
    }
    /// Spans ending after `t0`, in order (the caller stops where it likes).
    pub fn iter_from(&self, t0: i64) -> impl Iterator<Item = ExecSpan> + '_ {
        // Zero-length spans may share a start: begin a block early rather
        // than at the last span starting at or before `t0`.
        let first = self.spans.block_start_before(t0);
        self.spans
            .iter_from(first)
            .map(|(i, r)| Self::decode(i, &r))
            .filter(move |s| s.end >= t0)
    }
    /// The span covering `t`, if any.
    pub fn at(&self, t: i64) -> Option<ExecSpan> {
        let s = self.get(self.spans.index_at(t)?)?;
        (t < s.end || (t == s.end && s.start == s.end)).then_some(s)
    }
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

impl CounterKind {
    /// Where the counter's samples live: (series, column) in
    /// [`Timeline::series`]. Counters that change together share a series
    /// (one time column): goroutine counts, heap, and P counts.
    pub fn source(self) -> (usize, usize) {
        match self {
            CounterKind::GoRunning => (0, 1),
            CounterKind::GoRunnable => (0, 2),
            CounterKind::GoWaiting => (0, 3),
            CounterKind::GoSyscall => (0, 4),
            CounterKind::HeapAlloc => (1, 1),
            CounterKind::HeapGoal => (1, 2),
            CounterKind::Gomaxprocs => (2, 1),
            CounterKind::ProcsRunning => (2, 2),
        }
    }
}

/// Number of counter series and their widths (time + values).
pub const SERIES_FIELDS: [usize; 3] = [5, 3, 3];

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

/// A CPU profile sample (`StackSample`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    pub index: usize,
    pub time: i64,
    /// Goroutine id, or -1.
    pub goroutine: GoId,
    pub stack: u32,
    /// Thread (M) id, or -1.
    pub thread: i64,
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
    /// Span kinds the goroutine spans refer to, and their colour keys.
    pub kinds: Vec<SpanKind>,
    pub kind_keys: Vec<u8>,
    /// (kind, stack) pairs the goroutine spans refer to.
    pub payloads: Vec<SpanPayload>,
    /// One lane per P, by P id.
    pub procs: Vec<ExecLane>,
    /// One lane per OS thread that ran goroutines, by M id.
    pub threads: Vec<ExecLane>,
    /// GC ranges, by start time.
    pub ranges: Vec<Range>,
    /// Regions, by goroutine index then start.
    pub regions: Vec<Region>,
    pub tasks: Vec<Task>,
    pub logs: Vec<Log>,
    /// Counter samples (see [`CounterKind::source`]): records of a time and
    /// [`SERIES_FIELDS`]` - 1` values, each value holding until the next record.
    pub series: Vec<Packed>,
    /// Summaries per counter, indexed by `CounterKind as usize`.
    pub counter_levels: Vec<MaxLevels>,
    /// CPU samples, records `[time, goroutine id + 1, stack, thread + 1]`.
    pub samples: Packed,
    pub strings: Strings,
    pub stacks: Stacks,
}

impl Timeline {
    /// The span kind of index `k` (a not-existing kind if out of range).
    pub fn kind(&self, k: usize) -> (SpanKind, u8) {
        match (self.kinds.get(k), self.kind_keys.get(k)) {
            (Some(&kind), Some(&key)) => (kind, key),
            _ => (
                SpanKind {
                    state: SpanState::NotExist,
                    reason: 0,
                },
                0,
            ),
        }
    }

    fn span_from(&self, i: usize, r: &Rec, end: i64) -> Span {
        let payload = usize::try_from(r[1])
            .ok()
            .and_then(|p| self.payloads.get(p))
            .copied()
            .unwrap_or(SpanPayload {
                kind: u16::MAX,
                stack: 0,
            });
        let (kind, key) = self.kind(payload.kind as usize);
        Span {
            index: i,
            start: r[0],
            end: end.max(r[0]),
            kind,
            key,
            stack: payload.stack,
            unblocker: r[2].saturating_sub(1),
        }
    }

    /// Number of state spans of goroutine index `g`.
    pub fn span_count(&self, g: usize) -> usize {
        self.goroutines.get(g).map_or(0, |gr| gr.spans.len())
    }

    /// Span `i` of goroutine index `g`.
    pub fn span(&self, g: usize, i: usize) -> Option<Span> {
        let gr = self.goroutines.get(g)?;
        let mut it = gr.spans.iter_from(i);
        let (_, r) = it.next()?;
        let end = it.peek().map_or(self.duration, |n| n[0]);
        Some(self.span_from(i, &r, end))
    }

    /// Spans of goroutine index `g` from the one covering `t0` on, in order
    /// (the caller stops where it likes).
    pub fn spans_from(&self, g: usize, t0: i64) -> SpanIter<'_> {
        let (spans, first) = match self.goroutines.get(g) {
            Some(gr) => (&gr.spans, gr.spans.index_at(t0).unwrap_or(0)),
            None => (&EMPTY_PACKED, 0),
        };
        SpanIter {
            tl: self,
            it: spans.iter_from(first),
        }
    }

    /// The index of the span of goroutine index `g` covering `time`, if any.
    pub fn span_at(&self, g: usize, time: i64) -> Option<usize> {
        self.goroutines.get(g)?.spans.index_at(time)
    }

    /// A counter's samples from the one in effect at `t0` on: (time, value).
    pub fn counter_from(
        &self,
        kind: CounterKind,
        t0: i64,
    ) -> impl Iterator<Item = (i64, u64)> + '_ {
        let (s, col) = kind.source();
        let p = self.series.get(s).unwrap_or(&EMPTY_PACKED);
        let first = p.index_at(t0).unwrap_or(0);
        p.iter_from(first)
            .map(move |(_, r)| (r[0], r[col].max(0) as u64))
    }

    /// A counter's value at `time` (0 before its first sample).
    pub fn counter_at(&self, kind: CounterKind, time: i64) -> u64 {
        let (s, col) = kind.source();
        self.series
            .get(s)
            .and_then(|p| p.get(p.index_at(time)?))
            .map_or(0, |r| r[col].max(0) as u64)
    }

    /// A counter's maximum over the trace.
    pub fn counter_max(&self, kind: CounterKind) -> u64 {
        match self.counter_levels.get(kind as usize) {
            Some(l) if !l.levels.is_empty() => l.levels.last().map_or(0, |top| {
                (top.iter().copied().max().unwrap_or(0) as u64) << l.scale
            }),
            _ => self.counter_from(kind, 0).map(|s| s.1).max().unwrap_or(0),
        }
    }

    /// The summaries of a counter.
    pub fn counter_levels(&self, kind: CounterKind) -> &MaxLevels {
        static EMPTY: MaxLevels = Levels {
            shift: 0,
            levels: Vec::new(),
            scale: 0,
        };
        self.counter_levels.get(kind as usize).unwrap_or(&EMPTY)
    }

    /// CPU samples from `t0` on.
    pub fn samples_from(&self, t0: i64) -> impl Iterator<Item = Sample> + '_ {
        let first = self.samples.block_start_before(t0);
        self.samples
            .iter_from(first)
            .filter(move |(_, r)| r[0] >= t0)
            .map(|(i, r)| Self::sample_from(i, &r))
    }

    /// CPU sample `i`.
    pub fn sample(&self, i: usize) -> Option<Sample> {
        self.samples.get(i).map(|r| Self::sample_from(i, &r))
    }

    fn sample_from(i: usize, r: &Rec) -> Sample {
        Sample {
            index: i,
            time: r[0],
            goroutine: r[1].saturating_sub(1),
            stack: u32::try_from(r[2]).unwrap_or(0),
            thread: r[3].saturating_sub(1),
        }
    }

    /// Index of the goroutine with id `id`.
    pub fn goroutine_index(&self, id: GoId) -> Option<usize> {
        self.goroutines.binary_search_by_key(&id, |g| g.id).ok()
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

    /// Total number of goroutine, P and thread spans.
    pub fn span_total(&self) -> usize {
        self.goroutines.iter().map(|g| g.spans.len()).sum::<usize>()
            + self
                .procs
                .iter()
                .chain(&self.threads)
                .map(|p| p.len())
                .sum::<usize>()
    }

    /// Approximate heap bytes held by the model.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.goroutines
            .iter()
            .map(|g| size_of::<Goroutine>() + g.spans.heap_bytes() + g.levels.heap_bytes())
            .sum::<usize>()
            + self
                .procs
                .iter()
                .chain(&self.threads)
                .map(|p| size_of::<ExecLane>() + p.spans.heap_bytes() + p.levels.heap_bytes())
                .sum::<usize>()
            + self.series.iter().map(Packed::heap_bytes).sum::<usize>()
            + self.payloads.capacity() * size_of::<SpanPayload>()
            + self
                .counter_levels
                .iter()
                .map(Levels::heap_bytes)
                .sum::<usize>()
            + self.samples.heap_bytes()
            + self.ranges.capacity() * size_of::<Range>()
            + self.regions.capacity() * size_of::<Region>()
            + self.tasks.capacity() * size_of::<Task>()
            + self.logs.capacity() * size_of::<Log>()
            + self.strings.bytes.capacity()
            + self.strings.ends.capacity() * 4
            + self.stacks.frames.capacity() * size_of::<Frame>()
            + self.stacks.stack_frames.capacity() * 4
            + self.stacks.ends.capacity() * 4
    }
}

static EMPTY_PACKED: Packed = Packed {
    fields: 1,
    delta: 1,
    len: 0,
    data: Vec::new(),
    block_time: Vec::new(),
    block_off: Vec::new(),
    ship_id: 0,
    shipped: Vec::new(),
};

/// Goroutine spans in order ([`Timeline::spans_from`]).
pub struct SpanIter<'a> {
    tl: &'a Timeline,
    it: packed::Iter<'a>,
}

impl Iterator for SpanIter<'_> {
    type Item = Span;
    #[inline]
    fn next(&mut self) -> Option<Span> {
        let (i, r) = self.it.next()?;
        let end = self.it.peek().map_or(self.tl.duration, |n| n[0]);
        Some(self.tl.span_from(i, &r, end))
    }
}
