//! Objects mean what they show: equality is on data, a restored object saves only what
//! changes after it was restored, and `client.users().save(&mut user)` names its client.

use crate::support::fixtures::{HOOK, HOOK_UPDATED, USER, USER_UPDATED};
use crate::support::{Wire, ok_json};
use pinn::{Object, User, UserStatus, WebhookEndpoint};
use serde_json::json;

const ID: &str = "usr_zsWljQAN7p6hBbbi15FXXUJp";

#[test]
fn a_fetched_object_equals_its_serde_copy_and_another_clients() {
    let mut w = Wire::start();
    let get = ok_json(
        w.mock("GET", &format!("/v1/users/{ID}"), &[], None)
            .expect(2),
        USER,
    );
    let (a, b) = (w.client(), w.client());
    let fetched = a.users().retrieve(ID).unwrap();
    let copy: User = serde_json::from_value(fetched.to_value()).unwrap();
    assert_eq!(fetched, copy);
    assert_eq!(fetched, User::from_value(fetched.to_value()).unwrap());
    assert_eq!(fetched, b.users().retrieve(ID).unwrap()); // another client, equal data
    let mut changed = copy.clone();
    changed.metadata.insert("plan".into(), "pro".into());
    assert_ne!(fetched, changed); // data still counts
    w.assert_done(&[("retrieve twice", &get)]);
}

#[test]
fn a_restored_user_saves_only_what_changed_since_it_was_restored() {
    let mut w = Wire::start();
    let restored_json = USER; // as a cache kept it: status "enabled"
    let path = format!("/v1/users/{ID}");
    let body = json!({"metadata": {"external_id": "ypf3JZpTB5", "plan": "pro"}});
    let patch = ok_json(w.mock("PATCH", &path, &[], Some(body)), USER_UPDATED);
    let client = w.client();
    let mut user: User = serde_json::from_str(restored_json).unwrap();
    client.users().save(&mut user).unwrap(); // nothing changed, nothing sent
    user.metadata.insert("plan".into(), "pro".into());
    client.users().save(&mut user).unwrap();
    assert_eq!(user.updated_at, 1718200000, "refreshed from the reply");
    // The reply is the new baseline: saving again sends nothing.
    client.users().save(&mut user).unwrap();
    w.assert_done(&[("the one PATCH", &patch)]);
}

#[test]
fn a_changed_status_is_sent_and_an_unset_one_is_not() {
    let mut w = Wire::start();
    let path = format!("/v1/users/{ID}");
    let patch = ok_json(
        w.mock("PATCH", &path, &[], Some(json!({"status": "disabled"}))),
        USER_UPDATED,
    );
    let client = w.client();
    let mut user: User = serde_json::from_str(USER).unwrap();
    user.status = None; // no status to set: nothing to send
    client.users().save(&mut user).unwrap();
    let mut user: User = serde_json::from_str(USER).unwrap();
    user.status = Some(UserStatus::Disabled);
    client.users().save(&mut user).unwrap();
    w.assert_done(&[("status only", &patch)]);
}

#[test]
fn a_restored_endpoint_saves_only_what_changed() {
    let mut w = Wire::start();
    let path = "/v1/webhook_endpoints/we_L2kJ3hG4fD5sA6qW7eR8tY9u";
    let body = json!({"events": ["user.created", "user.deleted", "user.updated"]});
    let patch = ok_json(w.mock("PATCH", path, &[], Some(body)), HOOK_UPDATED);
    let client = w.client();
    let mut hook: WebhookEndpoint = serde_json::from_str(HOOK).unwrap();
    hook.events.push("user.updated".into());
    client.webhook_endpoints().save(&mut hook).unwrap();
    w.assert_done(&[("events only", &patch)]);
}

#[test]
fn debug_shows_the_data_and_not_where_it_came_from() {
    let mut w = Wire::start();
    let get = ok_json(w.mock("GET", &format!("/v1/users/{ID}"), &[], None), USER);
    let list = ok_json(
        w.mock("GET", "/v1/users", &[], None),
        crate::support::fixtures::USERS_PAGE,
    );
    let client = w.client();
    let user = client.users().retrieve(ID).unwrap();
    let shown = format!("{user:?}");
    assert!(
        shown.starts_with(&format!("User {{ object: \"user\", user_id: \"{ID}\"")),
        "{shown}"
    );
    assert!(shown.ends_with(", state: .. }"), "{shown}");
    assert!(!shown.contains(crate::support::KEY), "{shown}");
    let page = client.users().list(&Default::default()).unwrap();
    let shown = format!("{page:?}");
    assert!(
        shown.starts_with("List { url: \"/v1/users\", count: 2, has_more: true"),
        "{shown}"
    );
    assert!(shown.contains("data: [User {"), "{shown}");
    w.assert_done(&[("retrieve", &get), ("list", &list)]);
}
