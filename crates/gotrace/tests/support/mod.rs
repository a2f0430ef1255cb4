//! Shared helpers of the differential tests: finding the pinned Go toolchain,
//! running `go tool trace -d=...` with an on-disk cache of its outputs,
//! collecting test files, and reporting the first difference of two outputs.
//!
//! Reference outputs are computed with go1.27.3 at test time (never checked
//! in) and cached under `target/go-reference/`, keyed by a hash of the trace
//! bytes, the debug mode and the go binary's path, size and mtime.
//!
//! Environment:
//! * `GOTRACE_GO`: the go binary (default [`DEFAULT_GO`]); a missing binary
//!   or one that is not go1.27.3 fails the tests (`GOTRACE_GO_ANY_VERSION=1`
//!   accepts another version on purpose).
//! * `GOTRACE_MUTANTS`: mutants per input in the mutation tests.
//! * `GOTRACE_TEST_THREADS`: worker threads per test (default 2).
//! * `GOTRACE_ONLY`: only the corpus traces whose path contains it.
//!
//! Submodules: [`profile`] (`go tool trace -pprof=` and a pprof decoder),
//! [`server`] (a live `go tool trace -http=` server), [`html`] (scraping its
//! pages). Shared by the library's tests and, through `#[path]`, the CLI's.
#![allow(dead_code)]

pub mod html;
pub mod profile;
pub mod server;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the pinned toolchain lives unless `GOTRACE_GO` says otherwise.
pub const DEFAULT_GO: &str = "/root/.cache/gotrace/go/1.27.3/go/bin/go";

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

/// The cargo target directory (parent of `CARGO_TARGET_TMPDIR`).
pub fn target_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| repo_root().join("target"))
}

/// The cache directory of reference outputs, created on demand.
pub fn cache_dir() -> PathBuf {
    let d = target_dir().join("go-reference");
    std::fs::create_dir_all(&d).expect("create target/go-reference");
    d
}

/// The go binary to compare against. Panics (fails the test) with
/// instructions when it is missing: these tests must never pass silently.
pub fn go_binary() -> PathBuf {
    let p = PathBuf::from(std::env::var("GOTRACE_GO").unwrap_or_else(|_| DEFAULT_GO.to_string()));
    if !p.is_file() {
        panic!(
            "\n\n*** The Go reference toolchain is missing: {} does not exist. ***\n\
             These differential tests compare gotrace with go1.27.3's `go tool trace` and cannot run without it.\n\
             Install it with `bash scripts/setup.sh` (it puts go1.27.3 under /root/.cache/gotrace/go/1.27.3/go),\n\
             or point GOTRACE_GO at a go1.27.3 `go` binary: GOTRACE_GO=/path/to/go/bin/go cargo test -p gotrace\n",
            p.display()
        );
    }
    check_go_version(&p);
    p
}

/// The toolchain version the references must come from.
pub const GO_VERSION: &str = "go1.27.3";

/// Fails unless `go version` names [`GO_VERSION`] (once per process), so a
/// stray toolchain never becomes the reference. `GOTRACE_GO_ANY_VERSION=1`
/// allows another version on purpose.
fn check_go_version(go: &Path) {
    static CHECKED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    let r = CHECKED.get_or_init(|| {
        let out = Command::new(go)
            .arg("version")
            .env("GOTOOLCHAIN", "local")
            .output()
            .map_err(|e| format!("cannot run `{} version`: {e}", go.display()))?;
        let v = String::from_utf8_lossy(&out.stdout).into_owned();
        let exact = v.split_whitespace().any(|w| w == GO_VERSION);
        if exact || std::env::var_os("GOTRACE_GO_ANY_VERSION").is_some_and(|s| s == "1") {
            Ok(())
        } else {
            Err(format!(
                "`{} version` says {:?}, but the reference must be {GO_VERSION} \
                 (set GOTRACE_GO to a {GO_VERSION} go binary, or GOTRACE_GO_ANY_VERSION=1 to override)",
                go.display(),
                v.trim()
            ))
        }
    });
    if let Err(e) = r {
        panic!("\n\n*** Wrong Go reference toolchain: {e} ***\n");
    }
}

/// A 128-bit FNV-1a style hash (two independent 64-bit lanes), hex encoded.
pub fn hash_hex(parts: &[&[u8]]) -> String {
    let mut a: u64 = 0xcbf2_9ce4_8422_2325;
    let mut b: u64 = 0x6c62_272e_07bb_0142;
    for part in parts {
        for &byte in part.iter().chain((part.len() as u64).to_le_bytes().iter()) {
            a = (a ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
            b = (b ^ u64::from(byte))
                .wrapping_mul(0x0000_0100_0000_01b3)
                .rotate_left(5);
        }
    }
    format!("{a:016x}{b:016x}")
}

/// What one run of a command produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    pub stdout: Vec<u8>,
    pub stderr: String,
    /// Exit status (`-1` if killed by a signal; 2 for a Go panic).
    pub code: i32,
}

pub fn go_identity(go: &Path) -> String {
    let meta = std::fs::metadata(go).ok();
    let size = meta.as_ref().map(|m| m.len()).unwrap_or(0);
    let mtime = meta
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!("{}:{size}:{mtime}", go.display())
}

fn write_atomically(path: &Path, data: &[u8]) {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_extension(format!("tmp{}-{n}", std::process::id()));
    let mut f =
        std::fs::File::create(&tmp).unwrap_or_else(|e| panic!("create {}: {e}", tmp.display()));
    f.write_all(data)
        .unwrap_or_else(|e| panic!("write {}: {e}", tmp.display()));
    drop(f);
    std::fs::rename(&tmp, path).unwrap_or_else(|e| panic!("rename {}: {e}", path.display()));
}

/// Writes `bytes` to a scratch file under the cache directory (named by its
/// hash) and returns its path; for tools that need a file.
pub fn scratch_file(bytes: &[u8], ext: &str) -> PathBuf {
    let dir = cache_dir().join("scratch");
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    let path = dir.join(format!("{}.{ext}", hash_hex(&[bytes])));
    if std::fs::read(&path).ok().as_deref() != Some(bytes) {
        write_atomically(&path, bytes);
    }
    path
}

/// `go tool trace -d=<mode>` on the trace `bytes` (a file is written if
/// needed), cached by content. Runs with `GOTOOLCHAIN=local TZ=UTC`.
pub fn go_trace(mode: &str, bytes: &[u8]) -> Output {
    let go = go_binary();
    let key = hash_hex(&[bytes, mode.as_bytes(), go_identity(&go).as_bytes()]);
    let dir = cache_dir();
    let (out_p, err_p, code_p) = (
        dir.join(format!("{key}.stdout")),
        dir.join(format!("{key}.stderr")),
        dir.join(format!("{key}.code")),
    );
    if let (Ok(stdout), Ok(stderr), Ok(code)) = (
        std::fs::read(&out_p),
        std::fs::read_to_string(&err_p),
        std::fs::read_to_string(&code_p),
    ) {
        if let Ok(code) = code.trim().parse() {
            return Output {
                stdout,
                stderr,
                code,
            };
        }
    }
    let file = scratch_file(bytes, "trace");
    let out = Command::new(&go)
        .args(["tool", "trace", &format!("-d={mode}")])
        .arg(&file)
        .env("GOTOOLCHAIN", "local")
        .env("TZ", "UTC")
        .current_dir(&dir) // away from any go.mod of the project
        .output()
        .unwrap_or_else(|e| panic!("running {} tool trace: {e}", go.display()));
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    // A toolchain that cannot run the tool at all is a setup problem, not a
    // result. (Exit status 2 is a Go panic, returned to the caller.)
    if code != 0 && code != 1 && code != 2 {
        panic!(
            "`{} tool trace -d={mode} {}` exited with {code}: {stderr}",
            go.display(),
            file.display()
        );
    }
    if code == 1 && (stderr.contains("go: ") || stderr.contains("flag provided but not defined")) {
        panic!(
            "`{} tool trace -d={mode}` failed to run (wrong toolchain?): {stderr}",
            go.display()
        );
    }
    write_atomically(&out_p, &out.stdout);
    write_atomically(&err_p, stderr.as_bytes());
    write_atomically(&code_p, code.to_string().as_bytes());
    Output {
        stdout: out.stdout,
        stderr,
        code,
    }
}

/// The first line at which `want` and `got` differ, described for a report;
/// `None` when they are byte-identical.
pub fn first_difference(want: &[u8], got: &[u8]) -> Option<String> {
    if want == got {
        return None;
    }
    let w: Vec<&[u8]> = want.split_inclusive(|&b| b == b'\n').collect();
    let g: Vec<&[u8]> = got.split_inclusive(|&b| b == b'\n').collect();
    let i = w.iter().zip(&g).take_while(|(a, b)| a == b).count();
    let show = |l: Option<&&[u8]>| match l {
        None => "<end of output>".to_string(),
        Some(l) => {
            let s = String::from_utf8_lossy(l);
            let mut s: String = format!("{s:?}");
            if s.len() > 400 {
                let mut cut = 400;
                while !s.is_char_boundary(cut) {
                    cut -= 1;
                }
                s.truncate(cut);
                s.push_str("...");
            }
            s
        }
    };
    Some(format!(
        "first difference at line {} (go has {} lines, gotrace {}):\n      go:      {}\n      gotrace: {}",
        i + 1,
        w.len(),
        g.len(),
        show(w.get(i)),
        show(g.get(i))
    ))
}

/// All regular files under `dir` (recursively) whose name satisfies `keep`,
/// sorted. A missing directory gives an empty list.
pub fn files_under(dir: &Path, keep: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.is_file() && keep(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Path relative to the repository root, for messages.
pub fn display(p: &Path) -> String {
    let root = repo_root();
    p.strip_prefix(&root).unwrap_or(p).display().to_string()
}

/// The minor version in a binary trace header (`go 1.<n> trace`), if the
/// file starts like one.
pub fn header_minor(bytes: &[u8]) -> Option<u32> {
    let rest = bytes.strip_prefix(b"go 1.")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(rest.get(..digits)?).ok()?.parse().ok()
}

/// Decodes a Go fuzz corpus file (`go test fuzz v1` then one `[]byte("...")`
/// line) to the bytes it holds.
pub fn decode_fuzz_corpus(src: &str) -> Result<Vec<u8>, String> {
    let mut lines = src.lines();
    if lines.next().map(str::trim) != Some("go test fuzz v1") {
        return Err("not a `go test fuzz v1` file".into());
    }
    let lit = lines
        .find(|l| !l.trim().is_empty())
        .ok_or("no value line")?
        .trim();
    let inner = lit
        .strip_prefix("[]byte(")
        .and_then(|s| s.strip_suffix(')'))
        .ok_or_else(|| format!("not a []byte(...) value: {lit}"))?;
    gotrace::text::go_unquote(inner.trim()).map_err(|e| e.message)
}

/// Runs `f` over `items` on up to `threads` threads, keeping input order in
/// the results.
pub fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                results.lock().unwrap()[i] = Some(r);
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("worker result"))
        .collect()
}

/// How many worker threads the tests use (2 cores are shared).
pub fn threads() -> usize {
    std::env::var("GOTRACE_TEST_THREADS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2)
}

/// A small deterministic pseudo-random generator (xorshift64).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// A few random edits of `base` (never touching its 16-byte header unless
/// `header` is set): byte changes, insertions, deletions, a truncation.
pub fn mutate(base: &[u8], rng: &mut Rng, header: bool) -> Vec<u8> {
    let mut b = base.to_vec();
    let lo = if header { 0 } else { 16.min(b.len()) };
    for _ in 0..=rng.below(3) {
        if b.len() <= lo {
            break;
        }
        let i = lo + rng.below(b.len() - lo);
        match rng.below(6) {
            0 | 1 => b[i] = rng.next() as u8,
            2 => b[i] ^= 1 << rng.below(8),
            3 => b.insert(i, rng.next() as u8),
            4 => {
                b.remove(i);
            }
            _ => b.truncate(i),
        }
    }
    b
}

// ---------------------------------------------------------------------------
// The trace corpus.

/// The committed traces the differential tests run on:
/// `testdata/traces/**/*.trace` (recorded with Go 1.21–1.27), plus Go's own
/// old-format test traces `testdata/go/tracev1/*` (Go 1.11–1.21) and
/// `testdata/go/legacy/*` (Go 1.5–1.10, which go1.27.3 rejects — so must we).
/// Fails the test when there are none: the tests must not pass vacuously.
pub fn trace_files() -> Vec<PathBuf> {
    let root = repo_root();
    let mut files = corpus();
    for old in ["testdata/go/tracev1", "testdata/go/legacy"] {
        files.extend(files_under(&root.join(old), &|_: &Path| true));
    }
    files
}

/// Every binary trace of the committed corpus (`testdata/traces/**/*.trace`), sorted.
pub fn corpus() -> Vec<PathBuf> {
    let root = repo_root().join("testdata/traces");
    let out = files_under(&root, &|p: &Path| {
        p.extension().and_then(|e| e.to_str()) == Some("trace")
    });
    assert!(
        !out.is_empty(),
        "no committed traces under {} (testdata/traces/**/*.trace)",
        root.display()
    );
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

/// Runs `check` (which returns how many comparisons it made and pushes
/// what differed) against `go tool trace` on every selected trace and on
/// damaged copies of some (where both keep the generations before the
/// damage); then asserts that something was compared and nothing differed.
/// Old-format traces are skipped when `GOTRACE_SKIP_OLD` is set: Go
/// converts them breaking timestamp ties in map order (they have matched in
/// repeated runs; this is the switch should one ever flake).
pub fn check_against_go(
    tag: &str,
    what: &str,
    mut check: impl FnMut(&Path, &mut Vec<String>) -> usize,
) {
    // Fails loudly without go1.27.3.
    server::trace_tool();
    let skip_old = std::env::var_os("GOTRACE_SKIP_OLD").is_some();
    let traces = selected_traces()
        .into_iter()
        .filter(|f| !(skip_old && is_old_format(&std::fs::read(f).unwrap_or_default())));
    let mut failures = Vec::new();
    let (mut compared, mut files) = (0, 0);
    for file in traces.chain(truncated_copies(tag)) {
        let n = check(&file, &mut failures);
        eprintln!("{}: {n} comparisons", file.display());
        compared += n;
        files += usize::from(n > 0);
    }
    assert!(compared > 0, "nothing compared");
    assert!(
        failures.is_empty(),
        "{} differences from go tool trace over {files} traces ({compared} comparisons):\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    eprintln!("{what} identical to go tool trace: {files} traces, {compared} comparisons");
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
