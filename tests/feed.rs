//! `/api/stream`'s feed on virtual time: the pull-mode lead bound, batches,
//! cancel, the summary, and every value delivered exactly once.

mod support;

use std::time::Duration;

use handling_backpressure::budget::Budget;
use handling_backpressure::budget::ISOLATE_BUDGET_BYTES;
use handling_backpressure::json::ToJson;
use handling_backpressure::run::RunId;
use handling_backpressure::stream;
use handling_backpressure::stream::feed::Taken;
use handling_backpressure::stream::params::StreamParams;
use handling_backpressure::stream::vocabulary::{Ending, Mode};
use handling_backpressure::stream::wire::Format;
use support::feed::{consume, params, run_stream, spawn_stream};
use support::{TestHost, on_virtual_time};

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
            assert_eq!(summary["maxQueue"], 8, "{summary}");
            (
                seen.values.len() as u64,
                summary["produced"].as_u64().expect("a count"),
            )
        })
    };
    let (read_short, produced_short) = held(10_000);
    let (read_long, produced_long) = held(1_000_000);
    // 25 pulls of a batch of 4 each, and of whatever further full batches
    // waited (the look-ahead of 8 holds two).
    assert_eq!(read_short, read_long);
    assert!((100..=25 * 12).contains(&read_short), "{read_short}");
    assert_eq!(produced_short, produced_long);
    // What the runtime was handed in the last pull beyond its first chunk
    // still counts as waiting: with it, 8 at most wait.
    assert!(produced_short > read_short && produced_short <= read_short + 8);
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
fn a_paced_producer_whose_pause_ends_without_demand_makes_its_value_only_when_asked() {
    on_virtual_time(async {
        let host = TestHost::new();
        // No look-ahead: a value may be made only while a take waits.
        let paced = StreamParams {
            produce_ms: 100,
            ..params(Mode::Pull, 10, 0, 4)
        };
        let feed = spawn_stream(&host, 6, paced);
        let Taken::Chunk(first) = feed.take().await else {
            panic!("the stream ended early");
        };
        assert_eq!(first.iter().map(|s| s.value).collect::<Vec<_>>(), [1]);
        // The take asked for the next value too, so its pause began; it ends
        // long before anyone asks again.
        tokio::time::sleep(Duration::from_millis(1000)).await;
        assert_eq!(feed.waiting(), 0, "a value was made ahead of demand");
        assert_eq!(host.timeline(&["yielding"]), [(0, "yielding 1".to_owned())]);
        // Asked now: the pause is over, so the value is made at once.
        let asked = tokio::time::Instant::now();
        let Taken::Chunk(second) = feed.take().await else {
            panic!("the stream ended early");
        };
        assert_eq!(second.iter().map(|s| s.value).collect::<Vec<_>>(), [2]);
        assert_eq!(asked.elapsed(), Duration::ZERO);
    });
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
                for sent in chunk.iter() {
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
fn an_unpaced_pull_producer_has_every_pull_of_the_body_served_at_once() {
    // The body's own pattern: a pull takes what is ready and every further
    // full batch that waits; the next pull first lets that leave the worker.
    // A producer that is never slower than its client must never make a pull
    // wait for a promise.
    for (high_water_mark, batch) in [(0, 1), (1, 1), (4, 1), (1, 3), (0, 4)] {
        on_virtual_time(async move {
            let host = TestHost::new();
            let count = 61;
            let feed = spawn_stream(&host, 9, params(Mode::Pull, count, high_water_mark, batch));
            tokio::task::yield_now().await;
            let case = format!("highWaterMark {high_water_mark}, batch {batch}");
            let mut values = Vec::new();
            for pull in 1.. {
                match feed.take_now() {
                    Some(Taken::Chunk(chunk)) => {
                        values.extend(chunk.iter().map(|s| s.value));
                        while let Some(more) = feed.take_more_now() {
                            values.extend(more.iter().map(|s| s.value));
                        }
                    }
                    Some(Taken::End(ending, _)) => {
                        assert_eq!(ending, Ending::Complete, "{case}");
                        break;
                    }
                    None => panic!("{case}: pull {pull} had to wait"),
                }
            }
            assert_eq!(values, (1..=count).collect::<Vec<_>>(), "{case}");
            let summary = host.summary();
            let bound = u64::from(high_water_mark.max(batch));
            assert_eq!(summary["maxQueue"], bound, "{case}");
        });
    }
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
            "budgetSpent": false,
            // Everything this stream held was given back when it ended.
            "budgetInUseBytes": 0,
            "budgetLimitBytes": 4 << 20,
        })
    );
    let returned = seen.summary.expect("the last take carries the summary");
    let returned: serde_json::Value =
        serde_json::from_str(&returned.to_json()).expect("a summary is JSON");
    assert_eq!(returned, logged);
}

#[test]
fn a_body_dropped_without_a_cancel_still_stops_the_producer_and_gives_back_its_budget() {
    on_virtual_time(async {
        let host = TestHost::new();
        let budget = Budget::new(ISOLATE_BUDGET_BYTES);
        let (feed, producer) = stream::start(
            host.clone(),
            RunId::from_bits(7),
            params(Mode::Pull, 1_000_000, 4, 1),
            budget.clone(),
        );
        tokio::task::spawn_local(producer);
        let guard = feed.body_guard();
        let second_hold = guard.clone();
        assert!(matches!(guard.take().await, Taken::Chunk(_)));
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert!(budget.in_use() > 0, "the producer refilled its look-ahead");
        drop(guard);
        assert!(
            host.texts().iter().all(|text| !text.contains("dropped:")),
            "one hold remains"
        );
        drop(second_hold);
        tokio::time::sleep(Duration::from_secs(60)).await;
        let texts = host.texts();
        assert!(
            texts.contains(
                &"the response body was dropped: stream cancelled after 1 values sent".to_owned()
            ),
            "{texts:#?}"
        );
        let summary = host.summary();
        assert_eq!(summary["outcome"], "cancelled");
        assert_eq!(summary["produced"], 5, "nothing made after the drop");
        assert_eq!(budget.in_use(), 0);
    });
}

#[test]
fn a_body_guard_dropped_after_the_end_changes_nothing() {
    on_virtual_time(async {
        let host = TestHost::new();
        let feed = spawn_stream(&host, 8, params(Mode::Pull, 3, 1, 1));
        let guard = feed.body_guard();
        let seen = consume(&guard, 0, usize::MAX).await;
        assert_eq!(seen.ending, Some(Ending::Complete));
        let lines = host.texts().len();
        drop(guard);
        tokio::task::yield_now().await;
        assert_eq!(
            host.texts().len(),
            lines,
            "no cancel after a complete stream"
        );
        assert_eq!(host.summary()["outcome"], "complete");
    });
}

#[test]
fn one_pull_hands_over_every_full_batch_that_waits_and_no_more() {
    on_virtual_time(async {
        let host = TestHost::new();
        let feed = spawn_stream(&host, 9, params(Mode::Pull, 1_000, 8, 2));
        // Let the producer fill its look-ahead of 8.
        tokio::time::sleep(Duration::from_millis(10)).await;
        let Taken::Chunk(first) = feed.take().await else {
            panic!("a chunk");
        };
        let values = |chunk: &handling_backpressure::stream::chunk::Chunk| {
            chunk.iter().map(|sent| sent.value).collect::<Vec<_>>()
        };
        assert_eq!(values(&first), [1, 2]);
        let more: Vec<Vec<u64>> = std::iter::from_fn(|| feed.take_more_now())
            .map(|chunk| values(&chunk))
            .collect();
        assert_eq!(more, [vec![3, 4], vec![5, 6], vec![7, 8]]);
        // Handed over and not yet written, they still fill the look-ahead:
        // the producer may add only two more.
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(feed.waiting(), 8);
        assert_eq!(
            host.lines()
                .iter()
                .filter(|l| l.text.contains("yielding"))
                .count(),
            0
        );
        feed.cancel("test client left");
        tokio::task::yield_now().await;
        assert_eq!(host.summary()["produced"], 10);
    });
}
