//! The producer's side of a [`Feed`]: the task that runs the generator into
//! the queue whenever the queue has room, and the inline refill that lets a
//! take wake it without a trip through the event loop.

use std::future::poll_fn;
use std::task::{Context, Poll, Waker};

use futures::StreamExt;

use super::Feed;
use crate::generator::Integers;
use crate::host::Host;
use crate::stream::queue::Room;
use crate::stream::vocabulary::Ending;

impl<H: Host> Feed<H> {
    /// Polls the producer once with the driver task's waker, so that whatever
    /// it waits on wakes that task. Ready when the producer has finished.
    pub(super) fn drive(&self, driver: &Waker) -> Poll<()> {
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
    /// loop: one fewer trip through the task queue per chunk. True if it did
    /// (the producer has then gone as far as it can for now).
    pub(super) fn refill_now(&self) -> bool {
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
                true
            }
            None => {
                self.wake_producer();
                false
            }
        }
    }

    /// Runs `generator` into the queue until it ends, the queue caps it, or
    /// the budget stops it.
    pub(super) async fn produce(self, mut generator: Integers<H>) -> Ending {
        poll_fn(|cx| self.fill(&mut generator, cx)).await
    }

    /// Makes every value the generator has ready, for as long as the queue
    /// has room: an unpaced producer fills a whole batch in one call. Values
    /// made in one call share one reading of the clock (on Workers it moves
    /// only between the runtime's callbacks, and one call runs inside one),
    /// and the take is woken once, after the last.
    ///
    /// Room is asked for before every value, a paced one included: a pause
    /// that ends while the queue is full leaves its value in the generator,
    /// made (and logged) when a take makes room, never beyond the bound. In
    /// pull mode, values that need no pause and no line are made all at
    /// once, as many as there is room for (the queue's
    /// [`Queue::pull_room`](crate::stream::queue::Queue::pull_room)), and
    /// wait as one run: the same values, times and leads as one at a time.
    fn fill(&self, generator: &mut Integers<H>, cx: &mut Context<'_>) -> Poll<Ending> {
        let mut produced_at_ms = None;
        let outcome = loop {
            let room = {
                let mut shared = self.shared.borrow_mut();
                let room = shared.queue.room();
                if room == Room::Wait {
                    shared.producer = Some(cx.waker().clone());
                }
                room
            };
            match room {
                Room::Yes => {}
                Room::Wait => break Poll::Pending,
                Room::BudgetSpent => {
                    self.warn_budget_spent();
                    break Poll::Ready(Ending::Capped);
                }
            }
            let made_before = self.made.get();
            let pull_room = self.shared.borrow().queue.pull_room();
            if let Some((first, len)) = generator.make_at_once(pull_room) {
                let at = *produced_at_ms.get_or_insert_with(|| self.run.elapsed_ms());
                let mut shared = self.shared.borrow_mut();
                shared.queue.push_run(first, len, at, made_before + 1);
                continue;
            }
            let value = match generator.poll_next_unpin(cx) {
                Poll::Ready(Some(value)) => value,
                Poll::Ready(None) => break Poll::Ready(Ending::Complete),
                Poll::Pending => break Poll::Pending,
            };
            let made_as = self.made.get();
            let at = *produced_at_ms.get_or_insert_with(|| self.run.elapsed_ms());
            let capped = self.shared.borrow_mut().queue.push(value, at, made_as);
            if capped {
                self.warn_capped(made_as);
                break Poll::Ready(Ending::Capped);
            }
        };
        if produced_at_ms.is_some() {
            self.wake_taker();
        }
        outcome
    }

    fn warn_budget_spent(&self) {
        let (waiting, in_use, limit) = {
            let shared = self.shared.borrow();
            let budget = shared.queue.budget();
            (shared.queue.waiting(), budget.in_use(), budget.limit())
        };
        self.run.warn(format_args!(
            "the isolate's memory budget for waiting values is spent ({in_use} of \
             {limit} bytes, {waiting} values of this stream): producer stopped after {} values",
            self.made.get(),
        ));
    }

    fn warn_capped(&self, made_as: u64) {
        let (config, (waiting, bytes)) = {
            let shared = self.shared.borrow();
            (shared.queue.config(), shared.queue.load())
        };
        self.run.warn(format_args!(
            "push queue reached its cap ({waiting} values, {bytes} bytes waiting; \
             the cap is {} values or {} bytes): producer stopped after {made_as} values",
            config.cap_values, config.cap_bytes,
        ));
    }
}
