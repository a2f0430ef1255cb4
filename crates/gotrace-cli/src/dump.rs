//! `gotrace dump FILE`: every event exactly as go1.27's `go tool trace -d=parsed`.

use crate::{file_only, read_input, usage, Status, BAD_TRACE, OK};
use gotrace::{dump, Reader};
use std::io::Write;

pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Status {
    let file = match file_only(args) {
        Ok(f) => f,
        Err(m) => return usage("dump", &m, err),
    };
    let data = match read_input(&file, err) {
        Ok(d) => d,
        Err(s) => return s,
    };
    let mut reader = match Reader::new(&data) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(err, "gotrace: {e}");
            return BAD_TRACE;
        }
    };
    let mut buf = Vec::with_capacity(1 << 16);
    while let Some(item) = reader.next_event() {
        match item {
            Ok(ev) => {
                dump::format_event(&mut buf, &ev, reader.tables());
                if buf.len() >= 1 << 15 {
                    if out.write_all(&buf).is_err() {
                        return OK; // Broken pipe: the reader went away.
                    }
                    buf.clear();
                }
            }
            Err(e) => {
                let _ = out.write_all(&buf);
                let _ = out.flush();
                let _ = writeln!(err, "gotrace: {e}");
                return BAD_TRACE;
            }
        }
    }
    let _ = out.write_all(&buf);
    let _ = out.flush();
    OK
}
