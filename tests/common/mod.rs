//! Shared helpers of the wire tests: a mock server with a catch-all, clients pointed at it,
//! and mocks that assert every part of a request.
//!
//! Each test builds its own [`Wire`] and [`pinn::Client`]; nothing touches the process-wide
//! config, because the tests of one binary run in parallel threads.
#![allow(dead_code)]

use mockito::{Matcher, Mock, ServerGuard};
use serde_json::Value;

/// An example secret key: what every mock expects after `Bearer `.
pub const KEY: &str = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";

/// The methods a catch-all is mounted for (mockito matches the method exactly).
const METHODS: [&str; 7] = ["GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS"];

/// A mock server whose catch-all answers 599 to any request no other mock matches.
///
/// mockito 1.7 (`server.rs`, `handle_request`) collects every mock matching a request, then
/// picks the first one still short of its expected hits, or else the last one created. The
/// catch-all expects 0 hits, so it is never "short"; created first, it is also never the last
/// created. It therefore answers only requests that no other mock matches, and asserting it
/// at the end of a test fails loudly on any stray request. (A request repeating an already
/// satisfied specific mock goes to that mock and fails its `.expect(1)` instead.)
pub struct Wire {
    pub server: ServerGuard,
    catch_all: Vec<Mock>,
}

impl Wire {
    pub fn start() -> Wire {
        let mut server = mockito::Server::new();
        let catch_all = METHODS
            .iter()
            .map(|m| {
                server
                    .mock(m, Matcher::Any)
                    .with_status(599)
                    .with_body("unexpected request: no mock matches it")
                    .expect(0)
                    .create()
            })
            .collect();
        Wire { server, catch_all }
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The test config: the example key, this server, no retries.
    pub fn builder(&self) -> pinn::ConfigBuilder {
        pinn::Config::builder()
            .secret_key(KEY)
            .api_host(self.url())
            .max_retries(0)
    }

    /// A client on this server with the example key and no retries.
    pub fn client(&self) -> pinn::Client {
        pinn::Client::new(self.builder().build().unwrap())
    }

    /// A client that also sends `Pinn-Version: version`.
    pub fn client_with_version(&self, version: &str) -> pinn::Client {
        pinn::Client::new(self.builder().api_version(version).build().unwrap())
    }

    /// A mock for exactly one request (add the response and `.create()` it): method, exact
    /// raw path, exact query (`query` empty: no query at all), `Authorization`, `User-Agent`,
    /// no `Pinn-Version`, and the body: `Some(json)` is matched as JSON with
    /// `Content-Type: application/json`; `None` is an empty body with no `Content-Type`.
    pub fn mock(
        &mut self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Mock {
        self.mock_full(None, method, path, query, body)
    }

    /// Like [`Wire::mock`], with `Pinn-Version` matched exactly when `version` is set and
    /// required missing when not.
    pub fn mock_full(
        &mut self,
        version: Option<&str>,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Mock {
        let mut mock = self
            .server
            .mock(method, Matcher::Exact(path.to_string()))
            .match_query(query_matcher(query))
            .match_header("authorization", format!("Bearer {KEY}").as_str())
            .match_header("user-agent", pinn::USER_AGENT)
            .match_header(
                "pinn-version",
                match version {
                    Some(v) => Matcher::Exact(v.to_string()),
                    None => Matcher::Missing,
                },
            );
        mock = match body {
            Some(json) => mock
                .match_header("content-type", "application/json")
                .match_body(json_body(json)),
            None => mock
                .match_header("content-type", Matcher::Missing)
                .match_body(Matcher::Exact(String::new())),
        };
        mock.expect(1)
    }

    /// Fails if any request reached the catch-all.
    pub fn assert_no_strays(&self) {
        for m in &self.catch_all {
            m.assert();
        }
    }
}

/// An exact query: every pair present with its decoded value, and nothing else.
pub fn query_matcher(query: &[(&str, &str)]) -> Matcher {
    if query.is_empty() {
        return Matcher::Missing;
    }
    let mut all: Vec<Matcher> = query
        .iter()
        .map(|(k, v)| Matcher::UrlEncoded(k.to_string(), v.to_string()))
        .collect();
    // Exactly `query.len()` pairs: no extra or repeated parameter.
    all.push(Matcher::Regex(format!(
        "^[^&]+{}$",
        "&[^&]+".repeat(query.len() - 1)
    )));
    Matcher::AllOf(all)
}

/// `Matcher::Json`, guarded: mockito's JSON matcher panics (inside the server) on a body that
/// is not JSON, so a body that does not even start like an object fails to match instead.
pub fn json_body(json: Value) -> Matcher {
    Matcher::AllOf(vec![
        Matcher::Regex(r"^\s*[\{\[]".to_string()),
        Matcher::Json(json),
    ])
}

/// A `200` JSON response.
pub fn ok_json(mock: Mock, body: &str) -> Mock {
    mock.with_status(200)
        .with_header("content-type", "application/json")
        .with_header("request-id", "req_ok_1")
        .with_body(body)
        .create()
}

/// An error response with the API's JSON error body.
pub fn error_json(mock: Mock, status: usize, error_type: &str, message: &str) -> Mock {
    let body = serde_json::json!({
        "error": {"type": error_type, "code": error_type, "message": message}
    });
    mock.with_status(status)
        .with_header("content-type", "application/json")
        .with_header("request-id", "req_err_1")
        .with_body(body.to_string())
        .create()
}

/// Asserts an API error's kind, status, type and message.
#[track_caller]
pub fn assert_api_error(
    err: &pinn::Error,
    kind: pinn::ErrorKind,
    status: u16,
    error_type: &str,
    message: &str,
) {
    assert_eq!(err.kind(), kind, "{err:?}");
    assert_eq!(err.status(), Some(status), "{err:?}");
    let api = err
        .api_error()
        .unwrap_or_else(|| panic!("not an API error: {err:?}"));
    assert_eq!(api.error_type.as_deref(), Some(error_type));
    assert_eq!(api.code, Value::String(error_type.to_string()));
    assert_eq!(api.message, message);
    assert_eq!(err.request_id(), Some("req_err_1"));
}

/// Parses a fixture, to compare decoded objects with it.
pub fn fixture_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}
