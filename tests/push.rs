//! `/api/stream`'s feed in push mode on virtual time: the queue grows
//! whatever the client does, until a cap in values or bytes stops the
//! producer, and a cancel lets go of what waits.

mod support;

use handling_backpressure::budget::Budget;
use handling_backpressure::run::RunId;
use handling_backpressure::stream::vocabulary::{Ending, Mode};
use handling_backpressure::stream::wire::Format;
use handling_backpressure::stream::{self, feed::Taken, queue::VALUE_BYTES};
use support::feed::{consume, params, push_config, run_stream, spawn_feed, spawn_stream};
use support::{TestHost, on_virtual_time};

#[test]
fn push_mode_fills_its_queue_until_the_cap_and_stops_with_a_warning() {
    let (seen, host) = on_virtual_time(async {
        let host = TestHost::new();
        let feed = spawn_feed(&host, 2, push_config(10, 1000, usize::MAX), Format::Text, 1);
        // The client is slow: the queue grows while it reads.
        let seen = consume(&feed, 50, usize::MAX).await;
        (seen, host)
    });
    let warning = host.first_warning("the cap is announced");
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
fn push_mode_stops_with_a_warning_when_the_isolates_budget_is_spent() {
    // Room in the isolate's budget for 30 waiting values, far below the
    // stream's own caps: the budget stops the producer, not the cap.
    let budget = Budget::new(30 * VALUE_BYTES);
    let (seen, host) = on_virtual_time({
        let budget = budget.clone();
        async move {
            let host = TestHost::new();
            let (feed, producer) = stream::start(
                host.clone(),
                RunId::from_bits(4),
                params(Mode::Push, 1000, 1, 16),
                budget,
            );
            tokio::task::spawn_local(producer);
            let seen = consume(&feed, 1, usize::MAX).await;
            (seen, host)
        }
    });
    let warning = host.first_warning("the spent budget is announced");
    assert!(
        warning.text.starts_with(&format!(
            "[run 00000004] the isolate's memory budget for waiting values is spent ({spent} of {spent} bytes, 30 values of this stream): producer stopped after 30 values",
            spent = 30 * VALUE_BYTES,
        )),
        "{}",
        warning.text
    );
    let summary = host.summary();
    assert_eq!(summary["outcome"], "capped");
    assert_eq!(summary["capped"], true);
    assert_eq!(summary["budgetSpent"], true);
    assert_eq!(summary["maxQueue"], 30);
    assert_eq!(seen.values, (1..=30).collect::<Vec<_>>());
    assert_eq!(budget.in_use(), 0, "everything sent, everything given back");
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
            let feed = spawn_feed(&host, 3, push_config(1, cap_values, cap_bytes), format, 0);
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
fn push_mode_counts_ndjson_lines_at_their_ndjson_size_against_the_byte_cap() {
    let summary = on_virtual_time(async {
        let host = TestHost::new();
        let feed = spawn_feed(&host, 9, push_config(1, usize::MAX, 100), Format::Ndjson, 0);
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
