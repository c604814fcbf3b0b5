//! The core's [`Host`] on Workers: `setTimeout` (one callback per isolate,
//! [`Sleep`]), `Date.now()`, and the console through `console_log!`, so the
//! lines show in `wrangler dev` and in `wrangler tail` alike.

use std::cell::Cell;
use std::future::Future;

use worker::{console_log, console_warn};

use super::callbacks::Sleep;
use super::tasks;
use crate::host::Host;

thread_local! {
    /// `Date.now()` as read in the callback numbered so.
    static CLOCK: Cell<Option<(u64, f64)>> = const { Cell::new(None) };
}

/// The host every request's run uses. It holds nothing: the runtime is global.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct WorkersHost;

impl Host for WorkersHost {
    fn sleep(&self, ms: u32) -> impl Future<Output = ()> + 'static {
        Sleep::new(ms)
    }

    fn now_ms(&self) -> f64 {
        // Workers advance this clock only between I/O events, which is exactly
        // the resolution the demo's timers have. So within one runtime
        // callback it reads the same every time: ask the runtime once per
        // callback, not once per value (a stream's producer makes thousands of
        // values in one).
        match tasks::current_callback() {
            Some(callback) => CLOCK.with(|clock| match clock.get() {
                Some((read_in, now)) if read_in == callback => now,
                _ => {
                    let now = js_sys::Date::now();
                    clock.set(Some((callback, now)));
                    now
                }
            }),
            None => js_sys::Date::now(),
        }
    }

    fn log(&self, line: &str) {
        console_log!("{line}");
    }

    fn warn(&self, line: &str) {
        console_warn!("{line}");
    }
}

/// 32 random bits for a run id. Not for secrets: it only tells runs apart.
pub(crate) fn random_bits() -> u32 {
    (js_sys::Math::random() * f64::from(u32::MAX)) as u32
}
