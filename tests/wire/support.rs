//! Shared helpers of the wire tests: a mock server with a catch-all, clients pointed at it,
//! mocks that assert every part of a request, and [`expect`]: one whole exchange (the request
//! the client must send, the reply, the call, and every check) in one expression.
//!
//! Each test builds its own [`Wire`] and [`pinn::Client`]; nothing touches the process-wide
//! config, because the tests of one binary run in parallel threads.
#![allow(dead_code)]

use std::panic::{self, AssertUnwindSafe};

use mockito::{Matcher, Mock, ServerGuard};
use pinn::ErrorKind;
use serde_json::Value;

/// An example secret key: what every mock expects after `Bearer `.
pub const KEY: &str = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";

/// The JSON fixtures of `tests/fixtures/`, for replies and for comparing decoded objects.
pub mod fixtures {
    pub const APP: &str = include_str!("../fixtures/app.json");
    pub const APP_NO_DESCRIPTION: &str = include_str!("../fixtures/app_no_description.json");
    pub const APPS_PAGE: &str = include_str!("../fixtures/apps_page.json");
    pub const DEVICE: &str = include_str!("../fixtures/device.json");
    pub const DEVICES_PAGE: &str = include_str!("../fixtures/devices_page.json");
    pub const EMPTY_LIST: &str = include_str!("../fixtures/empty_list.json");
    pub const ENROLLMENT_KEY: &str = include_str!("../fixtures/enrollment_key.json");
    pub const EVENT: &str = include_str!("../fixtures/event.json");
    pub const EVENTS_PAGE: &str = include_str!("../fixtures/events_page.json");
    pub const HOOK: &str = include_str!("../fixtures/webhook_endpoint.json");
    pub const HOOK_UPDATED: &str = include_str!("../fixtures/webhook_endpoint_updated.json");
    pub const HOOKS_PAGE: &str = include_str!("../fixtures/webhook_endpoints_page.json");
    pub const LOG: &str = include_str!("../fixtures/log.json");
    pub const LOGS_PAGE: &str = include_str!("../fixtures/logs_page.json");
    pub const NOT_FOUND: &str = include_str!("../fixtures/error_not_found.json");
    pub const RECOVERY_KEY: &str = include_str!("../fixtures/recovery_key.json");
    pub const USER: &str = include_str!("../fixtures/user.json");
    pub const USER_NEW: &str = include_str!("../fixtures/user_new.json");
    pub const USER_UPDATED: &str = include_str!("../fixtures/user_updated.json");
    pub const USERS_LAST_PAGE: &str = include_str!("../fixtures/users_last_page.json");
    pub const USERS_PAGE: &str = include_str!("../fixtures/users_page.json");
}

/// A config with the example key and `host`, the rest left at its defaults.
pub fn builder_for(host: impl Into<String>) -> pinn::ConfigBuilder {
    pinn::Config::builder().secret_key(KEY).api_host(host)
}

/// A client with the example key for `host`, the rest left at its defaults: for calls that
/// make no request, or to a server that is not a [`Wire`].
pub fn client_for(host: impl Into<String>) -> pinn::Client {
    pinn::Client::new(builder_for(host).build().unwrap())
}

/// A port nobody listens on: bound, then released.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    port
}

/// A config with the example key for a local host that refuses connections.
pub fn refused_builder() -> pinn::ConfigBuilder {
    builder_for(format!("http://127.0.0.1:{}", closed_port()))
}

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
        builder_for(self.url()).max_retries(0)
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

    /// A mock of one bodiless request made with another `key` than the example one,
    /// answered with the user fixture (add nothing but `.create()`).
    pub fn server_mock(&mut self, method: &str, path: &str, key: &str) -> Mock {
        self.server
            .mock(method, Matcher::Exact(path.to_string()))
            .match_query(Matcher::Missing)
            .match_header("authorization", format!("Bearer {key}").as_str())
            .with_status(200)
            .with_header("content-type", "application/json")
            .with_body(fixtures::USER)
            .expect(1)
    }

    /// Fails if any request reached the catch-all.
    pub fn assert_no_strays(&self) {
        for m in &self.catch_all {
            m.assert();
        }
    }

    /// The end of a test with several mocks: asserts each one (a failure names it by its
    /// label), then that no request reached the catch-all.
    #[track_caller]
    pub fn assert_done(&self, mocks: &[(&str, &Mock)]) {
        for (label, m) in mocks {
            labelled(label, || m.assert());
        }
        labelled("stray requests", || self.assert_no_strays());
    }
}

/// Runs `check`; a panic in it is raised again with `label` in front, so that a failure
/// inside a shared helper says which endpoint and case it was checking.
#[track_caller]
pub fn labelled<T>(label: &str, check: impl FnOnce() -> T) -> T {
    match panic::catch_unwind(AssertUnwindSafe(check)) {
        Ok(value) => value,
        Err(cause) => {
            let message = cause
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| cause.downcast_ref::<&str>().copied())
                .unwrap_or("(a panic with no message)");
            panic!("{label}: {message}")
        }
    }
}

/// One exchange on a fresh [`Wire`]: the request the client must send (see [`Wire::mock`]:
/// method, exact raw path, exact query, headers, JSON body or none), how the server answers,
/// and the call that must send it. Made by [`expect`]; finished by [`Expect::respond`] or one
/// of its shorthands, which also assert the mock (hit exactly as expected) and that nothing
/// else reached the server.
#[must_use = "an Expect checks nothing until it is finished (respond, ok_json, no_body, fails)"]
pub struct Expect<'a> {
    label: &'a str,
    method: &'a str,
    path: String,
    query: &'a [(&'a str, &'a str)],
    body: Option<Value>,
    version: Option<&'a str>,
    retries: u32,
}

/// Expects exactly one `method` request to the raw `path`, with no query, no body and no
/// `Pinn-Version`, from a client with no retries. `label` names the call in failures.
pub fn expect<'a>(label: &'a str, method: &'a str, path: impl Into<String>) -> Expect<'a> {
    Expect {
        label,
        method,
        path: path.into(),
        query: &[],
        body: None,
        version: None,
        retries: 0,
    }
}

impl<'a> Expect<'a> {
    /// The exact query: every pair, and nothing else.
    pub fn query(mut self, query: &'a [(&'a str, &'a str)]) -> Self {
        self.query = query;
        self
    }

    /// The JSON body, with `Content-Type: application/json`.
    pub fn body(mut self, json: Value) -> Self {
        self.body = Some(json);
        self
    }

    /// A client configured with this API version, and `Pinn-Version` matched exactly.
    pub fn version(mut self, version: &'a str) -> Self {
        self.version = Some(version);
        self
    }

    /// A client with `max_retries(n)` and a sleeper that does not sleep.
    pub fn retries(mut self, n: u32) -> Self {
        self.retries = n;
        self
    }

    /// What failures say: the label, the method and the path.
    fn describe(&self) -> String {
        format!("{} ({} {})", self.label, self.method, self.path)
    }

    /// Mounts the request's mock answered by `mount` (which adds the reply and must
    /// `.create()` it; it may change `.expect(n)`), runs `call` with a client on the server,
    /// asserts the mock and that nothing else was requested, and returns what `call` gave.
    #[track_caller]
    pub fn respond<R>(self, mount: impl FnOnce(Mock) -> Mock, call: impl FnOnce() -> R) -> R {
        labelled(&self.describe(), || {
            let mut w = Wire::start();
            let m =
                mount(w.mock_full(self.version, self.method, &self.path, self.query, self.body));
            let mut builder = w.builder();
            if let Some(version) = self.version {
                builder = builder.api_version(version);
            }
            if self.retries > 0 {
                builder = builder.max_retries(self.retries).sleeper(|_| {});
            }
            let result = pinn::Client::new(builder.build().unwrap()).scope(call);
            m.assert();
            w.assert_no_strays();
            result
        })
    }

    /// Like [`respond`](Expect::respond), but `call` is given the client to call through and
    /// runs outside any scope: the explicit-client form of a call.
    #[track_caller]
    pub fn respond_explicit<R>(
        self,
        mount: impl FnOnce(Mock) -> Mock,
        call: impl FnOnce(&pinn::Client) -> R,
    ) -> R {
        labelled(&self.describe(), || {
            let mut w = Wire::start();
            let m =
                mount(w.mock_full(self.version, self.method, &self.path, self.query, self.body));
            let client = pinn::Client::new(w.builder().build().unwrap());
            let result = call(&client);
            m.assert();
            w.assert_no_strays();
            result
        })
    }

    /// Answers `200` with the JSON `reply`; `call` gets the client and must succeed.
    #[track_caller]
    pub fn ok_json_explicit<T>(
        self,
        reply: &str,
        call: impl FnOnce(&pinn::Client) -> pinn::Result<T>,
    ) -> T {
        let label = self.describe();
        let result = self.respond_explicit(|m| ok_json(m, reply), call);
        result.unwrap_or_else(|err| panic!("{label}: {err:?}"))
    }

    /// Answers `status` with no body; `call` gets the client and must succeed.
    #[track_caller]
    pub fn no_body_explicit<T>(
        self,
        status: usize,
        call: impl FnOnce(&pinn::Client) -> pinn::Result<T>,
    ) -> T {
        let label = self.describe();
        let result = self.respond_explicit(|m| m.with_status(status).create(), call);
        result.unwrap_or_else(|err| panic!("{label}: {err:?}"))
    }

    /// Answers `200` with the JSON `reply` (see [`ok_json`]); `call` must succeed, and what
    /// it gave is returned for the test to check.
    #[track_caller]
    pub fn ok_json<T>(self, reply: &str, call: impl FnOnce() -> pinn::Result<T>) -> T {
        let label = self.describe();
        let result = self.respond(|m| ok_json(m, reply), call);
        result.unwrap_or_else(|err| panic!("{label}: {err:?}"))
    }

    /// Answers `status` with no body; `call` must succeed.
    #[track_caller]
    pub fn no_body<T>(self, status: usize, call: impl FnOnce() -> pinn::Result<T>) -> T {
        let label = self.describe();
        let result = self.respond(|m| m.with_status(status).create(), call);
        result.unwrap_or_else(|err| panic!("{label}: {err:?}"))
    }

    /// Answers with the API's JSON error body for `failure` (see [`error_json`]); `call` must
    /// fail with exactly that error (see [`assert_api_error`]), which is returned for any
    /// further check.
    #[track_caller]
    pub fn fails<T>(
        self,
        failure: ApiFailure,
        call: impl FnOnce() -> pinn::Result<T>,
    ) -> pinn::Error {
        let label = self.describe();
        let mount = |m| {
            error_json(
                m,
                usize::from(failure.status),
                failure.error_type,
                failure.message,
            )
        };
        match self.respond(mount, call) {
            Ok(_) => panic!("{label}: succeeded; expected {failure:?}"),
            Err(err) => {
                labelled(&label, || {
                    assert_api_error(
                        &err,
                        failure.kind,
                        failure.status,
                        failure.error_type,
                        failure.message,
                    )
                });
                err
            }
        }
    }
}

/// An error the API answers with, and the kind the client must map it to.
#[derive(Debug, Clone, Copy)]
pub struct ApiFailure<'a> {
    pub kind: ErrorKind,
    pub status: u16,
    pub error_type: &'a str,
    pub message: &'a str,
}

/// The rows of the spec's error table that the endpoint tests use: each gives the status, the
/// `error.type` (also sent as `code`) and the kind it must come back as.
macro_rules! api_failures {
    ($($name:ident: $status:literal $kind:ident;)*) => {
        $(
            #[doc = concat!(
                "`", $status, " ", stringify!($name), "`, which must be `ErrorKind::",
                stringify!($kind), "`."
            )]
            pub fn $name(message: &str) -> ApiFailure<'_> {
                ApiFailure {
                    kind: ErrorKind::$kind,
                    status: $status,
                    error_type: stringify!($name),
                    message,
                }
            }
        )*
    };
}

api_failures! {
    bad_request: 400 InvalidRequest;
    unauthorized: 401 Authentication;
    forbidden: 403 Forbidden;
    not_found: 404 InvalidRequest;
    method_not_allowed: 405 InvalidRequest;
    conflict: 409 RequestFailed;
    unprocessable_entity: 422 RequestFailed;
    rate_limit_exceeded: 429 RateLimit;
    internal_server_error: 500 Api;
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
    assert_eq!(api.error_type(), Some(error_type));
    assert_eq!(*api.code(), Value::String(error_type.to_string()));
    assert_eq!(api.message(), message);
    assert_eq!(err.request_id(), Some("req_err_1"));
}

/// Parses a fixture, to compare decoded objects with it.
pub fn fixture_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}
