//! Test doubles for the core: a host on tokio's paused clock with a recording
//! console, and a model of the WHATWG `ReadableStream` pull algorithm.
//!
//! Each test binary uses a different part of this module.
#![allow(dead_code, unreachable_pub, missing_docs)]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use futures::Stream;
use handling_backpressure::host::Host;
use handling_backpressure::reader::{StreamError, ValueReader};
use handling_backpressure::source::{PullSource, Pulled};
use tokio::sync::{Notify, oneshot};
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
}

impl TestHost {
    /// Must be called inside `on_virtual_time`.
    pub fn new() -> Self {
        TestHost {
            started: Instant::now(),
            lines: Rc::default(),
        }
    }

    pub fn lines(&self) -> Vec<Line> {
        self.lines.borrow().clone()
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

/// A model of a `ReadableStream` with a pull source and a count queuing
/// strategy, following the WHATWG algorithm: the stream pulls whenever a read
/// is waiting or its queue holds fewer than `highWaterMark` values, one pull
/// at a time, starting as soon as it is created.
pub struct ModelStream<S> {
    state: Rc<RefCell<ModelState>>,
    wake_pump: Rc<Notify>,
    source: PullSource<S>,
}

#[derive(Default)]
struct ModelState {
    queue: VecDeque<u64>,
    high_water_mark: usize,
    waiting_reads: VecDeque<oneshot::Sender<Option<u64>>>,
    closed: bool,
}

impl ModelState {
    fn should_pull(&self) -> bool {
        !self.closed && (!self.waiting_reads.is_empty() || self.queue.len() < self.high_water_mark)
    }
}

impl<S: Stream<Item = u64> + Unpin + 'static> ModelStream<S> {
    /// Opens the model over `source`; must run inside `on_virtual_time`.
    pub fn open(source: PullSource<S>, high_water_mark: u32) -> Result<Self, StreamError> {
        let state = Rc::new(RefCell::new(ModelState {
            high_water_mark: high_water_mark as usize,
            ..ModelState::default()
        }));
        let wake_pump = Rc::new(Notify::new());
        tokio::task::spawn_local(pump(
            source.clone(),
            Rc::clone(&state),
            Rc::clone(&wake_pump),
        ));
        Ok(ModelStream {
            state,
            wake_pump,
            source,
        })
    }
}

async fn pump<S: Stream<Item = u64> + Unpin + 'static>(
    source: PullSource<S>,
    state: Rc<RefCell<ModelState>>,
    wake_pump: Rc<Notify>,
) {
    loop {
        while !state.borrow().should_pull() {
            if state.borrow().closed {
                return;
            }
            wake_pump.notified().await;
        }
        match source.pull().await {
            Pulled::Value(value) => {
                let mut state = state.borrow_mut();
                match state.waiting_reads.pop_front() {
                    Some(read) => {
                        let _ = read.send(Some(value));
                    }
                    None => state.queue.push_back(value),
                }
            }
            Pulled::End | Pulled::Cancelled => {
                let mut state = state.borrow_mut();
                state.closed = true;
                for read in state.waiting_reads.drain(..) {
                    let _ = read.send(None);
                }
                return;
            }
        }
    }
}

impl<S: Stream<Item = u64> + Unpin + 'static> ValueReader for ModelStream<S> {
    async fn read(&mut self) -> Result<Option<u64>, StreamError> {
        let receiver = {
            let mut state = self.state.borrow_mut();
            if let Some(value) = state.queue.pop_front() {
                drop(state);
                self.wake_pump.notify_one();
                return Ok(Some(value));
            }
            if state.closed {
                return Ok(None);
            }
            let (sender, receiver) = oneshot::channel();
            state.waiting_reads.push_back(sender);
            receiver
        };
        self.wake_pump.notify_one();
        receiver
            .await
            .map_err(|_| StreamError("the model dropped a read".into()))
    }

    async fn cancel(&mut self) -> Result<(), StreamError> {
        {
            let mut state = self.state.borrow_mut();
            state.closed = true;
            state.queue.clear();
            for read in state.waiting_reads.drain(..) {
                let _ = read.send(None);
            }
        }
        self.source.cancel();
        self.wake_pump.notify_one();
        Ok(())
    }
}
