//! Differential test of the task and region analysis against go1.27.3's
//! `go tool trace` web server, for every trace of the corpus:
//! - `/usertasks`: task types in order, counts, and the duration histogram
//!   of complete tasks (bucket labels and counts);
//! - `/userregions`: region groups (type, root frame) in order, counts and
//!   histograms;
//! - `/usertask`: every task's start, duration, completeness and event log
//!   (time, goroutine, text);
//! - `/usertask?logtext=`: which tasks a log search finds.
//!
//! Needs the Go toolchain (`$GOTRACE_GO` or the pinned go1.27.3); fails
//! without it. `GOTRACE_ONLY=substr` restricts the traces;
//! `GOTRACE_SKIP_OLD=1` leaves out old-format (Go ≤ 1.21) traces.

#[path = "../../gotrace/tests/support/mod.rs"]
mod support;

use gotrace::analysis::tasks::{
    annotations_from_trace, go_quote, Annotations, EntryKind, Histogram,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use support::html::html_unescape;
use support::html::parse_go_duration;
use support::html::parse_histogram;
use support::html::parse_seconds9;
use support::server::query_escape;
use support::server::GoServer;

/// Splits a page into the template's table rows (`\n  <tr>\n`).
fn rows(html: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("\n  <tr>\n") {
        rest = &rest[i + 8..];
        let end = rest.find("\n  <tr>\n").unwrap_or(rest.len());
        parts.push(&rest[..end]);
    }
    parts
}

fn first_td(row: &str) -> String {
    let s = row.find("<td>").map_or("", |i| &row[i + 4..]);
    html_unescape(&s[..s.find("</td>").unwrap_or(s.len())])
}

fn count_in(row: &str) -> usize {
    let re = regex::Regex::new(r#"<td><a href="[^"]*">(\d+)</a></td>"#).expect("regex");
    re.captures(row)
        .and_then(|c| c[1].parse().ok())
        .unwrap_or_else(|| panic!("no count in {row}"))
}

/// A histogram as Go's page shows it: (bucket start, count) rows and the
/// final bucket end.
type HistRows = (Vec<(i64, u64)>, Option<i64>);

/// Our histogram as Go's page shows it.
fn our_rows(h: &Histogram) -> HistRows {
    let rows = h.rows();
    let last = rows.last().map(|r| r.1);
    (rows.iter().map(|r| (r.0, r.2)).collect(), last)
}

/// Text as Go's HTML page shows it: html/template writes NUL as U+FFFD (as
/// the HTML spec has parsers do), so a task type with a NUL reads so there.
fn as_go_html(s: &str) -> String {
    s.replace('\0', "\u{fffd}")
}

fn check_task_types(a: &Annotations, html: &str, name: &str, failures: &mut Vec<String>) -> usize {
    let go: Vec<(String, usize, HistRows)> = rows(html)
        .into_iter()
        .filter(|r| r.contains("/usertask?type="))
        .map(|r| (first_td(r), count_in(r), parse_histogram(r)))
        .collect();
    let ours: Vec<(String, usize, HistRows)> = a
        .task_types
        .iter()
        .map(|t| (as_go_html(&t.ty), t.count, our_rows(&t.histogram)))
        .collect();
    if go != ours {
        failures.push(format!(
            "{name}: /usertasks differ:\n  Go   {go:?}\n  ours {ours:?}"
        ));
    }
    go.len()
}

fn check_region_types(
    a: &Annotations,
    html: &str,
    name: &str,
    failures: &mut Vec<String>,
) -> usize {
    let head =
        regex::Regex::new(r"(?s)<td><pre>(.*?)<br>(.*?) @ 0x([0-9a-f]+)<br>(.*?):(\d+)</pre></td>")
            .expect("regex");
    type Row = (String, String, u64, String, u64, usize, HistRows);
    let go: Vec<Row> = rows(html)
        .into_iter()
        .filter(|r| r.contains("/userregion?type="))
        .map(|r| {
            let c = head
                .captures(r)
                .unwrap_or_else(|| panic!("{name}: unexpected region row {r}"));
            (
                html_unescape(&c[1]),
                html_unescape(&c[2]),
                u64::from_str_radix(&c[3], 16).expect("pc"),
                html_unescape(&c[4]),
                c[5].parse().expect("line"),
                count_in(r),
                parse_histogram(r),
            )
        })
        .collect();
    let ours: Vec<Row> = a
        .region_types
        .iter()
        .map(|r| {
            let (func, pc, file, line) = r
                .frame
                .as_ref()
                .map_or((String::new(), 0, String::new(), 0), |f| {
                    (f.func.to_string(), f.pc, f.file.to_string(), f.line)
                });
            (
                go_quote(&r.ty),
                func,
                pc,
                file,
                line,
                r.count,
                our_rows(&r.histogram),
            )
        })
        .collect();
    if go != ours {
        failures.push(format!(
            "{name}: /userregions differ:\n  Go   {go:?}\n  ours {ours:?}"
        ));
    }
    go.len()
}

/// One task on Go's `/usertask` page.
#[derive(Debug, PartialEq)]
struct PageTask {
    start: i64,
    duration: i64,
    complete: bool,
    events: Vec<(i64, i64, String)>,
}

fn parse_task_page(html: &str) -> BTreeMap<u64, PageTask> {
    let head = regex::Regex::new(
        r#"(?s)<td class="when">([^<]*)</td>\s*<td class="elapsed">([^<]*)</td>\s*<td></td>\s*<td>\s*<a href="/trace\?focustask=(\d+)[^"]*">Task \d+</a>.*?\((complete|incomplete)\)"#,
    )
    .expect("regex");
    let ev = regex::Regex::new(
        r#"<td class="when">([^<]*)</td>\s*<td class="elapsed">[^<]*</td>\s*<td class="goid">(-?\d+)</td>\s*<td>([^<]*)</td>"#,
    )
    .expect("regex");
    let mut out = BTreeMap::new();
    for chunk in html.split("<tr class=\"first\">").skip(1) {
        let c = head
            .captures(chunk)
            .unwrap_or_else(|| panic!("unexpected task block {chunk}"));
        let id: u64 = c[3].parse().expect("task id");
        let events = ev
            .captures_iter(chunk)
            .map(|e| {
                (
                    parse_seconds9(&e[1]).unwrap_or_else(|| panic!("bad when {:?}", &e[1])),
                    e[2].parse().expect("goid"),
                    html_unescape(&e[3]),
                )
            })
            .collect();
        out.insert(
            id,
            PageTask {
                start: parse_seconds9(&c[1]).unwrap_or_else(|| panic!("bad when {:?}", &c[1])),
                duration: parse_go_duration(&c[2])
                    .unwrap_or_else(|| panic!("bad duration {:?}", &c[2])),
                complete: &c[4] == "complete",
                events,
            },
        );
    }
    out
}

fn check_tasks(a: &Annotations, html: &str, name: &str, failures: &mut Vec<String>) -> usize {
    let go = parse_task_page(html);
    let ours: BTreeMap<u64, PageTask> = a
        .tasks
        .iter()
        .map(|t| {
            (
                t.id,
                PageTask {
                    start: t.start_ns - a.trace_start,
                    duration: t.duration(),
                    complete: t.complete,
                    events: t
                        .events
                        .iter()
                        .map(|e| {
                            (
                                e.time - a.trace_start,
                                e.goroutine,
                                as_go_html(&e.describe()),
                            )
                        })
                        .collect(),
                },
            )
        })
        .collect();
    let mut n = 0;
    for (id, g) in &go {
        n += 1;
        match ours.get(id) {
            Some(o) if o == g => {}
            Some(o) => failures.push(format!(
                "{name}: task {id} differs:\n  Go   {g:?}\n  ours {o:?}"
            )),
            None => failures.push(format!("{name}: Go has task {id}, we do not")),
        }
    }
    for id in ours.keys().filter(|id| !go.contains_key(id)) {
        failures.push(format!("{name}: we have task {id}, Go does not"));
    }
    n
}

/// Search texts: task types, region types and words of log messages.
fn search_texts(a: &Annotations) -> Vec<String> {
    let mut texts = BTreeSet::new();
    for t in a.task_types.iter().take(4) {
        if !t.ty.is_empty() {
            texts.insert(t.ty.to_string());
        }
    }
    for r in a.region_types.iter().take(4) {
        if !r.ty.is_empty() {
            texts.insert(r.ty.to_string());
        }
    }
    let mut logs = 0;
    for t in &a.tasks {
        for e in &t.events {
            if let EntryKind::Log { category, message } = &e.kind {
                if logs < 6 {
                    if let Some(w) = message.split_whitespace().next() {
                        texts.insert(w.to_string());
                    }
                    if !category.is_empty() {
                        texts.insert(category.to_string());
                    }
                    logs += 1;
                }
            }
        }
    }
    texts.insert("no such text in any trace".into());
    texts.into_iter().filter(|t| t.is_ascii()).collect()
}

fn check_search(
    a: &Annotations,
    server: &GoServer,
    name: &str,
    failures: &mut Vec<String>,
) -> usize {
    let texts = search_texts(a);
    for text in &texts {
        let page = server.get_text(&format!("/usertask?logtext={}", query_escape(text)));
        let go: BTreeSet<u64> = parse_task_page(&page).into_keys().collect();
        let ours: BTreeSet<u64> = a.search(text, false).into_iter().collect();
        if go != ours {
            failures.push(format!(
                "{name}: search {text:?}: Go {go:?} vs ours {ours:?}"
            ));
        }
        let folded: BTreeSet<u64> = a.search(&text.to_uppercase(), true).into_iter().collect();
        if !ours.is_subset(&folded) {
            failures.push(format!(
                "{name}: case-insensitive search {text:?} lost tasks"
            ));
        }
    }
    texts.len()
}

fn check_trace(file: &Path, failures: &mut Vec<String>) -> usize {
    let data = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let name = file.display().to_string();
    let ours = annotations_from_trace(&data);
    let server = GoServer::start(file);
    let (a, server) = match (ours, server) {
        (Ok((a, _)), Ok(s)) => (a, s),
        (Err(_), Err(_)) => return 0,
        (Ok(_), Err(e)) => {
            failures.push(format!("{name}: Go refused the trace but we read it: {e}"));
            return 0;
        }
        (Err(e), Ok(_)) => {
            failures.push(format!("{name}: Go read the trace but we refused it: {e}"));
            return 0;
        }
    };
    let mut n = check_task_types(&a, &server.get_text("/usertasks"), &name, failures);
    n += check_region_types(&a, &server.get_text("/userregions"), &name, failures);
    n += check_tasks(&a, &server.get_text("/usertask"), &name, failures);
    n += check_search(&a, &server, &name, failures);
    n += check_cli(file, &server, failures);
    n
}

/// `gotrace tasks --json FILE` lists Go's task types and counts.
fn check_cli(file: &Path, server: &GoServer, failures: &mut Vec<String>) -> usize {
    let args = vec![
        "tasks".to_string(),
        "--json".to_string(),
        file.to_string_lossy().into_owned(),
    ];
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = gotrace_cli::run(&args, &mut out, &mut err);
    let out = String::from_utf8_lossy(&out);
    let re = regex::Regex::new(r#"\{"type":"((?:[^"\\]|\\.)*)","count":(\d+)"#).expect("regex");
    let ours: Vec<(String, usize)> = re
        .captures_iter(&out)
        .map(|c| {
            (
                // A JSON string literal, decoded (control characters come \u-escaped).
                as_go_html(
                    &serde_json::from_str::<String>(&format!("\"{}\"", &c[1]))
                        .expect("JSON string"),
                ),
                c[2].parse().expect("count"),
            )
        })
        .collect();
    let go: Vec<(String, usize)> = rows(&server.get_text("/usertasks"))
        .into_iter()
        .filter(|r| r.contains("/usertask?type="))
        .map(|r| (first_td(r), count_in(r)))
        .collect();
    if go != ours || status > 1 {
        failures.push(format!(
            "{}: `gotrace tasks --json` (status {status}) gave {ours:?}, Go {go:?}\n{}",
            file.display(),
            String::from_utf8_lossy(&err)
        ));
    }
    1
}

#[test]
fn tasks_and_regions_match_go_tool_trace() {
    support::check_against_go("tasks", "tasks and regions", check_trace);
}
