//! `/api/proxy`'s response body: a body fed by the proxy's [`Pipe`]
//! ([`fed_body`]), one transformed chunk per pull.
//!
//! A client that goes away cancels the pipe (through the body's cancel or
//! the request's `AbortSignal`), and the pipe's pump cancels the origin. An
//! origin that fails mid-stream errors this body, so that the client sees a
//! broken response rather than a short one that looks complete.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use web_sys::{ReadableStream, ReadableStreamDefaultController, Request};

use super::fed_body;
use super::workers_host::WorkersHost;
use crate::http::error::StreamError;
use crate::proxy::pipe::{Pipe, Taken};
use crate::proxy::summary::ProxyOutcome;
use crate::run::json_line;
use crate::stream::wire::Format;

/// The client's body for `pipe`, in `format`, as the answer to `request`.
pub(crate) fn body(
    pipe: Pipe<WorkersHost>,
    format: Format,
    request: &Request,
) -> Result<ReadableStream, StreamError> {
    fed_body::body(pipe, request, move |controller, taken, _| {
        deliver(controller, format, taken)
    })
}

/// Hands one take to the body: a chunk, or the end (with the proxy's
/// summary as the last NDJSON line), or the origin's failure as an error.
fn deliver(
    controller: &ReadableStreamDefaultController,
    format: Format,
    taken: Taken,
) -> Result<(), JsValue> {
    match taken {
        Taken::Chunk(bytes) => controller.enqueue_with_chunk(&Uint8Array::from(bytes.as_slice())),
        // The client is gone (the body was cancelled, or the request aborted,
        // or the body dropped): nobody reads what this would write.
        Taken::End(ProxyOutcome::Cancelled, _) => Ok(()),
        Taken::End(ProxyOutcome::OriginFailed, _) => {
            // The runtime then drops the connection without the body's last
            // chunk, and logs this error as uncaught.
            controller.error_with_e(&JsValue::from_str(
                "the proxy's origin failed mid-stream; the proxy's run says why",
            ));
            Ok(())
        }
        Taken::End(ProxyOutcome::Complete, summary) => {
            if let (Format::Ndjson, Some(summary)) = (format, summary) {
                let line = json_line(&summary) + "\n";
                controller.enqueue_with_chunk(&Uint8Array::from(line.as_bytes()))?;
            }
            controller.close()
        }
    }
}
