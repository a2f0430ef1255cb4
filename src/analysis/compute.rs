//! The analysis worker's engine: keeps the trace (a file it can re-read,
//! not its bytes: a browser `Blob`, read as a stream), answers
//! [`Request`]s with the `gotrace` analyses, and caches what is costly to
//! recompute. The first request about the whole trace reads it once and
//! runs every analysis in that one pass (`gotrace::analysis::all`): the
//! goroutine report, the profile samples, the task annotations, the MMU
//! curve for Go's default flags and the CPU sample list, so the other pages
//! then open at once. Requests for a time window, or other MMU flags, are
//! computed (and cached) on their own, and so are the goroutines' state
//! changes for critical paths (only when one is asked for: they are large).
//! Pure Rust: tested on the host with real traces.

use std::collections::{BTreeSet, HashMap, HashSet};

use gotrace::analysis::all::{self, Analyses};
use gotrace::analysis::critical_path::{
    self, CriticalPath, CriticalPathAnalysis, EdgeKind, SegmentKind, Stop,
};
use gotrace::analysis::goroutines::{self, AnalysisOptions, GoroutineFilter, GoroutineReport};
use gotrace::analysis::mmu::{self, MmuCurve, UtilFlags};
use gotrace::analysis::pprof::{
    self, FlameNode, Profile, ProfileFrame, ProfileKind, ProfileSample, ProfileSet, Selection,
};
use gotrace::analysis::tasks::{self, Annotations};
use gotrace::event::{GoState, Payload};
use gotrace::stream::{Stream, Window as Part};
use gotrace::tables::{StackId, Tables};

use super::protocol::*;

/// A trace file the engine can read as many times as it needs, from the
/// start, as a stream (in the browser a `Blob`, read slice by slice; on the
/// host, bytes).
pub trait TraceFile {
    fn open(&self) -> Box<dyn std::io::Read + '_>;
}

impl TraceFile for Vec<u8> {
    fn open(&self) -> Box<dyn std::io::Read + '_> {
        Box::new(&self[..])
    }
}

/// Rows of a group table sent at most.
pub const MAX_ROWS: usize = 2000;
/// Nodes narrower than this fraction of the root are left out of a flame graph.
pub const PRUNE: f64 = 1.0 / 4000.0;
/// Segments of a critical path sent at most (the latest part is kept).
pub const MAX_PATH_SEGMENTS: usize = 50_000;

type Window = Option<(i64, i64)>;

/// The frame standing for samples without a stack.
pub const NO_STACK: &str = "(no stack)";

/// See the module doc.
pub struct Engine {
    file: Box<dyn TraceFile>,
    /// The part of the file the timeline shows (the whole file, unless the
    /// trace is shown a part at a time); critical paths and cuts are of it.
    part: Part,
    /// The analyses cover the whole file, not only the part shown (asked
    /// for on a big trace's pages).
    whole_file: bool,
    /// The size of the segments the file is read in (parts start at their
    /// boundaries): `gotrace::stream::DEFAULT_TARGET`, as the timeline's.
    target: usize,
    /// Everything about what is analysed (the part shown, or the whole
    /// file), from one pass on first need. Only one is kept, for memory; the
    /// whole file's outlives a change of the part shown.
    whole: Option<Result<Whole, String>>,
    /// The goroutine report and the profile samples for the last window asked.
    report: Option<(Window, GoroutineReport)>,
    profiles: Option<(Window, ProfileSet, Tables)>,
    /// MMU curves for flags other than Go's default.
    curves: Vec<(u8, MmuCurve)>,
    critical: Option<(CriticalPathAnalysis, Tables)>,
}

/// The whole-trace results of the one pass (an error: what that analysis
/// could not compute).
struct Whole {
    tables: Tables,
    report: GoroutineReport,
    profiles: Result<ProfileSet, String>,
    annotations: Annotations,
    /// For [`UtilFlags::DEFAULT`].
    curve: MmuCurve,
    cpu: Vec<(i64, StackId)>,
}

fn err(e: gotrace::Error) -> String {
    format!("The trace could not be analysed: {e}.")
}

fn state_of(s: &str) -> Option<GoState> {
    match s {
        "running" => Some(GoState::Running),
        "runnable" => Some(GoState::Runnable),
        "waiting" => Some(GoState::Waiting),
        "syscall" => Some(GoState::Syscall),
        "exited" => Some(GoState::NotExist),
        _ => None,
    }
}

fn go_filter(f: &Filter) -> GoroutineFilter {
    let name = f.name_contains.trim();
    GoroutineFilter {
        name_contains: (!name.is_empty()).then(|| name.to_string()),
        id: f.id,
        state: state_of(&f.state),
        min_total: f.min_total.filter(|&m| m > 0),
    }
}

fn selection(scope: &Scope) -> Selection {
    match scope {
        Scope::All => Selection::All,
        Scope::Group(n) => Selection::Group(n.clone()),
        Scope::Ids(ids) => Selection::Ids(ids.iter().copied().collect::<BTreeSet<_>>()),
    }
}

/// Flattens a flame tree root first, leaving out nodes narrower than
/// `prune` of the root (and their subtrees). Samples without a stack (the
/// root's own value) become a last child "(no stack)", so they show.
pub fn flatten(root: &FlameNode, unit: &str, samples: u64, prune: f64) -> Flame {
    let with_unknown;
    let root = if root.self_value > 0 && !root.children.is_empty() {
        let mut r = root.clone();
        r.children.push(FlameNode {
            name: NO_STACK.to_string(),
            self_value: r.self_value,
            total_value: r.self_value,
            self_count: r.self_count,
            total_count: r.self_count,
            children: Vec::new(),
        });
        r.self_value = 0;
        with_unknown = r;
        &with_unknown
    } else {
        root
    };
    let mut f = Flame {
        unit: unit.to_string(),
        samples,
        ..Flame::default()
    };
    let min = (root.total_value as f64 * prune).max(0.0);
    // (node, depth, start, parent index)
    let mut todo: Vec<(&FlameNode, u16, i64, u32)> = vec![(root, 0, 0, 0)];
    while let Some((n, depth, start, parent)) = todo.pop() {
        let me = f.names.len() as u32;
        f.names.push(if depth == 0 {
            "all".to_string()
        } else {
            n.name.clone()
        });
        f.depth.push(depth);
        f.start.push(start);
        f.total.push(n.total_value);
        f.self_value.push(n.self_value);
        f.parent.push(parent);
        // Children left to right; pushed in reverse so the leftmost pops first.
        let mut offs = Vec::with_capacity(n.children.len());
        let mut x = start;
        for c in &n.children {
            offs.push(x);
            x = x.saturating_add(c.total_value);
        }
        for (c, s) in n.children.iter().zip(offs).rev() {
            if (c.total_value as f64) < min || c.total_value <= 0 {
                f.pruned += 1;
                continue;
            }
            todo.push((c, depth.saturating_add(1), s, me));
        }
    }
    f
}

/// `UtilFlags` from their bits (unknown bits ignored).
pub fn util_flags(bits: u8) -> UtilFlags {
    [
        UtilFlags::STW,
        UtilFlags::BACKGROUND,
        UtilFlags::ASSIST,
        UtilFlags::SWEEP,
        UtilFlags::PER_PROC,
    ]
    .into_iter()
    .filter(|f| bits & f.bits() != 0)
    .fold(UtilFlags::empty(), UtilFlags::union)
}

fn durations(d: &tasks::DurationStats) -> Durations {
    Durations {
        total: d.total,
        p50: d.p50,
        p90: d.p90,
        p99: d.p99,
        max: d.max,
    }
}

/// A critical path for the wire: strings resolved, stacks listed once.
pub fn path_data(p: &CriticalPath, tables: &Tables) -> CriticalPathData {
    let mut stacks: Vec<Vec<String>> = Vec::new();
    let mut stack_index: HashMap<StackId, u32> = HashMap::new();
    let mut stack_ref = |id: StackId| -> Option<u32> {
        if id.is_none() {
            return None;
        }
        if let Some(&i) = stack_index.get(&id) {
            return Some(i);
        }
        let i = u32::try_from(stacks.len()).ok()?;
        stacks.push(
            tables
                .stack(id)
                .map(|f| format!("{} {}:{}", tables.str(f.func), tables.str(f.file), f.line))
                .collect(),
        );
        stack_index.insert(id, i);
        Some(i)
    };
    let segments = p
        .segments
        .iter()
        .map(|s| {
            let (state, reason) = match &s.kind {
                SegmentKind::Running => (PathState::Running, String::new()),
                SegmentKind::Runnable => (PathState::Runnable, String::new()),
                SegmentKind::Syscall => (PathState::Syscall, String::new()),
                SegmentKind::Waiting { reason } => (PathState::Waiting, reason.clone()),
            };
            PathSegment {
                goroutine: s.goroutine,
                start: s.start,
                end: s.end,
                state,
                reason,
                via: s.via.as_ref().map(|e| PathEdge {
                    kind: match e.kind {
                        EdgeKind::Unblock => PathEdgeKind::Unblock,
                        EdgeKind::Create => PathEdgeKind::Create,
                    },
                    target: e.target,
                    time: e.time,
                    reason: e.reason.clone(),
                    waiting_since: e.waiting_since,
                    stack: stack_ref(e.stack),
                }),
            }
        })
        .collect();
    CriticalPathData {
        goroutine: p.goroutine,
        window: p.window,
        start: p.start,
        end: p.end,
        segments,
        goroutines: p
            .goroutines
            .iter()
            .map(|g| PathShare {
                goroutine: g.goroutine,
                name: g.name.clone(),
                segments: g.segments,
                total: g.time.total(),
                running: g.time.running,
                runnable: g.time.runnable,
                syscall: g.time.syscall,
                waiting: g.time.waiting,
            })
            .collect(),
        hops: p.hops,
        stop: match p.stop {
            Stop::ReachedStart => PathStop::ReachedStart,
            Stop::Origin { goroutine, time } => PathStop::Origin { goroutine, time },
            Stop::Limit => PathStop::Limit,
            Stop::Cycle { time } => PathStop::Cycle { time },
        },
        stacks,
    }
}

impl Engine {
    pub fn new(file: impl TraceFile + 'static) -> Engine {
        Engine {
            file: Box::new(file),
            part: Part::WHOLE,
            whole_file: false,
            target: gotrace::stream::DEFAULT_TARGET,
            whole: None,
            report: None,
            profiles: None,
            curves: Vec::new(),
            critical: None,
        }
    }

    /// Analyses only `window` of the file (the part of a big trace shown).
    pub fn with_window(mut self, part: Part) -> Engine {
        self.part = part;
        self
    }

    /// Reads the file in segments of `target` bytes (tests: parts of small
    /// traces).
    pub fn with_segment_target(mut self, target: usize) -> Engine {
        self.target = target;
        self
    }

    /// Another part of the same file is shown: what was computed of the
    /// old part is dropped, what was computed of the whole file is kept.
    pub fn set_part(&mut self, part: Part) {
        if part != self.part {
            self.part = part;
            self.critical = None;
            if !self.whole_file {
                self.whole = None;
                self.forget_windows();
            }
        }
    }

    /// Whether the analyses cover the whole file or the part shown.
    pub fn set_whole_file(&mut self, whole_file: bool) {
        if whole_file != self.whole_file {
            self.whole_file = whole_file;
            self.whole = None;
            self.forget_windows();
        }
    }

    /// Drops the results of windows and other MMU flags (they are of the
    /// part or the file analysed before).
    fn forget_windows(&mut self) {
        self.report = None;
        self.profiles = None;
        self.curves.clear();
    }

    /// What the analyses read: the part shown, or the whole file.
    fn analysed(&self) -> Part {
        if self.whole_file {
            Part::WHOLE
        } else {
            self.part
        }
    }

    /// The trace analysed, to read from its start.
    fn stream(&self) -> Stream<Box<dyn std::io::Read + '_>> {
        self.stream_of(self.analysed())
    }

    fn stream_of(&self, part: Part) -> Stream<Box<dyn std::io::Read + '_>> {
        let mut s = Stream::new(self.file.open());
        s.window = part;
        s.target = self.target;
        s
    }

    /// The results of one pass over what is analysed, computed on first use.
    fn whole(&mut self) -> Result<&Whole, String> {
        if self.whole.is_none() {
            self.whole = Some(self.one_pass());
        }
        match &self.whole {
            Some(Ok(w)) => Ok(w),
            Some(Err(e)) => Err(e.clone()),
            None => Err("no analysis".to_string()),
        }
    }

    /// Every analysis in one pass over what is analysed.
    fn one_pass(&self) -> Result<Whole, String> {
        let mut cpu = Vec::new();
        let pass = all::analyze_source_with(
            || self.stream(),
            Analyses::new(),
            |ev| {
                if matches!(ev.payload, Payload::StackSample) {
                    cpu.push((ev.time, ev.stack));
                }
            },
        );
        match pass {
            Ok((r, _damage, tables)) => match (r.goroutines, r.profiles, r.tasks, r.mmu) {
                (Some(report), Some(profiles), Some(annotations), Some(curve)) => Ok(Whole {
                    tables,
                    report,
                    profiles: profiles.map_err(err),
                    annotations,
                    curve,
                    cpu,
                }),
                _ => Err("The trace could not be analysed.".to_string()),
            },
            Err(e) => Err(err(e)),
        }
    }

    pub fn handle(&mut self, req: &Request) -> Response {
        match req {
            Request::Groups { window, filter } => self.groups(*window, filter),
            Request::Group {
                name,
                window,
                filter,
                sort,
            } => self.group(name, *window, filter, sort),
            Request::Profile {
                kind,
                scope,
                window,
            } => match self.profile(kind, scope, *window) {
                Ok(p) => {
                    let samples = p.samples.iter().map(|s| s.count).sum();
                    Response::Flame(flatten(&p.flame_tree(), "ns", samples, PRUNE))
                }
                Err(e) => Response::Error(e),
            },
            Request::Pprof {
                kind,
                scope,
                window,
            } => match self.profile(kind, scope, *window) {
                Ok(p) => Response::Pprof {
                    name: format!("{}.pb.gz", p.kind.name()),
                    bytes: p.to_pprof(),
                },
                Err(e) => Response::Error(e),
            },
            Request::Cpu { window } => self.cpu(*window),
            Request::Tasks => self.tasks(),
            Request::TaskList {
                ty,
                search,
                goroutine,
                limit,
            } => self.task_list(ty.as_deref(), search, *goroutine, *limit),
            Request::RegionList { index, limit } => self.region_list(*index, *limit),
            Request::Mmu { flags, percentiles } => self.mmu(*flags, *percentiles),
            Request::MmuWorst { flags, window, n } => match self.curve(*flags) {
                Ok(c) => Response::MmuWorst(
                    c.worst_windows((*window).max(1), *n)
                        .into_iter()
                        .map(|w| super::protocol::Window {
                            start: w.time,
                            end: w.time.saturating_add(*window),
                            util: w.util,
                        })
                        .collect(),
                ),
                Err(e) => Response::Error(e),
            },
            Request::CriticalPath {
                goroutine,
                start,
                end,
            } => self.critical_path(*goroutine, *start, *end),
            Request::Index { budget } => self.index(*budget),
            // Indexed from a stream (one segment held at a time), of the
            // part shown: its times are those of the view.
            Request::Cut { start, end } => {
                match gotrace::cut::ranges_stream(self.file.open(), self.part, *start, *end) {
                    Ok(ranges) => Response::Slices {
                        ranges: ranges.iter().map(|r| [r.start, r.end]).collect(),
                    },
                    Err(e) => Response::Error(e.to_string()),
                }
            }
        }
    }

    /// The whole file's generation index, from a stream.
    fn index(&self, budget: u64) -> Response {
        let input = self.file.open();
        match gotrace::index::build_stream(input, gotrace::stream::DEFAULT_TARGET, Part::WHOLE) {
            Ok(index) => Response::Index {
                origin: index.origin_ns,
                part_starts: index.part_starts(gotrace::stream::DEFAULT_TARGET as u64, budget),
                generations: index
                    .generations
                    .iter()
                    .map(|g| super::protocol::GenerationRow {
                        number: g.number,
                        from: g.bytes.start,
                        end: g.bytes.end,
                        start: g.start_ns,
                        stop: g.end_ns,
                        events: g.events,
                        gc_cycles: g.summary.gc_cycles,
                        stw: g.summary.stw_ns,
                        heap_max: g.summary.heap_max,
                    })
                    .collect(),
                damage: index.error.map(|e| e.to_string()),
            },
            Err(e) => Response::Error(err(e)),
        }
    }

    fn critical_path(&mut self, goroutine: i64, start: i64, end: i64) -> Response {
        if self.critical.is_none() {
            match critical_path::from_trace(self.stream_of(self.part)) {
                Ok((a, tables, _damage)) => self.critical = Some((a, tables)),
                Err(e) => return Response::Error(err(e)),
            }
        }
        let Some((a, tables)) = &self.critical else {
            return Response::Error("no critical path".into());
        };
        Response::CriticalPath(
            a.path_limited(goroutine, start, end, MAX_PATH_SEGMENTS, tables)
                .map(|p| path_data(&p, tables)),
        )
    }

    fn report(&mut self, window: Window) -> Result<&GoroutineReport, String> {
        if window.is_none() {
            return self.whole().map(|w| &w.report);
        }
        if self.report.as_ref().is_none_or(|(w, _)| *w != window) {
            let opts = AnalysisOptions {
                window,
                goroutines: None,
            };
            let (r, _damage) = goroutines::analyze(self.stream(), opts).map_err(err)?;
            self.report = Some((window, r));
        }
        self.report
            .as_ref()
            .map(|(_, r)| r)
            .ok_or_else(|| "no report".to_string())
    }

    fn groups(&mut self, window: Window, filter: &Filter) -> Response {
        let f = go_filter(filter);
        match self.report(window) {
            Ok(r) => {
                let r = r.filtered(&f);
                Response::Groups {
                    groups: r
                        .groups()
                        .into_iter()
                        .map(|g| GroupRow {
                            name: g.name,
                            count: g.count,
                            exec_time: g.exec_time,
                        })
                        .collect(),
                    total_exec: r.total_exec_time(),
                    goroutines: r.goroutines.len(),
                }
            }
            Err(e) => Response::Error(e),
        }
    }

    fn group(&mut self, name: &str, window: Window, filter: &Filter, sort: &str) -> Response {
        let f = go_filter(filter);
        let r = match self.report(window) {
            Ok(r) => r,
            Err(e) => return Response::Error(e),
        };
        let last = r.last_time;
        let filtered = r.filtered(&f);
        let Some(mut d) = filtered.group(name) else {
            return Response::Group(None);
        };
        d.sort_by(sort);
        let more = d.rows.len().saturating_sub(MAX_ROWS);
        let rows = d
            .rows
            .iter()
            .take(MAX_ROWS)
            .map(|row| {
                let (start, end) = filtered
                    .get(row.id)
                    .map(|g| {
                        (
                            g.start_time.unwrap_or(g.creation_time),
                            g.end_time.unwrap_or(last),
                        )
                    })
                    .unwrap_or((0, last));
                GoroutineRow {
                    id: row.id,
                    total: row.total_time,
                    values: row.values.clone(),
                    ranges: row.ranges.clone(),
                    start,
                    end,
                }
            })
            .collect();
        let pick = |f: fn(&goroutines::ColumnStats) -> i64| -> Vec<i64> {
            d.percentiles.iter().map(f).collect()
        };
        type Column = fn(&goroutines::ColumnStats) -> i64;
        let columns: [(&str, Column); 4] = [
            ("p50", |c| c.p50),
            ("p90", |c| c.p90),
            ("p99", |c| c.p99),
            ("max", |c| c.max),
        ];
        let stats = columns
            .into_iter()
            .map(|(label, f)| StatRow {
                label: label.into(),
                values: pick(f),
            })
            .collect();
        Response::Group(Some(GroupTable {
            name: d.name.clone(),
            count: d.count,
            exec_time: d.exec_time,
            exec_percent: d.exec_time_percent,
            columns: d.columns.clone(),
            range_columns: d.range_columns.clone(),
            rows,
            more,
            stats,
        }))
    }

    fn profile(&mut self, kind: &str, scope: &Scope, window: Window) -> Result<Profile, String> {
        let Some(kind) = ProfileKind::from_name(kind) else {
            return Err(format!("Unknown profile {kind:?}."));
        };
        if window.is_none() {
            let w = self.whole()?;
            let set = w.profiles.as_ref().map_err(Clone::clone)?;
            return Ok(set.profile(kind, &selection(scope), &w.tables));
        }
        if self.profiles.as_ref().is_none_or(|(w, _, _)| *w != window) {
            let (set, tables, _damage) =
                pprof::build_from_trace(self.stream(), window).map_err(err)?;
            self.profiles = Some((window, set, tables));
        }
        let Some((_, set, tables)) = &self.profiles else {
            return Err("no profile".into());
        };
        Ok(set.profile(kind, &selection(scope), tables))
    }

    fn cpu(&mut self, window: Window) -> Response {
        let (tables, samples) = match self.whole() {
            Ok(w) => (&w.tables, &w.cpu),
            Err(e) => return Response::Error(e),
        };
        let mut by_stack: HashMap<StackId, u64> = HashMap::new();
        let mut n = 0u64;
        for &(t, s) in samples.iter() {
            if window.is_none_or(|(a, b)| t >= a && t < b) {
                *by_stack.entry(s).or_default() += 1;
                n += 1;
            }
        }
        let samples = by_stack
            .into_iter()
            .map(|(s, count)| ProfileSample {
                count,
                delay: count as i64,
                frames: ProfileFrame::of_stack(tables, s, usize::MAX),
            })
            .collect();
        let p = Profile {
            kind: ProfileKind::Sched,
            samples,
        };
        Response::Flame(flatten(&p.flame_tree(), "samples", n, PRUNE))
    }

    fn annotations(&mut self) -> Result<&Annotations, String> {
        self.whole().map(|w| &w.annotations)
    }

    fn tasks(&mut self) -> Response {
        let a = match self.annotations() {
            Ok(a) => a,
            Err(e) => return Response::Error(e),
        };
        Response::Tasks {
            task_types: a
                .task_types
                .iter()
                .map(|t| TypeRow {
                    ty: t.ty.to_string(),
                    func: String::new(),
                    count: t.count,
                    complete: t.complete,
                    durations: durations(&t.durations),
                    histogram: t.histogram.rows(),
                })
                .collect(),
            region_types: a
                .region_types
                .iter()
                .map(|t| TypeRow {
                    ty: t.ty.to_string(),
                    func: t
                        .frame
                        .as_ref()
                        .map(|f| f.func.to_string())
                        .unwrap_or_default(),
                    count: t.count,
                    complete: t.complete,
                    durations: durations(&t.durations),
                    histogram: t.histogram.rows(),
                })
                .collect(),
            tasks: a.tasks.len(),
        }
    }

    fn task_list(
        &mut self,
        ty: Option<&str>,
        search: &str,
        goroutine: Option<i64>,
        limit: usize,
    ) -> Response {
        let a = match self.annotations() {
            Ok(a) => a,
            Err(e) => return Response::Error(e),
        };
        let text = search.trim();
        let hits: Option<HashSet<u64>> =
            (!text.is_empty()).then(|| a.search(text, true).into_iter().collect());
        let mut matched: Vec<&tasks::Task> = a
            .tasks
            .iter()
            .filter(|t| ty.is_none_or(|ty| *t.ty == *ty))
            .filter(|t| hits.as_ref().is_none_or(|h| h.contains(&t.id)))
            .filter(|t| goroutine.is_none_or(|g| t.goroutines.contains(&g)))
            .collect();
        matched.sort_by_key(|t| (t.start_ns, t.id));
        Response::TaskList {
            matched: matched.len(),
            tasks: matched
                .into_iter()
                .take(limit)
                .map(|t| TaskRow {
                    id: t.id,
                    ty: t.ty.to_string(),
                    parent: t.parent,
                    start: t.start_ns,
                    end: t.end_ns,
                    complete: t.complete,
                    goroutines: t.goroutines.clone(),
                    events: t
                        .events
                        .iter()
                        .map(|e| LogLine {
                            time: e.time,
                            goroutine: e.goroutine,
                            // Go's "no parent" id (old traces' root tasks) in words.
                            text: e
                                .describe()
                                .replace(", parent 18446744073709551615)", ", parent none)"),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    fn region_list(&mut self, index: usize, limit: usize) -> Response {
        let a = match self.annotations() {
            Ok(a) => a,
            Err(e) => return Response::Error(e),
        };
        let Some(t) = a.region_types.get(index) else {
            return Response::RegionList {
                regions: Vec::new(),
                matched: 0,
            };
        };
        let mut rs: Vec<&tasks::Region> =
            t.regions.iter().filter_map(|&i| a.regions.get(i)).collect();
        rs.sort_by_key(|r| (std::cmp::Reverse(r.duration()), r.start_ns));
        Response::RegionList {
            matched: rs.len(),
            regions: rs
                .into_iter()
                .take(limit)
                .map(|r| RegionRow {
                    task: r.task,
                    goroutine: r.goroutine,
                    start: r.start_ns,
                    end: r.end_ns,
                    complete: r.complete(),
                })
                .collect(),
        }
    }

    fn curve(&mut self, flags: u8) -> Result<&MmuCurve, String> {
        if util_flags(flags) == UtilFlags::DEFAULT {
            return self.whole().map(|w| &w.curve);
        }
        if !self.curves.iter().any(|(f, _)| *f == flags) {
            let uf = util_flags(flags);
            let (c, _damage) = mmu::curve_from_trace(self.stream(), uf).map_err(err)?;
            self.curves.push((flags, c));
        }
        self.curves
            .iter()
            .find(|(f, _)| *f == flags)
            .map(|(_, c)| c)
            .ok_or_else(|| "no curve".to_string())
    }

    fn mmu(&mut self, flags: u8, with_percentiles: bool) -> Response {
        let c = match self.curve(flags) {
            Ok(c) => c,
            Err(e) => return Response::Error(e),
        };
        let windows = c.go_plot_windows();
        let mmu = windows.iter().map(|&w| c.mmu(w)).collect();
        let percentiles = if with_percentiles {
            windows
                .iter()
                .map(|&w| {
                    let v = c.percentiles(w, &[0.05, 0.01, 0.001]);
                    [
                        v.first().copied().unwrap_or(0.0),
                        v.get(1).copied().unwrap_or(0.0),
                        v.get(2).copied().unwrap_or(0.0),
                    ]
                })
                .collect()
        } else {
            Vec::new()
        };
        Response::Mmu(MmuData {
            windows,
            mmu,
            percentiles,
        })
    }
}
