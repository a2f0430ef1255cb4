//! Getting a trace (file, drop, URL, bundled sample, bytes from a host
//! page) to the worker as a `Blob` (the worker reads it slice by slice; a
//! dropped file is never copied) and its timeline back. One worker per
//! load; Cancel terminates it.

use std::cell::RefCell;

use js_sys::{Array, ArrayBuffer};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;
use web_sys::{MessageEvent, Worker};

use super::actions;
use super::core;
use super::events::{emit, AppEvent};
use super::js::{get, js_text, wasm_memory_bytes};
use super::pages::client;
use super::state::{AppState, Overview};
use super::wire;
use crate::model::Model;
use crate::protocol::{FromWorker, Phase, ToWorker};
use gotrace::timeline::{SealedChunk, Shipped, Timeline};

/// The bundled sample trace (copied into dist/ by Trunk, see index.html).
pub const SAMPLE_URL: &str = "./http.trace";

struct Job {
    id: u32,
    worker: Option<Worker>,
    pending: Option<Blob>,
    name: String,
    bytes: usize,
    /// The file being shown (for its other parts), the starts of its parts
    /// found so far, and which of them is being read.
    file: Option<Blob>,
    starts: Vec<u64>,
    part: usize,
    /// The part being read was asked for by the page's link (`part=`).
    linked: bool,
    /// When the worker was started (ms), for the time left.
    started: f64,
    /// Column chunks the worker sent ahead of the timeline.
    ahead: Option<Shipped>,
    // Kept alive while the worker may call them; replaced by the next job.
    _onmessage: Option<Closure<dyn FnMut(MessageEvent)>>,
    _onerror: Option<Closure<dyn FnMut(web_sys::Event)>>,
}

thread_local! {
    static JOB: RefCell<Job> = const { RefCell::new(Job {
        id: 0,
        worker: None,
        pending: None,
        name: String::new(),
        bytes: 0,
        file: None,
        starts: Vec::new(),
        part: 0,
        linked: false,
        started: 0.0,
        ahead: None,
        _onmessage: None,
        _onerror: None,
    }) };
}

fn stop_worker() {
    JOB.with(|j| {
        let mut j = j.borrow_mut();
        if let Some(w) = j.worker.take() {
            w.terminate();
        }
        j.pending = None;
        j.ahead = None;
    });
}

/// Starts a loading phase (before the bytes are there, e.g. while downloading).
fn begin(name: &str, text: &str) -> u32 {
    stop_worker();
    let id = JOB.with(|j| {
        let mut j = j.borrow_mut();
        j.id += 1;
        j.name = name.to_string();
        j.id
    });
    let ui = core::ui();
    ui.progress.set(-1.0);
    ui.progress_text.set(text.to_string());
    ui.title.set(name.to_string());
    ui.summary.set(String::new());
    ui.warning.set(None);
    ui.part.set(None);
    ui.details.set(None);
    ui.tooltip.set(None);
    core::set_state(AppState::Loading, None);
    id
}

fn current(id: u32) -> bool {
    JOB.with(|j| j.borrow().id == id)
}

/// The reader stopped before the end: keeps the preview of a big trace, if
/// one is shown, with an alert saying what was lost; otherwise [`fail`].
fn stopped(message: String) {
    stop_worker();
    let name = JOB.with(|j| j.borrow().name.clone());
    if actions::keep_preview(name) {
        core::ui().warning.set(Some(format!(
            "{message} Only the part of the trace read before that is shown; the rest was not read."
        )));
    } else {
        fail(message);
    }
}

/// Shows an error (plain words) and clears the timeline.
pub fn fail(message: String) {
    stop_worker();
    super::overview::stop();
    actions::clear_model();
    core::set_state(AppState::Error, Some(message));
}

/// Cancel button: stops reading; back to the empty page.
pub fn cancel() {
    JOB.with(|j| j.borrow_mut().id += 1);
    stop_worker();
    super::overview::stop();
    actions::clear_model();
    core::ui().title.set(String::new());
    core::set_state(AppState::Empty, None);
}

/// Bytes of a new-format trace read at once (a part ends at the first
/// generation boundary after this many bytes; a bigger trace is shown a
/// part at a time, see `#part`): the page holds about 2.6 bytes of wasm
/// memory per byte of trace shown and the timeline worker about 2.8
/// (BENCHMARKS.md), so a part of up to ~280 MB (this plus one generation)
/// keeps both within 1 GiB. `?window=MB`
/// (16 to 4096) sets another size.
const PART_BUDGET: u64 = 256_000_000;

/// The part size: `?window=MB`, if it is a whole number in range, else
/// [`PART_BUDGET`].
fn part_budget() -> u64 {
    let search = window().location().search().unwrap_or_default();
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()
        .and_then(|p| p.get("window"))
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|mb| (16..=4096).contains(mb))
        .map_or(PART_BUDGET, |mb| mb * 1_000_000)
}

/// The trace file shown (decompressed, if it was gzip-compressed) and
/// whether a part of it other than the first is shown.
pub fn shown_file() -> Option<(Blob, bool)> {
    JOB.with(|j| {
        let j = j.borrow();
        j.file.clone().map(|f| (f, j.part > 0))
    })
}

/// Sends `file` to a new worker: its first part, or the part the page's
/// link names (`part=` in the hash: a shared view of a later part).
fn parse(id: u32, file: Blob) {
    super::overview::stop();
    let linked = super::url::part_for_first_trace().filter(|&f| (f as f64) < file.size());
    JOB.with(|j| {
        let mut j = j.borrow_mut();
        // Until the overview says which part it is, a linked part counts
        // as the second.
        j.starts = match linked {
            Some(from) => vec![0, from],
            None => vec![0],
        };
        j.part = j.starts.len() - 1;
        j.linked = linked.is_some();
    });
    parse_part(id, file, linked.unwrap_or(0));
}

/// The link named a part that does not start where a part of this file
/// does: the first part instead, with a notice.
fn unlinked(id: u32) -> bool {
    let file = JOB.with(|j| {
        let mut j = j.borrow_mut();
        let from = j.starts.get(j.part).copied().unwrap_or(0);
        if !std::mem::take(&mut j.linked) || from == 0 {
            return None;
        }
        j.starts = vec![0];
        j.part = 0;
        j.file.clone().map(|f| (f, from))
    });
    let Some((file, from)) = file else {
        return false;
    };
    core::ui().notice.set(Some(format!(
        "The link asked for the part of the trace from byte {from}, where no part of this file starts: showing its first part."
    )));
    parse_part(id, file, 0);
    true
}

/// Follows the overview: once it knows where every part starts, the parts
/// are counted by it (a part opened from a link gets its true number).
pub fn on_event(e: AppEvent) {
    if e != AppEvent::Overview {
        return;
    }
    let Overview::Ready { parts, .. } = core::ui().overview.get_untracked() else {
        return;
    };
    let starts: Vec<u64> = parts.iter().map(|p| p.from).collect();
    let index = JOB.with(|j| {
        let mut j = j.borrow_mut();
        let from = *j.starts.get(j.part)?;
        let index = starts.iter().position(|&s| s == from)?;
        j.starts = starts;
        j.part = index;
        Some(index)
    });
    if let Some(index) = index {
        core::ui().part.update(|p| {
            if let Some(p) = p {
                p.index = index;
            }
        });
    }
}

/// Opens the part of the shown trace `delta` parts away (`#part-prev`,
/// `#part-next`).
pub fn open_part(delta: isize) {
    if let Some(i) = JOB.with(|j| j.borrow().part.checked_add_signed(delta)) {
        open_part_at(i);
    }
}

/// Opens the `index`-th part of the shown trace (from 0): one read so far,
/// or any once the overview (`#overview`) knows where every part starts.
pub fn open_part_at(index: usize) {
    let target = JOB.with(|j| {
        let mut j = j.borrow_mut();
        j.linked = false;
        Some((
            j.file.clone()?,
            *j.starts.get(index)?,
            index,
            j.name.clone(),
        ))
    });
    let Some((file, from, index, name)) = target else {
        return;
    };
    let id = begin(&name, &format!("Opening part {}…", index + 1));
    JOB.with(|j| j.borrow_mut().part = index);
    parse_part(id, file, from);
}

/// Sends the part of `file` from byte `from` to a new worker.
fn parse_part(id: u32, file: Blob, from: u64) {
    if !current(id) {
        return;
    }
    let size = file.size() as usize;
    let budget = part_budget();
    // The analysis pages' worker reads the same part of the same file.
    client::open(&file, from, budget);
    let worker = match Worker::new("./worker_loader.js") {
        Ok(w) => w,
        Err(e) => return fail(format!("Could not start the trace reader: {}", js_text(&e))),
    };
    let ui = core::ui();
    ui.progress.set(0.0);
    ui.progress_text
        .set(format!("Reading {}…", crate::format::bytes(size as u64)));
    let onmessage =
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| on_message(id, e.data()));
    let onerror = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        if current(id) {
            let msg = get(&e, "message").as_string().unwrap_or_default();
            stopped(format!(
                "The trace reader stopped unexpectedly (it may have run out of memory). {msg}"
            ));
        }
    });
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    JOB.with(|j| {
        let mut j = j.borrow_mut();
        j.worker = Some(worker);
        j.pending = Some(file.clone());
        j.started = js_sys::Date::now();
        j.file = Some(file);
        j.bytes = size;
        j._onmessage = Some(onmessage);
        j._onerror = Some(onerror);
    });
}

fn on_message(id: u32, data: JsValue) {
    if !current(id) {
        return;
    }
    let ui = core::ui();
    let (msg, data) = match wire::decode::<FromWorker>(&data) {
        Ok(m) => m,
        Err(e) => {
            return fail(format!(
                "The trace reader answered something unexpected. {e}"
            ))
        }
    };
    match msg {
        FromWorker::Ready => {
            // The worker is listening: transfer the bytes.
            let (w, buf, from) = JOB.with(|j| {
                let mut j = j.borrow_mut();
                let from = j.starts.get(j.part).copied().unwrap_or(0);
                (j.worker.clone(), j.pending.take(), from)
            });
            if let (Some(w), Some(buf)) = (w, buf) {
                let msg = ToWorker::Trace {
                    from,
                    budget: part_budget(),
                };
                if let Err(e) = wire::post(&w, &msg, Some(&Array::of1(&buf))) {
                    fail(format!("Could not hand the trace to the reader: {e}"));
                }
            }
        }
        FromWorker::Progress {
            phase,
            fraction,
            events,
            bytes,
            total,
        } => {
            ui.progress.set(fraction.clamp(0.0, 1.0));
            emit(AppEvent::Progress(
                (fraction.clamp(0.0, 1.0) * 1000.0) as u16,
            ));
            let text = match phase {
                Phase::Reading => {
                    let started = JOB.with(|j| j.borrow().started);
                    reading_text(bytes, total, events, js_sys::Date::now() - started)
                }
                Phase::Finishing => "Building the timeline…".to_string(),
                Phase::Sending => "Sending the timeline…".to_string(),
            };
            ui.progress_text.set(text);
        }
        FromWorker::Done { stats, warning } => {
            super::memory::note_worker(stats.wasm_memory);
            note_part(&stats);
            let ahead = JOB.with(|j| j.borrow_mut().ahead.take());
            stop_worker();
            ui.progress.set(1.0);
            ui.progress_text.set("Laying out…".into());
            let t0 = js_sys::Date::now();
            actions::release_preview_model();
            match decode_parts(&data, ahead.unwrap_or_default()) {
                Ok(tl) => {
                    let t1 = js_sys::Date::now();
                    let name = JOB.with(|j| j.borrow().name.clone());
                    let model = Model::new(tl);
                    let t2 = js_sys::Date::now();
                    web_sys::console::info_1(
                        &format!(
                            "gotrace: read {:.0} ms (of which finish {:.0} ms, sending ahead {:.0} ms) + encode {:.0} ms (worker), decode {:.0} ms + model {:.0} ms (page); worker wasm memory {:.0} MB, page wasm memory {:.0} MB, model {:.0} MB",
                            stats.read_ms,
                            stats.finish_ms,
                            stats.ahead_ms,
                            stats.encode_ms,
                            t1 - t0,
                            t2 - t1,
                            stats.wasm_memory / 1e6,
                            wasm_memory_bytes() / 1e6,
                            model.tl.heap_bytes() as f64 / 1e6
                        )
                        .into(),
                    );
                    actions::set_model(model, name);
                    // A damaged trace: everything before the damage is shown,
                    // and the damage is reported in words.
                    ui.warning.set(warning);
                }
                Err(e) => fail(format!(
                    "The trace reader returned a damaged timeline ({e})."
                )),
            }
        }
        FromWorker::Preview { stats } => {
            super::memory::note_worker(stats.wasm_memory);
            // The first part of a big trace, while the rest is read.
            if let Ok(tl) = decode_parts(&data, Shipped::default()) {
                let events = tl.events;
                actions::set_preview(Model::new(tl));
                web_sys::console::info_1(
                    &format!("gotrace: preview of the first {events} events shown").into(),
                );
            }
        }
        FromWorker::Chunks { chunks } => {
            let kept = JOB.with(|j| {
                let mut j = j.borrow_mut();
                let ahead = j.ahead.get_or_insert_with(Shipped::default);
                chunks
                    .iter()
                    .enumerate()
                    .try_for_each(|(i, &(column, index))| {
                        let bytes = wire::bytes(&data, i as u32);
                        ahead.add(SealedChunk {
                            column,
                            index,
                            bytes,
                        })
                    })
            });
            if let Err(e) = kept {
                stopped(format!("The trace reader sent a damaged timeline ({e})."));
            }
        }
        FromWorker::Error { message } => {
            if !unlinked(id) {
                stopped(message)
            }
        }
        FromWorker::Response { .. } => {}
    }
}

/// "Reading… 120 MB of 256 MB · 21,000,000 events · about 12 s left": the
/// time left is extrapolated from the time so far, once there is enough
/// of it to say.
fn reading_text(bytes: u64, total: u64, events: u64, elapsed_ms: f64) -> String {
    let mut s = format!(
        "Reading… {} of {} · {} events",
        crate::format::bytes(bytes),
        crate::format::bytes(total),
        crate::format::count(events)
    );
    let done = bytes as f64 / total.max(1) as f64;
    let left_s = (elapsed_ms * (1.0 - done) / done.max(1e-9) / 1000.0).round();
    if done > 0.02 && elapsed_ms > 500.0 && left_s >= 1.0 {
        s.push_str(&format!(" · about {left_s} s left"));
    }
    s
}

/// Records where the part just read ends and shows `#part` if the trace
/// is read a part at a time.
fn note_part(stats: &crate::protocol::LoadStats) {
    let part = JOB.with(|j| {
        let mut j = j.borrow_mut();
        let i = j.part;
        if let Some(next) = stats.next {
            if j.starts.len() == i + 1 {
                j.starts.push(next);
            }
        }
        j.linked = false;
        (stats.from > 0 || stats.next.is_some()).then(|| crate::web::state::Part {
            index: i,
            from: stats.from,
            end: stats.next.unwrap_or(stats.bytes),
            size: stats.bytes,
            budget: part_budget(),
        })
    });
    core::ui().part.set(part);
    // A trace shown in parts: an overview of all of them, once.
    if part.is_some() {
        if let Some((file, _)) = shown_file() {
            super::overview::start(&file, part_budget());
        }
    }
}

/// Decodes the timeline one part at a time (each copied into wasm memory,
/// decoded, and freed), so the page never holds the whole encoding; the
/// column chunks sent `ahead` of it are put back in their columns.
fn decode_parts(parts: &Array, ahead: Shipped) -> Result<Timeline, gotrace::timeline::DecodeError> {
    let mut d = gotrace::timeline::Decoder::with_shipped(&wire::bytes(parts, 0), ahead)?;
    for i in 1..parts.length() {
        d.feed(&wire::bytes(parts, i))?;
    }
    d.finish()
}

/// The first bytes of a file (enough to tell what it is).
async fn head(file: &Blob) -> Result<Vec<u8>, String> {
    let n = file.size().min(512.0);
    let part = file
        .slice_with_f64_and_f64(0.0, n)
        .map_err(|e| js_text(&e))?;
    let buf = JsFuture::from(part.array_buffer())
        .await
        .map_err(|e| format!("The file could not be read: {}", js_text(&e)))?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// What a file is for the reader: a trace (gzip-compressed ones
/// decompressed first), or a sentence naming what the file is instead.
async fn accept(file: Blob) -> Result<Blob, String> {
    use gotrace::sniff::{not_a_trace, sniff, FileKind};
    match sniff(&head(&file).await?) {
        FileKind::Gzip => {
            let plain = super::js::gunzip(&file).await.map_err(|e| {
                format!(
                    "The file is gzip-compressed but could not be decompressed: {}",
                    js_text(&e)
                )
            })?;
            match not_a_trace(sniff(&head(&plain).await?)) {
                Some(why) => Err(format!("Inside the gzip-compressed file: {why}")),
                None => Ok(plain),
            }
        }
        kind => match not_a_trace(kind) {
            Some(why) => Err(why.to_string()),
            None => Ok(file),
        },
    }
}

/// A file that is not a trace: with a trace open, the trace stays and a
/// dismissable notice says why; otherwise the error page.
fn refuse(name: &str, why: String) {
    let open = core::with(|c| c.model.is_some() && c.state == AppState::Ready);
    if open {
        core::ui().notice.set(Some(format!(
            "{} was not opened. {why}",
            crate::safe_text::visible(name, 80)
        )));
    } else {
        core::ui().title.set(name.to_string());
        fail(why);
    }
}

/// Loads a `File` (file input or drop).
pub fn load_file(file: web_sys::File) {
    let name = file.name();
    core::ui().notice.set(None);
    wasm_bindgen_futures::spawn_local(async move {
        match accept(file.into()).await {
            Ok(file) => {
                let id = begin(&name, "Opening the file…");
                parse(id, file)
            }
            Err(why) => refuse(&name, why),
        }
    });
}

/// Loads trace bytes a host page handed over (`web::embed`), shown as `name`.
pub fn load_buffer(buf: ArrayBuffer, name: String) {
    match Blob::new_with_buffer_source_sequence(&Array::of1(&buf)) {
        Ok(file) => load_blob(file, name),
        Err(e) => {
            begin(&name, "Opening the trace…");
            fail(format!("The trace could not be opened: {}", js_text(&e)))
        }
    }
}

/// Opens a trace handed over as a `Blob` or `File` (a `postMessage`), read
/// like a dropped file: never copied into memory whole.
pub fn load_blob(file: Blob, name: String) {
    let id = begin(&name, "Opening the trace…");
    wasm_bindgen_futures::spawn_local(async move {
        match accept(file).await {
            Ok(file) => parse(id, file),
            Err(why) => {
                if current(id) {
                    fail(why)
                }
            }
        }
    });
}

/// Why a download failed with no answer from the server: a cross-origin URL
/// without CORS headers and an unreachable server look the same to a page.
fn network_failure(url: &str, detail: &str) -> String {
    let here = window().location().origin().unwrap_or_default();
    let cross = web_sys::Url::new_with_base(url, &here)
        .map(|u| u.origin() != here)
        .unwrap_or(false);
    if cross {
        format!(
            "Could not download {url} ({detail}). The server did not answer, or it does not allow this page to read the file (CORS): it must send Access-Control-Allow-Origin. Otherwise download the trace and open it here."
        )
    } else {
        format!("Could not download {url} ({detail}): a network error; is the server running?")
    }
}

/// Downloads a trace and loads it (`?trace=URL`, the sample button).
pub fn load_url(url: String) {
    let name = url
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(&url)
        .to_string();
    core::ui().notice.set(None);
    let id = begin(&name, "Downloading…");
    wasm_bindgen_futures::spawn_local(async move {
        let result: Result<Blob, String> = async {
            let resp = JsFuture::from(window().fetch_with_str(&url))
                .await
                .map_err(|e| network_failure(&url, &js_text(&e)))?;
            let resp: web_sys::Response = resp
                .dyn_into()
                .map_err(|_| "Unexpected download response".to_string())?;
            if !resp.ok() {
                let why = match resp.status() {
                    404 | 410 => " (not found: is the address right?)",
                    401 | 403 => " (access denied)",
                    500..=599 => " (a server error)",
                    _ => "",
                };
                return Err(format!(
                    "Could not download {url}: the server answered {} {}{why}.",
                    resp.status(),
                    resp.status_text()
                ));
            }
            let p = resp.blob().map_err(|e| js_text(&e))?;
            let file = JsFuture::from(p)
                .await
                .map_err(|e| format!("Download of {url} failed: {}", js_text(&e)))?;
            let file = file
                .dyn_into::<Blob>()
                .map_err(|_| "Unexpected download body".to_string())?;
            accept(file).await
        }
        .await;
        if !current(id) {
            return;
        }
        match result {
            Ok(buf) => parse(id, buf),
            Err(msg) => fail(msg),
        }
    });
}
