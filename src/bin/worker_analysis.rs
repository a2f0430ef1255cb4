//! The analysis Web Worker: keeps a copy of the trace bytes and answers
//! the analysis pages' requests (goroutine analysis, profiles, CPU samples,
//! tasks and regions, MMU) with `gotrace_viewer::analysis::compute`, so the
//! page never computes an analysis.
//!
//! Protocol (plain JS objects, `type` field):
//! - worker → page `{type: "ready"}` once started;
//! - page → worker `{type: "trace", bytes: ArrayBuffer}` (transferred);
//! - page → worker `{type: "request", id, body}` (`body`: JSON of
//!   `analysis::protocol::Request`);
//! - worker → page `{type: "response", id, body, data?}` (`body`: JSON of
//!   `Response`; for `Pprof`, the gzip bytes are the transferred `data`
//!   ArrayBuffer and the JSON carries none).

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
    use gotrace_viewer::analysis::protocol::{Request, Response};
    use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
    use wasm_bindgen::prelude::*;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    thread_local! {
        static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
    }

    fn set(o: &Object, k: &str, v: impl Into<JsValue>) {
        let _ = Reflect::set(o, &JsValue::from_str(k), &v.into());
    }

    fn get(o: &JsValue, k: &str) -> JsValue {
        Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
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
        let ready = Object::new();
        set(&ready, "type", "ready");
        let _ = scope.post_message(&ready);
    }

    fn on_message(scope: &DedicatedWorkerGlobalScope, data: &JsValue) {
        match get(data, "type").as_string().as_deref() {
            Some("trace") => {
                if let Ok(buf) = get(data, "bytes").dyn_into::<ArrayBuffer>() {
                    let bytes = Uint8Array::new(&buf).to_vec();
                    ENGINE.with(|e| *e.borrow_mut() = Some(Engine::new(bytes)));
                }
            }
            Some("request") => {
                let id = get(data, "id");
                let body = get(data, "body").as_string().unwrap_or_default();
                let response = match serde_json::from_str::<Request>(&body) {
                    Ok(req) => ENGINE.with(|e| match e.borrow_mut().as_mut() {
                        Some(engine) => engine.handle(&req),
                        None => Response::Error("No trace is loaded.".into()),
                    }),
                    Err(err) => Response::Error(format!("Bad request: {err}")),
                };
                reply(scope, id, response);
            }
            _ => {}
        }
    }

    fn reply(scope: &DedicatedWorkerGlobalScope, id: JsValue, response: Response) {
        let o = Object::new();
        set(&o, "type", "response");
        set(&o, "id", id);
        let (response, data) = match response {
            Response::Pprof { name, bytes } => {
                let arr = Uint8Array::new_with_length(bytes.len() as u32);
                arr.copy_from(&bytes);
                (
                    Response::Pprof {
                        name,
                        bytes: Vec::new(),
                    },
                    Some(arr.buffer()),
                )
            }
            r => (r, None),
        };
        let body = serde_json::to_string(&response)
            .unwrap_or_else(|e| format!("{{\"Error\":\"The answer could not be encoded: {e}\"}}"));
        set(&o, "body", body);
        match data {
            Some(buf) => {
                set(&o, "data", buf.clone());
                let transfer = Array::of1(&buf);
                if scope.post_message_with_transfer(&o, &transfer).is_err() {
                    let _ = scope.post_message(&o);
                }
            }
            None => {
                let _ = scope.post_message(&o);
            }
        }
    }
}
