//! The Workers glue: everything that needs the runtime, compiled for wasm32
//! only and kept thin. The core decides; this module wires it to the runtime.
//!
//! - [`entry`]: the `fetch` and `start` events, and which route does what.
//! - [`allocator`]: the module's memory allocator, chosen for its size.
//! - [`readable`]: a runtime `ReadableStream` whose `pull` is Rust.
//! - [`demo_stream`]: the demo's stream of integers and its reader.
//! - [`fed_body`]: a response body fed by a stream's feed or a proxy's pipe.
//! - [`stream_body`]: `/api/stream`'s response body.
//! - [`origin`]: `/api/proxy`'s origin, fetched through its service binding.
//! - [`binding`]: a fetch through a fetcher binding (the origin, the assets).
//! - [`proxy_body`]: `/api/proxy`'s response body.
//! - [`body_reader`]: a body read a chunk at a time (an upload, the origin's).
//! - [`message`]: a request's or a response's header and body.
//! - [`workers_host`]: the core's host, backed by timers and the console.
//! - [`response`]: every response's headers and body, `HEAD` included.
//! - [`tasks`]: the executor the worker's Rust tasks run on.
//! - [`callbacks`]: timers and promises as futures, through one callback.

// A build that leaves routes out leaves parts of the shared glue unused
// (the stream body's response, a pull that finishes at once); the linker
// drops them.
#![cfg_attr(
    not(all(
        feature = "stream",
        feature = "ingest",
        feature = "proxy",
        feature = "page"
    )),
    allow(dead_code)
)]

// The recipe's route needs these.
mod allocator;
mod callbacks;
mod demo_stream;
mod entry;
mod readable;
mod response;
mod tasks;
mod workers_host;

// The other routes' (Cargo features; see `entry`).
#[cfg(any(feature = "page", feature = "proxy"))]
mod binding;
#[cfg(any(feature = "ingest", feature = "proxy"))]
mod body_reader;
#[cfg(any(feature = "stream", feature = "proxy"))]
mod fed_body;
#[cfg(any(feature = "ingest", feature = "proxy", feature = "page"))]
mod message;
#[cfg(feature = "proxy")]
mod origin;
#[cfg(feature = "proxy")]
mod proxy_body;
#[cfg(feature = "stream")]
mod stream_body;
