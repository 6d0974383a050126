//! How deep JSON may nest. What a create accepts, every read of it returns: retrieve, lists,
//! events, snapshots and restores, read back by the `pinn` client (whose parser, serde_json,
//! stops at 128 levels). Bodies may nest 100 levels; one more is `400` at input, wherever the
//! body goes, and creates nothing.

use pinn::{Event, ListParams, User, UserCreateParams, UserUpdateParams};
use pinn_mock::{MockServer, UserSeed};
use serde_json::{Map, Value, json};

use crate::raw::{api, control};

/// The deepest body the emulator takes.
const LIMIT: usize = 100;

/// A value `levels` deep: arrays around a number.
fn nested(levels: usize) -> Value {
    let mut v = json!(1);
    for _ in 0..levels {
        v = json!([v]);
    }
    v
}

/// Metadata that makes `{"metadata": …}` nest `depth` levels: the body, the metadata, and
/// the value of its one entry.
fn metadata(depth: usize) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("deep".into(), nested(depth - 2));
    m
}

#[test]
fn bodies_nested_at_the_limit_are_read_back_everywhere() {
    let s = MockServer::start();
    let c = s.client();
    let deep = metadata(LIMIT);
    let user = c
        .scope(|| User::create(&UserCreateParams::new().metadata(deep.clone())))
        .unwrap();
    assert_eq!(user.metadata, deep);
    let updated = c
        .scope(|| {
            User::update(
                &user.user_id,
                &UserUpdateParams::new().metadata(deep.clone()),
            )
        })
        .unwrap();
    assert_eq!(updated.metadata, deep);
    s.seed_user(UserSeed {
        metadata: deep.clone(),
        ..UserSeed::default()
    })
    .unwrap();
    // The same depth through the control API: a seeded user, an event, token claims.
    let body = json!({"metadata": deep}).to_string();
    let seeded = control(s.port(), s.secret_key(), "POST", "/_mock/users", &body);
    assert_eq!(seeded.status, 200, "{seeded:?}");
    let event = json!({"type": "t", "data": {"d": nested(LIMIT - 2)}}).to_string();
    let recorded = control(s.port(), s.secret_key(), "POST", "/_mock/events", &event);
    assert_eq!(recorded.status, 200, "{recorded:?}");
    let claims = json!({"sub": "u", "claims": {"d": nested(LIMIT - 2)}}).to_string();
    let minted = control(
        s.port(),
        s.secret_key(),
        "POST",
        "/_mock/id_tokens",
        &claims,
    );
    assert_eq!(minted.status, 200, "{minted:?}");

    let read_back = |when: &str| {
        c.scope(|| -> pinn::Result<()> {
            assert_eq!(User::retrieve(&user.user_id)?.metadata, deep, "{when}");
            let users = User::list(&ListParams::new().limit(100))?;
            assert_eq!(users.data.len(), 3, "{when}");
            assert!(users.data.iter().all(|u| u.metadata == deep), "{when}");
            let events = Event::list(&ListParams::new().limit(100))?;
            assert_eq!(events.data.len(), 5, "{when}");
            for e in &events.data {
                if e.event_type.starts_with("user.") {
                    assert_eq!(e.data["object"]["metadata"], json!(deep), "{when}");
                }
            }
            Ok(())
        })
        .unwrap();
    };
    read_back("as created");

    // The snapshot is the deepest read of all; it parses, and restores, over HTTP and in Rust.
    let state = control(s.port(), s.secret_key(), "GET", "/_mock/state", "");
    assert_eq!(state.status, 200);
    let parsed: Value = serde_json::from_slice(&state.body).expect("the snapshot parses");
    let restored = control(
        s.port(),
        s.secret_key(),
        "PUT",
        "/_mock/state",
        &state.text(),
    );
    assert_eq!(restored.status, 200, "{restored:?}");
    read_back("restored over HTTP");
    s.restore(&s.snapshot()).unwrap();
    assert_eq!(s.snapshot(), parsed);
    read_back("restored in Rust");
    let log = control(s.port(), s.secret_key(), "GET", "/_mock/requests", "");
    assert!(serde_json::from_slice::<Value>(&log.body).is_ok());
}

#[test]
fn one_level_past_the_limit_is_refused_at_input() {
    let s = MockServer::start();
    let c = s.client();
    let user = c.scope(|| User::create(&UserCreateParams::new())).unwrap();
    let too_deep = metadata(LIMIT + 1);
    let refused = |e: pinn::Error| {
        assert_eq!(e.status(), Some(400), "{e}");
        assert!(e.to_string().contains("at most 100"), "{e}");
    };
    refused(
        c.scope(|| User::create(&UserCreateParams::new().metadata(too_deep.clone())))
            .unwrap_err(),
    );
    refused(
        c.scope(|| {
            User::update(
                &user.user_id,
                &UserUpdateParams::new().metadata(too_deep.clone()),
            )
        })
        .unwrap_err(),
    );
    let seed = UserSeed {
        metadata: too_deep.clone(),
        ..UserSeed::default()
    };
    assert!(
        s.seed_user(seed)
            .unwrap_err()
            .to_string()
            .contains("at most 100")
    );
    let data = json!({"d": nested(LIMIT - 1)});
    assert!(s.record_event("t", data.clone()).is_err());

    let key = s.secret_key();
    let body = json!({"metadata": too_deep}).to_string();
    for (method, target, body) in [
        ("POST", "/_mock/users".to_string(), body.clone()),
        (
            "POST",
            "/_mock/events".into(),
            json!({"type": "t", "data": data}).to_string(),
        ),
        (
            "POST",
            "/_mock/id_tokens".into(),
            json!({"sub": "u", "claims": data}).to_string(),
        ),
        (
            "POST",
            "/_mock/faults".into(),
            json!([[nested(LIMIT)]]).to_string(),
        ),
    ] {
        let r = control(s.port(), key, method, &target, &body);
        assert_eq!(
            (r.status, r.error_type()),
            (400, "bad_request".into()),
            "{target}"
        );
    }
    let r = api(
        s.port(),
        key,
        "POST",
        "/v1/webhook_endpoints",
        &json!({"url": nested(LIMIT)}).to_string(),
    );
    assert_eq!(r.status, 400, "{r:?}");
    // A restore of an object deeper than a create could make is refused whole, naming it.
    let fixture = json!({"objects": {"user": [
        {"user_id": "usr_fine"},
        {"user_id": "usr_too_deep", "metadata": too_deep},
    ]}});
    let r = control(s.port(), key, "PUT", "/_mock/state", &fixture.to_string());
    assert_eq!(r.status, 400, "{r:?}");
    assert!(r.text().contains("usr_too_deep"), "{r:?}");
    // Nothing was made or changed.
    assert_eq!(
        (s.count("user"), s.creates("user"), s.count("event")),
        (1, 1, 1)
    );
    let fetched = c.scope(|| User::retrieve(&user.user_id)).unwrap();
    assert!(fetched.metadata.is_empty());
}
