//! The line that ends every stream of `/api/stream`: a JSON object with the
//! stream's counts.
//!
//! A stream's `maxLead` is how many values had been made beyond a value when
//! it left the worker (at most `max(highWaterMark, batch) − 1` in pull mode),
//! and its `maxQueue`, the most values waiting in the worker, is the
//! counterpart of the demo's `maxLead`.

use super::params::MODE;
use super::vocabulary::{Ending, Mode};
use crate::json::{Object, ToJson};

/// The counts of one finished stream of `/api/stream`.
#[derive(Debug, Clone, PartialEq)]
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
    /// Whether that cap was the isolate's memory budget.
    pub budget_spent: bool,
    /// Bytes the isolate's streams held against the budget as this one ended.
    pub budget_in_use_bytes: u64,
    /// The isolate's budget, in bytes.
    pub budget_limit_bytes: u64,
}

impl ToJson for StreamSummary {
    fn to_json(&self) -> String {
        Object::new()
            .str("run", &self.run)
            .str("event", self.event)
            .str("route", self.route)
            .str("mode", MODE.word(self.mode))
            .num("produced", self.produced)
            .num("sent", self.sent)
            .num("maxLead", self.max_lead)
            .num("maxQueue", self.max_queue)
            .num("maxQueueBytes", self.max_queue_bytes)
            .num("highWaterMark", self.high_water_mark.into())
            .num("batch", self.batch.into())
            .num("elapsedMs", self.elapsed_ms)
            .str("outcome", self.outcome.word())
            .bool("capped", self.capped)
            .bool("budgetSpent", self.budget_spent)
            .num("budgetInUseBytes", self.budget_in_use_bytes)
            .num("budgetLimitBytes", self.budget_limit_bytes)
            .finish()
    }
}
