//! Differential test of the MMU analysis against go1.27.3's `go tool trace`
//! web server: for every trace of the corpus and several flag sets, the
//! `/mmu?mode=plot` curve (window sizes and MMU values, and the "Show
//! percentiles" columns) and the `/mmu?mode=details` worst windows must be
//! what `gotrace::analysis::mmu` computes.
//!
//! Needs the Go toolchain (`$GOTRACE_GO` or the pinned go1.27.3); fails
//! without it. `GOTRACE_ONLY=substr` restricts the traces;
//! `GOTRACE_SKIP_OLD=1` leaves out old-format (Go ≤ 1.21) traces.

#[path = "../../gotrace/tests/support/mod.rs"]
mod support;

use gotrace::analysis::mmu::{curves_from_trace, MmuCurve, UtilFlags};
use std::path::Path;
use support::server::GoServer;

/// The flag sets compared (Go's `flags=` syntax).
const FLAG_SETS: &[&str] = &[
    "stw|background|assist",
    "stw|background|assist|sweep",
    "perProc|stw|background|assist",
    "perProc|stw|background|assist|sweep",
    "stw",
    "assist|sweep",
    "background|perProc",
    "",
];

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// A JSON number array row of Go's plot.
fn numbers(v: &str) -> Vec<f64> {
    v.split(',')
        .map(|x| {
            x.trim()
                .parse::<f64>()
                .unwrap_or_else(|_| panic!("bad number {x:?}"))
        })
        .collect()
}

/// Go's `{"curve":[[w,m,...],...],"quantiles":...,"xMax":N,"xMin":N}`.
struct Plot {
    curve: Vec<Vec<f64>>,
    x_min: i64,
    x_max: i64,
}

fn parse_plot(json: &str) -> Plot {
    let rows_re = regex::Regex::new(r"\[([-0-9.eE+,]+)\]").expect("regex");
    let start = json.find("\"curve\":[").expect("curve in plot JSON") + 9;
    let end = json[start..]
        .find("]]")
        .map_or(json.len(), |e| start + e + 2);
    let curve = rows_re
        .captures_iter(&json[start..end])
        .map(|c| numbers(&c[1]))
        .collect();
    let int = |key: &str| -> i64 {
        let re = regex::Regex::new(&format!("\"{key}\":(-?[0-9]+)")).expect("regex");
        re.captures(json)
            .and_then(|c| c[1].parse().ok())
            .unwrap_or_else(|| panic!("{key} in {json}"))
    };
    Plot {
        curve,
        x_min: int("xMin"),
        x_max: int("xMax"),
    }
}

/// Go's worst windows: `[{"Time":N,"MutatorUtil":F,"URL":...},...]`.
fn parse_details(json: &str) -> Vec<(i64, f64)> {
    let re = regex::Regex::new(r#""Time":(-?[0-9]+),"MutatorUtil":([-0-9.eE+]+)"#).expect("regex");
    re.captures_iter(json)
        .map(|c| (c[1].parse().expect("time"), c[2].parse().expect("util")))
        .collect()
}

fn check_trace(file: &Path, failures: &mut Vec<String>) -> usize {
    let data = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let flags: Vec<UtilFlags> = FLAG_SETS
        .iter()
        .map(|f| UtilFlags::parse(f).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let ours = curves_from_trace(&data, &flags);
    let server = GoServer::start(file);
    let (curves, server) = match (ours, server) {
        (Ok((c, _)), Ok(s)) => (c, s),
        (Err(_), Err(_)) => return 0, // Both refuse it.
        (Ok(_), Err(e)) => {
            failures.push(format!(
                "{}: Go refused the trace but we read it: {e}",
                file.display()
            ));
            return 0;
        }
        (Err(e), Ok(_)) => {
            failures.push(format!(
                "{}: Go read the trace but we refused it: {e}",
                file.display()
            ));
            return 0;
        }
    };
    let name = file.display();
    let mut compared = 0;
    for (set, curve) in FLAG_SETS.iter().zip(&curves) {
        if curve.is_empty() {
            // Go's plot handler crashes on a trace without GOMAXPROCS.
            continue;
        }
        compared += compare_set(&server, &name.to_string(), set, curve, failures);
    }
    if curves.first().is_some_and(|c| !c.is_empty()) {
        compared += check_cli(&server, file, failures);
    }
    compared
}

/// `gotrace mmu --go-windows --json FILE` prints Go's default plot.
fn check_cli(server: &GoServer, file: &Path, failures: &mut Vec<String>) -> usize {
    let args: Vec<String> = ["mmu", "--go-windows", "--json"]
        .iter()
        .map(|s| s.to_string())
        .chain([file.to_string_lossy().into_owned()])
        .collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = gotrace_cli::run(&args, &mut out, &mut err);
    let out = String::from_utf8_lossy(&out);
    let go = parse_plot(&server.get_text("/mmu?mode=plot&flags=stw|background|assist"));
    let ours = parse_plot(&format!("{out},\"xMin\":0,\"xMax\":0"));
    // Our window sizes come from Rust's exp/ln, which may differ from Go's
    // in the last bit, so a window can be 1 ns off; the MMU then differs
    // by about 1e-9 of a window.
    let same = go.curve.len() == ours.curve.len()
        && go.curve.iter().zip(&ours.curve).all(|(a, b)| {
            if a[0] == b[0] {
                close(a[1], b[1])
            } else {
                (a[0] - b[0]).abs() <= 1.0 && (a[1] - b[1]).abs() <= 1e-6
            }
        });
    // A damaged trace exits 1 after printing the curve.
    if !same || status > 1 {
        failures.push(format!(
            "{}: `gotrace mmu` (status {status}) printed {out}\n{}\n  Go: {:?}",
            file.display(),
            String::from_utf8_lossy(&err),
            go.curve
        ));
    }
    1
}

fn compare_set(
    server: &GoServer,
    name: &str,
    set: &str,
    curve: &MmuCurve,
    failures: &mut Vec<String>,
) -> usize {
    let mut compared = 0;
    let plot = parse_plot(&server.get_text(&format!("/mmu?mode=plot&flags={set}")));
    let ours_windows = curve.go_plot_windows();
    if plot.curve.len() != 100 || ours_windows.len() != 100 {
        failures.push(format!(
            "{name} [{set}]: plot has {} rows, we sample {}",
            plot.curve.len(),
            ours_windows.len()
        ));
    }
    let (lo, hi) = (ours_windows.first().copied(), ours_windows.last().copied());
    if lo.is_some_and(|l| (l - plot.x_min).abs() > 1)
        || hi.is_some_and(|h| (h - plot.x_max).abs() > 1)
    {
        // Our first/last sample are exp(ln(x)) of Go's xMin/xMax; a
        // different range means a different MMU at 1s/1ms/1µs.
        failures.push(format!(
            "{name} [{set}]: plot range Go {}..{} vs ours {lo:?}..{hi:?}",
            plot.x_min, plot.x_max
        ));
    }
    for (i, row) in plot.curve.iter().enumerate() {
        let window = row[0] as i64;
        if let Some(&w) = ours_windows.get(i) {
            // exp/ln may differ in the last bit from Go's; truncation to ns
            // can then differ by one.
            if (w - window).abs() > 1 {
                failures.push(format!(
                    "{name} [{set}]: plot window {i}: Go {window} vs ours {w}"
                ));
            }
        }
        let got = curve.mmu(window);
        compared += 1;
        if !close(got, row[1]) {
            failures.push(format!(
                "{name} [{set}]: MMU({window}) Go {} vs ours {got}",
                row[1]
            ));
        }
    }
    // "Show percentiles": Go's columns for quantiles 0, .001, .01, .05.
    let mut_plot = parse_plot(&server.get_text(&format!("/mmu?mode=plot&flags={set}|mut")));
    let quantiles = [0.0, 1.0 - 0.999, 1.0 - 0.99, 1.0 - 0.95];
    for row in mut_plot.curve.iter().step_by(9) {
        let window = row[0] as i64;
        let got = curve.percentiles_go(window, &quantiles);
        compared += 1;
        if row.len() != 5 || !row[1..].iter().zip(&got).all(|(a, b)| close(*a, *b)) {
            failures.push(format!(
                "{name} [{set}|mut]: MUD({window}) Go {:?} vs ours {got:?}",
                &row[1..]
            ));
        }
        // Our real distribution starts at the MMU and never goes below it.
        let real = curve.percentiles(window, &quantiles);
        if real[0] != got[0] || real.windows(2).any(|w| w[1] + 1e-12 < w[0]) {
            failures.push(format!(
                "{name} [{set}]: percentiles({window}) {real:?} not from the MMU up"
            ));
        }
    }
    // Worst windows at a few sizes of the plot.
    for idx in [0usize, 25, 50, 75, 99] {
        let Some(row) = plot.curve.get(idx) else {
            continue;
        };
        let window = row[0] as i64;
        if window <= 0 {
            continue;
        }
        let go = parse_details(
            &server.get_text(&format!("/mmu?mode=details&window={window}&flags={set}")),
        );
        let ours: Vec<(i64, f64)> = curve
            .worst_windows(window, 10)
            .iter()
            .map(|w| (w.time, w.util))
            .collect();
        compared += 1;
        let same = go.len() == ours.len()
            && go
                .iter()
                .zip(&ours)
                .all(|(a, b)| a.0 == b.0 && close(a.1, b.1));
        if !same {
            failures.push(format!(
                "{name} [{set}]: worst {window} ns windows Go {go:?}\n  vs ours {ours:?}"
            ));
        }
    }
    compared
}

#[test]
fn mmu_matches_go_tool_trace() {
    support::check_against_go("mmu", "MMU", check_trace);
}
