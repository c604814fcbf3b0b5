//! A run's log budget on virtual time: a long paced stream writes its first
//! values, its last ones, a count of those left out, and always its summary,
//! within what one invocation may log.

mod support;

use handling_backpressure::stream::params::StreamParams;
use handling_backpressure::stream::vocabulary::Mode;
use support::feed::{params, run_stream};

#[test]
fn a_long_paced_stream_logs_within_its_budget_its_first_and_last_values_and_its_summary() {
    let paced = StreamParams {
        produce_ms: 1,
        ..params(Mode::Pull, 10_000, 1, 1)
    };
    let (seen, host) = run_stream(paced, 0, usize::MAX);
    assert_eq!(seen.values.len(), 10_000);
    let texts = host.texts();
    let bytes: usize = host.lines().iter().map(|line| line.text.len() + 1).sum();
    assert!(
        bytes <= 128 * 1024,
        "{bytes} bytes of console for one invocation"
    );
    let yielded: Vec<&String> = texts
        .iter()
        .filter(|t| t.starts_with("yielding "))
        .collect();
    assert_eq!(yielded.first().map(|t| t.as_str()), Some("yielding 1"));
    assert_eq!(yielded.last().map(|t| t.as_str()), Some("yielding 10000"));
    let note = texts
        .iter()
        .position(|t| t.contains("more lines like the next ones were left out"))
        .expect("a line says what was left out");
    let left_out: usize = texts[note]
        .split(' ')
        .next()
        .and_then(|count| count.parse().ok())
        .expect("the note starts with the count");
    assert_eq!(
        yielded.len() + left_out,
        10_000,
        "every value is logged or counted"
    );
    // The last ten values follow the note, in order, before the end.
    assert_eq!(texts[note + 1], "yielding 9991");
    assert_eq!(texts[note + 10], "yielding 10000");
    assert_eq!(host.summary()["produced"], 10_000);
    assert!(
        texts.last().is_some_and(|t| t.starts_with('{')),
        "the summary is last"
    );
}
