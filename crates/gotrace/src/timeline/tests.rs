//! Hand-built event sequences → timeline; encoding round trips.

use super::*;
use crate::event::*;
use crate::tables::{Frame as TFrame, StackId, StrId, Tables};

struct T {
    tables: Tables,
    b: Builder,
    /// Every this many events, the chunks sealed are sent ahead (0: never).
    ship_every: u64,
    shipped: Vec<SealedChunk>,
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
            ship_every: 0,
            shipped: Vec::new(),
        }
    }
    fn pushed(&mut self) {
        if self.ship_every > 0 && self.b.events().is_multiple_of(self.ship_every) {
            let out = &mut self.shipped;
            self.b.take_sealed(&self.tables, |c| out.push(c));
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
        self.pushed();
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
        self.pushed();
    }
    fn push(&mut self, time: i64, g: i64, p: i64, payload: Payload) {
        self.b.push(&ev(time, g, p, StackId::NONE, payload));
        self.pushed();
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
    tl.spans_from(g, 0)
        .map(|s| {
            (
                s.start,
                s.kind.state,
                tl.strings.get(s.kind.reason).into_owned(),
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
    assert_eq!(tl.span(0, tl.span_count(0) - 1).unwrap().end, 500);
    assert_eq!(tl.span(0, 1).unwrap().end, 200);
    assert!(tl.span(0, tl.span_count(0)).is_none());
    // Running time and existence.
    assert_eq!(tl.goroutines[0].running, 100 + 170);
    assert_eq!(tl.goroutines[1].running, 110);
    assert!(tl.goroutines.iter().all(|g| g.drawn));
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
    let s = tl.span(0, i).unwrap();
    assert_eq!(s.kind.state, SpanState::Waiting);
    assert_eq!(s.unblocker, 2, "unblocked by goroutine 2");
    let frames: Vec<_> = tl
        .stacks
        .get(s.stack)
        .map(|f| tl.strings.get(f.func).into_owned())
        .collect();
    assert_eq!(
        frames,
        vec!["runtime.chanrecv1", "main.main", "runtime.main"]
    );
    let f = tl.stacks.get(s.stack).next().unwrap();
    assert_eq!(tl.strings.get(f.file), "main.go");
    assert_eq!(f.line, 10);
    // The created goroutine's first span carries the creation stack.
    let top = tl.stacks.get(tl.span(1, 0).unwrap().stack).next().unwrap();
    assert_eq!(tl.strings.get(top.func), "main.main");
    // Nobody unblocked the others.
    for g in 0..2 {
        assert!(tl
            .spans_from(g, 0)
            .all(|sp| (g == 0 && sp.index == i) || sp.unblocker == -1));
    }
}

#[test]
fn proc_spans_cover_executing_goroutines_until_the_p_is_taken() {
    let tl = scenario();
    assert_eq!(tl.procs.len(), 2);
    let p = &tl.procs[0];
    let spans: Vec<_> = p
        .iter_from(0)
        .map(|s| (s.start, s.end, s.goroutine))
        .collect();
    // g1 0..100, g2 110..220, g1 230..420 (syscall from 400 until the P is stolen at 420).
    assert_eq!(spans, vec![(0, 100, 1), (110, 220, 2), (230, 420, 1)]);
    assert!(tl.procs[1].is_empty());
    assert_eq!(p.at(150).map(|s| s.goroutine), Some(2));
    assert_eq!(p.at(105), None);
}

#[test]
fn thread_spans_follow_goroutines_onto_their_threads() {
    let tl = scenario();
    // Every event ran on thread 1: one lane, g1 running then in a syscall until the end.
    assert_eq!(tl.threads.len(), 1);
    let m = &tl.threads[0];
    assert_eq!(m.id, 1);
    let spans: Vec<_> = m
        .iter_from(0)
        .map(|s| (s.start, s.end, s.goroutine, s.syscall))
        .collect();
    assert_eq!(
        spans,
        vec![
            (0, 100, 1, false),
            (110, 220, 2, false),
            (230, 400, 1, false),
            (400, 500, 1, true)
        ]
    );
    assert_eq!(m.get(3).unwrap().proc, 0);
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

    let heap: Vec<_> = tl.counter_from(CounterKind::HeapAlloc, 0).collect();
    assert_eq!(heap, vec![(5, 4096), (500, 4096)]);
    assert_eq!(tl.counter_at(CounterKind::HeapGoal, 499), 0);
    assert_eq!(tl.counter_at(CounterKind::HeapGoal, 500), 8192);
    assert_eq!(tl.counter_max(CounterKind::HeapGoal), 8192);
    let running = |t| tl.counter_at(CounterKind::GoRunning, t);
    assert_eq!(running(0), 1);
    assert_eq!(running(150), 1); // g2
    assert_eq!(running(225), 0);
    assert_eq!(running(300), 1);
    assert_eq!(running(450), 0);
    assert_eq!(tl.counter_at(CounterKind::GoSyscall, 450), 1);
    assert_eq!(tl.counter_at(CounterKind::GoWaiting, 150), 1);
    assert_eq!(tl.counter_at(CounterKind::GoRunnable, 60), 1);
    assert_eq!(tl.counter_at(CounterKind::ProcsRunning, 10), 1);
    assert_eq!(tl.counter_at(CounterKind::ProcsRunning, 430), 0);
    assert_eq!(tl.syncs, vec![0, 300]);
}

#[test]
fn counter_series_coalesce_same_time_and_unchanged_values() {
    let mut t = T::new();
    let sets = [(0, 1), (5, 1), (5, 2), (5, 3), (7, 3), (9, 1), (9, 3)];
    for (time, value) in sets {
        let metric = Metric::Gomaxprocs;
        t.push(
            time,
            NO_GOROUTINE,
            NO_PROC,
            Payload::Metric { metric, value },
        );
    }
    let tl = t.finish();
    let samples: Vec<_> = tl.counter_from(CounterKind::Gomaxprocs, 0).collect();
    assert_eq!(samples, vec![(0, 1), (5, 3)]);
    assert_eq!(tl.counter_at(CounterKind::Gomaxprocs, -1), 0);
    assert_eq!(tl.counter_at(CounterKind::Gomaxprocs, 6), 3);
    // The other counter of the series holds its value across records.
    assert_eq!(tl.counter_at(CounterKind::ProcsRunning, 6), 0);
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
    let go_spans: usize = tl.goroutines.iter().map(|g| g.spans.len()).sum();
    assert!(go_spans >= 2 * n as usize);
    let spans = tl.span_total();
    // Everything: goroutine, P and thread spans, the derived counters (a
    // sample per transition), summaries and tables.
    let per_span = tl.heap_bytes() as f64 / spans as f64;
    assert!(per_span < 8.0, "{per_span} heap bytes per span");
    let encoded = tl.encode().len() as f64 / spans as f64;
    assert!(encoded < 8.5, "{encoded} encoded bytes per span");
}

/// Every trace under testdata/traces builds a consistent timeline.
#[test]
fn real_traces_build_consistent_timelines() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/traces");
    let dirs = std::fs::read_dir(&root).expect("testdata/traces");
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
                        tl.procs.iter().any(|p| !p.is_empty()),
                        "{name}: no P ran anything"
                    );
                    assert!(!tl.threads.is_empty(), "{name}: no thread ran anything");
                    for p in tl.procs.iter().chain(&tl.threads) {
                        let spans: Vec<_> = p.iter_from(0).collect();
                        assert_eq!(spans.len(), p.len(), "{name}: lane decodes");
                        for (i, s) in spans.iter().enumerate() {
                            assert!(s.start <= s.end, "{name}: span ends before it starts");
                            assert!(
                                i == 0 || spans[i - 1].end <= s.start,
                                "{name}: {:?} {} spans overlap",
                                p.kind,
                                p.id
                            );
                            assert!(
                                tl.goroutine_index(s.goroutine).is_some(),
                                "{name}: unknown goroutine"
                            );
                        }
                        check_levels(
                            &name,
                            &p.levels,
                            spans.iter().map(|s| {
                                let item = if s.syscall {
                                    lod::MAX_ITEM
                                } else {
                                    (s.goroutine + 1) as u32
                                };
                                (s.start, s.end, item)
                            }),
                        );
                    }
                    for (gi, g) in tl.goroutines.iter().enumerate() {
                        let spans: Vec<_> = tl.spans_from(gi, 0).collect();
                        assert_eq!(spans.len(), g.spans.len(), "{name}: G{} decodes", g.id);
                        assert!(
                            spans
                                .windows(2)
                                .all(|w| w[0].end == w[1].start && w[0].start <= w[1].start),
                            "{name}: G{} spans out of order",
                            g.id
                        );
                        for s in &spans {
                            assert!(
                                s.unblocker == -1 || tl.goroutine_index(s.unblocker).is_some(),
                                "{name}: unknown unblocker"
                            );
                        }
                        check_levels(
                            &name,
                            &g.levels,
                            spans.iter().map(|s| (s.start, s.end, s.key as u32)),
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

/// Each level-0 bucket lying inside one span is summarised as that span's
/// item, fully covered; empty stretches are empty.
fn check_levels(name: &str, l: &SpanLevels, spans: impl Iterator<Item = (i64, i64, u32)>) {
    let Some(level0) = l.levels.first() else {
        return;
    };
    let w = 1i64 << l.shift;
    let mut checked = 0;
    for (start, end, item) in spans {
        if item == 0 {
            continue;
        }
        let first = (start + w - 1) / w;
        for b in first..end / w {
            assert_eq!(
                level0.get(b as usize).copied(),
                Some(item << 8 | 255),
                "{name}: bucket {b} inside span {start}..{end}"
            );
            checked += 1;
        }
    }
    let _ = checked;
}

/// Traces Go refuses fail cleanly here too (an error, not a panic).
#[test]
fn rejected_traces_fail_cleanly() {
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/traces/rejected");
    let files = std::fs::read_dir(&root).expect("testdata/traces/rejected");
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

/// A preview (a clone of the builder finished mid-way, as the worker does
/// for big traces) is the timeline of the events so far, and leaves the
/// builder to go on to the same result as without it.
#[test]
fn preview_of_a_prefix_does_not_disturb_the_build() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/traces/go1.27/stress.trace");
    let data = std::fs::read(path).expect("stress.trace");
    let full = build(&data, 0, |_, _, _| {}).expect("builds");
    let mut r = crate::reader::Reader::new(&data).expect("header");
    let mut b = Builder::new();
    let mut preview = None;
    while let Some(ev) = r.next_event() {
        b.push(&ev.expect("event"));
        if b.events() == full.events / 3 {
            preview = Some(b.clone().finish(r.tables()));
        }
    }
    let preview = preview.expect("a preview was taken");
    assert_eq!(b.finish(r.tables()), full);
    assert_eq!(preview.events, full.events / 3);
    assert!(preview.duration < full.duration);
    preview.validate().expect("consistent preview");
    // Spans of the preview are a prefix of the full timeline's, except the
    // last one of each goroutine, which the preview ends at its own end.
    for (g, pg) in preview.goroutines.iter().enumerate() {
        let fg = full.goroutine_index(pg.id).expect("same goroutines");
        let ps: Vec<_> = preview.spans_from(g, 0).collect();
        let fs: Vec<_> = full.spans_from(fg, 0).take(ps.len()).collect();
        for (a, b) in ps.iter().zip(&fs).take(ps.len().saturating_sub(1)) {
            assert_eq!((a.start, a.end, a.kind), (b.start, b.end, b.kind));
        }
    }
}

/// A column of several MiB is sent over several parts (its bytes run from
/// one into the next) and decodes to the same model, whatever the part
/// size; no part is much bigger than asked; cut or damaged parts fail
/// cleanly.
#[test]
fn big_columns_run_over_parts() {
    use super::packed::{Writer, CHUNK};
    let mut tl = scenario();
    let mut w = Writer::new(3, 0b0001);
    for i in 0..600_000i64 {
        w.push([i * 1000 + (i % 7) * 100, i % 5, (i % 3) + 300, 0, 0]);
    }
    tl.goroutines[0].spans = w.finish();
    assert!(
        tl.goroutines[0].spans.data.len() >= 2,
        "the column fits one chunk"
    );
    // A part holds at most what was asked, plus one chunk and one column's
    // block index (12 bytes per 32 records).
    let index = tl.goroutines[0].spans.block_time.len() * 12;
    for max_part in [1, 1000, 300_000, 4 << 20] {
        let parts = tl.encode_parts(max_part);
        assert!(
            parts
                .iter()
                .skip(1)
                .all(|p| p.len() <= max_part + CHUNK + index + 4096),
            "parts of {max_part}: the largest is {}",
            parts.iter().map(Vec::len).max().unwrap_or(0)
        );
        let mut d = Decoder::new(&parts[0]).unwrap();
        for p in &parts[1..] {
            d.feed(p).unwrap();
        }
        assert_eq!(d.finish().unwrap(), tl, "parts of {max_part}");
        // Without its last part, or with a part cut short: an error, no panic.
        let mut d = Decoder::new(&parts[0]).unwrap();
        for p in &parts[1..parts.len() - 1] {
            d.feed(p).unwrap();
        }
        assert!(
            d.finish().is_err(),
            "parts of {max_part}: the last part was not missed"
        );
        let mut d = Decoder::new(&parts[0]).unwrap();
        let bad = parts[1..]
            .iter()
            .map(|p| d.feed(&p[..p.len() / 2]))
            .any(|r| r.is_err());
        assert!(
            bad || d.finish().is_err(),
            "parts of {max_part} cut in half decoded"
        );
    }
}

/// The model as the page gets it: encoded in parts, decoded with the
/// chunks sent ahead.
fn as_received(tl: &Timeline, ahead: Vec<SealedChunk>) -> Timeline {
    let mut store = Shipped::default();
    for c in ahead {
        store.add(c).expect("chunks in order");
    }
    let parts = tl.encode_parts(4 << 20);
    let mut d = Decoder::with_shipped(&parts[0], store).expect("header");
    for p in &parts[1..] {
        d.feed(p).expect("part");
    }
    d.finish().expect("model")
}

/// A busy scenario whose lanes fill several chunks: goroutines moving
/// between all states on 2 Ps (unblocked by others, in and out of system
/// calls, zero-length spans replaced), heap metrics.
fn busy(ship_every: u64) -> (Timeline, Vec<SealedChunk>) {
    let mut t = T::new();
    t.ship_every = ship_every;
    let none = StackId::NONE;
    let stacks: Vec<StackId> = (0..8)
        .map(|i| t.stack(&[&format!("main.f{i}"), "main.worker"]))
        .collect();
    let reasons = ["chan receive", "sleep", "select", "GC assist wait"];
    for p in 0..2 {
        t.proc(0, p, ProcState::Undetermined, ProcState::Running);
    }
    let goroutines = 3i64;
    let mut state = vec![Runnable; goroutines as usize + 1];
    for g in 1..=goroutines {
        t.go(
            0,
            NO_GOROUTINE,
            NO_PROC,
            g,
            Undetermined,
            Runnable,
            "",
            none,
        );
    }
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut time = 10i64;
    for i in 0..1_500_000u64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // Mostly a few ns apart, sometimes a long quiet stretch.
        time += if x.is_multiple_of(1000) {
            5_000_000
        } else {
            1 + (x % 97) as i64
        };
        let g = 1 + (x >> 8) as i64 % goroutines;
        let p = (x >> 20) as i64 % 2;
        let stack = stacks[(x >> 24) as usize % stacks.len()];
        let reason = reasons[(x >> 28) as usize % reasons.len()];
        let from = state[g as usize];
        let to = match from {
            Runnable => Running,
            Running => [Waiting, Runnable, Syscall][(x >> 32) as usize % 3],
            Syscall => Running,
            _ => Runnable,
        };
        // An unblock is done by another goroutine.
        let ctx = if from == Waiting {
            1 + g % goroutines
        } else {
            g
        };
        let reason = if to == Waiting { reason } else { "" };
        t.go(time, ctx, p, g, from, to, reason, stack);
        state[g as usize] = to;
        if x.is_multiple_of(5) {
            // The same instant again: a zero-length span, replaced.
            let back = if to == Running { Runnable } else { to };
            if back != to {
                t.go(time, g, p, g, to, back, "preempted", stack);
                state[g as usize] = back;
            }
        }
        if i % 64 == 0 {
            let metric = if i % 128 == 0 {
                Metric::HeapAlloc
            } else {
                Metric::HeapGoal
            };
            t.push(
                time,
                g,
                p,
                Payload::Metric {
                    metric,
                    value: (x >> 40),
                },
            );
        }
    }
    let shipped = std::mem::take(&mut t.shipped);
    (t.finish(), shipped)
}

/// The worker sends each sealed chunk of the model's columns to the page
/// as soon as it is sealed: what the page decodes is the model built
/// without sending anything ahead, levels included, however often chunks
/// were sent.
#[test]
fn chunks_sent_ahead_make_the_same_model() {
    let (whole, none) = busy(0);
    assert!(none.is_empty());
    let whole = as_received(&whole, none);
    let sealed = |p: &Packed| p.data.len() >= 2;
    assert!(
        whole.goroutines.iter().any(|g| sealed(&g.spans))
            && whole.procs.iter().any(|p| sealed(&p.spans))
            && whole.threads.iter().any(|p| sealed(&p.spans))
            && sealed(&whole.series[0]),
        "the scenario must fill several chunks of every kind of lane: {:?}",
        whole
            .goroutines
            .iter()
            .map(|g| g.spans.data.len())
            .chain(
                whole
                    .procs
                    .iter()
                    .chain(&whole.threads)
                    .map(|p| p.spans.data.len())
            )
            .chain([whole.series[0].data.len()])
            .collect::<Vec<_>>()
    );
    for every in [1_000, 77_777] {
        let (tl, ahead) = busy(every);
        let bytes: usize = ahead.iter().map(|c| c.bytes.len()).sum();
        assert!(
            bytes * 2 > whole.heap_bytes() / 2,
            "every {every}: only {bytes} bytes sent ahead of a {} byte model",
            whole.heap_bytes()
        );
        let got = as_received(&tl, ahead);
        for (a, b) in got.goroutines.iter().zip(&whole.goroutines) {
            assert_eq!(a.spans, b.spans, "G{} spans, every {every}", a.id);
            assert_eq!(a.levels, b.levels, "G{} levels, every {every}", a.id);
        }
        for (a, b) in got
            .procs
            .iter()
            .chain(&got.threads)
            .zip(whole.procs.iter().chain(&whole.threads))
        {
            assert_eq!(
                a.spans, b.spans,
                "{:?} {} spans, every {every}",
                a.kind, a.id
            );
            assert_eq!(
                a.levels, b.levels,
                "{:?} {} levels, every {every}",
                a.kind, a.id
            );
        }
        assert_eq!(got.series, whole.series, "series");
        assert_eq!(got.counter_levels, whole.counter_levels, "counter levels");
        assert_eq!(got, whole, "chunks sent every {every} events");
        assert_eq!(got.digest(), whole.digest());
    }
    // The digest sees any change.
    let mut other = whole.clone();
    other.goroutines[1].running += 1;
    assert_ne!(other.digest(), whole.digest());
    let mut other = whole.clone();
    other.procs[0].levels.levels[0][3] ^= 1;
    assert_ne!(other.digest(), whole.digest());
    let mut other = whole.clone();
    other.series[0].data[1][100] ^= 1;
    assert_ne!(other.digest(), whole.digest());
    // The levels of lanes that grew while read still summarise their spans.
    for (gi, g) in whole.goroutines.iter().enumerate() {
        assert!(!g.levels.levels.is_empty() || g.spans.len() < 512);
        let spans: Vec<_> = whole.spans_from(gi, 0).collect();
        check_levels(
            "busy",
            &g.levels,
            spans.iter().map(|s| (s.start, s.end, s.key as u32)),
        );
    }
    for p in whole.procs.iter().chain(&whole.threads) {
        let spans: Vec<_> = p.iter_from(0).collect();
        check_levels(
            "busy",
            &p.levels,
            spans.iter().map(|s| {
                let item = if s.syscall {
                    lod::MAX_ITEM
                } else {
                    (s.goroutine + 1) as u32
                };
                (s.start, s.end, item)
            }),
        );
    }
}

/// Every testdata trace (Go's test traces included) read as the worker
/// reads it (sending what is sealed every few events) is the model read in
/// one go.
#[test]
fn real_traces_sent_ahead_are_the_same() {
    let mut n = 0;
    for (name, data) in crate::testdata::traces() {
        let Ok(whole) = build(&data, 0, |_, _, _| {}) else {
            continue;
        };
        let mut b = Builder::new();
        let mut ahead = Vec::new();
        let mut events = 0u64;
        let (reader, error) = crate::reader::read_events(&data, |ev, reader| {
            b.push(ev);
            events += 1;
            if events.is_multiple_of(100) {
                b.take_sealed(reader.tables(), |c| ahead.push(c));
            }
        })
        .expect("reads");
        assert!(error.is_none(), "{name}");
        let tl = b.finish(reader.tables());
        assert_eq!(
            as_received(&tl, ahead),
            as_received(&whole, Vec::new()),
            "{name}"
        );
        n += 1;
    }
    assert!(n >= 50, "only {n} traces");
}

/// Goroutines that exited keep no room for more records: a trace of many
/// short-lived goroutines does not cost the builder a chunk's start each.
#[test]
fn exited_goroutines_give_back_their_room() {
    let mut t = T::new();
    t.proc(0, 0, ProcState::Undetermined, ProcState::Running);
    let n = 20_000i64;
    for g in 1..=n {
        let at = g * 100;
        t.go(
            at,
            NO_GOROUTINE,
            0,
            g,
            NotExist,
            Runnable,
            "",
            StackId::NONE,
        );
        t.go(
            at + 10,
            NO_GOROUTINE,
            0,
            g,
            Runnable,
            Running,
            "",
            StackId::NONE,
        );
        t.go(at + 20, g, 0, g, Running, NotExist, "", StackId::NONE);
    }
    let per_goroutine = t.b.goroutine_lane_bytes() as f64 / n as f64;
    // Two records written per goroutine (a few bytes each) and the
    // column's block index; a chunk's first room is 4 KiB.
    assert!(
        per_goroutine < 200.0,
        "{per_goroutine} bytes per exited goroutine"
    );
    let tl = t.finish();
    assert_eq!(tl.goroutines.len(), n as usize);
    assert_eq!(tl.goroutines[7].spans.len(), 3);
}
