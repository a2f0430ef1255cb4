//! A fingerprint of a timeline model's content, the same however the model
//! was built and carried (natively in one go, or by the viewer's worker
//! with its columns sent ahead and re-chunked on the page): tests compare
//! the model the page holds with the one `gotrace timeline` builds.

use super::lod::Levels;
use super::model::Timeline;
use super::packed::Packed;

/// FNV-1a, 64 bits: simple, stable across platforms and Rust versions.
struct Fnv(u64);

impl Fnv {
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= x as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.u64(v as u64);
    }
    fn u32s(&mut self, v: &[u32]) {
        self.u64(v.len() as u64);
        v.iter().for_each(|&x| self.u64(x as u64));
    }
    /// A column: its records' bytes as one string (chunking does not
    /// matter), each block's offset in it and first time.
    fn packed(&mut self, p: &Packed) {
        self.u64(p.fields() as u64);
        self.u64(p.len() as u64);
        self.u64(p.data_len() as u64);
        for c in &p.data {
            self.bytes(c);
        }
        let offsets: Vec<u32> = p.contiguous_offsets().collect();
        self.u32s(&offsets);
        p.block_time.iter().for_each(|&t| self.i64(t));
    }
    fn levels(&mut self, l: &Levels<u32>) {
        self.u64(l.shift as u64);
        self.u64(l.scale as u64);
        self.u64(l.levels.len() as u64);
        l.levels.iter().for_each(|v| self.u32s(v));
    }
}

impl Timeline {
    /// The model's fingerprint (see the module docs). A model with chunks
    /// sent ahead and not put back has none: it is not the whole model.
    pub fn digest(&self) -> u64 {
        let mut h = Fnv(0xcbf2_9ce4_8422_2325);
        h.i64(self.origin);
        h.i64(self.duration);
        h.u64(self.events);
        self.syncs.iter().for_each(|&t| h.i64(t));
        h.u64(self.goroutines.len() as u64);
        for g in &self.goroutines {
            h.i64(g.id);
            h.u64(g.name as u64);
            h.i64(g.running);
            h.u64(g.drawn as u64);
            h.packed(&g.spans);
            h.levels(&g.levels);
        }
        h.u64((self.procs.len() + self.threads.len()) as u64);
        for l in self.procs.iter().chain(&self.threads) {
            h.u64(l.kind as u64);
            h.i64(l.id);
            h.packed(&l.spans);
            h.levels(&l.levels);
        }
        self.series.iter().for_each(|s| h.packed(s));
        self.counter_levels.iter().for_each(|l| h.levels(l));
        h.packed(&self.samples);
        for k in &self.kinds {
            h.u64(k.state as u64);
            h.u64(k.reason as u64);
        }
        h.bytes(&self.kind_keys);
        for p in &self.payloads {
            h.u64(p.kind as u64);
            h.u64(p.stack as u64);
        }
        for r in &self.ranges {
            h.u64(r.kind as u64);
            h.u64(r.label as u64);
            h.i64(r.resource);
            h.i64(r.start);
            h.i64(r.end);
        }
        for r in &self.regions {
            h.u64(r.goroutine as u64);
            h.i64(r.start);
            h.i64(r.end);
            h.u64(r.ty as u64);
            h.u64(r.task);
            h.u64(r.depth as u64);
        }
        for t in &self.tasks {
            h.u64(t.id);
            h.u64(t.parent);
            h.u64(t.ty as u64);
            h.i64(t.start.unwrap_or(i64::MIN));
            h.i64(t.end.unwrap_or(i64::MIN));
        }
        for l in &self.logs {
            h.i64(l.time);
            h.u64(l.goroutine as u64);
            h.u64(l.task);
            h.u64(l.category as u64);
            h.u64(l.message as u64);
        }
        h.bytes(&self.strings.bytes);
        h.u32s(&self.strings.ends);
        for f in &self.stacks.frames {
            h.u64(f.func as u64);
            h.u64(f.file as u64);
            h.u64(f.line as u64);
        }
        h.u32s(&self.stacks.stack_frames);
        h.u32s(&self.stacks.ends);
        h.0
    }
}
