//! `gotrace tasks [--log-search TEXT] [--task ID] [--json] FILE`: user tasks
//! and regions, as `go tool trace`'s `/usertasks` and `/userregions` pages
//! count them, with duration percentiles.
//!
//! `--log-search TEXT` lists the tasks whose type, regions or logs contain
//! TEXT (case-insensitive) with their event logs; `--task ID` shows one task.

use super::{read_input, usage, Status, BAD_TRACE, OK};
use crate::analysis::tasks::{annotations_from_trace, Annotations, DurationStats, Histogram, Task};
use std::fmt::Write as _;
use std::io::Write;

struct Options {
    search: Option<String>,
    task: Option<u64>,
    json: bool,
    file: String,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        search: None,
        task: None,
        json: false,
        file: String::new(),
    };
    let mut file = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = |what: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{what} needs a value"))
        };
        match name {
            "--log-search" => o.search = Some(value("--log-search")?),
            "--task" => {
                let v = value("--task")?;
                o.task = Some(
                    v.parse()
                        .map_err(|_| format!("--task: not a task id: {v:?}"))?,
                );
            }
            "--json" => o.json = true,
            "-" => file = Some(a.clone()),
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            _ => {
                if file.replace(a.clone()).is_some() {
                    return Err("expected exactly one FILE".into());
                }
            }
        }
    }
    o.file = file.ok_or("expected a FILE (or - for stdin)")?;
    Ok(o)
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

/// Left-aligned columns separated by two spaces.
fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            if c + 1 == r.len() {
                line.push_str(cell);
            } else {
                let pad = widths[c] - cell.chars().count();
                let _ = write!(line, "{cell}{}  ", " ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn hist_text(h: &Histogram) -> String {
    h.rows()
        .iter()
        .map(|(lo, _, n)| format!("{}:{n}", dur(*lo)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn print_tables(a: &Annotations, out: &mut dyn Write) -> std::io::Result<()> {
    let mut rows = vec![[
        "task type",
        "count",
        "complete",
        "total",
        "p50",
        "p90",
        "p99",
        "max",
        "histogram (≥ bucket:count)",
    ]
    .map(String::from)
    .to_vec()];
    for t in &a.task_types {
        let mut r = vec![
            shown_type(&t.ty),
            t.count.to_string(),
            t.complete.to_string(),
        ];
        r.extend(stats_cells(&t.durations, t.complete));
        r.push(hist_text(&t.histogram));
        rows.push(r);
    }
    writeln!(
        out,
        "# tasks ({} in {} types; durations of complete tasks)",
        a.tasks.len(),
        a.task_types.len()
    )?;
    write!(out, "{}", table(&rows))?;
    let mut rows = vec![[
        "region type",
        "start function",
        "count",
        "complete",
        "total",
        "p50",
        "p90",
        "p99",
        "max",
        "histogram (≥ bucket:count)",
    ]
    .map(String::from)
    .to_vec()];
    for r in &a.region_types {
        let site = r
            .frame
            .as_ref()
            .map_or("-".to_string(), |f| format!("{} @ {:#x}", f.func, f.pc));
        let mut row = vec![
            shown_type(&r.ty),
            site,
            r.count.to_string(),
            r.complete.to_string(),
        ];
        row.extend(stats_cells(&r.durations, r.count));
        row.push(hist_text(&r.histogram));
        rows.push(row);
    }
    writeln!(
        out,
        "\n# regions ({} in {} groups; open ends cut at the trace bounds)",
        a.regions.len(),
        a.region_types.len()
    )?;
    write!(out, "{}", table(&rows))
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

fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn json_stats(d: &DurationStats) -> String {
    format!(
        "{{\"total_ns\":{},\"p50_ns\":{},\"p90_ns\":{},\"p99_ns\":{},\"max_ns\":{}}}",
        d.total, d.p50, d.p90, d.p99, d.max
    )
}

fn json_hist(h: &Histogram) -> String {
    let rows: Vec<String> = h
        .rows()
        .iter()
        .map(|(lo, hi, n)| format!("[{lo},{hi},{n}]"))
        .collect();
    format!("[{}]", rows.join(","))
}

fn json_task(a: &Annotations, t: &Task) -> String {
    let events: Vec<String> = t
        .events
        .iter()
        .map(|e| {
            format!(
                "{{\"time\":{},\"since_start_ns\":{},\"goroutine\":{},\"what\":{}}}",
                e.time,
                e.time - a.trace_start,
                e.goroutine,
                json_str(&e.describe())
            )
        })
        .collect();
    format!(
        "{{\"id\":{},\"type\":{},\"parent\":{},\"children\":{:?},\"begin\":{},\"end\":{},\"complete\":{},\"start_ns\":{},\"end_ns\":{},\"duration_ns\":{},\"goroutines\":{:?},\"events\":[{}]}}",
        t.id,
        json_str(&t.ty),
        t.parent.map_or("null".into(), |p| p.to_string()),
        t.children,
        t.begin.map_or("null".into(), |v| v.to_string()),
        t.end.map_or("null".into(), |v| v.to_string()),
        t.complete,
        t.start_ns,
        t.end_ns,
        t.duration(),
        t.goroutines,
        events.join(",")
    )
}

fn json_tables(a: &Annotations) -> String {
    let tt: Vec<String> = a
        .task_types
        .iter()
        .map(|t| {
            format!(
                "{{\"type\":{},\"count\":{},\"complete\":{},\"durations\":{},\"histogram\":{},\"tasks\":{:?}}}",
                json_str(&t.ty),
                t.count,
                t.complete,
                json_stats(&t.durations),
                json_hist(&t.histogram),
                t.tasks
            )
        })
        .collect();
    let rt: Vec<String> = a
        .region_types
        .iter()
        .map(|r| {
            let frame = r.frame.as_ref().map_or("null".into(), |f| {
                format!(
                    "{{\"pc\":{},\"func\":{},\"file\":{},\"line\":{}}}",
                    f.pc,
                    json_str(&f.func),
                    json_str(&f.file),
                    f.line
                )
            });
            format!(
                "{{\"type\":{},\"frame\":{frame},\"count\":{},\"complete\":{},\"durations\":{},\"histogram\":{}}}",
                json_str(&r.ty),
                r.count,
                r.complete,
                json_stats(&r.durations),
                json_hist(&r.histogram)
            )
        })
        .collect();
    format!(
        "\"trace_start\":{},\"trace_end\":{},\"task_types\":[{}],\"region_types\":[{}]",
        a.trace_start,
        a.trace_end,
        tt.join(","),
        rt.join(",")
    )
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
            None => writeln!(out, "{{{}}}", json_tables(a))?,
            Some(sel) => {
                let tasks: Vec<String> = sel.iter().map(|t| json_task(a, t)).collect();
                writeln!(
                    out,
                    "{{\"trace_start\":{},\"trace_end\":{},\"tasks\":[{}]}}",
                    a.trace_start,
                    a.trace_end,
                    tasks.join(",")
                )?
            }
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
    let data = match read_input(&o.file, err) {
        Ok(d) => d,
        Err(s) => return s,
    };
    let (a, damage) = match annotations_from_trace(&data) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(err, "gotrace: {e}");
            return BAD_TRACE;
        }
    };
    if let Err(e) = emit(&o, &a, out, err) {
        let _ = writeln!(err, "gotrace: writing output: {e}");
        return BAD_TRACE;
    }
    match damage {
        Some(e) => {
            let _ = writeln!(
                err,
                "gotrace: trace is damaged; the tables cover what was read before: {e}"
            );
            BAD_TRACE
        }
        None => OK,
    }
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
        assert_eq!(json_str("a\"\n\u{1}"), "\"a\\\"\\n\\u0001\"");
        let t = table(&[
            vec!["a".into(), "bb".into()],
            vec!["ccc".into(), "d".into()],
        ]);
        assert_eq!(t, "a    bb\nccc  d\n");
    }
}
