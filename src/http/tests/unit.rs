//! Unit tests of the HTTP layer: requests, the error table, success bodies.

use super::super::*;
use super::{parse_as, raw_with};
use crate::errors::Error;
use crate::errors::{ApiError, ErrorKind};
use crate::http::request::MAX_BODY_BYTES;
use crate::text::MAX_MESSAGE;

fn raw(status: u16, body: &str) -> agent::Raw {
    raw_with(status, &[("request-id", "req_1")], body.as_bytes())
}

fn err(status: u16, body: &str) -> ApiError {
    match parse_as::<serde_json::Value>(raw(status, body)) {
        Err(Error::Status(e)) => *e,
        other => panic!("{other:?}"),
    }
}

fn url(r: &Request) -> String {
    r.url(
        &super::config_with(None)
            .to_builder()
            .api_host("http://127.0.0.1")
            .finish(),
    )
    .unwrap()
}

#[test]
fn segments_are_single_and_encoded() {
    let cases = [
        ("usr_123", "usr_123"),
        ("..", "%2E%2E"),
        ("a/b", "a%2Fb"),
        ("x?limit=1", "x%3Flimit%3D1"),
        ("a#b", "a%23b"),
        ("100%", "100%25"),
        ("a b", "a%20b"),
        ("é", "%C3%A9"),
    ];
    for (id, want) in cases {
        assert_eq!(segment("id", id).unwrap(), want);
    }
    assert!(matches!(
        segment("user_id", ""),
        Err(Error::InvalidArgument(_))
    ));
    let long = "a".repeat(MAX_ID_BYTES + 1);
    assert!(matches!(
        segment("user_id", &long),
        Err(Error::InvalidArgument(_))
    ));
    assert!(segment("user_id", &long[1..]).is_ok());
}

#[test]
fn queries_are_encoded_and_absent_ones_skipped() {
    let r = Request::get("/v1/users".into())
        .query("limit", Some(3))
        .query("starting_after", None::<String>)
        .query("x", Some("a&b=c"));
    assert_eq!(url(&r), "http://127.0.0.1/v1/users?limit=3&x=a%26b%3Dc");
}

#[test]
fn oversized_or_key_bearing_requests_are_refused_before_any_io() {
    let config = super::config_with(Some("sk_test_4eC39HqLyjWDarjtT1zdp7dc"));
    let long = Request::get("/v1/users".into()).query("starting_after", Some("a".repeat(9000)));
    assert!(matches!(long.url(&config), Err(Error::InvalidArgument(_))));
    let leaky = Request::get("/v1/users".into())
        .query("starting_after", Some("sk_test_4eC39HqLyjWDarjtT1zdp7dc"));
    let err = leaky.url(&config).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)));
    assert!(!err.to_string().contains("4eC39"));
    let huge = serde_json::json!({"metadata": {"blob": "x".repeat(MAX_BODY_BYTES)}});
    assert!(matches!(
        Request::post("/v1/users".into()).json(&huge),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn error_table() {
    #[rustfmt::skip]
    let table = [
        (400, "bad_request", ErrorKind::InvalidRequest),
        (401, "unauthorized", ErrorKind::Authentication),
        (403, "forbidden", ErrorKind::Forbidden),
        (404, "not_found", ErrorKind::InvalidRequest),
        (405, "method_not_allowed", ErrorKind::InvalidRequest),
        (409, "conflict", ErrorKind::RequestFailed),
        (422, "unprocessable_entity", ErrorKind::RequestFailed),
        (429, "rate_limit_exceeded", ErrorKind::RateLimit),
        (500, "internal_server_error", ErrorKind::Api),
        (502, "bad_gateway", ErrorKind::ApiConnection),
        (503, "service_unavailable", ErrorKind::ApiConnection),
        (504, "gateway_timeout", ErrorKind::ApiConnection),
        (418, "teapot", ErrorKind::Pinn),
        (400, "brand_new_type", ErrorKind::Pinn),
    ];
    for (status, ty, kind) in table {
        let body = format!(r#"{{"error":{{"type":"{ty}","code":"c1","message":"m1"}}}}"#);
        let e = err(status, &body);
        assert_eq!(e.kind(), kind, "{status} {ty}");
        assert_eq!(e.error_type(), Some(ty));
        assert_eq!(e.code(), "c1");
        assert_eq!(e.message(), "m1");
        assert_eq!(e.request_id(), Some("req_1"));
        // Without the JSON body, the status alone decides.
        let bare = err(status, "<html>502 Bad Gateway</html>");
        assert_eq!(bare.kind(), ErrorKind::from_status(status));
        assert_eq!(bare.code(), status);
        assert!(
            bare.message().starts_with(&status.to_string()),
            "{}",
            bare.message()
        );
    }
}

#[test]
fn status_wins_for_server_errors() {
    let e = err(500, r#"{"error":{"type":"not_found","message":"x"}}"#);
    assert_eq!(e.kind(), ErrorKind::Api);
    let e = err(503, r#"{"error":{"type":"bad_request"}}"#);
    assert_eq!(e.kind(), ErrorKind::ApiConnection);
}

#[test]
fn odd_error_bodies_still_give_typed_errors() {
    for body in [
        "",
        "{",
        "null",
        "[]",
        r#"{"error":null}"#,
        r#"{"error":{"code":7}}"#,
    ] {
        let e = err(404, body);
        assert_eq!(e.kind(), ErrorKind::InvalidRequest, "{body:?}");
        assert_eq!(e.message(), "404 Not Found");
    }
    let e = err(599, "");
    assert_eq!((e.kind(), e.message()), (ErrorKind::Pinn, "status 599"));
    let long = format!(r#"{{"error":{{"message":"{}"}}}}"#, "é".repeat(2000));
    assert!(err(400, &long).message().len() <= MAX_MESSAGE + 3);
}

#[test]
fn success_bodies() {
    let ok = parse_as::<serde_json::Value>(raw(200, r#"{"a":1}"#)).unwrap();
    assert_eq!(ok, Some(serde_json::json!({"a": 1})));
    assert_eq!(parse_as::<serde_json::Value>(raw(204, "")).unwrap(), None);
    assert_eq!(
        parse_as::<serde_json::Value>(raw(202, " \n")).unwrap(),
        None
    );
    let bad = parse_as::<serde_json::Value>(raw(200, "<html>"));
    assert!(matches!(&bad, Err(Error::Decode(_))), "{bad:?}");
    assert_eq!(bad.unwrap_err().status(), Some(200));
}

#[test]
fn a_decode_error_names_the_field_and_keeps_its_source() {
    let body = r#"{"object":"user","user_id":"usr_1","created_at":"yesterday"}"#;
    let err = parse_as::<crate::User>(raw(200, body)).unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        d.detail(),
        "the body does not decode at `created_at` (the body is a \"user\" object)"
    );
    let source = std::error::Error::source(&err).expect("the serde error");
    let serde = source
        .downcast_ref::<serde_json::Error>()
        .expect("a serde_json::Error");
    assert!(serde.is_data(), "{serde}");
    assert!(
        serde
            .to_string()
            .contains("invalid type: string \"yesterday\""),
        "{serde}"
    );
}

#[test]
fn a_success_body_is_never_rewritten() {
    // Even when it holds the key, or the key is a word that occurs in it.
    for key in ["active", "user", "0", "sk_test_4eC39HqLyjWDarjtT1zdp7dc"] {
        let body = r#"{"object":"user","user_id":"usr_0","status":"active","metadata":{"note":"sk_test_4eC39HqLyjWDarjtT1zdp7dc"}}"#;
        let config = super::config_with(Some(key));
        let (_, user) = parse::response::<crate::User>(raw(200, body), &config, false).unwrap();
        let user = user.unwrap();
        assert_eq!(
            user.status.as_ref().map(|s| s.as_str()),
            Some("active"),
            "{key}"
        );
        assert_eq!(user.user_id, "usr_0", "{key}");
        assert_eq!(
            user.metadata["note"], "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
            "{key}"
        );
    }
}

#[test]
fn only_plain_paths_are_followed() {
    assert!(is_api_path("/v1/users"));
    assert!(is_api_path("/v1/users/usr_1/devices"));
    for bad in [
        "",
        "v1/users",
        "//evil.example/v1",
        "https://evil.example/v1/users",
        "/v1/users?limit=1",
        "/v1/users#x",
        "/v1/../apps",
        "/v1/./users",
        "/v1/us ers",
        "/v1\\users",
        "/v1/é",
    ] {
        assert!(!is_api_path(bad), "{bad:?}");
    }
}

#[test]
fn each_transport_failure_has_its_kind() {
    use crate::errors::TransportKind as K;
    use std::io::{Error as IoError, ErrorKind as Io};
    let io = |k: Io| ureq::Error::Io(IoError::new(k, "x"));
    let timeout = ureq::Error::Timeout;
    use ureq::Timeout as T;
    for (e, sent, kind) in [
        (ureq::Error::HostNotFound, false, K::HostNotFound),
        (ureq::Error::ConnectionFailed, false, K::ConnectFailed),
        (io(Io::ConnectionRefused), false, K::ConnectFailed),
        (io(Io::TimedOut), true, K::Timeout),
        (io(Io::WouldBlock), true, K::Timeout),
        (io(Io::ConnectionReset), true, K::Io),
        (io(Io::BrokenPipe), false, K::Io),
        (timeout(T::Connect), false, K::ConnectTimeout),
        (timeout(T::Resolve), false, K::ConnectTimeout),
        (timeout(T::Global), true, K::Timeout),
        (timeout(T::RecvResponse), true, K::Timeout),
        (ureq::Error::TlsRequired, false, K::Tls),
        // Bytes that are not TLS before anything was sent: a TLS handshake with a plain
        // server; after, a broken answer.
        (io(Io::InvalidData), false, K::Tls),
        (io(Io::InvalidData), true, K::Io),
        (ureq::Error::BadUri("x".into()), false, K::Protocol),
        (ureq::Error::LargeResponseHeader(1, 2), true, K::Protocol),
    ] {
        let shown = format!("{e:?} sent={sent}");
        let err = agent::transport_error(e, sent, false);
        assert_eq!(err.transport_kind(), Some(kind), "{shown}");
        assert_eq!(err.was_sent(), sent, "{shown}");
    }
}
