//! `gotrace tasks [--log-search TEXT] [--task ID] [--json] FILE`: user tasks
//! and regions, as `go tool trace`'s `/usertasks` and `/userregions` pages
//! count them, with duration percentiles.
//!
//! `--log-search TEXT` lists the tasks whose type, regions or logs contain
//! TEXT (case-insensitive) with their event logs; `--task ID` shows one task.

use crate::{
    analyze_file, one_file, parse_args, report_damage, table, usage, write_json, Status, BAD_TRACE,
    OK,
};
use gotrace::analysis::tasks::{
    annotations_from_trace, Annotations, DurationStats, FrameInfo, Histogram, Task,
};
use gotrace::event::GoId;
use serde::Serialize;
use std::io::Write;

struct Options {
    search: Option<String>,
    task: Option<u64>,
    json: bool,
    file: String,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let (mut search, mut task, mut json) = (None, None, false);
    let positional = parse_args(args, |name, p| {
        match name {
            "--log-search" => search = Some(p.value(name)?),
            "--task" => {
                let v = p.value(name)?;
                task = Some(
                    v.parse()
                        .map_err(|_| format!("--task: not a task id: {v:?}"))?,
                );
            }
            "--json" => json = true,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(Options {
        search,
        task,
        json,
        file: one_file(positional)?,
    })
}

/// A duration for people: 3 significant decimals in a fitting unit.
fn dur(ns: i64) -> String {
    let a = ns.unsigned_abs() as f64;
    let v = ns as f64;
    if a >= 1e9 {
        format!("{:.3}s", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.3}ms", v / 1e6)
    } else if a >= 1e3 {
        format!("{:.3}µs", v / 1e3)
    } else {
        format!("{ns}ns")
    }
}

fn shown_type(ty: &str) -> String {
    if ty.is_empty() {
        "(none)".into()
    } else {
        ty.to_string()
    }
}

fn stats_cells(d: &DurationStats, n: usize) -> [String; 5] {
    if n == 0 {
        return std::array::from_fn(|_| "-".to_string());
    }
    [dur(d.total), dur(d.p50), dur(d.p90), dur(d.p99), dur(d.max)]
}

/// A table row: the `first` cells, then the statistics of `n` durations
/// and their histogram.
fn stats_row(mut first: Vec<String>, d: &DurationStats, n: usize, h: &Histogram) -> Vec<String> {
    first.extend(stats_cells(d, n));
    first.push(hist_text(h));
    first
}

fn hist_text(h: &Histogram) -> String {
    h.rows()
        .iter()
        .map(|(lo, _, n)| format!("{}:{n}", dur(*lo)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A table's header: `first`, then the duration statistics and the histogram.
fn header(first: &[&str]) -> Vec<String> {
    let stats = [
        "total",
        "p50",
        "p90",
        "p99",
        "max",
        "histogram (≥ bucket:count)",
    ];
    first.iter().chain(&stats).map(|s| s.to_string()).collect()
}

fn print_tables(a: &Annotations, out: &mut dyn Write) -> std::io::Result<()> {
    let mut rows = vec![header(&["task type", "count", "complete"])];
    for t in &a.task_types {
        let first = vec![
            shown_type(&t.ty),
            t.count.to_string(),
            t.complete.to_string(),
        ];
        rows.push(stats_row(first, &t.durations, t.complete, &t.histogram));
    }
    writeln!(
        out,
        "# tasks ({} in {} types; durations of complete tasks)",
        a.tasks.len(),
        a.task_types.len()
    )?;
    write!(out, "{}", table(&rows, |_| false))?;
    let mut rows = vec![header(&[
        "region type",
        "start function",
        "count",
        "complete",
    ])];
    for r in &a.region_types {
        let site = r
            .frame
            .as_ref()
            .map_or("-".to_string(), |f| format!("{} @ {:#x}", f.func, f.pc));
        let first = vec![
            shown_type(&r.ty),
            site,
            r.count.to_string(),
            r.complete.to_string(),
        ];
        rows.push(stats_row(first, &r.durations, r.count, &r.histogram));
    }
    writeln!(
        out,
        "\n# regions ({} in {} groups; open ends cut at the trace bounds)",
        a.regions.len(),
        a.region_types.len()
    )?;
    write!(out, "{}", table(&rows, |_| false))
}

fn print_task(a: &Annotations, t: &Task, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "task {} {:?}: start +{} duration {} ({}), parent {}, subtasks {:?}, goroutines {:?}",
        t.id,
        t.ty,
        dur(t.start_ns - a.trace_start),
        dur(t.duration()),
        if t.complete { "complete" } else { "incomplete" },
        t.parent.map_or("-".into(), |p| p.to_string()),
        t.children,
        t.goroutines
    )?;
    let mut last = a.trace_start;
    for e in &t.events {
        writeln!(
            out,
            "  {:>14.9}s  +{:<12} G{:<6} {}",
            (e.time - a.trace_start) as f64 / 1e9,
            dur(e.time - last),
            e.goroutine,
            e.describe()
        )?;
        last = e.time;
    }
    Ok(())
}

#[derive(Serialize)]
struct TaskTypeJson<'a> {
    #[serde(rename = "type")]
    ty: &'a str,
    count: usize,
    complete: usize,
    durations: &'a DurationStats,
    /// `[low, high, count]` rows.
    histogram: Vec<(i64, i64, u64)>,
    tasks: &'a [u64],
}

#[derive(Serialize)]
struct RegionTypeJson<'a> {
    #[serde(rename = "type")]
    ty: &'a str,
    frame: Option<&'a FrameInfo>,
    count: usize,
    complete: usize,
    durations: &'a DurationStats,
    /// `[low, high, count]` rows.
    histogram: Vec<(i64, i64, u64)>,
}

/// `--json` without a selection: the type tables.
#[derive(Serialize)]
struct TablesJson<'a> {
    trace_start: i64,
    trace_end: i64,
    task_types: Vec<TaskTypeJson<'a>>,
    region_types: Vec<RegionTypeJson<'a>>,
}

#[derive(Serialize)]
struct EntryJson {
    time: i64,
    since_start_ns: i64,
    goroutine: GoId,
    what: String,
}

#[derive(Serialize)]
struct TaskJson<'a> {
    id: u64,
    #[serde(rename = "type")]
    ty: &'a str,
    parent: Option<u64>,
    children: &'a [u64],
    begin: Option<i64>,
    end: Option<i64>,
    complete: bool,
    start_ns: i64,
    end_ns: i64,
    duration_ns: i64,
    goroutines: &'a [GoId],
    events: Vec<EntryJson>,
}

/// `--json` with `--task` or `--log-search`: the selected tasks.
#[derive(Serialize)]
struct TasksJson<'a> {
    trace_start: i64,
    trace_end: i64,
    tasks: Vec<TaskJson<'a>>,
}

fn json_task<'a>(a: &Annotations, t: &'a Task) -> TaskJson<'a> {
    TaskJson {
        id: t.id,
        ty: &t.ty,
        parent: t.parent,
        children: &t.children,
        begin: t.begin,
        end: t.end,
        complete: t.complete,
        start_ns: t.start_ns,
        end_ns: t.end_ns,
        duration_ns: t.duration(),
        goroutines: &t.goroutines,
        events: t
            .events
            .iter()
            .map(|e| EntryJson {
                time: e.time,
                since_start_ns: e.time - a.trace_start,
                goroutine: e.goroutine,
                what: e.describe(),
            })
            .collect(),
    }
}

fn json_tables(a: &Annotations) -> TablesJson<'_> {
    TablesJson {
        trace_start: a.trace_start,
        trace_end: a.trace_end,
        task_types: a
            .task_types
            .iter()
            .map(|t| TaskTypeJson {
                ty: &t.ty,
                count: t.count,
                complete: t.complete,
                durations: &t.durations,
                histogram: t.histogram.rows(),
                tasks: &t.tasks,
            })
            .collect(),
        region_types: a
            .region_types
            .iter()
            .map(|r| RegionTypeJson {
                ty: &r.ty,
                frame: r.frame.as_ref(),
                count: r.count,
                complete: r.complete,
                durations: &r.durations,
                histogram: r.histogram.rows(),
            })
            .collect(),
    }
}

fn emit(
    o: &Options,
    a: &Annotations,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<Status> {
    let found: Option<std::collections::HashSet<u64>> = o
        .search
        .as_ref()
        .map(|s| a.search(s, true).into_iter().collect());
    let selected: Option<Vec<&Task>> = match (&found, o.task) {
        (None, None) => None,
        (found, id) => Some(
            a.tasks
                .iter()
                .filter(|t| id.is_none_or(|id| t.id == id))
                .filter(|t| found.as_ref().is_none_or(|f| f.contains(&t.id)))
                .collect(),
        ),
    };
    if let (Some(id), Some(sel)) = (o.task, &selected) {
        if sel.is_empty() && a.task(id).is_none() {
            writeln!(err, "gotrace tasks: no task {id}")?;
        }
    }
    if o.json {
        match &selected {
            None => write_json(out, &json_tables(a))?,
            Some(sel) => write_json(
                out,
                &TasksJson {
                    trace_start: a.trace_start,
                    trace_end: a.trace_end,
                    tasks: sel.iter().map(|t| json_task(a, t)).collect(),
                },
            )?,
        }
        return Ok(OK);
    }
    match &selected {
        None => print_tables(a, out)?,
        Some(sel) => {
            if let Some(s) = &o.search {
                writeln!(
                    out,
                    "# {} tasks whose type, regions or logs contain {s:?}",
                    sel.len()
                )?;
            }
            for t in sel {
                print_task(a, t, out)?;
            }
        }
    }
    Ok(OK)
}

pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Status {
    let o = match parse(args) {
        Ok(o) => o,
        Err(msg) => return usage("tasks", &msg, err),
    };
    let (a, damage) = match analyze_file(&o.file, err, annotations_from_trace) {
        Ok(r) => r,
        Err(s) => return s,
    };
    if let Err(e) = emit(&o, &a, out, err) {
        let _ = writeln!(err, "gotrace: writing output: {e}");
        return BAD_TRACE;
    }
    report_damage(
        damage.as_ref(),
        "the tables cover what was read before",
        err,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_and_formatting() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let o = parse(&a(&[
            "--log-search",
            "Foo",
            "--task=3",
            "--json",
            "t.trace",
        ]))
        .unwrap();
        assert_eq!(
            (o.search.as_deref(), o.task, o.json, o.file.as_str()),
            (Some("Foo"), Some(3), true, "t.trace")
        );
        assert!(parse(&a(&["--task", "x", "f"])).is_err());
        assert!(parse(&a(&["a", "b"])).is_err());
        assert_eq!(dur(1_500), "1.500µs");
        assert_eq!(dur(12), "12ns");
        assert!(parse(&a(&["-x", "f"])).is_err());
        assert_eq!(parse(&a(&["-"])).unwrap().file, "-");
    }
}
