//! The stream's underlying source: one value per pull, and a cancel that
//! releases the generator even in the middle of a pull.

mod support;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use futures::stream::LocalBoxStream;
use futures::{StreamExt, poll, stream};
use handling_backpressure::generator::{ValueLog, integers};
use handling_backpressure::run::{RunId, RunLog};
use handling_backpressure::source::{PullSource, Pulled};
use handling_backpressure::tally::Tally;
use support::{TestHost, on_virtual_time};

fn source(
    host: &TestHost,
    produce_ms: u32,
) -> (
    PullSource<handling_backpressure::generator::Integers>,
    Tally,
) {
    let tally = Tally::new();
    let log = RunLog::new(host.clone(), RunId::from_bits(1));
    (
        PullSource::new(integers(
            log,
            tally.clone(),
            produce_ms,
            ValueLog::EveryValue,
        )),
        tally,
    )
}

#[test]
fn each_pull_takes_exactly_one_value() {
    on_virtual_time(async {
        let host = TestHost::new();
        let (source, tally) = source(&host, 0);
        for expected in 1..=5 {
            assert_eq!(source.pull().await, Pulled::Value(expected));
            assert_eq!(tally.produced(), expected);
        }
        // Time passing makes nothing: only pulls do.
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(tally.produced(), 5);
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
        let (source, tally) = source(&host, 100);
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
        assert_eq!(tally.produced(), 1);
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

#[test]
fn a_cancel_from_inside_the_generator_wins_over_the_value_it_was_making() {
    on_virtual_time(async {
        // A generator that cancels its own stream while making its second
        // value, as code run by the generator might: that value has nowhere
        // to go, and the generator is let go.
        let handle: Rc<RefCell<Option<PullSource<LocalBoxStream<'static, u64>>>>> = Rc::default();
        let inside = Rc::clone(&handle);
        let generator = stream::iter(1..=3_u64)
            .map(move |value| {
                if value == 2 {
                    let source = inside.borrow().clone().expect("the source exists");
                    source.cancel();
                }
                value
            })
            .boxed_local();
        let source = PullSource::new(generator);
        *handle.borrow_mut() = Some(source.clone());
        assert_eq!(source.pull().await, Pulled::Value(1));
        assert_eq!(source.pull().await, Pulled::Cancelled);
        assert!(source.is_finished());
        source.released().await;
        assert_eq!(source.pull().await, Pulled::Cancelled);
        // The generator is gone, and with it its closure's `inside`: only
        // `handle` is left.
        assert_eq!(Rc::strong_count(&handle), 1);
    });
}

#[test]
fn a_cancel_from_inside_the_generator_wins_over_its_end() {
    on_virtual_time(async {
        // A generator that cancels its own stream as it runs out.
        let handle: Rc<RefCell<Option<PullSource<LocalBoxStream<'static, u64>>>>> = Rc::default();
        let inside = Rc::clone(&handle);
        let generator = stream::iter([1_u64])
            .chain(stream::poll_fn(move |_| {
                let source = inside.borrow().clone().expect("the source exists");
                source.cancel();
                std::task::Poll::Ready(None)
            }))
            .boxed_local();
        let source = PullSource::new(generator);
        *handle.borrow_mut() = Some(source.clone());
        assert_eq!(source.pull().await, Pulled::Value(1));
        assert_eq!(source.pull().await, Pulled::Cancelled);
        source.released().await;
        assert_eq!(Rc::strong_count(&handle), 1, "the generator is gone");
    });
}
