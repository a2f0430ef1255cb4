//! The messages between the page and its two Web Workers, typed: the
//! timeline worker (`src/bin/worker.rs`, driven by `web::loader`) and the
//! analysis worker (`src/bin/worker_analysis.rs`, driven by
//! `web::pages::client`). Both directions are one enum each, encoded as JS
//! values with `serde-wasm-bindgen` by `web::wire`. Large byte payloads
//! (the trace, the timeline's encoded parts, pprof files) never go through
//! serde: they travel beside the message as transferred `ArrayBuffer`s (the
//! envelope's `data`), so they are moved, not copied.
//!
//! Times in analysis requests and answers are absolute trace times (ns, the
//! trace clock); see [`crate::analysis::protocol`].

#[cfg(target_arch = "wasm32")]
use serde::{Deserialize, Serialize};

pub use crate::analysis::protocol::{Request, Response};

/// Page → worker.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub enum ToWorker {
    /// The trace file (a `Blob`) is `data[0]`: the timeline worker reads
    /// it, the analysis worker keeps it for its requests. Both read only
    /// the part of it that starts at byte `from` (0, or a part boundary a
    /// previous read returned as `LoadStats::next`) and ends after about
    /// `budget` bytes of whole generations (`gotrace::stream::Window`).
    Trace { from: u64, budget: u64 },
    /// An analysis request (answered by [`FromWorker::Response`] with the same id).
    Request { id: u32, request: Request },
    /// To the analysis worker: another part of the same file is shown
    /// (what it computed of the whole file stays).
    Part { from: u64, budget: u64 },
    /// To the analysis worker: analyse the whole file (`true`) or the part
    /// shown (`false`, the default).
    Scope { whole_file: bool },
}

/// What the timeline worker is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub enum Phase {
    Reading,
    Finishing,
    Sending,
}

/// How a load went, for the console.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub struct LoadStats {
    pub events: u64,
    pub bytes: u64,
    pub read_ms: f64,
    /// Of which closing the model and computing its summaries.
    pub finish_ms: f64,
    /// Of which sending column chunks ahead (levels fed, bytes copied out
    /// of wasm memory and posted).
    pub ahead_ms: f64,
    pub encode_ms: f64,
    /// The worker's wasm memory (its high-water mark), bytes.
    pub wasm_memory: f64,
    /// The part of the file read: from this byte, and, if the file goes on
    /// (a trace too big to read whole), where the next part starts.
    pub from: u64,
    pub next: Option<u64>,
}

/// Worker → page.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(target_arch = "wasm32", derive(Serialize, Deserialize))]
pub enum FromWorker {
    /// Started and listening (the page then posts [`ToWorker::Trace`]).
    Ready,
    /// Reading progress, 0..=1.
    Progress {
        phase: Phase,
        fraction: f64,
        events: u64,
        /// Bytes of the part being read so far, of `total`.
        bytes: u64,
        total: u64,
    },
    /// The timeline of the first part of a big trace, in parts (`data`,
    /// `Timeline::encode_parts`), while the rest is read.
    Preview { stats: LoadStats },
    /// Chunks of the timeline's columns sent ahead while the trace is read
    /// (`Builder::take_sealed`), so the worker never holds the whole model:
    /// `chunks[i]` is the (column, chunk index) of the bytes `data[i]`. The
    /// encoding in `Done` names them.
    Chunks { chunks: Vec<(u32, u32)> },
    /// The timeline, in parts (`data`); `warning` says what was damaged
    /// if the trace was read only up to some damage.
    Done {
        stats: LoadStats,
        warning: Option<String>,
    },
    /// The trace could not be read (a sentence for the user).
    Error { message: String },
    /// The answer to analysis request `id` (a pprof file's bytes are
    /// `data[0]`), with the worker's wasm memory (bytes) after computing it.
    Response {
        id: u32,
        response: Response,
        wasm_memory: f64,
    },
}
