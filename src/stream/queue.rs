//! The rules of `/api/stream`'s queue between producer and body, as a plain
//! synchronous type: when the producer has room, what a take hands over, the
//! push cap, and the counts the summary reports. [`Feed`](super::feed::Feed)
//! is the async shell around it that only waits and wakes.
//!
//! - **pull**: the producer may make a value while fewer than
//!   `highWaterMark` wait, or while a take waits and less than a batch is
//!   there. The queue never holds more than `max(highWaterMark, batch)`.
//! - **push**: the producer may always make a value; a cap on the values and
//!   bytes waiting stops it.
//! - A take hands over up to `batch` values at once. The *lead* of a value is
//!   how many values had been made beyond it when it was taken.
//! - Every waiting value is charged to the isolate's [`Budget`] at
//!   [`VALUE_BYTES`]: push stops when the budget is spent, pull waits unless
//!   its queue is empty.

use std::collections::VecDeque;

use super::chunk::Chunk;
use super::vocabulary::{Ending, FeedConfig, Mode, Sent};
use crate::budget::Budget;

/// What one waiting value costs in memory, as charged to the budget.
pub const VALUE_BYTES: usize = std::mem::size_of::<Waiting>();

/// A value waiting in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Waiting {
    value: u64,
    produced_at_ms: u64,
    /// How many values had been made when this one was (itself included).
    made_as: u64,
}

/// What one poll of a take found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Values to send.
    Chunk(Chunk),
    /// The body is over.
    Ended(Ending),
    /// Less than a batch waits: let the producer add what it has ready, then
    /// take again.
    TopUp,
    /// Nothing waits: sleep until the producer pushes or stops.
    Wait,
}

/// What the queue's whole life came to, for the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Values handed to the body.
    pub sent: u64,
    /// The largest lead of any value sent.
    pub max_lead: u64,
    /// The most values ever waiting.
    pub max_queue: u64,
    /// The most bytes ever waiting, as counted for the push cap.
    pub max_queue_bytes: u64,
    /// Whether push mode hit its cap (its own, or the isolate's budget).
    pub capped: bool,
    /// Whether it was the isolate's budget that stopped push mode.
    pub budget_spent: bool,
}

/// Whether the producer may make its next value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Room {
    /// Yes, now.
    Yes,
    /// Not yet: a take will make room.
    Wait,
    /// Never again: push mode found the isolate's budget spent.
    BudgetSpent,
}

/// The queue of one stream and the state of both its ends.
#[derive(Debug)]
pub struct Queue {
    config: FeedConfig,
    /// How many wire bytes a value takes while it waits, for the push cap.
    size_of: fn(u64) -> usize,
    waiting: VecDeque<Waiting>,
    waiting_bytes: usize,
    /// Values handed over by [`Queue::take_more`] that the runtime may still
    /// hold, not yet written: they count as waiting until the next take.
    in_runtime: usize,
    budget: Budget,
    counts: Counts,
    /// A take is waiting for values: in pull mode that makes room for a batch.
    taker_waiting: bool,
    /// Set when the producer has stopped, with the reason it stopped.
    producer_done: Option<Ending>,
    /// Set when the body has ended (drained, or cancelled).
    body_done: Option<Ending>,
    /// The summary has been asked for once both ends were done.
    finished: bool,
}

impl Queue {
    /// An empty queue; `size_of` gives the bytes a waiting value counts for
    /// against the push cap, and `budget` is the isolate's.
    pub fn new(config: FeedConfig, size_of: fn(u64) -> usize, budget: Budget) -> Self {
        Queue {
            config,
            size_of,
            waiting: VecDeque::new(),
            waiting_bytes: 0,
            in_runtime: 0,
            budget,
            counts: Counts {
                sent: 0,
                max_lead: 0,
                max_queue: 0,
                max_queue_bytes: 0,
                capped: false,
                budget_spent: false,
            },
            taker_waiting: false,
            producer_done: None,
            body_done: None,
            finished: false,
        }
    }

    /// The configuration the queue was made with.
    pub fn config(&self) -> FeedConfig {
        self.config
    }

    /// How many values wait right now, in the queue or (handed over by
    /// [`Queue::take_more`]) in the runtime's.
    pub fn waiting(&self) -> usize {
        self.waiting.len() + self.in_runtime
    }

    /// Whether the producer may make its next value now.
    pub fn room(&mut self) -> Room {
        let waiting = self.waiting();
        let affordable = self.budget.has_room_for(VALUE_BYTES);
        match self.config.mode {
            Mode::Push if affordable => Room::Yes,
            Mode::Push => {
                self.counts.capped = true;
                self.counts.budget_spent = true;
                Room::BudgetSpent
            }
            Mode::Pull => {
                let below_bound = waiting < self.config.high_water_mark as usize
                    || (self.taker_waiting && waiting < self.config.batch as usize);
                // An empty queue always gets its next value: no stream stalls
                // for what other streams hold.
                if below_bound && (affordable || waiting == 0) {
                    Room::Yes
                } else {
                    Room::Wait
                }
            }
        }
    }

    /// The isolate's budget this queue charges.
    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// The producer made `value` at `produced_at_ms`, as value number
    /// `made_as`. True if that filled a push queue to its cap: the producer
    /// must stop.
    pub fn push(&mut self, value: u64, produced_at_ms: u64, made_as: u64) -> bool {
        self.waiting.push_back(Waiting {
            value,
            produced_at_ms,
            made_as,
        });
        self.waiting_bytes += (self.size_of)(value);
        self.budget.charge(VALUE_BYTES);
        let waiting = self.waiting() as u64;
        let counts = &mut self.counts;
        counts.max_queue = counts.max_queue.max(waiting);
        counts.max_queue_bytes = counts.max_queue_bytes.max(self.waiting_bytes as u64);
        let full = self.waiting.len() >= self.config.cap_values
            || self.waiting_bytes >= self.config.cap_bytes;
        counts.capped = self.config.mode == Mode::Push && full;
        counts.capped
    }

    /// The values and bytes waiting, for the cap's warning.
    pub fn load(&self) -> (usize, usize) {
        (self.waiting.len(), self.waiting_bytes)
    }

    /// Decides one poll of a take. `first_poll` is true for the first poll
    /// of a take, the only one that may ask for a top-up; `produced` is how
    /// many values the producer has made so far, for the leads.
    pub fn take(&mut self, first_poll: bool, produced: u64) -> Step {
        if first_poll {
            // The runtime asks again only once it has written every chunk it
            // was handed: what `take_more` gave it has left the worker.
            self.budget.release(self.in_runtime * VALUE_BYTES);
            self.in_runtime = 0;
        }
        if let Some(ending) = self.body_done {
            return Step::Ended(ending);
        }
        let producing = self.producer_done.is_none();
        if self.waiting.is_empty() {
            if producing {
                self.taker_waiting = true;
                return Step::Wait;
            }
            self.taker_waiting = false;
            let ending = self.producer_done.unwrap_or(Ending::Complete);
            self.body_done = Some(ending);
            return Step::Ended(ending);
        }
        let short_of_a_batch = self.waiting.len() < self.config.batch as usize;
        if first_poll && producing && short_of_a_batch {
            self.taker_waiting = true;
            return Step::TopUp;
        }
        self.taker_waiting = false;
        let chunk = self.hand_over(produced);
        self.budget.release(chunk.len() * VALUE_BYTES);
        Step::Chunk(chunk)
    }

    /// In pull mode, right after a take handed over its chunk: the next full
    /// batch that waits (or the rest, once the producer is done), as one more
    /// chunk for the runtime's queue; `None` when there is none. Its values
    /// count as waiting until the next take.
    pub fn take_more(&mut self, produced: u64) -> Option<Chunk> {
        let batch = self.config.batch as usize;
        let ready = self.waiting.len() >= batch
            || (self.producer_done.is_some() && !self.waiting.is_empty());
        if self.config.mode != Mode::Pull || self.body_done.is_some() || !ready {
            return None;
        }
        let chunk = self.hand_over(produced);
        // Handed over, not yet written: still charged, still waiting.
        self.in_runtime += chunk.len();
        Some(chunk)
    }

    /// Takes up to a batch of the values that wait, counted as sent; the
    /// caller decides when their budget is given back.
    fn hand_over(&mut self, produced: u64) -> Chunk {
        let count = self.waiting.len().min(self.config.batch as usize);
        let mut chunk = Chunk::default();
        for waiting in self.waiting.drain(..count) {
            self.waiting_bytes -= (self.size_of)(waiting.value);
            chunk.push(Sent {
                value: waiting.value,
                produced_at_ms: waiting.produced_at_ms,
                lead: produced.saturating_sub(waiting.made_as),
            });
        }
        self.counts.sent += count as u64;
        if let Some(first) = chunk.first() {
            // The first value of a chunk waited longest: its lead is the largest.
            self.counts.max_lead = self.counts.max_lead.max(first.lead);
        }
        chunk
    }

    /// The producer stopped, for `reason`.
    pub fn producer_stopped(&mut self, reason: Ending) {
        self.producer_done = Some(reason);
    }

    /// The client went away: the body ends now and what waits is dropped.
    /// Returns how many values had been sent, or `None` if the body had
    /// already ended.
    pub fn cancel(&mut self) -> Option<u64> {
        if self.body_done.is_some() {
            return None;
        }
        self.body_done = Some(Ending::Cancelled);
        self.budget.release(self.waiting() * VALUE_BYTES);
        self.waiting.clear();
        self.waiting_bytes = 0;
        self.in_runtime = 0;
        Some(self.counts.sent)
    }

    /// Once both the producer and the body are done, the first call returns
    /// how the stream ended and its counts; every other call `None`.
    pub fn finish(&mut self) -> Option<(Ending, Counts)> {
        let (Some(_), Some(outcome)) = (self.producer_done, self.body_done) else {
            return None;
        };
        if self.finished {
            return None;
        }
        self.finished = true;
        Some((outcome, self.counts))
    }
}

impl Drop for Queue {
    /// A queue dropped while values wait (a feed dropped without draining or
    /// cancelling) still gives back what it held.
    fn drop(&mut self) {
        self.budget.release(self.waiting() * VALUE_BYTES);
    }
}
