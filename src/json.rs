//! The JSON the worker writes: its summary lines and its error bodies, all
//! flat objects of strings, whole numbers, booleans and lists of strings.
//!
//! Written by hand rather than with serde: the three shapes need only this,
//! and serde_json's serializer, its error type and the `std::io` it writes
//! through came to 5.8 KB of the wasm module. The output is what serde_json
//! gives for the same fields in the same order, byte for byte; the tests hold
//! it to that, with serde_json as a dev-dependency.

use std::fmt::Write;

/// A JSON object being written, one field at a time, in order.
#[derive(Debug)]
pub struct Object {
    text: String,
}

impl Object {
    /// An object with no fields yet.
    pub fn new() -> Self {
        Object {
            text: String::from("{"),
        }
    }

    fn key(&mut self, key: &str) {
        if self.text.len() > 1 {
            self.text.push(',');
        }
        write_str(&mut self.text, key);
        self.text.push(':');
    }

    /// Adds `"key":"value"`.
    pub fn str(&mut self, key: &str, value: &str) -> &mut Self {
        self.key(key);
        write_str(&mut self.text, value);
        self
    }

    /// Adds `"key":value` for a whole number.
    pub fn num(&mut self, key: &str, value: u64) -> &mut Self {
        self.key(key);
        // Writing to a String cannot fail.
        let _ = write!(self.text, "{value}");
        self
    }

    /// Adds `"key":true` or `"key":false`.
    pub fn bool(&mut self, key: &str, value: bool) -> &mut Self {
        self.key(key);
        self.text.push_str(if value { "true" } else { "false" });
        self
    }

    /// Adds `"key":["a","b"]`.
    pub fn strs(&mut self, key: &str, values: &[&str]) -> &mut Self {
        self.key(key);
        self.text.push('[');
        for (at, value) in values.iter().enumerate() {
            if at > 0 {
                self.text.push(',');
            }
            write_str(&mut self.text, value);
        }
        self.text.push(']');
        self
    }

    /// Adds `"key":{...}`, an object written by `fields`.
    pub fn object(&mut self, key: &str, fields: impl FnOnce(&mut Object)) -> &mut Self {
        self.key(key);
        let mut inner = Object::new();
        fields(&mut inner);
        self.text.push_str(&inner.finish());
        self
    }

    /// The object's text, closed; the builder is left empty. (Every method
    /// borrows the builder rather than taking it and giving it back: passing
    /// it by value moved it in and out of every call.)
    pub fn finish(&mut self) -> String {
        self.text.push('}');
        std::mem::take(&mut self.text)
    }
}

impl Default for Object {
    fn default() -> Self {
        Object::new()
    }
}

/// Writes `value` as a JSON string, escaped as serde_json escapes it: `"`,
/// `\` and the control characters, with the short forms where JSON has them.
fn write_str(out: &mut String, value: &str) {
    out.push('"');
    for character in value.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            control if control < ' ' => {
                let _ = write!(out, "\\u{:04x}", control as u32);
            }
            other => out.push(other),
        }
    }
    out.push('"');
}

/// What can be written as one line of JSON: the summaries.
pub trait ToJson {
    /// The value as one line of JSON.
    fn to_json(&self) -> String;
}
