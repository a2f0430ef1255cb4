//! Synthetic events for the analyses' unit tests: one builder, so every
//! analysis's tests write events the same way.

use crate::event::{
    Event, GoId, GoState, Payload, ProcId, ProcState, StateTransition, Time, Transition,
    NO_GOROUTINE, NO_PROC, NO_THREAD,
};
use crate::tables::{Frame, StackId, StrId, Tables};

/// Events and the tables their strings and stacks live in.
pub(crate) struct Events {
    pub t: Tables,
    pub evs: Vec<Event>,
}

impl Events {
    pub fn new() -> Self {
        Events {
            t: Tables::new(),
            evs: Vec::new(),
        }
    }

    /// A stack of `funcs` (leaf first) in file `x.go`, with distinct PCs.
    pub fn stack(&mut self, funcs: &[&str]) -> StackId {
        let file = self.t.intern_str("x.go");
        let mut ids = Vec::new();
        for (i, f) in funcs.iter().enumerate() {
            let func = self.t.intern_str(f);
            ids.push(self.t.intern_frame(Frame {
                pc: 0x1000 + i as u64 * 16 + u64::from(func.0) * 256,
                func,
                file,
                line: 1 + i as u64,
            }));
        }
        self.t.intern_stack(&ids)
    }

    /// A stack of `(func, pc)` frames (leaf first) in file `a.go`, line `pc % 100`.
    pub fn stack_at(&mut self, frames: &[(&str, u64)]) -> StackId {
        let file = self.t.intern_str("a.go");
        let mut ids = Vec::new();
        for &(f, pc) in frames {
            let func = self.t.intern_str(f);
            ids.push(self.t.intern_frame(Frame {
                pc,
                func,
                file,
                line: pc % 100,
            }));
        }
        self.t.intern_stack(&ids)
    }

    /// An event without a stack.
    pub fn ev(&mut self, time: Time, p: ProcId, g: GoId, payload: Payload) {
        self.evs.push(Event {
            time,
            m: NO_THREAD,
            p,
            g,
            stack: StackId::NONE,
            wire_type: 0,
            payload,
        });
    }

    /// A generation boundary.
    pub fn sync(&mut self, time: Time) {
        self.ev(
            time,
            NO_PROC,
            NO_GOROUTINE,
            Payload::Sync { n: 1, clock: None },
        );
    }

    /// Goroutine `id` goes `old → new` at `time`, on P `p`, the event made
    /// by `cur` at `ev_stack`; `st_stack` is the transition's own stack.
    #[allow(clippy::too_many_arguments)]
    pub fn transition(
        &mut self,
        time: Time,
        p: ProcId,
        cur: GoId,
        id: GoId,
        old: GoState,
        new: GoState,
        reason: &str,
        ev_stack: StackId,
        st_stack: StackId,
    ) {
        let reason = self.t.intern_str(reason);
        self.evs.push(Event {
            time,
            m: NO_THREAD,
            p,
            g: cur,
            stack: ev_stack,
            wire_type: 0,
            payload: Payload::StateTransition(StateTransition {
                transition: Transition::Goroutine { id, old, new },
                reason,
                stack: st_stack,
            }),
        });
    }

    /// A [`transition`](Events::transition) with only the transition's stack.
    #[allow(clippy::too_many_arguments)]
    pub fn go_on(
        &mut self,
        time: Time,
        p: ProcId,
        cur: GoId,
        id: GoId,
        old: GoState,
        new: GoState,
        reason: &str,
        stack: StackId,
    ) {
        self.transition(time, p, cur, id, old, new, reason, StackId::NONE, stack);
    }

    /// A [`transition`](Events::transition) on P 0 made by no goroutine.
    #[allow(clippy::too_many_arguments)]
    pub fn go_stacks(
        &mut self,
        time: Time,
        id: GoId,
        old: GoState,
        new: GoState,
        reason: &str,
        ev_stack: StackId,
        st_stack: StackId,
    ) {
        self.transition(
            time,
            0,
            NO_GOROUTINE,
            id,
            old,
            new,
            reason,
            ev_stack,
            st_stack,
        );
    }

    /// A [`transition`](Events::transition) on P 0 made by `cur`, without
    /// reason or stacks.
    pub fn go_by(&mut self, time: Time, cur: GoId, id: GoId, old: GoState, new: GoState) {
        let none = StackId::NONE;
        self.transition(time, 0, cur, id, old, new, "", none, none);
    }

    /// Goroutine `id` blocks (running → waiting) for `reason`, on P 0.
    pub fn block(&mut self, time: Time, id: GoId, reason: &str) {
        let none = StackId::NONE;
        let (old, new) = (GoState::Running, GoState::Waiting);
        self.transition(time, 0, id, id, old, new, reason, none, none);
    }

    /// P `id` goes `old → new` at `time`.
    pub fn proc(&mut self, time: Time, id: ProcId, old: ProcState, new: ProcState) {
        self.ev(
            time,
            id,
            NO_GOROUTINE,
            Payload::StateTransition(StateTransition {
                transition: Transition::Proc { id, old, new },
                reason: StrId::EMPTY,
                stack: StackId::NONE,
            }),
        );
    }
}
