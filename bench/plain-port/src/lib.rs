//! The recipe, ported to Rust the plainest way workers-rs offers, and nothing
//! more: no checks on the query, no cancel, no summary, no run id.
//!
//! The benchmarks run it beside the JS recipe and the backpressure worker. It
//! is the floor any Rust-driven port of the demo stands on: the generator,
//! the stream's `pull` and the reader's loop run in Rust, so every value
//! crosses between wasm and the runtime as often as the recipe's design asks
//! (a pull, an enqueue, a read and its promise, two timers, two log lines).
//! What the backpressure worker costs above this worker is its own code; what
//! this worker costs above the JS recipe is the price of driving the runtime's
//! streams, timers and console from wasm.
//!
//! `/log?lines=N` writes N console lines from wasm and nothing else, to price
//! one line on its own (`bench/peers/js-log.js` is its JS twin).
//!
//! `/stream?count=N&batch=B` streams the integers 1 to N as text lines, B to
//! a chunk, each chunk made when the runtime pulls for it: the least a stream
//! that makes its values in Rust does (no queue, no look-ahead, no counts, no
//! cancel), the floor beside `/api/stream`'s batched throughput.
//!
//! Built with the `routes` feature (`make hello` builds it into
//! `build-routes/`), it also answers what the backpressure worker's other
//! routes do, the plainest way: `/api/stream` as `/stream`; `/api/ingest`
//! reads the upload through `Request::stream`, pausing `readMs` after each
//! chunk, and answers how many bytes it read; `/api/proxy` fetches the
//! `ORIGIN` binding's `/api/stream` with `Fetcher::fetch` and answers its
//! text lines as `value square sum` through `Response::from_stream`, pulled
//! as the client reads; `/` passes the request on to the `ASSETS` binding.
//! No checks, no limits, no summaries, no NDJSON: what those routes take in
//! wasm written the way workers-rs offers, weighed beside the worker's
//! bundle (`make bench` checks that it answers first). It weighs less than
//! the bundle goal allows, so it is a reference for that goal, not a floor.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use web_sys::{ReadableStream, ReadableStreamDefaultController, ReadableStreamDefaultReader, UnderlyingSource};
use worker::{Context, Delay, Env, Request, Response, ResponseBody, Result, console_log, event};

#[event(fetch)]
async fn fetch(
    request: Request,
    // Only the routes of the `routes` feature read their bindings.
    #[cfg_attr(not(feature = "routes"), allow(unused_variables))] env: Env,
    ctx: Context,
) -> Result<Response> {
    // The query read by hand: `Request::url()` would parse the URL with the
    // `url` crate, which costs CPU per request and 70 KB of wasm.
    let url = request.inner().url();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let number = |name: &str, fallback: u64| {
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == name)
            .and_then(|(_, value)| value.parse().ok())
            .unwrap_or(fallback)
    };
    if path.ends_with("/log") {
        for line in 1..=number("lines", 1) {
            console_log!("Stream value: {line}");
        }
        return Response::ok("logged");
    }
    if path.ends_with("/stream") {
        return plain_stream(number("count", 1000), number("batch", 8192).max(1));
    }
    #[cfg(feature = "routes")]
    {
        if path.ends_with("/api/ingest") {
            return routes::ingest(request, number("readMs", 0)).await;
        }
        if path.ends_with("/api/proxy") {
            return routes::proxy(&env, query).await;
        }
        if path.ends_with("/") {
            return env.assets("ASSETS")?.fetch_request(request).await;
        }
    }
    let (count, produce_ms, read_ms) = (number("count", 5), number("produceMs", 100), number("readMs", 1000));
    ctx.wait_until(async move {
        let _ = backpressure_demo(count, produce_ms, read_ms).await;
    });
    Response::ok("Check your console to see the result!")
}

/// The recipe's `createStream(integers())`: each pull runs the generator to
/// its next value, pausing `produce_ms` before every value but the first.
fn create_stream(produce_ms: u64) -> std::result::Result<ReadableStream, JsValue> {
    let next = Rc::new(Cell::new(1u64));
    let pull = Closure::<dyn FnMut(ReadableStreamDefaultController) -> js_sys::Promise>::new(
        move |controller: ReadableStreamDefaultController| {
            let next = next.clone();
            future_to_promise(async move {
                let value = next.get();
                if value > 1 {
                    Delay::from(Duration::from_millis(produce_ms)).await;
                }
                console_log!("yielding {value}");
                next.set(value + 1);
                controller.enqueue_with_chunk(&JsValue::from_f64(value as f64))?;
                Ok(JsValue::UNDEFINED)
            })
        },
    );
    let source = UnderlyingSource::new();
    source.set_pull(pull.into_js_value().unchecked_ref());
    ReadableStream::new_with_underlying_source(&source)
}

/// The integers 1 to `count` as text lines, `batch` to a chunk: each pull
/// writes its chunk into one reused buffer and hands the runtime a copy.
fn plain_stream(count: u64, batch: u64) -> Result<Response> {
    let mut next = 1u64;
    let mut bytes = Vec::new();
    let mut digits = itoa::Buffer::new();
    let pull = Closure::<dyn FnMut(ReadableStreamDefaultController) -> std::result::Result<(), JsValue>>::new(
        move |controller: ReadableStreamDefaultController| {
            if next > count {
                return controller.close();
            }
            let last = next.saturating_add(batch - 1).min(count);
            bytes.clear();
            for value in next..=last {
                bytes.extend_from_slice(digits.format(value).as_bytes());
                bytes.push(b'\n');
            }
            next = last + 1;
            controller.enqueue_with_chunk(&Uint8Array::from(bytes.as_slice()))
        },
    );
    let source = UnderlyingSource::new();
    source.set_pull(pull.into_js_value().unchecked_ref());
    let stream = ReadableStream::new_with_underlying_source(&source)?;
    let mut response = Response::from_body(ResponseBody::Stream(stream))?;
    response.headers_mut().set("content-type", "text/plain; charset=utf-8")?;
    Ok(response)
}

/// The recipe's `backpressureDemo()`.
async fn backpressure_demo(count: u64, produce_ms: u64, read_ms: u64) -> std::result::Result<(), JsValue> {
    let reader = create_stream(produce_ms)?.get_reader().unchecked_into::<ReadableStreamDefaultReader>();
    for _ in 0..count {
        let result = JsFuture::from(reader.read()).await?;
        let value = js_sys::Reflect::get(&result, &JsValue::from_str("value"))?;
        console_log!("Stream value: {}", value.as_f64().unwrap_or(0.0) as u64);
        Delay::from(Duration::from_millis(read_ms)).await;
    }
    Ok(())
}

/// The backpressure worker's other routes, the plainest way (the `routes`
/// feature).
#[cfg(feature = "routes")]
mod routes {
    use std::time::Duration;

    use futures::{StreamExt, TryStreamExt};
    use worker::{Delay, Env, Request, Response, Result};

    /// Reads the upload, pausing `read_ms` after each chunk; answers its size.
    pub(crate) async fn ingest(mut request: Request, read_ms: u64) -> Result<Response> {
        let mut body = request.stream()?;
        let mut bytes = 0;
        while let Some(chunk) = body.next().await {
            bytes += chunk?.len();
            if read_ms > 0 {
                Delay::from(Duration::from_millis(read_ms)).await;
            }
        }
        Response::ok(format!("{bytes}"))
    }

    /// The origin's text lines, each as `value square sum`, a chunk for each
    /// of the origin's chunks, as the client reads them.
    pub(crate) async fn proxy(env: &Env, query: &str) -> Result<Response> {
        let mut origin = env
            .service("ORIGIN")?
            .fetch(format!("https://origin/api/stream?{query}"), None)
            .await?;
        let (mut partial, mut sum) = (Vec::new(), 0u128);
        let lines = origin.stream()?.map_ok(move |chunk| {
            partial.extend_from_slice(&chunk);
            let mut out = String::new();
            let ends = partial.iter().rposition(|&byte| byte == b'\n').map_or(0, |end| end + 1);
            for line in String::from_utf8_lossy(&partial[..ends]).lines() {
                let value: u128 = line.parse().unwrap_or(0);
                sum += value;
                out += &format!("{value} {} {sum}\n", value * value);
            }
            partial.drain(..ends);
            out.into_bytes()
        });
        Response::from_stream(lines)
    }
}
