//! The parameters of `/api/stream`, checked as strictly as the demo's.
//!
//! | parameter       | default | allowed               |
//! |-----------------|---------|-----------------------|
//! | `count`         | 1000    | 1..=10,000,000        |
//! | `produceMs`     | 0       | 0..=10000             |
//! | `highWaterMark` | 1       | 0..=64                |
//! | `batch`         | 1       | 1..=8192              |
//! | `mode`          | `pull`  | `pull`, `push`        |
//! | `format`        | `text`  | `text`, `ndjson`      |
//!
//! The specs below are the one place these values live. Push mode's queue is
//! capped at [`PUSH_CAP_VALUES`] values or [`PUSH_CAP_BYTES`] bytes of lines
//! (counted as [`Format::min_run_bytes`]), whichever comes first.

use super::vocabulary::{FeedConfig, Mode};
use super::wire::Format;
use crate::http::error::Result;
use crate::http::query::{Choice, Integer, Query};

/// How many values the stream carries.
pub const COUNT: Integer = Integer::new("count", 1..=10_000_000, 1000);

/// The generator's pause before each value after the first.
pub const PRODUCE_MS: Integer = Integer::new("produceMs", 0..=10_000, 0);

/// Pull mode: values that may wait in the worker ahead of demand.
pub const HIGH_WATER_MARK: Integer = Integer::new("highWaterMark", 0..=64, 1);

/// The most values sent as one chunk. The runtime's cost per chunk (its
/// pull, its write) is large, so chunks of 8192 values stream 1.4 to 1.8
/// times as many values a second as chunks of 1024; 8192 values make chunks
/// of about 64 KB as text and 350 to 400 KB as NDJSON, and larger ones
/// stopped paying.
pub const BATCH: Integer = Integer::new("batch", 1..=8192, 1);

/// Respect backpressure, or ignore it.
pub const MODE: Choice<Mode> = Choice {
    name: "mode",
    words: &["pull", "push"],
    values: &[Mode::Pull, Mode::Push],
    default: Mode::Pull,
};

/// The body's line format.
pub const FORMAT: Choice<Format> = Choice {
    name: "format",
    words: &["text", "ndjson"],
    values: &[Format::Text, Format::Ndjson],
    default: Format::Text,
};

/// The whole-number parameters of `/api/stream`, in the README's order.
pub const INTEGERS: [Integer; 4] = [COUNT, PRODUCE_MS, HIGH_WATER_MARK, BATCH];

/// The names `/api/stream` accepts.
pub const STREAM_PARAMETERS: &[&str] = &[
    COUNT.name,
    PRODUCE_MS.name,
    HIGH_WATER_MARK.name,
    BATCH.name,
    MODE.name,
    FORMAT.name,
];

/// Push mode stops its producer when this many values are waiting.
pub const PUSH_CAP_VALUES: usize = 100_000;

/// Push mode stops its producer when the waiting values' lines add up to at
/// least this many bytes (4 MiB), counting each NDJSON line's time and lead
/// as one digit.
pub const PUSH_CAP_BYTES: usize = 4 << 20;

/// How one stream behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamParams {
    /// How many values the stream carries.
    pub count: u64,
    /// The generator's pause before each value after the first, in ms.
    pub produce_ms: u32,
    /// Pull mode: values that may wait in the worker ahead of demand.
    pub high_water_mark: u32,
    /// The most values sent as one chunk.
    pub batch: u32,
    /// Pull or push.
    pub mode: Mode,
    /// Text or NDJSON.
    pub format: Format,
}

impl StreamParams {
    /// Reads the parameters from a query string (without the `?`).
    pub fn from_query(raw: Option<&str>) -> Result<StreamParams> {
        let query = Query::parse(raw, STREAM_PARAMETERS)?;
        Ok(StreamParams {
            count: query.integer(COUNT)?,
            produce_ms: query.small_integer(PRODUCE_MS)?,
            high_water_mark: query.small_integer(HIGH_WATER_MARK)?,
            batch: query.small_integer(BATCH)?,
            mode: query.choice(MODE)?,
            format: query.choice(FORMAT)?,
        })
    }

    /// The feed these parameters ask for, with the documented push caps.
    pub fn feed_config(&self) -> FeedConfig {
        FeedConfig {
            mode: self.mode,
            high_water_mark: self.high_water_mark,
            batch: self.batch,
            cap_values: PUSH_CAP_VALUES,
            cap_bytes: PUSH_CAP_BYTES,
        }
    }
}
