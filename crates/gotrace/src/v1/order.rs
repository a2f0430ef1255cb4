//! Merging the per-P event lists into one stream, as Go's v1 parser does.
//!
//! Events of one P are already in order; across Ps the only constraints are
//! per-goroutine sequence numbers and states (and the global GC sequence).
//! Each P's head event is either *ready* (its goroutine is in the state the
//! event requires) or waits for that goroutine to change. Ready heads sit in
//! a min-heap on their timestamp; the earliest is taken, its transition
//! applied, and the Ps waiting on that goroutine are looked at again.
//!
//! Go rescans every waiting P after each event; visiting only the Ps waiting
//! on the goroutine that changed gives the same choices (readiness depends
//! only on that goroutine's state) in O(log P) per event. Equal timestamps
//! are broken as Go's heap and P list break them; only the initial P order
//! is Go's map order (random), for which we use P id order.

use std::collections::HashMap;

use super::frontier::{Available, TieHeap};

use super::parse::{Loader, V1Event};
use super::spec::ty;
use crate::error::Error;

/// Goroutine status as the ordering tracks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
enum Status {
    #[default]
    Dead,
    Runnable,
    Running,
    Waiting,
}

/// Sequence number and status of one ordering key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
struct GState {
    seq: u64,
    status: Status,
}

/// "Any sequence number" in a requirement; "keep it" in a result.
const NO_SEQ: u64 = u64::MAX;
/// "Current sequence number plus one" in a result.
const SEQ_INC: u64 = u64::MAX - 1;
/// Ordering key of the GC sequence (not a goroutine id the runtime uses).
const GC_KEY: u64 = u64::MAX - 1;

/// What an event needs before it may be merged, and what it leaves behind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rule {
    key: u64,
    needs: GState,
    then: GState,
}

const fn st(seq: u64, status: Status) -> GState {
    GState { seq, status }
}

/// The ordering rule of `ev`; `None` when it has no constraint.
fn rule(ev: &V1Event) -> Option<Rule> {
    use Status::*;
    let [a0, a1, ..] = ev.args;
    let (key, needs, then) = match ev.ty {
        ty::GO_CREATE => (a0, st(0, Dead), st(1, Runnable)),
        ty::GO_WAITING | ty::GO_IN_SYSCALL => (ev.g, st(1, Runnable), st(2, Waiting)),
        ty::GO_START | ty::GO_START_LABEL => {
            (ev.g, st(a1, Runnable), st(a1.wrapping_add(1), Running))
        }
        // Emitted on the P that made the goroutine runnable: no sequence.
        ty::GO_START_LOCAL => (ev.g, st(NO_SEQ, Runnable), st(SEQ_INC, Running)),
        t if ty::blocks(t) || t == ty::GO_SYS_BLOCK => {
            (ev.g, st(NO_SEQ, Running), st(NO_SEQ, Waiting))
        }
        ty::GO_SCHED | ty::GO_PREEMPT => (ev.g, st(NO_SEQ, Running), st(NO_SEQ, Runnable)),
        ty::GO_UNBLOCK | ty::GO_SYS_EXIT => (a0, st(a1, Waiting), st(a1.wrapping_add(1), Runnable)),
        ty::GO_UNBLOCK_LOCAL | ty::GO_SYS_EXIT_LOCAL => {
            (a0, st(NO_SEQ, Waiting), st(SEQ_INC, Runnable))
        }
        ty::GC_START => (GC_KEY, st(a0, Dead), st(a0.wrapping_add(1), Dead)),
        _ => return None,
    };
    Some(Rule { key, needs, then })
}

fn ready(needs: GState, cur: GState) -> bool {
    (needs.seq == NO_SEQ || needs.seq == cur.seq) && needs.status == cur.status
}

/// One P's events: loaded batch by batch as the merge reaches them (Go
/// decodes lazily, which decides which error a broken trace reports).
pub struct Stream {
    batches: Vec<usize>,
    next_batch: usize,
    events: Vec<V1Event>,
    next: usize,
}

impl Stream {
    /// The batches at these file offsets, loaded on demand.
    pub fn batches(offsets: Vec<usize>) -> Self {
        Stream {
            batches: offsets,
            next_batch: 0,
            events: Vec::new(),
            next: 0,
        }
    }

    /// Events already in hand.
    pub fn loaded(events: Vec<V1Event>) -> Self {
        Stream {
            batches: Vec::new(),
            next_batch: 0,
            events,
            next: 0,
        }
    }

    /// The CPU samples (Go's ProfileP). They were written late, by another
    /// goroutine: order them by the time the signal handler took. (Go's sort
    /// is not stable; equal sample times are rare.)
    pub fn samples(mut samples: Vec<V1Event>) -> Self {
        samples.sort_by_key(|e| e.ts);
        Self::loaded(samples)
    }

    /// The next event, loading batches (some may be empty) as needed.
    fn head(&mut self, loader: &mut Loader<'_>) -> Result<Option<V1Event>, Error> {
        loop {
            if let Some(ev) = self.events.get(self.next) {
                return Ok(Some(*ev));
            }
            let Some(&off) = self.batches.get(self.next_batch) else {
                return Ok(None);
            };
            self.next_batch += 1;
            self.events.clear();
            self.next = 0;
            loader.load_batch(off, &mut self.events)?;
        }
    }

    /// The head already loaded, if any.
    fn peek(&self) -> Option<&V1Event> {
        self.events.get(self.next)
    }
}

/// Merges the P streams into Go's order; `streams` are in the order Go
/// would list them (we use P id order for Go's map order, then the CPU
/// samples, Go's ProfileP). `*Local` events come out renamed.
pub fn merge(mut streams: Vec<Stream>, loader: &mut Loader<'_>) -> Result<Vec<V1Event>, Error> {
    let mut out = Vec::new();
    let mut states: HashMap<u64, GState> = HashMap::new();
    let mut avail = Available::new(streams.len());
    // Streams whose head waits for a key's state to change.
    let mut waiting: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut waiting_count = 0usize;
    let mut heap = TieHeap::default();

    loop {
        // Look at the streams Go's scan would find changed, in its order.
        while let Some((i, s)) = avail.next_candidate() {
            let head = match streams.get_mut(s) {
                Some(st) => st.head(loader)?,
                None => None,
            };
            let Some(head) = head else {
                avail.remove_at(i); // exhausted
                continue;
            };
            match rule(&head) {
                Some(r) if !ready(r.needs, states.get(&r.key).copied().unwrap_or_default()) => {
                    waiting.entry(r.key).or_default().push(s);
                    waiting_count += 1;
                }
                _ => {
                    heap.push(head.ts, s);
                    avail.remove_at(i);
                }
            }
        }
        let Some(s) = heap.pop() else {
            if waiting_count > 0 {
                let heads = waiting
                    .values()
                    .flatten()
                    .filter_map(|&s| streams.get(s).and_then(Stream::peek));
                let err = Error::ordering("no consistent ordering of events possible");
                return Err(match heads.map(|e| e.off).min() {
                    Some(off) => err.at(off),
                    None => err,
                });
            }
            break;
        };
        let Some(stream) = streams.get_mut(s) else {
            break;
        };
        let Some(mut ev) = stream.peek().copied() else {
            break;
        };
        stream.next += 1;

        if let Some(r) = rule(&ev) {
            // The head was ready when queued; another P may have moved the
            // goroutine since (only possible in corrupt traces).
            let cur = states.get(&r.key).copied().unwrap_or_default();
            if !ready(r.needs, cur) {
                return Err(
                    Error::ordering("encountered impossible goroutine state transition").at(ev.off),
                );
            }
            let seq = match r.then.seq {
                NO_SEQ => cur.seq,
                SEQ_INC => cur.seq.wrapping_add(1),
                n => n,
            };
            states.insert(
                r.key,
                GState {
                    seq,
                    status: r.then.status,
                },
            );
            if let Some(woken) = waiting.remove(&r.key) {
                waiting_count -= woken.len();
                for w in woken {
                    avail.wake(w);
                }
            }
        }
        avail.push(s);
        ev.ty = match ev.ty {
            ty::GO_START_LOCAL => ty::GO_START,
            ty::GO_UNBLOCK_LOCAL => ty::GO_UNBLOCK,
            ty::GO_SYS_EXIT_LOCAL => ty::GO_SYS_EXIT,
            t => t,
        };
        out.push(ev);
    }
    Ok(out)
}

/// After the merge: Go requires the merged stream to be sorted by time,
/// then moves each syscall exit to the time the syscall really returned
/// (never before the matching block) and re-sorts stably.
pub fn fix_times(events: &mut [V1Event]) -> Result<(), Error> {
    if let Some(w) = events.windows(2).find(|w| w[1].ts < w[0].ts) {
        return Err(time_order().at(w[1].off));
    }
    let mut last_block: HashMap<u64, i64> = HashMap::new();
    for ev in events.iter_mut() {
        match ev.ty {
            ty::GO_SYS_BLOCK | ty::GO_IN_SYSCALL => {
                last_block.insert(ev.g, ev.ts);
            }
            ty::GO_SYS_EXIT => {
                let real = ev.args[2] as i64;
                if real == 0 {
                    continue;
                }
                let block = last_block.get(&ev.g).copied().unwrap_or(0);
                if block == 0 {
                    return Err(Error::ordering("stray syscall exit").at(ev.off));
                }
                if real < block {
                    return Err(time_order().at(ev.off));
                }
                ev.ts = real;
            }
            _ => {}
        }
    }
    events.sort_by_key(|e| e.ts);
    Ok(())
}

fn time_order() -> Error {
    Error::ordering("time stamps out of order")
}

/// Go's float64 → int64 conversion on amd64: out of range gives i64::MIN.
fn go_f64_to_i64(f: f64) -> i64 {
    /// 2^63, exactly representable.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if (-LIMIT..LIMIT).contains(&f) {
        f as i64
    } else {
        i64::MIN // also NaN
    }
}

/// Ticks → nanoseconds since the first event, as Go computes it (float64).
pub fn to_nanoseconds(events: &mut [V1Event], ticks_per_sec: i64) {
    let Some(min) = events.first().map(|e| e.ts) else {
        return;
    };
    let ns_per_tick = 1e9 / ticks_per_sec as f64;
    for ev in events.iter_mut() {
        ev.ts = go_f64_to_i64(ev.ts.wrapping_sub(min) as f64 * ns_per_tick);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(ty: u8, ts: i64, g: u64, args: [u64; 4]) -> V1Event {
        V1Event {
            ty,
            ts,
            g,
            args,
            ..V1Event::default()
        }
    }

    fn merge_lists(
        procs: Vec<(i32, Vec<V1Event>)>,
        samples: Vec<V1Event>,
    ) -> Result<Vec<V1Event>, Error> {
        let mut streams: Vec<Stream> = procs
            .into_iter()
            .map(|(_, evs)| Stream::loaded(evs))
            .collect();
        streams.push(Stream::samples(samples));
        merge(streams, &mut Loader::new(&[], 21))
    }

    #[test]
    fn sequence_numbers_beat_timestamps() {
        // P1 starts g 5 (seq 1) "before" P0 creates it: must wait.
        let p0 = vec![ev(ty::GO_CREATE, 20, 0, [5, 0, 0, 0])];
        let p1 = vec![
            ev(ty::GO_START, 10, 5, [5, 1, 0, 0]),
            ev(ty::GO_END, 30, 5, [0; 4]),
        ];
        let out = merge_lists(vec![(0, p0), (1, p1)], vec![]).unwrap();
        let tys: Vec<u8> = out.iter().map(|e| e.ty).collect();
        assert_eq!(tys, vec![ty::GO_CREATE, ty::GO_START, ty::GO_END]);
    }

    #[test]
    fn earliest_ready_event_first_and_locals_renamed() {
        let p0 = vec![
            ev(ty::GO_CREATE, 1, 0, [7, 0, 0, 0]),
            ev(ty::GO_START_LOCAL, 5, 7, [7, 0, 0, 0]),
        ];
        let p1 = vec![ev(ty::HEAP_ALLOC, 3, 0, [1, 0, 0, 0])];
        let samples = vec![
            ev(ty::CPU_SAMPLE, 4, 7, [0; 4]),
            ev(ty::CPU_SAMPLE, 2, 0, [0; 4]),
        ];
        let out = merge_lists(vec![(0, p0), (1, p1)], samples).unwrap();
        let got: Vec<(i64, u8)> = out.iter().map(|e| (e.ts, e.ty)).collect();
        assert_eq!(
            got,
            vec![
                (1, ty::GO_CREATE),
                (2, ty::CPU_SAMPLE),
                (3, ty::HEAP_ALLOC),
                (4, ty::CPU_SAMPLE),
                (5, ty::GO_START)
            ]
        );
    }

    #[test]
    fn gc_sequence_orders_gc_starts() {
        let p0 = vec![ev(ty::GC_START, 1, 0, [1, 0, 0, 0])];
        let p1 = vec![ev(ty::GC_START, 5, 0, [0, 0, 0, 0])];
        let out = merge_lists(vec![(0, p0), (1, p1)], vec![]).unwrap();
        assert_eq!(
            out.iter().map(|e| e.args[0]).collect::<Vec<_>>(),
            vec![0, 1]
        );
    }

    #[test]
    fn unsatisfiable_streams_fail() {
        let p0 = vec![ev(ty::GO_START, 1, 3, [3, 4, 0, 0])];
        let e = merge_lists(vec![(0, p0)], vec![]).unwrap_err();
        assert_eq!(e.message, "no consistent ordering of events possible");
    }

    #[test]
    fn syscall_exits_move_to_their_real_time() {
        let mut evs = vec![
            ev(ty::GO_SYS_BLOCK, 10, 4, [0; 4]),
            ev(ty::HEAP_ALLOC, 20, 0, [0; 4]),
            ev(ty::GO_SYS_EXIT, 30, 4, [4, 1, 15, 0]),
        ];
        fix_times(&mut evs).unwrap();
        assert_eq!(
            evs.iter().map(|e| e.ts).collect::<Vec<_>>(),
            vec![10, 15, 20]
        );

        let mut stray = vec![ev(ty::GO_SYS_EXIT, 30, 4, [4, 1, 15, 0])];
        assert_eq!(
            fix_times(&mut stray).unwrap_err().message,
            "stray syscall exit"
        );
        let mut unsorted = vec![
            ev(ty::HEAP_ALLOC, 2, 0, [0; 4]),
            ev(ty::HEAP_ALLOC, 1, 0, [0; 4]),
        ];
        assert_eq!(
            fix_times(&mut unsorted).unwrap_err().message,
            "time stamps out of order"
        );
    }

    #[test]
    fn nanoseconds_are_relative_and_float_scaled() {
        let mut evs = vec![
            ev(ty::HEAP_ALLOC, 1000, 0, [0; 4]),
            ev(ty::HEAP_ALLOC, 1003, 0, [0; 4]),
        ];
        to_nanoseconds(&mut evs, 3_000_000_000);
        assert_eq!(evs.iter().map(|e| e.ts).collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(go_f64_to_i64(f64::NAN), i64::MIN);
        assert_eq!(go_f64_to_i64(1e300), i64::MIN);
    }
}
