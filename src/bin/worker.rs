//! The Web Worker: receives the trace bytes (an ArrayBuffer, transferred),
//! reads them with `gotrace`, posts progress, and posts back the encoded
//! timeline (transferred). The page never parses, so it never freezes.
//!
//! Protocol (plain JS objects, `type` field):
//! - worker → page `{type: "ready"}` once started (the page then posts the bytes);
//! - page → worker: the ArrayBuffer;
//! - worker → page `{type: "progress", fraction, events}`, for a big trace
//!   once `{type: "preview", parts}` (the timeline of its first part),
//!   then `{type: "done", parts: [ArrayBuffer], events, bytes}` (the
//!   timeline in parts, `Timeline::encode_parts`, transferred)
//!   or `{type: "error", message}` (a sentence for the user).

#[cfg(target_arch = "wasm32")]
fn main() {
    worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}

#[cfg(target_arch = "wasm32")]
mod worker {
    use gotrace::ErrorKind;
    use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
    use wasm_bindgen::prelude::*;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    /// Size of the timeline parts sent to the page.
    const PART_BYTES: usize = 4 << 20;
    /// Traces from this size on get a preview once this many events are
    /// read (a few hundred ms): the page paints their beginning early.
    const PREVIEW_MIN_BYTES: usize = 8 << 20;
    const PREVIEW_EVENTS: u64 = 1_000_000;

    /// Posts `tl` in parts of a few MB (`Timeline::encode_parts`), each moved
    /// out of wasm memory as soon as it is written, so neither side ever
    /// holds the whole encoding next to the model. `o` carries the other fields.
    fn post_parts(
        scope: &DedicatedWorkerGlobalScope,
        kind: &str,
        tl: &gotrace::timeline::Timeline,
        o: &Object,
    ) {
        let t0 = js_sys::Date::now();
        let parts = Array::new();
        tl.encode_parts_with(PART_BYTES, |part| {
            let arr = Uint8Array::new_with_length(part.len() as u32);
            arr.copy_from(&part);
            parts.push(&arr.buffer());
        });
        set(o, "encodeMs", js_sys::Date::now() - t0);
        set(o, "type", kind);
        set(o, "parts", parts.clone());
        // This worker's wasm memory size (its high-water mark).
        set(
            o,
            "wasmMemory",
            gotrace_viewer::web::hook::wasm_memory_bytes(),
        );
        if scope.post_message_with_transfer(o, &parts).is_err() {
            let _ = scope.post_message(o);
        }
    }

    fn set(o: &Object, k: &str, v: impl Into<JsValue>) {
        let _ = Reflect::set(o, &JsValue::from_str(k), &v.into());
    }

    pub fn start() {
        console_error_panic_hook::set_once();
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let s = scope.clone();
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Ok(buf) = e.data().dyn_into::<ArrayBuffer>() else {
                return;
            };
            let bytes = Uint8Array::new(&buf).to_vec();
            drop(buf);
            handle(&s, &bytes);
        });
        scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        onmessage.forget();
        let ready = Object::new();
        set(&ready, "type", "ready");
        let _ = scope.post_message(&ready);
    }

    /// The kind of damage, in plain words.
    fn explain(kind: ErrorKind) -> &'static str {
        match kind {
            ErrorKind::Header => "This file is not a Go execution trace, or it comes from a Go version this viewer cannot read.",
            ErrorKind::Truncated => "The trace is incomplete: the file ends before the data it announces (was it cut off while copying or writing?).",
            ErrorKind::Format => "The trace is damaged: some of its bytes do not make sense.",
            ErrorKind::Ordering => "The trace is damaged: its events cannot be put in a consistent order.",
        }
    }

    fn handle(scope: &DedicatedWorkerGlobalScope, bytes: &[u8]) {
        let post = |o: &Object| {
            let _ = scope.post_message(o);
        };
        let now = || js_sys::Date::now();
        let progress = |phase: &str, fraction: f64, events: u64| {
            let o = Object::new();
            set(&o, "type", "progress");
            set(&o, "phase", phase);
            set(&o, "fraction", fraction);
            set(&o, "events", events as f64);
            post(&o);
        };
        let t0 = now();
        let finish_from = std::cell::Cell::new(t0);
        // Like Go, a damaged trace keeps everything read before the damage:
        // the result is the timeline so far plus the error, if any.
        let result = (|| -> Result<(gotrace::timeline::Timeline, Option<gotrace::Error>), gotrace::Error> {
            let mut reader = gotrace::Reader::new(bytes)?;
            let mut b = gotrace::timeline::Builder::new();
            let len = reader.len().max(1) as f64;
            let mut damage = None;
            let mut previewed = false;
            while let Some(ev) = reader.next_event() {
                match ev {
                    Ok(ev) => b.push(&ev),
                    Err(e) => {
                        damage = Some(e);
                        break;
                    }
                }
                if b.events().is_multiple_of(20_000) {
                    let pos = reader.position();
                    progress("reading", pos as f64 / len, b.events());
                    // A big trace: show its beginning while the rest is read.
                    if !previewed && bytes.len() >= PREVIEW_MIN_BYTES && b.events() >= PREVIEW_EVENTS {
                        previewed = true;
                        let tl = b.clone().finish(reader.tables());
                        post_parts(scope, "preview", &tl, &Object::new());
                    }
                }
            }
            // Nothing but Sync events before the damage: nothing to show.
            if let Some(e) = damage.take_if(|_| b.events() <= 2) {
                return Err(e);
            }
            progress("finishing", 1.0, b.events());
            finish_from.set(now());
            Ok((b.finish(reader.tables()), damage))
        })();
        let t_read = now();
        match result {
            Ok((tl, damage)) => {
                progress("sending", 1.0, tl.events);
                let o = Object::new();
                set(&o, "events", tl.events as f64);
                set(&o, "bytes", bytes.len() as f64);
                set(&o, "readMs", t_read - t0);
                // Of which closing the model and computing its summaries.
                set(&o, "finishMs", t_read - finish_from.get());
                if let Some(e) = damage {
                    set(&o, "warning", format!("{} Details: {e}.", explain(e.kind)));
                }
                post_parts(scope, "done", &tl, &o);
            }
            Err(e) => {
                let what = explain(e.kind);
                let o = Object::new();
                set(&o, "type", "error");
                set(&o, "message", format!("{what} Details: {e}."));
                post(&o);
            }
        }
    }
}
