//! Critical path of a goroutine: over a time window, the chain of goroutines
//! it waited on, found by walking unblock edges backwards.
//!
//! The rules, walking back from the window's end on the selected goroutine:
//! - Time the goroutine spent running, runnable (scheduler latency) or in a
//!   syscall is its own segment of the path.
//! - When it was waiting and goroutine U's event ended the wait (a
//!   `Waiting → Runnable` transition whose event context is U ≠ the
//!   goroutine: `GoUnblock`, `GoSwitch`), the path jumps to U at that
//!   instant and goes on backwards on U: U's running/runnable time before
//!   the unblock, then whatever U itself waited on, recursively.
//! - Creation is an edge too: before a goroutine existed, the path is on the
//!   goroutine that created it (`GoCreate`, `GoCreateBlocked`).
//! - A wait ended by no goroutine (network poller, timers run by the
//!   scheduler, anything without a goroutine in the event's context) stays
//!   on the waiting goroutine, labelled with its wait reason.
//! - The walk stops at the window's start, at the beginning of what is known
//!   about a goroutine (created by no goroutine, e.g. a C thread), after
//!   [`DEFAULT_LIMIT`] segments (or the limit given), or on an edge cycle
//!   that makes no progress in time (only a malformed trace can have one:
//!   event times are strictly increasing). Time strictly decreases on every
//!   segment, so the walk always ends.
//!
//! - A goroutine that already existed when the trace began is taken to have
//!   been in its first reported state since before the trace; the window is
//!   clamped to the trace's first and last event, and ends early when the
//!   goroutine exited before the window's end.
//!
//! The unblocking goroutine is whatever goroutine the trace shows running
//! when the unblock happened: usually the one that sent on the channel or
//! released the lock; if it merely ran the network poller or a timer on the
//! way, it still gets the credit, as the trace says.
//!
//! Memory: [`CriticalPathAnalysis::add`] keeps one 8-byte record per
//! goroutine state change (a u32 time offset within the goroutine's time
//! block, and the new state packed with its wait reason or its edge), plus
//! the interned edge sites (unblocking goroutine, stack) and a small header
//! per goroutine: 61 MB for the 42 MB, 7.6 M-transition benchmark trace,
//! recorded in about 0.1 s on top of reading it. Paths are computed on
//! demand, a binary search per segment.

use crate::event::{Event, GoId, GoState, Payload, Time, Transition, NO_GOROUTINE};
use crate::intmap::IntMap;
use crate::tables::{StackId, StrId, Tables};

/// Segments returned at most by [`CriticalPathAnalysis::path`].
pub const DEFAULT_LIMIT: usize = 1_000_000;

/// Unblock edges followed at one instant before the walk gives up (cycle).
const MAX_JUMPS_AT_ONCE: usize = 4096;

/// A goroutine state with what came with it, packed in 32 bits: the state
/// in the low 3 bits; then the edge flag (another goroutine caused the
/// change); above them an id: for an edge, its site (an index into
/// `CriticalPathAnalysis::sites`), else for `Waiting` the wait reason
/// (`StrId`), else 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Word(u32);

const STATE_MASK: u32 = 0b111;
const EDGE_BIT: u32 = 1 << 3;
const AUX_SHIFT: u32 = 4;
/// Largest id a word holds; a larger reason is dropped, a larger site
/// makes the change a non-edge (neither happens below 2^28 of them).
const MAX_AUX: u32 = u32::MAX >> AUX_SHIFT;

impl Word {
    /// "No state": the goroutine did not exist (or is unknown).
    const NONE: Word = Word(0);

    fn new(state: GoState, site: Option<u32>, reason: StrId) -> Word {
        let s = state as u32 & STATE_MASK;
        match site {
            Some(site) if site <= MAX_AUX => Word(s | EDGE_BIT | site << AUX_SHIFT),
            _ if state == GoState::Waiting && reason.0 <= MAX_AUX => {
                Word(s | reason.0 << AUX_SHIFT)
            }
            _ => Word(s),
        }
    }

    fn state(self) -> GoState {
        match self.0 & STATE_MASK {
            1 => GoState::NotExist,
            2 => GoState::Runnable,
            3 => GoState::Running,
            4 => GoState::Waiting,
            5 => GoState::Syscall,
            _ => GoState::Undetermined,
        }
    }

    /// The edge's site, if another goroutine caused this change.
    fn site(self) -> Option<u32> {
        (self.0 & EDGE_BIT != 0).then_some(self.0 >> AUX_SHIFT)
    }

    /// The wait reason ("" unless a wait no edge started).
    fn reason(self) -> StrId {
        if self.0 & EDGE_BIT == 0 && self.state() == GoState::Waiting {
            StrId(self.0 >> AUX_SHIFT)
        } else {
            StrId::EMPTY
        }
    }
}

/// One state change of a goroutine (8 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rec {
    /// ns since the base time of the record's block (see [`History`]).
    dt: u32,
    /// The state entered ([`Word`]).
    word: u32,
}

/// What one goroutine did, as far as the critical path needs it.
#[derive(Clone, Debug)]
struct History {
    id: GoId,
    /// Root frame of its first transition stack (its start function).
    name: StrId,
    /// The state it was in before its first record (since before the
    /// trace); `Word::NONE` if it did not exist.
    initial: Word,
    /// Base time of the records before the first of `more_bases`.
    base: Time,
    /// State changes, by time (non-decreasing).
    recs: Vec<Rec>,
    /// (first record, base time) of each later block: a block starts when
    /// a record's time is more than `u32::MAX` ns past its block's base.
    /// Boxed: 8 bytes in every goroutine's header instead of a `Vec`'s 24,
    /// for what only goroutines living more than ~4.3 s need.
    #[allow(clippy::box_collection)]
    more_bases: Option<Box<Vec<(u32, Time)>>>,
}

impl History {
    fn new(id: GoId) -> Self {
        History {
            id,
            name: StrId::EMPTY,
            initial: Word::NONE,
            base: 0,
            recs: Vec::new(),
            more_bases: None,
        }
    }

    fn is_fresh(&self) -> bool {
        self.recs.is_empty() && self.initial == Word::NONE
    }

    /// Base time of the block of record `i`.
    fn base_of(&self, i: usize) -> Time {
        match &self.more_bases {
            None => self.base,
            Some(b) => {
                let k = b.partition_point(|&(first, _)| first as usize <= i);
                k.checked_sub(1)
                    .and_then(|k| b.get(k))
                    .map_or(self.base, |&(_, t)| t)
            }
        }
    }

    /// Time and state of record `i`.
    fn rec(&self, i: usize) -> Option<(Time, Word)> {
        let r = self.recs.get(i)?;
        Some((
            self.base_of(i).saturating_add(i64::from(r.dt)),
            Word(r.word),
        ))
    }

    /// The state in effect before record `i`: record `i - 1`, or the
    /// initial state (from `Time::MIN`), or nothing.
    fn before(&self, i: usize) -> Option<(Time, Word)> {
        match i.checked_sub(1) {
            Some(k) => self.rec(k),
            None => (self.initial != Word::NONE).then_some((Time::MIN, self.initial)),
        }
    }

    /// Index of the first record at or after `t`.
    fn lower_bound(&self, t: Time) -> usize {
        let (mut lo, mut hi) = (0, self.recs.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.rec(mid).is_some_and(|(rt, _)| rt < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Appends a record, keeping times non-decreasing even if the input's
    /// go backwards.
    fn push(&mut self, time: Time, word: Word) {
        let time = match self.recs.len().checked_sub(1).and_then(|k| self.rec(k)) {
            Some((last, _)) => time.max(last),
            None => {
                self.base = time;
                time
            }
        };
        let base = self
            .more_bases
            .as_ref()
            .and_then(|b| b.last())
            .map_or(self.base, |&(_, t)| t);
        let dt = match time.checked_sub(base).and_then(|d| u32::try_from(d).ok()) {
            Some(d) => d,
            None => {
                let first = u32::try_from(self.recs.len()).unwrap_or(u32::MAX);
                self.more_bases
                    .get_or_insert_with(Default::default)
                    .push((first, time));
                0
            }
        };
        self.recs.push(Rec { dt, word: word.0 });
    }
}

/// What a segment of the path is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SegmentKind {
    Running,
    /// Ready to run, waiting for a P (scheduler latency).
    Runnable,
    Syscall,
    /// Waiting for something no goroutine of the trace ended (network,
    /// timer, ...) or that had not ended by the window's end. `reason` is
    /// the trace's wait reason ("sleep", "network", "chan receive", ...;
    /// "" when the trace gave none).
    Waiting {
        reason: String,
    },
}

impl SegmentKind {
    /// "running", "runnable", "syscall", "waiting: <reason>" (or "waiting").
    pub fn label(&self) -> String {
        match self {
            SegmentKind::Running => "running".into(),
            SegmentKind::Runnable => "runnable".into(),
            SegmentKind::Syscall => "syscall".into(),
            SegmentKind::Waiting { reason } if reason.is_empty() => "waiting".into(),
            SegmentKind::Waiting { reason } => format!("waiting: {reason}"),
        }
    }
}

/// How the path left one goroutine for the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EdgeKind {
    /// The segment's goroutine unblocked the target.
    Unblock,
    /// The segment's goroutine created the target.
    Create,
}

/// The edge at the end of a segment: at `time`, the segment's goroutine
/// unblocked (or created) `target`, and the path goes on (forward in time)
/// on `target`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edge {
    pub kind: EdgeKind,
    pub target: GoId,
    /// When the unblock (creation) happened: the segment's end.
    pub time: Time,
    /// Stack of the unblocking (creating) event, on the segment's
    /// goroutine; `StackId::NONE` if the trace has none.
    pub stack: StackId,
    /// What `target` had been waiting for ("" for a creation or when unknown).
    pub reason: String,
    /// When `target` began waiting (`None` for a creation, or if it was
    /// already waiting when the trace began).
    pub waiting_since: Option<Time>,
}

/// A piece of the path: `goroutine` was in `kind` over `[start, end)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Segment {
    pub goroutine: GoId,
    pub start: Time,
    pub end: Time,
    pub kind: SegmentKind,
    /// Set on the last segment of a goroutine's stretch of the path: the
    /// edge that hands the path to the next goroutine.
    pub via: Option<Edge>,
}

impl Segment {
    pub fn duration(&self) -> i64 {
        self.end.saturating_sub(self.start)
    }
}

/// Time on the path by segment kind, ns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct KindTotals {
    pub running: i64,
    pub runnable: i64,
    pub syscall: i64,
    pub waiting: i64,
}

impl KindTotals {
    pub fn total(&self) -> i64 {
        self.running
            .saturating_add(self.runnable)
            .saturating_add(self.syscall)
            .saturating_add(self.waiting)
    }

    fn add(&mut self, kind: &SegmentKind, d: i64) {
        let v = match kind {
            SegmentKind::Running => &mut self.running,
            SegmentKind::Runnable => &mut self.runnable,
            SegmentKind::Syscall => &mut self.syscall,
            SegmentKind::Waiting { .. } => &mut self.waiting,
        };
        *v = v.saturating_add(d);
    }
}

/// One goroutine's share of the path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GoroutineShare {
    pub goroutine: GoId,
    /// Start function ("" when no stack was seen).
    pub name: String,
    /// Segments of the path on it.
    pub segments: usize,
    pub time: KindTotals,
}

/// Why the walk ended where the path starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stop {
    /// The path reaches the window's start.
    ReachedStart,
    /// Nothing is known about `goroutine` before `time`: it was created
    /// then by no goroutine (e.g. a C thread calling into Go), or did not
    /// exist yet, or the trace does not show it before.
    Origin { goroutine: GoId, time: Time },
    /// The segment limit was reached; the path keeps the latest segments.
    Limit,
    /// Unblock edges formed a cycle at `time` (malformed trace).
    Cycle { time: Time },
}

impl Stop {
    /// A sentence for people.
    pub fn describe(&self) -> String {
        match self {
            Stop::ReachedStart => "reached the start of the window".into(),
            Stop::Origin { goroutine, time } => {
                format!("nothing is known about G{goroutine} before {time} ns (created by no goroutine, or not traced before)")
            }
            Stop::Limit => "segment limit reached (the latest part of the path is kept)".into(),
            Stop::Cycle { time } => format!("unblock edges form a cycle at {time} ns"),
        }
    }
}

/// A critical path, forward in time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CriticalPath {
    /// The goroutine the path was asked for.
    pub goroutine: GoId,
    /// The window asked for, clamped to the trace's first and last event.
    pub window: (Time, Time),
    /// What the path covers; the segments tile `[start, end)` without gaps.
    /// `end` is before the window's end if the goroutine exited earlier;
    /// `start` is after the window's start unless `stop` is `ReachedStart`.
    pub start: Time,
    pub end: Time,
    /// Forward in time.
    pub segments: Vec<Segment>,
    /// Per goroutine on the path, by time on the path descending (ties by id).
    pub goroutines: Vec<GoroutineShare>,
    /// Edges followed (segments with `via`).
    pub hops: usize,
    pub totals: KindTotals,
    pub stop: Stop,
}

/// The streaming part: records every goroutine's state changes and who
/// caused them. Feed each event to [`add`](Self::add), then ask for paths.
#[derive(Clone, Debug, Default)]
pub struct CriticalPathAnalysis {
    gs: Vec<History>,
    index: IntMap<GoId, u32>,
    /// Edge sites: (index of the goroutine that caused the change, stack
    /// of its event), interned (they repeat: the same goroutines unblock
    /// each other at the same places).
    sites: Vec<(u32, StackId)>,
    site_index: IntMap<u64, u32>,
    first_time: Option<Time>,
    last_time: Time,
}

impl CriticalPathAnalysis {
    pub fn new() -> Self {
        Self::default()
    }

    /// The goroutine's index in `gs`, adding it if new; `None` past u32 range.
    fn goroutine(&mut self, id: GoId) -> Option<u32> {
        if let Some(&i) = self.index.get(&id) {
            return Some(i);
        }
        let i = u32::try_from(self.gs.len()).ok()?;
        self.gs.push(History::new(id));
        self.index.insert(id, i);
        Some(i)
    }

    /// The site id of (goroutine index, stack), interning it.
    fn site(&mut self, by: u32, stack: StackId) -> Option<u32> {
        let key = u64::from(by) << 32 | u64::from(stack.0);
        if let Some(&i) = self.site_index.get(&key) {
            return Some(i);
        }
        let i = u32::try_from(self.sites.len()).ok()?;
        self.sites.push((by, stack));
        self.site_index.insert(key, i);
        Some(i)
    }

    /// Records one event (in trace order).
    pub fn add(&mut self, ev: &Event, tables: &Tables) {
        let t = ev.time;
        if self.first_time.is_none() {
            self.first_time = Some(t);
            self.last_time = t;
        }
        self.last_time = self.last_time.max(t);
        let Payload::StateTransition(st) = ev.payload else {
            return;
        };
        let Transition::Goroutine { id, old, new } = st.transition else {
            return;
        };
        if old == new || id == NO_GOROUTINE {
            // A generation re-stating a known state.
            return;
        }
        // Who caused it: the goroutine in the event's context, for an
        // unblock or a creation.
        let site = if matches!(old, GoState::Waiting | GoState::NotExist)
            && ev.g != NO_GOROUTINE
            && ev.g != id
        {
            let stack = if ev.stack.is_none() {
                st.stack
            } else {
                ev.stack
            };
            self.goroutine(ev.g).and_then(|by| self.site(by, stack))
        } else {
            None
        };
        let Some(gi) = self.goroutine(id) else {
            return;
        };
        let Some(h) = self.gs.get_mut(gi as usize) else {
            return;
        };
        if h.name == StrId::EMPTY {
            if let Some(root) = tables.stack(st.stack).last() {
                h.name = root.func;
            }
        }
        let word = Word::new(new, site, st.reason);
        if h.is_fresh() {
            match old {
                // First sighting: it has been in `new` since before the trace.
                GoState::Undetermined => {
                    h.initial = word;
                    return;
                }
                GoState::NotExist => {}
                // Seen first leaving a state: it was in that state before.
                _ => h.initial = Word::new(old, None, StrId::EMPTY),
            }
        }
        h.push(t, word);
    }

    /// Releases spare capacity (once every event was added).
    pub fn shrink_to_fit(&mut self) {
        for h in &mut self.gs {
            h.recs.shrink_to_fit();
        }
        self.gs.shrink_to_fit();
        self.index.shrink_to_fit();
        self.sites.shrink_to_fit();
        self.site_index.shrink_to_fit();
    }

    /// Heap bytes held (records, goroutine headers, sites, the indexes).
    pub fn heap_bytes(&self) -> usize {
        self.gs
            .iter()
            .map(|h| {
                h.recs.capacity() * std::mem::size_of::<Rec>()
                    + h.more_bases.as_ref().map_or(0, |b| {
                        std::mem::size_of::<Vec<(u32, Time)>>() + b.capacity() * 16
                    })
            })
            .sum::<usize>()
            + self.gs.capacity() * std::mem::size_of::<History>()
            + self.index.capacity() * (std::mem::size_of::<(GoId, u32)>() + 1)
            + self.sites.capacity() * std::mem::size_of::<(u32, StackId)>()
            + self.site_index.capacity() * (std::mem::size_of::<(u64, u32)>() + 1)
    }

    /// Recorded state changes (for reporting).
    pub fn records(&self) -> usize {
        self.gs.iter().map(|h| h.recs.len()).sum()
    }

    /// Times of the first and last event, if any event was added.
    pub fn time_range(&self) -> Option<(Time, Time)> {
        self.first_time.map(|f| (f, self.last_time))
    }

    /// Whether the goroutine appears in the trace.
    pub fn knows(&self, g: GoId) -> bool {
        self.index.contains_key(&g)
    }

    /// The goroutine's start function ("" when unknown).
    pub fn name(&self, g: GoId, tables: &Tables) -> String {
        self.index
            .get(&g)
            .and_then(|&i| self.gs.get(i as usize))
            .map(|h| tables.str(h.name).into_owned())
            .unwrap_or_default()
    }

    /// The critical path of goroutine `g` over `[start, end]` (trace clock,
    /// ns), with at most [`DEFAULT_LIMIT`] segments; `None` if `g` is not
    /// in the trace. `tables` must be the tables of the events added.
    pub fn path(&self, g: GoId, start: Time, end: Time, tables: &Tables) -> Option<CriticalPath> {
        self.path_limited(g, start, end, DEFAULT_LIMIT, tables)
    }

    /// [`path`](Self::path) with at most `limit` segments (the latest kept).
    pub fn path_limited(
        &self,
        g: GoId,
        start: Time,
        end: Time,
        limit: usize,
        tables: &Tables,
    ) -> Option<CriticalPath> {
        let &g0 = self.index.get(&g)?;
        let (lo, hi) = self.time_range()?;
        let start = start.max(lo);
        let window_end = end.min(hi);
        let mut end = window_end;
        // After the goroutine exited, its path ends where it did.
        if let Some(h) = self.gs.get(g0 as usize) {
            if let Some((exit, w)) = h.before(h.lower_bound(end)) {
                if w.state() == GoState::NotExist {
                    end = exit.max(start);
                }
            }
        }
        let mut rev: Vec<Segment> = Vec::new();
        let mut cur = g0;
        let mut t = end;
        // The edge that brought the walk to `cur` at `t`, waiting to be
        // attached to `cur`'s segment ending at `t`.
        let mut pending: Option<Edge> = None;
        // Goroutines left by an edge at instant `t` (cycle detection).
        let mut left_at_t: Vec<u32> = Vec::new();
        let stop = loop {
            if t <= start {
                break Stop::ReachedStart;
            }
            if rev.len() >= limit {
                break Stop::Limit;
            }
            let Some(h) = self.gs.get(cur as usize) else {
                break Stop::Origin {
                    goroutine: g,
                    time: t,
                };
            };
            let i = h.lower_bound(t);
            let prev = h.before(i);
            // Did another goroutine end, at `t`, the state `cur` was in?
            let edge = h
                .rec(i)
                .filter(|&(nt, _)| nt == t)
                .and_then(|(_, w)| w.site())
                .and_then(|site| self.sites.get(site as usize));
            if let Some(&(u, stack)) = edge {
                if u == cur || left_at_t.contains(&u) || left_at_t.len() >= MAX_JUMPS_AT_ONCE {
                    break Stop::Cycle { time: t };
                }
                left_at_t.push(cur);
                let waited = prev.filter(|(_, w)| w.state() == GoState::Waiting);
                pending = Some(Edge {
                    kind: if waited.is_some() {
                        EdgeKind::Unblock
                    } else {
                        EdgeKind::Create
                    },
                    target: h.id,
                    time: t,
                    stack,
                    reason: waited
                        .map(|(_, w)| tables.str(w.reason()).into_owned())
                        .unwrap_or_default(),
                    waiting_since: waited.map(|(since, _)| since).filter(|&s| s != Time::MIN),
                });
                cur = u;
                continue;
            }
            let Some((since, prev)) = prev else {
                break Stop::Origin {
                    goroutine: h.id,
                    time: t,
                };
            };
            let kind = match prev.state() {
                GoState::Running => SegmentKind::Running,
                GoState::Runnable => SegmentKind::Runnable,
                GoState::Syscall => SegmentKind::Syscall,
                GoState::Waiting => SegmentKind::Waiting {
                    reason: tables.str(prev.reason()).into_owned(),
                },
                GoState::NotExist | GoState::Undetermined => {
                    break Stop::Origin {
                        goroutine: h.id,
                        time: t,
                    }
                }
            };
            let s = since.max(start);
            rev.push(Segment {
                goroutine: h.id,
                start: s,
                end: t,
                kind,
                via: pending.take(),
            });
            t = s;
            left_at_t.clear();
        };
        rev.reverse();
        let segments = rev;
        let mut totals = KindTotals::default();
        let mut shares: Vec<GoroutineShare> = Vec::new();
        let mut share_of: IntMap<GoId, usize> = IntMap::default();
        for s in &segments {
            let d = s.duration();
            totals.add(&s.kind, d);
            let k = *share_of.entry(s.goroutine).or_insert_with(|| {
                shares.push(GoroutineShare {
                    goroutine: s.goroutine,
                    name: self.name(s.goroutine, tables),
                    segments: 0,
                    time: KindTotals::default(),
                });
                shares.len() - 1
            });
            if let Some(sh) = shares.get_mut(k) {
                sh.segments += 1;
                sh.time.add(&s.kind, d);
            }
        }
        shares.sort_by(|a, b| {
            b.time
                .total()
                .cmp(&a.time.total())
                .then(a.goroutine.cmp(&b.goroutine))
        });
        Some(CriticalPath {
            goroutine: g,
            window: (start, window_end),
            start: segments.first().map_or(end, |s| s.start),
            end,
            hops: segments.iter().filter(|s| s.via.is_some()).count(),
            segments,
            goroutines: shares,
            totals,
            stop,
        })
    }
}

/// Records a whole trace. Events after a read error are not seen; the error
/// is returned alongside what was recorded before it, with the tables.
pub fn from_trace(
    data: impl crate::stream::Source,
) -> Result<(CriticalPathAnalysis, Tables, Option<crate::Error>), crate::Error> {
    let mut a = CriticalPathAnalysis::new();
    let read = data.read_all(|ev, tables| a.add(ev, tables))?;
    a.shrink_to_fit();
    Ok((a, read.tables, read.error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::NO_PROC;

    use GoState::*;

    use crate::analysis::testkit::Events as B;

    /// Events that start with a generation boundary at 100.
    fn started() -> B {
        let mut b = B::new();
        b.sync(100);
        b
    }

    /// The end of the events: a generation boundary.
    fn end(b: &mut B, time: Time) {
        b.ev(
            time,
            NO_PROC,
            NO_GOROUTINE,
            Payload::Sync { n: 2, clock: None },
        );
    }

    fn analysis(b: &B) -> CriticalPathAnalysis {
        let mut a = CriticalPathAnalysis::new();
        for e in &b.evs {
            a.add(e, &b.t);
        }
        a
    }

    fn path(b: &B, g: GoId, start: Time, end: Time) -> CriticalPath {
        analysis(b)
            .path(g, start, end, &b.t)
            .expect("known goroutine")
    }

    /// (goroutine, start, end, label) of each segment.
    fn shape(p: &CriticalPath) -> Vec<(GoId, Time, Time, String)> {
        p.segments
            .iter()
            .map(|s| (s.goroutine, s.start, s.end, s.kind.label()))
            .collect()
    }

    fn seg(g: GoId, s: Time, e: Time, l: &str) -> (GoId, Time, Time, String) {
        (g, s, e, l.to_string())
    }

    /// Segments tile `[start, end)` and the totals add up.
    fn check_invariants(p: &CriticalPath) {
        let mut t = p.start;
        for s in &p.segments {
            assert_eq!(s.start, t, "gap before {s:?}");
            assert!(s.end > s.start, "empty {s:?}");
            t = s.end;
        }
        assert_eq!(t, p.end);
        assert_eq!(p.totals.total(), p.end - p.start);
        let by_g: i64 = p.goroutines.iter().map(|g| g.time.total()).sum();
        assert_eq!(by_g, p.totals.total());
        assert_eq!(
            p.hops,
            p.segments.iter().filter(|s| s.via.is_some()).count()
        );
    }

    #[test]
    fn records_are_8_bytes_and_words_round_trip() {
        assert_eq!(std::mem::size_of::<Rec>(), 8);
        for s in [NotExist, Runnable, Running, Waiting, Syscall, Undetermined] {
            let w = Word::new(s, Some(12345), StrId(7));
            assert_eq!(
                (w.state(), w.site(), w.reason()),
                (s, Some(12345), StrId::EMPTY)
            );
            let w = Word::new(s, None, StrId(7));
            let reason = if s == Waiting { StrId(7) } else { StrId::EMPTY };
            assert_eq!((w.state(), w.site(), w.reason()), (s, None, reason));
        }
        // Ids that do not fit are dropped, not mangled.
        assert_eq!(
            Word::new(Waiting, None, StrId(u32::MAX)),
            Word(Waiting as u32)
        );
        assert_eq!(
            Word::new(Runnable, Some(u32::MAX), StrId::EMPTY).site(),
            None
        );
        assert_eq!(Word::NONE.state(), Undetermined);
    }

    /// Records more than u32::MAX ns apart start new time blocks.
    #[test]
    fn long_gaps_start_new_blocks() {
        let mut h = History::new(1);
        let times = [
            -5,
            0,
            7,
            i64::from(u32::MAX) - 5,
            i64::from(u32::MAX) + 1,
            i64::from(u32::MAX) * 3,
            i64::from(u32::MAX) * 3,
            i64::MAX,
        ];
        for (k, &t) in times.iter().enumerate() {
            let st = if k % 2 == 0 { Running } else { Runnable };
            h.push(t, Word::new(st, None, StrId::EMPTY));
        }
        h.push(3, Word::new(Waiting, None, StrId(2))); // back in time: clamped
        assert_eq!(h.more_bases.as_ref().map(|b| b.len()), Some(3));
        for (k, &t) in times.iter().enumerate() {
            assert_eq!(h.rec(k).map(|r| r.0), Some(t), "record {k}");
            assert_eq!(
                h.lower_bound(t),
                times.iter().position(|&x| x == t).unwrap()
            );
        }
        assert_eq!(h.rec(times.len()).map(|r| r.0), Some(i64::MAX));
        assert_eq!(h.lower_bound(i64::MIN), 0);
        assert_eq!(h.lower_bound(8), 3);
        assert_eq!(h.before(0), None);
        assert_eq!(h.rec(99), None);
    }

    #[test]
    fn running_runnable_and_syscall_stay_on_the_goroutine() {
        let mut b = started();
        b.go_by(110, -1, 1, Undetermined, Running);
        b.go_by(120, 1, 1, Running, Syscall);
        b.go_by(130, 1, 1, Syscall, Runnable);
        b.go_by(140, -1, 1, Runnable, Running);
        end(&mut b, 200);
        let p = path(&b, 1, 0, 1000);
        check_invariants(&p);
        assert_eq!(
            shape(&p),
            vec![
                // Back-dated to the trace's start: it was running when it began.
                seg(1, 100, 120, "running"),
                seg(1, 120, 130, "syscall"),
                seg(1, 130, 140, "runnable"),
                seg(1, 140, 200, "running"),
            ]
        );
        assert_eq!(p.window, (100, 200));
        assert_eq!((p.start, p.end, p.hops), (100, 200, 0));
        assert_eq!(p.stop, Stop::ReachedStart);
        assert_eq!(
            p.totals,
            KindTotals {
                running: 80,
                runnable: 10,
                syscall: 10,
                waiting: 0
            }
        );
        assert_eq!(p.goroutines.len(), 1);
    }

    #[test]
    fn a_wait_ended_by_a_goroutine_jumps_to_it() {
        let mut b = started();
        let send = b.stack(&["runtime.chansend1", "main.producer"]);
        b.go_by(105, -1, 1, Undetermined, Running);
        b.go_by(106, -1, 2, Undetermined, Runnable);
        b.block(130, 1, "chan receive");
        b.go_by(135, -1, 2, Runnable, Running);
        // G2 unblocks G1 at 150 (the event is G2's).
        b.transition(150, 0, 2, 1, Waiting, Runnable, "", send, StackId::NONE);
        b.block(155, 2, "select");
        b.go_by(160, -1, 1, Runnable, Running);
        end(&mut b, 200);
        let p = path(&b, 1, 100, 200);
        check_invariants(&p);
        assert_eq!(
            shape(&p),
            vec![
                seg(2, 100, 135, "runnable"),
                seg(2, 135, 150, "running"),
                seg(1, 150, 160, "runnable"),
                seg(1, 160, 200, "running"),
            ]
        );
        let via = p.segments[1].via.as_ref().expect("edge");
        assert_eq!(
            via,
            &Edge {
                kind: EdgeKind::Unblock,
                target: 1,
                time: 150,
                stack: send,
                reason: "chan receive".into(),
                waiting_since: Some(130),
            }
        );
        assert_eq!(p.hops, 1);
        // G1's own wait [130, 150) is not on the path: G2's work is.
        let shares: Vec<(GoId, i64, usize)> = p
            .goroutines
            .iter()
            .map(|g| (g.goroutine, g.time.total(), g.segments))
            .collect();
        assert_eq!(shares, vec![(1, 50, 2), (2, 50, 2)]); // ties by id
                                                          // Seen from G2 alone, the unblock is just running.
        let p2 = path(&b, 2, 100, 200);
        assert_eq!(
            p2.segments.last().map(|s| s.kind.label()).as_deref(),
            Some("waiting: select")
        );
        assert_eq!(p2.hops, 0);
    }

    #[test]
    fn a_wait_ended_by_no_goroutine_stays() {
        let mut b = started();
        b.go_by(110, -1, 1, Undetermined, Running);
        b.block(130, 1, "sleep");
        // A timer (no goroutine in the context) wakes it.
        b.go_by(150, -1, 1, Waiting, Runnable);
        b.go_by(160, -1, 1, Runnable, Running);
        b.block(170, 1, "network");
        b.go_by(180, 1, 1, Waiting, Runnable); // its own event: no edge either
        b.go_by(185, -1, 1, Runnable, Running);
        end(&mut b, 200);
        let p = path(&b, 1, 120, 200);
        check_invariants(&p);
        assert_eq!(
            shape(&p),
            vec![
                seg(1, 120, 130, "running"),
                seg(1, 130, 150, "waiting: sleep"),
                seg(1, 150, 160, "runnable"),
                seg(1, 160, 170, "running"),
                seg(1, 170, 180, "waiting: network"),
                seg(1, 180, 185, "runnable"),
                seg(1, 185, 200, "running"),
            ]
        );
        assert_eq!(p.hops, 0);
        assert_eq!(p.totals.waiting, 30);
    }

    /// A waits on a channel B sends on; B waited on a mutex C held.
    #[test]
    fn chain_of_three() {
        let mut b = started();
        let (a, bg, c) = (10, 20, 30);
        b.go_by(101, -1, a, Undetermined, Running);
        b.go_by(102, -1, bg, Undetermined, Running);
        b.go_by(103, -1, c, Undetermined, Running);
        b.block(110, a, "chan receive");
        b.block(115, bg, "sync");
        b.go_by(140, c, bg, Waiting, Runnable); // C unlocks
        b.block(141, c, "sleep");
        b.go_by(145, -1, bg, Runnable, Running);
        b.go_by(170, bg, a, Waiting, Runnable); // B sends
        b.go_by(175, -1, a, Runnable, Running);
        end(&mut b, 200);
        let p = path(&b, a, 100, 200);
        check_invariants(&p);
        assert_eq!(
            shape(&p),
            vec![
                seg(c, 100, 140, "running"),
                seg(bg, 140, 145, "runnable"),
                seg(bg, 145, 170, "running"),
                seg(a, 170, 175, "runnable"),
                seg(a, 175, 200, "running"),
            ]
        );
        assert_eq!(p.hops, 2);
        let via: Vec<(GoId, String)> = p
            .segments
            .iter()
            .filter_map(|s| s.via.as_ref().map(|e| (e.target, e.reason.clone())))
            .collect();
        assert_eq!(via, vec![(bg, "sync".into()), (a, "chan receive".into())]);
        let order: Vec<GoId> = p.goroutines.iter().map(|g| g.goroutine).collect();
        assert_eq!(order, vec![c, a, bg]); // 40, 30, 30 ns (ties by id)
                                           // Each goroutine's own stretch: from its previous blocking point.
        let p = path(&b, a, 142, 200);
        assert_eq!(shape(&p)[0], seg(bg, 142, 145, "runnable"));
        assert_eq!(p.stop, Stop::ReachedStart);
    }

    #[test]
    fn creation_is_an_edge_and_c_threads_are_an_origin() {
        let mut b = started();
        let start = b.stack(&["main.worker"]);
        let site = b.stack(&["main.main"]);
        b.go_by(101, -1, 1, Undetermined, Running);
        b.transition(120, 0, 1, 7, NotExist, Runnable, "", site, start);
        b.go_by(130, -1, 7, Runnable, Running);
        // G9 comes from a C thread: no goroutine created it.
        b.go_by(140, -1, 9, NotExist, Syscall);
        end(&mut b, 200);
        let a = analysis(&b);
        let p = a.path(7, 100, 200, &b.t).unwrap();
        check_invariants(&p);
        assert_eq!(
            shape(&p),
            vec![
                seg(1, 100, 120, "running"),
                seg(7, 120, 130, "runnable"),
                seg(7, 130, 200, "running"),
            ]
        );
        let via = p.segments[0].via.clone().unwrap();
        assert_eq!(
            (via.kind, via.target, via.stack, via.waiting_since),
            (EdgeKind::Create, 7, site, None)
        );
        assert_eq!(a.name(7, &b.t), "main.worker");
        let names: Vec<&str> = p.goroutines.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, vec!["main.worker", ""]);
        let p = a.path(9, 100, 200, &b.t).unwrap();
        check_invariants(&p);
        assert_eq!(shape(&p), vec![seg(9, 140, 200, "syscall")]);
        assert_eq!(
            p.stop,
            Stop::Origin {
                goroutine: 9,
                time: 140
            }
        );
        assert!(a.path(12345, 0, 1000, &b.t).is_none());
        assert!(a.knows(9) && !a.knows(12345));
    }

    #[test]
    fn window_clipping() {
        let mut b = started();
        b.go_by(101, -1, 1, Undetermined, Running);
        b.go_by(102, -1, 2, Undetermined, Running);
        b.block(110, 1, "chan receive");
        b.go_by(150, 2, 1, Waiting, Runnable);
        b.go_by(160, -1, 1, Runnable, Running);
        b.go_by(180, 1, 1, Running, NotExist);
        end(&mut b, 200);
        // The end inside the wait: nobody has ended it yet, it is G1's own.
        let p = path(&b, 1, 105, 130);
        check_invariants(&p);
        assert_eq!(
            shape(&p),
            vec![
                seg(1, 105, 110, "running"),
                seg(1, 110, 130, "waiting: chan receive")
            ]
        );
        // A start inside the unblocker's stretch clips it.
        let p = path(&b, 1, 140, 170);
        check_invariants(&p);
        assert_eq!(
            shape(&p),
            vec![
                seg(2, 140, 150, "running"),
                seg(1, 150, 160, "runnable"),
                seg(1, 160, 170, "running"),
            ]
        );
        // The end after the goroutine exited: the path ends with it.
        let p = path(&b, 1, 155, 1_000);
        check_invariants(&p);
        assert_eq!((p.window, p.start, p.end), ((155, 200), 155, 180));
        assert_eq!(p.segments.len(), 2);
        // The end exactly at the unblock: the path is already on G2.
        let p = path(&b, 1, 140, 150);
        assert_eq!(shape(&p), vec![seg(2, 140, 150, "running")]);
        assert_eq!(p.segments[0].via.as_ref().map(|e| e.target), Some(1));
        // Empty or inverted windows give an empty path.
        for (s, e) in [(150, 150), (170, 120), (i64::MAX, i64::MIN)] {
            let p = path(&b, 1, s, e);
            assert!(p.segments.is_empty(), "{s}..{e}");
            assert_eq!(p.stop, Stop::ReachedStart);
        }
        // Before the goroutine existed in the trace.
        let mut b = started();
        b.go_by(150, -1, 3, NotExist, Runnable);
        end(&mut b, 200);
        let p = path(&b, 3, 0, 120);
        assert!(p.segments.is_empty());
        assert_eq!(
            p.stop,
            Stop::Origin {
                goroutine: 3,
                time: 120
            }
        );
    }

    #[test]
    fn cycles_and_limits_end_the_walk() {
        // A malformed trace: at the same instant each unblocks the other.
        let mut b = started();
        b.go_by(101, -1, 1, Undetermined, Waiting);
        b.go_by(102, -1, 2, Undetermined, Waiting);
        b.go_by(150, 2, 1, Waiting, Runnable);
        b.go_by(150, 1, 2, Waiting, Runnable);
        b.go_by(160, -1, 1, Runnable, Running);
        end(&mut b, 200);
        let p = path(&b, 1, 100, 200);
        check_invariants(&p);
        assert_eq!(p.stop, Stop::Cycle { time: 150 });
        assert_eq!(p.start, 150);
        // Ping-pong: many hops, bounded by the limit.
        let mut b = started();
        b.go_by(101, -1, 1, Undetermined, Running);
        b.go_by(102, -1, 2, Undetermined, Waiting);
        let mut t = 110;
        for _ in 0..100 {
            b.block(t, 1, "chan receive");
            b.go_by(t + 1, 1, 2, Waiting, Runnable);
            b.go_by(t + 2, -1, 2, Runnable, Running);
            b.go_by(t + 3, 2, 1, Waiting, Runnable);
            b.block(t + 4, 2, "chan receive");
            b.go_by(t + 5, -1, 1, Runnable, Running);
            t += 10;
        }
        end(&mut b, t + 10);
        let a = analysis(&b);
        let p = a.path(1, 0, i64::MAX, &b.t).unwrap();
        check_invariants(&p);
        assert_eq!(p.stop, Stop::ReachedStart);
        assert_eq!(p.hops, 200);
        let p = a.path_limited(1, 0, i64::MAX, 7, &b.t).unwrap();
        check_invariants(&p);
        assert_eq!((p.stop, p.segments.len(), p.end), (Stop::Limit, 7, t + 10));
        let p = a.path_limited(1, 0, i64::MAX, 0, &b.t).unwrap();
        assert_eq!((p.stop, p.segments.len()), (Stop::Limit, 0));
    }

    #[test]
    fn hostile_sequences_do_not_panic() {
        let mut b = started();
        b.go_by(90, 5, 1, Running, Waiting); // first seen leaving Running, before the Sync
        b.go_by(95, 1, 1, Waiting, Runnable);
        b.go_by(80, 3, 2, Waiting, Running); // time going backwards
        b.go_by(i64::MAX, 4, 2, NotExist, Runnable);
        b.go_by(i64::MIN, 2, 4, Undetermined, NotExist);
        b.go_by(0, 2, NO_GOROUTINE, Waiting, Runnable);
        b.go_by(7, NO_GOROUTINE, 6, Waiting, Runnable);
        let a = analysis(&b);
        for g in [1, 2, 3, 4, 5, 6] {
            for (s, e) in [
                (i64::MIN, i64::MAX),
                (0, 100),
                (95, 96),
                (i64::MAX, i64::MAX),
            ] {
                if let Some(p) = a.path(g, s, e, &b.t) {
                    check_invariants(&p);
                }
            }
        }
        assert!(a.heap_bytes() > 0);
        let empty = CriticalPathAnalysis::new();
        assert!(empty.path(1, 0, 1, &b.t).is_none());
    }

    fn trace(rel: &str) -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/traces")
            .join(rel);
        std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    /// contention.trace (go1.27), read off `gotrace dump`: G12 runs from
    /// 1706649884032, sleeps at 1706649952896, is woken by a timer (G=-1)
    /// at 1706651931456, runs at 1706651937152 and, in WaitGroup.Done,
    /// unblocks G1 (waiting on "sync" since 1706648427904) at
    /// 1706651969920; G1 runs at 1706651971456 and ends region "mutex" at
    /// 1706651973312.
    #[test]
    fn real_trace_hop_to_the_waitgroup_done() {
        let (a, tables, err) = from_trace(&trace("go1.27/contention.trace")).unwrap();
        assert!(err.is_none());
        let p = a
            .path(1, 1_706_649_900_000, 1_706_651_973_312, &tables)
            .unwrap();
        check_invariants(&p);
        assert_eq!(
            shape(&p),
            vec![
                seg(12, 1_706_649_900_000, 1_706_649_952_896, "running"),
                seg(12, 1_706_649_952_896, 1_706_651_931_456, "waiting: sleep"),
                seg(12, 1_706_651_931_456, 1_706_651_937_152, "runnable"),
                seg(12, 1_706_651_937_152, 1_706_651_969_920, "running"),
                seg(1, 1_706_651_969_920, 1_706_651_971_456, "runnable"),
                seg(1, 1_706_651_971_456, 1_706_651_973_312, "running"),
            ]
        );
        let via = p.segments[3].via.as_ref().unwrap();
        assert_eq!(via.kind, EdgeKind::Unblock);
        assert_eq!(via.target, 1);
        assert_eq!(via.time, 1_706_651_969_920);
        assert_eq!(via.reason, "sync");
        assert_eq!(via.waiting_since, Some(1_706_648_427_904));
        let funcs: Vec<String> = tables
            .stack(via.stack)
            .map(|f| tables.str(f.func).into_owned())
            .collect();
        assert_eq!(
            funcs,
            vec![
                "sync.(*WaitGroup).Add",
                "sync.(*WaitGroup).Done",
                "main.main.func1.1"
            ]
        );
        assert_eq!((p.hops, p.stop), (1, Stop::ReachedStart));
        assert_eq!(a.name(1, &tables), "main.main");
        assert_eq!(a.name(12, &tables), "main.main.func1.1");
    }

    /// critpath.trace (testdata/programs/critpath, go1.27.3): A waits on a
    /// channel B sends on once it got the mutex C held. Read off `gotrace
    /// dump`: G1 creates G21 (main.waiterA), G22 (main.senderB) and G23
    /// (main.holderC, at 11254969650624); G23 runs at 11254969651648 and
    /// unblocks G22 (waiting on "sync" since 11254969732800) at
    /// 11254972653824; G22 runs at 11254972739264 and unblocks G21
    /// (waiting on "chan receive" since 11254969726272) at 11254973240832;
    /// G21 runs at 11254973254464 and exits at 11254973469632.
    #[test]
    fn real_trace_chain_a_waits_on_b_waits_on_c() {
        let (a, tables, err) = from_trace(&trace("go1.27/critpath.trace")).unwrap();
        assert!(err.is_none());
        let id = |name: &str| {
            let hs: Vec<GoId> =
                a.gs.iter()
                    .filter(|h| tables.str(h.name) == name)
                    .map(|h| h.id)
                    .collect();
            assert_eq!(hs.len(), 1, "{name}");
            hs[0]
        };
        let (ga, gb, gc) = (id("main.waiterA"), id("main.senderB"), id("main.holderC"));
        assert_eq!((ga, gb, gc), (21, 22, 23));
        let (first, _) = a.time_range().unwrap();
        let p = a.path(ga, i64::MIN, i64::MAX, &tables).unwrap();
        check_invariants(&p);
        assert_eq!(
            shape(&p),
            vec![
                seg(1, first, 11_254_969_650_624, "running"),
                seg(gc, 11_254_969_650_624, 11_254_969_651_648, "runnable"),
                seg(gc, 11_254_969_651_648, 11_254_972_653_824, "running"),
                seg(gb, 11_254_972_653_824, 11_254_972_739_264, "runnable"),
                seg(gb, 11_254_972_739_264, 11_254_973_240_832, "running"),
                seg(ga, 11_254_973_240_832, 11_254_973_254_464, "runnable"),
                seg(ga, 11_254_973_254_464, 11_254_973_469_632, "running"),
            ]
        );
        let edges: Vec<(EdgeKind, GoId, String, Option<Time>)> = p
            .segments
            .iter()
            .filter_map(|s| s.via.as_ref())
            .map(|e| (e.kind, e.target, e.reason.clone(), e.waiting_since))
            .collect();
        assert_eq!(
            edges,
            vec![
                (EdgeKind::Create, gc, String::new(), None),
                (
                    EdgeKind::Unblock,
                    gb,
                    "sync".into(),
                    Some(11_254_969_732_800)
                ),
                (
                    EdgeKind::Unblock,
                    ga,
                    "chan receive".into(),
                    Some(11_254_969_726_272)
                ),
            ]
        );
        // C's unlock is where B was released.
        let unlock = p.segments[2].via.as_ref().unwrap().stack;
        assert!(tables
            .stack(unlock)
            .any(|f| tables.str(f.func) == "sync.(*Mutex).Unlock"));
        assert_eq!(
            (p.hops, p.end, p.stop),
            (3, 11_254_973_469_632, Stop::ReachedStart)
        );
        assert_eq!(p.goroutines[0].goroutine, gc, "C dominates the path");
        assert_eq!(p.totals.waiting, 0);
    }

    /// Every goroutine of every real trace: whole-trace paths tile, end.
    #[test]
    fn real_traces_paths_are_consistent() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/traces");
        let mut n = 0;
        for dir in std::fs::read_dir(&root).unwrap().flatten() {
            let Ok(files) = std::fs::read_dir(dir.path()) else {
                continue;
            };
            for f in files.flatten() {
                let Ok(data) = std::fs::read(f.path()) else {
                    continue;
                };
                let Ok((a, tables, _)) = from_trace(&data) else {
                    continue;
                };
                for h in &a.gs {
                    let p = a.path_limited(h.id, i64::MIN, i64::MAX, 20_000, &tables);
                    let p = p.expect("known goroutine");
                    check_invariants(&p);
                    n += 1;
                }
            }
        }
        assert!(n > 1000, "{n} paths");
    }

    /// Damaged real traces: whatever events come out, paths stay consistent.
    #[test]
    fn mutated_real_traces_give_consistent_paths() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n.max(1) as u64) as usize
        };
        for name in [
            "go1.27/critpath.trace",
            "go1.27/contention.trace",
            "go1.23/stress.trace",
        ] {
            let original = trace(name);
            for _ in 0..12 {
                let mut data = original.clone();
                for _ in 0..1 + next(4) {
                    let at = 16 + next(data.len().saturating_sub(16));
                    if let Some(b) = data.get_mut(at) {
                        *b ^= 1 << next(8);
                    }
                }
                let Ok((a, tables, _)) = from_trace(&data) else {
                    continue;
                };
                for h in &a.gs {
                    let p = a.path_limited(h.id, i64::MIN, i64::MAX, 5_000, &tables);
                    check_invariants(&p.expect("known goroutine"));
                }
            }
        }
    }
}
