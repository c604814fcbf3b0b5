//! A runtime `ReadableStream` whose `pull` is an async Rust closure: the one
//! place where Rust futures become a stream's underlying source.
//!
//! The queuing strategy counts chunks: with a `highWaterMark` of `h` the
//! runtime keeps up to `h` chunks queued ahead of its reader, and with 0 it
//! pulls only when a read is waiting.
//!
//! The stream is built by three lines of JS, in one call: building the
//! underlying source and the strategy from Rust (`web_sys::UnderlyingSource`,
//! `CountQueuingStrategy`) takes six calls across and their glue.

use std::future::Future;
use std::pin::Pin;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ReadableStream, ReadableStreamDefaultController};

use super::tasks;
use crate::http::error::StreamError;

#[wasm_bindgen(inline_js = "
export function pullStream(pull, cancel, highWaterMark) {
  return new ReadableStream({ pull, cancel }, { highWaterMark });
}")]
extern "C" {
    /// A stream with this underlying source's `pull` and `cancel`, and a
    /// strategy without `size`: every chunk counts one, as with
    /// `CountQueuingStrategy`.
    #[wasm_bindgen(js_name = pullStream, catch)]
    fn new_pull_stream(
        pull: &JsValue,
        cancel: &JsValue,
        high_water_mark: f64,
    ) -> Result<ReadableStream, JsValue>;
}

/// What a pull did: finished at once, or must wait for a future.
pub(crate) enum Pull<F> {
    /// Done now, as a synchronous JS `pull` would be: no promise, no trip
    /// through the microtask queue.
    Now(Result<(), JsValue>),
    /// Done when this future is.
    Later(F),
}

/// Builds a stream that calls `pull` whenever it wants a chunk (never again
/// before the previous pull has finished) and `cancel` when its reader gives
/// up on it.
pub(crate) fn pull_stream<P, F, C>(
    mut pull: P,
    cancel: C,
    high_water_mark: u32,
) -> Result<ReadableStream, StreamError>
where
    P: FnMut(ReadableStreamDefaultController) -> Pull<F> + 'static,
    F: Future<Output = Result<(), JsValue>> + 'static,
    C: FnMut() + 'static,
{
    // Only this adapter is built for each kind of stream; the callbacks and
    // the promise a waiting pull becomes are built once, for all of them (a
    // waiting pull is boxed as a task anyway).
    let pull = move |controller| match pull(controller) {
        Pull::Now(done) => Pull::Now(done),
        Pull::Later(pulled) => Pull::Later(Box::pin(pulled) as BoxedPull),
    };
    new_stream(Box::new(pull), Box::new(cancel), high_water_mark)
}

/// A pull that must wait, as [`new_stream`] takes it.
type BoxedPull = Pin<Box<dyn Future<Output = Result<(), JsValue>>>>;

fn new_stream(
    mut pull: Box<dyn FnMut(ReadableStreamDefaultController) -> Pull<BoxedPull>>,
    mut cancel: Box<dyn FnMut()>,
    high_water_mark: u32,
) -> Result<ReadableStream, StreamError> {
    // A pull answers, so it has a shape of its own (see `tasks::Callback`):
    // nothing when it finishes at once, like a synchronous JS `pull`; a
    // promise when it must wait; or an error, thrown.
    let pull =
        Closure::<dyn FnMut(ReadableStreamDefaultController) -> Result<JsValue, JsValue>>::new(
            move |controller: ReadableStreamDefaultController| {
                tasks::enter(|| match pull(controller) {
                    Pull::Now(done) => done.map(|()| JsValue::UNDEFINED),
                    // A rejected pull errors the stream, as a thrown one would.
                    Pull::Later(pulled) => Ok(tasks::spawn_promise(pulled).into()),
                })
            },
        );
    let cancel = tasks::callback_of(move |_reason, _| cancel());
    // The stream owns its callbacks from here on, as it would a JS source's;
    // they are freed when the stream is garbage-collected.
    new_pull_stream(&pull.into_js_value(), &cancel, f64::from(high_water_mark)).map_err(describe)
}

/// Turns a thrown JS value into a readable message.
pub(crate) fn describe(error: JsValue) -> StreamError {
    let message = match error.dyn_ref::<js_sys::Error>() {
        Some(error) => String::from(error.message()),
        None => error.as_string().unwrap_or_else(|| format!("{error:?}")),
    };
    StreamError(message)
}
