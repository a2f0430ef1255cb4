//! Browser-only code: the Leptos UI ([`app`]), the engine state and input
//! handling ([`core`]), the worker/fetch plumbing ([`loader`]), the canvas
//! painter ([`painter`]) and the e2e test hook ([`hook`]).

pub mod app;
pub mod core;
pub mod critical;
pub mod hook;
pub mod loader;
pub mod pages;
pub mod painter;

/// Entry point of the app bin.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
    app::after_mount();
}
