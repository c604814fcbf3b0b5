//! Timers, promises and a stream's reads as Rust futures through one runtime
//! callback per isolate, instead of a new wasm-bindgen closure for every
//! sleep (`worker::Delay`) and two for every awaited promise
//! (`wasm_bindgen_futures::JsFuture`); each such closure is a JS function the
//! runtime must make, register for finalization and later collect.
//!
//! A few lines of JS hand each timer, promise or read a number (a slot here)
//! and call back with that number when it fires or settles; Rust keeps what the
//! slot's future waits for, wakes it, and decides what happens next. The
//! callback runs inside [`tasks::enter`], so the woken task is polled before
//! the callback returns.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use web_sys::ReadableStreamDefaultReader;

use super::tasks;

#[wasm_bindgen(inline_js = r#"
let settled;
export function install(callback) { settled = callback; }
export function startTimer(ms, tag) { return setTimeout(() => settled(undefined, tag), ms); }
export function stopTimer(handle) { clearTimeout(handle); }
export function watch(promise, tag) {
  promise.then((value) => settled(value, tag + 1), (error) => settled(error, tag + 2));
}
export function watchRead(reader, tag) {
  reader.read().then(
    (result) => settled(result.done ? undefined : result.value, tag + 1),
    (error) => settled(error, tag + 2),
  );
}
"#)]
extern "C" {
    fn install(callback: &JsValue);
    #[wasm_bindgen(js_name = startTimer)]
    fn start_timer(ms: u32, tag: u32) -> JsValue;
    #[wasm_bindgen(js_name = stopTimer)]
    fn stop_timer(handle: &JsValue);
    fn watch(promise: &JsValue, tag: u32);
    #[wasm_bindgen(js_name = watchRead)]
    fn watch_read(reader: &JsValue, tag: u32);
}

/// What a slot's timer, promise or read came to.
enum Outcome {
    Fired,
    Fulfilled(JsValue),
    Rejected(JsValue),
}

/// One timer, promise or read being waited for.
enum Slot {
    Free,
    Waiting(Option<Waker>),
    /// Its future was dropped; the callback will only free the slot.
    Abandoned,
    Done(Outcome),
}

struct Slots {
    slots: Vec<Slot>,
    free: Vec<u32>,
}

thread_local! {
    static SLOTS: RefCell<Slots> = const {
        RefCell::new(Slots {
            slots: Vec::new(),
            free: Vec::new(),
        })
    };
    /// Whether the callback has been handed to the JS side yet.
    static INSTALLED: Cell<bool> = const { Cell::new(false) };
}

/// The one callback: the timer or promise of the slot that `tag` names (see
/// [`tag`]) fired (`tag` as it was handed out), was fulfilled (plus 1) or
/// was rejected (plus 2) with `value`.
fn settled(value: JsValue, tag: u32) {
    let outcome = match tag % 4 {
        0 => Outcome::Fired,
        1 => Outcome::Fulfilled(value),
        _ => Outcome::Rejected(value),
    };
    let waker = SLOTS.with_borrow_mut(|slots| slots.settle(tag / 4, outcome));
    if let Some(waker) = waker {
        waker.wake();
    }
}

/// The number the JS side is handed for `slot`: the slot times four, so
/// that the callback's one number carries the slot and how it settled. A
/// slot takes at least eight bytes of a 4 GiB memory, so there are fewer
/// than 2^29 of them, and four times one fits.
fn tag(slot: u32) -> u32 {
    slot * 4
}

impl Slots {
    /// A slot for a new timer or promise, whose callback will wake `waker`.
    fn open(&mut self, waker: &Waker) -> u32 {
        if !INSTALLED.replace(true) {
            install(&tasks::callback_of(settled));
        }
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.slots.push(Slot::Free);
                // A slot is a few bytes of a 4 GiB memory: there are always
                // fewer than 2^32 of them. No `expect`: its message would
                // bring the formatting of the error into the wasm.
                u32::try_from(self.slots.len() - 1).unwrap_or(u32::MAX)
            }
        };
        self.slots[slot as usize] = Slot::Waiting(Some(waker.clone()));
        slot
    }

    /// The slot is free for another timer or promise.
    fn free(&mut self, slot: u32) {
        self.slots[slot as usize] = Slot::Free;
        self.free.push(slot);
    }

    fn settle(&mut self, slot: u32, outcome: Outcome) -> Option<Waker> {
        let entry = &mut self.slots[slot as usize];
        match std::mem::replace(entry, Slot::Free) {
            Slot::Waiting(waker) => {
                *entry = Slot::Done(outcome);
                waker
            }
            Slot::Abandoned => {
                self.free(slot);
                None
            }
            // Not reachable: a slot is free or done only once its callback
            // has come, or after its timer was cleared.
            other => {
                *entry = other;
                None
            }
        }
    }

    /// The slot's outcome, if it has one (the slot is then free), or
    /// `None` after noting `waker` as the one to wake.
    fn poll(&mut self, slot: u32, waker: &Waker) -> Option<Outcome> {
        let entry = &mut self.slots[slot as usize];
        match std::mem::replace(entry, Slot::Free) {
            Slot::Done(outcome) => {
                self.free(slot);
                Some(outcome)
            }
            _ => {
                *entry = Slot::Waiting(Some(waker.clone()));
                None
            }
        }
    }

    /// The slot's future is gone: free it now if it is done, else when its
    /// callback comes.
    fn abandon(&mut self, slot: u32) -> bool {
        if let Slot::Done(_) = self.slots[slot as usize] {
            self.free(slot);
            true
        } else {
            self.slots[slot as usize] = Slot::Abandoned;
            false
        }
    }
}

/// A `setTimeout` of `ms` as a future. Dropped before it fires, it clears
/// the timer, so an aborted pause leaves nothing behind.
pub(crate) struct Sleep {
    ms: u32,
    state: SleepState,
}

enum SleepState {
    NotStarted,
    Started { slot: u32, handle: JsValue },
    Finished,
}

impl Sleep {
    pub(crate) fn new(ms: u32) -> Self {
        Sleep {
            ms,
            state: SleepState::NotStarted,
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        match &this.state {
            SleepState::NotStarted => {
                let slot = SLOTS.with_borrow_mut(|slots| slots.open(cx.waker()));
                let handle = start_timer(this.ms, tag(slot));
                this.state = SleepState::Started { slot, handle };
                Poll::Pending
            }
            SleepState::Started { slot, .. } => {
                match SLOTS.with_borrow_mut(|slots| slots.poll(*slot, cx.waker())) {
                    Some(_) => {
                        this.state = SleepState::Finished;
                        Poll::Ready(())
                    }
                    None => Poll::Pending,
                }
            }
            SleepState::Finished => Poll::Ready(()),
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let SleepState::Started { slot, handle } = &self.state
            && !SLOTS.with_borrow_mut(|slots| slots.abandon(*slot))
        {
            // Not fired yet: it never will, so free the slot now.
            stop_timer(handle);
            SLOTS.with_borrow_mut(|slots| slots.free(*slot));
        }
    }
}

/// A JS promise as a future of its value or its rejection.
pub(crate) struct Settled {
    state: SettledState,
}

enum SettledState {
    /// What to watch, and the JS function that watches it.
    NotStarted(JsValue, fn(&JsValue, u32)),
    Watching(u32),
    Finished,
}

impl Settled {
    pub(crate) fn new(promise: Promise) -> Self {
        Settled {
            state: SettledState::NotStarted(promise.into(), watch),
        }
    }

    /// The next read of `reader`: the value read, or `undefined` once the
    /// stream is done (no stream this worker reads holds `undefined`). One
    /// call across per read, where the read and then its `done` and its
    /// `value` were three; and settled in the same microtask as a watched
    /// `reader.read()`, so the order of a run's lines does not change.
    pub(crate) fn read(reader: &ReadableStreamDefaultReader) -> Self {
        Settled {
            state: SettledState::NotStarted(reader.into(), watch_read),
        }
    }
}

impl Future for Settled {
    type Output = Result<JsValue, JsValue>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        match &this.state {
            SettledState::NotStarted(target, watch) => {
                let slot = SLOTS.with_borrow_mut(|slots| slots.open(cx.waker()));
                watch(target, tag(slot));
                this.state = SettledState::Watching(slot);
                Poll::Pending
            }
            SettledState::Watching(slot) => {
                match SLOTS.with_borrow_mut(|slots| slots.poll(*slot, cx.waker())) {
                    Some(outcome) => {
                        this.state = SettledState::Finished;
                        Poll::Ready(match outcome {
                            Outcome::Rejected(error) => Err(error),
                            Outcome::Fulfilled(value) => Ok(value),
                            Outcome::Fired => Ok(JsValue::UNDEFINED),
                        })
                    }
                    None => Poll::Pending,
                }
            }
            SettledState::Finished => panic!("a settled promise's future was polled again"),
        }
    }
}

impl Drop for Settled {
    fn drop(&mut self) {
        if let SettledState::Watching(slot) = self.state {
            // A promise cannot be unwatched: its callback frees the slot.
            SLOTS.with_borrow_mut(|slots| slots.abandon(slot));
        }
    }
}
