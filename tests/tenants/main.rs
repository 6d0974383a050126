//! A multi-tenant server: every call goes through the tenant's own client, and the
//! process-wide client is switched off, so a stray static call or a save of an object that
//! came from no client is a clear configuration error, never a call on the `PINN_*` account.
//!
//! This file is its own test binary with one test: it switches the process-wide client off
//! and on, which every test of a binary would share.

use pinn::{Client, ErrorKind, User, UserStatus, UserUpdateParams};
use pinn_mock::MockServer;

#[test]
fn a_server_with_the_global_client_switched_off() {
    // SAFETY: one test in this binary; nothing else reads the environment meanwhile.
    unsafe { std::env::remove_var("PINN_SECRET_KEY") };
    unsafe { std::env::remove_var("PINN_API_HOST") };

    // Before: no key anywhere, and the advice fits the way the config was made.
    let advice = |client: &Client| {
        client
            .users()
            .list(&Default::default())
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        advice(&Client::from_env()),
        "configuration error: no secret key set: set PINN_SECRET_KEY"
    );
    let built = Client::builder()
        .api_host("http://127.0.0.1:9")
        .build()
        .unwrap();
    assert_eq!(
        advice(&built),
        "configuration error: no secret key set: give one to ConfigBuilder::secret_key"
    );
    pinn::set_max_retries(0).unwrap();
    assert_eq!(
        advice(&Client::global()),
        "configuration error: no secret key set: call pinn::set_secret_key or set PINN_SECRET_KEY"
    );

    let (a, b) = (MockServer::start(), MockServer::start());
    let (tenant_a, tenant_b) = (a.client(), b.client());
    let user = tenant_a.users().create(&Default::default()).unwrap();
    let cached = serde_json::to_string(&user).unwrap();

    pinn::disable_global_client();
    let off = |e: pinn::Error| {
        assert_eq!(e.kind(), ErrorKind::Configuration, "{e}");
        assert!(e.to_string().contains("switched off"), "{e}");
        assert_eq!(e.attempts(), 0);
    };
    off(User::list(&Default::default()).unwrap_err());
    off(User::retrieve(&user.user_id).unwrap_err());
    off(pinn::set_secret_key(a.secret_key()).unwrap_err());
    off(pinn::set_api_host(a.url()).unwrap_err());
    assert!(!pinn::healthy());
    // A restored user knows no client: its save has nowhere to go but the switched-off one.
    let mut restored: User = serde_json::from_str(&cached).unwrap();
    restored.metadata.insert("plan".into(), "pro".into());
    off(restored.save().unwrap_err());
    // Naming the client saves it, the changed field only.
    tenant_a.users().save(&mut restored).unwrap();
    assert_eq!(
        a.requests().last().unwrap().body,
        r#"{"metadata":{"plan":"pro"}}"#
    );
    // Fetched objects keep their client on any thread; scopes still work.
    let mut fetched = tenant_a.users().retrieve(&user.user_id).unwrap();
    let saved = std::thread::spawn(move || {
        fetched.status = Some(UserStatus::Disabled);
        fetched.save().map(|()| fetched)
    })
    .join()
    .unwrap()
    .unwrap();
    assert_eq!(saved.status, Some(UserStatus::Disabled));
    let in_b = tenant_b.scope(|| User::list(&Default::default())).unwrap();
    assert!(in_b.data.is_empty(), "tenants never cross");
    assert_eq!(b.count("user"), 0);
    assert_eq!(a.creates("user"), 1);

    // On again with a client of one's choosing.
    pinn::set_client(tenant_b.clone());
    User::update(&user.user_id, &UserUpdateParams::new())
        .expect_err("the user lives in tenant a, not b");
    assert!(User::list(&Default::default()).is_ok());
    assert!(pinn::set_max_retries(1).is_ok(), "the setters work again");
}
