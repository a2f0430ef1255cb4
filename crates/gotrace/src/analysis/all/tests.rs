//! The fused pass against each analysis on its own, on every trace of
//! `testdata/` (damaged ones included): the results must be identical.

use super::*;
use crate::analysis::goroutines::{self, AnalysisOptions};
use crate::analysis::mmu::{self, UtilPoint};
use crate::analysis::pprof::{self, ProfileKind, Selection};
use crate::analysis::tasks;
use crate::model::StoreBuilder;
use crate::testdata::traces;
use crate::Event;
use crate::Reader;

fn profiles_of(set: &ProfileSet, tables: &Tables) -> Vec<pprof::Profile> {
    let mut v = Vec::new();
    for k in ProfileKind::ALL {
        v.push(set.profile(k, &Selection::All, tables));
        let ids = Selection::Ids((1..12).collect());
        v.push(set.profile(k, &ids, tables));
    }
    v
}

fn curve(series: Vec<Vec<UtilPoint>>) -> String {
    format!("{:?}", MmuCurve::new(series))
}

const FLAGS: [(UtilFlags, Accounting); 5] = [
    (UtilFlags::DEFAULT, Accounting::Go),
    (UtilFlags::ALL, Accounting::Go),
    (UtilFlags::ALL, Accounting::Corrected),
    (UtilFlags::SWEEP, Accounting::Corrected),
    (UtilFlags::BACKGROUND, Accounting::Go),
];

/// The fused pass over `events`, by events and over the store (whole, and
/// split in three), equals each analysis on its own.
fn check_fused(name: &str, events: &[Event], tables: &Tables) {
    let mut store = StoreBuilder::new();
    for ev in events {
        store.push(ev);
    }
    let store = store.finish();
    for (flags, accounting) in FLAGS {
        let mut g = goroutines::GoroutineAnalysis::new();
        let mut p = pprof::ProfileBuilder::new();
        let mut m = mmu::UtilBuilder::with_accounting(flags, accounting);
        let mut t = tasks::TaskAnalysis::new();
        let mut fused = Analyses::with(Selected::ALL, flags, accounting);
        for ev in events {
            g.add(ev, tables);
            p.add(ev, tables);
            m.add(ev, tables);
            t.add(ev, tables);
            fused.add(ev, tables);
        }
        let want_g = g.finish(tables);
        let want_p = profiles_of(&p.finish(), tables);
        let want_m = curve(m.finish());
        let want_t = t.finish(tables);
        let n = store.len();
        let mut by_store = Analyses::with(Selected::ALL, flags, accounting);
        by_store.add_store(&store, 0..n, tables);
        let mut split = Analyses::with(Selected::ALL, flags, accounting);
        split.add_store(&store, 0..n / 3, tables);
        split.add_store(&store, n / 3..n / 3 + 1, tables);
        split.add_store(&store, n / 3 + 1..n + 5, tables);
        // Events, then the store, then events again.
        let mut mixed = Analyses::with(Selected::ALL, flags, accounting);
        for ev in events.iter().take(n / 2) {
            mixed.add(ev, tables);
        }
        mixed.add_store(&store, n / 2..n * 3 / 4, tables);
        for ev in events.iter().skip(n * 3 / 4) {
            mixed.add(ev, tables);
        }
        for (how, a) in [
            ("events", fused),
            ("store", by_store),
            ("split", split),
            ("mixed", mixed),
        ] {
            let r = a.finish(tables);
            let ctx = format!("{name} {how} {flags:?} {accounting:?}");
            assert_eq!(r.goroutines.as_ref(), Some(&want_g), "{ctx}");
            let set = r.profiles.expect("selected").expect("no damage here");
            assert_eq!(profiles_of(&set, tables), want_p, "{ctx}");
            assert_eq!(
                r.mmu.map(|c| format!("{c:?}")),
                Some(want_m.clone()),
                "{ctx}"
            );
            assert_eq!(r.tasks.as_ref(), Some(&want_t), "{ctx}");
        }
    }
    // One analysis at a time gives the same as all at once.
    for one in [
        Selected {
            goroutines: true,
            ..Selected::NONE
        },
        Selected {
            profiles: true,
            ..Selected::NONE
        },
    ] {
        let mut only = Analyses::with(one, UtilFlags::DEFAULT, Accounting::Go);
        only.add_store(&store, 0..store.len(), tables);
        let r = only.finish(tables);
        assert!(r.mmu.is_none() && r.tasks.is_none());
        let mut all = Analyses::new();
        all.add_store(&store, 0..store.len(), tables);
        let all = all.finish(tables);
        if one.goroutines {
            assert!(r.profiles.is_none());
            assert_eq!(r.goroutines, all.goroutines, "{name}");
        } else {
            assert!(r.goroutines.is_none());
            assert_eq!(
                profiles_of(&r.profiles.unwrap().unwrap(), tables),
                profiles_of(&all.profiles.unwrap().unwrap(), tables),
                "{name}"
            );
        }
    }
}

fn events_of(data: &[u8]) -> Option<(Vec<Event>, Tables)> {
    let mut reader = Reader::new(data).ok()?;
    let mut events = Vec::new();
    while let Some(Ok(ev)) = reader.next_event() {
        events.push(ev);
    }
    Some((events, reader.into_tables()))
}

#[test]
fn fused_pass_equals_each_analysis() {
    for (name, data) in traces() {
        if let Some((events, tables)) = events_of(&data) {
            check_fused(&name, &events, &tables);
        }
    }
}

/// The same with times no trace has (equal, going back, negative): the
/// fused pass's shortcuts must notice and step aside.
#[test]
fn fused_pass_equals_each_analysis_on_odd_times() {
    let traces = traces();
    let picked = traces
        .iter()
        .filter(|(n, _)| n.contains("/traces/"))
        .step_by(8);
    for (name, data) in picked {
        let Some((events, tables)) = events_of(data) else {
            continue;
        };
        let n = events.len() as i64;
        type Shift<'a> = &'a dyn Fn(usize, i64) -> i64;
        let variants: [(&str, Shift); 4] = [
            ("equal", &|i, t| if i % 7 == 3 { t - 1 } else { t } / 2 * 2),
            ("back", &|i, t| if i % 11 == 5 { t - 1_000_000 } else { t }),
            ("negative", &|_, t| t - 1_000_000_000_000),
            ("straddle", &|i, t| if (i as i64) < n / 2 { -t } else { t }),
        ];
        for (how, f) in variants {
            let odd: Vec<Event> = events
                .iter()
                .enumerate()
                .map(|(i, e)| Event {
                    time: f(i, e.time),
                    ..*e
                })
                .collect();
            check_fused(&format!("{name} ({how})"), &odd, &tables);
        }
    }
}

/// [`analyze_trace`] equals the per-analysis trace functions, damage included.
#[test]
fn analyze_trace_equals_each_from_trace() {
    for (name, data) in traces() {
        let got = analyze_trace(&data, Analyses::new());
        let want_g = goroutines::analyze(&data, AnalysisOptions::default());
        let (r, damage) = match (got, want_g) {
            (Ok(g), Ok(w)) => {
                assert_eq!(g.0.goroutines.as_ref(), Some(&w.0), "{name}");
                assert_eq!(g.1, w.1, "{name}");
                g
            }
            (Err(e), Err(w)) => {
                assert_eq!(e, w, "{name}");
                continue;
            }
            (g, w) => panic!("{name}: {:?} vs {:?}", g.map(|_| ()), w.map(|_| ())),
        };
        let tables = {
            let mut reader = Reader::new(&data).expect("read before");
            while let Some(Ok(_)) = reader.next_event() {}
            reader.into_tables()
        };
        match (
            r.profiles.expect("selected"),
            pprof::build_from_trace(&data, None),
        ) {
            (Ok(set), Ok((want, wt, e))) => {
                assert_eq!(
                    profiles_of(&set, &tables),
                    profiles_of(&want, &wt),
                    "{name}"
                );
                assert_eq!(e, damage, "{name}");
            }
            (Err(e), Err(w)) => assert_eq!(e, w, "{name}"),
            (g, w) => panic!("{name}: {:?} vs {:?}", g.map(|_| ()), w.map(|_| ())),
        }
        let (c, _) = mmu::curve_from_trace(&data, UtilFlags::DEFAULT).expect("mmu");
        assert_eq!(format!("{:?}", r.mmu), format!("{:?}", Some(c)), "{name}");
        let (a, _) = tasks::annotations_from_trace(&data).expect("tasks");
        assert_eq!(r.tasks, Some(a), "{name}");
    }
}
