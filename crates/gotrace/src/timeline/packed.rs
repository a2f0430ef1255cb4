//! Packed record columns: the timeline's storage for anything numerous
//! (goroutine state spans, P and thread spans, counter samples, CPU samples).
//!
//! A [`Packed`] holds records of up to [`MAX_FIELDS`] integers whose first
//! field is a non-decreasing time. Records are stored as LEB128 varints in
//! blocks of [`BLOCK`] records; the fields named in the delta mask (always the
//! time) are zigzag deltas from the previous record of the same block, so a
//! block decodes on its own and a span costs 4–7 bytes instead of 18. Each
//! block's first time is kept unpacked, so a time lookup is a binary search
//! over blocks plus the decoding of one block (about 100 ns).
//!
//! The bytes live in chunks of at most [`CHUNK`] bytes, a block never
//! straddling two: a column grows by adding a chunk, never by copying what
//! it holds. In wasm a growing `Vec` is a new allocation plus a copy, and
//! with hundreds of columns growing side by side the freed blocks are never
//! big enough for the next growth: the worker's memory ended up near twice
//! the model it built.
//!
//! Decoding never panics: malformed bytes (the page receives them from the
//! worker) end a block early, and accessors return `None` past the end.

use crate::wire::varint::{unzigzag, zigzag, MAX_VARINT_LEN};

/// Records per block.
pub const BLOCK: usize = 32;
/// Most fields a record can have.
pub const MAX_FIELDS: usize = 5;
/// Bytes of a chunk of a column's data, at most. A block's offset is
/// `chunk << CHUNK_SHIFT | offset in the chunk`, in a `u32`: a column holds
/// at most 4 GiB (4,096 chunks), more than a wasm32 page can hold.
pub const CHUNK_SHIFT: u32 = 20;
pub const CHUNK: usize = 1 << CHUNK_SHIFT;
const CHUNKS_MAX: usize = 1 << (32 - CHUNK_SHIFT);
/// Bytes a block can take at most: `BLOCK` records of a time, a step code
/// and `MAX_FIELDS` varints each. A chunk gets a new block only if this much
/// room is left in it.
pub const BLOCK_ROOM: usize = BLOCK * MAX_VARINT_LEN * (MAX_FIELDS + 1);

/// Delta-mask flag: the deltas of fields 1.. are written together as one
/// base-3 code when each is -1, 0 or +1 (counters that move one step at a
/// time: a goroutine transition moves one goroutine between two counts), so
/// such a record costs its time plus one byte.
pub const STEPS: u8 = 0x80;
/// The code announcing that the deltas follow one by one.
const STEP_ESCAPE: u64 = 81;

/// One decoded record; fields beyond the column's count are 0.
pub type Rec = [i64; MAX_FIELDS];

/// A column of packed records (see the module docs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Packed {
    pub(super) fields: u8,
    /// Bit `k` set: field `k` is a zigzag delta within the block.
    pub(super) delta: u8,
    pub(super) len: u32,
    /// The records' bytes, in chunks of at most [`CHUNK`] bytes.
    pub(super) data: Vec<Vec<u8>>,
    /// Time (field 0) of each block's first record.
    pub(super) block_time: Vec<i64>,
    /// Where each block starts: `chunk << CHUNK_SHIFT | offset`.
    pub(super) block_off: Vec<u32>,
    /// The column's name for chunks sent ahead of it (0: none sent).
    pub(super) ship_id: u32,
    /// Lengths of the first chunks, sent ahead ([`Packed::take_sealed`]):
    /// their `data` entries are left empty.
    pub(super) shipped: Vec<u32>,
}

/// Appends `v` as a LEB128 varint.
#[inline(always)]
fn put_var(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a varint at `*pos`; `None` at the end of `data` or on an overlong one.
#[inline(always)]
fn get_var(data: &[u8], pos: &mut usize) -> Option<u64> {
    // Most fields are one or two bytes.
    let b = *data.get(*pos)?;
    if b & 0x80 == 0 {
        *pos += 1;
        return Some(b as u64);
    }
    if let Some(&c) = data.get(*pos + 1) {
        if c & 0x80 == 0 {
            *pos += 2;
            return Some((b & 0x7f) as u64 | (c as u64) << 7);
        }
    }
    get_var_slow(data, pos)
}

#[inline(never)]
fn get_var_slow(data: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    let mut shift = 0u32;
    loop {
        let b = *data.get(*pos)?;
        *pos += 1;
        v |= ((b & 0x7f) as u64) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
        shift += 7;
        if shift >= 64 {
            return None;
        }
    }
}

impl Packed {
    /// An empty column of `fields` fields (1..=MAX_FIELDS); `delta` is the
    /// mask of delta-coded fields (the time, bit 0, always is).
    pub fn new(fields: usize, delta: u8) -> Packed {
        Packed {
            fields: fields.clamp(1, MAX_FIELDS) as u8,
            delta: delta | 1,
            ..Default::default()
        }
    }

    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of fields per record.
    pub fn fields(&self) -> usize {
        self.fields as usize
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.data.iter().map(Vec::capacity).sum::<usize>()
            + self.data.capacity() * size_of::<Vec<u8>>()
            + self.block_time.capacity() * 8
            + self.block_off.capacity() * 4
            + self.shipped.capacity() * 4
    }

    /// Bytes of records (all chunks, those sent ahead too).
    pub fn data_len(&self) -> usize {
        self.data.iter().map(Vec::len).sum::<usize>()
            + self.shipped.iter().map(|&n| n as usize).sum::<usize>()
    }

    /// Length of chunk `i` (sent ahead or held).
    fn chunk_len(&self, i: usize) -> usize {
        match self.shipped.get(i) {
            Some(&n) => n as usize,
            None => self.data.get(i).map_or(0, Vec::len),
        }
    }

    /// Once the column has sealed its first chunk (begun a second): the
    /// number of records in that chunk and the time of the first record
    /// after it. Fixed from then on, whenever it is asked.
    pub(super) fn first_chunk(&self) -> Option<(usize, i64)> {
        if self.data.len() < 2 {
            return None;
        }
        let blocks = self
            .block_off
            .iter()
            .take_while(|&&o| o >> CHUNK_SHIFT == 0)
            .count();
        let next = *self.block_time.get(blocks)?;
        Some((blocks * BLOCK, next))
    }

    /// Moves the chunks no record will be written to any more (all but the
    /// last) out of the column, to `emit(column id, chunk index, bytes)`;
    /// the column keeps their lengths. The first time, the column is named
    /// `*next_id` (then incremented).
    pub(super) fn take_sealed(
        &mut self,
        next_id: &mut u32,
        emit: &mut dyn FnMut(u32, u32, Vec<u8>),
    ) {
        let sealed = self.data.len().saturating_sub(1);
        if self.shipped.len() >= sealed {
            return;
        }
        if self.ship_id == 0 {
            self.ship_id = (*next_id).max(1);
            *next_id = self.ship_id + 1;
        }
        for i in self.shipped.len()..sealed {
            let bytes = std::mem::take(&mut self.data[i]);
            self.shipped.push(bytes.len() as u32);
            emit(self.ship_id, i as u32, bytes);
        }
    }

    /// The chunk a new block goes to, with room for the whole block, and
    /// the block's offset. A chunk grows (by doubling, up to [`CHUNK`])
    /// while it is small; a full one is left as it is for a new one. `None`
    /// once the column holds 4 GiB (impossible in wasm32).
    fn chunk_for_block(&mut self) -> Option<u32> {
        let full = self
            .data
            .last()
            .is_none_or(|c| c.len() + BLOCK_ROOM > CHUNK);
        if full {
            if self.data.len() == CHUNKS_MAX {
                return None;
            }
            self.data.push(Vec::new());
        }
        let index = self.data.len() - 1;
        let c = &mut self.data[index];
        if c.capacity() - c.len() < BLOCK_ROOM {
            let grow = c.len().max(4096).min(CHUNK.saturating_sub(c.len()));
            c.reserve_exact(grow.max(BLOCK_ROOM));
        }
        Some(((index as u32) << CHUNK_SHIFT) | c.len() as u32)
    }

    /// Each block's offset in the concatenation of the chunks (the encoded
    /// form: [`Packed::from_contiguous`] reads it back).
    pub(super) fn contiguous_offsets(&self) -> impl Iterator<Item = u32> + '_ {
        let mut base = Vec::with_capacity(self.data.len());
        let mut at = 0u32;
        for i in 0..self.data.len() {
            base.push(at);
            at = at.saturating_add(self.chunk_len(i) as u32);
        }
        self.block_off.iter().map(move |&o| {
            let chunk = base.get((o >> CHUNK_SHIFT) as usize).copied().unwrap_or(at);
            chunk.saturating_add(o & (CHUNK as u32 - 1))
        })
    }

    /// A column from its encoded form: the records' bytes in one piece and
    /// each block's offset in it, split into chunks at block starts.
    #[cfg(test)]
    pub(super) fn from_contiguous(
        fields: u8,
        delta: u8,
        len: u32,
        bytes: &[u8],
        block_time: Vec<i64>,
        offsets: &[u32],
    ) -> Result<Packed, &'static str> {
        let head = Head {
            fields,
            delta,
            len,
            block_time,
            offsets: offsets.to_vec(),
            bytes: bytes.len() as u64,
            ship_id: 0,
            shipped: Vec::new(),
        };
        let mut f = Filling::new(head, Vec::new())?;
        f.push(bytes)?;
        f.finish()
    }

    /// The bytes of the block starting at `off`, up to `end` (the next
    /// block's start, if in the same chunk).
    fn block_bytes(&self, off: u32, end: Option<u32>) -> &[u8] {
        let chunk = (off >> CHUNK_SHIFT) as usize;
        let Some(c) = self.data.get(chunk) else {
            return &[];
        };
        let start = (off as usize) & (CHUNK - 1);
        let end = match end {
            Some(e) if (e >> CHUNK_SHIFT) as usize == chunk => (e as usize) & (CHUNK - 1),
            _ => c.len(),
        };
        c.get(start..end).unwrap_or(&[])
    }

    /// Appends a record (fields past [`Packed::fields`] are ignored). The
    /// time must not be before the previous record's. A column stops
    /// growing at 4 GiB (it drops what comes after).
    pub fn push(&mut self, rec: &Rec, prev: &mut Rec) {
        if (self.len as usize).is_multiple_of(BLOCK) {
            let Some(off) = self.chunk_for_block() else {
                return;
            };
            self.block_time.push(rec[0]);
            self.block_off.push(off);
            *prev = [0; MAX_FIELDS];
        }
        let n = self.fields as usize;
        // The block's room was reserved when it began (`chunk_for_block`),
        // so the varints go straight into the chunk: pushing a few bytes
        // beats assembling them and copying (a `memcpy` call per record).
        let Some(c) = self.data.last_mut() else {
            return;
        };
        if self.delta & STEPS != 0 && n <= 5 {
            put_var(c, zigzag(rec[0].wrapping_sub(prev[0])));
            let mut code = 0u64;
            let mut small = true;
            for k in (1..n).rev() {
                let d = rec[k].wrapping_sub(prev[k]);
                small &= (-1..=1).contains(&d);
                code = code * 3 + (d + 1).clamp(0, 2) as u64;
            }
            if small {
                put_var(c, code);
            } else {
                put_var(c, STEP_ESCAPE);
                for k in 1..n {
                    put_var(c, zigzag(rec[k].wrapping_sub(prev[k])));
                }
            }
        } else {
            for k in 0..n {
                let v = if self.delta & (1 << k) != 0 {
                    zigzag(rec[k].wrapping_sub(prev[k]))
                } else {
                    rec[k] as u64
                };
                put_var(c, v);
            }
        }
        *prev = *rec;
        self.len += 1;
    }

    fn blocks(&self) -> usize {
        self.block_time.len()
    }

    /// Decodes block `b` into `out`; returns the number of records decoded
    /// (fewer than the block holds only if its bytes are malformed).
    pub fn decode_block(&self, b: usize, out: &mut [Rec; BLOCK]) -> usize {
        let (Some(&start), Some(&t0)) = (self.block_off.get(b), self.block_time.get(b)) else {
            return 0;
        };
        let data = self.block_bytes(start, self.block_off.get(b + 1).copied());
        let n = (self.len as usize).saturating_sub(b * BLOCK).min(BLOCK);
        let mut pos = 0usize;
        let mut prev: Rec = [0; MAX_FIELDS];
        let fields = self.fields as usize;
        let steps = self.delta & STEPS != 0;
        for (i, slot) in out.iter_mut().enumerate().take(n) {
            let mut rec: Rec = [0; MAX_FIELDS];
            if steps {
                let Some(dt) = get_var(data, &mut pos) else {
                    return i;
                };
                rec[0] = prev[0].wrapping_add(unzigzag(dt));
                let Some(mut code) = get_var(data, &mut pos) else {
                    return i;
                };
                for k in 1..fields {
                    let d = if code == STEP_ESCAPE {
                        let Some(v) = get_var(data, &mut pos) else {
                            return i;
                        };
                        unzigzag(v)
                    } else {
                        let d = (code % 3) as i64 - 1;
                        code /= 3;
                        d
                    };
                    rec[k] = prev[k].wrapping_add(d);
                }
            } else {
                for (k, field) in rec.iter_mut().enumerate().take(fields) {
                    let Some(v) = get_var(data, &mut pos) else {
                        return i;
                    };
                    *field = if self.delta & (1 << k) != 0 {
                        prev[k].wrapping_add(unzigzag(v))
                    } else {
                        v as i64
                    };
                }
            }
            // The block's first time is also kept unpacked; trust that one.
            if i == 0 {
                rec[0] = t0;
            }
            prev = rec;
            *slot = rec;
        }
        n
    }

    /// Record `i`.
    pub fn get(&self, i: usize) -> Option<Rec> {
        if i >= self.len() {
            return None;
        }
        let mut buf = [[0; MAX_FIELDS]; BLOCK];
        let n = self.decode_block(i / BLOCK, &mut buf);
        (i % BLOCK < n).then(|| buf[i % BLOCK])
    }

    /// Index of the last record whose time is ≤ `t`.
    pub fn index_at(&self, t: i64) -> Option<usize> {
        let b = self
            .block_time
            .partition_point(|&bt| bt <= t)
            .checked_sub(1)?;
        let mut buf = [[0; MAX_FIELDS]; BLOCK];
        let n = self.decode_block(b, &mut buf);
        let k = buf[..n].partition_point(|r| r[0] <= t).checked_sub(1)?;
        Some(b * BLOCK + k)
    }

    /// Index of the first record whose time is ≥ `t` (may be `len()`), found
    /// at block granularity: the first record of the block holding `t`, so
    /// iterating from it may yield a few records before `t`.
    pub fn block_start_before(&self, t: i64) -> usize {
        let b = self
            .block_time
            .partition_point(|&bt| bt < t)
            .saturating_sub(1);
        (b * BLOCK).min(self.len())
    }

    /// Records from index `i` on, in order.
    pub fn iter_from(&self, i: usize) -> Iter<'_> {
        Iter {
            p: self,
            next: i,
            buf: [[0; MAX_FIELDS]; BLOCK],
            buf_block: usize::MAX,
            buf_len: 0,
        }
    }

    pub fn iter(&self) -> Iter<'_> {
        self.iter_from(0)
    }

    /// Time of the first record.
    pub fn first_time(&self) -> Option<i64> {
        self.block_time.first().copied()
    }

    /// Checks the block index against the data (used when decoding a model).
    pub(super) fn check(&self) -> Result<(), &'static str> {
        if self.fields == 0 || self.fields as usize > MAX_FIELDS || self.delta & 1 == 0 {
            return Err("packed column fields");
        }
        let in_chunk = |o: &u32| {
            self.data
                .get((o >> CHUNK_SHIFT) as usize)
                .is_some_and(|c| (*o as usize & (CHUNK - 1)) <= c.len())
        };
        if self.block_time.len() != self.block_off.len()
            || self.blocks() != (self.len as usize).div_ceil(BLOCK)
            || self.block_off.windows(2).any(|w| w[0] > w[1])
            || !self.block_off.iter().all(in_chunk)
            || self.data.iter().any(|c| c.len() > CHUNK)
            || self.block_time.windows(2).any(|w| w[0] > w[1])
        {
            return Err("packed column blocks");
        }
        Ok(())
    }
}

/// The encoded form of a column, but for its bytes: what comes before them.
#[derive(Debug)]
pub(super) struct Head {
    pub fields: u8,
    pub delta: u8,
    pub len: u32,
    pub block_time: Vec<i64>,
    /// Each block's offset in the bytes (in one piece).
    pub offsets: Vec<u32>,
    /// How many bytes the column has (those of the chunks sent ahead too).
    pub bytes: u64,
    /// The column's name for its chunks sent ahead, and their lengths.
    pub ship_id: u32,
    pub shipped: Vec<u32>,
}

/// A column decoded from its encoded form as its bytes arrive (the page
/// gets a big column over several messages), split into chunks at block
/// starts as they come: the bytes are never held in one piece.
#[derive(Debug)]
pub(super) struct Filling {
    col: Packed,
    offsets: Vec<u32>,
    /// The next block to start, and the bytes received so far.
    next: usize,
    at: u64,
    total: u64,
    /// The chunk being filled (its index is `col.data.len()`).
    cur: Vec<u8>,
}

impl Filling {
    /// Checks the offsets (in order, within the bytes, no block longer than
    /// the writer makes them) before any byte is taken. `data` are the
    /// column's first chunks, sent ahead (`head.shipped` long each).
    pub(super) fn new(head: Head, data: Vec<Vec<u8>>) -> Result<Filling, &'static str> {
        let Head {
            fields,
            delta,
            len,
            block_time,
            offsets,
            bytes,
            ship_id: _,
            shipped,
        } = head;
        let ends = offsets.iter().skip(1).map(|&o| o as u64).chain([bytes]);
        for (&start, end) in offsets.iter().zip(ends) {
            if end < start as u64 {
                return Err("packed column blocks");
            }
            if end - start as u64 > BLOCK_ROOM as u64 {
                return Err("packed column block too long");
            }
        }
        if data.len() != shipped.len()
            || data
                .iter()
                .zip(&shipped)
                .any(|(c, &n)| c.len() != n as usize)
        {
            return Err("chunks sent ahead differ from the column");
        }
        // The blocks of the chunks sent ahead (each whole in its chunk).
        let mut block_off = Vec::with_capacity(offsets.len());
        let mut at = 0u64;
        for (i, c) in data.iter().enumerate() {
            let end = at + c.len() as u64;
            while let Some(&o) = offsets.get(block_off.len()).filter(|&&o| (o as u64) < end) {
                if (o as u64) < at {
                    return Err("packed column blocks");
                }
                block_off.push((i as u32) << CHUNK_SHIFT | (o as u64 - at) as u32);
            }
            at = end;
        }
        if at > bytes {
            return Err("packed column shorter than its chunks sent ahead");
        }
        let next = block_off.len();
        Ok(Filling {
            col: Packed {
                fields,
                delta,
                len,
                data,
                block_off,
                block_time,
                ship_id: 0,
                shipped: Vec::new(),
            },
            next,
            offsets,
            at,
            total: bytes,
            cur: Vec::new(),
        })
    }

    /// Takes the next `bytes` of the column.
    pub(super) fn push(&mut self, mut bytes: &[u8]) -> Result<(), &'static str> {
        loop {
            // The blocks that start here.
            while self
                .offsets
                .get(self.next)
                .is_some_and(|&o| o as u64 == self.at)
            {
                if self.cur.len() + BLOCK_ROOM > CHUNK {
                    self.col.data.push(std::mem::take(&mut self.cur));
                }
                if self.col.data.len() >= CHUNKS_MAX {
                    return Err("packed column too long");
                }
                if self.cur.capacity() == 0 {
                    let left = (self.total - self.at).min(CHUNK as u64) as usize;
                    self.cur.reserve_exact(left);
                }
                let chunk = (self.col.data.len() as u32) << CHUNK_SHIFT;
                self.col.block_off.push(chunk | self.cur.len() as u32);
                self.next += 1;
            }
            if bytes.is_empty() {
                return Ok(());
            }
            let until = self
                .offsets
                .get(self.next)
                .map_or(self.total, |&o| o as u64);
            let n = (until.saturating_sub(self.at) as usize).min(bytes.len());
            if n == 0 {
                return Err("packed column longer than announced");
            }
            // (Bytes before the first block belong to no block.)
            if self.next > 0 {
                self.cur.extend_from_slice(&bytes[..n]);
            }
            self.at += n as u64;
            bytes = &bytes[n..];
        }
    }

    /// Bytes still to come.
    pub(super) fn missing(&self) -> u64 {
        self.total - self.at
    }

    /// The column, once all its bytes came.
    pub(super) fn finish(mut self) -> Result<Packed, &'static str> {
        self.push(&[])?;
        if self.at != self.total || self.next != self.offsets.len() {
            return Err("packed column cut short");
        }
        // The last block is in the chunk being filled.
        if !self.col.block_off.is_empty() {
            self.col.data.push(self.cur);
        }
        self.col.check()?;
        Ok(self.col)
    }
}

/// Sequential decoding of a [`Packed`] column, one block at a time.
pub struct Iter<'a> {
    p: &'a Packed,
    next: usize,
    buf: [Rec; BLOCK],
    buf_block: usize,
    buf_len: usize,
}

impl Iter<'_> {
    /// The record the next call to `next` returns, without consuming it.
    pub fn peek(&mut self) -> Option<Rec> {
        let i = self.next;
        if i >= self.p.len() {
            return None;
        }
        let b = i / BLOCK;
        if b != self.buf_block {
            self.buf_len = self.p.decode_block(b, &mut self.buf);
            self.buf_block = b;
        }
        (i % BLOCK < self.buf_len).then(|| self.buf[i % BLOCK])
    }
}

impl Iterator for Iter<'_> {
    /// (index, record)
    type Item = (usize, Rec);
    #[inline]
    fn next(&mut self) -> Option<(usize, Rec)> {
        let rec = self.peek()?;
        let i = self.next;
        self.next += 1;
        Some((i, rec))
    }
}

/// Builds a [`Packed`] column keeping its last record open, so the producer
/// can still amend it (a zero-length span replaced, an unblocker noted).
#[derive(Clone, Debug, Default)]
pub struct Writer {
    col: Packed,
    prev: Rec,
    pending: Option<Rec>,
}

impl Writer {
    pub fn new(fields: usize, delta: u8) -> Writer {
        Writer {
            col: Packed::new(fields, delta),
            prev: [0; MAX_FIELDS],
            pending: None,
        }
    }

    pub fn push(&mut self, rec: Rec) {
        if let Some(p) = self.pending.replace(rec) {
            self.col.push(&p, &mut self.prev);
        }
    }

    /// The last record pushed, still amendable.
    pub fn last_mut(&mut self) -> Option<&mut Rec> {
        self.pending.as_mut()
    }

    pub fn last(&self) -> Option<&Rec> {
        self.pending.as_ref()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_none()
    }

    pub fn len(&self) -> usize {
        self.col.len() + self.pending.is_some() as usize
    }

    /// Gives back the room kept for more records (the column can still
    /// grow, at the cost of growing its last chunk again).
    pub fn shrink(&mut self) {
        if let Some(c) = self.col.data.last_mut() {
            c.shrink_to_fit();
        }
    }

    /// The records written so far (all but the last, still amendable).
    pub fn written(&self) -> &Packed {
        &self.col
    }

    /// [`Packed::take_sealed`] of the records written.
    pub(super) fn take_sealed(
        &mut self,
        next_id: &mut u32,
        emit: &mut dyn FnMut(u32, u32, Vec<u8>),
    ) {
        self.col.take_sealed(next_id, emit);
    }

    pub fn finish(mut self) -> Packed {
        if let Some(p) = self.pending.take() {
            self.col.push(&p, &mut self.prev);
        }
        // Only the last chunk can have room to spare; the others are full.
        if let Some(c) = self.col.data.last_mut() {
            c.shrink_to_fit();
        }
        self.col.data.shrink_to_fit();
        self.col.block_time.shrink_to_fit();
        self.col.block_off.shrink_to_fit();
        self.col
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(n: usize) -> Packed {
        let mut w = Writer::new(3, 0b011);
        for i in 0..n as i64 {
            w.push([i * 10, (i % 7) - 3, i * 1000, 0, 0]);
        }
        w.finish()
    }

    #[test]
    fn round_trip_across_blocks() {
        let c = col(100);
        assert_eq!(c.len(), 100);
        let all: Vec<Rec> = c.iter().map(|(_, r)| r).collect();
        for (i, r) in all.iter().enumerate() {
            let i = i as i64;
            assert_eq!(*r, [i * 10, (i % 7) - 3, i * 1000, 0, 0]);
        }
        assert_eq!(c.get(77), Some(all[77]));
        assert_eq!(c.get(100), None);
        // Deltas and small values take a byte each; the raw field up to 3.
        assert!(c.data_len() < 100 * 5, "{}", c.data_len());
    }

    #[test]
    fn time_lookup() {
        let c = col(100);
        assert_eq!(c.index_at(-1), None);
        assert_eq!(c.index_at(0), Some(0));
        assert_eq!(c.index_at(325), Some(32));
        assert_eq!(c.index_at(320), Some(32));
        assert_eq!(c.index_at(319), Some(31));
        assert_eq!(c.index_at(1_000_000), Some(99));
        assert_eq!(c.block_start_before(325), 32);
        assert_eq!(c.block_start_before(320), 0);
        assert_eq!(c.iter_from(98).count(), 2);
    }

    #[test]
    fn unit_steps_pack_into_one_code() {
        let mut w = Writer::new(5, 0xff | STEPS);
        let mut expect = Vec::new();
        let mut v = [0i64; 5];
        for i in 0..200i64 {
            v[0] = i * 100;
            // Mostly one step between two counts; sometimes a jump.
            let (a, b) = (1 + (i % 4) as usize, 1 + ((i + 1) % 4) as usize);
            v[a] += 1;
            v[b] -= 1;
            if i % 50 == 0 {
                v[3] += 1000;
            }
            w.push(v);
            expect.push(v);
        }
        let c = w.finish();
        let got: Vec<Rec> = c.iter().map(|(_, r)| r).collect();
        assert_eq!(got, expect);
        assert_eq!(c.get(150), Some(expect[150]));
        // Time delta (2 bytes) + code (1 byte), plus block starts and jumps.
        assert!(c.data_len() < 200 * 4, "{}", c.data_len());
    }

    #[test]
    fn pending_record_can_be_amended() {
        let mut w = Writer::new(2, 1);
        w.push([5, 1, 0, 0, 0]);
        w.last_mut().unwrap()[1] = 9;
        w.push([6, 2, 0, 0, 0]);
        let c = w.finish();
        assert_eq!(c.get(0).unwrap()[1], 9);
        assert_eq!(c.get(1).unwrap()[1], 2);
    }

    #[test]
    fn malformed_bytes_end_a_block_without_panicking() {
        let mut c = col(40);
        c.data[0].truncate(10);
        assert!(c.iter().count() < 40);
        c.data = vec![vec![0xff; 50]];
        let _ = c.iter().count();
        let _ = c.index_at(100);
        c.block_off = vec![1000, 0];
        assert!(c.check().is_err());
        let _ = c.get(35);
    }

    /// Records big enough to take several chunks: a pseudo-random walk with
    /// large fields (several bytes each).
    fn big_records(n: usize) -> Vec<Rec> {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut t = 0i64;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                t += (x % 5_000_000) as i64;
                [
                    t,
                    (x >> 8) as i64 % (1 << 40),
                    (x >> 20) as i64 % 1000 - 500,
                    7,
                    0,
                ]
            })
            .collect()
    }

    #[test]
    fn a_big_column_spans_chunks_and_reads_back() {
        let recs = big_records(300_000);
        let mut w = Writer::new(4, 0b0101);
        recs.iter().for_each(|r| w.push(*r));
        let c = w.finish();
        assert!(c.data.len() >= 3, "{} chunks", c.data.len());
        assert!(c
            .data
            .iter()
            .all(|k| k.len() <= CHUNK && k.capacity() <= CHUNK));
        let got: Vec<Rec> = c.iter().map(|(_, r)| r).collect();
        assert_eq!(got, recs);
        // Lookups on both sides of every chunk boundary.
        for (i, &o) in c.block_off.iter().enumerate().skip(1) {
            if o & (CHUNK as u32 - 1) == 0 {
                let first = i * BLOCK;
                assert_eq!(c.get(first - 1), Some(recs[first - 1]));
                assert_eq!(c.get(first), Some(recs[first]));
                assert_eq!(c.index_at(recs[first][0]), Some(first));
            }
        }
        // The encoded form (one piece) splits back into chunks that read
        // the same records.
        let bytes: Vec<u8> = c.data.concat();
        let offsets: Vec<u32> = c.contiguous_offsets().collect();
        assert_eq!(offsets[0], 0);
        assert!(offsets.windows(2).all(|w| w[0] <= w[1]));
        let back = Packed::from_contiguous(
            c.fields,
            c.delta,
            c.len,
            &bytes,
            c.block_time.clone(),
            &offsets,
        )
        .unwrap();
        let again: Vec<Rec> = back.iter().map(|(_, r)| r).collect();
        assert_eq!(again, recs);
        assert_eq!(back.data_len(), c.data_len());
    }

    #[test]
    fn encoded_blocks_are_checked_before_splitting() {
        let c = col(100);
        let bytes: Vec<u8> = c.data.concat();
        let offsets: Vec<u32> = c.contiguous_offsets().collect();
        let t = c.block_time.clone();
        // An offset past the bytes, offsets going back, a block too long.
        let mut past = offsets.clone();
        past[2] = bytes.len() as u32 + 1;
        assert!(Packed::from_contiguous(3, 3, 100, &bytes, t.clone(), &past).is_err());
        let mut back = offsets.clone();
        back.swap(1, 2);
        assert!(Packed::from_contiguous(3, 3, 100, &bytes, t.clone(), &back).is_err());
        let long = vec![0u8; BLOCK_ROOM + 1];
        assert!(Packed::from_contiguous(3, 3, 1, &long, vec![0], &[0]).is_err());
        assert!(Packed::from_contiguous(3, 3, 100, &bytes, t, &offsets).is_ok());
    }

    /// The encoded form of `c` but for its bytes.
    fn head_of(c: &Packed) -> Head {
        Head {
            fields: c.fields,
            delta: c.delta,
            len: c.len,
            block_time: c.block_time.clone(),
            offsets: c.contiguous_offsets().collect(),
            bytes: c.data_len() as u64,
            ship_id: c.ship_id,
            shipped: c.shipped.clone(),
        }
    }

    /// Bytes arriving in pieces of any size make the same column.
    #[test]
    fn a_column_filled_piece_by_piece_is_the_same() {
        let recs = big_records(100_000);
        let mut w = Writer::new(4, 0b0101);
        recs.iter().for_each(|r| w.push(*r));
        let c = w.finish();
        let bytes: Vec<u8> = c.data.concat();
        let head = || head_of(&c);
        for piece in [1usize, 7, 1000, 65_536, 1 << 20, bytes.len()] {
            let mut f = Filling::new(head(), Vec::new()).unwrap();
            for p in bytes.chunks(piece) {
                f.push(p).unwrap();
            }
            assert_eq!(f.missing(), 0);
            let back = f.finish().unwrap();
            assert_eq!(back, c, "pieces of {piece}");
        }
        // One byte too many, or too few: refused.
        let mut f = Filling::new(head(), Vec::new()).unwrap();
        assert!(f.push(&bytes).is_ok() && f.push(&[0]).is_err());
        let mut f = Filling::new(head(), Vec::new()).unwrap();
        f.push(&bytes[..bytes.len() - 1]).unwrap();
        assert!(f.finish().is_err());
    }

    /// A column whose sealed chunks were sent ahead while it was written,
    /// then completed from the rest of its bytes, is the column written
    /// in one go; the chunks must be the ones the column names.
    #[test]
    fn chunks_sent_ahead_complete_the_same_column() {
        let recs = big_records(400_000);
        let mut whole = Writer::new(4, 0b0101);
        let mut sent = Writer::new(4, 0b0101);
        let mut ahead = Vec::new();
        let mut next_id = 7;
        for (i, r) in recs.iter().enumerate() {
            whole.push(*r);
            sent.push(*r);
            if i % 50_000 == 0 {
                sent.take_sealed(&mut next_id, &mut |column, index, bytes| {
                    ahead.push((column, index, bytes))
                });
            }
        }
        let whole = whole.finish();
        let sent = sent.finish();
        assert!(whole.data.len() >= 3, "the test needs several chunks");
        assert_eq!(sent.ship_id, 7);
        assert_eq!(next_id, 8);
        assert!(sent.shipped.len() >= 2 && sent.shipped.len() < whole.data.len());
        assert_eq!(sent.data_len(), whole.data_len());
        let head = || head_of(&sent);
        assert_eq!(
            head().offsets,
            whole.contiguous_offsets().collect::<Vec<_>>()
        );
        let rest: Vec<u8> = sent.data[sent.shipped.len()..].concat();
        assert!(ahead
            .iter()
            .enumerate()
            .all(|(i, c)| c.0 == 7 && c.1 == i as u32));
        let chunks: Vec<Vec<u8>> = ahead.iter().map(|c| c.2.clone()).collect();
        let mut f = Filling::new(head(), chunks.clone()).unwrap();
        assert_eq!(f.missing(), rest.len() as u64);
        f.push(&rest).unwrap();
        assert_eq!(f.finish().unwrap(), whole);

        // Chunks missing or of other lengths: refused.
        assert!(Filling::new(head(), Vec::new()).is_err());
        let mut short = chunks;
        short[0].pop();
        assert!(Filling::new(head(), short).is_err());
    }
}
