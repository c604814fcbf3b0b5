//! The recipe's producer: `integers()`, a lazy, endless sequence 1, 2, 3, …
//!
//! Like the recipe's `async function* integers()`, each value is logged as
//! `yielding N` and handed over at once; the producer waits its interval only
//! when it is asked for the *next* value. Nothing runs until the stream is
//! polled, so whoever polls it decides how much gets made: that is the whole
//! point of a pull-based source.
//!
//! It counts what it makes ([`Made`]), which both routes read: the demo to
//! measure its lead, the stream to tell how far the producer is ahead of each
//! value it sends. Unlike the recipe's generator, which a finished reader
//! leaves suspended forever, this one says when it is dropped and how much it
//! made, so a log proves that cancelling the stream released it.

use std::cell::Cell;
use std::rc::Rc;

use futures::stream::{self, LocalBoxStream, StreamExt};

use crate::host::Host;
use crate::run::Run;

/// The stream `integers` returns: boxed, because its state machine is
/// anonymous and the JS bridge needs a nameable, `Unpin` type.
pub type Integers = LocalBoxStream<'static, u64>;

/// Whether the generator logs `yielding N` for each value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueLog {
    /// One line per value, as the recipe does.
    EveryValue,
    /// No line per value: for streams of millions of values, where a line
    /// each would cost more than the values themselves.
    Quiet,
}

/// How many values a generator has made so far. Cloning gives another handle
/// to the same count, which stays readable after the generator is gone.
#[derive(Clone, Debug, Default)]
pub struct Made(Rc<Cell<u64>>);

impl Made {
    /// Values made so far.
    pub fn get(&self) -> u64 {
        self.0.get()
    }

    pub(crate) fn add_one(&self) {
        self.0.set(self.0.get() + 1);
    }
}

/// Starts the recipe's generator, and returns it with its count of values
/// made. Nothing is produced until it is polled.
///
/// `produce_ms` is the pause before each value after the first (the recipe's
/// `sleep(100)`); with 0 the next value is ready as soon as it is asked for,
/// without a trip through the timer queue.
pub fn integers<H: Host>(run: Run<H>, produce_ms: u32, value_log: ValueLog) -> (Integers, Made) {
    let made = Made::default();
    let state = State {
        next: 1,
        produce_ms,
        value_log,
        dropped: DropNotice {
            run,
            made: made.clone(),
        },
    };
    let generator = stream::unfold(state, |mut state| async move {
        if state.next > 1 && state.produce_ms > 0 {
            state.dropped.run.sleep(state.produce_ms).await;
        }
        let value = state.next;
        if state.value_log == ValueLog::EveryValue {
            state
                .dropped
                .run
                .value_line(format_args!("yielding {value}"));
        }
        state.dropped.made.add_one();
        state.next += 1;
        Some((value, state))
    })
    .boxed_local();
    (generator, made)
}

struct State<H: Host> {
    next: u64,
    produce_ms: u32,
    value_log: ValueLog,
    dropped: DropNotice<H>,
}

/// Logs the generator's end. It lives inside the generator's state, which is
/// dropped exactly once whether the generator is idle or mid-sleep.
struct DropNotice<H: Host> {
    run: Run<H>,
    made: Made,
}

impl<H: Host> Drop for DropNotice<H> {
    fn drop(&mut self) {
        self.run.line(format_args!(
            "generator dropped after yielding {} values",
            self.made.get()
        ));
    }
}
