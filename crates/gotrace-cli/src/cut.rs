//! `gotrace cut --start T --end T FILE > slice.trace`: the generations of a
//! Go 1.22+ trace that overlap `[start, end]`, as a trace file of their own
//! (what the viewer's "Save view as trace" downloads). Go reads the result.

use crate::{one_file, parse_args, read_input, usage, Status, BAD_TRACE, OK};
use gotrace::cut::{cut_indexed, TimeArg};
use std::io::Write;

const CMD: &str = "cut";
const OPTIONS: &str =
    "options: --start T, --end T (absolute ns as `gotrace dump` prints them, or a \
duration since the trace start such as 120ms; default: the trace's start and end)";

struct Opts {
    start: Option<TimeArg>,
    end: Option<TimeArg>,
    file: String,
}

fn parse_opts(args: &[String]) -> Result<Opts, String> {
    let (mut start, mut end) = (None, None);
    let positional = parse_args(args, |name, p| {
        match name {
            "--start" => start = Some(p.parsed(name, TimeArg::parse)?),
            "--end" => end = Some(p.parsed(name, TimeArg::parse)?),
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(Opts {
        start,
        end,
        file: one_file(positional)?,
    })
}

pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Status {
    let o = match parse_opts(args) {
        Ok(o) => o,
        Err(m) => return usage(CMD, &format!("{m}\n{OPTIONS}"), err),
    };
    let data = match read_input(&o.file, err) {
        Ok(d) => d,
        Err(s) => return s,
    };
    let index = match gotrace::index::build(&data) {
        Ok(i) => i,
        Err(e) => {
            let _ = writeln!(err, "gotrace cut: {e}");
            return BAD_TRACE;
        }
    };
    let origin = index.origin_ns.unwrap_or(0);
    let start = o.start.map_or(0, |t| t.since_origin(origin));
    let end = o.end.map_or(i64::MAX, |t| t.since_origin(origin));
    match cut_indexed(&data, &index, start, end) {
        Ok(bytes) => {
            if out.write_all(&bytes).and_then(|_| out.flush()).is_err() {
                let _ = writeln!(err, "gotrace cut: could not write the output");
                return BAD_TRACE;
            }
            OK
        }
        Err(e) => {
            let _ = writeln!(err, "gotrace cut: {e}");
            BAD_TRACE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_on(v: &[&str]) -> (Status, Vec<u8>, String) {
        let args: Vec<String> = v.iter().map(|s| s.to_string()).collect();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let st = run(&args, &mut out, &mut err);
        (st, out, String::from_utf8_lossy(&err).into_owned())
    }

    fn trace(name: &str) -> String {
        format!(
            "{}/../../testdata/traces/{name}",
            env!("CARGO_MANIFEST_DIR")
        )
    }

    #[test]
    fn cuts_a_range_and_the_result_reads_as_a_trace() {
        let file = trace("go1.27/annotations.trace");
        let whole = std::fs::read(&file).unwrap();
        let (st, all, err) = run_on(&[&file]);
        assert_eq!(st, OK, "{err}");
        assert_eq!(all, whole, "no range: every generation, byte for byte");
        let (st, part, err) = run_on(&["--start", "300ms", "--end=400ms", &file]);
        assert_eq!(st, OK, "{err}");
        assert!(
            part.len() > 16 && part.len() < whole.len(),
            "{} of {}",
            part.len(),
            whole.len()
        );
        assert!(gotrace::read_events(&part, |_, _| {}).is_ok_and(|(_, e)| e.is_none()));
    }

    #[test]
    fn reports_bad_input() {
        let (st, _, err) = run_on(&["--start", "soon", "x.trace"]);
        assert_eq!(st, crate::USAGE, "{err}");
        let (st, _, err) = run_on(&["--bogus", "x.trace"]);
        assert_eq!(st, crate::USAGE, "{err}");
        let (st, out, err) = run_on(&[&trace("go1.21/annotations.trace")]);
        assert_eq!(st, BAD_TRACE);
        assert!(out.is_empty() && err.contains("1.22"), "{err}");
        let (st, _, err) = run_on(&["--start", "1h", &trace("go1.27/annotations.trace")]);
        assert_eq!(st, BAD_TRACE, "{err}");
    }
}
