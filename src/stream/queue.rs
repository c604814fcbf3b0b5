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
//!
//! Values wait as runs: consecutive values made at one time, one entry for
//! the lot. Only pull mode joins values into runs, and only those its
//! producer made together (an unpaced producer makes a whole batch inside one
//! callback); a push queue keeps every value in an entry of its own, so that
//! what piles up there is really held, [`VALUE_BYTES`] a value, as the
//! budget charges it.

use std::collections::VecDeque;

use super::chunk::{Chunk, Run};
use super::vocabulary::{Ending, FeedConfig, Mode, Sent};
use crate::budget::Budget;

/// What one waiting value costs in memory, as charged to the budget: the
/// entry a push queue keeps for each (a pull queue's runs hold less).
pub const VALUE_BYTES: usize = std::mem::size_of::<Waiting>();

/// Values waiting in the queue: `len` consecutive values from `value`, made
/// at one time, one after another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Waiting {
    value: u64,
    produced_at_ms: u64,
    /// How many values had been made when the first was (itself included).
    made_as: u64,
    len: u64,
}

impl Waiting {
    /// Whether `next` is made of the values right after these, at their time.
    fn continues_with(&self, next: &Waiting) -> bool {
        self.value.checked_add(self.len) == Some(next.value)
            && self.made_as.checked_add(self.len) == Some(next.made_as)
            && self.produced_at_ms == next.produced_at_ms
    }
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
    /// How many wire bytes a run of consecutive values (the first, how
    /// many) takes while it waits, for the push cap.
    size_of: fn(u64, u64) -> usize,
    waiting: VecDeque<Waiting>,
    /// How many values `waiting` holds, all runs together.
    waiting_values: usize,
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
    /// An empty queue; `size_of` gives the bytes a run of waiting values
    /// (its first, how many) counts for against the push cap, and `budget`
    /// is the isolate's.
    pub fn new(config: FeedConfig, size_of: fn(u64, u64) -> usize, budget: Budget) -> Self {
        Queue {
            config,
            size_of,
            waiting: VecDeque::new(),
            waiting_values: 0,
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
        self.waiting_values + self.in_runtime
    }

    /// Whether the producer may make its next value now.
    pub fn room(&mut self) -> Room {
        match self.config.mode {
            Mode::Push if self.budget.has_room_for(VALUE_BYTES) => Room::Yes,
            Mode::Push => {
                self.counts.capped = true;
                self.counts.budget_spent = true;
                Room::BudgetSpent
            }
            Mode::Pull if self.pull_room() > 0 => Room::Yes,
            Mode::Pull => Room::Wait,
        }
    }

    /// In pull mode, how many values the producer may make now, one after
    /// another, before it must ask again: as many as [`Queue::room`] would
    /// say yes to, pushed one at a time. In push mode 0: a push producer
    /// makes its values one at a time, each checked against the cap.
    pub fn pull_room(&self) -> u64 {
        if self.config.mode == Mode::Push {
            return 0;
        }
        let waiting = self.waiting() as u64;
        let mut bound = u64::from(self.config.high_water_mark);
        if self.taker_waiting {
            bound = bound.max(u64::from(self.config.batch));
        }
        let below_bound = bound.saturating_sub(waiting);
        let unused = self.budget.limit().saturating_sub(self.budget.in_use());
        let affordable = (unused / VALUE_BYTES) as u64;
        // An empty queue always gets its next value: no stream stalls for
        // what other streams hold.
        let affordable = if waiting == 0 {
            affordable.max(1)
        } else {
            affordable
        };
        below_bound.min(affordable)
    }

    /// The isolate's budget this queue charges.
    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// The producer made `value` at `produced_at_ms`, as value number
    /// `made_as`. True if that filled a push queue to its cap: the producer
    /// must stop.
    pub fn push(&mut self, value: u64, produced_at_ms: u64, made_as: u64) -> bool {
        self.push_run(value, 1, produced_at_ms, made_as)
    }

    /// The producer made `len` consecutive values from `first` at
    /// `produced_at_ms`, one after another, the first as value number
    /// `made_as`: what `len` calls of [`Queue::push`] would do, at once. In
    /// push mode, `len` is 1: each value is checked against the cap.
    pub fn push_run(&mut self, first: u64, len: u64, produced_at_ms: u64, made_as: u64) -> bool {
        let run = Waiting {
            value: first,
            produced_at_ms,
            made_as,
            len,
        };
        match self.waiting.back_mut() {
            Some(last) if self.config.mode == Mode::Pull && last.continues_with(&run) => {
                last.len += len;
            }
            _ => self.waiting.push_back(run),
        }
        // At most 10 million values wait, which fits any usize.
        self.waiting_values += len as usize;
        self.waiting_bytes += (self.size_of)(first, len);
        self.budget.charge(len as usize * VALUE_BYTES);
        let waiting = self.waiting() as u64;
        let counts = &mut self.counts;
        counts.max_queue = counts.max_queue.max(waiting);
        counts.max_queue_bytes = counts.max_queue_bytes.max(self.waiting_bytes as u64);
        let full = self.waiting_values >= self.config.cap_values
            || self.waiting_bytes >= self.config.cap_bytes;
        counts.capped = self.config.mode == Mode::Push && full;
        counts.capped
    }

    /// How many entries hold the waiting values: one per run in pull mode,
    /// one per value in push mode (each [`VALUE_BYTES`] of memory).
    pub fn entries(&self) -> usize {
        self.waiting.len()
    }

    /// The values and bytes waiting, for the cap's warning.
    pub fn load(&self) -> (usize, usize) {
        (self.waiting_values, self.waiting_bytes)
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
        if self.waiting_values == 0 {
            if producing {
                self.taker_waiting = true;
                return Step::Wait;
            }
            self.taker_waiting = false;
            let ending = self.producer_done.unwrap_or(Ending::Complete);
            self.body_done = Some(ending);
            return Step::Ended(ending);
        }
        let short_of_a_batch = self.waiting_values < self.config.batch as usize;
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
        let ready = self.waiting_values >= batch
            || (self.producer_done.is_some() && self.waiting_values > 0);
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
        let count = self.waiting_values.min(self.config.batch as usize);
        let mut chunk = Chunk::default();
        let mut left = count as u64;
        while left > 0 {
            let Some(front) = self.waiting.front_mut() else {
                break;
            };
            let len = front.len.min(left);
            let taken = *front;
            if len == front.len {
                self.waiting.pop_front();
            } else {
                front.value += len;
                front.made_as += len;
                front.len -= len;
            }
            left -= len;
            self.waiting_bytes -= (self.size_of)(taken.value, len);
            chunk.push_run(Run {
                first: Sent {
                    value: taken.value,
                    produced_at_ms: taken.produced_at_ms,
                    lead: produced.saturating_sub(taken.made_as),
                },
                len,
            });
        }
        self.waiting_values -= count;
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
        self.waiting_values = 0;
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
