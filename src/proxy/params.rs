//! The parameters of `/api/proxy`: the origin's, passed through, and the
//! transform's own look-ahead.
//!
//! | parameter                | default | allowed           |
//! |--------------------------|---------|-------------------|
//! | `count`                  | 1000    | 1..=10,000,000    |
//! | `produceMs`              | 0       | 0..=10000         |
//! | `highWaterMark`          | 1       | 0..=64            |
//! | `batch`                  | 1       | 1..=8192          |
//! | `format`                 | `text`  | `text`, `ndjson`  |
//! | `transformHighWaterMark` | 1       | 0..=16            |
//!
//! The first five are `/api/stream`'s, checked by the same specs and sent on
//! to the origin as checked values, never as the client wrote them. The
//! origin always streams pull mode: the point of the route is to carry its
//! backpressure through.

use crate::http::error::Result;
use crate::http::query::{Integer, Query};
use crate::stream::params::{BATCH, COUNT, FORMAT, HIGH_WATER_MARK, PRODUCE_MS};
use crate::stream::wire::Format;

/// Transformed chunks that may wait in the worker ahead of the client. A
/// chunk is what one read of the origin gave (at most 4 KiB in workerd), so
/// the worker holds at most this many such chunks, transformed, plus the
/// one it is transforming.
pub const TRANSFORM_HIGH_WATER_MARK: Integer = Integer::new("transformHighWaterMark", 0..=16, 1);

/// The origin's path, on the `ORIGIN` service binding.
pub const ORIGIN_PATH: &str = "/api/stream";

/// The names `/api/proxy` accepts.
pub const PROXY_PARAMETERS: &[&str] = &[
    COUNT.name,
    PRODUCE_MS.name,
    HIGH_WATER_MARK.name,
    BATCH.name,
    FORMAT.name,
    TRANSFORM_HIGH_WATER_MARK.name,
];

/// How one proxied stream behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyParams {
    /// How many values the origin streams.
    pub count: u64,
    /// The origin's pause before each value after the first, in ms.
    pub produce_ms: u32,
    /// The origin's look-ahead, in values.
    pub high_water_mark: u32,
    /// The most values per origin chunk.
    pub batch: u32,
    /// Text or NDJSON, from the origin and to the client.
    pub format: Format,
    /// Transformed chunks that may wait in the worker.
    pub transform_high_water_mark: u32,
}

impl ProxyParams {
    /// Reads the parameters from a query string (without the `?`).
    pub fn from_query(raw: Option<&str>) -> Result<ProxyParams> {
        let query = Query::parse(raw, PROXY_PARAMETERS)?;
        Ok(ProxyParams {
            count: query.integer(COUNT)?,
            produce_ms: query.small_integer(PRODUCE_MS)?,
            high_water_mark: query.small_integer(HIGH_WATER_MARK)?,
            batch: query.small_integer(BATCH)?,
            format: query.choice(FORMAT)?,
            transform_high_water_mark: query.small_integer(TRANSFORM_HIGH_WATER_MARK)?,
        })
    }

    /// The origin's path and query: the checked values, every one spelled
    /// out, so that the origin's defaults cannot drift from these.
    pub fn origin_path_and_query(&self) -> String {
        format!(
            "{ORIGIN_PATH}?{}={}&{}={}&{}={}&{}={}&{}={}",
            COUNT.name,
            self.count,
            PRODUCE_MS.name,
            self.produce_ms,
            HIGH_WATER_MARK.name,
            self.high_water_mark,
            BATCH.name,
            self.batch,
            FORMAT.name,
            FORMAT.word(self.format),
        )
    }
}
