//! `cut::cut` against go1.27.3: every cut of every new-format trace in
//! `testdata/traces/` must be a trace Go reads (`go tool trace -d=parsed`
//! exits 0) and whose Go dump is byte-for-byte our dump of it, and it must
//! hold exactly the generations that overlap the range, byte for byte.
//!
//! Ranges per trace (times in ns since the trace's start, from its index):
//! the whole trace, the first generation, a middle slice (from inside one
//! generation to inside a later one), the last generation, and a point
//! inside one generation.
//!
//! Self-contained on purpose (no shared test module). Go is `$GOTRACE_GO`,
//! else `~/.cache/gotrace/go/1.27.3/go/bin/go`; if it is missing the test
//! fails, it never skips. The `trace` tool binary is found with `go tool -n
//! trace` and run directly, so no `go` wrapper process is left behind.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use gotrace::cut::{cut, CutError};
use gotrace::index::{self, Index};

const GO_VERSION: &str = "go1.27.3";

fn go_binary() -> PathBuf {
    let p = match std::env::var_os("GOTRACE_GO") {
        Some(p) => PathBuf::from(p),
        None => {
            let home = std::env::var_os("HOME").unwrap_or_else(|| "/root".into());
            Path::new(&home).join(".cache/gotrace/go/1.27.3/go/bin/go")
        }
    };
    assert!(
        p.is_file(),
        "\n\n*** The Go reference toolchain is missing: {} does not exist. ***\n\
         This test checks that Go ({GO_VERSION}) reads the traces `gotrace::cut` writes, and \
         cannot run without it.\nInstall it with `bash scripts/setup.sh`, or set GOTRACE_GO to a \
         {GO_VERSION} `go` binary.\n",
        p.display()
    );
    let out = Command::new(&p)
        .arg("version")
        .env("GOTOOLCHAIN", "local")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} version: {e}", p.display()));
    let v = String::from_utf8_lossy(&out.stdout);
    assert!(
        v.split_whitespace().any(|w| w == GO_VERSION),
        "{} is not {GO_VERSION}: {v}",
        p.display()
    );
    p
}

/// The `trace` tool binary itself (`go tool -n trace`).
fn trace_tool() -> PathBuf {
    let go = go_binary();
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
}

/// A fresh scratch directory for this test run.
fn scratch_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cut-go-reference")
        .join(std::process::id().to_string());
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create scratch dir");
    d
}

/// `trace -d=parsed FILE`: (exit status, stdout, stderr).
fn go_parsed(tool: &Path, file: &Path, dir: &Path) -> (i32, Vec<u8>, String) {
    let out = Command::new(tool)
        .arg("-d=parsed")
        .arg(file)
        .env("GOTOOLCHAIN", "local")
        .env("TZ", "UTC")
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", tool.display()));
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Our `-d=parsed` rendering of `data`, or the error.
fn our_parsed(data: &[u8]) -> Result<Vec<u8>, String> {
    let mut r = gotrace::Reader::new(data).map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    while let Some(ev) = r.next_event() {
        let ev = ev.map_err(|e| e.to_string())?;
        gotrace::dump::format_event(&mut buf, &ev, r.tables());
    }
    Ok(buf)
}

fn first_difference(want: &[u8], got: &[u8]) -> String {
    let w: Vec<&[u8]> = want.split_inclusive(|&b| b == b'\n').collect();
    let g: Vec<&[u8]> = got.split_inclusive(|&b| b == b'\n').collect();
    let i = w.iter().zip(&g).take_while(|(a, b)| a == b).count();
    let show = |l: Option<&&[u8]>| match l {
        Some(l) => format!("{:?}", String::from_utf8_lossy(l)),
        None => "<end>".to_string(),
    };
    format!(
        "first difference at line {} (go {} lines, gotrace {}): go {} gotrace {}",
        i + 1,
        w.len(),
        g.len(),
        show(w.get(i)),
        show(g.get(i))
    )
}

fn new_format_traces() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/traces");
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for d in dirs {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut files: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files {
            if f.extension().is_none_or(|e| e != "trace") {
                continue;
            }
            let data = std::fs::read(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            // New format only: header go 1.22 and later.
            let minor: Option<u32> = data
                .strip_prefix(b"go 1.")
                .and_then(|r| std::str::from_utf8(r.get(..2)?).ok())
                .and_then(|s| s.parse().ok());
            if minor.is_some_and(|m| m >= 22) {
                let name = f.strip_prefix(&root).unwrap_or(&f).display().to_string();
                out.push((name, data));
            }
        }
    }
    out
}

/// The ranges to cut a trace to, named, in ns since its start.
fn ranges(ix: &Index) -> Vec<(&'static str, i64, i64)> {
    let g = &ix.generations;
    let n = g.len();
    let mid = |i: usize| g[i].start_ns + (g[i].end_ns - g[i].start_ns) / 2;
    let (lo, hi) = ix.time_range().expect("a trace with generations");
    let mut v = vec![
        ("whole", lo, hi),
        ("first generation", g[0].start_ns, g[0].end_ns),
        ("last generation", g[n - 1].start_ns, g[n - 1].end_ns),
        ("point", mid(n / 2), mid(n / 2)),
    ];
    if n >= 3 {
        v.push(("middle slice", mid(n / 4), mid((3 * n) / 4)));
    } else {
        v.push(("middle slice", mid(0), mid(n - 1)));
    }
    v
}

#[test]
fn cuts_read_in_go_like_in_gotrace() {
    let tool = trace_tool();
    let dir = scratch_dir();
    let traces = new_format_traces();
    assert!(
        traces.len() >= 60,
        "only {} new-format traces under testdata/traces",
        traces.len()
    );
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut go_runs = 0;
    // Go's verdict per distinct cut (several ranges often give the same file).
    let mut seen: HashMap<Vec<u8>, Result<(), String>> = HashMap::new();
    let mut multi_gen_cuts = 0;
    let mut not_first_gen = 0;
    for (name, data) in &traces {
        let ix = index::build(data).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(ix.error, None, "{name}");
        for (what, start, end) in ranges(&ix) {
            checked += 1;
            let label = format!("{name} [{what}: {start}..{end} ns]");
            let out = match cut(data, start, end) {
                Ok(o) => o,
                Err(e) => {
                    failures.push(format!("{label}: cut failed: {e}"));
                    continue;
                }
            };
            // Exactly the overlapping generations, byte for byte.
            let keep: Vec<_> = ix
                .generations
                .iter()
                .filter(|g| g.start_ns <= end && start <= g.end_ns)
                .collect();
            let mut want = data[..ix.header_len].to_vec();
            for g in &keep {
                want.extend_from_slice(&data[g.bytes.start as usize..g.bytes.end as usize]);
            }
            if keep.is_empty() || out != want {
                failures.push(format!(
                    "{label}: the cut is not the header plus generations {:?}",
                    keep.iter().map(|g| g.number).collect::<Vec<_>>()
                ));
                continue;
            }
            if keep.len() > 1 {
                multi_gen_cuts += 1;
            }
            // The cut's own index: the same generations, sizes, event counts
            // and (absolute) end times.
            let cix = match index::build(&out) {
                Ok(c) => c,
                Err(e) => {
                    failures.push(format!("{label}: cannot index the cut: {e}"));
                    continue;
                }
            };
            if cix.error.is_some() || cix.generations.len() != keep.len() {
                failures.push(format!(
                    "{label}: the cut's index has {} generations (error {:?}), want {}",
                    cix.generations.len(),
                    cix.error,
                    keep.len()
                ));
                continue;
            }
            for (c, o) in cix.generations.iter().zip(&keep) {
                let same = c.number == o.number
                    && c.len_bytes() == o.len_bytes()
                    && c.batches == o.batches
                    && c.events == o.events
                    && cix.absolute(c.end_ns) == ix.absolute(o.end_ns);
                if !same {
                    failures.push(format!(
                        "{label}: generation differs in the cut: {c:?} vs {o:?}"
                    ));
                }
            }
            if keep[0].number != ix.generations[0].number {
                not_first_gen += 1;
            }
            // Go reads it, and prints what we print.
            let verdict = seen
                .entry(out.clone())
                .or_insert_with(|| {
                    go_runs += 1;
                    let file = dir.join(format!("cut-{go_runs}.trace"));
                    std::fs::write(&file, &out).expect("write cut");
                    let (code, go_out, go_err) = go_parsed(&tool, &file, &dir);
                    let _ = std::fs::remove_file(&file);
                    if code != 0 {
                        return Err(format!("go exited {code}: {}", go_err.trim()));
                    }
                    match our_parsed(&out) {
                        Ok(ours) if ours == go_out => Ok(()),
                        Ok(ours) => Err(first_difference(&go_out, &ours)),
                        Err(e) => Err(format!("go read it, gotrace failed: {e}")),
                    }
                })
                .clone();
            if let Err(e) = verdict {
                failures.push(format!("{label}: {e}"));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        failures.is_empty(),
        "{} of {checked} cuts failed:\n  - {}\n",
        failures.len(),
        failures.join("\n  - ")
    );
    assert!(multi_gen_cuts > 0 && not_first_gen > 0);
    eprintln!(
        "{checked} cuts of {} traces ({} distinct files run through Go, {multi_gen_cuts} with \
         several generations, {not_first_gen} starting after the first generation): Go reads \
         every one like gotrace",
        traces.len(),
        go_runs
    );
}

/// Old-format traces cannot be cut; the error says so.
#[test]
fn old_format_traces_are_refused() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/traces/go1.21");
    let data = std::fs::read(root.join("stress.trace")).expect("go1.21 trace");
    let e = cut(&data, 0, i64::MAX).unwrap_err();
    assert!(matches!(e, CutError::Trace(_)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "old-format trace (go 1.21): cutting needs Go 1.22+ traces"
    );
}
