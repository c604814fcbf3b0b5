//! The recipe's generator: lazy, logs before it hands a value over, and
//! pauses only when asked for the next one.

mod support;

use futures::{FutureExt, StreamExt, poll};
use handling_backpressure::generator::{DropLog, Integers, Made, ValueLog, integers};
use handling_backpressure::run::{Run, RunId};
use support::{TestHost, generator_on, on_virtual_time};

fn generator(host: &TestHost, produce_ms: u32) -> (Integers<TestHost>, Made) {
    generator_on(host, 0xabcd, produce_ms, ValueLog::EveryValue)
}

#[test]
fn the_generator_is_lazy_nothing_is_produced_until_polled() {
    on_virtual_time(async {
        let host = TestHost::new();
        let (mut values, made) = generator(&host, 100);
        tokio::time::sleep(std::time::Duration::from_secs(10)).await;
        assert_eq!(made.get(), 0);
        assert!(host.lines().is_empty());

        assert_eq!(values.next().await, Some(1));
        assert_eq!(made.get(), 1);
        assert_eq!(host.texts(), ["yielding 1"]);
    });
}

#[test]
fn the_pause_comes_after_a_value_is_handed_over_and_before_the_next() {
    on_virtual_time(async {
        let host = TestHost::new();
        let (mut values, _) = generator(&host, 100);
        assert_eq!(values.next().await, Some(1));
        // The consumer takes its time; the generator waits, unasked, for it.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(values.next().await, Some(2));
        assert_eq!(values.next().await, Some(3));
        assert_eq!(
            host.timeline(&["yielding"]),
            [
                (0, "yielding 1".to_owned()),
                (600, "yielding 2".to_owned()),
                (700, "yielding 3".to_owned()),
            ]
        );
    });
}

#[test]
fn a_second_value_is_not_ready_until_its_pause_is_over() {
    on_virtual_time(async {
        let host = TestHost::new();
        let (mut values, made) = generator(&host, 100);
        assert_eq!(poll!(values.next()), std::task::Poll::Ready(Some(1)));
        let mut second = values.next();
        assert!(poll!(&mut second).is_pending());
        assert_eq!(made.get(), 1);
        assert_eq!(second.await, Some(2));
    });
}

#[test]
fn with_no_pause_the_next_value_is_ready_at_once() {
    on_virtual_time(async {
        let host = TestHost::new();
        let (mut values, made) = generator(&host, 0);
        for expected in 1..=1000 {
            assert_eq!(values.next().now_or_never(), Some(Some(expected)));
        }
        assert_eq!(made.get(), 1000);
    });
}

#[test]
fn dropping_the_generator_logs_how_many_values_it_made() {
    on_virtual_time(async {
        let host = TestHost::new();
        let (mut values, made) = generator(&host, 100);
        values.next().await;
        values.next().await;
        assert!(!made.released());
        drop(values);
        assert!(made.released());
        assert_eq!(
            host.texts().last().map(String::as_str),
            Some("generator dropped after yielding 2 values")
        );
    });
}

#[test]
fn a_silent_generator_notes_its_drop_without_a_line() {
    on_virtual_time(async {
        let host = TestHost::new();
        let run = Run::start(host.clone(), RunId::from_bits(0xabcd));
        let (mut values, made) = integers(run, 100, ValueLog::EveryValue, DropLog::Silent);
        values.next().await;
        assert!(!made.released());
        drop(values);
        assert!(made.released());
        assert_eq!(made.get(), 1);
        assert_eq!(host.texts(), ["yielding 1"]);
    });
}

#[test]
fn every_line_carries_the_run_id() {
    on_virtual_time(async {
        let host = TestHost::new();
        let (mut values, _) = generator(&host, 0);
        values.next().await;
        drop(values);
        assert!(!host.lines().is_empty());
        for line in host.lines() {
            assert!(line.text.starts_with("[run 0000abcd] "), "{line:?}");
        }
    });
}

#[test]
fn stopping_after_a_count_ends_the_sequence_there_without_a_pause() {
    on_virtual_time(async {
        let host = TestHost::new();
        let (values, made) = generator(&host, 100);
        let values = values.stopping_after(3);
        let started = tokio::time::Instant::now();
        assert_eq!(values.collect::<Vec<_>>().await, [1, 2, 3]);
        assert_eq!(made.get(), 3);
        // Two pauses, before the second and the third value: none for the end.
        assert_eq!(started.elapsed(), std::time::Duration::from_millis(200));
    });
}

#[test]
fn a_quiet_unpaced_generator_makes_values_at_once_as_polls_would() {
    on_virtual_time(async {
        let host = TestHost::new();
        let (values, made) = generator_on(&host, 1, 0, ValueLog::Quiet);
        let mut values = values.stopping_after(10);
        assert_eq!(values.make_at_once(0), None, "none asked for");
        assert_eq!(values.make_at_once(4), Some((1, 4)));
        assert_eq!(made.get(), 4);
        assert_eq!(values.next().await, Some(5), "polls go on after them");
        assert_eq!(
            values.make_at_once(100),
            Some((6, 5)),
            "no further than the end"
        );
        assert_eq!(made.get(), 10);
        assert_eq!(values.make_at_once(1), None);
        assert_eq!(values.next().await, None);
        drop(values);
        assert_eq!(
            host.texts(),
            ["generator dropped after yielding 10 values"],
            "no line per value"
        );
    });
}

#[test]
fn a_generator_that_pauses_or_logs_makes_values_only_when_polled() {
    on_virtual_time(async {
        let host = TestHost::new();
        for (produce_ms, value_log) in [
            (100, ValueLog::Quiet),
            (0, ValueLog::EveryValue),
            (100, ValueLog::EveryValue),
        ] {
            let (mut values, made) = generator_on(&host, 2, produce_ms, value_log);
            assert_eq!(values.make_at_once(5), None, "{produce_ms} {value_log:?}");
            assert_eq!(made.get(), 0);
        }
    });
}
