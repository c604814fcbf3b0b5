//! `/api/proxy`'s core on virtual time: the pump reads the origin only while
//! the transform's queue has room, so a client that stops taking stops the
//! origin; a cancel reaches the origin; an origin that fails ends the run
//! with what it sent; every queued byte is charged to the isolate's budget.

mod support;

use std::time::Duration;

use handling_backpressure::budget::Budget;
use handling_backpressure::http::error::StreamError;
use handling_backpressure::proxy::params::ProxyParams;
use handling_backpressure::proxy::pipe::{Pipe, Taken};
use handling_backpressure::proxy::summary::ProxyOutcome;
use handling_backpressure::proxy::{self};
use handling_backpressure::run::RunId;
use handling_backpressure::stream::wire::Format;
use support::script::{Script, chunk};
use support::{TestHost, on_virtual_time};

fn params(transform_high_water_mark: u32) -> ProxyParams {
    ProxyParams {
        transform_high_water_mark,
        ..ProxyParams::from_query(None).expect("the defaults are valid")
    }
}

/// The origin's text body for values `1..=count`, one value per chunk.
fn one_value_per_chunk(count: u64) -> Vec<Result<Vec<u8>, StreamError>> {
    (1..=count)
        .map(|value| chunk(&format!("{value}\n")))
        .collect()
}

/// Starts a proxied stream over `script` and spawns its pump; returns the
/// pipe and the script's record of reads.
fn start(host: &TestHost, params: ProxyParams, script: Script, budget: &Budget) -> Pipe<TestHost> {
    start_with_task(host, params, script, budget).0
}

/// [`start`], also returning the pump's task.
fn start_with_task(
    host: &TestHost,
    params: ProxyParams,
    script: Script,
    budget: &Budget,
) -> (Pipe<TestHost>, tokio::task::JoinHandle<()>) {
    let (pipe, pump) = proxy::start(
        host.clone(),
        RunId::from_bits(0xb0),
        params,
        "0000a001",
        script,
        budget.clone(),
    );
    let task = tokio::task::spawn_local(pump);
    (pipe, task)
}

/// Lets every task that can run, run.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(1)).await;
}

fn text(taken: Taken) -> String {
    match taken {
        Taken::Chunk(bytes) => String::from_utf8(bytes).expect("ASCII"),
        Taken::End(outcome, _) => panic!("expected a chunk, got the end: {outcome:?}"),
    }
}

#[test]
fn the_pump_reads_the_origin_only_while_the_queue_has_room() {
    on_virtual_time(async {
        let host = TestHost::new();
        let budget = Budget::new(1 << 20);
        let script = Script::new(one_value_per_chunk(10));
        let reads = script.reads_at.clone();
        let pipe = start(&host, params(2), script, &budget);

        settle().await;
        assert_eq!(
            reads.borrow().len(),
            2,
            "two chunks queued, then the pump waits"
        );
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(
            reads.borrow().len(),
            2,
            "a client that takes nothing stops the origin"
        );

        assert_eq!(text(pipe.take().await), "1 1 1\n");
        settle().await;
        assert_eq!(reads.borrow().len(), 3, "one take, one more read");

        let mut lines = String::from("1 1 1\n");
        let summary = loop {
            match pipe.take().await {
                Taken::Chunk(bytes) => lines += std::str::from_utf8(&bytes).expect("ASCII"),
                Taken::End(outcome, summary) => {
                    assert_eq!(outcome, ProxyOutcome::Complete);
                    break summary.expect("the last take finishes the run");
                }
            }
        };
        let sums: Vec<u64> = lines
            .lines()
            .map(|line| {
                line.split(' ')
                    .nth(2)
                    .expect("three fields")
                    .parse()
                    .expect("a number")
            })
            .collect();
        assert_eq!(sums, [1, 3, 6, 10, 15, 21, 28, 36, 45, 55]);
        assert_eq!(
            summary.max_queue, 2,
            "never more than transformHighWaterMark"
        );
        assert_eq!(
            (summary.values, summary.sent, summary.chunks_in),
            (10, 10, 10)
        );
        assert_eq!(reads.borrow().len(), 11, "ten chunks and the end");
        assert_eq!(budget.in_use(), 0);
        assert_eq!(
            host.summary(),
            serde_json::json!({
                "run": "000000b0", "event": "summary", "route": "proxy", "originRun": "0000a001",
                "chunksIn": 10, "bytesIn": 21, "largestChunk": 3, "values": 10, "sent": 10,
                "maxQueue": 2, "maxQueueBytes": 16, "transformHighWaterMark": 2,
                "elapsedMs": 60002, "outcome": "complete",
            })
        );
        assert_eq!(
            host.texts()[0],
            "proxy started: originRun=0000a001 count=1000 produceMs=0 highWaterMark=1 \
             batch=1 format=text transformHighWaterMark=2"
        );
    });
}

#[test]
fn with_no_look_ahead_the_origin_is_read_only_when_the_client_waits() {
    on_virtual_time(async {
        let host = TestHost::new();
        let budget = Budget::new(1 << 20);
        let script = Script::new(one_value_per_chunk(3));
        let reads = script.reads_at.clone();
        let pipe = start(&host, params(0), script, &budget);
        settle().await;
        assert_eq!(reads.borrow().len(), 0, "nothing read ahead of the client");
        assert_eq!(pipe.take_now(), None, "nothing to hand over yet");
        settle().await;
        assert_eq!(
            reads.borrow().len(),
            1,
            "a waiting client makes room for one read"
        );
        assert_eq!(text(pipe.take().await), "1 1 1\n");
        settle().await;
        assert_eq!(reads.borrow().len(), 1, "and only one");
        assert_eq!(text(pipe.take().await), "2 4 3\n");
        settle().await;
        assert_eq!(reads.borrow().len(), 2, "one read per take");
    });
}

#[test]
fn a_client_that_leaves_cancels_the_origin_and_both_ends_say_so() {
    on_virtual_time(async {
        let host = TestHost::new();
        let budget = Budget::new(1 << 20);
        let script = Script::new(one_value_per_chunk(1000));
        let (reads, cancelled) = (script.reads_at.clone(), script.cancelled.clone());
        let pipe = start(&host, params(4), script, &budget);
        assert_eq!(text(pipe.take().await), "1 1 1\n");
        settle().await;
        assert!(budget.in_use() > 0, "the queued chunks are charged");
        pipe.cancel("the client went away");
        settle().await;
        assert!(cancelled.get(), "the origin's body was cancelled");
        assert_eq!(reads.borrow().len(), 5, "nothing read after the cancel");
        assert_eq!(budget.in_use(), 0, "what waited is given back");
        assert!(matches!(
            pipe.take().await,
            Taken::End(ProxyOutcome::Cancelled, None)
        ));
        let texts = host.texts();
        assert_eq!(
            texts[1],
            "the client went away: proxy cancelled after 1 values sent"
        );
        let summary = host.summary();
        assert_eq!(summary["outcome"], "cancelled");
        assert_eq!(
            (summary["values"].as_u64(), summary["sent"].as_u64()),
            (Some(5), Some(1))
        );
    });
}

#[test]
fn an_origin_that_fails_ends_the_run_after_what_it_sent() {
    on_virtual_time(async {
        let host = TestHost::new();
        let budget = Budget::new(1 << 20);
        let script = Script::new(vec![
            chunk("1\n2\n"),
            Err(StreamError("Network connection lost.".into())),
        ]);
        let pipe = start(&host, params(1), script, &budget);
        assert_eq!(text(pipe.take().await), "1 1 1\n2 4 3\n");
        let Taken::End(ProxyOutcome::OriginFailed, Some(summary)) = pipe.take().await else {
            panic!("the run ends with the origin's failure");
        };
        assert_eq!((summary.values, summary.sent), (2, 2));
        let warning = host.first_warning("a warning");
        assert!(
            warning.text.ends_with(
                "the origin's body failed after 2 values: stream error: Network connection lost."
            ),
            "{}",
            warning.text
        );
        assert_eq!(host.summary()["outcome"], "originFailed");
    });
}

#[test]
fn an_origin_that_is_not_a_stream_of_values_is_cancelled() {
    on_virtual_time(async {
        let host = TestHost::new();
        let budget = Budget::new(1 << 20);
        let script = Script::of_text(&["<html>\n", "1\n"]);
        let (reads, cancelled) = (script.reads_at.clone(), script.cancelled.clone());
        let pipe = start(&host, params(1), script, &budget);
        assert!(matches!(
            pipe.take().await,
            Taken::End(ProxyOutcome::OriginFailed, Some(_))
        ));
        assert!(cancelled.get(), "the rest of the origin's body is not read");
        assert_eq!(reads.borrow().len(), 1);
        let warning = host.first_warning("a warning");
        assert!(
            warning
                .text
                .ends_with("the origin sent a line that is not a value: \"<html>\": proxy stopped"),
            "{}",
            warning.text
        );
    });
}

#[test]
fn a_spent_budget_holds_the_pump_unless_its_queue_is_empty() {
    on_virtual_time(async {
        let host = TestHost::new();
        // Less than one transformed chunk: the first one spends it.
        let budget = Budget::new(4);
        let script = Script::new(one_value_per_chunk(10));
        let reads = script.reads_at.clone();
        let pipe = start(&host, params(4), script, &budget);
        settle().await;
        assert_eq!(
            reads.borrow().len(),
            1,
            "one chunk queued spends the budget: the pump waits"
        );
        assert_eq!(budget.in_use(), 6);

        // Another stream, with nothing queued, still gets its next chunk.
        let other = Script::new(one_value_per_chunk(10));
        let other_reads = other.reads_at.clone();
        let other_pipe = start(&host, params(4), other, &budget);
        settle().await;
        assert_eq!(other_reads.borrow().len(), 1);

        // The other stream's chunk holds the budget: this pump, its queue
        // empty after a take, may read one more, and no more.
        assert_eq!(text(pipe.take().await), "1 1 1\n");
        settle().await;
        assert_eq!(
            reads.borrow().len(),
            2,
            "an empty queue always gets its next chunk"
        );
        settle().await;
        assert_eq!(
            reads.borrow().len(),
            2,
            "but the spent budget holds it there"
        );
        assert_eq!(budget.in_use(), 12);

        // The other stream's client takes its chunk: this stream's own
        // chunk still spends the budget, until its client takes it too.
        assert_eq!(text(other_pipe.take().await), "1 1 1\n");
        assert_eq!(budget.in_use(), 6);
        settle().await;
        assert_eq!(reads.borrow().len(), 2, "6 of 4 bytes: still spent");
        assert_eq!(text(pipe.take().await), "2 4 3\n");
        settle().await;
        assert_eq!(
            reads.borrow().len(),
            3,
            "the budget given back: the pump goes on"
        );
        assert_eq!(
            budget.in_use(),
            12,
            "a chunk of each stream, each read into an empty queue"
        );
    });
}

#[test]
fn the_origin_is_asked_for_the_checked_values_every_one_spelled_out() {
    let params = ProxyParams::from_query(Some("count=5&format=ndjson&transformHighWaterMark=3"))
        .expect("valid");
    assert_eq!(params.format, Format::Ndjson);
    assert_eq!(params.transform_high_water_mark, 3);
    assert_eq!(
        params.origin_path_and_query(),
        "/api/stream?count=5&produceMs=0&highWaterMark=1&batch=1&format=ndjson"
    );
    // The origin streams pull mode: the route carries backpressure through.
    let error = ProxyParams::from_query(Some("mode=push")).expect_err("refused");
    assert_eq!(error.code(), "unknown_parameter");
    let error = ProxyParams::from_query(Some("transformHighWaterMark=17")).expect_err("refused");
    assert_eq!(
        error.to_string(),
        "transformHighWaterMark must be a whole number from 0 to 16, got \"17\""
    );
}

#[test]
fn a_body_dropped_without_a_cancel_still_stops_the_pump() {
    on_virtual_time(async {
        let host = TestHost::new();
        let budget = Budget::new(1 << 20);
        let script = Script::new(one_value_per_chunk(1000));
        let cancelled = script.cancelled.clone();
        let pipe = start(&host, params(2), script, &budget);
        let guard = pipe.body_guard();
        let second = guard.clone();
        assert_eq!(text(guard.take().await), "1 1 1\n");
        drop(guard);
        settle().await;
        assert!(!cancelled.get(), "one hold left: nothing happens");
        drop(second);
        settle().await;
        assert!(
            cancelled.get(),
            "the last hold gone: the origin is cancelled"
        );
        assert_eq!(budget.in_use(), 0);
        assert_eq!(
            host.texts()[1],
            "the response body was dropped: proxy cancelled after 1 values sent"
        );

        // After the end, letting go changes nothing.
        let host = TestHost::new();
        let pipe = start(&host, params(1), Script::of_text(&["1\n"]), &budget);
        let guard = pipe.body_guard();
        assert_eq!(text(guard.take().await), "1 1 1\n");
        assert!(matches!(
            guard.take().await,
            Taken::End(ProxyOutcome::Complete, Some(_))
        ));
        drop(guard);
        settle().await;
        assert_eq!(host.summary()["outcome"], "complete");
        assert_eq!(host.texts().len(), 2, "no cancel line: {:?}", host.texts());
    });
}

#[test]
fn a_cancel_reaches_the_origin_while_the_pump_waits_for_it() {
    on_virtual_time(async {
        let host = TestHost::new();
        let budget = Budget::new(1 << 20);
        // The origin sends one value, then nothing for as long as it takes.
        let script = Script::of_text(&["1\n"]).then_pending();
        let (reads, cancelled) = (script.reads_at.clone(), script.cancelled.clone());
        let pipe = start(&host, params(4), script, &budget);
        assert_eq!(text(pipe.take().await), "1 1 1\n");
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert_eq!(reads.borrow().len(), 2, "the pump waits in its second read");
        pipe.cancel("the client went away");
        settle().await;
        assert!(
            cancelled.get(),
            "the waiting read is dropped and the origin cancelled"
        );
        assert_eq!(host.summary()["outcome"], "cancelled");
    });
}

#[test]
fn the_lines_before_a_bad_one_still_reach_the_client() {
    on_virtual_time(async {
        let host = TestHost::new();
        let budget = Budget::new(1 << 20);
        let pipe = start(
            &host,
            params(1),
            Script::of_text(&["1\n2\nx\n3\n"]),
            &budget,
        );
        assert_eq!(text(pipe.take().await), "1 1 1\n2 4 3\n");
        let Taken::End(ProxyOutcome::OriginFailed, Some(summary)) = pipe.take().await else {
            panic!("the run ends with the origin's fault");
        };
        assert_eq!((summary.values, summary.sent), (2, 2));
    });
}

#[test]
fn a_pipe_dropped_while_chunks_wait_gives_their_budget_back() {
    on_virtual_time(async {
        let host = TestHost::new();
        let budget = Budget::new(1 << 20);
        let (pipe, pump) = start_with_task(
            &host,
            params(4),
            Script::new(one_value_per_chunk(10)),
            &budget,
        );
        settle().await;
        assert_eq!(
            budget.in_use(),
            6 + 6 + 6 + 8,
            "four chunks wait: 1 1 1, 2 4 3, 3 9 6, 4 16 10"
        );
        // Everything that holds the pipe goes, without a cancel.
        pump.abort();
        let _ = pump.await;
        drop(pipe);
        assert_eq!(budget.in_use(), 0);
    });
}
