//! A run's identity, clock and voice: the id that tells concurrent runs apart
//! in one console, the time it started, and the log that stamps every line
//! with the id.
//!
//! Many requests may start the demo at the same moment, and `wrangler tail`
//! interleaves their lines. Every line a run writes therefore starts with
//! `[run <id>]`, and the id is also sent to the client in the `X-Run-Id`
//! header so a user can find their own run in a shared console.

pub mod log_budget;

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::rc::Rc;

use self::log_budget::{KEPT_LAST, LogBudget, VALUE_LINES_BYTES};

use crate::json::ToJson;

use crate::host::Host;

/// Eight hex digits that name one run.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RunId(Rc<str>);

impl RunId {
    /// Makes an id from 32 random bits (the glue draws them from the runtime).
    pub fn from_bits(bits: u32) -> Self {
        RunId(format!("{bits:08x}").into())
    }

    /// The id as it appears in the log and in the `X-Run-Id` header.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One run: its id, the host it runs on, and when it started. Everything a
/// run writes goes through here, so the `[run <id>]` prefix, the elapsed
/// time and the summary line are each made in one place, for every route.
/// Cloning gives another handle to the same run.
#[derive(Clone, Debug)]
pub struct Run<H> {
    host: H,
    id: RunId,
    started_ms: f64,
    /// What the run's per-value lines may still take of the console.
    log: Rc<RefCell<LogBudget>>,
}

impl<H: Host> Run<H> {
    /// Starts the run's clock now.
    pub fn start(host: H, id: RunId) -> Self {
        let started_ms = host.now_ms();
        Run {
            host,
            id,
            started_ms,
            log: Rc::default(),
        }
    }

    /// The run's id.
    pub fn id(&self) -> &RunId {
        &self.id
    }

    /// Resolves after `ms` milliseconds, on the run's host.
    pub fn sleep(&self, ms: u32) -> impl Future<Output = ()> + 'static {
        self.host.sleep(ms)
    }

    /// Whole milliseconds since the run started.
    pub fn elapsed_ms(&self) -> u64 {
        // The clock may step back a little (it is wall time on Workers).
        (self.host.now_ms() - self.started_ms).max(0.0).round() as u64
    }

    /// Writes `[run <id>] <message>`.
    pub fn line(&self, message: fmt::Arguments<'_>) {
        self.write_held();
        self.host.log(&self.tagged(message));
    }

    /// Writes `[run <id>] <message>` at warning level.
    pub fn warn(&self, message: fmt::Arguments<'_>) {
        self.write_held();
        self.host.warn(&self.tagged(message));
    }

    /// Writes a line the run writes once per value (`yielding N`), within
    /// the run's log budget: past it, only the last few such lines are kept
    /// and written, with a count of those left out, before the next other
    /// line.
    pub fn value_line(&self, message: fmt::Arguments<'_>) {
        let admitted = self.log.borrow_mut().admit(self.tagged(message));
        if let Some(line) = admitted {
            self.host.log(&line);
        }
    }

    /// Writes the run's summary as one line of JSON, exactly as given: a bare
    /// object, so that `wrangler tail --format json | jq` can parse it, with
    /// the run id as a field instead of a prefix.
    pub fn summary(&self, summary: &impl ToJson) {
        self.write_held();
        self.host.log(&json_line(summary));
    }

    fn tagged(&self, message: fmt::Arguments<'_>) -> String {
        format!("[run {}] {message}", self.id)
    }

    /// Writes the per-value lines held back, after a line that says how many
    /// were left out before them.
    fn write_held(&self) {
        let (left_out, held) = self.log.borrow_mut().release();
        if left_out > 0 {
            self.host.log(&self.tagged(format_args!(
                "{left_out} more lines like the next ones were left out: a run logs at \
                 most {VALUE_LINES_BYTES} bytes of them, then only the last {KEPT_LAST}"
            )));
        }
        for line in held {
            self.host.log(&line);
        }
    }
}

/// A summary as one line of JSON, as the log has it (and as an NDJSON stream
/// ends with it).
pub fn json_line(summary: &impl ToJson) -> String {
    summary.to_json()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_id_is_eight_hex_digits_in_the_header_and_in_the_log() {
        let id = RunId::from_bits(0xfeed);
        assert_eq!(id.as_str(), "0000feed");
        assert_eq!(id.to_string(), "0000feed");
        assert_eq!(RunId::from_bits(u32::MAX).as_str(), "ffffffff");
    }
}
