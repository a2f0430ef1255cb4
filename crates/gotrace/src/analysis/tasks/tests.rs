use super::*;
use crate::event::{Event, GoState, Payload, StateTransition, Transition};
use crate::tables::{Frame, StackId, StrId, Tables};

struct Fixture {
    t: Tables,
    events: Vec<Event>,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            t: Tables::new(),
            events: Vec::new(),
        }
    }
    fn s(&mut self, s: &str) -> StrId {
        self.t.intern_str(s)
    }
    /// A stack of functions, leaf first.
    fn stack(&mut self, funcs: &[(&str, u64)]) -> StackId {
        let file = self.t.intern_str("main.go");
        let ids: Vec<_> = funcs
            .iter()
            .map(|&(f, pc)| {
                let func = self.t.intern_str(f);
                self.t.intern_frame(Frame {
                    pc,
                    func,
                    file,
                    line: pc,
                })
            })
            .collect();
        self.t.intern_stack(&ids)
    }
    fn push(&mut self, time: i64, g: i64, stack: StackId, payload: Payload) {
        self.events.push(Event {
            time,
            m: 1,
            p: 0,
            g,
            stack,
            wire_type: 0,
            payload,
        });
    }
    #[allow(clippy::too_many_arguments)]
    fn go(
        &mut self,
        time: i64,
        ctx: i64,
        id: i64,
        old: GoState,
        new: GoState,
        tstack: StackId,
        reason: &str,
    ) {
        self.go_at(time, ctx, StackId::NONE, id, old, new, tstack, reason);
    }
    #[allow(clippy::too_many_arguments)]
    fn go_at(
        &mut self,
        time: i64,
        ctx: i64,
        stack: StackId,
        id: i64,
        old: GoState,
        new: GoState,
        tstack: StackId,
        reason: &str,
    ) {
        let reason = self.s(reason);
        self.push(
            time,
            ctx,
            stack,
            Payload::StateTransition(StateTransition {
                transition: Transition::Goroutine { id, old, new },
                reason,
                stack: tstack,
            }),
        );
    }
    fn run(&self) -> Annotations {
        let mut a = TaskAnalysis::new();
        for e in &self.events {
            a.add(e, &self.t);
        }
        a.finish(&self.t)
    }
}

#[test]
fn tasks_regions_logs() {
    use GoState::*;
    let mut f = Fixture::new();
    let main_stack = f.stack(&[("main.work", 10), ("main.main", 20)]);
    let main_root = f.stack(&[("main.main", 20)]);
    let worker_start = f.stack(&[("main.worker", 30)]);
    let sys_start = f.stack(&[("runtime.bgsweep", 40)]);
    let (req, sub, db, cat, msg, step) = (
        f.s("request"),
        f.s("sub"),
        f.s("db"),
        f.s("Phase"),
        f.s("Hello World"),
        f.s("step"),
    );
    f.push(0, -1, StackId::NONE, Payload::Sync { n: 1, clock: None });
    f.go(1, -1, 1, Undetermined, Running, main_root, "");
    f.push(
        10,
        1,
        main_stack,
        Payload::TaskBegin {
            id: 5,
            parent: 0,
            ty: req,
        },
    );
    f.push(20, 1, main_stack, Payload::RegionBegin { task: 5, ty: db });
    // Created inside "db": inherits task 5 through a "" region.
    f.go_at(25, 1, main_stack, 2, NotExist, Runnable, worker_start, "");
    f.go(26, 1, 3, NotExist, Runnable, sys_start, "");
    f.push(
        30,
        1,
        main_stack,
        Payload::Log {
            task: 5,
            category: cat,
            message: msg,
        },
    );
    f.push(
        40,
        1,
        main_stack,
        Payload::TaskBegin {
            id: 6,
            parent: 5,
            ty: sub,
        },
    );
    f.push(50, 1, main_stack, Payload::RegionEnd { task: 5, ty: db });
    f.go(60, -1, 2, Runnable, Running, StackId::NONE, "");
    f.push(
        70,
        2,
        worker_start,
        Payload::RegionBegin { task: 6, ty: step },
    );
    // Exits with "step" open: the exit ends it.
    f.go(80, 2, 2, Running, NotExist, StackId::NONE, "");
    // An end without a begin, of a task never begun.
    f.push(90, 1, main_stack, Payload::RegionEnd { task: 9, ty: step });
    f.push(
        95,
        1,
        main_stack,
        Payload::TaskEnd {
            id: 5,
            parent: NO_TASK,
            ty: req,
        },
    );
    f.push(
        100,
        1,
        main_stack,
        Payload::TaskEnd {
            id: 7,
            parent: NO_TASK,
            ty: StrId::EMPTY,
        },
    );
    f.push(200, -1, StackId::NONE, Payload::Sync { n: 2, clock: None });
    let a = f.run();
    assert_eq!((a.trace_start, a.trace_end), (0, 200));

    let ids: Vec<u64> = a.tasks.iter().map(|t| t.id).collect();
    assert_eq!(ids, vec![0, 5, 6, 7, 9]);
    let t5 = a.task(5).unwrap();
    assert_eq!(
        (t5.ty.as_ref(), t5.parent, t5.complete, t5.duration()),
        ("request", Some(0), true, 85)
    );
    assert_eq!(t5.children, vec![6]);
    assert_eq!(t5.logs, 1);
    assert_eq!(t5.goroutines, vec![1]);
    let lines: Vec<String> = t5
        .events
        .iter()
        .map(|e| format!("{} {} {}", e.time, e.goroutine, e.describe()))
        .collect();
    assert_eq!(
        lines,
        vec![
            "10 1 task \"request\" (ID 5, parent 0) begin",
            "20 1 region \"db\" begin",
            "30 1 log (category: Phase): \"Hello World\"",
            "50 1 region \"db\" end",
            "95 1 task end",
        ]
    );
    let t6 = a.task(6).unwrap();
    assert!(!t6.complete);
    assert_eq!((t6.start_ns, t6.end_ns), (40, 200));
    let lines: Vec<String> = t6
        .events
        .iter()
        .map(|e| format!("{} {}", e.goroutine, e.describe()))
        .collect();
    assert_eq!(
        lines[1..],
        [
            "2 region \"step\" begin".to_string(),
            "2 Running -> NotExist".to_string()
        ]
    );
    let t0 = a.task(0).unwrap();
    assert_eq!((t0.ty.as_ref(), t0.children.clone()), ("", vec![5]));
    let t7 = a.task(7).unwrap();
    assert_eq!((t7.start_ns, t7.end_ns, t7.complete), (0, 100, false));

    // Task types: "" (tasks 0, 7, 9), request, sub.
    let tt: Vec<(&str, usize, usize)> = a
        .task_types
        .iter()
        .map(|t| (t.ty.as_ref(), t.count, t.complete))
        .collect();
    assert_eq!(tt, vec![("", 3, 0), ("request", 1, 1), ("sub", 1, 0)]);
    assert_eq!(a.task_types[1].durations.max, 85);
    assert_eq!(a.task_types[1].histogram.count, 1);

    // Region table: db (main.main), the inherited "" region of G2 (ended by
    // its exit; frame = root of the creation stack), step (begun by G2;
    // frame main.worker), step end-only (no frame). G3 is a system
    // goroutine: its inherited region is still open at the end and dropped.
    let rt: Vec<(&str, Option<u64>, usize)> = a
        .region_types
        .iter()
        .map(|r| (r.ty.as_ref(), r.frame.as_ref().map(|f| f.pc), r.count))
        .collect();
    assert_eq!(
        rt,
        vec![
            ("", Some(20), 1),
            ("db", Some(20), 1),
            ("step", None, 1),
            ("step", Some(30), 1)
        ]
    );
    let inherited = &a.regions[a.region_types[0].regions[0]];
    assert_eq!(
        (
            inherited.task,
            inherited.goroutine,
            inherited.start_ns,
            inherited.end_ns
        ),
        (5, 2, 25, 80)
    );
    let end_only = &a.regions[a.region_types[2].regions[0]];
    assert_eq!(
        (end_only.start_ns, end_only.end_ns, end_only.complete()),
        (0, 90, false)
    );

    // Search: Go's is case-sensitive and also matches types and regions.
    assert_eq!(a.search("hello", false), Vec::<u64>::new());
    assert_eq!(a.search("hello", true), vec![5]);
    assert_eq!(a.search("step", false), vec![6, 9]);
    assert_eq!(a.search("sub", false), vec![6]);
}

#[test]
fn forever_wait_and_end_of_trace() {
    use GoState::*;
    let mut f = Fixture::new();
    let st = f.stack(&[("main.main", 1)]);
    let (a_ty, b_ty) = (f.s("a"), f.s("b"));
    f.go(0, -1, 1, Undetermined, Running, st, "");
    f.go(0, -1, 8, Undetermined, Running, st, "");
    f.push(10, 1, st, Payload::RegionBegin { task: 0, ty: a_ty });
    f.push(11, 8, st, Payload::RegionBegin { task: 0, ty: b_ty });
    f.go(20, 1, 1, Running, Waiting, StackId::NONE, "forever");
    f.push(30, -1, StackId::NONE, Payload::Sync { n: 2, clock: None });
    let a = f.run();
    let r: Vec<(String, i64, Option<i64>)> = a
        .regions
        .iter()
        .map(|r| (r.ty.to_string(), r.start_ns, r.end))
        .collect();
    assert_eq!(r, vec![("a".into(), 10, Some(20)), ("b".into(), 11, None)]);
    assert_eq!(a.regions[1].end_ns, 30);
    // The forever-wait ends the region in the task log too.
    let t0 = a.task(0).unwrap();
    assert_eq!(
        t0.events.last().map(|e| e.describe()),
        Some("Running -> Waiting".into())
    );
}

#[test]
fn empty_input() {
    let a = TaskAnalysis::new().finish(&Tables::new());
    assert!(a.tasks.is_empty() && a.region_types.is_empty() && a.task_types.is_empty());
}

#[test]
fn quoting_and_percentiles() {
    assert_eq!(go_quote("a\"b\\c\n\u{1}é"), "\"a\\\"b\\\\c\\n\\x01é\"");
    let s = duration_stats((1..=100).rev().collect());
    assert_eq!(
        (s.total, s.p50, s.p90, s.p99, s.max),
        (5050, 50, 90, 99, 100)
    );
    assert_eq!(duration_stats(vec![]), DurationStats::default());
}
