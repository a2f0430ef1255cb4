//! Browser-only code, in layers (each uses only the ones above it):
//! - leaves: [`js`] (JS interop), [`state`] (app state, UI signals),
//!   [`timing`], [`events`] (who follows the app), [`url`], [`painter`]
//!   (replays `crate::prim` display lists on a canvas), [`wire`] (the
//!   typed worker messages as JS values);
//! - [`core`] (the engine state), [`render`] (paints it), [`actions`]
//!   (model and selection changes), [`input`] (keyboard and mouse);
//! - [`loader`] (bytes to the timeline worker and back), [`pages`] (the
//!   analysis pages and their worker client), [`critical`] (the critical
//!   path UI), [`hook`] (`window.__gotrace`), [`embed`] (the host page's
//!   postMessage protocol, `?embed`), the last three notified through
//!   [`events`];
//! - [`app`] (the Leptos components).

pub mod actions;
pub mod app;
pub mod blob;
pub mod core;
pub mod critical;
pub mod embed;
pub mod events;
pub mod hook;
pub mod input;
pub mod js;
pub mod loader;
pub mod memory;
pub mod overview;
pub mod pages;
pub mod painter;
pub mod parts_ui;
pub mod render;
pub mod state;
pub mod timing;
pub mod url;
pub mod wire;

/// Entry point of the app bin.
pub fn start() {
    console_error_panic_hook::set_once();
    // Those who follow the app, before anything happens.
    events::subscribe(hook::on_event);
    events::subscribe(critical::on_event);
    events::subscribe(embed::on_event);
    events::subscribe(app::on_event);
    events::subscribe(loader::on_event);
    leptos::mount::mount_to_body(app::App);
    app::after_mount();
    // Last: answering PING means the viewer can take a trace.
    embed::start();
}
