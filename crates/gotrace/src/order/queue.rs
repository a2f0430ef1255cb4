//! What the ordering emits: an event with its context and the facts the
//! ordering learned that the wire event does not carry (old states, the
//! task a task-end closes, the kind of the STW an STW-end closes).

use super::raw::{Ctx, RawEvent};
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

/// The ordering's output: an advance appends its events, and the reader
/// takes them one by one, in place, before the next advance.
#[derive(Debug, Default)]
pub struct Queue {
    items: Vec<Queued>,
    /// Index of the next event to hand out.
    head: usize,
}

impl Queue {
    #[inline]
    pub fn push(&mut self, q: Queued) {
        if self.head == self.items.len() {
            // Everything was taken: reuse the storage from the start.
            self.items.clear();
            self.head = 0;
        }
        self.items.push(q);
    }

    /// The next event, marked as taken. It stays stored until the next
    /// push, so the caller reads it where the ordering wrote it instead of
    /// copying it out first.
    #[inline]
    pub fn take(&mut self) -> Option<&Queued> {
        let q = self.items.get(self.head)?;
        self.head += 1;
        Some(q)
    }

    /// The next event, not taken.
    #[inline]
    pub fn peek(&self) -> Option<&Queued> {
        self.items.get(self.head)
    }
}
