//! The public, ordered view of a trace event: what every consumer (the `dump`
//! printer, the compact model, the analyses, the viewer) sees, whatever the
//! trace's format version was. Old-format traces are converted into this same
//! model at the edge (`crate::v1`).
//!
//! An `Event` is a small `Copy` value: strings and stacks are ids into the
//! trace-wide [`Tables`](crate::tables::Tables), never owned data.

use crate::tables::{StackId, StrId};

/// Nanoseconds on the trace clock (monotonic, as Go's `trace.Time`).
pub type Time = i64;
/// Goroutine id; [`NO_GOROUTINE`] when there is none.
pub type GoId = i64;
/// P id; [`NO_PROC`] when there is none.
pub type ProcId = i64;
/// OS thread (M) id; [`NO_THREAD`] when there is none.
pub type ThreadId = i64;

pub const NO_GOROUTINE: GoId = -1;
pub const NO_PROC: ProcId = -1;
pub const NO_THREAD: ThreadId = -1;
/// Task id meaning "no task" (Go's `NoTask`, 2^64-1).
pub const NO_TASK: u64 = u64::MAX;
/// Task id of the background task (regions and logs outside any task).
pub const BACKGROUND_TASK: u64 = 0;

/// Goroutine state as the Go API exposes it (`trace.GoState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum GoState {
    Undetermined = 0,
    NotExist = 1,
    Runnable = 2,
    Running = 3,
    Waiting = 4,
    Syscall = 5,
}

impl GoState {
    pub fn name(self) -> &'static str {
        match self {
            GoState::Undetermined => "Undetermined",
            GoState::NotExist => "NotExist",
            GoState::Runnable => "Runnable",
            GoState::Running => "Running",
            GoState::Waiting => "Waiting",
            GoState::Syscall => "Syscall",
        }
    }
    /// Running or in a syscall: the goroutine holds a thread.
    pub fn executing(self) -> bool {
        matches!(self, GoState::Running | GoState::Syscall)
    }
}

/// P state as the Go API exposes it (`trace.ProcState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ProcState {
    Undetermined = 0,
    NotExist = 1,
    Running = 2,
    Idle = 3,
}

impl ProcState {
    pub fn name(self) -> &'static str {
        match self {
            ProcState::Undetermined => "Undetermined",
            ProcState::NotExist => "NotExist",
            ProcState::Running => "Running",
            ProcState::Idle => "Idle",
        }
    }
}

/// What a state transition or range is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Resource {
    None,
    Goroutine(GoId),
    Proc(ProcId),
    Thread(ThreadId),
}

/// The old and new state of one resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transition {
    Goroutine {
        id: GoId,
        old: GoState,
        new: GoState,
    },
    Proc {
        id: ProcId,
        old: ProcState,
        new: ProcState,
    },
}

/// Why a goroutine stopped or blocked, as the trace said it.
///
/// New-format traces carry the reason as a string id; old-format traces are
/// converted to the same strings (`"chan receive"`, `"sleep"`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StateTransition {
    pub transition: Transition,
    /// Reason string ("" when none).
    pub reason: StrId,
    /// The stack that belongs to the transition itself: for `GoCreate` the
    /// new goroutine's start PC, for `GoStatusStack` the goroutine's stack,
    /// for stops/blocks/syscalls the stack of the event.
    pub stack: StackId,
}

impl StateTransition {
    /// Whether this transition brings a goroutine into existence or is its
    /// first sighting (creation, or a status event).
    pub fn transition_creates(&self) -> bool {
        matches!(
            self.transition,
            Transition::Goroutine {
                old: GoState::NotExist | GoState::Undetermined,
                ..
            }
        )
    }
}

/// The named metrics a trace carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    /// `/sched/gomaxprocs:threads`
    Gomaxprocs,
    /// `/memory/classes/heap/objects:bytes`
    HeapAlloc,
    /// `/gc/heap/goal:bytes`
    HeapGoal,
}

impl Metric {
    pub fn name(self) -> &'static str {
        match self {
            Metric::Gomaxprocs => "/sched/gomaxprocs:threads",
            Metric::HeapAlloc => "/memory/classes/heap/objects:bytes",
            Metric::HeapGoal => "/gc/heap/goal:bytes",
        }
    }
}

/// The kinds of ranges (time intervals that are not goroutine states).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RangeName {
    /// `stop-the-world (<kind>)`, the kind being a string.
    StopTheWorld(StrId),
    /// `GC concurrent mark phase` (global scope).
    GcMark,
    /// `GC incremental sweep` (scope: a P).
    GcSweep,
    /// `GC mark assist` (scope: a goroutine).
    GcMarkAssist,
}

/// Sweep statistics carried by the end of a `GC incremental sweep` range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SweepAttrs {
    pub swept: u64,
    pub reclaimed: u64,
}

/// A wall-clock/trace-clock correspondence (traces of Go 1.25 and later).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClockSnapshot {
    /// Trace time, ns.
    pub trace: Time,
    /// Runtime monotonic clock, ns.
    pub mono: u64,
    /// Wall clock, seconds since the Unix epoch.
    pub wall_sec: u64,
    /// Wall clock, nanoseconds within the second.
    pub wall_nsec: u64,
}

/// The experimental (AllocFree) events, surfaced as in Go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Experimental {
    /// Wire event type (128..=136).
    pub wire_type: u8,
    /// Raw argument values (without the timestamp delta); `nargs` are used.
    pub args: [u64; 4],
    pub nargs: u8,
}

/// Kind-specific details of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Payload {
    /// A generation boundary: `n` counts from 1.
    Sync {
        n: u64,
        clock: Option<ClockSnapshot>,
    },
    Metric {
        metric: Metric,
        value: u64,
    },
    Label {
        label: StrId,
        resource: Resource,
    },
    /// A CPU profile sample; the event's stack is the sampled stack.
    StackSample,
    RangeBegin {
        name: RangeName,
        scope: Resource,
    },
    RangeActive {
        name: RangeName,
        scope: Resource,
    },
    RangeEnd {
        name: RangeName,
        scope: Resource,
        sweep: Option<SweepAttrs>,
    },
    TaskBegin {
        id: u64,
        parent: u64,
        ty: StrId,
    },
    TaskEnd {
        id: u64,
        parent: u64,
        ty: StrId,
    },
    RegionBegin {
        task: u64,
        ty: StrId,
    },
    RegionEnd {
        task: u64,
        ty: StrId,
    },
    Log {
        task: u64,
        category: StrId,
        message: StrId,
    },
    StateTransition(StateTransition),
    Experimental(Experimental),
}

/// The Go API's `EventKind` of a payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum EventKind {
    Sync = 1,
    Metric = 2,
    Label = 3,
    StackSample = 4,
    RangeBegin = 5,
    RangeActive = 6,
    RangeEnd = 7,
    TaskBegin = 8,
    TaskEnd = 9,
    RegionBegin = 10,
    RegionEnd = 11,
    Log = 12,
    StateTransition = 13,
    Experimental = 14,
}

impl EventKind {
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Sync => "Sync",
            EventKind::Metric => "Metric",
            EventKind::Label => "Label",
            EventKind::StackSample => "StackSample",
            EventKind::RangeBegin => "RangeBegin",
            EventKind::RangeActive => "RangeActive",
            EventKind::RangeEnd => "RangeEnd",
            EventKind::TaskBegin => "TaskBegin",
            EventKind::TaskEnd => "TaskEnd",
            EventKind::RegionBegin => "RegionBegin",
            EventKind::RegionEnd => "RegionEnd",
            EventKind::Log => "Log",
            EventKind::StateTransition => "StateTransition",
            EventKind::Experimental => "Experimental",
        }
    }
}

/// One ordered event.
///
/// `m`/`p`/`g` are the scheduling context *before* the event (so a `GoStart`
/// has `g == NO_GOROUTINE`; the goroutine that starts is in the transition).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Event {
    pub time: Time,
    pub m: ThreadId,
    pub p: ProcId,
    pub g: GoId,
    /// The event's own stack (`Event.Stack()` in Go); `StackId::NONE` if none.
    pub stack: StackId,
    /// The wire event type this came from (`crate::wire::spec::EventType`
    /// values for new-format traces; converted old-format events use the
    /// new-format type they were converted to; 0 for synthesized Sync).
    pub wire_type: u8,
    pub payload: Payload,
}

impl Event {
    /// A synthesized generation boundary (the `n`th `Sync`), outside any M,
    /// P or goroutine.
    pub fn sync(time: Time, n: u64, clock: Option<ClockSnapshot>) -> Event {
        Event {
            time,
            m: NO_THREAD,
            p: NO_PROC,
            g: NO_GOROUTINE,
            stack: StackId::NONE,
            wire_type: 0,
            payload: Payload::Sync { n, clock },
        }
    }

    pub fn kind(&self) -> EventKind {
        match self.payload {
            Payload::Sync { .. } => EventKind::Sync,
            Payload::Metric { .. } => EventKind::Metric,
            Payload::Label { .. } => EventKind::Label,
            Payload::StackSample => EventKind::StackSample,
            Payload::RangeBegin { .. } => EventKind::RangeBegin,
            Payload::RangeActive { .. } => EventKind::RangeActive,
            Payload::RangeEnd { .. } => EventKind::RangeEnd,
            Payload::TaskBegin { .. } => EventKind::TaskBegin,
            Payload::TaskEnd { .. } => EventKind::TaskEnd,
            Payload::RegionBegin { .. } => EventKind::RegionBegin,
            Payload::RegionEnd { .. } => EventKind::RegionEnd,
            Payload::Log { .. } => EventKind::Log,
            Payload::StateTransition(_) => EventKind::StateTransition,
            Payload::Experimental(_) => EventKind::Experimental,
        }
    }

    /// The state transition, if this is one.
    pub fn transition(&self) -> Option<&StateTransition> {
        match &self.payload {
            Payload::StateTransition(st) => Some(st),
            _ => None,
        }
    }
}
