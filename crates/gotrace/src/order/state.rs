//! Per-resource ordering state: goroutines, Ps, Ms, sequence numbers and
//! in-flight ranges.

use crate::error::Error;
use crate::event::{GoState, ProcState};
use crate::tables::StrId;
use crate::wire::spec;
use std::fmt;

use super::raw::{gstatus, pstatus};

/// A per-generation sequence number: `(generation, n)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Seq {
    gen: u64,
    n: u64,
}

impl Seq {
    pub fn new(gen: u64, n: u64) -> Self {
        Seq { gen, n }
    }
    /// `self` comes right after `prev` in the same generation.
    pub fn succeeds(self, prev: Seq) -> bool {
        self.gen == prev.gen && self.n == prev.n.wrapping_add(1)
    }
}

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (gen={})", self.n, self.gen)
    }
}

/// A range kind in flight on a resource: its begin event type and, for STW,
/// the kind string (a generation string id, compared as written).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RangeType {
    begin: u8,
    desc: u64,
}

impl RangeType {
    /// Normalises an end/active event type to its begin type.
    pub fn new(ty: u8, desc: u64) -> Self {
        let begin = match spec::spec(ty) {
            Some(s) if s.start_ev != 0 => s.start_ev,
            _ => ty,
        };
        RangeType { begin, desc }
    }
}

/// Ranges in flight on one resource.
#[derive(Clone, Debug, Default)]
pub struct Ranges(Vec<RangeType>);

impl Ranges {
    pub fn begin(&mut self, r: RangeType) -> Result<(), Error> {
        if self.0.contains(&r) {
            return Err(Error::ordering(format!(
                "discovered event already in-flight for when starting event {}",
                super::raw::name(r.begin)
            )));
        }
        self.0.push(r);
        Ok(())
    }

    /// A range reported as already active at a generation start.
    pub fn active(&mut self, r: RangeType, initial_gen: bool) -> Result<(), Error> {
        if initial_gen {
            if self.0.contains(&r) {
                return Err(Error::ordering(format!(
                    "found named active range already in first gen: {}",
                    super::raw::name(r.begin)
                )));
            }
            self.0.push(r);
        } else if !self.0.contains(&r) {
            return Err(Error::ordering(format!(
                "resource is missing active range: {}",
                super::raw::name(r.begin)
            )));
        }
        Ok(())
    }

    /// Ends the first in-flight range begun by `end_ty`'s begin type,
    /// returning its description.
    pub fn end(&mut self, end_ty: u8) -> Result<u64, Error> {
        let begin = spec::spec(end_ty).map(|s| s.start_ev).unwrap_or(0);
        match self.0.iter().position(|r| r.begin == begin) {
            Some(i) => Ok(self.0.swap_remove(i).desc),
            None => Err(Error::ordering(format!(
                "tried to end event {}, but not in-flight",
                super::raw::name(begin)
            ))),
        }
    }
}

/// A goroutine as the ordering sees it.
#[derive(Clone, Debug)]
pub struct GState {
    pub status: u64,
    pub seq: Seq,
    /// Active user regions, innermost last: (task, name).
    pub regions: Vec<(u64, StrId)>,
    pub ranges: Ranges,
}

impl GState {
    pub fn new(status: u64, seq: Seq) -> Self {
        GState {
            status,
            seq,
            regions: Vec::new(),
            ranges: Ranges::default(),
        }
    }
}

/// A P as the ordering sees it.
#[derive(Clone, Debug)]
pub struct PState {
    pub status: u64,
    pub seq: Seq,
    pub ranges: Ranges,
}

impl PState {
    pub fn new(status: u64, seq: Seq) -> Self {
        PState {
            status,
            seq,
            ranges: Ranges::default(),
        }
    }
}

/// What an M is bound to.
#[derive(Clone, Copy, Debug)]
pub struct MState {
    pub g: i64,
    pub p: i64,
}

/// Ms by id, in order of first sight. Events of one thread come in runs, so
/// the last looked-up M is cached and most lookups skip hashing.
#[derive(Debug, Default)]
pub struct MTable {
    index: crate::intmap::IntMap<i64, u32>,
    slots: Vec<(i64, MState)>,
    last: Option<(i64, usize)>,
}

impl MTable {
    /// The slot of `m`, created unbound if new.
    #[inline]
    pub fn slot(&mut self, m: i64) -> usize {
        if let Some((id, i)) = self.last {
            if id == m {
                return i;
            }
        }
        let next = self.slots.len();
        let i = *self.index.entry(m).or_insert(next as u32) as usize;
        if i == next {
            self.slots.push((m, MState { g: -1, p: -1 }));
        }
        self.last = Some((m, i));
        i
    }
    #[inline]
    pub fn at(&self, slot: usize) -> Option<&MState> {
        self.slots.get(slot).map(|(_, s)| s)
    }
    #[inline]
    pub fn at_mut(&mut self, slot: usize) -> Option<&mut MState> {
        self.slots.get_mut(slot).map(|(_, s)| s)
    }
    pub fn get(&self, m: i64) -> Option<&MState> {
        let i = *self.index.get(&m)? as usize;
        self.at(i)
    }
    pub fn get_mut(&mut self, m: i64) -> Option<&mut MState> {
        let i = *self.index.get(&m)? as usize;
        self.at_mut(i)
    }
    pub fn insert(&mut self, m: i64, st: MState) {
        let i = self.slot(m);
        if let Some(s) = self.at_mut(i) {
            *s = st;
        }
    }
    /// All Ms with their state, in order of first sight.
    pub fn iter(&self) -> impl Iterator<Item = (i64, &MState)> {
        self.slots.iter().map(|(id, s)| (*id, s))
    }
    pub fn len(&self) -> usize {
        self.slots.len()
    }
}

/// API goroutine state of a wire status.
pub fn go_state(status: u64) -> GoState {
    match status {
        gstatus::RUNNABLE => GoState::Runnable,
        gstatus::RUNNING => GoState::Running,
        gstatus::SYSCALL => GoState::Syscall,
        gstatus::WAITING => GoState::Waiting,
        _ => GoState::Undetermined,
    }
}

/// API P state of a wire status (a syscall P still belongs to its thread).
pub fn proc_state(status: u64) -> ProcState {
    match status {
        pstatus::RUNNING | pstatus::SYSCALL => ProcState::Running,
        pstatus::IDLE | pstatus::SYSCALL_ABANDONED => ProcState::Idle,
        _ => ProcState::Undetermined,
    }
}

pub fn gstatus_name(s: u64) -> &'static str {
    match s {
        gstatus::RUNNABLE => "Runnable",
        gstatus::RUNNING => "Running",
        gstatus::SYSCALL => "Syscall",
        gstatus::WAITING => "Waiting",
        _ => "Bad",
    }
}

pub fn pstatus_name(s: u64) -> &'static str {
    match s {
        pstatus::RUNNING => "Running",
        pstatus::IDLE => "Idle",
        pstatus::SYSCALL => "Syscall",
        pstatus::SYSCALL_ABANDONED => "SyscallAbandoned",
        _ => "Bad",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::spec::ev;

    #[test]
    fn sequences_succeed_only_within_a_generation() {
        assert!(Seq::new(1, 1).succeeds(Seq::new(1, 0)));
        assert!(!Seq::new(2, 1).succeeds(Seq::new(1, 0)));
        assert!(!Seq::new(1, 2).succeeds(Seq::new(1, 0)));
    }

    #[test]
    fn ranges_begin_end_and_active() {
        let mut r = Ranges::default();
        r.begin(RangeType::new(ev::STW_BEGIN, 7)).unwrap();
        assert!(r.begin(RangeType::new(ev::STW_BEGIN, 7)).is_err());
        assert_eq!(r.end(ev::STW_END).unwrap(), 7);
        assert!(r.end(ev::STW_END).is_err());
        r.active(RangeType::new(ev::GC_MARK_ASSIST_ACTIVE, 0), true)
            .unwrap();
        assert!(r
            .active(RangeType::new(ev::GC_MARK_ASSIST_ACTIVE, 0), true)
            .is_err());
        r.active(RangeType::new(ev::GC_MARK_ASSIST_ACTIVE, 0), false)
            .unwrap();
        assert_eq!(r.end(ev::GC_MARK_ASSIST_END).unwrap(), 0);
        assert!(r
            .active(RangeType::new(ev::GC_SWEEP_ACTIVE, 0), false)
            .is_err());
    }
}
