//! The process-wide client is filled from `PINN_SECRET_KEY`, `PINN_API_HOST` and
//! `PINN_API_VERSION` on first use. This file is its own test binary, with one test, so
//! setting the environment here races with nothing.

use pinn::mock::MockServer;
use pinn::{Client, ErrorKind, User};

#[test]
fn the_global_client_is_filled_from_the_environment_on_first_use() {
    let server = MockServer::start();
    // Set before anything touches the global client; `set_var` is safe here because this
    // binary has no other test thread.
    std::env::set_var("PINN_SECRET_KEY", server.secret_key());
    std::env::set_var("PINN_API_HOST", format!("{}/", server.url()));
    std::env::set_var("PINN_API_VERSION", "2024-06-01");

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
    std::env::set_var("PINN_SECRET_KEY", "sk_test_changed_after_first_use_000");
    assert_eq!(
        Client::global().config().secret_key().map(|k| k.expose()),
        Some(server.secret_key())
    );

    // A setter swaps in a new config; a bad value is refused and the old one stays.
    let err = pinn::set_secret_key("sk_test_with\nnewline").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Configuration);
    assert!(User::retrieve(&user.user_id).is_ok());
}
