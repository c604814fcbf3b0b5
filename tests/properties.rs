//! Property tests: the parameter parsers and the stream feed against
//! generated input. `PROPTEST_CASES` sets how many cases each property runs
//! (256 by default; `make bench` runs 20,000).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use handling_backpressure::error::Error;
use handling_backpressure::feed::{Ending, Mode, Taken};
use handling_backpressure::params::{DemoParams, RUN_LIMIT_MS};
use handling_backpressure::route::{Route, Target};
use handling_backpressure::run::RunId;
use handling_backpressure::stream;
use handling_backpressure::stream_params::StreamParams;
use handling_backpressure::wire::Format;
use proptest::prelude::*;
use support::{TestHost, on_virtual_time};

/// Query strings made of the pieces that break naive parsers.
fn query_strategy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("count".to_owned()),
        Just("produceMs".to_owned()),
        Just("readMs".to_owned()),
        Just("highWaterMark".to_owned()),
        Just("batch".to_owned()),
        Just("mode".to_owned()),
        Just("format".to_owned()),
        Just("=".to_owned()),
        Just("&".to_owned()),
        Just("%".to_owned()),
        Just("+".to_owned()),
        Just("-".to_owned()),
        Just(".".to_owned()),
        Just("push".to_owned()),
        Just("ndjson".to_owned()),
        "[0-9]{1,25}",
        "%[0-9A-Fa-f]{2}",
        "\\PC{1,4}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

fn is_refusal(error: &Error) -> bool {
    let body: serde_json::Value =
        serde_json::from_str(&error.to_json()).expect("every error body is JSON");
    error.status() == 400 && body["error"].is_string() && body["message"].is_string()
}

proptest! {
    #[test]
    fn the_demo_parser_never_panics_and_accepts_only_what_is_in_bounds(query in query_strategy()) {
        match DemoParams::from_query(Some(&query)) {
            Ok(params) => {
                prop_assert!((1..=100).contains(&params.count));
                prop_assert!(params.produce_ms <= 10_000 && params.read_ms <= 10_000);
                prop_assert!(params.high_water_mark <= 16);
                prop_assert!(params.planned_ms() <= RUN_LIMIT_MS);
            }
            Err(error) => prop_assert!(is_refusal(&error), "{error:?}"),
        }
    }

    #[test]
    fn the_stream_parser_never_panics_and_accepts_only_what_is_in_bounds(query in query_strategy()) {
        match StreamParams::from_query(Some(&query)) {
            Ok(params) => {
                prop_assert!((1..=10_000_000).contains(&params.count));
                prop_assert!(params.high_water_mark <= 64);
                prop_assert!((1..=1024).contains(&params.batch));
            }
            Err(error) => prop_assert!(is_refusal(&error), "{error:?}"),
        }
    }

    #[test]
    fn in_range_values_are_read_back_exactly(
        count in 1u32..=100, produce_ms in 0u32..=200, read_ms in 0u32..=200, high_water_mark in 0u32..=16,
    ) {
        let query = format!("readMs={read_ms}&count={count}&highWaterMark={high_water_mark}&produceMs={produce_ms}");
        let expected = DemoParams { count, produce_ms, read_ms, high_water_mark };
        let planned_ms = expected.planned_ms();
        let parsed = DemoParams::from_query(Some(&query));
        if planned_ms <= RUN_LIMIT_MS {
            prop_assert_eq!(parsed, Ok(expected));
        } else {
            prop_assert_eq!(parsed, Err(Error::RunTooLong { planned_ms, limit_ms: RUN_LIMIT_MS }));
        }
    }

    #[test]
    fn routing_any_url_never_panics(url in "\\PC{0,200}", method in "[A-Za-z]{0,8}") {
        let target = Target::of_url(&url);
        prop_assert!(target.path.starts_with('/'));
        if let Err(error) = Route::find(&method, target.path) {
            prop_assert!(error.status() == 404 || error.status() == 405);
        }
    }

    #[test]
    fn a_feed_delivers_every_value_once_in_order_within_its_bound(
        push in any::<bool>(),
        count in 1u64..400,
        high_water_mark in 0u32..=8,
        batch in 1u32..=16,
        produce_ms in prop_oneof![Just(0u32), 1u32..5],
        paces in prop::collection::vec(0u64..20, 1..40),
    ) {
        let mode = if push { Mode::Push } else { Mode::Pull };
        let params = StreamParams { count, produce_ms, high_water_mark, batch, mode, format: Format::Text };
        let (values, summary) = on_virtual_time(async move {
            let host = TestHost::new();
            let (feed, producer) = stream::start(host.clone(), RunId::from_bits(7), params);
            tokio::task::spawn_local(producer);
            let mut values = Vec::new();
            let mut takes = 0;
            loop {
                match feed.take().await {
                    Taken::Chunk(chunk) => {
                        assert!(!chunk.is_empty() && chunk.len() <= batch as usize);
                        values.extend(chunk.iter().map(|sent| sent.value));
                    }
                    Taken::End(ending, summary) => {
                        assert_eq!(ending, Ending::Complete);
                        break (values, summary.expect("the take that ends the stream has the summary"));
                    }
                }
                // A client whose pace changes from read to read.
                tokio::time::sleep(Duration::from_millis(paces[takes % paces.len()])).await;
                takes += 1;
            }
        });
        prop_assert_eq!(values, (1..=count).collect::<Vec<_>>());
        prop_assert_eq!(summary.produced, count);
        prop_assert_eq!(summary.sent, count);
        if !push {
            let bound = u64::from(high_water_mark.max(batch));
            prop_assert!(summary.max_queue <= bound, "maxQueue {} > {}", summary.max_queue, bound);
            prop_assert!(summary.max_lead < bound.max(1));
        }
    }
}
