//! The queue between `/api/stream`'s producer and the response body, where
//! backpressure is either respected (pull) or ignored (push), and measured.
//!
//! The runtime reads the response body one chunk at a time, and asks for the
//! next chunk only once it has written the last one towards the client. Each
//! such request is a [`Feed::take`]. The producer runs as its own task and puts
//! values in the feed's queue:
//!
//! - **pull**: it makes a value only while the queue is below
//!   `highWaterMark`, or while a take is waiting and the queue holds less than
//!   one batch. A slow client therefore stalls it: the queue never holds more
//!   than `max(highWaterMark, batch)` values, however long the stream.
//! - **push**: it makes every value as soon as it can, whatever the client
//!   does. The queue grows; a hard cap on its values and bytes stops the
//!   producer (with a warning) before memory is in danger.
//!
//! A take hands over up to `batch` values that are waiting, as one chunk. The
//! *lead* of a value is how many values the producer had made beyond it at
//! the moment it was taken: in pull mode at most `max(highWaterMark, batch) − 1`.
//!
//! The producer runs in a task the caller spawns, but right after a take that
//! freed room it is also polled inline, with that task's waker: refilling the
//! queue then costs no trip through the event loop (at a batch of 1 that trip
//! cost about a fifth of each chunk's time).
//!
//! Cancelling (the client went away) aborts the producer at once, wherever it
//! is suspended, so it makes nothing more. The summary line is written once,
//! when both the producer and the body are done.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use futures::future::{AbortHandle, Abortable};
use futures::{Stream, StreamExt};
use serde::Serialize;

use crate::host::Host;
use crate::run::RunLog;
use crate::summary::StreamSummary;
use crate::tally::Tally;

/// Whether the producer waits for the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Mode {
    /// Make a value only when there is room for it: backpressure respected.
    Pull,
    /// Make every value as soon as possible: backpressure ignored, up to a cap.
    Push,
}

/// How a feed behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedConfig {
    /// Pull or push.
    pub mode: Mode,
    /// Pull mode: how many values may wait in the queue ahead of demand.
    pub high_water_mark: u32,
    /// The most values one take hands over as one chunk.
    pub batch: u32,
    /// Push mode: the producer stops when this many values are waiting.
    pub cap_values: usize,
    /// Push mode: the producer stops when the waiting values count for this
    /// many bytes (by the `size_of` given to [`Feed::start`]).
    pub cap_bytes: usize,
}

/// A value waiting in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Waiting {
    value: u64,
    produced_at_ms: u64,
    /// How many values had been made when this one was (itself included).
    made_as: u64,
}

/// A value as it leaves the feed for the response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// The integer.
    pub value: u64,
    /// When it was made, in ms since the stream started.
    pub produced_at_ms: u64,
    /// How many values the producer had made beyond this one when it was taken.
    pub lead: u64,
}

/// How a stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Ending {
    /// Every value was made and sent.
    Complete,
    /// The client went away or cancelled the body.
    Cancelled,
    /// Push mode hit its cap; what had been made was sent, the rest never made.
    Capped,
}

/// What one take gives the response body.
#[derive(Debug, Clone, PartialEq)]
pub enum Taken {
    /// The next values, to send as one chunk.
    Chunk(Vec<Sent>),
    /// Nothing more will come; the summary (if this take finished the run).
    End(Ending, Option<StreamSummary>),
}

/// A shared handle to one stream's queue. Cloning gives another handle.
pub struct Feed<H: Host> {
    shared: Rc<RefCell<Shared>>,
    log: RunLog<H>,
    /// The generator's count of values made.
    tally: Tally,
    config: FeedConfig,
    started_ms: f64,
    /// How many wire bytes a value takes while it waits, for the push cap.
    size_of: fn(u64) -> usize,
}

impl<H: Host> Clone for Feed<H> {
    fn clone(&self) -> Self {
        Feed {
            shared: Rc::clone(&self.shared),
            log: self.log.clone(),
            tally: self.tally.clone(),
            config: self.config,
            started_ms: self.started_ms,
            size_of: self.size_of,
        }
    }
}

#[derive(Default)]
struct Shared {
    queue: VecDeque<Waiting>,
    queued_bytes: usize,
    sent: u64,
    max_lead: u64,
    max_queue: usize,
    max_queue_bytes: usize,
    capped: bool,
    /// Set when the producer has stopped, with the reason it stopped.
    producer_done: Option<Ending>,
    /// Set when the body has ended (drained, or cancelled).
    body_done: Option<Ending>,
    summary_written: bool,
    taker_waiting: bool,
    taker: Option<Waker>,
    producer: Option<Waker>,
    abort: Option<AbortHandle>,
    /// The producer future, driven by the task the caller spawned and, right
    /// after a take, inline (see [`Feed::take_now`]).
    task: Option<Pin<Box<dyn Future<Output = ()>>>>,
    /// The waker of the spawned task that drives the producer.
    driver: Option<Waker>,
}

impl<H: Host> Feed<H> {
    /// Starts a feed for one stream: returns it, and the task that drives the
    /// producer running `generator` into it, for the caller to spawn. `tally` is the one
    /// the generator counts its values in; `size_of` gives the bytes a waiting
    /// value counts for against the push cap.
    pub fn start<S>(
        log: RunLog<H>,
        tally: Tally,
        config: FeedConfig,
        size_of: fn(u64) -> usize,
        generator: S,
    ) -> (Feed<H>, impl Future<Output = ()> + use<H, S>)
    where
        S: Stream<Item = u64> + Unpin + 'static,
    {
        let (abort, registration) = AbortHandle::new_pair();
        let started_ms = log.host().now_ms();
        let feed = Feed {
            shared: Rc::new(RefCell::new(Shared {
                abort: Some(abort),
                ..Shared::default()
            })),
            log,
            tally,
            config,
            started_ms,
            size_of,
        };
        let producer_feed = feed.clone();
        let producer = async move {
            let run = producer_feed.clone();
            // The generator lives inside this future: an abort drops it, and
            // with it whatever it was waiting on.
            let stopped = Abortable::new(run.produce(generator), registration).await;
            let reason = stopped.unwrap_or(Ending::Cancelled);
            producer_feed.shared.borrow_mut().producer_done = Some(reason);
            producer_feed.wake_taker();
            producer_feed.finish_if_done();
        };
        feed.shared.borrow_mut().task = Some(Box::pin(producer));
        let driver_feed = feed.clone();
        let driver = poll_fn(move |cx| driver_feed.drive(cx.waker()));
        (feed, driver)
    }

    /// Polls the producer once with the driver task's waker, so that whatever
    /// it waits on wakes that task. Ready when the producer has finished.
    fn drive(&self, driver: &Waker) -> Poll<()> {
        let task = {
            let mut shared = self.shared.borrow_mut();
            shared.driver = Some(driver.clone());
            shared.task.take()
        };
        // Polled outside the borrow: the producer uses the shared state.
        let Some(mut task) = task else {
            return Poll::Ready(());
        };
        match task.as_mut().poll(&mut Context::from_waker(driver)) {
            Poll::Ready(()) => Poll::Ready(()),
            Poll::Pending => {
                self.shared.borrow_mut().task = Some(task);
                Poll::Pending
            }
        }
    }

    /// Lets a producer that waits for room make its next values now, inline,
    /// instead of waking its task and waiting for the next turn of the event
    /// loop: one fewer trip through the task queue per chunk.
    fn refill_now(&self) {
        let parked = {
            let mut shared = self.shared.borrow_mut();
            match (shared.producer.take(), shared.driver.clone()) {
                (Some(_parked), Some(driver)) => Some(driver),
                (parked, _) => {
                    shared.producer = parked;
                    None
                }
            }
        };
        match parked {
            Some(driver) => {
                if self.drive(&driver).is_ready() {
                    // Finished inline: let the driver task see it and end.
                    driver.wake();
                }
            }
            None => self.wake_producer(),
        }
    }

    async fn produce<S>(self, mut generator: S) -> Ending
    where
        S: Stream<Item = u64> + Unpin,
    {
        loop {
            self.room().await;
            let Some(value) = generator.next().await else {
                return Ending::Complete;
            };
            let produced_at_ms = self.elapsed_ms();
            let bytes = (self.size_of)(value);
            let made_as = self.tally.produced();
            let capped = {
                let mut shared = self.shared.borrow_mut();
                shared.queue.push_back(Waiting {
                    value,
                    produced_at_ms,
                    made_as,
                });
                shared.queued_bytes += bytes;
                shared.max_queue = shared.max_queue.max(shared.queue.len());
                shared.max_queue_bytes = shared.max_queue_bytes.max(shared.queued_bytes);
                let full = shared.queue.len() >= self.config.cap_values
                    || shared.queued_bytes >= self.config.cap_bytes;
                shared.capped = self.config.mode == Mode::Push && full;
                shared.capped
            };
            self.wake_taker();
            if capped {
                let (waiting, bytes) = {
                    let shared = self.shared.borrow();
                    (shared.queue.len(), shared.queued_bytes)
                };
                self.log.warn(format_args!(
                    "push queue reached its cap ({waiting} values, {bytes} bytes waiting; \
                     the cap is {} values or {} bytes): producer stopped after {made_as} values",
                    self.config.cap_values, self.config.cap_bytes,
                ));
                return Ending::Capped;
            }
        }
    }

    /// Resolves when the producer may make its next value.
    fn room(&self) -> impl Future<Output = ()> + '_ {
        poll_fn(move |cx| {
            let mut shared = self.shared.borrow_mut();
            let waiting = shared.queue.len();
            let has_room = match self.config.mode {
                Mode::Push => true,
                Mode::Pull => {
                    waiting < self.config.high_water_mark as usize
                        || (shared.taker_waiting && waiting < self.config.batch as usize)
                }
            };
            if has_room {
                Poll::Ready(())
            } else {
                shared.producer = Some(cx.waker().clone());
                Poll::Pending
            }
        })
    }

    /// The next chunk for the response body: up to `batch` values that are
    /// ready now, waiting for the first if there is none yet.
    ///
    /// A take that finds less than a batch waiting lets the producer run once
    /// first, so that values it can make without waiting join the chunk; it
    /// then sends what is there, without waiting for a value still to come.
    pub fn take(&self) -> impl Future<Output = Taken> + '_ {
        let mut first_poll = true;
        poll_fn(move |cx| {
            let step = self.try_take(Some(cx.waker()), first_poll);
            first_poll = false;
            // A waiting take, or the room a take just made, may let the
            // producer go on.
            self.wake_producer();
            match step {
                Step::Chunk(chunk) => Poll::Ready(Taken::Chunk(chunk)),
                Step::Ended(ending) => Poll::Ready(Taken::End(ending, self.finish_if_done())),
                Step::TopUp => {
                    // Polled again right after the producer's turn, which was
                    // queued first.
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
                Step::Wait => Poll::Pending,
            }
        })
    }

    /// The next chunk if one can be handed over right now without waiting
    /// (a full batch, or the rest of a finished stream), as the first poll
    /// of [`Feed::take`] would give it; `None` when the caller must `take`.
    pub fn take_now(&self) -> Option<Taken> {
        let taken = match self.try_take(None, true) {
            Step::Chunk(chunk) => Taken::Chunk(chunk),
            Step::Ended(ending) => Taken::End(ending, self.finish_if_done()),
            Step::TopUp | Step::Wait => return None,
        };
        // Called from the body's pull, outside any poll: the producer may run
        // right here.
        self.refill_now();
        Some(taken)
    }

    /// Decides one poll of a take. `waker` is the take's, to be woken when a
    /// value arrives; `take_now` has none and only asks what is ready.
    fn try_take(&self, waker: Option<&Waker>, first_poll: bool) -> Step {
        let mut shared = self.shared.borrow_mut();
        if let Some(ending) = shared.body_done {
            return Step::Ended(ending);
        }
        let waiting = shared.queue.len();
        let producing = shared.producer_done.is_none();
        if waiting == 0 {
            if producing {
                shared.taker_waiting = true;
                if let Some(waker) = waker {
                    shared.taker = Some(waker.clone());
                }
                return Step::Wait;
            }
            shared.taker_waiting = false;
            let ending = shared.producer_done.unwrap_or(Ending::Complete);
            shared.body_done = Some(ending);
            return Step::Ended(ending);
        }
        let short_of_a_batch = waiting < self.config.batch as usize;
        if first_poll && producing && short_of_a_batch {
            shared.taker_waiting = true;
            return Step::TopUp;
        }
        shared.taker_waiting = false;
        Step::Chunk(self.hand_over(&mut shared))
    }

    fn hand_over(&self, shared: &mut Shared) -> Vec<Sent> {
        let count = shared.queue.len().min(self.config.batch as usize);
        let produced = self.tally.produced();
        let mut chunk = Vec::with_capacity(count);
        for waiting in shared.queue.drain(..count) {
            chunk.push(Sent {
                value: waiting.value,
                produced_at_ms: waiting.produced_at_ms,
                lead: produced.saturating_sub(waiting.made_as),
            });
        }
        for sent in &chunk {
            shared.queued_bytes -= (self.size_of)(sent.value);
        }
        shared.sent += count as u64;
        if let Some(first) = chunk.first() {
            shared.max_lead = shared.max_lead.max(first.lead);
        }
        chunk
    }

    /// How many values wait in the worker right now, made and not yet taken.
    pub fn waiting(&self) -> usize {
        self.shared.borrow().queue.len()
    }

    /// The client went away: stop producing now and end the body.
    pub fn cancel(&self, why: &str) {
        let (abort, sent) = {
            let mut shared = self.shared.borrow_mut();
            if shared.body_done.is_some() {
                return;
            }
            shared.body_done = Some(Ending::Cancelled);
            shared.queue.clear();
            shared.queued_bytes = 0;
            (shared.abort.take(), shared.sent)
        };
        self.log.line(format_args!(
            "{why}: stream cancelled after {sent} values sent"
        ));
        if let Some(abort) = abort {
            abort.abort();
        }
        self.wake_taker();
        self.finish_if_done();
    }

    /// Writes the summary once both the producer and the body are done, and
    /// returns it to whoever completed the pair.
    fn finish_if_done(&self) -> Option<StreamSummary> {
        let summary = {
            let mut shared = self.shared.borrow_mut();
            let (Some(_), Some(outcome)) = (shared.producer_done, shared.body_done) else {
                return None;
            };
            if shared.summary_written {
                return None;
            }
            shared.summary_written = true;
            StreamSummary {
                run: self.log.id().to_string(),
                event: "summary",
                route: "stream",
                mode: self.config.mode,
                produced: self.tally.produced(),
                sent: shared.sent,
                max_lead: shared.max_lead,
                max_queue: shared.max_queue as u64,
                max_queue_bytes: shared.max_queue_bytes as u64,
                high_water_mark: self.config.high_water_mark,
                batch: self.config.batch,
                elapsed_ms: self.elapsed_ms(),
                outcome,
                capped: shared.capped,
            }
        };
        self.log.raw(&summary.to_json_line());
        Some(summary)
    }

    fn elapsed_ms(&self) -> u64 {
        (self.log.host().now_ms() - self.started_ms)
            .max(0.0)
            .round() as u64
    }

    fn wake_taker(&self) {
        let taker = self.shared.borrow_mut().taker.take();
        if let Some(taker) = taker {
            taker.wake();
        }
    }

    fn wake_producer(&self) {
        let producer = self.shared.borrow_mut().producer.take();
        if let Some(producer) = producer {
            producer.wake();
        }
    }
}

/// What one poll of a take found.
enum Step {
    /// Values to send.
    Chunk(Vec<Sent>),
    /// The body is over.
    Ended(Ending),
    /// Less than a batch waits: let the producer add what it has ready.
    TopUp,
    /// Nothing waits: sleep until the producer pushes or stops.
    Wait,
}
