//! The secret key never shows: not in `Debug` or `Display` of the config, its builder, the
//! client, the key itself, or any error, including errors whose server text echoes the key.

mod common;

use common::{Wire, KEY};
use pinn::{Client, Config, Error, User};
use serde_json::json;

/// The part of the example key that is secret (after `sk_test_`).
const SECRET_PART: &str = "4eC39HqLyjWDarjtT1zdp7dc";

/// Everything an error shows: Display, alternate Display, Debug, pretty Debug, and the
/// Display and Debug of every error in its `source()` chain.
fn everything_shown(err: &Error) -> String {
    let mut shown = format!("{err} | {err:#} | {err:?} | {err:#?}");
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        shown.push_str(&format!(" | {s} | {s:?}"));
        source = s.source();
    }
    if let Some(api) = err.api_error() {
        shown.push_str(&format!(" | {api} | {api:?} | {}", api.message));
    }
    shown
}

#[track_caller]
fn assert_hidden(shown: &str) {
    assert!(!shown.contains(SECRET_PART), "the key shows: {shown}");
    // Not even a good part of it.
    assert!(
        !shown.contains(&SECRET_PART[..12]),
        "part of the key shows: {shown}"
    );
}

#[test]
fn config_builder_client_and_key_never_show_it() {
    let builder = Config::builder()
        .secret_key(KEY)
        .api_host("https://pinnapis.com")
        .api_version("2024-06-01");
    let config = builder.clone().build().unwrap();
    let client = Client::new(config.clone());
    let key = config.secret_key().unwrap();
    let shown = format!(
        "{builder:?} {builder:#?} {config:?} {config:#?} {client:?} {client:#?} {key:?} {key} \
         {key:#?} {:?}",
        client.config()
    );
    assert_hidden(&shown);
    assert!(shown.contains("redacted"), "{shown}");
    // The key is still there for whoever asks for it on purpose.
    assert_eq!(key.expose(), KEY);
}

#[test]
fn a_config_with_an_unusable_key_never_shows_it() {
    let bad = format!("{KEY}\n");
    let builder = Config::builder()
        .secret_key(bad.clone())
        .api_host("https://pinnapis.com");
    assert_hidden(&format!("{builder:?} {builder:#?}"));
    let err = builder.build().unwrap_err();
    assert_eq!(err.kind(), pinn::ErrorKind::Configuration);
    assert_hidden(&everything_shown(&err));
}

#[test]
fn a_server_message_echoing_the_key_is_redacted() {
    let mut w = Wire::start();
    let body = json!({"error": {
        "type": "unauthorized",
        "code": "invalid_key",
        "message": format!("Invalid API key provided: {KEY} (header was 'Bearer {KEY}')")
    }});
    let m = w
        .mock("GET", "/v1/users/usr_1", &[], None)
        .with_status(401)
        .with_body(body.to_string())
        .create();
    let err = w.client().scope(|| User::retrieve("usr_1")).unwrap_err();
    let shown = everything_shown(&err);
    assert_hidden(&shown);
    assert_eq!(
        err.api_error().unwrap().message,
        "Invalid API key provided: <redacted> (header was 'Bearer <redacted>')"
    );
    m.assert();
    w.assert_no_strays();
}

#[test]
fn an_echo_after_retries_is_redacted_too() {
    let mut w = Wire::start();
    let body =
        json!({"error": {"type": "service_unavailable", "message": format!("down for {KEY}")}});
    let m = w
        .mock("GET", "/v1/users/usr_1", &[], None)
        .with_status(503)
        .with_body(body.to_string())
        .expect(2)
        .create();
    let client = Client::new(w.builder().max_retries(1).sleeper(|_| {}).build().unwrap());
    let err = client.scope(|| User::retrieve("usr_1")).unwrap_err();
    assert_eq!(err.attempts(), 2);
    assert_hidden(&everything_shown(&err));
    m.assert();
    w.assert_no_strays();
}

#[test]
fn a_key_echoed_in_type_or_code_is_redacted() {
    let mut w = Wire::start();
    let body = json!({"error": {"type": KEY, "code": format!("bad key {KEY}"), "message": "no"}});
    let m = w
        .mock("GET", "/v1/users/usr_1", &[], None)
        .with_status(401)
        .with_body(body.to_string())
        .create();
    let err = w.client().scope(|| User::retrieve("usr_1")).unwrap_err();
    assert_hidden(&everything_shown(&err));
    m.assert();
    w.assert_no_strays();
}

#[test]
fn a_key_cut_by_message_truncation_is_still_redacted() {
    let mut w = Wire::start();
    // The message is cut at 1024 bytes: pad it so the cut falls inside the key.
    let message = format!("{}{KEY} trailing", "x".repeat(1024 - KEY.len() + 4));
    let body = json!({"error": {"type": "unauthorized", "message": message}});
    let m = w
        .mock("GET", "/v1/users/usr_1", &[], None)
        .with_status(401)
        .with_body(body.to_string())
        .create();
    let err = w.client().scope(|| User::retrieve("usr_1")).unwrap_err();
    let shown = everything_shown(&err);
    assert!(!shown.contains(&SECRET_PART[..12]), "part of the key shows");
    m.assert();
    w.assert_no_strays();
}

#[test]
fn a_key_echoed_in_an_undecodable_success_is_redacted() {
    let mut w = Wire::start();
    let body = json!({"object": "user", "user_id": "usr_1", "created_at": KEY});
    let m = w
        .mock("GET", "/v1/users/usr_1", &[], None)
        .with_status(200)
        .with_body(body.to_string())
        .create();
    let err = w.client().scope(|| User::retrieve("usr_1")).unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert_hidden(&everything_shown(&err));
    m.assert();
    w.assert_no_strays();
}

#[test]
fn connection_and_configuration_errors_never_show_it() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = Client::new(
        Config::builder()
            .secret_key(KEY)
            .api_host(format!("http://127.0.0.1:{port}"))
            .max_retries(0)
            .build()
            .unwrap(),
    );
    let err = client.scope(|| User::retrieve("usr_1")).unwrap_err();
    assert_eq!(err.kind(), pinn::ErrorKind::ApiConnection);
    assert_hidden(&everything_shown(&err));

    // A key too short to verify ID tokens: a configuration error that does not quote it.
    let short = Client::new(
        Config::builder()
            .secret_key("sk_test_4eC39Hq")
            .api_host("https://pinnapis.com")
            .build()
            .unwrap(),
    );
    let err = short
        .scope(|| pinn::IdToken::verify("a.b.c", &[]))
        .unwrap_err();
    assert_eq!(err.kind(), pinn::ErrorKind::Configuration);
    assert!(!everything_shown(&err).contains("4eC39Hq"), "{err}");
}

#[test]
fn id_token_errors_never_show_it() {
    let client = Client::new(
        Config::builder()
            .secret_key(KEY)
            .api_host("https://pinnapis.com")
            .build()
            .unwrap(),
    );
    for token in ["garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.AAAA"] {
        let err = client
            .scope(|| pinn::IdToken::verify(token, &["palm"]))
            .unwrap_err();
        assert_hidden(&everything_shown(&err));
    }
}
