//! A body the worker reads a chunk at a time: an upload (`/api/ingest`) or
//! an origin's response (`/api/proxy`). The runtime reads from the socket
//! only when the worker asks for the next chunk, so a worker that asks
//! slowly holds its sender back, and holds one chunk at a time.
//!
//! The core is written against this trait; the glue implements it over a
//! runtime `ReadableStream`, and the tests over a script of chunks.

use crate::http::error::StreamError;

/// The worker's side of a body, read one chunk at a time.
#[allow(async_fn_in_trait)]
pub trait ChunkReader {
    /// The next chunk, or `None` at the end of the body. The bytes are the
    /// reader's until the next call.
    async fn read(&mut self) -> Result<Option<&[u8]>, StreamError>;

    /// Stops reading: the rest of the body will not be read, and its sender
    /// is told so.
    async fn cancel(&mut self);
}
