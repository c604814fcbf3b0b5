//! `/api/ingest`'s request body as a [`ChunkReader`]: the runtime's
//! `ReadableStream` of the body, read a chunk at a time. The runtime reads
//! from the client's socket only when this asks for the next chunk, which is
//! what lets a slow worker hold back a fast uploader.
//!
//! A client that goes away mid-upload is noticed when the body has handed
//! over what the socket buffers still held: the next read then fails
//! ("Network connection lost."). The request's `AbortSignal` does not fire
//! for it in workerd 1.20261117 (measured), so it is not listened to.

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use web_sys::{ReadableStreamDefaultReader, ReadableStreamReadResult};
use worker::Request;

use super::callbacks::Settled;
use super::readable::describe;
use crate::http::error::StreamError;
use crate::ingest::{Chunk, ChunkReader};

/// A reader of a request's body; an empty body is one with no chunk.
pub(crate) struct BodyReader {
    reader: Option<ReadableStreamDefaultReader>,
    /// Where each chunk is copied to count its lines; reused.
    bytes: Vec<u8>,
}

impl BodyReader {
    pub(crate) fn of(request: &Request) -> BodyReader {
        let reader = request.inner().body().map(|body| {
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
    async fn read(&mut self) -> Result<Option<Chunk>, StreamError> {
        let Some(reader) = &self.reader else {
            return Ok(None);
        };
        let result = Settled::new(reader.read()).await.map_err(describe)?;
        let result = result.unchecked_into::<ReadableStreamReadResult>();
        if result.get_done().unwrap_or(false) {
            return Ok(None);
        }
        let chunk = result
            .get_value()
            .dyn_into::<Uint8Array>()
            .map_err(|value| StreamError(format!("expected bytes, got {value:?}")))?;
        self.bytes.resize(chunk.length() as usize, 0);
        chunk.copy_to(&mut self.bytes);
        let newlines = self.bytes.iter().filter(|&&byte| byte == b'\n').count();
        Ok(Some(Chunk {
            bytes: self.bytes.len() as u64,
            newlines: newlines as u64,
        }))
    }

    async fn cancel(&mut self) {
        if let Some(reader) = &self.reader {
            // A body that cannot be cancelled has ended anyway.
            let _ = Settled::new(reader.cancel()).await;
        }
    }
}
