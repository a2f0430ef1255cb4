//! `gotrace stats FILE`: a human summary of a trace.

use crate::{file_only, open_input, report_damage, usage, Status, BAD_TRACE};
use gotrace::analysis::stats::{human_bytes, human_duration, Stats};
use gotrace::stream::{read_stream, DEFAULT_TARGET};
use std::io::Write;
use std::time::Instant;

pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Status {
    let file = match file_only(args) {
        Ok(f) => f,
        Err(m) => return usage("stats", &m, err),
    };
    let input = match open_input(&file, err) {
        Ok(d) => d,
        Err(s) => return s,
    };
    let start = Instant::now();
    let mut stats = Stats::new();
    let read = match read_stream(input, DEFAULT_TARGET, |ev, _| stats.add(ev)) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(err, "gotrace: {e}");
            return BAD_TRACE;
        }
    };
    let (version, error, size) = (read.version, read.error, read.bytes);
    stats.finish();
    let elapsed = start.elapsed();
    let _ = writeln!(out, "trace version:     go 1.{}", version.minor());
    let _ = writeln!(out, "file size:         {}", human_bytes(size));
    let _ = writeln!(out, "{stats}");
    let _ = writeln!(
        out,
        "parse time:        {} ({:.0} MB/s)",
        human_duration(elapsed.as_nanos() as i64),
        size as f64 / 1e6 / elapsed.as_secs_f64().max(1e-9)
    );
    report_damage(
        error.as_ref(),
        "the summary covers what was read before",
        err,
    )
}
