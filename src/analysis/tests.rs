//! The engine on real traces (testdata/traces/go1.27), checked against
//! what `gotrace goroutines|tasks|pprof|mmu` (= go1.27.3) print.

use super::compute::{util_flags, Engine};
use super::protocol::*;
use gotrace::analysis::mmu::UtilFlags;

fn engine(name: &str) -> Engine {
    let path = format!(
        "{}/testdata/traces/go1.27/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    Engine::new(std::fs::read(path).expect("test trace"))
}

#[test]
fn goroutine_groups_and_group_table() {
    let mut e = engine("annotations.trace");
    let Response::Groups { groups, .. } = e.handle(&Request::Groups {
        window: None,
        filter: Filter::default(),
    }) else {
        panic!("not groups")
    };
    let g = groups.iter().find(|g| g.name == "main.main.func1").unwrap();
    assert_eq!((g.count, g.exec_time), (24, 547_840));
    // Filtered by name.
    let Response::Groups { groups, .. } = e.handle(&Request::Groups {
        window: None,
        filter: Filter {
            name_contains: "func2".into(),
            ..Filter::default()
        },
    }) else {
        panic!()
    };
    assert_eq!(groups.len(), 1);
    let Response::Group(Some(t)) = e.handle(&Request::Group {
        name: "main.main.func1".into(),
        window: None,
        filter: Filter::default(),
        sort: String::new(),
    }) else {
        panic!()
    };
    assert_eq!(t.count, 24);
    assert_eq!(t.rows.len(), 24);
    assert_eq!(t.columns[0], "Execution time");
    assert_eq!(t.stats.len(), 4);
    assert_eq!(t.stats[3].label, "max");
    assert_eq!(
        t.stats[0].values.len(),
        1 + t.columns.len() + t.range_columns.len()
    );
    assert!(t
        .rows
        .iter()
        .all(|r| r.values.len() == t.columns.len() && r.end >= r.start));
    // Sorted by total time, descending.
    assert!(t.rows.windows(2).all(|w| w[0].total >= w[1].total));
    // Filter by id.
    let id = t.rows[0].id;
    let Response::Group(Some(t)) = e.handle(&Request::Group {
        name: "main.main.func1".into(),
        window: None,
        filter: Filter {
            id: Some(id),
            ..Filter::default()
        },
        sort: "Execution time".into(),
    }) else {
        panic!()
    };
    assert_eq!(t.rows.len(), 1);
    assert!(matches!(
        e.handle(&Request::Group {
            name: "no such".into(),
            window: None,
            filter: Filter::default(),
            sort: String::new()
        }),
        Response::Group(None)
    ));
}

#[test]
fn profiles_flame_and_pprof() {
    let mut e = engine("annotations.trace");
    let Response::Flame(f) = e.handle(&Request::Profile {
        kind: "sched".into(),
        scope: Scope::All,
        window: None,
    }) else {
        panic!()
    };
    assert!(f.names.len() > 1, "{f:?}");
    assert_eq!(f.names[0], "all");
    assert!(f.total[0] > 0);
    let Response::Pprof { name, bytes } = e.handle(&Request::Pprof {
        kind: "sched".into(),
        scope: Scope::All,
        window: None,
    }) else {
        panic!()
    };
    assert_eq!(name, "sched.pb.gz");
    assert_eq!(&bytes[..2], &[0x1f, 0x8b]);
    // A group and a window are accepted.
    assert!(matches!(
        e.handle(&Request::Profile {
            kind: "sync".into(),
            scope: Scope::Group("main.main.func1".into()),
            window: Some((0, i64::MAX)),
        }),
        Response::Flame(_)
    ));
    assert!(matches!(
        e.handle(&Request::Profile {
            kind: "bogus".into(),
            scope: Scope::All,
            window: None
        }),
        Response::Error(_)
    ));
}

#[test]
fn cpu_samples_flame() {
    let mut e = engine("cpuprofile.trace");
    let Response::Flame(f) = e.handle(&Request::Cpu { window: None }) else {
        panic!()
    };
    assert_eq!(f.samples, 9);
    assert_eq!(f.total[0], 9);
    assert_eq!(f.unit, "samples");
    let Response::Flame(f) = e.handle(&Request::Cpu {
        window: Some((0, 1)),
    }) else {
        panic!()
    };
    assert_eq!(f.samples, 0);
}

#[test]
fn tasks_and_regions() {
    let mut e = engine("annotations.trace");
    let Response::Tasks {
        task_types,
        region_types,
        tasks,
    } = e.handle(&Request::Tasks)
    else {
        panic!()
    };
    assert_eq!(tasks, 35);
    let w = task_types.iter().find(|t| t.ty == "worker").unwrap();
    assert_eq!((w.count, w.complete), (24, 24));
    assert!(
        (3_279_000..3_280_000).contains(&w.durations.p50),
        "{:?}",
        w.durations
    );
    assert!(!w.histogram.is_empty());
    assert_eq!(region_types.len(), 7);
    let compute = region_types.iter().position(|r| r.ty == "compute").unwrap();
    assert_eq!(region_types[compute].func, "main.main.func1");
    let Response::TaskList { tasks, matched } = e.handle(&Request::TaskList {
        ty: Some("worker".into()),
        search: String::new(),
        goroutine: None,
        limit: 5,
    }) else {
        panic!()
    };
    assert_eq!((matched, tasks.len()), (24, 5));
    assert!(!tasks[0].events.is_empty());
    assert!(tasks[0].events[0].text.contains("begin"));
    let Response::RegionList { regions, matched } = e.handle(&Request::RegionList {
        index: compute,
        limit: 3,
    }) else {
        panic!()
    };
    assert_eq!((matched, regions.len()), (24, 3));
    assert!(regions[0].end - regions[0].start >= regions[1].end - regions[1].start);
    let Response::TaskList { matched, .. } = e.handle(&Request::TaskList {
        ty: None,
        search: "NO SUCH TEXT anywhere".into(),
        goroutine: None,
        limit: 5,
    }) else {
        panic!()
    };
    assert_eq!(matched, 0);
}

#[test]
fn mmu_curve_and_worst_windows() {
    let mut e = engine("gcassist.trace");
    let flags = UtilFlags::DEFAULT.bits();
    assert_eq!(util_flags(flags), UtilFlags::DEFAULT);
    assert_eq!(util_flags(UtilFlags::ALL.bits()), UtilFlags::ALL);
    let Response::Mmu(m) = e.handle(&Request::Mmu {
        flags,
        percentiles: true,
    }) else {
        panic!()
    };
    assert_eq!(m.windows.len(), 100);
    assert_eq!(m.mmu.len(), 100);
    assert_eq!(m.percentiles.len(), 100);
    assert!(m.mmu.iter().all(|u| (0.0..=1.0).contains(u)));
    assert!(m.windows.windows(2).all(|w| w[0] <= w[1]));
    let w = m.windows[50];
    let Response::MmuWorst(ws) = e.handle(&Request::MmuWorst {
        flags,
        window: w,
        n: 10,
    }) else {
        panic!()
    };
    assert!(!ws.is_empty() && ws.len() <= 10);
    assert!((ws[0].util - m.mmu[50]).abs() < 1e-9);
    assert_eq!(ws[0].end - ws[0].start, w);
}

/// A damaged trace (cut at several places): every whole-trace answer,
/// from the one shared pass, is what each analysis gives on its own.
#[test]
fn damaged_trace_answers_like_each_analysis() {
    use gotrace::analysis::{goroutines, mmu, pprof, tasks};
    let path = format!(
        "{}/testdata/traces/go1.27/annotations.trace",
        env!("CARGO_MANIFEST_DIR")
    );
    let full = std::fs::read(path).expect("test trace");
    for cut in [
        full.len() / 20,
        full.len() / 3,
        full.len() * 2 / 3,
        full.len() - 3,
    ] {
        let bytes = &full[..cut];
        let mut e = Engine::new(bytes.to_vec());
        let groups = e.handle(&Request::Groups {
            window: None,
            filter: Filter::default(),
        });
        match (groups, goroutines::analyze(bytes, Default::default())) {
            (Response::Groups { goroutines, .. }, Ok((r, _))) => {
                assert_eq!(goroutines, r.goroutines.len(), "cut {cut}")
            }
            (Response::Error(_), Err(_)) => {}
            (g, w) => panic!("cut {cut}: {g:?} vs {:?}", w.map(|_| ())),
        }
        let flame = e.handle(&Request::Profile {
            kind: "sched".into(),
            scope: Scope::All,
            window: None,
        });
        match (
            flame,
            pprof::profile_of_trace(
                bytes,
                pprof::ProfileKind::Sched,
                &pprof::Selection::All,
                None,
            ),
        ) {
            (Response::Flame(f), Ok(p)) => {
                assert_eq!(
                    f.samples,
                    p.samples.iter().map(|s| s.count).sum::<u64>(),
                    "cut {cut}"
                )
            }
            (Response::Error(a), Err(b)) => assert!(a.contains(&b.to_string()), "cut {cut}: {a}"),
            (f, w) => panic!("cut {cut}: {f:?} vs {:?}", w.map(|_| ())),
        }
        match (
            e.handle(&Request::Tasks),
            tasks::annotations_from_trace(bytes),
        ) {
            (Response::Tasks { tasks, .. }, Ok((a, _))) => {
                assert_eq!(tasks, a.tasks.len(), "cut {cut}")
            }
            (Response::Error(_), Err(_)) => {}
            (t, w) => panic!("cut {cut}: {t:?} vs {:?}", w.map(|_| ())),
        }
        let flags = UtilFlags::DEFAULT.bits();
        match (
            e.handle(&Request::Mmu {
                flags,
                percentiles: false,
            }),
            mmu::curve_from_trace(bytes, UtilFlags::DEFAULT),
        ) {
            (Response::Mmu(m), Ok((c, _))) => {
                let windows = c.go_plot_windows();
                let want: Vec<f64> = windows.iter().map(|&w| c.mmu(w)).collect();
                assert_eq!((m.windows, m.mmu), (windows, want), "cut {cut}");
            }
            (Response::Error(_), Err(_)) => {}
            (m, w) => panic!("cut {cut}: {m:?} vs {:?}", w.map(|_| ())),
        }
    }
}

/// contention.trace, read off `gotrace dump`: G12 (main.main.func1.1)
/// sleeps at 1706649952896, a timer (G=-1) wakes it at 1706651931456, it
/// runs at 1706651937152 and in WaitGroup.Done unblocks G1 (main.main,
/// waiting on "sync" since 1706648427904) at 1706651969920; G1 runs at
/// 1706651971456.
#[test]
fn critical_path_follows_the_unblock() {
    let mut e = engine("contention.trace");
    let Response::CriticalPath(Some(p)) = e.handle(&Request::CriticalPath {
        goroutine: 1,
        start: 1_706_649_952_896,
        end: 1_706_651_973_312,
    }) else {
        panic!("no path")
    };
    assert_eq!(p.window, (1_706_649_952_896, 1_706_651_973_312));
    assert_eq!((p.start, p.end, p.hops), (p.window.0, p.window.1, 1));
    assert_eq!(p.stop, PathStop::ReachedStart);
    let shape: Vec<(i64, i64, i64, PathState, &str)> = p
        .segments
        .iter()
        .map(|s| (s.goroutine, s.start, s.end, s.state, s.reason.as_str()))
        .collect();
    assert_eq!(
        shape,
        vec![
            (
                12,
                1_706_649_952_896,
                1_706_651_931_456,
                PathState::Waiting,
                "sleep"
            ),
            (
                12,
                1_706_651_931_456,
                1_706_651_937_152,
                PathState::Runnable,
                ""
            ),
            (
                12,
                1_706_651_937_152,
                1_706_651_969_920,
                PathState::Running,
                ""
            ),
            (
                1,
                1_706_651_969_920,
                1_706_651_971_456,
                PathState::Runnable,
                ""
            ),
            (
                1,
                1_706_651_971_456,
                1_706_651_973_312,
                PathState::Running,
                ""
            ),
        ]
    );
    let via = p.segments[2].via.clone().unwrap();
    assert_eq!(via.kind, PathEdgeKind::Unblock);
    assert_eq!((via.target, via.time), (1, 1_706_651_969_920));
    assert_eq!(via.reason, "sync");
    assert_eq!(via.waiting_since, Some(1_706_648_427_904));
    let stack = &p.stacks[via.stack.unwrap() as usize];
    assert_eq!(stack[0], "sync.(*WaitGroup).Add sync/waitgroup.go:142");
    assert_eq!(
        stack[2],
        "main.main.func1.1 gotracetestdata/contention/main.go:38"
    );
    let names: Vec<(i64, &str)> = p
        .goroutines
        .iter()
        .map(|g| (g.goroutine, g.name.as_str()))
        .collect();
    assert_eq!(names, vec![(12, "main.main.func1.1"), (1, "main.main")]);
    assert_eq!(
        p.goroutines.iter().map(|g| g.total).sum::<i64>(),
        p.end - p.start
    );
    // The whole trace (clamped) and an unknown goroutine.
    let Response::CriticalPath(Some(all)) = e.handle(&Request::CriticalPath {
        goroutine: 1,
        start: i64::MIN,
        end: i64::MAX,
    }) else {
        panic!()
    };
    assert_eq!(all.stop, PathStop::ReachedStart);
    assert!(all.segments.len() > 100 && all.hops > 10);
    assert!(all.segments.windows(2).all(|w| w[0].end == w[1].start));
    assert_eq!(
        e.handle(&Request::CriticalPath {
            goroutine: 424242,
            start: 0,
            end: i64::MAX
        }),
        Response::CriticalPath(None)
    );
}

/// The index request (the overview of a trace shown in parts): the whole
/// file's generations, whatever part the engine analyses, and part starts
/// that are where reading parts ends.
#[test]
fn index_covers_the_whole_file_and_its_parts() {
    let path = format!(
        "{}/testdata/traces/go1.27/annotations.trace",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(path).expect("test trace");
    let whole = gotrace::index::build(&bytes).unwrap();
    assert!(whole.generations.len() >= 3, "a trace of 3+ generations");
    // An engine on its second part still indexes the whole file.
    let second = whole.generations[1].bytes.start;
    let mut e = Engine::new(bytes.clone()).with_window(gotrace::stream::Window {
        from: second,
        budget: 1,
    });
    let Response::Index {
        generations,
        part_starts,
        damage,
        origin,
    } = e.handle(&Request::Index { budget: 1 })
    else {
        panic!("not an index");
    };
    assert_eq!(damage, None);
    // The file's first event, which `gotrace dump` prints first.
    let first = gotrace::Reader::new(&bytes[..])
        .unwrap()
        .next_event()
        .unwrap()
        .unwrap()
        .time;
    assert_eq!(origin, Some(first));
    assert_eq!(generations.len(), whole.generations.len());
    for (row, g) in generations.iter().zip(&whole.generations) {
        assert_eq!(
            (row.number, row.from, row.end),
            (g.number, g.bytes.start, g.bytes.end)
        );
        assert_eq!(
            (row.start, row.stop, row.events),
            (g.start_ns, g.end_ns, g.events)
        );
    }
    // Parts of 1 byte: one per 4 MiB segment, i.e. one for this small trace.
    assert_eq!(part_starts, vec![0]);
}

/// A big trace's pages can analyse the whole file instead of the part
/// shown: then they answer as an engine on the whole file does, also after
/// another part of the file is shown; back on the part, as an engine on
/// that part does.
#[test]
fn whole_file_scope_outlives_the_part_shown() {
    let path = format!(
        "{}/testdata/traces/go1.27/annotations.trace",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(path).expect("test trace");
    let gens = gotrace::index::build(&bytes).unwrap().generations;
    assert!(gens.len() >= 3, "a trace of 3+ generations");
    let part = |g: usize| gotrace::stream::Window {
        from: gens[g].bytes.start,
        budget: 1,
    };
    let answers = |e: &mut Engine| {
        let groups = e.handle(&Request::Groups {
            window: None,
            filter: Filter::default(),
        });
        let tasks = e.handle(&Request::Tasks);
        let mmu = e.handle(&Request::MmuWorst {
            flags: UtilFlags::DEFAULT.bits(),
            window: 1_000_000,
            n: 3,
        });
        (groups, tasks, mmu)
    };
    // Segments of one generation each, so that every generation is a part.
    let new = || Engine::new(bytes.clone()).with_segment_target(1);
    let of_file = answers(&mut new());
    let of_part = |g: usize| answers(&mut new().with_window(part(g)));
    let (second, third) = (of_part(1), of_part(2));
    assert_ne!(second, of_file, "the part is not the whole file");
    assert_ne!(second, third);

    // The engine counts how often it reads the file.
    let opens = std::rc::Rc::new(std::cell::Cell::new(0));
    let mut e = Engine::new(Counted(bytes.clone(), opens.clone()))
        .with_segment_target(1)
        .with_window(part(1));
    assert_eq!(answers(&mut e), second);
    e.set_whole_file(true);
    assert_eq!(answers(&mut e), of_file);
    // Another part shown: the whole file's results are not read again.
    let read = opens.get();
    e.set_part(part(2));
    assert_eq!(answers(&mut e), of_file);
    assert_eq!(opens.get(), read, "the whole file was read again");
    e.set_whole_file(false);
    assert_eq!(answers(&mut e), third);
    // The critical path is always of the part shown (the timeline's).
    let path_of = |e: &mut Engine| {
        e.handle(&Request::CriticalPath {
            goroutine: 1,
            start: 0,
            end: i64::MAX,
        })
    };
    let want = path_of(&mut new().with_window(part(2)));
    e.set_whole_file(true);
    assert_eq!(path_of(&mut e), want);
}

/// Trace bytes that count how often they are read.
struct Counted(Vec<u8>, std::rc::Rc<std::cell::Cell<usize>>);

impl super::compute::TraceFile for Counted {
    fn open(&self) -> Box<dyn std::io::Read + '_> {
        self.1.set(self.1.get() + 1);
        Box::new(&self.0[..])
    }
}
