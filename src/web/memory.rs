//! Wasm memory of the page's workers, as they report it (the test hook's
//! `workerWasmMemory`). A leaf.
//!
//! A wasm memory never shrinks, so the size a worker reports is its
//! high-water mark so far; the largest one reported since the page loaded
//! is kept (workers of earlier traces included: a budget holds for all).

use std::cell::Cell;

thread_local! {
    static WORKER_MAX: Cell<f64> = const { Cell::new(0.0) };
    static ANALYSIS_MAX: Cell<f64> = const { Cell::new(0.0) };
}

/// Notes a worker's wasm memory size, bytes.
pub fn note_worker(bytes: f64) {
    if bytes.is_finite() {
        WORKER_MAX.with(|m| m.set(m.get().max(bytes)));
    }
}

/// Notes the analysis pages' worker's wasm memory size, bytes (it counts
/// among all workers' too).
pub fn note_analysis_worker(bytes: f64) {
    note_worker(bytes);
    if bytes.is_finite() {
        ANALYSIS_MAX.with(|m| m.set(m.get().max(bytes)));
    }
}

/// The largest wasm memory the analysis pages' worker reported, bytes.
pub fn analysis_high_water() -> f64 {
    ANALYSIS_MAX.with(Cell::get)
}

/// The largest wasm memory any worker reported, bytes (0 before any did).
pub fn worker_high_water() -> f64 {
    WORKER_MAX.with(Cell::get)
}
