//! A model of the WHATWG `ReadableStream` pull algorithm, so that the demo can
//! be tested natively: the worker reads the runtime's own stream instead.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use futures::Stream;
use handling_backpressure::demo::reader::ValueReader;
use handling_backpressure::demo::source::{PullSource, Pulled};
use handling_backpressure::http::error::StreamError;
use tokio::sync::{Notify, oneshot};

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
