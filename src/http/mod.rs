//! The HTTP layer every route stands on: which paths and methods the worker
//! answers ([`route`]), strict query strings and the parameter specs each
//! route is described by ([`query`]), everything that can be refused, as a
//! status and a JSON body ([`error`]), and the one way the request's text is
//! cut ([`text`]).

pub mod error;
pub mod query;
pub mod route;
pub mod text;
