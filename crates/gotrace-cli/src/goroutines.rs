//! `gotrace goroutines [options] FILE`: goroutine analysis, the numbers of
//! `go tool trace`'s `/goroutines` and `/goroutine?name=` pages.
//!
//! Without `--group`: one row per start function (count, total execution
//! time), by execution time. With `--group NAME`: that group's
//! non-overlapping time breakdown per goroutine, its special ranges, and
//! p50/p90/p99/max per column. Durations print as Go prints them.

use crate::{
    analyze_file, one_file, parse_args, parse_window, report_damage, table, usage, write_json,
    Status,
};
use crate::{BAD_TRACE, OK};
use gotrace::analysis::goroutines::{
    analyze, AnalysisOptions, GoroutineFilter, GoroutineGroup, GoroutineReport, GroupDetail,
};
use gotrace::event::GoState;
use gotrace::godur::{go_duration, parse_go_duration};
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

fn parse_opts(args: &[String]) -> Result<Opts, String> {
    let (mut group, mut sort, mut json) = (None, None, false);
    let mut filter = GoroutineFilter::default();
    let mut window = None;
    let positional = parse_args(args, |name, p| {
        match name {
            "--json" => json = true,
            "--group" => group = Some(p.value(name)?),
            "--sort" => sort = Some(p.value(name)?),
            "--filter" => filter.name_contains = Some(p.value(name)?),
            "--id" => filter.id = Some(p.parsed(name, |v| v.parse().ok())?),
            "--state" => filter.state = Some(p.parsed(name, parse_state)?),
            "--min" => {
                let min = p.parsed(name, |v| parse_go_duration(v).or_else(|| v.parse().ok()))?;
                filter.min_total = Some(min);
            }
            "--window" => window = Some(p.parsed(name, parse_window)?),
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(Opts {
        file: one_file(positional)?,
        group,
        sort,
        json,
        filter,
        window,
    })
}

pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Status {
    let o = match parse_opts(args) {
        Ok(o) => o,
        Err(m) => return usage(CMD, &format!("{m}\n{OPTIONS}"), err),
    };
    let opts = AnalysisOptions {
        window: o.window,
        goroutines: None,
    };
    let (report, error) = match analyze_file(&o.file, err, |data| analyze(data, opts)) {
        Ok(r) => r,
        Err(s) => return s,
    };
    report_damage(
        error.as_ref(),
        "the analysis covers what was read before",
        err,
    );
    let report = if o.filter == GoroutineFilter::default() {
        report
    } else {
        report.filtered(&o.filter)
    };
    let status = match &o.group {
        None => {
            if o.json {
                let _ = write_json(out, &groups_json(&report));
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
                    let _ = if o.json {
                        write_json(out, &d)
                    } else {
                        out.write_all(group_text(&d).as_bytes())
                    };
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
fn columns(rows: &[Vec<String>]) -> String {
    table(rows, |i| i > 0)
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
    columns(&rows)
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
    s.push_str(&columns(&rows));
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
        s.push_str(&columns(&rows));
    }
    s
}

/// `--json` without `--group`: every group.
#[derive(serde::Serialize)]
struct GroupsJson {
    total_exec_time_ns: i64,
    groups: Vec<GoroutineGroup>,
}

fn groups_json(r: &GoroutineReport) -> GroupsJson {
    GroupsJson {
        total_exec_time_ns: r.total_exec_time(),
        groups: r.groups(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let o = parse_opts(&a(&[
            "--group",
            "main.f",
            "--json",
            "--min=1ms",
            "--window",
            "5:10",
            "x",
        ]))
        .unwrap();
        assert_eq!(o.group.as_deref(), Some("main.f"));
        assert!(o.json);
        assert_eq!(o.filter.min_total, Some(1_000_000));
        assert_eq!(o.window, Some((5, 10)));
        assert_eq!(o.file, "x");
        assert!(parse_opts(&a(&["--bogus", "x"])).is_err());
        assert!(parse_opts(&a(&["-x", "f"])).is_err());
        assert!(parse_opts(&a(&[])).is_err());
    }

    #[test]
    fn bad_input_is_reported() {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let st = run(&["/nonexistent/file".to_string()], &mut out, &mut err);
        assert_eq!(st, BAD_TRACE);
        let j = GroupsJson {
            total_exec_time_ns: 7,
            groups: vec![GoroutineGroup {
                name: "a\"b\n".into(),
                count: 2,
                exec_time: 7,
            }],
        };
        assert_eq!(
            serde_json::to_string(&j).unwrap(),
            r#"{"total_exec_time_ns":7,"groups":[{"name":"a\"b\n","count":2,"exec_time_ns":7}]}"#
        );
    }
}
