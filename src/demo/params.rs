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
//! The specs below are the one place these values live. A run may also take
//! no longer than [`RUN_LIMIT_MS`]: the runtime keeps `waitUntil` work alive
//! for 30 s after the response, and the margin covers start-up and the final
//! log lines.

use crate::http::error::{Error, Result};
use crate::http::query::{Integer, Query};

/// The longest a run may be planned to take, in milliseconds.
pub const RUN_LIMIT_MS: u64 = 25_000;

/// How many values the reader reads: the recipe's `loopCount`.
pub const COUNT: Integer = Integer::new("count", 1..=100, 5);

/// The generator's pause before each value after the first: the recipe's
/// `sleep(100)`.
pub const PRODUCE_MS: Integer = Integer::new("produceMs", 0..=10_000, 100);

/// The reader's pause after each read: the recipe's `sleep(1000)`.
pub const READ_MS: Integer = Integer::new("readMs", 0..=10_000, 1000);

/// Values the stream may queue ahead of the reader: `ReadableStream`'s
/// default of 1.
pub const HIGH_WATER_MARK: Integer = Integer::new("highWaterMark", 0..=16, 1);

/// Every parameter of `/api/handle-backpressure`, in the README's order.
pub const SPEC: [Integer; 4] = [COUNT, PRODUCE_MS, READ_MS, HIGH_WATER_MARK];

/// The names `/api/handle-backpressure` accepts.
pub const DEMO_PARAMETERS: &[&str] = &[
    COUNT.name,
    PRODUCE_MS.name,
    READ_MS.name,
    HIGH_WATER_MARK.name,
];

/// How one demo run behaves (and, in its summary, what it was asked for).
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
        DemoParams::from_query(None).expect("the defaults are valid")
    }
}

impl DemoParams {
    /// Reads the parameters from a query string (without the `?`).
    pub fn from_query(raw: Option<&str>) -> Result<DemoParams> {
        let query = Query::parse(raw, DEMO_PARAMETERS)?;
        let params = DemoParams {
            count: query.small_integer(COUNT)?,
            produce_ms: query.small_integer(PRODUCE_MS)?,
            read_ms: query.small_integer(READ_MS)?,
            high_water_mark: query.small_integer(HIGH_WATER_MARK)?,
        };
        let planned_ms = params.planned_ms();
        if planned_ms > RUN_LIMIT_MS {
            return Err(Error::RunTooLong {
                planned_ms,
                limit_ms: RUN_LIMIT_MS,
            }
            .into());
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
