//! A trace read as a stream, part by part (`gotrace::stream`), gives exactly
//! what reading the whole file at once gives: the same events in the same
//! order with the same times, the same interned strings and stacks, and the
//! same error (kind, offset, generation, words) on damaged input. Checked on
//! every committed trace, with parts as small as one generation, with an
//! input that hands out a few bytes at a time, and on damaged copies.

mod support;

use std::io::Read;

use gotrace::event::Event;
use gotrace::stream::{read_stream, Segments, DEFAULT_TARGET};
use gotrace::{read_events, Error};
use support::{display, mutate, trace_files, Rng};

/// What a read gives: the events, each with the text of the strings and
/// stacks it refers to (ids are compared through their content), and the
/// error.
#[derive(Debug, PartialEq)]
struct Read_ {
    events: Vec<(Event, String)>,
    error: Option<Error>,
}

fn describe(ev: &Event, tables: &gotrace::Tables) -> String {
    let mut buf = Vec::new();
    gotrace::dump::format_event(&mut buf, ev, tables);
    String::from_utf8_lossy(&buf).into_owned()
}

fn whole(data: &[u8]) -> Result<Read_, Error> {
    let mut events = Vec::new();
    let (_, error) = read_events(data, |ev, r| events.push((*ev, describe(ev, r.tables()))))?;
    Ok(Read_ { events, error })
}

fn streamed(input: impl Read, target: usize) -> Result<Read_, Error> {
    let mut events = Vec::new();
    let out = read_stream(input, target, |ev, at| {
        events.push((*ev, describe(ev, at.tables())))
    })?;
    Ok(Read_ {
        events,
        error: out.error,
    })
}

/// An input that hands out at most a few bytes per `read`.
struct Dribble<'a> {
    data: &'a [u8],
    rng: Rng,
}

impl Read for Dribble<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (1 + self.rng.below(7)).min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn check(name: &str, data: &[u8], rng: &mut Rng) -> usize {
    let want = whole(data);
    let mut compared = 0;
    for target in [1, 4096, DEFAULT_TARGET] {
        let got = streamed(data, target);
        assert!(
            got == want,
            "{name}: streamed in parts of {target} B differs from the whole read\n{}",
            first_difference(&want, &got)
        );
        compared += 1;
    }
    let got = streamed(
        Dribble {
            data,
            rng: Rng(rng.next() | 1),
        },
        1,
    );
    assert!(
        got == want,
        "{name}: streamed a few bytes at a time differs\n{}",
        first_difference(&want, &got)
    );
    compared + 1
}

fn first_difference(want: &Result<Read_, Error>, got: &Result<Read_, Error>) -> String {
    match (want, got) {
        (Ok(w), Ok(g)) => {
            if let Some(i) =
                (0..w.events.len().min(g.events.len())).find(|&i| w.events[i] != g.events[i])
            {
                return format!(
                    "event {i}: whole {:?}\n streamed {:?}",
                    w.events[i], g.events[i]
                );
            }
            format!(
                "{} events whole, {} streamed; error whole {:?}, streamed {:?}",
                w.events.len(),
                g.events.len(),
                w.error,
                g.error
            )
        }
        (w, g) => format!(
            "whole: {:?}\nstreamed: {:?}",
            w.as_ref().map(|r| r.events.len()),
            g.as_ref().map(|r| r.events.len())
        ),
    }
}

#[test]
fn stream_equals_whole_read_on_every_trace() {
    let files = trace_files();
    let mut rng = Rng(0x5eed_57ea);
    let mut compared = 0;
    let mut parted = 0;
    let mut minors = std::collections::BTreeSet::new();
    for f in &files {
        let data = std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", display(f)));
        compared += check(&display(f), &data, &mut rng);
        // The test must exercise resuming: count traces read in several parts.
        let mut segs = Segments::new(&data[..], 1);
        let mut n = 0;
        while let Ok(Some(_)) = segs.next_segment() {
            n += 1;
        }
        if n >= 2 {
            parted += 1;
            // (wire versions: Go 1.24 writes 23, Go 1.27 writes 26)
            minors.insert(support::header_minor(&data).unwrap_or(0));
        }
    }
    eprintln!(
        "{} traces, {compared} streamed reads equal to the whole read, {parted} read in 2+ parts",
        files.len()
    );
    // Resuming must be exercised on every new-format wire version in the
    // corpus (its annotations and flight-recorder traces have 5-8
    // generations).
    let want: std::collections::BTreeSet<u32> = files
        .iter()
        .filter_map(|f| support::header_minor(&std::fs::read(f).unwrap_or_default()))
        .filter(|&m| m >= 22)
        .collect();
    assert!(
        parted >= 10 && want.is_subset(&minors),
        "only {parted} traces (versions {minors:?}) were read in more than one part: \
         the test does not exercise resuming on every version"
    );
}

#[test]
fn stream_equals_whole_read_on_damaged_traces() {
    let files = trace_files();
    let mut rng = Rng(0xdada_0001);
    let mut errors = 0;
    let mut runs = 0;
    for f in files
        .iter()
        .filter(|f| !support::is_old_format(&std::fs::read(f).unwrap_or_default()))
    {
        let data = std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", display(f)));
        for i in 0..12 {
            let bad = if i < 4 {
                // Cuts, at generation boundaries and inside batches alike.
                let at = 16 + rng.below(data.len().saturating_sub(16).max(1));
                data[..at.min(data.len())].to_vec()
            } else {
                mutate(&data, &mut rng, i == 11)
            };
            let name = format!("{} (damaged copy {i})", display(f));
            let want = whole(&bad);
            if want.as_ref().is_ok_and(|r| r.error.is_some()) || want.is_err() {
                errors += 1;
            }
            check(&name, &bad, &mut rng);
            runs += 1;
        }
    }
    eprintln!("{runs} damaged copies streamed as read whole ({errors} of them errors)");
    assert!(
        errors * 2 > runs,
        "only {errors} of {runs} damaged copies failed to read"
    );
}

#[test]
fn an_input_error_keeps_what_was_read() {
    // The input fails inside the third part of the trace with the most
    // generations.
    let (data, ends) = support::corpus()
        .into_iter()
        .map(|f| {
            let data = std::fs::read(&f).unwrap();
            let mut segs = Segments::new(&data[..], 1);
            let mut ends = Vec::new();
            while let Ok(Some(s)) = segs.next_segment() {
                ends.push(s.base as usize + s.bytes.len());
            }
            (data, ends)
        })
        .max_by_key(|(_, ends)| ends.len())
        .expect("traces");
    assert!(ends.len() >= 4, "no trace with 4+ generations");
    struct Failing<'a>(&'a [u8], usize);
    impl Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.1 == 0 {
                return Err(std::io::Error::other("the disk went away"));
            }
            let n = buf.len().min(self.0.len()).min(self.1);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            self.1 -= n;
            Ok(n)
        }
    }
    let cut = ends[1] + 10;
    let got = streamed(Failing(&data, cut), 1).expect("the header was read");
    let whole = whole(&data).unwrap();
    let err = got.error.expect("the input error is reported");
    assert_eq!(err.kind, gotrace::ErrorKind::Io, "{err}");
    assert!(err.to_string().contains("the disk went away"), "{err}");
    assert!(
        !got.events.is_empty(),
        "nothing kept before the input error"
    );
    assert!(got.events.len() < whole.events.len());
    assert_eq!(
        got.events[..],
        whole.events[..got.events.len()],
        "the events kept differ"
    );
}

#[test]
fn windows_read_what_a_cut_at_their_bytes_reads() {
    use gotrace::stream::{read_window, Window};
    let mut windows = 0;
    for f in trace_files() {
        let data = std::fs::read(&f).unwrap();
        if support::is_old_format(&data) || support::header_minor(&data).is_none() {
            continue;
        }
        let header = gotrace::wire::parse_header_len(&data).map_or(16, |(_, n)| n);
        for budget in [1, 100_000] {
            let mut from = 0u64;
            let mut parts = 0;
            loop {
                let mut events = Vec::new();
                let out = read_window(&data[..], 1, Window { from, budget }, |ev, at| {
                    events.push((*ev, describe(ev, at.tables())))
                })
                .unwrap_or_else(|e| panic!("{}: window at {from}: {e}", display(&f)));
                let end = out.next.unwrap_or(data.len() as u64) as usize;
                // The same generations cut out as a trace of their own.
                let mut cut = data[..header].to_vec();
                cut.extend_from_slice(&data[(from as usize).max(header)..end]);
                let want = whole(&cut).unwrap();
                let got = Read_ {
                    events,
                    error: out.error,
                };
                assert!(
                    got.events == want.events,
                    "{}: window [{from}, {end}) with budget {budget} differs from its cut\n{}",
                    display(&f),
                    first_difference(&Ok(want), &Ok(got))
                );
                parts += 1;
                windows += 1;
                match out.next {
                    Some(n) => {
                        assert!(n > from, "{}: no progress at {from}", display(&f));
                        from = n;
                    }
                    None => break,
                }
            }
            if budget == 1 {
                let mut segs = Segments::new(&data[..], 1);
                let mut n = 0;
                while let Ok(Some(_)) = segs.next_segment() {
                    n += 1;
                }
                assert_eq!(
                    parts,
                    n,
                    "{}: one window per part with budget 1",
                    display(&f)
                );
            }
        }
    }
    eprintln!("{windows} windows read as their cuts");
    assert!(windows > 150, "only {windows} windows");
}
