//! End-to-end tests of the v1 pipeline on small hand-made traces.

use super::parse::tests::Builder;
use super::spec::ty;
use super::*;
use crate::event::Payload;
use crate::event::{GoState, ProcState, Transition};

fn run(b: &Builder, v: Version) -> (Vec<Event>, Option<Error>, Tables) {
    let mut t = Tables::new();
    let (evs, err) = read(b.bytes(), v, &mut t);
    (evs, err, t)
}

/// A small trace: g1 exists at start and runs; it creates g2 which runs and
/// does a non-blocking syscall.
fn small() -> Builder {
    Builder::new(21)
        .batch(0, 1000)
        .string(1, "main.f")
        .string(2, "f.go")
        .block(ty::STACK, &[4, 1, 0x100, 1, 2, 7])
        .ev(ty::GO_CREATE, &[0, 1, 4, 0]) // pre-existing g1
        .ev(ty::PROC_START, &[0, 33])
        .ev(ty::GOMAXPROCS, &[1, 8, 0])
        .ev(ty::GO_START, &[1, 1, 1])
        .ev(ty::GO_CREATE, &[1, 2, 4, 4])
        .ev(ty::GO_SCHED, &[1, 4])
        .ev(ty::GO_START, &[1, 2, 1])
        .ev(ty::GO_SYSCALL, &[1, 4])
        .ev(ty::GO_END, &[1])
        .ev(ty::FREQUENCY, &[1_000_000_000])
}

#[test]
fn converts_a_small_trace() {
    let (evs, err, t) = run(&small(), Version::Go121);
    assert!(err.is_none(), "{err:?}");
    let kinds: Vec<u8> = evs.iter().map(|e| e.wire_type).collect();
    use crate::wire::spec::ev as w;
    assert_eq!(
        kinds,
        vec![
            0,
            w::PROC_STATUS,
            w::GO_STATUS,
            w::GO_START,
            w::GO_CREATE,
            w::GO_STOP,
            w::GO_START,
            w::GO_SYSCALL_BEGIN,
            w::GO_SYSCALL_END,
            w::GO_DESTROY,
            0
        ]
    );
    // Times: ticks since the first event, strictly increasing.
    let times: Vec<i64> = evs.iter().map(|e| e.time).collect();
    assert_eq!(times, vec![-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The pre-existing goroutine becomes runnable at the first Gomaxprocs.
    let st = evs[2].transition().unwrap();
    assert_eq!(
        st.transition,
        Transition::Goroutine {
            id: 1,
            old: GoState::Undetermined,
            new: GoState::Runnable
        }
    );
    assert_eq!((evs[2].m, evs[2].p, evs[2].g), (-1, -1, -1));
    let st = evs[1].transition().unwrap();
    assert_eq!(
        st.transition,
        Transition::Proc {
            id: 0,
            old: ProcState::Undetermined,
            new: ProcState::Running
        }
    );
    assert_eq!(evs[1].m, 33);
    // GoSched is a GoStop with Go's reason and the event's stack.
    let st = evs[5].transition().unwrap();
    assert_eq!(t.bytes(st.reason), b"runtime.Gosched");
    assert!(!evs[5].stack.is_none());
    let frame = t.stack(evs[5].stack).next().unwrap();
    assert_eq!(
        (
            frame.pc,
            t.bytes(frame.func),
            t.bytes(frame.file),
            frame.line
        ),
        (0x100, &b"main.f"[..], &b"f.go"[..], 7)
    );
    // GoCreate carries the new goroutine's start stack.
    assert_eq!(evs[4].transition().unwrap().stack, evs[5].stack);
    assert!(matches!(evs[10].payload, Payload::Sync { n: 2, .. }));
}

#[test]
fn missing_frequency_is_an_error_without_events() {
    let mut b = small();
    b.buf.truncate(b.buf.len() - 6);
    let (evs, err, _) = run(&b, Version::Go121);
    assert!(evs.is_empty());
    assert_eq!(err.unwrap().message, "no EvFrequency event");
}

#[test]
fn empty_trace_is_one_sync() {
    let b = Builder::new(19).batch(0, 0).ev(ty::FREQUENCY, &[100]);
    let (evs, err, _) = run(&b, Version::Go119);
    assert!(err.is_none());
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].time, 0);
}

#[test]
fn futile_wakeup_fails_after_the_events_before_it() {
    let b = Builder::new(21)
        .batch(0, 0)
        .ev(ty::HEAP_ALLOC, &[1, 5])
        .ev(ty::FUTILE_WAKEUP, &[1])
        .ev(ty::FREQUENCY, &[100]);
    let (evs, err, _) = run(&b, Version::Go121);
    assert_eq!(evs.len(), 2, "Sync and HeapAlloc");
    assert_eq!(err.unwrap().message, "unexpected event type 36");
}

#[test]
fn new_format_versions_are_refused() {
    let (evs, err, _) = run(&small(), Version::Go122);
    assert!(evs.is_empty());
    assert!(err.is_some());
}

#[test]
fn hostile_bytes_never_panic() {
    let base = small().buf;
    let mut seed: u32 = 12345;
    for i in 0..2000 {
        let mut b = Builder { buf: base.clone() };
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let pos = 16 + (seed as usize >> 8) % (base.len() - 16);
        b.buf[pos] = (seed >> 3) as u8;
        if i % 3 == 0 {
            b.buf.truncate(pos + 1);
        }
        let _ = run(&b, Version::Go121);
    }
}
