//! Every analysis in one pass: the goroutine analysis, the four profiles'
//! samples, the MMU utilization series and the tasks and regions, with the
//! same results as running each on its own (`GoroutineAnalysis`,
//! `ProfileBuilder`, `UtilBuilder`, `TaskAnalysis`; the tests check it on
//! every trace of `testdata/`).
//!
//! Over events ([`Analyses::add`], [`analyze_trace`]) the gain is that a
//! goroutine id is resolved once for all analyses (to a dense slot, see
//! `analysis::resolve`). Over the compact store ([`Analyses::add_store`],
//! what the viewer and the benchmark use) an event costs a few table
//! lookups in the common case:
//! - Events are not rebuilt one by one. Each distinct payload (a few tens
//!   of thousands against millions of events) is classified and resolved
//!   once; events that matter to no analysis but as a time (CPU samples,
//!   most metrics) are skipped.
//! - Most events are goroutine transitions between running, runnable and
//!   waiting. All the goroutine analysis and the profiles do with one is
//!   to end the interval the goroutine's previous transition began (adding
//!   its length to a total that transition decides: a state, a wait
//!   reason, a stack) and begin another. So while a goroutine is in that
//!   steady state, its transitions only count, per previous transition,
//!   intervals and their total length; anything else it does (or the end
//!   of the pass) first applies those totals to both analyses, then goes
//!   the exact way (see `Steady`).
//! - For the MMU such a transition only records the goroutine's state
//!   (unless it does GC work); for the tasks it changes nothing once the
//!   goroutine has a name.
//!
//! ```no_run
//! # fn f(bytes: &[u8]) -> Result<(), gotrace::Error> {
//! use gotrace::analysis::all::Analyses;
//! let (reports, _damage) = gotrace::analysis::all::analyze_trace(bytes, Analyses::new())?;
//! let groups = reports.goroutines.map(|g| g.groups());
//! # Ok(()) }
//! ```

use super::goroutines::{GoroutineAnalysis, GoroutineCore, GoroutineReport};
use super::mmu::{Accounting, MmuCurve, UtilBuilder, UtilCore, UtilFlags};
use super::pprof::{ProfileBuilder, ProfileCore, ProfileSet};
use super::resolve::{GoSlots, GoTrans, Resolver, SIMPLE};
use super::tasks::{Annotations, TaskAnalysis, TaskCore};
use crate::event::{Event, GoId, GoState, Payload, ProcId};
use crate::model::EventStore;
use crate::stream::Source;
use crate::tables::Tables;
use crate::Error;

/// Which analyses a pass runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Selected {
    pub goroutines: bool,
    pub profiles: bool,
    pub mmu: bool,
    pub tasks: bool,
}

impl Selected {
    pub const ALL: Selected = Selected {
        goroutines: true,
        profiles: true,
        mmu: true,
        tasks: true,
    };
    pub const NONE: Selected = Selected {
        goroutines: false,
        profiles: false,
        mmu: false,
        tasks: false,
    };
}

/// The results of one pass (`None` for an analysis that was not selected).
#[derive(Clone, Debug)]
pub struct Reports {
    pub goroutines: Option<GoroutineReport>,
    /// The samples every profile is built from ([`ProfileSet::profile`]).
    /// For a damaged trace see [`analyze_trace`].
    pub profiles: Option<Result<ProfileSet, Error>>,
    /// The MMU curve for the flags the pass was made with.
    pub mmu: Option<MmuCurve>,
    pub tasks: Option<Annotations>,
}

/// The fused pass: feed it events ([`Self::add`]) or a stored range of them
/// ([`Self::add_store`]), in trace order, then [`Self::finish`].
#[derive(Debug)]
pub struct Analyses {
    sel: Selected,
    res: Resolver,
    goroutines: GoroutineCore,
    profiles: ProfileCore,
    mmu: UtilCore,
    tasks: TaskCore,
    /// Events seen, and the count at the last `Sync` (for damaged traces).
    events: usize,
    at_last_sync: usize,
    steady: Steady,
}

impl Default for Analyses {
    fn default() -> Self {
        Self::new()
    }
}

/// How the store pass handles a distinct payload: an index into
/// `Prepared::trans` (a goroutine transition), or one of these.
/// Only its time matters (to the MMU).
const TICK: u32 = u32::MAX;
/// Any other event: rebuilt and handled as [`Analyses::add`] would.
const SLOW: u32 = u32::MAX - 1;
/// A `Sync` (handled as SLOW).
const SYNC: u32 = u32::MAX - 2;

/// Per distinct payload of a store: its class (see [`TICK`]) and the
/// goroutine transitions; per distinct context: its P and G.
struct Prepared {
    class: Vec<u32>,
    trans: Vec<GoTrans>,
    /// What the per-event fast paths read of `trans`, packed.
    hot: Vec<Hot>,
    ctxs: Vec<(ProcId, GoId)>,
}

#[derive(Clone, Copy, Debug)]
struct Hot {
    slot: u32,
    bits: u8,
    old: GoState,
    new: GoState,
}

/// The columns of one chunk of stored events.
struct View<'a> {
    base: i64,
    time: &'a [u32],
    ctx: &'a [u32],
    body: &'a [u32],
}

impl View<'_> {
    /// The full event `i` (for SLOW ones).
    fn event(&self, store: &EventStore, i: usize) -> Option<Event> {
        let t = self.base + i64::from(*self.time.get(i)?);
        store.event_of(t, *self.ctx.get(i)?, *self.body.get(i)?)
    }
}

/// The goroutines' steady state in a store pass, shared by the goroutine
/// analysis and the profiles: most transitions go between running,
/// runnable and waiting, and all either analysis does with one is to end
/// the interval the goroutine's previous transition began and begin
/// another. So while a goroutine is in that steady state (checked by
/// [`GoroutineCore::fast_ok`] and [`ProfileCore::fast_ok`] after an exact
/// step), its transitions only count, per previous transition, how many
/// intervals it began and their total length; anything else the goroutine
/// does (or the end of the pass) first settles these into both analyses
/// (`settle`), then goes the exact way.
#[derive(Debug, Default)]
struct Steady {
    /// Per goroutine slot (of the store's transitions).
    last: Vec<Last>,
    /// Per transition (index into `Prepared::trans`).
    aggs: Vec<Agg>,
    /// Per goroutine slot: the transitions with aggregates.
    touched: Vec<Vec<u32>>,
}

/// A goroutine in the steady state: its last transition and its time.
#[derive(Clone, Copy, Debug)]
struct Last {
    t: i64,
    /// Index into `Prepared::trans`, or [`NOT_STEADY`].
    tr: u32,
    new: GoState,
}

const NOT_STEADY: u32 = u32::MAX;

impl Default for Last {
    fn default() -> Self {
        Last {
            t: 0,
            tr: NOT_STEADY,
            new: GoState::Undetermined,
        }
    }
}

/// The intervals a transition began (and that ended), while steady.
#[derive(Clone, Copy, Debug, Default)]
struct Agg {
    count: u64,
    sum: i64,
    /// Position of the event that ended the last one.
    pos: u64,
}

impl Steady {
    fn reset(&mut self, slots: usize, trans: usize) {
        self.last.clear();
        self.last.resize(slots, Last::default());
        self.aggs.clear();
        self.aggs.resize(trans, Agg::default());
        self.touched.resize_with(slots, Vec::new);
        self.touched.iter_mut().for_each(Vec::clear);
    }

    /// Applies goroutine `slot`'s aggregates and leaves the steady state.
    fn settle(
        &mut self,
        slot: u32,
        goroutines: Option<&mut GoroutineCore>,
        profiles: Option<&mut ProfileCore>,
        trans: &[GoTrans],
    ) {
        let Some(l) = self.last.get_mut(slot as usize) else {
            return;
        };
        let last = std::mem::take(l);
        let Some(ltr) = trans.get(last.tr as usize) else {
            return;
        };
        let Some(list) = self.touched.get_mut(slot as usize) else {
            return;
        };
        let aggs = &mut self.aggs;
        let sums = || {
            list.iter().filter_map(|&b| {
                let a = aggs.get(b as usize)?;
                Some((trans.get(b as usize)?, a))
            })
        };
        if let Some(g) = goroutines {
            // The states it entered since it became steady: those of the
            // transitions that began an interval, and the last.
            let visited = sums().fold(1 << ltr.new as u8, |v, (tr, _)| v | 1 << tr.new as u8);
            g.settle(
                slot,
                sums().map(|(tr, a)| (tr, a.sum)),
                last.t,
                ltr,
                visited,
            );
        }
        if let Some(p) = profiles {
            p.settle(
                slot,
                sums().map(|(tr, a)| (tr, a.count, a.sum, a.pos)),
                last.t,
                ltr,
            );
        }
        for &b in list.iter() {
            if let Some(a) = aggs.get_mut(b as usize) {
                *a = Agg::default();
            }
        }
        list.clear();
    }
}

/// What a store pass works with.
struct Pass<'a> {
    sel: Selected,
    goroutines: &'a mut GoroutineCore,
    profiles: &'a mut ProfileCore,
    mmu: &'a mut UtilCore,
    tasks: &'a mut TaskCore,
    steady: &'a mut Steady,
    slots: &'a mut GoSlots,
    prep: &'a Prepared,
    store: &'a EventStore,
    tables: &'a Tables,
    /// Position + 1 of the last `Sync` seen.
    last_sync: Option<u64>,
}

impl Pass<'_> {
    fn p_of(&self, v: &View, i: usize) -> (ProcId, GoId) {
        v.ctx
            .get(i)
            .and_then(|&c| self.prep.ctxs.get(c as usize))
            .copied()
            .unwrap_or((-1, -1))
    }

    /// Goroutine `slot` leaves the steady state.
    fn settle(&mut self, slot: u32) {
        let g = self.sel.goroutines.then_some(&mut *self.goroutines);
        let p = self.sel.profiles.then_some(&mut *self.profiles);
        self.steady.settle(slot, g, p, &self.prep.trans);
    }

    /// Every selected analysis over one chunk. The common case, a
    /// goroutine transition, takes each analysis' fast path inline; the
    /// rest goes the exact way, out of line.
    #[inline(never)]
    fn chunk(&mut self, v: &View, pos0: u64) {
        let sel = self.sel;
        let intervals = sel.goroutines || sel.profiles;
        let prep = self.prep;
        for (i, (&dt, &b)) in v.time.iter().zip(v.body).enumerate() {
            let t = v.base + i64::from(dt);
            let c = prep.class.get(b as usize).copied().unwrap_or(SLOW);
            let Some(&h) = prep.hot.get(c as usize) else {
                self.other(v, i, c, t, pos0 + i as u64);
                continue;
            };
            if intervals {
                let steady = &mut *self.steady;
                match steady.last.get_mut(h.slot as usize) {
                    Some(l)
                        if h.bits & SIMPLE != 0
                            && l.tr != NOT_STEADY
                            && l.new == h.old
                            && t > l.t =>
                    {
                        // The interval `l.tr` began ends here.
                        if let Some(a) = steady.aggs.get_mut(l.tr as usize) {
                            if a.count == 0 {
                                if let Some(list) = steady.touched.get_mut(h.slot as usize) {
                                    list.push(l.tr);
                                }
                            }
                            a.count = a.count.saturating_add(1);
                            a.sum = a.sum.saturating_add(t - l.t);
                            a.pos = pos0 + i as u64;
                        }
                        l.t = t;
                        l.tr = c;
                        l.new = h.new;
                    }
                    _ => self.intervals_exact(v, i, c, t, pos0 + i as u64),
                }
            }
            if sel.mmu {
                if !self.mmu.go_quiet(h.slot, h.new) {
                    self.mmu_exact(v, i, c, t);
                } else if self.mmu.pending() {
                    self.mmu.tick(t);
                }
            }
            if sel.tasks && !self.tasks.quiet(h.slot, h.bits) {
                self.tasks_exact(v, i, c, t);
            }
        }
        if sel.mmu {
            if let Some(&dt) = v.time.last() {
                self.mmu.set_time(v.base + i64::from(dt));
            }
        }
    }

    /// A goroutine transition for the goroutine analysis and the profiles,
    /// the exact way; then maybe the goroutine's steady state from here.
    #[inline(never)]
    fn intervals_exact(&mut self, v: &View, i: usize, c: u32, t: i64, pos: u64) {
        let Some(tr) = self.prep.trans.get(c as usize) else {
            return;
        };
        if self
            .steady
            .last
            .get(tr.slot as usize)
            .is_some_and(|l| l.tr != NOT_STEADY)
        {
            self.settle(tr.slot);
        }
        if self.sel.goroutines {
            let (p, _) = self.p_of(v, i);
            self.goroutines.go(t, p, tr);
        }
        if self.sel.profiles {
            self.profiles.go(t, tr, true, pos);
        }
        let steady = t >= 0
            && (!self.sel.goroutines || self.goroutines.fast_ok(tr))
            && (!self.sel.profiles || self.profiles.fast_ok(t, tr));
        if steady {
            if let Some(l) = self.steady.last.get_mut(tr.slot as usize) {
                *l = Last {
                    t,
                    tr: c,
                    new: tr.new,
                };
            }
        }
    }

    #[inline(never)]
    fn mmu_exact(&mut self, v: &View, i: usize, c: u32, t: i64) {
        if let Some(tr) = self.prep.trans.get(c as usize) {
            let (p, _) = self.p_of(v, i);
            self.mmu.go(t, p, tr);
        }
    }

    #[inline(never)]
    fn tasks_exact(&mut self, v: &View, i: usize, c: u32, t: i64) {
        if let Some(tr) = self.prep.trans.get(c as usize) {
            let (_, g) = self.p_of(v, i);
            self.tasks.go(t, g, tr, self.slots, self.tables);
            self.tasks.settle(tr.slot);
        }
    }

    /// Any other event (class [`TICK`], [`SLOW`] or [`SYNC`]).
    #[inline(never)]
    fn other(&mut self, v: &View, i: usize, c: u32, t: i64, pos: u64) {
        let sel = self.sel;
        if c == SYNC {
            self.last_sync = Some(pos + 1);
        }
        if c == TICK {
            if sel.mmu && self.mmu.pending() {
                self.mmu.tick(t);
            }
            return;
        }
        let Some(ev) = v.event(self.store, i) else {
            return;
        };
        if sel.goroutines {
            self.goroutines.other(&ev, self.slots);
        }
        if sel.mmu {
            self.mmu.event(&ev, self.slots, self.tables);
        }
        if sel.tasks {
            if c == SYNC {
                self.tasks.sync(t);
            } else {
                self.tasks.other(&ev, self.slots);
            }
        }
    }
}

impl Analyses {
    /// Every analysis over the whole trace; MMU with Go's default flags
    /// ([`UtilFlags::DEFAULT`]) and accounting.
    pub fn new() -> Self {
        Self::with(Selected::ALL, UtilFlags::DEFAULT, Accounting::Go)
    }

    /// The analyses `sel` selects, MMU for `flags` with `accounting`.
    pub fn with(sel: Selected, flags: UtilFlags, accounting: Accounting) -> Self {
        Analyses {
            sel,
            res: Resolver::default(),
            goroutines: GoroutineAnalysis::new().core,
            profiles: ProfileBuilder::new().core,
            mmu: UtilBuilder::with_accounting(flags, accounting).core,
            tasks: TaskAnalysis::new().core,
            events: 0,
            at_last_sync: 0,
            steady: Steady::default(),
        }
    }

    pub fn selected(&self) -> Selected {
        self.sel
    }

    /// A goroutine transition, to every selected analysis.
    #[inline]
    fn go(&mut self, s: Selected, t: i64, p: ProcId, g: GoId, tr: &GoTrans, tables: &Tables) {
        if s.goroutines {
            self.goroutines.go(t, p, tr);
        }
        if s.profiles {
            let pos = self.events.wrapping_sub(1) as u64;
            self.profiles.go(t, tr, true, pos);
        }
        if s.mmu {
            self.mmu.go(t, p, tr);
        }
        if s.tasks {
            self.tasks.go(t, g, tr, &mut self.res.slots, tables);
        }
    }

    /// Accounts for one event (in trace order).
    pub fn add(&mut self, ev: &Event, tables: &Tables) {
        self.events += 1;
        let s = self.sel;
        let t = ev.time;
        if s.goroutines {
            self.goroutines.time(t);
        }
        if s.tasks {
            self.tasks.time(t);
        }
        if let Payload::StateTransition(st) = &ev.payload {
            if let Some(tr) = self.res.go_trans_of(st, ev.stack, tables) {
                self.go(s, t, ev.p, ev.g, &tr, tables);
                return;
            }
        }
        self.other(ev, tables);
    }

    /// Any event but a goroutine transition (times already noted).
    fn other(&mut self, ev: &Event, tables: &Tables) {
        let s = self.sel;
        let t = ev.time;
        match ev.payload {
            Payload::Sync { .. } => {
                self.at_last_sync = self.events;
                if s.tasks {
                    self.tasks.sync(t);
                }
            }
            _ => {
                if s.tasks {
                    self.tasks.other(ev, &mut self.res.slots);
                }
            }
        }
        if s.goroutines {
            self.goroutines.other(ev, &mut self.res.slots);
        }
        if s.mmu {
            self.mmu.event(ev, &mut self.res.slots, tables);
        }
    }

    /// Accounts for the stored events with index in `range` (in trace
    /// order, after the events given before).
    pub fn add_store(
        &mut self,
        store: &EventStore,
        range: std::ops::Range<usize>,
        tables: &Tables,
    ) {
        let range = range.start..range.end.min(store.len());
        if range.is_empty() {
            return;
        }
        let s = self.sel;
        let prep = self.prepare(store, tables);
        let n_slots = prep
            .trans
            .iter()
            .map(|t| t.slot as usize + 1)
            .max()
            .unwrap_or(0);
        self.steady.reset(n_slots, prep.trans.len());
        self.mmu.reserve_slots(n_slots);
        self.tasks.reserve_slots(n_slots);
        // The first and last events' times (all the goroutine analysis and
        // the tasks need of most events).
        if let (Some(first), Some(last)) = (store.time(range.start), store.time(range.end - 1)) {
            if s.goroutines {
                self.goroutines.time(first);
                self.goroutines.time(last);
            }
            if s.tasks {
                self.tasks.time(first);
                self.tasks.time(last);
            }
        }
        let mut pass = Pass {
            sel: s,
            goroutines: &mut self.goroutines,
            profiles: &mut self.profiles,
            mmu: &mut self.mmu,
            tasks: &mut self.tasks,
            steady: &mut self.steady,
            slots: &mut self.res.slots,
            prep: &prep,
            store,
            tables,
            last_sync: None,
        };
        let mut events = self.events;
        for chunk in store.chunks(range) {
            let n = chunk.time.len().min(chunk.ctx.len()).min(chunk.body.len());
            let v = View {
                base: chunk.base,
                time: &chunk.time[..n],
                ctx: &chunk.ctx[..n],
                body: &chunk.body[..n],
            };
            pass.chunk(&v, events as u64);
            events += n;
        }
        if let Some(p) = pass.last_sync {
            self.at_last_sync = p as usize;
        }
        self.events = events;
        // Goroutines still steady leave that state (the next events may
        // come another way).
        if s.goroutines || s.profiles {
            for slot in 0..self.steady.last.len() as u32 {
                if self
                    .steady
                    .last
                    .get(slot as usize)
                    .is_some_and(|l| l.tr != NOT_STEADY)
                {
                    let g = s.goroutines.then_some(&mut self.goroutines);
                    let p = s.profiles.then_some(&mut self.profiles);
                    self.steady.settle(slot, g, p, &prep.trans);
                }
            }
        }
    }

    /// Classifies every distinct payload and context of `store`.
    fn prepare(&mut self, store: &EventStore, tables: &Tables) -> Prepared {
        let mut class = Vec::with_capacity(store.body_count());
        let mut trans: Vec<GoTrans> = Vec::new();
        for b in 0..store.body_count() as u32 {
            let c = match store.body(b) {
                Some((Payload::StateTransition(st), stack, _)) => {
                    match self.res.go_trans_of(st, stack, tables) {
                        Some(tr) => {
                            trans.push(tr);
                            trans.len() as u32 - 1
                        }
                        None => SLOW,
                    }
                }
                Some((Payload::Sync { .. }, _, _)) => SYNC,
                Some((
                    p @ (Payload::Metric { .. }
                    | Payload::Label { .. }
                    | Payload::StackSample
                    | Payload::Experimental(_)),
                    _,
                    _,
                )) if !self.mmu.needs(p) => TICK,
                _ => SLOW,
            };
            class.push(c);
        }
        let ctxs = (0..store.context_count() as u32)
            .map(|c| store.context(c).map_or((-1, -1), |(_, p, g)| (p, g)))
            .collect();
        let hot = trans
            .iter()
            .map(|t| Hot {
                slot: t.slot,
                bits: t.bits,
                old: t.old,
                new: t.new,
            })
            .collect();
        Prepared {
            class,
            trans,
            hot,
            ctxs,
        }
    }

    /// The reports after the last event.
    pub fn finish(self, tables: &Tables) -> Reports {
        let s = self.sel;
        Reports {
            goroutines: s.goroutines.then(|| self.goroutines.finish(tables)),
            profiles: s.profiles.then(|| Ok(self.profiles.finish())),
            mmu: s.mmu.then(|| MmuCurve::new(self.mmu.finish())),
            tasks: s.tasks.then(|| self.tasks.finish(tables)),
        }
    }
}

/// Reads a whole trace and runs `analyses` over it in one pass, with what
/// each analysis gives on its own for a damaged trace (as `go tool trace`):
/// the goroutine analysis over every event read; the MMU and the task
/// bounds cut back to the last generation boundary; and profiles over the
/// events up to the last `Sync` — an error if there was none. The read
/// error is returned beside the reports.
pub fn analyze_trace(data: &[u8], analyses: Analyses) -> Result<(Reports, Option<Error>), Error> {
    analyze_trace_with(data, analyses, |_| {}).map(|(r, e, _)| (r, e))
}

/// Like [`analyze_trace`], also giving every event read to `each` (in trace
/// order, for what the caller collects in the same pass); returns the
/// trace's tables too.
pub fn analyze_trace_with(
    data: &[u8],
    analyses: Analyses,
    each: impl FnMut(&Event),
) -> Result<(Reports, Option<Error>, Tables), Error> {
    analyze_source_with(|| data, analyses, each)
}

/// Like [`analyze_trace_with`] over any [`Source`] (a stream, too): `open`
/// gives the trace to read, once, or twice for a damaged trace's profiles
/// (which stop at the last Sync before the damage).
pub fn analyze_source_with<S: Source>(
    open: impl Fn() -> S,
    mut analyses: Analyses,
    mut each: impl FnMut(&Event),
) -> Result<(Reports, Option<Error>, Tables), Error> {
    let read = open().read_all(|ev, tables| {
        analyses.add(ev, tables);
        each(ev);
    })?;
    let (tables, damage) = (read.tables, read.error);
    let Some(e) = damage else {
        let reports = analyses.finish(&tables);
        return Ok((reports, None, tables));
    };
    let s = analyses.sel;
    let (n, valid) = (analyses.events, analyses.at_last_sync);
    let profiles = if !s.profiles {
        None
    } else if valid == 0 {
        Some(Err(e.clone()))
    } else if valid == n {
        Some(Ok(analyses.profiles.finish()))
    } else {
        // Profiles stop at the last Sync: a second pass, as
        // `pprof::build_from_trace` does.
        Some(super::pprof::build_from_trace(open(), analyses.profiles.window()).map(|r| r.0))
    };
    let reports = Reports {
        goroutines: s.goroutines.then(|| analyses.goroutines.finish(&tables)),
        profiles,
        mmu: s
            .mmu
            .then(|| MmuCurve::new(analyses.mmu.finish_at_last_sync())),
        tasks: s.tasks.then(|| analyses.tasks.finish_damaged(&tables)),
    };
    Ok((reports, Some(e), tables))
}

#[cfg(test)]
mod tests;
