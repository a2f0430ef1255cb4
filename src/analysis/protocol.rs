//! The messages between the page and the analysis worker
//! (`src/bin/worker_analysis.rs`). Plain data; JSON on the wire (serde, wasm
//! only). Times on the wire are absolute trace times (ns, the trace clock);
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
    /// A sentence for the user.
    Error(String),
}
