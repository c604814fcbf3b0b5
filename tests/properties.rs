//! Property tests: the parameter parsers and the stream feed against
//! generated input. `PROPTEST_CASES` sets how many cases each property runs
//! (256 by default; `make bench` runs 20,000).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use handling_backpressure::demo::params::{DemoParams, RUN_LIMIT_MS};
use handling_backpressure::http::error::Error;
use handling_backpressure::http::route::{Route, Target};
use handling_backpressure::proxy::transform::Transform;
use handling_backpressure::run::RunId;
use handling_backpressure::stream;
use handling_backpressure::stream::feed::Taken;
use handling_backpressure::stream::params::{FORMAT, MODE, StreamParams};
use handling_backpressure::stream::vocabulary::{Ending, Mode};
use handling_backpressure::stream::wire::Format;
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

/// `value` as a query may spell it: plain, or with some of its characters
/// percent-encoded (`5` as `%35`), which must parse the same.
fn spelled(value: String) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<bool>(), value.len()).prop_map(move |encode| {
        value
            .bytes()
            .zip(encode)
            .map(|(byte, encode)| match encode {
                true => format!("%{byte:02X}"),
                false => char::from(byte).to_string(),
            })
            .collect()
    })
}

/// A query giving each `(name, value)` pair, in any order, each value
/// spelled in any way.
fn query_of(pairs: Vec<(&'static str, String)>) -> impl Strategy<Value = String> {
    let spelled_pairs: Vec<_> = pairs
        .into_iter()
        .map(|(name, value)| spelled(value).prop_map(move |value| format!("{name}={value}")))
        .collect();
    spelled_pairs
        .prop_shuffle()
        .prop_map(|pairs| pairs.join("&"))
}

/// `(name, value)` for each parameter given (`Some`).
fn given<const N: usize>(
    pairs: [(&'static str, Option<String>); N],
) -> Vec<(&'static str, String)> {
    pairs
        .into_iter()
        .filter_map(|(name, value)| value.map(|value| (name, value)))
        .collect()
}

/// A valid `/api/stream` query and exactly what it asks for: each parameter
/// absent (its default) or anywhere in its range.
fn valid_stream_query() -> impl Strategy<Value = (String, StreamParams)> {
    (
        prop::option::of(prop_oneof![1u64..=100, 1u64..=10_000_000]),
        prop::option::of(prop_oneof![0u32..=10, 0u32..=10_000]),
        prop::option::of(0u32..=64),
        prop::option::of(prop_oneof![1u32..=16, 1u32..=8192]),
        prop::option::of(prop_oneof![Just(Mode::Pull), Just(Mode::Push)]),
        prop::option::of(prop_oneof![Just(Format::Text), Just(Format::Ndjson)]),
    )
        .prop_flat_map(
            |(count, produce_ms, high_water_mark, batch, mode, format)| {
                let default = StreamParams::from_query(None).expect("no query is valid");
                let expected = StreamParams {
                    count: count.unwrap_or(default.count),
                    produce_ms: produce_ms.unwrap_or(default.produce_ms),
                    high_water_mark: high_water_mark.unwrap_or(default.high_water_mark),
                    batch: batch.unwrap_or(default.batch),
                    mode: mode.unwrap_or(default.mode),
                    format: format.unwrap_or(default.format),
                };
                let pairs = given([
                    ("count", count.map(|v| v.to_string())),
                    ("produceMs", produce_ms.map(|v| v.to_string())),
                    ("highWaterMark", high_water_mark.map(|v| v.to_string())),
                    ("batch", batch.map(|v| v.to_string())),
                    ("mode", mode.map(|v| MODE.word(v).to_owned())),
                    ("format", format.map(|v| FORMAT.word(v).to_owned())),
                ]);
                (query_of(pairs), Just(expected))
            },
        )
}

/// A valid demo query and exactly what it asks for; runs that would not fit
/// the time limit are left out (they are refused, as tested elsewhere).
fn valid_demo_query() -> impl Strategy<Value = (String, DemoParams)> {
    (
        prop::option::of(1u32..=100),
        prop::option::of(prop_oneof![0u32..=10, 0u32..=10_000]),
        prop::option::of(prop_oneof![0u32..=10, 0u32..=10_000]),
        prop::option::of(0u32..=16),
    )
        .prop_filter_map(
            "the run fits the time limit",
            |(count, produce_ms, read_ms, hwm)| {
                let recipe = DemoParams::default();
                let expected = DemoParams {
                    count: count.unwrap_or(recipe.count),
                    produce_ms: produce_ms.unwrap_or(recipe.produce_ms),
                    read_ms: read_ms.unwrap_or(recipe.read_ms),
                    high_water_mark: hwm.unwrap_or(recipe.high_water_mark),
                };
                let pairs = given([
                    ("count", count.map(|v| v.to_string())),
                    ("produceMs", produce_ms.map(|v| v.to_string())),
                    ("readMs", read_ms.map(|v| v.to_string())),
                    ("highWaterMark", hwm.map(|v| v.to_string())),
                ]);
                (expected.planned_ms() <= RUN_LIMIT_MS).then_some((pairs, expected))
            },
        )
        .prop_flat_map(|(pairs, expected)| (query_of(pairs), Just(expected)))
}

/// A whole number outside `min..=max`: just below, just above, or far above.
fn outside(min: u64, max: u64) -> BoxedStrategy<u64> {
    let above = prop_oneof![(max + 1)..=(max + 1000), (max + 1)..=u64::MAX];
    if min > 0 {
        prop_oneof![0..min, above].boxed()
    } else {
        above.boxed()
    }
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
                prop_assert!((1..=8192).contains(&params.batch));
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
        let parsed = DemoParams::from_query(Some(&query)).map_err(|error| *error);
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
            let (feed, producer) = stream::start(host.clone(), RunId::from_bits(7), params, support::feed::budget());
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
    #[test]
    fn a_valid_stream_query_parses_to_exactly_what_it_says((query, expected) in valid_stream_query()) {
        prop_assert_eq!(StreamParams::from_query(Some(&query)), Ok(expected), "{}", query);
    }

    #[test]
    fn a_valid_demo_query_parses_to_exactly_what_it_says((query, expected) in valid_demo_query()) {
        prop_assert_eq!(DemoParams::from_query(Some(&query)), Ok(expected), "{}", query);
    }

    #[test]
    fn a_number_outside_its_range_is_refused_with_the_name_and_the_range(
        (route, name, min, max, value) in prop_oneof![
            Just(("stream", "count", 1, 10_000_000)),
            Just(("stream", "produceMs", 0, 10_000)),
            Just(("stream", "highWaterMark", 0, 64)),
            Just(("stream", "batch", 1, 8192)),
            Just(("demo", "count", 1, 100)),
            Just(("demo", "produceMs", 0, 10_000)),
            Just(("demo", "readMs", 0, 10_000)),
            Just(("demo", "highWaterMark", 0, 16)),
        ]
        .prop_flat_map(|(route, name, min, max)| (Just(route), Just(name), Just(min), Just(max), outside(min, max))),
    ) {
        let query = format!("{name}={value}");
        let refused = match route {
            "stream" => StreamParams::from_query(Some(&query)).err(),
            _ => DemoParams::from_query(Some(&query)).err(),
        }
        .map(|error| *error);
        prop_assert_eq!(
            refused,
            Some(Error::InvalidInteger { name, value: value.to_string(), min, max })
        );
    }
}

/// Values whose squares and sums have zeros inside a group of nine digits,
/// or a digit count at a group's edge, as well as any `u64`.
fn proxied_value() -> impl Strategy<Value = u64> {
    prop_oneof![
        any::<u64>(),
        (0u32..=19).prop_map(|power| 10u64.pow(power)),
        (0u32..=19).prop_map(|power| 10u64.pow(power) - 1),
        (1u64..=u64::MAX / 1_000_000_000).prop_map(|high| high * 1_000_000_000),
    ]
}

proptest! {
    #[test]
    fn the_proxy_writes_every_square_and_sum_in_full(
        values in proptest::collection::vec(proxied_value(), 1..8),
    ) {
        let lines: String = values.iter().map(|value| format!("{value}\n")).collect();
        let mut transform = Transform::new(Format::Text);
        let mut out = Vec::new();
        transform.chunk(lines.as_bytes(), &mut out).expect("whole numbers");
        let mut sum = 0u128;
        let expected: String = values
            .iter()
            .map(|&value| {
                let value = u128::from(value);
                sum += value;
                format!("{value} {} {sum}\n", value * value)
            })
            .collect();
        prop_assert_eq!(String::from_utf8(out).expect("ASCII"), expected);
    }
}
