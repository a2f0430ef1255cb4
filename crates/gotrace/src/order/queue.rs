//! What the ordering emits: an event with its context and the facts the
//! ordering learned that the wire event does not carry (old states, the
//! task a task-end closes, the kind of the STW an STW-end closes).

use super::{Ctx, RawEvent};
use crate::event::{GoState, ProcState};
use crate::tables::StrId;

/// Facts attached by the ordering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extra {
    None,
    /// GoStatus: the state before (Undetermined on first sight).
    GoOld(GoState),
    /// ProcStatus: the state before.
    ProcOld(ProcState),
    /// ProcSteal: the wire status of the P when stolen.
    StealFrom(u64),
    /// UserTaskEnd: the parent and name recorded at the task's begin.
    TaskEnd {
        parent: u64,
        name: StrId,
    },
    /// STWEnd: the kind string id of the matching begin (generation-scoped).
    StwKind(u64),
}

/// An ordered event, not yet resolved against the generation's tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Queued {
    pub ctx: Ctx,
    pub ev: RawEvent,
    pub extra: Extra,
}
