//! Hand-built event sequences → timeline; encoding round trips.

use super::*;
use crate::event::*;
use crate::tables::{Frame as TFrame, StackId, StrId, Tables};

struct T {
    tables: Tables,
    b: Builder,
}

fn ev(time: i64, g: i64, p: i64, stack: StackId, payload: Payload) -> Event {
    Event {
        time,
        m: 1,
        p,
        g,
        stack,
        wire_type: 0,
        payload,
    }
}

impl T {
    fn new() -> T {
        T {
            tables: Tables::new(),
            b: Builder::new(),
        }
    }
    fn stack(&mut self, funcs: &[&str]) -> StackId {
        let file = self.tables.intern_str("main.go");
        let frames: Vec<_> = funcs
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let func = self.tables.intern_str(f);
                self.tables.intern_frame(TFrame {
                    pc: 0x1000 + i as u64,
                    func,
                    file,
                    line: 10 + i as u64,
                })
            })
            .collect();
        self.tables.intern_stack(&frames)
    }
    fn s(&mut self, s: &str) -> StrId {
        self.tables.intern_str(s)
    }
    #[allow(clippy::too_many_arguments)]
    fn go(
        &mut self,
        time: i64,
        ctx_g: i64,
        p: i64,
        id: i64,
        old: GoState,
        new: GoState,
        reason: &str,
        stack: StackId,
    ) {
        let reason = self.s(reason);
        self.go_st(time, ctx_g, p, stack, id, old, new, reason, stack);
    }
    #[allow(clippy::too_many_arguments)]
    fn go_st(
        &mut self,
        time: i64,
        ctx_g: i64,
        p: i64,
        ev_stack: StackId,
        id: i64,
        old: GoState,
        new: GoState,
        reason: StrId,
        st_stack: StackId,
    ) {
        let st = StateTransition {
            transition: Transition::Goroutine { id, old, new },
            reason,
            stack: st_stack,
        };
        self.b
            .push(&ev(time, ctx_g, p, ev_stack, Payload::StateTransition(st)));
    }
    fn proc(&mut self, time: i64, id: i64, old: ProcState, new: ProcState) {
        let st = StateTransition {
            transition: Transition::Proc { id, old, new },
            reason: StrId::EMPTY,
            stack: StackId::NONE,
        };
        self.b.push(&ev(
            time,
            NO_GOROUTINE,
            id,
            StackId::NONE,
            Payload::StateTransition(st),
        ));
    }
    fn push(&mut self, time: i64, g: i64, p: i64, payload: Payload) {
        self.b.push(&ev(time, g, p, StackId::NONE, payload));
    }
    fn finish(self) -> Timeline {
        self.b.finish(&self.tables)
    }
}

use GoState::*;

/// A small but complete scenario: two goroutines, one P stolen in a
/// syscall, a block/unblock pair, regions, GC ranges, metrics, two generations.
fn scenario() -> Timeline {
    let mut t = T::new();
    let none = StackId::NONE;
    let s_main = t.stack(&["main.main", "runtime.main"]);
    let s_block = t.stack(&["runtime.chanrecv1", "main.main", "runtime.main"]);
    let s_start = t.stack(&["main.worker"]);
    let s_create = t.stack(&["main.main", "runtime.main"]);
    let s_sys = t.stack(&["syscall.read", "main.main", "runtime.main"]);
    let region = t.s("outer");
    let inner = t.s("inner");

    t.push(
        100,
        NO_GOROUTINE,
        NO_PROC,
        Payload::Sync { n: 1, clock: None },
    );
    t.proc(100, 0, ProcState::Undetermined, ProcState::Running);
    t.proc(100, 1, ProcState::Undetermined, ProcState::Idle);
    t.go(100, NO_GOROUTINE, 0, 1, Undetermined, Running, "", s_main);
    t.push(
        105,
        1,
        0,
        Payload::Metric {
            metric: Metric::HeapAlloc,
            value: 4096,
        },
    );
    t.push(
        110,
        1,
        0,
        Payload::RegionBegin {
            task: 0,
            ty: region,
        },
    );
    t.go_st(
        150,
        1,
        0,
        s_create,
        2,
        NotExist,
        Runnable,
        StrId::EMPTY,
        s_start,
    );
    t.push(160, 1, 0, Payload::RegionBegin { task: 0, ty: inner });
    t.push(170, 1, 0, Payload::RegionEnd { task: 0, ty: inner });
    t.go(200, 1, 0, 1, Running, Waiting, "chan receive", s_block);
    t.go(210, NO_GOROUTINE, 0, 2, Runnable, Running, "", none);
    t.push(
        220,
        2,
        0,
        Payload::RangeBegin {
            name: RangeName::GcMark,
            scope: Resource::None,
        },
    );
    t.go(300, 2, 0, 1, Waiting, Runnable, "", none);
    t.go(320, 2, 0, 2, Running, NotExist, "", none);
    t.go(330, NO_GOROUTINE, 0, 1, Runnable, Running, "", none);
    t.push(
        340,
        1,
        0,
        Payload::RegionEnd {
            task: 0,
            ty: region,
        },
    );
    t.push(
        350,
        1,
        0,
        Payload::RangeEnd {
            name: RangeName::GcMark,
            scope: Resource::None,
            sweep: None,
        },
    );
    // Second generation re-states what is known.
    t.push(
        400,
        NO_GOROUTINE,
        NO_PROC,
        Payload::Sync { n: 2, clock: None },
    );
    t.proc(400, 0, ProcState::Running, ProcState::Running);
    t.go(400, NO_GOROUTINE, 0, 1, Running, Running, "", s_main);
    t.push(
        410,
        1,
        0,
        Payload::RangeActive {
            name: RangeName::GcMark,
            scope: Resource::None,
        },
    );
    t.go(500, 1, 0, 1, Running, Syscall, "", s_sys);
    t.proc(520, 0, ProcState::Running, ProcState::Idle);
    t.push(
        600,
        NO_GOROUTINE,
        NO_PROC,
        Payload::Metric {
            metric: Metric::HeapGoal,
            value: 8192,
        },
    );
    t.finish()
}

fn states(tl: &Timeline, g: usize) -> Vec<(i64, SpanState, String)> {
    let gr = &tl.goroutines[g];
    (gr.spans_start as usize..gr.spans_end as usize)
        .map(|i| {
            let k = tl.spans.kind_of(i);
            (
                tl.spans.start[i],
                k.state,
                tl.strings.get(k.reason).into_owned(),
            )
        })
        .collect()
}

#[test]
fn goroutine_spans_follow_transitions() {
    let tl = scenario();
    assert_eq!(tl.origin, 100);
    assert_eq!(tl.duration, 500);
    assert_eq!(
        tl.goroutines.iter().map(|g| g.id).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(
        states(&tl, 0),
        vec![
            (0, SpanState::Running, "".into()),
            (100, SpanState::Waiting, "chan receive".into()),
            (200, SpanState::Runnable, "".into()),
            (230, SpanState::Running, "".into()),
            (400, SpanState::Syscall, "".into()),
        ]
    );
    assert_eq!(
        states(&tl, 1),
        vec![
            (50, SpanState::Runnable, "".into()),
            (110, SpanState::Running, "".into()),
            (220, SpanState::NotExist, "".into()),
        ]
    );
    // The last span ends at the end of the trace.
    let g0 = tl.goroutines[0].clone();
    assert_eq!(tl.span_end(&g0, g0.spans_end as usize - 1), 500);
    assert_eq!(tl.span_end(&g0, 1), 200);
}

#[test]
fn goroutine_names_come_from_the_root_frame() {
    let tl = scenario();
    assert_eq!(tl.goroutine_name(0), "runtime.main");
    assert_eq!(tl.goroutine_name(1), "main.worker");
}

#[test]
fn waiting_span_knows_its_unblocker_and_stack() {
    let tl = scenario();
    let i = tl.span_at(0, 150).unwrap();
    assert_eq!(tl.spans.kind_of(i).state, SpanState::Waiting);
    assert_eq!(
        tl.spans.unblocker[i], 1,
        "unblocked by goroutine index 1 (id 2)"
    );
    let frames: Vec<_> = tl
        .stacks
        .get(tl.spans.stack[i])
        .map(|f| tl.strings.get(f.func).into_owned())
        .collect();
    assert_eq!(
        frames,
        vec!["runtime.chanrecv1", "main.main", "runtime.main"]
    );
    let f = tl.stacks.get(tl.spans.stack[i]).next().unwrap();
    assert_eq!(tl.strings.get(f.file), "main.go");
    assert_eq!(f.line, 10);
    // The created goroutine's first span carries the creation stack.
    let c = tl.goroutines[1].spans_start as usize;
    let top = tl.stacks.get(tl.spans.stack[c]).next().unwrap();
    assert_eq!(tl.strings.get(top.func), "main.main");
    // Nobody unblocked the others.
    assert!(tl
        .spans
        .unblocker
        .iter()
        .enumerate()
        .all(|(j, &u)| j == i || u == NO_INDEX));
}

#[test]
fn proc_spans_cover_executing_goroutines_until_the_p_is_taken() {
    let tl = scenario();
    assert_eq!(tl.procs.len(), 2);
    let p = &tl.procs[0];
    let spans: Vec<_> = (0..p.start.len())
        .map(|i| (p.start[i], p.end[i], p.goroutine[i]))
        .collect();
    // g1 0..100, g2 110..220, g1 230..420 (syscall from 400 until the P is stolen at 420).
    assert_eq!(spans, vec![(0, 100, 0), (110, 220, 1), (230, 420, 0)]);
    assert!(tl.procs[1].start.is_empty());
}

#[test]
fn ranges_regions_counters() {
    let tl = scenario();
    let gc: Vec<_> = tl.ranges.iter().map(|r| (r.kind, r.start, r.end)).collect();
    // Closed at 250; active again in the second generation (from its Sync on), open at the end.
    assert_eq!(
        gc,
        vec![(RangeKind::GcMark, 120, 250), (RangeKind::GcMark, 310, 500)]
    );

    let regions: Vec<_> = tl
        .regions
        .iter()
        .map(|r| (r.goroutine, r.start, r.end, r.depth))
        .collect();
    assert_eq!(regions, vec![(0, 10, 240, 0), (0, 60, 70, 1)]);
    assert_eq!(tl.strings.get(tl.regions[0].ty), "outer");
    assert_eq!(tl.regions_of(0).len(), 2);
    assert!(tl.regions_of(1).is_empty());

    let heap = tl.counter(CounterKind::HeapAlloc);
    assert_eq!(
        (heap.times.clone(), heap.values.clone()),
        (vec![5], vec![4096])
    );
    assert_eq!(tl.counter(CounterKind::HeapGoal).values, vec![8192]);
    let running = tl.counter(CounterKind::GoRunning);
    assert_eq!(running.value_at(0), 1);
    assert_eq!(running.value_at(150), 1); // g2
    assert_eq!(running.value_at(225), 0);
    assert_eq!(running.value_at(300), 1);
    assert_eq!(running.value_at(450), 0);
    assert_eq!(tl.counter(CounterKind::GoSyscall).value_at(450), 1);
    assert_eq!(tl.counter(CounterKind::GoWaiting).value_at(150), 1);
    assert_eq!(tl.counter(CounterKind::GoRunnable).value_at(60), 1);
    assert_eq!(tl.counter(CounterKind::ProcsRunning).value_at(10), 1);
    assert_eq!(tl.counter(CounterKind::ProcsRunning).value_at(430), 0);
    assert_eq!(tl.syncs, vec![0, 300]);
}

#[test]
fn counter_coalesces_same_time_and_unchanged_values() {
    let mut c = Counter::default();
    c.push(0, 1);
    c.push(5, 1);
    c.push(5, 2);
    c.push(5, 3);
    c.push(7, 3);
    c.push(9, 1);
    c.push(9, 3);
    assert_eq!(c.times, vec![0, 5]);
    assert_eq!(c.values, vec![1, 3]);
    assert_eq!(c.value_at(-1), 0);
    assert_eq!(c.value_at(6), 3);
}

#[test]
fn encoding_round_trips() {
    let tl = scenario();
    let bytes = tl.encode();
    let back = Timeline::decode(&bytes).unwrap();
    assert_eq!(back, tl);
}

#[test]
fn decoding_damaged_bytes_fails_cleanly() {
    let bytes = scenario().encode();
    for n in 0..bytes.len() {
        assert!(Timeline::decode(&bytes[..n]).is_err(), "prefix {n}");
    }
    // Flipping bytes never panics.
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0xff;
        let _ = Timeline::decode(&b);
    }
}

#[test]
fn storage_stays_within_budget_per_span() {
    let mut t = T::new();
    t.proc(0, 0, ProcState::Undetermined, ProcState::Running);
    let n = 20_000i64;
    for g in 1..=100 {
        t.go(
            0,
            NO_GOROUTINE,
            NO_PROC,
            g,
            Undetermined,
            Runnable,
            "",
            StackId::NONE,
        );
    }
    for i in 0..n {
        let g = 1 + i % 100;
        let time = 10 + i * 10;
        t.go(
            time,
            NO_GOROUTINE,
            0,
            g,
            Runnable,
            Running,
            "",
            StackId::NONE,
        );
        t.go(
            time + 5,
            g,
            0,
            g,
            Running,
            Runnable,
            "preempted",
            StackId::NONE,
        );
    }
    let tl = t.finish();
    let proc_spans: usize = tl.procs.iter().map(|p| p.start.len()).sum();
    let spans = tl.spans.len() + proc_spans;
    assert!(tl.spans.len() >= 2 * n as usize);
    let per_span = tl.encode().len() as f64 / spans as f64;
    // Includes the derived counters (two samples per transition).
    assert!(per_span < 16.0, "{per_span} encoded bytes per span");
    let span_heap = tl.spans.start.capacity() * 8
        + tl.spans.kind.capacity() * 2
        + tl.spans.stack.capacity() * 4
        + tl.spans.unblocker.capacity() * 4
        + proc_spans * 20;
    let heap = span_heap as f64 / spans as f64;
    assert!(heap <= 20.0, "{heap} heap bytes per span");
}

/// Every trace under testdata/traces builds a consistent timeline.
#[test]
fn real_traces_build_consistent_timelines() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/traces");
    let Ok(dirs) = std::fs::read_dir(&root) else {
        return;
    };
    let mut n = 0;
    let mut failures = Vec::new();
    for dir in dirs.flatten() {
        // go1.N/ hold good traces (rejected/ holds traces Go refuses).
        if !dir.file_name().to_string_lossy().starts_with("go1.") {
            continue;
        }
        let Ok(files) = std::fs::read_dir(dir.path()) else {
            continue;
        };
        for f in files.flatten() {
            let p = f.path();
            if p.extension().and_then(|e| e.to_str()) != Some("trace") {
                continue;
            }
            let data = std::fs::read(&p).unwrap();
            match build(&data, 0, |_, _, _| {}) {
                Ok(tl) => {
                    n += 1;
                    let name = p.display().to_string();
                    tl.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert!(tl.events > 0, "{name}: no events");
                    assert!(!tl.goroutines.is_empty(), "{name}: no goroutines");
                    assert!(
                        tl.procs.iter().any(|p| !p.start.is_empty()),
                        "{name}: no P ran anything"
                    );
                    for p in &tl.procs {
                        for i in 0..p.start.len() {
                            assert!(
                                p.start[i] <= p.end[i],
                                "{name}: P span ends before it starts"
                            );
                            assert!(
                                i == 0 || p.end[i - 1] <= p.start[i],
                                "{name}: P spans overlap"
                            );
                        }
                    }
                    for g in &tl.goroutines {
                        let s = &tl.spans.start[g.spans_start as usize..g.spans_end as usize];
                        assert!(
                            s.windows(2).all(|w| w[0] <= w[1]),
                            "{name}: G{} spans out of order",
                            g.id
                        );
                    }
                    assert_eq!(
                        Timeline::decode(&tl.encode()).as_ref(),
                        Ok(&tl),
                        "{name}: round trip"
                    );
                }
                Err(e) => failures.push(format!("{}: {e}", p.display())),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{n} traces read; failed:\n{}",
        failures.join("\n")
    );
}

/// Traces Go refuses fail cleanly here too (an error, not a panic).
#[test]
fn rejected_traces_fail_cleanly() {
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/traces/rejected");
    let Ok(files) = std::fs::read_dir(&root) else {
        return;
    };
    for f in files.flatten() {
        if f.path().extension().and_then(|e| e.to_str()) != Some("trace") {
            continue;
        }
        let data = std::fs::read(f.path()).unwrap();
        assert!(
            build(&data, 1000, |_, _, _| {}).is_err(),
            "{}",
            f.path().display()
        );
    }
}
