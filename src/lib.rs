//! The browser viewer for Go execution traces.
//!
//! Data flow (see docs/architecture-viewer.md): bytes → timeline worker
//! (`src/bin/worker.rs`: `gotrace` reader → [`gotrace::timeline`], encoded;
//! messages typed in [`protocol`]) → [`model::Model`] (decoded timeline +
//! groups) → [`view::View`] (range, selection, scroll; mirrored in the URL
//! hash) → [`lanes`] (one module per lane kind: runs, drawing, hit tests,
//! tooltips) → [`scene`] (a [`prim`] display list, overlays such as the
//! [`critical`] path passed in) → `web::painter` (replays it on a `<canvas>`)
//! and `web::app` (Leptos UI).
//!
//! Everything but `web` is plain Rust and tested on the host.

pub mod analysis;
pub mod critical;
pub mod details;
pub mod embed;
pub mod filter;
#[cfg(test)]
mod fixture;
pub mod format;
pub mod lanes;
pub mod layout;
pub mod model;
pub mod prim;
pub mod protocol;
pub mod safe_text;
pub mod scene;
pub mod theme;
pub mod view;

#[cfg(target_arch = "wasm32")]
pub mod web;
