//! The four pprof profiles `go tool trace -pprof=net|sync|syscall|sched`
//! (go1.27.3) derives from a trace, a pprof protobuf encoder, and a
//! function tree for flame graphs.
//!
//! What each profile measures (one sample per interval a goroutine spends
//! in a state, attributed to the stack of the event that put it there):
//! - `net`: Waiting with reason `network`;
//! - `sync`: Waiting with a reason containing `chan`, `sync` or `select`;
//! - `syscall`: Syscall;
//! - `sched`: Runnable (scheduler latency).
//!
//! An interval starts at the transition into the state (a status event at a
//! generation start counts) and ends at the transition out of it; intervals
//! still open at the end of the trace are dropped. Like Go, only the part
//! of an interval inside the goroutine's lifetime counts, where the lifetime
//! runs from the goroutine's first start running (or from 0 if it never
//! ran) to its exit (or the end of the trace): so the scheduling latency of
//! a goroutine's very first start is not counted. Each sample has two
//! values: `contentions` (count) and `delay` (nanoseconds). Stacks equal in
//! their first 128 PCs are merged and cut to 128 frames.
//!
//! Beyond Go: a time window (samples are clipped to it) and any selection
//! of goroutines (by group name, by id) — all four profiles for every
//! selection come from one streaming pass ([`ProfileBuilder`]).

use super::resolve::{at, GoTrans, Resolver, CHANGE, CREATES, TO_RUNNING};
use crate::event::{Event, GoId, Payload, Time};
use crate::intmap::IntMap;
use crate::tables::{StackId, StrId, Tables};
use std::collections::HashMap;
use std::io::Write as _;

/// Go merges stacks by their first this-many PCs and cuts them there.
pub const MAX_STACK: usize = 128;

/// Which profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProfileKind {
    /// Network blocking (`-pprof=net`, the `/io` page).
    Net = 0,
    /// Synchronization blocking (`-pprof=sync`, `/block`).
    Sync = 1,
    /// Syscalls (`-pprof=syscall`, `/syscall`).
    Syscall = 2,
    /// Scheduler latency (`-pprof=sched`, `/sched`).
    Sched = 3,
}

impl ProfileKind {
    pub const ALL: [ProfileKind; 4] = [
        ProfileKind::Net,
        ProfileKind::Sync,
        ProfileKind::Syscall,
        ProfileKind::Sched,
    ];

    /// The `-pprof=` name.
    pub fn name(self) -> &'static str {
        match self {
            ProfileKind::Net => "net",
            ProfileKind::Sync => "sync",
            ProfileKind::Syscall => "syscall",
            ProfileKind::Sched => "sched",
        }
    }

    /// Parses a `-pprof=` name (also accepts the page names io/block).
    pub fn from_name(s: &str) -> Option<ProfileKind> {
        match s {
            "net" | "io" => Some(ProfileKind::Net),
            "sync" | "block" => Some(ProfileKind::Sync),
            "syscall" => Some(ProfileKind::Syscall),
            "sched" => Some(ProfileKind::Sched),
            _ => None,
        }
    }

    /// A human title, as `go tool trace` links it.
    pub fn title(self) -> &'static str {
        match self {
            ProfileKind::Net => "Network wait profile",
            ProfileKind::Sync => "Sync block profile",
            ProfileKind::Syscall => "Syscall profile",
            ProfileKind::Sched => "Scheduler wait profile",
        }
    }
}

/// Whether a wait `reason` counts for the network profile.
pub fn is_net_reason(reason: &[u8]) -> bool {
    reason == b"network"
}

/// Whether a wait `reason` counts for the sync profile.
pub fn is_sync_reason(reason: &[u8]) -> bool {
    let has = |n: &[u8]| reason.windows(n.len()).any(|w| w == n);
    has(b"chan") || has(b"sync") || has(b"select")
}

/// One frame of a profile sample.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProfileFrame {
    pub pc: u64,
    pub func: String,
    pub file: String,
    pub line: u64,
}

/// One sample: how many intervals and how long, at one stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileSample {
    pub count: u64,
    /// Total delay, ns.
    pub delay: i64,
    /// Leaf first.
    pub frames: Vec<ProfileFrame>,
}

/// A computed profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub kind: ProfileKind,
    /// By delay descending, then by stack.
    pub samples: Vec<ProfileSample>,
}

impl Profile {
    /// Total delay of all samples, ns.
    pub fn total_delay(&self) -> i64 {
        self.samples
            .iter()
            .fold(0i64, |a, s| a.saturating_add(s.delay))
    }

    /// Total number of intervals.
    pub fn total_count(&self) -> u64 {
        self.samples
            .iter()
            .fold(0u64, |a, s| a.saturating_add(s.count))
    }

    /// The uncompressed pprof protobuf (`perftools.profiles.Profile`).
    pub fn to_proto(&self) -> Vec<u8> {
        encode_proto(self)
    }

    /// The gzipped pprof file, as `go tool trace -pprof=` writes it.
    pub fn to_pprof(&self) -> Vec<u8> {
        gzip(&encode_proto(self))
    }

    /// The function tree for a flame graph (root = all samples).
    pub fn flame_tree(&self) -> FlameNode {
        flame_tree(self)
    }
}

/// Which goroutines a profile covers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Selection {
    /// All goroutines (`go tool trace -pprof=`).
    #[default]
    All,
    /// Goroutines whose start function is exactly this (a group, `?name=`).
    Group(String),
    /// These goroutines.
    Ids(std::collections::BTreeSet<GoId>),
}

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
                frames: tables
                    .stack(stack)
                    .take(MAX_STACK)
                    .map(|f| ProfileFrame {
                        pc: f.pc,
                        func: tables.str(f.func).into_owned(),
                        file: tables.str(f.file).into_owned(),
                        line: f.line,
                    })
                    .collect(),
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

impl Selection {
    /// The selection `go tool trace`'s `/io?name=NAME` pages use: the group
    /// `NAME`, except that an empty name selects every goroutine (so Go's
    /// link for the unnamed group shows the whole trace's profile).
    pub fn go_group(name: &str) -> Selection {
        if name.is_empty() {
            Selection::All
        } else {
            Selection::Group(name.to_string())
        }
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
    data: &[u8],
    window: Option<(Time, Time)>,
) -> Result<(ProfileSet, Tables, Option<crate::Error>), crate::Error> {
    // First pass: all events, noting where the last Sync was.
    let mut reader = crate::Reader::new(data)?;
    let mut b = ProfileBuilder::with_window(window);
    let mut n = 0usize;
    let mut valid = 0usize;
    let mut error = None;
    while let Some(item) = reader.next_event() {
        match item {
            Ok(ev) => {
                n += 1;
                if matches!(ev.payload, Payload::Sync { .. }) {
                    valid = n;
                }
                b.add(&ev, reader.tables());
            }
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    let Some(e) = error else {
        return Ok((b.finish(), reader.into_tables(), None));
    };
    if valid == 0 {
        return Err(e);
    }
    if valid < n {
        // Second pass: stop profiling at the last Sync.
        let mut reader = crate::Reader::new(data)?;
        let mut b = ProfileBuilder::with_window(window);
        let mut i = 0usize;
        while let Some(Ok(ev)) = reader.next_event() {
            i += 1;
            if i <= valid {
                b.add(&ev, reader.tables());
            } else {
                b.add_summary_only(&ev, reader.tables());
            }
            if i == n {
                break;
            }
        }
        return Ok((b.finish(), reader.into_tables(), Some(e)));
    }
    Ok((b.finish(), reader.into_tables(), Some(e)))
}

/// Computes one profile over a whole trace file (see [`build_from_trace`]).
pub fn profile_of_trace(
    data: &[u8],
    kind: ProfileKind,
    sel: &Selection,
    window: Option<(Time, Time)>,
) -> Result<Profile, crate::Error> {
    let (set, tables, _) = build_from_trace(data, window)?;
    Ok(set.profile(kind, sel, &tables))
}

// ---------------------------------------------------------------------------
// Protobuf encoding (profile.proto), written by hand.

struct Pb(Vec<u8>);

impl Pb {
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }
    fn key(&mut self, field: u32, wire: u8) {
        self.varint((u64::from(field) << 3) | u64::from(wire));
    }
    /// A non-zero integer field (proto3 omits zeros).
    fn int(&mut self, field: u32, v: u64) {
        if v != 0 {
            self.key(field, 0);
            self.varint(v);
        }
    }
    fn bytes(&mut self, field: u32, b: &[u8]) {
        self.key(field, 2);
        self.varint(b.len() as u64);
        self.0.extend_from_slice(b);
    }
    fn packed(&mut self, field: u32, vs: &[u64]) {
        if vs.is_empty() {
            return;
        }
        let mut inner = Pb(Vec::new());
        for &v in vs {
            inner.varint(v);
        }
        self.bytes(field, &inner.0);
    }
}

struct Strings {
    list: Vec<String>,
    index: HashMap<String, u64>,
}

impl Strings {
    fn new() -> Self {
        let mut s = Strings {
            list: Vec::new(),
            index: HashMap::new(),
        };
        s.id("");
        s
    }
    fn id(&mut self, s: &str) -> u64 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.list.len() as u64;
        self.list.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
}

/// Encodes `p` as an uncompressed `perftools.profiles.Profile` message:
/// sample types contentions/count and delay/nanoseconds, period type
/// trace/count, period 1, one location per PC and one function per
/// (file, function) — as Go's `BuildProfile`.
pub fn encode_proto(p: &Profile) -> Vec<u8> {
    let mut strings = Strings::new();
    let mut out = Pb(Vec::new());
    // sample_type = 1
    for (ty, unit) in [("contentions", "count"), ("delay", "nanoseconds")] {
        let mut vt = Pb(Vec::new());
        vt.int(1, strings.id(ty));
        vt.int(2, strings.id(unit));
        out.bytes(1, &vt.0);
    }
    // Locations by PC, functions by file+name, in first-seen order.
    let mut loc_ids: HashMap<u64, u64> = HashMap::new();
    let mut locations: Vec<(u64, &ProfileFrame, u64)> = Vec::new();
    let mut fn_ids: HashMap<(&str, &str), u64> = HashMap::new();
    let mut functions: Vec<&ProfileFrame> = Vec::new();
    let mut sample_locs: Vec<Vec<u64>> = Vec::with_capacity(p.samples.len());
    for s in &p.samples {
        let mut ids = Vec::with_capacity(s.frames.len());
        for f in &s.frames {
            let id = match loc_ids.get(&f.pc) {
                Some(&id) => id,
                None => {
                    let fid = match fn_ids.get(&(f.file.as_str(), f.func.as_str())) {
                        Some(&fid) => fid,
                        None => {
                            functions.push(f);
                            let fid = functions.len() as u64;
                            fn_ids.insert((f.file.as_str(), f.func.as_str()), fid);
                            fid
                        }
                    };
                    locations.push((f.pc, f, fid));
                    let id = locations.len() as u64;
                    loc_ids.insert(f.pc, id);
                    id
                }
            };
            ids.push(id);
        }
        sample_locs.push(ids);
    }
    // sample = 2
    for (s, locs) in p.samples.iter().zip(&sample_locs) {
        let mut m = Pb(Vec::new());
        m.packed(1, locs);
        m.packed(2, &[s.count, s.delay as u64]);
        out.bytes(2, &m.0);
    }
    // location = 4
    for (i, (pc, f, fid)) in locations.iter().enumerate() {
        let mut line = Pb(Vec::new());
        line.int(1, *fid);
        line.int(2, f.line);
        let mut m = Pb(Vec::new());
        m.int(1, i as u64 + 1);
        m.int(3, *pc);
        m.bytes(4, &line.0);
        out.bytes(4, &m.0);
    }
    // function = 5
    for (i, f) in functions.iter().enumerate() {
        let mut m = Pb(Vec::new());
        m.int(1, i as u64 + 1);
        let name = strings.id(&f.func);
        m.int(2, name);
        m.int(3, name);
        m.int(4, strings.id(&f.file));
        out.bytes(5, &m.0);
    }
    let trace = strings.id("trace");
    let count = strings.id("count");
    // string_table = 6
    for s in &strings.list {
        out.bytes(6, s.as_bytes());
    }
    // period_type = 11, period = 12
    let mut vt = Pb(Vec::new());
    vt.int(1, trace);
    vt.int(2, count);
    out.bytes(11, &vt.0);
    out.int(12, 1);
    out.0
}

/// Gzips `data` (pure Rust, works in wasm).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Flame graph tree.

/// A node of the function tree: a call path from the root, merged by
/// function name. Values are in the profile's units (ns, and intervals).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlameNode {
    /// Function name ("" for the root).
    pub name: String,
    /// Delay of samples whose leaf is this node, ns.
    pub self_value: i64,
    /// Delay of all samples through this node, ns.
    pub total_value: i64,
    pub self_count: u64,
    pub total_count: u64,
    /// By total descending, then name.
    pub children: Vec<FlameNode>,
}

/// Builds the function tree of `p`, root first: each sample's frames from
/// the outermost caller down to the leaf.
pub fn flame_tree(p: &Profile) -> FlameNode {
    let mut root = FlameNode::default();
    for s in &p.samples {
        root.total_value = root.total_value.saturating_add(s.delay);
        root.total_count = root.total_count.saturating_add(s.count);
        let mut node = &mut root;
        for f in s.frames.iter().rev() {
            let i = match node.children.iter().position(|c| c.name == f.func) {
                Some(i) => i,
                None => {
                    node.children.push(FlameNode {
                        name: f.func.clone(),
                        ..FlameNode::default()
                    });
                    node.children.len() - 1
                }
            };
            let Some(child) = node.children.get_mut(i) else {
                break;
            };
            node = child;
            node.total_value = node.total_value.saturating_add(s.delay);
            node.total_count = node.total_count.saturating_add(s.count);
        }
        node.self_value = node.self_value.saturating_add(s.delay);
        node.self_count = node.self_count.saturating_add(s.count);
    }
    sort_tree(&mut root);
    root
}

fn sort_tree(n: &mut FlameNode) {
    n.children.sort_by(|a, b| {
        b.total_value
            .cmp(&a.total_value)
            .then_with(|| a.name.cmp(&b.name))
    });
    for c in &mut n.children {
        sort_tree(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::GoState::{self, *};
    use crate::event::{StateTransition, Transition, NO_GOROUTINE, NO_THREAD};
    use crate::tables::Frame;

    struct B {
        t: Tables,
        evs: Vec<Event>,
    }

    impl B {
        fn new() -> Self {
            B {
                t: Tables::new(),
                evs: Vec::new(),
            }
        }
        fn stack(&mut self, frames: &[(&str, u64)]) -> StackId {
            let mut ids = Vec::new();
            for (f, pc) in frames {
                let func = self.t.intern_str(f);
                let file = self.t.intern_str("a.go");
                ids.push(self.t.intern_frame(Frame {
                    pc: *pc,
                    func,
                    file,
                    line: *pc % 100,
                }));
            }
            self.t.intern_stack(&ids)
        }
        #[allow(clippy::too_many_arguments)]
        fn go(
            &mut self,
            time: Time,
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
                p: 0,
                g: NO_GOROUTINE,
                stack: ev_stack,
                wire_type: 0,
                payload: Payload::StateTransition(StateTransition {
                    transition: Transition::Goroutine { id, old, new },
                    reason,
                    stack: st_stack,
                }),
            });
        }
        fn set(&self, window: Option<(Time, Time)>) -> ProfileSet {
            let mut b = ProfileBuilder::with_window(window);
            for e in &self.evs {
                b.add(e, &self.t);
            }
            b.finish()
        }
    }

    fn sample() -> (B, StackId, StackId) {
        let mut b = B::new();
        let start = b.stack(&[("main.w", 0x10), ("runtime.goexit", 0x20)]);
        let recv = b.stack(&[
            ("main.recv", 0x30),
            ("main.w", 0x11),
            ("runtime.goexit", 0x20),
        ]);
        let unblock = b.stack(&[("main.send", 0x40), ("main.main", 0x50)]);
        let main = b.stack(&[("main.main", 0x51)]);
        b.go(100, 2, Undetermined, Running, "", StackId::NONE, main);
        // g5 created at 110 (runnable), first runs at 150: not counted.
        b.go(110, 5, NotExist, Runnable, "", main, start);
        b.go(150, 5, Runnable, Running, "", StackId::NONE, StackId::NONE);
        // g5 blocks on chan 160..200, then waits to run 200..230.
        b.go(160, 5, Running, Waiting, "chan receive", recv, recv);
        b.go(200, 5, Waiting, Runnable, "", unblock, StackId::NONE);
        b.go(230, 5, Runnable, Running, "", StackId::NONE, StackId::NONE);
        // And again 240..260 on network.
        b.go(240, 5, Running, Waiting, "network", recv, recv);
        b.go(260, 5, Waiting, Runnable, "", unblock, StackId::NONE);
        b.go(265, 5, Runnable, Running, "", StackId::NONE, StackId::NONE);
        // g9 created and never runs: its open Runnable is dropped.
        b.go(270, 9, NotExist, Runnable, "", main, start);
        (b, recv, unblock)
    }

    #[test]
    fn profiles_follow_go_rules() {
        let (b, recv, unblock) = sample();
        let set = b.set(None);
        let sync = set.profile(ProfileKind::Sync, &Selection::All, &b.t);
        assert_eq!(sync.samples.len(), 1);
        assert_eq!((sync.samples[0].count, sync.samples[0].delay), (1, 40));
        let pcs: Vec<u64> = sync.samples[0].frames.iter().map(|f| f.pc).collect();
        assert_eq!(pcs, b.t.stack(recv).map(|f| f.pc).collect::<Vec<_>>());
        let net = set.profile(ProfileKind::Net, &Selection::All, &b.t);
        assert_eq!(net.total_delay(), 20);
        let sched = set.profile(ProfileKind::Sched, &Selection::All, &b.t);
        assert_eq!(sched.samples.len(), 1);
        assert_eq!((sched.samples[0].count, sched.samples[0].delay), (2, 35));
        assert_eq!(
            sched.samples[0].frames[0].pc,
            b.t.stack(unblock).next().unwrap().pc
        );
        assert!(set
            .profile(ProfileKind::Syscall, &Selection::All, &b.t)
            .samples
            .is_empty());
        // Groups.
        let g = set.profile(
            ProfileKind::Sched,
            &Selection::Group("runtime.goexit".into()),
            &b.t,
        );
        assert_eq!(g.total_delay(), 35);
        let g = set.profile(
            ProfileKind::Sched,
            &Selection::Group("main.main".into()),
            &b.t,
        );
        assert!(g.samples.is_empty());
        assert!(set.matches_any(&Selection::Group("main.main".into()), &b.t));
        assert!(!set.matches_any(&Selection::Group("zzz".into()), &b.t));
        let ids = Selection::Ids([5].into_iter().collect());
        assert_eq!(set.profile(ProfileKind::Net, &ids, &b.t).total_delay(), 20);
    }

    #[test]
    fn never_running_goroutine_counts_from_zero() {
        let mut b = B::new();
        let s = b.stack(&[("main.x", 0x10)]);
        b.go(10, 4, NotExist, Runnable, "", s, s);
        b.go(20, 4, Runnable, Waiting, "select", s, s);
        b.go(50, 4, Waiting, NotExist, "", s, s);
        let set = b.set(None);
        assert_eq!(
            set.profile(ProfileKind::Sched, &Selection::All, &b.t)
                .total_delay(),
            10
        );
        assert_eq!(
            set.profile(ProfileKind::Sync, &Selection::All, &b.t)
                .total_delay(),
            30
        );
    }

    /// A goroutine id that comes back to life (cgo callbacks): Go measures
    /// all its samples against the last incarnation's lifetime.
    #[test]
    fn reused_goroutine_ids() {
        let build = |last_runs: bool| {
            let mut b = B::new();
            let s = b.stack(&[("main.cb", 0x10)]);
            b.go(10, 8, NotExist, Syscall, "", s, s);
            b.go(20, 8, Syscall, Running, "", s, s);
            b.go(30, 8, Running, Syscall, "", s, s);
            b.go(40, 8, Syscall, NotExist, "", s, s);
            b.go(50, 8, NotExist, Syscall, "", s, s);
            b.go(
                55,
                8,
                Syscall,
                if last_runs { Running } else { NotExist },
                "",
                s,
                s,
            );
            let set = b.set(None);
            set.profile(ProfileKind::Syscall, &Selection::All, &b.t)
        };
        // The last incarnation ran at 55: everything before is outside.
        assert_eq!(build(true).total_delay(), 0);
        // It never ran: its lifetime is [0, exit], all three intervals count.
        let p = build(false);
        assert_eq!((p.total_count(), p.total_delay()), (3, 25));
    }

    #[test]
    fn damaged_input_never_panics() {
        assert!(build_from_trace(b"", None).is_err());
        let _ = build_from_trace(b"go 1.23 trace\x00\x00\x00\xff\xff", None);
    }

    #[test]
    fn window_clips_samples() {
        let (b, _, _) = sample();
        let set = b.set(Some((170, 250)));
        assert_eq!(
            set.profile(ProfileKind::Sync, &Selection::All, &b.t)
                .total_delay(),
            30
        );
        assert_eq!(
            set.profile(ProfileKind::Net, &Selection::All, &b.t)
                .total_delay(),
            10
        );
        assert_eq!(
            set.profile(ProfileKind::Sched, &Selection::All, &b.t)
                .total_delay(),
            30
        );
    }

    #[test]
    fn reasons() {
        assert!(is_sync_reason(b"chan send"));
        assert!(is_sync_reason(b"sync.(*Cond).Wait"));
        assert!(is_sync_reason(b"select no cases"));
        assert!(!is_sync_reason(b"sleep"));
        assert!(is_net_reason(b"network"));
        assert!(!is_net_reason(b"network "));
    }

    /// Minimal protobuf reader for the encoder test.
    fn fields(mut b: &[u8]) -> Vec<(u32, u64, Vec<u8>)> {
        fn varint(b: &mut &[u8]) -> u64 {
            let mut v = 0u64;
            let mut s = 0;
            while let Some((&x, rest)) = b.split_first() {
                *b = rest;
                v |= u64::from(x & 0x7f) << s;
                s += 7;
                if x < 0x80 {
                    break;
                }
            }
            v
        }
        let mut out = Vec::new();
        while !b.is_empty() {
            let k = varint(&mut b);
            match k & 7 {
                0 => out.push(((k >> 3) as u32, varint(&mut b), Vec::new())),
                2 => {
                    let n = varint(&mut b) as usize;
                    let (x, rest) = b.split_at(n);
                    out.push(((k >> 3) as u32, 0, x.to_vec()));
                    b = rest;
                }
                _ => panic!("wire type"),
            }
        }
        out
    }

    #[test]
    fn proto_layout() {
        let (b, _, _) = sample();
        let set = b.set(None);
        let p = set.profile(ProfileKind::Sched, &Selection::All, &b.t);
        let raw = p.to_proto();
        let f = fields(&raw);
        let strings: Vec<String> = f
            .iter()
            .filter(|x| x.0 == 6)
            .map(|x| String::from_utf8(x.2.clone()).unwrap())
            .collect();
        assert_eq!(strings[0], "");
        assert!(strings.contains(&"contentions".to_string()));
        assert!(strings.contains(&"main.send".to_string()));
        let samples: Vec<_> = f.iter().filter(|x| x.0 == 2).collect();
        assert_eq!(samples.len(), 1);
        let sf = fields(&samples[0].2);
        // packed values: count 2, delay 35
        let vals = sf.iter().find(|x| x.0 == 2).unwrap();
        assert_eq!(vals.2, vec![2, 35]);
        assert_eq!(f.iter().filter(|x| x.0 == 4).count(), 2);
        assert_eq!(f.iter().filter(|x| x.0 == 5).count(), 2);
        assert!(f.iter().any(|x| x.0 == 12 && x.1 == 1));
        // gzip round trip.
        let gz = p.to_pprof();
        let mut d = flate2::read::GzDecoder::new(&gz[..]);
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut d, &mut back).unwrap();
        assert_eq!(back, raw);
    }

    #[test]
    fn flame() {
        let p = Profile {
            kind: ProfileKind::Sync,
            samples: vec![
                ProfileSample {
                    count: 1,
                    delay: 10,
                    frames: vec![
                        ProfileFrame {
                            pc: 1,
                            func: "a".into(),
                            file: String::new(),
                            line: 0,
                        },
                        ProfileFrame {
                            pc: 2,
                            func: "main".into(),
                            file: String::new(),
                            line: 0,
                        },
                    ],
                },
                ProfileSample {
                    count: 2,
                    delay: 5,
                    frames: vec![ProfileFrame {
                        pc: 3,
                        func: "main".into(),
                        file: String::new(),
                        line: 0,
                    }],
                },
            ],
        };
        let t = p.flame_tree();
        assert_eq!(t.total_value, 15);
        assert_eq!(t.children.len(), 1);
        let m = &t.children[0];
        assert_eq!(
            (m.name.as_str(), m.total_value, m.self_value, m.self_count),
            ("main", 15, 5, 2)
        );
        assert_eq!(m.children[0].name, "a");
        assert_eq!(m.children[0].self_value, 10);
    }
}
