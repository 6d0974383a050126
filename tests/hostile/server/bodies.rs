//! Bodies that are not what they should be, and what the client still forgives.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use pinn::{
    App, AppType, AuthType, Client, Device, Error, ErrorKind, ListParams, Log, Platform, User,
};

use super::*;
use crate::support::*;

const PROXY_PAGE: &str = "<html><head><title>502 Bad Gateway</title></head>\
    <body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";

#[test]
fn a_proxy_html_page_on_502_and_503_is_an_api_connection_error() {
    for status in [502u16, 503] {
        let server = Server::start(move |_, _, s| {
            respond(
                s,
                status,
                &[("Content-Type", "text/html"), ("X-Request-Id", "req_proxy")],
                PROXY_PAGE.as_bytes(),
            )
        });
        let url = server.url();
        within(LIMIT, move || {
            let err = get(&client(&url)).unwrap_err();
            assert_clean(&err);
            assert_eq!(err.kind(), ErrorKind::ApiConnection);
            assert_eq!(err.status(), Some(status));
            assert_eq!(err.request_id(), Some("req_proxy"));
            assert_eq!(err.attempts(), 3);
            let api = err.api_error().unwrap();
            assert_eq!(*api.code(), status);
            assert_eq!(api.error_type(), None);
            assert!(api.message().starts_with(&status.to_string()), "{api:?}");
            assert!(!api.message().contains("nginx"));
            take_waits();
        });
        assert_eq!(server.seen().len(), 3);
    }
}

#[test]
fn a_4xx_with_an_empty_body_takes_its_kind_from_the_status() {
    for (status, kind) in [
        (400u16, ErrorKind::InvalidRequest),
        (401, ErrorKind::Authentication),
        (403, ErrorKind::Forbidden),
        (404, ErrorKind::InvalidRequest),
        (409, ErrorKind::RequestFailed),
        (422, ErrorKind::RequestFailed),
        (418, ErrorKind::Pinn),
    ] {
        let server = Server::start(move |_, _, s| respond(s, status, &[], b""));
        let url = server.url();
        within(LIMIT, move || {
            let err = get(&client(&url)).unwrap_err();
            assert_clean(&err);
            assert_eq!(err.kind(), kind, "{status}");
            assert_eq!(err.status(), Some(status));
            assert_eq!(err.attempts(), 1, "4xx is never retried");
            assert!(!err.is_retryable());
            assert!(take_waits().is_empty());
        });
    }
}

#[test]
fn a_4xx_with_a_json_error_missing_fields_still_gives_a_typed_error() {
    let cases: &[(&str, ErrorKind, &str)] = &[
        (
            r#"{"error":{}}"#,
            ErrorKind::InvalidRequest,
            "404 Not Found",
        ),
        (
            r#"{"error":{"message":"no such user"}}"#,
            ErrorKind::InvalidRequest,
            "no such user",
        ),
        (
            r#"{"error":{"type":"forbidden"}}"#,
            ErrorKind::Forbidden,
            "404 Not Found",
        ),
        (
            r#"{"error":{"type":"not_found","message":""}}"#,
            ErrorKind::InvalidRequest,
            "404 Not Found",
        ),
        (
            r#"{"error":{"type":7,"message":["x"]}}"#,
            ErrorKind::InvalidRequest,
            "404 Not Found",
        ),
        (
            r#"{"error":"oops"}"#,
            ErrorKind::InvalidRequest,
            "404 Not Found",
        ),
        (
            r#"{"message":"x"}"#,
            ErrorKind::InvalidRequest,
            "404 Not Found",
        ),
        (
            r#"{"error":{"type":"brand_new"}}"#,
            ErrorKind::Pinn,
            "404 Not Found",
        ),
    ];
    for &(body, kind, message) in cases {
        let server = Server::start(move |_, _, s| respond_json(s, 404, body));
        let url = server.url();
        within(LIMIT, move || {
            let err = get(&client(&url)).unwrap_err();
            assert_clean(&err);
            assert_eq!(err.kind(), kind, "{body}");
            assert_eq!(err.api_error().unwrap().message(), message, "{body}");
            assert_eq!(err.attempts(), 1);
        });
    }
}

/// A 200 whose body is not a user: each must be a decode error (kind `Pinn`), not retried.
fn assert_bad_success_body(body: &'static [u8]) {
    let server = Server::start(move |_, _, s| {
        respond(s, 200, &[("Content-Type", "application/json")], body)
    });
    let url = server.url();
    within(LIMIT, move || {
        let err = get(&client(&url)).unwrap_err();
        assert_clean(&err);
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        assert_eq!(err.kind(), ErrorKind::Pinn);
        assert_eq!(err.attempts(), 1);
        assert!(take_waits().is_empty());
    });
    assert_eq!(server.seen().len(), 1);
}

#[test]
fn a_200_with_a_non_json_body() {
    assert_bad_success_body(b"<html><body>Welcome to nginx!</body></html>");
    assert_bad_success_body(b"\xff\xfe\x00garbage");
}

#[test]
fn a_200_with_truncated_json() {
    assert_bad_success_body(br#"{"object":"user","user_id":"usr_1","metad"#);
}

#[test]
fn a_200_with_valid_json_of_the_wrong_shape() {
    for body in [
        &b"42"[..],
        b"null",
        b"[]",
        b"\"usr_1\"",
        br#"{"object":"user","user_id":5}"#,
        br#"{"object":"user","user_id":"usr_1","metadata":7}"#,
        br#"{"object":"user","user_id":"usr_1","created_at":"yesterday"}"#,
        br#"{"object":"device","device_id":"dev_1","platform":"ios"}"#,
        br#"{"user_id":"usr_1"}"#,
    ] {
        assert_bad_success_body(body);
    }
}

#[test]
fn a_list_holding_an_object_of_another_kind() {
    let body = format!(
        r#"{{"object":"list","url":"/v1/users","count":2,"has_more":false,"data":[{},
        {{"object":"device","device_id":"dev_1","user_id":"usr_1","platform":"ios"}}]}}"#,
        user_json("usr_1")
    );
    let server = Server::start(move |_, _, s| respond_json(s, 200, &body));
    let url = server.url();
    within(LIMIT, move || {
        let err = client(&url)
            .scope(|| User::list(&ListParams::new()))
            .unwrap_err();
        assert_clean(&err);
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        assert!(err.to_string().contains("device"), "{err}");
    });
}

#[test]
fn a_200_of_exactly_the_size_cap_is_read_and_one_byte_more_is_not() {
    // The same user, padded to `len` bytes of JSON.
    let sized = |len: usize| {
        let mut body = user_json("usr_1").into_bytes();
        body.truncate(body.len() - 1);
        body.extend_from_slice(b",\"padding\":\"");
        body.resize(len - 2, b'x');
        body.extend_from_slice(b"\"}");
        body
    };
    let server = Server::start(move |n, _, s| respond(s, 200, &[], &sized(1024 + n % 2)));
    let url = server.url();
    within(LIMIT, move || {
        let c = Client::new(builder(&url).max_response_bytes(1024).build().unwrap());
        assert_eq!(get(&c).unwrap().user_id, "usr_1"); // 1024 bytes: read
        let err = get(&c).unwrap_err(); // 1025 bytes: refused
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        assert!(err.to_string().contains("1024-byte limit"), "{err}");
    });
}

#[test]
fn a_200_over_the_size_cap_is_refused() {
    let server = Server::start(|_, _, s| {
        let mut body = user_json("usr_1").into_bytes();
        body.truncate(body.len() - 1);
        body.extend_from_slice(b",\"padding\":\"");
        body.resize(10 * 1024, b'x');
        body.extend_from_slice(b"\"}");
        respond(s, 200, &[], &body)
    });
    let url = server.url();
    within(LIMIT, move || {
        let c = Client::new(builder(&url).max_response_bytes(1024).build().unwrap());
        let err = get(&c).unwrap_err();
        assert_clean(&err);
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        assert!(err.to_string().contains("1024"), "{err}");
        assert_eq!(err.attempts(), 1);
        // The same body fits under the default cap.
        assert_eq!(get(&client(&url)).unwrap().user_id, "usr_1");
    });
}

#[test]
fn an_error_page_over_the_size_cap_still_gives_the_status_kind() {
    // A proxy's 503 page can be larger than a small cap: the status alone must decide, and a
    // retryable status must still be retried.
    let page = format!("<html>{}</html>", "busy ".repeat(2000));
    let server = Server::start(move |n, _, s| match n {
        0 => respond(s, 503, &[("Content-Type", "text/html")], page.as_bytes()),
        1 => respond(s, 429, &[("Retry-After", "1")], page.as_bytes()),
        _ => respond_json(s, 200, &user_json("usr_1")),
    });
    let url = server.url();
    within(LIMIT, move || {
        let c = Client::new(builder(&url).max_response_bytes(1024).build().unwrap());
        assert_eq!(get(&c).unwrap().user_id, "usr_1");
        let waits = take_waits();
        assert_eq!(waits.len(), 2, "{waits:?}");
        assert_eq!(waits[1], Duration::from_secs(1));
    });
    for status in [404u16, 500, 503] {
        let server = Server::start(move |_, _, s| respond(s, status, &[], &[b'x'; 5000]));
        let url = server.url();
        within(LIMIT, move || {
            let c = Client::new(
                builder(&url)
                    .max_response_bytes(1024)
                    .max_retries(0)
                    .build()
                    .unwrap(),
            );
            let err = get(&c).unwrap_err();
            assert_clean(&err);
            assert_eq!(err.kind(), ErrorKind::from_status(status), "{err:?}");
            assert_eq!(err.status(), Some(status));
        });
    }
}

#[test]
fn an_endless_body_is_cut_off_not_buffered() {
    let written = Arc::new(AtomicUsize::new(0));
    let server = Server::start({
        let written = written.clone();
        move |_, _, s| {
            // No Content-Length: the body runs until the connection closes. Stop at 1 GiB
            // at the latest, or when the client hangs up.
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[");
            let chunk = [b' '; 64 * 1024];
            while written.load(Ordering::SeqCst) < 1 << 30 {
                match s.write(&chunk) {
                    Ok(n) if n > 0 => written.fetch_add(n, Ordering::SeqCst),
                    _ => break,
                };
            }
        }
    });
    let url = server.url();
    within(LIMIT, move || {
        let c = Client::new(builder(&url).max_response_bytes(1024).build().unwrap());
        let started = Instant::now();
        let err = get(&c).unwrap_err();
        assert_clean(&err);
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        assert!(started.elapsed() < ms(3000), "{:?}", started.elapsed());
    });
    thread::sleep(ms(100));
    let n = written.load(Ordering::SeqCst);
    // What the server got out before the client hung up is what the socket buffers held,
    // far below what it would have sent to a client that kept reading.
    assert!(n < 64 << 20, "the server wrote {n} bytes");
}

fn extras(n: usize) -> String {
    (0..n)
        .map(|i| format!(r#""x_field_{i}":{{"nested":[{i},"v",null,true]}},"#))
        .collect()
}

#[test]
fn unknown_fields_and_enum_values_still_decode() {
    let server = Server::start(|_, req, s| {
        let x = extras(50);
        let body = match req.path.as_str() {
            "/v1/users/usr_1" => format!(
                r#"{{{x}"object":"user","user_id":"usr_1","status":"quarantined","brand_new":{{}}}}"#
            ),
            "/v1/apps/app_1" => format!(
                r#"{{{x}"object":"app","app_id":"app_1","app_type":"windows","name":"W","description":null}}"#
            ),
            "/v1/devices/dev_1" => format!(
                r#"{{{x}"object":"device","device_id":"dev_1","user_id":"usr_1","platform":"harmonyos"}}"#
            ),
            "/v1/logs/log_1" => format!(
                r#"{{{x}"object":"log","log_id":"log_1","auth_type":"kiosk","success":true,"score":0.97}}"#
            ),
            _ => format!(
                r#"{{"object":"list","url":"/v1/apps","count":1,"has_more":false,"next_thing":1,
                "data":[{{{x}"object":"app","app_id":"app_2","app_type":"tv"}}]}}"#
            ),
        };
        respond_json(s, 200, &body)
    });
    let url = server.url();
    within(LIMIT, move || {
        let c = client(&url);
        c.scope(|| {
            let user = User::retrieve("usr_1").unwrap();
            assert_eq!(
                user.status.as_ref().map(|s| s.as_str()),
                Some("quarantined")
            );
            assert_eq!(user.extra.len(), 51);
            assert_eq!(user.extra["x_field_3"]["nested"][0], 3);

            let app = App::retrieve("app_1").unwrap();
            assert_eq!(app.app_type, AppType::Other("windows".into()));
            assert_eq!(app.extra.len(), 50);

            let device = Device::retrieve("dev_1").unwrap();
            assert_eq!(device.platform, Platform::Other("harmonyos".into()));

            let log = Log::retrieve("log_1").unwrap();
            assert_eq!(log.auth_type, AuthType::Other("kiosk".into()));
            assert!(log.success);

            let apps = App::list(&ListParams::new()).unwrap();
            assert_eq!(apps.data[0].app_type.as_str(), "tv");
        });
    });
}
