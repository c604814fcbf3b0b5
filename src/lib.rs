//! The "Handling Backpressure" recipe as a Cloudflare Worker in Rust.
//!
//! When a producer is faster than its consumer, whatever it makes ahead of
//! demand piles up in memory. A pull-based stream makes a value only when its
//! consumer asks for one. `GET /api/handle-backpressure` answers at once and
//! runs the recipe's demo in the background, logging to the console;
//! `GET /api/stream` streams integers to a client, pull or push, and measures
//! how far the producer gets ahead of it; `POST /api/ingest` is a slow worker
//! reading a fast upload; `GET /api/proxy` carries a client's pace through a
//! transform back to an origin.
//!
//! # Layout
//!
//! Read [`demo`] first: it is the recipe. The core is plain Rust, generic over
//! how to sleep and log ([`host`]), and is tested natively on virtual time.
//! Each folder is one part of the worker; what the routes share sits at the
//! top, below them:
//!
//! - [`demo`]: `/api/handle-backpressure`, the recipe's `backpressureDemo()`.
//! - [`stream`]: `/api/stream`, the same generator streamed to a client.
//! - [`ingest`]: `/api/ingest`, an upload read by a slow worker.
//! - [`proxy`]: `/api/proxy`, an origin's stream transformed on its way to a
//!   slow client.
//! - [`http`]: routing, strict query strings and parameter specs, refusals.
//! - [`page`]: the live page at `/`: its policy; its files are static assets.
//! - [`budget`]: the memory all runs of an isolate may hold ahead of their clients.
//! - [`body`]: a body read a chunk at a time (an upload, an origin's response).
//! - [`body_guard`]: a response body's hold on what feeds it, which cancels it when dropped.
//! - [`generator`]: the recipe's `integers()`, which counts what it makes.
//! - [`run`]: a run's id, clock and log (within a budget), and its summary line.
//! - [`json`]: the flat JSON objects of the summaries and the error bodies.
//! - [`host`]: what the core needs from a runtime.
//!
//! The Workers glue (`src/glue/`, compiled for wasm32 only) is thin: the
//! fetch handler, the demo's stream and the stream and proxy bodies as
//! runtime `ReadableStream`s, the bodies the worker reads, the origin's
//! service binding, a host backed by `setTimeout` and `console.log`, and the
//! small executor the worker's Rust tasks run on. The module the Worker runs
//! is this library linked by the crate in `wasm/`, a cdylib, so that
//! link-time optimization applies to all of it.

pub mod body;
pub mod body_guard;
pub mod budget;
pub mod demo;
pub mod generator;
pub mod host;
pub mod http;
pub mod ingest;
pub mod json;
pub mod page;
pub mod proxy;
pub mod run;
pub mod stream;

#[cfg(target_arch = "wasm32")]
mod glue;
