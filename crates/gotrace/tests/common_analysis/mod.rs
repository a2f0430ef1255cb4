//! Helpers of the analysis differential tests (goroutines, pprof): the
//! committed trace files, running `go tool trace -pprof=` (cached) and
//! `go tool trace -http=` (a live server), plain HTTP/1.0 over a
//! `TcpStream`, a small pprof protobuf decoder, and HTML table scraping.
#![allow(dead_code)]

use crate::common;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The committed traces the differential tests run on:
/// `testdata/traces/**/*.trace` (recorded with Go 1.21–1.27), plus Go's own
/// old-format test traces `testdata/go/tracev1/*` (Go 1.11–1.21) and
/// `testdata/go/legacy/*` (Go 1.5–1.10, which go1.27.3 rejects — so must we).
/// Fails the test when there are none: the tests must not pass vacuously.
pub fn trace_files() -> Vec<PathBuf> {
    let root = common::repo_root();
    let dir = root.join("testdata/traces");
    let mut files = common::files_under(&dir, &|p: &Path| {
        p.extension().and_then(|e| e.to_str()) == Some("trace")
    });
    assert!(
        !files.is_empty(),
        "no committed traces under {} (testdata/traces/**/*.trace)",
        dir.display()
    );
    for old in ["testdata/go/tracev1", "testdata/go/legacy"] {
        files.extend(common::files_under(&root.join(old), &|_: &Path| true));
    }
    files
}

fn go_identity(go: &Path) -> String {
    let meta = std::fs::metadata(go).ok();
    let size = meta.as_ref().map(|m| m.len()).unwrap_or(0);
    let mtime = meta
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!("{}:{size}:{mtime}", go.display())
}

/// `go tool trace -pprof=<kind> FILE`, cached by content under
/// `target/go-reference/pprof/`. Returns (exit code, stdout, stderr).
pub fn go_pprof(kind: &str, file: &Path, bytes: &[u8]) -> (i32, Vec<u8>, String) {
    let go = common::go_binary();
    let key = common::hash_hex(&[
        bytes,
        format!("pprof={kind}").as_bytes(),
        go_identity(&go).as_bytes(),
    ]);
    let dir = common::cache_dir().join("pprof");
    std::fs::create_dir_all(&dir).expect("create pprof cache dir");
    let (out_p, err_p, code_p) = (
        dir.join(format!("{key}.stdout")),
        dir.join(format!("{key}.stderr")),
        dir.join(format!("{key}.code")),
    );
    if let (Ok(o), Ok(e), Ok(c)) = (
        std::fs::read(&out_p),
        std::fs::read_to_string(&err_p),
        std::fs::read_to_string(&code_p),
    ) {
        if let Ok(c) = c.trim().parse() {
            return (c, o, e);
        }
    }
    let out = Command::new(&go)
        .args(["tool", "trace", &format!("-pprof={kind}")])
        .arg(file)
        .env("GOTOOLCHAIN", "local")
        .env("TZ", "UTC")
        .output()
        .unwrap_or_else(|e| panic!("running {} tool trace: {e}", go.display()));
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if code != 0 && code != 1 {
        panic!(
            "`go tool trace -pprof={kind} {}` exited with {code}: {stderr}",
            file.display()
        );
    }
    let n = std::process::id();
    for (p, d) in [
        (&out_p, &out.stdout[..]),
        (&err_p, stderr.as_bytes()),
        (&code_p, code.to_string().as_bytes()),
    ] {
        let tmp = p.with_extension(format!("tmp{n}"));
        std::fs::write(&tmp, d).expect("write cache");
        std::fs::rename(&tmp, p).expect("rename cache");
    }
    (code, out.stdout, stderr)
}

/// `go tool pprof -raw FILE`: Go's own reading of a profile file.
pub fn go_pprof_raw(profile: &Path) -> (i32, String) {
    let go = common::go_binary();
    let out = Command::new(&go)
        .args(["tool", "pprof", "-raw"])
        .arg(profile)
        .env("GOTOOLCHAIN", "local")
        .env("TZ", "UTC")
        .env("PPROF_TMPDIR", std::env::temp_dir())
        .output()
        .unwrap_or_else(|e| panic!("running go tool pprof: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

// ---------------------------------------------------------------------------
// pprof protobuf decoding.

/// One frame of a decoded sample: address, function, file, line.
pub type Frame = (u64, String, String, i64);

/// A decoded sample: values and frames (leaf first).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Sample {
    pub values: Vec<i64>,
    pub frames: Vec<Frame>,
}

/// What a decoded profile says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// (type, unit) per value.
    pub sample_types: Vec<(String, String)>,
    pub period_type: (String, String),
    pub period: i64,
    /// Sorted (a multiset).
    pub samples: Vec<Sample>,
}

struct Buf<'a>(&'a [u8]);

/// A protobuf field: number, varint value, bytes.
type Field<'a> = (u64, u64, &'a [u8]);

impl<'a> Buf<'a> {
    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = self.0.split_first().ok_or("truncated varint")?;
            self.0 = rest;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err("varint too long".into())
    }
    /// Next (field, wire type, varint value or bytes).
    fn field(&mut self) -> Result<Option<Field<'a>>, String> {
        if self.0.is_empty() {
            return Ok(None);
        }
        let k = self.varint()?;
        match k & 7 {
            0 => {
                let v = self.varint()?;
                Ok(Some((k >> 3, v, &[])))
            }
            2 => {
                let n = self.varint()? as usize;
                if n > self.0.len() {
                    return Err("truncated bytes".into());
                }
                let (b, rest) = self.0.split_at(n);
                self.0 = rest;
                Ok(Some((k >> 3, 0, b)))
            }
            1 => {
                if self.0.len() < 8 {
                    return Err("truncated fixed64".into());
                }
                self.0 = &self.0[8..];
                Ok(Some((k >> 3, 0, &[])))
            }
            5 => {
                if self.0.len() < 4 {
                    return Err("truncated fixed32".into());
                }
                self.0 = &self.0[4..];
                Ok(Some((k >> 3, 0, &[])))
            }
            w => Err(format!("wire type {w}")),
        }
    }
}

/// Integers of a repeated field, packed or not.
fn ints(v: u64, b: &[u8], out: &mut Vec<u64>) -> Result<(), String> {
    if b.is_empty() {
        out.push(v);
        return Ok(());
    }
    let mut p = Buf(b);
    while !p.0.is_empty() {
        out.push(p.varint()?);
    }
    Ok(())
}

/// Gunzips (if gzipped) and decodes a pprof profile.
pub fn decode_profile(data: &[u8]) -> Result<Decoded, String> {
    let raw = if data.starts_with(&[0x1f, 0x8b]) {
        let mut d = flate2::read::GzDecoder::new(data);
        let mut v = Vec::new();
        d.read_to_end(&mut v).map_err(|e| format!("gunzip: {e}"))?;
        v
    } else {
        data.to_vec()
    };
    let mut strings: Vec<String> = Vec::new();
    let mut sample_types: Vec<(u64, u64)> = Vec::new();
    let mut samples: Vec<(Vec<u64>, Vec<u64>)> = Vec::new();
    let mut locations: std::collections::HashMap<u64, (u64, Vec<(u64, i64)>)> = Default::default();
    let mut functions: std::collections::HashMap<u64, (u64, u64)> = Default::default();
    let mut period_type = (0, 0);
    let mut period = 0i64;
    let mut p = Buf(&raw);
    while let Some((f, v, b)) = p.field()? {
        match f {
            1 | 11 => {
                let mut m = Buf(b);
                let (mut ty, mut unit) = (0, 0);
                while let Some((f, v, _)) = m.field()? {
                    match f {
                        1 => ty = v,
                        2 => unit = v,
                        _ => {}
                    }
                }
                if f == 1 {
                    sample_types.push((ty, unit));
                } else {
                    period_type = (ty, unit);
                }
            }
            2 => {
                let mut m = Buf(b);
                let (mut locs, mut vals) = (Vec::new(), Vec::new());
                while let Some((f, v, b)) = m.field()? {
                    match f {
                        1 => ints(v, b, &mut locs)?,
                        2 => ints(v, b, &mut vals)?,
                        _ => {}
                    }
                }
                samples.push((locs, vals));
            }
            4 => {
                let mut m = Buf(b);
                let (mut id, mut addr, mut lines) = (0, 0, Vec::new());
                while let Some((f, v, b)) = m.field()? {
                    match f {
                        1 => id = v,
                        3 => addr = v,
                        4 => {
                            let mut l = Buf(b);
                            let (mut fid, mut line) = (0, 0i64);
                            while let Some((f, v, _)) = l.field()? {
                                match f {
                                    1 => fid = v,
                                    2 => line = v as i64,
                                    _ => {}
                                }
                            }
                            lines.push((fid, line));
                        }
                        _ => {}
                    }
                }
                locations.insert(id, (addr, lines));
            }
            5 => {
                let mut m = Buf(b);
                let (mut id, mut name, mut file) = (0, 0, 0);
                while let Some((f, v, _)) = m.field()? {
                    match f {
                        1 => id = v,
                        2 => name = v,
                        4 => file = v,
                        _ => {}
                    }
                }
                functions.insert(id, (name, file));
            }
            6 => strings.push(String::from_utf8_lossy(b).into_owned()),
            12 => period = v as i64,
            _ => {}
        }
    }
    let s = |i: u64| -> Result<String, String> {
        strings
            .get(i as usize)
            .cloned()
            .ok_or_else(|| format!("string index {i} out of range"))
    };
    let mut out = Vec::new();
    for (locs, vals) in samples {
        let mut frames = Vec::new();
        for l in locs {
            let (addr, lines) = locations.get(&l).ok_or(format!("no location {l}"))?;
            for (fid, line) in lines {
                let (name, file) = functions.get(fid).ok_or(format!("no function {fid}"))?;
                frames.push((*addr, s(*name)?, s(*file)?, *line));
            }
        }
        out.push(Sample {
            values: vals.into_iter().map(|v| v as i64).collect(),
            frames,
        });
    }
    out.sort();
    Ok(Decoded {
        sample_types: sample_types
            .into_iter()
            .map(|(a, b)| Ok((s(a)?, s(b)?)))
            .collect::<Result<_, String>>()?,
        period_type: (s(period_type.0)?, s(period_type.1)?),
        period,
        samples: out,
    })
}

/// How far apart times may be: 0 (exact) for new-format traces. For
/// old-format traces (Go 1.11–1.21, header `go 1.N trace` with N < 22) Go's
/// converter orders events that share a timestamp in map order and nudges
/// them 1ns apart, so `go tool trace` itself gives slightly different
/// times from run to run; there the times may differ by up to 1µs.
pub fn time_tolerance(trace: &[u8]) -> i64 {
    match common::header_minor(trace) {
        Some(n) if n < 22 => 1_000,
        _ => 0,
    }
}

/// Whether two samples match: same frames and count, delays within `tol` ns.
fn same_sample(a: &Sample, b: &Sample, tol: i64) -> bool {
    a.frames == b.frames
        && a.values.len() == b.values.len()
        && a.values.first() == b.values.first()
        && a.values
            .iter()
            .zip(&b.values)
            .skip(1)
            .all(|(x, y)| x.abs_diff(*y) <= tol.unsigned_abs())
}

/// Describes how two sample multisets differ (None if they match: equal
/// frames and counts, delays within `tol` ns).
pub fn sample_diff(want: &[Sample], got: &[Sample], tol: i64) -> Option<String> {
    if want == got {
        return None;
    }
    let mut g: Vec<&Sample> = got.iter().collect();
    let mut only_w = Vec::new();
    for s in want {
        if let Some(i) = g.iter().position(|x| same_sample(s, x, tol)) {
            g.swap_remove(i);
        } else {
            only_w.push(s);
        }
    }
    if only_w.is_empty() && g.is_empty() {
        return None;
    }
    let show = |s: &Sample| {
        format!(
            "{:?} @ {}",
            s.values,
            s.frames
                .iter()
                .take(4)
                .map(|f| format!("{:#x} {}", f.0, f.1))
                .collect::<Vec<_>>()
                .join(" <- ")
        )
    };
    let mut msg = format!(
        "{} samples in go, {} in gotrace; {} only in go, {} only in gotrace",
        want.len(),
        got.len(),
        only_w.len(),
        g.len()
    );
    for s in only_w.iter().take(3) {
        msg.push_str(&format!("\n        go only:      {}", show(s)));
    }
    for s in g.iter().take(3) {
        msg.push_str(&format!("\n        gotrace only: {}", show(s)));
    }
    Some(msg)
}

// ---------------------------------------------------------------------------
// A live `go tool trace -http=` server.

/// The `trace` tool binary itself (`go tool -n trace`), run directly so that
/// killing it stops the server: killing `go tool trace` would leave its
/// child, the server, running after the test.
fn trace_tool() -> &'static Path {
    static TOOL: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    TOOL.get_or_init(|| {
        let go = common::go_binary();
        let out = Command::new(&go)
            .args(["tool", "-n", "trace"])
            .env("GOTOOLCHAIN", "local")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {} tool -n trace: {e}", go.display()));
        assert!(
            out.status.success(),
            "go tool -n trace failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        assert!(p.is_file(), "go tool -n trace named {}", p.display());
        p
    })
}

/// A running `go tool trace -http=127.0.0.1:0 FILE`; killed on drop.
pub struct GoServer {
    child: Child,
    pub addr: String,
}

impl GoServer {
    /// Starts the server and waits until it says where it listens. `Err`
    /// with Go's output if it exits first (e.g. the trace is unreadable).
    pub fn start(file: &Path) -> Result<GoServer, String> {
        let tool = trace_tool();
        let mut child = Command::new(tool)
            .arg("-http=127.0.0.1:0")
            .arg(file)
            .env("GOTOOLCHAIN", "local")
            .env("TZ", "UTC")
            // Never open a real browser: the first command tried is $BROWSER.
            .env("BROWSER", "/bin/true")
            .env_remove("DISPLAY")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {} -http: {e}", tool.display()));
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, rx) = std::sync::mpsc::channel::<Result<String, String>>();
        std::thread::spawn(move || {
            let mut seen = String::new();
            let mut sent = false;
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if !sent {
                    if let Some(i) = line.find("listening on http://") {
                        let addr = line[i + "listening on http://".len()..].trim().to_string();
                        let _ = tx.send(Ok(addr));
                        sent = true;
                        continue;
                    }
                    seen.push_str(&line);
                    seen.push('\n');
                }
            }
            if !sent {
                let _ = tx.send(Err(seen));
            }
        });
        match rx.recv_timeout(Duration::from_secs(300)) {
            Ok(Ok(addr)) => {
                let server = GoServer { child, addr };
                // Wait until it accepts and answers.
                for _ in 0..200 {
                    if server.get("/goroutines").is_ok() {
                        return Ok(server);
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(format!("server at {} never answered", server.addr))
            }
            Ok(Err(out)) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(out)
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "go tool trace -http {} did not start in 300s",
                    file.display()
                );
            }
        }
    }

    /// GET `path`: (status, body).
    pub fn get(&self, path: &str) -> Result<(u16, Vec<u8>), String> {
        http_get(&self.addr, path)
    }
}

impl Drop for GoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.0 GET.
pub fn http_get(addr: &str, path: &str) -> Result<(u16, Vec<u8>), String> {
    let mut s = TcpStream::connect(addr).map_err(|e| format!("connect {addr}: {e}"))?;
    let _ = s.set_read_timeout(Some(Duration::from_secs(120)));
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| format!("write: {e}"))?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).map_err(|e| format!("read: {e}"))?;
    let sep = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = String::from_utf8_lossy(&resp[..sep]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("bad status line: {head}"))?;
    Ok((status, resp[sep + 4..].to_vec()))
}

/// Percent-encodes a query value (everything but unreserved characters).
pub fn query_escape(s: &str) -> String {
    let mut o = String::new();
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

// ---------------------------------------------------------------------------
// HTML scraping.

/// Decodes the entities Go's html/template produces.
pub fn html_unescape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        o.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(j) = rest.find(';') else { break };
        let ent = &rest[1..j];
        let ch = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => ent
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match ch {
            Some(c) => {
                o.push(c);
                rest = &rest[j + 1..];
            }
            None => {
                o.push('&');
                rest = &rest[1..];
            }
        }
    }
    o.push_str(rest);
    o
}

/// Text of an HTML fragment: tags removed, entities decoded, trimmed.
pub fn text(s: &str) -> String {
    let mut o = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => o.push(c),
            _ => {}
        }
    }
    html_unescape(&o).trim().to_string()
}

/// The contents of every `<tag ...>...</tag>` in `s`, in order.
pub fn elements<'a>(s: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        // `<tr` must not match `<track`, etc.
        if !after.starts_with(['>', ' ', '\n', '\t']) {
            rest = after;
            continue;
        }
        let Some(gt) = after.find('>') else { break };
        let body = &after[gt + 1..];
        let end = body.find(&close).unwrap_or(body.len());
        out.push(&body[..end]);
        rest = &body[end..];
    }
    out
}

/// A table: header texts and rows of cell texts (cells = `<td>`).
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Parses the `<table ...>` bodies of `html` whose opening tag contains `marker`.
pub fn tables(html: &str, marker: &str) -> Vec<Table> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<table") {
        let after = &rest[i..];
        let Some(gt) = after.find('>') else { break };
        let open_tag = &after[..gt];
        let body_start = &after[gt + 1..];
        let end = body_start.find("</table>").unwrap_or(body_start.len());
        let body = &body_start[..end];
        rest = &body_start[end..];
        if !open_tag.contains(marker) {
            continue;
        }
        let mut t = Table::default();
        for row in body.split("<tr>").skip(1) {
            let ths = elements(row, "th");
            if !ths.is_empty() {
                t.header = ths.iter().map(|h| text(h)).collect();
                continue;
            }
            let tds = elements(row, "td");
            if !tds.is_empty() {
                t.rows.push(tds.iter().map(|c| text(c)).collect());
            }
        }
        out.push(t);
    }
    out
}
