//! The live page at `/`: one self-contained HTML document (its CSS and script
//! inline) compiled into the worker, so it works offline, under `wrangler dev`
//! and on a deployed worker alike, and makes no request but to the worker.
//!
//! The HTML and the script are kept as two files (`index.html`, `page.js`
//! beside this one) so that each reads as what it is; the script takes the
//! place of a marker in the HTML once, on first use.

use std::sync::LazyLock;

const HTML: &str = include_str!("index.html");
const SCRIPT: &str = include_str!("page.js");
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
    use crate::stream::params::{BATCH, COUNT, HIGH_WATER_MARK, PRODUCE_MS};

    /// The value of `attribute` in the tag of the input named `id`.
    fn input_attribute(id: &str, attribute: &str) -> u64 {
        let tag = HTML
            .split("<input ")
            .find(|tag| tag.contains(&format!(r#"id="{id}""#)))
            .unwrap_or_else(|| panic!("the page has an input {id}"));
        let value = tag
            .split_once(&format!(r#" {attribute}=""#))
            .and_then(|(_, rest)| rest.split_once('"'))
            .unwrap_or_else(|| panic!("input {id} has {attribute}"))
            .0;
        value.parse().expect("a whole number")
    }

    #[test]
    fn the_controls_allow_what_the_route_allows() {
        for spec in [HIGH_WATER_MARK, BATCH, PRODUCE_MS, COUNT] {
            assert_eq!(input_attribute(spec.name, "min"), spec.min, "{}", spec.name);
            assert_eq!(input_attribute(spec.name, "max"), spec.max, "{}", spec.name);
            // Each label shows the range too.
            let range = format!("({}–{})", spec.min, spec.max);
            let label = HTML
                .split("<label>")
                .find(|label| label.contains(&format!(r#"id="{}""#, spec.name)))
                .expect("every input has a label");
            assert!(label.contains(&range), "{}: {label}", spec.name);
        }
    }

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
