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

use super::chunk::Chunk;
use super::decimal::{Decimal, write_text_lines};
#[cfg(test)]
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

    /// Appends one chunk's lines to `out`. The values of a run are
    /// consecutive: each one's digits are the last one's plus one, counted
    /// up in place rather than converted from scratch, and in text a hundred
    /// lines are written at a time (see `stream/decimal.rs`).
    pub fn encode(self, chunk: &Chunk, out: &mut Vec<u8>) {
        let mut digits = itoa::Buffer::new();
        for run in chunk.runs() {
            match self {
                Format::Text => write_text_lines(run.first.value, run.len, out),
                Format::Ndjson => {
                    let mut value = Decimal::of(run.first.value);
                    // The same time for the whole run: written once.
                    let mut at = itoa::Buffer::new();
                    let produced_at = at.format(run.first.produced_at_ms).as_bytes();
                    for offset in 0..run.len {
                        if offset > 0 {
                            value.increment();
                        }
                        out.extend_from_slice(b"{\"value\":");
                        out.extend_from_slice(value.digits());
                        out.extend_from_slice(b",\"producedAt\":");
                        out.extend_from_slice(produced_at);
                        out.extend_from_slice(b",\"lead\":");
                        out.extend_from_slice(digits.format(run.first.lead - offset).as_bytes());
                        out.extend_from_slice(b"}\n");
                    }
                }
            }
        }
    }

    /// The fewest bytes the lines of a run of consecutive values (its
    /// first, how many) take in this format (NDJSON lines also carry a time
    /// and a lead, counted here at one digit each). The push cap counts
    /// these.
    pub fn min_run_bytes(self) -> fn(u64, u64) -> usize {
        match self {
            Format::Text => |first, count| run_bytes(first, count, 1),
            Format::Ndjson => |first, count| run_bytes(first, count, NDJSON_FIXED_BYTES),
        }
    }
}

/// `{"value":` `,"producedAt":0` `,"lead":0` `}\n`
const NDJSON_FIXED_BYTES: u64 = 9 + 15 + 9 + 2;

/// The bytes of `count` lines from `first` on, each `fixed` bytes besides its
/// value's digits: counted a digit count at a time, not value by value.
fn run_bytes(first: u64, count: u64, fixed: u64) -> usize {
    let mut bytes = count.saturating_mul(fixed);
    let (mut value, mut left) = (first, count);
    while left > 0 {
        let digits = decimal_digits(value);
        // The largest value with as many digits.
        let widest = 10u64
            .checked_pow(digits as u32)
            .map_or(u64::MAX, |power| power - 1);
        let alike = (widest - value).saturating_add(1).min(left);
        bytes = bytes.saturating_add(alike.saturating_mul(digits));
        left -= alike;
        value = value.saturating_add(alike);
    }
    usize::try_from(bytes).unwrap_or(usize::MAX)
}

fn decimal_digits(value: u64) -> u64 {
    value.checked_ilog10().map_or(1, |log| u64::from(log) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::chunk::tests::sent;

    fn chunk(values: impl IntoIterator<Item = Sent>) -> Chunk {
        values.into_iter().collect()
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
            &chunk([sent(1, 0, 0), sent(10, 5, 2), sent(u64::MAX, 0, 0)]),
            &mut out,
        );
        assert_eq!(out, b"1\n10\n18446744073709551615\n");
    }

    #[test]
    fn ndjson_is_one_object_per_line() {
        let mut out = Vec::new();
        Format::Ndjson.encode(&chunk([sent(7, 1234, 3), sent(8, 1235, 0)]), &mut out);
        assert_eq!(
            String::from_utf8(out).expect("ASCII"),
            "{\"value\":7,\"producedAt\":1234,\"lead\":3}\n{\"value\":8,\"producedAt\":1235,\"lead\":0}\n"
        );
    }

    #[test]
    fn a_run_counts_up_across_every_digit_count_in_both_formats() {
        // Runs that cross each power of ten, a run of one, and runs that end
        // at the largest value: every line as the standard formatting
        // writes it, leads counting down within each run.
        let mut values: Vec<Sent> = (0..1_100)
            .map(|value| sent(value, 5, 1_100 - value))
            .collect();
        for exponent in 4..20 {
            let power = 10u64.pow(exponent);
            values.extend((power - 3..power + 2).map(|value| sent(value, 17, power + 2 - value)));
            values.push(sent(power / 2, 18, 0));
        }
        values.extend((u64::MAX - 2..=u64::MAX).map(|value| sent(value, 19, u64::MAX - value)));
        values.push(sent(0, 20, 0));
        let runs = chunk(values.iter().copied());
        assert!(
            runs.runs().len() < values.len() / 4,
            "the values make long runs"
        );
        for format in [Format::Text, Format::Ndjson] {
            let mut out = Vec::new();
            format.encode(&runs, &mut out);
            let expected: String = values
                .iter()
                .map(|sent| match format {
                    Format::Text => format!("{}\n", sent.value),
                    Format::Ndjson => format!(
                        "{{\"value\":{},\"producedAt\":{},\"lead\":{}}}\n",
                        sent.value, sent.produced_at_ms, sent.lead
                    ),
                })
                .collect();
            assert_eq!(
                String::from_utf8(out).expect("ASCII"),
                expected,
                "{format:?}"
            );
        }
    }

    #[test]
    fn the_smallest_run_sizes_match_the_encoding() {
        // Runs of one and of several from every digit count's first and last
        // value and their neighbours, so that runs cross from one digit count
        // into the next; and the runs that end at the largest value.
        let mut firsts = vec![0, 1, u64::MAX - 1, u64::MAX];
        for power in (1..20).map(|exponent| 10u64.pow(exponent)) {
            firsts.extend([power - 2, power - 1, power, power + 1]);
        }
        for format in [Format::Text, Format::Ndjson] {
            for &first in &firsts {
                for count in [1, 2, 3, 25] {
                    let Some(last) = first.checked_add(count - 1) else {
                        continue;
                    };
                    let mut out = Vec::new();
                    format.encode(
                        &chunk((first..=last).map(|value| sent(value, 0, 0))),
                        &mut out,
                    );
                    assert_eq!(
                        format.min_run_bytes()(first, count),
                        out.len(),
                        "{format:?} {first} ×{count}"
                    );
                }
            }
        }
        // A run across every digit count at once.
        let mut out = Vec::new();
        Format::Text.encode(
            &chunk((0..=123_456).map(|value| sent(value, 0, 0))),
            &mut out,
        );
        assert_eq!(Format::Text.min_run_bytes()(0, 123_457), out.len());
    }
}
