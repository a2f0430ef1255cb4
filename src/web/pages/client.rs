//! The page side of the analysis worker (`src/bin/worker_analysis.rs`):
//! one worker per opened trace, holding a copy of its bytes; requests get
//! an id and a callback, answered in order by the worker.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Array, ArrayBuffer, Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

use super::super::core::AppState;
use crate::analysis::protocol::{Request, Response};

type Callback = Box<dyn FnOnce(Response, Option<ArrayBuffer>)>;

struct Client {
    /// The bytes of the trace being read, until the worker takes them.
    pending: Option<ArrayBuffer>,
    worker: Option<Worker>,
    ready: bool,
    /// Messages (with their transfer list) waiting for "ready".
    queue: Vec<(Object, Option<ArrayBuffer>)>,
    next_id: u32,
    callbacks: HashMap<u32, Callback>,
    _onmessage: Option<Closure<dyn FnMut(MessageEvent)>>,
}

thread_local! {
    static CLIENT: RefCell<Client> = RefCell::new(Client {
        pending: None,
        worker: None,
        ready: false,
        queue: Vec::new(),
        next_id: 1,
        callbacks: HashMap::new(),
        _onmessage: None,
    });
}

fn set(o: &Object, k: &str, v: impl Into<JsValue>) {
    let _ = Reflect::set(o, &JsValue::from_str(k), &v.into());
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn post(w: &Worker, msg: &Object, transfer: Option<&ArrayBuffer>) {
    let r = match transfer {
        Some(b) => w.post_message_with_transfer(msg, &Array::of1(b)),
        None => w.post_message(msg),
    };
    if let Err(e) = r {
        web_sys::console::warn_2(&"gotrace: analysis worker message failed".into(), &e);
    }
}

/// A new trace is being opened: keeps a copy of `buf` (the caller keeps
/// `buf`) for the analysis worker, which starts once the timeline is ready
/// (see [`on_state`]); stops the previous one and resets the pages.
pub fn open(buf: &ArrayBuffer) {
    let copy = buf.slice(0);
    let old = CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        c.pending = Some(copy);
        stop(&mut c)
    });
    if let Some(w) = old {
        w.terminate();
    }
    super::reset();
}

fn stop(c: &mut Client) -> Option<Worker> {
    c.ready = false;
    c.queue.clear();
    c.callbacks.clear();
    c._onmessage = None;
    c.worker.take()
}

/// Follows the app state: once the timeline is ready, starts the analysis
/// worker with the kept bytes (so it never competes with reading the
/// trace); on an error or a cancel, stops it and drops the bytes.
pub fn on_state(state: AppState) {
    match state {
        AppState::Ready => {
            let Some(bytes) = CLIENT.with(|c| c.borrow_mut().pending.take()) else {
                return;
            };
            let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                on_message(e.data());
            });
            let worker = Worker::new("./worker_analysis_loader.js").ok();
            if let Some(w) = &worker {
                w.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
            }
            CLIENT.with(|c| {
                let mut c = c.borrow_mut();
                c.worker = worker;
                c._onmessage = Some(onmessage);
                let msg = Object::new();
                set(&msg, "type", "trace");
                set(&msg, "bytes", bytes.clone());
                // Before any request queued while the worker starts.
                c.queue.insert(0, (msg, Some(bytes)));
            });
        }
        AppState::Empty | AppState::Error => {
            let old = CLIENT.with(|c| {
                let mut c = c.borrow_mut();
                c.pending = None;
                stop(&mut c)
            });
            if let Some(w) = old {
                w.terminate();
            }
        }
        AppState::Loading => {}
    }
}

fn on_message(data: JsValue) {
    match get(&data, "type").as_string().as_deref() {
        Some("ready") => {
            let (w, queue) = CLIENT.with(|c| {
                let mut c = c.borrow_mut();
                c.ready = true;
                (c.worker.clone(), std::mem::take(&mut c.queue))
            });
            if let Some(w) = w {
                for (msg, t) in queue {
                    post(&w, &msg, t.as_ref());
                }
            }
        }
        Some("response") => {
            let id = get(&data, "id").as_f64().unwrap_or(0.0) as u32;
            let body = get(&data, "body").as_string().unwrap_or_default();
            let buf = get(&data, "data").dyn_into::<ArrayBuffer>().ok();
            let cb = CLIENT.with(|c| c.borrow_mut().callbacks.remove(&id));
            let resp = serde_json::from_str::<Response>(&body)
                .unwrap_or_else(|e| Response::Error(format!("Unreadable answer: {e}")));
            if let Some(cb) = cb {
                cb(resp, buf);
            }
        }
        _ => {}
    }
}

/// Sends `req`; `cb` gets the answer (and the binary data of a pprof
/// answer). Nothing happens if no trace is open.
pub fn request(req: &Request, cb: impl FnOnce(Response, Option<ArrayBuffer>) + 'static) {
    let Ok(body) = serde_json::to_string(req) else {
        return;
    };
    let to_send = CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        if c.worker.is_none() && c.pending.is_none() {
            return None;
        }
        let id = c.next_id;
        c.next_id = c.next_id.wrapping_add(1).max(1);
        c.callbacks.insert(id, Box::new(cb));
        let msg = Object::new();
        set(&msg, "type", "request");
        set(&msg, "id", id);
        set(&msg, "body", body);
        if c.ready && c.worker.is_some() {
            c.worker.clone().map(|w| (w, msg))
        } else {
            c.queue.push((msg, None));
            None
        }
    });
    if let Some((w, msg)) = to_send {
        post(&w, &msg, None);
    }
}
