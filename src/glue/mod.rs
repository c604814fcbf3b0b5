//! The Workers glue: everything that needs the runtime, compiled for wasm32
//! only and kept thin. The core decides; this module wires it to the runtime.
//!
//! - [`entry`]: the `fetch` and `start` events, and which route does what.
//! - [`readable`]: a runtime `ReadableStream` whose `pull` is Rust.
//! - [`demo_stream`]: the demo's stream of integers and its reader.
//! - [`fed_body`]: a response body fed by a stream's feed or a proxy's pipe.
//! - [`stream_body`]: `/api/stream`'s response body.
//! - [`origin`]: `/api/proxy`'s origin, fetched through its service binding.
//! - [`binding`]: a fetcher binding (the origin, the assets) and its `fetch`.
//! - [`proxy_body`]: `/api/proxy`'s response body.
//! - [`body_reader`]: a body read a chunk at a time (an upload, the origin's).
//! - [`workers_host`]: the core's host, backed by timers and the console.
//! - [`response`]: every response's headers and body, `HEAD` included.
//! - [`tasks`]: the executor the worker's Rust tasks run on.
//! - [`callbacks`]: timers and promises as futures, through one callback.

mod binding;
mod body_reader;
mod callbacks;
mod demo_stream;
mod entry;
mod fed_body;
mod origin;
mod proxy_body;
mod readable;
mod response;
mod stream_body;
mod tasks;
mod workers_host;
