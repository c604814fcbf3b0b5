//! The demo's parameters: the recipe's constants, made tunable from the query
//! string within bounds that keep a run inside the runtime's limits.
//!
//! | parameter       | default | range       | the recipe's                      |
//! |-----------------|---------|-------------|-----------------------------------|
//! | `count`         | 5       | 1..=100     | `loopCount`                       |
//! | `produceMs`     | 100     | 0..=10000   | the generator's `sleep(100)`      |
//! | `readMs`        | 1000    | 0..=10000   | the reader's `sleep(1000)`        |
//! | `highWaterMark` | 1       | 0..=16      | `ReadableStream`'s default        |
//!
//! A run may also take no longer than [`RUN_LIMIT_MS`]: the runtime keeps
//! `waitUntil` work alive for 30 s after the response, and the margin covers
//! start-up and the final log lines.

use crate::error::{Error, Result};
use crate::query::Query;

/// The longest a run may be planned to take, in milliseconds.
pub const RUN_LIMIT_MS: u64 = 25_000;

/// The names `/api/handle-backpressure` accepts.
pub const DEMO_PARAMETERS: &[&str] = &["count", "produceMs", "readMs", "highWaterMark"];

/// How one demo run behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoParams {
    /// How many values the reader reads before it cancels the stream.
    pub count: u32,
    /// The generator's pause before each value after the first, in ms.
    pub produce_ms: u32,
    /// The reader's pause after each read, in ms.
    pub read_ms: u32,
    /// How many values the stream may queue ahead of the reader.
    pub high_water_mark: u32,
}

impl Default for DemoParams {
    /// The recipe's own values.
    fn default() -> Self {
        DemoParams {
            count: 5,
            produce_ms: 100,
            read_ms: 1000,
            high_water_mark: 1,
        }
    }
}

impl DemoParams {
    /// Reads the parameters from a query string (without the `?`).
    pub fn from_query(raw: Option<&str>) -> Result<DemoParams> {
        let query = Query::parse(raw, DEMO_PARAMETERS)?;
        let recipe = DemoParams::default();
        // Every range below fits in a u32, so the narrowing cannot truncate.
        let params = DemoParams {
            count: query.integer("count", 1..=100, recipe.count.into())? as u32,
            produce_ms: query.integer("produceMs", 0..=10_000, recipe.produce_ms.into())? as u32,
            read_ms: query.integer("readMs", 0..=10_000, recipe.read_ms.into())? as u32,
            high_water_mark: query.integer(
                "highWaterMark",
                0..=16,
                recipe.high_water_mark.into(),
            )? as u32,
        };
        let planned_ms = params.planned_ms();
        if planned_ms > RUN_LIMIT_MS {
            return Err(Error::RunTooLong {
                planned_ms,
                limit_ms: RUN_LIMIT_MS,
            });
        }
        Ok(params)
    }

    /// The longest this run can take: every read waits for its value and then
    /// pauses, and at worst (a `highWaterMark` of 0) each value after the first
    /// is made only once it is asked for.
    pub fn planned_ms(&self) -> u64 {
        let count = u64::from(self.count);
        count * u64::from(self.read_ms) + count.saturating_sub(1) * u64::from(self.produce_ms)
    }
}
