//! The decimal digits of consecutive values, written without converting each
//! value from scratch: a [`Decimal`] that adds one to its digits in place, and
//! the text lines of a run a hundred at a time ([`write_text_lines`]).
//!
//! Writing a line at a time costs a copy of its digits into the body, and in
//! wasm a copy of a length not known in advance is a call out of the module
//! (`memory.copy`), however short. A hundred consecutive values from a
//! multiple of a hundred share every digit but their last two, so the lines
//! of a run of at least a hundred values are kept as one block: the next
//! hundred change only the shared digits, usually just the last of them, and
//! the whole block is appended with one copy.

/// A value's decimal digits, which can be counted up by one in place.
pub(super) struct Decimal {
    /// Right-aligned ASCII digits; `u64::MAX` has 20.
    digits: [u8; 20],
    /// Where the digits start in `digits`.
    start: usize,
}

impl Decimal {
    /// The digits of `value`.
    pub(super) fn of(value: u64) -> Self {
        let mut buffer = itoa::Buffer::new();
        let written = buffer.format(value).as_bytes();
        let mut digits = [b'0'; 20];
        let start = digits.len() - written.len();
        digits[start..].copy_from_slice(written);
        Decimal { digits, start }
    }

    pub(super) fn digits(&self) -> &[u8] {
        &self.digits[self.start..]
    }

    /// Adds one: the last digit goes up, and each 9 before it carries.
    /// Returns how many of the last digits changed (all of them when the
    /// value gained a digit). The caller never counts past `u64::MAX` (a run
    /// ends there), so the 20 digits always suffice.
    pub(super) fn increment(&mut self) -> usize {
        let mut changed = 1;
        for position in (self.start..self.digits.len()).rev() {
            if self.digits[position] < b'9' {
                self.digits[position] += 1;
                return changed;
            }
            self.digits[position] = b'0';
            changed += 1;
        }
        // Every digit was a 9: one digit more.
        self.start -= 1;
        self.digits[self.start] = b'1';
        changed
    }
}

/// How many lines a [`Hundred`] holds.
const LINES: u64 = 100;

/// The longest line: 20 digits and a newline.
const LONGEST_LINE: usize = 21;

/// Appends the text lines (`N\n`) of the `count` values from `first` on.
pub(super) fn write_text_lines(first: u64, count: u64, out: &mut Vec<u8>) {
    if worth_a_block(count) {
        write_in_blocks(first, count, out);
    } else {
        write_one_at_a_time(first, count, out);
    }
}

/// Appends the lines of the `count` values from `first` on, from blocks of
/// a hundred.
fn write_in_blocks(first: u64, count: u64, out: &mut Vec<u8>) {
    // Below 100, lines share no digits: one at a time.
    let small = LINES.saturating_sub(first).min(count);
    write_one_at_a_time(first, small, out);
    let mut left = count - small;
    if left == 0 {
        return;
    }
    let value = first + small;
    let mut block = Hundred::of(value / LINES);
    // The run may start and end within a hundred: every line of a block is
    // as long as the others, so a part of it is a slice of it.
    let mut from = value % LINES;
    loop {
        let to = LINES.min(from + left);
        out.extend_from_slice(block.lines(from, to));
        left -= to - from;
        if left == 0 {
            return;
        }
        block.advance();
        from = 0;
    }
}

/// Whether a run of `count` values is long enough to pay for making a
/// block: a short one, such as the one value of a chunk at `batch=1`, is
/// not (making the block writes a hundred lines). Either answer writes the
/// same lines; only the cost differs.
fn worth_a_block(count: u64) -> bool {
    count >= LINES
}

/// Appends the lines of the `count` values from `first` on, one by one.
fn write_one_at_a_time(first: u64, count: u64, out: &mut Vec<u8>) {
    if count == 0 {
        return;
    }
    let mut value = Decimal::of(first);
    for offset in 0..count {
        if offset > 0 {
            value.increment();
        }
        out.extend_from_slice(value.digits());
        out.push(b'\n');
    }
}

/// The hundred lines of the values `100 × prefix` to `100 × prefix + 99`:
/// the prefix's digits, two more, a newline, each line as long as the others.
struct Hundred {
    prefix: Decimal,
    /// The lines, one after another; only the first `LINES × line` bytes are
    /// in use.
    lines: [u8; LINES as usize * LONGEST_LINE],
    /// How many digits the prefix has, in every line.
    shared: usize,
}

impl Hundred {
    /// The block of `prefix`, which is at least 1.
    fn of(prefix: u64) -> Self {
        let mut block = Hundred {
            prefix: Decimal::of(prefix),
            lines: [0; LINES as usize * LONGEST_LINE],
            shared: 0,
        };
        block.write_all();
        block
    }

    /// The lines of the values `from` to `to` (excluded) past the block's
    /// first, both at most 100.
    fn lines(&self, from: u64, to: u64) -> &[u8] {
        let line = self.line();
        &self.lines[from as usize * line..to as usize * line]
    }

    /// The length of each line: the prefix's digits, two more and a newline.
    fn line(&self) -> usize {
        self.shared + 3
    }

    /// Writes every line: when the block is made, and when the prefix gains
    /// a digit. The first line is copied into the rest by doubling (seven
    /// copies, not a hundred), then each gets its own last two digits.
    fn write_all(&mut self) {
        let prefix = self.prefix.digits();
        let shared = prefix.len();
        self.shared = shared;
        let line = self.line();
        self.lines[..shared].copy_from_slice(prefix);
        self.lines[shared..line].copy_from_slice(b"00\n");
        let total = line * LINES as usize;
        let mut written = line;
        while written < total {
            let copied = written.min(total - written);
            self.lines.copy_within(..copied, written);
            written += copied;
        }
        for (index, at) in (shared..total).step_by(line).enumerate() {
            // `index` is below 100.
            self.lines[at] = b'0' + (index / 10) as u8;
            self.lines[at + 1] = b'0' + (index % 10) as u8;
        }
    }

    /// Moves on to the next hundred values: the prefix goes up by one.
    fn advance(&mut self) {
        let changed = self.prefix.increment();
        let prefix = self.prefix.digits();
        if prefix.len() != self.shared {
            return self.write_all();
        }
        let line = self.line();
        if changed == 1 {
            // Nine times in ten only the prefix's last digit changes: one byte
            // in each line, stored as one.
            let last = prefix.len() - 1;
            let digit = prefix[last];
            for at in (last..line * LINES as usize).step_by(line) {
                self.lines[at] = digit;
            }
            return;
        }
        let from = prefix.len() - changed;
        for line in self.lines.chunks_exact_mut(line).take(LINES as usize) {
            line[from..prefix.len()].copy_from_slice(&prefix[from..]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_lines(first: u64, count: u64) -> String {
        let mut out = Vec::new();
        write_text_lines(first, count, &mut out);
        String::from_utf8(out).expect("ASCII")
    }

    fn formatted(values: impl Iterator<Item = u64>) -> String {
        values.map(|value| format!("{value}\n")).collect()
    }

    #[test]
    fn runs_from_every_kind_of_start_write_what_formatting_writes() {
        // Starts below, at and past a hundred, on and off its multiples, at
        // the edges of a digit count and of the shared digits' carries;
        // lengths shorter than the way to the next hundred, up to it, and
        // across several hundreds.
        let mut starts = vec![0, 1, 9, 10, 99, 100, 101, 150, 199, 200, 990, 999, 1_000];
        starts.extend([9_899, 9_900, 9_999, 99_900, 1_000_000 - 250]);
        for start in starts {
            for count in [0, 1, 2, 99, 100, 101, 250, 1_234] {
                assert_eq!(
                    text_lines(start, count),
                    formatted(start..start + count),
                    "{start} ×{count}"
                );
            }
        }
    }

    #[test]
    fn a_run_may_end_at_the_largest_value() {
        for count in [1, 16, 115, 116, 1_000] {
            let first = u64::MAX - (count - 1);
            assert_eq!(
                text_lines(first, count),
                formatted(first..=u64::MAX),
                "×{count}"
            );
        }
    }

    // proptest is a host-only dev-dependency.
    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn any_run_writes_what_formatting_writes(
            first in proptest::prop_oneof![0..100_000u64, proptest::num::u64::ANY],
            count in 0..2_500u64,
        ) {
            let first = first.min(u64::MAX - count.saturating_sub(1));
            let expected = match count {
                0 => String::new(),
                _ => formatted(first..=first + (count - 1)),
            };
            proptest::prop_assert_eq!(text_lines(first, count), expected);
        }
    }

    #[test]
    fn counting_up_says_how_many_digits_changed() {
        let mut value = Decimal::of(1_299);
        assert_eq!(value.increment(), 3);
        assert_eq!(value.digits(), b"1300");
        assert_eq!(value.increment(), 1);
        assert_eq!(value.digits(), b"1301");
        let mut value = Decimal::of(999);
        assert_eq!(value.increment(), 4, "a digit more: all of them");
        assert_eq!(value.digits(), b"1000");
    }
}
