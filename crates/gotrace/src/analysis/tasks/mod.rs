//! User tasks, regions and logs (`runtime/trace` annotations), with the
//! numbers `go tool trace` (go1.27.3) shows on `/usertasks`, `/usertask`
//! and `/userregions`.
//!
//! The rules (those of Go's trace summarizer and `cmd/trace`):
//! - A task is known from any mention: its begin, its end, a log or a
//!   region in it, or being some task's parent. The background task 0 (the
//!   parent of top-level tasks, and the task of regions and logs outside any
//!   task) is therefore a task too, of type "". A task is complete when both
//!   its begin and end are in the trace; otherwise the missing ends are the
//!   trace's start and end. Its type is taken from its begin or end event.
//! - Regions nest per goroutine; a region end closes the innermost open
//!   region of its goroutine (whatever its type); an end without a begin
//!   makes a region that starts at the trace start.
//! - A goroutine created inside a region inherits that region's task
//!   through a region of type "" that starts at its creation.
//! - Regions still open when their goroutine ends (exit, or a wait with
//!   reason `forever`) end there; those open at the end of the trace end
//!   with it. Regions of system goroutines (`runtime.*` other than
//!   `runtime.main`, or unnamed) that are still open then are dropped from
//!   the region table.
//! - A goroutine first seen in the first generation starts afresh.
//! - Region types are grouped by (type, root frame of the begin stack) and
//!   sorted by type then PC; task types by type. Region histograms count
//!   every region; task histograms only complete tasks.
//!
//! Beyond Go: p50/p90/p99/max/total per type, and a case-insensitive search.
//!
//! One streaming pass: [`TaskAnalysis::add`] each event, then
//! [`TaskAnalysis::finish`].

mod histogram;

pub use histogram::{bucket_min, bucket_of, Histogram};

use crate::analysis::resolve::{at, GoSlots, GoTrans, Resolver, CHANGE, CREATES, ENDS};
use crate::event::{Event, GoId, GoState, Payload, Time, NO_GOROUTINE, NO_TASK};
use crate::intmap::IntMap;
use crate::tables::{Frame, StackId, StrId, Tables};
use crate::Error;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A string of the trace in the results: shared, so that the thousands of
/// regions, tasks and log lines naming the same type, function or file
/// hold one copy of it (each string of the trace's tables is copied once).
pub type Text = Arc<str>;

/// What a task log entry is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryKind {
    TaskBegin {
        id: u64,
        parent: u64,
        ty: Text,
    },
    TaskEnd,
    RegionBegin {
        ty: Text,
    },
    RegionEnd {
        ty: Text,
    },
    Log {
        category: Text,
        message: Text,
    },
    /// A goroutine state change that began or ended a region (creation of
    /// a goroutine that inherits a task, exit with open regions).
    Transition {
        from: GoState,
        to: GoState,
    },
}

/// One line of a task's event log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskEntry {
    pub time: Time,
    /// The goroutine that did it (for transitions: the one that changed).
    pub goroutine: GoId,
    pub kind: EntryKind,
}

impl TaskEntry {
    /// The line as `go tool trace`'s `/usertask` page writes it.
    pub fn describe(&self) -> String {
        match &self.kind {
            EntryKind::TaskBegin { id, parent, ty } => {
                format!("task {} (ID {id}, parent {parent}) begin", go_quote(ty))
            }
            EntryKind::TaskEnd => "task end".into(),
            EntryKind::RegionBegin { ty } => format!("region {} begin", go_quote(ty)),
            EntryKind::RegionEnd { ty } => format!("region {} end", go_quote(ty)),
            EntryKind::Log { category, message } if category.is_empty() => {
                format!("log {}", go_quote(message))
            }
            EntryKind::Log { category, message } => {
                format!("log (category: {category}): {}", go_quote(message))
            }
            EntryKind::Transition { from, to } => format!("{} -> {}", from.name(), to.name()),
        }
    }
}

/// A user task.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    pub id: u64,
    /// Its type ("" for the background task and for tasks only mentioned).
    pub ty: Text,
    /// The parent task, if the trace names one (top-level tasks have 0).
    pub parent: Option<u64>,
    /// Subtasks, in the order they appeared.
    pub children: Vec<u64>,
    /// Begin time, if the begin is in the trace.
    pub begin: Option<Time>,
    /// End time, if the end is in the trace.
    pub end: Option<Time>,
    /// Goroutines that began, ended or logged in it, or ran its regions.
    pub goroutines: Vec<GoId>,
    /// Begin, end, logs and region begins/ends, by time.
    pub events: Vec<TaskEntry>,
    /// Indexes into [`Annotations::task_regions`] of its regions.
    pub regions: Vec<usize>,
    /// Number of logs.
    pub logs: usize,
    /// Whether begin and end are both in the trace.
    pub complete: bool,
    /// Start as shown: begin, or the trace start.
    pub start_ns: Time,
    /// End as shown: end, or the trace end.
    pub end_ns: Time,
}

impl Task {
    pub fn duration(&self) -> i64 {
        self.end_ns.saturating_sub(self.start_ns)
    }
}

/// A region, as the region table counts it.
#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    pub task: u64,
    /// Its type ("" for the region a goroutine inherits from its creator).
    pub ty: Text,
    pub goroutine: GoId,
    /// Begin time if known (else the region began before the trace).
    pub begin: Option<Time>,
    /// End time if known (else it was still open at the end).
    pub end: Option<Time>,
    /// Root frame of the begin stack (Go's grouping frame), if any.
    pub frame: Option<FrameInfo>,
    /// Start as shown: begin, or the trace start.
    pub start_ns: Time,
    /// End as shown: end, or the trace end.
    pub end_ns: Time,
}

impl Region {
    pub fn duration(&self) -> i64 {
        self.end_ns.saturating_sub(self.start_ns)
    }
    pub fn complete(&self) -> bool {
        self.begin.is_some() && self.end.is_some()
    }
}

/// A stack frame with its strings resolved.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FrameInfo {
    pub pc: u64,
    pub func: Text,
    pub file: Text,
    pub line: u64,
}

/// Duration statistics of a set of samples (ns; nearest-rank percentiles).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DurationStats {
    #[cfg_attr(feature = "serde", serde(rename = "total_ns"))]
    pub total: i64,
    #[cfg_attr(feature = "serde", serde(rename = "p50_ns"))]
    pub p50: i64,
    #[cfg_attr(feature = "serde", serde(rename = "p90_ns"))]
    pub p90: i64,
    #[cfg_attr(feature = "serde", serde(rename = "p99_ns"))]
    pub p99: i64,
    #[cfg_attr(feature = "serde", serde(rename = "max_ns"))]
    pub max: i64,
}

/// One row of the task-type table.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskTypeStats {
    pub ty: Text,
    /// All tasks of the type, complete or not (Go's "Count").
    pub count: usize,
    /// Complete ones.
    pub complete: usize,
    /// Durations of complete tasks.
    pub histogram: Histogram,
    /// Over complete tasks.
    pub durations: DurationStats,
    /// Task ids, ascending.
    pub tasks: Vec<u64>,
}

/// One row of the region-type table.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionTypeStats {
    pub ty: Text,
    /// Root frame of the begin stack (None: no stack, Go's zero frame).
    pub frame: Option<FrameInfo>,
    /// All regions of the group (Go's "Count").
    pub count: usize,
    pub complete: usize,
    /// Durations of all regions (open ends cut at the trace bounds), as
    /// Go's histogram counts them.
    pub histogram: Histogram,
    /// Over the same durations as the histogram.
    pub durations: DurationStats,
    /// Indexes into [`Annotations::regions`].
    pub regions: Vec<usize>,
}

/// Everything about tasks and regions in a trace.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Annotations {
    /// First and last event time (the bounds open tasks and regions get).
    pub trace_start: Time,
    pub trace_end: Time,
    /// By id.
    pub tasks: Vec<Task>,
    /// The regions of the region table (per goroutine, as Go keeps them).
    pub regions: Vec<Region>,
    /// Regions as tasks see them (every begun region, and ends without
    /// begins), which [`Task::regions`] indexes.
    pub task_regions: Vec<Region>,
    /// Sorted by type.
    pub task_types: Vec<TaskTypeStats>,
    /// Sorted by type, then PC.
    pub region_types: Vec<RegionTypeStats>,
}

impl Annotations {
    pub fn task(&self, id: u64) -> Option<&Task> {
        self.tasks
            .binary_search_by_key(&id, |t| t.id)
            .ok()
            .map(|i| &self.tasks[i])
    }

    /// Ids of tasks whose type, region types, log categories or messages
    /// contain `text` (Go's `/usertask?logtext=` filter, which is
    /// case-sensitive; pass `ignore_case` for a case-insensitive search).
    pub fn search(&self, text: &str, ignore_case: bool) -> Vec<u64> {
        let needle = if ignore_case {
            text.to_lowercase()
        } else {
            text.to_string()
        };
        let hit = |s: &str| {
            if ignore_case {
                s.to_lowercase().contains(&needle)
            } else {
                s.contains(&needle)
            }
        };
        self.tasks
            .iter()
            .filter(|t| {
                hit(&t.ty)
                    || t.regions
                        .iter()
                        .any(|&r| self.task_regions.get(r).is_some_and(|r| hit(&r.ty)))
                    || t.events.iter().any(|e| match &e.kind {
                        EntryKind::Log { category, message } => hit(category) || hit(message),
                        _ => false,
                    })
            })
            .map(|t| t.id)
            .collect()
    }
}

/// Where an event that begins or ends something is remembered.
#[derive(Clone, Copy, Debug)]
struct Mark {
    time: Time,
    goroutine: GoId,
    stack: StackId,
    what: Happening,
}

#[derive(Clone, Copy, Debug)]
enum Happening {
    TaskBegin { id: u64, parent: u64, ty: StrId },
    TaskEnd,
    RegionBegin(StrId),
    RegionEnd(StrId),
    Log { category: StrId, message: StrId },
    Transition { from: GoState, to: GoState },
}

#[derive(Clone, Debug)]
struct RegionRec {
    task: u64,
    ty: StrId,
    goroutine: GoId,
    begin: Option<Mark>,
    end: Option<Mark>,
}

#[derive(Clone, Debug, Default)]
struct TaskRec {
    ty: StrId,
    parent: Option<u64>,
    children: Vec<u64>,
    begin: Option<Mark>,
    end: Option<Mark>,
    logs: Vec<Mark>,
    regions: Vec<usize>,
    goroutines: Vec<GoId>,
}

#[derive(Clone, Debug, Default)]
struct GoRec {
    id: GoId,
    /// Function of the root frame of the first transition stack seen.
    name: Option<StrId>,
    /// Open regions, innermost last.
    open: Vec<usize>,
    /// Regions the region table counts.
    done: Vec<usize>,
}

/// Streaming builder of [`Annotations`].
#[derive(Debug, Default)]
pub struct TaskAnalysis {
    /// Resolves ids for [`Self::add`] (the fused pass brings its own).
    res: Resolver,
    pub(crate) core: TaskCore,
}

/// The builder proper, over goroutine slots (see `analysis::resolve`).
#[derive(Debug, Default)]
pub(crate) struct TaskCore {
    regions: Vec<RegionRec>,
    tasks: IntMap<u64, TaskRec>,
    /// By slot.
    goroutines: Vec<Option<GoRec>>,
    /// By slot, noted by the fused store pass ([`Self::settle`]): the
    /// goroutine has a record and a name, so that a transition that
    /// neither creates nor ends it changes nothing (false: not known).
    settled: Vec<bool>,
    first_time: Option<Time>,
    last_time: Time,
    last_sync_time: Option<Time>,
}

fn is_system(name: &[u8]) -> bool {
    name.is_empty() || (name != b"runtime.main" && name.starts_with(b"runtime."))
}

impl TaskAnalysis {
    pub fn new() -> Self {
        Self::default()
    }

    /// Accounts for one event.
    pub fn add(&mut self, ev: &Event, tables: &Tables) {
        let c = &mut self.core;
        c.time(ev.time);
        match ev.payload {
            Payload::Sync { .. } => c.sync(ev.time),
            Payload::StateTransition(st) => {
                if let Some(tr) = self.res.go_trans_of(&st, ev.stack, tables) {
                    c.go(ev.time, ev.g, &tr, &mut self.res.slots, tables);
                }
            }
            _ => c.other(ev, &mut self.res.slots),
        }
    }

    /// The result after the last event.
    pub fn finish(self, tables: &Tables) -> Annotations {
        self.core.finish(tables)
    }

    /// The result for a damaged trace: open tasks and regions end at the
    /// last generation boundary, as `go tool trace` keeps only the events
    /// up to there (the regions themselves still come from every event
    /// read, as Go's summary does).
    pub fn finish_damaged(self, tables: &Tables) -> Annotations {
        self.core.finish_damaged(tables)
    }
}

impl TaskCore {
    fn task(&mut self, id: u64) -> &mut TaskRec {
        self.tasks.entry(id).or_default()
    }

    fn note_goroutine(&mut self, task: u64, g: GoId) {
        let t = self.task(task);
        if !t.goroutines.contains(&g) {
            t.goroutines.push(g);
        }
    }

    /// Goroutine `id`'s record (in `slot`), made if missing.
    fn rec(&mut self, slot: u32, id: GoId) -> &mut GoRec {
        at(&mut self.goroutines, slot).get_or_insert_with(|| GoRec {
            id,
            ..GoRec::default()
        })
    }

    /// Ends goroutine `slot`'s open regions (at `trigger`, or open-ended).
    fn close_goroutine(&mut self, slot: u32, trigger: Option<Mark>, tables: &Tables) {
        let Some(rec) = self
            .goroutines
            .get_mut(slot as usize)
            .and_then(Option::as_mut)
        else {
            return;
        };
        let open = std::mem::take(&mut rec.open);
        let system = is_system(rec.name.map_or(&[][..], |n| tables.bytes(n)));
        if system {
            return;
        }
        for r in open {
            if let Some(region) = self.regions.get_mut(r) {
                region.end = trigger;
            }
            rec.done.push(r);
        }
    }

    /// Every event, first: the trace's first and last time.
    #[inline]
    pub(crate) fn time(&mut self, t: Time) {
        if self.first_time.is_none() {
            self.first_time = Some(t);
        }
        self.last_time = t;
    }

    /// A `Sync` event.
    pub(crate) fn sync(&mut self, t: Time) {
        self.last_sync_time = Some(t);
    }

    /// A goroutine state transition at `t`, by goroutine `by` (the
    /// event's).
    #[inline]
    pub(crate) fn go(
        &mut self,
        t: Time,
        by: GoId,
        tr: &GoTrans,
        slots: &mut GoSlots,
        tables: &Tables,
    ) {
        let (id, slot, old, new) = (tr.id, tr.slot, tr.old, tr.new);
        if old == new {
            return;
        }
        let ends = tr.bits & ENDS != 0;
        if !ends && tr.bits & CREATES == 0 {
            // The common case: only the name may be learnt.
            let rec = self.rec(slot, id);
            if rec.name.is_none_or(|n| n == StrId::EMPTY) {
                if let Some((_, func)) = tr.root {
                    rec.name = Some(func);
                }
            }
            return;
        }
        // (Never stale: see `Self::settle`.)
        if let Some(s) = self.settled.get_mut(slot as usize) {
            *s = false;
        }
        let here = Mark {
            time: t,
            goroutine: id,
            stack: tr.ev_stack,
            what: Happening::Transition { from: old, to: new },
        };
        match old {
            GoState::Undetermined => {
                *at(&mut self.goroutines, slot) = Some(GoRec {
                    id,
                    ..GoRec::default()
                });
            }
            GoState::NotExist => {
                let mut rec = GoRec {
                    id,
                    ..GoRec::default()
                };
                // Inherit the task of the creator's innermost region.
                let creator = slots.slot(by);
                let inherited = self
                    .goroutines
                    .get(creator as usize)
                    .and_then(Option::as_ref)
                    .and_then(|c| c.open.last())
                    .and_then(|&r| self.regions.get(r))
                    .map(|r| r.task);
                if let Some(task) = inherited {
                    self.regions.push(RegionRec {
                        task,
                        ty: StrId::EMPTY,
                        goroutine: id,
                        begin: Some(here),
                        end: None,
                    });
                    rec.open.push(self.regions.len() - 1);
                }
                *at(&mut self.goroutines, slot) = Some(rec);
            }
            _ => {}
        }
        let rec = self.rec(slot, id);
        if rec.name.is_none_or(|n| n == StrId::EMPTY) {
            if let Some((_, func)) = tr.root {
                rec.name = Some(func);
            }
        }
        if ends {
            self.close_goroutine(slot, Some(here), tables);
        }
    }

    /// Notes whether goroutine `slot` has a record and a name, after
    /// [`Self::go`] on it: then its transitions that neither create nor end
    /// it change nothing ([`Self::quiet`]). Only a transition that creates
    /// it replaces its record, and [`Self::go`] then clears the note.
    pub(crate) fn settle(&mut self, slot: u32) {
        let named = self
            .goroutines
            .get(slot as usize)
            .and_then(Option::as_ref)
            .is_some_and(|r| r.name.is_some_and(|n| n != StrId::EMPTY));
        *at(&mut self.settled, slot) = named;
    }

    /// Whether transition `tr` changes nothing here (a goroutine with a
    /// record and a name neither created nor ending, or no change).
    #[inline(always)]
    pub(crate) fn quiet(&self, slot: u32, bits: u8) -> bool {
        bits & CHANGE == 0
            || (bits & (CREATES | ENDS) == 0
                && self.settled.get(slot as usize).copied().unwrap_or(false))
    }

    /// Makes room for goroutine slots below `n`.
    pub(crate) fn reserve_slots(&mut self, n: usize) {
        if self.settled.len() < n {
            self.settled.resize(n, false);
        }
    }

    /// Any event but a state transition or `Sync`: regions, tasks and logs.
    pub(crate) fn other(&mut self, ev: &Event, slots: &mut GoSlots) {
        let mark = |what| Mark {
            time: ev.time,
            goroutine: ev.g,
            stack: ev.stack,
            what,
        };
        match ev.payload {
            Payload::RegionBegin { task, ty } => {
                self.regions.push(RegionRec {
                    task,
                    ty,
                    goroutine: ev.g,
                    begin: Some(mark(Happening::RegionBegin(ty))),
                    end: None,
                });
                let idx = self.regions.len() - 1;
                self.rec(slots.slot(ev.g), ev.g).open.push(idx);
                self.task(task).regions.push(idx);
                self.note_goroutine(task, ev.g);
            }
            Payload::RegionEnd { task, ty } => {
                let end = mark(Happening::RegionEnd(ty));
                let slot = slots.slot(ev.g);
                let popped = self
                    .goroutines
                    .get_mut(slot as usize)
                    .and_then(Option::as_mut)
                    .and_then(|g| g.open.pop());
                let idx = match popped {
                    Some(i) => i,
                    None => {
                        self.regions.push(RegionRec {
                            task,
                            ty,
                            goroutine: ev.g,
                            begin: None,
                            end: None,
                        });
                        let i = self.regions.len() - 1;
                        self.note_goroutine(task, ev.g);
                        self.task(task).regions.push(i);
                        i
                    }
                };
                if let Some(r) = self.regions.get_mut(idx) {
                    r.end = Some(end);
                }
                self.rec(slot, ev.g).done.push(idx);
            }
            Payload::TaskBegin { id, parent, ty } | Payload::TaskEnd { id, parent, ty } => {
                let begin = matches!(ev.payload, Payload::TaskBegin { .. });
                let m = if begin {
                    mark(Happening::TaskBegin { id, parent, ty })
                } else {
                    mark(Happening::TaskEnd)
                };
                self.note_goroutine(id, ev.g);
                let t = self.task(id);
                t.ty = ty;
                if begin {
                    t.begin = Some(m);
                } else {
                    t.end = Some(m);
                }
                if parent != NO_TASK && t.parent.is_none() {
                    t.parent = Some(parent);
                    self.task(parent).children.push(id);
                }
            }
            Payload::Log {
                task,
                category,
                message,
            } => {
                self.note_goroutine(task, ev.g);
                self.task(task)
                    .logs
                    .push(mark(Happening::Log { category, message }));
            }
            _ => {}
        }
    }

    pub(crate) fn finish(self, tables: &Tables) -> Annotations {
        let end = self.last_time;
        self.build(tables, end)
    }

    pub(crate) fn finish_damaged(self, tables: &Tables) -> Annotations {
        let end = self.last_sync_time.unwrap_or(self.last_time);
        self.build(tables, end)
    }

    fn build(mut self, tables: &Tables, trace_end: Time) -> Annotations {
        let trace_start = self.first_time.unwrap_or(0);
        for slot in 0..self.goroutines.len() {
            self.close_goroutine(slot as u32, None, tables);
        }
        let interned: RefCell<HashMap<StrId, Text>> = RefCell::new(HashMap::new());
        let text = |id: StrId| -> Text {
            interned
                .borrow_mut()
                .entry(id)
                .or_insert_with(|| Text::from(tables.str(id).as_ref()))
                .clone()
        };
        let frame_of = |stack: StackId| -> Option<FrameInfo> {
            tables.stack(stack).last().map(|f: &Frame| FrameInfo {
                pc: f.pc,
                func: text(f.func),
                file: text(f.file),
                line: f.line,
            })
        };
        let region_out = |r: &RegionRec| Region {
            task: r.task,
            ty: text(r.ty),
            goroutine: r.goroutine,
            begin: r.begin.map(|m| m.time),
            end: r.end.map(|m| m.time),
            frame: r.begin.and_then(|m| frame_of(m.stack)),
            start_ns: r.begin.map_or(trace_start, |m| m.time),
            end_ns: r.end.map_or(trace_end, |m| m.time),
        };
        let entry = |m: &Mark| -> TaskEntry {
            let kind = match m.what {
                Happening::TaskBegin { id, parent, ty } => EntryKind::TaskBegin {
                    id,
                    parent,
                    ty: text(ty),
                },
                Happening::TaskEnd => EntryKind::TaskEnd,
                Happening::RegionBegin(ty) => EntryKind::RegionBegin { ty: text(ty) },
                Happening::RegionEnd(ty) => EntryKind::RegionEnd { ty: text(ty) },
                Happening::Log { category, message } => EntryKind::Log {
                    category: text(category),
                    message: text(message),
                },
                Happening::Transition { from, to } => EntryKind::Transition { from, to },
            };
            TaskEntry {
                time: m.time,
                goroutine: m.goroutine,
                kind,
            }
        };

        // The region table: regions of every goroutine.
        let mut table_regions = Vec::new();
        let mut groups: BTreeMap<(Vec<u8>, u64, Option<FrameInfo>), Vec<usize>> = BTreeMap::new();
        // The builder's records are dropped as soon as the results made
        // from them no longer need them: the peak is less than both whole.
        let mut recs: Vec<GoRec> = std::mem::take(&mut self.goroutines)
            .into_iter()
            .flatten()
            .collect();
        recs.sort_by_key(|r| r.id);
        for rec in recs {
            for &ri in &rec.done {
                let Some(r) = self.regions.get(ri) else {
                    continue;
                };
                let out = region_out(r);
                let key = (
                    tables.bytes(r.ty).to_vec(),
                    out.frame.as_ref().map_or(0, |f| f.pc),
                    out.frame.clone(),
                );
                groups.entry(key).or_default().push(table_regions.len());
                table_regions.push(out);
            }
        }
        let region_types = groups
            .into_iter()
            .map(|((_, _, frame), members)| {
                let mut histogram = Histogram::default();
                let mut durs = Vec::with_capacity(members.len());
                let mut complete = 0;
                for &i in &members {
                    let r = &table_regions[i];
                    histogram.add(r.duration());
                    durs.push(r.duration());
                    complete += usize::from(r.complete());
                }
                RegionTypeStats {
                    ty: table_regions
                        .get(members[0])
                        .map(|r| r.ty.clone())
                        .unwrap_or_default(),
                    frame,
                    count: members.len(),
                    complete,
                    histogram,
                    durations: duration_stats(durs),
                    regions: members,
                }
            })
            .collect();

        let task_regions: Vec<Region> = self.regions.iter().map(region_out).collect();
        let mut tasks: Vec<(Task, StrId)> = std::mem::take(&mut self.tasks)
            .into_iter()
            .map(|(id, t)| {
                let mut marks: Vec<&Mark> = Vec::new();
                marks.extend(t.begin.iter());
                marks.extend(t.end.iter());
                marks.extend(t.logs.iter());
                for &ri in &t.regions {
                    if let Some(r) = self.regions.get(ri) {
                        marks.extend(r.begin.iter());
                        marks.extend(r.end.iter());
                    }
                }
                marks.sort_by_key(|m| m.time);
                let mut goroutines: Vec<GoId> = t
                    .goroutines
                    .into_iter()
                    .filter(|&g| g != NO_GOROUTINE)
                    .collect();
                goroutines.sort_unstable();
                let task = Task {
                    id,
                    ty: text(t.ty),
                    parent: t.parent,
                    children: t.children,
                    begin: t.begin.map(|m| m.time),
                    end: t.end.map(|m| m.time),
                    goroutines,
                    events: marks.into_iter().map(entry).collect(),
                    logs: t.logs.len(),
                    complete: t.begin.is_some() && t.end.is_some(),
                    start_ns: t.begin.map_or(trace_start, |m| m.time),
                    end_ns: t.end.map_or(trace_end, |m| m.time),
                    regions: t.regions,
                };
                (task, t.ty)
            })
            .collect();
        drop(self.regions);
        tasks.sort_by_key(|(t, _)| t.id);
        let (tasks, types): (Vec<Task>, Vec<StrId>) = tasks.into_iter().unzip();

        let mut by_type: BTreeMap<Vec<u8>, Vec<usize>> = BTreeMap::new();
        for (i, &ty) in types.iter().enumerate() {
            by_type
                .entry(tables.bytes(ty).to_vec())
                .or_default()
                .push(i);
        }
        let task_types = by_type
            .into_values()
            .map(|members| {
                let mut histogram = Histogram::default();
                let mut durs = Vec::new();
                for &i in &members {
                    let t = &tasks[i];
                    if t.complete {
                        histogram.add(t.duration());
                        durs.push(t.duration());
                    }
                }
                TaskTypeStats {
                    ty: tasks[members[0]].ty.clone(),
                    count: members.len(),
                    complete: durs.len(),
                    histogram,
                    durations: duration_stats(durs),
                    tasks: members.iter().map(|&i| tasks[i].id).collect(),
                }
            })
            .collect();

        Annotations {
            trace_start,
            trace_end,
            tasks,
            regions: table_regions,
            task_regions,
            task_types,
            region_types,
        }
    }
}

/// Nearest-rank percentile `p` (0..=100) of ascending `sorted`.
fn nearest_rank(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn duration_stats(mut v: Vec<i64>) -> DurationStats {
    v.sort_unstable();
    DurationStats {
        total: v.iter().fold(0i64, |a, &d| a.saturating_add(d)),
        p50: nearest_rank(&v, 50.0),
        p90: nearest_rank(&v, 90.0),
        p99: nearest_rank(&v, 99.0),
        max: v.last().copied().unwrap_or(0),
    }
}

/// Go's `%q` for a string: double-quoted with Go escapes (invalid UTF-8 was
/// already replaced when the string was resolved).
pub fn go_quote(s: &str) -> String {
    crate::text::go_quote(s.as_bytes())
}

/// Reads a whole trace and summarizes its tasks and regions. A damaged
/// trace gives what was read before the damage, with the error beside it.
pub fn annotations_from_trace(
    data: impl crate::stream::Source,
) -> Result<(Annotations, Option<Error>), Error> {
    let mut a = TaskAnalysis::new();
    let read = data.read_all(|ev, tables| a.add(ev, tables))?;
    let out = if read.error.is_some() {
        a.finish_damaged(&read.tables)
    } else {
        a.finish(&read.tables)
    };
    Ok((out, read.error))
}

#[cfg(test)]
mod tests;
