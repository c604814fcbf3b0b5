//! The Workers glue: everything that needs the runtime, compiled for wasm32
//! only and kept thin. The core decides; this module wires it to the runtime.
//!
//! - [`entry`]: the `fetch` and `start` events, and which route does what.
//! - [`readable`]: a runtime `ReadableStream` whose `pull` is Rust.
//! - [`demo_stream`]: the demo's stream of integers and its reader.
//! - [`stream_body`]: `/api/stream`'s response body.
//! - [`upload_body`]: `/api/ingest`'s request body, read a chunk at a time.
//! - [`workers_host`]: the core's host, backed by timers and the console.
//! - [`response`]: every response's headers and body, `HEAD` included.
//! - [`tasks`]: the executor the worker's Rust tasks run on.
//! - [`callbacks`]: timers and promises as futures, through one callback.

mod callbacks;
mod demo_stream;
mod entry;
mod readable;
mod response;
mod stream_body;
mod tasks;
mod upload_body;
mod workers_host;
