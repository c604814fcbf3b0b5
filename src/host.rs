//! What the core needs from the runtime it runs in: a way to wait, a clock and
//! a console.
//!
//! The core never names Workers, `setTimeout` or `console.log`. The Workers glue
//! passes a host backed by `setTimeout`, `Date.now()` and `console_log!`; the
//! native tests pass one backed by tokio's paused clock and a recording log, so
//! the recipe's seconds of waiting run in microseconds and every line can be
//! checked together with the virtual time it was written at.

use std::future::Future;

/// The runtime services the core is generic over.
///
/// Hosts are cheap handles (`Clone`) because the generator, the reader and the
/// summary all need one. Nothing here is `Send`: a Worker is single-threaded and
/// its timers are not `Send` either.
pub trait Host: Clone + 'static {
    /// Resolves after `ms` milliseconds.
    fn sleep(&self, ms: u32) -> impl Future<Output = ()> + 'static;

    /// Milliseconds on a monotonic-enough clock; only differences are used.
    fn now_ms(&self) -> f64;

    /// Writes one line to the console.
    fn log(&self, line: &str);

    /// Writes one line to the console at warning level.
    fn warn(&self, line: &str);
}
