//! `/api/ingest`: a fast uploader and a slow worker. The worker reads the
//! request body one chunk at a time and works on each for `readMs` before it
//! asks for the next, so the runtime reads from the socket only as fast as
//! that, and a client that sends faster is held back by TCP itself: the
//! worker holds one chunk at a time, whatever the size of the upload.
//!
//! - [`params`]: `readMs`, the limit, the media types, and the checks on the
//!   headers before anything is read.
//! - [`summary`]: the run's last line, also the answer's body.
//!
//! Each chunk counts against the isolate's memory budget while the worker
//! works on it. Like a pull stream with an empty queue, an upload is never
//! stopped by the budget: it holds one chunk, and waiting would only hold it
//! longer.

pub mod params;
pub mod summary;

use self::params::{IngestParams, MAX_BODY_BYTES};
use self::summary::{IngestOutcome, IngestSummary};
use crate::body::ChunkReader;
use crate::budget::Budget;
use crate::host::Host;
use crate::run::{Run, RunId};

/// Reads one upload to its end (or the limit, or the client's leaving) and
/// returns its summary (also logged).
pub async fn run<H: Host, R: ChunkReader>(
    host: H,
    id: RunId,
    params: IngestParams,
    mut reader: R,
    budget: Budget,
) -> IngestSummary {
    let run = Run::start(host, id);
    let mut summary = IngestSummary {
        run: run.id().as_str().to_owned(),
        read_ms: params.read_ms,
        bytes: 0,
        lines: 0,
        chunks: 0,
        largest_chunk: 0,
        elapsed_ms: 0,
        outcome: IngestOutcome::Complete,
    };
    loop {
        let chunk = match reader.read().await {
            Ok(Some(bytes)) => Chunk::of(bytes),
            Ok(None) => break,
            Err(error) => {
                run.warn(format_args!(
                    "the upload stopped after {} bytes: {error}",
                    summary.bytes
                ));
                summary.outcome = IngestOutcome::Cancelled;
                break;
            }
        };
        if summary.bytes + chunk.bytes > MAX_BODY_BYTES {
            run.warn(format_args!(
                "the upload passed {MAX_BODY_BYTES} bytes after {} bytes read: stopped reading",
                summary.bytes
            ));
            reader.cancel().await;
            summary.outcome = IngestOutcome::TooLarge;
            break;
        }
        let held = Held::new(&budget, chunk.bytes);
        summary.bytes += chunk.bytes;
        summary.lines += chunk.newlines;
        summary.chunks += 1;
        summary.largest_chunk = summary.largest_chunk.max(chunk.bytes);
        if params.read_ms > 0 {
            // The worker's work on this chunk; the next is not asked for
            // until it is done.
            run.sleep(params.read_ms).await;
        }
        drop(held);
    }
    summary.elapsed_ms = run.elapsed_ms();
    run.summary(&summary);
    summary
}

/// What the worker keeps of a chunk: its counts.
struct Chunk {
    bytes: u64,
    newlines: u64,
}

impl Chunk {
    fn of(bytes: &[u8]) -> Chunk {
        Chunk {
            bytes: bytes.len() as u64,
            newlines: bytes.iter().filter(|&&byte| byte == b'\n').count() as u64,
        }
    }
}

/// A chunk's bytes charged to the isolate's budget while the worker works on
/// it; given back when dropped, even if the run is dropped mid-pause.
struct Held<'a> {
    budget: &'a Budget,
    bytes: usize,
}

impl<'a> Held<'a> {
    fn new(budget: &'a Budget, bytes: u64) -> Self {
        // A chunk is in memory, so its length fits a usize; saturating rather
        // than panicking keeps the formatting of the error out of the wasm.
        let bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
        budget.charge(bytes);
        Held { budget, bytes }
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.budget.release(self.bytes);
    }
}
