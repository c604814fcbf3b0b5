//! What this worker reads of a runtime `Request` or `Response`: one header,
//! and the body. One binding serves both kinds of message (web-sys has one
//! per kind, each its own import and glue), and a header is read in one call
//! across, not by fetching the `Headers` object and then calling its `get`.

use wasm_bindgen::prelude::*;
use web_sys::ReadableStream;

#[wasm_bindgen(inline_js = "
export function header(message, name) { return message.headers.get(name); }
export function body(message) { return message.body; }")]
extern "C" {
    /// The value of the header `name` (a valid name, which `get` never
    /// throws for), or `None` if the message has none.
    pub(crate) fn header(message: &JsValue, name: &str) -> Option<String>;
    /// The message's body, or `None` if it has none.
    pub(crate) fn body(message: &JsValue) -> Option<ReadableStream>;
}
