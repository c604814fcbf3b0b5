//! Routing: `GET` and `HEAD` on the page and the `GET` routes, `POST` on
//! the upload route, JSON 404 and 405 elsewhere.

mod support;

use handling_backpressure::http::error::Error;
use handling_backpressure::http::route::{Method, Route, Target};
use serde_json::json;
use support::body;

#[test]
fn get_and_head_reach_the_demo() {
    assert_eq!(
        Route::find("GET", "/api/handle-backpressure"),
        Ok((Route::HandleBackpressure, Method::Get))
    );
    assert_eq!(
        Route::find("HEAD", "/api/handle-backpressure"),
        Ok((Route::HandleBackpressure, Method::Head))
    );
}

#[test]
fn the_stream_has_its_own_route() {
    assert_eq!(
        Route::find("GET", "/api/stream"),
        Ok((Route::Stream, Method::Get))
    );
    assert_eq!(
        Route::find("POST", "/api/stream").map_err(|e| e.status()),
        Err(405)
    );
}

#[test]
fn the_proxy_has_its_own_route_and_reads_like_the_stream() {
    assert_eq!(
        Route::find("GET", "/api/proxy"),
        Ok((Route::Proxy, Method::Get))
    );
    assert_eq!(
        Route::find("HEAD", "/api/proxy"),
        Ok((Route::Proxy, Method::Head))
    );
    let error = Route::find("POST", "/api/proxy").expect_err("POST");
    assert_eq!(error.status(), 405);
    assert_eq!(body(&error)["allow"], json!(["GET", "HEAD"]));
}

#[test]
fn the_page_is_at_the_root() {
    assert_eq!(Route::find("GET", "/"), Ok((Route::Page, Method::Get)));
    assert_eq!(Route::find("HEAD", "/"), Ok((Route::Page, Method::Head)));
}

#[test]
fn a_full_build_has_every_route() {
    // The match has no wildcard: a new route fails to compile here until
    // it is listed in `Route::ALL`, which is what `find` answers.
    let listed = |route: Route| match route {
        Route::HandleBackpressure | Route::Stream | Route::Page | Route::Ingest | Route::Proxy => {
            Route::ALL.contains(&route)
        }
    };
    for route in [
        Route::HandleBackpressure,
        Route::Stream,
        Route::Page,
        Route::Ingest,
        Route::Proxy,
    ] {
        assert!(listed(route), "{route:?}");
    }
    assert_eq!(Route::ALL.len(), 5);
}

#[test]
fn a_route_left_out_of_the_build_is_no_route_whatever_the_method() {
    let recipe_only = [Route::HandleBackpressure];
    for (method, path) in [
        ("GET", "/api/stream"),
        ("POST", "/api/stream"),
        ("HEAD", "/"),
        ("POST", "/api/ingest"),
        ("GET", "/api/ingest"),
        ("GET", "/api/proxy"),
    ] {
        let error = Route::find_among(&recipe_only, method, path).expect_err(path);
        assert_eq!(error.status(), 404, "{method} {path}");
        assert_eq!(body(&error)["path"], json!(path));
    }
    assert_eq!(
        Route::find_among(&recipe_only, "GET", "/api/handle-backpressure"),
        Ok((Route::HandleBackpressure, Method::Get))
    );
    assert_eq!(
        Route::find_among(&recipe_only, "POST", "/api/handle-backpressure").map_err(|e| e.status()),
        Err(405)
    );
}

#[test]
fn other_methods_get_405_with_the_allowed_ones() {
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "get"] {
        let error = Route::find(method, "/api/handle-backpressure").expect_err(method);
        assert_eq!(error.status(), 405);
        assert_eq!(body(&error)["allow"], json!(["GET", "HEAD"]));
    }
}

#[test]
fn other_paths_get_404() {
    for path in [
        "/index.html",
        "/api",
        "/api/handle-backpressure/",
        "/API/handle-backpressure",
        "/api/handle-backpressurex",
    ] {
        let error = Route::find("GET", path).expect_err(path);
        assert_eq!(
            *error,
            Error::NotFound {
                path: path.to_owned()
            }
        );
        assert_eq!(error.status(), 404);
        assert_eq!(body(&error)["error"], "not_found");
    }
}

#[test]
fn an_unknown_path_wins_over_a_wrong_method() {
    assert_eq!(
        Route::find("POST", "/nope").map_err(|e| e.status()),
        Err(404)
    );
}

#[test]
fn a_url_splits_into_path_and_query() {
    let cases = [
        (
            "http://localhost:8787/api/handle-backpressure",
            "/api/handle-backpressure",
            None,
        ),
        (
            "https://example.com/api/x?count=3&readMs=1",
            "/api/x",
            Some("count=3&readMs=1"),
        ),
        ("https://example.com/?", "/", Some("")),
        ("https://example.com", "/", None),
        ("https://example.com/a?b=c#frag", "/a", Some("b=c")),
        ("https://example.com/a#frag?not=query", "/a", None),
        ("https://example.com/a?b=c?d", "/a", Some("b=c?d")),
        // A host of one letter: the path starts right after it.
        ("http://h/p?q", "/p", Some("q")),
    ];
    for (url, path, query) in cases {
        assert_eq!(Target::of_url(url), Target { path, query }, "{url}");
    }
}

#[test]
fn the_upload_route_takes_post_only_and_says_so() {
    assert_eq!(
        Route::find("POST", "/api/ingest"),
        Ok((Route::Ingest, Method::Post))
    );
    for method in ["GET", "HEAD", "PUT"] {
        let error = Route::find(method, "/api/ingest").expect_err(method);
        assert_eq!(error.status(), 405);
        assert_eq!(body(&error)["allow"], json!(["POST"]));
    }
    let error = Route::find("POST", "/api/stream").expect_err("POST on a GET route");
    assert_eq!(body(&error)["allow"], json!(["GET", "HEAD"]));
}
