//! The runtime's own `ReadableStream`, created from Rust around a core
//! [`PullSource`], and a [`ValueReader`] over it.
//!
//! This is the recipe's `createStream()`: the stream's `pull` takes one value
//! from the source and enqueues it, its `cancel` releases the generator, and
//! its queuing strategy is a `CountQueuingStrategy` with the requested
//! `highWaterMark`. When to pull is decided by the runtime's stream, not by
//! this code: that is the backpressure the recipe is about.

use futures::Stream;
use js_sys::{Object, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use web_sys::{
    CountQueuingStrategy, QueuingStrategyInit, ReadableStream, ReadableStreamDefaultController,
    ReadableStreamDefaultReader, ReadableStreamReadResult, UnderlyingSource,
};

use crate::reader::{StreamError, ValueReader};
use crate::source::{PullSource, Pulled};

/// A reader of a runtime `ReadableStream` of integers.
pub(crate) struct JsValueReader {
    reader: ReadableStreamDefaultReader,
}

/// Builds a `ReadableStream` whose pulls are served by `source`, queuing at
/// most `high_water_mark` values, and locks a reader to it.
pub(crate) fn open<S>(
    source: PullSource<S>,
    high_water_mark: u32,
) -> Result<JsValueReader, StreamError>
where
    S: Stream<Item = u64> + Unpin + 'static,
{
    let stream = readable_stream(source, high_water_mark)?;
    let reader = stream
        .get_reader()
        .unchecked_into::<ReadableStreamDefaultReader>();
    Ok(JsValueReader { reader })
}

fn readable_stream<S>(
    source: PullSource<S>,
    high_water_mark: u32,
) -> Result<ReadableStream, StreamError>
where
    S: Stream<Item = u64> + Unpin + 'static,
{
    let pull_source = source.clone();
    let pull = Closure::<dyn FnMut(ReadableStreamDefaultController) -> Promise>::new(
        move |controller: ReadableStreamDefaultController| {
            let source = pull_source.clone();
            future_to_promise(async move {
                match source.pull().await {
                    Pulled::Value(value) => {
                        // JS numbers hold integers exactly up to 2^53, far
                        // beyond anything a run can count to.
                        controller.enqueue_with_chunk(&JsValue::from_f64(value as f64))?
                    }
                    Pulled::End => controller.close()?,
                    Pulled::Cancelled => {}
                }
                Ok(JsValue::UNDEFINED)
            })
        },
    );
    let cancel = Closure::<dyn FnMut(JsValue)>::new(move |_reason: JsValue| source.cancel());

    let underlying = UnderlyingSource::new();
    // The stream owns its callbacks from here on, as it would a JS source's.
    underlying.set_pull(pull.into_js_value().unchecked_ref());
    underlying.set_cancel(cancel.into_js_value().unchecked_ref());
    let strategy = CountQueuingStrategy::new(&QueuingStrategyInit::new(f64::from(high_water_mark)))
        .map_err(describe)?;
    ReadableStream::new_with_underlying_source_and_strategy(
        underlying.unchecked_ref::<Object>(),
        strategy.unchecked_ref(),
    )
    .map_err(describe)
}

impl ValueReader for JsValueReader {
    async fn read(&mut self) -> Result<Option<u64>, StreamError> {
        let result = JsFuture::from(self.reader.read()).await.map_err(describe)?;
        let result = result.unchecked_into::<ReadableStreamReadResult>();
        if result.get_done().unwrap_or(false) {
            return Ok(None);
        }
        let value = result.get_value();
        value
            .as_f64()
            .filter(|number| number.fract() == 0.0 && *number >= 0.0)
            .map(|number| Some(number as u64))
            .ok_or_else(|| StreamError(format!("expected an integer, got {value:?}")))
    }

    async fn cancel(&mut self) -> Result<(), StreamError> {
        JsFuture::from(self.reader.cancel())
            .await
            .map_err(describe)?;
        Ok(())
    }
}

/// Turns a thrown JS value into a readable message.
pub(crate) fn describe(error: JsValue) -> StreamError {
    let message = match error.dyn_ref::<js_sys::Error>() {
        Some(error) => String::from(error.message()),
        None => error.as_string().unwrap_or_else(|| format!("{error:?}")),
    };
    StreamError(message)
}
