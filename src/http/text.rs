//! Cutting the text of a request (its URL, a query, a header) at an ASCII
//! delimiter such as `?`, `&`, `=` or `;`.
//!
//! By byte rather than with `str::split` and `str::split_once` on a `char`:
//! those bring core's character searcher and its iterator into the wasm for
//! delimiters that are all single ASCII bytes. And with `str::get`, not by
//! slicing: a slice that could panic brings the panic's formatting in (see
//! `http::error::echo`).

/// `text` before and after the first `delimiter`, an ASCII byte; `None` if
/// there is none.
pub fn cut(text: &str, delimiter: u8) -> Option<(&str, &str)> {
    let at = text.bytes().position(|byte| byte == delimiter)?;
    // An ASCII byte is a whole character, so both halves are text.
    Some((text.get(..at)?, text.get(at + 1..)?))
}

#[cfg(test)]
mod tests {
    use super::cut;

    #[test]
    fn cuts_at_the_first_delimiter_only() {
        assert_eq!(cut("a=b=c", b'='), Some(("a", "b=c")));
        assert_eq!(cut("=", b'='), Some(("", "")));
        assert_eq!(cut("é?ü", b'?'), Some(("é", "ü")));
        assert_eq!(cut("abc", b'='), None);
        assert_eq!(cut("", b'='), None);
    }
}
