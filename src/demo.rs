//! The recipe's `backpressureDemo()`: a reader that takes `count` values from a
//! pull-based stream of integers, slower than they could be made, and then
//! cancels the stream.
//!
//! The demo builds the generator and its [`PullSource`], asks the caller to
//! wrap them in a stream (the glue uses the runtime's `ReadableStream`; tests use
//! a model of it), reads, and ends with a [`Summary`] line. The reader pauses
//! after every read, the last one included, exactly as the recipe's loop does.

use crate::generator::{Integers, ValueLog, integers};
use crate::host::Host;
use crate::params::DemoParams;
use crate::reader::{StreamError, ValueReader};
use crate::run::{RunId, RunLog};
use crate::source::PullSource;
use crate::summary::{Outcome, Summary};
use crate::tally::Tally;

/// Runs one demo to its end and returns its summary (also logged).
///
/// `open_stream` wraps the source in a stream with the given `highWaterMark`
/// and returns a reader of it.
pub async fn run<H, R, O>(host: H, id: RunId, params: DemoParams, open_stream: O) -> Summary
where
    H: Host,
    R: ValueReader,
    O: FnOnce(PullSource<Integers>, u32) -> Result<R, StreamError>,
{
    let log = RunLog::new(host.clone(), id);
    let tally = Tally::new();
    let started_ms = host.now_ms();
    log.line(format_args!(
        "demo started: count={} produceMs={} readMs={} highWaterMark={}",
        params.count, params.produce_ms, params.read_ms, params.high_water_mark
    ));

    let source = PullSource::new(integers(
        log.clone(),
        tally.clone(),
        params.produce_ms,
        ValueLog::EveryValue,
    ));
    let outcome = match open_stream(source.clone(), params.high_water_mark) {
        Ok(mut reader) => read_values(&log, &tally, &mut reader, params).await,
        Err(error) => {
            log.warn(format_args!("could not open the stream: {error}"));
            Outcome::Errored
        }
    };
    if !source.is_finished() {
        // Only reachable if the stream never told the source it was done.
        log.warn(format_args!("the stream kept its generator; releasing it"));
        source.cancel();
    }
    // A cancel in the middle of the generator's pause lets it go when the
    // aborted pull is next polled: wait for that, so that "generator
    // dropped" always comes before the summary, as the last word of a run.
    source.released().await;

    let summary = Summary {
        run: log.id().to_string(),
        event: "summary",
        produced: tally.produced(),
        consumed: tally.consumed(),
        max_lead: tally.max_lead(),
        high_water_mark: params.high_water_mark,
        elapsed_ms: (host.now_ms() - started_ms).max(0.0).round() as u64,
        outcome,
    };
    log.raw(&summary.to_json_line());
    summary
}

/// The recipe's read loop, followed by the cancel the recipe leaves out.
async fn read_values<H: Host, R: ValueReader>(
    log: &RunLog<H>,
    tally: &Tally,
    reader: &mut R,
    params: DemoParams,
) -> Outcome {
    for _ in 0..params.count {
        tally.record_requested();
        match reader.read().await {
            Ok(Some(value)) => {
                tally.record_consumed();
                log.line(format_args!("Stream value: {value}"));
            }
            Ok(None) => {
                log.warn(format_args!(
                    "the stream closed after {} values",
                    tally.consumed()
                ));
                return Outcome::ClosedEarly;
            }
            Err(error) => {
                log.warn(format_args!("read failed: {error}"));
                return Outcome::Errored;
            }
        }
        log.host().sleep(params.read_ms).await;
    }
    log.line(format_args!(
        "read {} values; cancelling the stream",
        params.count
    ));
    match reader.cancel().await {
        Ok(()) => Outcome::Complete,
        Err(error) => {
            log.warn(format_args!("cancel failed: {error}"));
            Outcome::Errored
        }
    }
}
