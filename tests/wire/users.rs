//! Users on the wire: every call of `/v1/users`, its request and its decoded reply.

use crate::support::fixtures::{
    DEVICE, DEVICES_PAGE, LOGS_PAGE, NOT_FOUND, USER, USER_NEW, USER_UPDATED, USERS_PAGE,
};
use crate::support::{
    Wire, bad_request, conflict, expect, fixture_value, forbidden, not_found, ok_json,
    rate_limit_exceeded, unauthorized, unprocessable_entity,
};
use pinn::{Deletable, ErrorKind, ListParams, Object, User, UserCreateParams, UserUpdateParams};
use serde_json::{Map, Value, json};

const ID: &str = "usr_zsWljQAN7p6hBbbi15FXXUJp";

fn assert_is_fixture_user(user: &User) {
    assert_eq!(user.object, "user");
    assert_eq!(user.user_id, ID);
    assert_eq!(user.created_at, 1718000000);
    assert_eq!(user.updated_at, 1718000600);
    assert_eq!(user.authenticated_at, Some(1718000300));
    assert!(user.device_enrolled);
    assert!(user.left_palm_enrolled);
    assert!(!user.right_palm_enrolled);
    assert_eq!(user.metadata["external_id"], "ypf3JZpTB5");
    assert_eq!(user.metadata.len(), 1);
    assert_eq!(user.status.as_ref().map(|s| s.as_str()), Some("enabled"));
    // An unknown field is kept, and the whole object round-trips.
    assert_eq!(user.extra["livemode"], false);
    assert_eq!(user.to_value(), fixture_value(USER));
}

fn path() -> String {
    format!("/v1/users/{ID}")
}

fn metadata(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

#[test]
fn create_without_metadata_sends_no_body() {
    let user = expect("User::create", "POST", "/v1/users")
        .ok_json(USER_NEW, || User::create(&UserCreateParams::new()));
    assert_eq!(user.user_id, "usr_9Gq2n4Xb7LkPz1RtVw3YcDsA");
    assert_eq!(user.authenticated_at, None);
    assert!(!user.device_enrolled);
    assert!(user.metadata.is_empty());
    assert!(user.extra.is_empty());
}

#[test]
fn create_with_empty_metadata_sends_no_body() {
    let params = UserCreateParams::new().metadata(Map::new());
    let user =
        expect("User::create", "POST", "/v1/users").ok_json(USER_NEW, || User::create(&params));
    assert_eq!(user.user_id, "usr_9Gq2n4Xb7LkPz1RtVw3YcDsA");
}

#[test]
fn create_with_metadata_sends_it() {
    let params = UserCreateParams::new()
        .metadata_entry("external_id", "ypf3JZpTB5")
        .metadata_entry("tier", 2);
    let user = expect("User::create", "POST", "/v1/users")
        .body(json!({"metadata": {"external_id": "ypf3JZpTB5", "tier": 2}}))
        .ok_json(USER, || User::create(&params));
    assert_is_fixture_user(&user);
}

#[test]
fn create_sends_pinn_version_when_configured() {
    let user = expect("User::create", "POST", "/v1/users")
        .version("2024-06-01")
        .ok_json(USER_NEW, || User::create(&UserCreateParams::new()));
    assert_eq!(user.user_id, "usr_9Gq2n4Xb7LkPz1RtVw3YcDsA");
}

#[test]
fn create_failure_is_typed() {
    let err = expect("User::create", "POST", "/v1/users")
        .fails(unauthorized("Invalid API key provided"), || {
            User::create(&UserCreateParams::new())
        });
    assert!(!err.is_retryable());
}

#[test]
fn retrieve_decodes_the_user() {
    let user = expect("User::retrieve", "GET", path()).ok_json(USER, || User::retrieve(ID));
    assert_is_fixture_user(&user);
    // Display is the object as pretty JSON.
    let shown: Value = serde_json::from_str(&user.to_string()).unwrap();
    assert_eq!(shown, fixture_value(USER));
}

#[test]
fn a_response_head_near_the_transports_limit_is_read_whole() {
    // ureq takes a head of up to 64 KiB; the key guard holds every byte of one to mask it.
    let big = "v".repeat(60 * 1024);
    let info = expect("User::retrieve", "GET", path()).respond(
        |m| {
            m.with_status(200)
                .with_header("content-type", "application/json")
                .with_header("x-big", &big)
                .with_body(USER)
                .create()
        },
        || User::retrieve(ID).map(|u| u.last_response().unwrap().clone()),
    );
    assert_eq!(info.unwrap().header("x-big").map(str::len), Some(big.len()));
}

#[test]
fn retrieve_not_found() {
    let err = expect("User::retrieve", "GET", "/v1/users/usr_missing")
        .respond(
            |m| {
                m.with_status(404)
                    .with_header("request-id", "req_err_1")
                    .with_body(NOT_FOUND)
                    .create()
            },
            || User::retrieve("usr_missing"),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert_eq!(err.status(), Some(404));
    let api = err.api_error().unwrap();
    assert_eq!(api.error_type(), Some("not_found"));
    assert_eq!(*api.code(), "resource_missing");
    assert_eq!(api.message(), "No such user: usr_missing");
    assert_eq!(err.request_id(), Some("req_err_1"));
}

#[test]
fn retrieve_of_another_kind_is_an_error() {
    let err = expect("User::retrieve", "GET", path())
        .respond(|m| ok_json(m, DEVICE), || User::retrieve(ID))
        .unwrap_err();
    assert!(matches!(err, pinn::Error::Decode(_)), "{err:?}");
    assert!(err.to_string().contains("device"), "{err}");
}

#[test]
fn update_sends_only_status() {
    let params = UserUpdateParams::new().status("disabled");
    let user = expect("User::update", "PATCH", path())
        .body(json!({"status": "disabled"}))
        .ok_json(USER_UPDATED, || User::update(ID, &params));
    assert_eq!(user.status.as_ref().map(|s| s.as_str()), Some("disabled"));
    assert_eq!(user.updated_at, 1718200000);
    assert_eq!(user.metadata["plan"], "gold");
}

#[test]
fn update_sends_only_metadata() {
    let md = json!({"external_id": "ypf3JZpTB5", "plan": "gold"});
    let params = UserUpdateParams::new().metadata(metadata(md.clone()));
    let user = expect("User::update", "PATCH", path())
        .body(json!({"metadata": md}))
        .ok_json(USER_UPDATED, || User::update(ID, &params));
    assert_eq!(user.to_value(), fixture_value(USER_UPDATED));
}

#[test]
fn update_sends_both_fields() {
    let params = UserUpdateParams::new()
        .metadata(metadata(json!({"plan": "gold"})))
        .status("disabled");
    let user = expect("User::update", "PATCH", path())
        .body(json!({"metadata": {"plan": "gold"}, "status": "disabled"}))
        .ok_json(USER_UPDATED, || User::update(ID, &params));
    assert_eq!(user.user_id, ID);
}

#[test]
fn update_failure() {
    let params = UserUpdateParams::new().status("bogus");
    expect("User::update", "PATCH", path())
        .body(json!({"status": "bogus"}))
        .fails(unprocessable_entity("Invalid status: bogus"), || {
            User::update(ID, &params)
        });
}

#[test]
fn save_sends_updatable_fields_and_refreshes() {
    let mut user: User = serde_json::from_str(USER).unwrap();
    user.metadata.insert("plan".into(), "gold".into());
    user.status = Some("disabled".into());
    user.updated_at = 0; // refreshed from the reply
    expect("user.save()", "PATCH", path())
        .body(json!({
            "metadata": {"external_id": "ypf3JZpTB5", "plan": "gold"},
            "status": "disabled"
        }))
        .ok_json(USER_UPDATED, || user.save());
    assert_eq!(user.updated_at, 1718200000);
    assert_eq!(user.to_value(), fixture_value(USER_UPDATED));
}

#[test]
fn save_after_retrieve_sends_only_what_changed() {
    let mut w = Wire::start();
    let get = ok_json(w.mock("GET", &path(), &[], None), USER);
    let body = json!({"metadata": {"external_id": "ypf3JZpTB5", "plan": "gold"}});
    let patch = ok_json(w.mock("PATCH", &path(), &[], Some(body)), USER_UPDATED);
    let client = w.client();
    let mut user = client.scope(|| User::retrieve(ID)).unwrap();
    user.metadata.insert("plan".into(), "gold".into());
    client.scope(|| user.save()).unwrap();
    assert_eq!(user.updated_at, 1718200000);
    // Refreshed from the reply, and what it read is now the baseline: no change, no request.
    client.scope(|| user.save()).unwrap();
    w.assert_done(&[("User::retrieve", &get), ("user.save()", &patch)]);
}

#[test]
fn save_failure_leaves_the_user_unchanged() {
    let mut user: User = serde_json::from_str(USER).unwrap();
    user.metadata.insert("plan".into(), "pro".into());
    let before = user.clone();
    expect("user.save()", "PATCH", path())
        .body(json!({"metadata": {"external_id": "ypf3JZpTB5", "plan": "pro"}}))
        .fails(conflict("User is being deleted"), || user.save());
    assert_eq!(user, before);
}

#[test]
fn delete_sends_delete() {
    let info = expect("User::delete", "DELETE", path()).no_body(204, || User::delete(ID));
    // Deleted by this request, not found gone.
    assert!(!info.already_gone());
    assert_eq!(info.to_string(), format!("204: DELETE {}", path()));
    let shown = format!("{info:?}");
    assert!(
        shown.starts_with(&format!(
            "ResponseInfo {{ status: 204, request_id: None, method: \"DELETE\", path: \"{}\", \
             attempts: 1, already_gone: false, headers: [",
            path()
        )),
        "{shown}"
    );
}

#[test]
fn delete_accepts_a_json_reply() {
    let reply = r#"{"object": "user", "user_id": "usr_zsWljQAN7p6hBbbi15FXXUJp", "deleted": true}"#;
    expect("User::delete", "DELETE", path()).ok_json(reply, || User::delete(ID));
}

#[test]
fn deletable_delete_sends_delete_by_own_id() {
    let user: User = serde_json::from_str(USER).unwrap();
    expect("Deletable::delete(&user)", "DELETE", path()).no_body(204, || Deletable::delete(&user));
}

#[test]
fn deletable_delete_method_syntax() {
    let user: User = serde_json::from_str(USER).unwrap();
    expect("user.delete()", "DELETE", path()).no_body(202, || user.delete());
}

#[test]
fn delete_failure() {
    expect("User::delete", "DELETE", path())
        .fails(forbidden("User belongs to another account"), || {
            User::delete(ID)
        });
}

#[test]
fn list_without_params_sends_no_query() {
    let page = expect("User::list", "GET", "/v1/users")
        .ok_json(USERS_PAGE, || User::list(&ListParams::new()));
    assert_eq!(page.object, "list");
    assert_eq!(page.url, "/v1/users");
    assert_eq!(page.count, 2);
    assert!(page.has_more);
    assert_eq!(page.ended_at.as_deref(), Some(ID));
    let ids: Vec<&str> = page.data.iter().map(|u| u.user_id.as_str()).collect();
    assert_eq!(ids, ["usr_9Gq2n4Xb7LkPz1RtVw3YcDsA", ID]);
    assert_eq!(page.data[1].metadata["external_id"], "ypf3JZpTB5");
}

#[test]
fn list_sends_limit_and_starting_after() {
    let params = ListParams::new().limit(2).starting_after("usr_Xy12");
    let page = expect("User::list", "GET", "/v1/users")
        .query(&[("limit", "2"), ("starting_after", "usr_Xy12")])
        .ok_json(USERS_PAGE, || User::list(&params));
    assert_eq!(page.data.len(), 2);
}

#[test]
fn list_sends_only_the_given_param() {
    let params = ListParams::new().starting_after("usr_Xy12");
    expect("User::list", "GET", "/v1/users")
        .query(&[("starting_after", "usr_Xy12")])
        .ok_json(USERS_PAGE, || User::list(&params));
}

#[test]
fn list_failure() {
    expect("User::list", "GET", "/v1/users")
        .query(&[("starting_after", "usr_gone")])
        .fails(bad_request("starting_after is not a user"), || {
            User::list(&ListParams::new().starting_after("usr_gone"))
        });
}

#[test]
fn list_devices_decodes_devices() {
    let page = expect(
        "User::list_devices",
        "GET",
        format!("/v1/users/{ID}/devices"),
    )
    .query(&[("limit", "5")])
    .ok_json(DEVICES_PAGE, || {
        User::list_devices(ID, &ListParams::new().limit(5))
    });
    assert_eq!(page.url, format!("/v1/users/{ID}/devices"));
    assert!(!page.has_more);
    assert_eq!(page.data.len(), 2);
    assert_eq!(page.data[0].device_id, "dev_H7sK2pQ9vX4mN1bR6tY8wZ3c");
    assert_eq!(page.data[0].platform, pinn::Platform::Ios);
    assert_eq!(page.data[1].platform, pinn::Platform::Android);
    assert_eq!(page.data[1].push_notification_token, None);
    assert!(page.data.iter().all(|d| d.user_id == ID));
}

#[test]
fn list_devices_failure() {
    expect("User::list_devices", "GET", "/v1/users/usr_missing/devices")
        .fails(not_found("No such user: usr_missing"), || {
            User::list_devices("usr_missing", &ListParams::new())
        });
}

#[test]
fn list_logs_decodes_logs() {
    let params = ListParams::new().limit(2).starting_after("log_Zz9");
    let page = expect("User::list_logs", "GET", format!("/v1/users/{ID}/logs"))
        .query(&[("limit", "2"), ("starting_after", "log_Zz9")])
        .ok_json(LOGS_PAGE, || User::list_logs(ID, &params));
    assert_eq!(page.count, 2);
    assert!(page.data[0].success);
    assert!(!page.data[1].success);
    assert_eq!(page.data[0].auth_type, pinn::AuthType::Web);
    assert_eq!(page.data[1].auth_type, pinn::AuthType::Mobile);
    assert_eq!(page.data[1].web_app_id, None);
    assert_eq!(page.data[1].score, 0.41);
}

#[test]
fn list_logs_failure() {
    let err = expect("User::list_logs", "GET", format!("/v1/users/{ID}/logs"))
        .fails(rate_limit_exceeded("Too many requests"), || {
            User::list_logs(ID, &ListParams::new())
        });
    assert!(err.is_retryable());
}
