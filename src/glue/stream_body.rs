//! `/api/stream`'s response body: a runtime `ReadableStream` with a
//! `highWaterMark` of 0, so that the runtime pulls only when it has written
//! the previous chunk towards the client, and each pull is one
//! [`Feed::take`], encoded as text or NDJSON.
//!
//! The stream's own queue holds only what a pull handed it beyond its first
//! chunk (pull mode, [`Feed::take_more_now`]), which the feed still counts as
//! waiting until the runtime pulls again. A client that goes away is noticed twice over:
//! the runtime cancels the body, and the request's `AbortSignal` fires; either
//! cancels the feed, which stops the producer at once.

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, ReadableStream, ReadableStreamDefaultController};

use super::readable::{Pull, pull_stream};
use super::tasks;
use super::workers_host::WorkersHost;
use crate::http::error::StreamError;
use crate::run::json_line;
use crate::stream::feed::{Feed, Taken};
use crate::stream::vocabulary::Ending;
use crate::stream::wire::Format;

/// The response body for `feed`, in `format`.
pub(crate) fn body(
    feed: Feed<WorkersHost>,
    format: Format,
    client_gone: &AbortSignal,
) -> Result<ReadableStream, StreamError> {
    let on_abort = feed.clone();
    let aborted = Closure::<dyn FnMut()>::new(move || {
        tasks::enter(|| on_abort.cancel("the client went away"));
    });
    client_gone.set_onabort(Some(aborted.into_js_value().unchecked_ref()));

    // The body's callbacks hold the feed through a guard that cancels it
    // when the runtime drops them all, should it ever do so without a cancel.
    let body_feed = feed.body_guard();
    let pull_feed = body_feed.clone();
    pull_stream(
        move |controller| {
            // Most pulls find a chunk ready and finish at once.
            if let Some(taken) = pull_feed.take_now() {
                return Pull::Now(deliver(&controller, format, taken, &pull_feed));
            }
            let feed = pull_feed.clone();
            Pull::Later(async move {
                let taken = feed.take().await;
                deliver(&controller, format, taken, &feed)
            })
        },
        move || body_feed.cancel("the body was cancelled"),
        0,
    )
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
