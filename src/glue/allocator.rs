//! The allocator of the worker's memory: talc instead of Rust's default for
//! wasm (dlmalloc), for the bundle's size. The worker's isolate is
//! single-threaded, which is what talc's WebAssembly allocator requires; its
//! heap grows with `memory.grow` as dlmalloc's does, and like any wasm heap
//! never gives memory back.
//!
//! Measured against dlmalloc (README, Performance): the gzipped module 2.5
//! KiB smaller (2.6 KiB since the module is link-time optimized: 53,218 to
//! 50,547 bytes), CPU per demo request and per streamed value unchanged
//! within the spread. Its `disable-realloc-in-place` feature would save 0.4 KiB
//! more, but a growing buffer is then copied every time it grows: NDJSON
//! chunks, which outgrow their first guess, cost 1.16 times the CPU.

#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
