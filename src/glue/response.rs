//! The worker's responses: the demo's hint, and every refusal as JSON with
//! the status the core chose.

use web_sys::ReadableStream;
use worker::{Headers, Response, ResponseBody, Result};

use crate::error::Error;
use crate::page;
use crate::route::ALLOWED_METHODS;
use crate::run::RunId;
use crate::wire::Format;

/// The recipe's answer, word for word.
pub(crate) const HINT: &str = "Check your console to see the result!";

/// The hint, tagged with the run it started (none for `HEAD`).
pub(crate) fn hint(run: Option<&RunId>, with_body: bool) -> Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "text/plain; charset=utf-8")?;
    // Every GET starts a run: a cached answer would start none.
    headers.set("cache-control", "no-store")?;
    if let Some(run) = run {
        headers.set("x-run-id", run.as_str())?;
    }
    let response = if with_body {
        Response::from_bytes(HINT.as_bytes().to_vec())?
    } else {
        Response::empty()?
    };
    Ok(response.with_headers(headers))
}

/// A streamed body in `format`, tagged with its run (no body and no run for
/// `HEAD`).
pub(crate) fn stream(
    run: Option<&RunId>,
    format: Format,
    body: Option<ReadableStream>,
) -> Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", format.content_type())?;
    // Every GET starts a run; no-transform asks proxies not to buffer the
    // stream in order to compress it.
    headers.set("cache-control", "no-store, no-transform")?;
    if let Some(run) = run {
        headers.set("x-run-id", run.as_str())?;
    }
    let response = match body {
        Some(body) => Response::from_body(ResponseBody::Stream(body))?,
        None => Response::empty()?,
    };
    Ok(response.with_headers(headers))
}

/// The live page (headers only for `HEAD`).
pub(crate) fn page(with_body: bool) -> Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "text/html; charset=utf-8")?;
    headers.set("content-security-policy", page::CONTENT_SECURITY_POLICY)?;
    headers.set("x-content-type-options", "nosniff")?;
    // The page changes only with a deploy; revalidate after a few minutes.
    headers.set("cache-control", "public, max-age=300")?;
    let response = if with_body {
        Response::from_bytes(page::html().as_bytes().to_vec())?
    } else {
        Response::empty()?
    };
    Ok(response.with_headers(headers))
}

/// A refusal: the error's status and its JSON body, plus `Allow` for 405.
pub(crate) fn refusal(error: &Error) -> Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    if let Error::MethodNotAllowed { .. } = error {
        headers.set("allow", &ALLOWED_METHODS.join(", "))?;
    }
    let body = error.to_json();
    Ok(Response::from_bytes(body.into_bytes())?
        .with_status(error.status())
        .with_headers(headers))
}
