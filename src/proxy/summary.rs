//! The line that ends every run of `/api/proxy`: what came from the origin,
//! what went to the client, the most the worker held, and how it ended. Its
//! `originRun` names the origin's run, whose own summary line (route
//! `stream`) says how far the origin got.

use crate::json::{Object, ToJson};

/// How a proxied stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyOutcome {
    /// The origin's body was transformed and sent to its end.
    Complete,
    /// The client went away; the origin was told to stop.
    Cancelled,
    /// The origin's body failed or was not the origin's format; the client's
    /// body was ended with an error.
    OriginFailed,
}

impl ProxyOutcome {
    /// The outcome as the summary names it.
    pub fn word(self) -> &'static str {
        match self {
            ProxyOutcome::Complete => "complete",
            ProxyOutcome::Cancelled => "cancelled",
            ProxyOutcome::OriginFailed => "originFailed",
        }
    }
}

/// The counts of one proxied stream.
#[derive(Debug, Clone, PartialEq)]
pub struct ProxySummary {
    /// The run's id.
    pub run: String,
    /// The origin's run id, from its `x-run-id` header (empty if it sent none).
    pub origin_run: String,
    /// Chunks read from the origin.
    pub chunks_in: u64,
    /// Bytes read from the origin.
    pub bytes_in: u64,
    /// The largest chunk read from the origin, in bytes.
    pub largest_chunk: u64,
    /// Values transformed.
    pub values: u64,
    /// Values handed to the client's body.
    pub sent: u64,
    /// The most transformed chunks ever waiting for the client: at most
    /// `max(transformHighWaterMark, 1)`.
    pub max_queue: u64,
    /// The most bytes ever waiting for the client.
    pub max_queue_bytes: u64,
    /// The transform's look-ahead, in chunks.
    pub transform_high_water_mark: u32,
    /// From the start of the run to its end, in ms.
    pub elapsed_ms: u64,
    /// How it ended.
    pub outcome: ProxyOutcome,
}

impl ToJson for ProxySummary {
    fn to_json(&self) -> String {
        Object::new()
            .str("run", &self.run)
            .str("event", "summary")
            .str("route", "proxy")
            .str("originRun", &self.origin_run)
            .num("chunksIn", self.chunks_in)
            .num("bytesIn", self.bytes_in)
            .num("largestChunk", self.largest_chunk)
            .num("values", self.values)
            .num("sent", self.sent)
            .num("maxQueue", self.max_queue)
            .num("maxQueueBytes", self.max_queue_bytes)
            .num(
                "transformHighWaterMark",
                self.transform_high_water_mark.into(),
            )
            .num("elapsedMs", self.elapsed_ms)
            .str("outcome", self.outcome.word())
            .finish()
    }
}
