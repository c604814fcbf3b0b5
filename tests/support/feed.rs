//! Running `/api/stream`'s feed in a test: starting a stream, and a client
//! that takes chunks at a pace and may stop reading.

use std::time::Duration;

use handling_backpressure::budget::Budget;
use handling_backpressure::budget::ISOLATE_BUDGET_BYTES;
use handling_backpressure::generator::{DropLog, ValueLog, integers};
use handling_backpressure::host::Host;
use handling_backpressure::run::{Run, RunId};
use handling_backpressure::stream;
use handling_backpressure::stream::feed::{Feed, Taken};
use handling_backpressure::stream::params::StreamParams;
use handling_backpressure::stream::summary::StreamSummary;
use handling_backpressure::stream::vocabulary::{Ending, FeedConfig, Mode};
use handling_backpressure::stream::wire::Format;

use super::{TestHost, on_virtual_time};

pub fn params(mode: Mode, count: u64, high_water_mark: u32, batch: u32) -> StreamParams {
    StreamParams {
        count,
        produce_ms: 0,
        high_water_mark,
        batch,
        mode,
        format: Format::Text,
    }
}

/// What a client saw and what the run reported.
pub struct Seen {
    pub values: Vec<u64>,
    pub leads: Vec<u64>,
    /// The size of each chunk, in values.
    pub chunks: Vec<usize>,
    pub summary: Option<StreamSummary>,
    pub ending: Option<Ending>,
}

/// Takes chunks like the runtime would for a client that reads one pull's
/// worth every `pace_ms` (a take, then, as the body does, every further
/// chunk `take_more_now` gives), and stops after `max_takes` takes (a client
/// that stops reading), then waits a minute of virtual time.
pub async fn consume<H: Host>(feed: &Feed<H>, pace_ms: u64, max_takes: usize) -> Seen {
    let mut seen = Seen {
        values: Vec::new(),
        leads: Vec::new(),
        chunks: Vec::new(),
        summary: None,
        ending: None,
    };
    for _ in 0..max_takes {
        match feed.take().await {
            Taken::Chunk(chunk) => {
                let mut next = Some(chunk);
                while let Some(chunk) = next {
                    seen.chunks.push(chunk.len());
                    for sent in chunk.iter() {
                        seen.values.push(sent.value);
                        seen.leads.push(sent.lead);
                    }
                    next = feed.take_more_now();
                }
            }
            Taken::End(ending, summary) => {
                seen.ending = Some(ending);
                seen.summary = summary;
                return seen;
            }
        }
        tokio::time::sleep(Duration::from_millis(pace_ms)).await;
    }
    tokio::time::sleep(Duration::from_secs(60)).await;
    seen
}

/// Starts a stream with `params` and spawns its producer; must run inside
/// `on_virtual_time`.
pub fn spawn_stream(host: &TestHost, id: u32, params: StreamParams) -> Feed<TestHost> {
    let (feed, producer) = stream::start(host.clone(), RunId::from_bits(id), params, budget());
    tokio::task::spawn_local(producer);
    feed
}

/// Starts a stream with `params`, spawns its producer, and consumes it.
pub fn run_stream(params: StreamParams, pace_ms: u64, max_takes: usize) -> (Seen, TestHost) {
    on_virtual_time(async move {
        let host = TestHost::new();
        let feed = spawn_stream(&host, 0xfeed, params);
        let seen = consume(&feed, pace_ms, max_takes).await;
        // Whatever the run does after its end shows up here too.
        tokio::time::sleep(Duration::from_secs(60)).await;
        (seen, host)
    })
}

/// A feed over the recipe's generator with a hand-made config (small caps),
/// its producer spawned; must run inside `on_virtual_time`.
pub fn spawn_feed(
    host: &TestHost,
    id: u32,
    config: FeedConfig,
    format: Format,
    produce_ms: u32,
) -> Feed<TestHost> {
    let run = Run::start(host.clone(), RunId::from_bits(id));
    let (generator, made) = integers(run.clone(), produce_ms, ValueLog::Quiet, DropLog::Line);
    let (feed, producer) = Feed::start(
        run,
        made,
        config,
        format.min_run_bytes(),
        budget(),
        generator,
    );
    tokio::task::spawn_local(producer);
    feed
}

/// A push feed's configuration with the caps a test chooses (the route's own
/// are far too large to reach in a test).
pub fn push_config(batch: u32, cap_values: usize, cap_bytes: usize) -> FeedConfig {
    FeedConfig {
        mode: Mode::Push,
        high_water_mark: 1,
        batch,
        cap_values,
        cap_bytes,
    }
}

/// A budget of the route's size, of the test's own: as if each test ran in
/// an isolate of its own.
pub fn budget() -> Budget {
    Budget::new(ISOLATE_BUDGET_BYTES)
}
