//! `/api/proxy`'s transform: each value gets its square and the running
//! sum, lines may be cut anywhere between chunks, the origin's summary
//! passes through, and anything that is not the origin's format is a fault.

use handling_backpressure::proxy::transform::{MAX_LINE_BYTES, OriginFault, Transform};
use handling_backpressure::stream::wire::Format;

/// Transforms `chunks` in turn and ends; returns the output and the values
/// each chunk gave.
fn transform(format: Format, chunks: &[&[u8]]) -> Result<(String, Vec<u64>), OriginFault> {
    let mut transform = Transform::new(format);
    let mut out = Vec::new();
    let mut values = Vec::new();
    for chunk in chunks {
        values.push(transform.chunk(chunk, &mut out)?);
    }
    transform.end()?;
    Ok((String::from_utf8(out).expect("ASCII"), values))
}

#[test]
fn text_values_get_their_square_and_the_running_sum() {
    let (out, values) = transform(Format::Text, &[b"1\n2\n3\n"]).expect("valid");
    assert_eq!(out, "1 1 1\n2 4 3\n3 9 6\n");
    assert_eq!(values, [3]);
}

#[test]
fn a_line_cut_between_chunks_is_joined_whatever_the_cut() {
    let whole = b"7\n10\n123\n".as_slice();
    let expected = "7 49 7\n10 100 17\n123 15129 140\n";
    for first in 0..=whole.len() {
        for second in first..=whole.len() {
            let chunks = [&whole[..first], &whole[first..second], &whole[second..]];
            let (out, values) = transform(Format::Text, &chunks).expect("valid");
            assert_eq!(out, expected, "cut at {first} and {second}");
            assert_eq!(values.iter().sum::<u64>(), 3);
        }
    }
}

#[test]
fn ndjson_values_keep_their_time_and_lead_and_the_origin_summary_passes_through() {
    let summary = r#"{"run":"0000abcd","event":"summary","route":"stream","produced":2}"#;
    let origin = format!(
        "{{\"value\":4,\"producedAt\":17,\"lead\":2}}\n{{\"value\":5,\"producedAt\":18,\"lead\":0}}\n{summary}\n"
    );
    let (out, values) = transform(Format::Ndjson, &[origin.as_bytes()]).expect("valid");
    assert_eq!(
        out,
        format!(
            "{{\"value\":4,\"square\":16,\"sum\":4,\"producedAt\":17,\"lead\":2}}\n\
             {{\"value\":5,\"square\":25,\"sum\":9,\"producedAt\":18,\"lead\":0}}\n{summary}\n"
        )
    );
    assert_eq!(values, [2], "the summary is not a value");
    for line in out.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("every line is JSON");
    }
}

#[test]
fn the_largest_values_do_not_overflow() {
    let max = u64::MAX;
    let (out, _) = transform(Format::Text, &[format!("{max}\n{max}\n").as_bytes()]).expect("valid");
    let square = u128::from(max) * u128::from(max);
    let sum = u128::from(max) * 2;
    assert_eq!(out, format!("{max} {square} {max}\n{max} {square} {sum}\n"));
}

#[test]
fn what_is_not_the_origin_format_is_the_origin_fault() {
    for (format, body, says) in [
        (Format::Text, b"1\nx\n".as_slice(), "not a value: \"x\""),
        (Format::Text, b"-1\n", "not a value"),
        (Format::Text, b"\n", "not a value"),
        (Format::Text, b"99999999999999999999\n", "not a value"),
        (Format::Ndjson, b"{\"value\":1}\n", "not a value"),
        (
            Format::Ndjson,
            b"{\"value\":\"1\",\"producedAt\":0,\"lead\":0}\n",
            "not a value",
        ),
        (Format::Ndjson, b"7\n", "not a value"),
        (
            Format::Ndjson,
            b"{\"value\":1,\"producedAt\":0,\"lead\":0\n",
            "not a value",
        ),
        (
            Format::Ndjson,
            b"\"value\":1,\"producedAt\":0,\"lead\":0}\n",
            "not a value",
        ),
        (
            Format::Text,
            b"1\n2",
            "ended in the middle of a line: \"2\"",
        ),
        (
            Format::Text,
            b"1\n7\xff\n",
            "not a value: 2 bytes that are not UTF-8",
        ),
    ] {
        let fault = transform(format, &[body]).expect_err("a fault");
        assert!(fault.0.contains(says), "{format:?} {body:?}: {}", fault.0);
    }
}

#[test]
fn a_line_longer_than_the_limit_is_refused_before_it_is_all_held() {
    let mut transform = Transform::new(Format::Text);
    let mut out = Vec::new();
    let long = vec![b'1'; MAX_LINE_BYTES];
    assert_eq!(
        transform.chunk(&long, &mut out),
        Ok(0),
        "at the limit: kept"
    );
    let fault = transform.chunk(b"1", &mut out).expect_err("past it");
    assert!(fault.0.contains("longer than 4096 bytes"), "{}", fault.0);
    assert!(out.is_empty());
}

#[test]
fn a_line_finished_in_a_chunk_is_held_to_the_limit_too() {
    let mut transform = Transform::new(Format::Text);
    let mut out = Vec::new();
    let mut long = vec![b'1'; MAX_LINE_BYTES + 1];
    long.push(b'\n');
    let fault = transform.chunk(&long, &mut out).expect_err("too long");
    assert!(fault.0.contains("longer than 4096 bytes"), "{}", fault.0);

    // Joined from two chunks, just as much.
    let mut transform = Transform::new(Format::Ndjson);
    assert_eq!(
        transform.chunk(&vec![b'{'; MAX_LINE_BYTES], &mut out),
        Ok(0)
    );
    let fault = transform.chunk(b"}\n", &mut out).expect_err("too long");
    assert!(fault.0.contains("longer than 4096 bytes"), "{}", fault.0);
}

#[test]
fn a_fault_keeps_the_lines_before_it() {
    let mut transform = Transform::new(Format::Text);
    let mut out = Vec::new();
    let fault = transform
        .chunk(b"1\n2\nx\n3\n", &mut out)
        .expect_err("x is not a value");
    assert!(fault.0.contains("\"x\""), "{}", fault.0);
    assert_eq!(out, b"1 1 1\n2 4 3\n");
    assert_eq!(transform.values(), 2);
}

#[test]
fn a_line_of_exactly_the_limit_is_whole_enough() {
    // The origin's summary passes through whatever its length, up to the limit.
    let head = b"{\"event\":\"summary\",\"pad\":\"";
    let mut line = head.to_vec();
    line.resize(MAX_LINE_BYTES - 2, b'x');
    line.extend_from_slice(b"\"}");
    assert_eq!(line.len(), MAX_LINE_BYTES);
    let mut with_newline = line.clone();
    with_newline.push(b'\n');
    let (out, values) = transform(Format::Ndjson, &[&with_newline]).expect("at the limit");
    assert_eq!((out.len(), values), (MAX_LINE_BYTES + 1, vec![0]));
}
