//! From events to mutator utilization: one step function per series, built
//! while the events stream by (Go's `MutatorUtilizationV2`).
//!
//! The rules, as go1.27.3 applies them:
//! - Nothing is recorded until the first `/sched/gomaxprocs:threads` metric;
//!   each change of GOMAXPROCS adds or drops P slots (per-P mode: one series
//!   per slot, a dropped slot's series ends with 0).
//! - A P slot is "in GC" while it counts open GC work: sweeps (flag sweep),
//!   mark assists (flag assist) and background mark workers (flag
//!   background, goroutines labelled `GC ...` except `GC (idle)`; in per-P
//!   mode also except `GC (dedicated)`), the last two only while their
//!   goroutine executes. A GC stop-the-world (flag stw) stops every slot.
//! - After every event the utilization is recomputed: system mode
//!   `1 - slots_in_gc / slots`, per-P mode 0 or 1 per slot. Equal values
//!   are not repeated; two values at one time keep the lower.
//! - Ranges found active at the start of the trace (first generation only)
//!   are charged back to the trace start in system mode.
//! - Every series ends with a 0 at the last event.
//!
//! Go's bookkeeping drifts on Go 1.22+ traces: a worker's `GC (...)` label
//! is emitted again every time it starts running, and each label adds one
//! more "in GC" count to the P on top of the one its start transition
//! already added, so Ps end up counted as collecting forever (utilization
//! stuck at 0). It also charges by the P of the event, which is none for a
//! goroutine leaving a syscall after losing its P (go1.27.3 then crashes).
//! [`Accounting::Corrected`] is the same model with those fixed: each
//! goroutine doing GC work is charged once, to the P it runs on, while it
//! executes; a worker's latest label decides whether it counts; sweeps are
//! charged to the P they sweep for.

use super::flags::{Accounting, UtilFlags};
use crate::analysis::resolve::{at, GoSlots, GoTrans, Resolver};
use crate::event::{Event, GoState, Metric, Payload, ProcId, RangeName, Resource, Transition};
use crate::tables::Tables;

/// The mean mutator utilization from `time` until the next point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UtilPoint {
    pub time: i64,
    /// In `[0, 1]`.
    pub util: f64,
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    /// Open GC activities on this P (> 0: the P is not running the mutator).
    gc: i64,
    /// Index of the series this slot writes to.
    series: usize,
}

/// The state needed to cut the series back to a generation boundary.
#[derive(Clone, Debug, Default)]
struct Mark {
    lens: Vec<usize>,
    lasts: Vec<Option<UtilPoint>>,
    live: Vec<usize>,
    time: Option<i64>,
}

/// What the builder knows of one goroutine (by slot).
#[derive(Clone, Copy, Debug)]
struct GInfo {
    /// Corrected accounting: the P it is charged to (-1: none; a charged
    /// P is always a valid slot, so not negative).
    charged_p: ProcId,
    /// Its latest state (`NotExist` before any transition).
    state: GoState,
    /// [`ASSISTING`] (in a mark assist), [`WORKER`] (a background mark worker).
    gc: u8,
}

const ASSISTING: u8 = 1;
const WORKER: u8 = 2;

impl Default for GInfo {
    fn default() -> Self {
        GInfo {
            charged_p: -1,
            state: GoState::NotExist,
            gc: 0,
        }
    }
}

impl GInfo {
    fn assisting(&self) -> bool {
        self.gc & ASSISTING != 0
    }

    fn worker(&self) -> bool {
        self.gc & WORKER != 0
    }

    fn charged(&self) -> Option<ProcId> {
        (self.charged_p >= 0).then_some(self.charged_p)
    }

    fn take_charged(&mut self) -> Option<ProcId> {
        let p = self.charged();
        self.charged_p = -1;
        p
    }

    /// Neither doing GC work nor charged: its transitions change nothing
    /// but its state.
    fn quiet(&self) -> bool {
        self.gc == 0 && self.charged_p < 0
    }
}

/// [`UtilCore::pend`]: what the utilization depends on changed since it
/// was last recorded.
const DIRTY: u8 = 1;
/// A series' last point is not its current utilization (a higher value at
/// the same instant was not recorded): record again at the next event.
const STALE: u8 = 2;

/// Builds utilization series from a stream of events.
#[derive(Debug)]
pub struct UtilBuilder {
    /// Resolves ids for [`Self::add`] (the fused pass brings its own).
    res: Resolver,
    pub(crate) core: UtilCore,
}

/// The builder proper, over goroutine slots (see `analysis::resolve`).
#[derive(Debug)]
pub(crate) struct UtilCore {
    flags: UtilFlags,
    corrected: bool,
    series: Vec<Vec<UtilPoint>>,
    slots: Vec<Slot>,
    stw: i64,
    /// By goroutine slot.
    gs: Vec<GInfo>,
    /// GOMAXPROCS changes: (time, value).
    procs_changes: Vec<(i64, usize)>,
    sync_n: u64,
    last_time: Option<i64>,
    mark: Mark,
    /// [`DIRTY`], [`STALE`]: the next event must record the utilization.
    pend: u8,
}

/// GOMAXPROCS above this is treated as this (a guard against absurd input).
const MAX_PROCS: u64 = 1 << 20;

impl UtilBuilder {
    /// A builder that computes exactly what go1.27.3 does.
    pub fn new(flags: UtilFlags) -> Self {
        Self::with_accounting(flags, Accounting::Go)
    }

    pub fn with_accounting(flags: UtilFlags, accounting: Accounting) -> Self {
        UtilBuilder {
            res: Resolver::default(),
            core: UtilCore {
                flags,
                corrected: accounting == Accounting::Corrected,
                series: Vec::new(),
                slots: Vec::new(),
                stw: 0,
                gs: Vec::new(),
                procs_changes: Vec::new(),
                sync_n: 0,
                last_time: None,
                mark: Mark::default(),
                pend: 0,
            },
        }
    }

    pub fn flags(&self) -> UtilFlags {
        self.core.flags
    }

    /// Accounts for one event. `tables` resolves range kinds and labels.
    pub fn add(&mut self, ev: &Event, tables: &Tables) {
        self.core.event(ev, &mut self.res.slots, tables);
    }

    /// The series after the last event: each live series ends with 0.
    pub fn finish(self) -> Vec<Vec<UtilPoint>> {
        self.core.finish()
    }

    /// The series as they stood after the last generation boundary (Sync
    /// event): what `go tool trace` uses when the trace is damaged.
    pub fn finish_at_last_sync(self) -> Vec<Vec<UtilPoint>> {
        self.core.finish_at_last_sync()
    }
}

impl UtilCore {
    fn per_proc(&self) -> bool {
        self.flags.contains(UtilFlags::PER_PROC)
    }

    fn counts_stw(&self, name: RangeName, tables: &Tables) -> bool {
        match name {
            RangeName::StopTheWorld(kind) => {
                self.flags.contains(UtilFlags::STW)
                    && tables.bytes(kind).windows(2).any(|w| w == b"GC")
            }
            _ => false,
        }
    }

    fn counts_sweep(&self, name: RangeName) -> bool {
        name == RangeName::GcSweep && self.flags.contains(UtilFlags::SWEEP)
    }

    fn counts_assist(&self, name: RangeName) -> bool {
        name == RangeName::GcMarkAssist && self.flags.contains(UtilFlags::ASSIST)
    }

    fn slot(&mut self, p: i64) -> Option<&mut Slot> {
        usize::try_from(p).ok().and_then(|i| self.slots.get_mut(i))
    }

    fn g(&mut self, g: u32) -> &mut GInfo {
        at(&mut self.gs, g)
    }

    fn executing(&self, g: u32) -> bool {
        self.gs.get(g as usize).is_some_and(|i| i.state.executing())
    }

    fn bump(&mut self, p: i64, delta: i64) {
        if let Some(s) = self.slot(p) {
            s.gc += delta;
            self.pend |= DIRTY;
        }
    }

    /// Corrected accounting: `g` does GC work while running on `p`.
    fn charge(&mut self, g: u32, p: ProcId) {
        if self
            .gs
            .get(g as usize)
            .is_some_and(|i| i.charged().is_some())
            || self.slot(p).is_none()
        {
            return;
        }
        self.bump(p, 1);
        self.g(g).charged_p = p;
    }

    /// Corrected accounting: `g` stops counting against its P.
    fn uncharge(&mut self, g: u32) {
        if let Some(p) = self.gs.get_mut(g as usize).and_then(GInfo::take_charged) {
            self.bump(p, -1);
        }
    }

    fn record(&mut self, series: usize, pt: UtilPoint) {
        if let Some(s) = self.series.get_mut(series) {
            push_point(s, pt);
        }
    }

    fn set_procs(&mut self, time: i64, n: u64) {
        self.pend |= DIRTY;
        let n = n.min(MAX_PROCS) as usize;
        if self.slots.len() > n {
            if self.per_proc() {
                for i in n..self.slots.len() {
                    let series = self.slots[i].series;
                    self.record(series, UtilPoint { time, util: 0.0 });
                }
            }
            self.slots.truncate(n);
            for g in &mut self.gs {
                if g.charged()
                    .is_some_and(|p| usize::try_from(p).is_ok_and(|p| p >= n))
                {
                    g.charged_p = -1;
                }
            }
        }
        while self.slots.len() < n {
            let mut series = 0;
            if self.per_proc() || self.series.is_empty() {
                series = self.series.len();
                self.series.push(vec![UtilPoint { time, util: 1.0 }]);
            }
            self.slots.push(Slot { gc: 0, series });
        }
        if self.procs_changes.last().is_none_or(|&(_, last)| last != n) {
            self.procs_changes.push((time, n));
        }
    }

    /// System mode: a range found already active at trace start takes
    /// 1/GOMAXPROCS off everything recorded so far.
    fn charge_back(&mut self) {
        let Some(points) = self.series.first_mut() else {
            return;
        };
        self.pend |= DIRTY;
        let changes = &self.procs_changes;
        let mut ci = 0;
        let mut i = 0;
        while i < points.len() {
            if ci + 1 < changes.len() && changes[ci + 1].0 < points[i].time {
                ci += 1;
                continue;
            }
            // GOMAXPROCS 0 divides to infinity and clamps to 0, as in Go.
            let n = changes.get(ci).map_or(1, |c| c.1);
            let p = &mut points[i];
            p.util -= 1.0 / n as f64;
            if p.util < 0.0 {
                p.util = 0.0;
            }
            i += 1;
        }
    }

    fn range_start(
        &mut self,
        ev: &Event,
        name: RangeName,
        scope: Resource,
        slots: &mut GoSlots,
        tables: &Tables,
    ) {
        if self.counts_stw(name, tables) {
            self.stw += 1;
            self.pend |= DIRTY;
        } else if self.counts_sweep(name) {
            let p = match scope {
                Resource::Proc(p) if self.corrected => p,
                _ => ev.p,
            };
            self.bump(p, 1);
        } else if self.counts_assist(name) {
            if self.corrected {
                if let Resource::Goroutine(g) = scope {
                    let g = slots.slot(g);
                    self.g(g).gc |= ASSISTING;
                    // Found active at trace start: counts once it runs.
                    let found = matches!(ev.payload, Payload::RangeActive { .. });
                    if !found || self.executing(g) {
                        self.charge(g, ev.p);
                    }
                }
                return;
            }
            self.bump(ev.p, 1);
            if let Resource::Goroutine(g) = scope {
                let g = slots.slot(g);
                self.g(g).gc |= ASSISTING;
            }
        }
    }

    fn range_end(
        &mut self,
        ev: &Event,
        name: RangeName,
        scope: Resource,
        slots: &mut GoSlots,
        tables: &Tables,
    ) {
        if self.counts_stw(name, tables) {
            self.stw -= 1;
            self.pend |= DIRTY;
        } else if self.counts_sweep(name) {
            let p = match scope {
                Resource::Proc(p) if self.corrected => p,
                _ => ev.p,
            };
            self.bump(p, -1);
        } else if self.counts_assist(name) {
            if self.corrected {
                if let Resource::Goroutine(g) = scope {
                    let g = slots.slot(g);
                    let i = self.g(g);
                    i.gc &= !ASSISTING;
                    if !i.worker() {
                        self.uncharge(g);
                    }
                }
                return;
            }
            self.bump(ev.p, -1);
            if let Resource::Goroutine(g) = scope {
                let g = slots.slot(g);
                self.g(g).gc &= !ASSISTING;
            }
        }
    }

    fn transition(&mut self, p: ProcId, id: u32, old: GoState, new: GoState) {
        let i = *self.g(id);
        let doing_gc = i.gc != 0;
        if self.corrected {
            if old.executing() && !new.executing() {
                self.uncharge(id);
            } else if doing_gc && !old.executing() && new.executing() {
                self.charge(id, p);
            } else if doing_gc && new.executing() && p >= 0 {
                // Still executing, maybe on another P now (syscall exit).
                if self.g(id).charged().is_some_and(|c| c != p) {
                    self.uncharge(id);
                    self.charge(id, p);
                }
            }
        } else if doing_gc {
            if !old.executing() && new.executing() {
                self.bump(p, 1);
            } else if old.executing() && !new.executing() {
                self.bump(p, -1);
            }
        }
        self.g(id).state = new;
    }

    fn label(&mut self, p: ProcId, g: u32, text: &[u8]) {
        let dedicated_skipped = self.per_proc() && text == b"GC (dedicated)";
        let counts = text.starts_with(b"GC ") && text != b"GC (idle)" && !dedicated_skipped;
        if !self.corrected {
            if counts {
                self.g(g).gc |= WORKER;
                self.bump(p, 1);
            }
            return;
        }
        let was = self.g(g).worker();
        if counts && !was {
            self.g(g).gc |= WORKER;
            self.charge(g, p);
        } else if !counts && was {
            let i = self.g(g);
            i.gc &= !WORKER;
            if !i.assisting() {
                self.uncharge(g);
            }
        }
    }

    /// Accounts for one event; `slots` resolves goroutine ids.
    pub(crate) fn event(&mut self, ev: &Event, slots: &mut GoSlots, tables: &Tables) {
        self.last_time = Some(ev.time);
        match ev.payload {
            Payload::Sync { n, .. } => self.sync_n = n,
            Payload::Metric {
                metric: Metric::Gomaxprocs,
                value,
            } => self.set_procs(ev.time, value),
            _ => {}
        }
        if self.slots.is_empty() {
            self.mark_if_sync(ev);
            return;
        }
        match ev.payload {
            // Later generations' active ranges only repeat what is known.
            Payload::RangeActive { name, scope } if self.sync_n <= 1 => {
                let assist_running = self.counts_assist(name) && {
                    let g = slots.slot(ev.g);
                    self.executing(g)
                };
                if (assist_running || (!self.counts_assist(name) && self.counts_sweep(name)))
                    && !self.per_proc()
                {
                    self.charge_back();
                }
                self.range_start(ev, name, scope, slots, tables);
            }
            Payload::RangeBegin { name, scope } => self.range_start(ev, name, scope, slots, tables),
            Payload::RangeEnd { name, scope, .. } => self.range_end(ev, name, scope, slots, tables),
            Payload::StateTransition(st) => {
                if let Transition::Goroutine { id, old, new } = st.transition {
                    let g = slots.slot(id);
                    self.transition(ev.p, g, old, new);
                }
            }
            Payload::Label { label, .. } if self.flags.contains(UtilFlags::BACKGROUND) => {
                let g = slots.slot(ev.g);
                self.label(ev.p, g, tables.bytes(label));
            }
            _ => {}
        }
        self.record_all(ev.time);
        self.mark_if_sync(ev);
    }

    /// A goroutine transition (the same as [`Self::event`] on it).
    #[inline]
    pub(crate) fn go(&mut self, t: i64, p: ProcId, tr: &GoTrans) {
        self.last_time = Some(t);
        if self.slots.is_empty() {
            return;
        }
        let i = at(&mut self.gs, tr.slot);
        if i.quiet() {
            // Not doing GC work: only its state counts.
            i.state = tr.new;
        } else {
            self.transition(p, tr.slot, tr.old, tr.new);
        }
        if self.pend != 0 {
            self.record_all(t);
        }
    }

    /// The common case of [`Self::go`], without its time: a goroutine that
    /// does no GC work changes state, which only its state records. False
    /// when it is not that case (nothing done: call [`Self::go`]).
    #[inline(always)]
    pub(crate) fn go_quiet(&mut self, slot: u32, new: GoState) -> bool {
        if self.slots.is_empty() {
            return true;
        }
        match self.gs.get_mut(slot as usize) {
            Some(i) if i.quiet() => {
                i.state = new;
                true
            }
            _ => false,
        }
    }

    /// Makes room for goroutine slots below `n`.
    pub(crate) fn reserve_slots(&mut self, n: usize) {
        if self.gs.len() < n {
            self.gs.resize(n, GInfo::default());
        }
    }

    /// Whether an event, even one that changes nothing, must record the
    /// utilization at its time ([`Self::tick`] does).
    #[inline(always)]
    pub(crate) fn pending(&self) -> bool {
        self.pend != 0
    }

    /// The time of the latest event (for events given to [`Self::go_quiet`]).
    pub(crate) fn set_time(&mut self, t: i64) {
        self.last_time = Some(t);
    }

    /// An event that changes nothing here (the same as [`Self::event`] on
    /// it): only its time counts.
    #[inline]
    pub(crate) fn tick(&mut self, t: i64) {
        self.last_time = Some(t);
        if self.pend != 0 && !self.slots.is_empty() {
            self.record_all(t);
        }
    }

    /// Whether [`Self::event`] does more with `payload` than [`Self::tick`].
    pub(crate) fn needs(&self, payload: &Payload) -> bool {
        match payload {
            Payload::Sync { .. }
            | Payload::Metric {
                metric: Metric::Gomaxprocs,
                ..
            }
            | Payload::RangeActive { .. }
            | Payload::RangeBegin { .. }
            | Payload::RangeEnd { .. } => true,
            Payload::StateTransition(st) => matches!(st.transition, Transition::Goroutine { .. }),
            Payload::Label { .. } => self.flags.contains(UtilFlags::BACKGROUND),
            _ => false,
        }
    }

    /// After every event: records the utilization (system mode
    /// `1 - slots_in_gc / slots`, per-P mode 0 or 1 per slot). Nothing to
    /// do when nothing changed and every series ends with its value.
    #[inline]
    fn record_all(&mut self, time: i64) {
        if self.pend == 0 {
            return;
        }
        self.pend = 0;
        if self.per_proc() {
            let stopped = self.stw > 0;
            for i in 0..self.slots.len() {
                let s = self.slots[i];
                let util = if stopped || s.gc > 0 { 0.0 } else { 1.0 };
                self.record_checked(s.series, UtilPoint { time, util });
            }
        } else {
            let n = self.slots.len();
            let in_gc = if self.stw > 0 {
                n
            } else {
                self.slots.iter().filter(|s| s.gc > 0).count()
            };
            let util = 1.0 - in_gc as f64 / n as f64;
            self.record_checked(0, UtilPoint { time, util });
        }
    }

    /// Records `pt`, noting when the series does not end with it.
    fn record_checked(&mut self, series: usize, pt: UtilPoint) {
        if let Some(s) = self.series.get_mut(series) {
            push_point(s, pt);
            if s.last().is_some_and(|l| l.util != pt.util) {
                self.pend |= STALE;
            }
        }
    }

    /// Remembers where the series stood after a generation boundary, so a
    /// damaged trace can be cut back to its last complete generation (as
    /// `go tool trace` keeps only the events up to the last Sync).
    fn mark_if_sync(&mut self, ev: &Event) {
        if !matches!(ev.payload, Payload::Sync { .. }) {
            return;
        }
        self.mark.lens.clear();
        self.mark.lasts.clear();
        for s in &self.series {
            self.mark.lens.push(s.len());
            self.mark.lasts.push(s.last().copied());
        }
        self.mark.live.clear();
        self.mark.live.extend(self.slots.iter().map(|s| s.series));
        self.mark.time = Some(ev.time);
    }

    /// The series after the last event: each live series ends with 0.
    pub(crate) fn finish(self) -> Vec<Vec<UtilPoint>> {
        let Some(end) = self.last_time else {
            return Vec::new();
        };
        let live: Vec<usize> = self.slots.iter().map(|s| s.series).collect();
        self.end_series(live, end)
    }

    /// Ends each of the `live` series with 0 at `end`; gives all series.
    fn end_series(mut self, live: Vec<usize>, end: i64) -> Vec<Vec<UtilPoint>> {
        for series in live {
            self.record(
                series,
                UtilPoint {
                    time: end,
                    util: 0.0,
                },
            );
        }
        self.series
    }

    /// The series as they stood after the last generation boundary.
    pub(crate) fn finish_at_last_sync(mut self) -> Vec<Vec<UtilPoint>> {
        let Some(end) = self.mark.time else {
            return Vec::new();
        };
        let mark = std::mem::take(&mut self.mark);
        self.series.truncate(mark.lens.len());
        for (i, s) in self.series.iter_mut().enumerate() {
            s.truncate(mark.lens[i]);
            if let (Some(last), Some(Some(saved))) = (s.last_mut(), mark.lasts.get(i)) {
                *last = *saved;
            }
        }
        self.end_series(mark.live, end)
    }
}

/// Appends a change of utilization, skipping non-changes and keeping the
/// lowest value at one instant.
fn push_point(s: &mut Vec<UtilPoint>, pt: UtilPoint) {
    if let Some(last) = s.last_mut() {
        if last.util == pt.util {
            return;
        }
        if last.time == pt.time {
            if pt.util < last.util {
                *last = pt;
            }
            return;
        }
    }
    s.push(pt);
}
