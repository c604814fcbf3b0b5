//! The run's bookkeeping: how many values were produced, asked for and
//! received, and how far the producer ever ran ahead.
//!
//! Backpressure is a number. The *lead* is how many values the producer has
//! made that the consumer has not yet asked for: values that exist only to sit
//! in a queue. A pull-based stream with a `highWaterMark` of `h` keeps the lead
//! at most `h`; a producer that pushes whatever is ready lets it grow without
//! bound. The generator and the reader share one `Tally` and update it as they
//! go, so the bound is measured in the runtime itself, not argued about.

use std::cell::Cell;
use std::rc::Rc;

/// Shared counters of one run. Cloning gives another handle to the same counts.
#[derive(Clone, Debug, Default)]
pub struct Tally(Rc<Counts>);

#[derive(Debug, Default)]
struct Counts {
    produced: Cell<u64>,
    requested: Cell<u64>,
    consumed: Cell<u64>,
    max_lead: Cell<u64>,
}

impl Tally {
    /// A tally with every count at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// The producer made one more value. Returns the lead it now has.
    pub fn record_produced(&self) -> u64 {
        let counts = &self.0;
        counts.produced.set(counts.produced.get() + 1);
        let lead = self.lead();
        counts.max_lead.set(counts.max_lead.get().max(lead));
        lead
    }

    /// The consumer asked for one more value (it called `read()`).
    pub fn record_requested(&self) {
        let counts = &self.0;
        counts.requested.set(counts.requested.get() + 1);
    }

    /// The consumer received a value it asked for.
    pub fn record_consumed(&self) {
        let counts = &self.0;
        counts.consumed.set(counts.consumed.get() + 1);
    }

    /// Values the producer has made so far.
    pub fn produced(&self) -> u64 {
        self.0.produced.get()
    }

    /// Values the consumer has received so far.
    pub fn consumed(&self) -> u64 {
        self.0.consumed.get()
    }

    /// Values produced beyond what the consumer has asked for, right now.
    pub fn lead(&self) -> u64 {
        self.0.produced.get().saturating_sub(self.0.requested.get())
    }

    /// The largest lead seen at any moment of the run.
    pub fn max_lead(&self) -> u64 {
        self.0.max_lead.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_counts_values_nobody_has_asked_for() {
        let tally = Tally::new();
        assert_eq!(tally.record_produced(), 1);
        tally.record_requested();
        assert_eq!(tally.lead(), 0);
        tally.record_consumed();
        assert_eq!(tally.record_produced(), 1);
        assert_eq!(tally.record_produced(), 2);
        tally.record_requested();
        tally.record_requested();
        assert_eq!(tally.lead(), 0);
        assert_eq!(tally.max_lead(), 2);
        assert_eq!((tally.produced(), tally.consumed()), (3, 1));
    }

    #[test]
    fn a_consumer_ahead_of_the_producer_is_not_a_negative_lead() {
        let tally = Tally::new();
        tally.record_requested();
        tally.record_requested();
        assert_eq!(tally.lead(), 0);
        assert_eq!(tally.record_produced(), 0);
    }
}
