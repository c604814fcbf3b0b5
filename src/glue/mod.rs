//! The Workers glue: everything that needs the runtime, compiled for wasm32
//! only and kept thin. The core decides; this module wires it to the runtime.
//!
//! - [`entry`]: the `fetch` and `start` events and the routes.
//! - [`js_stream`]: the runtime's `ReadableStream`, built around a core source.
//! - [`workers_host`]: the core's host, backed by timers and the console.
//! - [`response`]: responses, including every error as JSON.

mod entry;
mod js_stream;
mod response;
mod workers_host;
