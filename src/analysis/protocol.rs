//! The messages between the page and the analysis worker
//! (`src/bin/worker_analysis.rs`). Plain data, carried by
//! `crate::protocol::{ToWorker, FromWorker}` (serde, wasm only). Times on the wire are absolute trace times (ns, the trace clock);
//! the page converts them to and from "ns since the trace start".

#[cfg(target_arch = "wasm32")]
use serde::{Deserialize, Serialize};

/// Which goroutines a profile covers.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub enum Scope {
    All,
    /// A goroutine group (start function).
    Group(String),
    /// These goroutine ids.
    Ids(Vec<i64>),
}

/// The goroutine table filter (all set conditions must hold).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub struct Filter {
    pub name_contains: String,
    pub id: Option<i64>,
    /// "", "running", "runnable", "waiting", "syscall", "exited".
    pub state: String,
    /// Minimum total time, ns.
    pub min_total: Option<i64>,
}

/// A request from the page.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub enum Request {
    /// Goroutine groups (filtered), over `window` or the whole trace.
    Groups {
        window: Option<(i64, i64)>,
        filter: Filter,
    },
    /// One group's breakdown table.
    Group {
        name: String,
        window: Option<(i64, i64)>,
        filter: Filter,
        sort: String,
    },
    /// A blocking profile as a flame graph ("net", "sync", "syscall", "sched").
    Profile {
        kind: String,
        scope: Scope,
        window: Option<(i64, i64)>,
    },
    /// The same profile as gzipped pprof bytes.
    Pprof {
        kind: String,
        scope: Scope,
        window: Option<(i64, i64)>,
    },
    /// CPU samples whose time is in `window` as a flame graph.
    Cpu { window: Option<(i64, i64)> },
    /// Task and region types.
    Tasks,
    /// Tasks (with their logs) of a type (`None`: all) whose log text
    /// contains `search`, or that a goroutine took part in.
    TaskList {
        ty: Option<String>,
        search: String,
        goroutine: Option<i64>,
        limit: usize,
    },
    /// Regions of one region type (index into the region types).
    RegionList { index: usize, limit: usize },
    /// The MMU curve for these `gotrace::analysis::mmu::UtilFlags` bits.
    Mmu { flags: u8, percentiles: bool },
    /// The worst windows of one size.
    MmuWorst { flags: u8, window: i64, n: usize },
    /// The critical path of a goroutine over `[start, end]` (absolute;
    /// clamped to the trace): the chain of goroutines it waited on.
    CriticalPath {
        goroutine: i64,
        start: i64,
        end: i64,
    },
    /// The generations that overlap `[start, end]` (ns since the start of
    /// the trace, or of the part of it shown) as a trace file of their own
    /// ("Save view as trace"), answered by [`Response::Slices`].
    Cut { start: i64, end: i64 },
    /// The generation index of the whole file (not only the part shown),
    /// read as a stream, and where its parts of `budget` bytes start: the
    /// overview of a trace shown a part at a time.
    Index { budget: u64 },
}

/// One generation of the whole trace ([`Response::Index`]).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub struct GenerationRow {
    pub number: u64,
    /// Its bytes in the file, `[from, end)`.
    pub from: u64,
    pub end: u64,
    /// Its times, ns since the whole trace's first event.
    pub start: i64,
    pub stop: i64,
    pub events: u64,
    /// GC cycles begun, time stopped (ns), largest heap (bytes) in it.
    pub gc_cycles: u32,
    pub stw: i64,
    pub heap_max: u64,
}

/// One goroutine group row.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub struct GroupRow {
    pub name: String,
    pub count: usize,
    pub exec_time: i64,
}

/// One goroutine in a group table.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub struct GoroutineRow {
    pub id: i64,
    pub total: i64,
    /// Same order as [`GroupTable::columns`].
    pub values: Vec<i64>,
    /// Same order as [`GroupTable::range_columns`].
    pub ranges: Vec<i64>,
    /// First and last time (absolute), to focus the timeline.
    pub start: i64,
    pub end: i64,
}

/// A percentile row of a group table: a value per column (`Total` first,
/// then [`GroupTable::columns`], then the range columns).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub struct StatRow {
    pub label: String,
    pub values: Vec<i64>,
}

/// A group's breakdown table.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub struct GroupTable {
    pub name: String,
    pub count: usize,
    pub exec_time: i64,
    pub exec_percent: Option<f64>,
    pub columns: Vec<String>,
    pub range_columns: Vec<String>,
    pub rows: Vec<GoroutineRow>,
    /// Rows not sent (the table is capped).
    pub more: usize,
    pub stats: Vec<StatRow>,
}

/// A flame graph, flattened root first (pre-order): each node's children
/// follow it. `start` is the node's offset in value units from the left.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub struct Flame {
    pub names: Vec<String>,
    pub depth: Vec<u16>,
    pub start: Vec<i64>,
    pub total: Vec<i64>,
    pub self_value: Vec<i64>,
    pub parent: Vec<u32>,
    /// "ns" (delay) or "samples".
    pub unit: String,
    /// Samples (stack/goroutine pairs or CPU samples) behind it.
    pub samples: u64,
    /// Nodes left out because they were too small to draw.
    pub pruned: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub struct Durations {
    pub total: i64,
    pub p50: i64,
    pub p90: i64,
    pub p99: i64,
    pub max: i64,
}

/// A task type or region type row.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub struct TypeRow {
    pub ty: String,
    /// Region types: the function that began them.
    pub func: String,
    pub count: usize,
    pub complete: usize,
    pub durations: Durations,
    /// (bucket low ns, bucket high ns, count).
    pub histogram: Vec<(i64, i64, u64)>,
}

/// One line of a task's log.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub struct LogLine {
    pub time: i64,
    pub goroutine: i64,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub struct TaskRow {
    pub id: u64,
    pub ty: String,
    pub parent: Option<u64>,
    pub start: i64,
    pub end: i64,
    pub complete: bool,
    pub goroutines: Vec<i64>,
    pub events: Vec<LogLine>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub struct RegionRow {
    pub task: u64,
    pub goroutine: i64,
    pub start: i64,
    pub end: i64,
    pub complete: bool,
}

/// One window of the worst-windows list.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub struct Window {
    pub start: i64,
    pub end: i64,
    pub util: f64,
}

/// The MMU curve: per window size, the MMU and (if asked) the p95, p99 and
/// p99.9 mutator utilization.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub struct MmuData {
    pub windows: Vec<i64>,
    pub mmu: Vec<f64>,
    /// `[p95, p99, p99.9]` per window when percentiles were asked.
    pub percentiles: Vec<[f64; 3]>,
}

/// What a goroutine was doing during a [`PathSegment`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub enum PathState {
    Running,
    /// Ready, waiting for a P (scheduler latency).
    Runnable,
    Syscall,
    /// Waiting for something no goroutine ended (network, timer, ...), or
    /// not ended by the window's end; the reason is in the segment.
    Waiting,
}

/// How the path went from a segment's goroutine to the next one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub enum PathEdgeKind {
    Unblock,
    Create,
}

/// The edge closing a segment: at `time` its goroutine unblocked (or
/// created) `target`, and the path goes on on `target` from `time`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub struct PathEdge {
    pub kind: PathEdgeKind,
    pub target: i64,
    pub time: i64,
    /// What `target` was waiting for ("" for a creation or when unknown).
    pub reason: String,
    /// When `target` began waiting (absolute), if known.
    pub waiting_since: Option<i64>,
    /// The unblocking (creating) event's stack: an index into
    /// [`CriticalPathData::stacks`]; `None` when the trace has none.
    pub stack: Option<u32>,
}

/// One piece of a critical path: `goroutine` in `state` over `[start, end)`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub struct PathSegment {
    pub goroutine: i64,
    pub start: i64,
    pub end: i64,
    pub state: PathState,
    /// The wait reason when `Waiting` ("sleep", "network", ...; may be "").
    pub reason: String,
    /// Set on the last segment of a goroutine's stretch of the path.
    pub via: Option<PathEdge>,
}

/// One goroutine's share of a critical path, ns.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub struct PathShare {
    pub goroutine: i64,
    /// Start function ("" when unknown).
    pub name: String,
    pub segments: usize,
    pub total: i64,
    pub running: i64,
    pub runnable: i64,
    pub syscall: i64,
    pub waiting: i64,
}

/// Why the backward walk ended where the path starts.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub enum PathStop {
    /// The path reaches the window's start.
    ReachedStart,
    /// Nothing is known about `goroutine` before `time` (created by no
    /// goroutine, e.g. a C thread, or not traced before).
    Origin { goroutine: i64, time: i64 },
    /// The segment cap was reached; the latest part of the path is kept.
    Limit,
    /// Unblock edges formed a cycle at `time` (malformed trace).
    Cycle { time: i64 },
}

/// A critical path, forward in time. The segments tile `[start, end)`
/// without gaps; `end` is earlier than the window's end when the goroutine
/// exited before it, `start` later than the window's start unless `stop`
/// is `ReachedStart`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub struct CriticalPathData {
    pub goroutine: i64,
    /// The window asked for, clamped to the trace.
    pub window: (i64, i64),
    pub start: i64,
    pub end: i64,
    pub segments: Vec<PathSegment>,
    /// By time on the path, descending.
    pub goroutines: Vec<PathShare>,
    /// Edges followed.
    pub hops: usize,
    pub stop: PathStop,
    /// Stacks of the edges, each leaf first as "func file:line".
    pub stacks: Vec<Vec<String>>,
}

/// A reply.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub enum Response {
    Groups {
        groups: Vec<GroupRow>,
        total_exec: i64,
        goroutines: usize,
    },
    Group(Option<GroupTable>),
    Flame(Flame),
    /// gzipped pprof (sent beside the JSON as an ArrayBuffer; empty here).
    Pprof {
        name: String,
        bytes: Vec<u8>,
    },
    /// A trace file made of byte ranges `[start, end)` of the trace file,
    /// in order: the page copies them out of its `File` (a cut of a trace
    /// of any size never passes through wasm memory).
    Slices {
        ranges: Vec<[u64; 2]>,
    },
    /// The whole trace's generations and where its parts start (the first
    /// is 0); `damage` says why the index stops early, if it does.
    Index {
        generations: Vec<GenerationRow>,
        part_starts: Vec<u64>,
        damage: Option<String>,
        /// The absolute time (the trace's clock) of the file's first event,
        /// which the generations' times count from.
        origin: Option<i64>,
    },
    Tasks {
        task_types: Vec<TypeRow>,
        region_types: Vec<TypeRow>,
        tasks: usize,
    },
    TaskList {
        tasks: Vec<TaskRow>,
        matched: usize,
    },
    RegionList {
        regions: Vec<RegionRow>,
        matched: usize,
    },
    Mmu(MmuData),
    MmuWorst(Vec<Window>),
    /// `None` when the goroutine is not in the trace.
    CriticalPath(Option<CriticalPathData>),
    /// A sentence for the user.
    Error(String),
}
