//! `/api/ingest`'s parameter and the checks on an upload's headers, made
//! before anything is read: a wrong `Content-Type` or a `Content-Length` over
//! the limit is refused at once, and no run starts.

use crate::http::error::{Error, Result, echo};
use crate::http::query::{Integer, Query, whole_number};
use crate::http::text::cut;

/// The worker's pause after each chunk it reads, in ms: how slowly it works.
pub const READ_MS: Integer = Integer::new("readMs", 0..=10_000, 0);

/// The names `/api/ingest` accepts.
pub const INGEST_PARAMETERS: &[&str] = &[READ_MS.name];

/// The most bytes of body the route reads. Larger uploads get `413`: by
/// their `Content-Length` before anything is read, or, when they do not say
/// their length, as soon as the count passes it.
pub const MAX_BODY_BYTES: u64 = 16 << 20;

/// The media types the route reads: lines of text, NDJSON, or bytes.
pub const CONTENT_TYPES: &[&str] = &[
    "text/plain",
    "application/x-ndjson",
    "application/octet-stream",
];

/// How one upload is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestParams {
    /// The pause after each chunk read, in ms.
    pub read_ms: u32,
}

impl IngestParams {
    /// Reads the parameters from a query string (without the `?`).
    pub fn from_query(raw: Option<&str>) -> Result<IngestParams> {
        let query = Query::parse(raw, INGEST_PARAMETERS)?;
        Ok(IngestParams {
            read_ms: query.small_integer(READ_MS)?,
        })
    }
}

/// Refuses an upload by its headers: a media type (before any `;`
/// parameters, in any case) not in [`CONTENT_TYPES`], or a `Content-Length`
/// over [`MAX_BODY_BYTES`].
pub fn check_upload(content_type: Option<&str>, content_length: Option<&str>) -> Result<()> {
    let given = content_type.unwrap_or("");
    // HTTP's optional whitespace is spaces and tabs: ASCII only.
    let media_type = cut(given, b';')
        .map_or(given, |(media_type, _)| media_type)
        .trim_ascii();
    if !CONTENT_TYPES
        .iter()
        .any(|allowed| allowed.eq_ignore_ascii_case(media_type))
    {
        return Err(Error::UnsupportedMediaType {
            content_type: echo(given),
            allowed: CONTENT_TYPES,
        }
        .into());
    }
    let declared = content_length.and_then(|length| whole_number(length.trim_ascii().as_bytes()));
    if declared.is_some_and(|length| length > MAX_BODY_BYTES) {
        return Err(Error::BodyTooLarge {
            limit_bytes: MAX_BODY_BYTES,
        }
        .into());
    }
    Ok(())
}
