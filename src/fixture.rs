//! A small model shared by the host tests.

use crate::model::Model;

/// Two goroutines: G1 with many tiny spans then a long wait; G2 short.
pub(crate) fn model() -> Model {
    let mut b = gotrace::timeline::Builder::new();
    let mut tables = gotrace::Tables::new();
    let f = tables.intern_str("main.worker");
    let file = tables.intern_str("w.go");
    let fr = tables.intern_frame(gotrace::tables::Frame {
        pc: 1,
        func: f,
        file,
        line: 3,
    });
    let st = tables.intern_stack(&[fr]);
    let chan = tables.intern_str("chan receive");
    use gotrace::event::*;
    let mk = |time, g, p, id, old, new, reason, stack| Event {
        time,
        m: 0,
        p,
        g,
        stack: gotrace::tables::StackId::NONE,
        wire_type: 0,
        payload: Payload::StateTransition(StateTransition {
            transition: Transition::Goroutine { id, old, new },
            reason,
            stack,
        }),
    };
    use gotrace::tables::{StackId, StrId};
    b.push(&mk(
        0,
        -1,
        0,
        1,
        GoState::Undetermined,
        GoState::Running,
        StrId::EMPTY,
        st,
    ));
    b.push(&mk(
        0,
        -1,
        -1,
        2,
        GoState::Undetermined,
        GoState::Runnable,
        StrId::EMPTY,
        st,
    ));
    let mut t = 0;
    for _ in 0..1000 {
        t += 10;
        b.push(&mk(
            t,
            1,
            0,
            1,
            GoState::Running,
            GoState::Runnable,
            StrId::EMPTY,
            StackId::NONE,
        ));
        t += 10;
        b.push(&mk(
            t,
            -1,
            0,
            1,
            GoState::Runnable,
            GoState::Running,
            StrId::EMPTY,
            StackId::NONE,
        ));
    }
    b.push(&mk(
        t + 10,
        1,
        0,
        1,
        GoState::Running,
        GoState::Waiting,
        chan,
        st,
    ));
    b.push(&mk(
        t + 20,
        -1,
        0,
        2,
        GoState::Runnable,
        GoState::Running,
        StrId::EMPTY,
        StackId::NONE,
    ));
    b.push(&mk(
        1_000_000,
        2,
        0,
        1,
        GoState::Waiting,
        GoState::Runnable,
        StrId::EMPTY,
        StackId::NONE,
    ));
    Model::new(b.finish(&tables))
}
