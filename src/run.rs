//! A run's identity and its voice: the id that tells concurrent runs apart in
//! one console, and the log that stamps every line with it.
//!
//! Many requests may start the demo at the same moment, and `wrangler tail`
//! interleaves their lines. Every line a run writes therefore starts with
//! `[run <id>]`, and the id is also sent to the client in the `X-Run-Id`
//! header so a user can find their own run in a shared console.

use std::fmt;
use std::rc::Rc;

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

/// A host's console in which every line is prefixed with one run's id.
#[derive(Clone, Debug)]
pub struct RunLog<H> {
    host: H,
    id: RunId,
}

impl<H: Host> RunLog<H> {
    /// Tags every line written through the returned log with `id`.
    pub fn new(host: H, id: RunId) -> Self {
        RunLog { host, id }
    }

    /// The run this log speaks for.
    pub fn id(&self) -> &RunId {
        &self.id
    }

    /// The host behind this log, for the run's timers and clock.
    pub fn host(&self) -> &H {
        &self.host
    }

    /// Writes `[run <id>] <message>`.
    pub fn line(&self, message: fmt::Arguments<'_>) {
        self.host.log(&format!("[run {}] {message}", self.id));
    }

    /// Writes `[run <id>] <message>` at warning level.
    pub fn warn(&self, message: fmt::Arguments<'_>) {
        self.host.warn(&format!("[run {}] {message}", self.id));
    }

    /// Writes a line exactly as given: the summary is a bare JSON object, so
    /// that `wrangler tail --format json | jq` can parse it, and carries the
    /// run id as a field instead.
    pub fn raw(&self, line: &str) {
        self.host.log(line);
    }
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
