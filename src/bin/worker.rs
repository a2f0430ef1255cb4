//! The timeline Web Worker: receives the trace as a `Blob` (a `File`, or
//! bytes the page wrapped), reads it as a stream (`gotrace::stream`: slice
//! by slice with `FileReaderSync`, one segment of whole generations held at
//! a time, never the whole file), posts progress, and posts back the
//! encoded timeline (transferred). The page never parses, so it never
//! freezes.
//!
//! Protocol (`gotrace_viewer::protocol`, typed, through `web::wire`):
//! - worker → page `FromWorker::Ready` once started (the page then posts the bytes);
//! - page → worker `ToWorker::Trace`, the `Blob` as `data[0]`;
//! - worker → page `Progress`, for a big trace once `Preview` (the
//!   timeline of its first part, in parts as `data`), `Chunks` (sealed
//!   column chunks, sent as soon as they are: the worker holds what is
//!   being built, not the model), then `Done` (the rest of the timeline in
//!   parts, `Timeline::encode_parts`, transferred as `data`) or `Error` (a
//!   sentence for the user).

#[cfg(target_arch = "wasm32")]
fn main() {
    worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}

#[cfg(target_arch = "wasm32")]
mod worker {
    use gotrace::ErrorKind;
    use gotrace_viewer::protocol::{FromWorker, LoadStats, Phase, ToWorker};
    use gotrace_viewer::web::{js, wire};
    use js_sys::Array;
    use wasm_bindgen::prelude::*;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    /// Size of the timeline parts sent to the page.
    const PART_BYTES: usize = 4 << 20;
    /// Traces from this size on get a preview once this many events are
    /// read (a few hundred ms; at 1,000,000 first paint took 1.9 s on a
    /// 49 MB trace): the page paints their beginning early.
    const PREVIEW_MIN_BYTES: usize = 8 << 20;
    const PREVIEW_EVENTS: u64 = 300_000;
    /// Sealed column chunks are sent to the page every this many events.
    const SEND_AHEAD_EVENTS: u64 = 200_000;

    fn post(scope: &DedicatedWorkerGlobalScope, msg: &FromWorker, data: Option<&Array>) {
        if let Err(e) = wire::post(scope, msg, data) {
            web_sys::console::warn_1(&e.into());
        }
    }

    /// Posts `tl` in parts of a few MB (`Timeline::encode_parts`), each moved
    /// out of wasm memory as soon as it is written, so neither side ever
    /// holds the whole encoding next to the model. `msg` makes the message
    /// of the stats (with the encoding time and this worker's memory).
    fn post_parts(
        scope: &DedicatedWorkerGlobalScope,
        tl: &gotrace::timeline::Timeline,
        mut stats: LoadStats,
        msg: impl FnOnce(LoadStats) -> FromWorker,
    ) {
        let t0 = js_sys::Date::now();
        let parts = Array::new();
        tl.encode_parts_with(PART_BYTES, |part| {
            parts.push(&wire::to_buffer(&part));
        });
        stats.encode_ms = js_sys::Date::now() - t0;
        stats.wasm_memory = js::wasm_memory_bytes();
        post(scope, &msg(stats), Some(&parts));
    }

    /// Sends the column chunks `b` sealed since the last call to the page,
    /// each moved out of wasm memory as it is copied.
    fn send_ahead(
        scope: &DedicatedWorkerGlobalScope,
        b: &mut gotrace::timeline::Builder,
        tables: &gotrace::Tables,
    ) {
        let buffers = Array::new();
        let mut chunks = Vec::new();
        b.take_sealed(tables, |c| {
            buffers.push(&wire::to_buffer(&c.bytes));
            chunks.push((c.column, c.index));
        });
        if !chunks.is_empty() {
            post(scope, &FromWorker::Chunks { chunks }, Some(&buffers));
        }
    }

    pub fn start() {
        console_error_panic_hook::set_once();
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let s = scope.clone();
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Ok((ToWorker::Trace { from, budget }, data)) = wire::decode::<ToWorker>(&e.data())
            else {
                return;
            };
            let window = gotrace::stream::Window { from, budget };
            let Some(blob) = wire::blob(&data, 0) else {
                return post(
                    &s,
                    &FromWorker::Error {
                        message: "The trace reader was given no file.".into(),
                    },
                    None,
                );
            };
            drop(data);
            handle(&s, blob, window);
        });
        scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        onmessage.forget();
        post(&scope, &FromWorker::Ready, None);
    }

    /// The kind of damage, in plain words.
    fn explain(kind: ErrorKind) -> &'static str {
        match kind {
            ErrorKind::Header => "This file is not a Go execution trace, or it comes from a Go version this viewer cannot read.",
            ErrorKind::Truncated => "The trace is incomplete: the file ends before the data it announces (was it cut off while copying or writing?).",
            ErrorKind::Format => "The trace is damaged: some of its bytes do not make sense.",
            ErrorKind::Ordering => "The trace is damaged: its events cannot be put in a consistent order.",
            ErrorKind::Io => "The file could not be read to its end (was it changed, moved or deleted while it was being read?).",
        }
    }

    fn handle(
        scope: &DedicatedWorkerGlobalScope,
        blob: web_sys::Blob,
        window: gotrace::stream::Window,
    ) {
        let size = blob.size();
        let now = || js_sys::Date::now();
        // The bytes this read covers: the part from `window.from`, about
        // `window.budget` long (or the rest of the file).
        let total = (size as u64)
            .saturating_sub(window.from)
            .min(window.budget)
            .max(1);
        let progress = |phase: Phase, at: u64, events: u64| {
            // A part ends at the first generation boundary after its
            // budget: past the budget, the total grows with what is read.
            let bytes = at.saturating_sub(window.from);
            let total = total.max(bytes);
            post(
                scope,
                &FromWorker::Progress {
                    phase,
                    fraction: bytes as f64 / total as f64,
                    events,
                    bytes,
                    total,
                },
                None,
            );
        };
        let t0 = now();
        let finish_from = std::cell::Cell::new(t0);
        let ahead_ms = std::cell::Cell::new(0.0);
        // Like Go, a damaged trace keeps everything read before the damage:
        // the result is the timeline so far plus the error, if any.
        let mut next = None;
        let result = (|| -> Result<(gotrace::timeline::Timeline, Option<gotrace::Error>), gotrace::Error> {
            let mut b = gotrace::timeline::Builder::new();
            let mut previewed = false;
            let input = gotrace_viewer::web::blob::BlobReader::new(blob);
            let read = gotrace::stream::read_window(input, gotrace::stream::DEFAULT_TARGET, window, |ev, at| {
                b.push(ev);
                if b.events().is_multiple_of(20_000) {
                    progress(Phase::Reading, at.position(), b.events());
                    // A big trace: show its beginning while the rest is read.
                    if !previewed && size >= PREVIEW_MIN_BYTES as f64 && b.events() >= PREVIEW_EVENTS {
                        previewed = true;
                        let tl = b.clone().finish(at.tables());
                        post_parts(scope, &tl, LoadStats::default(), |stats| FromWorker::Preview { stats });
                    }
                }
                // (The preview is a copy of the builder: nothing may have
                // been sent ahead before it.)
                let previewing = size >= PREVIEW_MIN_BYTES as f64 && !previewed;
                if b.events().is_multiple_of(SEND_AHEAD_EVENTS) && !previewing {
                    let t = now();
                    send_ahead(scope, &mut b, at.tables());
                    ahead_ms.set(ahead_ms.get() + now() - t);
                }
            })?;
            let mut damage = read.error;
            next = read.next;
            // Nothing but Sync events before the damage: nothing to show.
            if let Some(e) = damage.take_if(|_| b.events() <= 2) {
                return Err(e);
            }
            progress(Phase::Finishing, window.from + total, b.events());
            finish_from.set(now());
            Ok((b.finish(&read.tables), damage))
        })();
        let t_read = now();
        match result {
            Ok((tl, damage)) => {
                progress(Phase::Sending, window.from + total, tl.events);
                let stats = LoadStats {
                    events: tl.events,
                    bytes: size as u64,
                    from: window.from,
                    next,
                    read_ms: t_read - t0,
                    finish_ms: t_read - finish_from.get(),
                    ahead_ms: ahead_ms.get(),
                    ..LoadStats::default()
                };
                let warning = damage.map(|e| {
                    let lead = match e.kind {
                        ErrorKind::Io => "The trace was read only in part: showing what was read.",
                        _ => "Part of this trace is damaged: showing everything before the damage.",
                    };
                    format!("{lead} {} Details: {e}.", explain(e.kind))
                });
                post_parts(scope, &tl, stats, |stats| FromWorker::Done {
                    stats,
                    warning,
                });
            }
            Err(e) => {
                let what = explain(e.kind);
                post(
                    scope,
                    &FromWorker::Error {
                        message: format!("{what} Details: {e}."),
                    },
                    None,
                );
            }
        }
    }
}
