//! Differential tests of `gotrace pprof` against go1.27.3's
//! `go tool trace -pprof=net|sync|syscall|sched` on every committed trace
//! (`testdata/traces/**/*.trace`), and of the per-group profiles against
//! the live server's `/io|/block|/syscall|/sched?name=G&raw=1`.
//!
//! Both profiles are decoded (our own protobuf reader) and compared sample
//! for sample as multisets of (values, frames), since Go writes samples in
//! map order. Needs the Go toolchain (GOTRACE_GO, default
//! /root/.cache/gotrace/go/1.27.3/go/bin/go); fails without it.

#[path = "../../gotrace/tests/support/mod.rs"]
mod support;

use gotrace::analysis::goroutines::{analyze, AnalysisOptions};
use gotrace::analysis::pprof::{build_from_trace, ProfileKind, ProfileSet, Selection};
use gotrace::Tables;
use std::path::{Path, PathBuf};

const KINDS: [&str; 4] = ["net", "sync", "syscall", "sched"];

/// Runs the CLI: (status, stdout, stderr).
fn cli(args: &[&str]) -> (u8, Vec<u8>, String) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let st = gotrace_cli::run(&args, &mut out, &mut err);
    (st, out, String::from_utf8_lossy(&err).into_owned())
}

fn check_file(file: &Path) -> Vec<String> {
    let bytes = std::fs::read(file).expect("read trace");
    let name = support::display(file);
    let path = file.to_string_lossy().into_owned();
    let tol = support::profile::time_tolerance(&bytes);
    let mut failures = Vec::new();
    for kind in KINDS {
        let (code, go_out, go_err) = support::profile::go_pprof(kind, file, &bytes);
        let (st, our_out, our_err) = cli(&["pprof", kind, &path]);
        if code != 0 {
            if st == 0 {
                failures.push(format!(
                    "{name} -pprof={kind}: go failed ({}) but gotrace succeeded",
                    go_err.trim()
                ));
            }
            continue;
        }
        if st != 0 {
            failures.push(format!(
                "{name} -pprof={kind}: gotrace failed ({}) but go succeeded",
                our_err.trim()
            ));
            continue;
        }
        let want = match support::profile::decode_profile(&go_out) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!(
                    "{name} -pprof={kind}: cannot decode go's profile: {e}"
                ));
                continue;
            }
        };
        let got = match support::profile::decode_profile(&our_out) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!(
                    "{name} -pprof={kind}: cannot decode our profile: {e}"
                ));
                continue;
            }
        };
        if want.sample_types != got.sample_types
            || want.period_type != got.period_type
            || want.period != got.period
        {
            failures.push(format!(
                "{name} -pprof={kind}: header differs: go {:?} {:?} {}, gotrace {:?} {:?} {}",
                want.sample_types,
                want.period_type,
                want.period,
                got.sample_types,
                got.period_type,
                got.period
            ));
        }
        if let Some(d) = support::profile::sample_diff(&want.samples, &got.samples, tol) {
            failures.push(format!("{name} -pprof={kind}: {d}"));
        }
    }
    failures
}

#[test]
fn pprof_matches_go_on_committed_traces() {
    let files = support::trace_files();
    let results = support::parallel_map(&files, support::threads(), |f| check_file(f));
    let failures: Vec<String> = results.into_iter().flatten().collect();
    eprintln!(
        "pprof: {} traces x {} profiles compared with go tool trace -pprof",
        files.len(),
        KINDS.len()
    );
    assert!(
        failures.is_empty(),
        "{} profile(s) differ from go1.27.3:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

/// Go's own pprof reader accepts our files and sees the same totals.
#[test]
fn go_pprof_reads_our_files() {
    let files = support::trace_files();
    // The richest few traces (by size) are enough to exercise the encoder.
    let mut by_size: Vec<(u64, PathBuf)> = files
        .iter()
        .map(|f| {
            (
                std::fs::metadata(f).map(|m| m.len()).unwrap_or(0),
                f.clone(),
            )
        })
        .collect();
    by_size.sort();
    let picked: Vec<PathBuf> = by_size
        .iter()
        .rev()
        .take(3)
        .map(|(_, f)| f.clone())
        .collect();
    let mut failures = Vec::new();
    for f in &picked {
        let bytes = std::fs::read(f).expect("read trace");
        for kind in KINDS {
            let (code, go_out, _) = support::profile::go_pprof(kind, f, &bytes);
            if code != 0 {
                continue;
            }
            let (st, ours, err) = cli(&["pprof", kind, &f.to_string_lossy()]);
            assert_eq!(st, 0, "gotrace pprof {kind} {}: {err}", f.display());
            let mine = support::scratch_file(&ours, "pb.gz");
            let theirs = support::scratch_file(&go_out, "pb.gz");
            let (c1, raw_mine) = support::profile::go_pprof_raw(&mine);
            let (c2, raw_theirs) = support::profile::go_pprof_raw(&theirs);
            if c1 != 0 || c2 != 0 {
                failures.push(format!(
                    "{} {kind}: go tool pprof -raw failed: ours {c1}: {raw_mine}\ngo's {c2}: {raw_theirs}",
                    support::display(f)
                ));
                continue;
            }
            // Compare the sample lines (values + location ids differ in
            // numbering, so keep the values only) as multisets.
            let values = |raw: &str| -> Vec<String> {
                let mut v: Vec<String> = raw
                    .lines()
                    .skip_while(|l| !l.starts_with("Samples:"))
                    .skip(2)
                    .take_while(|l| !l.starts_with("Locations"))
                    .filter_map(|l| l.split(':').next().map(|s| s.trim().to_string()))
                    .filter(|s| !s.is_empty())
                    .collect();
                v.sort();
                v
            };
            // Old-format traces: Go orders events that share a timestamp
            // arbitrarily and then bumps them 1 ns apart, so its delays
            // vary run to run by a few ns per sample. Compare those with a
            // tolerance; new-format traces exactly.
            let old_format = bytes.get(..16).is_some_and(|h| {
                h.starts_with(b"go 1.11 ")
                    || h.starts_with(b"go 1.19 ")
                    || h.starts_with(b"go 1.21 ")
            });
            let (a, b) = (values(&raw_mine), values(&raw_theirs));
            let same = if old_format {
                let totals = |v: &[String]| -> (usize, i64, i64) {
                    let mut t = (v.len(), 0i64, 0i64);
                    for line in v {
                        let mut nums = line
                            .split_whitespace()
                            .filter_map(|x| x.parse::<i64>().ok());
                        t.1 += nums.next().unwrap_or(0);
                        t.2 += nums.next().unwrap_or(0);
                    }
                    t
                };
                let (ta, tb) = (totals(&a), totals(&b));
                ta.0 == tb.0 && ta.1 == tb.1 && (ta.2 - tb.2).abs() <= 1_000 * ta.1.max(1)
            } else {
                a == b
            };
            if !same {
                failures.push(format!(
                    "{} {kind}: go tool pprof -raw sample values differ",
                    support::display(f)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn our_set(bytes: &[u8]) -> (ProfileSet, Tables) {
    let (set, tables, _) = build_from_trace(bytes, None).expect("readable trace");
    (set, tables)
}

/// Damaged traces: the committed multi-generation traces cut short (the
/// cut files live in the test cache, derived from the committed ones).
/// Go then profiles the complete generations only, but names goroutines
/// and dates their first run from every event it read.
#[test]
fn pprof_matches_go_on_truncated_traces() {
    let files: Vec<PathBuf> = support::trace_files()
        .into_iter()
        .filter(|f| {
            let n = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
            n.starts_with("annotations")
                || n.starts_with("flightrecorder")
                || n.starts_with("stress")
        })
        .collect();
    assert!(!files.is_empty(), "no multi-generation traces to cut");
    let mut cuts = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).expect("read trace");
        for pct in [35usize, 60, 85] {
            let cut = bytes[..bytes.len() * pct / 100].to_vec();
            cuts.push(support::scratch_file(&cut, "trace"));
        }
    }
    let results = support::parallel_map(&cuts, support::threads(), |f| check_file(f));
    let failures: Vec<String> = results.into_iter().flatten().collect();
    assert!(
        failures.is_empty(),
        "{} profile(s) of cut traces differ from go1.27.3:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

fn check_groups(file: &Path) -> Vec<String> {
    let name = support::display(file);
    let bytes = std::fs::read(file).expect("read trace");
    let server = match support::server::GoServer::start(file) {
        Ok(s) => s,
        Err(out) => {
            // Go cannot read it at all; nor should we.
            return match gotrace::Reader::new(&bytes)
                .ok()
                .and_then(|mut r| r.next_event())
            {
                Some(Ok(_)) => vec![format!(
                    "{name}: go tool trace -http failed ({}) but gotrace reads it",
                    out.trim()
                )],
                _ => vec![],
            };
        }
    };
    let (report, _) = analyze(&bytes, AnalysisOptions::default()).expect("analyze");
    let (set, tables) = our_set(&bytes);
    let tol = support::profile::time_tolerance(&bytes);
    let mut failures = Vec::new();
    for g in report.groups() {
        for (kind, page) in [
            (ProfileKind::Net, "io"),
            (ProfileKind::Sync, "block"),
            (ProfileKind::Syscall, "syscall"),
            (ProfileKind::Sched, "sched"),
        ] {
            let path = format!(
                "/{page}?name={}&raw=1",
                support::server::query_escape(&g.name)
            );
            let (status, body) = match server.get(&path) {
                Ok(r) => r,
                Err(e) => {
                    failures.push(format!("{name} {path}: {e}"));
                    continue;
                }
            };
            if status != 200 {
                failures.push(format!(
                    "{name} {path}: go answered {status}: {}",
                    String::from_utf8_lossy(&body)
                ));
                continue;
            }
            let want = match support::profile::decode_profile(&body) {
                Ok(d) => d,
                Err(e) => {
                    failures.push(format!("{name} {path}: cannot decode go's profile: {e}"));
                    continue;
                }
            };
            // Go's server selects every goroutine for an empty name.
            let p = set.profile(kind, &Selection::go_group(&g.name), &tables);
            let got = support::profile::decode_profile(&p.to_pprof()).expect("decode ours");
            if let Some(d) = support::profile::sample_diff(&want.samples, &got.samples, tol) {
                failures.push(format!("{name} {path}: {d}"));
            }
        }
    }
    failures
}

#[test]
fn group_profiles_match_go_server() {
    let files = support::trace_files();
    let results = support::parallel_map(&files, support::threads(), |f| check_groups(f));
    let failures: Vec<String> = results.into_iter().flatten().collect();
    assert!(
        failures.is_empty(),
        "{} group profile(s) differ from go1.27.3's server:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

/// The analyses never panic on damaged input: every committed trace, with
/// a few random edits, through both analyses, all profiles, the encoder
/// and the flame tree.
#[test]
fn analyses_survive_mutated_traces() {
    let files = support::trace_files();
    support::parallel_map(&files, support::threads(), |f| {
        let base = std::fs::read(f).expect("read trace");
        let mut rng = support::Rng(0x9e37_79b9_7f4a_7c15 ^ base.len() as u64);
        for _ in 0..8 {
            let b = support::mutate(&base, &mut rng, false);
            if let Ok((report, _)) = analyze(&b, AnalysisOptions::default()) {
                for g in report.groups() {
                    let _ = report.group(&g.name);
                }
            }
            let _ = analyze(
                &b,
                AnalysisOptions {
                    window: Some((i64::MIN / 2, i64::MAX / 2)),
                    goroutines: None,
                },
            );
            if let Ok((set, tables, _)) = build_from_trace(&b, Some((0, i64::MAX))) {
                for kind in ProfileKind::ALL {
                    let p = set.profile(kind, &Selection::All, &tables);
                    let _ = p.to_pprof();
                    let _ = p.flame_tree();
                }
            }
        }
    });
}
