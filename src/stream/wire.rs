//! How `/api/stream` writes values on the wire: one value per line, as plain
//! text (`N\n`) or as NDJSON objects that carry what a client needs to draw
//! producer against consumer.
//!
//! ```text
//! text:    42\n
//! ndjson:  {"value":42,"producedAt":17,"lead":3}\n
//! ```
//!
//! `producedAt` is when the value was made, in ms since the stream started;
//! `lead` is how many values the producer had made beyond it when it left the
//! worker. An NDJSON stream that ends normally (complete or capped) ends with
//! the run's summary object as its last line.

use super::vocabulary::Sent;

/// The body's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `N\n`, `text/plain; charset=utf-8`.
    Text,
    /// One JSON object per line, `application/x-ndjson`.
    Ndjson,
}

impl Format {
    /// The `Content-Type` of a body in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain; charset=utf-8",
            Format::Ndjson => "application/x-ndjson",
        }
    }

    /// Appends one chunk's lines to `out`.
    pub fn encode(self, chunk: &[Sent], out: &mut Vec<u8>) {
        let mut digits = itoa::Buffer::new();
        for sent in chunk {
            match self {
                Format::Text => {
                    out.extend_from_slice(digits.format(sent.value).as_bytes());
                    out.push(b'\n');
                }
                Format::Ndjson => {
                    out.extend_from_slice(b"{\"value\":");
                    out.extend_from_slice(digits.format(sent.value).as_bytes());
                    out.extend_from_slice(b",\"producedAt\":");
                    out.extend_from_slice(digits.format(sent.produced_at_ms).as_bytes());
                    out.extend_from_slice(b",\"lead\":");
                    out.extend_from_slice(digits.format(sent.lead).as_bytes());
                    out.extend_from_slice(b"}\n");
                }
            }
        }
    }

    /// The fewest bytes a value's line takes in this format (NDJSON lines
    /// also carry a time and a lead, counted here at one digit each). The
    /// push cap counts these.
    pub fn min_line_bytes(self) -> fn(u64) -> usize {
        match self {
            Format::Text => |value| decimal_digits(value) + 1,
            Format::Ndjson => |value| NDJSON_FIXED_BYTES + decimal_digits(value),
        }
    }
}

/// `{"value":` `,"producedAt":0` `,"lead":0` `}\n`
const NDJSON_FIXED_BYTES: usize = 9 + 15 + 9 + 2;

fn decimal_digits(value: u64) -> usize {
    value.checked_ilog10().map_or(1, |log| log as usize + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(value: u64, produced_at_ms: u64, lead: u64) -> Sent {
        Sent {
            value,
            produced_at_ms,
            lead,
        }
    }

    #[test]
    fn each_format_names_its_content_type() {
        assert_eq!(Format::Text.content_type(), "text/plain; charset=utf-8");
        assert_eq!(Format::Ndjson.content_type(), "application/x-ndjson");
    }

    #[test]
    fn text_is_one_value_per_line() {
        let mut out = Vec::new();
        Format::Text.encode(
            &[sent(1, 0, 0), sent(10, 5, 2), sent(u64::MAX, 0, 0)],
            &mut out,
        );
        assert_eq!(out, b"1\n10\n18446744073709551615\n");
    }

    #[test]
    fn ndjson_is_one_object_per_line() {
        let mut out = Vec::new();
        Format::Ndjson.encode(&[sent(7, 1234, 3), sent(8, 1235, 0)], &mut out);
        assert_eq!(
            String::from_utf8(out).expect("ASCII"),
            "{\"value\":7,\"producedAt\":1234,\"lead\":3}\n{\"value\":8,\"producedAt\":1235,\"lead\":0}\n"
        );
    }

    #[test]
    fn the_smallest_line_sizes_match_the_encoding() {
        // Every digit count's first and last value, and their neighbours.
        let mut values = vec![0, 1, u64::MAX - 1, u64::MAX];
        for power in (1..20).map(|exponent| 10u64.pow(exponent)) {
            values.extend([power - 2, power - 1, power, power + 1]);
        }
        for (format, value) in [Format::Text, Format::Ndjson]
            .into_iter()
            .flat_map(|format| values.iter().map(move |&value| (format, value)))
        {
            let mut out = Vec::new();
            format.encode(&[sent(value, 0, 0)], &mut out);
            assert_eq!(
                format.min_line_bytes()(value),
                out.len(),
                "{format:?} {value}"
            );
        }
    }
}
