//! Differential test of the goroutine analysis against go1.27.3's
//! `go tool trace -http` pages `/goroutines` and `/goroutine?name=G`, on
//! every committed trace (`testdata/traces/**/*.trace`).
//!
//! The server is started on a free loopback port (`-http=127.0.0.1:0`, the
//! port read from its log), its HTML tables are scraped and compared with
//! `gotrace::analysis::goroutines`: groups (name, count, total execution
//! time), and per group the execution-time share, the breakdown columns,
//! every goroutine's total and non-overlapping times, and the special
//! ranges. Go prints durations with `time.Duration.String`, which is exact
//! to the nanosecond, so times must be equal; the percentage is printed
//! with two decimals and compared within that rounding. (Old-format traces,
//! Go 1.11–1.21, are the exception: there `go tool trace` itself is not
//! deterministic to the nanosecond, see `support::profile::time_tolerance`.)
//! Needs the Go toolchain (GOTRACE_GO, default
//! /root/.cache/gotrace/go/1.27.3/go/bin/go); fails without it.

mod support;

use gotrace::analysis::goroutines::{
    analyze, go_duration, parse_go_duration, AnalysisOptions, GoroutineReport,
};
use std::collections::BTreeMap;
use std::path::Path;

const INACTIVE: &str = "(Inactive, no stack trace sampled)";

/// Equal lengths and every pair within `tol` ns (see `support::profile::time_tolerance`).
fn close(a: &[i64], b: &[i64], tol: i64) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.abs_diff(*y) <= tol.unsigned_abs())
}

fn dur(s: &str) -> Result<i64, String> {
    parse_go_duration(s.trim()).ok_or_else(|| format!("not a Go duration: {s:?}"))
}

fn check_groups_page(
    name: &str,
    html: &str,
    report: &GoroutineReport,
    tol: i64,
) -> Result<Vec<String>, String> {
    let t = support::html::tables(html, "")
        .into_iter()
        .next()
        .ok_or("no table on /goroutines")?;
    let mut go: BTreeMap<String, (usize, i64)> = BTreeMap::new();
    for row in &t.rows {
        let [n, count, exec] = &row[..] else {
            return Err(format!("unexpected /goroutines row {row:?}"));
        };
        let n = if n == INACTIVE {
            String::new()
        } else {
            n.clone()
        };
        let count: usize = count.parse().map_err(|_| format!("bad count {count:?}"))?;
        go.insert(n, (count, dur(exec)?));
    }
    let ours: BTreeMap<String, (usize, i64)> = report
        .groups()
        .into_iter()
        .map(|g| (g.name, (g.count, g.exec_time)))
        .collect();
    let same = go.len() == ours.len()
        && go.iter().all(|(k, v)| {
            ours.get(k)
                .is_some_and(|o| o.0 == v.0 && close(&[o.1], &[v.1], tol))
        });
    if !same {
        let mut msg = format!("{name} /goroutines: groups differ");
        for (k, v) in &go {
            if !ours
                .get(k)
                .is_some_and(|o| o.0 == v.0 && close(&[o.1], &[v.1], tol))
            {
                msg.push_str(&format!(
                    "\n      {k:?}: go {:?} gotrace {:?}",
                    (v.0, go_duration(v.1)),
                    ours.get(k).map(|o| (o.0, go_duration(o.1)))
                ));
            }
        }
        for k in ours.keys().filter(|k| !go.contains_key(*k)) {
            msg.push_str(&format!("\n      {k:?}: only in gotrace"));
        }
        return Err(msg);
    }
    Ok(go.into_keys().collect())
}

fn check_group_page(
    name: &str,
    group: &str,
    html: &str,
    report: &GoroutineReport,
    tol: i64,
) -> Vec<String> {
    let mut f = Vec::new();
    let Some(d) = report.group(group) else {
        return vec![format!("{name} group {group:?}: gotrace has no such group")];
    };
    let here = format!("{name} /goroutine?name={group}");
    // Summary table.
    let summary = support::html::tables(html, "summary");
    let Some(summary) = summary.first() else {
        return vec![format!("{here}: no summary table")];
    };
    for row in &summary.rows {
        match row.first().map(String::as_str) {
            Some("Count:") if row.get(1) != Some(&d.count.to_string()) => {
                f.push(format!(
                    "{here}: count go {:?} gotrace {}",
                    row.get(1),
                    d.count
                ));
            }
            Some("Execution Time:") => {
                let go_pct = row
                    .get(1)
                    .and_then(|s| s.split('%').next())
                    .and_then(|s| s.trim().parse::<f64>().ok());
                match (go_pct, d.exec_time_percent) {
                    (None, None) => {}
                    (Some(g), Some(o)) if (g - o).abs() <= 0.0051 => {}
                    (g, o) => f.push(format!("{here}: exec time share go {g:?}% gotrace {o:?}%")),
                }
            }
            _ => {}
        }
    }
    // Breakdown and special ranges.
    let details = support::html::tables(html, "details");
    let (Some(breakdown), Some(ranges)) = (details.first(), details.get(1)) else {
        return vec![format!("{here}: missing details tables")];
    };
    // Header: Goroutine, Total, (bar), columns...
    let go_cols: Vec<String> = breakdown.header.iter().skip(3).cloned().collect();
    if go_cols != d.columns {
        f.push(format!(
            "{here}: breakdown columns differ:\n      go:      {go_cols:?}\n      gotrace: {:?}",
            d.columns
        ));
        return f;
    }
    if breakdown.rows.len() != d.rows.len() {
        f.push(format!(
            "{here}: {} goroutines in go, {} in gotrace",
            breakdown.rows.len(),
            d.rows.len()
        ));
    }
    let ours: BTreeMap<String, &gotrace::analysis::goroutines::GroupRow> =
        d.rows.iter().map(|r| (r.id.to_string(), r)).collect();
    for row in &breakdown.rows {
        let Some(id) = row.first() else { continue };
        let Some(o) = ours.get(id) else {
            f.push(format!("{here}: goroutine {id} only in go"));
            continue;
        };
        let mut go_vals = Vec::new();
        // Cells: id, total, bar, values...
        for cell in row
            .iter()
            .skip(1)
            .enumerate()
            .filter(|(i, _)| *i != 1)
            .map(|(_, c)| c)
        {
            match dur(cell) {
                Ok(v) => go_vals.push(v),
                Err(e) => {
                    f.push(format!("{here}: goroutine {id}: {e}"));
                    break;
                }
            }
        }
        let mut our_vals = vec![o.total_time];
        our_vals.extend(&o.values);
        if !close(&go_vals, &our_vals, tol) {
            let show = |v: &[i64]| v.iter().map(|x| go_duration(*x)).collect::<Vec<_>>();
            f.push(format!(
                "{here}: goroutine {id} (Total, {}):\n      go:      {:?}\n      gotrace: {:?}",
                d.columns.join(", "),
                show(&go_vals),
                show(&our_vals)
            ));
        }
    }
    let go_range_cols: Vec<String> = ranges.header.iter().skip(2).cloned().collect();
    if go_range_cols != d.range_columns {
        f.push(format!(
            "{here}: range columns differ: go {go_range_cols:?} gotrace {:?}",
            d.range_columns
        ));
        return f;
    }
    let with_ranges = d.rows.iter().filter(|r| r.has_range_time).count();
    if ranges.rows.len() != with_ranges {
        f.push(format!(
            "{here}: {} goroutines with special ranges in go, {with_ranges} in gotrace",
            ranges.rows.len()
        ));
    }
    for row in &ranges.rows {
        let Some(id) = row.first() else { continue };
        let Some(o) = ours.get(id) else {
            f.push(format!("{here}: ranges: goroutine {id} only in go"));
            continue;
        };
        let go_vals: Result<Vec<i64>, String> = row.iter().skip(1).map(|c| dur(c)).collect();
        let mut our_vals = vec![o.total_time];
        our_vals.extend(&o.ranges);
        match go_vals {
            Ok(v) if close(&v, &our_vals, tol) => {}
            other => f.push(format!(
                "{here}: ranges of goroutine {id}: go {other:?} gotrace {our_vals:?}"
            )),
        }
    }
    f
}

fn check_file(file: &Path) -> (usize, Vec<String>) {
    let name = support::display(file);
    let bytes = std::fs::read(file).expect("read trace");
    let server = match support::server::GoServer::start(file) {
        Ok(s) => s,
        Err(out) => {
            return match analyze(&bytes, AnalysisOptions::default()) {
                Ok((r, _)) if !r.goroutines.is_empty() => (
                    0,
                    vec![format!(
                        "{name}: go tool trace -http failed ({}) but gotrace analysed it",
                        out.trim()
                    )],
                ),
                _ => (0, vec![]),
            };
        }
    };
    let report = match analyze(&bytes, AnalysisOptions::default()) {
        Ok((r, _)) => r,
        Err(e) => return (0, vec![format!("{name}: gotrace cannot read it: {e}")]),
    };
    let html = match server.get("/goroutines") {
        Ok((200, b)) => String::from_utf8_lossy(&b).into_owned(),
        Ok((s, b)) => {
            return (
                0,
                vec![format!(
                    "{name} /goroutines: {s} {}",
                    String::from_utf8_lossy(&b)
                )],
            )
        }
        Err(e) => return (0, vec![format!("{name} /goroutines: {e}")]),
    };
    let tol = support::profile::time_tolerance(&bytes);
    let groups = match check_groups_page(&name, &html, &report, tol) {
        Ok(g) => g,
        Err(e) => return (0, vec![e]),
    };
    let mut failures = Vec::new();
    for g in &groups {
        let path = format!("/goroutine?name={}", support::server::query_escape(g));
        match server.get(&path) {
            Ok((200, b)) => {
                let html = String::from_utf8_lossy(&b);
                failures.extend(check_group_page(&name, g, &html, &report, tol));
            }
            Ok((s, b)) => failures.push(format!(
                "{name} {path}: {s} {}",
                String::from_utf8_lossy(&b)
            )),
            Err(e) => failures.push(format!("{name} {path}: {e}")),
        }
    }
    (groups.len(), failures)
}

#[test]
fn goroutine_pages_match_go() {
    let files = support::trace_files();
    let results = support::parallel_map(&files, support::threads(), |f| check_file(f));
    let groups: usize = results.iter().map(|r| r.0).sum();
    let failures: Vec<String> = results.into_iter().flat_map(|r| r.1).collect();
    eprintln!(
        "goroutines: {} traces, {groups} groups compared with go tool trace -http",
        files.len()
    );
    assert!(groups > 0, "no goroutine groups were compared");
    assert!(
        failures.is_empty(),
        "{} difference(s) from go1.27.3:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

/// Damaged traces (committed multi-generation traces cut short; the cut
/// files live in the test cache): Go summarizes every event it read
/// before the error.
#[test]
fn goroutine_pages_match_go_on_truncated_traces() {
    let mut cuts = Vec::new();
    for f in support::trace_files() {
        let n = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !(n.starts_with("annotations") || n.starts_with("flightrecorder")) {
            continue;
        }
        let bytes = std::fs::read(&f).expect("read trace");
        for pct in [35usize, 60, 85] {
            cuts.push(support::scratch_file(
                &bytes[..bytes.len() * pct / 100],
                "trace",
            ));
        }
    }
    assert!(!cuts.is_empty(), "no multi-generation traces to cut");
    let results = support::parallel_map(&cuts, support::threads(), |f| check_file(f));
    let groups: usize = results.iter().map(|r| r.0).sum();
    let failures: Vec<String> = results.into_iter().flat_map(|r| r.1).collect();
    assert!(groups > 0, "no goroutine groups were compared");
    assert!(
        failures.is_empty(),
        "{} difference(s) from go1.27.3 on cut traces:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}
