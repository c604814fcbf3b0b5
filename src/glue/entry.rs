//! The worker's entry points: `start` installs the panic hook; `fetch`
//! decides what a request asks for (or refuses it) before any work starts,
//! answers `HEAD` with headers only, and for `GET` starts the run: the demo
//! in `ctx.wait_until` behind an immediate answer, the stream as the body,
//! the proxy over the origin's stream; or, for the page, passes on the HTML
//! from the assets binding.
//!
//! Every route but the recipe's is a Cargo feature (`stream`, `ingest`,
//! `proxy`, `page`; all on by default): a build without one answers its path
//! with 404, and carries none of its code.

use web_sys::{Request, Response};
use worker::{Context, Env, event};

use std::convert::Infallible;
use std::future::Future;

use super::demo_stream;
use super::response::{self, Answer, refusal};
use super::tasks;
use super::workers_host::{WorkersHost, random_bits};
use crate::demo::{self, params::DemoParams};
use crate::http::error::Error;
use crate::http::route::{Method, Route, Target};
use crate::run::RunId;

#[cfg(any(feature = "ingest", feature = "proxy"))]
use super::body_reader::BodyReader;
#[cfg(any(feature = "stream", feature = "ingest", feature = "proxy"))]
use crate::budget::{Budget, ISOLATE_BUDGET_BYTES};
#[cfg(feature = "page")]
use {
    super::binding,
    super::callbacks::Settled,
    super::readable::describe,
    crate::http::query::Query,
    crate::page::ASSETS_BINDING,
    wasm_bindgen::{JsCast, JsValue},
};
#[cfg(feature = "ingest")]
use {
    super::message,
    crate::http::route::UPLOAD_METHODS,
    crate::ingest::{
        self,
        params::{IngestParams, MAX_BODY_BYTES, check_upload},
        summary::IngestOutcome,
    },
};
#[cfg(feature = "proxy")]
use {
    super::origin,
    super::proxy_body,
    crate::proxy::{self, params::ProxyParams},
};
#[cfg(feature = "stream")]
use {
    super::stream_body,
    crate::stream::{self, params::StreamParams},
};

/// The routes this build answers: the recipe's, and those its features add.
const BUILT: &[Route] = &[
    Route::HandleBackpressure,
    #[cfg(feature = "stream")]
    Route::Stream,
    #[cfg(feature = "page")]
    Route::Page,
    #[cfg(feature = "ingest")]
    Route::Ingest,
    #[cfg(feature = "proxy")]
    Route::Proxy,
];

#[cfg(any(feature = "stream", feature = "ingest", feature = "proxy"))]
thread_local! {
    /// The isolate's one memory budget, shared by all its runs (streams,
    /// uploads, proxies): an isolate runs on one thread, so one per thread is
    /// one per isolate.
    static BUDGET: Budget = Budget::new(ISOLATE_BUDGET_BYTES);
}

#[event(start)]
fn start() {
    // The panic's message, location and JS stack on the console, in the form
    // wasm-bindgen users know; worker's own hook, which runs after it, logs
    // the message again and marks the instance to be started afresh.
    console_error_panic_hook::set_once();
}

// The runtime's own request and response, not `worker::Request` and
// `worker::Response`: converting to and from those costs calls across for
// fields this worker never reads (the path, `cf`) or sets (the response's
// `cf`, its web socket), on every request. And this handler never fails:
// every error is already an answer.
#[event(fetch)]
async fn fetch(request: Request, env: Env, ctx: Context) -> Result<Response, Infallible> {
    Ok(answer(&request, &env, &ctx)
        .await
        .unwrap_or_else(|error| refusal(&error)))
}

/// What a valid request asks for.
enum Asked {
    Demo(DemoParams),
    #[cfg(feature = "stream")]
    Stream(StreamParams),
    #[cfg(feature = "page")]
    Page,
    #[cfg(feature = "ingest")]
    Ingest(IngestParams),
    #[cfg(feature = "proxy")]
    Proxy(ProxyParams),
}

async fn answer(
    request: &Request,
    // Only the page and the proxy reach their bindings.
    #[cfg_attr(not(any(feature = "page", feature = "proxy")), allow(unused_variables))] env: &Env,
    ctx: &Context,
) -> Result<Response, Box<Error>> {
    let url = request.url();
    let target = Target::of_url(&url);
    #[cfg(feature = "panic-route")]
    if target.path == "/test/panic" {
        panic!("a panic on purpose, to test what follows one");
    }
    let (route, method) = Route::find_among(BUILT, &request.method(), target.path)?;
    let asked = match route {
        Route::HandleBackpressure => Asked::Demo(DemoParams::from_query(target.query)?),
        #[cfg(feature = "stream")]
        Route::Stream => Asked::Stream(StreamParams::from_query(target.query)?),
        #[cfg(feature = "page")]
        Route::Page => {
            // The page takes no parameters; a query is refused like any other.
            Query::parse(target.query, &[])?;
            Asked::Page
        }
        #[cfg(feature = "ingest")]
        Route::Ingest => {
            let params = IngestParams::from_query(target.query)?;
            check_upload(
                message::header(request, "content-type").as_deref(),
                message::header(request, "content-length").as_deref(),
            )?;
            Asked::Ingest(params)
        }
        #[cfg(feature = "proxy")]
        Route::Proxy => Asked::Proxy(ProxyParams::from_query(target.query)?),
        // Not reached: `find_among` gives only the routes this build has.
        // Only in a build that leaves some out, so that the full build's
        // match stays checked for every route.
        #[cfg(not(all(
            feature = "stream",
            feature = "ingest",
            feature = "proxy",
            feature = "page"
        )))]
        _ => {
            return Err(Error::NotFound {
                path: crate::http::error::echo(target.path),
            }
            .into());
        }
    };
    if method == Method::Head {
        // The headers GET would send; no run starts.
        return Ok(response::head(match asked {
            Asked::Demo(_) => Answer::Hint,
            #[cfg(feature = "stream")]
            Asked::Stream(params) => Answer::Stream(params.format),
            #[cfg(feature = "proxy")]
            Asked::Proxy(params) => Answer::Stream(params.format),
            #[cfg(feature = "page")]
            Asked::Page => Answer::Page,
            // Not reached (`find_among` refuses HEAD here), but if it were,
            // this is the right answer.
            #[cfg(feature = "ingest")]
            Asked::Ingest(_) => {
                return Err(Error::MethodNotAllowed {
                    method: "HEAD".to_owned(),
                    allow: UPLOAD_METHODS,
                }
                .into());
            }
        }));
    }
    match asked {
        Asked::Demo(params) => {
            let run = RunId::from_bits(random_bits());
            keep_alive(ctx, run_demo(run.clone(), params));
            Ok(response::hint(&run))
        }
        #[cfg(feature = "stream")]
        Asked::Stream(params) => start_stream(params, request),
        #[cfg(feature = "page")]
        Asked::Page => page(request, env).await,
        #[cfg(feature = "ingest")]
        Asked::Ingest(params) => ingest(request, params).await,
        #[cfg(feature = "proxy")]
        Asked::Proxy(params) => proxy(params, request, env).await,
    }
}

/// Reads the upload at the asked pace and answers with its summary, or `413`
/// if it passed the limit.
#[cfg(feature = "ingest")]
async fn ingest(request: &Request, params: IngestParams) -> Result<Response, Box<Error>> {
    let run = RunId::from_bits(random_bits());
    let budget = BUDGET.with(Budget::clone);
    let reader = BodyReader::of(message::body(request));
    let summary = ingest::run(WorkersHost, run.clone(), params, reader, budget).await;
    match summary.outcome {
        IngestOutcome::TooLarge => Err(Error::BodyTooLarge {
            limit_bytes: MAX_BODY_BYTES,
        }
        .into()),
        _ => Ok(response::ingested(&run, &summary)),
    }
}

/// Fetches the origin's stream and answers with it, transformed: the pump
/// as its own task, the pipe as the body.
#[cfg(feature = "proxy")]
async fn proxy(params: ProxyParams, request: &Request, env: &Env) -> Result<Response, Box<Error>> {
    let origin = origin::fetch(env, &params.origin_path_and_query()).await?;
    let run = RunId::from_bits(random_bits());
    let budget = BUDGET.with(Budget::clone);
    let reader = BodyReader::of(origin.body);
    let (pipe, pump) = proxy::start(
        WorkersHost,
        run.clone(),
        params,
        &origin.run,
        reader,
        budget,
    );
    tasks::spawn(pump);
    match proxy_body::body(pipe.clone(), params.format, request) {
        Ok(body) => Ok(response::proxied(&run, &origin.run, params.format, body)),
        Err(error) => {
            // Not reachable with a working runtime; stop the pump anyway.
            pipe.cancel(&format!("the body could not be built ({error})"));
            Err(Error::Internal { message: error.0 }.into())
        }
    }
}

/// The page's HTML, from the static assets (`public/index.html`).
#[cfg(feature = "page")]
async fn page(request: &Request, env: &Env) -> Result<Response, Box<Error>> {
    let unreadable = |error: JsValue| Error::Internal {
        message: format!("the page's assets could not be read: {}", describe(error).0),
    };
    // Nothing reads the request after this: it is passed on as it came.
    let fetched = binding::fetch(env, ASSETS_BINDING, request)
        .map_err(unreadable)?
        .ok_or_else(|| Error::Internal {
            message: format!("the worker has no {ASSETS_BINDING} binding for the page's assets"),
        })?;
    let from_assets = Settled::new(fetched)
        .await
        .map_err(unreadable)?
        .unchecked_into::<web_sys::Response>();
    Ok(response::page(&from_assets))
}

/// Starts the stream's producer as its own task and answers with its body.
#[cfg(feature = "stream")]
fn start_stream(params: StreamParams, request: &Request) -> Result<Response, Box<Error>> {
    let run = RunId::from_bits(random_bits());
    let budget = BUDGET.with(Budget::clone);
    let (feed, producer) = stream::start(WorkersHost, run.clone(), params, budget);
    tasks::spawn(producer);
    match stream_body::body(feed.clone(), params.format, request) {
        Ok(body) => Ok(response::stream(&run, params.format, body)),
        Err(error) => {
            // Not reachable with a working runtime; stop the producer anyway.
            feed.cancel(&format!("the body could not be built ({error})"));
            Err(Error::Internal { message: error.0 }.into())
        }
    }
}

/// `ctx.wait_until` for a task of this worker's executor: the request's
/// context lives until `work` is done.
fn keep_alive(ctx: &Context, work: impl Future<Output = ()> + 'static) {
    let done = tasks::spawn_promise(async move {
        work.await;
        Ok(())
    });
    // Only throws outside a request, and this is inside one.
    let _ = ctx.as_ref().wait_until(&done);
}

async fn run_demo(run: RunId, params: DemoParams) {
    demo::run(WorkersHost, run, params, demo_stream::open).await;
}
