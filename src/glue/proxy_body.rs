//! `/api/proxy`'s response body: a runtime `ReadableStream` with a
//! `highWaterMark` of 0, so that the runtime pulls only when it has written
//! the previous chunk towards the client; each pull takes one transformed
//! chunk from the [`Pipe`].
//!
//! A client that goes away cancels the pipe (through the body's cancel or
//! the request's `AbortSignal`), and the pipe's pump cancels the origin. An
//! origin that fails mid-stream errors this body, so that the client sees a
//! broken response rather than a short one that looks complete.

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, ReadableStream, ReadableStreamDefaultController};

use super::readable::{Pull, pull_stream};
use super::tasks;
use super::workers_host::WorkersHost;
use crate::http::error::StreamError;
use crate::proxy::pipe::{Pipe, Taken};
use crate::proxy::summary::ProxyOutcome;
use crate::run::json_line;
use crate::stream::wire::Format;

/// The client's body for `pipe`, in `format`.
pub(crate) fn body(
    pipe: Pipe<WorkersHost>,
    format: Format,
    client_gone: &AbortSignal,
) -> Result<ReadableStream, StreamError> {
    let on_abort = pipe.clone();
    let aborted = Closure::<dyn FnMut()>::new(move || {
        tasks::enter(|| on_abort.cancel("the client went away"));
    });
    client_gone.set_onabort(Some(aborted.into_js_value().unchecked_ref()));

    // The body's callbacks hold the pipe through a guard that cancels it
    // when the runtime drops them all, should it ever do so without a cancel.
    let body_pipe = pipe.body_guard();
    let pull_pipe = body_pipe.clone();
    pull_stream(
        move |controller| {
            if let Some(taken) = pull_pipe.take_now() {
                return Pull::Now(deliver(&controller, format, taken));
            }
            let pipe = pull_pipe.clone();
            Pull::Later(async move {
                let taken = pipe.take().await;
                deliver(&controller, format, taken)
            })
        },
        move || body_pipe.cancel("the body was cancelled"),
        0,
    )
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
