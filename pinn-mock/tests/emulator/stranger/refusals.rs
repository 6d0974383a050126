//! What the emulator refuses, and with which status: 401, 404, 405, 400, 422.

use pinn_mock::MockServer;
use serde_json::json;

use super::*;

#[test]
fn health_needs_no_key() {
    let s = MockServer::start();
    let mut x = Stranger::new(&s);
    x.key = None;
    assert_eq!(x.ok("GET", "/health", None), json!({"status": "ok"}));
    let a = x.call("POST", "/health", None);
    assert_eq!(a.status, 405);
}

#[test]
fn without_the_key_everything_is_401() {
    let s = MockServer::start();
    let mut x = Stranger::new(&s);
    for key in [None, Some("sk_test_wrong".to_string())] {
        x.key = key;
        for (method, path) in [
            ("GET", "/v1/users"),
            ("POST", "/v1/users"),
            ("GET", "/v1/nothing"),
        ] {
            x.error(method, path, None, 401, "unauthorized");
        }
    }
    // A key without "Bearer " is not accepted either.
    let raw = ureq::get(format!("{}/v1/users", s.url()))
        .header("Authorization", s.secret_key())
        .config()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .call()
        .unwrap();
    assert_eq!(raw.status().as_u16(), 401);
    assert_eq!(s.count("user"), 0);
}

#[test]
fn unknown_ids_and_paths_are_404() {
    let s = MockServer::start();
    let x = Stranger::new(&s);
    for path in [
        "/v1/users/usr_nothing",
        "/v1/apps/app_nothing",
        "/v1/devices/dev_nothing",
        "/v1/events/evt_nothing",
        "/v1/logs/log_nothing",
        "/v1/webhook_endpoints/we_nothing",
        "/v1/users/usr_nothing/devices",
        "/v1/users/usr_nothing/logs",
        "/v1/devices/dev_nothing/logs",
        "/v1/users/%2E%2E",
        "/v1/users/%FF",
        "/v1/users/",
        "/v1/nothing",
        "/v2/users",
        "/",
        "/v1/enrollment_keys/ek_x",
        "/v1/users/usr_x/apps",
    ] {
        x.error("GET", path, None, 404, "not_found");
    }
    x.error("DELETE", "/v1/users/usr_nothing", None, 404, "not_found");
    x.error(
        "PATCH",
        "/v1/users/usr_nothing",
        Some("{}"),
        404,
        "not_found",
    );
}

#[test]
fn wrong_methods_are_405_with_allow() {
    let s = MockServer::start();
    let x = Stranger::new(&s);
    for (method, path, allow) in [
        ("PUT", "/v1/users", "GET, HEAD, POST, OPTIONS"),
        ("DELETE", "/v1/users", "GET, HEAD, POST, OPTIONS"),
        (
            "POST",
            "/v1/users/usr_x",
            "GET, HEAD, PATCH, DELETE, OPTIONS",
        ),
        (
            "PATCH",
            "/v1/apps/app_x",
            "GET, HEAD, POST, DELETE, OPTIONS",
        ),
        ("POST", "/v1/apps", "GET, HEAD, OPTIONS"),
        ("DELETE", "/v1/events/evt_x", "GET, HEAD, OPTIONS"),
        ("PATCH", "/v1/devices/dev_x", "GET, HEAD, DELETE, OPTIONS"),
        ("GET", "/v1/enrollment_keys", "POST, OPTIONS"),
        ("GET", "/v1/recovery_keys", "POST, OPTIONS"),
        ("POST", "/v1/users/usr_x/devices", "GET, HEAD, OPTIONS"),
    ] {
        let body = (method == "PATCH").then_some("{}");
        let a = x.error(method, path, body, 405, "method_not_allowed");
        assert_eq!(a.allow.as_deref(), Some(allow), "{method} {path}");
    }
}

#[test]
fn malformed_requests_are_400() {
    let s = MockServer::start();
    let x = Stranger::new(&s);
    let user = x.ok("POST", "/v1/users", None);
    let uid = user["user_id"].as_str().unwrap();
    for (method, path, body) in [
        ("POST", "/v1/users", "{"),
        ("POST", "/v1/users", "[1, 2]"),
        ("POST", "/v1/users", r#"{"metadata": "not an object"}"#),
        ("POST", "/v1/users", r#"{"user_id": "usr_chosen"}"#),
        ("PATCH", &format!("/v1/users/{uid}"), r#"{"status": 1}"#),
        ("POST", "/v1/apps/web", "{}"),
        ("POST", "/v1/apps/web", r#"{"name": 7}"#),
        ("POST", "/v1/enrollment_keys", "{}"),
        (
            "POST",
            "/v1/recovery_keys",
            r#"{"user_id": "usr_x", "flow": "email"}"#,
        ),
        (
            "POST",
            "/v1/webhook_endpoints",
            r#"{"url": "https://example.com"}"#,
        ),
        (
            "POST",
            "/v1/webhook_endpoints",
            r#"{"events": ["user.created"]}"#,
        ),
        (
            "POST",
            "/v1/webhook_endpoints",
            r#"{"url": "https://e.com", "events": [1]}"#,
        ),
    ] {
        x.error(method, path, Some(body), 400, "bad_request");
    }
    for query in [
        "limit=0",
        "limit=101",
        "limit=abc",
        "limit=",
        "limit=-1",
        "limit=1.5",
    ] {
        x.error(
            "GET",
            &format!("/v1/users?{query}"),
            None,
            400,
            "bad_request",
        );
    }
    x.error(
        "GET",
        "/v1/users?starting_after=usr_nothing",
        None,
        400,
        "bad_request",
    );
    // A cursor must belong to the list it pages: a user is not one of the apps.
    x.error(
        "GET",
        &format!("/v1/apps?starting_after={uid}"),
        None,
        400,
        "bad_request",
    );
    assert_eq!(s.count("user"), 1, "nothing malformed created anything");
}

#[test]
fn forbidden_states_are_422() {
    let s = MockServer::start();
    let x = Stranger::new(&s);
    let user = x.ok("POST", "/v1/users", None);
    let upath = format!("/v1/users/{}", user["user_id"].as_str().unwrap());
    let hook = x.ok(
        "POST",
        "/v1/webhook_endpoints",
        Some(r#"{"url":"https://example.com/h","events":["user.created"]}"#),
    );
    let hpath = format!(
        "/v1/webhook_endpoints/{}",
        hook["webhook_endpoint_id"].as_str().unwrap()
    );
    for (method, path, body) in [
        ("POST", "/v1/apps/windows", r#"{"name":"Win"}"#),
        ("POST", "/v1/apps/web", r#"{"name":""}"#),
        ("POST", "/v1/enrollment_keys", r#"{"user_id":"usr_nobody"}"#),
        (
            "POST",
            "/v1/recovery_keys",
            r#"{"user_id":"usr_nobody","flow":["email"]}"#,
        ),
        ("PATCH", upath.as_str(), r#"{"status":"frozen"}"#),
        ("PATCH", hpath.as_str(), r#"{"status":"paused"}"#),
        ("PATCH", hpath.as_str(), r#"{"url":"ftp://example.com"}"#),
        (
            "POST",
            "/v1/webhook_endpoints",
            r#"{"url":"example.com","events":["a"]}"#,
        ),
        (
            "POST",
            "/v1/webhook_endpoints",
            r#"{"url":"https://","events":["a"]}"#,
        ),
        (
            "POST",
            "/v1/webhook_endpoints",
            r#"{"url":"https://e.com","events":[]}"#,
        ),
    ] {
        x.error(method, path, Some(body), 422, "unprocessable_entity");
    }
    assert_eq!(
        x.ok("GET", &upath, None)["status"],
        "active",
        "nothing changed"
    );
    assert_eq!((s.creates("app"), s.creates("enrollment_key")), (0, 0));
}
