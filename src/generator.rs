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
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, ready};

use futures::Stream;

use crate::host::Host;
use crate::run::Run;

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

    pub(crate) fn add(&self, count: u64) {
        self.0.made.set(self.0.made.get() + count);
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
) -> (Integers<H>, Made) {
    let made = Made::default();
    let generator = Integers {
        next: 1,
        last: u64::MAX,
        produce_ms,
        value_log,
        pause: None,
        dropped: DropNotice {
            run,
            made: made.clone(),
            drop_log,
        },
    };
    (generator, made)
}

/// The recipe's `integers()` as a [`Stream`]: 1, 2, 3, … without end.
///
/// Written out by hand rather than as `stream::unfold` over an `async`
/// block, which reads closer to the recipe's `async function*` but moves the
/// whole state into a new future and back out for every value: half of a
/// native profile of a batched stream went to those moves.
pub struct Integers<H: Host> {
    next: u64,
    /// The last value it makes: `u64::MAX` unless [`Integers::stopping_after`]
    /// says otherwise.
    last: u64,
    produce_ms: u32,
    value_log: ValueLog,
    /// The pause before the next value, once someone has asked for it. Boxed:
    /// it exists only for a paced generator, whose values are milliseconds
    /// apart, and it lets the generator be `Unpin` whatever the host's timer.
    pause: Option<Pin<Box<dyn Future<Output = ()>>>>,
    dropped: DropNotice<H>,
}

// No field is ever pinned in place: the pause is pinned in its own box.
impl<H: Host> Unpin for Integers<H> {}

impl<H: Host> Integers<H> {
    /// The same generator, ending after its `count`-th value (1, 2, …,
    /// `count`), as `StreamExt::take` would end it: asked for more, it
    /// answers `None` at once, without a pause.
    pub fn stopping_after(mut self, count: u64) -> Self {
        self.last = count;
        self
    }

    /// Makes up to `at_most` values at once, when they need neither a pause
    /// nor a line each (an unpaced, quiet generator): returns the first and
    /// how many, counted as made like so many polls would count them.
    /// `None` when values must come one at a time from `poll_next` (paced,
    /// or logged), or none is left, or none is asked for.
    pub fn make_at_once(&mut self, at_most: u64) -> Option<(u64, u64)> {
        if self.produce_ms > 0 || self.value_log == ValueLog::EveryValue {
            return None;
        }
        let left = match self.last.checked_sub(self.next) {
            Some(beyond_next) => beyond_next + 1,
            None => 0,
        };
        let count = at_most.min(left);
        if count == 0 {
            return None;
        }
        let first = self.next;
        self.next += count;
        self.dropped.made.add(count);
        Some((first, count))
    }
}

impl<H: Host> Stream for Integers<H> {
    type Item = u64;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
        let this = self.get_mut();
        if this.next > this.last {
            return Poll::Ready(None);
        }
        if this.next > 1 && this.produce_ms > 0 {
            let pause = this
                .pause
                .get_or_insert_with(|| Box::pin(this.dropped.run.sleep(this.produce_ms)));
            ready!(pause.as_mut().poll(cx));
            this.pause = None;
        }
        let value = this.next;
        if this.value_log == ValueLog::EveryValue {
            this.dropped
                .run
                .value_line(format_args!("yielding {value}"));
        }
        this.dropped.made.add(1);
        this.next += 1;
        Poll::Ready(Some(value))
    }
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
