//! The worker's responses: the demo's hint, the stream, the page (its body
//! from the assets), the same headers without a body for `HEAD`, and every
//! refusal as JSON with the status the core chose.
//!
//! Each response is built by a few lines of JS, in one call: the status, the
//! headers as one string, and the body. Built from Rust (`worker::Response`
//! and its conversion, or `web_sys::Headers` and `ResponseInit`), the same
//! response takes a call across for every header and every field of the
//! init, on every request.

use wasm_bindgen::prelude::*;
use web_sys::{ReadableStream, Response};

#[cfg(feature = "page")]
use super::message;
use crate::http::error::{Error, Joined};
use crate::ingest::summary::IngestSummary;
use crate::json::ToJson;
use crate::page;
use crate::run::RunId;
use crate::stream::wire::Format;

#[wasm_bindgen(inline_js = "
export function respond(status, lines, bytes, stream) {
  const parts = lines.split('\\n'), headers = [];
  for (let i = 0; i + 1 < parts.length; i += 2) headers.push([parts[i], parts[i + 1]]);
  const body = stream ?? (bytes.length > 0 ? bytes.slice() : null);
  return new Response(body, { status, headers });
}")]
extern "C" {
    /// A response with this status, these headers (`name\nvalue\n...`) and
    /// as its body this stream, or else a copy of these bytes (the view into
    /// wasm memory is copied before Rust runs again), or none if there are
    /// none.
    #[wasm_bindgen(js_name = respond, catch)]
    fn new_response(
        status: u16,
        header_lines: &str,
        bytes: &[u8],
        stream: Option<&ReadableStream>,
    ) -> Result<Response, JsValue>;
}

/// The recipe's answer, word for word.
pub(crate) const HINT: &str = "Check your console to see the result!";

/// What a response carries.
enum Body<'a> {
    Bytes(&'a [u8]),
    Stream(ReadableStream),
    /// For `HEAD`.
    Empty,
}

/// A response with these headers (see [`add`]) and this body. Every header
/// here is a fixed name with an ASCII value (or one the runtime gave us,
/// which holds no line break), and every status one the core or the runtime
/// chose, so the runtime cannot refuse one.
fn respond(status: u16, header_lines: &str, body: Body<'_>) -> Response {
    match body {
        Body::Bytes(bytes) => new_response(status, header_lines, bytes, None),
        Body::Stream(stream) => new_response(status, header_lines, &[], Some(&stream)),
        Body::Empty => new_response(status, header_lines, &[], None),
    }
    .expect("a response with a valid status and headers is always built")
}

/// Adds a header to `lines` as the JS side reads them: `name\nvalue\n`.
/// Written straight into one string, not gathered as pairs first.
fn add(lines: &mut String, name: &str, value: &str) {
    for part in [name, "\n", value, "\n"] {
        lines.push_str(part);
    }
}

/// The kinds of successful answer, for their headers.
#[derive(Clone, Copy)]
pub(crate) enum Answer {
    /// The demo's hint.
    Hint,
    /// A stream in this format.
    Stream(Format),
    /// The live page.
    Page,
}

/// The headers of an answer, but for the run id.
fn headers(answer: Answer) -> String {
    let mut lines = String::new();
    match answer {
        // Every GET starts a run: a cached answer would start none.
        Answer::Hint => {
            add(&mut lines, "content-type", "text/plain; charset=utf-8");
            add(&mut lines, "cache-control", "no-store");
        }
        // no-transform asks proxies not to buffer the stream to compress it.
        Answer::Stream(format) => {
            add(&mut lines, "content-type", format.content_type());
            add(&mut lines, "cache-control", "no-store, no-transform");
        }
        Answer::Page => {
            add(&mut lines, "content-type", "text/html; charset=utf-8");
            add(
                &mut lines,
                "content-security-policy",
                page::CONTENT_SECURITY_POLICY,
            );
            add(&mut lines, "x-content-type-options", "nosniff");
            // The page changes only with a deploy; revalidate after a few minutes.
            add(&mut lines, "cache-control", "public, max-age=300");
        }
    }
    lines
}

/// The answer to `HEAD`: the headers `GET` would send (no run id: no run
/// starts), and no body.
pub(crate) fn head(answer: Answer) -> Response {
    respond(200, &headers(answer), Body::Empty)
}

/// The recipe's hint, tagged with the run it started.
pub(crate) fn hint(run: &RunId) -> Response {
    let mut headers = headers(Answer::Hint);
    add(&mut headers, "x-run-id", run.as_str());
    respond(200, &headers, Body::Bytes(HINT.as_bytes()))
}

/// A streamed body in `format`, tagged with its run.
pub(crate) fn stream(run: &RunId, format: Format, body: ReadableStream) -> Response {
    let mut headers = headers(Answer::Stream(format));
    add(&mut headers, "x-run-id", run.as_str());
    respond(200, &headers, Body::Stream(body))
}

/// A proxied stream in `format`, tagged with its run and the origin's.
pub(crate) fn proxied(
    run: &RunId,
    origin_run: &str,
    format: Format,
    body: ReadableStream,
) -> Response {
    let mut headers = headers(Answer::Stream(format));
    add(&mut headers, "x-run-id", run.as_str());
    add(&mut headers, "x-origin-run-id", origin_run);
    respond(200, &headers, Body::Stream(body))
}

/// The live page: the status and body the assets answered with (a `304`
/// to a conditional request keeps its empty body), its `ETag`, and the page's
/// own headers.
#[cfg(feature = "page")]
pub(crate) fn page(from_assets: &web_sys::Response) -> Response {
    let etag = message::header(from_assets, "etag");
    let mut headers = headers(Answer::Page);
    if let Some(etag) = etag.as_deref() {
        add(&mut headers, "etag", etag);
    }
    let body = message::body(from_assets).map_or(Body::Empty, Body::Stream);
    respond(from_assets.status(), &headers, body)
}

/// The headers of a JSON answer (a summary, a refusal): never cached.
fn json_headers() -> String {
    let mut lines = String::new();
    add(&mut lines, "content-type", "application/json");
    add(&mut lines, "cache-control", "no-store");
    lines
}

/// An upload's summary, as JSON, tagged with its run.
pub(crate) fn ingested(run: &RunId, summary: &IngestSummary) -> Response {
    let mut headers = json_headers();
    add(&mut headers, "x-run-id", run.as_str());
    respond(200, &headers, Body::Bytes(summary.to_json().as_bytes()))
}

/// A refusal: the error's status and its JSON body, plus `Allow` for 405.
pub(crate) fn refusal(error: &Error) -> Response {
    let mut headers = json_headers();
    if let Error::MethodNotAllowed { allow: methods, .. } = error {
        add(&mut headers, "allow", &Joined(methods, ", ").to_string());
    }
    respond(
        error.status(),
        &headers,
        Body::Bytes(error.to_json().as_bytes()),
    )
}
