//! Text → binary: Go's line-oriented text trace format to the wire format.

use super::quote::{go_quote, go_unquote};
use crate::error::{Error, ErrorKind};
use crate::wire::spec::{self, specs_len, Spec, FRAME_FIELDS};
use crate::wire::varint::write_uvarint;

/// Longest line Go's line scanner accepts (`bufio.MaxScanTokenSize`).
const MAX_LINE: usize = 64 * 1024;

/// Looks up an event by name in the vocabulary of trace version `v`.
fn lookup_name(v: u64, name: &str) -> Option<(u8, &'static Spec)> {
    let len = specs_len(v)?;
    let (ty, sp) = spec::by_name(name)?;
    (usize::from(ty) < len).then_some((ty, sp))
}

fn err(line: usize, msg: impl std::fmt::Display) -> Error {
    Error::format(format!("line {line}: {msg}"))
}

/// Whitespace as Go's `unicode.IsSpace` (the same set as Unicode White_Space).
pub(super) fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// Splits off the first token: skips leading space; a `#` before the token
/// makes the rest a comment (no token); the token ends at space or `#`.
fn read_token(s: &str) -> (&str, &str) {
    let Some(start) = s.find(|c: char| !is_space(c)) else {
        return ("", "");
    };
    let s = &s[start..];
    if s.starts_with('#') {
        return ("", "");
    }
    match s.find(|c: char| is_space(c) || c == '#') {
        Some(end) => (&s[..end], &s[end..]),
        None => (s, ""),
    }
}

/// Go's `strconv.ParseUint(s, 10, 64)`.
fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Lines as Go's `bufio.Scanner` splits them (a trailing `\r` dropped), with
/// blank and comment-only lines skipped. Yields 1-based line numbers.
struct Lines<'a> {
    rest: Option<&'a str>,
    number: usize,
}

impl<'a> Lines<'a> {
    fn new(src: &'a str) -> Self {
        Lines {
            rest: if src.is_empty() { None } else { Some(src) },
            number: 0,
        }
    }

    /// The next significant line, `Ok(None)` at the end.
    fn next_line(&mut self) -> Result<Option<(usize, &'a str)>, Error> {
        loop {
            let Some(rest) = self.rest else {
                return Ok(None);
            };
            let (line, tail) = match rest.find('\n') {
                Some(i) => (&rest[..i], Some(&rest[i + 1..]).filter(|t| !t.is_empty())),
                None => (rest, None),
            };
            self.rest = tail;
            self.number += 1;
            if line.len() >= MAX_LINE {
                return Err(err(self.number, "line too long"));
            }
            let line = line.strip_suffix('\r').unwrap_or(line);
            if !read_token(line).0.is_empty() {
                return Ok(Some((self.number, line)));
            }
        }
    }
}

fn check_trailing_space(n: usize, rest: &str, what: &str) -> Result<(), Error> {
    if rest.chars().all(is_space) {
        Ok(())
    } else {
        Err(err(
            n,
            format!(
                "unexpected non-space at the end of {what}: {}",
                go_quote(rest.as_bytes())
            ),
        ))
    }
}

/// Reads `name=value` arguments in exactly the order of `names`, then
/// requires the rest of the line to be blank.
fn read_args(n: usize, mut s: &str, names: &[&str], out: &mut Vec<u64>) -> Result<(), Error> {
    for &name in names {
        let (tok, rest) = read_token(s);
        if tok.is_empty() {
            return Err(err(n, format!("no argument (expected {name:?})")));
        }
        let Some((arg, val)) = tok.split_once('=') else {
            return Err(err(
                n,
                format!("malformed argument: {}", go_quote(tok.as_bytes())),
            ));
        };
        if arg != name {
            return Err(err(
                n,
                format!("expected argument {name:?}, but got {arg:?}"),
            ));
        }
        let Some(v) = parse_u64(val) else {
            return Err(err(
                n,
                format!("failed to parse argument value {val:?} for arg {arg:?}"),
            ));
        };
        out.push(v);
        s = rest;
    }
    check_trailing_space(n, s, "an event")
}

/// A `data="..."` line: the bytes of the quoted literal.
fn read_data(n: usize, line: &str) -> Result<Vec<u8>, Error> {
    let Some((key, val)) = line.split_once('=') else {
        return Err(err(
            n,
            format!("malformed data: {}", go_quote(line.as_bytes())),
        ));
    };
    if key.trim_matches(is_space) != "data" {
        return Err(err(
            n,
            format!("malformed data: {}", go_quote(line.as_bytes())),
        ));
    }
    go_unquote(val.trim_matches(is_space)).map_err(|e| {
        err(
            n,
            format!(
                "failed to parse data: {}: {}",
                go_quote(line.as_bytes()),
                e.message
            ),
        )
    })
}

/// Parses the header line; returns the version.
fn read_header(lines: &mut Lines<'_>) -> Result<u32, Error> {
    let Some((n, line)) = lines.next_line()? else {
        return Err(Error::new(
            ErrorKind::Header,
            "empty text trace: no `Trace Go1.N` header line",
        ));
    };
    let header = |msg: String| Error::new(ErrorKind::Header, format!("line {n}: {msg}"));
    let (trace, rest) = read_token(line);
    if trace != "Trace" {
        return Err(header(
            "failed to parse header: expected `Trace Go1.N`".into(),
        ));
    }
    let (gover, rest) = read_token(rest);
    let Some(num) = gover.strip_prefix("Go1.") else {
        return Err(header(format!(
            "failed to parse header Go version: {gover:?}"
        )));
    };
    let Some(v) = parse_u64(num) else {
        return Err(header(format!(
            "failed to parse header Go version: {num:?}"
        )));
    };
    if specs_len(v).is_none() {
        return Err(header(format!("unknown or unsupported Go version 1.{v}")));
    }
    if !rest.chars().all(is_space) {
        return Err(header(format!(
            "encountered unexpected non-space at the end of the header: {}",
            go_quote(rest.as_bytes())
        )));
    }
    Ok(v as u32)
}

/// Converts the text form of a trace (header line included) to the binary
/// wire format, header included. Arguments are written as minimal uvarints;
/// `size=` and every other value is copied as written.
pub fn text_to_binary(src: &str) -> Result<Vec<u8>, Error> {
    text_to_binary_versioned(src).map(|(_, b)| b)
}

pub(super) fn text_to_binary_versioned(src: &str) -> Result<(u32, Vec<u8>), Error> {
    let mut lines = Lines::new(src);
    let version = read_header(&mut lines)?;
    let mut out = format!("go 1.{version} trace\0\0\0").into_bytes();
    let mut args = Vec::with_capacity(8);
    while let Some((n, line)) = lines.next_line()? {
        let (name, rest) = read_token(line);
        let Some((ty, sp)) = lookup_name(u64::from(version), name) else {
            return Err(err(n, format!("unidentified event: {name}")));
        };
        args.clear();
        read_args(n, rest, sp.args, &mut args)
            .map_err(|e| Error::format(format!("{} (reading args for {name})", e.message)))?;
        out.push(ty);
        for &a in &args {
            write_uvarint(&mut out, a);
        }
        if sp.is_stack {
            // Go converts the count to a signed int: "huge" counts read no frames.
            let nframes = args.get(1).copied().unwrap_or(0);
            let nframes = if nframes > i64::MAX as u64 {
                0
            } else {
                nframes
            };
            let mut frame = Vec::with_capacity(4);
            for _ in 0..nframes {
                let Some((fnum, fline)) = lines.next_line()? else {
                    return Err(err(
                        n,
                        format!("unexpected end of text while reading the frames of {name}"),
                    ));
                };
                frame.clear();
                read_args(fnum, fline, &FRAME_FIELDS, &mut frame)?;
                for &a in &frame {
                    write_uvarint(&mut out, a);
                }
            }
        }
        if sp.has_data {
            let Some((dnum, dline)) = lines.next_line()? else {
                return Err(err(
                    n,
                    format!("unexpected end of text while reading the data of {name}"),
                ));
            };
            let data = read_data(dnum, dline)?;
            write_uvarint(&mut out, data.len() as u64);
            out.extend_from_slice(&data);
        }
    }
    Ok((version, out))
}
