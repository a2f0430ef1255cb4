//! JS interop in one place: object fields, error text, the colour scheme,
//! the clock, wasm memory, and 2D canvas setup. A leaf of `web`.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// Sets field `k` of a JS object.
pub fn set(o: &Object, k: &str, v: impl Into<JsValue>) {
    let _ = Reflect::set(o, &JsValue::from_str(k), &v.into());
}

/// Field `k` of a JS value (`undefined` if missing).
pub fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

/// A JS error (or anything thrown) as text.
pub fn js_text(v: &JsValue) -> String {
    if let Some(s) = v.as_string() {
        return s;
    }
    get(v, "message")
        .as_string()
        .unwrap_or_else(|| format!("{v:?}"))
}

/// Whether the page is in dark mode (`prefers-color-scheme`).
pub fn prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// Milliseconds from the page's time origin (`performance.now()`).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Size of this wasm instance's memory: its high-water mark, since wasm
/// memory never shrinks. Works in the page and in workers.
pub fn wasm_memory_bytes() -> f64 {
    let mem = wasm_bindgen::memory();
    get(&get(&mem, "buffer"), "byteLength")
        .as_f64()
        .unwrap_or(0.0)
}

/// The device pixel ratio (at least 1).
pub fn dpr() -> f64 {
    web_sys::window().map_or(1.0, |w| w.device_pixel_ratio().max(1.0))
}

/// Sizes canvas `cv` to `w`×`h` CSS px (its backing store to device
/// pixels; the CSS size through CSSOM when `set_css_size`) and returns
/// its 2D context, `opaque` if the canvas paints all of itself.
pub fn context_2d(
    cv: &HtmlCanvasElement,
    (w, h): (f64, f64),
    set_css_size: bool,
    opaque: bool,
) -> Option<CanvasRenderingContext2d> {
    let dpr = dpr();
    let (bw, bh) = (
        (w * dpr).round().max(1.0) as u32,
        (h * dpr).round().max(1.0) as u32,
    );
    // Setting the size clears the canvas: the timeline (opaque, repainted
    // whole) only does it on a change, the others on every paint.
    if !opaque || cv.width() != bw {
        cv.set_width(bw);
    }
    if !opaque || cv.height() != bh {
        cv.set_height(bh);
    }
    if set_css_size {
        let st = cv.style();
        let _ = st.set_property("width", &format!("{w}px"));
        let _ = st.set_property("height", &format!("{h}px"));
    }
    let ctx = if opaque {
        let opts = Object::new();
        set(&opts, "alpha", false);
        cv.get_context_with_context_options("2d", &opts)
    } else {
        cv.get_context("2d")
    };
    ctx.ok().flatten()?.dyn_into().ok()
}

/// Offers `buf` to the user as a file named `name` (a download).
pub fn download(name: &str, buf: &js_sys::ArrayBuffer) -> Result<(), JsValue> {
    download_parts(name, &js_sys::Array::of1(&js_sys::Uint8Array::new(buf)))
}

/// Offers a file made of `parts` (`Blob`s, typed arrays) for download, as
/// `name`: the browser concatenates them without the page reading them.
pub fn download_parts(name: &str, parts: &js_sys::Array) -> Result<(), JsValue> {
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("application/octet-stream");
    let blob = web_sys::Blob::new_with_blob_sequence_and_options(parts, &opts)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // Revoked later: the browser may still be reading the blob.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(w) = web_sys::window() {
        let _ =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000);
    }
    Ok(())
}

/// Decompresses a gzip file with the browser's `DecompressionStream`
/// (through `Response`, so the output comes back as one `Blob`, which the
/// browser may keep out of memory).
pub async fn gunzip(blob: &web_sys::Blob) -> Result<web_sys::Blob, JsValue> {
    use js_sys::{Array, Function, Promise};
    let global = js_sys::global();
    let ctor = get(&global, "DecompressionStream");
    if !ctor.is_function() {
        return Err("this browser has no DecompressionStream".into());
    }
    let call = |o: &JsValue, name: &str, args: &Array| -> Result<JsValue, JsValue> {
        let f: Function = get(o, name).dyn_into()?;
        Reflect::apply(&f, o, args)
    };
    let ctor: Function = ctor.dyn_into()?;
    let ds = Reflect::construct(&ctor, &Array::of1(&JsValue::from_str("gzip")))?;
    let blob: JsValue = blob.clone().into();
    let stream = call(&blob, "stream", &Array::new())?;
    let plain = call(&stream, "pipeThrough", &Array::of1(&ds))?;
    let resp_ctor: Function = get(&global, "Response").dyn_into()?;
    let resp = Reflect::construct(&resp_ctor, &Array::of1(&plain))?;
    let p: Promise = call(&resp, "blob", &Array::new())?.dyn_into()?;
    wasm_bindgen_futures::JsFuture::from(p).await?.dyn_into()
}
