//! The underlying source of a pull-based stream: the recipe's
//! `pull(controller)`, which takes exactly one value from the generator each
//! time the stream asks, and a `cancel` that lets the generator go.
//!
//! The stream machinery (queue, `highWaterMark`, when to call `pull`) is the
//! runtime's own `ReadableStream`; this type is what its callbacks call into.
//! It is shared (`Clone`) because the `pull` and `cancel` callbacks are two
//! separate JS functions that both need it.
//!
//! Cancelling drops an idle generator at once; when a pull is in flight and
//! the generator is in the middle of its pause, the pull is aborted and the
//! generator dropped as soon as that pull is next polled (the abort wakes it),
//! so no `yielding` line can follow a cancel. [`PullSource::released`] waits
//! for that moment, so that whoever ends the run can say the generator is
//! gone before it writes its last line.

use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::mem;
use std::rc::Rc;
use std::task::{Poll, Waker};

use futures::future::{AbortHandle, Abortable};
use futures::{Stream, StreamExt};

/// What one pull produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pulled<T> {
    /// The next value, to be enqueued.
    Value(T),
    /// The generator is exhausted: the stream should close.
    End,
    /// The stream was cancelled before or during this pull; nothing to enqueue.
    Cancelled,
}

/// A generator held on behalf of a stream, taken one value per pull.
#[must_use = "a source does nothing unless a stream pulls it"]
pub struct PullSource<S> {
    state: Rc<RefCell<State<S>>>,
}

impl<S> Clone for PullSource<S> {
    fn clone(&self) -> Self {
        PullSource {
            state: Rc::clone(&self.state),
        }
    }
}

enum State<S> {
    /// Waiting for the next pull.
    Idle(S),
    /// A pull has the generator; the handle aborts it.
    Pulling(AbortHandle),
    /// The generator ran out; it is gone.
    Exhausted,
    /// The stream was cancelled while a pull held the generator: it goes when
    /// that pull is next polled. The waker is whoever awaits [`PullSource::released`].
    Cancelling(Option<Waker>),
    /// The stream was cancelled; the generator is gone.
    Cancelled,
}

impl<S: Stream + Unpin + 'static> PullSource<S> {
    /// Holds `generator` until the stream pulls from it.
    pub fn new(generator: S) -> Self {
        PullSource {
            state: Rc::new(RefCell::new(State::Idle(generator))),
        }
    }

    /// Takes the next value from the generator.
    ///
    /// A stream calls `pull` again only after the previous one has settled;
    /// an overlapping call is answered with `Cancelled` rather than a panic.
    pub async fn pull(&self) -> Pulled<S::Item> {
        let (abort, registration) = AbortHandle::new_pair();
        let previous = mem::replace(&mut *self.state.borrow_mut(), State::Pulling(abort));
        let mut generator = match previous {
            State::Idle(generator) => generator,
            other => {
                let answer = match other {
                    State::Exhausted => Pulled::End,
                    _ => Pulled::Cancelled,
                };
                *self.state.borrow_mut() = other;
                return answer;
            }
        };
        // The generator moves into the abortable future, so an abort drops it
        // with that future, wherever it was suspended.
        let next = Abortable::new(
            async move {
                let item = generator.next().await;
                (generator, item)
            },
            registration,
        )
        .await;
        let (generator, item) = match next {
            Ok(pulled) => pulled,
            Err(_aborted) => {
                // The abortable future, and the generator in it, are gone.
                self.cancelled();
                return Pulled::Cancelled;
            }
        };
        let mut state = self.state.borrow_mut();
        let still_wanted = matches!(*state, State::Pulling(_));
        match item {
            Some(item) if still_wanted => {
                *state = State::Idle(generator);
                Pulled::Value(item)
            }
            None if still_wanted => {
                *state = State::Exhausted;
                drop(state);
                // Dropped after the borrow, like everything the source lets go.
                drop(generator);
                Pulled::End
            }
            // Cancelled after the value was made but before this pull resumed:
            // the stream is closed, so the value has nowhere to go.
            _ => {
                drop(state);
                drop(generator);
                self.cancelled();
                Pulled::Cancelled
            }
        }
    }

    /// Lets the generator go: dropped now if idle, or as soon as the pull
    /// that holds it is next polled.
    pub fn cancel(&self) {
        let previous = {
            let mut state = self.state.borrow_mut();
            let next = match *state {
                State::Idle(_) => State::Cancelled,
                State::Pulling(_) => State::Cancelling(None),
                // Already let go.
                State::Exhausted | State::Cancelling(_) | State::Cancelled => return,
            };
            mem::replace(&mut *state, next)
        };
        match previous {
            State::Pulling(abort) => abort.abort(),
            // Dropped here, after the borrow above has ended, so that any code
            // the generator runs on drop may use this source again.
            idle => drop(idle),
        }
    }

    /// The aborted pull has dropped the generator: the cancel is complete.
    fn cancelled(&self) {
        let previous = mem::replace(&mut *self.state.borrow_mut(), State::Cancelled);
        if let State::Cancelling(Some(waiting)) = previous {
            waiting.wake();
        }
    }

    /// Whether the generator has been let go, by cancel or exhaustion (it may
    /// still be on its way out: see [`PullSource::released`]).
    pub fn is_finished(&self) -> bool {
        matches!(
            *self.state.borrow(),
            State::Exhausted | State::Cancelling(_) | State::Cancelled
        )
    }

    /// Resolves once the generator has been dropped: at once after an idle
    /// cancel or an exhaustion, or when the pull a cancel aborted is next
    /// polled. Never resolves for a source that is still wanted.
    pub fn released(&self) -> impl Future<Output = ()> + '_ {
        poll_fn(|cx| match &mut *self.state.borrow_mut() {
            State::Exhausted | State::Cancelled => Poll::Ready(()),
            State::Cancelling(waiting) => {
                *waiting = Some(cx.waker().clone());
                Poll::Pending
            }
            State::Idle(_) | State::Pulling(_) => Poll::Pending,
        })
    }
}
