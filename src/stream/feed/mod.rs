//! The async shell around `/api/stream`'s [`Queue`]: the producer task that
//! fills it, the takes that empty it into the response body, and the cancel
//! that stops both. The rules (room, hand-over, cap, counts) are the queue's;
//! this module only waits and wakes.
//!
//! The runtime reads the response body one chunk at a time, and asks for the
//! next chunk only once it has written the last one towards the client. Each
//! such request is a [`Feed::take`]. The producer runs as its own task and
//! puts values in the queue when it has room.
//!
//! The producer runs in a task the caller spawns, but when a
//! [`Feed::take_now`] frees room it is also polled inline, with that task's
//! waker: before the take looks again if nothing was ready, and after it has
//! taken. Refilling the queue then costs no trip through the event loop, and
//! a pull of a producer that is never slower than its client never waits for
//! a promise.
//!
//! Cancelling (the client went away) aborts the producer at once, wherever it
//! is suspended, so it makes nothing more. The summary line is written once,
//! when both the producer and the body are done.

use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Poll, Waker};

use futures::future::{AbortHandle, Abortable};

mod producer;

use super::chunk::Chunk;
use super::queue::{Queue, Step};
use super::summary::StreamSummary;
use super::vocabulary::{Ending, FeedConfig};
use crate::body_guard::{BodyGuard, Cancel};
use crate::budget::Budget;
use crate::generator::{Integers, Made};
use crate::host::Host;
use crate::run::Run;

/// What one take gives the response body.
#[derive(Debug, Clone, PartialEq)]
pub enum Taken {
    /// The next values, to send as one chunk.
    Chunk(Chunk),
    /// Nothing more will come; the summary (if this take finished the run).
    End(Ending, Option<StreamSummary>),
}

/// A shared handle to one stream's queue. Cloning gives another handle.
pub struct Feed<H: Host> {
    shared: Rc<RefCell<Shared>>,
    run: Run<H>,
    /// The generator's count of values made.
    made: Made,
}

impl<H: Host> Clone for Feed<H> {
    fn clone(&self) -> Self {
        Feed {
            shared: Rc::clone(&self.shared),
            run: self.run.clone(),
            made: self.made.clone(),
        }
    }
}

/// What both ends share: the queue, and who to wake when it changes. One
/// `RefCell`, because a Worker is single-threaded and every borrow ends
/// before anything is woken or polled.
struct Shared {
    queue: Queue,
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
    /// producer running `generator` into it, for the caller to spawn. `made`
    /// is the generator's own count of values made; `size_of` gives the bytes
    /// a run of waiting values (its first, how many) counts for against the
    /// push cap; `budget` is the isolate's, shared by every stream.
    pub fn start(
        run: Run<H>,
        made: Made,
        config: FeedConfig,
        size_of: fn(u64, u64) -> usize,
        budget: Budget,
        generator: Integers<H>,
    ) -> (Feed<H>, impl Future<Output = ()> + use<H>) {
        let (abort, registration) = AbortHandle::new_pair();
        let feed = Feed {
            shared: Rc::new(RefCell::new(Shared {
                queue: Queue::new(config, size_of, budget),
                taker: None,
                producer: None,
                abort: Some(abort),
                task: None,
                driver: None,
            })),
            run,
            made,
        };
        let producer_feed = feed.clone();
        let producer = async move {
            let run = producer_feed.clone();
            // The generator lives inside this future: an abort drops it, and
            // with it whatever it was waiting on.
            let stopped = Abortable::new(run.produce(generator), registration).await;
            let reason = stopped.unwrap_or(Ending::Cancelled);
            producer_feed
                .shared
                .borrow_mut()
                .queue
                .producer_stopped(reason);
            producer_feed.wake_taker();
            producer_feed.finish_if_done();
        };
        feed.shared.borrow_mut().task = Some(Box::pin(producer));
        let driver_feed = feed.clone();
        let driver = poll_fn(move |cx| driver_feed.drive(cx.waker()));
        (feed, driver)
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

    /// The next chunk if one can be handed over right now without waiting,
    /// as [`Feed::take`] would give it after the producer's turn (a full
    /// batch; what a producer that cannot go on has made; the rest of a
    /// finished stream); `None` when the caller must `take`.
    pub fn take_now(&self) -> Option<Taken> {
        let mut step = self.try_take(None, true);
        if matches!(step, Step::TopUp | Step::Wait) && self.refill_now() {
            // Short of a batch, or nothing at all, but this take has just
            // made room (what the last pull handed over has left the worker)
            // and the producer was waiting for it: it has now made what it
            // can, here, inline. Look again, as `take` would after the
            // producer's turn; otherwise every other pull of a producer that
            // is never slower than its client would wait for a promise.
            step = self.try_take(None, false);
        }
        let taken = match step {
            Step::Chunk(chunk) => Taken::Chunk(chunk),
            Step::Ended(ending) => Taken::End(ending, self.finish_if_done()),
            Step::TopUp | Step::Wait => return None,
        };
        // Called from the body's pull, outside any poll: the producer may run
        // right here.
        self.refill_now();
        Some(taken)
    }

    /// Right after a take gave a chunk: one more full batch for the runtime's
    /// queue, if one waits (pull mode only; see [`Queue::take_more`]). The
    /// body hands the runtime every such chunk in the same pull, so one write
    /// towards the client carries them all.
    pub fn take_more_now(&self) -> Option<Chunk> {
        let chunk = self.shared.borrow_mut().queue.take_more(self.made.get());
        if chunk.is_none() {
            // All that waited is handed over: the producer may refill what
            // room there is, right here (see `take_now`).
            self.refill_now();
        }
        chunk
    }

    /// One poll of a take. `waker` is the take's, to be woken when a value
    /// arrives; `take_now` has none and only asks what is ready.
    fn try_take(&self, waker: Option<&Waker>, first_poll: bool) -> Step {
        let mut shared = self.shared.borrow_mut();
        let step = shared.queue.take(first_poll, self.made.get());
        if let (Step::Wait, Some(waker)) = (&step, waker) {
            shared.taker = Some(waker.clone());
        }
        step
    }

    /// How many values wait in the worker right now, made and not yet taken.
    pub fn waiting(&self) -> usize {
        self.shared.borrow().queue.waiting()
    }

    /// The client went away: stop producing now and end the body.
    pub fn cancel(&self, why: &str) {
        let (sent, abort) = {
            let mut shared = self.shared.borrow_mut();
            let Some(sent) = shared.queue.cancel() else {
                return;
            };
            (sent, shared.abort.take())
        };
        self.run.line(format_args!(
            "{why}: stream cancelled after {sent} values sent"
        ));
        if let Some(abort) = abort {
            abort.abort();
        }
        self.wake_taker();
        self.finish_if_done();
    }

    /// A hold for the response body's callbacks that cancels the feed when
    /// the runtime drops them all (see [`BodyGuard`]).
    pub fn body_guard(&self) -> BodyGuard<Feed<H>> {
        BodyGuard::new(self.clone())
    }

    /// Writes the summary once both the producer and the body are done, and
    /// returns it to whoever completed the pair.
    fn finish_if_done(&self) -> Option<StreamSummary> {
        let (outcome, counts, config, budget) = {
            let mut shared = self.shared.borrow_mut();
            let (outcome, counts) = shared.queue.finish()?;
            (
                outcome,
                counts,
                shared.queue.config(),
                shared.queue.budget().clone(),
            )
        };
        let summary = StreamSummary {
            run: self.run.id().as_str().to_owned(),
            event: "summary",
            route: "stream",
            mode: config.mode,
            produced: self.made.get(),
            sent: counts.sent,
            max_lead: counts.max_lead,
            max_queue: counts.max_queue,
            max_queue_bytes: counts.max_queue_bytes,
            high_water_mark: config.high_water_mark,
            batch: config.batch,
            elapsed_ms: self.run.elapsed_ms(),
            outcome,
            capped: counts.capped,
            budget_spent: counts.budget_spent,
            budget_in_use_bytes: budget.in_use() as u64,
            budget_limit_bytes: budget.limit() as u64,
        };
        self.run.summary(&summary);
        Some(summary)
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

impl<H: Host> Cancel for Feed<H> {
    fn cancel(&self, why: &str) {
        Feed::cancel(self, why);
    }
}
