//! `gotrace timeline FILE`: builds the model the viewer draws, natively and
//! as a stream, and prints its size, the time it took and its fingerprint
//! (`Timeline::digest`: the browser tests compare the page's model with it;
//! the benchmarks compare the viewer's time to ready with it).

use crate::{analyze_file, file_only, report_damage, usage, Status};
use gotrace::analysis::stats::{human_bytes, human_duration};
use std::io::Write;
use std::time::Instant;

pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Status {
    let file = match file_only(args) {
        Ok(f) => f,
        Err(m) => return usage("timeline", &m, err),
    };
    let start = Instant::now();
    let (tl, damage) = match analyze_file(&file, err, gotrace::timeline::from_trace) {
        Ok(r) => r,
        Err(s) => return s,
    };
    let elapsed = start.elapsed();
    let spans: usize = tl.goroutines.iter().map(|g| g.spans.len()).sum();
    let lines = [
        ("events", tl.events.to_string()),
        ("duration", human_duration(tl.duration)),
        (
            "goroutines",
            format!("{} ({spans} spans)", tl.goroutines.len()),
        ),
        ("procs", tl.procs.len().to_string()),
        ("threads", tl.threads.len().to_string()),
        ("model", human_bytes(tl.heap_bytes() as u64)),
        ("build time", human_duration(elapsed.as_nanos() as i64)),
        ("digest", format!("{:016x}", tl.digest())),
    ];
    for (name, value) in lines {
        let _ = writeln!(out, "{:<19}{value}", format!("{name}:"));
    }
    report_damage(
        damage.as_ref(),
        "the model covers what was read before",
        err,
    )
}
