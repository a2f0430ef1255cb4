//! `cut::cut` against go1.27.3: every cut of every new-format trace in
//! `testdata/traces/` must be a trace Go reads (`go tool trace -d=parsed`
//! exits 0) and whose Go dump is byte-for-byte our dump of it, and it must
//! hold exactly the generations that overlap the range, byte for byte.
//!
//! Ranges per trace (times in ns since the trace's start, from its index):
//! the whole trace, the first generation, a middle slice (from inside one
//! generation to inside a later one), the last generation, and a point
//! inside one generation.
//!
//! Go comes from the test-support module (`$GOTRACE_GO`, else the toolchain
//! `scripts/setup.sh` installs); if it is missing the test fails, it never
//! skips. Go's outputs are cached by content.

mod support;

use std::collections::HashMap;

use gotrace::cut::{cut, CutError};
use gotrace::index::{self, Index};
use support::{first_difference, go_trace};

/// Our `-d=parsed` rendering of `data`, or the error.
fn our_parsed(data: &[u8]) -> Result<Vec<u8>, String> {
    let mut r = gotrace::Reader::new(data).map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    while let Some(ev) = r.next_event() {
        let ev = ev.map_err(|e| e.to_string())?;
        gotrace::dump::format_event(&mut buf, &ev, r.tables());
    }
    Ok(buf)
}

/// Every new-format (Go 1.22+) trace of the corpus: (name, bytes).
fn new_format_traces() -> Vec<(String, Vec<u8>)> {
    support::corpus()
        .into_iter()
        .filter_map(|f| {
            let data = std::fs::read(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            (!support::is_old_format(&data)).then(|| (support::display(&f), data))
        })
        .collect()
}

/// The ranges to cut a trace to, named, in ns since its start.
fn ranges(ix: &Index) -> Vec<(&'static str, i64, i64)> {
    let g = &ix.generations;
    let n = g.len();
    let mid = |i: usize| g[i].start_ns + (g[i].end_ns - g[i].start_ns) / 2;
    let (lo, hi) = ix.time_range().expect("a trace with generations");
    let mut v = vec![
        ("whole", lo, hi),
        ("first generation", g[0].start_ns, g[0].end_ns),
        ("last generation", g[n - 1].start_ns, g[n - 1].end_ns),
        ("point", mid(n / 2), mid(n / 2)),
    ];
    if n >= 3 {
        v.push(("middle slice", mid(n / 4), mid((3 * n) / 4)));
    } else {
        v.push(("middle slice", mid(0), mid(n - 1)));
    }
    v
}

#[test]
fn cuts_read_in_go_like_in_gotrace() {
    let traces = new_format_traces();
    assert!(
        traces.len() >= 60,
        "only {} new-format traces under testdata/traces",
        traces.len()
    );
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut go_runs = 0;
    // Go's verdict per distinct cut (several ranges often give the same file).
    let mut seen: HashMap<Vec<u8>, Result<(), String>> = HashMap::new();
    let mut multi_gen_cuts = 0;
    let mut not_first_gen = 0;
    for (name, data) in &traces {
        let ix = index::build(data).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(ix.error, None, "{name}");
        for (what, start, end) in ranges(&ix) {
            checked += 1;
            let label = format!("{name} [{what}: {start}..{end} ns]");
            let out = match cut(data, start, end) {
                Ok(o) => o,
                Err(e) => {
                    failures.push(format!("{label}: cut failed: {e}"));
                    continue;
                }
            };
            // Exactly the overlapping generations, byte for byte.
            let keep: Vec<_> = ix
                .generations
                .iter()
                .filter(|g| g.start_ns <= end && start <= g.end_ns)
                .collect();
            let mut want = data[..ix.header_len].to_vec();
            for g in &keep {
                want.extend_from_slice(&data[g.bytes.start as usize..g.bytes.end as usize]);
            }
            if keep.is_empty() || out != want {
                failures.push(format!(
                    "{label}: the cut is not the header plus generations {:?}",
                    keep.iter().map(|g| g.number).collect::<Vec<_>>()
                ));
                continue;
            }
            if keep.len() > 1 {
                multi_gen_cuts += 1;
            }
            // The cut's own index: the same generations, sizes, event counts
            // and (absolute) end times.
            let cix = match index::build(&out) {
                Ok(c) => c,
                Err(e) => {
                    failures.push(format!("{label}: cannot index the cut: {e}"));
                    continue;
                }
            };
            if cix.error.is_some() || cix.generations.len() != keep.len() {
                failures.push(format!(
                    "{label}: the cut's index has {} generations (error {:?}), want {}",
                    cix.generations.len(),
                    cix.error,
                    keep.len()
                ));
                continue;
            }
            for (c, o) in cix.generations.iter().zip(&keep) {
                let same = c.number == o.number
                    && c.len_bytes() == o.len_bytes()
                    && c.batches == o.batches
                    && c.events == o.events
                    && cix.absolute(c.end_ns) == ix.absolute(o.end_ns);
                if !same {
                    failures.push(format!(
                        "{label}: generation differs in the cut: {c:?} vs {o:?}"
                    ));
                }
            }
            if keep[0].number != ix.generations[0].number {
                not_first_gen += 1;
            }
            // Go reads it, and prints what we print.
            let verdict = seen
                .entry(out.clone())
                .or_insert_with(|| {
                    go_runs += 1;
                    let go = go_trace("parsed", &out);
                    if go.code != 0 {
                        return Err(format!("go exited {}: {}", go.code, go.stderr.trim()));
                    }
                    match our_parsed(&out) {
                        Ok(ours) => match first_difference(&go.stdout, &ours) {
                            None => Ok(()),
                            Some(d) => Err(d),
                        },
                        Err(e) => Err(format!("go read it, gotrace failed: {e}")),
                    }
                })
                .clone();
            if let Err(e) = verdict {
                failures.push(format!("{label}: {e}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} cuts failed:\n  - {}\n",
        failures.len(),
        failures.join("\n  - ")
    );
    assert!(multi_gen_cuts > 0 && not_first_gen > 0);
    eprintln!(
        "{checked} cuts of {} traces ({} distinct files run through Go, {multi_gen_cuts} with \
         several generations, {not_first_gen} starting after the first generation): Go reads \
         every one like gotrace",
        traces.len(),
        go_runs
    );
}

/// Old-format traces cannot be cut; the error says so.
#[test]
fn old_format_traces_are_refused() {
    let root = support::repo_root().join("testdata/traces/go1.21");
    let data = std::fs::read(root.join("stress.trace")).expect("go1.21 trace");
    let e = cut(&data, 0, i64::MAX).unwrap_err();
    assert!(matches!(e, CutError::Trace(_)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "old-format trace (go 1.21): cutting needs Go 1.22+ traces"
    );
}
