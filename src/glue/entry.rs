//! The worker's entry points: `start` installs the panic hook, `fetch` routes
//! a request and, for the demo, answers at once while the run goes on in
//! `ctx.wait_until`.

use worker::{Context, Env, Request, Response, Result, event};

use super::body_stream;
use super::response::{self, hint, refusal};
use super::value_stream;
use super::workers_host::{WorkersHost, random_bits};
use crate::demo;
use crate::error::Error;
use crate::params::DemoParams;
use crate::route::{Method, Route, Target};
use crate::run::RunId;
use crate::stream;
use crate::stream_params::StreamParams;

#[event(start)]
fn start() {
    // A panic would otherwise surface as "unreachable executed" with no hint
    // of where; with the hook its message and location reach the console.
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(request: Request, _env: Env, ctx: Context) -> Result<Response> {
    Ok(answer(&request, &ctx).unwrap_or_else(|error| refusal(&error)))
}

fn answer(request: &Request, ctx: &Context) -> std::result::Result<Response, Error> {
    let url = request.inner().url();
    let target = Target::of_url(&url);
    let (route, method) = Route::find(request.method().as_ref(), target.path)?;
    match route {
        Route::HandleBackpressure => handle_backpressure(target.query, method, ctx),
        Route::Stream => handle_stream(target.query, method, request),
        Route::Page => {
            // The page takes no parameters; a query is refused like any other.
            crate::query::Query::parse(target.query, &[])?;
            Ok(response::page(method == Method::Get))
        }
    }
}

/// Validates the parameters, starts the demo (for `GET`) and answers with
/// the recipe's hint without waiting for it.
fn handle_backpressure(
    query: Option<&str>,
    method: Method,
    ctx: &Context,
) -> std::result::Result<Response, Error> {
    let params = DemoParams::from_query(query)?;
    Ok(match method {
        Method::Get => {
            let run = RunId::from_bits(random_bits());
            ctx.wait_until(started(run.clone(), params));
            hint(Some(&run))
        }
        Method::Head => hint(None),
    })
}

/// Validates the parameters and, for `GET`, answers with the stream of
/// integers; its producer runs as its own task.
fn handle_stream(
    query: Option<&str>,
    method: Method,
    request: &Request,
) -> std::result::Result<Response, Error> {
    let params = StreamParams::from_query(query)?;
    if method == Method::Head {
        return Ok(response::stream(None, params.format, None));
    }
    let run = RunId::from_bits(random_bits());
    let (feed, producer) = stream::start(WorkersHost, run.clone(), params);
    wasm_bindgen_futures::spawn_local(producer);
    match body_stream::body(feed.clone(), params.format, &request.inner().signal()) {
        Ok(body) => Ok(response::stream(Some(&run), params.format, Some(body))),
        Err(error) => {
            // Not reachable with a working runtime; stop the producer anyway.
            feed.cancel(&format!("the body could not be built ({error})"));
            Err(Error::Internal { message: error.0 })
        }
    }
}

async fn started(run: RunId, params: DemoParams) {
    demo::run(WorkersHost, run, params, value_stream::open).await;
}
