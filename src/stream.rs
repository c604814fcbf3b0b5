//! One run of `/api/stream`: the recipe's generator feeding a [`Feed`], whose
//! takes become the response body.
//!
//! The glue spawns the returned producer and answers each of the runtime's
//! pulls with [`Feed::take`]. A paced producer (`produceMs` > 0) logs each
//! value as the recipe does; an unpaced one, which may make millions of values,
//! logs only its start, its end and its summary.

use std::future::Future;

use futures::StreamExt;

use crate::feed::{Feed, Mode};
use crate::generator::{ValueLog, integers};
use crate::host::Host;
use crate::run::{RunId, RunLog};
use crate::stream_params::StreamParams;
use crate::tally::Tally;
use crate::wire::Format;

/// Starts a stream's run: returns its feed and the producer task to spawn.
pub fn start<H: Host>(
    host: H,
    id: RunId,
    params: StreamParams,
) -> (Feed<H>, impl Future<Output = ()> + 'static) {
    let log = RunLog::new(host, id);
    log.line(format_args!(
        "stream started: mode={} count={} produceMs={} highWaterMark={} batch={} format={}",
        match params.mode {
            Mode::Pull => "pull",
            Mode::Push => "push",
        },
        params.count,
        params.produce_ms,
        params.high_water_mark,
        params.batch,
        match params.format {
            Format::Text => "text",
            Format::Ndjson => "ndjson",
        },
    ));
    let value_log = if params.produce_ms > 0 {
        ValueLog::EveryValue
    } else {
        ValueLog::Quiet
    };
    let tally = Tally::new();
    // `count` is at most 10 million, which fits any usize.
    let generator = integers(log.clone(), tally.clone(), params.produce_ms, value_log)
        .take(params.count as usize);
    Feed::start(
        log,
        tally,
        params.feed_config(),
        params.format.min_line_bytes(),
        generator,
    )
}
