//! A fetcher binding (a service binding, the static assets), read from the
//! worker's `env` as the runtime hands it over, and its `fetch`.
//!
//! Not `worker::Env::service` or `assets` with `worker::Fetcher`: they answer
//! a missing binding with a `worker::Error`, and saying what went wrong means
//! formatting one, which brings the message of every kind of error the crate
//! knows (storage, email, JSON...) into the wasm; `Fetcher::fetch` also brings
//! its request options' serialisers. The two calls this worker makes need
//! none of that.

use js_sys::{Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use worker::Env;

#[wasm_bindgen]
extern "C" {
    /// A binding whose `fetch` reaches a worker or the assets directly.
    pub(crate) type Fetcher;

    /// `fetch(url)`: a GET of `url` (the host is not used).
    #[wasm_bindgen(method, catch)]
    pub(crate) fn fetch(this: &Fetcher, url: &str) -> Result<Promise, JsValue>;

    /// `fetch(request)`: the request passed on as it came.
    #[wasm_bindgen(method, catch, js_name = fetch)]
    pub(crate) fn fetch_request(
        this: &Fetcher,
        request: &web_sys::Request,
    ) -> Result<Promise, JsValue>;
}

/// The binding called `name`, or `None` if the worker has none by that name
/// or it has no `fetch` (a binding of another kind under that name).
pub(crate) fn fetcher(env: &Env, name: &str) -> Option<Fetcher> {
    let binding = Reflect::get(env, &JsValue::from_str(name)).ok()?;
    let fetch = Reflect::get(&binding, &JsValue::from_str("fetch")).ok()?;
    fetch.is_function().then(|| binding.unchecked_into())
}
