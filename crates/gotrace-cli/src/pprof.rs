//! `gotrace pprof net|sync|syscall|sched [options] FILE`: writes the gzipped
//! pprof profile `go tool trace -pprof=TYPE FILE` writes, to stdout.
//!
//! Options beyond Go: `--group NAME` (goroutines with that start function,
//! as the `/io?name=` pages), `--window START:END` (ns), `--raw` (the
//! uncompressed protobuf), `--top` (a text listing instead of the file).

use crate::{open_input, parse_args, parse_window, report_damage, usage, Status, BAD_TRACE, OK};
use gotrace::analysis::pprof::{build_from_trace, ProfileKind, Selection};
use gotrace::godur::go_duration;
use gotrace::stream::Stream;
use std::io::Write;

const CMD: &str = "pprof";
const OPTIONS: &str =
    "usage: gotrace pprof net|sync|syscall|sched [--group NAME] [--window START:END] [--raw|--top] FILE";

pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Status {
    let mut group = None;
    let mut window = None;
    let mut raw = false;
    let mut top = false;
    let parsed = parse_args(args, |name, p| {
        match name {
            "--raw" => raw = true,
            "--top" => top = true,
            "--group" => group = Some(p.value(name)?),
            "--window" => {
                window = Some(
                    p.parsed(name, parse_window)
                        .map_err(|_| "--window needs START:END (ns)".to_string())?,
                )
            }
            _ => return Ok(false),
        }
        Ok(true)
    });
    let positional = match parsed {
        Ok(p) => p,
        Err(m) => return usage(CMD, &format!("{m}\n{OPTIONS}"), err),
    };
    let [kind, file] = positional.as_slice() else {
        return usage(CMD, OPTIONS, err);
    };
    let Some(kind) = ProfileKind::from_name(kind) else {
        let _ = writeln!(err, "unknown pprof type {kind}\n");
        return usage(CMD, OPTIONS, err);
    };
    let input = match open_input(file, err) {
        Ok(d) => d,
        Err(s) => return s,
    };
    let (set, tables, error) = match build_from_trace(Stream::new(input), window) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(err, "failed to parse any useful part of the trace: {e}");
            return BAD_TRACE;
        }
    };
    report_damage(
        error.as_ref(),
        "the profile covers the complete generations before",
        err,
    );
    let sel = match group {
        Some(g) => Selection::Group(g),
        None => Selection::All,
    };
    if !set.matches_any(&sel, &tables) {
        let name = match &sel {
            Selection::Group(g) => g.as_str(),
            _ => "",
        };
        let _ = writeln!(
            err,
            "failed to generate pprof: failed to find matching goroutines for name: {name}\n"
        );
        return BAD_TRACE;
    }
    let p = set.profile(kind, &sel, &tables);
    let bytes = if top {
        let mut s = format!(
            "{} ({}): {} samples, {} intervals, {} total\n",
            kind.title(),
            kind.name(),
            p.samples.len(),
            p.total_count(),
            go_duration(p.total_delay())
        );
        for smp in &p.samples {
            let leaf = smp.frames.first().map_or("(no stack)", |f| f.func.as_str());
            s.push_str(&format!(
                "{:>14} {:>8}  {}\n",
                go_duration(smp.delay),
                smp.count,
                leaf
            ));
        }
        s.into_bytes()
    } else if raw {
        p.to_proto()
    } else {
        p.to_pprof()
    };
    if out.write_all(&bytes).and_then(|_| out.flush()).is_err() {
        return BAD_TRACE;
    }
    OK
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_args(a: &[&str]) -> (Status, Vec<u8>, String) {
        let args: Vec<String> = a.iter().map(|s| s.to_string()).collect();
        let mut out = Vec::new();
        let mut err = Vec::new();
        let st = run(&args, &mut out, &mut err);
        (st, out, String::from_utf8_lossy(&err).into_owned())
    }

    #[test]
    fn usage_errors() {
        assert_eq!(run_args(&[]).0, crate::USAGE);
        assert_eq!(run_args(&["bogus", "f"]).0, crate::USAGE);
        assert_eq!(run_args(&["net"]).0, crate::USAGE);
        assert_eq!(run_args(&["net", "/nonexistent"]).0, BAD_TRACE);
        assert_eq!(run_args(&["net", "--window", "x", "f"]).0, crate::USAGE);
        assert_eq!(run_args(&["net", "-x", "f"]).0, crate::USAGE);
        // `--group=NAME` as well as `--group NAME`: parsed, then the file is missing.
        assert_eq!(
            run_args(&["net", "--group=main.f", "/nonexistent"]).0,
            BAD_TRACE
        );
        assert_eq!(
            run_args(&["net", "--group", "main.f", "/nonexistent"]).0,
            BAD_TRACE
        );
        assert_eq!(run_args(&["net", "--raw=1", "f"]).0, crate::USAGE);
    }
}
