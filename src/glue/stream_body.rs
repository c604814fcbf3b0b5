//! `/api/stream`'s response body: a body fed by the stream's [`Feed`]
//! ([`fed_body`]), each take encoded as text or NDJSON.
//!
//! The stream's own queue holds only what a pull handed it beyond its first
//! chunk (pull mode, [`Feed::take_more_now`]), which the feed still counts as
//! waiting until the runtime pulls again. A client that goes away cancels
//! the feed, which stops the producer at once.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use web_sys::{ReadableStream, ReadableStreamDefaultController, Request};

use super::fed_body;
use super::workers_host::WorkersHost;
use crate::http::error::StreamError;
use crate::run::json_line;
use crate::stream::feed::{Feed, Taken};
use crate::stream::vocabulary::Ending;
use crate::stream::wire::Format;

/// The response body for `feed`, in `format`, as the answer to `request`.
pub(crate) fn body(
    feed: Feed<WorkersHost>,
    format: Format,
    request: &Request,
) -> Result<ReadableStream, StreamError> {
    fed_body::body(feed, request, move |controller, taken, feed| {
        deliver(controller, format, taken, feed)
    })
}

/// Hands one take to the body: a chunk, and in pull mode every further full
/// batch that waits, each its own chunk, so that the runtime's next write
/// carries them all; or the end (with the summary as the last NDJSON line).
fn deliver(
    controller: &ReadableStreamDefaultController,
    format: Format,
    taken: Taken,
    feed: &Feed<WorkersHost>,
) -> Result<(), JsValue> {
    match taken {
        Taken::Chunk(chunk) => {
            let mut bytes = Vec::with_capacity(chunk.len() * 8);
            let mut next = Some(chunk);
            while let Some(chunk) = next {
                bytes.clear();
                format.encode(&chunk, &mut bytes);
                controller.enqueue_with_chunk(&Uint8Array::from(bytes.as_slice()))?;
                next = feed.take_more_now();
            }
            Ok(())
        }
        // The body is already cancelled: nothing to close.
        Taken::End(Ending::Cancelled, _) => Ok(()),
        Taken::End(_, summary) => {
            if let (Format::Ndjson, Some(summary)) = (format, summary) {
                let line = json_line(&summary) + "\n";
                controller.enqueue_with_chunk(&Uint8Array::from(line.as_bytes()))?;
            }
            controller.close()
        }
    }
}
