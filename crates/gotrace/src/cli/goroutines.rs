//! `gotrace goroutines [options] FILE`: goroutine analysis, the numbers of
//! `go tool trace`'s `/goroutines` and `/goroutine?name=` pages.
//!
//! Without `--group`: one row per start function (count, total execution
//! time), by execution time. With `--group NAME`: that group's
//! non-overlapping time breakdown per goroutine, its special ranges, and
//! p50/p90/p99/max per column. Durations print as Go prints them.

use super::{read_input, usage, Status, BAD_TRACE, OK};
use crate::analysis::goroutines::{
    analyze, go_duration, parse_go_duration, AnalysisOptions, GoroutineFilter, GoroutineReport,
    GroupDetail,
};
use crate::event::GoState;
use std::io::Write;

const CMD: &str = "goroutines";
const OPTIONS: &str = "options: --group NAME, --sort COLUMN, --json, --filter SUBSTR, --id GOID, \
--state running|runnable|waiting|syscall|exited, --min DURATION (e.g. 1ms), --window START:END (ns)";

/// Go's label for the group without a name.
pub const INACTIVE: &str = "(Inactive, no stack trace sampled)";

struct Opts {
    file: String,
    group: Option<String>,
    sort: Option<String>,
    json: bool,
    filter: GoroutineFilter,
    window: Option<(i64, i64)>,
}

fn parse_state(s: &str) -> Option<GoState> {
    Some(match s.to_ascii_lowercase().as_str() {
        "running" => GoState::Running,
        "runnable" => GoState::Runnable,
        "waiting" => GoState::Waiting,
        "syscall" => GoState::Syscall,
        "exited" | "notexist" | "dead" => GoState::NotExist,
        "undetermined" => GoState::Undetermined,
        _ => return None,
    })
}

/// Parses `START:END` in ns (either side may be empty).
pub(crate) fn parse_window(s: &str) -> Option<(i64, i64)> {
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

fn parse_args(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        file: String::new(),
        group: None,
        sort: None,
        json: false,
        filter: GoroutineFilter::default(),
        window: None,
    };
    let mut file = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => it.next().cloned().ok_or(format!("{name} needs a value")),
            }
        };
        match flag {
            "--json" => o.json = true,
            "--group" => o.group = Some(value("--group")?),
            "--sort" => o.sort = Some(value("--sort")?),
            "--filter" => o.filter.name_contains = Some(value("--filter")?),
            "--id" => {
                let v = value("--id")?;
                o.filter.id = Some(v.parse().map_err(|_| format!("bad --id {v:?}"))?);
            }
            "--state" => {
                let v = value("--state")?;
                o.filter.state = Some(parse_state(&v).ok_or(format!("bad --state {v:?}"))?);
            }
            "--min" => {
                let v = value("--min")?;
                let ns = parse_go_duration(&v)
                    .or_else(|| v.parse().ok())
                    .ok_or(format!("bad --min {v:?}"))?;
                o.filter.min_total = Some(ns);
            }
            "--window" => {
                let v = value("--window")?;
                o.window = Some(parse_window(&v).ok_or(format!("bad --window {v:?}"))?);
            }
            f if f.starts_with("--") => return Err(format!("unknown option {f}")),
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

pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Status {
    let o = match parse_args(args) {
        Ok(o) => o,
        Err(m) => return usage(CMD, &format!("{m}\n{OPTIONS}"), err),
    };
    let data = match read_input(&o.file, err) {
        Ok(d) => d,
        Err(s) => return s,
    };
    let (report, error) = match analyze(
        &data,
        AnalysisOptions {
            window: o.window,
            goroutines: None,
        },
    ) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(err, "gotrace: {e}");
            return BAD_TRACE;
        }
    };
    if let Some(e) = &error {
        let _ = writeln!(
            err,
            "gotrace: trace is damaged; the analysis covers what was read before: {e}"
        );
    }
    let report = if o.filter == GoroutineFilter::default() {
        report
    } else {
        report.filtered(&o.filter)
    };
    let status = match &o.group {
        None => {
            if o.json {
                let _ = out.write_all(groups_json(&report).as_bytes());
            } else {
                let _ = out.write_all(groups_text(&report).as_bytes());
            }
            OK
        }
        Some(name) => {
            let name = if name == INACTIVE { "" } else { name.as_str() };
            match report.group(name) {
                Some(mut d) => {
                    if let Some(s) = &o.sort {
                        d.sort_by(s);
                    }
                    let s = if o.json {
                        group_json(&d)
                    } else {
                        group_text(&d)
                    };
                    let _ = out.write_all(s.as_bytes());
                    OK
                }
                None => {
                    let _ = writeln!(err, "gotrace goroutines: no goroutine group {name:?}");
                    BAD_TRACE
                }
            }
        }
    };
    let _ = out.flush();
    if error.is_some() {
        BAD_TRACE
    } else {
        status
    }
}

fn display_name(name: &str) -> &str {
    if name.is_empty() {
        INACTIVE
    } else {
        name
    }
}

/// Left-aligned first column, right-aligned others.
fn table(rows: &[Vec<String>]) -> String {
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
            let width = w.get(i).copied().unwrap_or(0);
            let pad = width.saturating_sub(c.chars().count());
            if i == 0 {
                line.push_str(c);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(c);
            }
        }
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}

fn groups_text(r: &GoroutineReport) -> String {
    let mut rows = vec![vec![
        "Start location".to_string(),
        "Count".to_string(),
        "Total execution time".to_string(),
    ]];
    for g in r.groups() {
        rows.push(vec![
            display_name(&g.name).to_string(),
            g.count.to_string(),
            go_duration(g.exec_time),
        ]);
    }
    table(&rows)
}

fn group_text(d: &GroupDetail) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "Goroutine start location: {}\n",
        display_name(&d.name)
    ));
    s.push_str(&format!("Count: {}\n", d.count));
    s.push_str(&format!(
        "Execution time: {} of total program execution time\n\nBreakdown\n",
        d.exec_time_percent
            .map(|p| format!("{p:.2}%"))
            .unwrap_or_default()
    ));
    let mut rows = vec![{
        let mut h = vec!["Goroutine".to_string(), "Total".to_string()];
        h.extend(d.columns.iter().cloned());
        h
    }];
    for r in &d.rows {
        let mut row = vec![r.id.to_string(), go_duration(r.total_time)];
        row.extend(r.values.iter().map(|v| go_duration(*v)));
        rows.push(row);
    }
    let ncols = d.columns.len();
    for (label, pick) in [("p50", 0usize), ("p90", 1), ("p99", 2), ("max", 3)] {
        let mut row = vec![label.to_string()];
        for c in d.percentiles.iter().take(ncols + 1) {
            let v = match pick {
                0 => c.p50,
                1 => c.p90,
                2 => c.p99,
                _ => c.max,
            };
            row.push(go_duration(v));
        }
        rows.push(row);
    }
    s.push_str(&table(&rows));
    if !d.range_columns.is_empty() {
        s.push_str("\nSpecial ranges\n");
        let mut rows = vec![{
            let mut h = vec!["Goroutine".to_string(), "Total".to_string()];
            h.extend(d.range_columns.iter().cloned());
            h
        }];
        for r in d.rows.iter().filter(|r| r.has_range_time) {
            let mut row = vec![r.id.to_string(), go_duration(r.total_time)];
            row.extend(r.ranges.iter().map(|v| go_duration(*v)));
            rows.push(row);
        }
        s.push_str(&table(&rows));
    }
    s
}

/// A JSON string literal.
pub(crate) fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn groups_json(r: &GoroutineReport) -> String {
    let groups: Vec<String> = r
        .groups()
        .iter()
        .map(|g| {
            format!(
                "{{\"name\":{},\"count\":{},\"exec_time_ns\":{}}}",
                json_str(&g.name),
                g.count,
                g.exec_time
            )
        })
        .collect();
    format!(
        "{{\"total_exec_time_ns\":{},\"groups\":[{}]}}\n",
        r.total_exec_time(),
        groups.join(",")
    )
}

fn json_list_str(v: &[String]) -> String {
    format!(
        "[{}]",
        v.iter().map(|s| json_str(s)).collect::<Vec<_>>().join(",")
    )
}

fn json_list_i64(v: &[i64]) -> String {
    format!(
        "[{}]",
        v.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    )
}

fn group_json(d: &GroupDetail) -> String {
    let rows: Vec<String> = d
        .rows
        .iter()
        .map(|r| {
            format!(
                "{{\"id\":{},\"total_ns\":{},\"values_ns\":{},\"ranges_ns\":{}}}",
                r.id,
                r.total_time,
                json_list_i64(&r.values),
                json_list_i64(&r.ranges)
            )
        })
        .collect();
    let pct: Vec<String> = d
        .percentiles
        .iter()
        .map(|c| {
            format!(
                "{{\"column\":{},\"p50_ns\":{},\"p90_ns\":{},\"p99_ns\":{},\"max_ns\":{},\"sum_ns\":{}}}",
                json_str(&c.column),
                c.p50,
                c.p90,
                c.p99,
                c.max,
                c.sum
            )
        })
        .collect();
    format!(
        "{{\"name\":{},\"count\":{},\"exec_time_ns\":{},\"exec_time_percent\":{},\"max_total_ns\":{},\"columns\":{},\"range_columns\":{},\"goroutines\":[{}],\"percentiles\":[{}]}}\n",
        json_str(&d.name),
        d.count,
        d.exec_time,
        d.exec_time_percent
            .filter(|p| p.is_finite())
            .map_or("null".to_string(), |p| format!("{p}")),
        d.max_total,
        json_list_str(&d.columns),
        json_list_str(&d.range_columns),
        rows.join(","),
        pct.join(",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args() {
        let a: Vec<String> = [
            "--group",
            "main.f",
            "--json",
            "--min=1ms",
            "--window",
            "5:10",
            "x",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let o = parse_args(&a).unwrap();
        assert_eq!(o.group.as_deref(), Some("main.f"));
        assert!(o.json);
        assert_eq!(o.filter.min_total, Some(1_000_000));
        assert_eq!(o.window, Some((5, 10)));
        assert_eq!(o.file, "x");
        assert!(parse_args(&["--bogus".to_string(), "x".to_string()]).is_err());
        assert!(parse_args(&[]).is_err());
        assert_eq!(parse_window(":7"), Some((i64::MIN, 7)));
        assert_eq!(parse_window("9:7"), None);
    }

    #[test]
    fn bad_input_is_reported() {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let st = run(&["/nonexistent/file".to_string()], &mut out, &mut err);
        assert_eq!(st, BAD_TRACE);
        assert_eq!(json_str("a\"b\n"), "\"a\\\"b\\n\"");
    }
}
