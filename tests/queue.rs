//! The queue's rules on their own, with no runtime and no clock: room,
//! hand-over, leads, caps, cancel and the counts, step by step.

use handling_backpressure::budget::Budget;
use handling_backpressure::stream::queue::{Counts, Queue, Room, Step, VALUE_BYTES};
use handling_backpressure::stream::vocabulary::{Ending, FeedConfig, Mode, Sent};

fn config(mode: Mode, high_water_mark: u32, batch: u32) -> FeedConfig {
    FeedConfig {
        mode,
        high_water_mark,
        batch,
        cap_values: 5,
        cap_bytes: usize::MAX,
    }
}

/// Each value counts for one byte; the budget has no limit.
fn queue(config: FeedConfig) -> Queue {
    queue_on(config, Budget::new(usize::MAX))
}

/// Each value counts for one byte, charged to `budget`.
fn queue_on(config: FeedConfig, budget: Budget) -> Queue {
    Queue::new(config, |_, count| count as usize, budget)
}

/// Pushes values `from..=to`, made in that order.
fn push_values(queue: &mut Queue, from: u64, to: u64) {
    for value in from..=to {
        queue.push(value, 0, value);
    }
}

#[test]
fn pull_has_room_below_high_water_mark_and_for_a_waiting_batch() {
    let mut queue = queue(config(Mode::Pull, 2, 4));
    push_values(&mut queue, 1, 2);
    assert_eq!(queue.room(), Room::Wait, "two wait: the look-ahead is full");
    // A take that finds less than a batch asks for a top-up, which makes
    // room up to a batch.
    assert_eq!(queue.take(true, 2), Step::TopUp);
    assert_eq!(queue.room(), Room::Yes);
    push_values(&mut queue, 3, 4);
    assert_eq!(queue.room(), Room::Wait, "a batch waits");
    let Step::Chunk(chunk) = queue.take(false, 4) else {
        panic!("a batch was waiting");
    };
    assert_eq!(
        chunk.iter().map(|s| s.value).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert_eq!(queue.room(), Room::Yes, "the look-ahead is empty again");
}

#[test]
fn push_always_has_room_until_its_cap() {
    let mut queue = queue(config(Mode::Push, 0, 1));
    for value in 1..=4 {
        assert_eq!(queue.room(), Room::Yes);
        assert!(!queue.push(value, 0, value));
    }
    assert!(queue.push(5, 0, 5), "the fifth value reaches the cap of 5");
    assert_eq!(queue.load(), (5, 5));
}

#[test]
fn the_byte_cap_counts_each_value_by_size_of() {
    let config = FeedConfig {
        cap_values: usize::MAX,
        cap_bytes: 10,
        ..config(Mode::Push, 0, 1)
    };
    let mut queue = Queue::new(
        config,
        |first, count| (first..first + count).sum::<u64>() as usize,
        Budget::new(usize::MAX),
    );
    assert!(!queue.push(4, 0, 1));
    assert!(queue.push(6, 0, 2), "4 + 6 bytes reach the cap of 10");
}

#[test]
fn a_take_hands_over_at_most_a_batch_with_each_values_lead() {
    let mut queue = queue(config(Mode::Push, 0, 2));
    push_values(&mut queue, 1, 3);
    let Step::Chunk(chunk) = queue.take(false, 3) else {
        panic!("values were waiting");
    };
    assert_eq!(
        chunk.iter().collect::<Vec<_>>(),
        [
            Sent {
                value: 1,
                produced_at_ms: 0,
                lead: 2
            },
            Sent {
                value: 2,
                produced_at_ms: 0,
                lead: 1
            },
        ]
    );
    assert_eq!(queue.waiting(), 1);
    assert_eq!(queue.load().1, 1, "the bytes of what was taken are freed");
}

#[test]
fn a_full_batch_is_handed_over_on_the_first_poll_without_a_top_up() {
    // Exactly a batch waiting, and more: neither waits for the producer's turn.
    for waiting in [2, 3] {
        let mut queue = queue(config(Mode::Pull, 4, 2));
        push_values(&mut queue, 1, waiting);
        assert!(
            matches!(queue.take(true, waiting), Step::Chunk(ref chunk) if chunk.len() == 2),
            "{waiting} waiting"
        );
    }
}

#[test]
fn an_empty_queue_waits_while_producing_and_ends_when_the_producer_is_done() {
    let mut queue = queue(config(Mode::Pull, 1, 1));
    assert_eq!(queue.take(true, 0), Step::Wait);
    queue.producer_stopped(Ending::Complete);
    assert_eq!(queue.take(true, 0), Step::Ended(Ending::Complete));
    assert_eq!(queue.take(true, 0), Step::Ended(Ending::Complete));
}

#[test]
fn a_capped_stream_sends_what_waits_then_ends_capped() {
    let mut queue = queue(config(Mode::Push, 0, 10));
    push_values(&mut queue, 1, 5);
    queue.producer_stopped(Ending::Capped);
    assert!(matches!(queue.take(true, 5), Step::Chunk(chunk) if chunk.len() == 5));
    assert_eq!(queue.take(true, 5), Step::Ended(Ending::Capped));
}

#[test]
fn cancel_drops_what_waits_and_ends_the_body_once() {
    let mut queue = queue(config(Mode::Push, 0, 1));
    push_values(&mut queue, 1, 3);
    let _ = queue.take(false, 3);
    assert_eq!(queue.cancel(), Some(1));
    assert_eq!(queue.load(), (0, 0));
    assert_eq!(queue.cancel(), None, "a second cancel does nothing");
    assert_eq!(queue.take(true, 3), Step::Ended(Ending::Cancelled));
}

#[test]
fn the_counts_are_given_once_when_both_ends_are_done() {
    let mut queue = queue(config(Mode::Pull, 2, 1));
    push_values(&mut queue, 1, 2);
    let _ = queue.take(false, 2);
    assert_eq!(queue.finish(), None, "still producing, still sending");
    queue.cancel();
    assert_eq!(queue.finish(), None, "the producer has not stopped yet");
    queue.producer_stopped(Ending::Cancelled);
    let expected = Counts {
        sent: 1,
        max_lead: 1,
        max_queue: 2,
        max_queue_bytes: 2,
        capped: false,
        budget_spent: false,
    };
    assert_eq!(queue.finish(), Some((Ending::Cancelled, expected)));
    assert_eq!(queue.finish(), None);
}

#[test]
fn every_waiting_value_is_charged_to_the_budget_until_it_is_taken_or_dropped() {
    let budget = Budget::new(usize::MAX);
    let mut queue = queue_on(config(Mode::Push, 0, 2), budget.clone());
    push_values(&mut queue, 1, 3);
    assert_eq!(budget.in_use(), 3 * VALUE_BYTES);
    let _ = queue.take(false, 3);
    assert_eq!(budget.in_use(), VALUE_BYTES, "the two taken are given back");
    drop(queue);
    assert_eq!(
        budget.in_use(),
        0,
        "a queue dropped gives back what it held"
    );
}

#[test]
fn cancel_gives_back_to_the_budget_what_was_waiting() {
    let budget = Budget::new(usize::MAX);
    let mut queue = queue_on(config(Mode::Push, 0, 1), budget.clone());
    push_values(&mut queue, 1, 4);
    queue.cancel();
    assert_eq!(budget.in_use(), 0);
}

#[test]
fn push_has_no_room_while_the_shared_budget_is_spent_and_says_so_in_its_counts() {
    let budget = Budget::new(3 * VALUE_BYTES);
    let mut other = queue_on(config(Mode::Push, 0, 1), budget.clone());
    push_values(&mut other, 1, 2);
    let mut queue = queue_on(config(Mode::Push, 0, 1), budget.clone());
    assert_eq!(queue.room(), Room::Yes);
    push_values(&mut queue, 1, 1);
    assert_eq!(
        queue.room(),
        Room::BudgetSpent,
        "three values fill the budget"
    );
    queue.producer_stopped(Ending::Capped);
    queue.cancel();
    other.cancel();
    let (_, counts) = queue.finish().expect("both ends are done");
    assert!(counts.capped && counts.budget_spent);
}

#[test]
fn pull_waits_for_the_budget_but_an_empty_queue_always_gets_its_next_value() {
    let budget = Budget::new(2 * VALUE_BYTES);
    let mut other = queue_on(config(Mode::Push, 0, 1), budget.clone());
    push_values(&mut other, 1, 2);
    let mut queue = queue_on(config(Mode::Pull, 4, 1), budget.clone());
    assert_eq!(queue.room(), Room::Yes, "empty: it may always make one");
    push_values(&mut queue, 1, 1);
    assert_eq!(
        queue.room(),
        Room::Wait,
        "the look-ahead waits for the budget"
    );
    other.cancel();
    assert_eq!(
        queue.room(),
        Room::Yes,
        "room again once another stream gave back"
    );
}

#[test]
fn take_more_hands_over_further_full_batches_that_still_count_as_waiting() {
    let budget = Budget::new(usize::MAX);
    let mut queue = queue_on(config(Mode::Pull, 7, 2), budget.clone());
    push_values(&mut queue, 1, 7);
    let Step::Chunk(first) = queue.take(true, 7) else {
        panic!("a batch was waiting");
    };
    assert_eq!(first.len(), 2);
    let more: Vec<Vec<u64>> = std::iter::from_fn(|| queue.take_more(7))
        .map(|chunk| chunk.iter().map(|s| s.value).collect())
        .collect();
    // Two more full batches; the seventh value waits for a batch of its own.
    assert_eq!(more, [vec![3, 4], vec![5, 6]]);
    assert_eq!(
        queue.waiting(),
        5,
        "one in the queue, four in the runtime's"
    );
    assert_eq!(budget.in_use(), 5 * VALUE_BYTES);
    assert_eq!(queue.room(), Room::Yes, "five of seven wait");
    push_values(&mut queue, 8, 9);
    assert_eq!(
        queue.room(),
        Room::Wait,
        "seven wait, four of them in the runtime"
    );
    // The next take means the runtime wrote all it held.
    let Step::Chunk(next) = queue.take(true, 9) else {
        panic!("a batch was waiting");
    };
    assert_eq!(next.iter().map(|s| s.value).collect::<Vec<_>>(), [7, 8]);
    assert_eq!(queue.waiting(), 1);
    assert_eq!(budget.in_use(), VALUE_BYTES);
}

#[test]
fn take_more_gives_a_short_batch_only_at_the_end_and_nothing_in_push_mode() {
    let mut pull = queue(config(Mode::Pull, 8, 4));
    push_values(&mut pull, 1, 6);
    assert!(matches!(pull.take(true, 6), Step::Chunk(_)));
    assert_eq!(pull.take_more(6), None, "two wait, short of a batch");
    pull.producer_stopped(Ending::Complete);
    let rest = pull
        .take_more(6)
        .expect("the rest, once the producer is done");
    assert_eq!(rest.iter().map(|s| s.value).collect::<Vec<_>>(), [5, 6]);
    assert_eq!(pull.take_more(6), None);

    let mut push = queue(config(Mode::Push, 0, 1));
    push_values(&mut push, 1, 3);
    assert!(matches!(push.take(true, 3), Step::Chunk(_)));
    assert_eq!(push.take_more(3), None, "push hands over one chunk a pull");
}

#[test]
fn values_in_the_runtime_are_given_back_on_cancel_and_count_in_max_queue() {
    let budget = Budget::new(usize::MAX);
    let mut queue = queue_on(config(Mode::Pull, 4, 1), budget.clone());
    push_values(&mut queue, 1, 4);
    assert!(matches!(queue.take(true, 4), Step::Chunk(_)));
    assert!(queue.take_more(4).is_some());
    push_values(&mut queue, 5, 5);
    assert_eq!(queue.waiting(), 4);
    assert_eq!(queue.cancel(), Some(2));
    assert_eq!(budget.in_use(), 0);
    queue.producer_stopped(Ending::Cancelled);
    let (_, counts) = queue.finish().expect("both ends are done");
    assert_eq!(counts.max_queue, 4);
}

#[test]
fn pull_room_counts_the_values_that_one_at_a_time_would_be_let_in() {
    // Every mix of look-ahead, batch, values already waiting, a take waiting
    // or not, and room in the shared budget for none, some or plenty.
    for high_water_mark in [0, 1, 3, 8] {
        for batch in [1, 4, 10] {
            for waiting in 0..4u64 {
                for taker_waiting in [false, true] {
                    for spare in [0, 2, 5, 100] {
                        let budget = Budget::new((spare + waiting as usize) * VALUE_BYTES);
                        let mut queue =
                            queue_on(config(Mode::Pull, high_water_mark, batch), budget);
                        push_values(&mut queue, 1, waiting);
                        if taker_waiting && waiting < u64::from(batch) {
                            // A take short of a batch waits for the producer.
                            assert!(matches!(
                                queue.take(true, waiting),
                                Step::TopUp | Step::Wait
                            ));
                        }
                        let room = queue.pull_room();
                        let mut let_in = 0;
                        while queue.room() == Room::Yes && let_in < 1000 {
                            let value = waiting + let_in + 1;
                            queue.push(value, 0, value);
                            let_in += 1;
                        }
                        assert_eq!(
                            room, let_in,
                            "hwm {high_water_mark} batch {batch} waiting {waiting} \
                             taker {taker_waiting} spare {spare}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn pull_joins_values_made_together_into_one_entry_and_push_keeps_one_a_value() {
    let mut pull = queue(config(Mode::Pull, 100, 100));
    push_values(&mut pull, 1, 50);
    assert!(!pull.push_run(51, 50, 0, 51));
    // Made later: a run of its own.
    pull.push(101, 1, 101);
    assert_eq!(pull.entries(), 2, "two runs hold 101 values");
    assert_eq!(pull.waiting(), 101);

    // What piles up in push mode is really held: an entry for every value.
    let mut push = queue(FeedConfig {
        cap_values: usize::MAX,
        ..config(Mode::Push, 0, 100)
    });
    push_values(&mut push, 1, 50);
    assert_eq!(push.entries(), 50);
}

#[test]
fn a_take_splits_a_run_and_leaves_the_rest_waiting_with_its_leads() {
    let mut queue = queue(config(Mode::Pull, 0, 3));
    queue.push_run(1, 5, 7, 1);
    let Step::Chunk(chunk) = queue.take(false, 5) else {
        panic!("values were waiting");
    };
    let sent = |value, lead| Sent {
        value,
        produced_at_ms: 7,
        lead,
    };
    assert_eq!(
        chunk.iter().collect::<Vec<_>>(),
        [sent(1, 4), sent(2, 3), sent(3, 2)]
    );
    assert_eq!(queue.load(), (2, 2), "two values, a byte each, wait");
    queue.producer_stopped(Ending::Complete);
    let Step::Chunk(rest) = queue.take(true, 6) else {
        panic!("values were waiting");
    };
    assert_eq!(rest.iter().collect::<Vec<_>>(), [sent(4, 2), sent(5, 1)]);
    assert_eq!(queue.load(), (0, 0));
    assert_eq!(queue.entries(), 0, "nothing of the run is left behind");
}

#[test]
fn push_mode_makes_its_values_one_at_a_time() {
    let queue = queue(config(Mode::Push, 8, 8));
    assert_eq!(queue.pull_room(), 0);
}
