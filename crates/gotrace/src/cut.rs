//! Cutting a trace down to a time window: the header plus every generation
//! that overlaps the window, whole, in order, byte for byte.
//!
//! Generations of a new-format trace (Go 1.22+) are self-contained, so the
//! result is a trace Go reads (the flight recorder writes such files): its
//! first generation is simply not number 1. Old-format traces (Go 1.21 and
//! older) have no generations and cannot be cut this way.
//!
//! Times are in ns since the trace's origin, the time of the first event
//! Go's reader emits (see [`crate::index`]); [`TimeArg`] turns a command
//! line argument (absolute ns as `gotrace dump` prints them, or a duration
//! since the start such as `120ms`) into such a time.
//!
//! What Go makes of a cut (checked with go1.27.3 on every trace of
//! `testdata/traces`, see `tests/cut_go_reference.rs`): it reads it without
//! complaint; its first generation keeps its number (e.g. 7), `Sync` events
//! count from 1 again, and goroutines and Ps first appear through their
//! status events (old state `Undetermined`), as in a flight-recorder
//! snapshot. Event times are the same absolute times as in the whole trace
//! except for one thing: the cut's origin, the opening `Sync` of its first
//! generation, is that generation's smallest batch timestamp, which in
//! practice lies some 10–150 µs *before* where the same generation starts in
//! the whole trace (there the reader pushes that `Sync` to just after the
//! previous generation's last event). So durations "since the start" of a
//! cut are not those of the whole trace; absolute times are.

use std::fmt;
use std::ops::Range;

use crate::analysis::goroutines::parse_go_duration;
use crate::error::Error;
use crate::event::Time;
use crate::index::{self, Index};
use crate::wire::parse_header_len;

/// Why a trace could not be cut.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CutError {
    /// The trace cannot be indexed: not a Go trace, or an old-format one
    /// (the message says which).
    Trace(Error),
    /// `start_ns > end_ns`.
    EmptyRange { start_ns: i64, end_ns: i64 },
    /// No generation overlaps the window. `trace` is the trace's time range
    /// (ns since its origin), `None` if it has no complete generation.
    NothingOverlaps {
        start_ns: i64,
        end_ns: i64,
        trace: Option<(i64, i64)>,
    },
    /// The window reaches past the complete generations of a damaged trace.
    /// `readable` is the time range that can be cut; `error` is the damage.
    Damaged {
        start_ns: i64,
        end_ns: i64,
        readable: Option<(i64, i64)>,
        error: Error,
    },
}

impl fmt::Display for CutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let range = |r: &Option<(i64, i64)>| match r {
            Some((a, b)) => format!("{a}..{b} ns since its start"),
            None => "empty".to_string(),
        };
        match self {
            CutError::Trace(e) => write!(f, "{e}"),
            CutError::EmptyRange { start_ns, end_ns } => write!(
                f,
                "empty time range: start {start_ns} ns is after end {end_ns} ns"
            ),
            CutError::NothingOverlaps {
                start_ns,
                end_ns,
                trace,
            } => write!(
                f,
                "no generation of the trace overlaps {start_ns}..{end_ns} ns since its start; \
                 the trace spans {}",
                range(trace)
            ),
            CutError::Damaged {
                start_ns,
                end_ns,
                readable,
                error,
            } => write!(
                f,
                "the range {start_ns}..{end_ns} ns reaches past the readable part of a damaged \
                 trace (readable: {}): {error}",
                range(readable)
            ),
        }
    }
}

impl std::error::Error for CutError {}

impl From<Error> for CutError {
    fn from(e: Error) -> Self {
        CutError::Trace(e)
    }
}

/// A time argument as the command line takes it: absolute ns as `gotrace
/// dump` prints them (a plain integer), or a Go duration since the trace's
/// start (`120ms`, `1.5s`, `0s`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeArg {
    /// An absolute trace time in ns.
    Absolute(Time),
    /// ns since the trace's origin.
    SinceStart(i64),
}

impl TimeArg {
    /// Parses an argument; `None` if it is neither an integer nor a Go
    /// duration. Surrounding whitespace is ignored.
    pub fn parse(s: &str) -> Option<TimeArg> {
        let s = s.trim();
        if let Ok(t) = s.parse::<i64>() {
            return Some(TimeArg::Absolute(t));
        }
        parse_go_duration(s).map(TimeArg::SinceStart)
    }

    /// The absolute time, given the trace's origin (absolute ns).
    pub fn absolute(self, origin_ns: Time) -> Time {
        match self {
            TimeArg::Absolute(t) => t,
            TimeArg::SinceStart(d) => origin_ns.saturating_add(d),
        }
    }

    /// The time in ns since the origin (absolute ns), as [`cut`] takes it.
    pub fn since_origin(self, origin_ns: Time) -> i64 {
        match self {
            TimeArg::Absolute(t) => t.saturating_sub(origin_ns),
            TimeArg::SinceStart(d) => d,
        }
    }
}

/// The generations (indexes into [`Index::generations`]) a cut of
/// `[start_ns, end_ns]` keeps: those that overlap it.
pub fn select(index: &Index, start_ns: i64, end_ns: i64) -> Result<Range<usize>, CutError> {
    if start_ns > end_ns {
        return Err(CutError::EmptyRange { start_ns, end_ns });
    }
    if let Some(error) = &index.error {
        let past = index.time_range().is_none_or(|(_, last)| end_ns > last);
        if past {
            return Err(CutError::Damaged {
                start_ns,
                end_ns,
                readable: index.time_range(),
                error: error.clone(),
            });
        }
    }
    let r = index.overlapping(start_ns, end_ns);
    if r.is_empty() {
        return Err(CutError::NothingOverlaps {
            start_ns,
            end_ns,
            trace: index.time_range(),
        });
    }
    Ok(r)
}

/// Writes the header of `data` and the generations `gens` of its index to
/// `out`, as they are in `data`. `index` must be the index of `data`.
pub fn write_generations(
    data: &[u8],
    index: &Index,
    gens: Range<usize>,
    out: &mut Vec<u8>,
) -> Result<(), CutError> {
    let bad = || {
        CutError::Trace(Error::format(
            "internal error: the index does not fit the data",
        ))
    };
    let header = data.get(..index.header_len).ok_or_else(bad)?;
    let chosen = index.generations.get(gens).ok_or_else(bad)?;
    let (Some(first), Some(last)) = (chosen.first(), chosen.last()) else {
        return Err(bad());
    };
    let body = usize::try_from(first.bytes.start)
        .ok()
        .zip(usize::try_from(last.bytes.end).ok())
        .and_then(|(a, b)| data.get(a..b))
        .ok_or_else(bad)?;
    out.reserve(header.len() + body.len());
    out.extend_from_slice(header);
    out.extend_from_slice(body);
    Ok(())
}

/// Cuts `data` to the generations overlapping `[start_ns, end_ns]` (ns since
/// the trace's origin), using its index.
pub fn cut_indexed(
    data: &[u8],
    index: &Index,
    start_ns: i64,
    end_ns: i64,
) -> Result<Vec<u8>, CutError> {
    let gens = select(index, start_ns, end_ns)?;
    let mut out = Vec::new();
    write_generations(data, index, gens, &mut out)?;
    Ok(out)
}

/// Cuts a new-format trace to the generations overlapping `[start_ns,
/// end_ns]` (ns since the trace's origin; both ends included): the header and
/// those generations, whole, in order, byte for byte.
///
/// Errors: an old-format trace ("old-format trace (go 1.21): cutting needs
/// Go 1.22+ traces"), a range nothing overlaps (the error names the trace's
/// range), `start_ns > end_ns`, or a range reaching into the damaged part of
/// a damaged trace.
pub fn cut(data: &[u8], start_ns: i64, end_ns: i64) -> Result<Vec<u8>, CutError> {
    let (version, _) = parse_header_len(data)?;
    if version.is_v1() {
        return Err(CutError::Trace(index::old_format_error(version, "cutting")));
    }
    let index = index::build(data)?;
    cut_indexed(data, &index, start_ns, end_ns)
}

/// The byte ranges of the file that make the cut of `[start_ns, end_ns]`
/// of the trace read from `input` (or of the part of it `window` covers;
/// times are then since the part's first event): the header, then the
/// overlapping generations. Holds one segment of the file at a time
/// ([`index::build_stream`]), so a trace of any size can be cut; whoever
/// holds the file copies the ranges (the viewer slices its `Blob`).
pub fn ranges_stream<R: std::io::Read>(
    input: R,
    window: crate::stream::Window,
    start_ns: i64,
    end_ns: i64,
) -> Result<[Range<u64>; 2], CutError> {
    let index = index::build_stream_for(input, crate::stream::DEFAULT_TARGET, window, "cutting")?;
    byte_ranges(&index, start_ns, end_ns)
}

/// The byte ranges of the trace `index` indexes that make its cut of
/// `[start_ns, end_ns]`: the header, then the overlapping generations.
pub fn byte_ranges(index: &Index, start_ns: i64, end_ns: i64) -> Result<[Range<u64>; 2], CutError> {
    let gens = select(index, start_ns, end_ns)?;
    let chosen = index.generations.get(gens).unwrap_or(&[]);
    match (chosen.first(), chosen.last()) {
        (Some(first), Some(last)) => Ok([
            0..index.header_len as u64,
            first.bytes.start..last.bytes.end,
        ]),
        _ => Err(CutError::Trace(Error::format(
            "internal error: a cut chose no generation",
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn trace(dir: &str, name: &str) -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/traces")
            .join(dir)
            .join(name);
        std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    #[test]
    fn parses_time_arguments_like_critical_path() {
        assert_eq!(TimeArg::parse("123"), Some(TimeArg::Absolute(123)));
        assert_eq!(
            TimeArg::parse(" 120ms "),
            Some(TimeArg::SinceStart(120_000_000))
        );
        assert_eq!(
            TimeArg::parse("1.5s"),
            Some(TimeArg::SinceStart(1_500_000_000))
        );
        assert_eq!(TimeArg::parse("0s"), Some(TimeArg::SinceStart(0)));
        assert_eq!(TimeArg::parse("2µs"), Some(TimeArg::SinceStart(2_000)));
        assert_eq!(TimeArg::parse("soon"), None);
        assert_eq!(TimeArg::parse(""), None);
        assert_eq!(TimeArg::Absolute(1_000).since_origin(400), 600);
        assert_eq!(TimeArg::SinceStart(1_000).since_origin(400), 1_000);
        assert_eq!(TimeArg::SinceStart(1_000).absolute(400), 1_400);
        assert_eq!(TimeArg::Absolute(7).absolute(400), 7);
    }

    #[test]
    fn refuses_old_format_traces_by_name() {
        for name in ["annotations.trace", "stress.trace"] {
            let e = cut(&trace("go1.21", name), 0, i64::MAX).unwrap_err();
            let CutError::Trace(inner) = &e else {
                panic!("{e:?}")
            };
            assert_eq!(inner.kind, ErrorKind::Header);
            assert_eq!(
                e.to_string(),
                "old-format trace (go 1.21): cutting needs Go 1.22+ traces"
            );
        }
        assert!(matches!(cut(b"garbage", 0, 1), Err(CutError::Trace(_))));
    }

    #[test]
    fn whole_range_gives_back_the_file() {
        for dir in ["go1.22", "go1.23", "go1.25", "go1.26", "go1.27"] {
            let data = trace(dir, "annotations.trace");
            let ix = index::build(&data).unwrap();
            let (lo, hi) = ix.time_range().unwrap();
            assert_eq!(cut(&data, lo, hi).unwrap(), data, "{dir}");
            assert_eq!(cut(&data, i64::MIN, i64::MAX).unwrap(), data, "{dir}");
        }
    }

    #[test]
    fn keeps_exactly_the_overlapping_generations() {
        let data = trace("go1.27", "annotations.trace");
        let ix = index::build(&data).unwrap();
        let g = &ix.generations;
        assert!(g.len() >= 3);
        let out = cut(&data, g[1].start_ns, g[1].start_ns).unwrap();
        let mut want = data[..ix.header_len].to_vec();
        want.extend_from_slice(&data[g[1].bytes.start as usize..g[1].bytes.end as usize]);
        assert_eq!(out, want);
        // The cut is itself a trace with that one generation.
        let cix = index::build(&out).unwrap();
        assert_eq!(cix.error, None);
        assert_eq!(cix.generations.len(), 1);
        assert_eq!(cix.generations[0].number, g[1].number);
        assert_eq!(cix.generations[0].events, g[1].events);
        let out = cut(&data, g[0].end_ns, g[2].start_ns).unwrap();
        let mut want = data[..ix.header_len].to_vec();
        want.extend_from_slice(&data[g[0].bytes.start as usize..g[2].bytes.end as usize]);
        assert_eq!(out, want);
    }

    #[test]
    fn says_when_nothing_overlaps() {
        let data = trace("go1.26", "annotations.trace");
        let ix = index::build(&data).unwrap();
        let (lo, hi) = ix.time_range().unwrap();
        let e = cut(&data, hi + 1, hi + 1000).unwrap_err();
        assert_eq!(
            e,
            CutError::NothingOverlaps {
                start_ns: hi + 1,
                end_ns: hi + 1000,
                trace: Some((lo, hi))
            }
        );
        assert!(
            e.to_string().contains(&format!("spans {lo}..{hi} ns")),
            "{e}"
        );
        assert!(matches!(
            cut(&data, -100, -1),
            Err(CutError::NothingOverlaps { .. })
        ));
        assert!(matches!(
            cut(&data, 10, 5),
            Err(CutError::EmptyRange {
                start_ns: 10,
                end_ns: 5
            })
        ));
    }

    #[test]
    fn damaged_traces_cut_only_their_readable_part() {
        let data = trace("go1.27", "annotations.trace");
        let ix = index::build(&data).unwrap();
        let g = &ix.generations;
        let last = g.len() - 1;
        let end = (g[last].bytes.start + g[last].len_bytes() / 2) as usize;
        let damaged = &data[..end];
        // Inside the complete part: fine, and identical to the undamaged cut.
        let ok = cut(damaged, g[0].start_ns, g[0].end_ns).unwrap();
        assert_eq!(ok, cut(&data, g[0].start_ns, g[0].end_ns).unwrap());
        // Into the damaged generation: the damage is reported.
        let e = cut(damaged, 0, g[last].start_ns).unwrap_err();
        let CutError::Damaged {
            readable, error, ..
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!(*readable, Some((0, g[last - 1].end_ns)));
        assert_eq!(error.generation, Some(g[last].number), "{e}");
        assert!(e.to_string().contains("damaged"), "{e}");
    }
}
