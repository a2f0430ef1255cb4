//! The `gotrace` command line, one module per command, so each command can
//! be tested as a function and the binary stays a thin dispatcher.
//!
//! Exit status: 0 success, 1 bad trace, 2 bad usage.

pub mod critical_path;
pub mod dump;
pub mod goroutines;
pub mod mmu;
pub mod pprof;
pub mod stats;
pub mod tasks;

use std::io::{self, Read, Write};

/// What a command returns: the process exit status.
pub type Status = u8;
pub const OK: Status = 0;
pub const BAD_TRACE: Status = 1;
pub const USAGE: Status = 2;

pub const HELP: &str = "usage: gotrace <command> [options] FILE|-

commands:
  dump FILE                       print every event as `go tool trace -d=parsed` does
  stats FILE                      summary: version, duration, events, goroutines, GC, ...
  goroutines FILE                 goroutine analysis: groups by start function, time breakdown
  pprof net|sync|syscall|sched FILE  write a gzipped pprof profile (as `go tool trace -pprof=`)
  mmu FILE                        minimum mutator utilization curve
  tasks FILE                      user tasks and regions with duration percentiles
  critical-path --goroutine G [--start T] [--end T] FILE
                                  the chain of goroutines G waited on (unblock edges walked back)
  help                            print this help

FILE may be - to read standard input.
";

/// Reads a whole input file (or stdin for `-`).
pub fn read_input(path: &str, err: &mut dyn Write) -> Result<Vec<u8>, Status> {
    if path == "-" {
        let mut v = Vec::new();
        return match io::stdin().read_to_end(&mut v) {
            Ok(_) => Ok(v),
            Err(e) => {
                let _ = writeln!(err, "gotrace: reading stdin: {e}");
                Err(BAD_TRACE)
            }
        };
    }
    std::fs::read(path).map_err(|e| {
        let _ = writeln!(err, "gotrace: {path}: {e}");
        BAD_TRACE
    })
}

/// Runs the command line `args` (without the program name).
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Status {
    let Some((cmd, rest)) = args.split_first() else {
        let _ = writeln!(err, "gotrace: missing command\n\n{HELP}");
        return USAGE;
    };
    match cmd.as_str() {
        "help" | "-h" | "--help" => {
            let _ = write!(out, "{HELP}");
            OK
        }
        "dump" => dump::run(rest, out, err),
        "stats" => stats::run(rest, out, err),
        "goroutines" => goroutines::run(rest, out, err),
        "pprof" => pprof::run(rest, out, err),
        "mmu" => mmu::run(rest, out, err),
        "tasks" => tasks::run(rest, out, err),
        "critical-path" => critical_path::run(rest, out, err),
        other => {
            let _ = writeln!(err, "gotrace: unknown command {other:?}\n\n{HELP}");
            USAGE
        }
    }
}

/// Reports a usage error for `cmd`.
pub fn usage(cmd: &str, msg: &str, err: &mut dyn Write) -> Status {
    let _ = writeln!(err, "gotrace {cmd}: {msg}\n\n{HELP}");
    USAGE
}
