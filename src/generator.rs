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
//! leaves suspended forever, this one notes when it is dropped
//! ([`Made::released`]), and can say so in a line with how much it made, so
//! a log proves that cancelling the stream released it.

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

/// Whether the generator writes a line when it is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropLog {
    /// `generator dropped after yielding N values`.
    Line,
    /// No line: the run's summary says it instead (the demo, which writes
    /// only the recipe's lines and its summary, to cost no more than the
    /// recipe does).
    Silent,
}

/// How many values a generator has made so far, and whether it has been
/// dropped. Cloning gives another handle to the same counts, which stay
/// readable after the generator is gone.
#[derive(Clone, Debug, Default)]
pub struct Made(Rc<Counts>);

#[derive(Debug, Default)]
struct Counts {
    made: Cell<u64>,
    released: Cell<bool>,
}

impl Made {
    /// Values made so far.
    pub fn get(&self) -> u64 {
        self.0.made.get()
    }

    /// Whether the generator has been dropped, so that it can make nothing more.
    pub fn released(&self) -> bool {
        self.0.released.get()
    }

    pub(crate) fn add_one(&self) {
        self.0.made.set(self.0.made.get() + 1);
    }
}

/// Starts the recipe's generator, and returns it with its count of values
/// made. Nothing is produced until it is polled.
///
/// `produce_ms` is the pause before each value after the first (the recipe's
/// `sleep(100)`); with 0 the next value is ready as soon as it is asked for,
/// without a trip through the timer queue. `value_log` and `drop_log` say
/// which lines it writes.
pub fn integers<H: Host>(
    run: Run<H>,
    produce_ms: u32,
    value_log: ValueLog,
    drop_log: DropLog,
) -> (Integers, Made) {
    let made = Made::default();
    let state = State {
        next: 1,
        produce_ms,
        value_log,
        dropped: DropNotice {
            run,
            made: made.clone(),
            drop_log,
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

/// Notes (and maybe logs) the generator's end. It lives inside the
/// generator's state, which is dropped exactly once whether the generator is
/// idle or mid-sleep.
struct DropNotice<H: Host> {
    run: Run<H>,
    made: Made,
    drop_log: DropLog,
}

impl<H: Host> Drop for DropNotice<H> {
    fn drop(&mut self) {
        self.made.0.released.set(true);
        if self.drop_log == DropLog::Line {
            self.run.line(format_args!(
                "generator dropped after yielding {} values",
                self.made.get()
            ));
        }
    }
}
