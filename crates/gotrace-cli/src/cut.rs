//! `gotrace cut --start T --end T FILE > slice.trace`: the generations of a
//! Go 1.22+ trace that overlap `[start, end]`, as a trace file of their own
//! (what the viewer's "Save view as trace" downloads). Go reads the result.

use crate::{one_file, open_input, parse_args, read_input, usage, Status, BAD_TRACE, OK};
use gotrace::cut::{byte_ranges, cut_indexed, TimeArg};
use gotrace::stream::{Window, DEFAULT_TARGET};
use std::io::{Read, Seek, SeekFrom, Write};

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
    // A plain trace file is indexed as a stream and its chosen bytes copied
    // from the file: memory does not grow with the file. Standard input and
    // gzip-compressed files (no random access to their bytes) are read whole.
    if o.file != "-" && !is_gzip(&o.file) {
        return cut_file(&o, out, err);
    }
    let data = match read_input(&o.file, err) {
        Ok(d) => d,
        Err(s) => return s,
    };
    let index = match gotrace::index::build(&data) {
        Ok(i) => i,
        Err(e) => return failed(&e, err),
    };
    let (start, end) = window(&o, &index);
    match cut_indexed(&data, &index, start, end) {
        Ok(bytes) => write(&[&bytes], out, err),
        Err(e) => failed(&e, err),
    }
}

/// `[start, end]` in ns since the trace's origin.
fn window(o: &Opts, index: &gotrace::index::Index) -> (i64, i64) {
    let origin = index.origin_ns.unwrap_or(0);
    let start = o.start.map_or(0, |t| t.since_origin(origin));
    let end = o.end.map_or(i64::MAX, |t| t.since_origin(origin));
    (start, end)
}

fn failed(e: &dyn std::fmt::Display, err: &mut dyn Write) -> Status {
    let _ = writeln!(err, "gotrace cut: {e}");
    BAD_TRACE
}

fn write(parts: &[&[u8]], out: &mut dyn Write, err: &mut dyn Write) -> Status {
    let wrote = parts.iter().try_for_each(|p| out.write_all(p));
    if wrote.and_then(|_| out.flush()).is_err() {
        let _ = writeln!(err, "gotrace cut: could not write the output");
        return BAD_TRACE;
    }
    OK
}

fn is_gzip(path: &str) -> bool {
    let mut head = [0u8; 2];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|_| head == [0x1f, 0x8b])
}

/// The cut of a plain trace file: indexed as a stream, then the header and
/// the chosen generations copied from the file, a piece at a time.
fn cut_file(o: &Opts, out: &mut dyn Write, err: &mut dyn Write) -> Status {
    let input = match open_input(&o.file, err) {
        Ok(i) => i,
        Err(s) => return s,
    };
    let index =
        match gotrace::index::build_stream_for(input, DEFAULT_TARGET, Window::WHOLE, "cutting") {
            Ok(i) => i,
            Err(e) => return failed(&e, err),
        };
    let (start, end) = window(o, &index);
    let ranges = match byte_ranges(&index, start, end) {
        Ok(r) => r,
        Err(e) => return failed(&e, err),
    };
    let copied = std::fs::File::open(&o.file).and_then(|mut f| {
        for range in ranges {
            f.seek(SeekFrom::Start(range.start))?;
            let want = range.end - range.start;
            let n = std::io::copy(&mut (&mut f).take(want), out)?;
            if n != want {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!(
                        "the file changed while it was cut: {n} of {want} bytes at {}",
                        range.start
                    ),
                ));
            }
        }
        out.flush()
    });
    match copied {
        Ok(()) => OK,
        Err(e) => {
            let _ = writeln!(err, "gotrace cut: {}: {e}", o.file);
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

    /// A file is cut from a stream (its bytes copied from the file) exactly
    /// as the whole-file cut does: same bytes, same refusals.
    #[test]
    fn a_file_is_cut_as_the_whole_bytes_are() {
        let mut compared = 0;
        for name in [
            "go1.27/annotations.trace",
            "go1.23/annotations.trace",
            "go1.27/http.trace",
            "go1.22/stress.trace",
        ] {
            let file = trace(name);
            let Ok(data) = std::fs::read(&file) else {
                continue;
            };
            let index = gotrace::index::build(&data).unwrap();
            let (_, last) = index.time_range().unwrap();
            for (a, b) in [
                (0, last),
                (last / 3, last / 2),
                (last / 2, last / 2),
                (last + 1, last + 9),
                (-5, 0),
            ] {
                let want = gotrace::cut::cut(&data, a, b).map_err(|e| e.to_string());
                let (st, out, err) = run_on(&[
                    "--start",
                    &format!("{a}ns"),
                    "--end",
                    &format!("{b}ns"),
                    &file,
                ]);
                let got = if st == OK {
                    Ok(out)
                } else {
                    Err(err
                        .trim_end()
                        .trim_start_matches("gotrace cut: ")
                        .to_string())
                };
                assert_eq!(got, want, "{name} [{a}, {b}]");
                compared += 1;
            }
        }
        assert!(compared >= 15, "only {compared} cuts compared");
    }
}
