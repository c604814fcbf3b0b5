//! The Workers glue: everything that needs the runtime, compiled for wasm32
//! only and kept thin. The core decides; this module wires it to the runtime.
//!
//! - [`entry`]: the `fetch` and `start` events and the routes.
//! - [`readable`]: a runtime `ReadableStream` whose `pull` is Rust.
//! - [`value_stream`]: the demo's stream of integers and its reader.
//! - [`body_stream`]: `/api/stream`'s response body.
//! - [`workers_host`]: the core's host, backed by timers and the console.
//! - [`response`]: responses, including every error as JSON.

mod body_stream;
mod entry;
mod readable;
mod response;
mod value_stream;
mod workers_host;
