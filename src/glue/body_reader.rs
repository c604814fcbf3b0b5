//! A runtime `ReadableStream` of bytes as a [`ChunkReader`]: the body of an
//! upload to `/api/ingest`, or of the origin's response to `/api/proxy`. The
//! runtime reads from the socket (or the origin) only when this asks for the
//! next chunk, which is what lets a slow worker hold back a fast sender.
//!
//! Each chunk is copied into wasm memory, into one buffer reused for every
//! read. A client that goes away mid-upload is noticed when the body has
//! handed over what the socket buffers still held: the next read then fails
//! ("Network connection lost."). The request's `AbortSignal` does not fire
//! for it in workerd 1.20261117 (measured), so it is not listened to.

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use web_sys::{ReadableStream, ReadableStreamDefaultReader};

use super::callbacks::Settled;
use super::readable::describe;
use crate::body::ChunkReader;
use crate::http::error::StreamError;

/// A reader of a body; an absent body is an empty one.
pub(crate) struct BodyReader {
    reader: Option<ReadableStreamDefaultReader>,
    /// The last chunk read; reused.
    bytes: Vec<u8>,
}

impl BodyReader {
    /// Reads `body` (a request's or a response's), if there is one.
    pub(crate) fn of(body: Option<ReadableStream>) -> BodyReader {
        let reader = body.map(|body| {
            body.get_reader()
                .unchecked_into::<ReadableStreamDefaultReader>()
        });
        BodyReader {
            reader,
            bytes: Vec::new(),
        }
    }
}

impl ChunkReader for BodyReader {
    async fn read(&mut self) -> Result<Option<&[u8]>, StreamError> {
        let Some(reader) = &self.reader else {
            return Ok(None);
        };
        let value = Settled::read(reader).await.map_err(describe)?;
        if value.is_undefined() {
            return Ok(None);
        }
        let chunk = value
            .dyn_into::<Uint8Array>()
            .map_err(|value| StreamError(format!("expected bytes, got {value:?}")))?;
        self.bytes.resize(chunk.length() as usize, 0);
        chunk.copy_to(&mut self.bytes);
        Ok(Some(&self.bytes))
    }

    async fn cancel(&mut self) {
        if let Some(reader) = &self.reader {
            // A body that cannot be cancelled has ended anyway.
            let _ = Settled::new(reader.cancel()).await;
        }
    }
}
