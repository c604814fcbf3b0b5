//! The worker's entry points: `start` installs the panic hook; `fetch`
//! decides what a request asks for (or refuses it) before any work starts,
//! answers `HEAD` with headers only, and for `GET` starts the run: the demo
//! in `ctx.wait_until` behind an immediate answer, the stream as the body,
//! the proxy over the origin's stream; or, for the page, passes on the HTML
//! from the assets binding.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Request, Response};
use worker::{Context, Env, event};

use std::convert::Infallible;
use std::future::Future;

use super::binding;
use super::body_reader::BodyReader;
use super::callbacks::Settled;
use super::demo_stream;
use super::origin;
use super::proxy_body;
use super::readable::describe;
use super::response::{self, Answer, refusal};
use super::stream_body;
use super::tasks;
use super::workers_host::{WorkersHost, random_bits};
use crate::budget::{Budget, ISOLATE_BUDGET_BYTES};
use crate::demo::{self, params::DemoParams};
use crate::http::error::Error;
use crate::http::query::Query;
use crate::http::route::{Method, Route, Target, UPLOAD_METHODS};
use crate::ingest;
use crate::ingest::params::{IngestParams, MAX_BODY_BYTES, check_upload};
use crate::ingest::summary::IngestOutcome;
use crate::page::ASSETS_BINDING;
use crate::proxy::{self, params::ProxyParams};
use crate::run::RunId;
use crate::stream::{self, params::StreamParams};

thread_local! {
    /// The isolate's one memory budget, shared by all its runs (streams,
    /// uploads, proxies): an isolate runs on one thread, so one per thread is
    /// one per isolate.
    static BUDGET: Budget = Budget::new(ISOLATE_BUDGET_BYTES);
}

#[event(start)]
fn start() {
    // A panic would otherwise surface as "unreachable executed" with no hint
    // of where; with the hook its message and location reach the console.
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
    Stream(StreamParams),
    Page,
    Ingest(IngestParams),
    Proxy(ProxyParams),
}

async fn answer(request: &Request, env: &Env, ctx: &Context) -> Result<Response, Error> {
    let url = request.url();
    let target = Target::of_url(&url);
    #[cfg(feature = "panic-route")]
    if target.path == "/test/panic" {
        panic!("a panic on purpose, to test what follows one");
    }
    let (route, method) = Route::find(&request.method(), target.path)?;
    let asked = match route {
        Route::HandleBackpressure => Asked::Demo(DemoParams::from_query(target.query)?),
        Route::Stream => Asked::Stream(StreamParams::from_query(target.query)?),
        Route::Page => {
            // The page takes no parameters; a query is refused like any other.
            Query::parse(target.query, &[])?;
            Asked::Page
        }
        Route::Ingest => {
            let params = IngestParams::from_query(target.query)?;
            let headers = request.headers();
            check_upload(
                headers.get("content-type").ok().flatten().as_deref(),
                headers.get("content-length").ok().flatten().as_deref(),
            )?;
            Asked::Ingest(params)
        }
        Route::Proxy => Asked::Proxy(ProxyParams::from_query(target.query)?),
    };
    if method == Method::Head {
        // The headers GET would send; no run starts.
        return Ok(response::head(match asked {
            Asked::Demo(_) => Answer::Hint,
            Asked::Stream(params) => Answer::Stream(params.format),
            Asked::Proxy(params) => Answer::Stream(params.format),
            Asked::Page => Answer::Page,
            // Not reached (Route::find refuses HEAD here), but if it were,
            // this is the right answer.
            Asked::Ingest(_) => {
                return Err(Error::MethodNotAllowed {
                    method: "HEAD".to_owned(),
                    allow: UPLOAD_METHODS,
                });
            }
        }));
    }
    match asked {
        Asked::Demo(params) => {
            let run = RunId::from_bits(random_bits());
            keep_alive(ctx, run_demo(run.clone(), params));
            Ok(response::hint(&run))
        }
        Asked::Stream(params) => start_stream(params, request),
        Asked::Page => page(request, env).await,
        Asked::Ingest(params) => ingest(request, params).await,
        Asked::Proxy(params) => proxy(params, request, env).await,
    }
}

/// Reads the upload at the asked pace and answers with its summary, or `413`
/// if it passed the limit.
async fn ingest(request: &Request, params: IngestParams) -> Result<Response, Error> {
    let run = RunId::from_bits(random_bits());
    let budget = BUDGET.with(Budget::clone);
    let reader = BodyReader::of(request.body());
    let summary = ingest::run(WorkersHost, run.clone(), params, reader, budget).await;
    match summary.outcome {
        IngestOutcome::TooLarge => Err(Error::BodyTooLarge {
            limit_bytes: MAX_BODY_BYTES,
        }),
        _ => Ok(response::ingested(&run, &summary)),
    }
}

/// Fetches the origin's stream and answers with it, transformed: the pump
/// as its own task, the pipe as the body.
async fn proxy(params: ProxyParams, request: &Request, env: &Env) -> Result<Response, Error> {
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
    match proxy_body::body(pipe.clone(), params.format, &request.signal()) {
        Ok(body) => Ok(response::proxied(&run, &origin.run, params.format, body)),
        Err(error) => {
            // Not reachable with a working runtime; stop the pump anyway.
            pipe.cancel(&format!("the body could not be built ({error})"));
            Err(Error::Internal { message: error.0 })
        }
    }
}

/// The page's HTML, from the static assets (`public/index.html`).
async fn page(request: &Request, env: &Env) -> Result<Response, Error> {
    let assets = binding::fetcher(env, ASSETS_BINDING).ok_or_else(|| Error::Internal {
        message: format!("the worker has no {ASSETS_BINDING} binding for the page's assets"),
    })?;
    let unreadable = |error: JsValue| Error::Internal {
        message: format!("the page's assets could not be read: {}", describe(error).0),
    };
    // Nothing reads the request after this: it is passed on as it came.
    let from_assets = Settled::new(assets.fetch_request(request).map_err(unreadable)?)
        .await
        .map_err(unreadable)?
        .unchecked_into::<web_sys::Response>();
    Ok(response::page(&from_assets))
}

/// Starts the stream's producer as its own task and answers with its body.
fn start_stream(params: StreamParams, request: &Request) -> Result<Response, Error> {
    let run = RunId::from_bits(random_bits());
    let budget = BUDGET.with(Budget::clone);
    let (feed, producer) = stream::start(WorkersHost, run.clone(), params, budget);
    tasks::spawn(producer);
    match stream_body::body(feed.clone(), params.format, &request.signal()) {
        Ok(body) => Ok(response::stream(&run, params.format, body)),
        Err(error) => {
            // Not reachable with a working runtime; stop the producer anyway.
            feed.cancel(&format!("the body could not be built ({error})"));
            Err(Error::Internal { message: error.0 })
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
