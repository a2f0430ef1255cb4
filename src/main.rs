//! The viewer app (a Leptos CSR page). See `src/lib.rs` for the layout of the code.

#[cfg(target_arch = "wasm32")]
fn main() {
    gotrace_viewer::web::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "gotrace-viewer runs in a browser: build it with `trunk build` (see scripts/serve.sh)."
    );
}
