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

    use gotrace_viewer::analysis::compute::Engine;
    use gotrace_viewer::protocol::{FromWorker, Response, ToWorker};
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
                    let file = gotrace_viewer::web::blob::BlobFile(blob);
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
