//! Everything a request can get wrong, with the message a user can act on;
//! and the one thing the runtime can get wrong under a run, a failed stream.
//!
//! The core decides *what* is wrong; the glue turns it into an HTTP status and
//! a JSON body with [`Error::status`] and [`Error::to_json`]. Every error names
//! what was wrong and what is allowed instead, and is found before any work
//! starts.

use std::fmt;

use crate::json::Object;

/// The longest piece of a request echoed back in an error, in characters.
const ECHO_LIMIT: usize = 64;

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// No route has this path.
    NotFound {
        /// The path asked for, shortened.
        path: String,
    },
    /// The route exists but does not answer this method.
    MethodNotAllowed {
        /// The method used.
        method: String,
        /// The methods the route answers.
        allow: &'static [&'static str],
    },
    /// A query parameter the route does not know.
    UnknownParameter {
        /// The name given, shortened.
        name: String,
        /// The names the route knows.
        allowed: &'static [&'static str],
    },
    /// A query parameter given more than once.
    RepeatedParameter {
        /// The parameter's name.
        name: &'static str,
    },
    /// A value that is not a whole number in the allowed range (this includes
    /// empty, negative, fractional and overflowing values).
    InvalidInteger {
        /// The parameter's name.
        name: &'static str,
        /// The value given, shortened.
        value: String,
        /// The smallest value allowed.
        min: u64,
        /// The largest value allowed.
        max: u64,
    },
    /// A value that is not one of a fixed set of words.
    InvalidChoice {
        /// The parameter's name.
        name: &'static str,
        /// The value given, shortened.
        value: String,
        /// The words allowed.
        allowed: &'static [&'static str],
    },
    /// The runtime failed to do something it always does; a bug, not the
    /// request's fault.
    Internal {
        /// What failed.
        message: String,
    },
    /// The parameters are each fine, but together the run would outlive the
    /// time the runtime gives background work.
    RunTooLong {
        /// How long the run could take, in milliseconds.
        planned_ms: u64,
        /// The longest run allowed, in milliseconds.
        limit_ms: u64,
    },
    /// An upload whose `Content-Type` the route does not read.
    UnsupportedMediaType {
        /// The type given (empty if none), shortened.
        content_type: String,
        /// The types the route reads.
        allowed: &'static [&'static str],
    },
    /// The origin behind `/api/proxy` could not be reached, or did not
    /// answer with a stream.
    BadOrigin {
        /// What went wrong.
        message: String,
        /// The origin's status, if it answered at all.
        status: Option<u16>,
    },
    /// An upload longer than the route takes, said by its `Content-Length`
    /// or found while reading it.
    BodyTooLarge {
        /// The most bytes the route reads.
        limit_bytes: u64,
    },
}

/// A result whose error is a refused request. Boxed: an `Error` is 40
/// bytes, and every `?` between the query and the answer moved all of them
/// field by field; a box is one pointer (the module 61,384 to 61,090 bytes
/// gzipped). A refusal allocates once, and only when there is one.
pub type Result<T> = std::result::Result<T, Box<Error>>;

impl Error {
    /// The HTTP status that reports this error.
    pub fn status(&self) -> u16 {
        match self {
            Error::NotFound { .. } => 404,
            Error::MethodNotAllowed { .. } => 405,
            Error::BodyTooLarge { .. } => 413,
            Error::UnsupportedMediaType { .. } => 415,
            Error::Internal { .. } => 500,
            Error::BadOrigin { .. } => 502,
            _ => 400,
        }
    }

    /// A short machine-readable code for the kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound { .. } => "not_found",
            Error::MethodNotAllowed { .. } => "method_not_allowed",
            Error::UnknownParameter { .. } => "unknown_parameter",
            Error::RepeatedParameter { .. } => "repeated_parameter",
            Error::InvalidInteger { .. } | Error::InvalidChoice { .. } => "invalid_parameter",
            Error::RunTooLong { .. } => "run_too_long",
            Error::UnsupportedMediaType { .. } => "unsupported_media_type",
            Error::BodyTooLarge { .. } => "body_too_large",
            Error::Internal { .. } => "internal",
            Error::BadOrigin { .. } => "bad_origin",
        }
    }

    /// The JSON body of the error response: the code, the message, and the
    /// facts behind it (which parameter, what is allowed).
    pub fn to_json(&self) -> String {
        let mut body = Object::new();
        body.str("error", self.code())
            .str("message", &self.to_string());
        match self {
            Error::NotFound { path } => body.str("path", path),
            Error::MethodNotAllowed { method, allow } => {
                body.str("method", method).strs("allow", allow)
            }
            Error::UnknownParameter { name, allowed } => {
                body.str("parameter", name).strs("allowed", allowed)
            }
            Error::RepeatedParameter { name } => body.str("parameter", name),
            Error::InvalidInteger {
                name,
                value,
                min,
                max,
            } => body
                .str("parameter", name)
                .str("value", value)
                .object("allowed", |range| {
                    range.num("min", *min).num("max", *max);
                }),
            Error::InvalidChoice {
                name,
                value,
                allowed,
            } => body
                .str("parameter", name)
                .str("value", value)
                .strs("allowed", allowed),
            Error::RunTooLong {
                planned_ms,
                limit_ms,
            } => body.num("plannedMs", *planned_ms).num("limitMs", *limit_ms),
            Error::UnsupportedMediaType {
                content_type,
                allowed,
            } => body
                .str("contentType", content_type)
                .strs("allowed", allowed),
            Error::BodyTooLarge { limit_bytes } => body.num("limitBytes", *limit_bytes),
            Error::Internal { .. } => &mut body,
            Error::BadOrigin {
                status: Some(status),
                ..
            } => body.num("originStatus", u64::from(*status)),
            Error::BadOrigin { status: None, .. } => &mut body,
        }
        .finish()
    }
}

/// Words with a separator between them, written straight into whatever
/// formats them (an error's message, a header's value).
pub(crate) struct Joined<'a>(pub(crate) &'a [&'a str], pub(crate) &'a str);

impl fmt::Display for Joined<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Joined(words, separator) = self;
        for (index, word) in words.iter().enumerate() {
            if index > 0 {
                f.write_str(separator)?;
            }
            f.write_str(word)?;
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotFound { path } => write!(f, "no route for path \"{path}\""),
            Error::MethodNotAllowed { method, allow } => write!(
                f,
                "method {method} is not allowed here; use {}",
                Joined(allow, " or ")
            ),
            Error::UnknownParameter { name, allowed } => write!(
                f,
                "unknown parameter \"{name}\"; allowed parameters are {}",
                Joined(allowed, ", ")
            ),
            Error::RepeatedParameter { name } => {
                write!(f, "parameter {name} is given more than once; give it once")
            }
            Error::InvalidInteger {
                name,
                value,
                min,
                max,
            } => write!(
                f,
                "{name} must be a whole number from {min} to {max}, got \"{value}\""
            ),
            Error::InvalidChoice {
                name,
                value,
                allowed,
            } => write!(
                f,
                "{name} must be one of {}, got \"{value}\"",
                Joined(allowed, ", ")
            ),
            Error::Internal { message } => write!(f, "internal error: {message}"),
            Error::RunTooLong {
                planned_ms,
                limit_ms,
            } => write!(
                f,
                "this run could take {planned_ms} ms (count × readMs + (count − 1) × produceMs), \
                 but background work may run for at most {limit_ms} ms; \
                 lower count, readMs or produceMs"
            ),
            Error::UnsupportedMediaType {
                content_type,
                allowed,
            } => write!(
                f,
                "content type \"{content_type}\" is not read here; send one of {}",
                Joined(allowed, ", ")
            ),
            Error::BadOrigin { message, .. } => write!(f, "the origin failed: {message}"),
            Error::BodyTooLarge { limit_bytes } => {
                write!(
                    f,
                    "the body is longer than the {limit_bytes} bytes read here"
                )
            }
        }
    }
}

impl std::error::Error for Error {}

/// A stream failed inside the worker: the runtime rejected a read, a cancel,
/// or the building of a stream. Not the request's fault; the demo reports it
/// in its log, and the stream route as [`Error::Internal`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamError(pub String);

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "stream error: {}", self.0)
    }
}

impl std::error::Error for StreamError {}

/// Shortens untrusted input before it is echoed in an error.
pub(crate) fn echo(input: &str) -> String {
    // Char by char, not by slicing the `str`: a slice that could panic
    // brings in the panic's message, which formats a `char` with `Debug`, and
    // with it core's Unicode tables (about 4 KB of wasm).
    let mut chars = input.chars();
    let mut shown: String = chars.by_ref().take(ECHO_LIMIT).collect();
    if chars.next().is_some() {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_failure_is_a_500_that_blames_the_worker_not_the_request() {
        let error = Error::Internal {
            message: "no stream".into(),
        };
        assert_eq!(error.status(), 500);
        assert_eq!(
            error.to_json(),
            r#"{"error":"internal","message":"internal error: no stream"}"#
        );
    }

    #[test]
    fn an_origin_that_fails_is_a_502_with_its_status_when_it_answered() {
        let answered = Error::BadOrigin {
            message: "it answered 404, not a stream".into(),
            status: Some(404),
        };
        assert_eq!(answered.status(), 502);
        assert_eq!(
            answered.to_json(),
            r#"{"error":"bad_origin","message":"the origin failed: it answered 404, not a stream","originStatus":404}"#
        );
        let unreachable = Error::BadOrigin {
            message: "the request to it failed".into(),
            status: None,
        };
        assert_eq!(
            unreachable.to_json(),
            r#"{"error":"bad_origin","message":"the origin failed: the request to it failed"}"#
        );
    }

    #[test]
    fn an_echo_keeps_the_first_characters_not_bytes_and_marks_a_cut() {
        let fits = "é".repeat(ECHO_LIMIT);
        assert_eq!(echo(&fits), fits);
        let longer = "é".repeat(ECHO_LIMIT) + "ü";
        assert_eq!(echo(&longer), fits + "…");
        assert_eq!(echo(""), "");
    }
}
