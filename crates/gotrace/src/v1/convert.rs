//! Validated v1 events → the common [`Event`] model, the way Go 1.23+
//! presents an old trace (one generation, no ordering machine).
//!
//! Most events map one to one. The exceptions: until the first `Gomaxprocs`
//! the trace describes goroutines that already existed, which become
//! `GoStatus` transitions; the first start/stop of each P becomes a
//! `ProcStatus`; a syscall that did not block becomes a 1 ns
//! begin/end pair; `GoStartLabel` becomes a start plus a label. Times are
//! forced strictly increasing, one ns at a time, as Go does.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::intern::{stw_kind, Interner};
use super::parse::{V1Event, V1Tables};
use super::spec::ty;
use crate::error::Error;
use crate::event::{
    Event, GoState, Metric, Payload, ProcState, RangeName, Resource, StateTransition, SweepAttrs,
    Time, Transition, BACKGROUND_TASK, NO_GOROUTINE, NO_PROC, NO_TASK, NO_THREAD,
};
use crate::tables::{StackId, StrId, Tables};
use crate::wire::spec::ev as wire;

/// Block reason strings of the blocking v1 events.
fn block_reason(t: u8) -> Option<(&'static str, u8)> {
    Some(match t {
        ty::GO_STOP => ("forever", wire::GO_BLOCK),
        ty::GO_SCHED => ("runtime.Gosched", wire::GO_STOP),
        ty::GO_PREEMPT => ("preempted", wire::GO_STOP),
        ty::GO_SLEEP => ("sleep", wire::GO_BLOCK),
        ty::GO_BLOCK => ("", wire::GO_BLOCK),
        ty::GO_BLOCK_SEND => ("chan send", wire::GO_BLOCK),
        ty::GO_BLOCK_RECV => ("chan receive", wire::GO_BLOCK),
        ty::GO_BLOCK_SELECT => ("select", wire::GO_BLOCK),
        ty::GO_BLOCK_SYNC => ("sync", wire::GO_BLOCK),
        ty::GO_BLOCK_COND => ("sync.(*Cond).Wait", wire::GO_BLOCK),
        ty::GO_BLOCK_NET => ("network", wire::GO_BLOCK),
        ty::GO_BLOCK_GC => ("GC mark assist wait for work", wire::GO_BLOCK),
        _ => return None,
    })
}

/// The converter's running state.
struct Converter<'p, 'a> {
    strs: Interner<'p, 'a>,
    minor: u32,
    out: Vec<Event>,
    last_ts: Time,
    /// Before the first Gomaxprocs: describing goroutines that pre-exist.
    pre_init: bool,
    /// Pre-existing goroutines not yet given a state (Go iterates a map;
    /// we use id order).
    created_pre_init: BTreeSet<u64>,
    seen_procs: HashSet<i32>,
    proc_thread: HashMap<i32, u64>,
    last_stw: StrId,
    /// Open tasks: name and the parent id as written.
    tasks: HashMap<u64, (StrId, u64)>,
}

/// Converts; returns the events and the last event time (-1 if none).
pub fn convert(
    events: &[V1Event],
    v1: &V1Tables<'_>,
    minor: u32,
    tables: &mut Tables,
) -> (Vec<Event>, Time, Option<Error>) {
    let blocked = blocked_syscalls(events);
    let mut c = Converter {
        strs: Interner::new(v1, tables),
        minor,
        out: Vec::with_capacity(events.len() + events.len() / 8),
        last_ts: -1,
        pre_init: true,
        created_pre_init: BTreeSet::new(),
        seen_procs: HashSet::new(),
        proc_thread: HashMap::new(),
        last_stw: StrId::EMPTY,
        tasks: HashMap::new(),
    };
    for (ev, &blocked) in events.iter().zip(&blocked) {
        if let Err(e) = c.event(ev, blocked) {
            return (c.out, c.last_ts, Some(e));
        }
    }
    (c.out, c.last_ts, None)
}

/// For each event: whether it is a syscall whose goroutine's next event is
/// `GoSysBlock` (Go looks ahead; one backward pass finds the same).
fn blocked_syscalls(events: &[V1Event]) -> Vec<bool> {
    let mut next_of_g: HashMap<u64, u8> = HashMap::new();
    let mut out = vec![false; events.len()];
    for (ev, slot) in events.iter().zip(out.iter_mut()).rev() {
        if ev.ty == ty::GO_SYSCALL {
            *slot = next_of_g.get(&ev.g) == Some(&ty::GO_SYS_BLOCK);
        }
        next_of_g.insert(ev.g, ev.ty);
    }
    out
}

fn go_tr(id: u64, old: GoState, new: GoState, reason: StrId, stack: StackId) -> Payload {
    let transition = Transition::Goroutine {
        id: id as i64,
        old,
        new,
    };
    Payload::StateTransition(StateTransition {
        transition,
        reason,
        stack,
    })
}

fn proc_tr(id: i64, old: ProcState, new: ProcState) -> Payload {
    let transition = Transition::Proc { id, old, new };
    Payload::StateTransition(StateTransition {
        transition,
        reason: StrId::EMPTY,
        stack: StackId::NONE,
    })
}

impl Converter<'_, '_> {
    /// Appends with Go's "strictly increasing time" fix-up.
    fn push(&mut self, mut e: Event) {
        if e.time <= self.last_ts {
            e.time = self.last_ts + 1;
        }
        self.last_ts = e.time;
        self.out.push(e);
    }

    /// The thread of P `p` as the last ProcStart said (none if unknown).
    fn thread(&self, p: i32) -> i64 {
        self.proc_thread.get(&p).map_or(NO_THREAD, |&m| m as i64)
    }

    /// The context Go builds by hand for labels and syscall pairs: the raw
    /// goroutine (0 stays 0) and thread 0 when the P's thread is unknown.
    fn raw_ctx(&self, ev: &V1Event) -> (i64, i64, i64) {
        let m = self.proc_thread.get(&ev.p).map_or(0, |&m| m as i64);
        (m, i64::from(ev.p), ev.g as i64)
    }

    fn event(&mut self, ev: &V1Event, blocked_syscall: bool) -> Result<(), Error> {
        let a = ev.args;
        let at = ev.off;
        // Resolve the stack only for events Go prints with it: Go's printer
        // is where a dangling string id fails.
        let unprinted = matches!(ev.ty, ty::GO_START | ty::GO_START_LABEL | ty::GO_SYS_BLOCK)
            || (self.pre_init && matches!(ev.ty, ty::GOMAXPROCS | ty::GO_CREATE));
        let stack = if unprinted {
            StackId::NONE
        } else {
            self.strs.stack(ev.stk, at)?
        };
        // Default context: the P's thread, the goroutine (0 means none).
        if ev.ty == ty::PROC_START {
            self.proc_thread.insert(ev.p, a[0]);
        }
        let m = if ev.p != -1 && ev.ty != ty::CPU_SAMPLE {
            self.thread(ev.p)
        } else {
            NO_THREAD
        };
        let g = if ev.g == 0 { NO_GOROUTINE } else { ev.g as i64 };
        let p = i64::from(ev.p);
        let mk = |wire_type: u8, stack: StackId, payload: Payload| Event {
            time: ev.ts,
            m,
            p,
            g,
            stack,
            wire_type,
            payload,
        };
        let none = StackId::NONE;
        let empty = StrId::EMPTY;
        use GoState::*;
        let out = match ev.ty {
            ty::GOMAXPROCS if self.pre_init => {
                // Initialisation is over: pre-existing goroutines we learnt
                // nothing more about were runnable (or idle).
                self.pre_init = false;
                for id in std::mem::take(&mut self.created_pre_init) {
                    self.push(Event {
                        time: ev.ts,
                        m: NO_THREAD,
                        p: NO_PROC,
                        g: NO_GOROUTINE,
                        stack: none,
                        wire_type: wire::GO_STATUS,
                        payload: go_tr(id, Undetermined, Runnable, empty, none),
                    });
                }
                return Ok(());
            }
            ty::GOMAXPROCS => mk(
                wire::PROCS_CHANGE,
                stack,
                Payload::Metric {
                    metric: Metric::Gomaxprocs,
                    value: a[0],
                },
            ),
            ty::PROC_START | ty::PROC_STOP => {
                let start = ev.ty == ty::PROC_START;
                let e = if self.seen_procs.insert(ev.p) {
                    let new = if start {
                        ProcState::Running
                    } else {
                        ProcState::Idle
                    };
                    mk(
                        wire::PROC_STATUS,
                        none,
                        proc_tr(p, ProcState::Undetermined, new),
                    )
                } else if start {
                    mk(
                        wire::PROC_START,
                        none,
                        proc_tr(p, ProcState::Idle, ProcState::Running),
                    )
                } else {
                    mk(
                        wire::PROC_STOP,
                        none,
                        proc_tr(p, ProcState::Running, ProcState::Idle),
                    )
                };
                if !start {
                    self.proc_thread.remove(&ev.p);
                }
                e
            }
            ty::GC_START => mk(
                wire::GC_BEGIN,
                stack,
                Payload::RangeBegin {
                    name: RangeName::GcMark,
                    scope: Resource::None,
                },
            ),
            ty::GC_DONE => mk(
                wire::GC_END,
                none,
                Payload::RangeEnd {
                    name: RangeName::GcMark,
                    scope: Resource::None,
                    sweep: None,
                },
            ),
            ty::STW_START => {
                let kind = self.strs.text(stw_kind(self.minor, a[0]));
                self.last_stw = kind;
                let name = RangeName::StopTheWorld(kind);
                mk(
                    wire::STW_BEGIN,
                    none,
                    Payload::RangeBegin {
                        name,
                        scope: Resource::Goroutine(g),
                    },
                )
            }
            ty::STW_DONE => {
                let name = RangeName::StopTheWorld(self.last_stw);
                mk(
                    wire::STW_END,
                    none,
                    Payload::RangeEnd {
                        name,
                        scope: Resource::Goroutine(g),
                        sweep: None,
                    },
                )
            }
            ty::GC_SWEEP_START => mk(
                wire::GC_SWEEP_BEGIN,
                stack,
                Payload::RangeBegin {
                    name: RangeName::GcSweep,
                    scope: Resource::Proc(p),
                },
            ),
            ty::GC_SWEEP_DONE => {
                let sweep = Some(SweepAttrs {
                    swept: a[0],
                    reclaimed: a[1],
                });
                let payload = Payload::RangeEnd {
                    name: RangeName::GcSweep,
                    scope: Resource::Proc(p),
                    sweep,
                };
                mk(wire::GC_SWEEP_END, none, payload)
            }
            ty::GO_CREATE if self.pre_init => {
                self.created_pre_init.insert(a[0]);
                return Ok(());
            }
            ty::GO_CREATE => {
                let new_stack = self.strs.stack(a[1] as u32, at)?;
                mk(
                    wire::GO_CREATE,
                    stack,
                    go_tr(a[0], NotExist, Runnable, empty, new_stack),
                )
            }
            ty::GO_START if self.pre_init => {
                self.created_pre_init.remove(&a[0]);
                mk(
                    wire::GO_STATUS,
                    none,
                    go_tr(a[0], Undetermined, Running, empty, none),
                )
            }
            ty::GO_START => mk(
                wire::GO_START,
                none,
                go_tr(a[0], Runnable, Running, empty, none),
            ),
            ty::GO_START_LABEL => {
                let (m, p, g) = self.raw_ctx(ev);
                let label = self.strs.string(a[2], at)?;
                let start = go_tr(a[0], Runnable, Running, empty, none);
                let base = Event {
                    time: ev.ts,
                    m,
                    p,
                    g,
                    stack: none,
                    wire_type: wire::GO_START,
                    payload: start,
                };
                self.push(base);
                let payload = Payload::Label {
                    label,
                    resource: Resource::Goroutine(g),
                };
                Event {
                    wire_type: wire::GO_LABEL,
                    payload,
                    ..base
                }
            }
            ty::GO_END => mk(
                wire::GO_DESTROY,
                none,
                go_tr(ev.g, Running, NotExist, empty, none),
            ),
            t if block_reason(t).is_some() => {
                let (reason, wire_type) = block_reason(t).unwrap_or(("", wire::GO_BLOCK));
                let reason = self.strs.text(reason);
                let new = if wire_type == wire::GO_STOP {
                    Runnable
                } else {
                    Waiting
                };
                mk(wire_type, stack, go_tr(ev.g, Running, new, reason, stack))
            }
            ty::GO_UNBLOCK => mk(
                wire::GO_UNBLOCK,
                stack,
                go_tr(a[0], Waiting, Runnable, empty, none),
            ),
            ty::GO_SYSCALL if blocked_syscall => mk(
                wire::GO_SYSCALL_BEGIN,
                stack,
                go_tr(ev.g, Running, Syscall, empty, stack),
            ),
            ty::GO_SYSCALL => {
                // A syscall that did not block: a 1 ns long syscall.
                let (m, p, g) = self.raw_ctx(ev);
                let begin = go_tr(ev.g, Running, Syscall, empty, stack);
                let base = Event {
                    time: ev.ts,
                    m,
                    p,
                    g,
                    stack,
                    wire_type: wire::GO_SYSCALL_BEGIN,
                    payload: begin,
                };
                self.push(base);
                let end = go_tr(ev.g, Syscall, Running, empty, none);
                let time = ev.ts.wrapping_add(1);
                Event {
                    time,
                    stack: none,
                    wire_type: wire::GO_SYSCALL_END,
                    payload: end,
                    ..base
                }
            }
            ty::GO_SYS_EXIT => mk(
                wire::GO_SYSCALL_END_BLOCKED,
                none,
                go_tr(ev.g, Syscall, Runnable, empty, none),
            ),
            ty::GO_SYS_BLOCK => return Ok(()),
            ty::GO_WAITING | ty::GO_IN_SYSCALL => {
                self.created_pre_init.remove(&a[0]);
                let new = if ev.ty == ty::GO_WAITING {
                    Waiting
                } else {
                    Syscall
                };
                mk(
                    wire::GO_STATUS,
                    none,
                    go_tr(a[0], Undetermined, new, empty, none),
                )
            }
            ty::HEAP_ALLOC => mk(
                wire::HEAP_ALLOC,
                none,
                Payload::Metric {
                    metric: Metric::HeapAlloc,
                    value: a[0],
                },
            ),
            ty::HEAP_GOAL => mk(
                wire::HEAP_GOAL,
                none,
                Payload::Metric {
                    metric: Metric::HeapGoal,
                    value: a[0],
                },
            ),
            ty::GC_MARK_ASSIST_START => mk(
                wire::GC_MARK_ASSIST_BEGIN,
                stack,
                Payload::RangeBegin {
                    name: RangeName::GcMarkAssist,
                    scope: Resource::Goroutine(g),
                },
            ),
            ty::GC_MARK_ASSIST_DONE => mk(
                wire::GC_MARK_ASSIST_END,
                none,
                Payload::RangeEnd {
                    name: RangeName::GcMarkAssist,
                    scope: Resource::Goroutine(g),
                    sweep: None,
                },
            ),
            ty::USER_TASK_CREATE => {
                let name = self.strs.string(a[2], at)?;
                self.tasks.insert(a[0], (name, a[1]));
                let parent = if a[1] == BACKGROUND_TASK {
                    NO_TASK
                } else {
                    a[1]
                };
                mk(
                    wire::USER_TASK_BEGIN,
                    stack,
                    Payload::TaskBegin {
                        id: a[0],
                        parent,
                        ty: name,
                    },
                )
            }
            ty::USER_TASK_END => {
                // The end reports the parent as written at creation (0 stays 0).
                let (name, parent) = self.tasks.remove(&a[0]).unwrap_or((empty, NO_TASK));
                mk(
                    wire::USER_TASK_END,
                    stack,
                    Payload::TaskEnd {
                        id: a[0],
                        parent,
                        ty: name,
                    },
                )
            }
            ty::USER_REGION => {
                let name = self.strs.string(a[2], at)?;
                if a[1] == 0 {
                    mk(
                        wire::USER_REGION_BEGIN,
                        stack,
                        Payload::RegionBegin {
                            task: a[0],
                            ty: name,
                        },
                    )
                } else {
                    mk(
                        wire::USER_REGION_END,
                        stack,
                        Payload::RegionEnd {
                            task: a[0],
                            ty: name,
                        },
                    )
                }
            }
            ty::USER_LOG => {
                let category = self.strs.string(a[1], at)?;
                let message = self.strs.inline(a[3]);
                mk(
                    wire::USER_LOG,
                    stack,
                    Payload::Log {
                        task: a[0],
                        category,
                        message,
                    },
                )
            }
            ty::CPU_SAMPLE => mk(wire::CPU_SAMPLE, stack, Payload::StackSample),
            t => {
                return Err(Error::format(format!("unexpected event type {t}")).at(ev.off));
            }
        };
        self.push(out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocked_syscalls_look_at_the_goroutines_next_event() {
        let e = |ty, g| V1Event {
            ty,
            g,
            ..V1Event::default()
        };
        let evs = [
            e(ty::GO_SYSCALL, 1),
            e(ty::GO_SYSCALL, 2),
            e(ty::HEAP_ALLOC, 3),
            e(ty::GO_SYS_BLOCK, 1),
            e(ty::GO_SCHED, 2),
            e(ty::GO_SYSCALL, 1),
        ];
        assert_eq!(
            blocked_syscalls(&evs),
            vec![true, false, false, false, false, false]
        );
    }
}
