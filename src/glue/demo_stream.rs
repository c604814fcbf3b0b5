//! The demo's stream: the recipe's `createStream()`, a runtime
//! `ReadableStream` of integers whose `pull` takes one value from a core
//! [`PullSource`] and whose `cancel` releases the generator, read through a
//! `ReadableStreamDefaultReader`.
//!
//! When to pull is decided by the runtime's stream, with the run's
//! `highWaterMark`, not by this code: that is the backpressure the recipe is
//! about.

use futures::Stream;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::ReadableStreamDefaultReader;

use super::callbacks::Settled;
use super::readable::{Pull, describe, pull_stream};
use crate::demo::reader::ValueReader;
use crate::demo::source::{PullSource, Pulled};
use crate::http::error::StreamError;

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
    let pull_source = source.clone();
    let stream = pull_stream(
        move |controller| {
            let source = pull_source.clone();
            Pull::Later(async move {
                match source.pull().await {
                    // JS numbers hold integers exactly up to 2^53, far beyond
                    // anything a run can count to.
                    Pulled::Value(value) => {
                        controller.enqueue_with_chunk(&JsValue::from_f64(value as f64))
                    }
                    Pulled::End => controller.close(),
                    Pulled::Cancelled => Ok(()),
                }
            })
        },
        move || source.cancel(),
        high_water_mark,
    )?;
    let reader = stream
        .get_reader()
        .unchecked_into::<ReadableStreamDefaultReader>();
    Ok(JsValueReader { reader })
}

impl ValueReader for JsValueReader {
    async fn read(&mut self) -> Result<Option<u64>, StreamError> {
        let value = Settled::read(&self.reader).await.map_err(describe)?;
        if value.is_undefined() {
            return Ok(None);
        }
        value
            .as_f64()
            .filter(|number| number.fract() == 0.0 && *number >= 0.0)
            .map(|number| Some(number as u64))
            .ok_or_else(|| StreamError(format!("expected an integer, got {value:?}")))
    }

    async fn cancel(&mut self) -> Result<(), StreamError> {
        Settled::new(self.reader.cancel()).await.map_err(describe)?;
        Ok(())
    }
}
