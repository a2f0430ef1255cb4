//! The ordered event stream: composes header → generations → ordering, and
//! resolves each ordered event against its generation's tables.
//!
//! Semantics follow Go 1.27's `trace.Reader`: a `Sync` event opens every
//! generation and one closes the trace; event times are forced to be strictly
//! increasing; an error in a later generation is reported after everything
//! before it (and after a `Sync`), so a damaged tail loses only itself.

use crate::error::Error;
use crate::event::{
    Event, GoState, Metric, Payload, ProcState, RangeName, Resource, StateTransition, SweepAttrs,
};
use crate::event::{Experimental, Transition};
use crate::generation::{read_generation, read_generation_with_spill, ticks_to_ns, Generation};
use crate::order::{name as ev_name, pstatus, Extra, Ordering, Queued, RawEvent};
use crate::tables::{StackId, StrId, Tables};
use crate::wire::batch::Batch;
use crate::wire::spec::{self, ev};
use crate::wire::varint::read_uvarint;
use crate::wire::{Version, HEADER_LEN};

/// Reads a whole trace held in memory, yielding events in Go's order.
pub struct Reader<'a> {
    data: &'a [u8],
    version: Version,
    tables: Tables,
    inner: Inner<'a>,
    last_time: i64,
    syncs: u64,
    done: bool,
    /// The Sync just returned closes the trace.
    finish_after: bool,
}

enum Inner<'a> {
    V1 {
        events: std::vec::IntoIter<Event>,
        error: Option<Error>,
    },
    V2(Box<V2<'a>>),
}

/// State of the new-format reader.
struct V2<'a> {
    /// Where `data` starts in the file (a streamed part, `crate::stream`).
    base: u64,
    /// More of the file follows `data`: its end is a generation boundary
    /// where reading pauses (no closing Sync) instead of ending.
    more: bool,
    pos: usize,
    gen: Option<Generation<'a>>,
    frontier: Vec<Cursor<'a>>,
    samples: std::collections::VecDeque<crate::generation::CpuSample>,
    order: Ordering,
    /// < 1.26: the first batch of the next generation.
    spill: Option<Batch<'a>>,
    /// An error to report after a Sync (Go's deferred generation error).
    pending_error: Option<Error>,
    pending_error_synced: bool,
    /// 1.26+: an error met reading the next generation.
    gen_error: Option<Error>,
}

/// Walks one thread's batches of the current generation.
///
/// The current batch's payload is held directly, so decoding the next event
/// of a batch needs no lookup through the generation's batch lists.
struct Cursor<'a> {
    m: u64,
    /// Index of this thread's batch list in the generation.
    list: usize,
    /// Index of the current batch in that list.
    batch: usize,
    /// The current batch's payload, and where it is in the file.
    data: &'a [u8],
    data_offset: u64,
    /// The current batch's base time (ns).
    batch_ts: i64,
    off: usize,
    last_ts: i64,
    ev: RawEvent,
    /// File offset of the current event, for errors.
    at: u64,
}

impl<'a> Reader<'a> {
    /// Checks the header (and, for old-format traces, parses the whole
    /// trace, as Go does); new-format events are decoded lazily.
    pub fn new(data: &'a [u8]) -> Result<Self, Error> {
        let (version, header_len) = crate::wire::parse_header_len(data)?;
        let mut tables = Tables::new();
        let inner = if version.is_v1() {
            // The old-format reader expects the canonical 16-byte header.
            let canonical;
            let file = if header_len == HEADER_LEN {
                data
            } else {
                let mut v = format!("go 1.{} trace\0\0\0", version.minor()).into_bytes();
                v.extend_from_slice(data.get(header_len..).unwrap_or(&[]));
                canonical = v;
                &canonical
            };
            let (events, error) = crate::v1::read(file, version, &mut tables);
            if events.is_empty() {
                if let Some(e) = error {
                    return Err(e);
                }
            }
            Inner::V1 {
                events: events.into_iter(),
                error,
            }
        } else {
            Inner::V2(Box::new(V2 {
                base: 0,
                more: false,
                pos: header_len,
                gen: None,
                frontier: Vec::new(),
                samples: Default::default(),
                order: Ordering::new(),
                spill: None,
                pending_error: None,
                pending_error_synced: false,
                gen_error: None,
            }))
        };
        Ok(Reader {
            data,
            version,
            tables,
            inner,
            last_time: 0,
            syncs: 0,
            done: false,
            finish_after: false,
        })
    }

    /// Goes on reading a new-format trace where `carry` stopped, over the
    /// file's bytes from offset `base` on. `data` must start at a
    /// generation boundary; `more` says that the file goes on after `data`
    /// (which must then end at a generation boundary too): reading pauses
    /// there, and [`Reader::pause`] gives what the next part needs. This is
    /// how `crate::stream` reads a file part by part.
    pub fn resume(data: &'a [u8], base: u64, carry: Carry, more: bool) -> Self {
        Reader {
            data,
            version: carry.version,
            tables: carry.tables,
            inner: Inner::V2(Box::new(V2 {
                base,
                more,
                pos: 0,
                gen: None,
                frontier: Vec::new(),
                samples: Default::default(),
                order: carry.order,
                spill: None,
                pending_error: None,
                pending_error_synced: false,
                gen_error: None,
            })),
            last_time: carry.last_time,
            syncs: carry.syncs,
            done: false,
            finish_after: false,
        }
    }

    /// Marks the input as going on after this reader's bytes (see
    /// [`Reader::resume`]). No effect on old-format traces.
    pub fn set_more(&mut self, more: bool) {
        if let Inner::V2(v) = &mut self.inner {
            v.more = more;
        }
    }

    /// What reading the next part of the file needs, once this reader has
    /// paused at the end of its bytes (`None` from [`Reader::next_event`]
    /// without an error). `None` for an old-format trace.
    pub fn pause(self) -> Option<Carry> {
        match self.inner {
            Inner::V2(v) => Some(Carry {
                version: self.version,
                tables: self.tables,
                order: v.order,
                last_time: self.last_time,
                syncs: self.syncs,
            }),
            Inner::V1 { .. } => None,
        }
    }

    pub fn version(&self) -> Version {
        self.version
    }

    /// Interned strings and stacks referenced by the events read so far.
    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    /// Gives the tables to the caller once reading is over.
    pub fn into_tables(self) -> Tables {
        self.tables
    }

    /// Bytes of input consumed so far (for progress reporting), as a file
    /// offset.
    pub fn position(&self) -> usize {
        match &self.inner {
            Inner::V1 { .. } => self.data.len(),
            Inner::V2(v) => v.base as usize + v.pos,
        }
    }

    /// Total input size.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The current generation number, if one is being read.
    pub fn generation(&self) -> Option<u64> {
        match &self.inner {
            Inner::V1 { .. } => None,
            Inner::V2(v) => v.gen.as_ref().map(|g| g.gen),
        }
    }

    /// The next event; `None` at the end. After an error, always `None`.
    pub fn next_event(&mut self) -> Option<Result<Event, Error>> {
        loop {
            if self.done || self.finish_after {
                self.done = true;
                return None;
            }
            let step = match &mut self.inner {
                Inner::V1 { events, error } => match events.next() {
                    Some(e) => return Some(Ok(e)),
                    None => {
                        self.done = true;
                        return error.take().map(Err);
                    }
                },
                Inner::V2(v) => {
                    // Hot path: an event already ordered is resolved straight
                    // into the return slot (`resolve` is out of line for that).
                    // Building it here and copying it out stalled on reloading
                    // its freshly stored fields.
                    if let Some(gen) = v.gen.as_ref() {
                        if let Some(q) = v.order.take() {
                            let (last, done) = (&mut self.last_time, &mut self.done);
                            return Some(resolve(q, gen, last, done));
                        }
                    }
                    self.step_v2()
                }
            };
            match step {
                Ok(V2Step::Queued) => {}
                Ok(V2Step::Event(e)) => return Some(Ok(self.stamp(e))),
                Ok(V2Step::End) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }

    /// Forces event times to be strictly increasing, as Go does.
    #[inline]
    fn stamp(&mut self, mut e: Event) -> Event {
        e.time = next_time(e.time, &mut self.last_time);
        e
    }

    fn sync(&mut self, time: i64, with_clock: bool) -> Event {
        self.syncs += 1;
        let clock = match (&self.inner, with_clock) {
            (Inner::V2(v), true) => v.gen.as_ref().and_then(|g| g.clock),
            _ => None,
        };
        Event::sync(time, self.syncs, clock)
    }

    fn v2(&mut self) -> &mut V2<'a> {
        match &mut self.inner {
            Inner::V2(v) => v,
            Inner::V1 { .. } => unreachable!("v2 state on a v1 trace"),
        }
    }

    /// Moves the new-format reader on by one step, when no ordered event is
    /// waiting.
    fn step_v2(&mut self) -> Result<V2Step, Error> {
        let minor = self.version.minor();
        let data = self.data;
        // Ordered events are taken before stepping, unless there is no
        // generation to resolve them against.
        if self.v2().order.has_queued() {
            return Err(Error::format("internal error: event without generation"));
        }
        // 1. Need a new generation?
        let v = self.v2();
        if v.frontier.is_empty() && v.samples.is_empty() {
            let next = if minor < 26 {
                self.next_gen_with_spill(minor)
            } else {
                self.next_gen(minor)
            };
            return next.map(|e| e.map_or(V2Step::End, V2Step::Event));
        }
        // 2. A CPU sample that comes before the next event.
        let v = self.v2();
        if let Some(s) = v.samples.front().copied() {
            if v.frontier.first().is_none_or(|c| s.time < c.ev.time) {
                v.samples.pop_front();
                return self.sample_event(s).map(V2Step::Event);
            }
        }
        // 3. Advance the earliest thread that can advance.
        let v = self.v2();
        if v.frontier.is_empty() {
            let gen = v.gen.as_ref().map(|g| g.gen).unwrap_or(0);
            return Err(Error::ordering(format!(
                "broken trace: frontier is empty (generation {gen})"
            )));
        }
        if !self.try_advance(0, data)? {
            let v = self.v2();
            v.frontier.sort_by_key(|c| c.ev.time);
            let mut advanced = false;
            for i in 1..self.v2().frontier.len() {
                if self.try_advance(i, data)? {
                    advanced = true;
                    break;
                }
            }
            if !advanced {
                let v = self.v2();
                let gen = v.gen.as_ref().map(|g| g.gen).unwrap_or(0);
                let heads: Vec<String> = v
                    .frontier
                    .iter()
                    .take(4)
                    .map(|c| format!("M {} {} at byte {}", c.m as i64, ev_name(c.ev.ty), c.at))
                    .collect();
                let at = v.frontier.first().map(|c| c.at).unwrap_or(0);
                return Err(Error::ordering(format!(
                    "broken trace: failed to advance: no thread's next event can happen (heads: {}{}; {})",
                    heads.join(", "),
                    if v.frontier.len() > 4 { ", ..." } else { "" },
                    v.order.summary()
                ))
                .at(at)
                .in_generation(gen));
            }
        }
        match self.v2().order.has_queued() {
            true => Ok(V2Step::Queued),
            false => Err(Error::ordering(
                "internal error: advance succeeded but nothing was queued",
            )),
        }
    }

    /// Tries to advance frontier cursor `i`; on success moves it on.
    fn try_advance(&mut self, i: usize, data: &'a [u8]) -> Result<bool, Error> {
        let v = self.v2();
        let Some(gen) = v.gen.as_ref() else {
            return Ok(false);
        };
        let Some(c) = v.frontier.get(i) else {
            return Ok(false);
        };
        // The event is read in place: copying it out as a whole right after
        // the decoder stored it field by field would stall on the reload.
        let (m, at) = (c.m, c.at);
        let genno = gen.gen;
        let strings = |id: u64| gen.string(id);
        let ok = v
            .order
            .advance(&c.ev, m as i64, genno, &strings)
            .map_err(|e| (*e).at(at).in_generation(genno))?;
        if !ok {
            return Ok(false);
        }
        let _ = data;
        let has_next = {
            let (Some(gen), Some(c)) = (v.gen.as_ref(), v.frontier.get_mut(i)) else {
                return Ok(true);
            };
            next_event(c, gen).map_err(|e| e.in_generation(genno))?
        };
        if has_next {
            heap_update(&mut v.frontier, i);
        } else {
            heap_remove(&mut v.frontier, i);
        }
        Ok(true)
    }

    /// Installs a freshly read generation and returns its opening Sync.
    fn install(&mut self, gen: Generation<'a>) -> Result<Option<Event>, Error> {
        let genno = gen.gen;
        let min = ticks_to_ns(gen.ns_per_tick, gen.min_ts);
        let v = self.v2();
        v.samples = gen.cpu_samples.iter().copied().collect();
        v.frontier.clear();
        for (idx, (m, _)) in gen.batches.iter().enumerate() {
            let mut c = Cursor {
                m: *m,
                list: idx,
                batch: 0,
                data: &[],
                data_offset: 0,
                batch_ts: 0,
                off: 0,
                last_ts: 0,
                ev: RawEvent::default(),
                at: 0,
            };
            if next_event(&mut c, &gen).map_err(|e| e.in_generation(genno))? {
                heap_insert(&mut v.frontier, c);
            }
        }
        v.gen = Some(gen);
        Ok(Some(self.sync(min, true)))
    }

    /// Version 26+: generations end with an explicit marker.
    fn next_gen(&mut self, minor: u32) -> Result<Option<Event>, Error> {
        let data = self.data;
        let last = self.last_time;
        let v = self.v2();
        if let Some(e) = v.gen_error.take() {
            return Err(e);
        }
        let (base, pos, more) = (v.base, v.pos, v.more);
        let mut tables = std::mem::take(&mut self.tables);
        let r = read_generation(data, base, pos, minor, &mut tables);
        self.tables = tables;
        match r {
            Ok(Some((gen, next))) => {
                self.v2().pos = next;
                self.install(gen)
            }
            // The end of this part, not of the file: pause.
            Ok(None) if more => {
                self.v2().gen = None;
                Ok(None)
            }
            Ok(None) => {
                // Clean end: one final Sync.
                self.v2().gen = None;
                self.done_after_sync();
                Ok(Some(self.sync(last, false)))
            }
            Err(e) => {
                let v = self.v2();
                v.gen = None;
                v.gen_error = Some(e);
                Ok(Some(self.sync(last, false)))
            }
        }
    }

    /// Before 1.26: a generation ends where the next one's first batch is.
    fn next_gen_with_spill(&mut self, minor: u32) -> Result<Option<Event>, Error> {
        let data = self.data;
        let last = self.last_time;
        let v = self.v2();
        if v.pending_error.is_some() {
            if v.pending_error_synced {
                return Err(v
                    .pending_error
                    .take()
                    .unwrap_or_else(|| Error::format("unknown error")));
            }
            v.pending_error_synced = true;
            return Ok(Some(self.sync(last, false)));
        }
        if v.gen.is_some() && v.spill.is_none() {
            // The end of this part, not of the file: pause.
            if v.more {
                v.gen = None;
                return Ok(None);
            }
            self.done_after_sync();
            return Ok(Some(self.sync(last, false)));
        }
        let (base, pos, spill) = (v.base, v.pos, v.spill.take());
        let mut tables = std::mem::take(&mut self.tables);
        let r = read_generation_with_spill(data, base, pos, minor, spill, &mut tables);
        self.tables = tables;
        match r {
            Ok(read) => {
                let v = self.v2();
                v.pos = read.next_pos;
                v.spill = read.spill;
                v.pending_error = read.deferred_error;
                match read.generation {
                    Some(gen) => self.install(gen),
                    None => Ok(None),
                }
            }
            Err(e) => {
                let v = self.v2();
                v.gen = None;
                v.pending_error = Some(e);
                v.pending_error_synced = true;
                Ok(Some(self.sync(last, false)))
            }
        }
    }

    /// Marks the stream as ending after the Sync being returned.
    fn done_after_sync(&mut self) {
        self.finish_after = true;
    }

    fn sample_event(&mut self, s: crate::generation::CpuSample) -> Result<Event, Error> {
        let v = self.v2();
        let gen = v
            .gen
            .as_ref()
            .ok_or_else(|| Error::format("internal error: sample without generation"))?;
        let stack = gen.stack(s.stack).ok_or_else(|| {
            Error::format(format!(
                "found invalid stack ID {} for event CPUSample",
                s.stack
            ))
            .in_generation(gen.gen)
        })?;
        Ok(Event {
            time: s.time,
            m: s.m,
            p: s.p,
            g: s.g,
            stack,
            wire_type: ev::CPU_SAMPLE,
            payload: Payload::StackSample,
        })
    }
}

/// What reading a new-format trace carries from one part of the file to
/// the next (see [`Reader::resume`]): everything but the bytes.
pub struct Carry {
    version: Version,
    tables: Tables,
    order: Ordering,
    last_time: i64,
    syncs: u64,
}

impl Carry {
    /// A reader's state before any generation: reading from a generation
    /// boundary of the file with it reads what Go reads from a trace made
    /// of the header and the generations from there on (a cut, as the
    /// flight recorder writes them).
    pub fn fresh(version: Version) -> Carry {
        Carry {
            version,
            tables: Tables::new(),
            order: Ordering::new(),
            last_time: 0,
            syncs: 0,
        }
    }
    pub fn version(&self) -> Version {
        self.version
    }
    /// The tables of every event read so far.
    pub fn into_tables(self) -> Tables {
        self.tables
    }
}

/// Reads a whole trace, giving every event in order to `each` with the
/// reader (for its tables and position), up to the first read error.
///
/// This is how every analysis reads a trace from bytes: returns the reader
/// (its tables cover every event read) and the read error if there was one,
/// so that the caller can keep what it computed before the damage. Fails
/// only when the header cannot be read.
pub fn read_events<'a>(
    data: &'a [u8],
    mut each: impl FnMut(&Event, &Reader<'a>),
) -> Result<(Reader<'a>, Option<Error>), Error> {
    let mut reader = Reader::new(data)?;
    while let Some(item) = reader.next_event() {
        match item {
            Ok(ev) => each(&ev, &reader),
            Err(e) => return Ok((reader, Some(e))),
        }
    }
    Ok((reader, None))
}

impl Iterator for Reader<'_> {
    type Item = Result<Event, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_event()
    }
}

/// Resolves `q` against generation `gen`.
/// `last_time` is the time of the event before, moved on on success; on
/// failure, `failed` is set. (Out of line, and with no check of its result
/// left to the caller, so that the event is built in the caller's return
/// slot instead of being copied there.)
#[inline(never)]
fn resolve(
    q: &Queued,
    gen: &Generation<'_>,
    last_time: &mut i64,
    failed: &mut bool,
) -> Result<Event, Error> {
    let ty = q.ev.ty;
    // By reference: single arguments are loaded one by one, each from where
    // the ordering stored it (no wide reload of the whole array).
    let a = &q.ev.args;
    // Every string and stack argument must exist in the generation's tables;
    // each is looked up once, and the payload uses the resolved ids.
    let ids = &spec::ID_ARGS[usize::from(ty)];
    let mut stacks = [StackId::NONE; 2];
    let stack_args = ids.stacks.get(..usize::from(ids.nstacks)).unwrap_or(&[]);
    for (slot, &i) in stacks.iter_mut().zip(stack_args) {
        let id = a.get(usize::from(i)).copied().unwrap_or(0);
        *slot = gen
            .stack(id)
            .ok_or_else(|| fail(failed, bad_id("stack", id, ty, gen)))?;
    }
    let mut strs = [StrId::EMPTY; 2];
    let string_args = ids.strings.get(..usize::from(ids.nstrings)).unwrap_or(&[]);
    for (slot, &i) in strs.iter_mut().zip(string_args) {
        let id = a.get(usize::from(i)).copied().unwrap_or(0);
        *slot = gen
            .string(id)
            .ok_or_else(|| fail(failed, bad_id("string", id, ty, gen)))?;
    }
    let [stack, new_stack] = stacks;
    let [str0, str1] = strs;
    let c = &q.ctx;
    let go = |id: i64, old: GoState, new: GoState, reason: StrId, stack: StackId| {
        Payload::StateTransition(StateTransition {
            transition: Transition::Goroutine { id, old, new },
            reason,
            stack,
        })
    };
    let proc = |id: i64, old: ProcState, new: ProcState| {
        Payload::StateTransition(StateTransition {
            transition: Transition::Proc { id, old, new },
            reason: StrId::EMPTY,
            stack: StackId::NONE,
        })
    };
    use GoState as G;
    let e = StrId::EMPTY;
    let none = StackId::NONE;
    let payload = match ty {
        ev::PROCS_CHANGE => Payload::Metric {
            metric: Metric::Gomaxprocs,
            value: a[0],
        },
        ev::HEAP_ALLOC => Payload::Metric {
            metric: Metric::HeapAlloc,
            value: a[0],
        },
        ev::HEAP_GOAL => Payload::Metric {
            metric: Metric::HeapGoal,
            value: a[0],
        },
        ev::GO_LABEL => Payload::Label {
            label: str0,
            resource: Resource::Goroutine(c.g),
        },
        ev::STW_BEGIN => Payload::RangeBegin {
            name: RangeName::StopTheWorld(str0),
            scope: Resource::Goroutine(c.g),
        },
        ev::STW_END => {
            let kind = match q.extra {
                Extra::StwKind(id) => gen.string(id).ok_or_else(|| {
                    let e = Error::format(format!(
                        "found invalid string ID {id} for the kind of event STWEnd"
                    ));
                    fail(failed, e.in_generation(gen.gen))
                })?,
                _ => e,
            };
            Payload::RangeEnd {
                name: RangeName::StopTheWorld(kind),
                scope: Resource::Goroutine(c.g),
                sweep: None,
            }
        }
        ev::GC_BEGIN => Payload::RangeBegin {
            name: RangeName::GcMark,
            scope: Resource::None,
        },
        ev::GC_ACTIVE => Payload::RangeActive {
            name: RangeName::GcMark,
            scope: Resource::None,
        },
        ev::GC_END => Payload::RangeEnd {
            name: RangeName::GcMark,
            scope: Resource::None,
            sweep: None,
        },
        ev::GC_SWEEP_BEGIN => Payload::RangeBegin {
            name: RangeName::GcSweep,
            scope: Resource::Proc(c.p),
        },
        ev::GC_SWEEP_ACTIVE => Payload::RangeActive {
            name: RangeName::GcSweep,
            scope: Resource::Proc(a[0] as i64),
        },
        ev::GC_SWEEP_END => Payload::RangeEnd {
            name: RangeName::GcSweep,
            scope: Resource::Proc(c.p),
            sweep: Some(SweepAttrs {
                swept: a[0],
                reclaimed: a[1],
            }),
        },
        ev::GC_MARK_ASSIST_BEGIN => Payload::RangeBegin {
            name: RangeName::GcMarkAssist,
            scope: Resource::Goroutine(c.g),
        },
        ev::GC_MARK_ASSIST_ACTIVE => Payload::RangeActive {
            name: RangeName::GcMarkAssist,
            scope: Resource::Goroutine(a[0] as i64),
        },
        ev::GC_MARK_ASSIST_END => Payload::RangeEnd {
            name: RangeName::GcMarkAssist,
            scope: Resource::Goroutine(c.g),
            sweep: None,
        },
        ev::USER_TASK_BEGIN => Payload::TaskBegin {
            id: a[0],
            parent: a[1],
            ty: str0,
        },
        ev::USER_TASK_END => match q.extra {
            Extra::TaskEnd { parent, name } => Payload::TaskEnd {
                id: a[0],
                parent,
                ty: name,
            },
            _ => Payload::TaskEnd {
                id: a[0],
                parent: crate::event::NO_TASK,
                ty: e,
            },
        },
        ev::USER_REGION_BEGIN => Payload::RegionBegin {
            task: a[0],
            ty: str0,
        },
        ev::USER_REGION_END => Payload::RegionEnd {
            task: a[0],
            ty: str0,
        },
        ev::USER_LOG => Payload::Log {
            task: a[0],
            category: str0,
            message: str1,
        },
        ev::PROC_START => proc(a[0] as i64, ProcState::Idle, ProcState::Running),
        ev::PROC_STOP => proc(c.p, ProcState::Running, ProcState::Idle),
        ev::PROC_STEAL => {
            let before = match q.extra {
                Extra::StealFrom(pstatus::SYSCALL_ABANDONED) => ProcState::Idle,
                _ => ProcState::Running,
            };
            proc(a[0] as i64, before, ProcState::Idle)
        }
        ev::PROC_STATUS => {
            let old = match q.extra {
                Extra::ProcOld(s) => s,
                _ => ProcState::Undetermined,
            };
            proc(a[0] as i64, old, crate::order::proc_state_of(a[1]))
        }
        ev::GO_CREATE => go(a[0] as i64, G::NotExist, G::Runnable, e, new_stack),
        ev::GO_CREATE_BLOCKED => go(a[0] as i64, G::NotExist, G::Waiting, e, new_stack),
        ev::GO_CREATE_SYSCALL => go(a[0] as i64, G::NotExist, G::Syscall, e, none),
        ev::GO_START => go(a[0] as i64, G::Runnable, G::Running, e, none),
        ev::GO_DESTROY => go(c.g, G::Running, G::NotExist, e, none),
        ev::GO_DESTROY_SYSCALL => go(c.g, G::Syscall, G::NotExist, e, none),
        ev::GO_STOP => go(c.g, G::Running, G::Runnable, str0, stack),
        ev::GO_BLOCK => go(c.g, G::Running, G::Waiting, str0, stack),
        ev::GO_UNBLOCK | ev::GO_SWITCH | ev::GO_SWITCH_DESTROY => {
            go(a[0] as i64, G::Waiting, G::Runnable, e, none)
        }
        ev::GO_SYSCALL_BEGIN => go(c.g, G::Running, G::Syscall, e, stack),
        ev::GO_SYSCALL_END => go(c.g, G::Syscall, G::Running, e, none),
        ev::GO_SYSCALL_END_BLOCKED => go(c.g, G::Syscall, G::Runnable, e, none),
        ev::GO_STATUS | ev::GO_STATUS_STACK => {
            let old = match q.extra {
                Extra::GoOld(s) => s,
                _ => G::Undetermined,
            };
            go(a[0] as i64, old, crate::order::go_state_of(a[2]), e, stack)
        }
        t if (ev::SPAN..=ev::GOROUTINE_STACK_FREE).contains(&t) => {
            let nargs = spec::TIMED_ARGS[usize::from(t)].min(4);
            Payload::Experimental(Experimental {
                wire_type: t,
                args: *a,
                nargs,
            })
        }
        t => {
            let e = Error::format(format!("internal error: unexpected event type {t}"));
            return Err(fail(failed, e));
        }
    };
    Ok(Event {
        time: next_time(q.ev.time, last_time),
        m: c.m,
        p: c.p,
        g: c.g,
        stack,
        wire_type: ty,
        payload,
    })
}

/// The time of an event at `time` after one at `*last`: strictly later.
#[inline]
fn next_time(time: i64, last: &mut i64) -> i64 {
    let t = if time <= *last { *last + 1 } else { time };
    *last = t;
    t
}

/// What one step of the new-format reader produced.
enum V2Step {
    /// Events were ordered: take them from the queue.
    Queued,
    /// An event made by the reader itself (a Sync, a CPU sample).
    Event(Event),
    /// The end of the trace.
    End,
}

/// Marks the stream as failed and passes the error on.
#[cold]
fn fail(failed: &mut bool, e: Error) -> Error {
    *failed = true;
    e
}

/// The error for a string or stack id missing from the generation's tables.
#[cold]
fn bad_id(what: &str, id: u64, ty: u8, gen: &Generation<'_>) -> Error {
    Error::format(format!(
        "found invalid {what} ID {id} for event {}",
        ev_name(ty)
    ))
    .in_generation(gen.gen)
}

/// Decodes the next event of cursor `c`; false when its batches are done.
#[inline]
fn next_event<'a>(c: &mut Cursor<'a>, gen: &Generation<'a>) -> Result<bool, Error> {
    if c.off >= c.data.len() && !next_batch(c, gen) {
        return Ok(false);
    }
    if c.last_ts == 0 {
        c.last_ts = c.batch_ts;
    }
    let buf = c.data.get(c.off..).unwrap_or(&[]);
    match decode_timed(buf, &mut c.ev) {
        Ok((n, dt)) => {
            c.ev.time = ticks_to_ns(gen.ns_per_tick, dt).wrapping_add(c.last_ts);
            c.last_ts = c.ev.time;
            c.at = c.data_offset + c.off as u64;
            c.off += n;
            Ok(true)
        }
        Err(e) => Err(e.into_error(buf).at(c.data_offset + c.off as u64)),
    }
}

/// Moves cursor `c` to its next non-empty batch (the first one on a fresh
/// cursor); false when there is none. Out of line: once per batch.
#[inline(never)]
fn next_batch<'a>(c: &mut Cursor<'a>, gen: &Generation<'a>) -> bool {
    let Some((_, batches)) = gen.batches.get(c.list) else {
        return false;
    };
    // Empty batches are skipped, so an empty `data` means no current batch
    // yet (a fresh cursor starts at batch 0) or none left.
    if !c.data.is_empty() {
        c.batch += 1;
    }
    while let Some(b) = batches.get(c.batch) {
        if !b.data.is_empty() {
            c.data = b.data;
            c.data_offset = b.data_offset;
            c.batch_ts = ticks_to_ns(gen.ns_per_tick, b.time);
            c.off = 0;
            c.last_ts = 0;
            return true;
        }
        c.batch += 1;
    }
    c.data = &[];
    c.off = 0;
    false
}

/// Why a timed event could not be decoded (kept small: the hot path only
/// moves this enum; the message is built on failure).
#[derive(Clone, Copy, Debug)]
enum DecodeError {
    Empty,
    InvalidType,
    NotTimed,
    BadTimestamp,
    BadArgument,
}

impl DecodeError {
    #[cold]
    fn into_error(self, buf: &[u8]) -> Error {
        let ty = buf.first().copied().unwrap_or(0);
        match self {
            DecodeError::Empty => Error::truncated("unexpected end of batch"),
            DecodeError::InvalidType => Error::format(format!("found invalid event type: {ty}")),
            DecodeError::NotTimed => {
                Error::format(format!("found event without a timestamp: type={ty}"))
            }
            DecodeError::BadTimestamp => Error::format("found invalid uvarint for timestamp"),
            DecodeError::BadArgument => Error::format("found invalid uvarint"),
        }
    }
}

/// Decodes one timed event into `raw` (type and arguments): returns
/// `(bytes used, time delta in ticks)`.
#[inline]
fn decode_timed(buf: &[u8], raw: &mut RawEvent) -> Result<(usize, u64), DecodeError> {
    let &ty = buf.first().ok_or(DecodeError::Empty)?;
    if ty > ev::GOROUTINE_STACK_FREE {
        return Err(DecodeError::InvalidType);
    }
    let nargs = spec::TIMED_ARGS[usize::from(ty)];
    if nargs == spec::NOT_TIMED {
        return Err(DecodeError::NotTimed);
    }
    let mut n = 1;
    let (dt, k) =
        read_uvarint(buf.get(n..).unwrap_or(&[])).map_err(|_| DecodeError::BadTimestamp)?;
    n += k;
    raw.ty = ty;
    raw.args = [0; 4];
    for slot in raw.args.iter_mut().take(usize::from(nargs)) {
        let (v, k) =
            read_uvarint(buf.get(n..).unwrap_or(&[])).map_err(|_| DecodeError::BadArgument)?;
        *slot = v;
        n += k;
    }
    Ok((n, dt))
}

// The frontier is a binary min-heap on event time with Go's exact sift
// rules, so that ties between threads break the same way.

fn heap_insert<'a>(h: &mut Vec<Cursor<'a>>, c: Cursor<'a>) {
    h.push(c);
    let i = h.len() - 1;
    sift_up(h, i);
}

fn heap_update(h: &mut [Cursor<'_>], i: usize) {
    if sift_up(h, i) != i {
        return;
    }
    sift_down(h, i);
}

fn heap_remove(h: &mut Vec<Cursor<'_>>, mut i: usize) {
    while i > 0 {
        h.swap((i - 1) / 2, i);
        i = (i - 1) / 2;
    }
    let last = h.len() - 1;
    h.swap(0, last);
    h.pop();
    sift_down(h, 0);
}

fn sift_up(h: &mut [Cursor<'_>], mut i: usize) -> usize {
    while i > 0 && h[(i - 1) / 2].ev.time > h[i].ev.time {
        h.swap((i - 1) / 2, i);
        i = (i - 1) / 2;
    }
    i
}

fn sift_down(h: &mut [Cursor<'_>], mut i: usize) -> usize {
    loop {
        let mut m = i;
        let mut min_t = h.get(i).map(|c| c.ev.time).unwrap_or(i64::MAX);
        for child in [2 * i + 1, 2 * i + 2] {
            if let Some(c) = h.get(child) {
                if c.ev.time < min_t {
                    min_t = c.ev.time;
                    m = child;
                }
            }
        }
        if m == i {
            return i;
        }
        h.swap(i, m);
        i = m;
    }
}
