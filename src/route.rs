//! Which paths and methods the worker answers.
//!
//! Routing is a pure function of method and path so that 404 and 405 are
//! decided, and tested, without a runtime.

use crate::error::{Error, Result, echo};

/// The methods every route answers. `HEAD` gives the headers `GET` would,
/// without a body and without starting a run.
pub const ALLOWED_METHODS: &[&str] = &["GET", "HEAD"];

/// A page or endpoint of the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `/api/handle-backpressure`: starts the recipe's demo in the background.
    HandleBackpressure,
}

/// How the route was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Answer and do the work.
    Get,
    /// Answer with headers only; start nothing.
    Head,
}

impl Route {
    /// The route for `path`, if `method` may be used on it.
    pub fn find(method: &str, path: &str) -> Result<(Route, Method)> {
        let route = match path {
            "/api/handle-backpressure" => Route::HandleBackpressure,
            _ => return Err(Error::NotFound { path: echo(path) }),
        };
        let method = match method {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            _ => {
                return Err(Error::MethodNotAllowed {
                    method: echo(method),
                    allow: ALLOWED_METHODS,
                });
            }
        };
        Ok((route, method))
    }
}
