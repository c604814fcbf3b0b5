//! The memory every run of an isolate may hold ahead of its clients, as
//! one budget they share: a stream's waiting values, an upload's chunk, a
//! proxy's transformed chunks.
//!
//! A per-stream cap bounds one stream, not the worker: forty stalled push
//! streams, each within its cap, could still fill an isolate's 128 MB, and
//! wasm memory never shrinks once grown. So every value waiting in any queue
//! is charged here, at the bytes it takes while it waits. A push producer
//! stops when the budget is spent; a pull producer waits (it never needs
//! more than its one next value to make progress, which it always gets).
//!
//! The glue keeps one budget per isolate ([`ISOLATE_BUDGET_BYTES`]); tests
//! make their own.

use std::cell::Cell;
use std::rc::Rc;

/// What all the runs of one isolate may hold ahead of their clients
/// together, in bytes (4 MiB: 131,072 push-stream values at 32 bytes). An isolate
/// has 128 MB; the runtime's own buffers for each stalled response come on
/// top (3 to 6 MB of the process per stalled stream, measured by
/// `bench/stalled.js`; most with one value per chunk, least with large text
/// chunks).
pub const ISOLATE_BUDGET_BYTES: usize = 4 << 20;

/// A shared budget of bytes. Cloning gives another handle to the same one.
#[derive(Clone, Debug)]
pub struct Budget(Rc<State>);

#[derive(Debug)]
struct State {
    limit: usize,
    in_use: Cell<usize>,
}

impl Budget {
    /// A budget of `limit` bytes, none of them in use.
    pub fn new(limit: usize) -> Self {
        Budget(Rc::new(State {
            limit,
            in_use: Cell::new(0),
        }))
    }

    /// Whether `bytes` more fit.
    pub fn has_room_for(&self, bytes: usize) -> bool {
        bytes <= self.0.limit.saturating_sub(self.0.in_use.get())
    }

    /// Charges `bytes`, which the caller has checked fit (or must hold
    /// anyway: a pull stream's one next value).
    pub fn charge(&self, bytes: usize) {
        self.0.in_use.set(self.0.in_use.get() + bytes);
    }

    /// Gives back `bytes` charged earlier.
    pub fn release(&self, bytes: usize) {
        // Each queue gives back exactly what it charged for the values it
        // held; more would be a bug in its accounting, not a state to wrap.
        let in_use = self.0.in_use.get().checked_sub(bytes);
        self.0
            .in_use
            .set(in_use.expect("a stream gives back no more than it was charged"));
    }

    /// Bytes charged now, by every stream together.
    pub fn in_use(&self) -> usize {
        self.0.in_use.get()
    }

    /// The most that may be charged.
    pub fn limit(&self) -> usize {
        self.0.limit
    }
}
