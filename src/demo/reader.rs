//! The consumer's side of a stream, as the demo sees it.
//!
//! In the worker this is a `ReadableStreamDefaultReader` of the runtime's own
//! `ReadableStream`; in the native tests it is a model of the same algorithm.
//! The demo reads through this trait and never knows which.

use crate::http::error::StreamError;

/// A reader of a stream of integers.
// The futures are not `Send`, and need not be: a Worker is single-threaded.
#[allow(async_fn_in_trait)]
pub trait ValueReader {
    /// The next value, or `None` once the stream has closed.
    async fn read(&mut self) -> Result<Option<u64>, StreamError>;

    /// Cancels the stream: the source's `cancel` runs and nothing more is
    /// pulled.
    async fn cancel(&mut self) -> Result<(), StreamError>;
}
