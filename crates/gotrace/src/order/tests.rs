//! One test per ordering rule, on small synthetic traces built in code
//! (version 22 framing: the generation ends where the next one starts).

use crate::event::{GoState, Payload, ProcState, Transition};
use crate::wire::spec::ev;
use crate::wire::varint::write_uvarint;
use crate::Reader;

const NO_M: u64 = u64::MAX;

/// An event: (type, arguments including the time delta).
type Ev<'a> = (u8, &'a [u64]);
/// A generation: thread batches (m, events).
type Gen<'a> = &'a [(u64, &'a [Ev<'a>])];

/// Builds a trace: `gens` is a list of generations, each a list of thread
/// batches `(m, events)`, each event `(type, args including dt)`.
fn trace(gens: &[Gen<'_>], strings: &[(u64, &str)]) -> Vec<u8> {
    let mut out = b"go 1.22 trace\0\0\0".to_vec();
    for (i, batches) in gens.iter().enumerate() {
        let gen = i as u64 + 1;
        let mut push = |m: u64, payload: Vec<u8>| {
            out.push(ev::EVENT_BATCH);
            write_uvarint(&mut out, gen);
            write_uvarint(&mut out, m);
            write_uvarint(&mut out, 0);
            write_uvarint(&mut out, payload.len() as u64);
            out.extend_from_slice(&payload);
        };
        for (m, events) in batches.iter() {
            let mut p = Vec::new();
            for (ty, args) in events.iter() {
                p.push(*ty);
                for a in args.iter() {
                    write_uvarint(&mut p, *a);
                }
            }
            push(*m, p);
        }
        let mut f = vec![ev::FREQUENCY];
        write_uvarint(&mut f, 1_000_000_000);
        push(NO_M, f);
        let mut s = vec![ev::STRINGS];
        for (id, text) in strings {
            s.push(ev::STRING);
            write_uvarint(&mut s, *id);
            write_uvarint(&mut s, text.len() as u64);
            s.extend_from_slice(text.as_bytes());
        }
        push(NO_M, s);
    }
    out
}

/// Reads everything: (events, error message if any).
fn read(data: &[u8]) -> (Vec<crate::Event>, Option<String>) {
    let mut r = Reader::new(data).expect("header");
    let mut evs = Vec::new();
    while let Some(item) = r.next_event() {
        match item {
            Ok(e) => evs.push(e),
            Err(e) => return (evs, Some(e.message)),
        }
    }
    (evs, None)
}

fn go_transitions(evs: &[crate::Event]) -> Vec<(i64, GoState, GoState)> {
    evs.iter()
        .filter_map(|e| match e.payload {
            Payload::StateTransition(st) => match st.transition {
                Transition::Goroutine { id, old, new } => Some((id, old, new)),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

const RUNNING_P: Ev<'static> = (ev::PROC_STATUS, &[1, 0, 1]);

#[test]
fn go_start_waits_for_its_unblock_on_another_thread() {
    // M0 starts G5 with seq 2, which needs M1's unblock (seq 1) first, even
    // though M0's event comes first in the file and in time.
    let m0: &[Ev] = &[RUNNING_P, (ev::GO_START, &[1, 5, 2])];
    let m1: &[Ev] = &[
        (ev::PROC_STATUS, &[1, 1, 1]),
        (ev::GO_STATUS, &[1, 2, 1, 2]),
        (ev::GO_STATUS, &[1, 5, NO_M, 4]),
        (ev::GO_UNBLOCK, &[5, 5, 1, 0]),
    ];
    let (evs, err) = read(&trace(&[&[(0, m0), (1, m1)]], &[]));
    assert_eq!(err, None);
    let gs = go_transitions(&evs);
    let unblock = gs
        .iter()
        .position(|t| *t == (5, GoState::Waiting, GoState::Runnable));
    let start = gs
        .iter()
        .position(|t| *t == (5, GoState::Runnable, GoState::Running));
    assert!(
        unblock.is_some() && start.is_some() && unblock < start,
        "{gs:?}"
    );
}

#[test]
fn unblock_needs_a_waiting_goroutine() {
    // Nothing else can make G5 waiting: the trace cannot be ordered.
    let m0: &[Ev] = &[
        RUNNING_P,
        (ev::GO_STATUS, &[1, 5, NO_M, 1]),
        (ev::GO_UNBLOCK, &[1, 5, 1, 0]),
    ];
    let (_, err) = read(&trace(&[&[(0, m0)]], &[]));
    assert!(err.is_some_and(|e| e.contains("failed to advance")));
}

#[test]
fn syscall_end_blocked_waits_until_the_proc_is_stolen() {
    let m0: &[Ev] = &[
        RUNNING_P,
        (ev::GO_STATUS, &[1, 1, 0, 2]),
        (ev::GO_SYSCALL_BEGIN, &[1, 1, 0]),
        (ev::GO_SYSCALL_END_BLOCKED, &[1]),
    ];
    let m1: &[Ev] = &[
        (ev::PROC_STATUS, &[50, 2, 1]),
        (ev::PROC_STEAL, &[50, 0, 2, 0]),
    ];
    let (evs, err) = read(&trace(&[&[(0, m0), (1, m1)]], &[]));
    assert_eq!(err, None);
    let kinds: Vec<u8> = evs
        .iter()
        .map(|e| e.wire_type)
        .filter(|&t| t != 0)
        .collect();
    let steal = kinds.iter().position(|&t| t == ev::PROC_STEAL);
    let end = kinds.iter().position(|&t| t == ev::GO_SYSCALL_END_BLOCKED);
    assert!(steal < end, "{kinds:?}");
    let stolen = evs
        .iter()
        .find(|e| e.wire_type == ev::PROC_STEAL)
        .map(|e| e.payload);
    assert!(matches!(
        stolen,
        Some(Payload::StateTransition(st))
            if st.transition == Transition::Proc { id: 0, old: ProcState::Running, new: ProcState::Idle }
    ));
}

#[test]
fn go_switch_emits_block_and_start() {
    let m0: &[Ev] = &[
        RUNNING_P,
        (ev::GO_STATUS, &[1, 1, 0, 2]),
        (ev::GO_STATUS, &[1, 7, NO_M, 4]),
        (ev::GO_SWITCH, &[1, 7, 1]),
    ];
    let mut data = trace(&[&[(0, m0)]], &[]);
    data[6] = b'3'; // "go 1.23": GoSwitch needs version 23.
    let (evs, err) = read(&data);
    assert_eq!(err, None);
    let gs = go_transitions(&evs);
    let tail: Vec<_> = gs.iter().rev().take(3).rev().copied().collect();
    assert_eq!(
        tail,
        vec![
            (7, GoState::Waiting, GoState::Runnable),
            (1, GoState::Running, GoState::Waiting),
            (7, GoState::Runnable, GoState::Running)
        ]
    );
    // All three share the switch's time, bumped to be strictly increasing.
    let times: Vec<i64> = evs.iter().rev().skip(1).take(3).map(|e| e.time).collect();
    assert!(times.windows(2).all(|w| w[0] == w[1] + 1), "{times:?}");
}

#[test]
fn gc_phases_follow_the_global_sequence() {
    // GCEnd with seq 2 on M1 must come after GCBegin seq 1 on M0.
    let m0: &[Ev] = &[
        RUNNING_P,
        (ev::GO_STATUS, &[1, 1, 0, 2]),
        (ev::GC_BEGIN, &[5, 1, 0]),
    ];
    let m1: &[Ev] = &[
        (ev::PROC_STATUS, &[1, 1, 1]),
        (ev::GO_STATUS, &[1, 2, 1, 2]),
        (ev::GC_END, &[1, 2]),
    ];
    let (evs, err) = read(&trace(&[&[(1, m1), (0, m0)]], &[]));
    assert_eq!(err, None);
    let order: Vec<u8> = evs
        .iter()
        .map(|e| e.wire_type)
        .filter(|t| *t == ev::GC_BEGIN || *t == ev::GC_END)
        .collect();
    assert_eq!(order, vec![ev::GC_BEGIN, ev::GC_END]);
}

#[test]
fn goroutine_status_after_the_first_generation_must_be_known() {
    let g1: Gen = &[(0, &[RUNNING_P, (ev::GO_STATUS, &[1, 1, 0, 2])])];
    let g2: Gen = &[(
        0,
        &[
            RUNNING_P,
            (ev::GO_STATUS, &[1, 1, 0, 2]),
            (ev::GO_STATUS, &[1, 9, NO_M, 1]),
        ],
    )];
    let (evs, err) = read(&trace(&[g1, g2], &[]));
    assert!(err.is_some_and(
        |e| e.contains("found goroutine status for new goroutine after the first generation")
    ));
    // Everything of generation 1 came out first.
    assert!(evs
        .iter()
        .any(|e| matches!(e.payload, Payload::Sync { n: 2, .. })));
}

#[test]
fn inconsistent_proc_status_is_an_error() {
    let m0: &[Ev] = &[RUNNING_P, (ev::PROC_STATUS, &[1, 0, 2])];
    let (_, err) = read(&trace(&[&[(0, m0)]], &[]));
    assert!(err.is_some_and(|e| e.contains("inconsistent status for proc 0")));
}

#[test]
fn region_ends_must_match_the_innermost_begin() {
    let m0: &[Ev] = &[
        RUNNING_P,
        (ev::GO_STATUS, &[1, 1, 0, 2]),
        (ev::USER_REGION_BEGIN, &[1, 0, 1, 0]),
        (ev::USER_REGION_END, &[1, 0, 2, 0]),
    ];
    let (_, err) = read(&trace(&[&[(0, m0)]], &[(1, "outer"), (2, "other")]));
    assert!(err.is_some_and(|e| e.contains("misuse of region")));
    // An end with no begin (region began before tracing) is fine.
    let m0: &[Ev] = &[
        RUNNING_P,
        (ev::GO_STATUS, &[1, 1, 0, 2]),
        (ev::USER_REGION_END, &[1, 0, 2, 0]),
    ];
    let (_, err) = read(&trace(&[&[(0, m0)]], &[(2, "other")]));
    assert_eq!(err, None);
}

#[test]
fn task_names_carry_across_generations() {
    let g1: Gen = &[(
        0,
        &[
            RUNNING_P,
            (ev::GO_STATUS, &[1, 1, 0, 2]),
            (ev::USER_TASK_BEGIN, &[1, 7, 0, 1, 0]),
        ],
    )];
    let g2: Gen = &[(
        0,
        &[
            RUNNING_P,
            (ev::GO_STATUS, &[1, 1, 0, 2]),
            (ev::USER_TASK_END, &[1, 7, 0]),
        ],
    )];
    let data = trace(&[g1, g2], &[(1, "request")]);
    let mut r = Reader::new(&data).expect("header");
    let mut end = None;
    while let Some(Ok(e)) = r.next_event() {
        if let Payload::TaskEnd { id, parent, ty } = e.payload {
            end = Some((id, parent, r.tables().str(ty).into_owned()));
        }
    }
    assert_eq!(end, Some((7, crate::event::NO_TASK, "request".to_string())));
}

#[test]
fn context_requirements_are_enforced() {
    // A GoCreate needs a P.
    let m0: &[Ev] = &[(ev::GO_CREATE, &[1, 3, 0, 0])];
    let (_, err) = read(&trace(&[&[(0, m0)]], &[]));
    assert!(err.is_some_and(|e| e.contains("expected a proc but didn't have one")));
}
