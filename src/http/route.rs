//! Which paths and methods the worker answers.
//!
//! Routing is a pure function of method and path so that 404 and 405 are
//! decided, and tested, without a runtime.
//!
//! The path and query are cut out of the URL string the runtime hands over
//! ([`Target`]) rather than parsed again with the `url` crate: the runtime
//! has already parsed and normalised it, and the `url` crate's IDNA tables
//! would add about 200 KB to the wasm module (measured before symbols were
//! stripped: 318 KB without, 530 KB with).

use super::error::{Error, Result, echo};
use super::text::cut;

/// The methods the page and the `GET` routes answer. `HEAD` gives the
/// headers `GET` would, without a body and without starting a run.
pub const READ_METHODS: &[&str] = &["GET", "HEAD"];

/// The one method `/api/ingest` answers: it takes a body.
pub const UPLOAD_METHODS: &[&str] = &["POST"];

/// A page or endpoint of the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `/api/handle-backpressure`: starts the recipe's demo in the background.
    HandleBackpressure,
    /// `/api/stream`: streams integers to the client, pull or push.
    Stream,
    /// `/`: the live page.
    Page,
    /// `/api/ingest`: reads an uploaded body at a set pace.
    Ingest,
    /// `/api/proxy`: an origin's stream, transformed on its way to the client.
    Proxy,
}

/// How the route was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Answer and do the work.
    Get,
    /// Answer with headers only; start nothing.
    Head,
    /// Take the request's body.
    Post,
}

impl Route {
    /// Every route: what a full build of the worker answers.
    pub const ALL: &'static [Route] = &[
        Route::HandleBackpressure,
        Route::Stream,
        Route::Page,
        Route::Ingest,
        Route::Proxy,
    ];

    /// The route for `path`, if `method` may be used on it.
    pub fn find(method: &str, path: &str) -> Result<(Route, Method)> {
        Route::find_among(Route::ALL, method, path)
    }

    /// The same among the routes a build answers (a build may leave routes
    /// out: see the features in `Cargo.toml`). A route left out is refused
    /// as a path that is no route at all, whatever the method.
    pub fn find_among(built: &[Route], method: &str, path: &str) -> Result<(Route, Method)> {
        let route = match path {
            "/api/handle-backpressure" => Some(Route::HandleBackpressure),
            "/api/stream" => Some(Route::Stream),
            "/" => Some(Route::Page),
            "/api/ingest" => Some(Route::Ingest),
            "/api/proxy" => Some(Route::Proxy),
            _ => None,
        };
        let route = route
            .filter(|route| built.contains(route))
            .ok_or_else(|| Error::NotFound { path: echo(path) })?;
        // What `Route::methods` lists, matched on the route's kind rather
        // than by comparing lists.
        let method = match (method, route.takes_uploads()) {
            ("GET", false) => Method::Get,
            ("HEAD", false) => Method::Head,
            ("POST", true) => Method::Post,
            _ => {
                return Err(Error::MethodNotAllowed {
                    method: echo(method),
                    allow: route.methods(),
                }
                .into());
            }
        };
        Ok((route, method))
    }

    /// The methods the route answers.
    pub fn methods(self) -> &'static [&'static str] {
        if self.takes_uploads() {
            UPLOAD_METHODS
        } else {
            READ_METHODS
        }
    }

    /// Whether the route reads an upload (`POST`) rather than answering a
    /// read (`GET` and `HEAD`).
    fn takes_uploads(self) -> bool {
        match self {
            Route::HandleBackpressure | Route::Stream | Route::Page | Route::Proxy => false,
            Route::Ingest => true,
        }
    }
}

/// The path and query of an absolute URL such as the runtime gives a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target<'a> {
    /// From the first `/` after the host up to `?` or `#`.
    pub path: &'a str,
    /// Between `?` and `#`, if there is a `?`.
    pub query: Option<&'a str>,
}

impl<'a> Target<'a> {
    /// Splits a URL the runtime has already parsed and normalised.
    pub fn of_url(url: &'a str) -> Target<'a> {
        // A byte search: a `&str` pattern would bring in core's two-way
        // string searcher (about 3 KB of wasm) for one three-byte needle.
        // And `split_at_checked`, not slicing: see `http::error::echo`.
        let after_scheme = url
            .as_bytes()
            .windows(3)
            .position(|window| window == b"://")
            .and_then(|at| url.split_at_checked(at + 3))
            .map_or(url, |(_, rest)| rest);
        let from_path = after_scheme
            .bytes()
            .position(|byte| byte == b'/')
            .and_then(|at| after_scheme.split_at_checked(at))
            .map_or("/", |(_, path)| path);
        let before_fragment = cut(from_path, b'#').map_or(from_path, |(before, _)| before);
        match cut(before_fragment, b'?') {
            Some((path, query)) => Target {
                path,
                query: Some(query),
            },
            None => Target {
                path: before_fragment,
                query: None,
            },
        }
    }
}
