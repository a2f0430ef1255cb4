//! `gotrace dump FILE`: every event exactly as go1.27's `go tool trace -d=parsed`.

use crate::{file_only, open_input, usage, Status, BAD_TRACE, OK};
use gotrace::dump;
use gotrace::stream::{read_stream, DEFAULT_TARGET};
use std::io::Write;

pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Status {
    let file = match file_only(args) {
        Ok(f) => f,
        Err(m) => return usage("dump", &m, err),
    };
    let input = match open_input(&file, err) {
        Ok(d) => d,
        Err(s) => return s,
    };
    let mut buf = Vec::with_capacity(1 << 16);
    let mut broken_pipe = false;
    let read = read_stream(input, DEFAULT_TARGET, |ev, reader| {
        if broken_pipe {
            return;
        }
        dump::format_event(&mut buf, ev, reader.tables());
        if buf.len() >= 1 << 15 {
            // A failed write is a broken pipe: the reader went away.
            broken_pipe = out.write_all(&buf).is_err();
            buf.clear();
        }
    });
    if broken_pipe {
        return OK;
    }
    let _ = out.write_all(&buf);
    let _ = out.flush();
    match read {
        Ok(gotrace::stream::Outcome { error: None, .. }) => OK,
        Ok(gotrace::stream::Outcome { error: Some(e), .. }) | Err(e) => {
            let _ = writeln!(err, "gotrace: {e}");
            BAD_TRACE
        }
    }
}
