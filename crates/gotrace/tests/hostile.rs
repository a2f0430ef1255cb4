//! Hostile input: damaged versions of real traces must never panic or hang,
//! and a damaged trace must still yield the events before the damage.
//!
//! Deterministic: a fixed-seed PRNG drives the mutations, so a failure names
//! the seed that reproduces it.

mod support;

use gotrace::Reader;
use std::time::{Duration, Instant};
use support::{corpus, Rng};

/// Reads everything; returns (events, errored).
fn read_all(data: &[u8]) -> (usize, bool) {
    let Ok(mut r) = Reader::new(data) else {
        return (0, true);
    };
    let mut n = 0;
    while let Some(item) = r.next_event() {
        match item {
            Ok(_) => n += 1,
            Err(_) => return (n, true),
        }
    }
    (n, false)
}

fn mutate(data: &mut Vec<u8>, rng: &mut Rng) {
    let len = data.len();
    match rng.below(6) {
        // Flip a few bits past the header.
        0 => {
            for _ in 0..1 + rng.below(4) {
                let i = 16 + rng.below(len.saturating_sub(16));
                if let Some(b) = data.get_mut(i) {
                    *b ^= 1 << rng.below(8);
                }
            }
        }
        // Truncate.
        1 => data.truncate(16 + rng.below(len.saturating_sub(16))),
        // Overwrite a byte with an extreme value.
        2 => {
            let i = 16 + rng.below(len.saturating_sub(16));
            if let Some(b) = data.get_mut(i) {
                *b = [0x00, 0xff, 0x80, 0x7f, 52, 49, 1][rng.below(7)];
            }
        }
        // Insert an absurd varint.
        3 => {
            let i = 16 + rng.below(len.saturating_sub(16));
            let junk = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
            let at = i.min(data.len());
            data.splice(at..at, junk.iter().copied());
        }
        // Delete a span.
        4 => {
            let i = 16 + rng.below(len.saturating_sub(16));
            let j = (i + 1 + rng.below(64)).min(data.len());
            if i < j {
                data.drain(i..j);
            }
        }
        // Duplicate a span (repeats batches/ids).
        _ => {
            let i = 16 + rng.below(len.saturating_sub(16));
            let j = (i + 1 + rng.below(4096)).min(data.len());
            if i < j {
                let span: Vec<u8> = data[i..j].to_vec();
                data.splice(j..j, span);
            }
        }
    }
}

#[test]
fn mutated_traces_never_panic_or_hang() {
    let files = corpus();
    assert!(
        !files.is_empty(),
        "no traces under testdata/traces: run scripts/gen-traces.sh"
    );
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut cases = 0;
    for path in files.iter().filter(|p| {
        std::fs::metadata(p)
            .map(|m| m.len() < 400_000)
            .unwrap_or(false)
    }) {
        let original = std::fs::read(path).expect("read corpus file");
        for round in 0..40 {
            let seed = rng.0;
            let mut data = original.clone();
            for _ in 0..1 + rng.below(3) {
                mutate(&mut data, &mut rng);
            }
            let t = Instant::now();
            let result = std::panic::catch_unwind(|| read_all(&data));
            assert!(
                result.is_ok(),
                "panic on {} round {round} (seed {seed:#x})",
                path.display()
            );
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "took {:?} on {} round {round} (seed {seed:#x})",
                t.elapsed(),
                path.display()
            );
            cases += 1;
        }
        if Instant::now() > deadline {
            break;
        }
    }
    assert!(cases > 100, "only {cases} cases ran");
}

#[test]
fn truncated_trace_keeps_complete_generations() {
    for path in corpus() {
        let data = std::fs::read(&path).expect("read corpus file");
        let (full, err) = read_all(&data);
        if err || full < 1000 || data.get(..16) == Some(b"go 1.21 trace\0\0\0") {
            continue;
        }
        // Cut the last 10%: everything before the last generation survives.
        let cut = &data[..data.len() * 9 / 10];
        let (partial, errored) = read_all(cut);
        assert!(
            errored || partial < full,
            "{}: truncation went unnoticed",
            path.display()
        );
        assert!(
            partial > 0,
            "{}: nothing survived truncation",
            path.display()
        );
    }
}

#[test]
fn garbage_and_tiny_inputs_are_rejected_cleanly() {
    for data in [
        &b""[..],
        b"go 1.",
        b"go 1.22 trace\0\0",
        b"hello world, not a trace",
        b"go 1.99 trace\0\0\0",
    ] {
        let (n, err) = read_all(data);
        assert!(
            err && n == 0,
            "{:?} gave {n} events, err={err}",
            String::from_utf8_lossy(data)
        );
    }
    // Header only: Go gives a Sync and then "no frequency event found" before 1.26,
    // and a single Sync for 1.26.
    assert_eq!(read_all(b"go 1.22 trace\0\0\0"), (1, true));
    assert_eq!(read_all(b"go 1.26 trace\0\0\0"), (1, false));
}
