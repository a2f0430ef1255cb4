//! v1 bytes → events and the trace-wide tables, in Go's two passes.
//!
//! The v1 file is a flat stream: an `EvBatch` starts a batch of one P and all
//! following events belong to it until the next `EvBatch`. Go first frames
//! the whole file without interpreting it ([`index`]: batch offsets per P,
//! CPU samples), then, during the merge, loads each P's batches when it needs
//! them ([`Loader`]). We keep those two passes because they decide which error
//! a broken trace reports. Strings outside batches are never loaded, as in Go.

use std::collections::{HashMap, HashSet};

use super::cursor::{uvarints_into, Cursor};
use super::spec::{self, ty};
use crate::error::Error;

/// Largest length-prefixed argument block Go accepts.
const MAX_ARG_BLOCK: u64 = 2048;
/// Largest string Go accepts.
const MAX_STRING: u64 = 1_000_000;
/// Largest number of frames per stack Go accepts.
const MAX_FRAMES: u64 = 1000;

/// One parsed v1 event (the shape Go's v1 parser works on).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct V1Event {
    /// Ticks while parsing and ordering; nanoseconds from the trace start after.
    pub ts: i64,
    /// Goroutine the event happened on (0: none).
    pub g: u64,
    /// Arguments without timestamp delta and stack id.
    pub args: [u64; 4],
    /// Stack id (0: none).
    pub stk: u32,
    pub p: i32,
    pub ty: u8,
    /// File offset of the event's first byte, for error messages.
    pub off: u64,
}

/// A frame as v1 stores it: string ids, resolved at conversion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PcFrame {
    pub func: u64,
    pub file: u64,
    pub line: u64,
}

/// What the first pass finds: where each P's batches start, and the samples.
#[derive(Debug, Default)]
pub struct Index {
    /// Batch offsets of each P, in file order; sorted by P id.
    pub procs: Vec<(i32, Vec<usize>)>,
    /// CPU samples in file order, `ts` already the sample's own time.
    pub cpu_samples: Vec<V1Event>,
}

/// The trace-wide data that loading batches accumulates.
#[derive(Debug, Default)]
pub struct V1Tables<'a> {
    pub strings: HashMap<u64, &'a [u8]>,
    /// `UserLog` values, deduplicated, indexed by `args[3]` of the event.
    pub inline_strings: Vec<&'a [u8]>,
    pub stacks: HashMap<u32, Vec<u64>>,
    pub pcs: HashMap<u64, PcFrame>,
    /// 0 when no frequency event was loaded.
    pub ticks_per_sec: i64,
    pub timer_goroutines: HashSet<u64>,
}

/// Which of Go's two framing modes: the index pass skips what it need not
/// decode (with slightly different error wording); loading decodes all.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Index,
    Load,
}

/// One framed event.
enum Raw<'a> {
    /// End of the data (also: Go's index pass treats a cut-off `UserLog`
    /// value as the end).
    Eof,
    /// Index mode: a skipped string. Load mode: a string follows the type
    /// byte and is still to be read.
    String,
    Batch {
        pid: i32,
        ticks: u64,
    },
    /// Any other type; values are in the `args` buffer. `log_value` is the
    /// inline string trailing a `UserLog` (load mode only).
    Event {
        ty: u8,
        log_value: &'a [u8],
    },
}

/// Reads the type byte and the values that follow it.
fn frame<'a>(
    cur: &mut Cursor<'a>,
    minor: u32,
    mode: Mode,
    args: &mut Vec<u64>,
) -> Result<Raw<'a>, Error> {
    let Some(b) = cur.byte() else {
        return Ok(Raw::Eof);
    };
    let t = b & 0x3f;
    // Values on the wire: k+1 for k < 3, length-prefixed for k == 3.
    let inline_vals = (b >> 6) + 1;
    if !spec::known_in(t, minor) {
        return Err(Error::format(format!("unknown event type {t}")));
    }
    args.clear();
    let arg_err = |e: Error| Error {
        message: format!("failed to read event {t} argument: {}", e.message),
        ..e
    };
    match t {
        ty::STRING if mode == Mode::Load => Ok(Raw::String),
        ty::STRING => {
            cur.uvarint()?;
            let len = cur.uvarint()?;
            cur.skip(len)?;
            Ok(Raw::String)
        }
        ty::BATCH => {
            if inline_vals != 2 {
                return Err(Error::format(format!(
                    "EvBatch has wrong number of arguments: got {inline_vals}, want 2"
                )));
            }
            let pid = cur.uvarint()?;
            if pid != u64::MAX && pid > i32::MAX as u64 {
                let msg = format!("processor ID {pid} is larger than maximum of {}", u64::MAX);
                return Err(Error::format(msg));
            }
            let ticks = cur.uvarint()?;
            let pid = if pid == u64::MAX { -1 } else { pid as i32 };
            Ok(Raw::Batch { pid, ticks })
        }
        _ if inline_vals <= 3 => {
            // The index pass reads inline values but keeps none.
            for _ in 0..inline_vals {
                let v = cur.uvarint().map_err(arg_err)?;
                if mode == Mode::Load {
                    args.push(v);
                }
            }
            Ok(Raw::Event {
                ty: t,
                log_value: &[],
            })
        }
        _ => {
            let len = cur.uvarint().map_err(arg_err)?;
            if len > MAX_ARG_BLOCK {
                return Err(Error::format(format!(
                    "failed to read event {t} argument: length-prefixed argument too big: {len} bytes, limit is {MAX_ARG_BLOCK}"
                )));
            }
            if mode == Mode::Load || t == ty::CPU_SAMPLE {
                let base = cur.pos();
                let block = cur.bytes(len)?;
                uvarints_into(block, base, args)?;
            } else {
                cur.skip(len)?;
            }
            let mut log_value: &'a [u8] = &[];
            if t == ty::USER_LOG {
                if mode == Mode::Load {
                    log_value = inline_string(cur)?;
                } else {
                    let n = cur.uvarint()?;
                    if cur.skip(n).is_err() {
                        return Ok(Raw::Eof);
                    }
                }
            }
            Ok(Raw::Event { ty: t, log_value })
        }
    }
}

/// The value string trailing a `UserLog` (may be empty).
fn inline_string<'a>(cur: &mut Cursor<'a>) -> Result<&'a [u8], Error> {
    let len = cur.uvarint()?;
    if len == 0 {
        return Ok(&[]);
    }
    if len > MAX_STRING {
        return Err(Error::format(format!("string is too large (len={len})")));
    }
    cur.bytes(len)
}

/// First pass: frames the whole file, noting batch offsets per P and
/// collecting CPU samples (which Go orders separately).
pub fn index(file: &[u8], minor: u32) -> Result<Index, Error> {
    let mut cur = Cursor::new(file, crate::wire::HEADER_LEN.min(file.len()));
    let mut args = Vec::with_capacity(8);
    let mut batches: HashMap<i32, Vec<usize>> = HashMap::new();
    let mut samples = Vec::new();
    let mut cur_p = 0i32;
    loop {
        let off = cur.pos();
        let raw = frame(&mut cur, minor, Mode::Index, &mut args).map_err(|e| e.at(off as u64))?;
        let t = match raw {
            Raw::Eof => break,
            Raw::String => continue,
            Raw::Batch { pid, .. } => {
                batches.entry(pid).or_default().push(off);
                cur_p = pid;
                ty::BATCH
            }
            Raw::Event { ty, .. } => ty,
        };
        if batches.get(&cur_p).is_none_or(Vec::is_empty) {
            let msg = format!("read event {t} with current P of {cur_p}, but P has no batches yet");
            return Err(Error::format(msg).at(off as u64));
        }
        if t == ty::CPU_SAMPLE {
            samples.push(cpu_sample(&args, off as u64)?);
        }
    }
    let mut procs: Vec<(i32, Vec<usize>)> = batches.into_iter().collect();
    procs.sort_unstable_by_key(|(p, _)| *p);
    Ok(Index {
        procs,
        cpu_samples: samples,
    })
}

/// A CPU sample: timed by its own (absolute) timestamp, on its own P and G.
fn cpu_sample(args: &[u64], off: u64) -> Result<V1Event, Error> {
    let want = spec::wire_arity(ty::CPU_SAMPLE).unwrap_or(5);
    if args.len() != want {
        let msg = format!(
            "CPU sample has wrong number of arguments: want {want}, got {}",
            args.len()
        );
        return Err(Error::format(msg).at(off));
    }
    let v = |i: usize| args.get(i).copied().unwrap_or(0);
    Ok(V1Event {
        ts: v(1) as i64,
        p: v(2) as i32,
        g: v(3),
        args: [0, v(2), v(3), 0],
        stk: v(4) as u32,
        ty: ty::CPU_SAMPLE,
        off,
    })
}

/// Second pass: decodes batches on demand, accumulating the tables.
pub struct Loader<'a> {
    file: &'a [u8],
    minor: u32,
    args: Vec<u64>,
    pub tables: V1Tables<'a>,
    inline_index: HashMap<&'a [u8], u64>,
    // Per-P decoding state (Go's lastP/lastG/lastGs/lastTs): the goroutine
    // running on a P carries over from one of its batches to the next.
    cur_p: i32,
    cur_g: u64,
    last_g: HashMap<i32, u64>,
    last_ts: i64,
}

impl<'a> Loader<'a> {
    pub fn new(file: &'a [u8], minor: u32) -> Self {
        Loader {
            file,
            minor,
            args: Vec::with_capacity(8),
            tables: V1Tables::default(),
            inline_index: HashMap::new(),
            cur_p: 0,
            cur_g: 0,
            last_g: HashMap::new(),
            last_ts: 0,
        }
    }

    /// Appends the events of the batch at `offset` to `out`.
    pub fn load_batch(&mut self, offset: usize, out: &mut Vec<V1Event>) -> Result<(), Error> {
        let mut cur = Cursor::new(self.file, offset);
        let mut header_seen = false;
        loop {
            let off = cur.pos();
            let at = |e: Error| e.at(off as u64);
            let mut args = std::mem::take(&mut self.args);
            let raw = frame(&mut cur, self.minor, Mode::Load, &mut args);
            self.args = args;
            match raw.map_err(at)? {
                Raw::Eof => return Ok(()),
                Raw::String => self.string(&mut cur).map_err(at)?,
                Raw::Batch { .. } if header_seen => return Ok(()),
                Raw::Batch { pid, ticks } => {
                    header_seen = true;
                    self.last_g.insert(self.cur_p, self.cur_g);
                    self.cur_p = pid;
                    self.cur_g = self.last_g.get(&pid).copied().unwrap_or(0);
                    self.last_ts = ticks as i64;
                }
                // Samples were taken by the index pass.
                Raw::Event {
                    ty: ty::CPU_SAMPLE, ..
                } => {}
                Raw::Event { ty, log_value } => {
                    if let Some(ev) = self.event(ty, off as u64, log_value).map_err(at)? {
                        out.push(ev);
                    }
                }
            }
        }
    }

    /// A string table entry.
    fn string(&mut self, cur: &mut Cursor<'a>) -> Result<(), Error> {
        let id = cur.uvarint()?;
        if id == 0 {
            return Err(Error::format("string has invalid id 0"));
        }
        if self.tables.strings.contains_key(&id) {
            return Err(Error::format(format!("string has duplicate id {id}")));
        }
        let len = cur.uvarint()?;
        if len == 0 {
            return Err(Error::format("string has invalid length 0"));
        }
        if len > MAX_STRING {
            return Err(Error::format(format!("string has too large length {len}")));
        }
        let s = cur.bytes(len)?;
        self.tables.strings.insert(id, s);
        Ok(())
    }

    /// Interprets a framed event; `None` for table entries and the like.
    fn event(&mut self, t: u8, off: u64, log_value: &'a [u8]) -> Result<Option<V1Event>, Error> {
        let Some(desc) = spec::desc(t) else {
            return Err(Error::format(format!(
                "missing description for event type {t}"
            )));
        };
        if let Some(want) = spec::wire_arity(t) {
            if self.args.len() != want {
                let msg = format!(
                    "{} has wrong number of arguments: want {want}, got {}",
                    desc.name,
                    self.args.len()
                );
                return Err(Error::format(msg));
            }
        }
        let arg = |i: usize| self.args.get(i).copied().unwrap_or(0);
        match t {
            ty::FREQUENCY => {
                let f = arg(0) as i64;
                if f <= 0 {
                    // Most likely tick skew between CPUs (Go's wording).
                    return Err(Error::ordering("time stamps out of order"));
                }
                self.tables.ticks_per_sec = f;
                return Ok(None);
            }
            ty::TIMER_GOROUTINE => {
                self.tables.timer_goroutines.insert(arg(0));
                return Ok(None);
            }
            ty::STACK => {
                self.stack()?;
                return Ok(None);
            }
            _ => {}
        }
        let mut ev = V1Event {
            ty: t,
            p: self.cur_p,
            g: self.cur_g,
            off,
            ..V1Event::default()
        };
        ev.ts = self.last_ts.wrapping_add(arg(0) as i64);
        self.last_ts = ev.ts;
        let n = self.args.len();
        for (i, &v) in self.args.iter().enumerate().skip(1) {
            if i == n - 1 && desc.stack {
                ev.stk = v as u32;
            } else if let Some(slot) = ev.args.get_mut(i - 1) {
                *slot = v;
            }
        }
        match t {
            ty::GO_START | ty::GO_START_LOCAL | ty::GO_START_LABEL => {
                self.cur_g = ev.args[0];
                ev.g = ev.args[0];
            }
            ty::GO_END | ty::GO_STOP | ty::GO_SCHED | ty::GO_PREEMPT | ty::GO_SYS_BLOCK => {
                self.cur_g = 0
            }
            t if ty::blocks(t) => self.cur_g = 0,
            ty::GO_SYS_EXIT | ty::GO_WAITING | ty::GO_IN_SYSCALL => ev.g = ev.args[0],
            ty::USER_LOG => ev.args[3] = self.inline_id(log_value),
            _ => {}
        }
        Ok(Some(ev))
    }

    /// Id of an inline `UserLog` value, assigned in order of first use.
    fn inline_id(&mut self, s: &'a [u8]) -> u64 {
        let next = self.tables.inline_strings.len() as u64;
        *self.inline_index.entry(s).or_insert_with(|| {
            self.tables.inline_strings.push(s);
            next
        })
    }

    /// A stack table entry: `id, n, n × (pc, func, file, line)`.
    fn stack(&mut self) -> Result<(), Error> {
        let args = &self.args;
        if args.len() < 2 {
            return Err(Error::format(format!(
                "EvStack has wrong number of arguments: want at least 2, got {}",
                args.len()
            )));
        }
        let size = args.get(1).copied().unwrap_or(0);
        if size > MAX_FRAMES {
            return Err(Error::format(format!(
                "EvStack has bad number of frames: {size}"
            )));
        }
        let want = 2 + 4 * size;
        if args.len() as u64 != want {
            return Err(Error::format(format!(
                "EvStack has wrong number of arguments: want {want}, got {}",
                args.len()
            )));
        }
        let id = args.first().copied().unwrap_or(0) as u32;
        if id == 0 || size == 0 {
            return Ok(());
        }
        let mut pcs = Vec::with_capacity(size as usize);
        for f in args.get(2..).unwrap_or(&[]).chunks_exact(4) {
            if let [pc, func, file, line] = *f {
                pcs.push(pc);
                // The first description of a PC wins, as in Go.
                self.tables
                    .pcs
                    .entry(pc)
                    .or_insert(PcFrame { func, file, line });
            }
        }
        self.tables.stacks.insert(id, pcs);
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::cursor::MALFORMED_VARINT;
    use super::*;
    use crate::wire::varint::write_uvarint;

    /// Builds v1 files for tests: header, then events.
    pub struct Builder {
        pub buf: Vec<u8>,
    }

    impl Builder {
        pub fn new(minor: u32) -> Self {
            let mut buf = format!("go 1.{minor} trace").into_bytes();
            buf.resize(16, 0);
            Builder { buf }
        }
        /// An event with inline values (at most 3 with type byte count k).
        pub fn inline(mut self, t: u8, vals: &[u64]) -> Self {
            assert!(!vals.is_empty() && vals.len() <= 3);
            self.buf.push(t | (((vals.len() - 1) as u8) << 6));
            for &v in vals {
                write_uvarint(&mut self.buf, v);
            }
            self
        }
        /// An event with a length-prefixed value block.
        pub fn block(mut self, t: u8, vals: &[u64]) -> Self {
            let mut body = Vec::new();
            for &v in vals {
                write_uvarint(&mut body, v);
            }
            self.buf.push(t | (3 << 6));
            write_uvarint(&mut self.buf, body.len() as u64);
            self.buf.extend_from_slice(&body);
            self
        }
        /// An event with values, framed the way the runtime would.
        pub fn ev(self, t: u8, vals: &[u64]) -> Self {
            if vals.len() <= 3 {
                self.inline(t, vals)
            } else {
                self.block(t, vals)
            }
        }
        pub fn batch(self, p: u64, ticks: u64) -> Self {
            self.inline(ty::BATCH, &[p, ticks])
        }
        pub fn string(mut self, id: u64, s: &str) -> Self {
            self.buf.push(ty::STRING);
            write_uvarint(&mut self.buf, id);
            write_uvarint(&mut self.buf, s.len() as u64);
            self.buf.extend_from_slice(s.as_bytes());
            self
        }
        pub fn user_log(mut self, vals: &[u64], value: &str) -> Self {
            self = self.block(ty::USER_LOG, vals);
            write_uvarint(&mut self.buf, value.len() as u64);
            self.buf.extend_from_slice(value.as_bytes());
            self
        }
        pub fn bytes(&self) -> &[u8] {
            &self.buf
        }
    }

    /// Both passes over everything, P by P.
    fn parse(file: &[u8], minor: u32) -> Result<Parsed<'_>, Error> {
        let idx = index(file, minor)?;
        let mut loader = Loader::new(file, minor);
        let mut procs = Vec::new();
        for (p, offs) in idx.procs {
            let mut evs = Vec::new();
            for off in offs {
                loader.load_batch(off, &mut evs)?;
            }
            procs.push((p, evs));
        }
        Ok(Parsed {
            procs,
            cpu_samples: idx.cpu_samples,
            t: loader.tables,
        })
    }

    #[derive(Debug)]
    struct Parsed<'a> {
        procs: Vec<(i32, Vec<V1Event>)>,
        cpu_samples: Vec<V1Event>,
        t: V1Tables<'a>,
    }

    #[test]
    fn batches_split_events_per_p_and_carry_goroutines() {
        let b = Builder::new(21)
            .string(1, "main")
            .batch(0, 100)
            .ev(ty::GO_START, &[5, 7, 1])
            .batch(1, 200)
            .ev(ty::PROC_START, &[1, 42])
            .batch(0, 300)
            .ev(ty::GO_SCHED, &[2, 0])
            .ev(ty::FREQUENCY, &[1_000_000_000]);
        let idx = index(b.bytes(), 21).unwrap();
        assert_eq!(idx.procs, vec![(0, vec![23, 37]), (1, vec![30])]);
        let p = parse(b.bytes(), 21).unwrap();
        let (pid, evs) = &p.procs[0];
        assert_eq!(*pid, 0);
        assert_eq!(evs.len(), 2);
        assert_eq!(
            (evs[0].ts, evs[0].g, evs[0].args[0], evs[0].args[1]),
            (105, 7, 7, 1)
        );
        // The goroutine of P 0 survives the interleaved batch of P 1.
        assert_eq!((evs[1].ts, evs[1].g), (302, 7));
        assert_eq!(p.procs[1].1[0].args[0], 42);
        assert_eq!(p.t.ticks_per_sec, 1_000_000_000);
        // Strings before the first batch are skipped, not stored.
        assert!(p.t.strings.is_empty());
    }

    #[test]
    fn strings_stacks_and_inline_values() {
        let b = Builder::new(21)
            .batch(u64::MAX, 0)
            .string(1, "main.main")
            .string(2, "main.go")
            .block(ty::STACK, &[9, 2, 0x10, 1, 2, 3, 0x20, 1, 2, 4])
            .block(ty::STACK, &[8, 1, 0x10, 2, 2, 99])
            .user_log(&[1, 0, 1, 0], "hello")
            .user_log(&[2, 0, 1, 0], "hello")
            .user_log(&[3, 0, 1, 0], "");
        let p = parse(b.bytes(), 21).unwrap();
        assert_eq!(p.t.strings[&1], b"main.main");
        assert_eq!(p.t.stacks[&9], vec![0x10, 0x20]);
        assert_eq!(
            p.t.pcs[&0x10],
            PcFrame {
                func: 1,
                file: 2,
                line: 3
            },
            "first frame wins"
        );
        assert_eq!(p.t.inline_strings, vec![&b"hello"[..], &b""[..]]);
        let logs = &p.procs[0].1;
        assert_eq!(p.procs[0].0, -1);
        assert_eq!(
            logs.iter().map(|e| e.args[3]).collect::<Vec<_>>(),
            vec![0, 0, 1]
        );
    }

    #[test]
    fn framing_errors_say_where_and_what() {
        let msg = |b: Builder, minor| {
            parse(b.bytes(), minor)
                .err()
                .map(|e| e.message)
                .unwrap_or_default()
        };

        let b = Builder::new(21).batch(0, 0).inline(ty::GO_START, &[1, 2]);
        let e = parse(b.bytes(), 21).unwrap_err();
        assert_eq!(
            e.message,
            "GoStart has wrong number of arguments: want 3, got 2"
        );
        assert_eq!(e.offset, Some(19));

        let b = Builder::new(11).batch(0, 0).block(ty::CPU_SAMPLE, &[0; 5]);
        assert_eq!(msg(b, 11), "unknown event type 49");

        let mut b = Builder::new(21).batch(0, 0);
        b.buf.extend_from_slice(&[ty::GO_END, 0x80]);
        assert_eq!(
            msg(b, 21),
            format!("failed to read event 15 argument: {MALFORMED_VARINT}")
        );

        let mut b = Builder::new(21).batch(0, 0);
        b.buf.extend_from_slice(&[ty::USER_LOG | 0xc0, 0x90, 0x10]);
        assert!(msg(b, 21).contains("too big: 2064 bytes"));

        assert!(msg(Builder::new(21).ev(ty::GO_END, &[0]), 21)
            .contains("current P of 0, but P has no batches yet"));

        let b = Builder::new(21).batch(0, 0).string(3, "a").string(3, "b");
        assert_eq!(msg(b, 21), "string has duplicate id 3");

        let b = Builder::new(21)
            .batch(0, 0)
            .block(ty::STACK, &[1, 2, 0, 0, 0, 0]);
        assert_eq!(
            msg(b, 21),
            "EvStack has wrong number of arguments: want 10, got 6"
        );

        assert!(
            msg(Builder::new(21).batch(1 << 40, 0), 21).starts_with("processor ID 1099511627776")
        );

        // The index pass frames the whole file before any batch is loaded,
        // so a framing error anywhere beats an argument-count error.
        let mut b = Builder::new(21).batch(0, 0).inline(ty::GO_START, &[1, 2]);
        b.buf.push(60);
        assert_eq!(msg(b, 21), "unknown event type 60");

        // Skipping a cut string in the index pass: Go's "EOF" wording.
        let mut b = Builder::new(21).batch(0, 0).string(1, "abcdef");
        b.buf.truncate(b.buf.len() - 2);
        assert_eq!(msg(b, 21), "failed to read trace: EOF");
    }

    #[test]
    fn truncation_is_an_error_not_a_panic() {
        // The byte offsets where events end: cutting there leaves a shorter
        // valid trace; cutting anywhere else is inside an event.
        let b = Builder::new(21);
        let mut ends = vec![b.buf.len()];
        let b = b.batch(0, 0);
        ends.push(b.buf.len());
        let b = b.string(1, "abc");
        ends.push(b.buf.len());
        let b = b.block(ty::STACK, &[9, 1, 0x10, 1, 1, 3]);
        ends.push(b.buf.len());
        let full = b.user_log(&[1, 0, 1, 0], "hello").buf;
        assert!(parse(&full, 21).is_ok());
        for cut in 16..full.len() {
            let r = parse(&full[..cut], 21);
            if ends.contains(&cut) {
                assert!(r.is_ok(), "cut at an event's end ({cut}): {:?}", r.err());
            } else {
                assert!(
                    r.is_err(),
                    "cut inside an event ({cut} of {} bytes) parsed without an error",
                    full.len()
                );
            }
        }
    }

    #[test]
    fn cpu_samples_are_set_aside() {
        let b = Builder::new(19)
            .batch(0, 0)
            .block(ty::CPU_SAMPLE, &[1, 500, u64::MAX, 9, 3]);
        let p = parse(b.bytes(), 19).unwrap();
        assert_eq!(p.cpu_samples.len(), 1);
        let s = p.cpu_samples[0];
        assert_eq!((s.ts, s.p, s.g, s.stk), (500, -1, 9, 3));
        assert!(p.procs[0].1.is_empty());
        let b = Builder::new(19).batch(0, 0).inline(ty::CPU_SAMPLE, &[1, 2]);
        let e = parse(b.bytes(), 19).unwrap_err();
        assert_eq!(
            e.message,
            "CPU sample has wrong number of arguments: want 5, got 0"
        );
    }
}
