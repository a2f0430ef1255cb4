//! What the analyses share to keep their per-event work small: dense
//! goroutine slots instead of hash maps keyed by goroutine id, and goroutine
//! transitions with their wait reason already classified.
//!
//! Every analysis works on slots (`u32`, dense from 0) and keeps its
//! per-goroutine state in vectors indexed by them. Its own `add(&Event)`
//! resolves ids with its own [`Resolver`]; the fused pass
//! ([`crate::analysis::all`]) resolves once for all of them, and over the
//! compact store once per distinct payload rather than once per event.
//! Results never depend on slot numbers: reports are ordered by id.

use crate::event::{Event, GoId, GoState, StateTransition, Transition};
use crate::intmap::IntMap;
use crate::tables::{StackId, StrId, Tables};

/// The wait reason is `forever` (the goroutine is gone for good).
pub(crate) const FOREVER: u8 = 1;
/// The wait reason counts for the network profile.
pub(crate) const NET: u8 = 2;
/// The wait reason counts for the sync profile.
pub(crate) const SYNC: u8 = 4;
/// The flags have been computed (cache marker).
const KNOWN: u8 = 0x80;

/// [`GoTrans::bits`]: the state changes (`old != new`).
pub(crate) const CHANGE: u8 = 1;
/// The goroutine is created or first seen (`old` is `NotExist` or `Undetermined`).
pub(crate) const CREATES: u8 = 2;
/// It starts running.
pub(crate) const TO_RUNNING: u8 = 4;
/// A change among running, runnable and waiting (not forever): the common
/// case, which touches nothing but the goroutine's own state.
pub(crate) const SIMPLE: u8 = 8;
/// It ends: exits, or waits forever.
pub(crate) const ENDS: u8 = 16;

/// Profile kinds as bits (`1 << ProfileKind as u8`).
pub(crate) const NET_BIT: u8 = 1;
pub(crate) const SYNC_BIT: u8 = 2;
pub(crate) const SYSCALL_BIT: u8 = 4;
pub(crate) const SCHED_BIT: u8 = 8;

/// Whether a wait `reason` counts for the network profile.
pub fn is_net_reason(reason: &[u8]) -> bool {
    reason == b"network"
}

/// Whether a wait `reason` counts for the sync profile.
pub fn is_sync_reason(reason: &[u8]) -> bool {
    let has = |n: &[u8]| reason.windows(n.len()).any(|w| w == n);
    has(b"chan") || has(b"sync") || has(b"select")
}

/// Classifies a wait reason.
pub(crate) fn reason_flags(reason: &[u8]) -> u8 {
    let mut f = 0;
    if reason == b"forever" {
        f |= FOREVER;
    }
    if is_net_reason(reason) {
        f |= NET;
    }
    if is_sync_reason(reason) {
        f |= SYNC;
    }
    f
}

/// Goroutine ids to dense slots.
#[derive(Clone, Debug, Default)]
pub(crate) struct GoSlots {
    index: IntMap<GoId, u32>,
    /// A direct-mapped cache of `index` (ids are mostly small and few):
    /// (id, slot + 1), slot + 1 = 0 when empty.
    cache: Vec<(GoId, u32)>,
}

const CACHE: usize = 256;

impl GoSlots {
    /// The slot of `id`, assigned on first sight.
    #[inline(always)]
    pub(crate) fn slot(&mut self, id: GoId) -> u32 {
        let line = (id as u64 as usize) % CACHE;
        if let Some(&(cid, s)) = self.cache.get(line) {
            if cid == id && s != 0 {
                return s - 1;
            }
        }
        let next = self.index.len() as u32;
        let s = *self.index.entry(id).or_insert(next);
        if self.cache.len() != CACHE {
            self.cache = vec![(0, 0); CACHE];
        }
        if let Some(c) = self.cache.get_mut(line) {
            // (Not cached if s + 1 overflows: never, in practice.)
            *c = (id, s.checked_add(1).unwrap_or(0));
        }
        s
    }
}

/// A goroutine state transition, resolved.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GoTrans {
    pub id: GoId,
    pub slot: u32,
    pub old: GoState,
    pub new: GoState,
    pub reason: StrId,
    /// The root frame (PC, function) of the transition's own stack, which
    /// names the goroutine; `None` when that stack is empty.
    pub root: Option<(u64, StrId)>,
    /// The event's stack (what profiles attribute to).
    pub ev_stack: StackId,
    /// [`CHANGE`], [`CREATES`], [`TO_RUNNING`], [`SIMPLE`], [`ENDS`].
    pub bits: u8,
    /// Profile kinds whose state `new` is (an open interval stays open).
    pub keep: u8,
    /// Profile kinds whose interval starts here (if not open yet).
    pub starts: u8,
}

/// Slots, reason classes and root frames, computed once per goroutine id,
/// string and stack.
#[derive(Clone, Debug, Default)]
pub(crate) struct Resolver {
    pub slots: GoSlots,
    /// Reason flags by string id (0: not computed yet).
    flags: Vec<u8>,
    /// Root frames by stack id (`None`: not computed yet).
    roots: Vec<Option<Option<(u64, StrId)>>>,
}

impl Resolver {
    /// The flags of reason `r`.
    #[inline(always)]
    pub(crate) fn flags(&mut self, r: StrId, tables: &Tables) -> u8 {
        let i = r.0 as usize;
        if let Some(&f) = self.flags.get(i) {
            if f & KNOWN != 0 {
                return f & !KNOWN;
            }
        }
        let f = reason_flags(tables.bytes(r));
        // Only ids the tables know are cached (others are all "").
        if i < tables.string_count() {
            if self.flags.len() <= i {
                self.flags.resize(i + 1, 0);
            }
            if let Some(slot) = self.flags.get_mut(i) {
                *slot = f | KNOWN;
            }
        }
        f
    }

    /// The root frame (PC, function) of stack `s`.
    #[inline(always)]
    fn root(&mut self, s: StackId, tables: &Tables) -> Option<(u64, StrId)> {
        let i = s.0 as usize;
        if let Some(&Some(r)) = self.roots.get(i) {
            return r;
        }
        let r = tables.stack(s).last().map(|f| (f.pc, f.func));
        // Only ids the tables know are cached (others have no frames).
        if i < tables.stack_count() {
            if self.roots.len() <= i {
                self.roots.resize(i + 1, None);
            }
            if let Some(slot) = self.roots.get_mut(i) {
                *slot = Some(r);
            }
        }
        r
    }

    /// `ev`'s goroutine transition, if it is one.
    #[inline]
    pub(crate) fn go_trans(&mut self, ev: &Event, tables: &Tables) -> Option<GoTrans> {
        let crate::event::Payload::StateTransition(st) = ev.payload else {
            return None;
        };
        self.go_trans_of(&st, ev.stack, tables)
    }

    /// The goroutine transition of `st`, if it is one.
    #[inline(always)]
    pub(crate) fn go_trans_of(
        &mut self,
        st: &StateTransition,
        ev_stack: StackId,
        tables: &Tables,
    ) -> Option<GoTrans> {
        let Transition::Goroutine { id, old, new } = st.transition else {
            return None;
        };
        let &(mut bits, keep, mut starts) = TRANS.get(old as usize * 6 + new as usize)?;
        if new == GoState::Waiting {
            let flags = self.flags(st.reason, tables);
            if flags & FOREVER != 0 {
                bits = (bits | ENDS) & !SIMPLE;
            }
            starts =
                (u8::from(flags & NET != 0) * NET_BIT) | (u8::from(flags & SYNC != 0) * SYNC_BIT);
        }
        Some(GoTrans {
            bits,
            keep,
            starts,
            id,
            slot: self.slots.slot(id),
            old,
            new,
            reason: st.reason,
            root: self.root(st.stack, tables),
            ev_stack,
        })
    }
}

/// [`GoTrans::bits`], `keep` and `starts` (before the wait reason is
/// considered) of every (old, new) pair of states, at `old * 6 + new`.
const TRANS: [(u8, u8, u8); 36] = {
    let mut t = [(0u8, 0u8, 0u8); 36];
    let mut i = 0;
    while i < 36 {
        let (old, new) = (i / 6, i % 6);
        let (running, runnable, waiting, syscall, not_exist, undetermined) = (
            GoState::Running as usize,
            GoState::Runnable as usize,
            GoState::Waiting as usize,
            GoState::Syscall as usize,
            GoState::NotExist as usize,
            GoState::Undetermined as usize,
        );
        let simple_old = old == running || old == runnable || old == waiting;
        let simple_new = new == running || new == runnable || new == waiting;
        let mut bits = 0;
        if old != new {
            bits |= CHANGE;
            if simple_old && simple_new {
                bits |= SIMPLE;
            }
        }
        if old == not_exist || old == undetermined {
            bits |= CREATES;
        }
        if new == running {
            bits |= TO_RUNNING;
        }
        if new == not_exist {
            bits |= ENDS;
        }
        let (keep, starts) = if new == waiting {
            (NET_BIT | SYNC_BIT, 0)
        } else if new == syscall {
            (SYSCALL_BIT, SYSCALL_BIT)
        } else if new == runnable {
            (SCHED_BIT, SCHED_BIT)
        } else {
            (0, 0)
        };
        t[i] = (bits, keep, starts);
        i += 1;
    }
    t
};

/// A slot's entry in a per-slot vector, grown on demand.
#[inline]
pub(crate) fn at<T: Default>(v: &mut Vec<T>, slot: u32) -> &mut T {
    let i = slot as usize;
    if i >= v.len() {
        v.resize_with(i + 1, T::default);
    }
    &mut v[i]
}
