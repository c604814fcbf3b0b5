//! The worker's responses: the demo's hint, the stream, the page, and every
//! refusal as JSON with the status the core chose.

use web_sys::ReadableStream;
use worker::{Headers, Response, ResponseBody};

use crate::error::Error;
use crate::page;
use crate::route::ALLOWED_METHODS;
use crate::run::RunId;
use crate::wire::Format;

/// The recipe's answer, word for word.
pub(crate) const HINT: &str = "Check your console to see the result!";

/// What a response carries.
enum Body<'a> {
    Bytes(&'a [u8]),
    Stream(ReadableStream),
    /// For `HEAD`.
    Empty,
}

/// A response with these headers and this body. Every header here is a fixed
/// name with an ASCII value, so the runtime cannot refuse one.
fn respond(status: u16, headers: &[(&str, &str)], body: Body<'_>) -> Response {
    let map = Headers::new();
    for (name, value) in headers {
        map.set(name, value)
            .expect("fixed header names with ASCII values are always valid");
    }
    let response = match body {
        Body::Bytes(bytes) => Response::from_bytes(bytes.to_vec()),
        Body::Stream(stream) => Response::from_body(ResponseBody::Stream(stream)),
        Body::Empty => Response::empty(),
    }
    .expect("a response from bytes, a stream or nothing is always built");
    response.with_status(status).with_headers(map)
}

/// The hint, tagged with the run it started (none for `HEAD`).
pub(crate) fn hint(run: Option<&RunId>) -> Response {
    // Every GET starts a run: a cached answer would start none.
    let mut headers = vec![
        ("content-type", "text/plain; charset=utf-8"),
        ("cache-control", "no-store"),
    ];
    match run {
        Some(run) => {
            headers.push(("x-run-id", run.as_str()));
            respond(200, &headers, Body::Bytes(HINT.as_bytes()))
        }
        None => respond(200, &headers, Body::Empty),
    }
}

/// A streamed body in `format`, tagged with its run (no body and no run for
/// `HEAD`).
pub(crate) fn stream(
    run: Option<&RunId>,
    format: Format,
    body: Option<ReadableStream>,
) -> Response {
    // Every GET starts a run; no-transform asks proxies not to buffer the
    // stream in order to compress it.
    let mut headers = vec![
        ("content-type", format.content_type()),
        ("cache-control", "no-store, no-transform"),
    ];
    match (run, body) {
        (Some(run), Some(body)) => {
            headers.push(("x-run-id", run.as_str()));
            respond(200, &headers, Body::Stream(body))
        }
        _ => respond(200, &headers, Body::Empty),
    }
}

/// The live page (headers only for `HEAD`).
pub(crate) fn page(with_body: bool) -> Response {
    let headers = [
        ("content-type", "text/html; charset=utf-8"),
        ("content-security-policy", page::CONTENT_SECURITY_POLICY),
        ("x-content-type-options", "nosniff"),
        // The page changes only with a deploy; revalidate after a few minutes.
        ("cache-control", "public, max-age=300"),
    ];
    let body = if with_body {
        Body::Bytes(page::html().as_bytes())
    } else {
        Body::Empty
    };
    respond(200, &headers, body)
}

/// A refusal: the error's status and its JSON body, plus `Allow` for 405.
pub(crate) fn refusal(error: &Error) -> Response {
    let allow = ALLOWED_METHODS.join(", ");
    let mut headers = vec![
        ("content-type", "application/json"),
        ("cache-control", "no-store"),
    ];
    if let Error::MethodNotAllowed { .. } = error {
        headers.push(("allow", &allow));
    }
    respond(
        error.status(),
        &headers,
        Body::Bytes(error.to_json().as_bytes()),
    )
}
