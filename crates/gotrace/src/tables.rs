//! Trace-wide interned strings, frames and stacks.
//!
//! Go scopes string and stack ids to one generation; we intern them into one
//! table for the whole trace so events stay small (`StrId`/`StackId` are u32)
//! and identical stacks of different generations share storage. Strings are
//! bytes: a trace does not promise UTF-8.

use std::collections::HashMap;

/// An interned string. `StrId::EMPTY` is "".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct StrId(pub u32);

impl StrId {
    pub const EMPTY: StrId = StrId(0);
}

/// An interned stack (a list of frames, leaf first). `StackId::NONE` is "no stack".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct StackId(pub u32);

impl StackId {
    pub const NONE: StackId = StackId(0);
    pub fn is_none(self) -> bool {
        self.0 == 0
    }
}

/// An interned frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FrameId(pub u32);

/// One stack frame: program counter, function, file and line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Frame {
    pub pc: u64,
    pub func: StrId,
    pub file: StrId,
    pub line: u64,
}

/// Interned strings, frames and stacks of one trace.
#[derive(Debug, Clone)]
pub struct Tables {
    str_bytes: Vec<u8>,
    /// `str_ends[i]` is the end of string `i` in `str_bytes`; string 0 is "".
    str_ends: Vec<u32>,
    str_index: HashMap<Box<[u8]>, StrId>,
    frames: Vec<Frame>,
    frame_index: HashMap<Frame, FrameId>,
    /// Frame ids of all stacks, concatenated.
    stack_frames: Vec<FrameId>,
    /// `stack_ends[i]` is the end of stack `i` in `stack_frames`; stack 0 is empty.
    stack_ends: Vec<u32>,
    stack_index: HashMap<Box<[FrameId]>, StackId>,
}

impl Default for Tables {
    fn default() -> Self {
        Self::new()
    }
}

impl Tables {
    pub fn new() -> Self {
        let mut str_index = HashMap::new();
        str_index.insert(Box::<[u8]>::from(&b""[..]), StrId::EMPTY);
        let mut stack_index = HashMap::new();
        stack_index.insert(Box::<[FrameId]>::from(&[][..]), StackId::NONE);
        Tables {
            str_bytes: Vec::new(),
            str_ends: vec![0],
            str_index,
            frames: Vec::new(),
            frame_index: HashMap::new(),
            stack_frames: Vec::new(),
            stack_ends: vec![0],
            stack_index,
        }
    }

    /// Interns `s`, returning the id of an equal string if there is one.
    pub fn intern(&mut self, s: &[u8]) -> StrId {
        if let Some(&id) = self.str_index.get(s) {
            return id;
        }
        let id = StrId(self.str_ends.len() as u32);
        self.str_bytes.extend_from_slice(s);
        self.str_ends.push(self.str_bytes.len() as u32);
        self.str_index.insert(s.into(), id);
        id
    }

    /// Interns a UTF-8 string (convenience for synthesized names).
    pub fn intern_str(&mut self, s: &str) -> StrId {
        self.intern(s.as_bytes())
    }

    /// The bytes of string `id` ("" for an unknown id).
    pub fn bytes(&self, id: StrId) -> &[u8] {
        let i = id.0 as usize;
        match (
            i.checked_sub(1).and_then(|p| self.str_ends.get(p)),
            self.str_ends.get(i),
        ) {
            (Some(&start), Some(&end)) => self
                .str_bytes
                .get(start as usize..end as usize)
                .unwrap_or(&[]),
            _ => &[],
        }
    }

    /// String `id` as text, with invalid UTF-8 replaced (for display).
    pub fn str(&self, id: StrId) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.bytes(id))
    }

    /// Number of strings (including the empty string).
    pub fn string_count(&self) -> usize {
        self.str_ends.len()
    }

    pub fn intern_frame(&mut self, f: Frame) -> FrameId {
        if let Some(&id) = self.frame_index.get(&f) {
            return id;
        }
        let id = FrameId(self.frames.len() as u32);
        self.frames.push(f);
        self.frame_index.insert(f, id);
        id
    }

    pub fn frame(&self, id: FrameId) -> Option<&Frame> {
        self.frames.get(id.0 as usize)
    }

    /// Interns a stack given its frame ids, leaf first.
    pub fn intern_stack(&mut self, frames: &[FrameId]) -> StackId {
        if let Some(&id) = self.stack_index.get(frames) {
            return id;
        }
        let id = StackId(self.stack_ends.len() as u32);
        self.stack_frames.extend_from_slice(frames);
        self.stack_ends.push(self.stack_frames.len() as u32);
        self.stack_index.insert(frames.into(), id);
        id
    }

    /// The frame ids of stack `id`, leaf first (empty for `NONE` or unknown ids).
    pub fn stack_frame_ids(&self, id: StackId) -> &[FrameId] {
        let i = id.0 as usize;
        match (
            i.checked_sub(1).and_then(|p| self.stack_ends.get(p)),
            self.stack_ends.get(i),
        ) {
            (Some(&start), Some(&end)) => self
                .stack_frames
                .get(start as usize..end as usize)
                .unwrap_or(&[]),
            _ => &[],
        }
    }

    /// The frames of stack `id`, leaf first.
    pub fn stack(&self, id: StackId) -> impl Iterator<Item = &Frame> + '_ {
        self.stack_frame_ids(id)
            .iter()
            .filter_map(|f| self.frame(*f))
    }

    /// Number of stacks (including the empty stack).
    pub fn stack_count(&self) -> usize {
        self.stack_ends.len()
    }

    /// Approximate heap bytes held by the tables.
    pub fn heap_bytes(&self) -> usize {
        self.str_bytes.capacity()
            + self.str_ends.capacity() * 4
            + self.str_index.capacity() * 40
            + self.str_bytes.len()
            + self.frames.capacity() * std::mem::size_of::<Frame>()
            + self.frame_index.capacity() * (std::mem::size_of::<Frame>() + 8)
            + self.stack_frames.capacity() * 8
            + self.stack_ends.capacity() * 4
            + self.stack_index.capacity() * 24
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_intern_and_dedupe() {
        let mut t = Tables::new();
        assert_eq!(t.intern(b""), StrId::EMPTY);
        let a = t.intern(b"alpha");
        let b = t.intern(b"beta");
        assert_ne!(a, b);
        assert_eq!(t.intern(b"alpha"), a);
        assert_eq!(t.bytes(a), b"alpha");
        assert_eq!(t.bytes(b), b"beta");
        assert_eq!(t.bytes(StrId(999)), b"");
    }

    #[test]
    fn stacks_intern_and_dedupe() {
        let mut t = Tables::new();
        let f = t.intern_str("main.main");
        let file = t.intern_str("main.go");
        let f1 = t.intern_frame(Frame {
            pc: 1,
            func: f,
            file,
            line: 10,
        });
        let f2 = t.intern_frame(Frame {
            pc: 2,
            func: f,
            file,
            line: 11,
        });
        let s = t.intern_stack(&[f1, f2]);
        assert_eq!(t.intern_stack(&[f1, f2]), s);
        assert_ne!(t.intern_stack(&[f2]), s);
        assert_eq!(t.stack(s).map(|f| f.pc).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(t.stack(StackId::NONE).count(), 0);
    }
}
