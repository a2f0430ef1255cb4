//! The page side of the analysis worker (`src/bin/worker_analysis.rs`):
//! one worker per opened trace, given the trace file (a `Blob`: shared, not
//! copied); requests get an id and a callback, answered in order by the
//! worker.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Array, ArrayBuffer};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

use super::shared as nav;
use crate::protocol::{FromWorker, Request, Response, ToWorker};
use crate::web::state::AppState;
use crate::web::wire;

type Callback = Box<dyn FnOnce(Response, Option<ArrayBuffer>)>;

struct Client {
    /// The trace being read and the part of it, until the worker takes it.
    pending: Option<(web_sys::Blob, u64, u64)>,
    /// The file the worker (running or pending) analyses, and the part of
    /// it shown (from, budget).
    file: Option<web_sys::Blob>,
    part: (u64, u64),
    worker: Option<Worker>,
    ready: bool,
    /// Messages (with their byte payloads) waiting for "ready".
    queue: Vec<(ToWorker, Option<Array>)>,
    next_id: u32,
    callbacks: HashMap<u32, Callback>,
    _onmessage: Option<Closure<dyn FnMut(MessageEvent)>>,
}

thread_local! {
    static CLIENT: RefCell<Client> = RefCell::new(Client {
        pending: None,
        file: None,
        part: (0, 0),
        worker: None,
        ready: false,
        queue: Vec::new(),
        next_id: 1,
        callbacks: HashMap::new(),
        _onmessage: None,
    });
}

fn post(w: &Worker, msg: &ToWorker, data: Option<&Array>) {
    if let Err(e) = wire::post(w, msg, data) {
        web_sys::console::warn_2(&"gotrace: analysis worker message failed".into(), &e.into());
    }
}

/// A new trace is being opened: keeps `file` for the analysis worker,
/// which starts once the timeline is ready (see [`on_state`]); stops the
/// previous one and resets the pages. Another part of the file already
/// analysed keeps its worker (and what it computed of the whole file): it
/// is told the part, and the pages forget only their answers.
pub fn open(file: &web_sys::Blob, from: u64, budget: u64) {
    let same_file = CLIENT.with(|c| {
        let c = c.borrow();
        c.worker.is_some() && c.file.as_ref() == Some(file)
    });
    CLIENT.with(|c| c.borrow_mut().part = (from, budget));
    if same_file {
        CLIENT.with(|c| c.borrow_mut().callbacks.clear());
        send(ToWorker::Part { from, budget });
        nav::reset_for_part();
        return;
    }
    let old = CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        c.pending = Some((file.clone(), from, budget));
        c.file = Some(file.clone());
        stop(&mut c)
    });
    if let Some(w) = old {
        w.terminate();
    }
    nav::reset();
}

/// Analyse the whole file (`true`) or the part shown.
pub fn set_whole_file(whole_file: bool) {
    send(ToWorker::Scope { whole_file });
}

/// Stops the worker while it reads the whole file (it reads without
/// pause, so it cannot be told) and starts a new one on the part shown:
/// what the stopped one computed is lost, its memory freed, and the
/// pages ask again. Nothing happens without a worker.
pub fn restart() {
    let old = CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        c.worker.as_ref()?;
        let (from, budget) = c.part;
        c.pending = c.file.clone().map(|f| (f, from, budget));
        stop(&mut c)
    });
    if let Some(w) = old {
        w.terminate();
        on_state(AppState::Ready);
    }
}

/// Posts `msg` to the worker, or queues it until the worker is ready.
fn send(msg: ToWorker) {
    let w = CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        if c.ready && c.worker.is_some() {
            c.worker.clone()
        } else {
            c.queue.push((msg.clone(), None));
            None
        }
    });
    if let Some(w) = w {
        post(&w, &msg, None);
    }
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
            let Some((bytes, from, budget)) = CLIENT.with(|c| c.borrow_mut().pending.take()) else {
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
                // Before any request queued while the worker starts.
                c.queue.insert(
                    0,
                    (ToWorker::Trace { from, budget }, Some(Array::of1(&bytes))),
                );
            });
        }
        AppState::Empty | AppState::Error => {
            let old = CLIENT.with(|c| {
                let mut c = c.borrow_mut();
                c.pending = None;
                c.file = None;
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
    match wire::decode::<FromWorker>(&data) {
        Ok((FromWorker::Ready, _)) => {
            let (w, queue) = CLIENT.with(|c| {
                let mut c = c.borrow_mut();
                c.ready = true;
                (c.worker.clone(), std::mem::take(&mut c.queue))
            });
            if let Some(w) = w {
                for (msg, data) in queue {
                    post(&w, &msg, data.as_ref());
                }
            }
        }
        Ok((
            FromWorker::Response {
                id,
                response,
                wasm_memory,
            },
            data,
        )) => {
            crate::web::memory::note_analysis_worker(wasm_memory);
            nav::nav().reading.set(None);
            let cb = CLIENT.with(|c| c.borrow_mut().callbacks.remove(&id));
            if let Some(cb) = cb {
                cb(response, wire::buffer(&data, 0));
            }
            crate::web::events::emit(crate::web::events::AppEvent::Analysis);
        }
        Ok((FromWorker::Progress { bytes, total, .. }, _)) => {
            nav::nav().reading.set(Some((bytes, total)));
        }
        Ok(_) => {}
        Err(e) => web_sys::console::warn_1(&e.into()),
    }
}

/// Sends `req`; `cb` gets the answer (and the binary data of a pprof
/// answer). Nothing happens if no trace is open.
pub fn request(req: &Request, cb: impl FnOnce(Response, Option<ArrayBuffer>) + 'static) {
    let to_send = CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        if c.worker.is_none() && c.pending.is_none() {
            return None;
        }
        let id = c.next_id;
        c.next_id = c.next_id.wrapping_add(1).max(1);
        c.callbacks.insert(id, Box::new(cb));
        let msg = ToWorker::Request {
            id,
            request: req.clone(),
        };
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

/// Asks the analysis worker `req`: `busy` while it computes, the answer
/// (what `pick` takes of it) into `data`, an error into `error`.
pub fn fetch<T: Send + Sync + 'static>(
    req: &Request,
    (busy, error): (RwSignal<bool>, RwSignal<Option<String>>),
    data: RwSignal<Option<T>>,
    pick: fn(Response) -> Option<T>,
) {
    busy.set(true);
    error.set(None);
    request(req, move |r, _| {
        let _ = busy.try_set(false);
        match r {
            Response::Error(e) => {
                let _ = error.try_set(Some(e));
            }
            r => {
                if let Some(v) = pick(r) {
                    let _ = data.try_set(Some(v));
                }
            }
        }
    });
}
