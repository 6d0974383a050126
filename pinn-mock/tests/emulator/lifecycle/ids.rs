//! IDs stay unique whatever was restored. A fixture restored without its generator state
//! (`"rng"`) into a seeded emulator holds the very IDs the generator draws next: each kind,
//! events included, must skip them, and every snapshot must restore.

use std::collections::HashSet;

use pinn_mock::{DeviceSeed, MockServer};
use serde_json::{Value, json};

use crate::raw::{api, control};

/// The kinds and the path each is listed at.
const LISTS: [(&str, &str); 6] = [
    ("user", "/v1/users"),
    ("app", "/v1/apps"),
    ("device", "/v1/devices"),
    ("event", "/v1/events"),
    ("log", "/v1/logs"),
    ("webhook_endpoint", "/v1/webhook_endpoints"),
];

fn v1(s: &MockServer, method: &str, target: &str, body: &str) -> Value {
    let r = api(s.port(), s.secret_key(), method, target, body);
    assert_eq!(r.status, 200, "{method} {target}: {r:?}");
    r.json()
}

/// One object of every kind, made the ways the API and the seeding calls make them.
fn one_of_each(s: &MockServer) {
    let user = v1(s, "POST", "/v1/users", "");
    let uid = user["user_id"].as_str().unwrap();
    v1(s, "POST", "/v1/apps/ios", r#"{"name": "iOS"}"#);
    let hook = r#"{"url": "https://example.com/h", "events": ["user.created"]}"#;
    v1(s, "POST", "/v1/webhook_endpoints", hook);
    let with_user = json!({"user_id": uid}).to_string();
    v1(s, "POST", "/v1/enrollment_keys", &with_user);
    v1(s, "POST", "/v1/recovery_keys", &with_user);
    let device = s.enroll_device(uid, DeviceSeed::default()).unwrap();
    s.record_log(&device.device_id, true).unwrap();
    s.record_event("custom.thing", json!({})).unwrap();
}

/// The IDs of every item of a list, all pages.
fn listed(s: &MockServer, kind: &str, path: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut target = format!("{path}?limit=100");
    loop {
        let page = v1(s, "GET", &target, "");
        let id_field = format!("{kind}_id");
        ids.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o[&id_field].as_str().unwrap().to_string()),
        );
        if page["has_more"] != true {
            return ids;
        }
        target = format!(
            "{path}?limit=100&starting_after={}",
            page["ended_at"].as_str().unwrap()
        );
    }
}

/// Every kind listed: no ID twice, each one retrievable, as many as the counts say.
fn consistent(s: &MockServer) {
    for (kind, path) in LISTS {
        let ids = listed(s, kind, path);
        let unique: HashSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{kind}: an ID twice in {ids:?}");
        assert_eq!(ids.len(), s.count(kind), "{kind}");
        for id in &ids {
            v1(s, "GET", &format!("{path}/{id}"), "");
        }
    }
    let snapshot = s.snapshot();
    for kind in ["enrollment_key", "recovery_key"] {
        let ids: HashSet<&str> = snapshot["objects"][kind]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o[format!("{kind}_id")].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), s.count(kind), "{kind}");
    }
}

#[test]
fn a_fixture_restored_without_its_generator_never_yields_a_duplicate() {
    let s = MockServer::builder().seed(5).start().unwrap();
    one_of_each(&s);
    let mut fixture = s.snapshot();
    fixture.as_object_mut().unwrap().remove("rng");
    // After a reset the generator starts over: its next IDs are the fixture's.
    s.reset();
    s.restore(&fixture).unwrap();
    one_of_each(&s);
    for kind in [
        "user",
        "app",
        "device",
        "log",
        "webhook_endpoint",
        "enrollment_key",
    ] {
        assert_eq!(s.count(kind), 2, "{kind}");
    }
    consistent(&s);

    // Every object can be deleted, and then it is gone: no ghost stays behind.
    for (kind, path) in [
        ("webhook_endpoint", "/v1/webhook_endpoints"),
        ("app", "/v1/apps"),
        ("user", "/v1/users"),
    ] {
        for id in listed(&s, kind, path) {
            v1(&s, "DELETE", &format!("{path}/{id}"), "");
            let gone = api(s.port(), s.secret_key(), "GET", &format!("{path}/{id}"), "");
            assert_eq!(gone.status, 404, "{kind} {id}");
        }
        assert!(listed(&s, kind, path).is_empty(), "{kind}");
    }
    consistent(&s);
}

#[test]
fn snapshot_restore_create_round_trips_hold() {
    let s = MockServer::builder().seed(9).start().unwrap();
    one_of_each(&s);
    for round in 0..3 {
        // Over HTTP, as another language's test would: the emulator's own snapshot restores.
        let state = control(s.port(), s.secret_key(), "GET", "/_mock/state", "");
        let mut fixture = state.json();
        if round == 1 {
            fixture.as_object_mut().unwrap().remove("rng");
            s.reset();
        }
        let restored = control(
            s.port(),
            s.secret_key(),
            "PUT",
            "/_mock/state",
            &fixture.to_string(),
        );
        assert_eq!(restored.status, 200, "round {round}: {restored:?}");
        one_of_each(&s);
        consistent(&s);
    }
    assert_eq!(s.count("user"), 4);
}

#[test]
fn a_restore_with_an_id_twice_is_refused_whole_naming_it() {
    let s = MockServer::start();
    one_of_each(&s);
    let before = s.snapshot();
    for kind in ["user", "event"] {
        let id = format!("{}_twice", &kind[..1]);
        let field = format!("{kind}_id");
        let fixture = json!({"objects": {
            "app": [{"app_id": "app_fine"}],
            kind: [{&field: "fine"}, {&field: id}, {&field: id}],
        }});
        let r = control(
            s.port(),
            s.secret_key(),
            "PUT",
            "/_mock/state",
            &fixture.to_string(),
        );
        assert_eq!(
            (r.status, r.error_type()),
            (400, "bad_request".into()),
            "{r:?}"
        );
        assert!(r.text().contains(&id), "{r:?}");
        assert_eq!(s.snapshot(), before, "a refused restore changes nothing");
    }
}
