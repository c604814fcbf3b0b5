//! `/api/stream`'s parameters: defaults, bounds, the two word-valued ones, and
//! the push caps they configure.

mod support;

use handling_backpressure::http::error::Error;
use handling_backpressure::stream::params::{BATCH, PUSH_CAP_BYTES, PUSH_CAP_VALUES, StreamParams};
use handling_backpressure::stream::vocabulary::Mode;
use handling_backpressure::stream::wire::Format;
use support::body;

fn parse(query: &str) -> Result<StreamParams, Error> {
    StreamParams::from_query(Some(query)).map_err(|error| *error)
}

#[test]
fn no_query_gives_a_thousand_unpaced_values_pulled_one_at_a_time() {
    assert_eq!(
        StreamParams::from_query(None),
        Ok(StreamParams {
            count: 1000,
            produce_ms: 0,
            high_water_mark: 1,
            batch: 1,
            mode: Mode::Pull,
            format: Format::Text,
        })
    );
}

#[test]
fn every_parameter_can_be_set_to_the_ends_of_its_range() {
    assert_eq!(
        parse("count=10000000&produceMs=10000&highWaterMark=64&batch=8192&mode=push&format=ndjson"),
        Ok(StreamParams {
            count: 10_000_000,
            produce_ms: 10_000,
            high_water_mark: 64,
            batch: BATCH.max as u32,
            mode: Mode::Push,
            format: Format::Ndjson,
        })
    );
    assert!(parse("count=1&highWaterMark=0&batch=1&mode=pull&format=text").is_ok());
}

#[test]
fn out_of_range_numbers_name_the_parameter_and_range() {
    for (query, name, min, max) in [
        ("count=0", "count", 1, 10_000_000),
        ("count=10000001", "count", 1, 10_000_000),
        ("produceMs=10001", "produceMs", 0, 10_000),
        ("highWaterMark=65", "highWaterMark", 0, 64),
        ("batch=0", "batch", 1, 8192),
        ("batch=8193", "batch", 1, 8192),
    ] {
        match parse(query) {
            Err(Error::InvalidInteger {
                name: got,
                min: got_min,
                max: got_max,
                ..
            }) => assert_eq!((got, got_min, got_max), (name, min, max), "{query}"),
            other => panic!("{query}: {other:?}"),
        }
    }
}

#[test]
fn words_must_be_one_of_the_allowed_ones_exactly() {
    for (query, name) in [
        ("mode=PUSH", "mode"),
        ("mode=", "mode"),
        ("mode=pushy", "mode"),
        ("format=json", "format"),
        ("format=NDJSON", "format"),
    ] {
        let error = parse(query).expect_err(query);
        assert_eq!(error.code(), "invalid_parameter", "{query}");
        assert_eq!(body(&error)["parameter"], name, "{query}");
        assert!(body(&error)["allowed"].is_array(), "{query}");
    }
}

#[test]
fn the_demos_parameters_are_not_the_streams() {
    assert_eq!(
        parse("readMs=10").map_err(|e| e.code()),
        Err("unknown_parameter")
    );
}

#[test]
fn push_mode_is_capped_at_the_documented_values_and_bytes() {
    let config = parse("mode=push").expect("valid").feed_config();
    assert_eq!(config.cap_values, PUSH_CAP_VALUES);
    assert_eq!(config.cap_bytes, PUSH_CAP_BYTES);
    assert_eq!(
        (PUSH_CAP_VALUES, PUSH_CAP_BYTES),
        (100_000, 4 * 1024 * 1024)
    );
}
