//! Hello, world, on workers-rs: the smallest worker the benchmarks compare
//! the backpressure worker's bundle against.

use worker::{Context, Env, Request, Response, Result, event};

#[event(fetch)]
async fn fetch(_request: Request, _env: Env, _ctx: Context) -> Result<Response> {
    Response::ok("Hello, world!")
}
