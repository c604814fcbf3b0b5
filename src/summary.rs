//! The one line that ends every run: a JSON object with the run's counts,
//! for a demo run ([`Summary`]) or a stream ([`StreamSummary`]).
//!
//! The two count backpressure from different sides. A demo's `maxLead` is how
//! many values were made that the reader had not yet asked for (at most the
//! stream's `highWaterMark`). A stream's `maxLead` is how many values had been
//! made beyond a value when it left the worker (at most
//! `max(highWaterMark, batch) − 1` in pull mode), and its `maxQueue`, the most
//! values waiting in the worker, is the counterpart of the demo's `maxLead`.
//!
//! It is a bare JSON object, not prefixed like the other lines, so that a
//! `wrangler tail --format json | jq` pipeline can parse it as it is.

use serde::Serialize;

use crate::feed::{Ending, Mode};

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// The reader read every value it wanted and cancelled the stream.
    Complete,
    /// The stream closed before the reader had read every value.
    ClosedEarly,
    /// The stream failed.
    Errored,
}

/// The counts of one finished run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// The run's id, as in its other lines.
    pub run: String,
    /// Always `"summary"`, so a filter can pick these lines out.
    pub event: &'static str,
    /// Values the generator made.
    pub produced: u64,
    /// Values the reader received.
    pub consumed: u64,
    /// The furthest the producer ever ran ahead of what the reader asked for.
    pub max_lead: u64,
    /// The stream's `highWaterMark`, the bound `max_lead` is held to.
    pub high_water_mark: u32,
    /// From the start of the run to the end of the cancel, in ms.
    pub elapsed_ms: u64,
    /// How the run ended.
    pub outcome: Outcome,
}

impl Summary {
    /// The summary as one line of JSON.
    pub fn to_json_line(&self) -> String {
        json_line(self)
    }
}

/// The counts of one finished stream of `/api/stream`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamSummary {
    /// The run's id.
    pub run: String,
    /// Always `"summary"`.
    pub event: &'static str,
    /// Always `"stream"`, to tell these from the demo's summaries.
    pub route: &'static str,
    /// Pull or push.
    pub mode: Mode,
    /// Values the producer made.
    pub produced: u64,
    /// Values handed to the response body.
    pub sent: u64,
    /// The largest lead of any value sent.
    pub max_lead: u64,
    /// The most values ever waiting in the worker.
    pub max_queue: u64,
    /// The most bytes ever waiting, as counted for the push cap.
    pub max_queue_bytes: u64,
    /// The pull-mode look-ahead.
    pub high_water_mark: u32,
    /// The largest chunk, in values.
    pub batch: u32,
    /// From the start of the stream to its end, in ms.
    pub elapsed_ms: u64,
    /// How it ended.
    pub outcome: Ending,
    /// Whether push mode hit its cap (also true if the client left afterwards).
    pub capped: bool,
}

impl StreamSummary {
    /// The summary as one line of JSON.
    pub fn to_json_line(&self) -> String {
        json_line(self)
    }
}

fn json_line(summary: &impl Serialize) -> String {
    serde_json::to_string(summary).expect("a struct of numbers and plain strings always serializes")
}
