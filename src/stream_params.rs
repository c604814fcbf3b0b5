//! The parameters of `/api/stream`, checked as strictly as the demo's.
//!
//! | parameter       | default | allowed               |
//! |-----------------|---------|-----------------------|
//! | `count`         | 1000    | 1..=10,000,000        |
//! | `produceMs`     | 0       | 0..=10000             |
//! | `highWaterMark` | 1       | 0..=64                |
//! | `batch`         | 1       | 1..=1024              |
//! | `mode`          | `pull`  | `pull`, `push`        |
//! | `format`        | `text`  | `text`, `ndjson`      |
//!
//! Push mode's queue is capped at [`PUSH_CAP_VALUES`] values or
//! [`PUSH_CAP_BYTES`] bytes of lines (counted as [`Format::min_line_bytes`]),
//! whichever comes first.

use crate::error::Result;
use crate::feed::{FeedConfig, Mode};
use crate::query::Query;
use crate::wire::Format;

/// The names `/api/stream` accepts.
pub const STREAM_PARAMETERS: &[&str] = &[
    "count",
    "produceMs",
    "highWaterMark",
    "batch",
    "mode",
    "format",
];

/// The largest `batch`: 1024 values make chunks of a few KB to 40 KB, past
/// which fewer crossings between wasm and JS stop paying.
pub const MAX_BATCH: u32 = 1024;

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
        // The ranges narrowed to u32 below all fit in one.
        Ok(StreamParams {
            count: query.integer("count", 1..=10_000_000, 1000)?,
            produce_ms: query.integer("produceMs", 0..=10_000, 0)? as u32,
            high_water_mark: query.integer("highWaterMark", 0..=64, 1)? as u32,
            batch: query.integer("batch", 1..=u64::from(MAX_BATCH), 1)? as u32,
            mode: match query.choice("mode", &["pull", "push"], "pull")? {
                "push" => Mode::Push,
                _ => Mode::Pull,
            },
            format: match query.choice("format", &["text", "ndjson"], "text")? {
                "ndjson" => Format::Ndjson,
                _ => Format::Text,
            },
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
