//! One generation of a new-format trace: its event batches grouped by thread,
//! and its tables (strings, stacks, CPU samples, clock) resolved into the
//! trace-wide [`Tables`].
//!
//! Generations are the unit of independence in the format: ids of strings and
//! stacks, and sequence numbers, are scoped to one generation.

use crate::error::{Error, ErrorKind};
use crate::event::{ClockSnapshot, Time};
use crate::intmap::IntMap;
use crate::tables::{Frame, StackId, StrId, Tables};
use crate::wire::batch::{read_item_in, Batch, Item};
use crate::wire::spec::{ev, MAX_FRAMES_PER_STACK, MAX_STRING_SIZE};
use crate::wire::varint::read_uvarint;

/// Converts ticks to nanoseconds as Go does: one float64 multiply, then a
/// truncating conversion (out-of-range and NaN give i64::MIN, like amd64).
#[inline]
pub fn ticks_to_ns(ns_per_tick: f64, ticks: u64) -> Time {
    go_f64_to_i64(ticks as f64 * ns_per_tick)
}

/// Go's float64→int64 conversion on amd64 (CVTTSD2SQ).
#[inline]
pub fn go_f64_to_i64(x: f64) -> i64 {
    // 2^63 as f64; the valid range is [-2^63, 2^63).
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if !(-LIMIT..LIMIT).contains(&x) {
        i64::MIN
    } else {
        x as i64
    }
}

/// A CPU profile sample, time already in nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CpuSample {
    pub time: Time,
    pub m: i64,
    pub p: i64,
    pub g: i64,
    /// Stack id as written (generation-scoped).
    pub stack: u64,
}

/// A generation, read and resolved.
#[derive(Debug)]
pub struct Generation<'a> {
    pub gen: u64,
    /// Nanoseconds per tick.
    pub ns_per_tick: f64,
    /// Smallest batch timestamp (ticks).
    pub min_ts: u64,
    /// Event batches by thread, threads in order of first appearance.
    pub batches: Vec<(u64, Vec<Batch<'a>>)>,
    /// CPU samples sorted by time.
    pub cpu_samples: Vec<CpuSample>,
    /// Generation string id → trace-wide string.
    pub strings: IdTable<StrId>,
    /// Generation stack id → trace-wide stack.
    pub stacks: IdTable<StackId>,
    pub clock: Option<ClockSnapshot>,
    /// Number of experimental batches (their payload is opaque to us).
    pub experimental_batches: usize,
    /// File offset of the generation's first byte.
    pub offset: u64,
}

impl Generation<'_> {
    /// Resolves a generation string id; id 0 is always "".
    pub fn string(&self, id: u64) -> Option<StrId> {
        if id == 0 {
            return Some(StrId::EMPTY);
        }
        self.strings.get(id)
    }
    /// Resolves a generation stack id; id 0 is always "no stack".
    pub fn stack(&self, id: u64) -> Option<StackId> {
        if id == 0 {
            return Some(StackId::NONE);
        }
        self.stacks.get(id)
    }
}

/// A map from generation-scoped ids to trace-wide ids: dense for the small
/// ids the runtime writes, sparse for hostile ones.
#[derive(Debug, Clone)]
pub struct IdTable<V: Copy> {
    dense: Vec<Option<V>>,
    sparse: IntMap<u64, V>,
    count: usize,
}

impl<V: Copy> Default for IdTable<V> {
    fn default() -> Self {
        IdTable {
            dense: Vec::new(),
            sparse: IntMap::default(),
            count: 0,
        }
    }
}

impl<V: Copy> IdTable<V> {
    pub fn get(&self, id: u64) -> Option<V> {
        match self.dense.get(id as usize) {
            Some(v) if id < self.dense.len() as u64 => *v,
            _ => self.sparse.get(&id).copied(),
        }
    }

    /// Inserts; returns false if the id is 0 or already present.
    pub fn insert(&mut self, id: u64, v: V) -> bool {
        if id == 0 || self.get(id).is_some() {
            return false;
        }
        // Dense while ids stay within a small multiple of the count, so a
        // huge id cannot make us allocate more than the input justifies.
        let count = self.len_hint();
        if id <= (2 * count as u64) + 4096 {
            let i = id as usize;
            if self.dense.len() <= i {
                self.dense.resize(i + 1, None);
            }
            if let Some(slot) = self.dense.get_mut(i) {
                *slot = Some(v);
            }
        } else {
            self.sparse.insert(id, v);
        }
        self.count += 1;
        true
    }

    fn len_hint(&self) -> usize {
        self.count
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// The outcome of reading a generation of a pre-1.26 trace, where the end of
/// a generation is only known by reading the first batch of the next one.
pub struct SpillRead<'a> {
    pub generation: Option<Generation<'a>>,
    /// The first batch of the next generation, already read.
    pub spill: Option<Batch<'a>>,
    /// An error met after the generation had begun: reported after it.
    pub deferred_error: Option<Error>,
    /// Where reading stopped.
    pub next_pos: usize,
}

/// Accumulates a generation's batches before its tables are resolved.
struct Builder<'a> {
    minor: u32,
    gen: u64,
    min_ts: u64,
    batches: Vec<(u64, Vec<Batch<'a>>)>,
    batch_index: IntMap<u64, usize>,
    strings: IdTable<StrId>,
    /// Stacks as written: (id, pcs).
    raw_stacks: Vec<(u64, Vec<u64>)>,
    stack_ids: IntMap<u64, ()>,
    /// First definition of each PC: (func string id, file string id, line).
    pcs: IntMap<u64, (u64, u64, u64)>,
    cpu_samples: Vec<(u64, i64, i64, i64, u64)>,
    ns_per_tick: Option<f64>,
    clock: Option<(u64, u64, u64, u64)>,
    experimental_batches: usize,
    offset: u64,
}

impl<'a> Builder<'a> {
    fn new(minor: u32, offset: u64) -> Self {
        Builder {
            minor,
            gen: 0,
            min_ts: 0,
            batches: Vec::new(),
            batch_index: IntMap::default(),
            strings: IdTable::default(),
            raw_stacks: Vec::new(),
            stack_ids: IntMap::default(),
            pcs: IntMap::default(),
            cpu_samples: Vec::new(),
            ns_per_tick: None,
            clock: None,
            experimental_batches: 0,
            offset,
        }
    }

    fn note_time(&mut self, t: u64) {
        if self.min_ts == 0 || t < self.min_ts {
            self.min_ts = t;
        }
    }

    fn has_event_batches(&self) -> bool {
        !self.batches.is_empty()
    }

    /// Files a batch by kind.
    fn process(&mut self, b: Batch<'a>, tables: &mut Tables) -> Result<(), Error> {
        let res = if b.is_strings() {
            self.add_strings(&b, tables)
        } else if b.is_stacks() {
            self.add_stacks(&b)
        } else if b.is_cpu_samples() {
            self.add_cpu_samples(&b)
        } else if b.is_sync(self.minor) {
            self.set_sync(&b)
        } else if b.exp != 0 {
            self.experimental_batches += 1;
            Ok(())
        } else {
            let idx = match self.batch_index.get(&b.m) {
                Some(&i) => i,
                None => {
                    self.batches.push((b.m, Vec::new()));
                    let i = self.batches.len() - 1;
                    self.batch_index.insert(b.m, i);
                    i
                }
            };
            if let Some((_, list)) = self.batches.get_mut(idx) {
                list.push(b);
            }
            Ok(())
        };
        res.map_err(|e| e.in_generation(b.gen))
    }

    fn add_strings(&mut self, b: &Batch<'a>, tables: &mut Tables) -> Result<(), Error> {
        let mut r = Cursor::new(b.data, b.data_offset);
        r.byte("strings batch header")?;
        while !r.is_empty() {
            let at = r.offset();
            let t = r.byte("string event")?;
            if t != ev::STRING {
                return Err(Error::format(format!("expected string event, got {t}")).at(at));
            }
            let id = r.uvarint("string id")?;
            let len = r.uvarint("string length")?;
            if len > MAX_STRING_SIZE {
                return Err(Error::format(format!(
                    "invalid string size {len}, maximum is {MAX_STRING_SIZE}"
                ))
                .at(at));
            }
            let bytes = r.take(len as usize, "string data")?;
            let sid = tables.intern(bytes);
            if !self.strings.insert(id, sid) {
                return Err(
                    Error::format(format!("multiple strings with the same ID: id={id}")).at(at),
                );
            }
        }
        Ok(())
    }

    fn add_stacks(&mut self, b: &Batch<'a>) -> Result<(), Error> {
        let mut r = Cursor::new(b.data, b.data_offset);
        r.byte("stacks batch header")?;
        while !r.is_empty() {
            let at = r.offset();
            let t = r.byte("stack event")?;
            if t != ev::STACK {
                return Err(Error::format(format!("expected stack event, got {t}")).at(at));
            }
            let id = r.uvarint("stack id")?;
            let n = r.uvarint("stack frame count")?;
            if n > MAX_FRAMES_PER_STACK {
                return Err(Error::format(format!(
                    "invalid stack size {n}, maximum is {MAX_FRAMES_PER_STACK}"
                ))
                .at(at));
            }
            let mut pcs = Vec::with_capacity(n as usize);
            for _ in 0..n {
                let pc = r.uvarint("frame PC")?;
                let func = r.uvarint("frame function id")?;
                let file = r.uvarint("frame file id")?;
                let line = r.uvarint("frame line")?;
                pcs.push(pc);
                self.pcs.entry(pc).or_insert((func, file, line));
            }
            if id == 0 || self.stack_ids.insert(id, ()).is_some() {
                return Err(
                    Error::format(format!("multiple stacks with the same ID: id={id}")).at(at),
                );
            }
            self.raw_stacks.push((id, pcs));
        }
        Ok(())
    }

    fn add_cpu_samples(&mut self, b: &Batch<'a>) -> Result<(), Error> {
        let mut r = Cursor::new(b.data, b.data_offset);
        r.byte("CPU samples batch header")?;
        while !r.is_empty() {
            let at = r.offset();
            let t = r.byte("CPU sample event")?;
            if t != ev::CPU_SAMPLE {
                return Err(Error::format(format!("expected CPU sample event, got {t}")).at(at));
            }
            let time = r.uvarint("sample time")?;
            let m = r.uvarint("sample thread")? as i64;
            let p = r.uvarint("sample proc")? as i64;
            let g = r.uvarint("sample goroutine")?;
            let g = if g == 0 { -1 } else { g as i64 };
            let stack = r.uvarint("sample stack")?;
            self.cpu_samples.push((time, m, p, g, stack));
        }
        Ok(())
    }

    fn set_sync(&mut self, b: &Batch<'a>) -> Result<(), Error> {
        let mut r = Cursor::new(b.data, b.data_offset);
        if self.minor >= 25 {
            r.byte("sync batch header")?;
        }
        let mut last = b.time;
        while !r.is_empty() {
            let at = r.offset();
            let t = r.byte("sync batch event")?;
            match t {
                ev::FREQUENCY => {
                    if self.ns_per_tick.is_some() {
                        return Err(Error::format("found multiple frequency events").at(at));
                    }
                    let f = r.uvarint("frequency")?;
                    self.ns_per_tick = Some(1.0 / (f as f64 / 1e9));
                }
                ev::CLOCK_SNAPSHOT if self.minor >= 25 => {
                    if self.clock.is_some() {
                        return Err(Error::format("found multiple clock snapshot events").at(at));
                    }
                    let dt = r.uvarint("clock snapshot time")?;
                    last = last.wrapping_add(dt);
                    let mono = r.uvarint("clock snapshot monotonic time")?;
                    let sec = r.uvarint("clock snapshot seconds")?;
                    let nsec = r.uvarint("clock snapshot nanoseconds")?;
                    self.clock = Some((last, mono, sec, nsec));
                }
                _ => {
                    return Err(Error::format(format!(
                        "expected frequency or clock snapshot event, got {t}"
                    ))
                    .at(at));
                }
            }
        }
        Ok(())
    }

    /// Checks the generation is complete and resolves its tables.
    fn finish(self, tables: &mut Tables) -> Result<Generation<'a>, Error> {
        let gen = self.gen;
        let ns_per_tick = match self.ns_per_tick {
            // Go tests "freq == 0"; a zero frequency gives +Inf, which passes.
            Some(f) if f != 0.0 => f,
            _ => {
                return Err(Error::format("no frequency event found")
                    .in_generation(gen)
                    .at(self.offset))
            }
        };
        if self.minor >= 25 && self.clock.is_none() {
            return Err(Error::format("no clock snapshot event found")
                .in_generation(gen)
                .at(self.offset));
        }
        // Resolve stacks: every PC must have a frame with known strings.
        let mut raw_stacks = self.raw_stacks;
        raw_stacks.sort_by_key(|(id, _)| *id);
        let mut stacks = IdTable::default();
        let mut frame_ids = Vec::new();
        for (id, pcs) in &raw_stacks {
            frame_ids.clear();
            for pc in pcs {
                let Some(&(func, file, line)) = self.pcs.get(pc) else {
                    return Err(
                        Error::format(format!("found unknown pc {pc:x} for stack {id}"))
                            .in_generation(gen),
                    );
                };
                let func = if func == 0 {
                    Some(StrId::EMPTY)
                } else {
                    self.strings.get(func)
                };
                let Some(func) = func else {
                    return Err(Error::format(format!(
                        "found invalid func string ID {func:?} for stack {id}"
                    ))
                    .in_generation(gen));
                };
                let file_id = if file == 0 {
                    Some(StrId::EMPTY)
                } else {
                    self.strings.get(file)
                };
                let Some(file_id) = file_id else {
                    return Err(Error::format(format!(
                        "found invalid file string ID {file} for stack {id}"
                    ))
                    .in_generation(gen));
                };
                frame_ids.push(tables.intern_frame(Frame {
                    pc: *pc,
                    func,
                    file: file_id,
                    line,
                }));
            }
            stacks.insert(*id, tables.intern_stack(&frame_ids));
        }
        let mut cpu_samples: Vec<CpuSample> = self
            .cpu_samples
            .iter()
            .map(|&(t, m, p, g, stack)| CpuSample {
                time: ticks_to_ns(ns_per_tick, t),
                m,
                p,
                g,
                stack,
            })
            .collect();
        // Stable; Go's sort is unstable but identical for distinct times.
        cpu_samples.sort_by_key(|s| s.time);
        let clock = self.clock.map(|(t, mono, sec, nsec)| ClockSnapshot {
            trace: ticks_to_ns(ns_per_tick, t),
            mono,
            wall_sec: sec,
            wall_nsec: nsec,
        });
        Ok(Generation {
            gen,
            ns_per_tick,
            min_ts: self.min_ts,
            batches: self.batches,
            cpu_samples,
            strings: self.strings,
            stacks,
            clock,
            experimental_batches: self.experimental_batches,
            offset: self.offset,
        })
    }
}

/// Reads one generation of a version-26+ trace starting at `pos`, up to and
/// including its end-of-generation marker. `Ok(None)` at a clean end.
/// `file` is the file's bytes from offset `base` on (0: the whole file).
pub fn read_generation<'a>(
    file: &'a [u8],
    base: u64,
    mut pos: usize,
    minor: u32,
    tables: &mut Tables,
) -> Result<Option<(Generation<'a>, usize)>, Error> {
    let mut g = Builder::new(minor, base + pos as u64);
    let mut seen_any = false;
    loop {
        let item = match read_item_in(file, pos, base) {
            Ok(Some(item)) => item,
            Ok(None) => {
                if g.has_event_batches() {
                    return Err(Error::new(
                        ErrorKind::Truncated,
                        "incomplete generation found; trace likely truncated",
                    )
                    .in_generation(g.gen)
                    .at(base + pos as u64));
                }
                return Ok(None);
            }
            Err(e) => return Err(if seen_any { e.in_generation(g.gen) } else { e }),
        };
        seen_any = true;
        let (item, next) = item;
        match item {
            Item::EndOfGeneration { .. } => {
                pos = next;
                break;
            }
            Item::Batch(b) => {
                if g.gen == 0 {
                    g.gen = b.gen;
                }
                if b.gen == 0 {
                    return Err(Error::format("invalid generation number 0").at(b.offset));
                }
                if b.gen != g.gen {
                    return Err(Error::format(
                        "broken trace: missing end-of-generation event, or generations are interleaved",
                    )
                    .at(b.offset)
                    .in_generation(g.gen));
                }
                g.note_time(b.time);
                g.process(b, tables)?;
                pos = next;
            }
        }
    }
    Ok(Some((g.finish(tables)?, pos)))
}

/// Reads one generation of a pre-1.26 trace, which ends where a batch of the
/// next generation begins (that batch is "spilled" into the next call).
pub fn read_generation_with_spill<'a>(
    file: &'a [u8],
    base: u64,
    mut pos: usize,
    minor: u32,
    spill: Option<Batch<'a>>,
    tables: &mut Tables,
) -> Result<SpillRead<'a>, Error> {
    let start = spill.map(|b| b.offset).unwrap_or(base + pos as u64);
    let mut g = Builder::new(minor, start);
    if let Some(b) = spill {
        g.gen = b.gen;
        g.min_ts = b.time;
        g.process(b, tables)?;
    }
    let mut spill_out = None;
    let mut deferred = None;
    loop {
        let (item, next) = match read_item_in(file, pos, base) {
            Ok(Some(x)) => x,
            Ok(None) => break,
            Err(e) => {
                if g.gen != 0 {
                    deferred = Some(e.in_generation(g.gen + 1));
                    break;
                }
                return Err(e);
            }
        };
        let b = match item {
            Item::Batch(b) => b,
            // Byte 52 is not a batch before version 26.
            Item::EndOfGeneration { offset } => {
                let e = Error::format(format!(
                    "expected batch event, got event {}",
                    ev::END_OF_GENERATION
                ))
                .at(offset);
                if g.gen != 0 {
                    deferred = Some(e.in_generation(g.gen + 1));
                    break;
                }
                return Err(e);
            }
        };
        if b.gen == 0 {
            return Err(Error::format("invalid generation number 0").at(b.offset));
        }
        if g.gen == 0 {
            g.gen = b.gen;
        }
        if b.gen == g.gen.wrapping_add(1) {
            spill_out = Some(b);
            pos = next;
            break;
        }
        if b.gen != g.gen {
            return Err(Error::format("generations out of order")
                .at(b.offset)
                .in_generation(g.gen));
        }
        g.note_time(b.time);
        g.process(b, tables)?;
        pos = next;
    }
    let generation = g.finish(tables)?;
    Ok(SpillRead {
        generation: Some(generation),
        spill: spill_out,
        deferred_error: deferred,
        next_pos: pos,
    })
}

/// A bounds-checked reader over a batch payload that knows its file offset.
pub struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    base: u64,
}

impl<'a> Cursor<'a> {
    pub fn new(data: &'a [u8], base: u64) -> Self {
        Cursor { data, pos: 0, base }
    }
    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }
    pub fn byte(&mut self, what: &str) -> Result<u8, Error> {
        match self.data.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                Ok(b)
            }
            None => Err(
                Error::truncated(format!("unexpected end of batch reading {what}"))
                    .at(self.offset()),
            ),
        }
    }
    pub fn uvarint(&mut self, what: &str) -> Result<u64, Error> {
        let rest = self.data.get(self.pos..).unwrap_or(&[]);
        match read_uvarint(rest) {
            Ok((v, n)) => {
                self.pos += n;
                Ok(v)
            }
            Err(e) => {
                Err(Error::format(format!("reading {what}: {}", e.describe())).at(self.offset()))
            }
        }
    }
    pub fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], Error> {
        let avail = self.data.len().saturating_sub(self.pos);
        if avail < n {
            return Err(Error::truncated(format!(
                "failed to read full {what}: read {avail} but wanted {n}"
            ))
            .at(self.offset()));
        }
        let s = self.data.get(self.pos..self.pos + n).unwrap_or(&[]);
        self.pos += n;
        Ok(s)
    }
}
