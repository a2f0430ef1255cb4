//! The ordering state machine: decides whether the next event of a thread's
//! batch can happen now, given what every goroutine, P and M is doing, and
//! updates that state when it can.
//!
//! Each handler is small and says what context it requires and what state it
//! produces. A handler either advances (pushes one or more events to the
//! output queue), declines ("not yet: try another thread"), or fails (the
//! trace is broken). Facts follow Go's `internal/trace` ordering rules.

mod queue;
mod raw;
mod state;

use queue::Queue;
pub use queue::{Extra, Queued};
pub use raw::{gstatus, name, pstatus, Ctx, RawEvent};
pub use state::{go_state as go_state_of, proc_state as proc_state_of};
use state::{GState, MState, MTable, PState, RangeType, Seq};

use crate::error::Error;
use crate::intmap::IntMap;
use crate::tables::StrId;
use crate::wire::spec::ev;

const NO: i64 = -1;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Need {
    Not,
    May,
    Must,
}

/// Context requirement: (M, P, G).
type Reqs = (Need, Need, Need);
const USER_GO: Reqs = (Need::Must, Need::Must, Need::Must);

/// An ordering error, boxed so the handlers' results stay small.
#[cold]
fn oerr(msg: impl Into<String>) -> Box<Error> {
    Box::new(Error::ordering(msg))
}

#[inline]
fn validate(ctx: Ctx, reqs: Reqs) -> Result<(), Box<Error>> {
    let ok = |have: bool, need: Need| match need {
        Need::Must => have,
        Need::Not => !have,
        Need::May => true,
    };
    if ok(ctx.m != NO, reqs.0) && ok(ctx.p != NO, reqs.1) && ok(ctx.g != NO, reqs.2) {
        return Ok(());
    }
    validate_slow(ctx, reqs)
}

#[cold]
fn validate_slow(ctx: Ctx, (m, p, g): Reqs) -> Result<(), Box<Error>> {
    let check = |have: bool, need: Need, what: &str| -> Result<(), Box<Error>> {
        match (need, have) {
            (Need::Must, false) => Err(oerr(format!("expected a {what} but didn't have one"))),
            (Need::Not, true) => Err(oerr(format!("expected no {what} but had one"))),
            _ => Ok(()),
        }
    };
    check(ctx.m != NO, m, "thread")?;
    check(ctx.p != NO, p, "proc")?;
    check(ctx.g != NO, g, "goroutine")
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum GcState {
    Undetermined,
    NotRunning,
    Running,
}

/// Outcome of a handler: whether the event advanced. A handler that
/// advances stores the thread's new context itself ([`Ordering::advanced`]):
/// returning the context inside the result made the caller reload a freshly
/// stored, repacked struct (a store-forwarding stall on every event).
type Step = Result<bool, Box<Error>>;

/// The ordering state of one trace.
pub struct Ordering {
    gs: IntMap<i64, GState>,
    ps: IntMap<i64, PState>,
    ms: MTable,
    tasks: IntMap<u64, (StrId, u64)>,
    gc_seq: u64,
    gc: GcState,
    initial_gen: u64,
    queue: Queue,
    /// The M table slot of the thread whose event is being advanced.
    cur_slot: Option<usize>,
}

impl Default for Ordering {
    fn default() -> Self {
        Self::new()
    }
}

impl Ordering {
    pub fn new() -> Self {
        Ordering {
            gs: IntMap::default(),
            ps: IntMap::default(),
            ms: MTable::default(),
            tasks: IntMap::default(),
            gc_seq: 0,
            gc: GcState::Undetermined,
            initial_gen: 0,
            queue: Queue::default(),
            cur_slot: None,
        }
    }

    /// The next ordered event, if any is queued.
    pub fn pop(&mut self) -> Option<Queued> {
        self.queue.take().copied()
    }

    /// The next ordered event, taken from the queue but read in place:
    /// copying it out right after it was stored would stall on the reload.
    #[inline]
    pub fn take(&mut self) -> Option<&Queued> {
        self.queue.take()
    }

    /// Whether an ordered event is waiting.
    pub fn has_queued(&self) -> bool {
        self.queue.peek().is_some()
    }

    fn push(&mut self, ctx: Ctx, ev: RawEvent, extra: Extra) {
        self.queue.push(Queued { ctx, ev, extra });
    }

    /// Tries to advance `ev`, the next event of thread `m` in generation
    /// `gen`. Returns `Ok(true)` if it happened (events are queued),
    /// `Ok(false)` if it must wait for another thread.
    ///
    /// `task_name` resolves a generation string id for task/region names.
    pub fn advance(
        &mut self,
        ev: &RawEvent,
        m: i64,
        gen: u64,
        strings: &dyn Fn(u64) -> Option<StrId>,
    ) -> Result<bool, Box<Error>> {
        if self.initial_gen == 0 {
            self.initial_gen = gen;
        }
        let (cur, slot) = if m == NO {
            (Ctx { m, p: NO, g: NO }, None)
        } else {
            let slot = self.ms.slot(m);
            let ms = self.ms.at(slot).copied().unwrap_or(MState { g: NO, p: NO });
            (
                Ctx {
                    m,
                    p: ms.p,
                    g: ms.g,
                },
                Some(slot),
            )
        };
        self.cur_slot = slot;
        match ev.ty {
            ev::PROCS_CHANGE | ev::GO_LABEL | ev::USER_LOG => self.annotation(ev, cur),
            ev::PROC_START => self.proc_start(ev, cur, gen),
            ev::PROC_STOP => self.proc_stop(ev, cur),
            ev::PROC_STEAL => self.proc_steal(ev, cur, gen),
            ev::PROC_STATUS => self.proc_status(ev, cur, gen),
            ev::GO_CREATE | ev::GO_CREATE_BLOCKED => self.go_create(ev, cur, gen),
            ev::GO_CREATE_SYSCALL => self.go_create_syscall(ev, cur, gen),
            ev::GO_START => self.go_start(ev, cur, gen),
            ev::GO_DESTROY | ev::GO_STOP | ev::GO_BLOCK => self.go_stop_exec(ev, cur),
            ev::GO_DESTROY_SYSCALL => self.go_destroy_syscall(ev, cur),
            ev::GO_UNBLOCK => self.go_unblock(ev, cur, gen),
            ev::GO_SYSCALL_BEGIN => self.go_syscall_begin(ev, cur, gen),
            ev::GO_SYSCALL_END => self.go_syscall_end(ev, cur),
            ev::GO_SYSCALL_END_BLOCKED => self.go_syscall_end_blocked(ev, cur),
            ev::GO_STATUS | ev::GO_STATUS_STACK => self.go_status(ev, cur, gen),
            ev::STW_BEGIN | ev::GC_MARK_ASSIST_BEGIN => self.go_range_begin(ev, cur),
            ev::STW_END | ev::GC_MARK_ASSIST_END => self.go_range_end(ev, cur),
            ev::GC_MARK_ASSIST_ACTIVE => self.go_range_active(ev, cur, gen),
            ev::GC_ACTIVE => self.gc_active(ev, cur, gen),
            ev::GC_BEGIN => self.gc_begin(ev, cur),
            ev::GC_END => self.gc_end(ev, cur),
            ev::GC_SWEEP_ACTIVE => self.sweep_active(ev, cur, gen),
            ev::GC_SWEEP_BEGIN => self.sweep_begin(ev, cur),
            ev::GC_SWEEP_END => self.sweep_end(ev, cur),
            ev::HEAP_ALLOC | ev::HEAP_GOAL => self.heap_metric(ev, cur),
            ev::USER_TASK_BEGIN => self.task_begin(ev, cur, strings),
            ev::USER_TASK_END => self.task_end(ev, cur),
            ev::USER_REGION_BEGIN => self.region_begin(ev, cur, strings),
            ev::USER_REGION_END => self.region_end(ev, cur, strings),
            ev::GO_SWITCH | ev::GO_SWITCH_DESTROY => self.go_switch(ev, cur, gen),
            t if (ev::SPAN..=ev::GOROUTINE_STACK_FREE).contains(&t) => self.alloc_free(ev, cur),
            t => Err(oerr(format!("bad event type found while ordering: {t}"))),
        }
    }

    /// A handler's success: the event advanced, leaving its thread bound to
    /// `new.p` and `new.g`.
    #[inline(always)]
    fn advanced(&mut self, new: Ctx) -> Step {
        if let Some(ms) = self.cur_slot.and_then(|i| self.ms.at_mut(i)) {
            ms.p = new.p;
            ms.g = new.g;
        }
        Ok(true)
    }

    // ---- Procs ----

    fn proc_status(&mut self, ev: &RawEvent, mut cur: Ctx, gen: u64) -> Step {
        let pid = ev.args[0] as i64;
        let mut status = ev.args[1];
        if status > pstatus::SYSCALL_ABANDONED {
            return Err(oerr(format!("invalid status for proc {pid}: {status}")));
        }
        let mut old = state::proc_state(status);
        if let Some(s) = self.ps.get_mut(&pid) {
            if status == pstatus::SYSCALL_ABANDONED && s.status == pstatus::SYSCALL {
                // The P's syscall began in an earlier generation: it is still
                // the syscalling thread's until stolen.
                old = crate::event::ProcState::Running;
                status = pstatus::SYSCALL;
            } else if status == pstatus::SYSCALL_ABANDONED && s.status == pstatus::SYSCALL_ABANDONED
            {
                old = crate::event::ProcState::Idle;
            } else if s.status != status {
                return Err(oerr(format!(
                    "inconsistent status for proc {pid}: old {} vs. new {}",
                    state::pstatus_name(s.status),
                    state::pstatus_name(status)
                )));
            }
            s.seq = Seq::new(gen, 0);
        } else {
            self.ps.insert(pid, PState::new(status, Seq::new(gen, 0)));
            old = if gen == self.initial_gen {
                crate::event::ProcState::Undetermined
            } else {
                crate::event::ProcState::NotExist
            };
        }
        let mut new = cur;
        if ev.args[1] == pstatus::RUNNING || ev.args[1] == pstatus::SYSCALL {
            new.p = pid;
        }
        if ev.args[1] == pstatus::SYSCALL_ABANDONED && old == crate::event::ProcState::Running {
            // Report the event on the thread that holds the P.
            let holder = self
                .ms
                .iter()
                .filter(|(_, ms)| ms.p == pid)
                .map(|(id, ms)| (id, ms.g))
                .last();
            match holder {
                Some((mid, g)) => {
                    cur = Ctx { m: mid, p: pid, g };
                }
                None => {
                    return Err(oerr(format!(
                        "failed to find sched context for proc {pid} that's about to be stolen"
                    )))
                }
            }
        }
        let mut wire = *ev;
        wire.args[1] = status;
        self.push(cur, wire, Extra::ProcOld(old));
        self.advanced(new)
    }

    fn proc_start(&mut self, ev: &RawEvent, cur: Ctx, gen: u64) -> Step {
        let pid = ev.args[0] as i64;
        let seq = Seq::new(gen, ev.args[1]);
        match self.ps.get(&pid) {
            Some(s) if s.status == pstatus::IDLE && seq.succeeds(s.seq) && cur.p == NO => {}
            _ => return Ok(false),
        }
        validate(cur, (Need::Must, Need::Not, Need::May))?;
        if let Some(s) = self.ps.get_mut(&pid) {
            s.status = pstatus::RUNNING;
            s.seq = seq;
        }
        self.push(cur, *ev, Extra::None);
        self.advanced(Ctx { p: pid, ..cur })
    }

    fn proc_stop(&mut self, ev: &RawEvent, cur: Ctx) -> Step {
        let Some(s) = self.ps.get_mut(&cur.p) else {
            return Err(oerr(format!(
                "event ProcStop for proc ({}) that doesn't exist",
                cur.p
            )));
        };
        if s.status != pstatus::RUNNING && s.status != pstatus::SYSCALL {
            return Err(oerr(
                "ProcStop event for proc that's not Running or Syscall",
            ));
        }
        validate(cur, (Need::Must, Need::Must, Need::May))?;
        s.status = pstatus::IDLE;
        self.push(cur, *ev, Extra::None);
        self.advanced(Ctx { p: NO, ..cur })
    }

    fn proc_steal(&mut self, ev: &RawEvent, cur: Ctx, gen: u64) -> Step {
        let pid = ev.args[0] as i64;
        let seq = Seq::new(gen, ev.args[1]);
        let old = match self.ps.get(&pid) {
            Some(s)
                if (s.status == pstatus::SYSCALL || s.status == pstatus::SYSCALL_ABANDONED)
                    && seq.succeeds(s.seq) =>
            {
                s.status
            }
            _ => return Ok(false),
        };
        validate(cur, (Need::Must, Need::May, Need::May))?;
        if let Some(s) = self.ps.get_mut(&pid) {
            s.status = pstatus::IDLE;
            s.seq = seq;
        }
        let extra = Extra::StealFrom(old);
        if old == pstatus::SYSCALL_ABANDONED {
            self.push(cur, *ev, extra);
            return self.advanced(cur);
        }
        let victim = ev.args[2] as i64;
        if victim == cur.m {
            if cur.p != pid {
                return Err(oerr(format!(
                    "tried to self-steal proc {pid} (thread {victim}), but got proc {} instead",
                    cur.p
                )));
            }
            self.push(cur, *ev, extra);
            return self.advanced(Ctx { p: NO, ..cur });
        }
        let Some(vm) = self.ms.get_mut(victim) else {
            return Err(oerr(format!(
                "stole proc from non-existent thread {victim}"
            )));
        };
        if vm.p != pid {
            return Err(oerr(format!(
                "tried to steal proc {pid} from thread {victim}, but got proc {} instead",
                vm.p
            )));
        }
        vm.p = NO;
        self.push(cur, *ev, extra);
        self.advanced(cur)
    }

    // ---- Goroutines ----

    fn go_status(&mut self, ev: &RawEvent, mut cur: Ctx, gen: u64) -> Step {
        let gid = ev.args[0] as i64;
        let mid = ev.args[1] as i64;
        let status = ev.args[2];
        if status > gstatus::WAITING {
            return Err(oerr(format!(
                "invalid status for goroutine {gid}: {status}"
            )));
        }
        let old;
        if let Some(s) = self.gs.get_mut(&gid) {
            if s.status != status {
                return Err(oerr(format!(
                    "inconsistent status for goroutine {gid}: old {} vs. new {}",
                    state::gstatus_name(s.status),
                    state::gstatus_name(status)
                )));
            }
            old = state::go_state(status);
            s.seq = Seq::new(gen, 0);
        } else if gen == self.initial_gen {
            self.gs.insert(gid, GState::new(status, Seq::new(gen, 0)));
            old = crate::event::GoState::Undetermined;
        } else {
            return Err(oerr(format!(
                "found goroutine status for new goroutine after the first generation: id={gid} status={}",
                state::gstatus_name(status)
            )));
        }
        let mut new = cur;
        match status {
            gstatus::RUNNING => new.g = gid,
            gstatus::SYSCALL => {
                if mid == NO {
                    return Err(oerr(format!(
                        "found goroutine {gid} in syscall without a thread"
                    )));
                }
                if mid == cur.m {
                    if gen != self.initial_gen && cur.g != gid {
                        return Err(oerr(format!(
                            "inconsistent thread for syscalling goroutine {gid}: thread has goroutine {}",
                            cur.g
                        )));
                    }
                    new.g = gid;
                } else {
                    match self.ms.get(mid) {
                        Some(ms) => {
                            if ms.g != gid {
                                return Err(oerr(format!(
                                    "inconsistent thread for syscalling goroutine {gid}: thread has goroutine {}",
                                    ms.g
                                )));
                            }
                            cur.g = ms.g;
                        }
                        None => {
                            self.ms.insert(mid, MState { g: gid, p: NO });
                        }
                    }
                    cur.m = mid;
                }
            }
            _ => {}
        }
        self.push(cur, *ev, Extra::GoOld(old));
        self.advanced(new)
    }

    fn go_create(&mut self, ev: &RawEvent, cur: Ctx, gen: u64) -> Step {
        validate(cur, (Need::Must, Need::Must, Need::May))?;
        if let Some(s) = self.gs.get(&cur.g) {
            if s.status != gstatus::RUNNING {
                return Err(oerr(format!(
                    "{} event for goroutine that's not Running",
                    name(ev.ty)
                )));
            }
        }
        let new_g = ev.args[0] as i64;
        if self.gs.contains_key(&new_g) {
            return Err(oerr(format!(
                "tried to create goroutine ({new_g}) that already exists"
            )));
        }
        let status = if ev.ty == ev::GO_CREATE_BLOCKED {
            gstatus::WAITING
        } else {
            gstatus::RUNNABLE
        };
        self.gs.insert(new_g, GState::new(status, Seq::new(gen, 0)));
        self.push(cur, *ev, Extra::None);
        self.advanced(cur)
    }

    fn go_create_syscall(&mut self, ev: &RawEvent, cur: Ctx, gen: u64) -> Step {
        validate(cur, (Need::Must, Need::May, Need::Not))?;
        let new_g = ev.args[0] as i64;
        if self.gs.contains_key(&new_g) {
            return Err(oerr(format!(
                "tried to create goroutine ({new_g}) in syscall that already exists"
            )));
        }
        self.gs
            .insert(new_g, GState::new(gstatus::SYSCALL, Seq::new(gen, 0)));
        self.push(cur, *ev, Extra::None);
        self.advanced(Ctx { g: new_g, ..cur })
    }

    fn go_start(&mut self, ev: &RawEvent, cur: Ctx, gen: u64) -> Step {
        let gid = ev.args[0] as i64;
        let seq = Seq::new(gen, ev.args[1]);
        match self.gs.get(&gid) {
            Some(s) if s.status == gstatus::RUNNABLE && seq.succeeds(s.seq) => {}
            _ => return Ok(false),
        }
        validate(cur, (Need::Must, Need::Must, Need::Not))?;
        if let Some(s) = self.gs.get_mut(&gid) {
            s.status = gstatus::RUNNING;
            s.seq = seq;
        }
        self.push(cur, *ev, Extra::None);
        self.advanced(Ctx { g: gid, ..cur })
    }

    /// The current goroutine's state, which must exist and be `want`.
    fn current_g(
        &mut self,
        ty: u8,
        g: i64,
        want: u64,
        want_name: &str,
    ) -> Result<&mut GState, Box<Error>> {
        let Some(s) = self.gs.get_mut(&g) else {
            return Err(oerr(format!(
                "event {} for goroutine ({g}) that doesn't exist",
                name(ty)
            )));
        };
        if s.status != want {
            return Err(oerr(format!(
                "{} event for goroutine that's not {want_name}",
                name(ty)
            )));
        }
        Ok(s)
    }

    fn go_stop_exec(&mut self, ev: &RawEvent, cur: Ctx) -> Step {
        validate(cur, USER_GO)?;
        let s = self.current_g(ev.ty, cur.g, gstatus::RUNNING, "Running")?;
        match ev.ty {
            ev::GO_STOP => s.status = gstatus::RUNNABLE,
            ev::GO_BLOCK => s.status = gstatus::WAITING,
            _ => {
                self.gs.remove(&cur.g);
            }
        }
        self.push(cur, *ev, Extra::None);
        self.advanced(Ctx { g: NO, ..cur })
    }

    fn go_unblock(&mut self, ev: &RawEvent, cur: Ctx, gen: u64) -> Step {
        let gid = ev.args[0] as i64;
        let seq = Seq::new(gen, ev.args[1]);
        match self.gs.get_mut(&gid) {
            Some(s) if s.status == gstatus::WAITING && seq.succeeds(s.seq) => {
                s.status = gstatus::RUNNABLE;
                s.seq = seq;
            }
            _ => return Ok(false),
        }
        self.push(cur, *ev, Extra::None);
        self.advanced(cur)
    }

    fn go_switch(&mut self, ev: &RawEvent, cur: Ctx, gen: u64) -> Step {
        validate(cur, USER_GO)?;
        self.current_g(ev.ty, cur.g, gstatus::RUNNING, "Running")?;
        let next = ev.args[0] as i64;
        let seq = Seq::new(gen, ev.args[1]);
        match self.gs.get(&next) {
            Some(s) if s.status == gstatus::WAITING && seq.succeeds(s.seq) => {}
            _ => return Ok(false),
        }
        self.push(cur, *ev, Extra::None);
        let time = ev.time;
        if ev.ty == ev::GO_SWITCH {
            if let Some(s) = self.gs.get_mut(&cur.g) {
                s.status = gstatus::WAITING;
            }
            // A synthetic block with no reason and no stack.
            self.push(
                cur,
                RawEvent {
                    ty: ev::GO_BLOCK,
                    time,
                    args: [0; 4],
                },
                Extra::None,
            );
        } else {
            self.gs.remove(&cur.g);
            self.push(
                cur,
                RawEvent {
                    ty: ev::GO_DESTROY,
                    time,
                    args: [0; 4],
                },
                Extra::None,
            );
        }
        if let Some(s) = self.gs.get_mut(&next) {
            s.status = gstatus::RUNNING;
            s.seq = seq;
        }
        let start = RawEvent {
            ty: ev::GO_START,
            time,
            args: [next as u64, ev.args[1], 0, 0],
        };
        self.push(Ctx { g: NO, ..cur }, start, Extra::None);
        self.advanced(Ctx { g: next, ..cur })
    }

    /// The P of a syscall event (`during`: the event's name), which must exist.
    fn syscall_proc(&mut self, p: i64, during: &str) -> Result<&mut PState, Box<Error>> {
        self.known_proc(p, || {
            format!("uninitialized proc {p} found during {during}")
        })
    }

    /// P `p`, which the event requires to exist; `missing` says it does not.
    fn known_proc(
        &mut self,
        p: i64,
        missing: impl FnOnce() -> String,
    ) -> Result<&mut PState, Box<Error>> {
        self.ps.get_mut(&p).ok_or_else(|| oerr(missing()))
    }

    fn go_syscall_begin(&mut self, ev: &RawEvent, cur: Ctx, gen: u64) -> Step {
        validate(cur, USER_GO)?;
        let s = self.current_g(ev.ty, cur.g, gstatus::RUNNING, "Running")?;
        s.status = gstatus::SYSCALL;
        let p = self.syscall_proc(cur.p, "GoSyscallBegin")?;
        p.status = pstatus::SYSCALL;
        let pseq = Seq::new(gen, ev.args[0]);
        if !pseq.succeeds(p.seq) {
            return Err(oerr(format!(
                "failed to advance GoSyscallBegin: can't make sequence: {} -> {}",
                p.seq, pseq
            )));
        }
        p.seq = pseq;
        self.push(cur, *ev, Extra::None);
        self.advanced(cur)
    }

    fn go_syscall_end(&mut self, ev: &RawEvent, cur: Ctx) -> Step {
        validate(cur, USER_GO)?;
        let s = self.current_g(ev.ty, cur.g, gstatus::SYSCALL, "Running")?;
        s.status = gstatus::RUNNING;
        let p = self.syscall_proc(cur.p, "GoSyscallEnd")?;
        if p.status != pstatus::SYSCALL {
            return Err(oerr(format!(
                "expected proc {} in state Syscall, but got {} instead",
                cur.p,
                state::pstatus_name(p.status)
            )));
        }
        p.status = pstatus::RUNNING;
        self.push(cur, *ev, Extra::None);
        self.advanced(cur)
    }

    fn go_syscall_end_blocked(&mut self, ev: &RawEvent, cur: Ctx) -> Step {
        if cur.p != NO {
            let p = self.syscall_proc(cur.p, "GoSyscallEndBlocked")?;
            if p.status == pstatus::SYSCALL {
                // Wait until the P is stolen or stopped.
                return Ok(false);
            }
        }
        validate(cur, (Need::Must, Need::May, Need::Must))?;
        let s = self.current_g(ev.ty, cur.g, gstatus::SYSCALL, "Running")?;
        s.status = gstatus::RUNNABLE;
        self.push(cur, *ev, Extra::None);
        self.advanced(Ctx { g: NO, ..cur })
    }

    fn go_destroy_syscall(&mut self, ev: &RawEvent, cur: Ctx) -> Step {
        validate(cur, (Need::Must, Need::May, Need::Must))?;
        self.current_g(ev.ty, cur.g, gstatus::SYSCALL, "Syscall")?;
        self.gs.remove(&cur.g);
        let mut new = Ctx { g: NO, ..cur };
        if cur.p != NO {
            let Some(p) = self.ps.get_mut(&cur.p) else {
                return Err(oerr(format!(
                    "found invalid proc {} during GoDestroySyscall",
                    cur.p
                )));
            };
            if p.status != pstatus::SYSCALL {
                return Err(oerr(format!(
                    "proc {} in unexpected state {} during GoDestroySyscall",
                    cur.p,
                    state::pstatus_name(p.status)
                )));
            }
            p.status = pstatus::SYSCALL_ABANDONED;
            new.p = NO;
            // The P is implicitly stolen back from the exiting thread.
            let steal = RawEvent {
                ty: ev::PROC_STEAL,
                time: ev.time,
                args: [cur.p as u64, 0, 0, 0],
            };
            self.push(cur, steal, Extra::StealFrom(pstatus::SYSCALL));
        }
        self.push(cur, *ev, Extra::None);
        self.advanced(new)
    }

    // ---- Tasks and regions ----

    fn task_begin(
        &mut self,
        ev: &RawEvent,
        cur: Ctx,
        strings: &dyn Fn(u64) -> Option<StrId>,
    ) -> Step {
        let id = ev.args[0];
        if self.tasks.contains_key(&id) {
            return Err(oerr(format!("task ID conflict: {id}")));
        }
        let mut wire = *ev;
        if wire.args[1] == crate::event::BACKGROUND_TASK {
            wire.args[1] = crate::event::NO_TASK;
        }
        let Some(name) = strings(ev.args[2]) else {
            return Err(oerr(format!(
                "invalid string ID {} for UserTaskBegin event",
                ev.args[2]
            )));
        };
        self.tasks.insert(id, (name, wire.args[1]));
        validate(cur, USER_GO)?;
        self.push(cur, wire, Extra::None);
        self.advanced(cur)
    }

    fn task_end(&mut self, ev: &RawEvent, cur: Ctx) -> Step {
        let (name, parent) = self
            .tasks
            .remove(&ev.args[0])
            .unwrap_or((StrId::EMPTY, crate::event::NO_TASK));
        validate(cur, USER_GO)?;
        self.push(cur, *ev, Extra::TaskEnd { parent, name });
        self.advanced(cur)
    }

    fn region(
        &mut self,
        ev: &RawEvent,
        cur: Ctx,
        strings: &dyn Fn(u64) -> Option<StrId>,
        begin: bool,
    ) -> Step {
        validate(cur, USER_GO)?;
        let task = ev.args[0];
        let Some(name) = strings(ev.args[1]) else {
            return Err(oerr(format!(
                "invalid string ID {} for {} event",
                ev.args[1],
                name(ev.ty)
            )));
        };
        let which = if begin {
            "EvUserRegionBegin"
        } else {
            "EvUserRegionEnd"
        };
        let Some(s) = self.gs.get_mut(&cur.g) else {
            return Err(oerr(format!(
                "encountered {which} without known state for current goroutine {}",
                cur.g
            )));
        };
        if begin {
            s.regions.push((task, name));
        } else if let Some(&top) = s.regions.last() {
            // An end with no begin (the region began before tracing) is fine.
            if top != (task, name) {
                return Err(oerr(format!(
                    "misuse of region in goroutine {}: region end {:?} when the inner-most active region start event is {:?}",
                    cur.g, (task, name), top
                )));
            }
            s.regions.pop();
        }
        self.push(cur, *ev, Extra::None);
        self.advanced(cur)
    }

    fn region_begin(
        &mut self,
        ev: &RawEvent,
        cur: Ctx,
        strings: &dyn Fn(u64) -> Option<StrId>,
    ) -> Step {
        self.region(ev, cur, strings, true)
    }

    fn region_end(
        &mut self,
        ev: &RawEvent,
        cur: Ctx,
        strings: &dyn Fn(u64) -> Option<StrId>,
    ) -> Step {
        self.region(ev, cur, strings, false)
    }

    // ---- GC and ranges ----

    fn gc_active(&mut self, ev: &RawEvent, cur: Ctx, gen: u64) -> Step {
        let seq = ev.args[0];
        if gen == self.initial_gen {
            if self.gc != GcState::Undetermined {
                return Err(oerr(
                    "GCActive in the first generation isn't first GC event",
                ));
            }
            self.gc_seq = seq;
            self.gc = GcState::Running;
            self.push(cur, *ev, Extra::None);
            return self.advanced(cur);
        }
        if seq != self.gc_seq.wrapping_add(1) {
            return Ok(false);
        }
        if self.gc != GcState::Running {
            return Err(oerr("encountered GCActive while GC was not in progress"));
        }
        self.gc_seq = seq;
        validate(cur, USER_GO)?;
        self.push(cur, *ev, Extra::None);
        self.advanced(cur)
    }

    fn gc_begin(&mut self, ev: &RawEvent, cur: Ctx) -> Step {
        let seq = ev.args[0];
        if self.gc == GcState::Undetermined {
            self.gc_seq = seq;
            self.gc = GcState::Running;
            self.push(cur, *ev, Extra::None);
            return self.advanced(cur);
        }
        if seq != self.gc_seq.wrapping_add(1) {
            return Ok(false);
        }
        if self.gc == GcState::Running {
            return Err(oerr("encountered GCBegin while GC was already in progress"));
        }
        self.gc_seq = seq;
        self.gc = GcState::Running;
        validate(cur, USER_GO)?;
        self.push(cur, *ev, Extra::None);
        self.advanced(cur)
    }

    fn gc_end(&mut self, ev: &RawEvent, cur: Ctx) -> Step {
        let seq = ev.args[0];
        if seq != self.gc_seq.wrapping_add(1) {
            return Ok(false);
        }
        match self.gc {
            GcState::NotRunning => {
                return Err(oerr("encountered GCEnd when GC was not in progress"))
            }
            GcState::Undetermined => {
                return Err(oerr(
                    "encountered GCEnd when GC was in an undetermined state",
                ))
            }
            GcState::Running => {}
        }
        self.gc_seq = seq;
        self.gc = GcState::NotRunning;
        validate(cur, USER_GO)?;
        self.push(cur, *ev, Extra::None);
        self.advanced(cur)
    }

    fn annotation(&mut self, ev: &RawEvent, cur: Ctx) -> Step {
        validate(cur, USER_GO)?;
        self.push(cur, *ev, Extra::None);
        self.advanced(cur)
    }

    fn heap_metric(&mut self, ev: &RawEvent, cur: Ctx) -> Step {
        validate(cur, (Need::Must, Need::Must, Need::May))?;
        self.push(cur, *ev, Extra::None);
        self.advanced(cur)
    }

    fn alloc_free(&mut self, ev: &RawEvent, cur: Ctx) -> Step {
        validate(cur, (Need::Must, Need::May, Need::May))?;
        self.push(cur, *ev, Extra::None);
        self.advanced(cur)
    }

    fn sweep_begin(&mut self, ev: &RawEvent, cur: Ctx) -> Step {
        validate(cur, (Need::Must, Need::Must, Need::May))?;
        let p = self.known_proc(cur.p, || format!("unknown proc {}", cur.p))?;
        p.ranges.begin(RangeType::new(ev.ty, 0))?;
        self.push(cur, *ev, Extra::None);
        self.advanced(cur)
    }

    fn sweep_active(&mut self, ev: &RawEvent, cur: Ctx, gen: u64) -> Step {
        let pid = ev.args[0] as i64;
        let initial = gen == self.initial_gen;
        let Some(p) = self.ps.get_mut(&pid) else {
            return Err(oerr(format!(
                "encountered GCSweepActive for unknown proc {pid}"
            )));
        };
        p.ranges.active(RangeType::new(ev.ty, 0), initial)?;
        self.push(cur, *ev, Extra::None);
        self.advanced(cur)
    }

    fn sweep_end(&mut self, ev: &RawEvent, cur: Ctx) -> Step {
        validate(cur, (Need::Must, Need::Must, Need::May))?;
        let p = self.known_proc(cur.p, || format!("unknown proc {}", cur.p))?;
        p.ranges.end(ev.ty)?;
        self.push(cur, *ev, Extra::None);
        self.advanced(cur)
    }

    fn go_range_begin(&mut self, ev: &RawEvent, cur: Ctx) -> Step {
        validate(cur, USER_GO)?;
        let desc = if ev.ty == ev::STW_BEGIN {
            ev.args[0]
        } else {
            0
        };
        let Some(g) = self.gs.get_mut(&cur.g) else {
            return Err(oerr(format!(
                "encountered event of type {} without known state for current goroutine {}",
                ev.ty, cur.g
            )));
        };
        g.ranges.begin(RangeType::new(ev.ty, desc))?;
        self.push(cur, *ev, Extra::None);
        self.advanced(cur)
    }

    fn go_range_active(&mut self, ev: &RawEvent, cur: Ctx, gen: u64) -> Step {
        let gid = ev.args[0] as i64;
        let initial = gen == self.initial_gen;
        let Some(g) = self.gs.get_mut(&gid) else {
            return Err(oerr(format!(
                "uninitialized goroutine {gid} found during {}",
                name(ev.ty)
            )));
        };
        g.ranges.active(RangeType::new(ev.ty, 0), initial)?;
        self.push(cur, *ev, Extra::None);
        self.advanced(cur)
    }

    fn go_range_end(&mut self, ev: &RawEvent, cur: Ctx) -> Step {
        validate(cur, USER_GO)?;
        let Some(g) = self.gs.get_mut(&cur.g) else {
            return Err(oerr(format!(
                "encountered event of type {} without known state for current goroutine {}",
                ev.ty, cur.g
            )));
        };
        let desc = g.ranges.end(ev.ty)?;
        let extra = if ev.ty == ev::STW_END {
            Extra::StwKind(desc)
        } else {
            Extra::None
        };
        self.push(cur, *ev, extra);
        self.advanced(cur)
    }

    /// A one-line summary of the state, for "failed to advance" errors.
    pub fn summary(&self) -> String {
        format!(
            "{} goroutines, {} procs, {} threads known; GC {} {:?}",
            self.gs.len(),
            self.ps.len(),
            self.ms.len(),
            self.gc_seq,
            self.gc
        )
    }
}

#[cfg(test)]
mod tests;
