//! The transform's queue: transformed chunks on their way from the origin to
//! the client, at most `max(transformHighWaterMark, 1)` of them (with 0, the
//! one chunk read for a waiting client passes through it), and the two ends
//! that fill and empty it.
//!
//! - The **pump** (the run's task, in [`super`]) reads the origin's next
//!   chunk only when `Pipe::room` says so: fewer than `highWaterMark`
//!   chunks wait, or the client's body waits and nothing is there. It never
//!   reads ahead of that, so a client that stops reading stops the pump, the
//!   origin's body fills its pipe, and the origin's producer waits.
//! - The client's **body** takes one chunk per pull ([`Pipe::take`]).
//! - Every transformed chunk that waits is charged to the isolate's
//!   [`Budget`]; the pump waits while it is spent, unless nothing of this
//!   stream waits. (The chunk being transformed and an unfinished line are
//!   not charged: they are bounded by one read and the longest line.)
//!
//! Cancelling (the client went away) drops what waits and aborts the pump,
//! which then cancels the origin's body. The summary is written once, when
//! the pump and the body are both done.

use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::rc::Rc;
use std::task::{Poll, Waker};

use futures::future::AbortHandle;

use super::summary::{ProxyOutcome, ProxySummary};
use crate::body_guard::{BodyGuard, Cancel};
use crate::budget::Budget;
use crate::host::Host;
use crate::run::Run;

/// What one take gives the client's body.
#[derive(Debug, Clone, PartialEq)]
pub enum Taken {
    /// Transformed lines, to send as one chunk.
    Chunk(Vec<u8>),
    /// Nothing more will come; the summary (if this take finished the run).
    End(ProxyOutcome, Option<ProxySummary>),
}

/// A shared handle to one proxied stream's queue. Cloning gives another.
pub struct Pipe<H: Host> {
    shared: Rc<RefCell<State>>,
    run: Run<H>,
}

impl<H: Host> Clone for Pipe<H> {
    fn clone(&self) -> Self {
        Pipe {
            shared: Rc::clone(&self.shared),
            run: self.run.clone(),
        }
    }
}

/// One origin chunk, transformed.
struct Transformed {
    bytes: Vec<u8>,
    values: u64,
}

/// What the pump and the body share. One `RefCell`: a Worker is
/// single-threaded, and every borrow ends before anything is woken.
struct State {
    /// Oldest first. A `Vec`, not a `VecDeque`: it holds at most
    /// `max(transformHighWaterMark, 1)` chunks (16 at most), so taking the
    /// oldest moves a few words; a `VecDeque` of chunks, with its drop glue,
    /// was wasm of its own.
    waiting: Vec<Transformed>,
    waiting_bytes: usize,
    high_water_mark: usize,
    budget: Budget,
    /// The body waits for a chunk: with nothing waiting, that makes room.
    taker_waiting: bool,
    taker: Option<Waker>,
    pump: Option<Waker>,
    abort: Option<AbortHandle>,
    pump_done: Option<ProxyOutcome>,
    body_done: Option<ProxyOutcome>,
    finished: bool,
    summary: ProxySummary,
}

impl Drop for State {
    /// A pipe dropped while chunks wait still gives back what they held.
    fn drop(&mut self) {
        self.budget.release(self.waiting_bytes);
    }
}

impl<H: Host> Pipe<H> {
    /// An empty pipe for `run`, whose pump stops when `abort` is used;
    /// `origin_run` names the origin's run in the summary.
    pub(super) fn new(
        run: Run<H>,
        origin_run: &str,
        high_water_mark: u32,
        budget: Budget,
        abort: AbortHandle,
    ) -> Pipe<H> {
        let summary = ProxySummary {
            run: run.id().as_str().to_owned(),
            origin_run: origin_run.to_owned(),
            chunks_in: 0,
            bytes_in: 0,
            largest_chunk: 0,
            values: 0,
            sent: 0,
            max_queue: 0,
            max_queue_bytes: 0,
            transform_high_water_mark: high_water_mark,
            elapsed_ms: 0,
            outcome: ProxyOutcome::Complete,
        };
        Pipe {
            shared: Rc::new(RefCell::new(State {
                waiting: Vec::new(),
                waiting_bytes: 0,
                high_water_mark: high_water_mark as usize,
                budget,
                taker_waiting: false,
                taker: None,
                pump: None,
                abort: Some(abort),
                pump_done: None,
                body_done: None,
                finished: false,
                summary,
            })),
            run,
        }
    }

    /// The run this pipe belongs to.
    pub(super) fn run(&self) -> &Run<H> {
        &self.run
    }

    /// Resolves when the pump may read the origin's next chunk.
    pub(super) fn room(&self) -> impl Future<Output = ()> + '_ {
        poll_fn(move |cx| {
            let mut state = self.shared.borrow_mut();
            let queued = state.waiting.len();
            let below_bound =
                queued < state.high_water_mark || (state.taker_waiting && queued == 0);
            // An empty queue always gets its next chunk: no stream stalls
            // for what other streams hold.
            let affordable = queued == 0 || state.budget.has_room_for(1);
            if below_bound && affordable {
                Poll::Ready(())
            } else {
                state.pump = Some(cx.waker().clone());
                Poll::Pending
            }
        })
    }

    /// The pump read a chunk of `bytes` from the origin.
    pub(super) fn received(&self, bytes: usize) {
        let summary = &mut self.shared.borrow_mut().summary;
        summary.chunks_in += 1;
        summary.bytes_in += bytes as u64;
        summary.largest_chunk = summary.largest_chunk.max(bytes as u64);
    }

    /// The pump transformed a chunk into `bytes` holding `values` values
    /// (none if the chunk finished no line).
    pub(super) fn push(&self, bytes: Vec<u8>, values: u64) {
        {
            let mut state = self.shared.borrow_mut();
            state.summary.values += values;
            if bytes.is_empty() || state.body_done.is_some() {
                return;
            }
            state.budget.charge(bytes.len());
            state.waiting_bytes += bytes.len();
            state.waiting.push(Transformed { bytes, values });
            let (queued, queued_bytes) = (state.waiting.len(), state.waiting_bytes);
            let summary = &mut state.summary;
            summary.max_queue = summary.max_queue.max(queued as u64);
            summary.max_queue_bytes = summary.max_queue_bytes.max(queued_bytes as u64);
        }
        self.wake_taker();
    }

    /// The pump has stopped, for `outcome`.
    pub(super) fn pump_stopped(&self, outcome: ProxyOutcome) {
        self.shared.borrow_mut().pump_done = Some(outcome);
        self.wake_taker();
        self.finish_if_done();
    }

    /// The next chunk for the client's body, waiting for one if none is there.
    pub fn take(&self) -> impl Future<Output = Taken> + '_ {
        poll_fn(move |cx| {
            let taken = self.try_take(Some(cx.waker()));
            // A take, waiting or done, may make room for the pump.
            self.wake_pump();
            taken.map_or(Poll::Pending, Poll::Ready)
        })
    }

    /// The next chunk if one is there now; `None` when the caller must
    /// [`Pipe::take`].
    pub fn take_now(&self) -> Option<Taken> {
        let taken = self.try_take(None);
        // A take, waiting or done, may make room for the pump.
        self.wake_pump();
        taken
    }

    fn try_take(&self, waker: Option<&Waker>) -> Option<Taken> {
        let ended = {
            let mut state = self.shared.borrow_mut();
            if let Some(outcome) = state.body_done {
                Some(outcome)
            } else if !state.waiting.is_empty() {
                let chunk = state.waiting.remove(0);
                state.taker_waiting = false;
                state.waiting_bytes -= chunk.bytes.len();
                state.budget.release(chunk.bytes.len());
                state.summary.sent += chunk.values;
                return Some(Taken::Chunk(chunk.bytes));
            } else if let Some(outcome) = state.pump_done {
                state.taker_waiting = false;
                state.body_done = Some(outcome);
                Some(outcome)
            } else {
                state.taker_waiting = true;
                if let Some(waker) = waker {
                    state.taker = Some(waker.clone());
                }
                None
            }
        };
        ended.map(|outcome| Taken::End(outcome, self.finish_if_done()))
    }

    /// The client went away: drop what waits and stop the pump, which then
    /// cancels the origin's body.
    pub fn cancel(&self, why: &str) {
        let (sent, abort) = {
            let mut state = self.shared.borrow_mut();
            if state.body_done.is_some() {
                return;
            }
            state.body_done = Some(ProxyOutcome::Cancelled);
            let held = std::mem::take(&mut state.waiting_bytes);
            state.budget.release(held);
            state.waiting.clear();
            (state.summary.sent, state.abort.take())
        };
        self.run.line(format_args!(
            "{why}: proxy cancelled after {sent} values sent"
        ));
        if let Some(abort) = abort {
            abort.abort();
        }
        self.wake_taker();
        self.finish_if_done();
    }

    /// A hold for the client's body's callbacks that cancels the pipe when
    /// the runtime drops them all (see [`BodyGuard`]).
    pub fn body_guard(&self) -> BodyGuard<Pipe<H>> {
        BodyGuard::new(self.clone())
    }

    /// Writes the summary once both ends are done, and returns it to
    /// whoever completed the pair.
    fn finish_if_done(&self) -> Option<ProxySummary> {
        let summary = {
            let mut state = self.shared.borrow_mut();
            let (Some(_), Some(outcome), false) =
                (state.pump_done, state.body_done, state.finished)
            else {
                return None;
            };
            state.finished = true;
            let mut summary = state.summary.clone();
            summary.outcome = outcome;
            summary.elapsed_ms = self.run.elapsed_ms();
            summary
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

    fn wake_pump(&self) {
        let pump = self.shared.borrow_mut().pump.take();
        if let Some(pump) = pump {
            pump.wake();
        }
    }
}

impl<H: Host> Cancel for Pipe<H> {
    fn cancel(&self, why: &str) {
        Pipe::cancel(self, why);
    }
}
