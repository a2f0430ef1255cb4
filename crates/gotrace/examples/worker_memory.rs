//! What the viewer's timeline worker holds, phase by phase, measured with a
//! counting allocator (live heap bytes and their high-water mark): reading
//! the trace as a stream into the timeline builder, closing the model
//! (`Builder::finish`), and encoding it in parts that are dropped at once
//! (the worker moves each out of wasm memory). The worker's wasm memory is
//! at least the high-water mark; this says which phase sets it (and how
//! long each phase takes, natively).
//!
//!     cargo run --release -p gotrace --example worker_memory -- FILE [--ship]
//!
//! With `--ship`, sealed column chunks are taken out of the builder every
//! 500,000 events and dropped, as the worker sends them to the page
//! (`Builder::take_sealed`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = LIVE.fetch_add(l.size(), Relaxed) + l.size();
            PEAK.fetch_max(now, Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), Relaxed);
    }
}

#[global_allocator]
static A: Counting = Counting;

fn mb(b: usize) -> String {
    format!("{:.0} MB", b as f64 / 1e6)
}

/// Prints the live heap and the peak since the last call, and resets the peak.
fn phase(name: &str) {
    let live = LIVE.load(Relaxed);
    let peak = PEAK.swap(live, Relaxed);
    let secs = CLOCK.with(|c| c.replace(std::time::Instant::now()).elapsed().as_secs_f64());
    println!(
        "{name:<28} live {:>8}   peak during it {:>8}   {secs:6.2} s",
        mb(live),
        mb(peak)
    );
}

thread_local! {
    static CLOCK: std::cell::Cell<std::time::Instant> =
        std::cell::Cell::new(std::time::Instant::now());
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: worker_memory FILE [--ship]");
        std::process::exit(2);
    };
    let ship = std::env::args().any(|a| a == "--ship");
    let file = std::fs::File::open(&path).expect("open");
    phase("start");
    let mut b = gotrace::timeline::Builder::new();
    let mut sent = 0usize;
    let out = gotrace::stream::read_stream(file, gotrace::stream::DEFAULT_TARGET, |ev, at| {
        b.push(ev);
        if ship && b.events().is_multiple_of(500_000) {
            b.take_sealed(at.tables(), |c| sent += c.bytes.len());
        }
    })
    .expect("read");
    phase("read (builder filled)");
    if ship {
        println!("{:<28} {:>13}", "  sent ahead while read", mb(sent));
    }
    let tl = b.finish(&out.tables);
    drop(out);
    phase("finish (model closed)");
    println!("{:<28} {:>13}", "  model heap_bytes", mb(tl.heap_bytes()));
    breakdown(&tl);
    let mut parts = 0;
    let mut largest = 0;
    tl.encode_parts_with(4 << 20, |p| {
        parts += 1;
        largest = largest.max(p.len());
    });
    phase("encode (parts dropped)");
    println!("  {parts} parts, the largest {}", mb(largest));
}

/// Where the model's bytes are, by kind of lane.
fn breakdown(tl: &gotrace::timeline::Timeline) {
    let spans: usize = tl.goroutines.iter().map(|g| g.spans.heap_bytes()).sum();
    let levels: usize = tl.goroutines.iter().map(|g| g.levels.heap_bytes()).sum();
    let row = |name: &str, b: usize| println!("    {name:<26} {:>11}", mb(b));
    row("goroutine spans", spans);
    row("goroutine levels", levels);
    for (name, lanes) in [("P", &tl.procs), ("thread", &tl.threads)] {
        row(
            &format!("{name} spans"),
            lanes.iter().map(|l| l.spans.heap_bytes()).sum(),
        );
        row(
            &format!("{name} levels"),
            lanes.iter().map(|l| l.levels.heap_bytes()).sum(),
        );
    }
    row(
        "counter series",
        tl.series.iter().map(|s| s.heap_bytes()).sum(),
    );
    row(
        "counter levels",
        tl.counter_levels.iter().map(|l| l.heap_bytes()).sum(),
    );
    row("samples", tl.samples.heap_bytes());
    let (n, records) = (
        tl.goroutines.len(),
        tl.goroutines.iter().map(|g| g.spans.len()).sum::<usize>(),
    );
    println!("    {n} goroutines, {records} goroutine spans");
    for (i, s) in tl.series.iter().enumerate() {
        println!(
            "    series {i}: {} records, {}",
            s.len(),
            mb(s.heap_bytes())
        );
    }
}
