//! The values of one take as they leave the worker: a [`Chunk`] of runs.
//!
//! An unpaced producer makes whole batches inside one callback: consecutive
//! values, one clock reading, each made right after the one before. Such a
//! stretch is one [`Run`] (its first value and how many follow), so a take
//! of 8192 values is a handful of runs rather than 8192 copies of each
//! value's fields, and the encoder writes a run's lines by counting up from
//! its first. A paced producer's values are milliseconds apart: each is a
//! run of one, and nothing changes for it.

use super::vocabulary::Sent;

/// Values that leave the worker together and follow one another: the
/// `i`-th is `first.value + i`, made at `first.produced_at_ms` like the
/// first, with a lead of `first.lead - i` (each was made one after the
/// one before it, so one fewer value had been made beyond it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// The first value of the run.
    pub first: Sent,
    /// How many values the run holds (at least one).
    pub len: u64,
}

impl Run {
    /// The run's values, in order.
    pub fn iter(&self) -> impl Iterator<Item = Sent> + '_ {
        (0..self.len).map(|offset| Sent {
            value: self.first.value + offset,
            produced_at_ms: self.first.produced_at_ms,
            lead: self.first.lead - offset,
        })
    }

    /// Whether `sent` is the value that comes right after this run's last,
    /// made at its time, one after it.
    fn continues_with(&self, sent: &Sent) -> bool {
        self.first.value.checked_add(self.len) == Some(sent.value)
            && sent.produced_at_ms == self.first.produced_at_ms
            && sent.lead.checked_add(self.len) == Some(self.first.lead)
    }
}

/// The values one take hands to the response body, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chunk {
    runs: Vec<Run>,
    len: usize,
}

impl Chunk {
    /// Adds `sent` after the values already in the chunk.
    pub fn push(&mut self, sent: Sent) {
        self.push_run(Run {
            first: sent,
            len: 1,
        });
    }

    /// Adds `run`'s values after the values already in the chunk.
    pub fn push_run(&mut self, run: Run) {
        // A chunk holds at most a batch, which fits any usize.
        self.len += run.len as usize;
        match self.runs.last_mut() {
            Some(last) if last.continues_with(&run.first) => last.len += run.len,
            _ => self.runs.push(run),
        }
    }

    /// How many values the chunk holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the chunk holds no value.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The chunk's first value.
    pub fn first(&self) -> Option<Sent> {
        self.runs.first().map(|run| run.first)
    }

    /// The chunk's values, run by run.
    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// The chunk's values, one by one.
    pub fn iter(&self) -> impl Iterator<Item = Sent> + '_ {
        self.runs.iter().flat_map(Run::iter)
    }
}

impl FromIterator<Sent> for Chunk {
    fn from_iter<I: IntoIterator<Item = Sent>>(values: I) -> Self {
        let mut chunk = Chunk::default();
        for sent in values {
            chunk.push(sent);
        }
        chunk
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A value as it leaves the worker, for the tests of chunks and wire.
    pub(in crate::stream) fn sent(value: u64, produced_at_ms: u64, lead: u64) -> Sent {
        Sent {
            value,
            produced_at_ms,
            lead,
        }
    }

    #[test]
    fn values_made_one_after_another_at_one_time_make_one_run() {
        let values = [sent(7, 3, 5), sent(8, 3, 4), sent(9, 3, 3)];
        let chunk: Chunk = values.into_iter().collect();
        assert_eq!(chunk.runs().len(), 1);
        assert_eq!(chunk.len(), 3);
        assert_eq!(chunk.first(), Some(values[0]));
        assert_eq!(chunk.iter().collect::<Vec<_>>(), values);
    }

    #[test]
    fn a_break_in_value_time_or_lead_starts_a_new_run() {
        let values = [
            sent(1, 0, 9),
            sent(2, 0, 8),
            // Not the next value.
            sent(4, 0, 7),
            // Made later.
            sent(5, 1, 6),
            // Not made right after the one before.
            sent(6, 1, 4),
            sent(7, 1, 3),
        ];
        let chunk: Chunk = values.into_iter().collect();
        assert_eq!(
            chunk.runs().iter().map(|run| run.len).collect::<Vec<_>>(),
            [2, 1, 1, 2]
        );
        assert_eq!(chunk.len(), 6);
        assert_eq!(chunk.iter().collect::<Vec<_>>(), values);
    }

    #[test]
    fn a_run_never_wraps_past_the_largest_value_or_below_a_lead_of_zero() {
        let values = [sent(u64::MAX, 0, 0), sent(0, 0, 0)];
        let chunk: Chunk = values.into_iter().collect();
        assert_eq!(chunk.runs().len(), 2);
        assert_eq!(chunk.iter().collect::<Vec<_>>(), values);
    }

    #[test]
    fn an_empty_chunk_has_no_first_value() {
        let chunk = Chunk::default();
        assert!(chunk.is_empty());
        assert_eq!(chunk.first(), None);
        assert_eq!(chunk.iter().count(), 0);
    }
}
