//! A columnar store of ordered events.
//!
//! Why columnar: a trace is tens of millions of small events; storing the
//! `Event` struct (about 64 bytes) would put a 1 GB trace far beyond wasm32's
//! 4 GB. Instead each event keeps three narrow columns (12 bytes):
//! - `time`: u32 nanoseconds since its block's base (a new block every
//!   `BLOCK` events, or sooner if the gap would not fit),
//! - `ctx`: the (M, P, G) triple, interned (u32),
//! - `payload`: the (wire type, payload, stack) triple, interned (u32).
//!
//! Contexts and payloads repeat heavily (the same goroutine blocks on the
//! same channel at the same stack thousands of times), so the interned
//! tables stay small; `bytes_per_event` reports what a trace really costs.

use crate::event::{Event, GoId, Payload, ProcId, ThreadId, Time};
use crate::tables::StackId;
use std::collections::HashMap;

/// Events per time block.
const BLOCK: usize = 4096;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct Ctx {
    m: i64,
    p: i64,
    g: i64,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct Body {
    payload: Payload,
    stack: StackId,
    wire_type: u8,
}

/// The store. Build it with [`StoreBuilder`].
#[derive(Debug, Default)]
pub struct EventStore {
    time: Vec<u32>,
    ctx: Vec<u32>,
    payload: Vec<u32>,
    /// (first event index, base time) of each block, ascending.
    blocks: Vec<(u32, Time)>,
    ctxs: Vec<Ctx>,
    bodies: Vec<Body>,
}

impl EventStore {
    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    fn block_of(&self, i: usize) -> Option<&(u32, Time)> {
        let k = self
            .blocks
            .partition_point(|&(start, _)| start as usize <= i);
        self.blocks.get(k.checked_sub(1)?)
    }

    /// The time of event `i`.
    pub fn time(&self, i: usize) -> Option<Time> {
        let &(_, base) = self.block_of(i)?;
        Some(base + i64::from(*self.time.get(i)?))
    }

    /// Event `i`, exactly as the reader produced it.
    pub fn get(&self, i: usize) -> Option<Event> {
        self.event_at(i, self.time(i)?)
    }

    /// Event `i`, whose time is `time`.
    #[inline]
    fn event_at(&self, i: usize, time: Time) -> Option<Event> {
        self.event_of(time, *self.ctx.get(i)?, *self.payload.get(i)?)
    }

    /// Index of the first event at or after `t`.
    pub fn lower_bound(&self, t: Time) -> usize {
        // Blocks are ascending in base time; find the block, then scan it.
        let k = self.blocks.partition_point(|&(_, base)| base <= t);
        let start = k
            .checked_sub(1)
            .and_then(|k| self.blocks.get(k))
            .map(|b| b.0 as usize)
            .unwrap_or(0);
        let end = self
            .blocks
            .get(k)
            .map(|b| b.0 as usize)
            .unwrap_or(self.len());
        let mut lo = start;
        let mut hi = end;
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.time(mid).unwrap_or(Time::MAX) < t {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Iterates over the events with index in `range`, walking the time
    /// blocks sequentially (no search per event).
    pub fn iter_range(&self, range: std::ops::Range<usize>) -> Iter<'_> {
        let end = range.end.min(self.len());
        let block = self
            .blocks
            .partition_point(|&(start, _)| start as usize <= range.start)
            .saturating_sub(1);
        Iter {
            store: self,
            next: range.start,
            end,
            block,
        }
    }

    /// Iterates over all events.
    pub fn iter(&self) -> Iter<'_> {
        self.iter_range(0..self.len())
    }

    /// The events with index in `range`, one time block at a time, as the
    /// raw columns: for passes that look at most events only by their
    /// interned context and payload (see [`Chunk`]).
    pub fn chunks(&self, range: std::ops::Range<usize>) -> Chunks<'_> {
        let end = range.end.min(self.len());
        let block = self
            .blocks
            .partition_point(|&(start, _)| start as usize <= range.start)
            .saturating_sub(1);
        Chunks {
            store: self,
            next: range.start,
            end,
            block,
        }
    }

    /// Number of distinct contexts ([`Chunk::ctx`] values are below it).
    pub fn context_count(&self) -> usize {
        self.ctxs.len()
    }

    /// Number of distinct payloads ([`Chunk::body`] values are below it).
    pub fn body_count(&self) -> usize {
        self.bodies.len()
    }

    /// The (M, P, G) of context `id`.
    pub fn context(&self, id: u32) -> Option<(ThreadId, ProcId, GoId)> {
        self.ctxs.get(id as usize).map(|c| (c.m, c.p, c.g))
    }

    /// The payload, stack and wire type of payload `id`.
    pub fn body(&self, id: u32) -> Option<(&Payload, StackId, u8)> {
        self.bodies
            .get(id as usize)
            .map(|b| (&b.payload, b.stack, b.wire_type))
    }

    /// The event at `time` with context `ctx` and payload `body` (as a
    /// [`Chunk`] gives them).
    #[inline]
    pub fn event_of(&self, time: Time, ctx: u32, body: u32) -> Option<Event> {
        let c = self.ctxs.get(ctx as usize)?;
        let b = self.bodies.get(body as usize)?;
        Some(Event {
            time,
            m: c.m,
            p: c.p,
            g: c.g,
            stack: b.stack,
            wire_type: b.wire_type,
            payload: b.payload,
        })
    }

    /// Heap bytes held by the store (columns and interned tables).
    pub fn heap_bytes(&self) -> usize {
        self.time.capacity() * 4
            + self.ctx.capacity() * 4
            + self.payload.capacity() * 4
            + self.blocks.capacity() * 16
            + self.ctxs.capacity() * std::mem::size_of::<Ctx>()
            + self.bodies.capacity() * std::mem::size_of::<Body>()
    }

    /// Bytes per event, all tables included.
    pub fn bytes_per_event(&self) -> f64 {
        self.heap_bytes() as f64 / self.len().max(1) as f64
    }

    /// Distinct contexts and payloads (for reporting).
    pub fn interned_counts(&self) -> (usize, usize) {
        (self.ctxs.len(), self.bodies.len())
    }
}

/// A sequential iterator over stored events.
pub struct Iter<'a> {
    store: &'a EventStore,
    next: usize,
    end: usize,
    block: usize,
}

impl Iterator for Iter<'_> {
    type Item = Event;

    #[inline]
    fn next(&mut self) -> Option<Event> {
        let i = self.next;
        if i >= self.end {
            return None;
        }
        self.next += 1;
        let s = self.store;
        while s
            .blocks
            .get(self.block + 1)
            .is_some_and(|&(start, _)| start as usize <= i)
        {
            self.block += 1;
        }
        let &(_, base) = s.blocks.get(self.block)?;
        s.event_at(i, base + i64::from(*s.time.get(i)?))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end.saturating_sub(self.next);
        (n, Some(n))
    }
}

/// Consecutive events of one time block, as columns of equal length:
/// event `i` is at `base + time[i]`, with context `ctx[i]`
/// ([`EventStore::context`]) and payload `body[i]` ([`EventStore::body`]).
#[derive(Clone, Copy, Debug)]
pub struct Chunk<'a> {
    /// Index of the first event.
    pub first: usize,
    pub base: Time,
    pub time: &'a [u32],
    pub ctx: &'a [u32],
    pub body: &'a [u32],
}

/// Iterator over the [`Chunk`]s of a range of events.
pub struct Chunks<'a> {
    store: &'a EventStore,
    next: usize,
    end: usize,
    block: usize,
}

impl<'a> Iterator for Chunks<'a> {
    type Item = Chunk<'a>;

    fn next(&mut self) -> Option<Chunk<'a>> {
        let s = self.store;
        let start = self.next;
        if start >= self.end {
            return None;
        }
        while s
            .blocks
            .get(self.block + 1)
            .is_some_and(|&(b, _)| b as usize <= start)
        {
            self.block += 1;
        }
        let &(_, base) = s.blocks.get(self.block)?;
        let stop = s
            .blocks
            .get(self.block + 1)
            .map_or(self.end, |&(b, _)| (b as usize).min(self.end));
        self.next = stop;
        Some(Chunk {
            first: start,
            base,
            time: s.time.get(start..stop)?,
            ctx: s.ctx.get(start..stop)?,
            body: s.payload.get(start..stop)?,
        })
    }
}

/// Builds an [`EventStore`] one event at a time.
#[derive(Default)]
pub struct StoreBuilder {
    store: EventStore,
    ctx_index: HashMap<Ctx, u32, std::hash::BuildHasherDefault<crate::intmap::IdHasher>>,
    body_index: HashMap<Body, u32, std::hash::BuildHasherDefault<crate::intmap::IdHasher>>,
    /// Cache of the last context (contexts repeat from event to event).
    last_ctx: Option<(Ctx, u32)>,
}

impl StoreBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(events: usize) -> Self {
        let mut b = Self::default();
        b.store.time.reserve(events);
        b.store.ctx.reserve(events);
        b.store.payload.reserve(events);
        b
    }

    pub fn push(&mut self, ev: &Event) {
        let s = &mut self.store;
        let i = s.time.len();
        // Start a block every BLOCK events, or when the delta won't fit.
        let need_block = match s.blocks.last() {
            None => true,
            Some(&(start, base)) => {
                i - start as usize >= BLOCK
                    || ev.time < base
                    || ev.time - base > i64::from(u32::MAX)
            }
        };
        if need_block {
            s.blocks.push((i as u32, ev.time));
        }
        let base = s.blocks.last().map(|b| b.1).unwrap_or(ev.time);
        s.time.push((ev.time - base) as u32);
        let ctx = Ctx {
            m: ev.m,
            p: ev.p,
            g: ev.g,
        };
        let ctx_id = match self.last_ctx {
            Some((c, id)) if c == ctx => id,
            _ => {
                let next = s.ctxs.len() as u32;
                let id = *self.ctx_index.entry(ctx).or_insert_with(|| {
                    s.ctxs.push(ctx);
                    next
                });
                self.last_ctx = Some((ctx, id));
                id
            }
        };
        s.ctx.push(ctx_id);
        let body = Body {
            payload: ev.payload,
            stack: ev.stack,
            wire_type: ev.wire_type,
        };
        let next = s.bodies.len() as u32;
        let body_id = *self.body_index.entry(body).or_insert_with(|| {
            s.bodies.push(body);
            next
        });
        s.payload.push(body_id);
    }

    pub fn finish(mut self) -> EventStore {
        let s = &mut self.store;
        // Shrinking copies the columns: only worth it when much is unused.
        if s.time.capacity() > s.time.len() + s.time.len() / 8 {
            s.time.shrink_to_fit();
            s.ctx.shrink_to_fit();
            s.payload.shrink_to_fit();
        }
        s.blocks.shrink_to_fit();
        s.ctxs.shrink_to_fit();
        s.bodies.shrink_to_fit();
        self.store
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{GoState, StateTransition, Transition};
    use crate::tables::StrId;

    fn ev(time: i64, g: i64, id: i64) -> Event {
        Event {
            time,
            m: 1,
            p: 0,
            g,
            stack: StackId::NONE,
            wire_type: 16,
            payload: Payload::StateTransition(StateTransition {
                transition: Transition::Goroutine {
                    id,
                    old: GoState::Runnable,
                    new: GoState::Running,
                },
                reason: StrId::EMPTY,
                stack: StackId::NONE,
            }),
        }
    }

    #[test]
    fn round_trips_and_searches() {
        let mut b = StoreBuilder::new();
        let mut evs = Vec::new();
        let mut t = 1_000;
        for i in 0..10_000 {
            // Include a gap that does not fit in u32.
            t += if i == 5000 { 10_000_000_000 } else { 7 };
            let e = ev(t, -1, i % 10);
            b.push(&e);
            evs.push(e);
        }
        let s = b.finish();
        assert_eq!(s.len(), evs.len());
        for (i, e) in evs.iter().enumerate() {
            assert_eq!(s.get(i).as_ref(), Some(e));
        }
        assert!(s.iter().eq(evs.iter().copied()));
        assert!(s.iter_range(4990..5010).eq(evs[4990..5010].iter().copied()));
        assert_eq!(s.interned_counts(), (1, 10));
        assert_eq!(s.lower_bound(0), 0);
        assert_eq!(s.lower_bound(evs[5000].time), 5000);
        assert_eq!(s.lower_bound(evs[5000].time - 1), 5000);
        assert_eq!(s.lower_bound(evs[7777].time), 7777);
        assert_eq!(s.lower_bound(i64::MAX), evs.len());
        assert!(s.bytes_per_event() < 14.0, "{}", s.bytes_per_event());
        // The raw columns give the same events, block by block.
        for range in [0..s.len(), 4990..5010, 4095..4097, 9_999..20_000, 7..7] {
            let mut got = Vec::new();
            for c in s.chunks(range.clone()) {
                assert_eq!(c.first, range.start + got.len());
                assert!(c.time.len() == c.ctx.len() && c.ctx.len() == c.body.len());
                for i in 0..c.time.len() {
                    let t = c.base + i64::from(c.time[i]);
                    got.push(s.event_of(t, c.ctx[i], c.body[i]).unwrap());
                }
            }
            let want: Vec<Event> = s.iter_range(range).collect();
            assert_eq!(got, want);
        }
        assert_eq!(s.context(0), Some((1, 0, -1)));
        assert_eq!(s.context(1), None);
        assert_eq!(s.body_count(), 10);
        assert!(s.body(9).is_some() && s.body(10).is_none());
    }
}
