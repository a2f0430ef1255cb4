//! The text form of new-format traces, as used by Go's golden tests
//! (`src/internal/trace/testdata/tests/*.test`) and printed by
//! `go tool trace -d=wire`.
//!
//! * [`text_to_binary`]: the line-oriented text (`Trace Go1.22`, then one
//!   `Name arg=N ...` line per wire event, `pc=.. func=.. file=.. line=..`
//!   lines after a `Stack`, a `data="..."` line after a `String` or an
//!   `ExperimentalBatch`) to the binary wire format. Nothing is validated or
//!   recomputed beyond names and argument order: `size=` is copied verbatim,
//!   which is how broken traces are written down.
//! * [`parse_test_file`]: a golden test (a txtar archive with an `expect` and a
//!   `trace` section) to its expectation and binary trace.
//! * [`binary_to_text`]: the reverse direction, byte-for-byte what
//!   `go tool trace -d=wire` prints (events only, no header line).
//! * [`go_unquote`] / [`go_quote`]: Go's string literal syntax, used by the
//!   `data=` lines (and handy for Go's fuzz corpus files).
//!
//! Malformed input gives an [`Error`], never a panic.

use std::fmt::Write as _;

use crate::error::{Error, ErrorKind};
use crate::wire::spec::{self, Spec};
use crate::wire::varint::{read_uvarint, write_uvarint, VarintError};

/// Field names of one stack frame line, in wire order.
const FRAME_FIELDS: [&str; 4] = ["pc", "func", "file", "line"];

/// Longest line Go's line scanner accepts (`bufio.MaxScanTokenSize`).
const MAX_LINE: usize = 64 * 1024;

/// What a golden test expects from reading its trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expectation {
    /// The trace reads without error.
    Success,
    /// Reading fails with an error whose message matches this regular
    /// expression (already unquoted; Go `regexp` syntax).
    Failure(String),
}

/// A parsed golden test: the expectation and the trace, converted to binary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoldenTest {
    pub expect: Expectation,
    /// Trace version from the header line (e.g. 22 for `Trace Go1.22`).
    pub version: u32,
    /// The binary trace, header included.
    pub trace: Vec<u8>,
}

/// Number of entries in Go's spec slice for trace version `v`: event types
/// `1..len` exist in that version (some may be unnamed holes). Old-format
/// versions are valid but have no wire vocabulary. `None` = unknown version.
fn specs_len(v: u64) -> Option<usize> {
    Some(match v {
        11 | 19 | 21 => 0,
        22 => usize::from(spec::ev::USER_LOG) + 1,
        23 => usize::from(spec::ev::EXPERIMENTAL_BATCH) + 1,
        25 => usize::from(spec::ev::CLOCK_SNAPSHOT) + 1,
        26 => usize::from(spec::ev::GOROUTINE_STACK_FREE) + 1,
        _ => return None,
    })
}

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
fn is_space(c: char) -> bool {
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

fn text_to_binary_versioned(src: &str) -> Result<(u32, Vec<u8>), Error> {
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

/// Splits a txtar archive into its named sections (the leading comment is
/// dropped). Section data keeps its lines' newlines.
fn txtar_sections(src: &str) -> Vec<(&str, &str)> {
    fn marker(line_and_rest: &str) -> Option<(&str, &str)> {
        let (line, after) = match line_and_rest.find('\n') {
            Some(i) => (&line_and_rest[..i], &line_and_rest[i + 1..]),
            None => (line_and_rest, ""),
        };
        let inner = line.strip_prefix("-- ")?.strip_suffix(" --")?;
        let name = inner.trim_matches(is_space);
        (!name.is_empty()).then_some((name, after))
    }
    // Finds the next marker at a line start: (data before it, name, after).
    fn next(data: &str) -> (&str, Option<(&str, &str)>) {
        let mut i = 0;
        loop {
            if let Some((name, after)) = marker(&data[i..]) {
                return (&data[..i], Some((name, after)));
            }
            match data[i..].find("\n-- ") {
                Some(j) => i += j + 1,
                None => return (data, None),
            }
        }
    }
    let mut out = Vec::new();
    let (_, mut m) = next(src);
    while let Some((name, after)) = m {
        let (body, nm) = next(after);
        out.push((name, body));
        m = nm;
    }
    out
}

/// Parses the expectation section of a golden test.
fn parse_expectation(data: &str) -> Result<Expectation, Error> {
    let mut lines = data.split('\n');
    let first = lines.next().unwrap_or("");
    if first.is_empty() && data.is_empty() {
        return Ok(Expectation::Success);
    }
    let first = first.strip_suffix('\r').unwrap_or(first);
    let (word, rest) = match first.split_once(' ') {
        Some((w, r)) => (w, Some(r)),
        None => (first, None),
    };
    match word {
        "SUCCESS" => Ok(Expectation::Success),
        "FAILURE" => {
            let Some(quoted) = rest else {
                return Err(Error::format(format!(
                    "bad header line for FAILURE: {}",
                    go_quote(first.as_bytes())
                )));
            };
            let pattern = go_unquote(quoted).map_err(|e| {
                Error::format(format!(
                    "malformed pattern: not correctly quoted: {quoted}: {}",
                    e.message
                ))
            })?;
            let pattern = String::from_utf8(pattern)
                .map_err(|_| Error::format(format!("malformed pattern: not UTF-8: {quoted}")))?;
            Ok(Expectation::Failure(pattern))
        }
        _ => Err(Error::format(format!(
            "bad header line: {}",
            go_quote(first.as_bytes())
        ))),
    }
}

/// Parses a golden test file: a txtar archive with exactly two sections,
/// `expect` (`SUCCESS` or `FAILURE "<Go-quoted regexp>"`) then `trace` (the
/// text form). The trace is returned in binary form.
pub fn parse_test_file(src: &str) -> Result<GoldenTest, Error> {
    let sections = txtar_sections(src);
    if sections.len() != 2 {
        return Err(Error::format(format!(
            "malformed test: wrong number of sections: {} (want `expect` and `trace`)",
            sections.len()
        )));
    }
    let (expect_name, expect_data) = sections[0];
    let (trace_name, trace_data) = sections[1];
    if expect_name != "expect" {
        return Err(Error::format(format!(
            "malformed test: bad section name {expect_name:?}, want \"expect\""
        )));
    }
    if trace_name != "trace" {
        return Err(Error::format(format!(
            "malformed test: bad section name {trace_name:?}, want \"trace\""
        )));
    }
    let (version, trace) = text_to_binary_versioned(trace_data).map_err(|e| Error {
        message: format!("malformed test: bad trace: {}", e.message),
        ..e
    })?;
    let expect = parse_expectation(expect_data)?;
    Ok(GoldenTest {
        expect,
        version,
        trace,
    })
}

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

/// Byte length of a non-newline space (as Go's `fmt` scanner sees spaces) at
/// the start of `b`, if there is one.
fn scan_space(b: &[u8]) -> Option<usize> {
    match *b.first()? {
        b'\r' => (b.get(1) != Some(&b'\n')).then_some(1),
        b'\t' | 0x0b | 0x0c | b' ' => Some(1),
        0x00..=0x7f => None,
        _ => {
            let head = b.get(..b.len().min(4))?;
            let valid = match std::str::from_utf8(head) {
                Ok(s) => s,
                Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
            };
            let c = valid.chars().next()?;
            c.is_whitespace().then_some(c.len_utf8())
        }
    }
}

/// Reads the file header exactly as Go does (`fmt.Fscanf` with the format
/// `"go 1.%d trace\x00\x00\x00"`): a space in the format matches one or
/// more spaces, the number may be preceded by spaces and have leading zeros.
/// Returns the version number and the header's length in bytes.
pub fn scan_header(file: &[u8]) -> Result<(u32, usize), Error> {
    let bad = || {
        Error::new(
            ErrorKind::Header,
            "bad file format: not a Go execution trace?",
        )
        .at(0)
    };
    let spaces = |pos: &mut usize, at_least_one: bool| -> Result<(), Error> {
        let start = *pos;
        while let Some(n) = file.get(*pos..).and_then(scan_space) {
            *pos += n;
        }
        if at_least_one && *pos == start {
            return Err(bad());
        }
        Ok(())
    };
    let literal = |pos: &mut usize, lit: &[u8]| -> Result<(), Error> {
        if file.get(*pos..).is_some_and(|rest| rest.starts_with(lit)) {
            *pos += lit.len();
            Ok(())
        } else {
            Err(bad())
        }
    };
    let mut pos = 0;
    literal(&mut pos, b"go")?;
    spaces(&mut pos, true)?;
    literal(&mut pos, b"1.")?;
    spaces(&mut pos, false)?;
    let digits_start = pos;
    while file
        .get(pos)
        .is_some_and(|b| b.is_ascii_digit() || *b == b'_')
    {
        pos += 1;
    }
    let token = std::str::from_utf8(&file[digits_start..pos]).unwrap_or("");
    let v: u32 = parse_u64(token)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(bad)?;
    spaces(&mut pos, true)?;
    literal(&mut pos, b"trace\0\0\0")?;
    if specs_len(u64::from(v)).is_none() {
        return Err(Error::new(
            ErrorKind::Header,
            format!("unknown or unsupported trace version go 1.{v}"),
        )
        .at(0));
    }
    Ok((v, pos))
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

fn unhex(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
}

/// Decodes one Go escape sequence or character at the start of `s` (which is
/// not the closing quote). Returns the bytes to append and the rest.
fn unquote_char<'a>(s: &'a str, quote: u8, out: &mut Vec<u8>) -> Option<&'a str> {
    let b = *s.as_bytes().first()?;
    if b == quote {
        return None;
    }
    if b != b'\\' {
        let c = s.chars().next()?;
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        return Some(&s[c.len_utf8()..]);
    }
    let bytes = s.as_bytes();
    let c = *bytes.get(1)?;
    let rest = &bytes[2..];
    let simple = match c {
        b'a' => Some(0x07),
        b'b' => Some(0x08),
        b'f' => Some(0x0c),
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        b'v' => Some(0x0b),
        b'\\' => Some(b'\\'),
        b'\'' | b'"' if c == quote => Some(c),
        _ => None,
    };
    if let Some(v) = simple {
        out.push(v);
        return Some(&s[2..]);
    }
    match c {
        b'x' | b'u' | b'U' => {
            let n = match c {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let digits = rest.get(..n)?;
            let mut v: u32 = 0;
            for &d in digits {
                v = (v << 4) | unhex(d)?;
            }
            if c == b'x' {
                out.push(v as u8);
            } else {
                let ch = char::from_u32(v)?;
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
            Some(&s[2 + n..])
        }
        b'0'..=b'7' => {
            let mut v = u32::from(c - b'0');
            for &d in rest.get(..2)? {
                if !(b'0'..=b'7').contains(&d) {
                    return None;
                }
                v = (v << 3) | u32::from(d - b'0');
            }
            if v > 255 {
                return None;
            }
            out.push(v as u8);
            Some(&s[4..])
        }
        _ => None,
    }
}

/// Go's `strconv.Unquote`: a double-quoted (escapes `\n \t \\ \" \xNN
/// \uNNNN \UNNNNNNNN`, octal `\NNN`, ...), back-quoted (raw; `\r` dropped)
/// or single-quoted (one character) Go literal, to the bytes it denotes.
pub fn go_unquote(s: &str) -> Result<Vec<u8>, Error> {
    let syntax = || {
        Error::format(format!(
            "invalid Go string literal: {}",
            go_quote(s.as_bytes())
        ))
    };
    let bytes = s.as_bytes();
    if bytes.len() < 2 {
        return Err(syntax());
    }
    let quote = bytes[0];
    match quote {
        b'`' => {
            let inner = &s[1..];
            let end = inner.find('`').ok_or_else(syntax)?;
            if end + 2 != s.len() {
                return Err(syntax());
            }
            Ok(inner[..end].bytes().filter(|&b| b != b'\r').collect())
        }
        b'"' | b'\'' => {
            let mut out = Vec::with_capacity(s.len());
            let mut rest = &s[1..];
            while let Some(&b) = rest.as_bytes().first() {
                if b == quote {
                    break;
                }
                if b == b'\n' {
                    return Err(syntax());
                }
                rest = unquote_char(rest, quote, &mut out).ok_or_else(syntax)?;
                if quote == b'\'' {
                    break;
                }
            }
            // Must end with the closing quote and nothing after it.
            if rest.len() != 1 || rest.as_bytes()[0] != quote {
                return Err(syntax());
            }
            Ok(out)
        }
        _ => Err(syntax()),
    }
}

/// Whether Go's `strconv.IsPrint` holds for a non-ASCII character: letters,
/// marks, numbers, punctuation and symbols. Rust's debug escaping uses the
/// same rule (everything but separators, controls, format, surrogate,
/// private-use and unassigned code points); a leading character guards
/// against its special treatment of a string's first grapheme extender.
fn is_print_non_ascii(c: char) -> bool {
    let mut buf = [0u8; 8];
    buf[0] = b'x';
    let n = 1 + c.encode_utf8(&mut buf[1..]).len();
    let s = std::str::from_utf8(&buf[..n]).unwrap_or("x");
    s.escape_debug().eq(s.chars())
}

/// Go's `strconv.Quote` of arbitrary bytes: a double-quoted literal with
/// non-printable characters and invalid UTF-8 escaped.
pub fn go_quote(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                ' '..='~' => out.push(c),
                '\x07' => out.push_str("\\a"),
                '\x08' => out.push_str("\\b"),
                '\x0c' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\x0b' => out.push_str("\\v"),
                '\0'..='\x1f' | '\x7f' => {
                    let b = c as u8;
                    out.push_str("\\x");
                    out.push(HEX[usize::from(b >> 4)] as char);
                    out.push(HEX[usize::from(b & 15)] as char);
                }
                _ if is_print_non_ascii(c) => out.push(c),
                _ => {
                    let v = c as u32;
                    let (prefix, width) = if v < 0x10000 { ("\\u", 4) } else { ("\\U", 8) };
                    out.push_str(prefix);
                    for i in (0..width).rev() {
                        out.push(HEX[((v >> (4 * i)) & 15) as usize] as char);
                    }
                }
            }
        }
        for &b in chunk.invalid() {
            out.push_str("\\x");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIMPLE: &str = "\
Trace Go1.22
EventBatch gen=1 m=0 time=0 size=15
ProcStatus dt=1 p=0 pstatus=1
GoStatus dt=1 g=1 m=0 gstatus=2
GoSyscallBegin dt=1 p_seq=1 stack=0
GoSyscallEndBlocked dt=1
EventBatch gen=1 m=18446744073709551615 time=0 size=5
Frequency freq=15625000
EventBatch gen=1 m=18446744073709551615 time=0 size=1
Stacks
EventBatch gen=1 m=18446744073709551615 time=0 size=1
Strings
";

    #[test]
    fn encodes_header_and_events() {
        let b = text_to_binary(SIMPLE).unwrap();
        assert_eq!(&b[..16], b"go 1.22 trace\0\0\0");
        // EventBatch gen=1 m=0 time=0 size=15, then the batch payload.
        assert_eq!(&b[16..21], &[1, 1, 0, 0, 15]);
        assert_eq!(&b[21..25], &[13, 1, 0, 1]);
        let nothread = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        let i = 21 + 15;
        assert_eq!(&b[i..i + 2], &[1, 1]);
        assert_eq!(&b[i + 2..i + 12], &nothread);
        assert_eq!(&b[i + 12..i + 14], &[0, 5]);
        assert_eq!(&b[i + 14..i + 19], &[8, 0xa8, 0xd6, 0xb9, 0x07]);
        assert_eq!(b.last(), Some(&4u8));
    }

    #[test]
    fn round_trips_through_wire_text() {
        let b = text_to_binary(SIMPLE).unwrap();
        let text = binary_to_text(&b).unwrap();
        assert_eq!(text, SIMPLE.split_once('\n').unwrap().1);
        assert_eq!(text_to_binary(&format!("Trace Go1.22\n{text}")).unwrap(), b);
    }

    #[test]
    fn stacks_strings_and_comments() {
        let src = "\
# leading comment

Trace Go1.23
EventBatch gen=1 m=18446744073709551615 time=0 size=0
Stacks
   # indented comment
Stack id=1 nframes=2
\tpc=4 func=1 file=2 line=10
\tpc=5 func=3 file=2 line=20
Strings
String id=1
\tdata=\"main.f\\n\\x00\\u00e9\\101\"
ExperimentalBatch exp=1 gen=1 m=3 time=4
data=`raw\\`
";
        let b = text_to_binary(src).unwrap();
        assert_eq!(&b[..16], b"go 1.23 trace\0\0\0");
        let text = binary_to_text(&b).unwrap();
        let want = "\
EventBatch gen=1 m=18446744073709551615 time=0 size=0
Stacks
Stack id=1 nframes=2
\tpc=4 func=1 file=2 line=10
\tpc=5 func=3 file=2 line=20
Strings
String id=1
\tdata=\"main.f\\n\\x00éA\"
ExperimentalBatch exp=1 gen=1 m=3 time=4
\tdata=\"raw\\\\\"
";
        assert_eq!(text, want);
    }

    #[test]
    fn rejects_malformed_text() {
        let cases = [
            ("", "header"),
            ("Trace Go1.24\n", "unsupported"),
            ("Trace Go1.22 x\n", "non-space"),
            ("Trace\n", "Go version"),
            ("Trace Go1.22\nNope dt=1\n", "unidentified event"),
            (
                "Trace Go1.22\nGoSwitch dt=1 g=1 g_seq=1\n",
                "unidentified event",
            ),
            ("Trace Go1.22\nProcStop\n", "no argument"),
            ("Trace Go1.22\nProcStop dt=1 x=2\n", "non-space"),
            ("Trace Go1.22\nProcStop dt=1 # comment\n", "non-space"),
            ("Trace Go1.22\nProcStop t=1\n", "expected argument"),
            ("Trace Go1.22\nProcStop dt=-1\n", "failed to parse"),
            (
                "Trace Go1.22\nProcStop dt=18446744073709551616\n",
                "failed to parse",
            ),
            ("Trace Go1.22\nProcStop dt\n", "malformed argument"),
            ("Trace Go1.22\nStack id=1 nframes=1\n", "frames"),
            (
                "Trace Go1.22\nStack id=1 nframes=1\npc=1 func=2 file=3\n",
                "no argument",
            ),
            ("Trace Go1.22\nString id=1\n", "data"),
            ("Trace Go1.22\nString id=1\ndatum=\"x\"\n", "malformed data"),
            (
                "Trace Go1.22\nString id=1\ndata=\"x\n",
                "failed to parse data",
            ),
            (
                "Trace Go1.22\nString id=1\ndata=\"\\q\"\n",
                "failed to parse data",
            ),
        ];
        for (src, want) in cases {
            let e = text_to_binary(src).unwrap_err();
            assert!(e.message.contains(want), "{src:?}: {e}");
        }
    }

    #[test]
    fn odd_but_valid_text() {
        // CRLF line ends, unicode spaces, no final newline, huge frame counts.
        let b = text_to_binary(
            "Trace Go1.22\r\n\u{a0}ProcStop\u{2003}dt=7\r\nStack id=1 nframes=18446744073709551615",
        )
        .unwrap();
        assert_eq!(
            &b[16..],
            &[11, 7, 3, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
        );
        // Old-format versions are known but have no vocabulary.
        assert_eq!(
            text_to_binary("Trace Go1.21\n").unwrap(),
            b"go 1.21 trace\0\0\0"
        );
        assert!(text_to_binary("Trace Go1.21\nProcStop dt=1\n").is_err());
        // Experimental events exist only from version 26 in the text vocabulary.
        assert!(
            text_to_binary("Trace Go1.26\nSpan dt=1 id=2 npages_value=3 kindclass=4\n").is_ok()
        );
        assert!(
            text_to_binary("Trace Go1.25\nSpan dt=1 id=2 npages_value=3 kindclass=4\n").is_err()
        );
    }

    #[test]
    fn unquotes_like_go() {
        let ok: &[(&str, &[u8])] = &[
            (r#""""#, b""),
            (r#""a\"b\\c""#, b"a\"b\\c"),
            (r#""\a\b\f\n\r\t\v""#, b"\x07\x08\x0c\n\r\t\x0b"),
            (r#""\xff\x00\377\000""#, b"\xff\x00\xff\x00"),
            (r#""\u00e9\U0001F600""#, "é😀".as_bytes()),
            ("\"ߕ\"", "ߕ".as_bytes()),
            ("`a\\n\r`", b"a\\n"),
            ("'x'", b"x"),
            (r"'\''", b"'"),
            ("''", b""),
        ];
        for (s, want) in ok {
            assert_eq!(go_unquote(s).as_deref(), Ok(*want), "{s}");
        }
        for s in [
            "",
            "\"",
            "x",
            "\"abc",
            "\"a\"b\"",
            r#""\'""#,
            r#""\400""#,
            r#""\x4""#,
            r#""\ud800""#,
            r#""\U00110000""#,
            r#""\8""#,
            "\"a\nb\"",
            "`a`b`",
            "'ab'",
            r#"'\"'"#,
            r#""\"#,
        ] {
            assert!(go_unquote(s).is_err(), "{s:?}");
        }
    }

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote(b"plain text/file.go"), r#""plain text/file.go""#);
        assert_eq!(go_quote(b"a\"b\\c'"), r#""a\"b\\c'""#);
        assert_eq!(
            go_quote(b"\x07\x08\x0c\n\r\t\x0b\x00\x1f\x7f"),
            r#""\a\b\f\n\r\t\v\x00\x1f\x7f""#
        );
        assert_eq!(go_quote(b"\xff\xed\xa0\x80z"), r#""\xff\xed\xa0\x80z""#);
        assert_eq!(
            go_quote("é😀\u{301}\u{fffd}".as_bytes()),
            "\"é😀\u{301}\u{fffd}\""
        );
        assert_eq!(
            go_quote("\u{a0}\u{200b}\u{e000}\u{f0000}\u{85}".as_bytes()),
            r#""\u00a0\u200b\ue000\U000f0000\u0085""#
        );
        for b in [&b"\xc3"[..], b"\xe2\x82", b"x\xf0\x9f\x98"] {
            assert_eq!(go_unquote(&go_quote(b)).unwrap(), b);
        }
    }

    #[test]
    fn quotes_unicode_like_go_1_27() {
        // Printed by go1.27.3 `go tool trace -d=wire` for `a<c>b` data.
        let cases: &[(char, &str)] = &[
            ('\u{301}', "\u{301}"),
            ('\u{ad}', "\\u00ad"),
            ('\u{2028}', "\\u2028"),
            ('\u{feff}', "\\ufeff"),
            ('\u{378}', "\\u0378"),
            ('\u{1c89}', "\u{1c89}"),
            ('\u{1fae9}', "\u{1fae9}"),
            ('\u{600}', "\\u0600"),
            ('\u{61c}', "\\u061c"),
            ('\u{3000}', "\\u3000"),
            ('\u{1680}', "\\u1680"),
            ('\u{e0001}', "\\U000e0001"),
            ('\u{10ffff}', "\\U0010ffff"),
            ('\u{fffd}', "\u{fffd}"),
            ('\u{200d}', "\\u200d"),
            ('\u{e31}', "\u{e31}"),
            ('\u{16d40}', "\u{16d40}"),
            ('\u{1cc00}', "\u{1cc00}"),
            ('\u{897}', "\u{897}"),
            ('\u{11f00}', "\u{11f00}"),
        ];
        for &(c, want) in cases {
            let got = go_quote(format!("a{c}b").as_bytes());
            let want = if want.starts_with('\\') {
                format!("\"a{want}b\"")
            } else {
                format!("\"a{c}b\"")
            };
            assert_eq!(got, want, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn wire_text_errors_and_clean_ends() {
        let mut b = b"go 1.22 trace\0\0\0".to_vec();
        assert_eq!(binary_to_text(&b).unwrap(), "");
        b.extend_from_slice(&[1, 1, 0]);
        // Truncated at an argument boundary: Go sees a plain EOF and stops quietly.
        assert_eq!(binary_to_text(&b).unwrap(), "");
        let mut mid = b.clone();
        mid.push(0x80);
        assert_eq!(binary_to_text(&mid).unwrap_err().message, "unexpected EOF");
        b.extend_from_slice(&[0, 2, 11, 5]);
        assert_eq!(
            binary_to_text(&b).unwrap(),
            "EventBatch gen=1 m=0 time=0 size=2\nProcStop dt=5\n"
        );
        b.push(45); // GoSwitch is not in version 22.
        let (text, e) = binary_to_text_partial(&b);
        assert_eq!(text, "EventBatch gen=1 m=0 time=0 size=2\nProcStop dt=5\n");
        assert_eq!(e.unwrap().message, "invalid event type: 45");
        let mut over = b"go 1.22 trace\0\0\0\x0b".to_vec();
        over.extend_from_slice(&[0xff; 10]);
        assert!(binary_to_text(&over)
            .unwrap_err()
            .message
            .contains("overflows"));
        let mut nine = b"go 1.22 trace\0\0\0\x0b".to_vec();
        nine.extend_from_slice(&[0xff; 9]);
        assert_eq!(binary_to_text(&nine).unwrap_err().message, "unexpected EOF");
        assert!(binary_to_text(b"go 1.24 trace\0\0\0").is_err());
        assert!(binary_to_text(b"not a trace").is_err());
        // Version 26 has unnamed holes: an empty line, no arguments.
        assert_eq!(
            binary_to_text(b"go 1.26 trace\0\0\0\x3c\x34").unwrap(),
            "\nEndOfGeneration\n"
        );
        // Old-format traces have no wire vocabulary.
        assert!(binary_to_text(b"go 1.21 trace\0\0\0\x01").is_err());
        // Data longer than the file: a clean end; empty data prints no data line.
        assert_eq!(
            binary_to_text(b"go 1.22 trace\0\0\0\x05\x01\x09ab").unwrap(),
            ""
        );
        assert_eq!(
            binary_to_text(b"go 1.22 trace\0\0\0\x05\x01\x00").unwrap(),
            "String id=1\n"
        );
        let mut huge = b"go 1.22 trace\0\0\0\x05\x01".to_vec();
        huge.extend_from_slice(&[
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00,
        ]);
        let (text, e) = binary_to_text_partial(&huge);
        assert_eq!(text, "String id=1\n");
        assert_eq!(e.unwrap().message, "invalid event type: 0");
    }

    #[test]
    fn scans_headers_like_fmt_fscanf() {
        let ok: &[(&[u8], u32, usize)] = &[
            (b"go 1.22 trace\0\0\0rest", 22, 16),
            (b"go 1.022 trace\0\0\0", 22, 17),
            (b"go 1. 22 trace\0\0\0", 22, 17),
            (b"go  1.22  trace\0\0\0", 22, 18),
            (b"go\t1.22\ttrace\0\0\0", 22, 16),
            (b"go 1.22 \xc2\xa0trace\0\0\0", 22, 18),
            (b"go 1.\r22 trace\0\0\0", 22, 17),
            (b"go 1.11 trace\0\0\0", 11, 16),
        ];
        for &(h, v, n) in ok {
            assert_eq!(
                scan_header(h).ok(),
                Some((v, n)),
                "{:?}",
                String::from_utf8_lossy(h)
            );
        }
        for h in [
            &b"go 1.22trace\0\0\0"[..],
            b"go 1.+22 trace\0\0\0",
            b"go 1.22 trace\0\0",
            b"go 1.2_2 trace\0\0\0",
            b"go 1.\n22 trace\0\0\0",
            b"go 1.4294967318 trace\0\0\0",
            b"go 1.22\r\ntrace\0\0\0",
            b"go\n1.22 trace\0\0\0",
            b"go 1.0x16 trace\0\0\0",
            b"",
            b"go 1.",
        ] {
            let e = scan_header(h).unwrap_err();
            assert!(
                e.message.contains("not a Go execution trace"),
                "{:?}",
                String::from_utf8_lossy(h)
            );
        }
        let e = scan_header(b"go 1.24 trace\0\0\0").unwrap_err();
        assert_eq!(e.message, "unknown or unsupported trace version go 1.24");
    }

    #[test]
    fn parses_golden_test_files() {
        let src = "comment\n-- expect --\nFAILURE \".*expected a proc\\\\b.*\"\n-- trace --\nTrace Go1.22\nEventBatch gen=1 m=0 time=0 size=1\nProcStop dt=1\n";
        let t = parse_test_file(src).unwrap();
        assert_eq!(
            t.expect,
            Expectation::Failure(".*expected a proc\\b.*".into())
        );
        assert_eq!(t.version, 22);
        assert_eq!(&t.trace[16..], &[1, 1, 0, 0, 1, 11, 1]);
        let ok = parse_test_file("-- expect --\nSUCCESS\n-- trace --\nTrace Go1.25\n").unwrap();
        assert_eq!(ok.expect, Expectation::Success);
        assert_eq!(ok.trace, b"go 1.25 trace\0\0\0");
        for bad in [
            "",
            "-- expect --\nSUCCESS\n",
            "-- trace --\nTrace Go1.22\n-- expect --\nSUCCESS\n",
            "-- expect --\nMAYBE\n-- trace --\nTrace Go1.22\n",
            "-- expect --\nFAILURE\n-- trace --\nTrace Go1.22\n",
            "-- expect --\nFAILURE \"x\n-- trace --\nTrace Go1.22\n",
            "-- expect --\nSUCCESS\n-- trace --\nTrace Go1.22\nBogus\n",
            "-- expect --\nSUCCESS\n-- trace --\nTrace Go1.22\n-- extra --\n",
        ] {
            assert!(parse_test_file(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn never_panics_on_junk() {
        // A cheap deterministic fuzz of both directions.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut rnd = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let base = text_to_binary(SIMPLE).unwrap();
        for _ in 0..2000 {
            let mut b = base.clone();
            for _ in 0..(rnd() % 4 + 1) {
                let i = (rnd() as usize) % b.len();
                b[i] = rnd() as u8;
            }
            b.truncate((rnd() as usize) % (b.len() + 1));
            let _ = binary_to_text_partial(&b);
            let s = String::from_utf8_lossy(&b).into_owned();
            let _ = text_to_binary(&s);
            let _ = parse_test_file(&s);
            let _ = go_unquote(&s);
            let _ = go_quote(&b);
        }
        let alphabet = [
            "\\", "\"", "`", "'", "x", "u", "U", "0", "7", "9", "f", "\n", "é", "=",
        ];
        for _ in 0..2000 {
            let n = rnd() % 12;
            let s: String = (0..n)
                .map(|_| alphabet[(rnd() as usize) % alphabet.len()])
                .collect();
            let _ = go_unquote(&s);
            let _ = go_unquote(&format!("\"{s}\""));
        }
    }
}
