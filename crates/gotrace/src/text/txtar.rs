//! Golden test files: txtar archives with an `expect` and a `trace` section.

use super::encode::{is_space, text_to_binary_versioned};
use super::quote::{go_quote, go_unquote};
use crate::error::Error;

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
