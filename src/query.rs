//! Strict query strings: every parameter known, given at most once, and well
//! formed, or the request is refused before it starts any work.
//!
//! A typo such as `?cuont=3` silently running the default demo would be worse
//! than an error, so unknown and repeated names are errors too. Values are
//! percent-decoded first (`%35` is `5`), then must be plain ASCII digits: no
//! sign, no fraction, no exponent, no spaces.

use std::ops::RangeInclusive;

use crate::error::{Error, Result, echo};

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
        for (name, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let Some(&known) = allowed.iter().find(|&&known| known == name) else {
                return Err(Error::UnknownParameter {
                    name: echo(&name),
                    allowed,
                });
            };
            if pairs.iter().any(|(seen, _)| *seen == known) {
                return Err(Error::RepeatedParameter { name: known });
            }
            pairs.push((known, value.into_owned()));
        }
        Ok(Query { pairs })
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, value)| value.as_str())
    }

    /// The whole number given for `name`, or `default` when it is absent.
    pub fn integer(
        &self,
        name: &'static str,
        range: RangeInclusive<u64>,
        default: u64,
    ) -> Result<u64> {
        let Some(value) = self.value(name) else {
            return Ok(default);
        };
        let digits_only = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
        match value.parse::<u64>() {
            Ok(number) if digits_only && range.contains(&number) => Ok(number),
            _ => Err(Error::InvalidInteger {
                name,
                value: echo(value),
                min: *range.start(),
                max: *range.end(),
            }),
        }
    }

    /// The word given for `name`, one of `allowed`, or `default` when absent.
    pub fn choice(
        &self,
        name: &'static str,
        allowed: &'static [&'static str],
        default: &'static str,
    ) -> Result<&'static str> {
        let Some(value) = self.value(name) else {
            return Ok(default);
        };
        allowed
            .iter()
            .find(|&&word| word == value)
            .copied()
            .ok_or_else(|| Error::InvalidChoice {
                name,
                value: echo(value),
                allowed,
            })
    }
}
