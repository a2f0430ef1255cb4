//! Differential test of old-format (v1) trace reading against go1.27.3's
//! `go tool trace -d=parsed`.
//!
//! Go's v1 output is not deterministic: pre-existing goroutines' statuses come
//! out in map order, and events of different Ps with equal timestamps are
//! merged in map order and then bumped apart by a few ns. So we compare what
//! Go determines: the multiset of events with times blanked, each
//! goroutine's own event sequence, and the sorted event times within a few
//! ns. Go itself is checked against that rule first (two runs).
//!
//! The Go binary is `$GOTRACE_GO` or the pinned toolchain; if it is missing
//! the test fails — it never skips.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{go_binary, Rng};

use gotrace::tables::Tables;
use gotrace::wire::parse_header;

/// How far apart the i-th smallest times of two valid orders may be: ties
/// are bumped 1 ns per event, so a run of k equal stamps shifts by < k.
const TIME_SLACK_NS: i64 = 64;
/// How often to rerun Go when its error differs from ours.
const GO_RETRIES: usize = 20;

/// Runs `go tool trace -d=parsed`: (stdout, stderr, success).
fn run_go(go: &Path, file: &Path) -> (String, String, bool) {
    let out = Command::new(go)
        .args(["tool", "trace", "-d=parsed"])
        .arg(file)
        .env("GOTOOLCHAIN", "local")
        .env("TZ", "UTC")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", go.display()));
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

/// Our rendering of `file`, and our error if any.
fn run_ours(file: &Path) -> (String, Option<String>) {
    let data = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let version = parse_header(&data).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut tables = Tables::new();
    let (events, err) = gotrace::v1::read(&data, version, &mut tables);
    let mut text = Vec::new();
    for ev in &events {
        gotrace::dump::write_event(&mut text, ev, &tables).expect("writing to memory");
    }
    (
        String::from_utf8_lossy(&text).into_owned(),
        err.map(|e| e.message),
    )
}

/// All v1 traces we have: Go's own test data and the project's.
fn v1_traces(go: &Path) -> Vec<PathBuf> {
    let goroot = go
        .parent()
        .and_then(Path::parent)
        .expect("go binary lives in <GOROOT>/bin");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut dirs = vec![
        goroot.join("src/internal/trace/internal/tracev1/testdata"),
        repo.join("testdata/go/tracev1"),
        repo.join("testdata/traces/go1.21"),
    ];
    // More traces (e.g. mutated ones, to compare errors) on request.
    if let Some(extra) = std::env::var_os("GOTRACE_V1_EXTRA_DIR") {
        dirs.push(PathBuf::from(extra));
    }
    let mut files = Vec::new();
    // The project keeps copies of Go's files: test each content once.
    let mut seen = std::collections::HashSet::new();
    for dir in dirs {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut here: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        here.sort();
        for p in here {
            let Ok(data) = std::fs::read(&p) else {
                continue;
            };
            if parse_header(&data).is_ok_and(|v| v.is_v1()) && seen.insert(data) {
                files.push(p);
            }
        }
    }
    files
}

/// One printed event: its text with the time blanked, and the fields we key on.
#[derive(Debug, Clone)]
struct Block {
    g: i64,
    time: i64,
    text: String,
}

fn field(line: &str, key: &str) -> Option<i64> {
    line.split(' ')
        .find_map(|w| w.strip_prefix(key))
        .and_then(|v| v.parse().ok())
}

fn blocks(out: &str) -> Result<Vec<Block>, String> {
    let mut res: Vec<Block> = Vec::new();
    for line in out.lines() {
        if line.starts_with("M=") {
            let (Some(g), Some(time)) = (field(line, "G="), field(line, "Time=")) else {
                return Err(format!("unparsable event line: {line}"));
            };
            let text = line.replacen(&format!(" Time={time}"), " Time=_", 1);
            res.push(Block { g, time, text });
        } else if let Some(b) = res.last_mut() {
            b.text.push('\n');
            b.text.push_str(line);
        } else if !line.is_empty() {
            return Err(format!("text before the first event: {line}"));
        }
    }
    Ok(res)
}

/// Compares two renderings under the rule in the module doc.
fn compare(want: &str, got: &str) -> Result<usize, String> {
    let (w, g) = (blocks(want)?, blocks(got)?);
    if w.len() != g.len() {
        return Err(format!("{} events from Go, {} from us", w.len(), g.len()));
    }
    // The leading Sync is fully determined.
    if let (Some(a), Some(b)) = (w.first(), g.first()) {
        if (a.time, &a.text) != (b.time, &b.text) {
            return Err(format!("first event differs:\n  go: {a:?}\n  us: {b:?}"));
        }
    }
    // Same events, ignoring order and time.
    let mut wt: Vec<&str> = w.iter().map(|b| b.text.as_str()).collect();
    let mut gt: Vec<&str> = g.iter().map(|b| b.text.as_str()).collect();
    wt.sort_unstable();
    gt.sort_unstable();
    if let Some((a, b)) = wt.iter().zip(&gt).find(|(a, b)| a != b) {
        return Err(format!(
            "event sets differ; first difference in sorted order:\n  go: {a}\n  us: {b}"
        ));
    }
    // Each goroutine's own events in the same order.
    let per_g = |bs: &[Block]| {
        let mut m: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for b in bs.iter().filter(|b| b.g >= 0) {
            m.entry(b.g).or_default().push(b.text.clone());
        }
        m
    };
    let (wg, gg) = (per_g(&w), per_g(&g));
    for (id, wseq) in &wg {
        let gseq = gg.get(id).map(Vec::as_slice).unwrap_or(&[]);
        if let Some(i) = (0..wseq.len().max(gseq.len())).find(|&i| wseq.get(i) != gseq.get(i)) {
            return Err(format!(
                "goroutine {id}: event #{i} differs:\n  go: {:?}\n  us: {:?}",
                wseq.get(i),
                gseq.get(i)
            ));
        }
    }
    // Times: the same up to tie bumping.
    let mut wts: Vec<i64> = w.iter().map(|b| b.time).collect();
    let mut gts: Vec<i64> = g.iter().map(|b| b.time).collect();
    wts.sort_unstable();
    gts.sort_unstable();
    if let Some((i, (a, b))) = wts
        .iter()
        .zip(&gts)
        .enumerate()
        .find(|(_, (a, b))| (*a - *b).abs() > TIME_SLACK_NS)
    {
        return Err(format!("{i}-th smallest time: go {a}, us {b}"));
    }
    Ok(w.len())
}

/// Go's error: the message the tool prints, or what Go's printer panicked
/// with (it panics on ids missing from its tables; we stop with an error).
fn go_error(stderr: &str) -> String {
    if let Some(p) = stderr.lines().find_map(|l| l.strip_prefix("panic: ")) {
        return p.to_string();
    }
    stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .to_string()
}

/// Runs Go and us on `file`; `Err` lists what differs, `Ok` says how well
/// it matched.
fn check_file(go: &Path, file: &Path) -> Result<String, Vec<String>> {
    let name = file.display().to_string();
    let (want, stderr, ok) = run_go(go, file);
    let (got, err) = run_ours(file);
    // Debugging aid: keep both renderings for a manual diff.
    if let Some(dir) = std::env::var_os("GOTRACE_V1_DUMP_DIR") {
        let base = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir = Path::new(&dir);
        let _ = std::fs::create_dir_all(dir);
        let _ = std::fs::write(dir.join(format!("{base}.go.txt")), &want);
        let _ = std::fs::write(dir.join(format!("{base}.ours.txt")), &got);
    }
    let mut failures = Vec::new();
    match (ok, &err) {
        (true, Some(e)) => failures.push(format!("{name}: Go succeeds, we fail: {e}")),
        (false, None) => failures.push(format!(
            "{name}: Go fails ({}), we succeed",
            go_error(&stderr)
        )),
        (false, Some(e)) => {
            let ge = go_error(&stderr);
            // With several errors in a trace, which one Go reports depends on
            // the map order it loads batches in: give it a few more tries.
            let again = || (0..GO_RETRIES).map(|_| go_error(&run_go(go, file).1));
            if !ge.contains(e.as_str()) && !again().any(|g| g.contains(e.as_str())) {
                failures.push(format!("{name}: errors differ: go {ge:?}, us {e:?}"));
            }
        }
        (true, None) => {}
    }
    let status = match compare(&want, &got) {
        Ok(n) if want == got => format!("{name}: {n} events, byte-identical"),
        Ok(n) => format!("{name}: {n} events, equal up to Go's nondeterminism"),
        Err(e) => {
            failures.push(format!("{name}: {e}"));
            String::new()
        }
    };
    match (failures.is_empty(), err) {
        (true, Some(e)) => Ok(format!("{status}; both fail: {e}")),
        (true, None) => Ok(status),
        (false, _) => Err(failures),
    }
}

#[test]
fn v1_traces_match_go() {
    let go = go_binary();
    let files = v1_traces(&go);
    assert!(!files.is_empty(), "no v1 traces found");
    let mut failures = Vec::new();
    for file in &files {
        match check_file(&go, file) {
            Ok(status) => eprintln!("ok   {status}"),
            Err(f) => failures.extend(f),
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Broken traces: Go fails before printing anything for most damage, and
/// otherwise prints up to the event its printer chokes on. We must fail (or
/// not) alike, with Go's message. Deterministic mutations of the small v1
/// traces: truncation, byte flips, off-by-one values, cut-out spans.
#[test]
fn mutated_v1_traces_fail_like_go() {
    let go = go_binary();
    let dir = std::env::temp_dir().join(format!("gotrace-v1-mutants-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let per_file: usize = std::env::var("GOTRACE_V1_MUTANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut rand = move |n: usize| rng.below(n.max(1));
    let mut failures = Vec::new();
    let mut failing = 0;
    let sources: Vec<PathBuf> = v1_traces(&go)
        .into_iter()
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() < 30_000))
        .collect();
    assert!(!sources.is_empty(), "no small v1 traces to mutate");
    for src in &sources {
        let data = std::fs::read(src).unwrap();
        let body = data.len() - 16;
        for i in 0..per_file {
            let mut m = data.clone();
            let at = 16 + rand(body);
            match i % 4 {
                0 => m.truncate(at),
                1 => m[at] = rand(256) as u8,
                2 => m[at] = m[at].wrapping_add(if rand(2) == 0 { 1 } else { 255 }),
                _ => {
                    let end = (at + 1 + rand(16)).min(m.len());
                    m.drain(at..end);
                }
            }
            let name = format!("{}-{i}", src.file_name().unwrap().to_string_lossy());
            let path = dir.join(name);
            std::fs::write(&path, &m).unwrap();
            match check_file(&go, &path) {
                Ok(status) => failing += usize::from(status.contains("both fail")),
                Err(f) => failures.extend(f),
            }
        }
    }
    eprintln!(
        "{} mutants, {failing} rejected by both Go and us",
        sources.len() * per_file
    );
    if failures.is_empty() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Hostile bytes never panic us (no Go needed): many mutations of each trace.
#[test]
fn mutated_v1_traces_never_panic() {
    let go = go_binary();
    let mut rng = Rng(42);
    for src in v1_traces(&go) {
        let data = std::fs::read(&src).unwrap();
        if data.len() > 30_000 {
            continue;
        }
        for _ in 0..300 {
            let mut m = data.clone();
            let at = 16 + rng.below(m.len() - 16);
            m[at] ^= rng.next() as u8 | 1;
            if rng.below(5) == 0 {
                m.truncate(at + 1);
            }
            let version = parse_header(&m).unwrap();
            let mut tables = Tables::new();
            let _ = gotrace::v1::read(&m, version, &mut tables);
        }
    }
}

/// The comparison rule must accept Go's own run-to-run variation.
#[test]
fn go_agrees_with_itself_under_the_rule() {
    let go = go_binary();
    for file in v1_traces(&go) {
        let (a, _, _) = run_go(&go, &file);
        let (b, _, _) = run_go(&go, &file);
        if let Err(e) = compare(&a, &b) {
            panic!(
                "{}: two Go runs differ beyond the rule: {e}",
                file.display()
            );
        }
    }
}

/// Traces of Go 1.5–1.10 are refused, by Go and by us, naming the version.
#[test]
fn pre_go_1_11_headers_are_refused_clearly() {
    let go = go_binary();
    let dir = std::env::temp_dir().join(format!("gotrace-v1-headers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for minor in 5..=10 {
        let mut data = format!("go 1.{minor} trace").into_bytes();
        data.resize(16, 0);
        // A plausible old body: a batch and a frequency.
        data.extend_from_slice(&[0x41, 0, 0, 0x02, 100]);
        let want = format!("unknown or unsupported trace version go 1.{minor}");
        let err = parse_header(&data).expect_err("pre-1.11 header accepted");
        assert!(
            err.message.contains(&want),
            "go 1.{minor}: our error {:?}",
            err.message
        );
        assert_eq!(err.offset, Some(0));
        let path = dir.join(format!("go1_{minor}.trace"));
        std::fs::write(&path, &data).unwrap();
        let (out, stderr, ok) = run_go(&go, &path);
        assert!(!ok && out.is_empty(), "go accepted a go 1.{minor} trace");
        assert!(stderr.contains(&want), "go 1.{minor}: go says {stderr:?}");
    }
    // Real traces of those versions, where the project has them.
    let legacy = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/go/legacy");
    if let Ok(rd) = std::fs::read_dir(legacy) {
        for p in rd.filter_map(|e| e.ok().map(|e| e.path())) {
            let data = std::fs::read(&p).unwrap();
            let err = parse_header(&data).expect_err("legacy trace accepted");
            assert!(
                err.message
                    .contains("unknown or unsupported trace version go 1."),
                "{}: {err}",
                p.display()
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
