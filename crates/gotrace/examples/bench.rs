//! Throughput and memory benchmark of the reader and the compact model.
//!
//!     cargo run --release -p gotrace --example bench -- parse FILE [RUNS]
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

/// Times each analysis over events already in memory (the viewer's case:
/// the trace is parsed once, analyses re-run on demand), next to the parse.
fn analyses(data: &[u8]) {
    use gotrace::analysis::goroutines::GoroutineAnalysis;
    use gotrace::analysis::mmu::{MmuCurve, UtilBuilder, UtilFlags};
    use gotrace::analysis::pprof::{ProfileBuilder, ProfileKind, Selection};
    use gotrace::analysis::tasks::TaskAnalysis;

    let t = Instant::now();
    let mut r = Reader::new(data).expect("trace header");
    let mut b = StoreBuilder::with_capacity(data.len() / 5);
    while let Some(Ok(ev)) = r.next_event() {
        b.push(&ev);
    }
    let store = b.finish();
    let parse = t.elapsed().as_secs_f64();
    let tables = r.tables();
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        t.elapsed().as_secs_f64()
    };
    let goroutines = time(&mut || {
        let mut a = GoroutineAnalysis::new();
        store.iter().for_each(|ev| a.add(&ev, tables));
        let report = a.finish(tables);
        std::hint::black_box(report.groups().len());
    });
    let pprof = time(&mut || {
        let mut a = ProfileBuilder::new();
        store.iter().for_each(|ev| a.add(&ev, tables));
        let set = a.finish();
        for kind in [
            ProfileKind::Net,
            ProfileKind::Sync,
            ProfileKind::Syscall,
            ProfileKind::Sched,
        ] {
            std::hint::black_box(set.profile(kind, &Selection::All, tables).samples.len());
        }
    });
    let mmu = time(&mut || {
        let mut a = UtilBuilder::new(UtilFlags::DEFAULT);
        store.iter().for_each(|ev| a.add(&ev, tables));
        let curve = MmuCurve::new(a.finish());
        for w in [1_000, 1_000_000, 100_000_000] {
            std::hint::black_box(curve.mmu(w));
        }
    });
    let tasks = time(&mut || {
        let mut a = TaskAnalysis::new();
        store.iter().for_each(|ev| a.add(&ev, tables));
        std::hint::black_box(a.finish(tables).tasks.len());
    });
    println!(
        "{{\"mode\":\"analyses\",\"events\":{},\"parse_and_model_s\":{parse:.4},\"goroutines_s\":{goroutines:.4},\"pprof4_s\":{pprof:.4},\"mmu_s\":{mmu:.4},\"tasks_s\":{tasks:.4},\"all_analyses_s\":{:.4}}}",
        store.len(),
        goroutines + pprof + mmu + tasks
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
