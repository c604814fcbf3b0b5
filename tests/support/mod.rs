//! Test doubles for the core: a host on tokio's paused clock with a recording
//! console, a model of the WHATWG `ReadableStream` pull algorithm, and the
//! small builders several test files share.
//!
//! Each test binary uses a different part of this module.
#![allow(dead_code, unreachable_pub, missing_docs)]

pub mod feed;
pub mod model;
pub mod script;

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use handling_backpressure::generator::{DropLog, Integers, Made, ValueLog, integers};
use handling_backpressure::host::Host;
use handling_backpressure::http::error::Error;
use handling_backpressure::run::{Run, RunId};
use tokio::time::Instant;

/// Runs `future` on a single thread with tokio's clock paused: every sleep
/// completes as soon as nothing else can run, and virtual time jumps ahead.
/// A future that would wait forever (a lost wake-up) fails after a virtual
/// day instead of hanging the test run.
pub fn on_virtual_time<F: Future>(future: F) -> F::Output {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a current-thread runtime builds");
    tokio::task::LocalSet::new().block_on(&runtime, async {
        tokio::time::timeout(Duration::from_secs(24 * 3600), future)
            .await
            .expect("the test finished within a virtual day: nothing waits forever")
    })
}

/// One console line and the virtual time it was written at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub at_ms: u64,
    pub text: String,
    pub warning: bool,
}

/// What the test host's clock reads when a test starts. Like `Date.now()` it
/// is far from zero, so only a difference of two readings is a duration.
const CLOCK_ORIGIN_MS: f64 = 1_764_000_000_000.0;

/// A host whose timers are tokio's (paused) and whose console is a list.
#[derive(Clone)]
pub struct TestHost {
    started: Instant,
    lines: Rc<RefCell<Vec<Line>>>,
    /// How many timers the code under test has started.
    timers: Rc<Cell<usize>>,
}

impl TestHost {
    /// How many timers have been started on this host (each `sleep`).
    pub fn timers(&self) -> usize {
        self.timers.get()
    }

    /// Must be called inside `on_virtual_time`.
    pub fn new() -> Self {
        TestHost {
            started: Instant::now(),
            lines: Rc::default(),
            timers: Rc::default(),
        }
    }

    pub fn lines(&self) -> Vec<Line> {
        self.lines.borrow().clone()
    }

    /// The first line written as a warning; fails the test, saying `what`
    /// was expected, if there is none.
    pub fn first_warning(&self, what: &str) -> Line {
        self.lines
            .borrow()
            .iter()
            .find(|line| line.warning)
            .cloned()
            .unwrap_or_else(|| panic!("no warning: {what}"))
    }

    /// The text of every line, with the `[run <id>] ` prefix removed. Fails
    /// the test if a line other than a JSON summary lacks the prefix: every
    /// line of a run must say which run it belongs to.
    pub fn texts(&self) -> Vec<String> {
        self.lines
            .borrow()
            .iter()
            .map(|line| tagged(&line.text).to_owned())
            .collect()
    }

    /// `(virtual ms, text)` of the lines that start with one of `prefixes`,
    /// each checked for its run id as in [`TestHost::texts`].
    pub fn timeline(&self, prefixes: &[&str]) -> Vec<(u64, String)> {
        self.lines
            .borrow()
            .iter()
            .map(|line| (line.at_ms, tagged(&line.text).to_owned()))
            .filter(|(_, text)| prefixes.iter().any(|prefix| text.starts_with(prefix)))
            .collect()
    }

    /// The JSON summary lines, parsed.
    pub fn summaries(&self) -> Vec<serde_json::Value> {
        self.lines
            .borrow()
            .iter()
            .filter(|line| line.text.starts_with('{'))
            .map(|line| serde_json::from_str(&line.text).expect("a summary line is JSON"))
            .collect()
    }

    /// The one summary line of a run; fails if there is none or more than one.
    pub fn summary(&self) -> serde_json::Value {
        let mut summaries = self.summaries();
        assert_eq!(summaries.len(), 1, "one summary per run: {summaries:#?}");
        summaries.remove(0)
    }

    fn elapsed_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    fn record(&self, text: &str, warning: bool) {
        let at_ms = self.elapsed_ms();
        self.lines.borrow_mut().push(Line {
            at_ms,
            text: text.to_owned(),
            warning,
        });
    }
}

/// Removes a leading `[run xxxxxxxx] `, if there is one.
pub fn strip_run(text: &str) -> &str {
    match text.strip_prefix("[run ") {
        Some(rest)
            if rest.len() > 10
                && rest[..8].bytes().all(|b| b.is_ascii_hexdigit())
                && &rest[8..10] == "] " =>
        {
            &rest[10..]
        }
        _ => text,
    }
}

/// A run's line without its `[run xxxxxxxx] ` prefix; a JSON summary as it
/// is. Panics on any other line: it lost its run id.
fn tagged(text: &str) -> &str {
    let bare = strip_run(text);
    assert!(
        bare.len() < text.len() || text.starts_with('{'),
        "a line without its run id: {text:?}"
    );
    bare
}

impl Host for TestHost {
    fn sleep(&self, ms: u32) -> impl Future<Output = ()> + 'static {
        self.timers.set(self.timers.get() + 1);
        tokio::time::sleep(Duration::from_millis(ms.into()))
    }

    fn now_ms(&self) -> f64 {
        CLOCK_ORIGIN_MS + self.started.elapsed().as_secs_f64() * 1000.0
    }

    fn log(&self, line: &str) {
        self.record(line, false);
    }

    fn warn(&self, line: &str) {
        self.record(line, true);
    }
}

/// The recipe's generator on `host`, for run `id`, with its count of values
/// made; `integers` itself starts the run's clock.
pub fn generator_on(
    host: &TestHost,
    id: u32,
    produce_ms: u32,
    value_log: ValueLog,
) -> (Integers<TestHost>, Made) {
    integers(
        Run::start(host.clone(), RunId::from_bits(id)),
        produce_ms,
        value_log,
        DropLog::Line,
    )
}

/// An error's JSON body, parsed.
pub fn body(error: &Error) -> serde_json::Value {
    serde_json::from_str(&error.to_json()).expect("every error body is JSON")
}
