use super::build::*;
use super::*;
use crate::event::GoState::*;
use crate::event::Time;
use crate::tables::StackId;

use crate::analysis::testkit::Events as B;

fn set(b: &B, window: Option<(Time, Time)>) -> ProfileSet {
    let mut p = ProfileBuilder::with_window(window);
    for e in &b.evs {
        p.add(e, &b.t);
    }
    p.finish()
}

/// Total delay of the `kind` profile over all goroutines.
fn total(set: &ProfileSet, kind: ProfileKind, b: &B) -> i64 {
    set.profile(kind, &Selection::All, &b.t).total_delay()
}

fn sample() -> (B, StackId, StackId) {
    let mut b = B::new();
    let start = b.stack_at(&[("main.w", 0x10), ("runtime.goexit", 0x20)]);
    let recv = b.stack_at(&[
        ("main.recv", 0x30),
        ("main.w", 0x11),
        ("runtime.goexit", 0x20),
    ]);
    let unblock = b.stack_at(&[("main.send", 0x40), ("main.main", 0x50)]);
    let main = b.stack_at(&[("main.main", 0x51)]);
    b.go_stacks(100, 2, Undetermined, Running, "", StackId::NONE, main);
    // g5 created at 110 (runnable), first runs at 150: not counted.
    b.go_stacks(110, 5, NotExist, Runnable, "", main, start);
    b.go_stacks(150, 5, Runnable, Running, "", StackId::NONE, StackId::NONE);
    // g5 blocks on chan 160..200, then waits to run 200..230.
    b.go_stacks(160, 5, Running, Waiting, "chan receive", recv, recv);
    b.go_stacks(200, 5, Waiting, Runnable, "", unblock, StackId::NONE);
    b.go_stacks(230, 5, Runnable, Running, "", StackId::NONE, StackId::NONE);
    // And again 240..260 on network.
    b.go_stacks(240, 5, Running, Waiting, "network", recv, recv);
    b.go_stacks(260, 5, Waiting, Runnable, "", unblock, StackId::NONE);
    b.go_stacks(265, 5, Runnable, Running, "", StackId::NONE, StackId::NONE);
    // g9 created and never runs: its open Runnable is dropped.
    b.go_stacks(270, 9, NotExist, Runnable, "", main, start);
    (b, recv, unblock)
}

#[test]
fn profiles_follow_go_rules() {
    let (b, recv, unblock) = sample();
    let set = set(&b, None);
    let sync = set.profile(ProfileKind::Sync, &Selection::All, &b.t);
    assert_eq!(sync.samples.len(), 1);
    assert_eq!((sync.samples[0].count, sync.samples[0].delay), (1, 40));
    let pcs: Vec<u64> = sync.samples[0].frames.iter().map(|f| f.pc).collect();
    assert_eq!(pcs, b.t.stack(recv).map(|f| f.pc).collect::<Vec<_>>());
    let net = set.profile(ProfileKind::Net, &Selection::All, &b.t);
    assert_eq!(net.total_delay(), 20);
    let sched = set.profile(ProfileKind::Sched, &Selection::All, &b.t);
    assert_eq!(sched.samples.len(), 1);
    assert_eq!((sched.samples[0].count, sched.samples[0].delay), (2, 35));
    assert_eq!(
        sched.samples[0].frames[0].pc,
        b.t.stack(unblock).next().unwrap().pc
    );
    assert!(set
        .profile(ProfileKind::Syscall, &Selection::All, &b.t)
        .samples
        .is_empty());
    // Groups.
    let g = set.profile(
        ProfileKind::Sched,
        &Selection::Group("runtime.goexit".into()),
        &b.t,
    );
    assert_eq!(g.total_delay(), 35);
    let g = set.profile(
        ProfileKind::Sched,
        &Selection::Group("main.main".into()),
        &b.t,
    );
    assert!(g.samples.is_empty());
    assert!(set.matches_any(&Selection::Group("main.main".into()), &b.t));
    assert!(!set.matches_any(&Selection::Group("zzz".into()), &b.t));
    let ids = Selection::Ids([5].into_iter().collect());
    assert_eq!(set.profile(ProfileKind::Net, &ids, &b.t).total_delay(), 20);
}

#[test]
fn never_running_goroutine_counts_from_zero() {
    let mut b = B::new();
    let s = b.stack_at(&[("main.x", 0x10)]);
    b.go_stacks(10, 4, NotExist, Runnable, "", s, s);
    b.go_stacks(20, 4, Runnable, Waiting, "select", s, s);
    b.go_stacks(50, 4, Waiting, NotExist, "", s, s);
    let set = set(&b, None);
    assert_eq!(total(&set, ProfileKind::Sched, &b), 10);
    assert_eq!(total(&set, ProfileKind::Sync, &b), 30);
}

/// A goroutine id that comes back to life (cgo callbacks): Go measures
/// all its samples against the last incarnation's lifetime.
#[test]
fn reused_goroutine_ids() {
    let build = |last_runs: bool| {
        let mut b = B::new();
        let s = b.stack_at(&[("main.cb", 0x10)]);
        b.go_stacks(10, 8, NotExist, Syscall, "", s, s);
        b.go_stacks(20, 8, Syscall, Running, "", s, s);
        b.go_stacks(30, 8, Running, Syscall, "", s, s);
        b.go_stacks(40, 8, Syscall, NotExist, "", s, s);
        b.go_stacks(50, 8, NotExist, Syscall, "", s, s);
        b.go_stacks(
            55,
            8,
            Syscall,
            if last_runs { Running } else { NotExist },
            "",
            s,
            s,
        );
        let set = set(&b, None);
        set.profile(ProfileKind::Syscall, &Selection::All, &b.t)
    };
    // The last incarnation ran at 55: everything before is outside.
    assert_eq!(build(true).total_delay(), 0);
    // It never ran: its lifetime is [0, exit], all three intervals count.
    let p = build(false);
    assert_eq!((p.total_count(), p.total_delay()), (3, 25));
}

#[test]
fn damaged_input_never_panics() {
    assert!(build_from_trace(&b""[..], None).is_err());
    let _ = build_from_trace(&b"go 1.23 trace\x00\x00\x00\xff\xff"[..], None);
}

#[test]
fn window_clips_samples() {
    let (b, _, _) = sample();
    let set = set(&b, Some((170, 250)));
    assert_eq!(total(&set, ProfileKind::Sync, &b), 30);
    assert_eq!(total(&set, ProfileKind::Net, &b), 10);
    assert_eq!(total(&set, ProfileKind::Sched, &b), 30);
}

#[test]
fn reasons() {
    assert!(is_sync_reason(b"chan send"));
    assert!(is_sync_reason(b"sync.(*Cond).Wait"));
    assert!(is_sync_reason(b"select no cases"));
    assert!(!is_sync_reason(b"sleep"));
    assert!(is_net_reason(b"network"));
    assert!(!is_net_reason(b"network "));
}

/// Minimal protobuf reader for the encoder test.
fn fields(mut b: &[u8]) -> Vec<(u32, u64, Vec<u8>)> {
    fn varint(b: &mut &[u8]) -> u64 {
        let mut v = 0u64;
        let mut s = 0;
        while let Some((&x, rest)) = b.split_first() {
            *b = rest;
            v |= u64::from(x & 0x7f) << s;
            s += 7;
            if x < 0x80 {
                break;
            }
        }
        v
    }
    let mut out = Vec::new();
    while !b.is_empty() {
        let k = varint(&mut b);
        match k & 7 {
            0 => out.push(((k >> 3) as u32, varint(&mut b), Vec::new())),
            2 => {
                let n = varint(&mut b) as usize;
                let (x, rest) = b.split_at(n);
                out.push(((k >> 3) as u32, 0, x.to_vec()));
                b = rest;
            }
            _ => panic!("wire type"),
        }
    }
    out
}

#[test]
fn proto_layout() {
    let (b, _, _) = sample();
    let set = set(&b, None);
    let p = set.profile(ProfileKind::Sched, &Selection::All, &b.t);
    let raw = p.to_proto();
    let f = fields(&raw);
    let strings: Vec<String> = f
        .iter()
        .filter(|x| x.0 == 6)
        .map(|x| String::from_utf8(x.2.clone()).unwrap())
        .collect();
    assert_eq!(strings[0], "");
    assert!(strings.contains(&"contentions".to_string()));
    assert!(strings.contains(&"main.send".to_string()));
    let samples: Vec<_> = f.iter().filter(|x| x.0 == 2).collect();
    assert_eq!(samples.len(), 1);
    let sf = fields(&samples[0].2);
    // packed values: count 2, delay 35
    let vals = sf.iter().find(|x| x.0 == 2).unwrap();
    assert_eq!(vals.2, vec![2, 35]);
    assert_eq!(f.iter().filter(|x| x.0 == 4).count(), 2);
    assert_eq!(f.iter().filter(|x| x.0 == 5).count(), 2);
    assert!(f.iter().any(|x| x.0 == 12 && x.1 == 1));
    // gzip round trip.
    let gz = p.to_pprof();
    let mut d = flate2::read::GzDecoder::new(&gz[..]);
    let mut back = Vec::new();
    std::io::Read::read_to_end(&mut d, &mut back).unwrap();
    assert_eq!(back, raw);
}

#[test]
fn flame() {
    let p = Profile {
        kind: ProfileKind::Sync,
        samples: vec![
            ProfileSample {
                count: 1,
                delay: 10,
                frames: vec![
                    ProfileFrame {
                        pc: 1,
                        func: "a".into(),
                        file: String::new(),
                        line: 0,
                    },
                    ProfileFrame {
                        pc: 2,
                        func: "main".into(),
                        file: String::new(),
                        line: 0,
                    },
                ],
            },
            ProfileSample {
                count: 2,
                delay: 5,
                frames: vec![ProfileFrame {
                    pc: 3,
                    func: "main".into(),
                    file: String::new(),
                    line: 0,
                }],
            },
        ],
    };
    let t = p.flame_tree();
    assert_eq!(t.total_value, 15);
    assert_eq!(t.children.len(), 1);
    let m = &t.children[0];
    assert_eq!(
        (m.name.as_str(), m.total_value, m.self_value, m.self_count),
        ("main", 15, 5, 2)
    );
    assert_eq!(m.children[0].name, "a");
    assert_eq!(m.children[0].self_value, 10);
}
