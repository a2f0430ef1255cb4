//! The analysis Web Worker: keeps the trace file (a `Blob`, re-read as a
//! stream for each computation, never held whole) and answers
//! the analysis pages' requests (goroutine analysis, profiles, CPU samples,
//! tasks and regions, MMU, critical paths) with
//! `gotrace_viewer::analysis::compute`, so the page never computes an analysis.
//!
//! Protocol (`gotrace_viewer::protocol`, typed, through `web::wire`):
//! - worker → page `FromWorker::Ready` once started;
//! - page → worker `ToWorker::Trace`, the `Blob` as `data[0]`;
//! - page → worker `ToWorker::Request { id, request }`;
//! - page → worker `ToWorker::Part` (another part of the same file shown)
//!   and `ToWorker::Scope` (the whole file or the part shown analysed);
//! - worker → page `FromWorker::Progress` while a computation reads the
//!   file (bytes read of the file's size);
//! - worker → page `FromWorker::Response { id, response }` (for `Pprof`,
//!   and `File`, the bytes are `data[0]`, transferred, and the response carries none).

#[cfg(target_arch = "wasm32")]
fn main() {
    imp::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}

#[cfg(target_arch = "wasm32")]
mod imp {
    use std::cell::RefCell;

    use gotrace_viewer::analysis::compute::{Engine, TraceFile};
    use gotrace_viewer::protocol::{FromWorker, Phase, Response, ToWorker};
    use gotrace_viewer::web::wire;
    use js_sys::Array;
    use wasm_bindgen::prelude::*;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    thread_local! {
        static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
    }

    fn post(scope: &DedicatedWorkerGlobalScope, msg: &FromWorker, data: Option<&Array>) {
        if let Err(e) = wire::post(scope, msg, data) {
            web_sys::console::warn_1(&e.into());
        }
    }

    pub fn start() {
        console_error_panic_hook::set_once();
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let s = scope.clone();
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            on_message(&s, &e.data());
        });
        scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        onmessage.forget();
        post(&scope, &FromWorker::Ready, None);
    }

    fn on_message(scope: &DedicatedWorkerGlobalScope, data: &JsValue) {
        match wire::decode::<ToWorker>(data) {
            Ok((ToWorker::Trace { from, budget }, data)) => {
                if let Some(blob) = wire::blob(&data, 0) {
                    let file = Reporting(gotrace_viewer::web::blob::BlobFile(blob));
                    let window = gotrace::stream::Window { from, budget };
                    let engine = Engine::new(file).with_window(window);
                    ENGINE.with(|e| *e.borrow_mut() = Some(engine));
                }
            }
            Ok((ToWorker::Part { from, budget }, _)) => ENGINE.with(|e| {
                if let Some(engine) = e.borrow_mut().as_mut() {
                    engine.set_part(gotrace::stream::Window { from, budget });
                }
            }),
            Ok((ToWorker::Scope { whole_file }, _)) => ENGINE.with(|e| {
                if let Some(engine) = e.borrow_mut().as_mut() {
                    engine.set_whole_file(whole_file);
                }
            }),
            Ok((ToWorker::Request { id, request }, _)) => {
                let response = ENGINE.with(|e| match e.borrow_mut().as_mut() {
                    Some(engine) => engine.handle(&request),
                    None => Response::Error("No trace is loaded.".into()),
                });
                reply(scope, id, response);
            }
            Err(e) => web_sys::console::warn_1(&format!("gotrace analysis worker: {e}").into()),
        }
    }

    /// The trace file, telling the page how much of it a computation has
    /// read (`FromWorker::Progress`, at most every 250 ms): reading a big
    /// file whole takes a minute.
    struct Reporting(gotrace_viewer::web::blob::BlobFile);

    impl TraceFile for Reporting {
        fn open(&self) -> Box<dyn std::io::Read + '_> {
            Box::new(ProgressReader {
                inner: self.0.open(),
                bytes: 0,
                total: self.0 .0.size() as u64,
                last_ms: js_sys::Date::now(),
            })
        }
    }

    struct ProgressReader<'a> {
        inner: Box<dyn std::io::Read + 'a>,
        bytes: u64,
        total: u64,
        last_ms: f64,
    }

    impl std::io::Read for ProgressReader<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.bytes += n as u64;
            let now = js_sys::Date::now();
            if now - self.last_ms >= 250.0 {
                self.last_ms = now;
                let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
                let msg = FromWorker::Progress {
                    phase: Phase::Reading,
                    fraction: self.bytes as f64 / self.total.max(1) as f64,
                    events: 0,
                    bytes: self.bytes,
                    total: self.total,
                };
                post(&scope, &msg, None);
            }
            Ok(n)
        }
    }

    fn reply(scope: &DedicatedWorkerGlobalScope, id: u32, response: Response) {
        // A pprof file's bytes travel beside the message, transferred.
        let (response, data) = match response {
            Response::Pprof { name, bytes } => (
                Response::Pprof {
                    name,
                    bytes: Vec::new(),
                },
                Some(Array::of1(&wire::to_buffer(&bytes))),
            ),
            r => (r, None),
        };
        let wasm_memory = gotrace_viewer::web::js::wasm_memory_bytes();
        let msg = FromWorker::Response {
            id,
            response,
            wasm_memory,
        };
        if let Err(e) = wire::post(scope, &msg, data.as_ref()) {
            let error = FromWorker::Response {
                id,
                response: Response::Error(format!("The answer could not be sent: {e}")),
                wasm_memory,
            };
            post(scope, &error, None);
        }
    }
}
