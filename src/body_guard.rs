//! The response body's hold on whatever feeds it (a stream's [`Feed`], a
//! proxy's [`Pipe`]): when the runtime lets go of the body's callbacks, the
//! feeder is cancelled.
//!
//! The runtime cancels a body whose client went away, or aborts its
//! request; either stops the feeder. Should it ever drop a body's callbacks
//! without doing either, the feeder's producer (which waits in a task of its
//! own and holds the feeder) would otherwise wait, and hold its share of the
//! isolate's budget, forever. Once the body has ended, a cancel does nothing.
//!
//! [`Feed`]: crate::stream::feed::Feed
//! [`Pipe`]: crate::proxy::pipe::Pipe

use std::rc::Rc;

/// What a body guard cancels.
pub trait Cancel {
    /// Stops the producer and ends the body, for `why`; nothing once ended.
    fn cancel(&self, why: &str);
}

/// A hold on `T` that cancels it when the last clone is dropped.
pub struct BodyGuard<T: Cancel>(Rc<T>);

impl<T: Cancel> BodyGuard<T> {
    /// A first hold on `feeder`.
    pub fn new(feeder: T) -> Self {
        BodyGuard(Rc::new(feeder))
    }
}

impl<T: Cancel> Clone for BodyGuard<T> {
    fn clone(&self) -> Self {
        BodyGuard(Rc::clone(&self.0))
    }
}

impl<T: Cancel> std::ops::Deref for BodyGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Cancel> Drop for BodyGuard<T> {
    fn drop(&mut self) {
        if Rc::strong_count(&self.0) == 1 {
            self.0.cancel("the response body was dropped");
        }
    }
}
