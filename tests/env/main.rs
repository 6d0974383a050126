//! The process-wide client is filled from `PINN_SECRET_KEY`, `PINN_API_HOST` and
//! `PINN_API_VERSION` on first use, and requests follow the proxy variables, except to a
//! loopback host. This file is its own test binary, with one test, so setting the
//! environment here races with nothing.

use pinn::errors::TransportKind;
use pinn::{Client, ErrorKind, User};
use pinn_mock::MockServer;

/// An HS256 token for `usr_123`, signed with another tenant's key
/// (`sk_test_another_tenants_key_000`).
const OTHER_TENANTS_TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.\
    eyJzdWIiOiJ1c3JfMTIzIiwiYW1yIjpbInBhbG0iXSwiaXNzIjoiaHR0cDovLzEyNy4wLjAuMSJ9.\
    5ESLIBf5LEXYxumeOWRmLszALzoXgxJrAhANuTKlyOw";

#[test]
fn the_global_client_is_filled_from_the_environment_on_first_use() {
    // Before anything in this process has signed or checked a token (the emulator brings
    // jsonwebtoken's crypto along when it mints one): verifying needs none of it set up.
    let first = Client::new(
        pinn::Config::builder()
            .secret_key("sk_test_4eC39HqLyjWDarjtT1zdp7dc")
            .api_host("http://127.0.0.1")
            .build()
            .unwrap(),
    );
    let err = first
        .id_tokens()
        .verify(OTHER_TENANTS_TOKEN, &["palm"])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "id token verification failed: bad signature"
    );

    let server = MockServer::start();
    // Set before anything touches the global client. SAFETY (of every `set_var` here): this
    // binary has one test, and no other thread reads or writes the environment meanwhile.
    unsafe { std::env::set_var("PINN_SECRET_KEY", server.secret_key()) };
    unsafe { std::env::set_var("PINN_API_HOST", format!("{}/", server.url())) };
    unsafe { std::env::set_var("PINN_API_VERSION", "2024-06-01") };
    // Proxies that are down, as on a machine whose proxy settings do not fit the emulator.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    unsafe { std::env::set_var("ALL_PROXY", format!("socks5h://127.0.0.1:{dead}")) };
    unsafe { std::env::set_var("HTTPS_PROXY", format!("http://127.0.0.1:{dead}")) };
    unsafe { std::env::set_var("HTTP_PROXY", format!("http://127.0.0.1:{dead}")) };
    unsafe { std::env::set_var("NO_PROXY", "direct.invalid") };

    let config = Client::global().config().clone();
    assert_eq!(config.api_host(), server.url(), "trailing slash trimmed");
    assert_eq!(config.api_version(), Some("2024-06-01"));
    assert_eq!(
        config.secret_key().map(|k| k.expose()),
        Some(server.secret_key())
    );

    // The first call reads nothing more: it goes where the environment said, with its key.
    let user = User::create(&Default::default()).expect("created through the env config");
    let sent = server.requests();
    let last = sent.last().expect("the emulator saw the request");
    assert_eq!(last.method, "POST");
    assert_eq!(last.path, "/v1/users");
    let bearer = format!("Bearer {}", server.secret_key());
    assert_eq!(last.header("authorization"), Some(bearer.as_str()));
    assert_eq!(last.header("pinn-version"), Some("2024-06-01"));
    assert!(user.user_id.starts_with("usr_"));

    // Changing the environment later changes nothing: it was read once.
    unsafe { std::env::set_var("PINN_SECRET_KEY", "sk_test_changed_after_first_use_000") };
    assert_eq!(
        Client::global().config().secret_key().map(|k| k.expose()),
        Some(server.secret_key())
    );

    // A setter swaps in a new config; a bad value is refused and the old one stays.
    let err = pinn::set_secret_key("sk_test_with\nnewline").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Configuration);
    assert!(User::retrieve(&user.user_id).is_ok());

    // The emulator is loopback, so none of it went through the (dead) proxy. A host that is
    // not loopback does go through it...
    let sent_before = server.requests().len();
    let remote = |host: &str| {
        Client::new(
            pinn::Config::builder()
                .secret_key(server.secret_key())
                .api_host(host)
                .allow_insecure_http(true)
                .max_retries(0)
                .build()
                .unwrap(),
        )
    };
    let err = remote("http://api.pinn.invalid")
        .scope(|| User::retrieve("usr_1"))
        .unwrap_err();
    assert_eq!(
        err.transport_kind(),
        Some(TransportKind::ConnectFailed),
        "{err:?}"
    );
    assert_eq!(err.outcome(), pinn::Outcome::NotSent);
    // ... unless NO_PROXY names it: then it is looked up directly, and does not resolve.
    let err = remote("http://direct.invalid")
        .scope(|| User::retrieve("usr_1"))
        .unwrap_err();
    assert_eq!(
        err.transport_kind(),
        Some(TransportKind::HostNotFound),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), sent_before);

    explicit_clients_never_reach_the_environments_host(&server);
    a_variable_that_is_not_utf8_is_never_taken_as_unset();
}

/// A `PINN_*` value that is not UTF-8 is a configuration error naming the variable, never
/// read as unset: an unset host would be production's, an unset key "never set".
#[cfg(unix)]
fn a_variable_that_is_not_utf8_is_never_taken_as_unset() {
    use std::os::unix::ffi::OsStrExt;
    let bad = std::ffi::OsStr::from_bytes(b"http://127.0.0.1\xff");
    for name in ["PINN_SECRET_KEY", "PINN_API_HOST", "PINN_API_VERSION"] {
        let before = std::env::var_os(name);
        unsafe { std::env::set_var(name, bad) };
        let err = Client::new(pinn::Config::from_env())
            .scope(|| User::retrieve("usr_1"))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration, "{name}: {err:?}");
        assert!(
            err.to_string()
                .contains(&format!("{name} is set but is not valid UTF-8")),
            "{name}: {err}"
        );
        // And it stays with a config built on from it, as the CLI builds its own, until
        // that very setting is set in code.
        let built_on = |setting: &str| {
            let b = pinn::Config::from_env().to_builder();
            match setting {
                "PINN_SECRET_KEY" => b.secret_key("sk_test_4eC39HqLyjWDarjtT1zdp7dc"),
                "PINN_API_HOST" => b.api_host("http://127.0.0.1:9"),
                _ => b.api_version("2024-06-01"),
            }
            .build()
        };
        for other in ["PINN_SECRET_KEY", "PINN_API_HOST", "PINN_API_VERSION"] {
            let built = built_on(other);
            match other == name {
                true => assert!(built.is_ok(), "{name} set in code: {built:?}"),
                false => assert!(
                    built.is_err_and(|e| e.to_string().contains(name)),
                    "{name}, {other} set in code"
                ),
            }
        }
        let replaced = pinn::Config::from_env()
            .to_builder()
            .no_api_version()
            .build();
        assert_eq!(replaced.is_ok(), name == "PINN_API_VERSION", "{name}");
        match before {
            Some(v) => unsafe { std::env::set_var(name, v) },
            None => unsafe { std::env::remove_var(name) },
        }
    }
    // The global client, read long before, is untouched: the emulator still answers.
    assert!(User::retrieve("usr_1").is_err_and(|e| e.status() == Some(404)));
}

#[cfg(not(unix))]
fn a_variable_that_is_not_utf8_is_never_taken_as_unset() {}

/// With `PINN_SECRET_KEY`/`PINN_API_HOST` pointing at `env_server`, an explicit client for
/// another emulator is used on spawned threads, inside and outside a scope of its own: its
/// calls, the objects it fetched (`save`, `delete`) and its lists (auto-paging) all reach the
/// other emulator, and the environment's never sees a request.
fn explicit_clients_never_reach_the_environments_host(env_server: &MockServer) {
    use pinn::{Deletable, ListParams, UserCreateParams, WebhookEndpointCreateParams};
    use std::thread;

    let before = env_server.requests().len();
    let other = MockServer::start();
    let client = other.client();
    let users: Vec<User> = client.scope(|| {
        // Threads spawned inside the scope, each given the client.
        let workers: Vec<_> = (0..4)
            .map(|i| {
                let client = client.clone();
                thread::spawn(move || {
                    let params = UserCreateParams::new().metadata_entry("n", i);
                    client.users().create(&params)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap().unwrap())
            .collect()
    });
    // The objects go to yet other threads, with no client in sight: they remember theirs.
    let mut users = users.into_iter();
    let mut to_save = users.next().unwrap();
    let to_delete = users.next().unwrap();
    thread::spawn(move || {
        to_save.metadata.insert("plan".into(), "pro".into());
        to_save.save().unwrap();
        to_delete.delete().unwrap();
    })
    .join()
    .unwrap();
    let first_page = client.users().list(&ListParams::new().limit(1)).unwrap();
    let walked = thread::spawn(move || {
        first_page
            .auto_paging_iter()
            .inspect(|u| assert!(u.is_ok(), "{u:?}"))
            .count()
    })
    .join()
    .unwrap();
    assert_eq!(walked, 3);
    let params = WebhookEndpointCreateParams::new("https://example.com/h", ["user.created"]);
    let hook = client.webhook_endpoints().create(&params).unwrap();
    thread::spawn(move || hook.delete().unwrap())
        .join()
        .unwrap();
    let token = other.mint_id_token("usr_1", &["palm"]);
    assert!(client.id_tokens().verify(&token, &["palm"]).is_ok());
    assert!(client.healthy());

    assert_eq!(
        env_server.requests().len(),
        before,
        "the environment's host saw a request"
    );
    assert_eq!((other.count("user"), other.creates("user")), (3, 4));
    assert_eq!(other.count("webhook_endpoint"), 0);
}
