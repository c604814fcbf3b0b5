//! The worker's own executor for its Rust tasks: the demo, the stream's
//! producer and every pull that must wait. A task woken from inside a
//! runtime callback (a timer, a settled promise, a stream's `pull` or
//! `cancel`) is polled before that callback returns, instead of one
//! `queueMicrotask` hop later as with `wasm_bindgen_futures::spawn_local`.
//!
//! The rules that keep this safe:
//! - Every runtime callback into Rust runs inside [`enter`]. Wakes inside it
//!   only queue their task; the outermost `enter` polls the queue after the
//!   callback's own work, when it holds no borrow of anything.
//! - A wake from anywhere else (another executor's task, the `fetch`
//!   handler) queues the task and one microtask to poll it, as before.
//! - A task is taken out of its slot while it is polled, so a poll may spawn
//!   tasks, or wake itself, freely.
//!
//! A task's waker is its slot number: nothing to count or free. A wake that
//! arrives after the task has ended, or after its slot went to a new task,
//! polls nothing or polls the new task once for nothing, which futures allow.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, RawWaker, RawWakerVTable, Waker};

use js_sys::Promise;
use wasm_bindgen::prelude::*;

type Task = Pin<Box<dyn Future<Output = ()>>>;

struct Executor {
    /// The tasks, by slot; `None` for a free slot or one whose task is being
    /// polled right now.
    slots: Vec<Option<Task>>,
    free: Vec<usize>,
    /// Slots to poll, each at most once (`queued`).
    ready: VecDeque<usize>,
    /// New tasks to poll first in a microtask of their own (see [`spawn`]).
    later: Vec<usize>,
    queued: Vec<bool>,
}

thread_local! {
    // Constant initializers throughout: no lazy set-up code per access.
    static EXECUTOR: RefCell<Executor> = const { RefCell::new(Executor::new()) };
    /// Whether Rust is running inside a runtime callback (see [`enter`]).
    static INSIDE: Cell<bool> = const { Cell::new(false) };
    /// Counts the outermost callbacks, so that others can tell them apart.
    static CALLBACKS: Cell<u64> = const { Cell::new(0) };
    /// Whether a microtask to poll the ready tasks is already queued.
    static MICROTASK_QUEUED: Cell<bool> = const { Cell::new(false) };
    /// The one callback that microtask calls, made once per isolate.
    static POLL_LATER: OnceCell<JsValue> = const { OnceCell::new() };
}

/// What the microtask queued by [`spawn`] or a wake from outside does.
fn poll_later() {
    MICROTASK_QUEUED.set(false);
    let later = EXECUTOR.with_borrow_mut(|executor| std::mem::take(&mut executor.later));
    later.into_iter().for_each(wake);
}

fn queue_poll_later() {
    if !MICROTASK_QUEUED.replace(true) {
        POLL_LATER.with(|callback| {
            queue_microtask(callback.get_or_init(|| callback_of(|_, _| poll_later())));
        });
    }
}

/// The one shape of the Rust functions the runtime calls here but a
/// stream's `pull`: a value (a settled promise's value, an event, a
/// cancel's reason) and a number that says more (which timer or promise,
/// and how it settled), with nothing to answer. wasm-bindgen writes glue
/// for each shape of closure (an exported function, its shim, a JS
/// wrapper): with one shape, the module carries that glue once. Nothing
/// answered, because an answer costs every call three more calls across
/// (the glue's stack pointer, there and back, and the answer's release),
/// and the settle callback runs for every timer and every read.
pub(crate) type Callback = dyn FnMut(JsValue, u32);

/// `work` as a JS function for the runtime to call, each call inside
/// [`enter`]. The function owns `work` from here on, as a JS closure would,
/// and frees it when the runtime lets go of it.
pub(crate) fn callback_of(mut work: impl FnMut(JsValue, u32) + 'static) -> JsValue {
    Closure::<Callback>::new(move |value, number| enter(|| work(value, number))).into_js_value()
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = queueMicrotask)]
    fn queue_microtask(callback: &JsValue);
}

/// Runs a runtime callback's Rust side: `work`, then, if this is the
/// outermost callback, every task that became ready meanwhile.
pub(crate) fn enter<R>(work: impl FnOnce() -> R) -> R {
    // The bookkeeping is in two plain functions: this one is instantiated
    // for every callback's `work`, and each copy is wasm the module carries.
    let outermost = begin_callback();
    let result = work();
    end_callback(outermost);
    result
}

/// Whether this callback is the outermost; if so, counts it.
fn begin_callback() -> bool {
    let outermost = !INSIDE.replace(true);
    if outermost {
        CALLBACKS.set(CALLBACKS.get() + 1);
    }
    outermost
}

/// After a callback's own work: the outermost polls every ready task.
fn end_callback(outermost: bool) {
    if outermost {
        poll_ready();
        INSIDE.set(false);
    }
}

/// Starts `work` as a task (see [`spawn`]) and returns a promise that settles
/// as it ends: fulfilled on `Ok`, rejected with the error otherwise. What the
/// runtime waits on: a stream's pull, a request's `waitUntil`.
pub(crate) fn spawn_promise(work: impl Future<Output = Result<(), JsValue>> + 'static) -> Promise {
    let (promise, settle) = pending_promise();
    spawn(async move { settle(work.await) });
    promise
}

/// A new promise and what settles it. Apart from [`spawn_promise`], which is
/// instantiated for each kind of work it runs, so that one copy of this
/// serves them all.
fn pending_promise() -> (Promise, impl FnOnce(Result<(), JsValue>)) {
    let promise = deferred();
    let settled = promise.clone();
    let finish = move |result: Result<(), JsValue>| match result {
        Ok(()) => settle(&settled, true, &JsValue::UNDEFINED),
        Err(error) => settle(&settled, false, &error),
    };
    (promise, finish)
}

// The promise's resolving functions stay on the JS side, kept by the promise
// they settle: `Promise::new` from Rust would take a Rust closure for its
// executor (glue of its own, for one call) and hand back two functions to
// call across.
#[wasm_bindgen(inline_js = "
const settlers = new WeakMap();
export function deferred() {
  let settler;
  const promise = new Promise((resolve, reject) => { settler = [resolve, reject]; });
  settlers.set(promise, settler);
  return promise;
}
export function settle(promise, fulfilled, value) {
  const [resolve, reject] = settlers.get(promise);
  settlers.delete(promise);
  (fulfilled ? resolve : reject)(value);
}")]
extern "C" {
    /// A new pending promise.
    fn deferred() -> Promise;
    /// Fulfils or rejects a promise from [`deferred`] with `value`, once.
    fn settle(promise: &Promise, fulfilled: bool, value: &JsValue);
}

/// Which runtime callback Rust is running in, if it is in one: the same
/// number for all of one callback's work, a new one for the next.
pub(crate) fn current_callback() -> Option<u64> {
    INSIDE.get().then(|| CALLBACKS.get())
}

/// Starts `future` as a task, first polled in a microtask, as the body of a
/// JS `async` function after its first `await` would be: a stream's `pull`
/// that enqueues a moment after it returned, as the recipe's does, lets a
/// waiting read take the value and the stream pull again, where one that
/// enqueued at once would fill the queue and wait for the next read.
pub(crate) fn spawn(future: impl Future<Output = ()> + 'static) {
    EXECUTOR.with_borrow_mut(|executor| {
        let slot = executor.insert(Box::pin(future));
        executor.later.push(slot);
    });
    queue_poll_later();
}

impl Executor {
    const fn new() -> Self {
        Executor {
            slots: Vec::new(),
            free: Vec::new(),
            ready: VecDeque::new(),
            later: Vec::new(),
            queued: Vec::new(),
        }
    }

    fn reserve(&mut self) -> usize {
        self.free.pop().unwrap_or_else(|| {
            self.slots.push(None);
            self.queued.push(false);
            self.slots.len() - 1
        })
    }

    fn insert(&mut self, task: Task) -> usize {
        let slot = self.reserve();
        self.slots[slot] = Some(task);
        slot
    }
}

fn wake(slot: usize) {
    let newly_ready = EXECUTOR.with_borrow_mut(|executor| {
        let newly_ready = !std::mem::replace(&mut executor.queued[slot], true);
        if newly_ready {
            executor.ready.push_back(slot);
        }
        newly_ready
    });
    if newly_ready && !INSIDE.get() {
        queue_poll_later();
    }
}

/// Polls every ready task, those woken meanwhile included.
fn poll_ready() {
    loop {
        let next = EXECUTOR.with_borrow_mut(|executor| {
            let slot = executor.ready.pop_front()?;
            executor.queued[slot] = false;
            Some((slot, executor.slots[slot].take()))
        });
        match next {
            None => return,
            Some((slot, Some(task))) => {
                poll_task(slot, task);
            }
            // Ended, or being polled further up the stack: nothing to do.
            Some((_, None)) => {}
        }
    }
}

/// Polls one task out of its slot; puts it back unless it finished.
fn poll_task(slot: usize, mut task: Task) {
    let waker = waker_for(slot);
    let finished = task
        .as_mut()
        .poll(&mut Context::from_waker(&waker))
        .is_ready();
    EXECUTOR.with_borrow_mut(|executor| {
        if finished {
            executor.free.push(slot);
        } else {
            executor.slots[slot] = Some(task);
        }
    });
}

// A waker is the slot number in the data pointer; cloning copies it and
// dropping it frees nothing.
const VTABLE: RawWakerVTable = RawWakerVTable::new(
    |data| RawWaker::new(data, &VTABLE),
    |data| wake(data as usize),
    |data| wake(data as usize),
    |_| {},
);

fn waker_for(slot: usize) -> Waker {
    // SAFETY: the vtable's functions only read the pointer as a number and
    // never dereference it, so any value is valid, and none needs freeing.
    unsafe { Waker::from_raw(RawWaker::new(slot as *const (), &VTABLE)) }
}
