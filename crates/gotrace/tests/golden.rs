//! Go's golden trace tests, run through our reader and compared with go1.27.3.
//!
//! Inputs: every `testdata/go/tests/*.test` (txtar: `expect` + text trace;
//! falls back to the go1.27.3 source tree) and `testdata/go/cmd-trace-go122.test`
//! (a raw text trace, expected to read cleanly). Each is converted to binary
//! with `gotrace::text`, then:
//!
//! * `golden_tests_read_like_go`: our `Reader` must meet the expectation
//!   (`SUCCESS`: no error; `FAILURE "re"`: an error matching `re`), and our
//!   `dump::write_event` output must equal `go tool trace -d=parsed` of the
//!   same bytes byte for byte (for failures: the events before the error,
//!   and go must exit 1).
//! * `golden_tests_convert_like_go`: the text layer alone. `go tool trace
//!   -d=wire` of our binary must print the source text's events back, and
//!   `text::binary_to_text` must print exactly what go prints.
//!
//! All files are checked; every mismatch is reported, then the test fails.

mod support;

use std::path::{Path, PathBuf};

use gotrace::text::{self, Expectation, GoldenTest};
use support::{display, first_difference, go_binary, go_trace};

/// A golden input: where it came from and what it holds.
struct Golden {
    path: PathBuf,
    source: String,
    test: GoldenTest,
}

/// The go1.27.3 source tree next to the reference go binary.
fn go_src() -> PathBuf {
    let go = go_binary();
    go.parent()
        .and_then(Path::parent)
        .map(|root| root.join("src"))
        .unwrap_or_default()
}

fn golden_paths() -> Vec<PathBuf> {
    let is_test = |p: &Path| p.extension().is_some_and(|e| e == "test");
    let local = support::repo_root().join("testdata/go/tests");
    let mut files = support::files_under(&local, &is_test);
    if files.is_empty() {
        let fallback = go_src().join("internal/trace/testdata/tests");
        eprintln!(
            "note: {} is empty; using {}",
            display(&local),
            fallback.display()
        );
        files = support::files_under(&fallback, &is_test);
    }
    assert!(
        !files.is_empty(),
        "no golden .test files found in testdata/go/tests or the go1.27.3 source tree; run scripts/import-go-testdata.sh"
    );
    let cmd = support::repo_root().join("testdata/go/cmd-trace-go122.test");
    let cmd = if cmd.is_file() {
        cmd
    } else {
        go_src().join("cmd/trace/testdata/go122.test")
    };
    assert!(
        cmd.is_file(),
        "missing {}; run scripts/import-go-testdata.sh",
        cmd.display()
    );
    files.push(cmd);
    files
}

/// Loads and converts every golden input; conversion failures are reported.
fn load(failures: &mut Vec<String>) -> Vec<Golden> {
    let mut out = Vec::new();
    for path in golden_paths() {
        let source = match std::fs::read_to_string(&path) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{}: cannot read: {e}", display(&path)));
                continue;
            }
        };
        // The cmd/trace file is a bare text trace, not a txtar archive.
        let parsed = if source.starts_with("-- ") {
            text::parse_test_file(&source)
        } else {
            text::text_to_binary(&source).map(|trace| GoldenTest {
                expect: Expectation::Success,
                version: support::header_minor(&trace).unwrap_or(0),
                trace,
            })
        };
        match parsed {
            Ok(test) => out.push(Golden { path, source, test }),
            Err(e) => failures.push(format!("{}: cannot convert to binary: {e}", display(&path))),
        }
    }
    out
}

/// Reads `bytes` with our reader, printing every event like `-d=parsed`.
/// Returns the output and the error that ended reading, if any (a panic is
/// reported as an error too, so one bad file does not hide the others).
fn read_with_gotrace(bytes: &[u8]) -> (Vec<u8>, Option<String>) {
    let run = || {
        let mut out = Vec::new();
        let mut reader = match gotrace::Reader::new(bytes) {
            Ok(r) => r,
            Err(e) => return (out, Some(e)),
        };
        while let Some(item) = reader.next_event() {
            match item {
                Ok(ev) => gotrace::dump::write_event(&mut out, &ev, reader.tables())
                    .expect("write to Vec"),
                Err(e) => return (out, Some(e)),
            }
        }
        (out, None)
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok((out, err)) => (out, err.map(|e| e.to_string())),
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            (Vec::new(), Some(format!("PANIC in gotrace: {msg}")))
        }
    }
}

fn finish(what: &str, checked: usize, failures: Vec<String>) {
    if failures.is_empty() {
        eprintln!("{what}: all {checked} golden inputs match go1.27.3");
        return;
    }
    let n = failures.len();
    panic!(
        "{what}: {n} problem(s) over {checked} golden inputs:\n  - {}\n",
        failures.join("\n  - ")
    );
}

#[test]
fn golden_tests_read_like_go() {
    let mut failures = Vec::new();
    let goldens = load(&mut failures);
    let results = support::parallel_map(&goldens, support::threads(), |g| {
        let mut problems = Vec::new();
        let name = display(&g.path);
        let (ours, err) = read_with_gotrace(&g.test.trace);
        let go = go_trace("parsed", &g.test.trace);
        match (&g.test.expect, &err) {
            (Expectation::Success, None) => {}
            (Expectation::Success, Some(e)) => {
                problems.push(format!("{name}: expected SUCCESS, gotrace failed: {e}"))
            }
            (Expectation::Failure(re), None) => problems.push(format!(
                "{name}: expected FAILURE matching {re:?}, gotrace read the trace without error"
            )),
            (Expectation::Failure(re), Some(e)) => match regex::Regex::new(re) {
                Ok(rx) if rx.is_match(e) => {}
                Ok(_) => problems.push(format!(
                    "{name}: expected an error matching {re:?}, gotrace failed with: {e}"
                )),
                Err(x) => problems.push(format!(
                    "{name}: expectation {re:?} is not a valid regexp here: {x}"
                )),
            },
        }
        let want_code = match g.test.expect {
            Expectation::Success => 0,
            Expectation::Failure(_) => 1,
        };
        if go.code != want_code {
            problems.push(format!(
                "{name}: go -d=parsed exited {} (want {want_code} per the expectation; conversion bug?): {}",
                go.code,
                go.stderr.trim()
            ));
        }
        let our_code = i32::from(err.is_some());
        if our_code != go.code {
            problems.push(format!(
                "{name}: go exited {} ({}), gotrace {}",
                go.code,
                go.stderr.trim(),
                err.as_deref()
                    .map(|e| format!("failed: {e}"))
                    .unwrap_or_else(|| "succeeded".into())
            ));
        }
        if let Some(d) = first_difference(&go.stdout, &ours) {
            problems.push(format!("{name}: -d=parsed output differs; {d}"));
        }
        problems
    });
    let checked = goldens.len();
    failures.extend(results.into_iter().flatten());
    finish("golden -d=parsed", checked, failures);
}

/// The event lines of a text trace as `-d=wire` prints them: without the
/// header, comments and blank lines, `\r` and trailing spaces.
fn canonical_events(source: &str, is_txtar: bool) -> String {
    let trace = if is_txtar {
        source
            .split_once("\n-- trace --\n")
            .map(|(_, t)| t)
            .unwrap_or("")
    } else {
        source
    };
    let mut out = String::new();
    for line in trace
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("Trace "))
        .skip(1)
    {
        let line = line.trim_end();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn golden_tests_convert_like_go() {
    let mut failures = Vec::new();
    let goldens = load(&mut failures);
    let results = support::parallel_map(&goldens, support::threads(), |g| {
        let mut problems = Vec::new();
        let name = display(&g.path);
        let go = go_trace("wire", &g.test.trace);
        if go.code != 0 {
            problems.push(format!(
                "{name}: go -d=wire rejected our binary: {}",
                go.stderr.trim()
            ));
        }
        // text -> binary: go reads our bytes back as the source text.
        let want = canonical_events(&g.source, g.source.starts_with("-- "));
        if let Some(d) = first_difference(want.as_bytes(), &go.stdout) {
            problems.push(format!(
                "{name}: go -d=wire of our binary is not the source text; {d}"
            ));
        }
        // binary -> text: we print what go prints.
        let (ours, err) = text::binary_to_text_partial(&g.test.trace);
        if i32::from(err.is_some()) != go.code {
            problems.push(format!(
                "{name}: binary_to_text error {err:?}, go exit {}",
                go.code
            ));
        }
        if let Some(d) = first_difference(&go.stdout, ours.as_bytes()) {
            problems.push(format!(
                "{name}: binary_to_text differs from go -d=wire; {d}"
            ));
        }
        // And the text we print converts back to the same bytes.
        let header = format!("Trace Go1.{}\n", g.test.version);
        match text::text_to_binary(&(header + &ours)) {
            Ok(b) if b == g.test.trace => {}
            Ok(_) => problems.push(format!(
                "{name}: text -> binary -> text -> binary is not stable"
            )),
            Err(e) => problems.push(format!("{name}: our own wire text does not parse: {e}")),
        }
        problems
    });
    let checked = goldens.len();
    failures.extend(results.into_iter().flatten());
    finish("golden text/wire", checked, failures);
}

/// Deterministic mutants of the small golden traces (random byte edits,
/// insertions, deletions, truncations), for the tests below.
fn mutants(goldens: &[Golden]) -> Vec<(String, Vec<u8>)> {
    let per_file: usize = std::env::var("GOTRACE_MUTANTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(6);
    let mut rng = support::Rng(0x2545_f491_4f6c_dd1d);
    let mut out = Vec::new();
    for g in goldens.iter().filter(|g| g.test.trace.len() <= 4096) {
        for k in 0..per_file {
            let b = support::mutate(&g.test.trace, &mut rng, k == 0);
            let file = support::scratch_file(&b, "trace");
            out.push((
                format!("{} mutant {k} ({})", display(&g.path), display(&file)),
                b,
            ));
        }
    }
    out
}

/// `binary_to_text` must fail and print exactly like `go tool trace -d=wire`
/// on malformed inputs too.
#[test]
fn mutated_golden_wire_text_matches_go() {
    let mut failures = Vec::new();
    let goldens = load(&mut failures);
    let inputs = mutants(&goldens);
    let results = support::parallel_map(&inputs, support::threads(), |(name, bytes)| {
        let go = go_trace("wire", bytes);
        if go.code == 2 {
            return Vec::new(); // go itself panicked: nothing to compare with
        }
        let (ours, err) = text::binary_to_text_partial(bytes);
        let mut problems = Vec::new();
        if i32::from(err.is_some()) != go.code {
            problems.push(format!(
                "{name}: go exit {} ({}), binary_to_text {:?}",
                go.code,
                go.stderr.trim(),
                err.map(|e| e.to_string())
            ));
        }
        if let Some(d) = first_difference(&go.stdout, ours.as_bytes()) {
            problems.push(format!("{name}: -d=wire output differs; {d}"));
        }
        problems
    });
    failures.extend(results.into_iter().flatten());
    finish("mutated golden -d=wire", inputs.len(), failures);
}

/// Our reader must reject (or accept) malformed inputs exactly as go does,
/// printing the same events first.
#[test]
fn mutated_golden_dump_like_go() {
    let mut failures = Vec::new();
    let goldens = load(&mut failures);
    let inputs = mutants(&goldens);
    let results = support::parallel_map(&inputs, support::threads(), |(name, bytes)| {
        let go = go_trace("parsed", bytes);
        if go.code == 2 {
            return Vec::new(); // go itself panicked: nothing to compare with
        }
        let (ours, err) = read_with_gotrace(bytes);
        let mut problems = Vec::new();
        if i32::from(err.is_some()) != go.code {
            problems.push(format!(
                "{name}: go exit {} ({}), gotrace {:?}",
                go.code,
                go.stderr.trim(),
                err
            ));
        }
        if let Some(d) = first_difference(&go.stdout, &ours) {
            problems.push(format!("{name}: -d=parsed output differs; {d}"));
        }
        problems
    });
    failures.extend(results.into_iter().flatten());
    finish("mutated golden -d=parsed", inputs.len(), failures);
}
