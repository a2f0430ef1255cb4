//! v1 string and stack ids → the shared [`Tables`].
//!
//! Go's converter puts the trace's strings, then the inline `UserLog` values,
//! then its own strings (reasons, STW kinds) into one id space; a reference
//! to an id Go's table lacks makes Go's printer panic. We resolve ids the
//! same way and report such a reference as an error at its event.

use std::collections::HashMap;

use super::parse::V1Tables;
use crate::error::Error;
use crate::tables::{Frame, StackId, StrId, Tables};

/// Stop-the-world kinds of trace version 21, by kind id.
pub const STW_KINDS: [&str; 17] = [
    "",
    "GC mark termination",
    "GC sweep termination",
    "write heap dump",
    "goroutine profile",
    "goroutine profile cleanup",
    "all goroutine stack trace",
    "read mem stats",
    "AllThreadsSyscall",
    "GOMAXPROCS",
    "start trace",
    "stop trace",
    "CountPagesInUse (test)",
    "ReadMetricsSlow (test)",
    "ReadMemStatsSlow (test)",
    "PageCachePagesLeaked (test)",
    "ResetDebugLog (test)",
];

/// The STW kind string of a v1 kind id: versions before 21 only knew mark
/// and sweep termination (ids 0 and 1).
pub fn stw_kind(minor: u32, id: u64) -> &'static str {
    let idx = if minor < 21 {
        match id {
            0 | 1 => id as usize + 1,
            _ => 0,
        }
    } else {
        usize::try_from(id).unwrap_or(0)
    };
    STW_KINDS.get(idx).copied().unwrap_or("")
}

/// Strings the converter adds after the trace's own (reasons, STW kinds),
/// in Go's order: their ids follow the inline `UserLog` values, so a
/// (corrupt) reference to such an id reads them, as in Go.
const BUILTIN_STRINGS: [&str; 12] = [
    "forever",
    "preempted",
    "runtime.Gosched",
    "sleep",
    "chan send",
    "chan receive",
    "network",
    "sync",
    "sync.(*Cond).Wait",
    "select",
    "",
    "GC mark assist wait for work",
];

/// Resolves v1 string and stack ids into the shared tables, once each.
pub struct Interner<'p, 'a> {
    v1: &'p V1Tables<'a>,
    tables: &'p mut Tables,
    /// Largest string id of the trace (inline values are numbered after it).
    max_id: u64,
    strings: HashMap<u64, StrId>,
    stacks: HashMap<u32, StackId>,
}

/// What Go's printer panics with when an id is not in its table; we stop
/// the event stream there instead.
fn missing(id: u64, table: &str, at: u64) -> Error {
    Error::format(format!("expected id {id} in {table} table")).at(at)
}

impl<'p, 'a> Interner<'p, 'a> {
    pub fn new(v1: &'p V1Tables<'a>, tables: &'p mut Tables) -> Self {
        let max_id = v1.strings.keys().copied().max().unwrap_or(0);
        Interner {
            v1,
            tables,
            max_id,
            strings: HashMap::new(),
            stacks: HashMap::new(),
        }
    }

    /// The bytes of string `id` in Go's converted table: trace strings, then
    /// inline values, then the converter's own strings.
    fn lookup(&self, id: u64) -> Option<&'a [u8]> {
        if id == 0 {
            return Some(&[]);
        }
        if id <= self.max_id {
            return self.v1.strings.get(&id).copied();
        }
        let k = usize::try_from(id - self.max_id - 1).ok()?;
        let inline = &self.v1.inline_strings;
        if let Some(s) = inline.get(k) {
            return Some(s);
        }
        let k = k - inline.len();
        let builtin = BUILTIN_STRINGS
            .get(k)
            .or_else(|| STW_KINDS.get(k - BUILTIN_STRINGS.len()))?;
        Some(builtin.as_bytes())
    }

    /// A v1 string id; an unknown id is an error at the event `at`.
    pub fn string(&mut self, id: u64, at: u64) -> Result<StrId, Error> {
        if let Some(&s) = self.strings.get(&id) {
            return Ok(s);
        }
        let bytes = self.lookup(id).ok_or_else(|| missing(id, "string", at))?;
        let s = self.tables.intern(bytes);
        self.strings.insert(id, s);
        Ok(s)
    }

    /// One of the converter's own strings.
    pub fn text(&mut self, s: &str) -> StrId {
        self.tables.intern_str(s)
    }

    pub fn inline(&mut self, idx: u64) -> StrId {
        let bytes = usize::try_from(idx)
            .ok()
            .and_then(|i| self.v1.inline_strings.get(i))
            .copied();
        self.tables.intern(bytes.unwrap_or(&[]))
    }

    /// A v1 stack id (0: no stack); unknown ids are an error at `at`.
    pub fn stack(&mut self, id: u32, at: u64) -> Result<StackId, Error> {
        if id == 0 {
            return Ok(StackId::NONE);
        }
        if let Some(&s) = self.stacks.get(&id) {
            return Ok(s);
        }
        let v1 = self.v1;
        let pcs = v1
            .stacks
            .get(&id)
            .ok_or_else(|| missing(u64::from(id), "trace.stack", at))?;
        let mut frames = Vec::with_capacity(pcs.len());
        for &pc in pcs {
            // A PC without a description reads as Go's zero frame.
            let f = match v1.pcs.get(&pc) {
                Some(f) => Frame {
                    pc,
                    func: self.string(f.func, at)?,
                    file: self.string(f.file, at)?,
                    line: f.line,
                },
                None => Frame {
                    pc: 0,
                    func: StrId::EMPTY,
                    file: StrId::EMPTY,
                    line: 0,
                },
            };
            frames.push(self.tables.intern_frame(f));
        }
        let s = self.tables.intern_stack(&frames);
        self.stacks.insert(id, s);
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stw_kinds_by_version() {
        assert_eq!(stw_kind(19, 0), "GC mark termination");
        assert_eq!(stw_kind(11, 1), "GC sweep termination");
        assert_eq!(stw_kind(19, 5), "");
        assert_eq!(stw_kind(21, 9), "GOMAXPROCS");
        assert_eq!(stw_kind(21, 0), "");
        assert_eq!(stw_kind(21, 99), "");
    }

    #[test]
    fn one_id_space_trace_then_inline_then_builtin() {
        let mut v1 = V1Tables::default();
        v1.strings.insert(1, b"main.go");
        v1.strings.insert(3, b"main.f");
        v1.inline_strings = vec![b"hello"];
        v1.stacks.insert(7, vec![0x10]);
        v1.pcs.insert(
            0x10,
            super::super::parse::PcFrame {
                func: 3,
                file: 1,
                line: 9,
            },
        );
        let mut t = Tables::new();
        let mut i = Interner::new(&v1, &mut t);
        let mut s = |id| i.string(id, 0).map(|s| i.tables.bytes(s).to_vec());
        assert_eq!(s(0).unwrap(), b"");
        assert_eq!(s(3).unwrap(), b"main.f");
        assert_eq!(s(4).unwrap(), b"hello");
        assert_eq!(s(5).unwrap(), b"forever");
        assert_eq!(s(4 + 12 + 2).unwrap(), b"GC mark termination");
        assert_eq!(s(2).unwrap_err().message, "expected id 2 in string table");
        assert!(s(4 + 12 + 17 + 1).is_err());
        let stk = i.stack(7, 0).unwrap();
        assert_eq!(i.stack(7, 0).unwrap(), stk);
        let f = *i.tables.stack(stk).next().unwrap();
        assert_eq!(
            (f.pc, i.tables.bytes(f.func), f.line),
            (0x10, &b"main.f"[..], 9)
        );
        assert_eq!(i.stack(8, 40).unwrap_err().offset, Some(40));
    }
}
