//! `/api/stream`: the recipe's generator feeding a [`Feed`], whose takes
//! become the response body, pull or push.
//!
//! - [`params`]: the route's parameters and the push caps.
//! - [`vocabulary`]: the words all of these share (mode, ending, config, a value sent).
//! - [`chunk`]: the values of one take, in runs of consecutive values.
//! - [`queue`]: the queue's rules as a plain type: room, hand-over, cap, counts.
//! - [`feed`]: the async shell around the queue: the producer task, takes, cancel.
//! - [`wire`]: how values are written on the wire, text or NDJSON.
//! - `decimal`: the digits of consecutive values, counted up in place, and text lines a hundred at a time.
//! - [`summary`]: the line that ends every stream.
//!
//! The glue spawns the producer [`start`] returns and answers each of the
//! runtime's pulls with [`Feed::take_now`], or [`Feed::take`] when nothing is
//! ready yet. A paced producer (`produceMs` > 0)
//! logs each value as the recipe does; an unpaced one, which may make
//! millions of values, logs only its start, its end and its summary.

pub mod chunk;
mod decimal;
pub mod feed;
pub mod params;
pub mod queue;
pub mod summary;
pub mod vocabulary;
pub mod wire;

use std::future::Future;

use self::feed::Feed;
use self::params::{FORMAT, MODE, StreamParams};
use crate::budget::Budget;
use crate::generator::{DropLog, ValueLog, integers};
use crate::host::Host;
use crate::run::{Run, RunId};

/// Starts a stream's run: returns its feed and the producer task to spawn.
/// `budget` is the isolate's, shared by every stream.
pub fn start<H: Host>(
    host: H,
    id: RunId,
    params: StreamParams,
    budget: Budget,
) -> (Feed<H>, impl Future<Output = ()> + 'static) {
    let run = Run::start(host, id);
    run.line(format_args!(
        "stream started: mode={} count={} produceMs={} highWaterMark={} batch={} format={}",
        MODE.word(params.mode),
        params.count,
        params.produce_ms,
        params.high_water_mark,
        params.batch,
        FORMAT.word(params.format),
    ));
    let value_log = if params.produce_ms > 0 {
        ValueLog::EveryValue
    } else {
        ValueLog::Quiet
    };
    let (generator, made) = integers(run.clone(), params.produce_ms, value_log, DropLog::Line);
    let generator = generator.stopping_after(params.count);
    Feed::start(
        run,
        made,
        params.feed_config(),
        params.format.min_run_bytes(),
        budget,
        generator,
    )
}
