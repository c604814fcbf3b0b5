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
//! Cancelling (the client went away) aborts the producer at once, wherever it
//! is suspended, so it makes nothing more. The summary line is written once,
//! when both the producer and the body are done.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::{Future, poll_fn};
use std::rc::Rc;
use std::task::{Poll, Waker};

use futures::future::{AbortHandle, Abortable};
use futures::{Stream, StreamExt};
use serde::Serialize;

use crate::host::Host;
use crate::run::RunLog;

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
    /// Push mode: the producer stops when the waiting values would take this
    /// many bytes on the wire.
    pub cap_bytes: usize,
}

/// A value waiting in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Waiting {
    value: u64,
    produced_at_ms: u64,
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

/// The counts of one finished stream, logged as one JSON line.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamSummary {
    /// The run's id.
    pub run: String,
    /// Always `"summary"`.
    pub event: &'static str,
    /// Always `"stream"`, to tell these from the demo's summaries.
    pub route: &'static str,
    /// Pull or push.
    pub mode: Mode,
    /// Values the producer made.
    pub produced: u64,
    /// Values handed to the response body.
    pub sent: u64,
    /// The largest lead of any value sent.
    pub max_lead: u64,
    /// The most values ever waiting in the queue.
    pub max_queue: u64,
    /// The most bytes ever waiting in the queue.
    pub max_queue_bytes: u64,
    /// The pull-mode queue bound.
    pub high_water_mark: u32,
    /// The largest chunk, in values.
    pub batch: u32,
    /// From the start of the stream to its end, in ms.
    pub elapsed_ms: u64,
    /// How it ended.
    pub outcome: Ending,
    /// Whether push mode hit its cap (also true if the client left afterwards).
    pub capped: bool,
}

impl StreamSummary {
    /// The summary as one line of JSON.
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self)
            .expect("a struct of numbers and plain strings always serializes")
    }
}

/// A shared handle to one stream's queue. Cloning gives another handle.
pub struct Feed<H: Host> {
    shared: Rc<RefCell<Shared>>,
    log: RunLog<H>,
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
            config: self.config,
            started_ms: self.started_ms,
            size_of: self.size_of,
        }
    }
}

#[derive(Debug, Default)]
struct Shared {
    queue: VecDeque<Waiting>,
    queued_bytes: usize,
    produced: u64,
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
}

impl<H: Host> Feed<H> {
    /// A feed for one stream. `size_of` gives a value's size on the wire,
    /// which the push cap counts.
    pub fn new(log: RunLog<H>, config: FeedConfig, size_of: fn(u64) -> usize) -> Self {
        let started_ms = log.host().now_ms();
        Feed {
            shared: Rc::default(),
            log,
            config,
            started_ms,
            size_of,
        }
    }

    /// The producer task: runs `generator` into the queue until it ends, the
    /// cap is hit, or the feed is cancelled. The caller spawns it.
    pub fn producer<S>(&self, generator: S) -> impl Future<Output = ()> + use<H, S>
    where
        S: Stream<Item = u64> + Unpin + 'static,
    {
        let (abort, registration) = AbortHandle::new_pair();
        self.shared.borrow_mut().abort = Some(abort);
        let feed = self.clone();
        async move {
            let run = feed.clone();
            // The generator lives inside this future: an abort drops it, and
            // with it whatever it was waiting on.
            let stopped = Abortable::new(run.produce(generator), registration).await;
            let reason = stopped.unwrap_or(Ending::Cancelled);
            feed.shared.borrow_mut().producer_done = Some(reason);
            feed.wake_taker();
            feed.finish_if_done();
        }
    }

    async fn produce<S>(self, mut generator: S) -> Ending
    where
        S: Stream<Item = u64> + Unpin,
    {
        loop {
            self.room().await;
            // A take waiting for a fuller batch gets what is there as soon as
            // this task yields, whether to make the next value or to wait.
            self.wake_taker();
            let Some(value) = generator.next().await else {
                return Ending::Complete;
            };
            let produced_at_ms = self.elapsed_ms();
            let bytes = (self.size_of)(value);
            let capped = {
                let mut shared = self.shared.borrow_mut();
                shared.produced += 1;
                shared.queue.push_back(Waiting {
                    value,
                    produced_at_ms,
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
                let shared = self.shared.borrow();
                self.log.warn(format_args!(
                    "push queue reached its cap ({} values, {} bytes waiting; the cap is {} values or {} bytes): producer stopped after {} values",
                    shared.queue.len(),
                    shared.queued_bytes,
                    self.config.cap_values,
                    self.config.cap_bytes,
                    shared.produced
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
    /// first, so that values it can make without waiting join the chunk.
    pub fn take(&self) -> impl Future<Output = Taken> + '_ {
        let mut first_poll = true;
        poll_fn(move |cx| {
            let step = self.try_take(cx.waker(), first_poll);
            first_poll = false;
            // A waiting take, or the room a take just made, may let the
            // producer go on.
            self.wake_producer();
            match step {
                Step::Chunk(chunk) => Poll::Ready(Taken::Chunk(chunk)),
                Step::Ended(ending) => Poll::Ready(Taken::End(ending, self.finish_if_done())),
                Step::Wait => Poll::Pending,
            }
        })
    }

    fn try_take(&self, waker: &Waker, first_poll: bool) -> Step {
        let mut shared = self.shared.borrow_mut();
        if let Some(ending) = shared.body_done {
            return Step::Ended(ending);
        }
        let waiting = shared.queue.len();
        let producing = shared.producer_done.is_none();
        let short_of_a_batch = waiting < self.config.batch as usize;
        if waiting > 0 && !(first_poll && producing && short_of_a_batch) {
            shared.taker_waiting = false;
            return Step::Chunk(self.hand_over(&mut shared));
        }
        if waiting == 0 && !producing {
            shared.taker_waiting = false;
            let ending = shared.producer_done.unwrap_or(Ending::Complete);
            shared.body_done = Some(ending);
            return Step::Ended(ending);
        }
        shared.taker_waiting = true;
        shared.taker = Some(waker.clone());
        Step::Wait
    }

    fn hand_over(&self, shared: &mut Shared) -> Vec<Sent> {
        let count = shared.queue.len().min(self.config.batch as usize);
        let produced = shared.produced;
        let mut chunk = Vec::with_capacity(count);
        for waiting in shared.queue.drain(..count) {
            chunk.push(Sent {
                value: waiting.value,
                produced_at_ms: waiting.produced_at_ms,
                lead: produced - waiting.value,
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

    /// The client went away: stop producing now and end the body.
    pub fn cancel(&self, why: &str) {
        let abort = {
            let mut shared = self.shared.borrow_mut();
            if shared.body_done.is_some() {
                return;
            }
            shared.body_done = Some(Ending::Cancelled);
            shared.queue.clear();
            shared.queued_bytes = 0;
            self.log.line(format_args!(
                "{why}: stream cancelled after {} values sent",
                shared.sent
            ));
            shared.abort.take()
        };
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
                produced: shared.produced,
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
    Chunk(Vec<Sent>),
    Ended(Ending),
    Wait,
}
