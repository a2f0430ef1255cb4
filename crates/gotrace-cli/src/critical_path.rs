//! `gotrace critical-path --goroutine G [--start T] [--end T] [--limit N] [--json] FILE`:
//! the chain of goroutines G waited on over a window (see
//! `analysis::critical_path` for the rules), forward in time, with each
//! goroutine's share.
//!
//! `--start`/`--end` are absolute trace times in ns (as `gotrace dump`
//! prints them), or durations since the trace's start with a unit
//! (`12.5ms`, `1s`). They default to the trace's start and end. Times print
//! relative to the trace's start, plus the absolute ns.

use crate::{
    analyze_file, one_file, parse_args, report_damage, table, usage, write_json, Status, BAD_TRACE,
    OK,
};
use gotrace::analysis::critical_path::{
    from_trace, CriticalPath, Edge, EdgeKind, KindTotals, SegmentKind, Stop, DEFAULT_LIMIT,
};
use gotrace::analysis::stats::human_duration;
use gotrace::cut::TimeArg;
use gotrace::event::{GoId, Time};
use gotrace::tables::{StackId, Tables};
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write;

const CMD: &str = "critical-path";
const OPTIONS: &str = "options: --goroutine GOID (required), --start T, --end T \
(absolute ns, or a duration since the trace start such as 12.5ms), --limit SEGMENTS, --json";

struct Opts {
    goroutine: GoId,
    start: Option<TimeArg>,
    end: Option<TimeArg>,
    limit: usize,
    json: bool,
    file: String,
}

fn parse_opts(args: &[String]) -> Result<Opts, String> {
    let mut goroutine = None;
    let (mut start, mut end) = (None, None);
    let mut limit = DEFAULT_LIMIT;
    let mut json = false;
    let positional = parse_args(args, |name, p| {
        match name {
            "--goroutine" | "-g" => {
                let v = p.value("--goroutine")?;
                let v = v.trim().trim_start_matches(['G', 'g']);
                goroutine = Some(v.parse().map_err(|_| format!("bad --goroutine {v:?}"))?);
            }
            "--start" => start = Some(p.parsed(name, TimeArg::parse)?),
            "--end" => end = Some(p.parsed(name, TimeArg::parse)?),
            "--limit" => limit = p.parsed(name, |v| v.parse().ok())?,
            "--json" => json = true,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(Opts {
        goroutine: goroutine.ok_or("--goroutine is required")?,
        start,
        end,
        limit,
        json,
        file: one_file(positional)?,
    })
}

pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Status {
    let o = match parse_opts(args) {
        Ok(o) => o,
        Err(m) => return usage(CMD, &format!("{m}\n{OPTIONS}"), err),
    };
    let (a, tables, error) = match analyze_file(&o.file, err, from_trace) {
        Ok(r) => r,
        Err(s) => return s,
    };
    report_damage(
        error.as_ref(),
        "the analysis covers what was read before",
        err,
    );
    let Some((origin, last)) = a.time_range() else {
        let _ = writeln!(err, "gotrace {CMD}: the trace has no events");
        return BAD_TRACE;
    };
    let start = o.start.map_or(origin, |s| s.absolute(origin));
    let end = o.end.map_or(last, |e| e.absolute(origin));
    let Some(p) = a.path_limited(o.goroutine, start, end, o.limit, &tables) else {
        let _ = writeln!(
            err,
            "gotrace {CMD}: goroutine {} does not appear in the trace",
            o.goroutine
        );
        return BAD_TRACE;
    };
    let _ = if o.json {
        write_json(out, &json(&p, origin, &tables))
    } else {
        out.write_all(text(&p, origin, &tables).as_bytes())
    };
    let _ = out.flush();
    if error.is_some() {
        BAD_TRACE
    } else {
        OK
    }
}

/// Where an unblock happened: the first frame outside package runtime
/// (else the leaf), as `func file:line`.
fn site(stack: StackId, tables: &Tables) -> String {
    let mut frames = tables.stack(stack).peekable();
    let leaf = frames.peek().copied();
    let f = frames
        .find(|f| !tables.bytes(f.func).starts_with(b"runtime."))
        .or(leaf);
    match f {
        Some(f) => format!("{} {}:{}", tables.str(f.func), tables.str(f.file), f.line),
        None => "(no stack)".into(),
    }
}

fn since(t: Time, origin: Time) -> String {
    human_duration(t.saturating_sub(origin))
}

fn edge_text(e: &Edge, origin: Time, tables: &Tables) -> String {
    match e.kind {
        EdgeKind::Create => format!("→ creates G{} at {}", e.target, site(e.stack, tables)),
        EdgeKind::Unblock => {
            let mut s = format!("→ unblocks G{}", e.target);
            match (e.reason.is_empty(), e.waiting_since) {
                (false, Some(w)) => {
                    let _ = write!(s, " ({}, waiting since {})", e.reason, since(w, origin));
                }
                (false, None) => {
                    let _ = write!(s, " ({})", e.reason);
                }
                (true, Some(w)) => {
                    let _ = write!(s, " (waiting since {})", since(w, origin));
                }
                (true, None) => {}
            }
            let _ = write!(s, " at {}", site(e.stack, tables));
            s
        }
    }
}

fn goroutine_label(g: GoId, name: &str) -> String {
    if name.is_empty() {
        format!("G{g}")
    } else {
        format!("G{g} {name}")
    }
}

fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "-".into();
    }
    format!("{:.1}%", part as f64 * 100.0 / whole as f64)
}

fn text(p: &CriticalPath, origin: Time, tables: &Tables) -> String {
    let mut s = String::new();
    let name = p
        .goroutines
        .iter()
        .find(|g| g.goroutine == p.goroutine)
        .map(|g| g.name.clone())
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "critical path of {} over {} .. {} (since the trace start; {} .. {} ns)",
        goroutine_label(p.goroutine, &name),
        since(p.window.0, origin),
        since(p.window.1, origin),
        p.window.0,
        p.window.1
    );
    let _ = writeln!(
        s,
        "covers {} .. {} ({}), {} segment(s), {} hop(s); the walk stopped: {}",
        since(p.start, origin),
        since(p.end, origin),
        human_duration(p.end.saturating_sub(p.start)),
        p.segments.len(),
        p.hops,
        p.stop.describe()
    );
    if p.end < p.window.1 && !p.segments.is_empty() {
        let _ = writeln!(
            s,
            "G{} exited at {}: the path ends there",
            p.goroutine,
            since(p.end, origin)
        );
    }
    s.push('\n');
    let mut rows = vec![[
        "start",
        "end",
        "duration",
        "goroutine",
        "state",
        "start ns",
        "end ns",
        "edge",
    ]
    .map(String::from)
    .to_vec()];
    let mut names = std::collections::HashMap::new();
    for g in &p.goroutines {
        names.insert(g.goroutine, g.name.as_str());
    }
    for seg in &p.segments {
        rows.push(vec![
            since(seg.start, origin),
            since(seg.end, origin),
            human_duration(seg.duration()),
            goroutine_label(
                seg.goroutine,
                names.get(&seg.goroutine).copied().unwrap_or(""),
            ),
            seg.kind.label(),
            seg.start.to_string(),
            seg.end.to_string(),
            seg.via
                .as_ref()
                .map(|e| edge_text(e, origin, tables))
                .unwrap_or_default(),
        ]);
    }
    let right = [true, true, true, false, false, true, true, false];
    s.push_str(&table(&rows, |i| right.get(i).copied().unwrap_or(false)));
    let total = p.totals.total();
    let _ = writeln!(s, "\ntotals: {} on the path", human_duration(total));
    let mut rows = vec![[
        "goroutine",
        "time on path",
        "share",
        "running",
        "runnable",
        "syscall",
        "waiting",
        "segments",
    ]
    .map(String::from)
    .to_vec()];
    let cells = |t: &KindTotals| -> Vec<String> {
        vec![
            human_duration(t.total()),
            percent(t.total(), total),
            human_duration(t.running),
            human_duration(t.runnable),
            human_duration(t.syscall),
            human_duration(t.waiting),
        ]
    };
    for g in &p.goroutines {
        let mut r = vec![goroutine_label(g.goroutine, &g.name)];
        r.extend(cells(&g.time));
        r.push(g.segments.to_string());
        rows.push(r);
    }
    let mut r = vec!["all".to_string()];
    r.extend(cells(&p.totals));
    r.push(p.segments.len().to_string());
    rows.push(r);
    s.push_str(&table(&rows, |i| i > 0));
    s
}

fn kind_json(k: &SegmentKind) -> (&'static str, &str) {
    match k {
        SegmentKind::Running => ("running", ""),
        SegmentKind::Runnable => ("runnable", ""),
        SegmentKind::Syscall => ("syscall", ""),
        SegmentKind::Waiting { reason } => ("waiting", reason.as_str()),
    }
}

#[derive(Serialize)]
struct TotalsJson {
    total_ns: i64,
    running_ns: i64,
    runnable_ns: i64,
    syscall_ns: i64,
    waiting_ns: i64,
}

fn totals_json(t: &KindTotals) -> TotalsJson {
    TotalsJson {
        total_ns: t.total(),
        running_ns: t.running,
        runnable_ns: t.runnable,
        syscall_ns: t.syscall,
        waiting_ns: t.waiting,
    }
}

#[derive(Serialize)]
struct StopJson {
    kind: &'static str,
    text: String,
}

fn stop_json(s: &Stop) -> StopJson {
    let kind = match s {
        Stop::ReachedStart => "reached_start",
        Stop::Origin { .. } => "origin",
        Stop::Limit => "limit",
        Stop::Cycle { .. } => "cycle",
    };
    StopJson {
        kind,
        text: s.describe(),
    }
}

#[derive(Serialize)]
struct EdgeJson<'a> {
    kind: &'static str,
    target: GoId,
    time_ns: Time,
    reason: &'a str,
    waiting_since_ns: Option<Time>,
    site: String,
}

#[derive(Serialize)]
struct SegmentJson<'a> {
    goroutine: GoId,
    start_ns: Time,
    end_ns: Time,
    state: &'static str,
    reason: &'a str,
    via: Option<EdgeJson<'a>>,
}

#[derive(Serialize)]
struct GoroutineJson<'a> {
    goroutine: GoId,
    name: &'a str,
    segments: usize,
    time: TotalsJson,
}

#[derive(Serialize)]
struct PathJson<'a> {
    goroutine: GoId,
    trace_start_ns: Time,
    window_ns: (Time, Time),
    start_ns: Time,
    end_ns: Time,
    hops: usize,
    stop: StopJson,
    totals: TotalsJson,
    segments: Vec<SegmentJson<'a>>,
    goroutines: Vec<GoroutineJson<'a>>,
}

fn json<'a>(p: &'a CriticalPath, origin: Time, tables: &Tables) -> PathJson<'a> {
    PathJson {
        goroutine: p.goroutine,
        trace_start_ns: origin,
        window_ns: p.window,
        start_ns: p.start,
        end_ns: p.end,
        hops: p.hops,
        stop: stop_json(&p.stop),
        totals: totals_json(&p.totals),
        segments: p
            .segments
            .iter()
            .map(|s| {
                let (state, reason) = kind_json(&s.kind);
                SegmentJson {
                    goroutine: s.goroutine,
                    start_ns: s.start,
                    end_ns: s.end,
                    state,
                    reason,
                    via: s.via.as_ref().map(|e| EdgeJson {
                        kind: match e.kind {
                            EdgeKind::Unblock => "unblock",
                            EdgeKind::Create => "create",
                        },
                        target: e.target,
                        time_ns: e.time,
                        reason: &e.reason,
                        waiting_since_ns: e.waiting_since,
                        site: site(e.stack, tables),
                    }),
                }
            })
            .collect(),
        goroutines: p
            .goroutines
            .iter()
            .map(|g| GoroutineJson {
                goroutine: g.goroutine,
                name: &g.name,
                segments: g.segments,
                time: totals_json(&g.time),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_options() {
        let o = parse_opts(&args(&[
            "--goroutine",
            "G12",
            "--start=1.5ms",
            "--end",
            "1706651973312",
            "--json",
            "x.trace",
        ]))
        .unwrap();
        assert_eq!(o.goroutine, 12);
        assert_eq!(o.start, Some(TimeArg::SinceStart(1_500_000)));
        assert_eq!(o.end, Some(TimeArg::Absolute(1_706_651_973_312)));
        assert_eq!(o.start.map(|s| s.absolute(100)), Some(1_500_100));
        assert!(o.json);
        assert_eq!(o.file, "x.trace");
        assert!(parse_opts(&args(&["x.trace"])).is_err());
        assert!(parse_opts(&args(&["-g", "1"])).is_err());
        assert!(parse_opts(&args(&["-g", "1", "--start", "soon", "x"])).is_err());
        assert!(parse_opts(&args(&["-g", "1", "--bogus", "x"])).is_err());
        assert!(parse_opts(&args(&["-g", "1", "a", "b"])).is_err());
        assert_eq!(parse_opts(&args(&["-g", "7", "-"])).unwrap().file, "-");
        assert!(parse_opts(&args(&["-g", "1", "-x", "f"])).is_err());
    }

    fn run_on(v: &[&str]) -> (Status, String, String) {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let st = run(&args(v), &mut out, &mut err);
        (
            st,
            String::from_utf8_lossy(&out).into_owned(),
            String::from_utf8_lossy(&err).into_owned(),
        )
    }

    fn contention() -> String {
        format!(
            "{}/../../testdata/traces/go1.27/contention.trace",
            env!("CARGO_MANIFEST_DIR")
        )
    }

    /// The hop checked in `analysis::critical_path`'s tests, as printed.
    #[test]
    fn prints_the_chain_and_totals() {
        let f = contention();
        let (st, out, err) = run_on(&[
            "--goroutine",
            "1",
            "--start",
            "1706649900000",
            "--end",
            "1706651973312",
            &f,
        ]);
        assert_eq!(st, OK, "{err}");
        assert!(
            out.starts_with("critical path of G1 main.main over "),
            "{out}"
        );
        assert!(out.contains("6 segment(s), 1 hop(s); the walk stopped: reached the start"));
        let unblock = out
            .lines()
            .find(|l| l.contains("→ unblocks G1"))
            .expect("edge line");
        assert!(unblock.contains("G12 main.main.func1.1"), "{unblock}");
        assert!(
            unblock.contains("1706651937152  1706651969920"),
            "{unblock}"
        );
        assert!(
            unblock.contains("(sync, waiting since ")
                && unblock.ends_with("at sync.(*WaitGroup).Add sync/waitgroup.go:142"),
            "{unblock}"
        );
        assert!(out.contains("waiting: sleep"));
        assert!(out.contains("\ntotals: "));
        let (st, json, _) = run_on(&[
            "-g",
            "1",
            "--start=1706649900000",
            "--end=1706651973312",
            "--json",
            &f,
        ]);
        assert_eq!(st, OK);
        assert!(json.contains("\"hops\":1"));
        assert!(json.contains(
            "\"via\":{\"kind\":\"unblock\",\"target\":1,\"time_ns\":1706651969920,\"reason\":\"sync\",\"waiting_since_ns\":1706648427904"
        ));
    }

    #[test]
    fn reports_bad_input() {
        let f = contention();
        let (st, _, err) = run_on(&["-g", "999999", &f]);
        assert_eq!(st, BAD_TRACE);
        assert!(err.contains("does not appear"), "{err}");
        let (st, _, _) = run_on(&["-g", "1", "/nonexistent/file"]);
        assert_eq!(st, BAD_TRACE);
        let (st, _, _) = run_on(&["x"]);
        assert_eq!(st, crate::USAGE);
    }
}
