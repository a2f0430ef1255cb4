//! Old-format traces (headers `go 1.11`, `go 1.19`, `go 1.21`; written by Go
//! 1.11–1.21), read the way Go 1.27's `internal/trace` reads them:
//!
//! 1. [`parse`]: the flat v1 byte stream → batch index and CPU samples,
//!    then (lazily, during the merge) per-P events, strings, stacks;
//! 2. [`order`]: merge the P lists by goroutine sequence numbers and time,
//!    then syscall-exit times, then ticks → ns since the first event;
//! 3. [`validate`]: Go's consistency pass (also assigns pseudo Ps);
//! 4. [`convert`]: → [`Event`]s of the common model, bracketed by the two
//!    Sync events Go 1.25+ synthesises for v1 traces.
//!
//! Unlike new-format traces, Go parses the whole v1 trace before returning
//! anything, so a parse or ordering error yields no events at all. Only a
//! conversion error comes after events (those converted before it).

mod convert;
mod cursor;
mod frontier;
mod intern;
mod order;
mod parse;
mod spec;
mod validate;

use crate::error::{Error, ErrorKind};
use crate::event::Event;
use crate::tables::Tables;
use crate::wire::Version;

/// Reads a whole v1 trace (`file` includes the 16-byte header).
///
/// Returns the events Go's `Reader` yields (first and last a Sync) and, if Go
/// would fail, the error after the events Go yields before failing.
pub fn read(file: &[u8], version: Version, tables: &mut Tables) -> (Vec<Event>, Option<Error>) {
    if !version.is_v1() {
        let msg = format!("not an old-format trace version: go 1.{}", version.minor());
        return (Vec::new(), Some(Error::new(ErrorKind::Header, msg).at(0)));
    }
    let minor = version.minor();
    let (events, v1_tables) = match load(file, minor) {
        Ok(v) => v,
        Err(e) => return (Vec::new(), Some(e)),
    };
    // Go's Reader: a Sync just before the first event (if there is one)...
    let first = events.first().map(|e| e.ts.wrapping_sub(1));
    let (converted, last_ts, err) = convert::convert(&events, &v1_tables, minor, tables);
    let mut out = Vec::with_capacity(converted.len() + 2);
    let mut n = 0;
    if let Some(t) = first {
        n += 1;
        out.push(sync(t, n));
    }
    out.extend(converted);
    if err.is_some() {
        return (out, err);
    }
    // ...and one just after the last, even for an empty trace.
    out.push(sync(last_ts.wrapping_add(1), n + 1));
    (out, None)
}

/// Stages 1–3: bytes → validated events in Go's order, with their tables.
fn load(file: &[u8], minor: u32) -> Result<(Vec<parse::V1Event>, parse::V1Tables<'_>), Error> {
    let index = parse::index(file, minor)?;
    let mut streams: Vec<order::Stream> = index
        .procs
        .into_iter()
        .map(|(_, offs)| order::Stream::batches(offs))
        .collect();
    streams.push(order::Stream::samples(index.cpu_samples));
    let mut loader = parse::Loader::new(file, minor);
    let mut events = order::merge(streams, &mut loader)?;
    order::fix_times(&mut events)?;
    let tables = loader.tables;
    if tables.ticks_per_sec == 0 {
        return Err(Error::format("no EvFrequency event").at(file.len() as u64));
    }
    order::to_nanoseconds(&mut events, tables.ticks_per_sec);
    for ev in events.iter_mut() {
        // Timer unblocks and syscall exits live on pseudo Ps.
        if ev.ty == spec::ty::GO_UNBLOCK && tables.timer_goroutines.contains(&ev.g) {
            ev.p = validate::TIMER_P;
        }
        if ev.ty == spec::ty::GO_SYS_EXIT {
            ev.p = validate::SYSCALL_P;
        }
    }
    validate::validate(&mut events, |id| tables.stacks.contains_key(&id))?;
    Ok((events, tables))
}

fn sync(time: i64, n: u64) -> Event {
    Event::sync(time, n, None)
}

#[cfg(test)]
mod tests;
