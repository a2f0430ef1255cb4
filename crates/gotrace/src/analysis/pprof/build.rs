//! Computing the profiles: one streaming pass over the events
//! ([`ProfileBuilder`]) collects samples per goroutine ([`ProfileSet`]),
//! from which a profile for any selection is built.

use super::profile::{Profile, ProfileFrame, ProfileKind, ProfileSample, Selection, MAX_STACK};
use crate::analysis::resolve::{at, GoTrans, Resolver, CHANGE, CREATES, TO_RUNNING};
use crate::event::{Event, GoId, Payload, Time};
use crate::intmap::IntMap;
use crate::tables::{StackId, StrId, Tables};
use std::collections::HashMap;

/// Per goroutine, what the builder needs of Go's goroutine summary.
#[derive(Clone, Debug)]
struct GoInfo {
    id: GoId,
    /// The goroutine has a summary (it was created or first seen).
    known: bool,
    name: StrId,
    start: Option<Time>,
    /// The kinds (bit `1 << kind`) with an open interval.
    open: u8,
    /// Per open kind: since when, and the stack of the event that began it.
    tracking: [(Time, StackId); 4],
    /// The entries (indexes into `ProfileCore::entries`) this incarnation
    /// of the goroutine touched.
    keys: Vec<u32>,
    /// Per kind: the stack and entry of the last sample (a goroutine
    /// blocks at the same few stacks over and over).
    last: [(StackId, u32); 4],
}

impl Default for GoInfo {
    fn default() -> Self {
        GoInfo {
            id: 0,
            known: false,
            name: StrId::EMPTY,
            start: None,
            open: 0,
            tracking: [(0, StackId::NONE); 4],
            keys: Vec::new(),
            last: [(StackId::NONE, u32::MAX); 4],
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Acc {
    count: u64,
    delay: i64,
    /// Order of the latest sample (Go keeps the newest stack of stacks
    /// that are equal by PCs): `(position of the event that ended it + 1)
    /// * 4 + kind`, so samples compare in the order they were taken.
    seq: u64,
}

impl Acc {
    fn add(&mut self, d: i64, seq: u64) {
        if d > 0 {
            self.count = self.count.saturating_add(1);
            self.delay = self.delay.saturating_add(d);
            self.seq = self.seq.max(seq);
        }
    }
    fn merge(&mut self, o: &Acc) {
        if o.count > 0 {
            self.count = self.count.saturating_add(o.count);
            self.delay = self.delay.saturating_add(o.delay);
            self.seq = self.seq.max(o.seq);
        }
    }
}

/// The samples of one goroutine at one (kind, stack).
///
/// Go measures every sample against the goroutine's *final* lifetime
/// `[first run, exit]` (its summary is replaced when a goroutine id comes
/// back to life, as cgo callbacks' goroutines do). So the builder keeps
/// both outcomes: `started` (the value if this incarnation is the last and
/// it ran: the part after its first run) and `full` (the value if the last
/// incarnation never ran: everything counts), and `hist` for earlier
/// incarnations (which only count when the last one never ran).
#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    started: Acc,
    full: Acc,
    hist: Acc,
}

/// Collects the four profiles in one streaming pass.
#[derive(Clone, Debug, Default)]
pub struct ProfileBuilder {
    /// Resolves ids for [`Self::add`] (the fused pass brings its own).
    res: Resolver,
    pub(crate) core: ProfileCore,
}

/// The builder proper, over goroutine slots (see `analysis::resolve`).
#[derive(Clone, Debug, Default)]
pub(crate) struct ProfileCore {
    window: Option<(Time, Time)>,
    /// By slot.
    gs: Vec<GoInfo>,
    /// (slot, kind, stack) and totals.
    entries: Vec<(u32, u8, StackId, Entry)>,
    /// (slot * 4 + kind, stack) → index in `entries`.
    index: IntMap<(u64, u32), u32>,
    /// Events given to [`ProfileBuilder`] so far (the position of the next).
    events: u64,
}

impl ProfileBuilder {
    /// Whole-trace profiles.
    pub fn new() -> Self {
        Self::default()
    }

    /// Profiles counting only time inside `[start, end)`.
    pub fn with_window(window: Option<(Time, Time)>) -> Self {
        ProfileBuilder {
            res: Resolver::default(),
            core: ProfileCore {
                window,
                ..ProfileCore::default()
            },
        }
    }

    /// Accounts for one event (in trace order).
    pub fn add(&mut self, ev: &Event, tables: &Tables) {
        let pos = self.core.events;
        self.core.events += 1;
        if let Some(tr) = self.res.go_trans(ev, tables) {
            self.core.go(ev.time, &tr, true, pos);
        }
    }

    /// Accounts for an event only in the goroutines' lifetimes (names,
    /// first runs), not in the profiles: for the events of a damaged
    /// trace's last, incomplete generation, which Go's summary sees but its
    /// profiles do not (they stop at the last `Sync` before the error).
    pub fn add_summary_only(&mut self, ev: &Event, tables: &Tables) {
        let pos = self.core.events;
        self.core.events += 1;
        if let Some(tr) = self.res.go_trans(ev, tables) {
            self.core.go(ev.time, &tr, false, pos);
        }
    }

    /// Decides, per goroutine, which outcome holds, and returns the samples.
    pub fn finish(self) -> ProfileSet {
        self.core.finish()
    }
}

impl ProfileCore {
    /// The window the samples are clipped to.
    pub(crate) fn window(&self) -> Option<(Time, Time)> {
        self.window
    }

    /// A goroutine state transition at `t`, the event at position `pos`
    /// of the trace; `track`: count it in the profiles (else only in the
    /// goroutine's lifetime).
    #[inline]
    pub(crate) fn go(&mut self, t: Time, tr: &GoTrans, track: bool, pos: u64) {
        let ProfileCore {
            window,
            gs,
            entries,
            index,
            ..
        } = self;
        let g = at(gs, tr.slot);
        step(g, entries, index, *window, t, tr, track, pos);
    }

    /// Whether goroutine `slot`, after its transition `tr` at `t` (just
    /// given to [`Self::go`]), is in the steady state the fused pass
    /// aggregates: named, started by `t` (so that intervals from now on,
    /// which the pass takes in increasing time, lie after its start), no
    /// window, and exactly the intervals `tr` begins are open.
    pub(crate) fn fast_ok(&self, t: Time, tr: &GoTrans) -> bool {
        let Some(g) = self.gs.get(tr.slot as usize) else {
            return false;
        };
        self.window.is_none()
            && g.name != StrId::EMPTY
            && g.start.is_some_and(|s| s <= t)
            && g.open == tr.starts
            && g.tracking
                .iter()
                .enumerate()
                .all(|(k, &tk)| tr.starts & (1 << k) == 0 || tk == (t, tr.ev_stack))
    }

    /// Applies what the fused pass aggregated for goroutine `slot` in the
    /// steady state (see [`Self::fast_ok`]): per transition, the number,
    /// total length and last ending position of the intervals it began;
    /// then the last transition `last` at `t`. The same as giving each
    /// transition to [`Self::go`]: every interval is positive and after
    /// the goroutine's start (so it counts whole in both outcomes), and
    /// totals fit.
    pub(crate) fn settle<'a>(
        &mut self,
        slot: u32,
        sums: impl Iterator<Item = (&'a GoTrans, u64, i64, u64)>,
        t: Time,
        last: &GoTrans,
    ) {
        let ProfileCore {
            gs, entries, index, ..
        } = self;
        let Some(g) = gs.get_mut(slot as usize) else {
            return;
        };
        for (tr, count, delay, pos) in sums {
            let mut kinds = tr.starts;
            while kinds != 0 {
                let k = kinds.trailing_zeros() as usize;
                kinds &= kinds - 1;
                let next = entries.len() as u32;
                let key = (u64::from(slot) * 4 + k as u64, tr.ev_stack.0);
                let idx = *index.entry(key).or_insert(next);
                if idx == next {
                    entries.push((slot, k as u8, tr.ev_stack, Entry::default()));
                }
                if let Some((_, _, _, e)) = entries.get_mut(idx as usize) {
                    if e.full.count == 0 && e.started.count == 0 {
                        g.keys.push(idx);
                    }
                    let seq = pos.wrapping_add(1).wrapping_mul(4).wrapping_add(k as u64);
                    let a = Acc { count, delay, seq };
                    e.full.merge(&a);
                    e.started.merge(&a);
                }
            }
        }
        g.open = last.starts;
        let mut kinds = last.starts;
        while kinds != 0 {
            let k = kinds.trailing_zeros() as usize;
            kinds &= kinds - 1;
            if let Some(tk) = g.tracking.get_mut(k) {
                *tk = (t, last.ev_stack);
            }
        }
    }

    /// Decides, per goroutine, which outcome holds, and returns the samples.
    pub(crate) fn finish(self) -> ProfileSet {
        let mut acc: HashMap<(GoId, u8, StackId), Acc> = HashMap::with_capacity(self.entries.len());
        for (slot, k, stack, e) in self.entries {
            let Some(g) = self.gs.get(slot as usize) else {
                continue;
            };
            if !g.known {
                continue;
            }
            let a = match g.start {
                Some(_) => e.started,
                None => {
                    // Lifetime [0, exit or end of trace]: every interval
                    // ended by then, so only the window clips them (done).
                    let mut a = e.hist;
                    a.merge(&e.full);
                    a
                }
            };
            if a.count > 0 {
                acc.insert((g.id, k, stack), a);
            }
        }
        let names = self
            .gs
            .iter()
            .filter(|g| g.known)
            .map(|g| (g.id, g.name))
            .collect();
        ProfileSet { acc, names }
    }
}

/// One transition of goroutine `g` (see [`ProfileCore::go`]).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn step(
    g: &mut GoInfo,
    entries: &mut Vec<(u32, u8, StackId, Entry)>,
    index: &mut IntMap<(u64, u32), u32>,
    window: Option<(Time, Time)>,
    t: Time,
    tr: &GoTrans,
    track: bool,
    pos: u64,
) {
    // The goroutine summary's lifetime (only on real changes, as Go's summarizer).
    if tr.bits & CHANGE != 0 {
        if tr.bits & CREATES != 0 {
            // A new summary replaces the old one: what was counted so far
            // only counts if this incarnation never runs.
            for i in std::mem::take(&mut g.keys) {
                if let Some((_, _, _, e)) = entries.get_mut(i as usize) {
                    let full = e.full;
                    e.hist.merge(&full);
                    e.full = Acc::default();
                    e.started = Acc::default();
                }
            }
            g.known = true;
            g.id = tr.id;
            g.name = StrId::EMPTY;
            g.start = None;
        }
        if g.name == StrId::EMPTY {
            if let Some((_, func)) = tr.root {
                g.name = func;
            }
        }
        if tr.bits & TO_RUNNING != 0 && g.start.is_none() {
            g.start = Some(t);
        }
    }
    if !track {
        return;
    }
    // The profiles' own interval tracking (on every transition): per kind,
    // an interval starts on entering its state (for net and sync with a
    // reason that counts) and ends on entering another state.
    let mut ends = g.open & !tr.keep;
    let mut starts = tr.starts & !g.open;
    g.open = (g.open & !ends) | starts;
    // In kind order: sequence numbers say which sample is the newest.
    while ends != 0 {
        let k = ends.trailing_zeros() as usize;
        ends &= ends - 1;
        let Some(&(from, stack)) = g.tracking.get(k) else {
            continue;
        };
        let seq = pos.wrapping_add(1).wrapping_mul(4).wrapping_add(k as u64);
        // If the goroutine never runs, its lifetime starts at 0.
        let full = overlap(window, 0, from, t);
        // Otherwise at its first run (an interval that ended before it
        // does not count).
        let started = g.start.map_or(0, |s| overlap(window, s, from, t));
        if full <= 0 && started <= 0 {
            continue;
        }
        let idx = match g.last.get(k) {
            Some(&(s, i)) if s == stack && i != u32::MAX => i,
            _ => {
                let next = entries.len() as u32;
                let slot = tr.slot;
                let i = *index
                    .entry((u64::from(slot) * 4 + k as u64, stack.0))
                    .or_insert(next);
                if i == next {
                    entries.push((slot, k as u8, stack, Entry::default()));
                }
                if let Some(l) = g.last.get_mut(k) {
                    *l = (stack, i);
                }
                i
            }
        };
        if let Some((_, _, _, e)) = entries.get_mut(idx as usize) {
            if e.full.count == 0 && e.started.count == 0 {
                // First sample of this incarnation at this key.
                g.keys.push(idx);
            }
            e.full.add(full, seq);
            e.started.add(started, seq);
        }
    }
    while starts != 0 {
        let k = starts.trailing_zeros() as usize;
        starts &= starts - 1;
        if let Some(slot) = g.tracking.get_mut(k) {
            *slot = (t, tr.ev_stack);
        }
    }
}

/// How much of `[from, to]` lies after `start` (a goroutine's lifetime
/// starts there; it ends after all of its intervals) and inside the
/// window; ≤ 0 means none.
fn overlap(window: Option<(Time, Time)>, start: Time, from: Time, to: Time) -> i64 {
    let mut lo = start.max(from);
    let mut hi = to;
    if let Some((ws, we)) = window {
        lo = lo.max(ws);
        hi = hi.min(we);
    }
    hi.saturating_sub(lo)
}

/// Samples per goroutine, from which profiles for any selection are built.
#[derive(Clone, Debug, Default)]
pub struct ProfileSet {
    acc: HashMap<(GoId, u8, StackId), Acc>,
    /// Goroutines that have a summary, with their start function.
    names: IntMap<GoId, StrId>,
}

impl ProfileSet {
    /// Whether any goroutine matches `sel` (Go fails a profile request otherwise).
    pub fn matches_any(&self, sel: &Selection, tables: &Tables) -> bool {
        self.names
            .iter()
            .any(|(id, name)| selected(sel, *id, *name, tables))
    }

    /// The profile of `kind` over the goroutines `sel` selects.
    pub fn profile(&self, kind: ProfileKind, sel: &Selection, tables: &Tables) -> Profile {
        // Merge by the stack's first MAX_STACK PCs, keeping the newest stack.
        let mut merged: HashMap<Vec<u64>, (Acc, StackId)> = HashMap::new();
        for (&(id, k, stack), a) in &self.acc {
            if k != kind as u8 {
                continue;
            }
            let Some(&name) = self.names.get(&id) else {
                continue;
            };
            if !selected(sel, id, name, tables) {
                continue;
            }
            let mut key: Vec<u64> = tables.stack(stack).take(MAX_STACK).map(|f| f.pc).collect();
            // Go compares zero-padded arrays: trailing zero PCs do not count.
            while key.last() == Some(&0) {
                key.pop();
            }
            let e = merged.entry(key).or_insert((Acc::default(), stack));
            e.0.count = e.0.count.saturating_add(a.count);
            e.0.delay = e.0.delay.saturating_add(a.delay);
            if a.seq >= e.0.seq {
                e.0.seq = a.seq;
                e.1 = stack;
            }
        }
        let mut samples: Vec<ProfileSample> = merged
            .into_values()
            .map(|(a, stack)| ProfileSample {
                count: a.count,
                delay: a.delay,
                frames: ProfileFrame::of_stack(tables, stack, MAX_STACK),
            })
            .collect();
        samples.sort_by(|a, b| {
            b.delay
                .cmp(&a.delay)
                .then(b.count.cmp(&a.count))
                .then_with(|| a.frames.cmp(&b.frames))
        });
        Profile { kind, samples }
    }
}

fn selected(sel: &Selection, id: GoId, name: StrId, tables: &Tables) -> bool {
    match sel {
        Selection::All => true,
        Selection::Group(n) => tables.bytes(name) == n.as_bytes(),
        Selection::Ids(ids) => ids.contains(&id),
    }
}

/// Runs the builder over a whole trace as `go tool trace` does, also for
/// a damaged trace: then the profiles cover the events up to the last
/// `Sync` before the error, and the goroutine lifetimes all events read.
/// Returns the samples, the tables, and the read error if there was one.
/// Fails only if the trace cannot be read at all (no event before an error).
pub fn build_from_trace(
    data: impl crate::stream::Source,
    window: Option<(Time, Time)>,
) -> Result<(ProfileSet, Tables, Option<crate::Error>), crate::Error> {
    // Whether an event is profiled is known only at the next Sync (or the
    // end of the trace): if the trace breaks before the next Sync, Go's
    // profiles stop at the last one. So besides the builder that takes
    // every event, a copy taken at the last Sync sees the events since
    // only in the goroutines' lifetimes; it is the result if the read
    // fails. One pass, even over a stream, and memory bounded by the
    // builder's state (goroutines and stacks), not by a generation's events.
    let mut b = ProfileBuilder::with_window(window);
    let mut at_sync: Option<ProfileBuilder> = None;
    let mut read = data.read_all(|ev, tables| {
        b.add(ev, tables);
        if matches!(ev.payload, Payload::Sync { .. }) {
            match &mut at_sync {
                Some(s) => s.clone_from(&b),
                None => at_sync = Some(b.clone()),
            }
        } else if let Some(s) = &mut at_sync {
            s.add_summary_only(ev, tables);
        }
    })?;
    match (read.error.take(), at_sync) {
        (None, _) => Ok((b.finish(), read.tables, None)),
        (Some(e), None) => Err(e),
        (Some(e), Some(s)) => Ok((s.finish(), read.tables, Some(e))),
    }
}

/// Computes one profile over a whole trace file (see [`build_from_trace`]).
pub fn profile_of_trace(
    data: impl crate::stream::Source,
    kind: ProfileKind,
    sel: &Selection,
    window: Option<(Time, Time)>,
) -> Result<Profile, crate::Error> {
    let (set, tables, _) = build_from_trace(data, window)?;
    Ok(set.profile(kind, sel, &tables))
}
