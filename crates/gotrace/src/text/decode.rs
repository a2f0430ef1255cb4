//! Binary → text: what `go tool trace -d=wire` prints.

use super::quote::go_quote;
use crate::error::Error;
use crate::wire::header::scan_header;
use crate::wire::spec::{self, specs_len, FRAME_FIELDS};
use crate::wire::varint::{read_uvarint, VarintError};
use std::fmt::Write as _;

/// Renders a binary trace as `go tool trace -d=wire` prints it: one line per
/// wire event (stack frames and data on indented continuation lines), no
/// header line, each event followed by a newline. An error ends the output.
pub fn binary_to_text(file: &[u8]) -> Result<String, Error> {
    match binary_to_text_partial(file) {
        (text, None) => Ok(text),
        (_, Some(e)) => Err(e),
    }
}

/// Like [`binary_to_text`], but also returns what was printed before an
/// error (what `go tool trace -d=wire` writes to stdout before failing).
pub fn binary_to_text_partial(file: &[u8]) -> (String, Option<Error>) {
    let mut out = String::new();
    let e = write_wire_text(file, &mut out).err();
    (out, e)
}

/// Reads uvarints the way Go's `binary.ReadUvarint` does on a byte stream.
/// `Ok(None)` = clean end of input before the first byte (Go's plain `EOF`,
/// which `-d=wire` treats as the end of the trace, not as an error).
fn next_uvarint(file: &[u8], pos: &mut usize) -> Result<Option<u64>, Error> {
    let rest = file.get(*pos..).unwrap_or(&[]);
    if rest.is_empty() {
        return Ok(None);
    }
    match read_uvarint(rest) {
        Ok((v, n)) => {
            *pos += n;
            Ok(Some(v))
        }
        // Ten continuation bytes are an overflow even at the end of the input.
        Err(VarintError::Truncated) if rest.len() < 10 => {
            Err(Error::truncated("unexpected EOF").at(*pos as u64))
        }
        Err(_) => Err(Error::format("binary: varint overflows a 64-bit integer").at(*pos as u64)),
    }
}

fn write_wire_text(file: &[u8], out: &mut String) -> Result<(), Error> {
    let (v, mut pos) = scan_header(file)?;
    let len = specs_len(u64::from(v)).unwrap_or(0);
    let mut args: Vec<u64> = Vec::with_capacity(8);
    while let Some(&ty) = file.get(pos) {
        let start = pos;
        pos += 1;
        if ty == 0 || usize::from(ty) >= len {
            return Err(Error::format(format!("invalid event type: {ty}")).at(start as u64));
        }
        // Holes in the version's table have no name and no arguments.
        let (name, arg_names, is_stack, has_data) = match spec::spec(ty) {
            Some(sp) => (sp.name, sp.args, sp.is_stack, sp.has_data),
            None => ("", &[][..], false, false),
        };
        args.clear();
        for _ in arg_names {
            match next_uvarint(file, &mut pos)? {
                Some(a) => args.push(a),
                None => return Ok(()),
            }
        }
        let mut line = String::from(name);
        for (n, a) in arg_names.iter().zip(&args) {
            let _ = write!(line, " {n}={a}");
        }
        if is_stack {
            let nframes = args.get(1).copied().unwrap_or(0);
            let nframes = if nframes > i64::MAX as u64 {
                0
            } else {
                nframes
            };
            for _ in 0..nframes {
                line.push_str("\n\t");
                for (i, field) in FRAME_FIELDS.iter().enumerate() {
                    let Some(a) = next_uvarint(file, &mut pos)? else {
                        return Ok(());
                    };
                    if i > 0 {
                        line.push(' ');
                    }
                    let _ = write!(line, "{field}={a}");
                }
            }
        }
        if has_data {
            let Some(n) = next_uvarint(file, &mut pos)? else {
                return Ok(());
            };
            // Go converts the length to a signed int: "huge" lengths read nothing.
            let n = if n > i64::MAX as u64 { 0 } else { n };
            let avail = (file.len() - pos) as u64;
            if n > avail {
                // Go reads byte by byte and stops at the end: a clean EOF.
                return Ok(());
            }
            let data = &file[pos..pos + n as usize];
            pos += n as usize;
            // Go prints no data line for empty data (it stays nil).
            if !data.is_empty() {
                line.push_str("\n\tdata=");
                line.push_str(&go_quote(data));
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    Ok(())
}
