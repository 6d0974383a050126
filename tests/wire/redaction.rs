//! The secret key never shows: not in `Debug` or `Display` of the config, its builder, the
//! client, the key itself, or any error, including errors whose server text echoes the key.

use crate::support::{KEY, builder_for, client_for, expect, refused_builder};
use pinn::{Client, Config, Error, User, WebhookEndpointCreateParams};
use serde_json::{Value, json};

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
        shown.push_str(&format!(" | {api} | {api:?} | {}", api.message()));
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

/// The error of `User::retrieve("usr_1")` when the server answers `status` with `body` (and
/// no `Content-Type`), after checking the request and that it was the only one.
fn retrieve_error(label: &str, status: usize, body: Value) -> Error {
    expect(label, "GET", "/v1/users/usr_1")
        .respond(
            |m| m.with_status(status).with_body(body.to_string()).create(),
            || User::retrieve("usr_1"),
        )
        .unwrap_err()
}

#[test]
fn config_builder_client_and_key_never_show_it() {
    let builder = builder_for("https://pinnapis.com").api_version("2024-06-01");
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
    let body = json!({"error": {
        "type": "unauthorized",
        "code": "invalid_key",
        "message": format!("Invalid API key provided: {KEY} (header was 'Bearer {KEY}')")
    }});
    let err = retrieve_error("key in the message", 401, body);
    let shown = everything_shown(&err);
    assert_hidden(&shown);
    assert_eq!(
        err.api_error().unwrap().message(),
        "Invalid API key provided: <redacted> (header was 'Bearer <redacted>')"
    );
}

#[test]
fn an_echo_after_retries_is_redacted_too() {
    let body =
        json!({"error": {"type": "service_unavailable", "message": format!("down for {KEY}")}});
    let err = expect("key in a retried message", "GET", "/v1/users/usr_1")
        .retries(1)
        .respond(
            |m| {
                m.with_status(503)
                    .with_body(body.to_string())
                    .expect(2)
                    .create()
            },
            || User::retrieve("usr_1"),
        )
        .unwrap_err();
    assert_eq!(err.attempts(), 2);
    assert_hidden(&everything_shown(&err));
}

#[test]
fn a_key_echoed_in_type_or_code_is_redacted() {
    let body = json!({"error": {"type": KEY, "code": format!("bad key {KEY}"), "message": "no"}});
    let err = retrieve_error("key in type and code", 401, body);
    assert_hidden(&everything_shown(&err));
}

/// A server quoting a URL writes the key percent-encoded, in part or whole: still the key.
#[test]
fn a_percent_encoded_key_is_redacted() {
    let encoded: String = KEY.bytes().map(|b| format!("%{b:02X}")).collect();
    for quoted in [
        KEY.replace('_', "%5F"),
        KEY.replace('_', "%5f"),
        encoded.clone(),
    ] {
        let body = json!({"error": {
            "type": format!("bad {quoted}"),
            "code": quoted,
            "message": format!("no key at https://x.example/?key={quoted}&a=100%")
        }});
        let err = retrieve_error("percent-encoded key", 401, body);
        let shown = everything_shown(&err);
        assert_hidden(&shown);
        assert!(!shown.contains(&encoded[..36]), "{shown}");
        assert_eq!(
            err.api_error().unwrap().message(),
            "no key at https://x.example/?key=<redacted>&a=100%"
        );
    }
}

#[test]
fn a_key_cut_by_message_truncation_is_still_redacted() {
    // The message is cut at 1024 bytes: pad it so the cut falls inside the key.
    let message = format!("{}{KEY} trailing", "x".repeat(1024 - KEY.len() + 4));
    let body = json!({"error": {"type": "unauthorized", "message": message}});
    let err = retrieve_error("key cut by truncation", 401, body);
    let shown = everything_shown(&err);
    assert!(!shown.contains(&SECRET_PART[..12]), "part of the key shows");
}

#[test]
fn a_key_echoed_in_an_undecodable_success_is_redacted() {
    let body = json!({"object": "user", "user_id": "usr_1", "created_at": KEY});
    let err = retrieve_error("key in an undecodable success", 200, body);
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert_hidden(&everything_shown(&err));
}

#[test]
fn connection_and_configuration_errors_never_show_it() {
    let client = Client::new(refused_builder().max_retries(0).build().unwrap());
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
    let client = client_for("https://pinnapis.com");
    // A token may quote the key itself, where jsonwebtoken's own error repeats it.
    let b64 = crate::id_token::b64url;
    let quoting = [
        json!({"alg": KEY, "typ": "JWT"}),
        json!({"alg": "HS256", "typ": "JWT", "kid": 1, "crit": [KEY]}),
    ]
    .map(|header| format!("{}.{}.AAAA", b64(header.to_string().as_bytes()), b64(b"{}")));
    let claims = json!({"sub": ["x", KEY], "iss": "https://pinnapis.com", "amr": ["palm"]});
    let signed = {
        let key = jsonwebtoken::EncodingKey::from_secret(KEY.as_bytes());
        jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).unwrap()
    };
    let fixed = ["garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.AAAA"].map(String::from);
    for token in fixed.iter().chain(&quoting).chain([&signed]) {
        let err = client
            .scope(|| pinn::IdToken::verify(token, &["palm"]))
            .unwrap_err();
        assert_hidden(&everything_shown(&err));
    }
}

/// A key as plain as a common word or digit is accepted, and success bodies are never
/// rewritten because of it: a created user still reads `status: "active"` with the key
/// `active`, and every call decodes with the key `user` or `0`. (Only text an error shows is
/// redacted; over-redacting such a key there costs nothing.)
#[test]
fn a_key_that_is_a_common_string_never_corrupts_data() {
    for key in ["active", "user", "0", "1", "s", "object", "usr_", "true"] {
        let server = pinn_mock::MockServer::start_with_key(0, key).unwrap();
        let client = server.client();
        client.scope(|| {
            let params = pinn::UserCreateParams::new().metadata_entry("note", key);
            let user = User::create(&params).unwrap_or_else(|e| panic!("{key}: {e}"));
            assert_eq!(
                user.status.as_ref().map(|s| s.as_str()),
                Some("active"),
                "{key}"
            );
            assert_eq!(user.metadata["note"], key, "{key}");
            let again = User::retrieve(&user.user_id).unwrap();
            assert_eq!(again, user, "{key}");
            let page = User::list(&pinn::ListParams::new().limit(10)).unwrap();
            assert_eq!(page.data, std::slice::from_ref(&user), "{key}");
            pinn::WebhookEndpoint::create(&WebhookEndpointCreateParams::new(
                "https://example.com/h",
                ["user.created"],
            ))
            .unwrap();
        });
    }
}

/// An API host holding a user name, a password, a query or a fragment is refused, and
/// neither the error nor the `Debug` of the builder or of a config read from it repeats what
/// it held.
#[test]
fn a_host_with_credentials_or_a_query_is_refused_and_never_echoed() {
    for host in [
        format!("https://{KEY}:@pinnapis.com"),
        format!("https://user:{KEY}@pinnapis.com"),
        format!("https://pinnapis.com/?key={KEY}"),
        format!("https://pinnapis.com?{KEY}"),
        format!("https://pinnapis.com/#{KEY}"),
        format!("http://user:{KEY}@127.0.0.1:9"),
    ] {
        let builder = Config::builder().api_host(host.clone());
        assert_hidden(&format!("{builder:?} {builder:#?}"));
        let err = builder.build().unwrap_err();
        assert_eq!(err.kind(), pinn::ErrorKind::Configuration, "{host}");
        assert_hidden(&everything_shown(&err));
    }
}

/// The key set where another value belongs (variables swapped, builder calls mixed up) is
/// never echoed by the error or the `Debug` of the builder and the config; as the API
/// version it is refused, since that header is sent and logged.
#[test]
fn a_key_given_as_another_setting_is_never_echoed() {
    let as_host = Config::builder().secret_key(KEY).api_host(KEY);
    let as_version = Config::builder()
        .secret_key(KEY)
        .api_host("https://pinnapis.com")
        .api_version(KEY);
    let as_proxy = Config::builder()
        .secret_key(KEY)
        .api_host("https://pinnapis.com")
        .proxy(KEY);
    for builder in [as_host, as_version, as_proxy] {
        assert_hidden(&format!("{builder:?} {builder:#?}"));
        let err = builder.build().unwrap_err();
        assert_eq!(err.kind(), pinn::ErrorKind::Configuration, "{err}");
        assert_hidden(&everything_shown(&err));
    }
    // A host holding the key, in any case or place, is refused, not shown, and never looked
    // up; one holding any key's prefix too.
    for host in [
        format!("https://{KEY}"),
        format!("https://{KEY}:443/"),
        format!("https://api.{}.example", KEY.to_ascii_uppercase()),
        "https://sk_live_someoneElsesKey123456789".to_string(),
    ] {
        let builder = Config::builder().secret_key(KEY).api_host(&host);
        assert_hidden(&format!("{builder:?}"));
        let err = builder.build().unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration error: the api host looks like a secret key",
            "{host}"
        );
    }
    // Any key-shaped version is refused, whichever key is set.
    let err = Config::builder()
        .api_version("sk_live_4eC39HqLyjWDarjtT1zdp7dc")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("looks like a secret key"), "{err}");
    assert!(!err.to_string().contains("4eC39"), "{err}");
}

/// The key leaves in the `Authorization` header only: a body that would carry it (a metadata
/// value, a webhook URL, an app's name, an update) is refused before any I/O, as a URL that
/// would is, so the key never becomes data the account keeps and shows.
#[test]
fn a_key_in_a_body_or_a_url_is_never_sent() {
    use crate::support::Wire;
    use pinn::{
        App, AppCreateParams, AppType, UserCreateParams, UserUpdateParams, WebhookEndpoint,
    };
    let w = Wire::start();
    let client = w.client();
    type Call = fn() -> pinn::Result<()>;
    let calls: [(&str, Call); 5] = [
        ("user metadata", || {
            User::create(&UserCreateParams::new().metadata_entry("note", format!("k={KEY}")))
                .map(drop)
        }),
        ("user update", || {
            User::update("usr_1", &UserUpdateParams::new().metadata_entry("k", KEY)).map(drop)
        }),
        ("webhook URL", || {
            let url = format!("https://hooks.example/?k={KEY}");
            WebhookEndpoint::create(&WebhookEndpointCreateParams::new(url, ["user.created"]))
                .map(drop)
        }),
        ("app name", || {
            App::create(&AppCreateParams::new(AppType::Web, KEY)).map(drop)
        }),
        ("user ID", || User::retrieve(KEY).map(drop)),
    ];
    for (label, call) in calls {
        let err = client.scope(call).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{label}: {err:?}");
        assert!(err.to_string().contains("secret key"), "{label}: {err}");
        assert_hidden(&everything_shown(&err));
    }
    // A key with characters JSON escapes is found as the body carries it.
    let quoted = r#"sk_test_"4eC39HqLyj\WDarjtT1zdp7dc"#;
    let client = pinn::Client::new(w.builder().secret_key(quoted).build().unwrap());
    let err = client
        .scope(|| User::create(&UserCreateParams::new().metadata_entry("k", quoted)))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    w.assert_no_strays();
}

/// An error names its request's path made safe like any text from outside when the path
/// holds the key: percent-encoded (which a raw request may send), or a key too short to be
/// refused in a URL.
#[test]
fn a_path_holding_the_key_is_redacted_in_the_error() {
    use crate::support::Wire;
    let mut w = Wire::start();
    let encoded = format!("/v1/users/sk%5Ftest{}", &KEY["sk_test".len()..]);
    let m = w.mock("GET", &encoded, &[], None).with_status(404).create();
    let err = w
        .client()
        .raw_request(pinn::Method::Get, &encoded, None)
        .unwrap_err();
    assert_eq!(err.path(), Some("/v1/users/<redacted>"), "{err}");
    assert_hidden(&everything_shown(&err));
    w.assert_done(&[("encoded", &m)]);

    const SHORT: &str = "sk_test_tiny";
    let path = format!("/v1/users/{SHORT}");
    let m = w.server_mock("GET", &path, SHORT).with_status(404).create();
    let short = w.builder().secret_key(SHORT).build().unwrap();
    let err = pinn::Client::new(short)
        .users()
        .retrieve(SHORT)
        .unwrap_err();
    assert_eq!(err.path(), Some("/v1/users/<redacted>"), "{err}");
    w.assert_done(&[("short", &m)]);
}
