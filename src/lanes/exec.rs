//! Execution lanes, P and OS thread (both a `gotrace` `ExecLane`): the
//! goroutine running on it (coloured by goroutine, named where there is
//! room), system calls on threads, GC sweeps on Ps as a band.

use gotrace::timeline::{ExecLane, ExecSpan};

use super::common::{
    band, drawn, fill_lane, gutter_label, level_runs, merge_runs, push_runs, run_label, Run,
};
use super::find::Marking;
use super::lane::{At, Cx, Drawn, Hit};
use crate::format::duration;
use crate::model::Model;
use crate::prim::Prim;
use crate::view::{View, GUTTER};

/// Colour key (1..=12) of a goroutine on a P or thread lane.
pub fn goroutine_color(id: i64) -> u8 {
    (id.rem_euclid(12) + 1) as u8
}

/// Colour key of a thread lane span in a system call.
pub const SYSCALL_KEY: u8 = 13;

/// Which execution lane: a P or a thread (indices into `Timeline::procs` / `threads`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exec {
    Proc(u32),
    Thread(u32),
}

impl Exec {
    fn lane(self, m: &Model) -> Option<&ExecLane> {
        match self {
            Exec::Proc(i) => m.tl.procs.get(i as usize),
            Exec::Thread(i) => m.tl.threads.get(i as usize),
        }
    }
}

/// The runs to draw for an execution lane (a P or a thread): keyed by
/// goroutine ([`goroutine_color`]), system calls on threads [`SYSCALL_KEY`].
pub fn exec_runs(lane: &ExecLane, view: &View) -> Vec<Run> {
    if let Some(runs) = level_runs(&lane.levels, view, |item| {
        if item >= gotrace::timeline::lod::MAX_ITEM {
            SYSCALL_KEY
        } else {
            goroutine_color(item as i64 - 1)
        }
    }) {
        return runs;
    }
    let iter = lane
        .iter_from(view.t0.floor() as i64)
        .take_while(|s| (s.start as f64) < view.t1)
        .map(|s| {
            let a = view.x_of(s.start as f64).max(GUTTER);
            let b = view.x_of(s.end as f64).min(view.width);
            let key = if s.syscall {
                SYSCALL_KEY
            } else {
                goroutine_color(s.goroutine)
            };
            (a, b.max(a), key, s.index as u32)
        });
    merge_runs(iter, 1.0)
}

/// Draws a P or thread lane (`index`: its position, for the stripes).
pub fn draw(p: &mut Vec<Prim>, cx: Cx, at: At, which: Exec) -> Drawn {
    let (m, view, theme, lane, y) = (cx.m, cx.view, cx.theme, at.lane, at.y);
    let Some(ex) = which.lane(m) else {
        return Drawn::default();
    };
    if at.index.is_multiple_of(2) {
        fill_lane(p, lane, y, view, theme.lane_alt);
    }
    gutter_label(p, lane, y, &lane.label, (false, 0.0, theme.fg));
    let runs = exec_runs(ex, view);
    push_runs(p, &runs, y + 2.0, lane.h - 4.0, |r| {
        if r.key == SYSCALL_KEY {
            theme.states[3]
        } else {
            theme.procs[r.key as usize % theme.procs.len()]
        }
    });
    for r in &runs {
        // Name the goroutine where there is room for it.
        if r.x1 - r.x0 < 24.0 {
            continue;
        }
        let span = if r.count == 1 {
            ex.get(r.first as usize)
        } else {
            ex.at(view.t_of((r.x0 + r.x1) / 2.0) as i64)
        };
        if let Some(sp) = span.filter(|_| r.count <= 1) {
            let text = if sp.syscall {
                format!("G{} syscall", sp.goroutine)
            } else {
                format!("G{}", sp.goroutine)
            };
            let ink = if sp.syscall {
                theme.on_color
            } else {
                theme.on_tint
            };
            // A goroutine that matches the search is marked where it ran.
            let hit = cx.find.filter(|f| {
                m.tl.goroutine_index(sp.goroutine)
                    .is_some_and(|g| f.shows(g as u32))
            });
            let marking = match hit {
                Some(_) => Marking::Whole(theme),
                None => Marking::None,
            };
            run_label(p, r, (y, lane.h), &text, ink, marking);
        }
    }
    // Sweeps on a P as a thin band at the bottom.
    if let Exec::Proc(pi) = which {
        band(
            p,
            &m.sweeps[pi as usize],
            view,
            y + lane.h - 3.0,
            2.0,
            theme.gc_mark,
        );
    }
    drawn(&runs)
}

/// The span of an execution lane at `t`, or the nearest within `slop`.
fn exec_hit(lane: &ExecLane, t: f64, slop: f64) -> Option<u32> {
    if let Some(s) = lane.at(t as i64) {
        return Some(s.index as u32);
    }
    lane.iter_from((t - slop).floor() as i64)
        .take_while(|s| (s.start as f64) <= t + slop)
        .min_by(|a, b| {
            let d = |s: &ExecSpan| ((s.start as f64 - t).abs()).min((s.end as f64 - t).abs());
            d(a).total_cmp(&d(b))
        })
        .map(|s| s.index as u32)
}

/// The span of a P or thread lane at `t` (or within `slop`).
pub fn hit(m: &Model, which: Exec, t: f64, slop: f64) -> Option<Hit> {
    let i = exec_hit(which.lane(m)?, t, slop)?;
    Some(match which {
        Exec::Proc(p) => Hit::ProcSpan(p, i),
        Exec::Thread(p) => Hit::ThreadSpan(p, i),
    })
}

/// The span a P or thread hit is on.
pub fn span_of(m: &Model, hit: Hit) -> Option<ExecSpan> {
    let (which, i) = match hit {
        Hit::ProcSpan(p, i) => (Exec::Proc(p), i),
        Hit::ThreadSpan(p, i) => (Exec::Thread(p), i),
        _ => return None,
    };
    which.lane(m)?.get(i as usize)
}

/// Tooltip of span `i` of a P or thread lane.
pub fn describe(m: &Model, which: Exec, i: u32, res: f64) -> Vec<String> {
    let tl = &m.tl;
    let (Some(ex), what) = (
        which.lane(m),
        match which {
            Exec::Proc(_) => "Proc",
            Exec::Thread(_) => "Thread",
        },
    ) else {
        return Vec::new();
    };
    let Some(sp) = ex.get(i as usize) else {
        return Vec::new();
    };
    let name = tl
        .goroutine_index(sp.goroutine)
        .map_or(String::new(), |g| tl.goroutine_name(g));
    let mut v = vec![
        format!("{what} {}: G{} {}", ex.id, sp.goroutine, name),
        format!(
            "{} at {}",
            duration((sp.end - sp.start) as f64),
            crate::format::time_at(sp.start as f64, res)
        ),
    ];
    if let Exec::Thread(_) = which {
        v.push(match (sp.syscall, sp.proc) {
            (true, _) => "in a system call".to_string(),
            (false, p) if p >= 0 => format!("running Go code on P{p}"),
            _ => "running Go code".to_string(),
        });
    }
    v
}
