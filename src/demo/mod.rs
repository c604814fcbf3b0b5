//! The recipe's `backpressureDemo()`: a reader that takes `count` values from a
//! pull-based stream of integers, slower than they could be made, and then
//! cancels the stream.
//!
//! The demo builds the generator and its [`PullSource`], asks the caller to
//! wrap them in a stream (the glue uses the runtime's `ReadableStream`; tests use
//! a model of it), reads, and ends with a [`Summary`] line. The reader pauses
//! after every read, the last one included, exactly as the recipe's loop does.
//!
//! - [`params`]: the route's parameters, the recipe's constants as defaults.
//! - [`source`]: the stream's underlying source, one value per pull, and cancel.
//! - [`reader`]: the consumer's side of a stream, as a trait.
//! - [`tally`]: what the reader asked for and got, and the lead.
//! - [`summary`]: the line that ends every run.

pub mod params;
pub mod reader;
pub mod source;
pub mod summary;
pub mod tally;

use self::params::DemoParams;
use self::reader::ValueReader;
use self::source::PullSource;
use self::summary::{Outcome, Summary};
use self::tally::Tally;
use crate::generator::{DropLog, Integers, ValueLog, integers};
use crate::host::Host;
use crate::http::error::StreamError;
use crate::run::{Run, RunId};

/// Runs one demo to its end and returns its summary (also logged).
///
/// `open_stream` wraps the source in a stream with the given `highWaterMark`
/// and returns a reader of it.
pub async fn run<H, R, O>(host: H, id: RunId, params: DemoParams, open_stream: O) -> Summary
where
    H: Host,
    R: ValueReader,
    O: FnOnce(PullSource<Integers<H>>, u32) -> Result<R, StreamError>,
{
    let run = Run::start(host, id);
    // Only the recipe's lines, then the summary: it carries the parameters,
    // the counts and the generator's release, which would otherwise be lines
    // of their own.
    let (generator, made) = integers(
        run.clone(),
        params.produce_ms,
        ValueLog::EveryValue,
        DropLog::Silent,
    );
    let tally = Tally::new(made.clone());
    let source = PullSource::new(generator);
    let outcome = match open_stream(source.clone(), params.high_water_mark) {
        Ok(mut reader) => read_values(&run, &tally, &mut reader, params).await,
        Err(error) => {
            run.warn(format_args!("could not open the stream: {error}"));
            Outcome::Errored
        }
    };
    if !source.is_finished() {
        // Only reachable if the stream never told the source it was done.
        run.warn(format_args!("the stream kept its generator; releasing it"));
        source.cancel();
    }
    // A cancel in the middle of the generator's pause lets it go when the
    // aborted pull is next polled: wait for that, so that the summary, the
    // last word of a run, can say the generator is gone.
    source.released().await;

    let summary = Summary {
        run: run.id().as_str().to_owned(),
        event: "summary",
        params,
        produced: tally.produced(),
        consumed: tally.consumed(),
        max_lead: tally.max_lead(),
        released: made.released(),
        elapsed_ms: run.elapsed_ms(),
        outcome,
    };
    run.summary(&summary);
    summary
}

/// The recipe's read loop, followed by the cancel the recipe leaves out.
async fn read_values<H: Host, R: ValueReader>(
    run: &Run<H>,
    tally: &Tally,
    reader: &mut R,
    params: DemoParams,
) -> Outcome {
    for _ in 0..params.count {
        tally.record_requested();
        match reader.read().await {
            Ok(Some(value)) => {
                tally.record_consumed();
                run.line(format_args!("Stream value: {value}"));
            }
            Ok(None) => {
                run.warn(format_args!(
                    "the stream closed after {} values",
                    tally.consumed()
                ));
                return Outcome::ClosedEarly;
            }
            Err(error) => {
                run.warn(format_args!("read failed: {error}"));
                return Outcome::Errored;
            }
        }
        run.sleep(params.read_ms).await;
    }
    // The recipe stops reading here and leaves its generator suspended;
    // this port cancels the stream, which releases it.
    match reader.cancel().await {
        Ok(()) => Outcome::Complete,
        Err(error) => {
            run.warn(format_args!("cancel failed: {error}"));
            Outcome::Errored
        }
    }
}
