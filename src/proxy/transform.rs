//! What `/api/proxy` does to each value on its way through: it adds the
//! value's square and the running sum of the values so far.
//!
//! ```text
//! origin text:     7\n
//! client text:     7 49 28\n
//! origin ndjson:   {"value":7,"producedAt":17,"lead":0}\n
//! client ndjson:   {"value":7,"square":49,"sum":28,"producedAt":17,"lead":0}\n
//! ```
//!
//! The origin's chunks are cut wherever the runtime cut them, so a line may
//! start in one chunk and end in the next: the transform keeps the unfinished
//! end of a chunk (at most [`MAX_LINE_BYTES`]) for the next one. The origin's
//! own NDJSON summary line passes through unchanged. Anything else (a line
//! that is not a value, a line too long, a body that ends mid-line) is the
//! origin's fault and ends the run with [`OriginFault`].

use crate::http::error::echo;
use crate::http::query::whole_number;
use crate::stream::wire::Format;

/// The longest line the transform waits for the end of. The origin's lines
/// are at most a few hundred bytes (its summary); a longer one means the
/// origin is not what the binding should point at.
pub const MAX_LINE_BYTES: usize = 4096;

/// Why the origin's body could not be transformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginFault(pub String);

/// The transform of one stream: its format, running sum and unfinished line.
#[derive(Debug)]
pub struct Transform {
    format: Format,
    sum: u128,
    values: u64,
    /// The end of the last chunk, after its last `\n`.
    partial: Vec<u8>,
}

impl Transform {
    /// A transform of lines in `format`, with nothing seen yet.
    pub fn new(format: Format) -> Self {
        Transform {
            format,
            sum: 0,
            values: 0,
            partial: Vec::new(),
        }
    }

    /// How many values it has transformed.
    pub fn values(&self) -> u64 {
        self.values
    }

    /// Appends the transformed lines of every line that `chunk` finishes to
    /// `out`, and keeps its unfinished end. Returns how many values it wrote;
    /// on a fault, `out` keeps the lines transformed before it (and
    /// [`Transform::values`] counts them).
    pub fn chunk(&mut self, chunk: &[u8], out: &mut Vec<u8>) -> Result<u64, OriginFault> {
        let before = self.values;
        let mut rest = chunk;
        while let Some(end) = rest.iter().position(|&byte| byte == b'\n') {
            let (head, tail) = rest.split_at(end);
            rest = &tail[1..];
            if self.partial.len() + head.len() > MAX_LINE_BYTES {
                return Err(too_long());
            }
            if self.partial.is_empty() {
                self.line(head, out)?;
            } else {
                let mut line = std::mem::take(&mut self.partial);
                line.extend_from_slice(head);
                self.line(&line, out)?;
                // Keep the buffer's allocation for the next unfinished line.
                line.clear();
                self.partial = line;
            }
        }
        if self.partial.len() + rest.len() > MAX_LINE_BYTES {
            return Err(too_long());
        }
        self.partial.extend_from_slice(rest);
        Ok(self.values - before)
    }

    /// The origin's body has ended: it must have ended with a whole line.
    pub fn end(&self) -> Result<(), OriginFault> {
        if self.partial.is_empty() {
            Ok(())
        } else {
            Err(OriginFault(format!(
                "the origin's body ended in the middle of a line: {}",
                quote(&self.partial)
            )))
        }
    }

    fn line(&mut self, line: &[u8], out: &mut Vec<u8>) -> Result<(), OriginFault> {
        let not_a_value = || {
            OriginFault(format!(
                "the origin sent a line that is not a value: {}",
                quote(line)
            ))
        };
        match self.format {
            Format::Text => {
                let value = whole_number(line).ok_or_else(not_a_value)?;
                let (square, sum) = self.add(value);
                let mut digits = itoa::Buffer::new();
                out.extend_from_slice(digits.format(value).as_bytes());
                out.push(b' ');
                push_u128(out, square);
                out.push(b' ');
                push_u128(out, sum);
                out.push(b'\n');
            }
            Format::Ndjson if is_summary(line) => {
                out.extend_from_slice(line);
                out.push(b'\n');
            }
            Format::Ndjson => {
                let field = |name| number_field(line, name).ok_or_else(not_a_value);
                let (value, produced_at, lead) = (
                    field(b"\"value\":")?,
                    field(b"\"producedAt\":")?,
                    field(b"\"lead\":")?,
                );
                let (square, sum) = self.add(value);
                let mut digits = itoa::Buffer::new();
                out.extend_from_slice(b"{\"value\":");
                out.extend_from_slice(digits.format(value).as_bytes());
                out.extend_from_slice(b",\"square\":");
                push_u128(out, square);
                out.extend_from_slice(b",\"sum\":");
                push_u128(out, sum);
                out.extend_from_slice(b",\"producedAt\":");
                out.extend_from_slice(digits.format(produced_at).as_bytes());
                out.extend_from_slice(b",\"lead\":");
                out.extend_from_slice(digits.format(lead).as_bytes());
                out.extend_from_slice(b"}\n");
            }
        }
        Ok(())
    }

    /// Counts `value` in: its square and the sum so far. Both fit a u128
    /// (a u64's square does; the sum saturates, which takes 2^64 values).
    fn add(&mut self, value: u64) -> (u128, u128) {
        let value = u128::from(value);
        self.sum = self.sum.saturating_add(value);
        self.values += 1;
        (value * value, self.sum)
    }
}

/// Appends `value` in decimal. By long division by 10^9 over its four 32-bit
/// limbs, in u64 arithmetic, and each group of nine digits written with
/// itoa's u64 formatting, the one the values themselves are written with:
/// itoa's own u128 formatting (and the u128 division it avoids) was 1.3 KB of
/// wasm for the squares and sums of this route.
fn push_u128(out: &mut Vec<u8>, value: u128) {
    const GROUP: u64 = 1_000_000_000;
    let mut limbs = [
        (value >> 96) as u32,
        (value >> 64) as u32,
        (value >> 32) as u32,
        value as u32,
    ];
    // u128::MAX has 39 digits: five groups of nine at most.
    let mut groups = [0u64; 5];
    let mut count = 0;
    loop {
        let mut remainder = 0u64;
        for limb in &mut limbs {
            // A sum where `|` would do the same (the low half is zero): with
            // `|`, swapping it for `^` changes nothing, and no test could tell.
            // Both fit: the remainder is below 10^9, so `current` is below 2^62.
            let current = (remainder << 32) + u64::from(*limb);
            *limb = (current / GROUP) as u32;
            remainder = current % GROUP;
        }
        groups[count] = remainder;
        count += 1;
        if limbs == [0; 4] || count == groups.len() {
            break;
        }
    }
    let mut digits = itoa::Buffer::new();
    let (first, rest) = groups[..count].split_last().unwrap_or((&0, &[]));
    out.extend_from_slice(digits.format(*first).as_bytes());
    for group in rest.iter().rev() {
        let written = digits.format(*group).as_bytes();
        out.resize(out.len() + 9 - written.len(), b'0');
        out.extend_from_slice(written);
    }
}

fn too_long() -> OriginFault {
    OriginFault(format!(
        "the origin sent a line longer than {MAX_LINE_BYTES} bytes"
    ))
}

/// The whole number after `key` (such as `"value":`) in a flat JSON object
/// such as the origin's value lines, which hold only whole numbers.
fn number_field(line: &[u8], key: &[u8]) -> Option<u64> {
    if line.first() != Some(&b'{') || line.last() != Some(&b'}') {
        return None;
    }
    let at = find(line, key)? + key.len();
    let digits = &line[at..];
    let end = digits
        .iter()
        .position(|byte| !byte.is_ascii_digit())
        .unwrap_or(digits.len());
    whole_number(&digits[..end])
}

/// The origin's summary line, which ends an NDJSON stream.
fn is_summary(line: &[u8]) -> bool {
    line.starts_with(b"{") && find(line, b"\"event\":\"summary\"").is_some()
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// A line as an error may show it: quoted and shortened, or, if it is not
/// UTF-8, its length (decoding it lossily brought a kilobyte of wasm for a
/// message nobody needs to read byte by byte).
fn quote(line: &[u8]) -> String {
    match std::str::from_utf8(line) {
        Ok(text) => format!("\"{}\"", echo(text)),
        Err(_) => format!("{} bytes that are not UTF-8", line.len()),
    }
}
