//! The hand-written JSON (`src/json.rs`) against serde_json: the same bytes
//! for any string, number, flag and list, so the worker's lines parse as the
//! JSON they claim to be.

#![cfg(not(target_arch = "wasm32"))]

use handling_backpressure::json::Object;
use proptest::prelude::*;

/// What serde_json writes for a value.
macro_rules! serde {
    ($value:expr) => {
        serde_json::to_string(&$value).expect("serde_json writes any string, number and list")
    };
}

proptest! {
    #[test]
    fn a_string_is_escaped_exactly_as_serde_json_escapes_it(key in ".*", value in any::<String>()) {
        let written = Object::new().str(&key, &value).finish();
        prop_assert_eq!(written, format!("{{{}:{}}}", serde!(key), serde!(value)));
    }

    #[test]
    fn numbers_flags_and_lists_are_written_as_serde_json_writes_them(
        number in any::<u64>(),
        flag in any::<bool>(),
        words in proptest::collection::vec(any::<String>(), 0..4),
    ) {
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let written = Object::new()
            .num("n", number)
            .bool("b", flag)
            .strs("w", &words)
            .object("o", |inner| {
                inner.num("min", 0).num("max", number);
            })
            .finish();
        prop_assert_eq!(
            written,
            format!(
                r#"{{"n":{},"b":{},"w":{},"o":{{"min":0,"max":{}}}}}"#,
                serde!(number),
                serde!(flag),
                serde!(words),
                serde!(number)
            )
        );
    }
}

#[test]
fn control_characters_quotes_and_backslashes_are_escaped() {
    let written = Object::new()
        .str("text", "a\"b\\c\n\r\t\u{08}\u{0c}\u{01}\u{1f} é/")
        .finish();
    assert_eq!(written, r#"{"text":"a\"b\\c\n\r\t\b\f\u0001\u001f é/"}"#);
    assert_eq!(Object::new().finish(), "{}");
}
