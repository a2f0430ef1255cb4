//! A generation index of a new-format trace (Go 1.22+): where each
//! generation is in the file and which span of time it covers.
//!
//! A generation is the unit of independence of the format: its strings,
//! stacks, sequence numbers and clock are its own, so a run of whole
//! generations copied after the header is itself a trace Go reads (this is
//! what the flight recorder relies on, and what [`crate::cut`] does). The
//! index is the map for that: per generation, its number, its bytes, its
//! times and its size.
//!
//! # How it is built
//!
//! [`build`] makes one framing pass over the file with
//! [`read_item`] (batch headers only, payloads are skipped) and
//! groups batches into generations by the rules Go's reader uses:
//! before version 26 a generation ends where a batch of generation `n + 1`
//! begins; from version 26 it ends with its one-byte end-of-generation
//! marker, which belongs to it. Go rejects interleaved generations, so every
//! generation is one contiguous byte range, and the ranges tile the file
//! after the header.
//!
//! Times come from a pass of the [`Reader`] itself, so they are exactly the
//! times `gotrace dump` prints and the viewer shows: each generation starts
//! with the `Sync` event the reader emits for it (at its smallest batch
//! timestamp) and ends with its last event, after the reader has made event
//! times strictly increasing. They are stored relative to the trace's
//! *origin*, the time of the first event the reader emits. Building the
//! index therefore costs one full parse (no formatting, no model).
//!
//! # Damage
//!
//! A damaged trace gives the index of the complete generations before the
//! damage, plus the error ([`Index::error`]). Before version 26 a generation
//! is complete once the first batch of the next one has been read (or the
//! file ends cleanly); from version 26, once its end marker has been read.
//! The generation being read when the damage was found is left out even
//! though Go's reader shows what it could read of it. (A pre-1.26 file that
//! ends exactly between two batches cannot be told from a complete one, by
//! Go either: its last generation is indexed as it is.)

use std::ops::Range;

use std::io::Read;

use crate::error::{Error, ErrorKind};
use crate::event::{Event, Metric, Payload, RangeName, Time};
use crate::reader::Reader;
use crate::stream::{read_window_framed, Window};
use crate::wire::batch::{read_item, Item};
use crate::wire::spec::ev;
use crate::wire::{parse_header_len, Version};

/// One generation of a trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerationInfo {
    /// The generation number written in its batches (not necessarily
    /// 1-based: flight-recorder traces and second traces of a process start
    /// later).
    pub number: u64,
    /// Its bytes in the file, `[start, end)`: all its batches and, from
    /// version 26, its end-of-generation marker.
    pub bytes: Range<u64>,
    /// Batches of every kind (events, strings, stacks, CPU samples, sync,
    /// experimental).
    pub batches: usize,
    /// Events the reader emits for it, its opening `Sync` and CPU samples
    /// included.
    pub events: u64,
    /// Time of its first event (its opening `Sync`), in ns since the trace's
    /// origin ([`Index::origin_ns`]).
    pub start_ns: i64,
    /// Time of its last event, in ns since the trace's origin.
    pub end_ns: i64,
    /// What happened in it, for an overview of a big trace.
    pub summary: Summary,
}

/// What a generation holds, in a few numbers (the viewer's overview of a
/// trace shown in parts draws them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// GC cycles that began in it (`GC concurrent mark phase` ranges).
    pub gc_cycles: u32,
    /// Time the world was stopped in it, ns: its stop-the-world ranges, cut
    /// at its first and last events.
    pub stw_ns: i64,
    /// The largest heap in use it reported
    /// (`/memory/classes/heap/objects:bytes`), bytes; 0 if none.
    pub heap_max: u64,
}

impl GenerationInfo {
    /// Its size in bytes.
    pub fn len_bytes(&self) -> u64 {
        self.bytes.end.saturating_sub(self.bytes.start)
    }

    /// Whether it has an event in the closed interval `[start_ns, end_ns]`
    /// (ns since the trace's origin) — more exactly, whether its time span
    /// meets that interval.
    pub fn overlaps(&self, start_ns: i64, end_ns: i64) -> bool {
        self.start_ns <= end_ns && start_ns <= self.end_ns
    }
}

/// The generation index of a trace. See the [module docs](self).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Index {
    /// The trace format version from the header.
    pub version: Version,
    /// Length of the header (16 for every real trace); generations start
    /// after it.
    pub header_len: usize,
    /// Absolute time (ns, as `gotrace dump` prints it) of the first event the
    /// reader emits; every `*_ns` time of the index is relative to it. `None`
    /// when the reader emitted nothing.
    pub origin_ns: Option<Time>,
    /// The complete generations, in file order (which is also time order).
    pub generations: Vec<GenerationInfo>,
    /// Why indexing stopped early, if the trace is damaged: where (byte
    /// offset, generation) and what was expected. The generations listed are
    /// the complete ones before the damage.
    pub error: Option<Error>,
}

impl Index {
    /// Where the parts of the trace start when it is read a part at a time
    /// (`stream::read_window` with segments of `target` bytes and parts of
    /// `budget`): the `Outcome::next` of each part in turn, from 0. A part
    /// ends at the first segment end at least `budget` after its start, a
    /// segment at the first generation end at least `target` after its
    /// start (the first one includes the header), as `stream::Segments`
    /// frames them. For a damaged trace, the parts of its complete
    /// generations.
    pub fn part_starts(&self, target: u64, budget: u64) -> Vec<u64> {
        let (target, budget) = (target.max(1), budget.max(1));
        let mut segment_ends = Vec::new();
        let mut start = 0u64;
        for g in &self.generations {
            if g.bytes.end.saturating_sub(start) >= target {
                segment_ends.push(g.bytes.end);
                start = g.bytes.end;
            }
        }
        // A segment that ends the file is the last: no part starts there.
        let file_end = self.generations.last().map(|g| g.bytes.end);
        let mut starts = vec![0];
        let mut from = 0u64;
        for end in segment_ends {
            let last = self.error.is_none() && Some(end) == file_end;
            if end - from >= budget && !last {
                starts.push(end);
                from = end;
            }
        }
        starts
    }

    /// The time span of the indexed generations, in ns since the origin:
    /// from the first one's start to the last one's end.
    pub fn time_range(&self) -> Option<(i64, i64)> {
        let first = self.generations.first()?;
        let last = self.generations.last()?;
        Some((first.start_ns, last.end_ns))
    }

    /// Indexes (into [`Index::generations`]) of the generations that overlap
    /// `[start_ns, end_ns]` (ns since the origin); they are consecutive
    /// because generations follow each other in time. Empty if none does.
    pub fn overlapping(&self, start_ns: i64, end_ns: i64) -> Range<usize> {
        let first = self.generations.partition_point(|g| g.end_ns < start_ns);
        let last = self.generations.partition_point(|g| g.start_ns <= end_ns);
        first..last.max(first)
    }

    /// Absolute time (as `gotrace dump` prints it) of a time relative to the
    /// origin; `None` when the trace has no events.
    pub fn absolute(&self, since_origin_ns: i64) -> Option<Time> {
        self.origin_ns.map(|o| o.saturating_add(since_origin_ns))
    }
}

/// The error for an old-format trace, which has no generations.
pub fn old_format_error(version: Version, what: &str) -> Error {
    Error::new(
        ErrorKind::Header,
        format!(
            "old-format trace (go 1.{}): {what} needs Go 1.22+ traces",
            version.minor()
        ),
    )
}

/// One generation as framing sees it.
struct Frame {
    number: u64,
    start: u64,
    end: u64,
    batches: usize,
}

/// Groups the file's batches into generations, as Go's reader does. Returns
/// the complete generations and the damage that stopped the pass, if any.
fn frames(data: &[u8], header_len: usize, version: Version) -> (Vec<Frame>, Option<Error>) {
    let marked = version >= Version::Go126;
    let mut done: Vec<Frame> = Vec::new();
    let mut cur: Option<Frame> = None;
    let mut pos = header_len;
    loop {
        let (item, next) = match read_item(data, pos) {
            Ok(Some(x)) => x,
            Ok(None) => {
                return match cur {
                    // Before 26, the end of the file ends the generation.
                    Some(f) if !marked => {
                        done.push(f);
                        (done, None)
                    }
                    Some(f) => {
                        let e = Error::truncated(
                            "incomplete generation found; trace likely truncated \
                             (no end-of-generation marker before the end of the file)",
                        )
                        .at(pos as u64)
                        .in_generation(f.number);
                        (done, Some(e))
                    }
                    None => (done, None),
                };
            }
            Err(e) => {
                let e = match &cur {
                    Some(f) => e.in_generation(f.number),
                    None => e,
                };
                return (done, Some(e));
            }
        };
        match item {
            Item::EndOfGeneration { offset } => {
                if !marked {
                    let e = Error::format(format!(
                        "expected batch event, got event {} (end-of-generation markers \
                         exist from trace version 26 on, this is go 1.{})",
                        ev::END_OF_GENERATION,
                        version.minor()
                    ))
                    .at(offset);
                    let e = match &cur {
                        Some(f) => e.in_generation(f.number),
                        None => e,
                    };
                    return (done, Some(e));
                }
                match cur.take() {
                    Some(mut f) => {
                        f.end = next as u64;
                        done.push(f);
                    }
                    None => {
                        let e = Error::format(
                            "expected a batch, got an end-of-generation marker with no \
                             generation before it",
                        )
                        .at(offset);
                        return (done, Some(e));
                    }
                }
            }
            Item::Batch(b) => {
                if b.gen == 0 {
                    let e = Error::format("invalid generation number 0").at(b.offset);
                    return (done, Some(e));
                }
                match cur.as_mut() {
                    None => {
                        cur = Some(Frame {
                            number: b.gen,
                            start: b.offset,
                            end: next as u64,
                            batches: 1,
                        });
                    }
                    Some(f) if f.number == b.gen => {
                        f.end = next as u64;
                        f.batches += 1;
                    }
                    Some(f) if !marked && b.gen == f.number.wrapping_add(1) => {
                        let new = Frame {
                            number: b.gen,
                            start: b.offset,
                            end: next as u64,
                            batches: 1,
                        };
                        if let Some(old) = cur.replace(new) {
                            done.push(old);
                        }
                    }
                    Some(f) => {
                        let what = if marked {
                            format!(
                                "broken trace: missing end-of-generation event, or generations \
                                 are interleaved (expected a batch of generation {} or its end \
                                 marker, got a batch of generation {})",
                                f.number, b.gen
                            )
                        } else {
                            format!(
                                "generations out of order (expected a batch of generation {} \
                                 or {}, got one of generation {})",
                                f.number,
                                f.number.wrapping_add(1),
                                b.gen
                            )
                        };
                        let e = Error::format(what).at(b.offset).in_generation(f.number);
                        return (done, Some(e));
                    }
                }
            }
        }
        pos = next;
    }
}

/// One generation as the reader sees it.
struct Timed {
    number: u64,
    first: Time,
    last: Time,
    events: u64,
    summary: Summary,
    /// The start of a stop-the-world range still open.
    stw_since: Option<Time>,
    /// The reader went past its last event.
    finished: bool,
}

/// What the reader pass found.
struct ReadPass {
    /// Time of the first event.
    origin: Option<Time>,
    /// The generations, in order.
    gens: Vec<Timed>,
    /// The reader's error, if any.
    error: Option<Error>,
}

impl Timed {
    /// Adds what `ev` says to the summary.
    fn note(&mut self, ev: &Event) {
        match ev.payload {
            Payload::RangeBegin {
                name: RangeName::GcMark,
                ..
            } => self.summary.gc_cycles += 1,
            Payload::RangeBegin {
                name: RangeName::StopTheWorld(_),
                ..
            } => self.stw_since = Some(ev.time),
            Payload::RangeActive {
                name: RangeName::StopTheWorld(_),
                ..
            } => self.stw_since = Some(self.first),
            Payload::RangeEnd {
                name: RangeName::StopTheWorld(_),
                ..
            } => {
                let since = self.stw_since.take().unwrap_or(self.first);
                self.summary.stw_ns += ev.time - since;
            }
            Payload::Metric {
                metric: Metric::HeapAlloc,
                value,
            } => self.summary.heap_max = self.summary.heap_max.max(value),
            _ => {}
        }
    }
}

impl ReadPass {
    fn new() -> ReadPass {
        ReadPass {
            origin: None,
            gens: Vec::new(),
            error: None,
        }
    }

    /// Notes one event the reader emitted, read in generation `gen`
    /// (`Reader::generation` right after it). `false` if it cannot be
    /// placed (the pass stops, with `error` set).
    fn event(&mut self, ev: &Event, gen: Option<u64>) -> bool {
        self.origin.get_or_insert(ev.time);
        let current = self.gens.last_mut().filter(|t| !t.finished);
        if matches!(ev.payload, Payload::Sync { .. }) {
            // A Sync either opens a new generation (the reader has installed
            // it) or closes the current one (end of trace, or an error next).
            if let Some(t) = current {
                t.finished = true;
                // A stop-the-world range open at its end counts up to its
                // last event (the next generation says it is still active).
                if let Some(since) = t.stw_since.take() {
                    t.summary.stw_ns += t.last - since;
                }
                if gen == Some(t.number) {
                    return true;
                }
            }
            if let Some(number) = gen {
                self.gens.push(Timed {
                    number,
                    first: ev.time,
                    last: ev.time,
                    events: 1,
                    summary: Summary::default(),
                    stw_since: None,
                    finished: false,
                });
            }
            return true;
        }
        match current {
            Some(t) if gen == Some(t.number) => {
                t.last = ev.time;
                t.events += 1;
                t.note(ev);
                true
            }
            _ => {
                self.error = Some(Error::format(format!(
                    "internal error: event at {} outside any generation",
                    ev.time
                )));
                false
            }
        }
    }
}

/// Reads every event, noting each generation's times and events.
fn times(data: &[u8]) -> Result<ReadPass, Error> {
    let mut reader = Reader::new(data)?;
    let mut pass = ReadPass::new();
    while let Some(item) = reader.next_event() {
        match item {
            Ok(ev) => {
                if !pass.event(&ev, reader.generation()) {
                    break;
                }
            }
            Err(e) => {
                pass.error = Some(e);
                break;
            }
        }
    }
    Ok(pass)
}

/// Indexes the generations of a new-format trace. See the
/// [module docs](self) for what is recorded and how damage is reported.
///
/// `Err` only when there is nothing to index: the header is not a Go trace
/// header, or the trace is in the old format (Go 1.21 and older), which has
/// no generations.
pub fn build(data: &[u8]) -> Result<Index, Error> {
    let (version, header_len) = parse_header_len(data)?;
    if version.is_v1() {
        return Err(old_format_error(version, "the generation index"));
    }
    let (frames, frame_error) = frames(data, header_len, version);
    let pass = times(data)?;
    Ok(assemble(version, header_len, frames, frame_error, pass))
}

/// [`build`] from a stream, holding one segment of whole generations at a
/// time ([`crate::stream`]: segments of `target` bytes or more,
/// `stream::DEFAULT_TARGET`), of the part of the trace `window` covers (as
/// read from there: times are since the part's first event, byte ranges
/// are the file's). The same index as [`build`] of the bytes the window
/// covers, cut after the header (`tests/stream.rs` checks it).
pub fn build_stream<R: Read>(input: R, target: usize, window: Window) -> Result<Index, Error> {
    build_stream_for(input, target, window, "the generation index")
}

/// [`build_stream`], for `what` (named in the error for an old-format
/// trace: "cutting needs Go 1.22+ traces").
pub fn build_stream_for<R: Read>(
    mut input: R,
    target: usize,
    window: Window,
    what: &str,
) -> Result<Index, Error> {
    // The header first: an old-format trace is refused before it is read.
    let mut head = Vec::new();
    (&mut input)
        .take(HEAD_PEEK)
        .read_to_end(&mut head)
        .map_err(|e| Error::new(ErrorKind::Io, format!("reading the file: {e}")).at(0))?;
    let (version, header_len) = parse_header_len(&head)?;
    if version.is_v1() {
        return Err(old_format_error(version, what));
    }
    let mut framed: Vec<Frame> = Vec::new();
    let mut frame_error: Option<Error> = None;
    let mut pass = ReadPass::new();
    let outcome = read_window_framed(
        std::io::Cursor::new(head).chain(input),
        target,
        window,
        |seg, read| {
            if !read || frame_error.is_some() {
                return;
            }
            let start = (header_len as u64).saturating_sub(seg.base) as usize;
            let (frames, error) = frames(&seg.bytes, start, version);
            framed.extend(frames.into_iter().map(|f| Frame {
                start: f.start + seg.base,
                end: f.end + seg.base,
                ..f
            }));
            frame_error = error.map(|e| e.shifted(seg.base));
        },
        |ev, at| {
            if pass.error.is_none() {
                pass.event(ev, at.generation());
            }
        },
    )?;
    if pass.error.is_none() {
        pass.error = outcome.error;
    }
    Ok(assemble(version, header_len, framed, frame_error, pass))
}

/// Bytes read ahead for the header (real headers are 16 bytes; Go's
/// scanner accepts extra spaces).
const HEAD_PEEK: u64 = 4096;

/// The index from what framing and reading found.
fn assemble(
    version: Version,
    header_len: usize,
    frames: Vec<Frame>,
    frame_error: Option<Error>,
    pass: ReadPass,
) -> Index {
    let ReadPass {
        origin: origin_ns,
        gens: timed,
        error: read_error,
    } = pass;
    let origin = origin_ns.unwrap_or(0);
    let mut generations = Vec::with_capacity(frames.len());
    let mut error = None;
    for (i, f) in frames.iter().enumerate() {
        let Some(t) = timed.get(i).filter(|t| t.finished) else {
            // The reader stopped inside (or before) this generation.
            error = Some(
                read_error
                    .clone()
                    .unwrap_or_else(|| {
                        Error::format("internal error: the reader ended before the framing did")
                    })
                    .in_generation(f.number),
            );
            break;
        };
        if t.number != f.number {
            error = Some(
                Error::format(format!(
                    "internal error: the reader read generation {} where framing found {}",
                    t.number, f.number
                ))
                .at(f.start),
            );
            break;
        }
        generations.push(GenerationInfo {
            number: f.number,
            bytes: f.start..f.end,
            batches: f.batches,
            events: t.events,
            start_ns: t.first.saturating_sub(origin),
            end_ns: t.last.saturating_sub(origin),
            summary: t.summary,
        });
    }
    if error.is_none() {
        error = frame_error.or(read_error);
    }
    Index {
        version,
        header_len,
        origin_ns,
        generations,
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/traces")
    }

    /// Every new-format trace of the corpus, with its name.
    fn corpus() -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let Ok(dirs) = std::fs::read_dir(root()) else {
            return out;
        };
        let mut dirs: Vec<_> = dirs.flatten().map(|d| d.path()).collect();
        dirs.sort();
        for d in dirs {
            let name = d.file_name().map(|n| n.to_string_lossy().into_owned());
            if !name.is_some_and(|n| n.starts_with("go1.2") && n != "go1.21") {
                continue;
            }
            let Ok(files) = std::fs::read_dir(&d) else {
                continue;
            };
            let mut files: Vec<_> = files.flatten().map(|f| f.path()).collect();
            files.sort();
            for f in files {
                if f.extension().is_some_and(|e| e == "trace") {
                    let data = std::fs::read(&f).unwrap();
                    out.push((f.display().to_string(), data));
                }
            }
        }
        out
    }

    /// Every event's time (relative to the first one) and generation, as the
    /// reader emits them; Syncs that close a generation are left out.
    fn reader_times(data: &[u8]) -> Vec<(u64, i64)> {
        let mut r = Reader::new(data).unwrap();
        let mut out = Vec::new();
        let mut origin = None;
        let mut prev = None;
        while let Some(ev) = r.next_event() {
            let ev = ev.unwrap();
            let o = *origin.get_or_insert(ev.time);
            let g = r.generation();
            // A Sync opens a generation, or closes the one before it (at
            // the end of the trace, where a pre-1.26 reader still names it).
            let closing = matches!(ev.payload, Payload::Sync { .. }) && g == prev;
            if let (Some(g), false) = (g, closing) {
                out.push((g, ev.time - o));
            }
            prev = g;
        }
        out
    }

    #[test]
    fn indexes_the_corpus_exactly() {
        let corpus = corpus();
        assert!(corpus.len() >= 60, "corpus has {} traces", corpus.len());
        let mut multi = 0;
        for (name, data) in &corpus {
            let ix = build(data).unwrap();
            assert_eq!(ix.error, None, "{name}");
            assert!(!ix.generations.is_empty(), "{name}");
            if ix.generations.len() > 1 {
                multi += 1;
            }
            // Byte ranges tile the file after the header.
            let mut at = ix.header_len as u64;
            for g in &ix.generations {
                assert_eq!(g.bytes.start, at, "{name}: gen {}", g.number);
                assert!(g.bytes.end > g.bytes.start, "{name}");
                at = g.bytes.end;
            }
            assert_eq!(at, data.len() as u64, "{name}");
            // Consecutive numbers, ascending disjoint times.
            for w in ix.generations.windows(2) {
                assert_eq!(w[1].number, w[0].number + 1, "{name}");
                assert!(w[0].end_ns < w[1].start_ns, "{name}");
            }
            for g in &ix.generations {
                assert!(g.start_ns <= g.end_ns, "{name}");
            }
            assert_eq!(ix.generations[0].start_ns, 0, "{name}");
            // Every event lies in its generation's range, the range's ends
            // are events, and the counts match.
            let events = reader_times(data);
            for g in &ix.generations {
                let mine: Vec<i64> = events
                    .iter()
                    .filter(|(n, _)| *n == g.number)
                    .map(|(_, t)| *t)
                    .collect();
                assert_eq!(mine.len() as u64, g.events, "{name}: gen {}", g.number);
                assert_eq!(mine.first(), Some(&g.start_ns), "{name}");
                assert_eq!(mine.iter().max(), Some(&g.end_ns), "{name}");
                assert_eq!(mine.last(), Some(&g.end_ns), "{name}");
            }
        }
        assert!(multi >= 5, "only {multi} traces with several generations");
    }

    fn trace(version: &str) -> Vec<u8> {
        std::fs::read(root().join(version).join("annotations.trace")).unwrap()
    }

    #[test]
    fn old_format_is_refused_by_name() {
        let data = trace("go1.21");
        let e = build(&data).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Header);
        assert!(e.to_string().contains("old-format trace (go 1.21)"), "{e}");
        assert!(build(b"not a trace at all").is_err());
    }

    #[test]
    fn damage_keeps_the_complete_generations_before_it() {
        for v in ["go1.23", "go1.25", "go1.26", "go1.27"] {
            let data = trace(v);
            let full = build(&data).unwrap();
            assert!(full.generations.len() >= 3, "{v}");
            // Cut the file in the middle of the third generation.
            let g2 = &full.generations[2];
            let mid = (g2.bytes.start + g2.len_bytes() / 2) as usize;
            let ix = build(&data[..mid]).unwrap();
            assert_eq!(ix.generations, full.generations[..2].to_vec(), "{v}");
            let e = ix.error.expect("an error");
            assert_eq!(e.generation, Some(g2.number), "{v}: {e}");
            assert!(e.offset.is_some(), "{v}: {e}");
            // Cut exactly at a generation boundary: nothing lost, no error,
            // for both families.
            let ix = build(&data[..g2.bytes.start as usize]).unwrap();
            assert_eq!(ix.generations, full.generations[..2].to_vec(), "{v}");
            assert_eq!(ix.error, None, "{v}");
            // A garbage byte where the third generation starts.
            let mut bad = data.clone();
            bad[g2.bytes.start as usize] = 9;
            // Before 1.26 nothing says the second generation was complete
            // (the damage may be one of its batches), so it is left out.
            let ix = build(&bad).unwrap();
            let kept = if v == "go1.26" || v == "go1.27" { 2 } else { 1 };
            assert_eq!(ix.generations, full.generations[..kept].to_vec(), "{v}");
            let e = ix.error.expect("an error");
            assert_eq!(e.offset, Some(g2.bytes.start), "{v}: {e}");
            assert!(e.message.contains("expected batch event"), "{v}: {e}");
            // A wrong generation number in the third generation's first batch.
            let mut bad = data.clone();
            bad[g2.bytes.start as usize + 1] = 0x7f;
            let ix = build(&bad).unwrap();
            assert!(ix.generations.len() <= 2, "{v}");
            assert!(ix.error.is_some(), "{v}");
        }
    }

    #[test]
    fn every_truncation_and_byte_flip_is_handled() {
        for v in ["go1.22", "go1.25", "go1.27"] {
            let data = std::fs::read(root().join(v).join("startstop.trace")).unwrap();
            let full = build(&data).unwrap();
            let ends: Vec<u64> = full.generations.iter().map(|g| g.bytes.end).collect();
            for len in 16..data.len() {
                let ix = build(&data[..len]).unwrap();
                let n = ix.generations.len();
                // Before 1.26, a file cut at a batch boundary looks complete
                // (to Go too): its last generation is then a shorter one.
                let same = if v == "go1.27" {
                    n
                } else {
                    n.saturating_sub(1)
                };
                assert_eq!(
                    ix.generations[..same],
                    full.generations[..same],
                    "{v} [..{len}]"
                );
                if let (Some(g), Some(f)) = (
                    ix.generations.last(),
                    n.checked_sub(1).and_then(|i| full.generations.get(i)),
                ) {
                    assert_eq!((g.number, g.bytes.start), (f.number, f.bytes.start));
                }
                // Cleanly cut at a boundary: no error (1.26+ needs the marker).
                if ends.contains(&(len as u64)) {
                    assert_eq!(ix.error, None, "{v} [..{len}]");
                } else if v == "go1.27" || n == 0 {
                    assert!(ix.error.is_some() || n == 0, "{v} [..{len}]");
                }
            }
            // Byte flips: no panic, and what is listed still tiles a prefix.
            let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
            for _ in 0..300 {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let i = 16 + (x >> 33) as usize % (data.len() - 16);
                let mut bad = data.clone();
                bad[i] ^= (x >> 8) as u8 | 1;
                let ix = build(&bad).unwrap();
                let mut at = ix.header_len as u64;
                for g in &ix.generations {
                    assert_eq!(g.bytes.start, at, "{v} flip at {i}");
                    at = g.bytes.end;
                }
            }
        }
    }

    #[test]
    fn header_only_and_empty_traces() {
        let ix = build(b"go 1.26 trace\0\0\0").unwrap();
        assert_eq!(ix.generations, vec![]);
        assert_eq!(ix.error, None);
        // 1.22-1.25 readers fail on a header-only trace; nothing to index.
        let ix = build(b"go 1.23 trace\0\0\0").unwrap();
        assert_eq!(ix.generations, vec![]);
        assert_eq!(ix.time_range(), None);
    }

    #[test]
    fn overlapping_is_the_consecutive_run() {
        let ix = build(&trace("go1.27")).unwrap();
        let gens = &ix.generations;
        let n = gens.len();
        let (lo, hi) = ix.time_range().unwrap();
        assert_eq!(ix.overlapping(lo, hi), 0..n);
        assert_eq!(ix.overlapping(i64::MIN, i64::MAX), 0..n);
        assert_eq!(ix.overlapping(hi + 1, hi + 10), n..n);
        assert!(ix.overlapping(lo - 10, lo - 1).is_empty());
        // A gap between two generations overlaps neither.
        let gap = gens[0].end_ns + 1;
        if gap < gens[1].start_ns {
            assert!(ix.overlapping(gap, gap).is_empty());
        }
        let mid = (gens[1].start_ns + gens[1].end_ns) / 2;
        assert_eq!(ix.overlapping(mid, mid), 1..2);
        assert_eq!(ix.overlapping(gens[0].end_ns, gens[1].start_ns), 0..2);
        for (i, g) in gens.iter().enumerate() {
            let r = ix.overlapping(g.start_ns, g.end_ns);
            assert_eq!(r, i..i + 1);
            assert!(g.overlaps(g.end_ns, g.end_ns + 5));
        }
    }
}
