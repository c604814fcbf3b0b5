//! The worker's wasm module: the `handling-backpressure` library linked as a
//! cdylib. Everything the module exports (the `fetch` handler, the runtime
//! callbacks, the allocator) is declared in the library; this crate only
//! links it, so that the release profile's link-time optimization applies
//! (see `Cargo.toml`).

// Linked for what it exports, which nothing here names.
extern crate handling_backpressure;
