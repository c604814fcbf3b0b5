//! The words every part of `/api/stream` shares: the mode, how a stream
//! ended, how its queue is configured, and a value as it leaves the worker.
//! They sit below all their users, so no part imports another for them.

/// Whether the producer waits for the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Make a value only when there is room for it: backpressure respected.
    Pull,
    /// Make every value as soon as possible: backpressure ignored, up to a cap.
    Push,
}

/// How a stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Every value was made and sent.
    Complete,
    /// The client went away or cancelled the body.
    Cancelled,
    /// Push mode hit its cap; what had been made was sent, the rest never made.
    Capped,
}

impl Ending {
    /// The ending as the summary names it.
    pub fn word(self) -> &'static str {
        match self {
            Ending::Complete => "complete",
            Ending::Cancelled => "cancelled",
            Ending::Capped => "capped",
        }
    }
}

/// How a queue behaves.
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
    /// many bytes (by the queue's `size_of`).
    pub cap_bytes: usize,
}

/// A value as it leaves the worker for the response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// The integer.
    pub value: u64,
    /// When it was made, in ms since the stream started.
    pub produced_at_ms: u64,
    /// How many values the producer had made beyond this one when it was taken.
    pub lead: u64,
}
