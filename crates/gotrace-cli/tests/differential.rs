//! Differential tests against go1.27.3 on binary traces.
//!
//! Inputs: every new-format trace `testdata/traces/**/*.trace` (headers
//! go 1.22/1.23/1.25/1.26) and Go's fuzz corpus `testdata/go/fuzz/*`
//! (`go test fuzz v1` files holding a `[]byte("...")` literal). Old-format
//! (v1, header below go 1.22) traces are skipped here; another test covers
//! them.
//!
//! * `traces_dump_like_go` / `fuzz_corpus_dumps_like_go`: the CLI's
//!   `gotrace dump FILE` must print byte-for-byte what `go tool trace
//!   -d=parsed FILE` prints, and exit with the same status (0, or 1 after an
//!   error, having printed the same events before it).
//! * `traces_wire_text_matches_go` / `fuzz_corpus_wire_text_matches_go`:
//!   `text::binary_to_text` must print what `go tool trace -d=wire` prints,
//!   on the same inputs.
//!
//! Go is run at test time (see `common`); outputs are cached by content hash
//! under `target/go-reference/`. Every mismatching file is reported with the
//! first differing line.

#[path = "../../gotrace/tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{display, first_difference, go_trace};

/// One binary input: its name for reports, a file holding it, its bytes.
struct Input {
    name: String,
    path: PathBuf,
    bytes: Vec<u8>,
}

fn is_v1(bytes: &[u8]) -> bool {
    support::header_minor(bytes).is_some_and(|m| m < 22)
}

/// Loads inputs, dropping old-format ones; decode problems become failures.
fn load(
    paths: &[PathBuf],
    fuzz: bool,
    failures: &mut Vec<String>,
    skipped: &mut Vec<String>,
) -> Vec<Input> {
    let mut out = Vec::new();
    for p in paths {
        let name = display(p);
        let raw = match std::fs::read(p) {
            Ok(b) => b,
            Err(e) => {
                failures.push(format!("{name}: cannot read: {e}"));
                continue;
            }
        };
        let (bytes, path) = if fuzz {
            let src = String::from_utf8_lossy(&raw);
            match support::decode_fuzz_corpus(&src) {
                Ok(b) => {
                    let path = support::scratch_file(&b, "trace");
                    (b, path)
                }
                Err(e) => {
                    failures.push(format!("{name}: cannot decode fuzz corpus file: {e}"));
                    continue;
                }
            }
        } else {
            // A scratch copy: both tools must see exactly the bytes read here,
            // even if the corpus is being regenerated meanwhile.
            let path = support::scratch_file(&raw, "trace");
            (raw, path)
        };
        if is_v1(&bytes) {
            skipped.push(name);
            continue;
        }
        out.push(Input { name, path, bytes });
    }
    out
}

fn trace_paths() -> Vec<PathBuf> {
    let dir = support::repo_root().join("testdata/traces");
    let files = support::files_under(&dir, &|p: &Path| {
        p.extension().is_some_and(|e| e == "trace")
    });
    assert!(
        !files.is_empty(),
        "\n\n*** No traces found under {}. ***\nThe differential test needs the generated trace corpus \
         (testdata/traces/**/*.trace, recorded by the Go programs in testdata/programs with the pinned \
         toolchains); generate it before running this test.\n",
        dir.display()
    );
    files
}

fn fuzz_paths() -> Vec<PathBuf> {
    let dir = support::repo_root().join("testdata/go/fuzz");
    let mut files = support::files_under(&dir, &|_| true);
    if files.is_empty() {
        let go = support::go_binary();
        let fallback = go
            .parent()
            .and_then(Path::parent)
            .map(|r| r.join("src/internal/trace/testdata/fuzz/FuzzReader"))
            .unwrap_or_default();
        eprintln!(
            "note: {} is empty; using {}",
            display(&dir),
            fallback.display()
        );
        files = support::files_under(&fallback, &|_| true);
    }
    assert!(
        !files.is_empty(),
        "no fuzz corpus files in testdata/go/fuzz; run scripts/import-go-testdata.sh"
    );
    files
}

/// `gotrace dump FILE`: stdout and exit status.
fn gotrace_dump(path: &Path) -> support::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_gotrace"))
        .arg("dump")
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("running gotrace dump {}: {e}", path.display()));
    support::Output {
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

fn compare_dump(input: &Input) -> Vec<String> {
    let mut problems = Vec::new();
    let go = go_trace("parsed", &input.bytes);
    let ours = gotrace_dump(&input.path);
    if ours.code != go.code {
        problems.push(format!(
            "{}: exit status: go {} ({}), gotrace {} ({})",
            input.name,
            go.code,
            go.stderr.trim(),
            ours.code,
            ours.stderr.trim()
        ));
    }
    if let Some(d) = first_difference(&go.stdout, &ours.stdout) {
        problems.push(format!("{}: -d=parsed output differs; {d}", input.name));
    }
    problems
}

fn compare_wire(input: &Input) -> Vec<String> {
    let mut problems = Vec::new();
    let go = go_trace("wire", &input.bytes);
    let (ours, err) = gotrace::text::binary_to_text_partial(&input.bytes);
    if i32::from(err.is_some()) != go.code {
        problems.push(format!(
            "{}: -d=wire exit status: go {} ({}), binary_to_text {}",
            input.name,
            go.code,
            go.stderr.trim(),
            err.map(|e| format!("failed: {e}"))
                .unwrap_or_else(|| "succeeded".into())
        ));
    }
    if let Some(d) = first_difference(&go.stdout, ours.as_bytes()) {
        problems.push(format!("{}: -d=wire output differs; {d}", input.name));
    }
    problems
}

fn run(
    what: &str,
    inputs: &[Input],
    mut failures: Vec<String>,
    skipped: &[String],
    f: fn(&Input) -> Vec<String>,
) {
    if !skipped.is_empty() {
        eprintln!(
            "{what}: skipped {} old-format (v1) input(s): {}",
            skipped.len(),
            skipped.join(", ")
        );
    }
    let results = support::parallel_map(inputs, support::threads(), f);
    let bad = results.iter().filter(|r| !r.is_empty()).count();
    failures.extend(results.into_iter().flatten());
    if failures.is_empty() {
        eprintln!("{what}: all {} inputs match go1.27.3", inputs.len());
        return;
    }
    panic!(
        "{what}: {bad} of {} inputs differ from go1.27.3 ({} problem(s)):\n  - {}\n",
        inputs.len(),
        failures.len(),
        failures.join("\n  - ")
    );
}

#[test]
fn traces_dump_like_go() {
    support::go_binary();
    let (mut failures, mut skipped) = (Vec::new(), Vec::new());
    let inputs = load(&trace_paths(), false, &mut failures, &mut skipped);
    run(
        "testdata/traces gotrace dump vs go -d=parsed",
        &inputs,
        failures,
        &skipped,
        compare_dump,
    );
}

#[test]
fn fuzz_corpus_dumps_like_go() {
    support::go_binary();
    let (mut failures, mut skipped) = (Vec::new(), Vec::new());
    let inputs = load(&fuzz_paths(), true, &mut failures, &mut skipped);
    run(
        "fuzz corpus gotrace dump vs go -d=parsed",
        &inputs,
        failures,
        &skipped,
        compare_dump,
    );
}

#[test]
fn fuzz_corpus_wire_text_matches_go() {
    support::go_binary();
    let (mut failures, mut skipped) = (Vec::new(), Vec::new());
    let inputs = load(&fuzz_paths(), true, &mut failures, &mut skipped);
    run(
        "fuzz corpus binary_to_text vs go -d=wire",
        &inputs,
        failures,
        &skipped,
        compare_wire,
    );
}

#[test]
fn traces_wire_text_matches_go() {
    support::go_binary();
    let (mut failures, mut skipped) = (Vec::new(), Vec::new());
    let inputs = load(&trace_paths(), false, &mut failures, &mut skipped);
    run(
        "testdata/traces binary_to_text vs go -d=wire",
        &inputs,
        failures,
        &skipped,
        compare_wire,
    );
}

/// Deterministic mutants (byte edits, insertions, deletions, truncations) of
/// the smaller traces, written to scratch files. `GOTRACE_MUTANTS` sets the
/// number per trace (default 3).
fn trace_mutants() -> Vec<Input> {
    let per_file: usize = std::env::var("GOTRACE_MUTANTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let (mut failures, mut skipped) = (Vec::new(), Vec::new());
    let inputs = load(&trace_paths(), false, &mut failures, &mut skipped);
    assert!(failures.is_empty(), "{failures:?}");
    let mut rng = support::Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = Vec::new();
    for input in inputs.iter().filter(|i| i.bytes.len() <= 16 << 10) {
        for k in 0..per_file {
            let bytes = support::mutate(&input.bytes, &mut rng, false);
            let path = support::scratch_file(&bytes, "trace");
            out.push(Input {
                name: format!("{} mutant {k} ({})", input.name, display(&path)),
                path,
                bytes,
            });
        }
    }
    out
}

/// Compares with go unless go itself panicked on the input (exit status 2).
fn unless_go_panics(input: &Input, mode: &str, f: fn(&Input) -> Vec<String>) -> Vec<String> {
    if go_trace(mode, &input.bytes).code == 2 {
        return Vec::new();
    }
    f(input)
}

#[test]
fn trace_mutants_dump_like_go() {
    support::go_binary();
    let inputs = trace_mutants();
    run(
        "mutated traces gotrace dump vs go -d=parsed",
        &inputs,
        Vec::new(),
        &[],
        |i| unless_go_panics(i, "parsed", compare_dump),
    );
}

#[test]
fn trace_mutants_wire_text_matches_go() {
    support::go_binary();
    let inputs = trace_mutants();
    run(
        "mutated traces binary_to_text vs go -d=wire",
        &inputs,
        Vec::new(),
        &[],
        |i| unless_go_panics(i, "wire", compare_wire),
    );
}

/// `gotrace cut` writes files Go reads: for a few multi-generation traces and
/// ranges (durations since the start, absolute ns as `dump` prints them),
/// go1.27.3 exits 0 on the cut and the CLI's dump of it equals Go's.
#[test]
fn cut_files_read_like_go() {
    let root = support::repo_root();
    let mut problems = Vec::new();
    let mut checked = 0;
    for (file, start, end) in [
        ("testdata/traces/go1.27/annotations.trace", "300ms", "400ms"),
        ("testdata/traces/go1.27/annotations.trace", "0s", "1ms"),
        ("testdata/traces/go1.27/flightrecorder.trace", "150ms", "1h"),
        ("testdata/traces/go1.25/annotations.trace", "500ms", "600ms"),
    ] {
        let path = root.join(file);
        let out = Command::new(env!("CARGO_BIN_EXE_gotrace"))
            .args(["cut", "--start", start, "--end", end])
            .arg(&path)
            .output()
            .unwrap_or_else(|e| panic!("running gotrace cut: {e}"));
        if !out.status.success() {
            problems.push(format!(
                "{file} [{start}, {end}]: gotrace cut failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        }
        let whole = std::fs::read(&path).unwrap_or_default();
        if out.stdout.len() >= whole.len() && start != "0s" {
            problems.push(format!(
                "{file} [{start}, {end}]: the cut is not smaller than the trace"
            ));
        }
        let cut = support::scratch_file(&out.stdout, "trace");
        let go = go_trace("parsed", &out.stdout);
        if go.code != 0 {
            problems.push(format!(
                "{file} [{start}, {end}]: go tool trace exited {}: {}",
                go.code,
                go.stderr.trim()
            ));
        }
        let ours = gotrace_dump(&cut);
        if let Some(d) = first_difference(&go.stdout, &ours.stdout) {
            problems.push(format!(
                "{file} [{start}, {end}]: dump of the cut differs from Go's; {d}"
            ));
        }
        checked += 1;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(checked, 4);
}
