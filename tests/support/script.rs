//! A body as a script of chunks (or a failure), for the routes that read one
//! ([`ChunkReader`]): it records when each read was asked for, on the paused
//! clock, and whether the reader was cancelled.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use handling_backpressure::body::ChunkReader;
use handling_backpressure::http::error::StreamError;
use tokio::time::Instant;

pub struct Script {
    /// What is still to come, last first.
    chunks: Vec<Result<Vec<u8>, StreamError>>,
    /// The chunk the last read gave.
    current: Vec<u8>,
    /// When each read was asked for, in ms since the script was made.
    pub reads_at: Rc<RefCell<Vec<u64>>>,
    pub cancelled: Rc<Cell<bool>>,
    /// Once the chunks are read, the next read waits forever instead of
    /// ending the body: an origin with nothing more to send yet.
    pending_at_end: bool,
    start: Instant,
}

impl Script {
    pub fn new(chunks: Vec<Result<Vec<u8>, StreamError>>) -> Self {
        Script {
            chunks: chunks.into_iter().rev().collect(),
            current: Vec::new(),
            reads_at: Rc::default(),
            cancelled: Rc::default(),
            pending_at_end: false,
            start: Instant::now(),
        }
    }

    /// The same script, whose read after the last chunk never completes.
    pub fn then_pending(mut self) -> Self {
        self.pending_at_end = true;
        self
    }

    /// A script of text chunks that all arrive.
    pub fn of_text(chunks: &[&str]) -> Self {
        Script::new(chunks.iter().map(|text| chunk(text)).collect())
    }
}

/// A chunk of text, read without fail.
pub fn chunk(text: &str) -> Result<Vec<u8>, StreamError> {
    Ok(text.as_bytes().to_vec())
}

impl ChunkReader for Script {
    async fn read(&mut self) -> Result<Option<&[u8]>, StreamError> {
        let at = self.start.elapsed().as_millis() as u64;
        self.reads_at.borrow_mut().push(at);
        match self.chunks.pop() {
            None if self.pending_at_end => std::future::pending().await,
            None => Ok(None),
            Some(Err(error)) => Err(error),
            Some(Ok(bytes)) => {
                self.current = bytes;
                Ok(Some(&self.current))
            }
        }
    }

    async fn cancel(&mut self) {
        self.cancelled.set(true);
    }
}
