//! A binary encoding of a [`Timeline`] for the worker → page message. The
//! big columns ([`Packed`] records, [`Levels`] summaries) are already compact,
//! so they are copied as they are (little-endian, each prefixed by its length
//! as u32 LE): encoding and decoding are close to a memory copy. The small
//! tables (ranges, regions, tasks, logs, strings, stacks) are written field by
//! field, integer columns as LEB128 varints. Decoding checks every length
//! against the remaining input and the cross-references the accessors rely on,
//! and never panics.

use super::lod::{Levels, MaxLevels, SpanLevels};
use super::model::*;
use super::packed::{Filling, Head, Packed};
use super::ship::Shipped;
use crate::wire::varint::{unzigzag, write_uvarint, zigzag};
use std::fmt;

const MAGIC: &[u8; 4] = b"GTTL";
const VERSION: u32 = 4;

/// The encoded bytes were not a timeline of this version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    pub offset: usize,
    pub what: &'static str,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bad timeline encoding at byte {}: {}",
            self.offset, self.what
        )
    }
}

impl std::error::Error for DecodeError {}

struct W(Vec<u8>);

impl W {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u32(n as u32);
    }
    fn bytes(&mut self, v: &[u8]) {
        self.len(v.len());
        self.0.extend_from_slice(v);
    }
    /// LEB128 varint.
    fn var(&mut self, v: u64) {
        write_uvarint(&mut self.0, v);
    }
    /// `u32` columns: varint of `v + 1` (so `NO_INDEX` takes one byte).
    fn u32s(&mut self, v: &[u32]) {
        self.len(v.len());
        v.iter().for_each(|&x| self.var(x.wrapping_add(1) as u64));
    }
    /// `i64` columns (mostly sorted times): zigzag varint of the delta to the previous value.
    fn i64s(&mut self, v: &[i64]) {
        self.len(v.len());
        let mut prev = 0i64;
        for &x in v {
            let d = x.wrapping_sub(prev);
            self.var(zigzag(d));
            prev = x;
        }
    }
    /// Raw little-endian columns (the big ones: a copy, no varints).
    fn raw_i64s(&mut self, v: &[i64]) {
        self.len(v.len());
        self.0.reserve(v.len() * 8);
        v.iter()
            .for_each(|x| self.0.extend_from_slice(&x.to_le_bytes()));
    }
    fn raw_u32s(&mut self, v: &[u32]) {
        self.len(v.len());
        self.0.reserve(v.len() * 4);
        v.iter()
            .for_each(|x| self.0.extend_from_slice(&x.to_le_bytes()));
    }
    /// A column: what comes before its bytes ([`W::packed_head`]), then
    /// its bytes, chunk after chunk, one byte string in the encoded form
    /// (but for the chunks sent ahead).
    fn packed(&mut self, p: &Packed) {
        self.packed_head(p);
        p.data[p.shipped.len()..]
            .iter()
            .for_each(|c| self.0.extend_from_slice(c));
    }
    fn packed_head(&mut self, p: &Packed) {
        self.u8(p.fields);
        self.u8(p.delta);
        self.u32(p.len);
        self.raw_i64s(&p.block_time);
        self.len(p.block_off.len());
        p.contiguous_offsets()
            .for_each(|o| self.0.extend_from_slice(&o.to_le_bytes()));
        self.len(p.data_len());
        self.u32(p.ship_id);
        self.raw_u32s(&p.shipped);
    }
    fn span_levels(&mut self, l: &SpanLevels) {
        self.u8(l.shift);
        self.u8(l.scale);
        self.len(l.levels.len());
        l.levels.iter().for_each(|v| self.raw_u32s(v));
    }
    fn max_levels(&mut self, l: &MaxLevels) {
        self.span_levels(l);
    }
    fn opt_i64(&mut self, v: Option<i64>) {
        match v {
            Some(x) => {
                self.u8(1);
                self.i64(x);
            }
            None => self.u8(0),
        }
    }
}

struct R<'a> {
    data: &'a [u8],
    pos: usize,
}

type Res<T> = Result<T, DecodeError>;

impl<'a> R<'a> {
    fn err<T>(&self, what: &'static str) -> Res<T> {
        Err(DecodeError {
            offset: self.pos,
            what,
        })
    }
    fn take(&mut self, n: usize) -> Res<&'a [u8]> {
        match self.data.get(self.pos..self.pos.saturating_add(n)) {
            Some(s) if self.pos.checked_add(n).is_some() => {
                self.pos += n;
                Ok(s)
            }
            _ => self.err("unexpected end"),
        }
    }
    fn arr<const N: usize>(&mut self) -> Res<[u8; N]> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }
    fn u8(&mut self) -> Res<u8> {
        Ok(self.arr::<1>()?[0])
    }
    fn u16(&mut self) -> Res<u16> {
        Ok(u16::from_le_bytes(self.arr()?))
    }
    fn u32(&mut self) -> Res<u32> {
        Ok(u32::from_le_bytes(self.arr()?))
    }
    fn u64(&mut self) -> Res<u64> {
        Ok(u64::from_le_bytes(self.arr()?))
    }
    fn i64(&mut self) -> Res<i64> {
        Ok(i64::from_le_bytes(self.arr()?))
    }
    /// A count of items of `size` bytes each, checked against what is left.
    fn len(&mut self, size: usize) -> Res<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(size.max(1)) > self.data.len() - self.pos {
            return self.err("length exceeds input");
        }
        Ok(n)
    }
    fn bytes(&mut self) -> Res<Vec<u8>> {
        Ok(self.take_len()?.to_vec())
    }
    /// A length-prefixed byte string, borrowed.
    fn take_len(&mut self) -> Res<&'a [u8]> {
        let n = self.len(1)?;
        self.take(n)
    }
    fn vec<T>(&mut self, size: usize, mut f: impl FnMut(&mut Self) -> Res<T>) -> Res<Vec<T>> {
        let n = self.len(size)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(f(self)?);
        }
        Ok(v)
    }
    fn var(&mut self) -> Res<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        self.err("varint too long")
    }
    fn u32s(&mut self) -> Res<Vec<u32>> {
        self.vec(1, |r| match u32::try_from(r.var()?) {
            Ok(v) => Ok(v.wrapping_sub(1)),
            Err(_) => r.err("u32 out of range"),
        })
    }
    fn i64s(&mut self) -> Res<Vec<i64>> {
        let mut prev = 0i64;
        self.vec(1, |r| {
            let z = r.var()?;
            let d = unzigzag(z);
            prev = prev.wrapping_add(d);
            Ok(prev)
        })
    }
    fn raw<const N: usize, T>(&mut self, f: impl Fn([u8; N]) -> T) -> Res<Vec<T>> {
        let n = self.len(N)?;
        let s = self.take(n * N)?;
        Ok(s.chunks_exact(N)
            .map(|c| {
                let mut a = [0u8; N];
                a.copy_from_slice(c);
                f(a)
            })
            .collect())
    }
    fn raw_i64s(&mut self) -> Res<Vec<i64>> {
        self.raw(i64::from_le_bytes)
    }
    fn raw_u32s(&mut self) -> Res<Vec<u32>> {
        self.raw(u32::from_le_bytes)
    }
    /// A column whose bytes are all in this part or sent ahead.
    fn packed(&mut self, ahead: &mut Shipped) -> Res<Packed> {
        let at = self.pos;
        let head = self.packed_head()?;
        let mut fill = ahead
            .take(head.ship_id, &head.shipped)
            .and_then(|chunks| Filling::new(head, chunks))
            .map_err(|what| DecodeError { offset: at, what })?;
        let n = usize::try_from(fill.missing()).unwrap_or(usize::MAX);
        let bytes = self.take(n)?;
        fill.push(bytes)
            .and_then(|_| fill.finish())
            .map_err(|what| DecodeError { offset: at, what })
    }
    /// What comes before a column's bytes (which may run over into the
    /// next parts: their count is not checked against this one).
    fn packed_head(&mut self) -> Res<Head> {
        Ok(Head {
            fields: self.u8()?,
            delta: self.u8()?,
            len: self.u32()?,
            block_time: self.raw_i64s()?,
            offsets: self.raw_u32s()?,
            bytes: self.u32()? as u64,
            ship_id: self.u32()?,
            shipped: self.raw_u32s()?,
        })
    }
    fn span_levels(&mut self) -> Res<SpanLevels> {
        let shift = self.u8()?;
        let scale = self.u8()?;
        let levels = self.vec(4, |r| r.raw_u32s())?;
        if shift > 62 || scale > 32 {
            return self.err("bad level shift");
        }
        Ok(Levels {
            shift,
            levels,
            scale,
        })
    }
    fn max_levels(&mut self) -> Res<MaxLevels> {
        self.span_levels()
    }
    fn opt_i64(&mut self) -> Res<Option<i64>> {
        match self.u8()? {
            0 => Ok(None),
            1 => Ok(Some(self.i64()?)),
            _ => self.err("bad option tag"),
        }
    }
}

/// Counts of the items that follow the header part.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    goroutines: usize,
    lanes: usize,
    series: usize,
    counter_levels: usize,
}

impl Counts {
    fn total(&self) -> usize {
        self.goroutines + self.lanes + self.series + self.counter_levels
    }
}

impl Timeline {
    /// Encodes the model as one buffer: the parts of
    /// [`Timeline::encode_parts`], each prefixed by its length.
    pub fn encode(&self) -> Vec<u8> {
        let parts = self.encode_parts(usize::MAX);
        let mut w = W(Vec::with_capacity(parts.iter().map(|p| p.len() + 4).sum()));
        w.len(parts.len());
        parts.iter().for_each(|p| w.bytes(p));
        w.0
    }

    /// Decodes [`Timeline::encode`] output, checking its structure.
    pub fn decode(data: &[u8]) -> Result<Timeline, DecodeError> {
        let mut r = R { data, pos: 0 };
        let n = r.len(4)?;
        let header = r.take_len()?;
        let mut d = Decoder::new(header)?;
        for _ in 1..n {
            let at = r.pos;
            let part = r.take_len()?;
            d.feed(part).map_err(|e| DecodeError {
                offset: at + 4 + e.offset,
                what: e.what,
            })?;
        }
        if r.pos != data.len() {
            return r.err("trailing bytes");
        }
        d.finish()
    }

    /// Encodes the model in parts of about `max_part` bytes (one lane can
    /// make a part bigger): a header with the small tables, then the
    /// goroutine lanes, execution lanes, counter series and counter
    /// summaries in order. The page decodes one part at a time
    /// ([`Decoder`]), so it never holds the whole encoding and the model at once.
    pub fn encode_parts(&self, max_part: usize) -> Vec<Vec<u8>> {
        let mut parts = Vec::new();
        self.encode_parts_with(max_part, |p| parts.push(p));
        parts
    }

    /// [`Timeline::encode_parts`], handing each part to `emit` as soon as it
    /// is complete (the worker moves it out of wasm memory right away).
    pub fn encode_parts_with(&self, max_part: usize, mut emit: impl FnMut(Vec<u8>)) {
        let mut w = W(Vec::new());
        w.0.extend_from_slice(MAGIC);
        w.u32(VERSION);
        w.i64(self.origin);
        w.i64(self.duration);
        w.u64(self.events);
        w.i64s(&self.syncs);
        w.len(self.goroutines.len());
        w.len(self.procs.len() + self.threads.len());
        w.len(self.series.len());
        w.len(self.counter_levels.len());
        w.len(self.kinds.len());
        for k in &self.kinds {
            w.u8(k.state as u8);
            w.u32(k.reason);
        }
        w.bytes(&self.kind_keys);
        w.len(self.payloads.len());
        for p in &self.payloads {
            w.var(p.kind as u64);
            w.var(p.stack as u64);
        }
        w.len(self.ranges.len());
        for r in &self.ranges {
            w.u8(r.kind as u8);
            w.u32(r.label);
            w.i64(r.resource);
            w.i64(r.start);
            w.i64(r.end);
        }
        w.len(self.regions.len());
        for r in &self.regions {
            w.u32(r.goroutine);
            w.i64(r.start);
            w.i64(r.end);
            w.u32(r.ty);
            w.u64(r.task);
            w.u16(r.depth);
        }
        w.len(self.tasks.len());
        for t in &self.tasks {
            w.u64(t.id);
            w.u64(t.parent);
            w.u32(t.ty);
            w.opt_i64(t.start);
            w.opt_i64(t.end);
        }
        w.len(self.logs.len());
        for l in &self.logs {
            w.i64(l.time);
            w.u32(l.goroutine);
            w.u64(l.task);
            w.u32(l.category);
            w.u32(l.message);
        }
        w.packed(&self.samples);
        w.bytes(&self.strings.bytes);
        w.u32s(&self.strings.ends);
        w.len(self.stacks.frames.len());
        for f in &self.stacks.frames {
            w.u32(f.func);
            w.u32(f.file);
            w.u32(f.line);
        }
        w.u32s(&self.stacks.stack_frames);
        w.u32s(&self.stacks.ends);
        emit(w.0);
        let mut w = W(Vec::new());
        let flush = |w: &mut W, emit: &mut dyn FnMut(Vec<u8>), force: bool| {
            if !w.0.is_empty() && (force || w.0.len() >= max_part) {
                emit(std::mem::take(&mut w.0));
            }
        };
        // A column's bytes may end a part and go on in the next ones: a big
        // column never has to be in one piece, here or on the page.
        let column = |w: &mut W, emit: &mut dyn FnMut(Vec<u8>), p: &Packed| {
            w.packed_head(p);
            for c in &p.data[p.shipped.len()..] {
                w.0.extend_from_slice(c);
                flush(w, emit, false);
            }
        };
        for g in &self.goroutines {
            w.i64(g.id);
            w.u32(g.name);
            w.i64(g.running);
            w.u8(g.drawn as u8);
            column(&mut w, &mut emit, &g.spans);
            w.span_levels(&g.levels);
            flush(&mut w, &mut emit, false);
        }
        for p in self.procs.iter().chain(&self.threads) {
            w.u8(p.kind as u8);
            w.i64(p.id);
            column(&mut w, &mut emit, &p.spans);
            w.span_levels(&p.levels);
            flush(&mut w, &mut emit, false);
        }
        for p in &self.series {
            column(&mut w, &mut emit, p);
            flush(&mut w, &mut emit, false);
        }
        for l in &self.counter_levels {
            w.max_levels(l);
            flush(&mut w, &mut emit, false);
        }
        flush(&mut w, &mut emit, true);
    }
}

/// Decodes the parts of [`Timeline::encode_parts`], one at a time and in order.
pub struct Decoder {
    tl: Timeline,
    counts: Counts,
    lanes: Vec<ExecLane>,
    items: usize,
    /// An item whose column's bytes run over into the next part.
    pending: Option<(ItemHead, Filling)>,
    /// Column chunks sent ahead of the encoding.
    ahead: Shipped,
}

/// What comes before an item's column.
enum ItemHead {
    Goroutine {
        id: i64,
        name: u32,
        running: i64,
        drawn: bool,
    },
    Lane {
        kind: ExecKind,
        id: i64,
    },
    Series,
}

impl Decoder {
    /// Starts from the header part.
    pub fn new(data: &[u8]) -> Result<Decoder, DecodeError> {
        Self::with_shipped(data, Shipped::default())
    }

    /// Starts from the header part, with the column chunks the worker sent
    /// ahead of the encoding ([`Builder::take_sealed`](super::Builder::take_sealed)).
    pub fn with_shipped(data: &[u8], mut ahead: Shipped) -> Result<Decoder, DecodeError> {
        let mut r = R { data, pos: 0 };
        if r.take(4)? != MAGIC {
            return Err(DecodeError {
                offset: 0,
                what: "not a timeline",
            });
        }
        if r.u32()? != VERSION {
            return Err(DecodeError {
                offset: 4,
                what: "unsupported timeline version",
            });
        }
        let origin = r.i64()?;
        let duration = r.i64()?;
        let events = r.u64()?;
        let syncs = r.i64s()?;
        let counts = Counts {
            goroutines: r.u32()? as usize,
            lanes: r.u32()? as usize,
            series: r.u32()? as usize,
            counter_levels: r.u32()? as usize,
        };
        let kinds = r.vec(5, |r| {
            Ok(SpanKind {
                state: SpanState::from_u8(r.u8()?),
                reason: r.u32()?,
            })
        })?;
        let kind_keys = r.bytes()?;
        let payloads = r.vec(2, |r| {
            let kind = r.var()?;
            let stack = r.var()?;
            match (u16::try_from(kind), u32::try_from(stack)) {
                (Ok(kind), Ok(stack)) => Ok(SpanPayload { kind, stack }),
                _ => r.err("span payload out of range"),
            }
        })?;
        let ranges = r.vec(29, |r| {
            let kind = match RangeKind::from_u8(r.u8()?) {
                Some(k) => k,
                None => return r.err("bad range kind"),
            };
            Ok(Range {
                kind,
                label: r.u32()?,
                resource: r.i64()?,
                start: r.i64()?,
                end: r.i64()?,
            })
        })?;
        let regions = r.vec(34, |r| {
            Ok(Region {
                goroutine: r.u32()?,
                start: r.i64()?,
                end: r.i64()?,
                ty: r.u32()?,
                task: r.u64()?,
                depth: r.u16()?,
            })
        })?;
        let tasks = r.vec(22, |r| {
            Ok(Task {
                id: r.u64()?,
                parent: r.u64()?,
                ty: r.u32()?,
                start: r.opt_i64()?,
                end: r.opt_i64()?,
            })
        })?;
        let logs = r.vec(28, |r| {
            Ok(Log {
                time: r.i64()?,
                goroutine: r.u32()?,
                task: r.u64()?,
                category: r.u32()?,
                message: r.u32()?,
            })
        })?;
        let samples = r.packed(&mut ahead)?;
        let strings = Strings {
            bytes: r.bytes()?,
            ends: r.u32s()?,
        };
        let frames = r.vec(12, |r| {
            Ok(Frame {
                func: r.u32()?,
                file: r.u32()?,
                line: r.u32()?,
            })
        })?;
        let stacks = Stacks {
            frames,
            stack_frames: r.u32s()?,
            ends: r.u32s()?,
        };
        if r.pos != data.len() {
            return r.err("trailing bytes");
        }
        // Every item takes at least a few bytes; a count beyond any plausible
        // input is damage, not a reason to reserve memory.
        if counts.total() > (1 << 28) {
            return r.err("item counts");
        }
        let tl = Timeline {
            origin,
            duration,
            events,
            syncs,
            goroutines: Vec::with_capacity(counts.goroutines.min(1 << 20)),
            kinds,
            kind_keys,
            payloads,
            procs: Vec::new(),
            threads: Vec::new(),
            ranges,
            regions,
            tasks,
            logs,
            series: Vec::new(),
            counter_levels: Vec::new(),
            samples,
            strings,
            stacks,
        };
        Ok(Decoder {
            tl,
            counts,
            lanes: Vec::new(),
            items: 0,
            pending: None,
            ahead,
        })
    }

    /// Decodes the items of one more part (a part may begin and end in
    /// the middle of a column's bytes).
    pub fn feed(&mut self, data: &[u8]) -> Result<(), DecodeError> {
        let mut r = R { data, pos: 0 };
        loop {
            if let Some((head, fill)) = self.pending.as_mut() {
                let n = (fill.missing().min(usize::MAX as u64) as usize).min(data.len() - r.pos);
                let at = r.pos;
                let bytes = r.take(n)?;
                fill.push(bytes)
                    .map_err(|what| DecodeError { offset: at, what })?;
                let suffix = !matches!(head, ItemHead::Series);
                if fill.missing() > 0 || (suffix && r.pos == data.len()) {
                    // The rest (its bytes, or what follows them) is in the next part.
                    return Ok(());
                }
                if let Some((head, fill)) = self.pending.take() {
                    let spans = fill.finish().map_err(|what| DecodeError {
                        offset: r.pos,
                        what,
                    })?;
                    self.complete(head, spans, &mut r)?;
                }
                continue;
            }
            if r.pos >= data.len() {
                return Ok(());
            }
            let c = self.counts;
            let i = self.items;
            let head = if i < c.goroutines {
                ItemHead::Goroutine {
                    id: r.i64()?,
                    name: r.u32()?,
                    running: r.i64()?,
                    drawn: r.u8()? != 0,
                }
            } else if i < c.goroutines + c.lanes {
                let kind = match r.u8()? {
                    0 => ExecKind::Proc,
                    1 => ExecKind::Thread,
                    _ => return r.err("bad lane kind"),
                };
                ItemHead::Lane { kind, id: r.i64()? }
            } else if i < c.goroutines + c.lanes + c.series {
                ItemHead::Series
            } else if i < c.total() {
                let l = r.max_levels()?;
                self.tl.counter_levels.push(l);
                self.items += 1;
                continue;
            } else {
                return r.err("more items than announced");
            };
            let at = r.pos;
            let col = r.packed_head()?;
            let fill = self
                .ahead
                .take(col.ship_id, &col.shipped)
                .and_then(|chunks| Filling::new(col, chunks))
                .map_err(|what| DecodeError { offset: at, what })?;
            self.pending = Some((head, fill));
        }
    }

    /// Finishes an item: what follows its column, then the item itself.
    fn complete(&mut self, head: ItemHead, spans: Packed, r: &mut R) -> Result<(), DecodeError> {
        match head {
            ItemHead::Goroutine {
                id,
                name,
                running,
                drawn,
            } => self.tl.goroutines.push(Goroutine {
                id,
                name,
                running,
                drawn,
                spans,
                levels: r.span_levels()?,
            }),
            ItemHead::Lane { kind, id } => self.lanes.push(ExecLane {
                kind,
                id,
                spans,
                levels: r.span_levels()?,
            }),
            ItemHead::Series => self.tl.series.push(spans),
        }
        self.items += 1;
        Ok(())
    }

    /// The model, once every part was fed.
    pub fn finish(mut self) -> Result<Timeline, DecodeError> {
        if self.items != self.counts.total() || self.pending.is_some() {
            return Err(DecodeError {
                offset: 0,
                what: "parts missing",
            });
        }
        if !self.ahead.is_empty() {
            return Err(DecodeError {
                offset: 0,
                what: "chunks sent ahead of no column",
            });
        }
        let (procs, threads): (Vec<ExecLane>, Vec<ExecLane>) = self
            .lanes
            .into_iter()
            .partition(|l| l.kind == ExecKind::Proc);
        self.tl.procs = procs;
        self.tl.threads = threads;
        self.tl
            .validate()
            .map_err(|what| DecodeError { offset: 0, what })?;
        Ok(self.tl)
    }
}

impl Timeline {
    /// Checks the cross-references the accessors rely on (so a decoded model
    /// cannot make the viewer index out of bounds).
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.kinds.len() != self.kind_keys.len() {
            return Err("span kind keys");
        }
        if self.goroutines.windows(2).any(|w| w[0].id >= w[1].id) {
            return Err("goroutines not sorted by id");
        }
        for p in self
            .goroutines
            .iter()
            .map(|g| &g.spans)
            .chain(self.procs.iter().chain(&self.threads).map(|l| &l.spans))
        {
            p.check()?;
        }
        if self.series.len() != SERIES_FIELDS.len()
            || self
                .series
                .iter()
                .zip(SERIES_FIELDS)
                .any(|(p, f)| p.fields() != f)
        {
            return Err("counter series");
        }
        let ng = self.goroutines.len() as u32;
        if self.regions.iter().any(|r| r.goroutine >= ng) {
            return Err("region goroutine out of range");
        }
        if self.strings.ends.first() != Some(&0)
            || self.strings.ends.windows(2).any(|w| w[0] > w[1])
            || self.strings.ends.last().map(|&e| e as usize) != Some(self.strings.bytes.len())
        {
            return Err("string table");
        }
        if self.stacks.ends.first() != Some(&0)
            || self.stacks.ends.windows(2).any(|w| w[0] > w[1])
            || self.stacks.ends.last().map(|&e| e as usize) != Some(self.stacks.stack_frames.len())
        {
            return Err("stack table");
        }
        Ok(())
    }
}
