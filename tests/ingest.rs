//! `/api/ingest`'s core on virtual time: a slow worker reads an upload a chunk
//! at a time, asks for the next only when it is done with the last, counts
//! what it read, stops at the limit, and holds one chunk of the budget at most.

mod support;

use std::time::Duration;

use handling_backpressure::budget::Budget;
use handling_backpressure::http::error::{Error, StreamError};
use handling_backpressure::ingest;
use handling_backpressure::ingest::params::{
    CONTENT_TYPES, IngestParams, MAX_BODY_BYTES, check_upload,
};
use handling_backpressure::ingest::summary::IngestOutcome;
use handling_backpressure::run::RunId;
use support::script::{Script, chunk};
use support::{TestHost, body, on_virtual_time};

#[test]
fn a_slow_worker_asks_for_each_chunk_only_when_done_with_the_last() {
    let (summary, host, reads_at) = on_virtual_time(async {
        let host = TestHost::new();
        let script = Script::new(vec![chunk("1\n2\n"), chunk("3\n"), chunk("4\n5")]);
        let reads_at = script.reads_at.clone();
        let params = IngestParams { read_ms: 50 };
        let summary = ingest::run(
            host.clone(),
            RunId::from_bits(0x1a),
            params,
            script,
            Budget::new(1 << 20),
        )
        .await;
        let reads_at = reads_at.borrow().clone();
        (summary, host, reads_at)
    });
    assert_eq!(reads_at, [0, 50, 100, 150], "one read per 50 ms of work");
    assert_eq!(host.timers(), 3, "one pause per chunk");
    assert_eq!(summary.outcome, IngestOutcome::Complete);
    assert_eq!(
        host.texts(),
        [
            r#"{"run":"0000001a","event":"summary","route":"ingest","readMs":50,"bytes":9,"lines":4,"chunks":3,"largestChunk":4,"elapsedMs":150,"outcome":"complete"}"#
        ]
    );
}

#[test]
fn without_a_pause_the_reads_follow_each_other_with_no_timer() {
    let reads_at = on_virtual_time(async {
        let host = TestHost::new();
        let script = Script::new(vec![chunk("a"), chunk("b")]);
        let reads_at = script.reads_at.clone();
        let summary = ingest::run(
            host.clone(),
            RunId::from_bits(1),
            IngestParams { read_ms: 0 },
            script,
            Budget::new(1 << 20),
        )
        .await;
        assert_eq!(summary.bytes, 2);
        assert_eq!(host.timers(), 0, "readMs=0 sets no timer");
        reads_at.borrow().clone()
    });
    assert_eq!(reads_at, [0, 0, 0]);
}

#[test]
fn an_upload_past_the_limit_is_cancelled_and_says_so() {
    let half = Ok(vec![b'-'; (MAX_BODY_BYTES / 2) as usize]);
    let (summary, host, cancelled) = on_virtual_time(async move {
        let host = TestHost::new();
        let script = Script::new(vec![half.clone(), half, chunk("x"), chunk("never read")]);
        let cancelled = script.cancelled.clone();
        let summary = ingest::run(
            host.clone(),
            RunId::from_bits(2),
            IngestParams { read_ms: 0 },
            script,
            Budget::new(usize::MAX),
        )
        .await;
        let cancelled = cancelled.get();
        (summary, host, cancelled)
    });
    assert!(cancelled, "the rest of the body is not read");
    assert_eq!(summary.outcome, IngestOutcome::TooLarge);
    assert_eq!(
        summary.bytes, MAX_BODY_BYTES,
        "the chunk past the limit is not counted"
    );
    assert_eq!(summary.chunks, 2);
    let warning = host.first_warning("a warning");
    assert!(
        warning
            .text
            .contains("passed 16777216 bytes after 16777216 bytes read"),
        "{}",
        warning.text
    );
    assert_eq!(host.summary()["outcome"], "tooLarge");
}

#[test]
fn a_client_that_goes_away_mid_upload_gives_a_cancelled_summary() {
    let (summary, host) = on_virtual_time(async {
        let host = TestHost::new();
        let script = Script::new(vec![
            chunk("12345"),
            Err(StreamError("Network connection lost.".into())),
        ]);
        let summary = ingest::run(
            host.clone(),
            RunId::from_bits(3),
            IngestParams { read_ms: 10 },
            script,
            Budget::new(1 << 20),
        )
        .await;
        (summary, host)
    });
    assert_eq!(summary.outcome, IngestOutcome::Cancelled);
    assert_eq!(summary.bytes, 5);
    let texts = host.texts();
    assert_eq!(
        texts[0],
        "the upload stopped after 5 bytes: stream error: Network connection lost."
    );
    assert_eq!(host.summary()["outcome"], "cancelled");
}

#[test]
fn the_chunk_being_worked_on_is_charged_to_the_budget_and_given_back() {
    on_virtual_time(async {
        let budget = Budget::new(1 << 20);
        let script = Script::new(vec![chunk("0123456789"), chunk("01234")]);
        let run = tokio::task::spawn_local(ingest::run(
            TestHost::new(),
            RunId::from_bits(4),
            IngestParams { read_ms: 100 },
            script,
            budget.clone(),
        ));
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(budget.in_use(), 10, "the first chunk, mid-work");
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(budget.in_use(), 5, "only the second");
        run.await.expect("the run ends");
        assert_eq!(budget.in_use(), 0);

        // A run dropped mid-work gives its chunk back too.
        let script = Script::new(vec![chunk("0123456789")]);
        let run = tokio::task::spawn_local(ingest::run(
            TestHost::new(),
            RunId::from_bits(5),
            IngestParams { read_ms: 1000 },
            script,
            budget.clone(),
        ));
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(budget.in_use(), 10);
        run.abort();
        let _ = run.await;
        assert_eq!(budget.in_use(), 0);
    });
}

#[test]
fn the_headers_are_checked_before_anything_is_read() {
    for content_type in [
        "text/plain",
        "text/plain; charset=utf-8",
        "Application/X-NDJSON",
        "application/octet-stream",
        // HTTP's optional whitespace: spaces and tabs.
        " text/plain ; charset=utf-8",
        "\ttext/plain\t",
    ] {
        assert_eq!(
            check_upload(Some(content_type), Some("12")),
            Ok(()),
            "{content_type}"
        );
    }
    for content_type in [
        None,
        Some(""),
        Some("application/json"),
        Some("text/plainx"),
        // Not HTTP whitespace: a no-break space is part of the type.
        Some("text/plain\u{a0}"),
    ] {
        let error = check_upload(content_type, None).expect_err("refused");
        assert_eq!(error.status(), 415);
        let json = body(&error);
        assert_eq!(json["error"], "unsupported_media_type");
        assert_eq!(json["contentType"], content_type.unwrap_or(""));
        assert_eq!(json["allowed"], serde_json::json!(CONTENT_TYPES));
    }
    let limit = MAX_BODY_BYTES.to_string();
    let over = (MAX_BODY_BYTES + 1).to_string();
    assert_eq!(check_upload(Some("text/plain"), Some(&limit)), Ok(()));
    let spaced = format!(" {over}\t");
    assert!(
        check_upload(Some("text/plain"), Some(&spaced)).is_err(),
        "{spaced:?}"
    );
    let error = check_upload(Some("text/plain"), Some(&over)).expect_err("too large");
    assert_eq!(
        *error,
        Error::BodyTooLarge {
            limit_bytes: MAX_BODY_BYTES
        }
    );
    assert_eq!(error.status(), 413);
    assert_eq!(body(&error)["limitBytes"], MAX_BODY_BYTES);
}

#[test]
fn read_ms_is_validated_like_every_other_parameter() {
    assert_eq!(
        IngestParams::from_query(None),
        Ok(IngestParams { read_ms: 0 })
    );
    assert_eq!(
        IngestParams::from_query(Some("readMs=250")),
        Ok(IngestParams { read_ms: 250 })
    );
    for bad in ["readMs=10001", "readMs=-1", "readMs=", "count=3"] {
        let error = IngestParams::from_query(Some(bad)).expect_err(bad);
        assert_eq!(error.status(), 400, "{bad}");
    }
}
