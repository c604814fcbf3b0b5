//! The line that ends every upload to `/api/ingest`, and the body of its
//! answer: what was read, how, and how it ended.

use crate::json::{Object, ToJson};

/// How an upload ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestOutcome {
    /// The body was read to its end.
    Complete,
    /// The body stopped before its end: the client went away.
    Cancelled,
    /// The body passed the limit; the worker stopped reading it.
    TooLarge,
}

impl IngestOutcome {
    /// The outcome as the summary names it.
    pub fn word(self) -> &'static str {
        match self {
            IngestOutcome::Complete => "complete",
            IngestOutcome::Cancelled => "cancelled",
            IngestOutcome::TooLarge => "tooLarge",
        }
    }
}

/// The counts of one upload.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestSummary {
    /// The run's id.
    pub run: String,
    /// The pause after each chunk, in ms.
    pub read_ms: u32,
    /// Bytes read (those of a chunk that passed the limit not included).
    pub bytes: u64,
    /// Newlines read, as `wc -l` counts lines.
    pub lines: u64,
    /// Chunks read, as the runtime handed them over.
    pub chunks: u64,
    /// The largest chunk, in bytes: what the worker held at most at once.
    pub largest_chunk: u64,
    /// From the start of the run to its end, in ms.
    pub elapsed_ms: u64,
    /// How it ended.
    pub outcome: IngestOutcome,
}

impl ToJson for IngestSummary {
    fn to_json(&self) -> String {
        Object::new()
            .str("run", &self.run)
            .str("event", "summary")
            .str("route", "ingest")
            .num("readMs", self.read_ms.into())
            .num("bytes", self.bytes)
            .num("lines", self.lines)
            .num("chunks", self.chunks)
            .num("largestChunk", self.largest_chunk)
            .num("elapsedMs", self.elapsed_ms)
            .str("outcome", self.outcome.word())
            .finish()
    }
}
