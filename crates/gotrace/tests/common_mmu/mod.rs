//! Helpers of the MMU and task tests against `go tool trace -http`: the Go
//! binary, the trace corpus, a server on a free loopback port (killed on
//! drop), plain HTTP/1.0 GETs, and small HTML and Go-duration parsers.
//!
//! The Go binary is `$GOTRACE_GO` or the pinned go1.27.3; when it is missing
//! the tests fail, never skip.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const DEFAULT_GO: &str = "/root/.cache/gotrace/go/1.27.3/go/bin/go";

pub fn go_binary() -> PathBuf {
    let go = std::env::var_os("GOTRACE_GO")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_GO));
    assert!(
        go.is_file(),
        "go1.27.3 not found at {} (set GOTRACE_GO); this test compares with `go tool trace` and does not skip",
        go.display()
    );
    let out = Command::new(&go)
        .arg("version")
        .env("GOTOOLCHAIN", "local")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", go.display()));
    let v = String::from_utf8_lossy(&out.stdout);
    assert!(
        v.contains("go1.27.3"),
        "{} is not go1.27.3: {v}",
        go.display()
    );
    go
}

/// The `trace` tool binary itself (run directly, so killing it stops it).
pub fn trace_tool(go: &Path) -> PathBuf {
    let out = Command::new(go)
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
    assert!(
        p.is_file(),
        "go tool -n trace named {}, which does not exist",
        p.display()
    );
    p
}

/// Every binary trace of the committed corpus (`testdata/traces/**`), sorted.
pub fn corpus() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/traces");
    let mut out = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(d) = dirs.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "trace") {
                out.push(p);
            }
        }
    }
    out.sort();
    assert!(!out.is_empty(), "no traces under {}", root.display());
    out
}

/// The traces to test: all of the corpus, or those whose path contains
/// `$GOTRACE_ONLY`.
pub fn selected_traces() -> Vec<PathBuf> {
    let only = std::env::var("GOTRACE_ONLY").ok();
    corpus()
        .into_iter()
        .filter(|p| {
            only.as_ref()
                .is_none_or(|o| p.to_string_lossy().contains(o.as_str()))
        })
        .collect()
}

/// Whether the file is an old-format trace (Go 1.21 and before), which
/// `go tool trace` converts with nondeterministic tie-breaking.
pub fn is_old_format(data: &[u8]) -> bool {
    let head = &data[..data.len().min(16)];
    let text = String::from_utf8_lossy(head);
    match text
        .strip_prefix("go 1.")
        .and_then(|r| r.split_whitespace().next())
    {
        Some(minor) => minor.parse::<u32>().is_ok_and(|m| m < 22),
        None => false,
    }
}

/// A running `go tool trace -http=127.0.0.1:PORT FILE`.
pub struct GoTraceServer {
    child: Child,
    pub addr: SocketAddr,
    log: PathBuf,
}

fn free_port() -> u16 {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a loopback port");
    l.local_addr().expect("local addr").port()
}

impl GoTraceServer {
    /// Starts the server and waits until it answers. `Err` when Go refuses
    /// the trace (with its log).
    pub fn start(tool: &Path, file: &Path) -> Result<GoTraceServer, String> {
        let mut last_err = String::new();
        for _attempt in 0..3 {
            let port = free_port();
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
            let log =
                std::env::temp_dir().join(format!("gotrace-mmu-{}-{port}.log", std::process::id()));
            let logf =
                std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
            let child = Command::new(tool)
                .arg(format!("-http={addr}"))
                .arg(file)
                .env("GOTOOLCHAIN", "local")
                .env("TZ", "UTC")
                .env("BROWSER", "true")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(logf)
                .spawn()
                .map_err(|e| format!("cannot start {}: {e}", tool.display()))?;
            let mut server = GoTraceServer { child, addr, log };
            let deadline = Instant::now() + Duration::from_secs(180);
            loop {
                if let Ok(Some(status)) = server.child.try_wait() {
                    last_err = format!("go tool trace exited ({status}): {}", server.log_text());
                    break;
                }
                // Listening happens before parsing; wait for the handlers.
                if server.log_text().contains("Trace viewer is listening") {
                    if let Ok((200, _)) = server.get("/mmu") {
                        return Ok(server);
                    }
                }
                if Instant::now() > deadline {
                    return Err(format!(
                        "go tool trace did not come up: {}",
                        server.log_text()
                    ));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            if !last_err.contains("address already in use") {
                return Err(last_err);
            }
        }
        Err(last_err)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// GET `path` (HTTP/1.0): (status, body).
    pub fn get(&self, path: &str) -> Result<(u16, Vec<u8>), String> {
        http_get(self.addr, path)
    }

    /// GET that must succeed, as text.
    pub fn get_text(&self, path: &str) -> String {
        match self.get(path) {
            Ok((200, body)) => String::from_utf8_lossy(&body).into_owned(),
            Ok((code, body)) => panic!(
                "GET {path}: HTTP {code}: {}",
                String::from_utf8_lossy(&body)
            ),
            Err(e) => panic!("GET {path}: {e}"),
        }
    }
}

impl Drop for GoTraceServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

pub fn http_get(addr: SocketAddr, path: &str) -> Result<(u16, Vec<u8>), String> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .map_err(|e| format!("connect {addr}: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(600)))
        .map_err(|e| e.to_string())?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").map_err(|e| format!("send: {e}"))?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).map_err(|e| format!("read: {e}"))?;
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("no HTTP header end in {} bytes", buf.len()))?;
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("bad status line: {head:?}"))?;
    Ok((code, buf[split + 4..].to_vec()))
}

/// Percent-encodes a query value.
pub fn query_escape(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

/// Undoes html/template's escaping of text.
pub fn html_unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#43;", "+")
        .replace("&amp;", "&")
}

/// Parses Go's `time.Duration.String()` output to ns (exact).
pub fn parse_go_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    if s == "0s" {
        return Some(0);
    }
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let (num, tail) = rest.split_at(num_len);
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let scale: i128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        let (int, frac) = num.split_once('.').unwrap_or((num, ""));
        let int: i128 = if int.is_empty() { 0 } else { int.parse().ok()? };
        let mut v = int * scale;
        if !frac.is_empty() {
            let f: i128 = frac.parse().ok()?;
            v += f * scale / 10i128.pow(frac.len() as u32);
        }
        total += v;
        rest = tail;
    }
    let v = i64::try_from(total).ok()?;
    Some(if neg { -v } else { v })
}

/// Parses Go's `%2.9f` seconds (optionally with a trailing `s`) to ns.
pub fn parse_seconds9(s: &str) -> Option<i64> {
    let s = s.trim().trim_end_matches('s');
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (int, frac) = s.split_once('.')?;
    if frac.len() != 9 {
        return None;
    }
    let v = int.parse::<i64>().ok()? * 1_000_000_000 + frac.parse::<i64>().ok()?;
    Some(if neg { -v } else { v })
}

/// Rows of one of Go's duration histograms: (bucket start label in ns,
/// count), and the final label.
pub fn parse_histogram(html: &str) -> (Vec<(i64, u64)>, Option<i64>) {
    let row = regex::Regex::new(
        r#"<tr><td class="histoTime" align="right">(?:<a href=[^>]*>)?([^<]+)(?:</a>)?</td><td><div style="width:\d+px;[^"]*">&nbsp;</div></td><td align="right"><div style="position:relative">(\d+)</div></td></tr>"#,
    )
    .expect("regex");
    let last =
        regex::Regex::new(r#"<tr><td align="right">([^<]+)</td></tr></table>"#).expect("regex");
    let rows = row
        .captures_iter(html)
        .map(|c| {
            let label = parse_go_duration(&c[1])
                .unwrap_or_else(|| panic!("bad duration label {:?}", &c[1]));
            (label, c[2].parse().expect("count"))
        })
        .collect();
    let fin = last.captures(html).and_then(|c| parse_go_duration(&c[1]));
    (rows, fin)
}

/// Damaged copies of some selected traces (cut at 60% and 85% of their
/// bytes), written under the target's temporary directory: Go keeps the
/// generations before the damage, and so must we.
pub fn truncated_copies(tag: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("truncated-{tag}"));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut out = Vec::new();
    for src in selected_traces() {
        let name = src.to_string_lossy();
        if !["annotations", "stress", "flightrecorder.trace"]
            .iter()
            .any(|k| name.contains(k))
        {
            continue;
        }
        let Ok(data) = std::fs::read(&src) else {
            continue;
        };
        let version = src
            .parent()
            .and_then(Path::file_name)
            .map_or_else(String::new, |d| d.to_string_lossy().into_owned());
        let stem = src
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        for pct in [60, 85] {
            let p = dir.join(format!("{version}-{stem}-{pct}.trace"));
            std::fs::write(&p, &data[..data.len() * pct / 100])
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            out.push(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_go_duration("1.584893192s"), Some(1_584_893_192));
        assert_eq!(parse_go_duration("3.981µs"), Some(3981));
        assert_eq!(parse_go_duration("100ms"), Some(100_000_000));
        assert_eq!(parse_go_duration("1m40s"), Some(100_000_000_000));
        assert_eq!(parse_go_duration("999ns"), Some(999));
        assert_eq!(parse_seconds9("0.000087360"), Some(87_360));
        assert_eq!(parse_seconds9("1.152756161s"), Some(1_152_756_161));
    }
}
