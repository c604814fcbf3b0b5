//! The demo's parameters: the recipe's defaults, strict bounds, and an error
//! that names the parameter and what is allowed for every bad input.

mod support;

use handling_backpressure::demo::params::{DemoParams, RUN_LIMIT_MS};
use handling_backpressure::http::error::Error;
use serde_json::json;
use support::body;

fn parse(query: &str) -> Result<DemoParams, Error> {
    DemoParams::from_query(Some(query)).map_err(|error| *error)
}

fn invalid(name: &str, value: &str, min: u64, max: u64) -> Error {
    let name = ["count", "produceMs", "readMs", "highWaterMark"]
        .into_iter()
        .find(|known| *known == name)
        .expect("a known parameter");
    Error::InvalidInteger {
        name,
        value: value.to_owned(),
        min,
        max,
    }
}

#[test]
fn no_query_gives_the_recipes_values() {
    let recipe = DemoParams {
        count: 5,
        produce_ms: 100,
        read_ms: 1000,
        high_water_mark: 1,
    };
    assert_eq!(DemoParams::from_query(None), Ok(recipe));
    assert_eq!(parse(""), Ok(recipe));
}

#[test]
fn every_parameter_can_be_set() {
    assert_eq!(
        parse("count=7&produceMs=0&readMs=250&highWaterMark=16"),
        Ok(DemoParams {
            count: 7,
            produce_ms: 0,
            read_ms: 250,
            high_water_mark: 16
        })
    );
}

#[test]
fn the_ends_of_each_range_are_accepted() {
    for query in [
        "count=1",
        "count=100&readMs=0&produceMs=0",
        "produceMs=0",
        "produceMs=10000&count=2&readMs=0",
        "readMs=0",
        "readMs=10000&count=2&produceMs=0",
        "highWaterMark=0",
        "highWaterMark=16",
    ] {
        assert!(parse(query).is_ok(), "{query}");
    }
}

#[test]
fn values_outside_a_range_name_the_parameter_and_the_range() {
    let cases = [
        ("count=0", invalid("count", "0", 1, 100)),
        ("count=101", invalid("count", "101", 1, 100)),
        ("produceMs=10001", invalid("produceMs", "10001", 0, 10_000)),
        ("readMs=10001", invalid("readMs", "10001", 0, 10_000)),
        ("highWaterMark=17", invalid("highWaterMark", "17", 0, 16)),
    ];
    for (query, expected) in cases {
        assert_eq!(parse(query), Err(expected), "{query}");
    }
}

#[test]
fn anything_but_plain_digits_is_refused() {
    for value in [
        "",
        "abc",
        "-1",
        "+5",
        " 5",
        "5 ",
        "5.0",
        "1e2",
        "0x10",
        "５",
        "5%00",
        "99999999999999999999999999",
    ] {
        let query = format!("count={}", value.replace(' ', "%20").replace('+', "%2B"));
        match parse(&query) {
            Err(Error::InvalidInteger {
                name: "count",
                min: 1,
                max: 100,
                ..
            }) => {}
            other => panic!("{query:?} gave {other:?}"),
        }
    }
}

#[test]
fn a_name_without_a_value_is_an_empty_value() {
    assert_eq!(parse("count"), Err(invalid("count", "", 1, 100)));
}

#[test]
fn percent_encoded_digits_are_digits() {
    assert_eq!(parse("count=%35").map(|p| p.count), Ok(5));
    assert_eq!(parse("c%6Funt=3").map(|p| p.count), Ok(3));
}

#[test]
fn a_query_is_decoded_as_a_form_is() {
    // `+` is a space, an escape is its byte, and a `%` without two hex
    // digits after it is itself.
    assert_eq!(parse("count=+5"), Err(invalid("count", " 5", 1, 100)));
    assert_eq!(parse("count=%2B5"), Err(invalid("count", "+5", 1, 100)));
    assert_eq!(parse("count=%3"), Err(invalid("count", "%3", 1, 100)));
    assert_eq!(parse("count=5%"), Err(invalid("count", "5%", 1, 100)));
    assert_eq!(parse("count=%g5"), Err(invalid("count", "%g5", 1, 100)));
    assert_eq!(parse("count=%e2%82%ac"), Err(invalid("count", "€", 1, 100)));
    // Empty pieces are nothing; the first `=` splits name from value.
    assert_eq!(parse("&&count=3&").map(|p| p.count), Ok(3));
    assert_eq!(parse("count=3=4"), Err(invalid("count", "3=4", 1, 100)));
}

#[test]
fn an_escape_that_is_not_utf8_is_echoed_as_the_client_wrote_it() {
    assert_eq!(parse("count=%FF"), Err(invalid("count", "%FF", 1, 100)));
    match parse("c%FFunt=3") {
        Err(Error::UnknownParameter { name, .. }) => assert_eq!(name, "c%FFunt"),
        other => panic!("gave {other:?}"),
    }
}

#[test]
fn unknown_parameters_are_refused_with_the_list_of_known_ones() {
    let error = parse("count=3&cuont=4").expect_err("a typo is an error");
    assert_eq!(error.code(), "unknown_parameter");
    assert_eq!(
        body(&error),
        json!({
            "error": "unknown_parameter",
            "message": "unknown parameter \"cuont\"; allowed parameters are count, produceMs, readMs, highWaterMark",
            "parameter": "cuont",
            "allowed": ["count", "produceMs", "readMs", "highWaterMark"],
        })
    );
    // Names are case-sensitive, as in the recipe's JavaScript.
    assert_eq!(
        parse("Count=3").map_err(|e| e.code()),
        Err("unknown_parameter")
    );
}

#[test]
fn a_repeated_parameter_is_refused_even_with_equal_values() {
    assert_eq!(
        parse("readMs=10&readMs=10"),
        Err(Error::RepeatedParameter { name: "readMs" })
    );
}

#[test]
fn a_run_that_would_outlive_background_work_is_refused() {
    // 3 × 8000 + 2 × 1000 = 26000 ms.
    let error = parse("count=3&readMs=8000&produceMs=1000").expect_err("too long");
    assert_eq!(
        error,
        Error::RunTooLong {
            planned_ms: 26_000,
            limit_ms: RUN_LIMIT_MS
        }
    );
    assert_eq!(error.status(), 400);
    assert_eq!(body(&error)["plannedMs"], 26_000);
    // Exactly at the limit is fine: 25 × 1000 + 0.
    assert!(parse("count=25&readMs=1000&produceMs=0").is_ok());
}

#[test]
fn the_error_body_names_the_parameter_the_value_and_the_allowed_range() {
    let error = parse("highWaterMark=99").expect_err("out of range");
    assert_eq!(error.status(), 400);
    assert_eq!(
        body(&error),
        json!({
            "error": "invalid_parameter",
            "message": "highWaterMark must be a whole number from 0 to 16, got \"99\"",
            "parameter": "highWaterMark",
            "value": "99",
            "allowed": { "min": 0, "max": 16 },
        })
    );
}

#[test]
fn long_junk_is_shortened_before_it_is_echoed() {
    let junk = "x".repeat(10_000);
    match parse(&format!("count={junk}")) {
        Err(Error::InvalidInteger { value, .. }) => {
            assert_eq!(value.chars().count(), 65);
            assert!(value.ends_with('…'));
        }
        other => panic!("{other:?}"),
    }
    match parse(&format!("{junk}=1")) {
        Err(Error::UnknownParameter { name, .. }) => assert_eq!(name.chars().count(), 65),
        other => panic!("{other:?}"),
    }
}
