//! `gotrace`: the command-line face of the library, so every result can be
//! checked against the Go toolchain (`go tool trace -d=parsed`, `-pprof=`).
//!
//! Exit status: 0 success, 1 bad trace, 2 bad usage. Never panics on input.

use gotrace::analysis::stats::{human_bytes, human_duration, Stats};
use gotrace::{dump, Reader};
use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: gotrace <command> FILE|-

commands:
  dump FILE     print every event as `go tool trace -d=parsed` does
  stats FILE    print a summary: version, duration, events, goroutines, GC, ...
  help          print this help
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cmd, rest) = match args.split_first() {
        Some((c, r)) => (c.as_str(), r),
        None => return usage("missing command"),
    };
    match (cmd, rest) {
        ("help" | "-h" | "--help", _) => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        ("dump", [file]) => with_input(file, cmd_dump),
        ("stats", [file]) => with_input(file, cmd_stats),
        ("dump" | "stats", _) => usage("expected exactly one FILE (or - for stdin)"),
        _ => usage(&format!("unknown command {cmd:?}")),
    }
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("gotrace: {msg}\n\n{USAGE}");
    ExitCode::from(2)
}

fn with_input(path: &str, f: fn(&[u8]) -> ExitCode) -> ExitCode {
    let data = if path == "-" {
        let mut v = Vec::new();
        if let Err(e) = io::stdin().read_to_end(&mut v) {
            eprintln!("gotrace: reading stdin: {e}");
            return ExitCode::from(1);
        }
        v
    } else {
        match std::fs::read(path) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("gotrace: {path}: {e}");
                return ExitCode::from(1);
            }
        }
    };
    f(&data)
}

fn cmd_dump(data: &[u8]) -> ExitCode {
    let mut reader = match Reader::new(data) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("gotrace: {e}");
            return ExitCode::from(1);
        }
    };
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut buf = Vec::with_capacity(1 << 16);
    while let Some(item) = reader.next_event() {
        match item {
            Ok(ev) => {
                dump::format_event(&mut buf, &ev, reader.tables());
                if buf.len() >= 1 << 15 {
                    if out.write_all(&buf).is_err() {
                        return ExitCode::SUCCESS; // Broken pipe: the reader went away.
                    }
                    buf.clear();
                }
            }
            Err(e) => {
                let _ = out.write_all(&buf);
                let _ = out.flush();
                eprintln!("gotrace: {e}");
                return ExitCode::from(1);
            }
        }
    }
    let _ = out.write_all(&buf);
    let _ = out.flush();
    ExitCode::SUCCESS
}

fn cmd_stats(data: &[u8]) -> ExitCode {
    let start = Instant::now();
    let mut reader = match Reader::new(data) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("gotrace: {e}");
            return ExitCode::from(1);
        }
    };
    let version = reader.version();
    let mut stats = Stats::new();
    let mut error = None;
    while let Some(item) = reader.next_event() {
        match item {
            Ok(ev) => stats.add(&ev),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    let elapsed = start.elapsed();
    println!("trace version:     go 1.{}", version.minor());
    println!("file size:         {}", human_bytes(data.len() as u64));
    println!("{stats}");
    println!(
        "parse time:        {} ({:.0} MB/s)",
        human_duration(elapsed.as_nanos() as i64),
        data.len() as f64 / 1e6 / elapsed.as_secs_f64().max(1e-9)
    );
    match error {
        Some(e) => {
            eprintln!("gotrace: trace is damaged; the summary covers what was read before: {e}");
            ExitCode::from(1)
        }
        None => ExitCode::SUCCESS,
    }
}
