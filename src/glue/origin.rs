//! `/api/proxy`'s origin: its stream fetched through the `ORIGIN` service
//! binding. The binding's own `fetch(url)` is called directly (see
//! [`binding`](super::binding)), not through `worker::Fetcher::fetch`, whose
//! request options bring their serialisers into the wasm (7.6 KiB gzipped,
//! measured) for a call that needs none.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::ReadableStream;
use worker::Env;

use super::binding;
use super::callbacks::Settled;
use super::message;
use super::readable::describe;
use crate::http::error::Error;

/// The service binding `/api/proxy` fetches its origin's stream through.
const ORIGIN_BINDING: &str = "ORIGIN";

/// The origin's answer: its run and its body.
pub(crate) struct OriginStream {
    /// The origin's `x-run-id` (empty if it sent none).
    pub(crate) run: String,
    pub(crate) body: Option<ReadableStream>,
}

/// `GET path_and_query` on the origin; anything but a `200` is refused as
/// the origin's fault.
pub(crate) async fn fetch(env: &Env, path_and_query: &str) -> Result<OriginStream, Box<Error>> {
    let unreachable = |error: JsValue| Error::BadOrigin {
        message: format!("the request to it failed ({})", describe(error).0),
        status: None,
    };
    // The host is not used: a service binding reaches its worker directly.
    let url = JsValue::from(format!("https://origin{path_and_query}"));
    let fetched = binding::fetch(env, ORIGIN_BINDING, &url)
        .map_err(unreachable)?
        .ok_or_else(|| Error::Internal {
            message: format!("the worker has no {ORIGIN_BINDING} service binding"),
        })?;
    let answer = Settled::new(fetched)
        .await
        .map_err(unreachable)?
        .unchecked_into::<web_sys::Response>();
    let status = answer.status();
    if status != 200 {
        return Err(Error::BadOrigin {
            message: format!("it answered {status}, not a stream"),
            status: Some(status),
        }
        .into());
    }
    let run = message::header(&answer, "x-run-id").unwrap_or_default();
    Ok(OriginStream {
        run,
        body: message::body(&answer),
    })
}
