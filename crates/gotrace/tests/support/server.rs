//! A live `go tool trace -http=127.0.0.1:0 FILE` (killed on drop) and
//! plain HTTP/1.0 GETs over a `TcpStream`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The `trace` tool binary itself (`go tool -n trace`), run directly so that
/// killing it stops the server: killing `go tool trace` would leave its
/// child, the server, running after the test.
pub fn trace_tool() -> &'static Path {
    static TOOL: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    TOOL.get_or_init(|| {
        let go = super::go_binary();
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
