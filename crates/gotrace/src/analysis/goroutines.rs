//! Goroutine analysis: per-goroutine time breakdowns and groups by start
//! function, with the numbers `go tool trace` (go1.27.3) shows on its
//! `/goroutines` and `/goroutine?name=` pages.
//!
//! The rules (the same as Go's trace summarizer):
//! - A goroutine's summary starts when it is created (`NotExist` → …, at the
//!   event's time) or first seen (`Undetermined` → …, back-dated to the last
//!   `Sync`; the time since that `Sync` is credited to the state it was
//!   found in).
//! - Its name is the function of the root frame of the first transition
//!   stack that has frames (for a created goroutine: its start function).
//! - Time is split, without overlap, into execution (Running), scheduler
//!   wait (Runnable), block time per wait reason (Waiting), syscall execution
//!   (Syscall while holding a P) and syscall block (Syscall after its P was
//!   taken away — noticed as the P going idle). Whatever is left of the
//!   goroutine's total time is "unknown".
//! - A wait with reason `forever` ends the goroutine like an exit does.
//! - Range times (GC mark assist, stop-the-world, GC sweep on the goroutine's
//!   P) are added separately and may overlap the breakdown.
//! - At the end of the trace, states still open are closed at the last
//!   event; an open "syscall block" is then counted as scheduler wait, and an
//!   open syscall counts whole as syscall execution, as Go does.
//!
//! Beyond Go: the analysis can be restricted to a time window (every
//! interval is clipped to it) and to a set of goroutines, groups carry
//! p50/p90/p99/max per column, and [`GoroutineFilter`] selects goroutines.
//!
//! Everything is computed in one streaming pass: feed each event to
//! [`GoroutineAnalysis::add`], then call [`GoroutineAnalysis::finish`].

use super::resolve::{at, GoSlots, GoTrans, Resolver, CHANGE, ENDS, SIMPLE};
use crate::event::{
    Event, GoId, GoState, Payload, ProcId, ProcState, RangeName, Resource, Time, Transition,
};
/// Go duration formatting and parsing, at its old path.
pub use crate::godur::{go_duration, parse_go_duration};
use crate::intmap::{IdHasher, IntMap};
use crate::tables::{StrId, Tables};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::BuildHasherDefault;

/// What to restrict an analysis to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnalysisOptions {
    /// Only count time inside `[start, end)` (trace clock, ns); goroutines
    /// that do not exist in it are left out.
    pub window: Option<(Time, Time)>,
    /// Only report these goroutines.
    pub goroutines: Option<HashSet<GoId>>,
}

/// The time statistics of one goroutine (Go's `GoroutineExecStats`), in ns.
///
/// `exec_time`, `sched_wait_time`, the block times, `syscall_time` and
/// `syscall_block_time` do not overlap; `total_time` is the goroutine's
/// presence in the trace (or the window); `range_time` may overlap the rest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecStats {
    pub exec_time: i64,
    pub sched_wait_time: i64,
    /// Block time per wait reason, sorted by reason.
    pub block_time_by_reason: Vec<(String, i64)>,
    pub syscall_time: i64,
    pub syscall_block_time: i64,
    pub total_time: i64,
    /// Time in special ranges ("GC mark assist", "stop-the-world (…)",
    /// "GC incremental sweep"), sorted by name.
    pub range_time: Vec<(String, i64)>,
}

/// Column names of the non-overlapping breakdown, as `go tool trace` labels them.
pub const EXECUTION_TIME: &str = "Execution time";
pub const SCHED_WAIT_TIME: &str = "Sched wait time";
pub const SYSCALL_EXECUTION_TIME: &str = "Syscall execution time";
pub const SYSCALL_BLOCK_TIME: &str = "Block time (syscall)";
pub const UNKNOWN_TIME: &str = "Unknown time";
/// Name of the total-time column.
pub const TOTAL_TIME: &str = "Total time";

impl ExecStats {
    /// The part of `total_time` no other (non-overlapping) stat accounts for.
    pub fn unknown_time(&self) -> i64 {
        let sum = self.block_time_by_reason.iter().fold(
            self.exec_time
                .saturating_add(self.sched_wait_time)
                .saturating_add(self.syscall_time)
                .saturating_add(self.syscall_block_time),
            |acc, (_, d)| acc.saturating_add(*d),
        );
        if sum < self.total_time {
            self.total_time.saturating_sub(sum)
        } else {
            0
        }
    }

    /// The non-overlapping stats by column name (Go's `NonOverlappingStats`):
    /// the five fixed columns plus `Block time (<reason>)` per reason.
    pub fn non_overlapping(&self) -> BTreeMap<String, i64> {
        let mut m = BTreeMap::new();
        m.insert(EXECUTION_TIME.to_string(), self.exec_time);
        m.insert(SCHED_WAIT_TIME.to_string(), self.sched_wait_time);
        m.insert(SYSCALL_EXECUTION_TIME.to_string(), self.syscall_time);
        m.insert(SYSCALL_BLOCK_TIME.to_string(), self.syscall_block_time);
        m.insert(UNKNOWN_TIME.to_string(), self.unknown_time());
        for (reason, d) in &self.block_time_by_reason {
            let e = m.entry(format!("Block time ({reason})")).or_insert(0);
            *e = e.saturating_add(*d);
        }
        m
    }

    /// Block time summed over all reasons.
    pub fn block_time(&self) -> i64 {
        self.block_time_by_reason
            .iter()
            .fold(0i64, |a, (_, d)| a.saturating_add(*d))
    }

    /// Time in the named range (0 if none).
    pub fn range(&self, name: &str) -> i64 {
        self.range_time
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, d)| *d)
    }
}

/// One goroutine's summary (Go's `GoroutineSummary`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoroutineSummary {
    pub id: GoId,
    /// Start function (root frame of its first stack); "" when no stack was seen.
    pub name: String,
    /// PC of that root frame (0 when none).
    pub pc: u64,
    /// When it was created, or the `Sync` before it was first seen.
    pub creation_time: Time,
    /// When it first started running.
    pub start_time: Option<Time>,
    /// When it exited (or blocked forever).
    pub end_time: Option<Time>,
    /// Its last known state (`NotExist` once it exited).
    pub state: GoState,
    pub stats: ExecStats,
}

/// Which goroutines to keep (all set conditions must hold).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoroutineFilter {
    /// Start function contains this substring.
    pub name_contains: Option<String>,
    /// Exactly this goroutine.
    pub id: Option<GoId>,
    /// Last known state is this one (`NotExist`: exited).
    pub state: Option<GoState>,
    /// Total time at least this many ns.
    pub min_total: Option<i64>,
}

impl GoroutineFilter {
    pub fn matches(&self, g: &GoroutineSummary) -> bool {
        self.name_contains
            .as_ref()
            .is_none_or(|s| g.name.contains(s.as_str()))
            && self.id.is_none_or(|id| g.id == id)
            && self.state.is_none_or(|s| g.state == s)
            && self.min_total.is_none_or(|m| g.stats.total_time >= m)
    }
}

/// A group of goroutines with the same start function (a `/goroutines` row).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GoroutineGroup {
    pub name: String,
    pub count: usize,
    /// Summed execution time, ns.
    #[cfg_attr(feature = "serde", serde(rename = "exec_time_ns"))]
    pub exec_time: i64,
}

/// One goroutine's row in a group's breakdown.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GroupRow {
    pub id: GoId,
    #[cfg_attr(feature = "serde", serde(rename = "total_ns"))]
    pub total_time: i64,
    /// Values of [`GroupDetail::columns`], same order.
    #[cfg_attr(feature = "serde", serde(rename = "values_ns"))]
    pub values: Vec<i64>,
    /// Values of [`GroupDetail::range_columns`], same order.
    #[cfg_attr(feature = "serde", serde(rename = "ranges_ns"))]
    pub ranges: Vec<i64>,
    /// Whether any range time is non-zero (Go lists only these in "Special ranges").
    #[cfg_attr(feature = "serde", serde(skip))]
    pub has_range_time: bool,
}

/// Order statistics of one column over a group.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ColumnStats {
    pub column: String,
    #[cfg_attr(feature = "serde", serde(rename = "p50_ns"))]
    pub p50: i64,
    #[cfg_attr(feature = "serde", serde(rename = "p90_ns"))]
    pub p90: i64,
    #[cfg_attr(feature = "serde", serde(rename = "p99_ns"))]
    pub p99: i64,
    #[cfg_attr(feature = "serde", serde(rename = "max_ns"))]
    pub max: i64,
    #[cfg_attr(feature = "serde", serde(rename = "sum_ns"))]
    pub sum: i64,
}

/// A group's page (`/goroutine?name=`): the breakdown table and more.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GroupDetail {
    pub name: String,
    pub count: usize,
    #[cfg_attr(feature = "serde", serde(rename = "exec_time_ns"))]
    pub exec_time: i64,
    /// Share of all goroutines' execution time, in percent (None when that is 0).
    pub exec_time_percent: Option<f64>,
    /// Largest total time in the group.
    #[cfg_attr(feature = "serde", serde(rename = "max_total_ns"))]
    pub max_total: i64,
    /// Non-overlapping columns, "Execution time" first then by name (as Go).
    pub columns: Vec<String>,
    /// Range columns, by name.
    pub range_columns: Vec<String>,
    /// Rows, by total time descending (ties by id).
    #[cfg_attr(feature = "serde", serde(rename = "goroutines"))]
    pub rows: Vec<GroupRow>,
    /// "Total time", then every column, then every range column.
    pub percentiles: Vec<ColumnStats>,
}

impl GroupDetail {
    /// Re-sorts the rows by a column (descending), as Go's `sortby`; an
    /// unknown column sorts by total time.
    pub fn sort_by(&mut self, column: &str) {
        match self.columns.iter().position(|c| c == column) {
            Some(i) => self.rows.sort_by(|a, b| {
                let va = a.values.get(i).copied().unwrap_or(0);
                let vb = b.values.get(i).copied().unwrap_or(0);
                vb.cmp(&va).then(a.id.cmp(&b.id))
            }),
            None => self
                .rows
                .sort_by(|a, b| b.total_time.cmp(&a.total_time).then(a.id.cmp(&b.id))),
        }
    }
}

/// The result of a goroutine analysis.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoroutineReport {
    /// By goroutine id.
    pub goroutines: Vec<GoroutineSummary>,
    /// Time of the first and the last event.
    pub first_time: Time,
    pub last_time: Time,
    pub window: Option<(Time, Time)>,
}

impl GoroutineReport {
    /// The goroutine with this id.
    pub fn get(&self, id: GoId) -> Option<&GoroutineSummary> {
        self.goroutines
            .binary_search_by_key(&id, |g| g.id)
            .ok()
            .and_then(|i| self.goroutines.get(i))
    }

    /// Execution time of all goroutines.
    pub fn total_exec_time(&self) -> i64 {
        self.goroutines
            .iter()
            .fold(0i64, |a, g| a.saturating_add(g.stats.exec_time))
    }

    /// A report with only the goroutines `f` keeps.
    pub fn filtered(&self, f: &GoroutineFilter) -> GoroutineReport {
        GoroutineReport {
            goroutines: self
                .goroutines
                .iter()
                .filter(|g| f.matches(g))
                .cloned()
                .collect(),
            first_time: self.first_time,
            last_time: self.last_time,
            window: self.window,
        }
    }

    /// Groups by start function, by execution time descending (ties by name).
    pub fn groups(&self) -> Vec<GoroutineGroup> {
        let mut by_name: BTreeMap<&str, GoroutineGroup> = BTreeMap::new();
        for g in &self.goroutines {
            let e = by_name
                .entry(g.name.as_str())
                .or_insert_with(|| GoroutineGroup {
                    name: g.name.clone(),
                    count: 0,
                    exec_time: 0,
                });
            e.count += 1;
            e.exec_time = e.exec_time.saturating_add(g.stats.exec_time);
        }
        let mut v: Vec<GoroutineGroup> = by_name.into_values().collect();
        v.sort_by(|a, b| b.exec_time.cmp(&a.exec_time).then(a.name.cmp(&b.name)));
        v
    }

    /// The goroutines of the group `name`, by id.
    pub fn group_members(&self, name: &str) -> Vec<&GoroutineSummary> {
        self.goroutines.iter().filter(|g| g.name == name).collect()
    }

    /// The page of group `name`; `None` if no goroutine has that name.
    pub fn group(&self, name: &str) -> Option<GroupDetail> {
        let members = self.group_members(name);
        if members.is_empty() {
            return None;
        }
        let all_exec = self.total_exec_time();
        let mut exec_time = 0i64;
        let mut max_total = 0i64;
        let mut cols: BTreeSet<String> = BTreeSet::new();
        let mut range_cols: BTreeSet<String> = BTreeSet::new();
        let mut maps = Vec::with_capacity(members.len());
        for g in &members {
            exec_time = exec_time.saturating_add(g.stats.exec_time);
            max_total = max_total.max(g.stats.total_time);
            let m = g.stats.non_overlapping();
            cols.extend(m.keys().cloned());
            range_cols.extend(g.stats.range_time.iter().map(|(n, _)| n.clone()));
            maps.push(m);
        }
        let mut columns: Vec<String> = cols.into_iter().collect();
        // "Execution time" first, the rest by name (BTreeSet order = Go's cmp.Compare).
        if let Some(i) = columns.iter().position(|c| c == EXECUTION_TIME) {
            let c = columns.remove(i);
            columns.insert(0, c);
        }
        let range_columns: Vec<String> = range_cols.into_iter().collect();
        let mut rows: Vec<GroupRow> = members
            .iter()
            .zip(&maps)
            .map(|(g, m)| {
                let ranges: Vec<i64> = range_columns.iter().map(|c| g.stats.range(c)).collect();
                let total_range = g
                    .stats
                    .range_time
                    .iter()
                    .fold(0i64, |a, (_, d)| a.saturating_add(*d));
                GroupRow {
                    id: g.id,
                    total_time: g.stats.total_time,
                    values: columns
                        .iter()
                        .map(|c| m.get(c).copied().unwrap_or(0))
                        .collect(),
                    ranges,
                    has_range_time: total_range != 0,
                }
            })
            .collect();
        rows.sort_by(|a, b| b.total_time.cmp(&a.total_time).then(a.id.cmp(&b.id)));
        let mut percentiles = Vec::with_capacity(columns.len() + range_columns.len() + 1);
        percentiles.push(column_stats(
            TOTAL_TIME,
            rows.iter().map(|r| r.total_time).collect(),
        ));
        for (i, c) in columns.iter().enumerate() {
            percentiles.push(column_stats(
                c,
                rows.iter()
                    .map(|r| r.values.get(i).copied().unwrap_or(0))
                    .collect(),
            ));
        }
        for (i, c) in range_columns.iter().enumerate() {
            percentiles.push(column_stats(
                c,
                rows.iter()
                    .map(|r| r.ranges.get(i).copied().unwrap_or(0))
                    .collect(),
            ));
        }
        Some(GroupDetail {
            name: name.to_string(),
            count: members.len(),
            exec_time,
            exec_time_percent: (all_exec > 0).then(|| exec_time as f64 / all_exec as f64 * 100.0),
            max_total,
            columns,
            range_columns,
            rows,
            percentiles,
        })
    }
}

/// Nearest-rank percentile `p` (0..=100) of ascending `sorted` (0 when empty).
pub fn percentile(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let n = sorted.len();
    let rank = ((p / 100.0) * n as f64).ceil() as usize;
    let i = rank.clamp(1, n) - 1;
    sorted.get(i).copied().unwrap_or(0)
}

fn column_stats(name: &str, mut v: Vec<i64>) -> ColumnStats {
    v.sort_unstable();
    ColumnStats {
        column: name.to_string(),
        p50: percentile(&v, 50.0),
        p90: percentile(&v, 90.0),
        p99: percentile(&v, 99.0),
        max: v.last().copied().unwrap_or(0),
        sum: v.iter().fold(0i64, |a, d| a.saturating_add(*d)),
    }
}

/// Per-goroutine state while the events stream by.
#[derive(Clone, Debug)]
struct GoAcc {
    id: GoId,
    name: StrId,
    pc: u64,
    creation: Time,
    start: Option<Time>,
    end: Option<Time>,
    state: GoState,
    exec: i64,
    sched: i64,
    syscall: i64,
    syscall_block: i64,
    total: i64,
    total_set: bool,
    block: Vec<(StrId, i64)>,
    ranges: Vec<(RangeName, i64)>,
    // Pending intervals: since when the goroutine is in each state.
    running_since: Option<Time>,
    runnable_since: Option<Time>,
    blocked_since: Option<(Time, StrId)>,
    syscall_since: Option<Time>,
    syscall_blocked_since: Option<Time>,
    open_ranges: Vec<(RangeName, Time)>,
}

impl GoAcc {
    fn new(id: GoId, creation: Time) -> Self {
        GoAcc {
            id,
            name: StrId::EMPTY,
            pc: 0,
            creation,
            start: None,
            end: None,
            state: GoState::Undetermined,
            exec: 0,
            sched: 0,
            syscall: 0,
            syscall_block: 0,
            total: 0,
            total_set: false,
            block: Vec::new(),
            ranges: Vec::new(),
            running_since: None,
            runnable_since: None,
            blocked_since: None,
            syscall_since: None,
            syscall_blocked_since: None,
            open_ranges: Vec::new(),
        }
    }

    fn add_block(&mut self, reason: StrId, d: i64) {
        match self.block.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, v)) => *v = v.saturating_add(d),
            None => self.block.push((reason, d)),
        }
    }

    fn add_range(&mut self, name: RangeName, d: i64) {
        match self.ranges.iter_mut().find(|(r, _)| *r == name) {
            Some((_, v)) => *v = v.saturating_add(d),
            None => self.ranges.push((name, d)),
        }
    }

    fn open_range(&self, name: RangeName) -> Option<Time> {
        self.open_ranges
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
    }

    fn set_open_range(&mut self, name: RangeName, t: Time) {
        match self.open_ranges.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => *v = t,
            None => self.open_ranges.push((name, t)),
        }
    }

    fn take_open_range(&mut self, name: RangeName) -> Option<Time> {
        let i = self.open_ranges.iter().position(|(n, _)| *n == name)?;
        Some(self.open_ranges.swap_remove(i).1)
    }

    /// A [`SIMPLE`] transition (among running, runnable and waiting): what
    /// `goroutine_transition` does for one, with nothing else to look up.
    #[inline(always)]
    fn simple(&mut self, window: Option<(Time, Time)>, t: Time, tr: &GoTrans) {
        match tr.old {
            GoState::Running => {
                if let Some(s) = self.running_since.take() {
                    self.exec = self.exec.saturating_add(span(window, s, t));
                }
            }
            GoState::Waiting => {
                if let Some((s, r)) = self.blocked_since.take() {
                    self.add_block(r, span(window, s, t));
                }
            }
            _ => {
                if let Some(s) = self.runnable_since.take() {
                    self.sched = self.sched.saturating_add(span(window, s, t));
                }
            }
        }
        self.state = tr.new;
        if self.name == StrId::EMPTY {
            if let Some((pc, func)) = tr.root {
                self.pc = pc;
                self.name = func;
            }
        }
        match tr.new {
            GoState::Running => {
                self.running_since = Some(t);
                if self.start.is_none() {
                    self.start = Some(t);
                }
            }
            GoState::Waiting => self.blocked_since = Some((t, tr.reason)),
            _ => self.runnable_since = Some(t),
        }
    }
}

/// Clips `[t0, t1)` to the window, or gives `t1 - t0` without one.
#[inline]
fn span(window: Option<(Time, Time)>, t0: Time, t1: Time) -> i64 {
    match window {
        None => t1.saturating_sub(t0),
        Some((ws, we)) => t1.min(we).saturating_sub(t0.max(ws)).max(0),
    }
}

/// The streaming goroutine analysis.
#[derive(Clone, Debug, Default)]
pub struct GoroutineAnalysis {
    /// Resolves ids for [`Self::add`] (the fused pass brings its own).
    res: Resolver,
    pub(crate) core: GoroutineCore,
}

/// The analysis proper, over goroutine slots (see `analysis::resolve`).
#[derive(Clone, Debug, Default)]
pub(crate) struct GoroutineCore {
    opts: AnalysisOptions,
    /// By slot: goroutines created or first seen.
    gs: Vec<Option<GoAcc>>,
    /// P → (slot of the) goroutine in a syscall on it; slot → its P.
    syscalling_p: IntMap<ProcId, u32>,
    syscalling_g: IntMap<u32, ProcId>,
    /// (P, range) → slot of the goroutine that was running when the range began.
    ranges_p: HashMap<(ProcId, RangeName), u32, BuildHasherDefault<IdHasher>>,
    first_time: Option<Time>,
    last_ts: Time,
    sync_ts: Option<Time>,
}

impl GoroutineAnalysis {
    /// A whole-trace analysis.
    pub fn new() -> Self {
        Self::default()
    }

    /// An analysis restricted as `opts` says.
    pub fn with_options(opts: AnalysisOptions) -> Self {
        GoroutineAnalysis {
            res: Resolver::default(),
            core: GoroutineCore {
                opts,
                ..GoroutineCore::default()
            },
        }
    }

    /// Accounts for one event (in trace order).
    pub fn add(&mut self, ev: &Event, tables: &Tables) {
        let c = &mut self.core;
        c.time(ev.time);
        match self.res.go_trans(ev, tables) {
            Some(tr) => c.go(ev.time, ev.p, &tr),
            None => c.other(ev, &mut self.res.slots),
        }
    }

    /// Closes what is still open at the last event and returns the report.
    pub fn finish(self, tables: &Tables) -> GoroutineReport {
        self.core.finish(tables)
    }
}

impl GoroutineCore {
    fn get(&mut self, slot: u32) -> Option<&mut GoAcc> {
        self.gs.get_mut(slot as usize).and_then(Option::as_mut)
    }

    /// Every event, first: the trace's first and last time.
    #[inline]
    pub(crate) fn time(&mut self, t: Time) {
        if self.first_time.is_none() {
            self.first_time = Some(t);
        }
        if self.sync_ts.is_none() {
            self.sync_ts = Some(t);
        }
        self.last_ts = t;
    }

    /// Any event but a goroutine transition.
    pub(crate) fn other(&mut self, ev: &Event, slots: &mut GoSlots) {
        match ev.payload {
            Payload::Sync { .. } => self.sync_ts = Some(ev.time),
            Payload::StateTransition(st) => {
                if let Transition::Proc { id, old, new } = st.transition {
                    self.proc(ev.time, id, old, new);
                }
            }
            Payload::RangeBegin { .. } | Payload::RangeActive { .. } | Payload::RangeEnd { .. } => {
                self.range(ev, slots)
            }
            _ => {}
        }
    }

    /// A P state transition.
    fn proc(&mut self, t: Time, id: ProcId, old: ProcState, new: ProcState) {
        if old != new && new == ProcState::Idle {
            if let Some(slot) = self.syscalling_p.remove(&id) {
                if let Some(g) = self.get(slot) {
                    g.syscall_blocked_since = Some(t);
                }
            }
        }
    }

    /// A range begin, active or end event.
    fn range(&mut self, ev: &Event, slots: &mut GoSlots) {
        let t = ev.time;
        match ev.payload {
            Payload::RangeBegin { name, scope } | Payload::RangeActive { name, scope } => {
                let active = matches!(ev.payload, Payload::RangeActive { .. });
                let slot = match scope {
                    Resource::Goroutine(g) => slots.slot(g),
                    Resource::Proc(p) => {
                        let s = slots.slot(ev.g);
                        if self.get(s).is_some() {
                            self.ranges_p.insert((p, name), s);
                        }
                        s
                    }
                    _ => return,
                };
                let window = self.opts.window;
                let sync_ts = self.sync_ts.unwrap_or(t);
                let Some(g) = self.get(slot) else {
                    return;
                };
                if active {
                    if let Some(ts) = g.open_range(name) {
                        g.add_range(name, span(window, ts, sync_ts));
                    }
                    g.set_open_range(name, sync_ts);
                } else {
                    g.set_open_range(name, t);
                }
            }
            Payload::RangeEnd { name, scope, .. } => {
                let slot = match scope {
                    Resource::Goroutine(g) => Some(slots.slot(g)),
                    Resource::Proc(p) => match self.ranges_p.remove(&(p, name)) {
                        Some(s) if s == slots.slot(ev.g) => Some(s),
                        _ => None,
                    },
                    _ => None,
                };
                let window = self.opts.window;
                if let Some(g) = slot.and_then(|s| self.get(s)) {
                    if let Some(ts) = g.take_open_range(name) {
                        g.add_range(name, span(window, ts, t));
                    }
                }
            }
            _ => {}
        }
    }

    /// A goroutine state transition at `t`, on P `p`.
    #[inline]
    pub(crate) fn go(&mut self, t: Time, p: ProcId, tr: &GoTrans) {
        let window = self.opts.window;
        let g = self.gs.get_mut(tr.slot as usize).and_then(Option::as_mut);
        if tr.bits & SIMPLE != 0 {
            if let Some(g) = g {
                g.simple(window, t, tr);
            }
            return;
        }
        if let Some(g) = g {
            g.state = tr.new;
        }
        if tr.bits & CHANGE != 0 {
            self.goroutine_transition(t, p, tr);
        }
    }

    /// A change of state (`old != new`).
    fn goroutine_transition(&mut self, t: Time, p: ProcId, tr: &GoTrans) {
        // Exits, or waits forever.
        let ends = tr.bits & ENDS != 0;
        let window = self.opts.window;
        let (slot, old, new, reason) = (tr.slot, tr.old, tr.new, tr.reason);
        // Leave the old state.
        match old {
            GoState::Undetermined => {
                // First sighting: it has been in `new` since the last Sync.
                let sync_ts = self.sync_ts.unwrap_or(t);
                let mut g = GoAcc::new(tr.id, sync_ts);
                let d = span(window, sync_ts, t);
                match new {
                    GoState::Running => g.exec = d,
                    GoState::Waiting => g.add_block(reason, d),
                    GoState::Runnable => g.sched = d,
                    GoState::Syscall => {
                        if p == crate::event::NO_PROC {
                            g.syscall_block = d;
                        } else {
                            g.syscall = d;
                        }
                    }
                    _ => {}
                }
                *at(&mut self.gs, slot) = Some(g);
            }
            GoState::NotExist => {
                *at(&mut self.gs, slot) = Some(GoAcc::new(tr.id, t));
            }
            GoState::Running => {
                if let Some(g) = self.get(slot) {
                    if let Some(s) = g.running_since.take() {
                        g.exec = g.exec.saturating_add(span(window, s, t));
                    }
                }
            }
            GoState::Waiting => {
                if let Some(g) = self.get(slot) {
                    if let Some((s, r)) = g.blocked_since.take() {
                        g.add_block(r, span(window, s, t));
                    }
                }
            }
            GoState::Runnable => {
                if let Some(g) = self.get(slot) {
                    if let Some(s) = g.runnable_since.take() {
                        g.sched = g.sched.saturating_add(span(window, s, t));
                    }
                }
            }
            GoState::Syscall => {
                let mut forget = false;
                if let Some(g) = self.get(slot) {
                    if let Some(s) = g.syscall_since.take() {
                        match g.syscall_blocked_since.take() {
                            Some(b) => {
                                g.syscall_block =
                                    g.syscall_block.saturating_add(span(window, b, t));
                                g.syscall = g.syscall.saturating_add(span(window, s, b));
                            }
                            None => g.syscall = g.syscall.saturating_add(span(window, s, t)),
                        }
                        forget = true;
                    }
                }
                // Forget the goroutine's P binding (even if the P has
                // since been bound to another goroutine, as Go does).
                if forget {
                    if let Some(p) = self.syscalling_g.remove(&slot) {
                        self.syscalling_p.remove(&p);
                    }
                }
            }
        }
        let Some(g) = self.gs.get_mut(slot as usize).and_then(Option::as_mut) else {
            return;
        };
        g.state = new;
        // Name the goroutine by the root frame of its first stack.
        if g.name == StrId::EMPTY {
            if let Some((pc, func)) = tr.root {
                g.pc = pc;
                g.name = func;
            }
        }
        // Enter the new state.
        match new {
            GoState::Running => {
                g.running_since = Some(t);
                if g.start.is_none() {
                    g.start = Some(t);
                }
            }
            GoState::Runnable => g.runnable_since = Some(t),
            GoState::Waiting if !ends => g.blocked_since = Some((t, reason)),
            GoState::Waiting | GoState::NotExist => {
                g.end = Some(t);
                finalize(g, window, t);
            }
            GoState::Syscall => {
                g.syscall_since = Some(t);
                self.syscalling_p.insert(p, slot);
                self.syscalling_g.insert(slot, p);
            }
            GoState::Undetermined => {}
        }
    }

    /// Whether goroutine `slot`, after its transition `tr` (just given to
    /// [`Self::go`]), is in the steady state the fused pass aggregates:
    /// known, named, started, in one of running, runnable or waiting since
    /// `tr`, and no time window.
    pub(crate) fn fast_ok(&self, tr: &GoTrans) -> bool {
        self.opts.window.is_none()
            && tr.bits & CHANGE != 0
            && tr.bits & ENDS == 0
            && matches!(
                tr.new,
                GoState::Running | GoState::Runnable | GoState::Waiting
            )
            && self
                .gs
                .get(tr.slot as usize)
                .and_then(Option::as_ref)
                .is_some_and(|g| g.name != StrId::EMPTY && g.start.is_some())
    }

    /// Applies what the fused pass aggregated for goroutine `slot` in the
    /// steady state (see [`Self::fast_ok`]): per transition, the number and
    /// the total length of the intervals it began (each ended by the
    /// goroutine's next transition), then the last transition `last` at
    /// `t`. `visited`: the states entered (bit `1 << state`). The same as
    /// giving each transition to [`Self::go`]: all intervals are positive
    /// and their totals fit (the pass checks), so sums equal the
    /// saturating sums.
    pub(crate) fn settle<'a>(
        &mut self,
        slot: u32,
        sums: impl Iterator<Item = (&'a GoTrans, i64)>,
        t: Time,
        last: &GoTrans,
        visited: u8,
    ) {
        let Some(g) = self.get(slot) else {
            return;
        };
        for (tr, d) in sums {
            match tr.new {
                GoState::Running => g.exec = g.exec.saturating_add(d),
                GoState::Runnable => g.sched = g.sched.saturating_add(d),
                _ => g.add_block(tr.reason, d),
            }
        }
        let bit = |s: GoState| visited & (1 << s as u8) != 0;
        if bit(GoState::Running) {
            g.running_since = None;
        }
        if bit(GoState::Runnable) {
            g.runnable_since = None;
        }
        if bit(GoState::Waiting) {
            g.blocked_since = None;
        }
        match last.new {
            GoState::Running => g.running_since = Some(t),
            GoState::Runnable => g.runnable_since = Some(t),
            _ => g.blocked_since = Some((t, last.reason)),
        }
        g.state = last.new;
    }

    /// Closes what is still open at the last event and returns the report.
    pub(crate) fn finish(self, tables: &Tables) -> GoroutineReport {
        let window = self.opts.window;
        let last = self.last_ts;
        let mut out = Vec::with_capacity(self.gs.len());
        for mut g in self.gs.into_iter().flatten() {
            let id = g.id;
            if let Some(set) = &self.opts.goroutines {
                if !set.contains(&id) {
                    continue;
                }
            }
            finalize(&mut g, window, last);
            if let Some((ws, we)) = window {
                let end = g.end.unwrap_or(last);
                // Keep goroutines that existed at some time in [ws, we).
                if g.creation >= we || end < ws {
                    continue;
                }
            }
            let mut block: Vec<(String, i64)> = g
                .block
                .iter()
                .map(|(r, d)| (tables.str(*r).into_owned(), *d))
                .collect();
            block.sort();
            let mut ranges: Vec<(String, i64)> = g
                .ranges
                .iter()
                .map(|(n, d)| (range_name(*n, tables), *d))
                .collect();
            ranges.sort();
            out.push(GoroutineSummary {
                id,
                name: tables.str(g.name).into_owned(),
                pc: g.pc,
                creation_time: g.creation,
                start_time: g.start,
                end_time: g.end,
                state: g.state,
                stats: ExecStats {
                    exec_time: g.exec,
                    sched_wait_time: g.sched,
                    block_time_by_reason: block,
                    syscall_time: g.syscall,
                    syscall_block_time: g.syscall_block,
                    total_time: g.total,
                    range_time: ranges,
                },
            });
        }
        out.sort_by_key(|g| g.id);
        GoroutineReport {
            goroutines: out,
            first_time: self.first_time.unwrap_or(0),
            last_time: last,
            window,
        }
    }
}

/// Adds the still-open intervals up to `last` and clears them (Go's
/// `finalize`). Called when a goroutine ends and again at the end of the
/// trace (then a no-op apart from the total-time rule).
fn finalize(g: &mut GoAcc, window: Option<(Time, Time)>, last: Time) {
    // Go sets the total once, when it is still zero.
    let need_total = match window {
        None => g.total == 0,
        Some(_) => !g.total_set,
    };
    if need_total {
        g.total = span(window, g.creation, last);
        g.total_set = true;
    }
    if let Some(s) = g.running_since.take() {
        g.exec = g.exec.saturating_add(span(window, s, last));
    }
    if let Some(s) = g.runnable_since.take() {
        g.sched = g.sched.saturating_add(span(window, s, last));
    }
    if let Some((s, r)) = g.blocked_since.take() {
        g.add_block(r, span(window, s, last));
    }
    if let Some(s) = g.syscall_since.take() {
        g.syscall = g.syscall.saturating_add(span(window, s, last));
    }
    if let Some(s) = g.syscall_blocked_since.take() {
        // Go counts a syscall block still open at the end as scheduler wait.
        g.sched = g.sched.saturating_add(span(window, s, last));
    }
    for (name, s) in std::mem::take(&mut g.open_ranges) {
        g.add_range(name, span(window, s, last));
    }
}

/// The display name of a range, as Go names it.
pub fn range_name(name: RangeName, tables: &Tables) -> String {
    match name {
        RangeName::StopTheWorld(kind) => format!("stop-the-world ({})", tables.str(kind)),
        RangeName::GcMark => "GC concurrent mark phase".to_string(),
        RangeName::GcSweep => "GC incremental sweep".to_string(),
        RangeName::GcMarkAssist => "GC mark assist".to_string(),
    }
}

/// Runs the analysis over a whole trace. Events after a read error are not
/// seen; the error is returned alongside what was computed before it.
pub fn analyze(
    data: impl crate::stream::Source,
    opts: AnalysisOptions,
) -> Result<(GoroutineReport, Option<crate::Error>), crate::Error> {
    let mut a = GoroutineAnalysis::with_options(opts);
    let read = data.read_all(|ev, tables| a.add(ev, tables))?;
    Ok((a.finish(&read.tables), read.error))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::tables::StackId;

    use crate::analysis::testkit::Events as B;

    fn run(b: &B, opts: AnalysisOptions) -> GoroutineReport {
        let mut a = GoroutineAnalysis::with_options(opts);
        for e in &b.evs {
            a.add(e, &b.t);
        }
        a.finish(&b.t)
    }

    use GoState::*;

    /// A created goroutine that runs, blocks, waits, runs, syscalls
    /// (losing its P), and exits; plus one first seen mid-trace.
    fn sample() -> B {
        let mut b = B::new();
        let start = b.stack(&["main.worker", "runtime.goexit"]);
        let st2 = b.stack(&["main.f", "main.main"]);
        b.sync(100);
        // g1 exists from the start, running on P0.
        b.go_on(110, 0, -1, 1, Undetermined, Running, "", st2);
        // g1 creates g7 at 120.
        b.go_on(120, 0, 1, 7, NotExist, Runnable, "", start);
        // g1 blocks on a channel at 130.
        b.go_on(
            130,
            0,
            1,
            1,
            Running,
            Waiting,
            "chan receive",
            StackId::NONE,
        );
        // g7 runs at 140 on P0.
        b.go_on(140, 0, -1, 7, Runnable, Running, "", StackId::NONE);
        // g7 unblocks g1 at 150.
        b.go_on(150, 0, 7, 1, Waiting, Runnable, "", StackId::NONE);
        // g7 syscalls at 160; P0 is taken (idle) at 170; g7 returns at 200.
        b.go_on(160, 0, 7, 7, Running, Syscall, "", StackId::NONE);
        b.proc(170, 0, ProcState::Running, ProcState::Idle);
        b.go_on(200, 1, 7, 7, Syscall, Running, "", StackId::NONE);
        // g7 exits at 210.
        b.go_on(210, 1, 7, 7, Running, NotExist, "", StackId::NONE);
        // g1 runs at 220 until the end (250).
        b.go_on(220, 0, -1, 1, Runnable, Running, "", StackId::NONE);
        b.sync(250);
        b
    }

    #[test]
    fn breakdown_matches_rules() {
        let r = run(&sample(), AnalysisOptions::default());
        assert_eq!(r.goroutines.len(), 2);
        let g1 = r.get(1).unwrap();
        assert_eq!(g1.name, "main.main");
        assert_eq!(g1.creation_time, 100);
        assert_eq!(g1.start_time, Some(110));
        assert_eq!(g1.end_time, None);
        // Running 100..110 (back-dated), 110..130, 220..250.
        assert_eq!(g1.stats.exec_time, 10 + 20 + 30);
        assert_eq!(
            g1.stats.block_time_by_reason,
            vec![("chan receive".into(), 20)]
        );
        assert_eq!(g1.stats.sched_wait_time, 70);
        assert_eq!(g1.stats.total_time, 150);
        assert_eq!(g1.stats.unknown_time(), 0);
        let g7 = r.get(7).unwrap();
        assert_eq!(g7.name, "runtime.goexit");
        assert_eq!(g7.creation_time, 120);
        assert_eq!(g7.start_time, Some(140));
        assert_eq!(g7.end_time, Some(210));
        assert_eq!(g7.stats.sched_wait_time, 20);
        assert_eq!(g7.stats.exec_time, 20 + 10);
        assert_eq!(g7.stats.syscall_time, 10);
        assert_eq!(g7.stats.syscall_block_time, 30);
        assert_eq!(g7.stats.total_time, 90);
        assert_eq!(g1.state, Running);
        assert_eq!(g7.state, NotExist);
    }

    #[test]
    fn groups_and_detail() {
        let r = run(&sample(), AnalysisOptions::default());
        let groups = r.groups();
        assert_eq!(groups[0].name, "main.main");
        assert_eq!(groups[0].exec_time, 60);
        assert_eq!(groups[1].name, "runtime.goexit");
        let d = r.group("runtime.goexit").unwrap();
        assert_eq!(d.count, 1);
        assert_eq!(d.columns[0], EXECUTION_TIME);
        assert!(d.columns.contains(&"Block time (syscall)".to_string()));
        let pct = d.exec_time_percent.unwrap();
        assert!((pct - 30.0 / 90.0 * 100.0).abs() < 1e-9);
        let exec = d
            .percentiles
            .iter()
            .find(|c| c.column == EXECUTION_TIME)
            .unwrap();
        assert_eq!((exec.p50, exec.max), (30, 30));
        assert!(r.group("nope").is_none());
    }

    #[test]
    fn window_clips_everything() {
        let r = run(
            &sample(),
            AnalysisOptions {
                window: Some((125, 205)),
                goroutines: None,
            },
        );
        let g1 = r.get(1).unwrap();
        assert_eq!(g1.stats.total_time, 80);
        assert_eq!(g1.stats.exec_time, 5);
        assert_eq!(
            g1.stats.block_time_by_reason,
            vec![("chan receive".into(), 20)]
        );
        assert_eq!(g1.stats.sched_wait_time, 55);
        let g7 = r.get(7).unwrap();
        assert_eq!(g7.stats.total_time, 80);
        assert_eq!(g7.stats.syscall_block_time, 30);
        // Outside the window nothing is counted, and dead goroutines go.
        let r = run(
            &sample(),
            AnalysisOptions {
                window: Some((230, 240)),
                goroutines: None,
            },
        );
        assert_eq!(r.goroutines.len(), 1);
        assert_eq!(r.goroutines[0].stats.exec_time, 10);
    }

    #[test]
    fn goroutine_set_and_filter() {
        let set: HashSet<GoId> = [7].into_iter().collect();
        let r = run(
            &sample(),
            AnalysisOptions {
                window: None,
                goroutines: Some(set),
            },
        );
        assert_eq!(r.goroutines.len(), 1);
        let r = run(&sample(), AnalysisOptions::default());
        let f = GoroutineFilter {
            name_contains: Some("goexit".into()),
            ..Default::default()
        };
        assert_eq!(r.filtered(&f).goroutines.len(), 1);
        let f = GoroutineFilter {
            state: Some(Running),
            min_total: Some(100),
            ..Default::default()
        };
        assert_eq!(r.filtered(&f).goroutines[0].id, 1);
        let f = GoroutineFilter {
            min_total: Some(1000),
            ..Default::default()
        };
        assert!(r.filtered(&f).goroutines.is_empty());
    }

    #[test]
    fn forever_ends_and_ranges_count() {
        let mut b = B::new();
        let st = b.stack(&["main.g"]);
        b.sync(0);
        b.go_on(10, 0, -1, 3, NotExist, Runnable, "", st);
        b.go_on(20, 0, -1, 3, Runnable, Running, "", StackId::NONE);
        b.ev(
            25,
            0,
            3,
            Payload::RangeBegin {
                name: RangeName::GcMarkAssist,
                scope: Resource::Goroutine(3),
            },
        );
        b.ev(
            35,
            0,
            3,
            Payload::RangeEnd {
                name: RangeName::GcMarkAssist,
                scope: Resource::Goroutine(3),
                sweep: None,
            },
        );
        b.ev(
            36,
            0,
            3,
            Payload::RangeBegin {
                name: RangeName::GcSweep,
                scope: Resource::Proc(0),
            },
        );
        b.ev(
            38,
            0,
            3,
            Payload::RangeEnd {
                name: RangeName::GcSweep,
                scope: Resource::Proc(0),
                sweep: None,
            },
        );
        b.go_on(40, 0, 3, 3, Running, Waiting, "forever", StackId::NONE);
        b.sync(100);
        let r = run(&b, AnalysisOptions::default());
        let g = r.get(3).unwrap();
        assert_eq!(g.end_time, Some(40));
        assert_eq!(g.stats.total_time, 30);
        assert!(g.stats.block_time_by_reason.is_empty());
        assert_eq!(g.stats.range("GC mark assist"), 10);
        assert_eq!(g.stats.range("GC incremental sweep"), 2);
        let d = r.group("main.g").unwrap();
        assert!(d.rows[0].has_range_time);
        assert_eq!(d.range_columns.len(), 2);
    }

    #[test]
    fn unknown_goroutines_do_not_panic() {
        let mut b = B::new();
        b.go_on(5, 0, -1, 9, Running, Waiting, "x", StackId::NONE);
        b.go_on(6, 0, -1, 9, Syscall, Running, "x", StackId::NONE);
        b.proc(7, 3, ProcState::Running, ProcState::Idle);
        b.ev(
            8,
            0,
            9,
            Payload::RangeEnd {
                name: RangeName::GcSweep,
                scope: Resource::Proc(0),
                sweep: None,
            },
        );
        b.go_on(
            i64::MAX,
            0,
            -1,
            10,
            Undetermined,
            Running,
            "",
            StackId::NONE,
        );
        b.go_on(i64::MIN, 0, -1, 10, Running, Runnable, "", StackId::NONE);
        let r = run(&b, AnalysisOptions::default());
        assert_eq!(r.goroutines.len(), 1);
        let _ = r.groups();
        let _ = r.group("");
    }

    #[test]
    fn percentiles_nearest_rank() {
        let v: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), 50);
        assert_eq!(percentile(&v, 99.0), 99);
        assert_eq!(percentile(&v, 100.0), 100);
        assert_eq!(percentile(&[7], 90.0), 7);
        assert_eq!(percentile(&[], 90.0), 0);
    }
}
