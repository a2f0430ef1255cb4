//! The browser viewer for Go execution traces.
//!
//! Data flow (one module per arrow):
//! bytes → worker (`src/bin/worker.rs`: `gotrace` reader → [`gotrace::timeline`], encoded)
//! → [`layout::Model`] (decoded timeline + groups) → [`view::View`] (range, selection,
//! scroll; mirrored in the URL hash) → [`layout`] (pure: lanes, visible spans,
//! merged sub-pixel runs, hit tests) → [`scene`] (a list of drawing primitives)
//! → `web::painter` (replays it on a `<canvas>`) and `web::app` (Leptos UI).
//!
//! Everything but `web` is plain Rust and tested on the host.

pub mod analysis;
pub mod critical;
pub mod details;
pub mod format;
pub mod layout;
pub mod scene;
pub mod theme;
pub mod view;

#[cfg(target_arch = "wasm32")]
pub mod web;
