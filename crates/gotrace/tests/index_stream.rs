//! The generation index built from a stream (`index::build_stream`, one
//! segment held at a time: what the viewer's workers use on a big trace)
//! is the index built from the whole file (`index::build`): on every
//! committed new-format trace, with segments as small as one generation,
//! on damaged copies, and for windows (the part of a big trace shown),
//! whose index is that of the same generations cut out as a trace.

mod support;

use gotrace::index::{self, Index};
use gotrace::stream::{Window, DEFAULT_TARGET};
use support::{display, mutate, trace_files, Rng};

fn new_format(data: &[u8]) -> bool {
    !support::is_old_format(data) && support::header_minor(data).is_some()
}

fn check(name: &str, data: &[u8]) -> bool {
    let want = index::build(data);
    for target in [1, 4096, DEFAULT_TARGET] {
        let got = index::build_stream(data, target, Window::WHOLE);
        assert!(
            got == want,
            "{name}: streamed index (segments of {target}+ bytes) differs\n want {want:?}\n  got {got:?}"
        );
    }
    want.is_ok_and(|i| i.error.is_some())
}

#[test]
fn streamed_index_equals_whole_file_index_on_every_trace() {
    let mut n = 0;
    let mut multi = 0;
    for f in trace_files() {
        let data = std::fs::read(&f).unwrap();
        if !new_format(&data) {
            continue;
        }
        check(&display(&f), &data);
        if index::build(&data).is_ok_and(|i| i.generations.len() >= 2) {
            multi += 1;
        }
        n += 1;
    }
    eprintln!("{n} traces indexed from a stream as whole ({multi} with 2+ generations)");
    assert!(
        n >= 30 && multi >= 10,
        "only {n} traces, {multi} with 2+ generations"
    );
}

#[test]
fn streamed_index_equals_whole_file_index_on_damaged_traces() {
    let mut rng = Rng(0x1dec_5000);
    let (mut runs, mut damaged) = (0, 0);
    for f in trace_files() {
        let data = std::fs::read(&f).unwrap();
        if !new_format(&data) {
            continue;
        }
        for i in 0..8 {
            let bad = if i < 3 {
                let at = 16 + rng.below(data.len().saturating_sub(16).max(1));
                data[..at.min(data.len())].to_vec()
            } else {
                mutate(&data, &mut rng, i == 7)
            };
            damaged += check(&format!("{} (damaged copy {i})", display(&f)), &bad) as usize;
            runs += 1;
        }
    }
    eprintln!("{runs} damaged copies indexed from a stream as whole ({damaged} with an error)");
    assert!(
        damaged * 3 > runs,
        "only {damaged} of {runs} copies were damaged"
    );
}

/// `index` with its byte ranges moved by `by` (a cut's offsets to the file's).
fn moved(mut index: Index, by: i64) -> Index {
    for g in &mut index.generations {
        g.bytes = (g.bytes.start as i64 + by) as u64..(g.bytes.end as i64 + by) as u64;
    }
    index
}

#[test]
fn a_window_is_indexed_as_its_cut() {
    use gotrace::stream::read_window;
    let mut windows = 0;
    for f in trace_files() {
        let data = std::fs::read(&f).unwrap();
        if !new_format(&data) {
            continue;
        }
        let header = gotrace::wire::parse_header_len(&data).map_or(16, |(_, n)| n);
        let mut from = 0u64;
        loop {
            let window = Window { from, budget: 1 };
            let next = read_window(&data[..], 1, window, |_, _| {}).unwrap().next;
            let end = next.unwrap_or(data.len() as u64) as usize;
            let start = (from as usize).max(header);
            let mut cut = data[..header].to_vec();
            cut.extend_from_slice(&data[start..end]);
            let want = index::build(&cut).map(|i| moved(i, start as i64 - header as i64));
            let got = index::build_stream(&data[..], 1, window);
            assert!(
                got == want,
                "{}: window [{from}, {end}) indexed unlike its cut\n want {want:?}\n  got {got:?}",
                display(&f)
            );
            windows += 1;
            match next {
                Some(n) => from = n,
                None => break,
            }
        }
    }
    eprintln!("{windows} windows indexed as their cuts");
    assert!(windows > 100, "only {windows} windows");
}

#[test]
fn old_format_traces_are_refused_before_they_are_read() {
    let f = trace_files()
        .into_iter()
        .find(|f| support::is_old_format(&std::fs::read(f).unwrap()))
        .expect("an old-format trace in the corpus");
    let data = std::fs::read(&f).unwrap();
    let e = index::build_stream(&data[..], DEFAULT_TARGET, Window::WHOLE).unwrap_err();
    assert!(e.to_string().contains("needs Go 1.22+"), "{e}");
    assert_eq!(Err(e), index::build(&data));
}

#[test]
fn cut_ranges_from_a_stream_make_the_cut() {
    use gotrace::cut::{cut, ranges_stream};
    let mut rng = Rng(0xc07_5eed);
    let (mut cuts, mut refused) = (0, 0);
    for f in trace_files() {
        let data = std::fs::read(&f).unwrap();
        let span = index::build(&data)
            .ok()
            .and_then(|i| i.time_range())
            .map_or(1_000_000, |(_, b)| b.max(1));
        for _ in 0..6 {
            let a = rng.below(span as usize + span as usize / 4) as i64 - span / 8;
            let b = a + rng.below(span as usize / 2 + 1) as i64;
            let want = cut(&data, a, b);
            let got = ranges_stream(&data[..], Window::WHOLE, a, b).map(|r| {
                r.iter()
                    .flat_map(|r| data[r.start as usize..r.end as usize].iter().copied())
                    .collect::<Vec<u8>>()
            });
            assert!(
                got == want,
                "{}: cut of [{a}, {b}] from a stream differs: {:?} vs {:?}",
                display(&f),
                got.as_ref().map(Vec::len),
                want.as_ref().map(Vec::len)
            );
            match want {
                Ok(_) => cuts += 1,
                Err(_) => refused += 1,
            }
        }
    }
    eprintln!("{cuts} cuts made from a stream as from the file, {refused} refused alike");
    assert!(cuts > 100 && refused > 10, "{cuts} cuts, {refused} refused");
}

#[test]
fn part_starts_from_the_index_are_where_windows_end() {
    use gotrace::stream::read_window;
    let mut chains = 0;
    for f in trace_files() {
        let data = std::fs::read(&f).unwrap();
        if !new_format(&data) {
            continue;
        }
        let index = index::build(&data).unwrap();
        if index.error.is_some() {
            continue;
        }
        for (target, budget) in [
            (1, 1),
            (1, 50_000),
            (4096, 20_000),
            (100_000, 150_000),
            (1, u64::MAX),
        ] {
            let mut want = vec![0u64];
            loop {
                let window = Window {
                    from: *want.last().unwrap(),
                    budget,
                };
                match read_window(&data[..], target, window, |_, _| {})
                    .unwrap()
                    .next
                {
                    Some(n) => want.push(n),
                    None => break,
                }
            }
            let got = index.part_starts(target as u64, budget);
            assert_eq!(
                got,
                want,
                "{}: parts of {budget} over segments of {target}",
                display(&f)
            );
            chains += 1;
        }
    }
    eprintln!("{chains} chains of parts computed from the index as read");
    assert!(chains > 100, "only {chains}");
}

/// Each generation's summary adds up to what the events say: GC cycles and
/// the largest heap exactly; stop-the-world time at most the ranges' total
/// (it is cut at generation boundaries) and only where the world stopped.
#[test]
fn generation_summaries_add_up_to_the_events() {
    use gotrace::event::{Metric, Payload, RangeName};
    let (mut traces, mut with_gc) = (0, 0);
    for f in trace_files() {
        let data = std::fs::read(&f).unwrap();
        if !new_format(&data) {
            continue;
        }
        let Ok(index) = index::build(&data) else {
            continue;
        };
        if index.error.is_some() {
            continue;
        }
        let (mut gc, mut heap, mut stw, mut since) = (0u32, 0u64, 0i64, None);
        gotrace::read_events(&data, |ev, _| match ev.payload {
            Payload::RangeBegin {
                name: RangeName::GcMark,
                ..
            } => gc += 1,
            Payload::RangeBegin {
                name: RangeName::StopTheWorld(_),
                ..
            } => since = Some(ev.time),
            Payload::RangeEnd {
                name: RangeName::StopTheWorld(_),
                ..
            } => {
                if let Some(s) = since.take() {
                    stw += ev.time - s;
                }
            }
            Payload::Metric {
                metric: Metric::HeapAlloc,
                value,
            } => heap = heap.max(value),
            _ => {}
        })
        .unwrap();
        let sum = |f: fn(&gotrace::index::GenerationInfo) -> i64| {
            index.generations.iter().map(f).sum::<i64>()
        };
        assert_eq!(
            sum(|g| g.summary.gc_cycles as i64),
            gc as i64,
            "{}: GC cycles",
            display(&f)
        );
        let max_heap = index
            .generations
            .iter()
            .map(|g| g.summary.heap_max)
            .max()
            .unwrap_or(0);
        assert_eq!(max_heap, heap, "{}: largest heap", display(&f));
        let summed = sum(|g| g.summary.stw_ns);
        assert!(
            summed <= stw && (summed > 0) == (stw > 0),
            "{}: STW {summed} of {stw} ns",
            display(&f)
        );
        traces += 1;
        with_gc += (gc > 0) as usize;
    }
    eprintln!("{traces} traces summarized, {with_gc} with GC cycles");
    assert!(
        traces >= 30 && with_gc >= 10,
        "{traces} traces, {with_gc} with GC"
    );
}
