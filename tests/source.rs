//! The stream's underlying source: one value per pull, and a cancel that
//! releases the generator even in the middle of a pull.

mod support;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use futures::stream::LocalBoxStream;
use futures::{StreamExt, poll, stream};
use handling_backpressure::demo::source::{PullSource, Pulled};
use handling_backpressure::generator::{Integers, Made, ValueLog};
use support::{TestHost, generator_on, on_virtual_time};

fn source(host: &TestHost, produce_ms: u32) -> (PullSource<Integers<TestHost>>, Made) {
    let (generator, made) = generator_on(host, 1, produce_ms, ValueLog::EveryValue);
    (PullSource::new(generator), made)
}

#[test]
fn each_pull_takes_exactly_one_value() {
    on_virtual_time(async {
        let host = TestHost::new();
        let (source, made) = source(&host, 0);
        for expected in 1..=5 {
            assert_eq!(source.pull().await, Pulled::Value(expected));
            assert_eq!(made.get(), expected);
        }
        // Time passing makes nothing: only pulls do.
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(made.get(), 5);
    });
}

#[test]
fn cancel_drops_an_idle_generator_at_once() {
    on_virtual_time(async {
        let host = TestHost::new();
        let (source, _) = source(&host, 100);
        source.pull().await;
        source.cancel();
        assert!(source.is_finished());
        assert_eq!(
            host.texts().last().map(String::as_str),
            Some("generator dropped after yielding 1 values")
        );
        assert_eq!(source.pull().await, Pulled::Cancelled);
    });
}

#[test]
fn cancel_during_a_pull_drops_the_generator_mid_pause_and_nothing_more_is_yielded() {
    on_virtual_time(async {
        let host = TestHost::new();
        let (source, made) = source(&host, 100);
        assert_eq!(source.pull().await, Pulled::Value(1));

        let mut second = Box::pin(source.pull());
        assert!(poll!(&mut second).is_pending(), "the generator is pausing");
        source.cancel();
        assert_eq!(second.await, Pulled::Cancelled);
        assert_eq!(
            host.texts().last().map(String::as_str),
            Some("generator dropped after yielding 1 values")
        );

        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(made.get(), 1);
        assert_eq!(
            host.texts(),
            ["yielding 1", "generator dropped after yielding 1 values"]
        );
    });
}

#[test]
fn an_exhausted_generator_ends_the_stream() {
    on_virtual_time(async {
        let source = PullSource::new(stream::iter([7_u64]).boxed_local());
        assert_eq!(source.pull().await, Pulled::Value(7));
        assert_eq!(source.pull().await, Pulled::End);
        assert!(source.is_finished());
        // An ended stream stays ended, and a late cancel changes nothing.
        assert_eq!(source.pull().await, Pulled::End);
        source.cancel();
        assert_eq!(source.pull().await, Pulled::End);
    });
}

#[test]
fn an_overlapping_pull_is_refused_without_disturbing_the_first() {
    on_virtual_time(async {
        let host = TestHost::new();
        let (source, _) = source(&host, 100);
        source.pull().await;
        let mut first = Box::pin(source.pull());
        assert!(poll!(&mut first).is_pending());
        assert_eq!(source.pull().await, Pulled::Cancelled);
        assert_eq!(first.await, Pulled::Value(2));
        assert_eq!(source.pull().await, Pulled::Value(3));
    });
}

/// The way back to a source from inside its generator.
type Reach = Rc<RefCell<Option<PullSource<LocalBoxStream<'static, u64>>>>>;

/// A source whose generator can cancel the source itself, as code run by a
/// generator might; `generator` is given that cancel. The returned handle
/// counts 1 once the generator (whose cancel holds a clone) is gone.
fn self_cancelling(
    generator: impl FnOnce(Box<dyn Fn()>) -> LocalBoxStream<'static, u64>,
) -> (PullSource<LocalBoxStream<'static, u64>>, Reach) {
    let reach: Reach = Rc::default();
    let inside = Rc::clone(&reach);
    let cancel = Box::new(move || {
        let source = inside.borrow().clone().expect("the source exists");
        source.cancel();
    });
    let source = PullSource::new(generator(cancel));
    *reach.borrow_mut() = Some(source.clone());
    (source, reach)
}

#[test]
fn a_cancel_from_inside_the_generator_wins_over_the_value_it_was_making() {
    on_virtual_time(async {
        // The generator cancels its own stream while making its second value:
        // that value has nowhere to go, and the generator is let go.
        let (source, reach) = self_cancelling(|cancel| {
            stream::iter(1..=3_u64)
                .map(move |value| {
                    if value == 2 {
                        cancel();
                    }
                    value
                })
                .boxed_local()
        });
        assert_eq!(source.pull().await, Pulled::Value(1));
        assert_eq!(source.pull().await, Pulled::Cancelled);
        assert!(source.is_finished());
        source.released().await;
        assert_eq!(source.pull().await, Pulled::Cancelled);
        assert_eq!(Rc::strong_count(&reach), 1, "the generator is gone");
    });
}

#[test]
fn a_cancel_from_inside_the_generator_wins_over_its_end() {
    on_virtual_time(async {
        // The generator cancels its own stream as it runs out.
        let (source, reach) = self_cancelling(|cancel| {
            stream::iter([1_u64])
                .chain(stream::poll_fn(move |_| {
                    cancel();
                    std::task::Poll::Ready(None)
                }))
                .boxed_local()
        });
        assert_eq!(source.pull().await, Pulled::Value(1));
        assert_eq!(source.pull().await, Pulled::Cancelled);
        source.released().await;
        assert_eq!(Rc::strong_count(&reach), 1, "the generator is gone");
    });
}
