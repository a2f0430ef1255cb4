//! The typed worker messages of [`crate::protocol`] as JS values: an
//! envelope `{msg, data}` where `msg` is the message encoded by
//! `serde-wasm-bindgen` and `data` an array of `ArrayBuffer`s (the byte
//! payloads), transferred rather than copied, or `Blob`s (a trace file,
//! passed by reference: the bytes stay where they are). Used by the page and by both
//! worker bins.

use js_sys::{Array, ArrayBuffer, Object, Uint8Array};
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, Worker};

use super::js::{get, set};

/// Where a message can be posted: a worker (from the page) or the page
/// (from a worker's global scope).
pub trait Port {
    fn post(&self, v: &JsValue) -> Result<(), JsValue>;
    fn post_transfer(&self, v: &JsValue, transfer: &Array) -> Result<(), JsValue>;
}

impl Port for Worker {
    fn post(&self, v: &JsValue) -> Result<(), JsValue> {
        self.post_message(v)
    }
    fn post_transfer(&self, v: &JsValue, transfer: &Array) -> Result<(), JsValue> {
        self.post_message_with_transfer(v, transfer)
    }
}

impl Port for DedicatedWorkerGlobalScope {
    fn post(&self, v: &JsValue) -> Result<(), JsValue> {
        self.post_message(v)
    }
    fn post_transfer(&self, v: &JsValue, transfer: &Array) -> Result<(), JsValue> {
        self.post_message_with_transfer(v, transfer)
    }
}

/// 64-bit integers (absolute trace times can pass 2^53) as BigInts.
fn serializer() -> serde_wasm_bindgen::Serializer {
    serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(true)
}

/// The envelope of `msg` with byte payloads `data`.
pub fn encode<T: Serialize>(msg: &T, data: Option<&Array>) -> Result<Object, String> {
    let v = msg
        .serialize(&serializer())
        .map_err(|e| format!("The message could not be encoded: {e}"))?;
    let o = Object::new();
    set(&o, "msg", v);
    if let Some(d) = data {
        set(&o, "data", d.clone());
    }
    Ok(o)
}

/// Posts `msg`, its `data` buffers transferred (copied if they cannot be;
/// blobs are cloned, which shares their bytes).
pub fn post<T: Serialize>(port: &impl Port, msg: &T, data: Option<&Array>) -> Result<(), String> {
    let o = encode(msg, data)?;
    let buffers: Array = data.map_or_else(Array::new, |d| {
        d.iter()
            .filter(|v| v.is_instance_of::<ArrayBuffer>())
            .collect()
    });
    let r = match buffers.length() {
        0 => port.post(&o),
        _ => port.post_transfer(&o, &buffers).or_else(|_| port.post(&o)),
    };
    r.map_err(|e| super::js::js_text(&e))
}

/// A received envelope: the typed message and its byte payloads.
pub fn decode<T: DeserializeOwned>(v: &JsValue) -> Result<(T, Array), String> {
    let msg = serde_wasm_bindgen::from_value(get(v, "msg"))
        .map_err(|e| format!("Unreadable message: {e}"))?;
    let data = get(v, "data").dyn_into::<Array>().unwrap_or_default();
    Ok((msg, data))
}

/// Byte payload `i` of `data`, if it is an `ArrayBuffer`.
pub fn buffer(data: &Array, i: u32) -> Option<ArrayBuffer> {
    data.get(i).dyn_into::<ArrayBuffer>().ok()
}

/// Payload `i` of `data`, if it is a `Blob` (a `File` is one).
pub fn blob(data: &Array, i: u32) -> Option<web_sys::Blob> {
    data.get(i).dyn_into::<web_sys::Blob>().ok()
}

/// Byte payload `i` copied into wasm memory (empty if missing).
pub fn bytes(data: &Array, i: u32) -> Vec<u8> {
    buffer(data, i).map_or_else(Vec::new, |b| Uint8Array::new(&b).to_vec())
}

/// `bytes` in a fresh `ArrayBuffer` (to transfer).
pub fn to_buffer(bytes: &[u8]) -> ArrayBuffer {
    let arr = Uint8Array::new_with_length(bytes.len() as u32);
    arr.copy_from(bytes);
    arr.buffer()
}
