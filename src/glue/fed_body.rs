//! A response body fed by a queue of the core's: `/api/stream`'s [`Feed`] or
//! `/api/proxy`'s [`Pipe`]. The body is a runtime `ReadableStream` with a
//! `highWaterMark` of 0, so the runtime pulls only when it has written the
//! previous chunk towards the client, and each pull is one take: at once if
//! something is ready, or when it is.
//!
//! A client that goes away is noticed twice over: the runtime cancels the
//! body, and the request's `AbortSignal` fires; either cancels the feeder.
//! The body's callbacks hold the feeder through a [`BodyGuard`], which
//! cancels it if the runtime ever drops them all without a cancel.

use std::future::Future;

use wasm_bindgen::prelude::*;
use web_sys::{ReadableStream, ReadableStreamDefaultController, Request};

use super::readable::{Pull, pull_stream};
use super::tasks;
use super::workers_host::WorkersHost;
use crate::body_guard::{BodyGuard, Cancel};
use crate::http::error::StreamError;
use crate::proxy::pipe::{self, Pipe};
use crate::stream::feed::{self, Feed};

/// What a response body takes its chunks from.
pub(crate) trait Feeder: Cancel + Clone + 'static {
    /// What one take gives.
    type Taken;

    /// A take that is ready now, or `None`.
    fn take_now(&self) -> Option<Self::Taken>;

    /// A take, when it is ready.
    fn take(&self) -> impl Future<Output = Self::Taken> + '_;
}

impl Feeder for Feed<WorkersHost> {
    type Taken = feed::Taken;

    fn take_now(&self) -> Option<feed::Taken> {
        Feed::take_now(self)
    }

    fn take(&self) -> impl Future<Output = feed::Taken> + '_ {
        Feed::take(self)
    }
}

impl Feeder for Pipe<WorkersHost> {
    type Taken = pipe::Taken;

    fn take_now(&self) -> Option<pipe::Taken> {
        Pipe::take_now(self)
    }

    fn take(&self) -> impl Future<Output = pipe::Taken> + '_ {
        Pipe::take(self)
    }
}

#[wasm_bindgen(inline_js = "
export function onClientGone(request, callback) { request.signal.onabort = callback; }")]
extern "C" {
    /// Calls `callback` when the request's `AbortSignal` fires: its client
    /// went away. One call across, for the signal and its handler.
    #[wasm_bindgen(js_name = onClientGone)]
    fn on_client_gone(request: &Request, callback: &JsValue);
}

/// The body fed by `feeder`, as the answer to `request`; `deliver` hands
/// each take to the body's controller (enqueue, close or error).
pub(crate) fn body<F, D>(
    feeder: F,
    request: &Request,
    deliver: D,
) -> Result<ReadableStream, StreamError>
where
    F: Feeder,
    D: Fn(&ReadableStreamDefaultController, F::Taken, &F) -> Result<(), JsValue> + Clone + 'static,
{
    let on_abort = feeder.clone();
    let aborted = tasks::callback_of(move |_event, _| on_abort.cancel("the client went away"));
    on_client_gone(request, &aborted);

    let body_feeder = BodyGuard::new(feeder);
    let pull_feeder = body_feeder.clone();
    pull_stream(
        move |controller| {
            // Most pulls find a chunk ready and finish at once.
            if let Some(taken) = pull_feeder.take_now() {
                return Pull::Now(deliver(&controller, taken, &pull_feeder));
            }
            let (feeder, deliver) = (pull_feeder.clone(), deliver.clone());
            Pull::Later(async move {
                let taken = feeder.take().await;
                deliver(&controller, taken, &feeder)
            })
        },
        move || body_feeder.cancel("the body was cancelled"),
        0,
    )
}
