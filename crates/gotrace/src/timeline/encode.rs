//! A compact binary encoding of a [`Timeline`] for the worker → page message:
//! columns, each prefixed by its length (u32 LE); integer columns as LEB128
//! varints, time columns delta + zigzag encoded (a span start takes 1–3
//! bytes). Decoding checks every length against the remaining input and never
//! panics.

use super::*;
use std::fmt;

const MAGIC: &[u8; 4] = b"GTTL";
const VERSION: u32 = 1;

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
    fn var(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push(v as u8 | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }
    fn u16s(&mut self, v: &[u16]) {
        self.len(v.len());
        v.iter().for_each(|&x| self.var(x as u64));
    }
    /// `u32` columns: varint of `v + 1` (so `NO_INDEX` takes one byte).
    fn u32s(&mut self, v: &[u32]) {
        self.len(v.len());
        v.iter().for_each(|&x| self.var(x.wrapping_add(1) as u64));
    }
    fn u64s(&mut self, v: &[u64]) {
        self.len(v.len());
        v.iter().for_each(|&x| self.var(x));
    }
    /// `i64` columns (mostly sorted times): zigzag varint of the delta to the previous value.
    fn i64s(&mut self, v: &[i64]) {
        self.len(v.len());
        let mut prev = 0i64;
        for &x in v {
            let d = x.wrapping_sub(prev);
            self.var(((d << 1) ^ (d >> 63)) as u64);
            prev = x;
        }
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
        let n = self.len(1)?;
        Ok(self.take(n)?.to_vec())
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
    fn u16s(&mut self) -> Res<Vec<u16>> {
        self.vec(1, |r| match u16::try_from(r.var()?) {
            Ok(v) => Ok(v),
            Err(_) => r.err("u16 out of range"),
        })
    }
    fn u32s(&mut self) -> Res<Vec<u32>> {
        self.vec(1, |r| match u32::try_from(r.var()?) {
            Ok(v) => Ok(v.wrapping_sub(1)),
            Err(_) => r.err("u32 out of range"),
        })
    }
    fn u64s(&mut self) -> Res<Vec<u64>> {
        self.vec(1, |r| r.var())
    }
    fn i64s(&mut self) -> Res<Vec<i64>> {
        let mut prev = 0i64;
        self.vec(1, |r| {
            let z = r.var()?;
            let d = ((z >> 1) as i64) ^ -((z & 1) as i64);
            prev = prev.wrapping_add(d);
            Ok(prev)
        })
    }
    fn opt_i64(&mut self) -> Res<Option<i64>> {
        match self.u8()? {
            0 => Ok(None),
            1 => Ok(Some(self.i64()?)),
            _ => self.err("bad option tag"),
        }
    }
}

impl Timeline {
    /// Encodes the model (see the module docs for the layout).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = W(Vec::with_capacity(
            64 + self.spans.len() * 18 + self.strings.bytes.len(),
        ));
        w.0.extend_from_slice(MAGIC);
        w.u32(VERSION);
        w.i64(self.origin);
        w.i64(self.duration);
        w.u64(self.events);
        w.i64s(&self.syncs);

        w.len(self.goroutines.len());
        for g in &self.goroutines {
            w.i64(g.id);
            w.u32(g.name);
            w.u32(g.spans_start);
            w.u32(g.spans_end);
        }
        w.i64s(&self.spans.start);
        w.u16s(&self.spans.kind);
        w.u32s(&self.spans.stack);
        w.u32s(&self.spans.unblocker);
        w.len(self.spans.kinds.len());
        for k in &self.spans.kinds {
            w.u8(k.state as u8);
            w.u32(k.reason);
        }

        w.len(self.procs.len());
        for p in &self.procs {
            w.i64(p.proc_id);
            w.i64s(&p.start);
            w.i64s(&p.end);
            w.u32s(&p.goroutine);
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
        w.len(self.counters.len());
        for c in &self.counters {
            w.i64s(&c.times);
            w.u64s(&c.values);
        }
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
        w.0
    }

    /// Decodes [`Timeline::encode`] output, checking its structure.
    pub fn decode(data: &[u8]) -> Result<Timeline, DecodeError> {
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
        let goroutines = r.vec(20, |r| {
            Ok(Goroutine {
                id: r.i64()?,
                name: r.u32()?,
                spans_start: r.u32()?,
                spans_end: r.u32()?,
            })
        })?;
        let start = r.i64s()?;
        let kind = r.u16s()?;
        let stack = r.u32s()?;
        let unblocker = r.u32s()?;
        let kinds = r.vec(5, |r| {
            Ok(SpanKind {
                state: SpanState::from_u8(r.u8()?),
                reason: r.u32()?,
            })
        })?;
        let spans = GoSpans {
            start,
            kind,
            stack,
            unblocker,
            kinds,
        };
        let procs = r.vec(20, |r| {
            Ok(ProcSpans {
                proc_id: r.i64()?,
                start: r.i64s()?,
                end: r.i64s()?,
                goroutine: r.u32s()?,
            })
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
        let counters = r.vec(8, |r| {
            Ok(Counter {
                times: r.i64s()?,
                values: r.u64s()?,
            })
        })?;
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
        let t = Timeline {
            origin,
            duration,
            events,
            syncs,
            goroutines,
            spans,
            procs,
            ranges,
            regions,
            tasks,
            logs,
            counters,
            strings,
            stacks,
        };
        t.validate().map_err(|what| DecodeError {
            offset: data.len(),
            what,
        })?;
        Ok(t)
    }

    /// Checks the cross-references the accessors rely on (so a decoded model
    /// cannot make the viewer index out of bounds).
    pub fn validate(&self) -> Result<(), &'static str> {
        let n = self.spans.start.len();
        if self.spans.kind.len() != n
            || self.spans.stack.len() != n
            || self.spans.unblocker.len() != n
        {
            return Err("span columns differ in length");
        }
        if self
            .spans
            .kind
            .iter()
            .any(|&k| k as usize >= self.spans.kinds.len())
        {
            return Err("span kind out of range");
        }
        let ng = self.goroutines.len() as u32;
        if self
            .spans
            .unblocker
            .iter()
            .any(|&u| u != NO_INDEX && u >= ng)
        {
            return Err("unblocker out of range");
        }
        let mut prev = 0u32;
        for g in &self.goroutines {
            if g.spans_start != prev || g.spans_end < g.spans_start || g.spans_end as usize > n {
                return Err("goroutine span ranges");
            }
            prev = g.spans_end;
        }
        if prev as usize != n {
            return Err("goroutine span ranges");
        }
        for p in &self.procs {
            if p.start.len() != p.end.len() || p.goroutine.len() != p.start.len() {
                return Err("proc columns differ in length");
            }
            if p.goroutine.iter().any(|&g| g >= ng) {
                return Err("proc goroutine out of range");
            }
        }
        if self.regions.iter().any(|r| r.goroutine >= ng) {
            return Err("region goroutine out of range");
        }
        if self
            .counters
            .iter()
            .any(|c| c.times.len() != c.values.len())
        {
            return Err("counter columns differ in length");
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
