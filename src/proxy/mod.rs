//! `/api/proxy`: backpressure carried across a worker that sits between an
//! origin and a client. The worker fetches `/api/stream` from the origin
//! (the `ORIGIN` service binding), transforms each value in Rust
//! ([`transform`]), and streams the result to the client through a queue of
//! its own, bounded in chunks ([`pipe`]).
//!
//! ```text
//! origin producer -> origin body -> pump: read, transform -> pipe (≤ H chunks) -> client body
//! ```
//!
//! Each link moves only when the next one asks: the client's body pulls from
//! the pipe, the pump reads the origin's body only while the pipe has room,
//! and the origin's producer makes values only when its body is read. A
//! client that stops reading therefore stops the origin, and the worker
//! holds at most `max(transformHighWaterMark, 1)` transformed chunks, the
//! chunk it is transforming and an unfinished line (at most
//! [`transform::MAX_LINE_BYTES`]), whatever the length of the stream. A client that hangs up cancels the
//! pipe, whose pump cancels the origin's body: the origin's run ends
//! `cancelled`, and so does the proxy's.
//!
//! - [`params`]: the origin's parameters, passed through, and the transform's.
//! - [`transform`]: the value, its square and the running sum.
//! - [`pipe`]: the transform's queue and its two ends.
//! - [`summary`]: the run's last line.

pub mod params;
pub mod pipe;
pub mod summary;
pub mod transform;

use std::future::Future;

use futures::future::{AbortHandle, Abortable};

use self::params::ProxyParams;
use self::pipe::Pipe;
use self::summary::ProxyOutcome;
use self::transform::{OriginFault, Transform};
use crate::body::ChunkReader;
use crate::budget::Budget;
use crate::host::Host;
use crate::run::{Run, RunId};
use crate::stream::params::FORMAT;

/// Starts a proxied stream over the origin's body `origin`, whose run is
/// `origin_run`: returns the pipe for the client's body, and the pump task
/// to spawn. `budget` is the isolate's.
pub fn start<H: Host, R: ChunkReader + 'static>(
    host: H,
    id: RunId,
    params: ProxyParams,
    origin_run: &str,
    origin: R,
    budget: Budget,
) -> (Pipe<H>, impl Future<Output = ()> + 'static) {
    let run = Run::start(host, id);
    run.line(format_args!(
        "proxy started: originRun={origin_run} count={} produceMs={} highWaterMark={} batch={} \
         format={} transformHighWaterMark={}",
        params.count,
        params.produce_ms,
        params.high_water_mark,
        params.batch,
        FORMAT.word(params.format),
        params.transform_high_water_mark,
    ));
    let (abort, registration) = AbortHandle::new_pair();
    let pipe = Pipe::new(
        run,
        origin_run,
        params.transform_high_water_mark,
        budget,
        abort,
    );
    let pump_pipe = pipe.clone();
    let task = async move {
        let mut origin = origin;
        let transform = Transform::new(params.format);
        let pumped = Abortable::new(pump(&pump_pipe, &mut origin, transform), registration).await;
        let outcome = pumped.unwrap_or(ProxyOutcome::Cancelled);
        // The run's end does not wait for the origin to acknowledge it.
        pump_pipe.pump_stopped(outcome);
        if outcome != ProxyOutcome::Complete {
            // Tells the origin to stop: its body is cancelled, and with it
            // its producer.
            origin.cancel().await;
        }
    };
    (pipe, task)
}

/// Reads the origin's body into the pipe, a chunk at a time and only when
/// the pipe has room, transforming each chunk on the way.
async fn pump<H: Host, R: ChunkReader>(
    pipe: &Pipe<H>,
    origin: &mut R,
    mut transform: Transform,
) -> ProxyOutcome {
    loop {
        pipe.room().await;
        let chunk = match origin.read().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(error) => {
                pipe.run().warn(format_args!(
                    "the origin's body failed after {} values: {error}",
                    transform.values()
                ));
                return ProxyOutcome::OriginFailed;
            }
        };
        pipe.received(chunk.len());
        // Text lines grow about threefold (value, square, sum).
        let mut out = Vec::with_capacity(chunk.len() * 4);
        let before = transform.values();
        let transformed = transform.chunk(chunk, &mut out);
        // The lines before a bad one in the same chunk still go to the client.
        pipe.push(out, transform.values() - before);
        if let Err(fault) = transformed {
            return origin_failed(pipe, &fault);
        }
    }
    match transform.end() {
        Ok(()) => ProxyOutcome::Complete,
        Err(fault) => origin_failed(pipe, &fault),
    }
}

fn origin_failed<H: Host>(pipe: &Pipe<H>, fault: &OriginFault) -> ProxyOutcome {
    pipe.run().warn(format_args!("{}: proxy stopped", fault.0));
    ProxyOutcome::OriginFailed
}
