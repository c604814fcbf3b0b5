//! A fetch through one of the worker's fetcher bindings (a service binding,
//! the static assets), found in `env` as the runtime hands it over.
//!
//! Not `worker::Env::service` or `assets` with `worker::Fetcher`: they answer
//! a missing binding with a `worker::Error`, and saying what went wrong means
//! formatting one, which brings the message of every kind of error the crate
//! knows (storage, email, JSON...) into the wasm; `Fetcher::fetch` also brings
//! its request options' serialisers. The two fetches this worker makes need
//! none of that: finding the binding and calling its `fetch` is one call
//! across, whatever the binding and whatever is fetched.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use worker::Env;

#[wasm_bindgen(inline_js = "
export function fetchThrough(env, name, input) {
  const binding = env[name];
  return typeof binding?.fetch == 'function' ? binding.fetch(input) : undefined;
}")]
extern "C" {
    #[wasm_bindgen(js_name = fetchThrough, catch)]
    fn fetch_through(
        env: &JsValue,
        name: &str,
        input: &JsValue,
    ) -> Result<Option<Promise>, JsValue>;
}

/// `fetch(input)` on the binding called `name`: its answer's promise;
/// `Ok(None)` if the worker has no binding by that name, or one without a
/// `fetch` (a binding of another kind), and nothing was fetched; `Err` with
/// what `fetch` threw. `input` is a URL (only its path and query reach a
/// service binding's worker) or a request, passed on as it came.
pub(crate) fn fetch(env: &Env, name: &str, input: &JsValue) -> Result<Option<Promise>, JsValue> {
    fetch_through(env, name, input)
}
