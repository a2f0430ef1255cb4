use super::*;
use crate::event::{
    Event, GoState, Metric, Payload, RangeName, Resource, StateTransition, Transition,
};
use crate::tables::{StackId, StrId, Tables};

fn ev(time: i64, p: i64, g: i64, payload: Payload) -> Event {
    Event {
        time,
        m: 1,
        p,
        g,
        stack: StackId::NONE,
        wire_type: 0,
        payload,
    }
}

fn procs(time: i64, n: u64) -> Event {
    ev(
        time,
        -1,
        -1,
        Payload::Metric {
            metric: Metric::Gomaxprocs,
            value: n,
        },
    )
}

fn sync(time: i64, n: u64) -> Event {
    ev(time, -1, -1, Payload::Sync { n, clock: None })
}

fn stw(time: i64, kind: StrId, begin: bool) -> Event {
    let name = RangeName::StopTheWorld(kind);
    let payload = if begin {
        Payload::RangeBegin {
            name,
            scope: Resource::Goroutine(1),
        }
    } else {
        Payload::RangeEnd {
            name,
            scope: Resource::Goroutine(1),
            sweep: None,
        }
    };
    ev(time, 0, 1, payload)
}

fn go(time: i64, p: i64, id: i64, old: GoState, new: GoState) -> Event {
    ev(
        time,
        p,
        -1,
        Payload::StateTransition(StateTransition {
            transition: Transition::Goroutine { id, old, new },
            reason: StrId::EMPTY,
            stack: StackId::NONE,
        }),
    )
}

fn build(flags: UtilFlags, tables: &Tables, events: &[Event]) -> Vec<Vec<UtilPoint>> {
    let mut b = UtilBuilder::new(flags);
    for e in events {
        b.add(e, tables);
    }
    b.finish()
}

fn pts(v: &[(i64, f64)]) -> Vec<UtilPoint> {
    v.iter()
        .map(|&(time, util)| UtilPoint { time, util })
        .collect()
}

#[test]
fn gc_stw_stops_everything() {
    let mut t = Tables::new();
    let gc = t.intern_str("GC mark termination");
    let other = t.intern_str("read mem stats");
    let events = [
        sync(0, 1),
        procs(0, 2),
        stw(100, gc, true),
        stw(200, gc, false),
        stw(300, other, true),
        stw(400, other, false),
        sync(1000, 2),
    ];
    let s = build(UtilFlags::DEFAULT, &t, &events);
    assert_eq!(
        s,
        vec![pts(&[(0, 1.0), (100, 0.0), (200, 1.0), (1000, 0.0)])]
    );
    let c = MmuCurve::new(s);
    assert_eq!(c.mmu(50), 0.0);
    assert_eq!(c.mmu(100), 0.0);
    assert_eq!(c.mmu(200), 0.5);
    assert_eq!(c.mmu(1000), 0.9);
    assert_eq!(c.mmu(5000), 0.9, "windows are clamped to the trace");
    assert_eq!(c.mmu(0), 0.0);
    // Without the STW flag nothing is taken away until the end.
    let s = build(UtilFlags::BACKGROUND, &t, &events);
    assert_eq!(s, vec![pts(&[(0, 1.0), (1000, 0.0)])]);
}

/// Goroutine 7 begins (or ends) a GC mark assist on P `p`.
fn assist(time: i64, p: i64, begin: bool) -> Event {
    let (name, scope) = (RangeName::GcMarkAssist, Resource::Goroutine(7));
    let payload = if begin {
        Payload::RangeBegin { name, scope }
    } else {
        Payload::RangeEnd {
            name,
            scope,
            sweep: None,
        }
    };
    ev(time, p, 7, payload)
}

#[test]
fn assist_counts_only_while_running() {
    let t = Tables::new();
    let events = [
        sync(0, 1),
        procs(0, 4),
        go(10, 1, 7, GoState::Runnable, GoState::Running),
        assist(100, 1, true),
        go(150, 1, 7, GoState::Running, GoState::Waiting),
        go(170, 2, 7, GoState::Waiting, GoState::Running),
        assist(200, 2, false),
        sync(400, 2),
    ];
    let s = build(UtilFlags::DEFAULT, &t, &events);
    // Blocking on P1 gives the P back; running again on P2 takes P2.
    assert_eq!(
        s,
        vec![pts(&[
            (0, 1.0),
            (100, 0.75),
            (150, 1.0),
            (170, 0.75),
            (200, 1.0),
            (400, 0.0)
        ])]
    );
    let per_p = build(UtilFlags::DEFAULT.union(UtilFlags::PER_PROC), &t, &events);
    assert_eq!(per_p.len(), 4);
    assert_eq!(
        per_p[1],
        pts(&[(0, 1.0), (100, 0.0), (150, 1.0), (400, 0.0)])
    );
    assert_eq!(
        per_p[2],
        pts(&[(0, 1.0), (170, 0.0), (200, 1.0), (400, 0.0)])
    );
    assert_eq!(per_p[0], pts(&[(0, 1.0), (400, 0.0)]));
    let c = MmuCurve::new(per_p);
    assert_eq!(c.mmu(50), 0.0);
    assert_eq!(c.mmu(100), 0.5);
}

#[test]
fn background_workers_and_gomaxprocs_changes() {
    let mut t = Tables::new();
    let worker = t.intern_str("GC (dedicated)");
    let idle = t.intern_str("GC (idle)");
    let label = |time, p, g, l| {
        ev(
            time,
            p,
            g,
            Payload::Label {
                label: l,
                resource: Resource::Goroutine(g),
            },
        )
    };
    let events = [
        sync(0, 1),
        procs(0, 2),
        go(5, 0, 20, GoState::Runnable, GoState::Running),
        label(10, 0, 20, worker),
        go(15, 1, 21, GoState::Runnable, GoState::Running),
        label(20, 1, 21, idle),
        go(50, 0, 20, GoState::Running, GoState::Waiting),
        procs(60, 1),
        sync(100, 2),
    ];
    let s = build(UtilFlags::DEFAULT, &t, &events);
    assert_eq!(s, vec![pts(&[(0, 1.0), (10, 0.5), (50, 1.0), (100, 0.0)])]);
    // Per P: dedicated workers are not counted; P1's series ends at 60.
    let s = build(UtilFlags::DEFAULT.union(UtilFlags::PER_PROC), &t, &events);
    assert_eq!(
        s,
        vec![pts(&[(0, 1.0), (100, 0.0)]), pts(&[(0, 1.0), (60, 0.0)])]
    );
}

#[test]
fn go_drifts_on_relabelled_workers_corrected_does_not() {
    use GoState::*;
    let mut t = Tables::new();
    let frac = t.intern_str("GC (fractional)");
    let idle = t.intern_str("GC (idle)");
    let label = |time, l| {
        ev(
            time,
            0,
            5,
            Payload::Label {
                label: l,
                resource: Resource::Goroutine(5),
            },
        )
    };
    // A Go 1.22+ worker: labelled again at every start.
    let events = [
        sync(0, 1),
        procs(0, 1),
        go(10, 0, 5, Runnable, Running),
        label(11, frac),
        go(20, 0, 5, Running, Waiting),
        go(30, 0, 5, Waiting, Running),
        label(31, frac),
        go(40, 0, 5, Running, Waiting),
        go(50, 0, 5, Waiting, Running),
        label(51, idle),
        go(60, 0, 5, Running, Waiting),
        sync(100, 2),
    ];
    let go_series = build(UtilFlags::DEFAULT, &t, &events);
    // Go: stuck "in GC" from 30 on, to the end.
    assert_eq!(
        go_series,
        vec![pts(&[(0, 1.0), (11, 0.0), (20, 1.0), (30, 0.0)])]
    );
    let mut b = UtilBuilder::with_accounting(UtilFlags::DEFAULT, Accounting::Corrected);
    for e in &events {
        b.add(e, &t);
    }
    assert_eq!(
        b.finish(),
        vec![pts(&[
            (0, 1.0),
            (11, 0.0),
            (20, 1.0),
            (30, 0.0),
            (40, 1.0),
            (50, 0.0),
            (51, 1.0),
            (100, 0.0)
        ])]
    );
}

#[test]
fn corrected_charges_the_running_p() {
    use GoState::*;
    let t = Tables::new();
    let events = [
        sync(0, 1),
        procs(0, 2),
        go(10, 0, 7, Runnable, Running),
        assist(20, 0, true),
        go(30, 0, 7, Running, Syscall),
        // Leaves the syscall without a P (Go would index P -1 here).
        go(40, -1, 7, Syscall, Runnable),
        go(50, 1, 7, Runnable, Running),
        assist(60, 1, false),
        sync(100, 2),
    ];
    let mut b = UtilBuilder::with_accounting(UtilFlags::DEFAULT, Accounting::Corrected);
    for e in &events {
        b.add(e, &t);
    }
    assert_eq!(
        b.finish(),
        vec![pts(&[
            (0, 1.0),
            (20, 0.5),
            (40, 1.0),
            (50, 0.5),
            (60, 1.0),
            (100, 0.0)
        ])]
    );
}

#[test]
fn active_sweep_is_charged_back_in_the_first_generation() {
    let t = Tables::new();
    let active = |time, p| {
        ev(
            time,
            p,
            -1,
            Payload::RangeActive {
                name: RangeName::GcSweep,
                scope: Resource::Proc(p),
            },
        )
    };
    let end = |time, p| {
        ev(
            time,
            p,
            -1,
            Payload::RangeEnd {
                name: RangeName::GcSweep,
                scope: Resource::Proc(p),
                sweep: None,
            },
        )
    };
    let flags = UtilFlags::DEFAULT.union(UtilFlags::SWEEP);
    let events = [
        sync(0, 1),
        procs(0, 2),
        active(40, 1),
        end(60, 1),
        sync(100, 2),
        active(150, 0),
        sync(200, 3),
    ];
    let s = build(flags, &t, &events);
    // Charged back to 0; the later generation's active range only repeats.
    assert_eq!(s, vec![pts(&[(0, 0.5), (60, 1.0), (200, 0.0)])]);
}

#[test]
fn cut_back_to_last_sync() {
    let mut t = Tables::new();
    let gc = t.intern_str("GC sweep termination");
    let mut b = UtilBuilder::new(UtilFlags::DEFAULT);
    for e in [
        sync(0, 1),
        procs(0, 2),
        stw(100, gc, true),
        stw(200, gc, false),
        sync(300, 2),
        stw(400, gc, true),
    ] {
        b.add(&e, &t);
    }
    assert_eq!(
        b.finish_at_last_sync(),
        vec![pts(&[(0, 1.0), (100, 0.0), (200, 1.0), (300, 0.0)])]
    );
    assert!(UtilBuilder::new(UtilFlags::DEFAULT).finish().is_empty());
}

/// Brute force: the windowed mean is piecewise linear, so its minimum is at
/// a window whose left or right edge is on a change point.
fn brute_mmu(series: &[Vec<UtilPoint>], window: i64) -> f64 {
    let mut best = 1.0f64;
    for s in series {
        let (first, last) = (s[0].time, s[s.len() - 1].time);
        let w = window.min(last - first);
        let integral = |t: i64| -> f64 {
            let mut sum = 0.0;
            for (i, p) in s.iter().enumerate() {
                if p.time >= t {
                    break;
                }
                let end = s.get(i + 1).map_or(t, |n| n.time.min(t));
                sum += p.util * (end - p.time) as f64;
            }
            sum
        };
        for p in s {
            for start in [p.time, p.time - w] {
                if start >= first && start + w <= last {
                    best = best.min((integral(start + w) - integral(start)) / w as f64);
                }
            }
        }
    }
    best
}

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn matches_brute_force() {
    let mut rng = Lcg(42);
    for round in 0..40 {
        let n_series = 1 + (rng.next() % 3) as usize;
        let mut series = Vec::new();
        for _ in 0..n_series {
            let mut t = (rng.next() % 50) as i64;
            let mut s = vec![UtilPoint { time: t, util: 1.0 }];
            let n = 2 + rng.next() % (if round % 2 == 0 { 30 } else { 1500 });
            for _ in 0..n {
                t += 1 + (rng.next() % 1000) as i64;
                let util = (rng.next() % 5) as f64 / 4.0;
                if s.last().map(|p| p.util) != Some(util) {
                    s.push(UtilPoint { time: t, util });
                }
            }
            t += 1 + (rng.next() % 100) as i64;
            s.push(UtilPoint { time: t, util: 0.0 });
            series.push(s);
        }
        let c = MmuCurve::new(series.clone());
        // Not 1 ns: like Go, a 1 ns window may also be tried from the last
        // band's start, past the end, where the final 0 gives MMU 0.
        for window in [2, 7, 100, 999, 5000, 40_000, 1 << 40] {
            let want = brute_mmu(&series, window);
            let got = c.mmu(window);
            // Like Go, windows that would start after the last valid start
            // can be tried when the window is close to a series' length
            // (the part past the end counts as 0), so only short windows
            // must match exactly.
            let short = series
                .iter()
                .all(|s| 2 * window <= s[s.len() - 1].time - s[0].time);
            if short {
                assert!(
                    (got - want).abs() <= 1e-9,
                    "round {round} window {window}: {got} vs {want}"
                );
            } else {
                assert!(
                    got <= want + 1e-9,
                    "round {round} window {window}: {got} vs {want}"
                );
            }
            let worst = c.worst_windows(window, 5);
            assert!(!worst.is_empty());
            assert!((worst[0].util - got).abs() <= 1e-9);
            for w in worst.windows(2) {
                assert!(w[0].util <= w[1].util);
            }
            let q = c.percentiles(window, &[0.0, 0.01, 0.5]);
            assert_eq!(q[0], got);
            assert!(q[0] <= q[1] + 1e-12 && q[1] <= q[2] + 1e-12, "{q:?}");
            assert_eq!(c.percentiles_go(window, &[0.0, 0.5]), vec![got, got]);
        }
    }
}

#[test]
fn worst_windows_are_disjoint() {
    let s = pts(&[
        (0, 1.0),
        (100, 0.0),
        (110, 1.0),
        (500, 0.0),
        (520, 1.0),
        (900, 0.5),
        (950, 1.0),
        (2000, 0.0),
    ]);
    let c = MmuCurve::new(vec![s]);
    let w = c.worst_windows(20, 3);
    assert_eq!(w.len(), 3);
    assert_eq!(
        w[0],
        UtilWindow {
            time: 500,
            util: 0.0
        }
    );
    assert_eq!(w[1].util, 0.5);
    for (i, a) in w.iter().enumerate() {
        for b in &w[i + 1..] {
            assert!(a.time + 20 <= b.time || b.time + 20 <= a.time, "{w:?}");
        }
    }
}

#[test]
fn flags_parse() {
    assert_eq!(
        UtilFlags::parse("stw,background,assist").unwrap(),
        UtilFlags::DEFAULT
    );
    assert_eq!(
        UtilFlags::parse("perProc|sweep").unwrap().go_query(),
        "sweep|perProc"
    );
    assert_eq!(UtilFlags::parse("").unwrap(), UtilFlags::empty());
    assert!(UtilFlags::parse("bogus").is_err());
    assert_eq!(UtilFlags::DEFAULT.names(), "stw,background,assist");
}

#[test]
fn log_spacing() {
    let w = log_windows(1000, 1_000_000, 4);
    assert_eq!(w.len(), 4);
    assert!((999..=1000).contains(&w[0]));
    assert!((9999..=10000).contains(&w[1]));
    assert!((999_999..=1_000_000).contains(&w[3]));
}
