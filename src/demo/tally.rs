//! The demo's bookkeeping: how many values the reader asked for and received,
//! and how far the producer ever ran ahead of what it asked for.
//!
//! Backpressure is a number. The *lead* is how many values the producer has
//! made that the consumer has not yet asked for: values that exist only to sit
//! in a queue. A pull-based stream with a `highWaterMark` of `h` keeps the lead
//! at most `h`; a producer that pushes whatever is ready lets it grow without
//! bound. The generator counts what it made ([`Made`]); the tally counts the
//! reader's side and reads the generator's count.
//!
//! Between two requests the count of values made can only grow, so the
//! largest lead is reached just before a request or at the end of the run:
//! sampling it there gives the exact maximum without a hook in the generator.

use std::cell::Cell;

use crate::generator::Made;

/// The reader's counts of one demo run, beside the generator's.
#[derive(Debug)]
pub struct Tally {
    made: Made,
    requested: Cell<u64>,
    consumed: Cell<u64>,
    max_lead: Cell<u64>,
}

impl Tally {
    /// A tally of a run whose generator counts its values in `made`.
    pub fn new(made: Made) -> Self {
        Tally {
            made,
            requested: Cell::new(0),
            consumed: Cell::new(0),
            max_lead: Cell::new(0),
        }
    }

    /// The consumer asked for one more value (it called `read()`).
    pub fn record_requested(&self) {
        self.sample_lead();
        self.requested.set(self.requested.get() + 1);
    }

    /// The consumer received a value it asked for.
    pub fn record_consumed(&self) {
        self.consumed.set(self.consumed.get() + 1);
    }

    /// Values the producer has made so far.
    pub fn produced(&self) -> u64 {
        self.made.get()
    }

    /// Values the consumer has received so far.
    pub fn consumed(&self) -> u64 {
        self.consumed.get()
    }

    /// Values produced beyond what the consumer has asked for, right now.
    pub fn lead(&self) -> u64 {
        self.made.get().saturating_sub(self.requested.get())
    }

    /// The largest lead seen at any moment of the run so far.
    pub fn max_lead(&self) -> u64 {
        self.sample_lead();
        self.max_lead.get()
    }

    fn sample_lead(&self) {
        self.max_lead.set(self.max_lead.get().max(self.lead()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A count of values made that the test sets by hand.
    fn made(count: u64) -> Made {
        let made = Made::default();
        for _ in 0..count {
            made.add(1);
        }
        made
    }

    #[test]
    fn lead_counts_values_nobody_has_asked_for() {
        let made = made(1);
        let tally = Tally::new(made.clone());
        assert_eq!(tally.lead(), 1);
        tally.record_requested();
        assert_eq!(tally.lead(), 0);
        tally.record_consumed();
        made.add(1);
        made.add(1);
        assert_eq!(tally.lead(), 2);
        tally.record_requested();
        tally.record_requested();
        assert_eq!(tally.lead(), 0);
        assert_eq!(tally.max_lead(), 2);
        assert_eq!((tally.produced(), tally.consumed()), (3, 1));
    }

    #[test]
    fn the_largest_lead_is_seen_at_the_end_of_a_run_too() {
        let made = made(0);
        let tally = Tally::new(made.clone());
        tally.record_requested();
        for _ in 0..4 {
            made.add(1);
        }
        assert_eq!(tally.max_lead(), 3);
    }

    #[test]
    fn a_consumer_ahead_of_the_producer_is_not_a_negative_lead() {
        let tally = Tally::new(made(0));
        tally.record_requested();
        tally.record_requested();
        assert_eq!(tally.lead(), 0);
        assert_eq!(tally.max_lead(), 0);
    }
}
