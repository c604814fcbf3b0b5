//! The README's parameter tables say what the code does: each row's default
//! and allowed values are read back and compared with the route's spec, so a
//! change to a bound that forgets the README fails here.

use handling_backpressure::demo::params as demo;
use handling_backpressure::http::query::{Choice, Integer};
use handling_backpressure::proxy::params as proxy;
use handling_backpressure::stream::params as stream;

const README: &str = include_str!("../README.md");

/// The rows of the first table after `heading`, as `(name, default, allowed)`
/// with backticks and thousands separators taken out.
fn table_after(heading: &str) -> Vec<(String, String, String)> {
    let section = README
        .split_once(heading)
        .unwrap_or_else(|| panic!("the README has a section {heading:?}"))
        .1;
    section
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .skip(2)
        .map(|row| {
            let cells: Vec<String> = row
                .split('|')
                .map(|cell| cell.trim().replace(['`', ','], ""))
                .collect();
            (cells[1].clone(), cells[2].clone(), cells[3].clone())
        })
        .collect()
}

fn integer_row(spec: Integer) -> (String, String, String) {
    (
        spec.name.to_owned(),
        spec.default.to_string(),
        format!("{} to {}", spec.min, spec.max),
    )
}

/// The allowed words as the README lists them, `a`, `b`, without the marks.
fn choice_row<T: Copy + PartialEq>(spec: Choice<T>) -> (String, String, String) {
    (
        spec.name.to_owned(),
        spec.word(spec.default).to_owned(),
        spec.words.join(" "),
    )
}

#[test]
fn the_demo_table_shows_the_demo_spec() {
    let expected: Vec<_> = demo::SPEC.into_iter().map(integer_row).collect();
    assert_eq!(table_after("## The route"), expected);
}

#[test]
fn the_stream_table_shows_the_stream_spec() {
    let mut expected: Vec<_> = stream::INTEGERS.into_iter().map(integer_row).collect();
    expected.push(choice_row(stream::MODE));
    expected.push(choice_row(stream::FORMAT));
    assert_eq!(table_after("## Streaming to a slow client"), expected);
}

#[test]
fn the_proxy_table_shows_the_proxy_spec() {
    let expected = vec![
        integer_row(stream::COUNT),
        integer_row(stream::PRODUCE_MS),
        integer_row(stream::HIGH_WATER_MARK),
        integer_row(stream::BATCH),
        choice_row(stream::FORMAT),
        integer_row(proxy::TRANSFORM_HIGH_WATER_MARK),
    ];
    assert_eq!(
        table_after("## Backpressure across a proxy"),
        expected,
        "and in the order of PROXY_PARAMETERS: {:?}",
        proxy::PROXY_PARAMETERS
    );
}
