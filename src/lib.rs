//! The "Handling Backpressure" recipe as a Cloudflare Worker in Rust.
//!
//! When a producer is faster than its consumer, whatever it makes ahead of
//! demand piles up in memory. A pull-based stream makes a value only when its
//! consumer asks for one. `GET /api/handle-backpressure` answers at once and
//! runs the recipe's demo in the background, logging to the console;
//! `GET /api/stream` streams integers to a client, pull or push, and measures
//! how far the producer gets ahead of it.
//!
//! # Layout
//!
//! The core is plain Rust, generic over how to sleep and log ([`host`]), and is
//! tested natively on virtual time:
//!
//! - [`generator`]: the recipe's `integers()`, a lazy endless producer.
//! - [`source`]: the stream's underlying source, one value per pull, and cancel.
//! - [`reader`]: the consumer's side of a stream, as a trait.
//! - [`demo`]: the recipe's `backpressureDemo()`, plus cancel and summary.
//! - [`tally`]: produced, requested and consumed counts, and the lead.
//! - [`summary`]: the JSON line that ends every run.
//! - [`run`]: run ids and the log that tags every line with one.
//! - [`feed`]: `/api/stream`'s queue between producer and body, pull or push.
//! - [`stream`]: one `/api/stream` run; [`wire`]: its line formats.
//! - [`params`], [`stream_params`], [`query`]: each route's parameters, and
//!   strict query parsing.
//! - [`route`], [`error`]: what the worker answers, and what it refuses.
//! - [`page`]: the live page at `/`, compiled in.
//!
//! The Workers glue (`src/glue/`, compiled for wasm32 only) is thin: the
//! fetch handler, the runtime's `ReadableStream` built from a [`source`] or a
//! [`feed`], and a host backed by `setTimeout` and `console.log`.

pub mod demo;
pub mod error;
pub mod feed;
pub mod generator;
pub mod host;
pub mod page;
pub mod params;
pub mod query;
pub mod reader;
pub mod route;
pub mod run;
pub mod source;
pub mod stream;
pub mod stream_params;
pub mod summary;
pub mod tally;
pub mod wire;

#[cfg(target_arch = "wasm32")]
mod glue;
