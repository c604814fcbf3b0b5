//! What one run may write to the console: Workers Logs keeps at most 256 KB of
//! log lines per invocation and drops the rest, so a long paced stream (a
//! `yielding N` line per value) would push out its own summary, the line that
//! matters. The per-value lines therefore share a budget; past it they are
//! held back, only the last few kept, and written with one line that says how
//! many were left out as soon as the run writes anything else (so the order of
//! the log stays the order of events). Every other line is always written.
//!
//! A plain type: the run decides when to write what it gives back.

/// Bytes of per-value lines written as they come, per run.
pub const VALUE_LINES_BYTES: usize = 64 * 1024;

/// Per-value lines past the budget kept to be written later: the last ones.
pub const KEPT_LAST: usize = 10;

/// The per-value lines of one run: how much was written, what is held back.
#[derive(Debug, Default)]
pub struct LogBudget {
    written_bytes: usize,
    /// A `Vec`, not a `VecDeque`: it holds at most `KEPT_LAST` lines, so
    /// dropping the oldest moves ten; a `VecDeque` of lines, with its drain,
    /// was 0.9 KB of the gzipped module.
    held: Vec<String>,
    left_out: u64,
}

impl LogBudget {
    /// Takes a per-value line: returns it if it may be written now, or holds
    /// it back (dropping the oldest held line once `KEPT_LAST` are held).
    pub fn admit(&mut self, line: String) -> Option<String> {
        if self.held.is_empty() && self.written_bytes + line.len() <= VALUE_LINES_BYTES {
            self.written_bytes += line.len();
            return Some(line);
        }
        if self.held.len() == KEPT_LAST {
            self.held.remove(0);
            self.left_out += 1;
        }
        self.held.push(line);
        None
    }

    /// How many lines were left out since the last time the held lines were
    /// written, and the held lines, oldest first; the run writes these before
    /// any other line.
    pub fn release(&mut self) -> (u64, Vec<String>) {
        let left_out = std::mem::take(&mut self.left_out);
        (left_out, std::mem::take(&mut self.held))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_pass_until_the_budget_then_only_the_last_few_are_kept() {
        let mut budget = LogBudget::default();
        let line = "x".repeat(1024);
        for _ in 0..VALUE_LINES_BYTES / 1024 {
            assert!(budget.admit(line.clone()).is_some());
        }
        for n in 0..25 {
            assert_eq!(budget.admit(format!("late {n}")), None);
        }
        let (left_out, kept) = budget.release();
        assert_eq!(left_out, 25 - KEPT_LAST as u64);
        assert_eq!(kept.first().map(String::as_str), Some("late 15"));
        assert_eq!(kept.last().map(String::as_str), Some("late 24"));
        assert_eq!(budget.release(), (0, Vec::new()), "released once");
        assert_eq!(budget.admit("after".into()), None, "the budget stays spent");
    }
}
