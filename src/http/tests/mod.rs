//! Unit and property tests of the HTTP layer.

use serde::de::DeserializeOwned;

use super::*;
use crate::config::Config;
use crate::errors::Result;

/// A response with these headers and body.
fn raw_with(status: u16, headers: &[(&str, &str)], body: &[u8]) -> agent::Raw {
    let mut map = ureq::http::HeaderMap::new();
    for (n, v) in headers {
        if let (Ok(n), Ok(v)) = (
            ureq::http::HeaderName::from_bytes(n.as_bytes()),
            ureq::http::HeaderValue::from_bytes(v.as_bytes()),
        ) {
            map.append(n, v);
        }
    }
    agent::Raw {
        status,
        headers: map,
        body: body.to_vec(),
        over_limit: None,
    }
}

/// A config with this key (or none).
fn config_with(key: Option<&str>) -> Config {
    let b = Config::builder();
    match key {
        Some(k) => b.secret_key(k).finish(),
        None => b.finish(),
    }
}

/// `parse::response` as `T`, with no key.
fn parse_as<T: DeserializeOwned>(raw: agent::Raw) -> Result<Option<T>> {
    parse::response::<T>(raw, &config_with(None), false).map(|(_, body)| body)
}

mod proptests;
mod unit;
