//! `gotrace mmu [--flags F] [--worst WINDOW_NS] [--go-windows] [--corrected] [--json] FILE`:
//! minimum mutator utilization, as `go tool trace`'s `/mmu` page computes it.
//!
//! By default prints `window_ns mmu` for windows 1µs, 2µs, 5µs, 10µs, ...
//! up to the trace duration (and the duration itself). `--worst W` lists
//! the 10 worst disjoint windows of W ns instead; `--go-windows` uses the
//! 100 window sizes Go's plot samples. `--corrected` charges GC work without
//! go1.27.3's drift (see `analysis::mmu::Accounting`); the default is Go's.

use crate::{
    analyze_file, one_file, parse_args, report_damage, usage, write_json, Status, BAD_TRACE,
};
use gotrace::analysis::mmu::{curves_from_trace_with, Accounting, MmuCurve, UtilFlags, UtilWindow};
use serde::Serialize;
use std::io::Write;

const WORST_COUNT: usize = 10;

struct Options {
    flags: UtilFlags,
    worst: Option<i64>,
    go_windows: bool,
    json: bool,
    accounting: Accounting,
    file: String,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut flags = UtilFlags::DEFAULT;
    let mut worst = None;
    let mut go_windows = false;
    let mut json = false;
    let mut accounting = Accounting::Go;
    let positional = parse_args(args, |name, p| {
        match name {
            "--flags" => flags = UtilFlags::parse(&p.value(name)?)?,
            "--worst" => {
                let v = p.value(name)?;
                let w: i64 = v
                    .parse()
                    .map_err(|_| format!("--worst: not a window in ns: {v:?}"))?;
                if w <= 0 {
                    return Err("--worst: the window must be positive".into());
                }
                worst = Some(w);
            }
            "--go-windows" => go_windows = true,
            "--json" => json = true,
            "--corrected" => accounting = Accounting::Corrected,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(Options {
        flags,
        worst,
        go_windows,
        json,
        accounting,
        file: one_file(positional)?,
    })
}

/// 1, 2, 5 × 10^k ns from 1µs up to `span`, then `span` itself.
pub fn default_windows(span: i64) -> Vec<i64> {
    let mut out = Vec::new();
    let mut decade: i64 = 1000;
    'outer: loop {
        for m in [1, 2, 5] {
            let w = decade.saturating_mul(m);
            if w >= span {
                break 'outer;
            }
            out.push(w);
        }
        if decade > i64::MAX / 10 {
            break;
        }
        decade *= 10;
    }
    if span > 0 {
        out.push(span);
    }
    out
}

/// `--json`: the curve as `[window_ns, mmu]` points (a non-finite MMU is null).
#[derive(Serialize)]
struct CurveJson {
    flags: String,
    span_ns: i64,
    curve: Vec<(i64, f64)>,
}

/// `--json --worst W`.
#[derive(Serialize)]
struct WorstListJson {
    flags: String,
    window_ns: i64,
    worst: Vec<UtilWindow>,
}

fn print_curve(o: &Options, curve: &MmuCurve, out: &mut dyn Write) -> std::io::Result<()> {
    let span = curve.span().map_or(0, |(a, b)| b.saturating_sub(a));
    let windows = if o.go_windows {
        curve.go_plot_windows()
    } else {
        default_windows(span)
    };
    let points: Vec<(i64, f64)> = windows.iter().map(|&w| (w, curve.mmu(w))).collect();
    if o.json {
        write_json(
            out,
            &CurveJson {
                flags: o.flags.names(),
                span_ns: span,
                curve: points,
            },
        )
    } else {
        writeln!(out, "window_ns mmu")?;
        for (w, m) in points {
            writeln!(out, "{w} {m}")?;
        }
        Ok(())
    }
}

fn print_worst(
    o: &Options,
    window: i64,
    curve: &MmuCurve,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let worst = curve.worst_windows(window, WORST_COUNT);
    if o.json {
        write_json(
            out,
            &WorstListJson {
                flags: o.flags.names(),
                window_ns: window,
                worst,
            },
        )
    } else {
        writeln!(out, "start_ns mu")?;
        for w in worst {
            writeln!(out, "{} {}", w.time, w.util)?;
        }
        Ok(())
    }
}

pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> Status {
    let o = match parse(args) {
        Ok(o) => o,
        Err(msg) => return usage("mmu", &msg, err),
    };
    let read = |data| curves_from_trace_with(data, &[o.flags], o.accounting);
    let (curve, damage) = match analyze_file(&o.file, err, read) {
        Ok((mut curves, damage)) => (
            curves.pop().unwrap_or_else(|| MmuCurve::new(Vec::new())),
            damage,
        ),
        Err(s) => return s,
    };
    if curve.is_empty() {
        let _ = writeln!(
            err,
            "gotrace mmu: the trace has no GOMAXPROCS information, so no utilization"
        );
    }
    let written = match o.worst {
        Some(w) => print_worst(&o, w, &curve, out),
        None => print_curve(&o, &curve, out),
    };
    if let Err(e) = written {
        let _ = writeln!(err, "gotrace: writing output: {e}");
        return BAD_TRACE;
    }
    report_damage(
        damage.as_ref(),
        "the MMU covers the generations before the damage",
        err,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        assert_eq!(
            default_windows(12_000),
            vec![1000, 2000, 5000, 10_000, 12_000]
        );
        assert_eq!(default_windows(1000), vec![1000]);
        assert_eq!(default_windows(0), Vec::<i64>::new());
    }

    #[test]
    fn options() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let o = parse(&a(&[
            "--flags",
            "stw,perproc",
            "--worst=5000",
            "--json",
            "f",
        ]))
        .unwrap();
        assert_eq!(o.flags, UtilFlags::STW.union(UtilFlags::PER_PROC));
        assert_eq!(o.worst, Some(5000));
        assert!(o.json);
        assert_eq!(o.file, "f");
        assert!(parse(&a(&["--worst", "x", "f"])).is_err());
        assert!(parse(&a(&["--bogus", "f"])).is_err());
        assert!(parse(&a(&[])).is_err());
        let mut out = Vec::new();
        let mut err = Vec::new();
        assert_eq!(run(&a(&["--nope"]), &mut out, &mut err), crate::USAGE);
    }
}
