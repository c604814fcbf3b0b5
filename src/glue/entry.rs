//! The worker's entry points: `start` installs the panic hook, `fetch` routes
//! a request and, for the demo, answers at once while the run goes on in
//! `ctx.wait_until`.

use worker::{Context, Env, Request, Response, Result, event};

use super::js_stream;
use super::response::{hint, refusal};
use super::workers_host::{WorkersHost, random_bits};
use crate::demo;
use crate::error::Error;
use crate::params::DemoParams;
use crate::route::{Method, Route};
use crate::run::RunId;

#[event(start)]
fn start() {
    // A panic would otherwise surface as "unreachable executed" with no hint
    // of where; with the hook its message and location reach the console.
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(request: Request, _env: Env, ctx: Context) -> Result<Response> {
    match answer(&request, &ctx) {
        Ok(response) => Ok(response),
        Err(error) => refusal(&error),
    }
}

fn answer(request: &Request, ctx: &Context) -> std::result::Result<Response, Error> {
    let url = request.inner().url();
    let target = crate::route::Target::of_url(&url);
    let (route, method) = Route::find(request.method().as_ref(), target.path)?;
    match route {
        Route::HandleBackpressure => handle_backpressure(target.query, method, ctx),
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
    let response = match method {
        Method::Get => {
            let run = RunId::from_bits(random_bits());
            ctx.wait_until(started(run.clone(), params));
            hint(Some(&run), true)
        }
        Method::Head => hint(None, false),
    };
    Ok(response.expect("building a response from fixed, valid headers cannot fail"))
}

async fn started(run: RunId, params: DemoParams) {
    demo::run(WorkersHost, run, params, js_stream::open).await;
}
