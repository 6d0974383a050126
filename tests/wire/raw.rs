//! `Client::raw_request`: an endpoint the crate does not wrap, through the same key, host,
//! retries, deadline and errors as every call.

use pinn::{ErrorKind, Method};
use serde_json::json;

use crate::support::fixtures::{USER, USERS_PAGE};
use crate::support::{Wire, expect, fixture_value, ok_json};

#[test]
fn a_raw_post_sends_the_body_and_returns_the_json_and_the_response() {
    let body = json!({"metadata": {"plan": "pro"}});
    let (json, response) = expect("raw POST", "POST", "/v1/users")
        .body(body.clone())
        .respond_explicit(
            |m| ok_json(m, USER),
            |client| client.raw_request(Method::Post, "/v1/users", Some(&body)),
        )
        .unwrap();
    assert_eq!(json, fixture_value(USER));
    assert_eq!((response.status(), response.method()), (200, "POST"));
}

#[test]
fn a_raw_get_keeps_its_query_and_an_empty_reply_is_null() {
    let (json, _) = expect("raw GET", "GET", "/v1/users")
        .query(&[("limit", "2"), ("starting_after", "usr_1")])
        .ok_json_explicit(USERS_PAGE, |client| {
            client.raw_request(Method::Get, "/v1/users?limit=2&starting_after=usr_1", None)
        });
    assert_eq!(json["object"], "list");
    let (json, response) = expect("raw DELETE", "DELETE", "/v1/apps/app_1")
        .no_body_explicit(204, |client| {
            client.raw_request(Method::Delete, "/v1/apps/app_1", None)
        });
    assert_eq!((json, response.status()), (serde_json::Value::Null, 204));
}

#[test]
fn a_raw_get_is_retried_like_any_get() {
    let err = expect("raw GET", "GET", "/v1/things")
        .retries(2)
        .respond(
            |m| m.with_status(503).expect(3).create(),
            || pinn::Client::current().raw_request(Method::Get, "/v1/things", None),
        )
        .unwrap_err();
    assert_eq!((err.kind(), err.attempts()), (ErrorKind::ApiConnection, 3));
    assert_eq!(
        err.to_string(),
        "service unavailable: GET /v1/things (status 503, after 3 attempts)"
    );
}

#[test]
fn a_path_that_is_not_a_plain_path_is_refused_before_any_io() {
    let w = Wire::start();
    let client = w.client();
    for bad in [
        "",
        "v1/users",
        "//evil.example/v1",
        "https://evil.example/v1/users",
        "/v1/../apps",
        "/v1/users#x",
        "/v1/us ers",
        "/v1/users?limit=1#x",
        "/v1/users?q=a b",
        "/v1/é",
    ] {
        let err = client.raw_request(Method::Get, bad, None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{bad:?}");
    }
    // The key never travels in a body, raw or not.
    let leaky = json!({"note": crate::support::KEY});
    let err = client
        .raw_request(Method::Post, "/v1/users", Some(&leaky))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    // A GET or DELETE has no body to send: refused rather than dropped in silence.
    let body = json!({"x": 1});
    for method in [Method::Get, Method::Delete] {
        let err = client
            .raw_request(method, "/v1/users/usr_1", Some(&body))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "invalid argument: a raw {method} request has no body: send it with POST or \
                 PATCH, or drop it"
            )
        );
    }
    w.assert_no_strays();
}
