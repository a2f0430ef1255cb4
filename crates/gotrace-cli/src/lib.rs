//! The `gotrace` command line, one module per command, so each command can
//! be tested as a function and the binary stays a thin dispatcher.
//!
//! Every command parses its arguments the same way ([`parse_args`]):
//! `--name=value` or `--name value`, exactly the positional arguments it
//! expects (one FILE, `-` for stdin), and any other option is a usage error.
//!
//! Exit status: 0 success, 1 bad trace, 2 bad usage.

pub mod critical_path;
pub mod cut;
pub mod dump;
pub mod goroutines;
pub mod mmu;
pub mod pprof;
pub mod stats;
pub mod tasks;
pub mod timeline;

use gotrace::sniff::{self, FileKind};
use gotrace::stream::Stream;
use std::io::{self, Read, Write};

/// What a command returns: the process exit status.
pub type Status = u8;
pub const OK: Status = 0;
pub const BAD_TRACE: Status = 1;
pub const USAGE: Status = 2;

pub const HELP: &str = "usage: gotrace <command> [options] FILE|-

commands:
  dump FILE                       print every event as `go tool trace -d=parsed` does
  stats FILE                      summary: version, duration, events, goroutines, GC, ...
  goroutines FILE                 goroutine analysis: groups by start function, time breakdown
  pprof net|sync|syscall|sched FILE  write a gzipped pprof profile (as `go tool trace -pprof=`)
  mmu FILE                        minimum mutator utilization curve
  tasks FILE                      user tasks and regions with duration percentiles
  critical-path --goroutine G [--start T] [--end T] FILE
                                  the chain of goroutines G waited on (unblock edges walked back)
  cut [--start T] [--end T] FILE  write the generations overlapping [T, T] as a trace (Go 1.22+)
  timeline FILE                   build the viewer's timeline model: its size, build time, digest
  help                            print this help

Options are --name=value or --name value. FILE may be - to read standard input.
";

/// An input trace being read: the file or stdin (`-`), decompressed if it
/// is gzip (`trace.out.gz`). Commands read it as a stream
/// (`gotrace::stream`), so memory stays flat whatever the file's size.
pub type Input = Box<dyn Read>;

/// Opens `path` (or stdin for `-`) for reading. A gzip-compressed trace is
/// decompressed as it is read; for a file that is clearly something else
/// (empty, a ZIP archive, an image, JSON, text) a note says what it is,
/// before the reader's own error (so exit status and output stay Go's).
pub fn open_input(path: &str, err: &mut dyn Write) -> Result<Input, Status> {
    let raw: Input = if path == "-" {
        Box::new(io::stdin())
    } else {
        match std::fs::File::open(path) {
            Ok(f) => Box::new(f),
            Err(e) => {
                let _ = writeln!(err, "gotrace: {path}: {e}");
                return Err(BAD_TRACE);
            }
        }
    };
    let failed = |e: io::Error, err: &mut dyn Write| {
        let _ = writeln!(err, "gotrace: {path}: {e}");
        BAD_TRACE
    };
    let (head, raw) = peek(raw).map_err(|e| failed(e, err))?;
    let input = match sniff::sniff(&head) {
        FileKind::Gzip => {
            let gz: Input = Box::new(Gunzip(flate2::read::MultiGzDecoder::new(raw)));
            let (head, gz) = peek(gz).map_err(|e| failed(e, err))?;
            note_kind(path, &head, err);
            gz
        }
        _ => {
            note_kind(path, &head, err);
            raw
        }
    };
    Ok(input)
}

/// Reads a whole input (see [`open_input`]): for the commands that need
/// random access (`cut`).
pub fn read_input(path: &str, err: &mut dyn Write) -> Result<Vec<u8>, Status> {
    let mut input = open_input(path, err)?;
    let mut data = Vec::new();
    match input.read_to_end(&mut data) {
        Ok(_) => Ok(data),
        Err(e) => {
            let _ = writeln!(err, "gotrace: {path}: {e}");
            Err(BAD_TRACE)
        }
    }
}

/// Says what a file that is not a trace is, from its first bytes.
fn note_kind(path: &str, head: &[u8], err: &mut dyn Write) {
    let kind = sniff::sniff(head);
    if let Some(msg) = sniff::not_a_trace(kind).filter(|_| kind != FileKind::Unknown) {
        let _ = writeln!(err, "gotrace: {path}: {msg}");
    }
}

/// The first bytes of `input`, enough to tell what it is (sniffing the
/// whole of a large file would scan it for nothing), and the input with
/// them put back.
fn peek(input: Input) -> io::Result<(Vec<u8>, Input)> {
    let mut head = Vec::with_capacity(4096);
    let mut input = input;
    (&mut input).take(4096).read_to_end(&mut head)?;
    let back: Input = Box::new(io::Cursor::new(head.clone()).chain(input));
    Ok((head, back))
}

/// A gzip stream whose errors say so.
struct Gunzip<R>(R);

impl<R: Read> Read for Gunzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("a gzip file that does not decompress: {e}"),
            )
        })
    }
}

/// Runs the command line `args` (without the program name).
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Status {
    let Some((cmd, rest)) = args.split_first() else {
        let _ = writeln!(err, "gotrace: missing command\n\n{HELP}");
        return USAGE;
    };
    match cmd.as_str() {
        "help" | "-h" | "--help" => {
            let _ = write!(out, "{HELP}");
            OK
        }
        "dump" => dump::run(rest, out, err),
        "stats" => stats::run(rest, out, err),
        "goroutines" => goroutines::run(rest, out, err),
        "pprof" => pprof::run(rest, out, err),
        "mmu" => mmu::run(rest, out, err),
        "tasks" => tasks::run(rest, out, err),
        "critical-path" => critical_path::run(rest, out, err),
        "cut" => cut::run(rest, out, err),
        "timeline" => timeline::run(rest, out, err),
        other => {
            let _ = writeln!(err, "gotrace: unknown command {other:?}\n\n{HELP}");
            USAGE
        }
    }
}

/// Reports a usage error for `cmd`.
pub fn usage(cmd: &str, msg: &str, err: &mut dyn Write) -> Status {
    let _ = writeln!(err, "gotrace {cmd}: {msg}\n\n{HELP}");
    USAGE
}

/// Opens `file` and runs `analyze` on it as a stream. A file that cannot
/// be read, or a trace `analyze` cannot read at all, is reported: `Err` is
/// then the exit status.
pub fn analyze_file<T>(
    file: &str,
    err: &mut dyn Write,
    analyze: impl FnOnce(Stream<Input>) -> Result<T, gotrace::Error>,
) -> Result<T, Status> {
    let input = open_input(file, err)?;
    analyze(Stream::new(input)).map_err(|e| {
        let _ = writeln!(err, "gotrace: {e}");
        BAD_TRACE
    })
}

/// Reports a damaged trace, saying what the output `covers` (e.g. "the
/// analysis covers what was read before"). Returns the exit status:
/// [`BAD_TRACE`] when `damage` is set, else [`OK`].
pub fn report_damage(damage: Option<&gotrace::Error>, covers: &str, err: &mut dyn Write) -> Status {
    match damage {
        Some(e) => {
            let _ = writeln!(err, "gotrace: trace is damaged; {covers}: {e}");
            BAD_TRACE
        }
        None => OK,
    }
}

/// The option parser handed to a command's option handler, to take the
/// option's value.
pub struct Options(lexopt::Parser);

impl Options {
    /// The value of option `name`: `--name=value` or `--name value`.
    pub fn value(&mut self, name: &str) -> Result<String, String> {
        self.0
            .value()
            .map_err(|_| format!("{name} needs a value"))?
            .into_string()
            .map_err(|v| format!("{name}: not UTF-8: {v:?}"))
    }

    /// The value of option `name`, parsed by `parse`.
    pub fn parsed<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, String> {
        let v = self.value(name)?;
        parse(&v).ok_or_else(|| format!("bad {name} {v:?}"))
    }
}

/// Parses `args` with the rules every command shares: `option` gets each
/// option's name as typed (`--json`, `-g`) and returns `Ok(false)` for an
/// option the command does not know; `--name=value` on an option that takes
/// no value, and an unknown option, are errors. Returns the positional
/// arguments (`-` is one); the command checks how many it got.
pub fn parse_args(
    args: &[String],
    mut option: impl FnMut(&str, &mut Options) -> Result<bool, String>,
) -> Result<Vec<String>, String> {
    use lexopt::Arg;
    let mut p = Options(lexopt::Parser::from_args(args));
    let mut positional = Vec::new();
    while let Some(arg) = p.0.next().map_err(|e| e.to_string())? {
        let name = match arg {
            Arg::Value(v) => {
                positional.push(v.into_string().map_err(|v| format!("not UTF-8: {v:?}"))?);
                continue;
            }
            Arg::Long(l) => format!("--{l}"),
            Arg::Short(c) => format!("-{c}"),
        };
        if !option(&name, &mut p)? {
            return Err(format!("unknown option {name}"));
        }
    }
    Ok(positional)
}

/// The one FILE of a command's positional arguments.
pub fn one_file(mut positional: Vec<String>) -> Result<String, String> {
    match positional.len() {
        0 => Err("expected a FILE (or - for stdin)".into()),
        1 => Ok(positional.remove(0)),
        _ => Err("expected exactly one FILE".into()),
    }
}

/// The command's only argument, a FILE: parses `args` with no options.
pub fn file_only(args: &[String]) -> Result<String, String> {
    one_file(parse_args(args, |_, _| Ok(false))?)
}

/// Writes `v` as one line of JSON.
pub fn write_json(out: &mut dyn Write, v: &impl serde::Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, v)?;
    out.write_all(b"\n")
}

/// Columns separated by two spaces, trailing spaces trimmed; column i is
/// right-aligned when `right(i)`. The last cell of a row is never padded
/// on the right.
pub fn table(rows: &[Vec<String>], right: impl Fn(usize) -> bool) -> String {
    let ncol = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut w = vec![0usize; ncol];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if let Some(x) = w.get_mut(i) {
                *x = (*x).max(c.chars().count());
            }
        }
    }
    let mut s = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let pad = " ".repeat(
                w.get(i)
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(c.chars().count()),
            );
            if right(i) {
                line.push_str(&pad);
                line.push_str(c);
            } else {
                line.push_str(c);
                if i + 1 < r.len() {
                    line.push_str(&pad);
                }
            }
        }
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}

/// Parses `START:END` in ns (either side may be empty).
pub fn parse_window(s: &str) -> Option<(i64, i64)> {
    let (a, b) = s.split_once(':').or_else(|| s.split_once(','))?;
    let a = if a.is_empty() {
        i64::MIN
    } else {
        a.trim().parse().ok()?
    };
    let b = if b.is_empty() {
        i64::MAX
    } else {
        b.trim().parse().ok()?
    };
    (a < b).then_some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn gzip_traces_are_read_and_other_files_named() {
        use std::io::Write as _;
        let dir = std::env::temp_dir().join(format!("gotrace-cli-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let trace = std::fs::read(format!(
            "{}/../../testdata/traces/go1.27/http.trace",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&trace).unwrap();
        let gz_path = dir.join("trace.out.gz");
        std::fs::write(&gz_path, gz.finish().unwrap()).unwrap();
        let mut err = Vec::new();
        assert_eq!(
            read_input(gz_path.to_str().unwrap(), &mut err).unwrap(),
            trace
        );
        assert!(err.is_empty());
        let zip_path = dir.join("traces.zip");
        std::fs::write(&zip_path, b"PK\x03\x04 not really a zip").unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(
            run(
                &args(&["stats", zip_path.to_str().unwrap()]),
                &mut out,
                &mut err
            ),
            BAD_TRACE
        );
        assert!(
            String::from_utf8_lossy(&err).contains("ZIP archive"),
            "{}",
            String::from_utf8_lossy(&err)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn shared_option_rules() {
        let mut seen = Vec::new();
        let pos = parse_args(&args(&["--a=1", "--a", "2", "-", "x"]), |name, p| {
            if name == "--a" {
                seen.push(p.value(name)?);
                return Ok(true);
            }
            Ok(false)
        })
        .unwrap();
        assert_eq!(seen, ["1", "2"]);
        assert_eq!(pos, ["-", "x"]);
        assert!(parse_args(&args(&["-x", "f"]), |_, _| Ok(false)).is_err());
        assert!(parse_args(&args(&["--json=1"]), |_, _| Ok(true)).is_err());
        assert!(parse_args(&args(&["--a"]), |n, p| p.value(n).map(|_| true)).is_err());
        assert_eq!(file_only(&args(&["-"])).unwrap(), "-");
        assert!(file_only(&args(&["a", "b"])).is_err());
        assert!(file_only(&args(&[])).is_err());
        assert_eq!(parse_window(":7"), Some((i64::MIN, 7)));
        assert_eq!(parse_window("9:7"), None);
    }

    #[test]
    fn tables() {
        let rows = vec![
            vec!["a".to_string(), "bb".into()],
            vec!["ccc".into(), "d".into()],
        ];
        assert_eq!(table(&rows, |_| false), "a    bb\nccc  d\n");
        assert_eq!(table(&rows, |i| i > 0), "a    bb\nccc   d\n");
    }
}
