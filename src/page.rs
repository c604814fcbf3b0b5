//! The live page at `/`: one self-contained HTML document (its CSS and script
//! inline) compiled into the worker, so it works offline, under `wrangler dev`
//! and on a deployed worker alike, and makes no request but to the worker.
//!
//! The HTML and the script are kept as two files (`src/page/index.html`,
//! `src/page/page.js`) so that each reads as what it is; the script takes the
//! place of a marker in the HTML once, on first use.

use std::sync::LazyLock;

const HTML: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/page.js");
const SCRIPT_MARKER: &str = "/*__SCRIPT__*/";

static PAGE: LazyLock<String> = LazyLock::new(|| HTML.replacen(SCRIPT_MARKER, SCRIPT, 1));

/// The page, ready to serve.
pub fn html() -> &'static str {
    &PAGE
}

/// Only inline script and style, and requests to the worker itself: the
/// browser enforces what the page promises.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; \
     style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_is_inlined_once_and_nothing_is_loaded_from_elsewhere() {
        let page = html();
        assert!(!page.contains(SCRIPT_MARKER));
        assert_eq!(page.matches("function draw()").count(), 1);
        for outside in ["http://", "https://", "src=", "url("] {
            assert!(!page.contains(outside), "the page refers to {outside}");
        }
        // Its one link is an empty icon, so the browser asks for no favicon.
        assert_eq!(page.matches("<link").count(), 1);
        assert!(page.contains(r#"<link rel="icon" href="data:,">"#));
    }
}
