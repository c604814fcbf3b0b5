//! `/api/stream`'s feed on virtual time: the pull-mode lead bound, push mode's
//! growing queue and its cap, cancel, and every value delivered exactly once.

mod support;

use std::time::Duration;

use handling_backpressure::feed::{Ending, Feed, FeedConfig, Mode, Taken};
use handling_backpressure::generator::{ValueLog, integers};
use handling_backpressure::run::{RunId, RunLog};
use handling_backpressure::stream;
use handling_backpressure::stream_params::StreamParams;
use handling_backpressure::tally::Tally;
use handling_backpressure::wire::Format;
use support::{TestHost, on_virtual_time};

fn params(mode: Mode, count: u64, high_water_mark: u32, batch: u32) -> StreamParams {
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
struct Seen {
    values: Vec<u64>,
    leads: Vec<u64>,
    /// The size of each chunk, in values.
    chunks: Vec<usize>,
    summary: Option<handling_backpressure::summary::StreamSummary>,
    ending: Option<Ending>,
}

/// Takes chunks like the runtime would for a client that reads one chunk
/// every `pace_ms`, and stops after `max_takes` takes (a client that stops
/// reading), then waits a minute of virtual time.
async fn consume<H: handling_backpressure::host::Host>(
    feed: &Feed<H>,
    pace_ms: u64,
    max_takes: usize,
) -> Seen {
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
                seen.chunks.push(chunk.len());
                for sent in chunk {
                    seen.values.push(sent.value);
                    seen.leads.push(sent.lead);
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
fn spawn_stream(host: &TestHost, id: u32, params: StreamParams) -> Feed<TestHost> {
    let (feed, producer) = stream::start(host.clone(), RunId::from_bits(id), params);
    tokio::task::spawn_local(producer);
    feed
}

/// Starts a stream with `params`, spawns its producer, and consumes it.
fn run_stream(params: StreamParams, pace_ms: u64, max_takes: usize) -> (Seen, TestHost) {
    on_virtual_time(async move {
        let host = TestHost::new();
        let feed = spawn_stream(&host, 0xfeed, params);
        let seen = consume(&feed, pace_ms, max_takes).await;
        // Whatever the run does after its end shows up here too.
        tokio::time::sleep(Duration::from_secs(60)).await;
        (seen, host)
    })
}

/// A feed over the recipe's generator with a hand-made config (small caps).
fn start_feed(
    log: RunLog<TestHost>,
    config: FeedConfig,
    format: Format,
    produce_ms: u32,
) -> (Feed<TestHost>, impl std::future::Future<Output = ()>) {
    let tally = Tally::new();
    let generator = integers(log.clone(), tally.clone(), produce_ms, ValueLog::Quiet);
    Feed::start(log, tally, config, format.min_line_bytes(), generator)
}

#[test]
fn pull_mode_keeps_the_queue_within_max_of_high_water_mark_and_batch() {
    for high_water_mark in [0, 1, 3, 16] {
        for batch in [1, 4, 32] {
            let (seen, host) = run_stream(
                params(Mode::Pull, 2000, high_water_mark, batch),
                10,
                usize::MAX,
            );
            let bound = high_water_mark.max(batch) as u64;
            let summary = host.summary();
            let case = format!("highWaterMark {high_water_mark}, batch {batch}");
            assert_eq!(summary["maxQueue"], bound, "{case}");
            assert_eq!(summary["maxLead"], bound - 1, "{case}");
            assert!(seen.leads.iter().all(|&lead| lead < bound), "{case}");
            assert_eq!(seen.values, (1..=2000).collect::<Vec<_>>(), "{case}");
            assert_eq!(seen.ending, Some(Ending::Complete), "{case}");
        }
    }
}

#[test]
fn a_client_that_stops_reading_stalls_the_pull_producer_whatever_the_length() {
    let held = |count: u64| {
        on_virtual_time(async move {
            let host = TestHost::new();
            let feed = spawn_stream(&host, 1, params(Mode::Pull, count, 8, 4));
            let seen = consume(&feed, 1, 25).await;
            feed.cancel("test client left");
            tokio::task::yield_now().await;
            let summary = host.summary();
            (
                seen.values.len() as u64,
                summary["produced"].as_u64().expect("a count"),
            )
        })
    };
    let (read_short, produced_short) = held(10_000);
    let (read_long, produced_long) = held(1_000_000);
    assert_eq!((read_short, read_long), (100, 100));
    assert_eq!(produced_short, produced_long);
    assert_eq!(produced_short, 100 + 8);
}

#[test]
fn push_mode_fills_its_queue_until_the_cap_and_stops_with_a_warning() {
    let (seen, host) = on_virtual_time(async {
        let host = TestHost::new();
        let log = RunLog::new(host.clone(), RunId::from_bits(2));
        let config = FeedConfig {
            mode: Mode::Push,
            high_water_mark: 1,
            batch: 10,
            cap_values: 1000,
            cap_bytes: usize::MAX,
        };
        let (feed, producer) = start_feed(log, config, Format::Text, 1);
        tokio::task::spawn_local(producer);
        // The client is slow: the queue grows while it reads.
        let seen = consume(&feed, 50, usize::MAX).await;
        (seen, host)
    });
    let warning = host
        .lines()
        .into_iter()
        .find(|line| line.warning)
        .expect("the cap is announced");
    assert!(
        warning
            .text
            .starts_with("[run 00000002] push queue reached its cap"),
        "{}",
        warning.text
    );
    let summary = host.summary();
    assert_eq!(summary["outcome"], "capped");
    assert_eq!(summary["capped"], true);
    assert_eq!(summary["maxQueue"], 1000);
    // The client read while the queue grew, so more than the cap was made.
    let produced = summary["produced"].as_u64().expect("a count");
    assert!(
        produced > 1000 && warning.at_ms > 0,
        "{produced} at {} ms",
        warning.at_ms
    );
    assert_eq!(summary["produced"], summary["sent"]);
    assert_eq!(
        seen.values,
        (1..=seen.values.len() as u64).collect::<Vec<_>>()
    );
    assert_eq!(seen.ending, Some(Ending::Capped));
}

#[test]
fn push_mode_with_an_unpaced_producer_caps_at_once_in_values_or_bytes() {
    for (format, cap_values, cap_bytes, expected_queue) in [
        (Format::Text, 500, usize::MAX, 500),
        // Lines "1\n" … "9\n" are 2 bytes, "10\n" … 3: 9 × 2 + 28 × 3 = 102.
        (Format::Text, usize::MAX, 100, 37),
    ] {
        let host_summary = on_virtual_time(async move {
            let host = TestHost::new();
            let log = RunLog::new(host.clone(), RunId::from_bits(3));
            let config = FeedConfig {
                mode: Mode::Push,
                high_water_mark: 1,
                batch: 1,
                cap_values,
                cap_bytes,
            };
            let (feed, producer) = start_feed(log, config, format, 0);
            tokio::task::spawn_local(producer);
            consume(&feed, 1, usize::MAX).await;
            host.summary()
        });
        assert_eq!(host_summary["maxQueue"], expected_queue);
        assert_eq!(host_summary["produced"], expected_queue);
        assert_eq!(host_summary["outcome"], "capped");
    }
}

#[test]
fn a_push_stream_shorter_than_the_cap_is_delivered_whole() {
    let (seen, host) = run_stream(params(Mode::Push, 5000, 1, 16), 5, usize::MAX);
    assert_eq!(seen.values, (1..=5000).collect::<Vec<_>>());
    let summary = host.summary();
    // An unpaced push producer makes everything before the client reads once.
    assert_eq!(summary["maxQueue"], 5000);
    assert_eq!(summary["maxLead"], 4999);
    assert_eq!(summary["outcome"], "complete");
}

#[test]
fn a_fast_client_receives_every_value_in_order_exactly_once() {
    for mode in [Mode::Pull, Mode::Push] {
        for batch in [1, 7, 64] {
            let (seen, host) = run_stream(params(mode, 3000, 2, batch), 0, usize::MAX);
            assert_eq!(
                seen.values,
                (1..=3000).collect::<Vec<_>>(),
                "{mode:?} batch {batch}"
            );
            let summary = host.summary();
            assert_eq!(summary["produced"], 3000);
            assert_eq!(summary["sent"], 3000);
            assert_eq!(summary["outcome"], "complete");
            assert_eq!(seen.summary.map(|s| s.sent), Some(3000));
        }
    }
}

#[test]
fn cancel_drops_the_generator_at_once_and_nothing_more_is_produced() {
    for mode in [Mode::Pull, Mode::Push] {
        let host = on_virtual_time(async move {
            let host = TestHost::new();
            let paced = StreamParams {
                produce_ms: 100,
                ..params(mode, 1000, 1, 1)
            };
            let feed = spawn_stream(&host, 4, paced);
            for _ in 0..3 {
                feed.take().await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            feed.cancel("client disconnected");
            tokio::time::sleep(Duration::from_secs(10)).await;
            assert_eq!(feed.take().await, Taken::End(Ending::Cancelled, None));
            host
        });
        let texts = host.texts();
        let cancel = texts
            .iter()
            .position(|text| text == "client disconnected: stream cancelled after 3 values sent")
            .unwrap_or_else(|| panic!("{mode:?}: {texts:#?}"));
        assert!(
            texts[cancel + 1].starts_with("generator dropped after yielding "),
            "{mode:?}"
        );
        assert!(
            texts[cancel + 2].contains(r#""outcome":"cancelled""#),
            "{mode:?}"
        );
        assert_eq!(
            texts.len(),
            cancel + 3,
            "{mode:?}: nothing after the summary"
        );
        assert!(
            !texts[cancel..]
                .iter()
                .any(|text| text.starts_with("yielding"))
        );
    }
}

#[test]
fn paced_streams_log_each_value_and_unpaced_ones_do_not() {
    let (_, paced) = run_stream(
        StreamParams {
            produce_ms: 5,
            ..params(Mode::Pull, 3, 1, 1)
        },
        0,
        usize::MAX,
    );
    assert_eq!(
        paced
            .texts()
            .iter()
            .filter(|t| t.starts_with("yielding"))
            .count(),
        3
    );
    let (_, unpaced) = run_stream(params(Mode::Pull, 3000, 1, 1), 0, usize::MAX);
    assert_eq!(
        unpaced
            .texts()
            .iter()
            .filter(|t| t.starts_with("yielding"))
            .count(),
        0
    );
    assert_eq!(
        unpaced.texts()[0],
        "stream started: mode=pull count=3000 produceMs=0 highWaterMark=1 batch=1 format=text"
    );
}

#[test]
fn a_batch_takes_what_an_unpaced_producer_can_make_at_once() {
    let (seen, host) = run_stream(params(Mode::Pull, 1000, 1, 50), 1, usize::MAX);
    assert_eq!(seen.values, (1..=1000).collect::<Vec<_>>());
    // Each take found one value waiting (the look-ahead), let the producer
    // top the chunk up, and sent a full batch.
    assert_eq!(seen.chunks, [50; 20]);
    let summary = host.summary();
    assert_eq!(summary["maxQueue"], 50);
    assert_eq!(summary["maxLead"], 49);
}

#[test]
fn a_paced_producer_does_not_hold_back_a_waiting_value_to_fill_a_batch() {
    for (mode, high_water_mark) in [(Mode::Pull, 1), (Mode::Pull, 3), (Mode::Push, 1)] {
        on_virtual_time(async move {
            let host = TestHost::new();
            let paced = StreamParams {
                produce_ms: 100,
                ..params(mode, 40, high_water_mark, 8)
            };
            let feed = spawn_stream(&host, 5, paced);
            let mut next = 1;
            for _ in 0..4 {
                // A slow client: values wait, and the producer is mid-pause.
                tokio::time::sleep(Duration::from_millis(250)).await;
                let asked = tokio::time::Instant::now();
                let Taken::Chunk(chunk) = feed.take().await else {
                    panic!("{mode:?}: the stream ended early");
                };
                assert!(!chunk.is_empty());
                for sent in chunk {
                    assert_eq!(sent.value, next);
                    next += 1;
                }
                assert_eq!(
                    asked.elapsed(),
                    Duration::ZERO,
                    "{mode:?}, highWaterMark {high_water_mark}: a waiting value was held back"
                );
            }
        });
    }
}

#[test]
fn take_now_hands_over_a_full_batch_without_waiting_and_otherwise_defers() {
    on_virtual_time(async {
        let host = TestHost::new();
        let feed = spawn_stream(&host, 6, params(Mode::Pull, 10, 4, 2));
        // Nothing has been made yet (the producer has not run): the caller
        // must wait.
        assert_eq!(feed.take_now(), None);
        tokio::task::yield_now().await;
        // Four values wait (the look-ahead); a batch of two is ready now.
        let Some(Taken::Chunk(chunk)) = feed.take_now() else {
            panic!("a full batch was waiting");
        };
        assert_eq!(chunk.iter().map(|s| s.value).collect::<Vec<_>>(), [1, 2]);
        let mut values = vec![1, 2];
        loop {
            match feed.take().await {
                Taken::Chunk(chunk) => values.extend(chunk.iter().map(|s| s.value)),
                Taken::End(ending, _) => {
                    assert_eq!(ending, Ending::Complete);
                    break;
                }
            }
        }
        assert_eq!(values, (1..=10).collect::<Vec<_>>());
        assert!(matches!(
            feed.take_now(),
            Some(Taken::End(Ending::Complete, None))
        ));
    });
}

#[test]
fn after_a_take_an_unpaced_pull_producer_refills_at_once_without_a_task_switch() {
    on_virtual_time(async {
        let host = TestHost::new();
        let feed = spawn_stream(&host, 8, params(Mode::Pull, 100, 1, 1));
        tokio::task::yield_now().await;
        // No await between these takes: each refill happens inside take_now.
        for expected in 1..=50 {
            match feed.take_now() {
                Some(Taken::Chunk(chunk)) => {
                    assert_eq!(
                        chunk.iter().map(|s| s.value).collect::<Vec<_>>(),
                        [expected]
                    );
                }
                other => panic!("value {expected}: {other:?}"),
            }
        }
    });
}

#[test]
fn the_stream_summary_reports_each_field_of_the_run_once() {
    let paced = StreamParams {
        produce_ms: 100,
        format: Format::Ndjson,
        ..params(Mode::Pull, 10, 3, 2)
    };
    let (seen, host) = run_stream(paced, 0, usize::MAX);
    let logged = host.summary();
    assert_eq!(
        logged,
        serde_json::json!({
            "run": "0000feed",
            "event": "summary",
            "route": "stream",
            "mode": "pull",
            "produced": 10,
            "sent": 10,
            "maxLead": 0,
            "maxQueue": 1,
            // The largest line waiting was value 10's, 37 bytes of NDJSON.
            "maxQueueBytes": 37,
            "highWaterMark": 3,
            "batch": 2,
            // Ten values, nine pauses of 100 ms between them.
            "elapsedMs": 900,
            "outcome": "complete",
            "capped": false,
        })
    );
    let returned = seen.summary.expect("the last take carries the summary");
    assert_eq!(serde_json::to_value(&returned).expect("JSON"), logged);
}

#[test]
fn push_mode_counts_ndjson_lines_at_their_ndjson_size_against_the_byte_cap() {
    let summary = on_virtual_time(async {
        let host = TestHost::new();
        let log = RunLog::new(host.clone(), RunId::from_bits(9));
        let config = FeedConfig {
            mode: Mode::Push,
            high_water_mark: 1,
            batch: 1,
            cap_values: usize::MAX,
            cap_bytes: 100,
        };
        let (feed, producer) = start_feed(log, config, Format::Ndjson, 0);
        tokio::task::spawn_local(producer);
        consume(&feed, 1, usize::MAX).await;
        host.summary()
    });
    // `{"value":N,"producedAt":0,"lead":0}\n` is 36 bytes for one digit:
    // three lines pass 100 bytes (as text, fifty would be needed).
    assert_eq!(summary["maxQueue"], 3);
    assert_eq!(summary["maxQueueBytes"], 108);
    assert_eq!(summary["outcome"], "capped");
}

#[test]
fn cancel_lets_go_of_the_values_still_waiting() {
    on_virtual_time(async {
        let host = TestHost::new();
        let feed = spawn_stream(&host, 10, params(Mode::Push, 500, 1, 1));
        tokio::task::yield_now().await;
        assert_eq!(
            feed.waiting(),
            500,
            "an unpaced push producer made everything"
        );
        feed.cancel("test client left");
        assert_eq!(feed.waiting(), 0, "nothing is held for a client that left");
        assert_eq!(feed.take().await, Taken::End(Ending::Cancelled, None));
    });
}
