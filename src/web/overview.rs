//! The overview of a trace shown a part at a time (`#overview`): once its
//! first part is on screen, a worker of its own (the analysis worker's
//! program, started for this one request and stopped after it, so its
//! memory is freed at once) reads the whole file as a stream for its
//! generation index (`gotrace::index::build_stream`: one segment held at a
//! time) and where its parts start. The page then shows every part of the
//! file with its time span and event density, and any part opens with a
//! click, not only the next one.

use std::cell::RefCell;

use js_sys::Array;
use wasm_bindgen::prelude::*;
use web_sys::{Blob, MessageEvent, Worker};

use leptos::prelude::Set;

use super::core;
use super::state::{Overview, OverviewPart};
use super::wire;
use crate::analysis::protocol::GenerationRow;
use crate::protocol::{FromWorker, Request, Response, ToWorker};

struct Job {
    /// The file indexed (the same `Blob` is not indexed twice).
    file: Option<Blob>,
    worker: Option<Worker>,
    _onmessage: Option<Closure<dyn FnMut(MessageEvent)>>,
}

thread_local! {
    static JOB: RefCell<Job> = const { RefCell::new(Job {
        file: None,
        worker: None,
        _onmessage: None,
    }) };
}

/// Indexes `file` (shown in parts of `budget` bytes) unless it already is.
pub fn start(file: &Blob, budget: u64) {
    let same = JOB.with(|j| j.borrow().file.as_ref().is_some_and(|f| f == file));
    if same {
        return;
    }
    stop();
    let ui = core::ui();
    let worker = match Worker::new("./worker_analysis_loader.js") {
        Ok(w) => w,
        Err(e) => {
            let why = super::js::js_text(&e);
            ui.overview.set(Overview::Failed(format!(
                "Could not start the overview's reader: {why}"
            )));
            return;
        }
    };
    ui.overview.set(Overview::Reading);
    super::events::emit(super::events::AppEvent::Overview);
    let w = worker.clone();
    let blob = file.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        match wire::decode::<FromWorker>(&e.data()) {
            Ok((FromWorker::Ready, _)) => {
                let trace = ToWorker::Trace {
                    from: 0,
                    budget: u64::MAX,
                };
                let ask = ToWorker::Request {
                    id: 1,
                    request: Request::Index { budget },
                };
                let sent = wire::post(&w, &trace, Some(&Array::of1(&blob)))
                    .and_then(|_| wire::post(&w, &ask, None));
                if let Err(e) = sent {
                    finish(Overview::Failed(format!(
                        "Could not ask for the overview: {e}"
                    )));
                }
            }
            Ok((
                FromWorker::Response {
                    response,
                    wasm_memory,
                    ..
                },
                _,
            )) => {
                super::memory::note_worker(wasm_memory);
                finish(match response {
                    Response::Index {
                        generations,
                        part_starts,
                        damage,
                        origin,
                    } => Overview::Ready {
                        parts: parts(&generations, &part_starts),
                        damage,
                        worker_memory: wasm_memory,
                        origin,
                    },
                    Response::Error(e) => Overview::Failed(e),
                    _ => Overview::Failed("The overview's reader answered something else.".into()),
                });
            }
            Ok(_) => {}
            Err(e) => finish(Overview::Failed(e)),
        }
    });
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    JOB.with(|j| {
        let mut j = j.borrow_mut();
        j.file = Some(file.clone());
        j.worker = Some(worker);
        j._onmessage = Some(onmessage);
    });
}

/// Shows `overview` and stops the worker (its memory is freed).
fn finish(overview: Overview) {
    let w = JOB.with(|j| j.borrow_mut().worker.take());
    if let Some(w) = w {
        w.terminate();
    }
    core::ui().overview.set(overview);
    super::events::emit(super::events::AppEvent::Overview);
}

/// Forgets the overview (another trace is opened, or none).
pub fn stop() {
    let w = JOB.with(|j| {
        let mut j = j.borrow_mut();
        j.file = None;
        j.worker.take()
    });
    if let Some(w) = w {
        w.terminate();
    }
    core::ui().overview.set(Overview::None);
    super::events::emit(super::events::AppEvent::Overview);
}

/// The parts starting at `starts`, with the generations each holds.
pub fn parts(generations: &[GenerationRow], starts: &[u64]) -> Vec<OverviewPart> {
    let mut parts: Vec<OverviewPart> = Vec::with_capacity(starts.len());
    for (i, &from) in starts.iter().enumerate() {
        let until = starts.get(i + 1).copied().unwrap_or(u64::MAX);
        let gens: Vec<&GenerationRow> = generations
            .iter()
            .filter(|g| g.from >= from && g.from < until)
            .collect();
        let (Some(first), Some(last)) = (gens.first(), gens.last()) else {
            continue;
        };
        parts.push(OverviewPart {
            from,
            end: last.end,
            start: first.start,
            stop: last.stop,
            events: gens.iter().map(|g| g.events).sum(),
            generations: gens.into_iter().cloned().collect(),
        });
    }
    parts
}
