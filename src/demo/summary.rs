//! The line that ends every demo run: a JSON object with the run's
//! parameters and counts. It is the only line a run writes beside the
//! recipe's own (`yielding N`, `Stream value: N`) and its warnings, so that a
//! run logs one line more than the recipe does: each console line costs
//! about as much CPU as the rest of a value's work.
//!
//! A demo's `maxLead` is how many values were made that the reader had not
//! yet asked for (at most the stream's `highWaterMark`). It is a bare JSON
//! object, written by [`Run::summary`](crate::run::Run::summary), so that a
//! `wrangler tail --format json | jq` pipeline can parse it as it is.

use super::params::DemoParams;
use crate::json::{Object, ToJson};

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The reader read every value it wanted and cancelled the stream.
    Complete,
    /// The stream closed before the reader had read every value.
    ClosedEarly,
    /// The stream failed.
    Errored,
}

/// The counts of one finished run.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The run's id, as in its other lines.
    pub run: String,
    /// Always `"summary"`, so a filter can pick these lines out.
    pub event: &'static str,
    /// The run's parameters, as asked for.
    pub params: DemoParams,
    /// Values the generator made.
    pub produced: u64,
    /// Values the reader received.
    pub consumed: u64,
    /// The furthest the producer ever ran ahead of what the reader asked for.
    pub max_lead: u64,
    /// Whether the generator had been dropped, so that it could make
    /// nothing more, when the summary was written.
    pub released: bool,
    /// From the start of the run to the end of the cancel, in ms.
    pub elapsed_ms: u64,
    /// How the run ended.
    pub outcome: Outcome,
}

impl Outcome {
    /// The outcome as the summary names it.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Complete => "complete",
            Outcome::ClosedEarly => "closedEarly",
            Outcome::Errored => "errored",
        }
    }
}

impl ToJson for Summary {
    fn to_json(&self) -> String {
        Object::new()
            .str("run", &self.run)
            .str("event", self.event)
            .num("count", self.params.count.into())
            .num("produceMs", self.params.produce_ms.into())
            .num("readMs", self.params.read_ms.into())
            .num("highWaterMark", self.params.high_water_mark.into())
            .num("produced", self.produced)
            .num("consumed", self.consumed)
            .num("maxLead", self.max_lead)
            .bool("released", self.released)
            .num("elapsedMs", self.elapsed_ms)
            .str("outcome", self.outcome.word())
            .finish()
    }
}
