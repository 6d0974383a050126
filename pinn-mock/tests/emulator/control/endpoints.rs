//! Every control endpoint: reset, state, seeding, ID tokens, faults, requests, clock, counts.

use crate::raw::{api, call, control};
use pinn_mock::MockServer;
use serde_json::{Value, json};

use super::*;

#[test]
fn reset_empties_everything() {
    let s = MockServer::start();
    let (_, user) = v1(&s, "POST", "/v1/users", "");
    mock(
        &s,
        "POST",
        "faults",
        json!({"kind": "status", "status": 503, "times": 5}),
    );
    let (status, body) = mock(&s, "POST", "reset", Value::Null);
    assert_eq!(status, 200);
    assert_eq!(
        (&body["reset"], body["seed"].is_u64()),
        (&json!(true), true)
    );
    let path = format!("/v1/users/{}", user["user_id"].as_str().unwrap());
    assert_error(v1(&s, "GET", &path, ""), 404, "not_found");
    assert_eq!(
        mock(&s, "GET", "faults", Value::Null).1,
        json!({"data": []})
    );
    assert_eq!(
        mock(&s, "GET", "requests", Value::Null).1["total"],
        1,
        "only the GET since"
    );

    // With a seed: the same calls give the same IDs after each reset.
    let mut ids = Vec::new();
    for _ in 0..2 {
        let (status, body) = mock(&s, "POST", "reset", json!({"seed": 11}));
        assert_eq!((status, &body["seed"]), (200, &json!(11)));
        ids.push(v1(&s, "POST", "/v1/users", "").1["user_id"].clone());
    }
    assert_eq!(ids[0], ids[1]);
    assert_error(
        mock(&s, "POST", "reset", json!({"seed": -1})),
        400,
        "bad_request",
    );
    assert_error(
        mock(&s, "POST", "reset", json!({"sede": 1})),
        400,
        "bad_request",
    );
}

#[test]
fn state_snapshots_and_restores() {
    let s = MockServer::start();
    v1(&s, "POST", "/v1/users", r#"{"metadata": {"n": 1}}"#);
    let (status, saved) = mock(&s, "GET", "state", Value::Null);
    assert_eq!(status, 200);
    assert_eq!(saved["format"], "pinn-mock/1");
    assert_eq!(saved["objects"]["user"].as_array().map(Vec::len), Some(1));
    assert_eq!(saved["objects"]["event"].as_array().map(Vec::len), Some(1));
    assert_eq!(saved["created"]["user"], 1);

    v1(&s, "POST", "/v1/users", "");
    let (status, body) = mock(&s, "PUT", "state", saved.clone());
    assert_eq!((status, &body["restored"]), (200, &json!(true)));
    assert_eq!(body["counts"]["user"], json!({"count": 1, "created": 1}));
    assert_eq!(mock(&s, "GET", "state", Value::Null).1, saved);

    // A hand-written fixture: objects oldest first, each with its ID.
    let fixture = json!({"objects": {"user": [
        {"user_id": "usr_old", "created_at": 1, "metadata": {}},
        {"user_id": "usr_new", "created_at": 2, "metadata": {"plan": "pro"}},
    ]}});
    assert_eq!(mock(&s, "PUT", "state", fixture).0, 200);
    let (status, page) = v1(&s, "GET", "/v1/users?limit=1", "");
    assert_eq!(
        (status, &page["data"][0]["user_id"]),
        (200, &json!("usr_new"))
    );
    let (_, next) = v1(&s, "GET", "/v1/users?limit=1&starting_after=usr_new", "");
    assert_eq!(next["data"][0]["user_id"], "usr_old");

    for bad in [
        json!([1]),
        json!({"objects": {"user": [{"id": "x"}]}}),
        json!({"objects": {"dragon": []}}),
        json!({"format": "pinn-mock/999"}),
    ] {
        assert_error(mock(&s, "PUT", "state", bad), 400, "bad_request");
    }
    let raw = control(s.port(), s.secret_key(), "PUT", "/_mock/state", "{not json");
    assert_eq!(
        (raw.status, raw.error_type()),
        (400, "bad_request".to_string())
    );
    assert_eq!(
        mock(&s, "GET", "counts", Value::Null).1["user"]["count"],
        2,
        "unchanged"
    );
}

#[test]
fn seeding_users_devices_logs_and_events() {
    let s = MockServer::start();
    let (status, user) = mock(
        &s,
        "POST",
        "users",
        json!({"metadata": {"external_id": "42"}, "status": "disabled"}),
    );
    assert_eq!(
        (status, &user["object"], &user["status"]),
        (200, &json!("user"), &json!("disabled"))
    );
    assert_eq!(user["metadata"]["external_id"], "42");
    let uid = user["user_id"].as_str().unwrap();

    let (status, device) = mock(
        &s,
        "POST",
        "devices",
        json!({"user_id": uid, "platform": "android", "name": "Pixel", "right_palm": true}),
    );
    assert_eq!(
        (status, &device["object"], &device["user_id"]),
        (200, &json!("device"), &json!(uid))
    );
    assert_eq!(
        (&device["platform"], &device["name"], &device["make"]),
        (&json!("android"), &json!("Pixel"), &json!("Apple"))
    );
    let (_, fetched) = v1(&s, "GET", &format!("/v1/users/{uid}"), "");
    assert_eq!(
        (&fetched["device_enrolled"], &fetched["right_palm_enrolled"]),
        (&json!(true), &json!(true))
    );

    let did = device["device_id"].as_str().unwrap();
    let (status, log) = mock(
        &s,
        "POST",
        "logs",
        json!({"device_id": did, "success": false}),
    );
    assert_eq!(
        (status, &log["success"], &log["device_id"]),
        (200, &json!(false), &json!(did))
    );
    let (_, logs) = v1(&s, "GET", &format!("/v1/users/{uid}/logs"), "");
    assert_eq!(logs["data"][0]["log_id"], log["log_id"]);

    let (status, event) = mock(
        &s,
        "POST",
        "events",
        json!({"type": "custom.thing", "data": {"x": 1}}),
    );
    assert_eq!(
        (status, &event["type"], &event["data"]),
        (200, &json!("custom.thing"), &json!({"x": 1}))
    );
    assert!(
        event["request"]
            .as_str()
            .is_some_and(|r| r.starts_with("req_"))
    );
    let (_, fetched) = v1(
        &s,
        "GET",
        &format!("/v1/events/{}", event["event_id"].as_str().unwrap()),
        "",
    );
    assert_eq!(fetched, event);

    assert_error(
        mock(&s, "POST", "users", json!({"status": "frozen"})),
        422,
        "unprocessable_entity",
    );
    assert_error(
        mock(&s, "POST", "devices", json!({"user_id": "usr_nobody"})),
        404,
        "not_found",
    );
    assert_error(mock(&s, "POST", "devices", json!({})), 400, "bad_request");
    assert_error(
        mock(&s, "POST", "logs", json!({"device_id": "dev_nobody"})),
        404,
        "not_found",
    );
    assert_error(
        mock(&s, "POST", "events", json!({"type": "x", "data": [1]})),
        400,
        "bad_request",
    );
    assert_error(
        mock(&s, "POST", "users", json!({"user_id": "usr_mine"})),
        400,
        "bad_request",
    );
}

#[test]
fn id_tokens_are_minted_on_the_emulators_clock() {
    let s = MockServer::builder().clock(4_000_000_000).start().unwrap();
    let client = s.client(); // verify() does no I/O: no proxy can get in the way
    let (status, body) = mock(
        &s,
        "POST",
        "id_tokens",
        json!({"sub": "usr_1", "amr": ["palm"]}),
    );
    assert_eq!(status, 200);
    let claims = &body["claims"];
    assert_eq!(
        claims,
        &json!({"sub": "usr_1", "iss": s.url(), "amr": ["palm"], "iat": 4_000_000_000i64, "exp": 4_000_000_300i64})
    );
    let token = body["id_token"].as_str().unwrap();
    let verified = client
        .scope(|| pinn::IdToken::verify(token, &["palm"]))
        .unwrap();
    assert_eq!(
        (verified.sub.as_str(), verified.exp),
        ("usr_1", Some(4_000_000_300))
    );

    // Expiry relative to the clock, extra claims, and null to remove one.
    let (_, expired) = mock(
        &s,
        "POST",
        "id_tokens",
        json!({"sub": "u", "expires_in": -4_000_000_000i64}),
    );
    let t = expired["id_token"].as_str().unwrap();
    let err = client.scope(|| pinn::IdToken::verify(t, &[])).unwrap_err();
    assert_eq!(err.kind(), pinn::ErrorKind::IdTokenVerification);
    let (_, custom) = mock(
        &s,
        "POST",
        "id_tokens",
        json!({"sub": "u", "amr": [], "claims": {"email": "ada@example.com", "exp": null, "iss": "x"}}),
    );
    assert_eq!(
        custom["claims"],
        json!({"sub": "u", "amr": [], "iat": 4_000_000_000i64, "iss": "x", "email": "ada@example.com"})
    );
    assert_error(
        mock(&s, "POST", "id_tokens", json!({"amr": ["palm"]})),
        400,
        "bad_request",
    );
    assert_error(
        mock(&s, "POST", "id_tokens", json!({"sub": 1})),
        400,
        "bad_request",
    );
}

#[test]
fn faults_are_installed_listed_used_and_cleared() {
    let s = MockServer::start();
    let (status, body) = mock(
        &s,
        "POST",
        "faults",
        json!({"kind": "status", "status": 503, "times": 2, "path": "/v1/users", "method": "get"}),
    );
    assert_eq!(status, 200);
    let installed =
        json!({"kind": "status", "status": 503, "times": 2, "path": "/v1/users", "method": "GET"});
    assert_eq!(body, json!({"data": [installed]}));
    assert_error(v1(&s, "GET", "/v1/users", ""), 503, "service_unavailable");
    let (_, listed) = mock(&s, "GET", "faults", Value::Null);
    assert_eq!(listed["data"][0]["times"], 1);

    let (status, body) = mock(
        &s,
        "POST",
        "faults",
        json!([
            {"kind": "rate_limit", "retry_after": "7", "path": "/v1/apps"},
            {"kind": "body", "status": 502, "body": "<html>Bad Gateway</html>", "path": "/v1/apps"},
            {"kind": "status", "status": 503, "probability": 0.3, "seed": 7, "path": "/nowhere"},
        ]),
    );
    assert_eq!(
        (status, body["data"].as_array().map(Vec::len)),
        (200, Some(3))
    );
    let limited = api(s.port(), s.secret_key(), "GET", "/v1/apps", "");
    assert_eq!(
        (limited.status, limited.header("retry-after")),
        (429, Some("7"))
    );
    let html = api(s.port(), s.secret_key(), "GET", "/v1/apps", "");
    assert_eq!(
        (html.status, html.header("content-type")),
        (502, Some("text/html"))
    );
    assert_eq!(html.text(), "<html>Bad Gateway</html>");

    for bad in [
        json!({"kind": "status"}),
        json!({"kind": "explode"}),
        json!({"kind": "close", "probability": 2}),
        json!([{"kind": "close"}, {"kind": "nope"}]),
        json!("close"),
    ] {
        assert_error(mock(&s, "POST", "faults", bad), 400, "bad_request");
    }
    // 1 GET fault left, and the probabilistic one (which fires without end).
    assert_eq!(
        mock(&s, "DELETE", "faults", Value::Null),
        (200, json!({"cleared": 2}))
    );
    assert_eq!(v1(&s, "GET", "/v1/users", "").0, 200);
}

#[test]
fn a_seeded_probabilistic_fault_fails_the_same_requests_every_time() {
    let statuses = || {
        let s = MockServer::start();
        mock(
            &s,
            "POST",
            "faults",
            json!({"kind": "status", "status": 503, "probability": 0.3, "seed": 7, "path": "/health"}),
        );
        (0..40)
            .map(|_| call(s.port(), "GET", "/health", "").status)
            .collect::<Vec<_>>()
    };
    let first = statuses();
    assert_eq!(first, statuses());
    let failed = first.iter().filter(|s| **s == 503).count();
    assert!((4..=20).contains(&failed), "{first:?}");
}

#[test]
fn requests_are_read_and_cleared() {
    let s = MockServer::builder()
        .request_log_capacity(3)
        .start()
        .unwrap();
    v1(&s, "POST", "/v1/users", r#"{"metadata": {"k": "v"}}"#);
    v1(&s, "GET", "/v1/users?limit=2", "");
    api(s.port(), "sk_test_someone_elses", "GET", "/v1/apps", "");
    mock(&s, "GET", "counts", Value::Null); // control calls are not recorded
    let (status, log) = mock(&s, "GET", "requests", Value::Null);
    assert_eq!(status, 200);
    assert_eq!(
        (&log["total"], &log["dropped"], &log["capacity"]),
        (&json!(3), &json!(0), &json!(3))
    );
    let first = &log["data"][0];
    assert_eq!(
        (&first["method"], &first["path"], &first["query"]),
        (&json!("POST"), &json!("/v1/users"), &Value::Null)
    );
    assert_eq!(first["body"], r#"{"metadata": {"k": "v"}}"#);
    let header = |r: &Value, name: &str| {
        r["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h[0].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .map(|h| h[1].clone())
    };
    let own = format!("Bearer {}", s.secret_key());
    assert_eq!(
        header(first, "authorization"),
        Some(json!(own)),
        "this server's key is shown"
    );
    assert_eq!(
        header(&log["data"][2], "authorization"),
        Some(json!("<redacted>")),
        "another key is not"
    );
    assert_eq!(log["data"][1]["query"], "limit=2");

    call(s.port(), "GET", "/health", "");
    let (_, log) = mock(&s, "GET", "requests", Value::Null);
    assert_eq!(
        (&log["total"], &log["dropped"]),
        (&json!(4), &json!(1)),
        "the oldest went first"
    );
    assert_eq!(log["data"][0]["path"], "/v1/users");
    assert_eq!(
        mock(&s, "DELETE", "requests", Value::Null),
        (200, json!({"cleared": 3}))
    );
    assert_eq!(
        mock(&s, "GET", "requests", Value::Null).1["data"],
        json!([])
    );
}

#[test]
fn the_clock_is_read_set_advanced_and_released() {
    let s = MockServer::start();
    let (status, clock) = mock(&s, "GET", "clock", Value::Null);
    assert_eq!((status, &clock["frozen"]), (200, &json!(false)));
    assert!(clock["now"].as_i64().unwrap() > 1_700_000_000);
    assert_eq!(
        mock(&s, "PUT", "clock", json!({"now": 1_700_000_000})),
        (200, json!({"now": 1_700_000_000, "frozen": true}))
    );
    let (_, user) = v1(&s, "POST", "/v1/users", "");
    assert_eq!(
        (&user["created_at"], &user["updated_at"]),
        (&json!(1_700_000_000), &json!(1_700_000_000))
    );
    let (_, key) = v1(
        &s,
        "POST",
        "/v1/enrollment_keys",
        &json!({"user_id": user["user_id"]}).to_string(),
    );
    assert_eq!(key["expires_at"], 1_700_003_600);
    let advanced = mock(&s, "POST", "clock/advance", json!({"seconds": 3601}));
    assert_eq!(
        advanced,
        (200, json!({"now": 1_700_003_601, "frozen": true}))
    );
    let (_, released) = mock(&s, "DELETE", "clock", Value::Null);
    assert_eq!(released["frozen"], false);
    assert_error(
        mock(&s, "PUT", "clock", json!({"now": "soon"})),
        400,
        "bad_request",
    );
    assert_error(
        mock(&s, "POST", "clock/advance", json!({})),
        400,
        "bad_request",
    );
}

#[test]
fn counts_unknown_paths_and_wrong_methods() {
    let s = MockServer::start();
    v1(&s, "POST", "/v1/users", "");
    let (status, counts) = mock(&s, "GET", "counts", Value::Null);
    assert_eq!(status, 200);
    assert_eq!(counts["user"], json!({"count": 1, "created": 1}));
    assert_eq!(counts["event"], json!({"count": 1, "created": 1}));
    assert_eq!(counts.as_object().map(|o| o.len()), Some(8));

    assert_error(mock(&s, "GET", "nothing", Value::Null), 404, "not_found");
    assert_error(mock(&s, "GET", "", Value::Null), 404, "not_found");
    let wrong = control(s.port(), s.secret_key(), "DELETE", "/_mock/state", "");
    assert_eq!(
        (wrong.status, wrong.header("allow")),
        (405, Some("GET, HEAD, PUT, OPTIONS"))
    );
    assert_eq!(wrong.error_type(), "method_not_allowed");
    // The control API needs the key, as the API does.
    assert_eq!(call(s.port(), "GET", "/_mock/counts", "").status, 401);
    assert_eq!(call(s.port(), "GET", "/v1/users", "").status, 401);
}
