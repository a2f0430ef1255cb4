//! wasm tests in headless Chromium (wasm-bindgen-test-runner, see
//! .cargo/config.toml): the layout functions compiled to wasm, and the canvas
//! painter checked pixel by pixel with getImageData.
#![cfg(target_arch = "wasm32")]

use gotrace::event::*;
use gotrace::tables::{Frame, StackId, StrId};
use gotrace::timeline::{Builder, SpanState};
use gotrace::Tables;
use gotrace_viewer::layout::{self, LaneKind, Model};
use gotrace_viewer::scene;
use gotrace_viewer::theme::{Rgba, Theme};
use gotrace_viewer::view::{View, GUTTER};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

#[allow(clippy::too_many_arguments)]
fn st(
    time: i64,
    g: i64,
    p: i64,
    id: i64,
    old: GoState,
    new: GoState,
    reason: StrId,
    stack: StackId,
) -> Event {
    Event {
        time,
        m: 0,
        p,
        g,
        stack: StackId::NONE,
        wire_type: 0,
        payload: Payload::StateTransition(StateTransition {
            transition: Transition::Goroutine { id, old, new },
            reason,
            stack,
        }),
    }
}

/// G1 runs 0..400 µs on P0, then blocks on a channel until 1 ms; G2 runs 400..1000 µs.
fn model() -> Model {
    let mut t = Tables::new();
    let func = t.intern_str("main.worker");
    let file = t.intern_str("main.go");
    let fr = t.intern_frame(Frame {
        pc: 1,
        func,
        file,
        line: 7,
    });
    let stack = t.intern_stack(&[fr]);
    let chan = t.intern_str("chan receive");
    let mut b = Builder::new();
    let proc = |time, id, old, new| Event {
        time,
        m: 0,
        p: id,
        g: NO_GOROUTINE,
        stack: StackId::NONE,
        wire_type: 0,
        payload: Payload::StateTransition(StateTransition {
            transition: Transition::Proc { id, old, new },
            reason: StrId::EMPTY,
            stack: StackId::NONE,
        }),
    };
    b.push(&proc(0, 0, ProcState::Undetermined, ProcState::Running));
    b.push(&st(
        0,
        -1,
        0,
        1,
        GoState::Undetermined,
        GoState::Running,
        StrId::EMPTY,
        stack,
    ));
    b.push(&st(
        0,
        -1,
        -1,
        2,
        GoState::Undetermined,
        GoState::Runnable,
        StrId::EMPTY,
        stack,
    ));
    b.push(&st(
        400_000,
        1,
        0,
        1,
        GoState::Running,
        GoState::Waiting,
        chan,
        stack,
    ));
    b.push(&st(
        400_000,
        -1,
        0,
        2,
        GoState::Runnable,
        GoState::Running,
        StrId::EMPTY,
        StackId::NONE,
    ));
    b.push(&st(
        1_000_000,
        2,
        0,
        1,
        GoState::Waiting,
        GoState::Runnable,
        StrId::EMPTY,
        StackId::NONE,
    ));
    Model::new(b.finish(&t))
}

fn canvas(w: u32, h: u32) -> (HtmlCanvasElement, CanvasRenderingContext2d) {
    let doc = web_sys::window().unwrap().document().unwrap();
    let c: HtmlCanvasElement = doc.create_element("canvas").unwrap().dyn_into().unwrap();
    c.set_width(w);
    c.set_height(h);
    doc.body().unwrap().append_child(&c).unwrap();
    let ctx = c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    (c, ctx)
}

fn pixel(ctx: &CanvasRenderingContext2d, x: f64, y: f64) -> Rgba {
    let d = ctx
        .get_image_data(x.floor(), y.floor(), 1.0, 1.0)
        .unwrap()
        .data();
    Rgba(d[0], d[1], d[2], d[3])
}

#[wasm_bindgen_test]
fn layout_runs_in_wasm() {
    let m = model();
    assert_eq!(m.groups.len(), 1);
    assert_eq!(m.groups[0].name, "main.worker");
    let v = View::new(m.tl.duration, GUTTER + 500.0, 400.0);
    let runs = layout::goroutine_runs(&m.tl, 0, &v);
    assert_eq!(runs.len(), 3, "{runs:?}"); // running, waiting, zero-length runnable at the end
    assert_eq!(runs[0].key, layout::span_key(SpanState::Running, ""));
    assert_eq!(
        runs[1].key,
        layout::span_key(SpanState::Waiting, "chan receive")
    );
    let merged = layout::merge_runs(
        (0..10_000u32).map(|i| (i as f64 * 0.01, i as f64 * 0.01 + 0.01, 1, i)),
        1.0,
    );
    assert!(merged.len() <= 101);
}

#[wasm_bindgen_test]
fn painter_draws_state_colours_where_the_layout_says() {
    let m = model();
    let theme = Theme::new(false);
    let (w, h) = (700u32, 400u32);
    let (_c, ctx) = canvas(w, h);
    let lanes = layout::lanes(&m, &Default::default());
    let mut v = View::new(m.tl.duration, w as f64, h as f64);
    v.t0 = 0.0;
    v.t1 = 1_000_000.0;
    let sc = scene::build(&m, &lanes, &v, &theme, None);
    gotrace_viewer::web::painter::paint(&ctx, &sc.prims, 1.0);

    let lane = sc
        .lanes
        .iter()
        .find(|l| l.kind == LaneKind::Goroutine(0))
        .expect("G1 lane drawn");
    let y = lane.y + lane.h / 2.0;
    // 0..400 µs running (green), 400..1000 µs waiting on a channel.
    assert_eq!(pixel(&ctx, v.x_of(200_000.0), y), theme.states[1]);
    assert_eq!(pixel(&ctx, v.x_of(700_000.0), y), theme.states[4]);
    // The gutter has the lane background, not a state colour.
    let gutter = pixel(&ctx, 3.0, y);
    assert!(gutter == theme.bg || gutter == theme.lane_alt, "{gutter:?}");

    // The P lane: G1 then G2 in their palette colours.
    let p = sc
        .lanes
        .iter()
        .find(|l| l.kind == LaneKind::Proc(0))
        .expect("P0 lane drawn");
    let py = p.y + p.h - 5.0;
    let a = pixel(&ctx, v.x_of(100_000.0), py);
    let b = pixel(&ctx, v.x_of(900_000.0), py);
    assert_eq!(a, theme.procs[layout::goroutine_color(1) as usize]);
    assert_eq!(b, theme.procs[layout::goroutine_color(2) as usize]);
    assert_eq!(p.runs, 2);
}

#[wasm_bindgen_test]
fn dark_theme_paints_a_dark_background() {
    let m = model();
    let theme = Theme::new(true);
    let (_c, ctx) = canvas(300, 200);
    let lanes = layout::lanes(&m, &Default::default());
    let v = View::new(m.tl.duration, 300.0, 200.0);
    let sc = scene::build(&m, &lanes, &v, &theme, None);
    gotrace_viewer::web::painter::paint(&ctx, &sc.prims, 1.0);
    let bg = pixel(&ctx, 299.0, 199.0);
    assert!((bg.0 as u32 + bg.1 as u32 + bg.2 as u32) < 150, "{bg:?}");
}
