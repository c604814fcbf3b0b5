//! Strict query strings: every parameter known, given at most once, and well
//! formed, or the request is refused before it starts any work.
//!
//! Each route describes its parameters once, as [`Integer`] and [`Choice`]
//! specs (name, what is allowed, default): the same values drive parsing, the
//! error a bad value gets, and the README's tables (a test reads them back).
//!
//! A typo such as `?cuont=3` silently running the default demo would be worse
//! than an error, so unknown and repeated names are errors too. Values are
//! percent-decoded first (`%35` is `5`), then must be plain ASCII digits: no
//! sign, no fraction, no exponent, no spaces.

use std::ops::RangeInclusive;

use super::error::{Error, Result, echo};
use super::text::cut;

/// A whole-number parameter: its name, its range and its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Integer {
    /// The name in the query string.
    pub name: &'static str,
    /// The smallest value allowed.
    pub min: u64,
    /// The largest value allowed.
    pub max: u64,
    /// The value when the parameter is absent.
    pub default: u64,
}

impl Integer {
    /// The spec of parameter `name`: any whole number in `range`, `default`
    /// when absent.
    pub const fn new(name: &'static str, range: RangeInclusive<u64>, default: u64) -> Integer {
        Integer {
            name,
            min: *range.start(),
            max: *range.end(),
            default,
        }
    }
}

/// A parameter that is one of a few words, each standing for a value of `T`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice<T: 'static> {
    /// The name in the query string.
    pub name: &'static str,
    /// The words allowed, as written in the query.
    pub words: &'static [&'static str],
    /// What each word stands for, in the same order. Two lists rather than
    /// one of pairs: an error names the words as they are, with no list
    /// built for it.
    pub values: &'static [T],
    /// The value when the parameter is absent.
    pub default: T,
}

impl<T: Copy + PartialEq> Choice<T> {
    /// The word that stands for `value`.
    pub fn word(&self, value: T) -> &'static str {
        self.values
            .iter()
            .position(|meaning| *meaning == value)
            .and_then(|at| self.words.get(at))
            .expect("every value of a choice has a word")
    }
}

/// A query string checked against the parameter names one route accepts.
#[derive(Debug)]
pub struct Query {
    pairs: Vec<(&'static str, String)>,
}

impl Query {
    /// Decodes `raw` (the part after `?`, if any) and checks each name
    /// against `allowed`.
    pub fn parse(raw: Option<&str>, allowed: &'static [&'static str]) -> Result<Query> {
        let mut pairs: Vec<(&'static str, String)> = Vec::new();
        let mut rest = raw.unwrap_or("");
        while !rest.is_empty() {
            let piece;
            (piece, rest) = cut(rest, b'&').unwrap_or((rest, ""));
            if piece.is_empty() {
                continue;
            }
            let (name, value) = cut(piece, b'=').unwrap_or((piece, ""));
            let (name, value) = (form_decode(name), form_decode(value));
            let Some(&known) = allowed.iter().find(|&&known| known == name) else {
                return Err(Error::UnknownParameter {
                    name: echo(&name),
                    allowed,
                }
                .into());
            };
            if pairs.iter().any(|(seen, _)| *seen == known) {
                return Err(Error::RepeatedParameter { name: known }.into());
            }
            pairs.push((known, value));
        }
        Ok(Query { pairs })
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, value)| value.as_str())
    }

    /// The whole number given for `spec`'s parameter, or its default when it
    /// is absent.
    pub fn integer(&self, spec: Integer) -> Result<u64> {
        let Some(value) = self.value(spec.name) else {
            return Ok(spec.default);
        };
        match whole_number(value.as_bytes()) {
            Some(number) if (spec.min..=spec.max).contains(&number) => Ok(number),
            _ => Err(Error::InvalidInteger {
                name: spec.name,
                value: echo(value),
                min: spec.min,
                max: spec.max,
            }
            .into()),
        }
    }

    /// [`Query::integer`] for a spec whose range fits in a `u32`, as most
    /// do: counts, pauses and look-aheads.
    pub fn small_integer(&self, spec: Integer) -> Result<u32> {
        debug_assert!(
            u32::try_from(spec.max).is_ok(),
            "{} fits in a u32",
            spec.name
        );
        // Saturates rather than panics (it cannot happen, the range fits):
        // a panic here would bring the formatting of its error into the wasm.
        self.integer(spec)
            .map(|number| u32::try_from(number).unwrap_or(u32::MAX))
    }

    /// The value whose word is given for `spec`'s parameter, or its default
    /// when it is absent.
    pub fn choice<T: Copy + PartialEq>(&self, spec: Choice<T>) -> Result<T> {
        let Some(value) = self.value(spec.name) else {
            return Ok(spec.default);
        };
        spec.words
            .iter()
            .position(|word| *word == value)
            .and_then(|at| spec.values.get(at).copied())
            .ok_or_else(|| {
                Error::InvalidChoice {
                    name: spec.name,
                    value: echo(value),
                    allowed: spec.words,
                }
                .into()
            })
    }
}

/// ASCII digits only, as a u64: `None` for anything else (empty, a sign, a
/// space, a fraction) and past `u64::MAX`. The one reading of a number the
/// worker has: a query's values, an upload's `Content-Length`, the proxy's
/// origin lines. (By hand: `str::parse` accepts a `+`, and its error type
/// was wasm of its own.)
pub fn whole_number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |number, &byte| {
        let digit = byte.checked_sub(b'0').filter(|digit| *digit <= 9)?;
        number.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// One name or value of a query, decoded as a form is: `+` is a space,
/// `%XY` the byte `XY`, and a `%` without two hex digits after it is itself.
/// Decoded bytes that are not UTF-8 give the piece as it was written: no
/// name or value this worker knows is spelled that way, so it is refused,
/// and the refusal echoes what the client sent.
fn form_decode(piece: &str) -> String {
    let mut bytes = Vec::with_capacity(piece.len());
    let mut rest = piece.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        rest = tail;
        bytes.push(match byte {
            b'+' => b' ',
            b'%' => match (rest.first().and_then(hex), rest.get(1).and_then(hex)) {
                (Some(high), Some(low)) => {
                    rest = &rest[2..];
                    high * 16 + low
                }
                _ => b'%',
            },
            other => other,
        });
    }
    String::from_utf8(bytes).unwrap_or_else(|_| piece.to_owned())
}

fn hex(digit: &u8) -> Option<u8> {
    char::from(*digit).to_digit(16).map(|value| value as u8)
}
