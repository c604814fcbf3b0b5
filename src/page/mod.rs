//! The live page at `/`. Its files are static assets in `public/`
//! (`index.html`, `page.js`, `page.css`), served by the platform from the
//! `[assets]` directory named in `wrangler.toml`, so none of their bytes are
//! in the wasm. The worker still answers `/` itself (`run_worker_first`), so
//! that the page's route refuses what every other route refuses and sends
//! this policy; it takes the HTML from the assets binding.

/// Only the worker's own scripts, styles and requests: the browser enforces
/// what the page promises. With the script and the styles in files of their
/// own, nothing inline is allowed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// The name of the assets binding in `wrangler.toml`.
pub const ASSETS_BINDING: &str = "ASSETS";

#[cfg(test)]
mod tests {
    use super::ASSETS_BINDING;
    use crate::proxy::params::TRANSFORM_HIGH_WATER_MARK;
    use crate::stream::params::{BATCH, COUNT, HIGH_WATER_MARK, PRODUCE_MS};

    const HTML: &str = include_str!("../../public/index.html");
    const WRANGLER_TOML: &str = include_str!("../../wrangler.toml");

    #[test]
    fn wrangler_serves_the_assets_behind_the_worker() {
        let assets = WRANGLER_TOML
            .split("[assets]")
            .nth(1)
            .expect("wrangler.toml has an [assets] table");
        assert!(assets.contains(r#"directory = "public""#), "{assets}");
        assert!(
            assets.contains(&format!(r#"binding = "{ASSETS_BINDING}""#)),
            "{assets}"
        );
        assert!(assets.contains(r#"run_worker_first = ["/"]"#), "{assets}");
    }

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
        for spec in [
            HIGH_WATER_MARK,
            BATCH,
            PRODUCE_MS,
            COUNT,
            TRANSFORM_HIGH_WATER_MARK,
        ] {
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
    fn the_page_loads_only_its_own_files() {
        const SCRIPT: &str = include_str!("../../public/page.js");
        const STYLES: &str = include_str!("../../public/page.css");
        for (name, text) in [
            ("index.html", HTML),
            ("page.js", SCRIPT),
            ("page.css", STYLES),
        ] {
            for outside in ["http://", "https://", "//cdn", "url("] {
                assert!(!text.contains(outside), "{name} refers to {outside}");
            }
        }
        // Nothing inline, which the policy would block.
        assert!(!HTML.contains("<style") && !HTML.contains("style="));
        assert_eq!(HTML.matches("<script").count(), 1);
        assert!(HTML.contains(r#"<script src="/page.js"></script>"#));
        assert!(HTML.contains(r#"<link rel="stylesheet" href="/page.css">"#));
        // Its other link is an empty icon, so the browser asks for no favicon.
        assert_eq!(HTML.matches("<link").count(), 2);
        assert!(HTML.contains(r#"<link rel="icon" href="data:,">"#));
    }
}
