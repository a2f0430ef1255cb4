//! Reading a trace from a byte stream (a file, stdin, a browser `Blob`)
//! without holding the whole file: what is held is bounded by the largest
//! generation, not by the file.
//!
//! A new-format trace (Go 1.22+) is a header and a run of generations, each
//! one contiguous byte range (see [`crate::index`]). [`Segments`] frames the
//! stream batch by batch (headers decoded, payloads copied, nothing parsed)
//! and hands out *segments*: whole generations, at least `target` bytes
//! each unless the file ends first. [`read_stream`] reads each segment with
//! a [`Reader`] that starts from where the previous one paused
//! ([`Reader::resume`]): the ordering state, interned tables and clock carry
//! over, the bytes do not. The events, their order and times, and any error
//! (its offset and generation included) are exactly those of reading the
//! whole file at once; `tests/stream.rs` checks that on every test trace and
//! on damaged ones.
//!
//! Segment boundaries are placed only where the whole-file reader would
//! start a generation from nothing: before version 26 before a batch of
//! generation `n + 1` read while in generation `n`; from version 26 after
//! an end-of-generation marker. Anything the framing finds damaged (a bad
//! item type, a batch header that does not decode, an oversized or cut
//! batch) ends the last segment right there: the reader then reports the
//! damage exactly as it would on the whole file, and nothing after it is
//! read (the whole-file reader never looks past damage either).
//!
//! Old-format traces (Go ≤ 1.21) have no generations and are parsed whole,
//! as Go does: they are read into one segment, up to [`V1_LIMIT`] bytes.

use std::io::{self, Read};

use crate::error::{Error, ErrorKind};
use crate::event::Event;
use crate::reader::{read_events, Carry, Reader};
use crate::tables::Tables;
use crate::wire::spec::{ev, MAX_BATCH_SIZE};
use crate::wire::varint::read_uvarint;
use crate::wire::{parse_header_len, Version};

/// The default segment size: big enough that starting a reader per segment
/// costs nothing, small enough to keep memory flat.
pub const DEFAULT_TARGET: usize = 4 << 20;

/// The largest old-format (Go ≤ 1.21) trace read: those are parsed whole.
pub const V1_LIMIT: u64 = 1 << 30;

/// How much of the start of the input may hold the header (real headers are
/// 16 bytes; Go's scanner accepts extra spaces).
const HEAD_MAX: usize = 4096;

/// Whole generations of a trace, in file order.
#[derive(Debug)]
pub struct Segment {
    /// File offset of `bytes[0]`.
    pub base: u64,
    pub bytes: Vec<u8>,
    /// Nothing follows: the end of the input, or damage was found.
    pub last: bool,
}

/// Cuts a byte stream into [`Segment`]s.
pub struct Segments<R: Read> {
    input: Input<R>,
    version: Option<Version>,
    target: usize,
    /// The segment being filled, and its file offset.
    cur: Vec<u8>,
    base: u64,
    /// The generation of the batches being framed (before version 26).
    gen: u64,
    started: bool,
    done: bool,
}

/// What framing the next item found.
enum Framed {
    /// The input ended cleanly before the item.
    End,
    /// A whole batch of generation `gen`, starting at `cur[start]`.
    Batch { gen: u64, start: usize },
    /// An end-of-generation marker.
    EndOfGeneration,
    /// Something the reader will reject (or a cut batch): it is in `cur`,
    /// and nothing after it is needed.
    Damaged,
}

impl<R: Read> Segments<R> {
    pub fn new(input: R, target: usize) -> Self {
        Segments {
            input: Input::new(input),
            version: None,
            target: target.max(1),
            cur: Vec::new(),
            base: 0,
            gen: 0,
            started: false,
            done: false,
        }
    }

    /// Bytes taken from the input so far.
    pub fn consumed(&self) -> u64 {
        self.input.consumed
    }

    /// The next segment; `None` after the last one.
    pub fn next_segment(&mut self) -> io::Result<Option<Segment>> {
        if self.done {
            return Ok(None);
        }
        if !self.started {
            self.started = true;
            if let Some(seg) = self.read_head()? {
                return Ok(Some(seg));
            }
        }
        let minor = self.version.map_or(0, |v| v.minor());
        loop {
            match self.frame(minor)? {
                Framed::End | Framed::Damaged => return Ok(Some(self.emit(true))),
                Framed::EndOfGeneration => {
                    if self.cur.len() >= self.target {
                        let last = self.input.fill()?.is_empty();
                        return Ok(Some(self.emit(last)));
                    }
                }
                Framed::Batch { gen, start } if minor < 26 => {
                    if self.gen == 0 {
                        self.gen = gen;
                    } else if gen == self.gen.wrapping_add(1) {
                        self.gen = gen;
                        if start >= self.target {
                            // That batch opens the next segment.
                            let next = self.cur.split_off(start);
                            let seg = self.emit(false);
                            self.cur = next;
                            return Ok(Some(seg));
                        }
                    }
                }
                Framed::Batch { .. } => {}
            }
        }
    }

    /// Reads the header into the first segment. Returns the whole input as
    /// one segment if it is not a new-format trace: an old-format trace
    /// (parsed whole), or not a trace (the reader then says why).
    fn read_head(&mut self) -> io::Result<Option<Segment>> {
        let head = self.input.peek(HEAD_MAX)?;
        let Ok((version, header_len)) = parse_header_len(head) else {
            let n = head.len();
            self.input.copy(n, &mut self.cur)?;
            return Ok(Some(self.emit(true)));
        };
        self.version = Some(version);
        if version.is_v1() {
            let limit = V1_LIMIT as usize;
            self.input.copy(limit, &mut self.cur)?;
            if !self.input.fill()?.is_empty() {
                return Err(io::Error::other(format!(
                    "this trace is in the old format (Go 1.{}), which is read whole; \
                     such traces above {} MiB are not read",
                    version.minor(),
                    V1_LIMIT >> 20
                )));
            }
            return Ok(Some(self.emit(true)));
        }
        self.input.copy(header_len, &mut self.cur)?;
        Ok(None)
    }

    /// Frames the next item into `cur`, as `crate::wire::batch::read_item`
    /// would read it.
    fn frame(&mut self, minor: u32) -> io::Result<Framed> {
        let start = self.cur.len();
        let Some(typ) = self.input.byte()? else {
            return Ok(Framed::End);
        };
        self.cur.push(typ);
        if typ == ev::END_OF_GENERATION {
            // Before version 26 that byte is not a batch: the reader fails.
            return Ok(match minor >= 26 {
                true => Framed::EndOfGeneration,
                false => Framed::Damaged,
            });
        }
        if typ != ev::EVENT_BATCH && typ != ev::EXPERIMENTAL_BATCH {
            return Ok(Framed::Damaged);
        }
        if typ == ev::EXPERIMENTAL_BATCH {
            match self.input.byte()? {
                Some(b) => self.cur.push(b),
                None => return Ok(Framed::Damaged),
            }
        }
        // gen, M, time, size.
        let mut fields = [0u64; 4];
        for f in &mut fields {
            match self.uvarint()? {
                Some(v) => *f = v,
                None => return Ok(Framed::Damaged),
            }
        }
        let [gen, _, _, size] = fields;
        if size > MAX_BATCH_SIZE {
            return Ok(Framed::Damaged);
        }
        let size = size as usize;
        if self.input.copy(size, &mut self.cur)? < size {
            return Ok(Framed::Damaged);
        }
        Ok(Framed::Batch { gen, start })
    }

    /// Copies one varint into `cur` and decodes it; `None` if it is cut or
    /// does not decode (the reader then reports it).
    fn uvarint(&mut self) -> io::Result<Option<u64>> {
        let from = self.cur.len();
        // Up to 11 bytes: the decoder calls ten continuation bytes followed
        // by an eleventh an overflow, and ten at the end of input a cut.
        for _ in 0..11 {
            let Some(b) = self.input.byte()? else {
                return Ok(None);
            };
            self.cur.push(b);
            if b < 0x80 {
                break;
            }
        }
        Ok(read_uvarint(&self.cur[from..]).ok().map(|(v, _)| v))
    }

    /// Emits `cur` as a segment starting at `base`.
    fn emit(&mut self, last: bool) -> Segment {
        self.done |= last;
        let seg = Segment {
            base: self.base,
            bytes: std::mem::take(&mut self.cur),
            last,
        };
        self.base += seg.bytes.len() as u64;
        seg
    }
}

/// A buffered input that can peek ahead (for the header).
struct Input<R> {
    r: R,
    buf: Vec<u8>,
    /// `buf[start..end]` is read and not yet taken.
    start: usize,
    end: usize,
    consumed: u64,
}

impl<R: Read> Input<R> {
    const CHUNK: usize = 1 << 20;

    fn new(r: R) -> Self {
        Input {
            r,
            buf: Vec::new(),
            start: 0,
            end: 0,
            consumed: 0,
        }
    }

    /// Reads more if nothing is buffered; empty at the end of the input.
    fn fill(&mut self) -> io::Result<&[u8]> {
        if self.start == self.end {
            self.buf.resize(Self::CHUNK, 0);
            self.start = 0;
            self.end = read_some(&mut self.r, &mut self.buf)?;
        }
        Ok(&self.buf[self.start..self.end])
    }

    /// At least `n` bytes (fewer only at the end of the input), not taken.
    fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.end - self.start < n {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            if self.buf.len() < n.max(Self::CHUNK) {
                self.buf.resize(n.max(Self::CHUNK), 0);
            }
            while self.end < n {
                let got = read_some(&mut self.r, &mut self.buf[self.end..])?;
                if got == 0 {
                    break;
                }
                self.end += got;
            }
        }
        Ok(&self.buf[self.start..self.end.min(self.start + n)])
    }

    fn byte(&mut self) -> io::Result<Option<u8>> {
        let b = self.fill()?.first().copied();
        if b.is_some() {
            self.start += 1;
            self.consumed += 1;
        }
        Ok(b)
    }

    /// Moves up to `n` bytes to `out`; fewer only at the end of the input.
    fn copy(&mut self, n: usize, out: &mut Vec<u8>) -> io::Result<usize> {
        let mut left = n;
        while left > 0 {
            let avail = self.fill()?;
            if avail.is_empty() {
                break;
            }
            let k = avail.len().min(left);
            out.extend_from_slice(&avail[..k]);
            self.start += k;
            self.consumed += k as u64;
            left -= k;
        }
        Ok(n - left)
    }
}

/// One `read`, retried when interrupted.
fn read_some(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Where reading is, for the callback of [`read_stream`].
pub struct At<'r> {
    tables: &'r Tables,
    offset: u64,
    generation: Option<u64>,
}

impl At<'_> {
    /// Interned strings and stacks of the events read so far.
    pub fn tables(&self) -> &Tables {
        self.tables
    }
    /// Bytes of the file read so far (a file offset).
    pub fn position(&self) -> u64 {
        self.offset
    }
    /// The generation being read (`Reader::generation`); `None` for an
    /// old-format trace.
    pub fn generation(&self) -> Option<u64> {
        self.generation
    }
}

/// The end of a read: what the events referred to, and the error that
/// stopped it, if any (everything before it was given to the callback).
pub struct Outcome {
    pub version: Version,
    pub tables: Tables,
    pub error: Option<Error>,
    /// Bytes of the file read.
    pub bytes: u64,
    /// The largest segment held at once, bytes.
    pub largest_segment: usize,
    /// Where the next part starts, if reading stopped at a window's budget
    /// before the end ([`read_window`]).
    pub next: Option<u64>,
}

/// Which part of a trace to read ([`read_window`]): whole generations, from
/// file offset `from` (0, or a `next` a previous window returned), until at
/// least `budget` bytes of them have been read (at least one segment).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub from: u64,
    pub budget: u64,
}

impl Window {
    /// The whole trace.
    pub const WHOLE: Window = Window {
        from: 0,
        budget: u64::MAX,
    };
}

/// Reads a whole trace from `input`, segment by segment (at least `target`
/// bytes of whole generations each; [`DEFAULT_TARGET`]), giving every
/// event in order to `each`, up to the first error; same events and error
/// as [`read_events`] on the whole file. Fails only when the header cannot
/// be read (or the input fails before it).
pub fn read_stream<R: Read>(
    input: R,
    target: usize,
    each: impl FnMut(&Event, &At<'_>),
) -> Result<Outcome, Error> {
    read_window(input, target, Window::WHOLE, each)
}

/// [`read_stream`] of a part of a trace only: the generations of `window`
/// (for a trace too big to hold whole). The segments before `window.from`
/// are framed and skipped, not parsed; reading starts there afresh, so the
/// events are those of the trace cut there (what Go reads from the
/// generations from there on, see [`crate::cut`]). Reading stops at the
/// first segment boundary after `window.budget` bytes; [`Outcome::next`]
/// says where the next window starts. `from` must be a segment boundary
/// for the same `target` (0 or a `next`); an old-format trace is always
/// read whole.
pub fn read_window<R: Read>(
    input: R,
    target: usize,
    window: Window,
    each: impl FnMut(&Event, &At<'_>),
) -> Result<Outcome, Error> {
    read_window_framed(input, target, window, |_, _| {}, each)
}

/// [`read_window`], also showing each segment to `on_segment` before its
/// events are read (with `true`), or when it is skipped because it comes
/// before the window (with `false`): for what needs the bytes' framing as
/// well as the events ([`crate::index::build_stream`]).
pub fn read_window_framed<R: Read>(
    input: R,
    target: usize,
    window: Window,
    mut on_segment: impl FnMut(&Segment, bool),
    mut each: impl FnMut(&Event, &At<'_>),
) -> Result<Outcome, Error> {
    let mut segs = Segments::new(input, target);
    let mut carry: Option<Carry> = None;
    let mut largest = 0usize;
    let mut first = true;
    loop {
        let seg = match segs.next_segment() {
            Ok(Some(seg)) => seg,
            Ok(None) => unreachable_end()?,
            Err(e) => {
                let err = io_error(&e, segs.consumed());
                return match carry {
                    Some(c) => Ok(Outcome {
                        version: c.version(),
                        tables: c.into_tables(),
                        error: Some(err),
                        bytes: segs.consumed(),
                        largest_segment: largest,
                        next: None,
                    }),
                    None => Err(err),
                };
            }
        };
        let end = seg.base + seg.bytes.len() as u64;
        if seg.base < window.from && !seg.last {
            // Before the window: framed, not parsed. Reading starts at the
            // window afresh (only the header's version is kept).
            if end > window.from {
                return Err(not_a_boundary(window.from));
            }
            on_segment(&seg, false);
            if first {
                first = false;
                carry = Some(Carry::fresh(Reader::new(&seg.bytes)?.version()));
            }
            continue;
        }
        // The window's last segment ends with the closing Sync, as a cut
        // there would.
        let full = end.saturating_sub(window.from) >= window.budget;
        let more = !seg.last && !full;
        let mut reader = match carry.take() {
            Some(c) => Reader::resume(&seg.bytes, seg.base, c, more),
            None if first => {
                first = false;
                let mut r = Reader::new(&seg.bytes)?;
                r.set_more(more);
                r
            }
            None => return Err(Error::format("internal error: no reader state to resume")),
        };
        largest = largest.max(seg.bytes.len());
        on_segment(&seg, true);
        let mut error = None;
        while let Some(item) = reader.next_event() {
            match item {
                Ok(ev) => each(
                    &ev,
                    &At {
                        tables: reader.tables(),
                        offset: reader.position() as u64,
                        generation: reader.generation(),
                    },
                ),
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        if !more || error.is_some() {
            let next = (!seg.last && error.is_none()).then_some(end);
            return Ok(Outcome {
                version: reader.version(),
                tables: reader.into_tables(),
                error,
                bytes: segs.consumed(),
                largest_segment: largest,
                next,
            });
        }
        carry = reader.pause();
        if carry.is_none() {
            // Old-format traces come in one (last) segment.
            return Err(Error::format(
                "internal error: an old-format trace in parts",
            ));
        }
    }
}

fn not_a_boundary(from: u64) -> Error {
    Error::format(format!(
        "internal error: a window cannot start at byte {from}: not where a part of the trace starts"
    ))
}

/// `next_segment` gives a last segment before `None`, so the loop never sees `None`.
fn unreachable_end() -> Result<Segment, Error> {
    Err(Error::format(
        "internal error: the input ended without a last segment",
    ))
}

fn io_error(e: &io::Error, at: u64) -> Error {
    Error::new(ErrorKind::Io, format!("reading the file: {e}")).at(at)
}

/// A whole trace to read: bytes in memory, or a stream read part by part.
/// The analyses take any of them.
pub trait Source {
    /// Gives every event, in order, to `each`, up to the first error.
    fn read_all(self, each: impl FnMut(&Event, &Tables)) -> Result<Outcome, Error>;
}

impl Source for &[u8] {
    fn read_all(self, mut each: impl FnMut(&Event, &Tables)) -> Result<Outcome, Error> {
        let (reader, error) = read_events(self, |ev, r| each(ev, r.tables()))?;
        Ok(Outcome {
            version: reader.version(),
            bytes: self.len() as u64,
            largest_segment: self.len(),
            next: None,
            tables: reader.into_tables(),
            error,
        })
    }
}

impl Source for &Vec<u8> {
    fn read_all(self, each: impl FnMut(&Event, &Tables)) -> Result<Outcome, Error> {
        self.as_slice().read_all(each)
    }
}

/// A trace read from a stream ([`read_stream`]), or a part of it
/// ([`read_window`]).
pub struct Stream<R> {
    pub input: R,
    /// Segment size ([`DEFAULT_TARGET`]).
    pub target: usize,
    pub window: Window,
}

impl<R: Read> Stream<R> {
    pub fn new(input: R) -> Self {
        Stream {
            input,
            target: DEFAULT_TARGET,
            window: Window::WHOLE,
        }
    }
}

impl<R: Read> Source for Stream<R> {
    fn read_all(self, mut each: impl FnMut(&Event, &Tables)) -> Result<Outcome, Error> {
        read_window(self.input, self.target, self.window, |ev, at| {
            each(ev, at.tables())
        })
    }
}
