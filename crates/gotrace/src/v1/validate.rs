//! Go's v1 consistency pass over the merged stream (`postProcessTrace`):
//! Ps and goroutines must go through valid state changes, GC/STW/sweep
//! phases must nest, regions must match. It also moves some events to the
//! pseudo Ps Go uses (GC, netpoll) and drops references to unknown stacks,
//! which changes what the converted events carry.

use std::collections::HashMap;

use super::parse::V1Event;
use super::spec::{self, ty};
use crate::error::Error;

/// Pseudo Ps of Go's v1 parser.
pub const TIMER_P: i32 = 1_000_001;
pub const NETPOLL_P: i32 = 1_000_002;
pub const SYSCALL_P: i32 = 1_000_003;
pub const GC_P: i32 = 1_000_004;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
enum G {
    #[default]
    Dead,
    Runnable,
    Running,
    Waiting,
}

#[derive(Clone, Copy, Debug, Default)]
struct GDesc {
    state: G,
    /// Type of the last event that changed the goroutine's wait state.
    last: Option<u8>,
    /// New-stack id of the creating event, until the goroutine first starts.
    create_stack: Option<u64>,
    in_mark_assist: bool,
}

#[derive(Clone, Copy, Debug, Default)]
struct PDesc {
    running: bool,
    g: u64,
    sweeping: bool,
}

/// Go's `%q` of a v1 event (`"<ts> <Name> p=.. g=.. stk=.. arg=.."`).
fn quoted(ev: &V1Event) -> String {
    let desc = spec::desc(ev.ty);
    let mut s = format!(
        "{} {} p={} g={} stk={}",
        ev.ts,
        spec::name(ev.ty),
        ev.p,
        ev.g,
        ev.stk
    );
    for (name, v) in desc.map_or(&[][..], |d| d.args).iter().zip(ev.args) {
        s.push_str(&format!(" {name}={v}"));
    }
    format!("{s:?}")
}

/// Validates `events` (times already in ns), adjusting P and stack ids.
pub fn validate(events: &mut [V1Event], stack_exists: impl Fn(u32) -> bool) -> Result<(), Error> {
    let mut gs: HashMap<u64, GDesc> = HashMap::new();
    gs.insert(
        0,
        GDesc {
            state: G::Running,
            ..GDesc::default()
        },
    );
    let mut ps: HashMap<i32, PDesc> = HashMap::new();
    // Task id → index of its creating event; goroutine → open regions.
    let mut tasks: HashMap<u64, usize> = HashMap::new();
    let mut regions: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut in_gc = false;
    let mut in_stw = false;

    for i in 0..events.len() {
        let Some(&ev) = events.get(i) else { break };
        let fail = |msg: String| Err(Error::ordering(msg).at(ev.off));
        let (ts, t) = (ev.ts, ev.ty);
        let g = gs.get(&ev.g).copied().unwrap_or_default();
        let p = ps.get(&ev.p).copied().unwrap_or_default();
        let name = spec::name(t);
        // Go's checkRunning.
        let check_running = |allow_g0: bool| -> Result<(), Error> {
            let msg = if g.state != G::Running {
                format!("g {} is not running while {name} (time {ts})", ev.g)
            } else if p.g != ev.g {
                format!(
                    "p {} is not running g {} while {name} (time {ts})",
                    ev.p, ev.g
                )
            } else if !allow_g0 && ev.g == 0 {
                format!("g 0 did {name} (time {ts})")
            } else {
                return Ok(());
            };
            Err(Error::ordering(msg).at(ev.off))
        };
        let mut new_p = ev.p;
        let mut new_stk = ev.stk;
        match t {
            ty::PROC_START => {
                if p.running {
                    return fail(format!("p {} is running before start (time {ts})", ev.p));
                }
                ps.insert(ev.p, PDesc { running: true, ..p });
            }
            ty::PROC_STOP => {
                if !p.running {
                    return fail(format!("p {} is not running before stop (time {ts})", ev.p));
                }
                if p.g != 0 {
                    return fail(format!(
                        "p {} is running a goroutine {} during stop (time {ts})",
                        ev.p, p.g
                    ));
                }
                ps.insert(
                    ev.p,
                    PDesc {
                        running: false,
                        ..p
                    },
                );
            }
            ty::GC_START => {
                if in_gc {
                    return fail(format!(
                        "previous GC is not ended before a new one (time {ts})"
                    ));
                }
                in_gc = true;
                new_p = GC_P;
            }
            ty::GC_DONE => {
                if !in_gc {
                    return fail(format!("bogus GC end (time {ts})"));
                }
                in_gc = false;
            }
            ty::STW_START => {
                if in_stw {
                    return fail(format!(
                        "previous STW is not ended before a new one (time {ts})"
                    ));
                }
                in_stw = true;
            }
            ty::STW_DONE => {
                if !in_stw {
                    return fail(format!("bogus STW end (time {ts})"));
                }
                in_stw = false;
            }
            ty::GC_SWEEP_START => {
                if p.sweeping {
                    return fail(format!(
                        "previous sweeping is not ended before a new one (time {ts})"
                    ));
                }
                ps.insert(
                    ev.p,
                    PDesc {
                        sweeping: true,
                        ..p
                    },
                );
            }
            ty::GC_SWEEP_DONE => {
                if !p.sweeping {
                    return fail(format!("bogus sweeping end (time {ts})"));
                }
                ps.insert(
                    ev.p,
                    PDesc {
                        sweeping: false,
                        ..p
                    },
                );
            }
            ty::GC_MARK_ASSIST_START => {
                if g.in_mark_assist {
                    return fail(format!(
                        "previous mark assist is not ended before a new one (time {ts})"
                    ));
                }
                gs.insert(
                    ev.g,
                    GDesc {
                        in_mark_assist: true,
                        ..g
                    },
                );
            }
            // Assists may be in progress when tracing starts: no check.
            ty::GC_MARK_ASSIST_DONE => {
                gs.insert(
                    ev.g,
                    GDesc {
                        in_mark_assist: false,
                        ..g
                    },
                );
            }
            ty::GO_WAITING | ty::GO_IN_SYSCALL => {
                if g.state != G::Runnable {
                    return fail(format!(
                        "g {} is not runnable before Ev{name} (time {ts})",
                        ev.g
                    ));
                }
                gs.insert(
                    ev.g,
                    GDesc {
                        state: G::Waiting,
                        last: Some(t),
                        ..g
                    },
                );
            }
            ty::GO_CREATE => {
                check_running(true)?;
                let new_g = ev.args[0];
                if gs.contains_key(&new_g) {
                    return fail(format!("g {new_g} already exists (time {ts})"));
                }
                let d = GDesc {
                    state: G::Runnable,
                    last: Some(t),
                    create_stack: Some(ev.args[1]),
                    in_mark_assist: false,
                };
                gs.insert(new_g, d);
            }
            ty::GO_START | ty::GO_START_LABEL => {
                if g.state != G::Runnable {
                    return fail(format!(
                        "g {} is not runnable before start (time {ts})",
                        ev.g
                    ));
                }
                if p.g != 0 {
                    return fail(format!(
                        "p {} is already running g {} while start g {} (time {ts})",
                        ev.p, p.g, ev.g
                    ));
                }
                if let Some(stk) = g.create_stack {
                    new_stk = stk as u32;
                }
                gs.insert(
                    ev.g,
                    GDesc {
                        state: G::Running,
                        last: None,
                        create_stack: None,
                        ..g
                    },
                );
                ps.insert(ev.p, PDesc { g: ev.g, ..p });
            }
            ty::GO_END | ty::GO_STOP => {
                check_running(false)?;
                gs.insert(
                    ev.g,
                    GDesc {
                        state: G::Dead,
                        ..g
                    },
                );
                ps.insert(ev.p, PDesc { g: 0, ..p });
                if t == ty::GO_END {
                    regions.remove(&ev.g);
                }
            }
            ty::GO_SCHED | ty::GO_PREEMPT => {
                check_running(false)?;
                gs.insert(
                    ev.g,
                    GDesc {
                        state: G::Runnable,
                        last: Some(t),
                        ..g
                    },
                );
                ps.insert(ev.p, PDesc { g: 0, ..p });
            }
            ty::GO_UNBLOCK => {
                if g.state != G::Running {
                    return fail(format!(
                        "g {} is not running while unpark (time {ts})",
                        ev.g
                    ));
                }
                if ev.p != TIMER_P && p.g != ev.g {
                    return fail(format!(
                        "p {} is not running g {} while unpark (time {ts})",
                        ev.p, ev.g
                    ));
                }
                let target = ev.args[0];
                let g1 = gs.get(&target).copied().unwrap_or_default();
                if g1.state != G::Waiting {
                    return fail(format!(
                        "g {target} is not waiting before unpark (time {ts})"
                    ));
                }
                if g1.last == Some(ty::GO_BLOCK_NET) {
                    new_p = NETPOLL_P;
                }
                gs.insert(
                    target,
                    GDesc {
                        state: G::Runnable,
                        last: Some(t),
                        ..g1
                    },
                );
            }
            ty::GO_SYSCALL => {
                check_running(false)?;
                gs.insert(ev.g, GDesc { last: Some(t), ..g });
            }
            ty::GO_SYS_BLOCK => {
                check_running(false)?;
                gs.insert(
                    ev.g,
                    GDesc {
                        state: G::Waiting,
                        ..g
                    },
                );
                ps.insert(ev.p, PDesc { g: 0, ..p });
            }
            ty::GO_SYS_EXIT => {
                if g.state != G::Waiting {
                    return fail(format!(
                        "g {} is not waiting during syscall exit (time {ts})",
                        ev.g
                    ));
                }
                gs.insert(
                    ev.g,
                    GDesc {
                        state: G::Runnable,
                        last: Some(t),
                        ..g
                    },
                );
            }
            t if ty::blocks(t) => {
                check_running(false)?;
                gs.insert(
                    ev.g,
                    GDesc {
                        state: G::Waiting,
                        last: Some(t),
                        ..g
                    },
                );
                ps.insert(ev.p, PDesc { g: 0, ..p });
            }
            ty::USER_TASK_CREATE => {
                let id = ev.args[0];
                if let Some(prev) = tasks.get(&id).and_then(|&j| events.get(j)) {
                    return fail(format!(
                        "task id conflicts (id:{id}), {} vs {}",
                        quoted(&ev),
                        quoted(prev)
                    ));
                }
                tasks.insert(id, i);
            }
            ty::USER_TASK_END => {
                tasks.remove(&ev.args[0]);
            }
            ty::USER_REGION => match ev.args[1] {
                0 => regions.entry(ev.g).or_default().push(i),
                1 => {
                    let open = regions.entry(ev.g).or_default();
                    if let Some(start) = open.last().and_then(|&j| events.get(j)) {
                        if start.args[0] != ev.args[0] || start.args[2] != ev.args[2] {
                            return fail(format!(
                                "misuse of region in goroutine {}: span end {} when the inner-most active span start event is {}",
                                ev.g,
                                quoted(&ev),
                                quoted(start)
                            ));
                        }
                        open.pop();
                    }
                    if open.is_empty() {
                        regions.remove(&ev.g);
                    }
                }
                _ => return fail(format!("invalid user region mode: {}", quoted(&ev))),
            },
            _ => {}
        }
        // Events must not refer to stacks that do not exist (or are empty).
        if new_stk != 0 && !stack_exists(new_stk) {
            new_stk = 0;
        }
        if let Some(slot) = events.get_mut(i) {
            slot.p = new_p;
            slot.stk = new_stk;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(ty: u8, p: i32, g: u64, args: [u64; 4]) -> V1Event {
        V1Event {
            ty,
            p,
            g,
            args,
            ..V1Event::default()
        }
    }

    #[test]
    fn goroutine_life_cycle_passes_and_gets_create_stack() {
        let mut evs = vec![
            ev(ty::PROC_START, 0, 0, [1, 0, 0, 0]),
            ev(ty::GO_CREATE, 0, 0, [5, 77, 0, 0]),
            ev(ty::GO_START, 0, 5, [5, 1, 0, 0]),
            ev(ty::GO_BLOCK_NET, 0, 5, [0; 4]),
            ev(ty::GO_UNBLOCK, 0, 0, [5, 2, 0, 0]),
            ev(ty::GC_START, 0, 0, [0; 4]),
        ];
        validate(&mut evs, |id| id == 77).unwrap();
        assert_eq!(evs[2].stk, 77);
        assert_eq!(evs[4].p, NETPOLL_P);
        assert_eq!(evs[5].p, GC_P);
    }

    #[test]
    fn invalid_transitions_are_reported_like_go() {
        let mut evs = vec![ev(ty::GO_START, 0, 9, [9, 1, 0, 0])];
        let e = validate(&mut evs, |_| true).unwrap_err();
        assert_eq!(e.message, "g 9 is not runnable before start (time 0)");

        let mut evs = vec![ev(ty::PROC_STOP, 3, 0, [0; 4])];
        assert_eq!(
            validate(&mut evs, |_| true).unwrap_err().message,
            "p 3 is not running before stop (time 0)"
        );

        let mut evs = vec![ev(ty::GO_WAITING, 0, 4, [4, 0, 0, 0])];
        assert_eq!(
            validate(&mut evs, |_| true).unwrap_err().message,
            "g 4 is not runnable before EvGoWaiting (time 0)"
        );

        let mut evs = vec![ev(ty::USER_REGION, 0, 0, [1, 2, 3, 0])];
        assert_eq!(
            validate(&mut evs, |_| true).unwrap_err().message,
            "invalid user region mode: \"0 UserRegion p=0 g=0 stk=0 taskid=1 mode=2 typeid=3\""
        );
    }

    #[test]
    fn unknown_stacks_are_dropped() {
        let mut evs = vec![V1Event {
            stk: 4,
            ..ev(ty::HEAP_ALLOC, 0, 0, [0; 4])
        }];
        validate(&mut evs, |_| false).unwrap();
        assert_eq!(evs[0].stk, 0);
    }
}
