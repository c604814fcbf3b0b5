//! The recipe's demo on virtual time, read through a model of the runtime's
//! `ReadableStream`: the recipe's sequence, the lead bound, the cancel, and the
//! summary.

mod support;

use std::time::Duration;

use handling_backpressure::demo;
use handling_backpressure::demo::params::DemoParams;
use handling_backpressure::demo::reader::ValueReader;
use handling_backpressure::demo::source::PullSource;
use handling_backpressure::demo::summary::{Outcome, Summary};
use handling_backpressure::generator::Integers;
use handling_backpressure::http::error::StreamError;
use handling_backpressure::run::RunId;
use support::model::ModelStream;
use support::{TestHost, on_virtual_time, strip_run};

fn params(count: u32, produce_ms: u32, read_ms: u32, high_water_mark: u32) -> DemoParams {
    DemoParams {
        count,
        produce_ms,
        read_ms,
        high_water_mark,
    }
}

/// Runs one demo over the model stream and returns its summary and host.
fn run_demo(params: DemoParams) -> (Summary, TestHost) {
    run_demo_over(params, ModelStream::open)
}

/// Runs one demo over the stream `open_stream` makes, then lets a virtual
/// minute pass, so that the tests see what the run leaves behind, not only
/// what it did before it returned.
fn run_demo_over<R: ValueReader>(
    params: DemoParams,
    open_stream: impl FnOnce(PullSource<Integers<TestHost>>, u32) -> Result<R, StreamError>,
) -> (Summary, TestHost) {
    on_virtual_time(async move {
        let host = TestHost::new();
        let summary = demo::run(host.clone(), RunId::from_bits(0x5eed), params, open_stream).await;
        tokio::time::sleep(Duration::from_secs(60)).await;
        (summary, host)
    })
}

fn owned(timeline: &[(u64, &str)]) -> Vec<(u64, String)> {
    timeline
        .iter()
        .map(|&(at, text)| (at, text.to_owned()))
        .collect()
}

#[test]
fn the_recipes_run_logs_the_recipes_sequence_at_the_recipes_times() {
    let (_, host) = run_demo(DemoParams::default());
    assert_eq!(
        host.timeline(&["yielding", "Stream value"]),
        owned(&[
            (0, "yielding 1"),
            (0, "Stream value: 1"),
            (100, "yielding 2"),
            (1000, "Stream value: 2"),
            (1100, "yielding 3"),
            (2000, "Stream value: 3"),
            (2100, "yielding 4"),
            (3000, "Stream value: 4"),
            (3100, "yielding 5"),
            (4000, "Stream value: 5"),
            (4100, "yielding 6"),
        ])
    );
}

#[test]
fn the_summary_counts_the_recipes_run() {
    let (summary, host) = run_demo(DemoParams::default());
    assert_eq!(
        summary,
        Summary {
            run: "00005eed".into(),
            event: "summary",
            params: DemoParams::default(),
            produced: 6,
            consumed: 5,
            max_lead: 1,
            released: true,
            elapsed_ms: 5000,
            outcome: Outcome::Complete,
        }
    );
    let last = host.lines().last().cloned().expect("the run logged");
    assert_eq!(last.at_ms, 5000);
    assert_eq!(
        last.text,
        r#"{"run":"00005eed","event":"summary","count":5,"produceMs":100,"readMs":1000,"highWaterMark":1,"produced":6,"consumed":5,"maxLead":1,"released":true,"elapsedMs":5000,"outcome":"complete"}"#
    );
}

#[test]
fn the_producer_never_runs_more_than_high_water_mark_values_ahead() {
    for high_water_mark in [0, 1, 3] {
        // A producer far faster than its reader: only the stream holds it back.
        for produce_ms in [0, 10] {
            let (summary, _) = run_demo(params(20, produce_ms, 100, high_water_mark));
            assert_eq!(
                summary.max_lead, high_water_mark as u64,
                "highWaterMark {high_water_mark}, produceMs {produce_ms}"
            );
            assert_eq!(summary.consumed, 20);
            assert_eq!(summary.produced, 20 + high_water_mark as u64);
        }
    }
}

#[test]
fn the_lead_bound_does_not_grow_with_the_length_of_the_run() {
    let short = run_demo(params(10, 0, 1, 3)).0;
    let long = run_demo(params(100, 0, 1, 3)).0;
    assert_eq!(short.max_lead, 3);
    assert_eq!(long.max_lead, 3);
}

#[test]
fn a_run_logs_only_the_recipes_lines_and_its_summary() {
    let (_, host) = run_demo(DemoParams::default());
    let texts = host.texts();
    let (summary, recipe) = texts.split_last().expect("the run logged");
    assert!(summary.starts_with(r#"{"run":"00005eed","event":"summary""#));
    assert_eq!(recipe.len(), 11, "{texts:#?}");
    for text in recipe {
        assert!(
            text.starts_with("yielding ") || text.starts_with("Stream value: "),
            "{text}"
        );
    }
}

#[test]
fn the_reader_cancels_the_stream_after_the_last_read_and_the_generator_is_released() {
    let (summary, host) = run_demo(DemoParams::default());
    assert!(summary.released);
    let texts = host.texts();
    let last_read = texts
        .iter()
        .position(|text| text == "Stream value: 5")
        .expect("the reader read five values");
    assert_eq!(texts[last_read + 1..texts.len() - 1], ["yielding 6"]);
    assert!(texts[texts.len() - 1].contains(r#""event":"summary""#));
}

#[test]
fn a_cancel_while_the_generator_pauses_releases_it_before_the_summary_and_before_its_next_value() {
    // The producer is slower than the reader: at the cancel it is mid-pause.
    let (summary, host) = run_demo(params(3, 1000, 10, 1));
    assert_eq!(summary.produced, 3);
    assert!(summary.released);
    assert_eq!(summary.outcome, Outcome::Complete);
    let texts = host.texts();
    // The pause was aborted: the summary comes as soon as the reader's last
    // pause ends, not when the producer's would have, and a minute later
    // still nothing more (`run_demo` waits that long).
    assert_eq!(texts[texts.len() - 2..texts.len() - 1], ["Stream value: 3"]);
    let last_read_at = host.timeline(&["Stream value: 3"])[0].0;
    let summary_at = host.lines().last().expect("a summary").at_ms;
    assert_eq!(
        summary_at,
        last_read_at + 10,
        "released right after the reader's last pause"
    );
}

#[test]
fn every_line_of_a_run_carries_its_run_id() {
    let (_, host) = run_demo(DemoParams::default());
    for line in host.lines() {
        let tagged = line.text.starts_with("[run 00005eed] ");
        let summary = line.text.starts_with(r#"{"run":"00005eed","#);
        assert!(tagged || summary, "{line:?}");
        assert_ne!(strip_run(&line.text), "");
    }
}

#[test]
fn the_summary_names_the_runs_parameters() {
    let (summary, host) = run_demo(params(2, 5, 7, 3));
    assert_eq!(summary.params, params(2, 5, 7, 3));
    let last = host.texts().last().cloned().expect("a summary");
    assert!(
        last.contains(r#""count":2,"produceMs":5,"readMs":7,"highWaterMark":3,"#),
        "{last}"
    );
}

/// A stream that has nothing to give.
struct ClosedStream;

impl ValueReader for ClosedStream {
    async fn read(&mut self) -> Result<Option<u64>, StreamError> {
        Ok(None)
    }

    async fn cancel(&mut self) -> Result<(), StreamError> {
        Ok(())
    }
}

#[test]
fn a_stream_that_closes_early_ends_the_run_and_the_generator_is_still_released() {
    let (summary, host) = run_demo_over(DemoParams::default(), |_, _| Ok(ClosedStream));
    assert_eq!(summary.outcome, Outcome::ClosedEarly);
    assert_eq!(summary.consumed, 0);
    let warnings: Vec<String> = host
        .lines()
        .into_iter()
        .filter(|line| line.warning)
        .map(|line| strip_run(&line.text).to_owned())
        .collect();
    assert_eq!(
        warnings,
        [
            "the stream closed after 0 values",
            "the stream kept its generator; releasing it"
        ]
    );
    assert!(summary.released);
}

#[test]
fn a_stream_that_cannot_be_opened_is_reported_not_panicked() {
    let (summary, host) = run_demo_over(DemoParams::default(), |_, _| {
        Err::<ClosedStream, _>(StreamError("no streams today".into()))
    });
    assert_eq!(summary.outcome, Outcome::Errored);
    assert!(
        host.texts()
            .contains(&"could not open the stream: stream error: no streams today".to_owned())
    );
}
