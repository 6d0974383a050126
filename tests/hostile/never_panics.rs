//! Property tests through the public API: arbitrary strings as ID tokens and as the IDs of
//! every ID-taking call. Nothing panics; a token that is not a valid one is rejected with the
//! verification error; an ID always reaches the server as exactly one path segment.
//!
//! (The response-to-result path is property-tested in `src/http/tests.rs`, `mod proptests`.)

use std::sync::OnceLock;

use crate::support::{KEY, Server, respond_keep_alive};
use pinn::{
    App, Client, Config, Device, ErrorKind, Event, IdToken, ListParams, Log, User,
    UserUpdateParams, WebhookEndpoint, WebhookEndpointUpdateParams,
};
use proptest::prelude::*;

const HOST: &str = "http://127.0.0.1:12111";

fn token_client() -> Client {
    Client::new(
        Config::builder()
            .secret_key(KEY)
            .api_host(HOST)
            .build()
            .unwrap(),
    )
}

/// Base64url-looking segments and JSON-looking headers, so some inputs get past the shape
/// checks and into the decoder.
fn tokenish() -> impl Strategy<Value = String> {
    let segment = "[A-Za-z0-9_-]{0,60}";
    let header = prop::sample::select(vec![
        // {"alg":"HS256","typ":"JWT"}
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
        // {"alg":"none"}
        "eyJhbGciOiJub25lIn0",
        // {"alg":"RS256"}
        "eyJhbGciOiJSUzI1NiJ9",
        "",
    ]);
    prop_oneof![
        any::<String>(),
        (header.clone(), segment, segment).prop_map(|(h, c, s)| format!("{h}.{c}.{s}")),
        (segment, segment, segment).prop_map(|(h, c, s)| format!("{h}.{c}.{s}")),
        prop::collection::vec(segment, 0..6).prop_map(|parts| parts.join(".")),
        "[A-Za-z0-9_.=+/-]{0,200}",
    ]
}

proptest! {
    #[test]
    fn any_string_as_an_id_token_is_rejected_without_a_panic(
        token in tokenish(),
        amr in prop::collection::vec(".{0,6}", 0..3),
    ) {
        let amr: Vec<&str> = amr.iter().map(String::as_str).collect();
        let result = token_client().scope(|| IdToken::verify(&token, &amr));
        let err = result.expect_err("a random token verified");
        prop_assert_eq!(err.kind(), ErrorKind::IdTokenVerification);
        let shown = format!("{err} {err:?}");
        prop_assert!(!shown.contains(KEY));
    }
}

/// A keep-alive server per property (they run in parallel; each counts its own requests),
/// answering 404 to everything and recording each path.
fn server(which: usize) -> &'static (Server, Client) {
    static SERVERS: [OnceLock<(Server, Client)>; 2] = [OnceLock::new(), OnceLock::new()];
    SERVERS[which].get_or_init(|| {
        let server = Server::start_keep_alive(|_, _, s| respond_keep_alive(s, 404, ""));
        let client = Client::new(
            crate::support::builder(&server.url())
                .max_retries(0)
                .build()
                .unwrap(),
        );
        (server, client)
    })
}

/// The ID-taking calls: the path before the ID, the path after it, and the call.
type Call = (&'static str, &'static str, fn(&str) -> pinn::Result<()>);

fn calls() -> Vec<Call> {
    vec![
        ("/v1/users/", "", |id| User::retrieve(id).map(drop)),
        ("/v1/users/", "", |id| {
            User::update(id, &UserUpdateParams::new().status("x")).map(drop)
        }),
        ("/v1/users/", "", |id| User::delete(id).map(drop)),
        ("/v1/users/", "/devices", |id| {
            User::list_devices(id, &ListParams::new()).map(drop)
        }),
        ("/v1/users/", "/logs", |id| {
            User::list_logs(id, &ListParams::new()).map(drop)
        }),
        ("/v1/apps/", "", |id| App::retrieve(id).map(drop)),
        ("/v1/apps/", "", |id| App::delete(id).map(drop)),
        ("/v1/devices/", "", |id| Device::retrieve(id).map(drop)),
        ("/v1/devices/", "", |id| Device::delete(id).map(drop)),
        ("/v1/devices/", "/logs", |id| {
            Device::list_logs(id, &ListParams::new()).map(drop)
        }),
        ("/v1/events/", "", |id| Event::retrieve(id).map(drop)),
        ("/v1/logs/", "", |id| Log::retrieve(id).map(drop)),
        ("/v1/webhook_endpoints/", "", |id| {
            WebhookEndpoint::retrieve(id).map(drop)
        }),
        ("/v1/webhook_endpoints/", "", |id| {
            WebhookEndpoint::update(id, &WebhookEndpointUpdateParams::new().status("x")).map(drop)
        }),
        ("/v1/webhook_endpoints/", "", |id| {
            WebhookEndpoint::delete(id).map(drop)
        }),
    ]
}

fn ids() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[./?#%&=;:@+ a-z~_-]{1,10}",
        prop::sample::select(vec![
            ".",
            "..",
            "../apps",
            "x?limit=1",
            "a#b",
            "%2F",
            "%2e%2e",
            "usr_1/../..",
            "\u{0}",
            "é/ü",
            "a\r\nb",
        ])
        .prop_map(String::from),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_id_taking_call_sends_its_id_as_one_segment(id in ids()) {
        let (server, client) = server(0);
        for (before, after, call) in calls() {
            let sent = server.seen().len();
            let result = client.scope(|| call(&id));
            let err = result.expect_err("the server answers 404");
            let seen = server.seen();
            if id.is_empty() {
                // Refused before any I/O.
                prop_assert_eq!(err.kind(), ErrorKind::InvalidRequest);
                prop_assert_eq!(seen.len(), sent);
                continue;
            }
            prop_assert_eq!(err.status(), Some(404));
            prop_assert_eq!(seen.len(), sent + 1);
            let path = &seen[sent].path;
            let rest = path.strip_prefix(before).and_then(|p| p.strip_suffix(after));
            let Some(segment) = rest else {
                return Err(TestCaseError::fail(format!("{path} is not {before}…{after}")));
            };
            prop_assert!(!segment.contains(['/', '?', '#']), "{}", segment);
            prop_assert!(segment != "." && segment != "..");
            let back = percent_encoding::percent_decode_str(segment).decode_utf8();
            prop_assert_eq!(back.as_deref().ok(), Some(id.as_str()));
        }
    }

    #[test]
    fn a_list_cursor_stays_one_query_value(cursor in ids()) {
        let (server, client) = server(1);
        let sent = server.seen().len();
        let params = ListParams::new().limit(3).starting_after(cursor.clone());
        let result = client.scope(|| User::list(&params));
        let seen = server.seen();
        if cursor.is_empty() {
            // An empty cursor is refused before any I/O, like an empty ID.
            prop_assert!(matches!(result, Err(pinn::Error::InvalidArgument(_))));
            prop_assert_eq!(seen.len(), sent);
            return Ok(());
        }
        prop_assert_eq!(seen.len(), sent + 1);
        let path = &seen[sent].path;
        let value = path.strip_prefix("/v1/users?limit=3&starting_after=");
        prop_assert!(value.is_some(), "{}", path);
        let value = value.unwrap_or_default();
        prop_assert!(!value.contains(['&', '#', '?', '=', '/']), "{}", value);
        let back = percent_encoding::percent_decode_str(value).decode_utf8();
        prop_assert_eq!(back.as_deref().ok(), Some(cursor.as_str()));
    }
}

// ---------------------------------------------------------------------------------------------
// Extreme settings

use std::time::Duration;

/// The durations a user might write: zero, one nanosecond, the largest there is, and
/// anything between.
fn durations() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(Duration::ZERO),
        Just(Duration::from_nanos(1)),
        Just(Duration::from_millis(20)),
        Just(Duration::MAX),
        Just(Duration::from_secs(u64::MAX)),
        any::<u64>().prop_map(Duration::from_nanos),
        any::<u64>().prop_map(Duration::from_secs),
    ]
}

/// Servers that misbehave in the ways that matter here, none of them for long: a slow answer,
/// garbage, a 503 asking to come back at once, a reset, a good answer.
fn hostile_server(which: usize) -> &'static Server {
    static SERVERS: [OnceLock<Server>; 5] = [const { OnceLock::new() }; 5];
    SERVERS[which].get_or_init(|| match which {
        0 => Server::start(|_, _, s| {
            std::thread::sleep(Duration::from_millis(30));
            crate::support::respond_json(s, 200, &crate::support::user_json("usr_1"))
        }),
        1 => Server::start_raw(|_, s| {
            let _ = std::io::Write::write_all(s, b"\x16\x03\x01 not http at all\r\n\r\n");
        }),
        2 => {
            Server::start(|_, _, s| crate::support::respond(s, 503, &[("Retry-After", "0")], b"{}"))
        }
        3 => Server::start(|_, _, s| {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }),
        _ => Server::start(|_, _, s| {
            crate::support::respond_json(s, 200, &crate::support::user_json("usr_1"))
        }),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// Every setting at its extremes, then real calls against a misbehaving server: a
    /// setting is refused as a configuration error or used, and nothing panics or hangs.
    #[test]
    fn extreme_settings_never_panic(
        connect in durations(),
        timeout in durations(),
        deadline in durations(),
        idle in durations(),
        post_idle in durations(),
        dns_ttl in durations(),
        retries in prop_oneof![Just(0u32), Just(1), Just(1000), Just(u32::MAX), any::<u32>()],
        max_bytes in prop_oneof![Just(0u64), Just(1), Just(u64::MAX), any::<u64>()],
        which in 0usize..5,
    ) {
        let server = hostile_server(which);
        // A huge retry count against a server that fails fast would run until the deadline:
        // keep the deadline short then (the count itself is what is under test).
        let deadline = if retries > 2 { deadline.min(Duration::from_millis(150)) } else { deadline };
        let built = Config::builder()
            .secret_key(KEY)
            .api_host(server.url())
            .connect_timeout(connect)
            .timeout(timeout)
            .deadline(deadline)
            .idle_timeout(idle)
            .post_idle_timeout(post_idle)
            .dns_cache_ttl(dns_ttl)
            .max_retries(retries)
            .max_response_bytes(max_bytes)
            .sleeper(|d| std::thread::sleep(d.min(Duration::from_millis(2))))
            .build();
        let config = match built {
            Ok(c) => c,
            Err(e) => {
                prop_assert_eq!(e.kind(), ErrorKind::Configuration);
                return Ok(());
            }
        };
        let client = Client::new(config);
        let started = std::time::Instant::now();
        client.scope(|| {
            let _ = pinn::healthy();
            let _ = User::retrieve("usr_1");
            let _ = User::create(&Default::default());
            let _ = User::list(&ListParams::new().limit(u32::MAX));
        });
        // Each of the four calls ends within its deadline (plus a 30 ms answer).
        prop_assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
    }
}
