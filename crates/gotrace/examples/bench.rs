//! Throughput and memory benchmark of the reader and the compact model.
//!
//!     cargo run --release -p gotrace --example bench -- parse FILE [RUNS]
//!     cargo run --release -p gotrace --example bench -- stream FILE [RUNS]
//!     cargo run --release -p gotrace --example bench -- store FILE
//!     cargo run --release -p gotrace --example bench -- analyses FILE
//!     cargo run --release -p gotrace --example bench -- timeline FILE
//!
//! Prints one JSON object per line; `scripts/bench.py` runs it side by side
//! with the Go toolchain and writes the table in BENCHMARKS.md. Peak memory
//! is the process's high-water mark (VmHWM), so run each mode in its own
//! process.

use gotrace::model::StoreBuilder;
use gotrace::Reader;
use std::time::Instant;

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, file) = match (args.first(), args.get(1)) {
        (Some(m), Some(f)) => (m.as_str(), f.as_str()),
        _ => {
            eprintln!("usage: bench parse|store FILE [RUNS]");
            std::process::exit(2);
        }
    };
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(3);
    if mode == "stream" {
        return stream(file, runs);
    }
    let data = std::fs::read(file).unwrap_or_else(|e| {
        eprintln!("bench: {file}: {e}");
        std::process::exit(1);
    });
    let mb = data.len() as f64 / 1e6;
    match mode {
        "parse" => {
            let mut best = f64::MAX;
            let mut events = 0u64;
            for _ in 0..runs {
                let t = Instant::now();
                let mut r = Reader::new(&data).expect("trace header");
                let mut n = 0u64;
                while let Some(item) = r.next_event() {
                    if item.is_err() {
                        break;
                    }
                    n += 1;
                }
                best = best.min(t.elapsed().as_secs_f64());
                events = n;
            }
            println!(
                "{{\"mode\":\"parse\",\"bytes\":{},\"events\":{events},\"seconds\":{best:.4},\"mb_per_s\":{:.1},\"mevents_per_s\":{:.2},\"peak_rss_kib\":{}}}",
                data.len(),
                mb / best,
                events as f64 / best / 1e6,
                peak_rss_kib()
            );
        }
        "store" => {
            let t = Instant::now();
            let mut r = Reader::new(&data).expect("trace header");
            let mut b = StoreBuilder::with_capacity(data.len() / 5);
            while let Some(Ok(ev)) = r.next_event() {
                b.push(&ev);
            }
            let store = b.finish();
            let secs = t.elapsed().as_secs_f64();
            let tables = r.tables().heap_bytes();
            let (ctxs, bodies) = store.interned_counts();
            println!(
                "{{\"mode\":\"store\",\"bytes\":{},\"events\":{},\"seconds\":{secs:.4},\"store_bytes\":{},\"bytes_per_event\":{:.2},\"tables_bytes\":{tables},\"contexts\":{ctxs},\"payloads\":{bodies},\"peak_rss_kib\":{}}}",
                data.len(),
                store.len(),
                store.heap_bytes(),
                store.bytes_per_event(),
                peak_rss_kib()
            );
        }
        "analyses" => analyses(&data),
        "timeline" => timeline(&data),
        other => {
            eprintln!("bench: unknown mode {other}");
            std::process::exit(2);
        }
    }
}

/// Times the analyses over events already in memory (the viewer's case:
/// the trace is parsed once, analyses re-run on demand), next to the parse:
/// all of them in one fused pass over the store (`analysis::all`), each
/// alone in the same kind of pass, and the pass with none (the walk over
/// the store), best of 5 each; every time includes building the results
/// (the goroutine groups, the four profiles, the MMU at three windows, the
/// task tables). Also the analysis worker's path, from the trace bytes:
/// one read feeding every analysis (`all::analyze_trace`), best of 3.
fn analyses(data: &[u8]) {
    use gotrace::analysis::all::{analyze_trace_with, Analyses, Reports, Selected};
    use gotrace::analysis::mmu::{Accounting, UtilFlags};
    use gotrace::analysis::pprof::{ProfileKind, Selection};

    let t = Instant::now();
    let mut r = Reader::new(data).expect("trace header");
    let mut b = StoreBuilder::with_capacity(data.len() / 5);
    while let Some(Ok(ev)) = r.next_event() {
        b.push(&ev);
    }
    let store = b.finish();
    let parse = t.elapsed().as_secs_f64();
    let tables = r.tables();
    let use_reports = |r: &Reports, tables: &gotrace::Tables| {
        if let Some(g) = &r.goroutines {
            std::hint::black_box(g.groups().len());
        }
        if let Some(Ok(set)) = &r.profiles {
            for kind in ProfileKind::ALL {
                std::hint::black_box(set.profile(kind, &Selection::All, tables).samples.len());
            }
        }
        if let Some(curve) = &r.mmu {
            for w in [1_000, 1_000_000, 100_000_000] {
                std::hint::black_box(curve.mmu(w));
            }
        }
        if let Some(a) = &r.tasks {
            std::hint::black_box(a.tasks.len());
        }
    };
    let best = |runs: usize, f: &mut dyn FnMut()| -> f64 {
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .fold(f64::MAX, f64::min)
    };
    let run = |sel: Selected| -> f64 {
        best(5, &mut || {
            let mut a = Analyses::with(sel, UtilFlags::DEFAULT, Accounting::Go);
            a.add_store(&store, 0..store.len(), tables);
            use_reports(&a.finish(tables), tables);
        })
    };
    let only = |f: fn(&mut Selected)| {
        let mut s = Selected::NONE;
        f(&mut s);
        run(s)
    };
    let all = run(Selected::ALL);
    let goroutines = only(|s| s.goroutines = true);
    let pprof = only(|s| s.profiles = true);
    let mmu = only(|s| s.mmu = true);
    let tasks = only(|s| s.tasks = true);
    let none = run(Selected::NONE);
    let from_bytes = best(3, &mut || {
        let (r, _, tables) = analyze_trace_with(data, Analyses::new(), |_| {}).expect("trace");
        use_reports(&r, &tables);
    });
    println!(
        "{{\"mode\":\"analyses\",\"events\":{},\"parse_and_model_s\":{parse:.4},\"all_analyses_s\":{all:.4},\"goroutines_s\":{goroutines:.4},\"pprof4_s\":{pprof:.4},\"mmu_s\":{mmu:.4},\"tasks_s\":{tasks:.4},\"pass_only_s\":{none:.4},\"from_bytes_s\":{from_bytes:.4},\"peak_rss_kib\":{}}}",
        store.len(),
        peak_rss_kib()
    );
}

/// The viewer's worker path: parse into the timeline model, encode it for
/// the page (in parts, as the worker does), decode it there.
fn timeline(data: &[u8]) {
    use gotrace::timeline::{build, Decoder};
    let t0 = Instant::now();
    let tl = match build(data, 0, |_, _, _| {}) {
        Ok(tl) => tl,
        Err(e) => {
            eprintln!("bench: {e}");
            std::process::exit(1);
        }
    };
    let built = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let parts = tl.encode_parts(4 << 20);
    let encoded = t1.elapsed().as_secs_f64();
    let encoded_bytes: usize = parts.iter().map(Vec::len).sum();
    let t2 = Instant::now();
    let mut d = Decoder::new(&parts[0]).expect("own encoding decodes");
    for p in &parts[1..] {
        d.feed(p).expect("own encoding decodes");
    }
    let back = d.finish().expect("own encoding decodes");
    let decoded = t2.elapsed().as_secs_f64();
    let go_spans: usize = tl.goroutines.iter().map(|g| g.spans.len()).sum();
    let go_bytes: usize = tl
        .goroutines
        .iter()
        .map(|g| g.spans.heap_bytes() + g.levels.heap_bytes())
        .sum();
    let exec_bytes: usize = tl
        .procs
        .iter()
        .chain(&tl.threads)
        .map(|p| p.spans.heap_bytes() + p.levels.heap_bytes())
        .sum();
    let counter_bytes: usize = tl.series.iter().map(|p| p.heap_bytes()).sum::<usize>()
        + tl.counter_levels
            .iter()
            .map(|l| l.heap_bytes())
            .sum::<usize>();
    println!(
        "{{\"mode\":\"timeline\",\"bytes\":{},\"events\":{},\"goroutines\":{},\"spans\":{},\"goroutine_spans\":{go_spans},\"build_s\":{built:.4},\"encode_s\":{encoded:.4},\"encoded_bytes\":{encoded_bytes},\"parts\":{},\"decode_s\":{decoded:.4},\"model_heap_bytes\":{},\"model_x_file\":{:.2},\"goroutine_lanes_bytes\":{go_bytes},\"exec_lanes_bytes\":{exec_bytes},\"counter_bytes\":{counter_bytes},\"peak_rss_kib\":{}}}",
        data.len(),
        tl.events,
        tl.goroutines.len(),
        tl.span_total(),
        parts.len(),
        back.heap_bytes(),
        back.heap_bytes() as f64 / data.len() as f64,
        peak_rss_kib()
    );
}

/// `parse`, reading the file as a stream (`gotrace::stream`), never whole.
fn stream(file: &str, runs: usize) {
    let mut best = f64::MAX;
    let (mut events, mut bytes, mut largest) = (0u64, 0u64, 0usize);
    for _ in 0..runs {
        let t = Instant::now();
        let f = std::fs::File::open(file).unwrap_or_else(|e| {
            eprintln!("bench: {file}: {e}");
            std::process::exit(1);
        });
        let mut n = 0u64;
        let out = gotrace::stream::read_stream(f, gotrace::stream::DEFAULT_TARGET, |_, _| n += 1)
            .expect("trace header");
        best = best.min(t.elapsed().as_secs_f64());
        (events, bytes, largest) = (n, out.bytes, out.largest_segment);
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "{{\"mode\":\"stream\",\"bytes\":{bytes},\"events\":{events},\"seconds\":{best:.4},\"mb_per_s\":{:.1},\"mevents_per_s\":{:.2},\"largest_segment\":{largest},\"peak_rss_kib\":{}}}",
        mb / best,
        events as f64 / best / 1e6,
        peak_rss_kib()
    );
}
