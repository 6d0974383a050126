//! Users on the wire: every call of `/v1/users`, its request and its decoded reply.

mod common;

use common::{assert_api_error, error_json, fixture_value, ok_json, Wire};
use pinn::{Deletable, ErrorKind, ListParams, Object, User, UserCreateParams, UserUpdateParams};
use serde_json::{json, Map, Value};

const USER: &str = include_str!("fixtures/user.json");
const USER_NEW: &str = include_str!("fixtures/user_new.json");
const USER_UPDATED: &str = include_str!("fixtures/user_updated.json");
const USERS_PAGE: &str = include_str!("fixtures/users_page.json");
const DEVICES_PAGE: &str = include_str!("fixtures/devices_page.json");
const LOGS_PAGE: &str = include_str!("fixtures/logs_page.json");
const NOT_FOUND: &str = include_str!("fixtures/error_not_found.json");

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
    assert_eq!(user.status.as_deref(), Some("enabled"));
    // An unknown field is kept, and the whole object round-trips.
    assert_eq!(user.extra["livemode"], false);
    assert_eq!(user.to_value(), fixture_value(USER));
}

fn metadata(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

#[test]
fn create_without_metadata_sends_no_body() {
    let mut w = Wire::start();
    let m = ok_json(w.mock("POST", "/v1/users", &[], None), USER_NEW);
    let user = w
        .client()
        .scope(|| User::create(&UserCreateParams::new()))
        .unwrap();
    assert_eq!(user.user_id, "usr_9Gq2n4Xb7LkPz1RtVw3YcDsA");
    assert_eq!(user.authenticated_at, None);
    assert!(!user.device_enrolled);
    assert!(user.metadata.is_empty());
    assert!(user.extra.is_empty());
    m.assert();
    w.assert_no_strays();
}

#[test]
fn create_with_empty_metadata_sends_no_body() {
    let mut w = Wire::start();
    let m = ok_json(w.mock("POST", "/v1/users", &[], None), USER_NEW);
    let params = UserCreateParams::new().metadata(Map::new());
    let user = w.client().scope(|| User::create(&params)).unwrap();
    assert_eq!(user.user_id, "usr_9Gq2n4Xb7LkPz1RtVw3YcDsA");
    m.assert();
    w.assert_no_strays();
}

#[test]
fn create_with_metadata_sends_it() {
    let mut w = Wire::start();
    let body = json!({"metadata": {"external_id": "ypf3JZpTB5", "tier": 2}});
    let m = ok_json(w.mock("POST", "/v1/users", &[], Some(body)), USER);
    let params = UserCreateParams::new()
        .metadata_entry("external_id", "ypf3JZpTB5")
        .metadata_entry("tier", 2);
    let user = w.client().scope(|| User::create(&params)).unwrap();
    assert_is_fixture_user(&user);
    m.assert();
    w.assert_no_strays();
}

#[test]
fn create_sends_pinn_version_when_configured() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock_full(Some("2024-06-01"), "POST", "/v1/users", &[], None),
        USER_NEW,
    );
    let client = w.client_with_version("2024-06-01");
    let user = client
        .scope(|| User::create(&UserCreateParams::new()))
        .unwrap();
    assert_eq!(user.user_id, "usr_9Gq2n4Xb7LkPz1RtVw3YcDsA");
    m.assert();
    w.assert_no_strays();
}

#[test]
fn create_failure_is_typed() {
    let mut w = Wire::start();
    let m = error_json(
        w.mock("POST", "/v1/users", &[], None),
        401,
        "unauthorized",
        "Invalid API key provided",
    );
    let err = w
        .client()
        .scope(|| User::create(&UserCreateParams::new()))
        .unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::Authentication,
        401,
        "unauthorized",
        "Invalid API key provided",
    );
    assert!(!err.is_retryable());
    m.assert();
    w.assert_no_strays();
}

#[test]
fn retrieve_decodes_the_user() {
    let mut w = Wire::start();
    let m = ok_json(w.mock("GET", &format!("/v1/users/{ID}"), &[], None), USER);
    let user = w.client().scope(|| User::retrieve(ID)).unwrap();
    assert_is_fixture_user(&user);
    // Display is the object as pretty JSON.
    let shown: Value = serde_json::from_str(&user.to_string()).unwrap();
    assert_eq!(shown, fixture_value(USER));
    m.assert();
    w.assert_no_strays();
}

#[test]
fn retrieve_not_found() {
    let mut w = Wire::start();
    let m = w
        .mock("GET", "/v1/users/usr_missing", &[], None)
        .with_status(404)
        .with_header("request-id", "req_err_1")
        .with_body(NOT_FOUND)
        .create();
    let err = w
        .client()
        .scope(|| User::retrieve("usr_missing"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert_eq!(err.status(), Some(404));
    let api = err.api_error().unwrap();
    assert_eq!(api.error_type.as_deref(), Some("not_found"));
    assert_eq!(api.code, "resource_missing");
    assert_eq!(api.message, "No such user: usr_missing");
    assert_eq!(err.request_id(), Some("req_err_1"));
    m.assert();
    w.assert_no_strays();
}

#[test]
fn retrieve_of_another_kind_is_an_error() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock("GET", &format!("/v1/users/{ID}"), &[], None),
        include_str!("fixtures/device.json"),
    );
    let err = w.client().scope(|| User::retrieve(ID)).unwrap_err();
    assert!(
        matches!(err, pinn::Error::Decode { status: 200, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("device"), "{err}");
    m.assert();
    w.assert_no_strays();
}

#[test]
fn update_sends_only_status() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock(
            "PATCH",
            &format!("/v1/users/{ID}"),
            &[],
            Some(json!({"status": "disabled"})),
        ),
        USER_UPDATED,
    );
    let params = UserUpdateParams::new().status("disabled");
    let user = w.client().scope(|| User::update(ID, &params)).unwrap();
    assert_eq!(user.status.as_deref(), Some("disabled"));
    assert_eq!(user.updated_at, 1718200000);
    assert_eq!(user.metadata["plan"], "gold");
    m.assert();
    w.assert_no_strays();
}

#[test]
fn update_sends_only_metadata() {
    let mut w = Wire::start();
    let md = json!({"external_id": "ypf3JZpTB5", "plan": "gold"});
    let m = ok_json(
        w.mock(
            "PATCH",
            &format!("/v1/users/{ID}"),
            &[],
            Some(json!({"metadata": md})),
        ),
        USER_UPDATED,
    );
    let params = UserUpdateParams::new().metadata(metadata(md));
    let user = w.client().scope(|| User::update(ID, &params)).unwrap();
    assert_eq!(user.to_value(), fixture_value(USER_UPDATED));
    m.assert();
    w.assert_no_strays();
}

#[test]
fn update_sends_both_fields() {
    let mut w = Wire::start();
    let body = json!({"metadata": {"plan": "gold"}, "status": "disabled"});
    let m = ok_json(
        w.mock("PATCH", &format!("/v1/users/{ID}"), &[], Some(body)),
        USER_UPDATED,
    );
    let params = UserUpdateParams::new()
        .metadata(metadata(json!({"plan": "gold"})))
        .status("disabled");
    let user = w.client().scope(|| User::update(ID, &params)).unwrap();
    assert_eq!(user.user_id, ID);
    m.assert();
    w.assert_no_strays();
}

#[test]
fn update_failure() {
    let mut w = Wire::start();
    let m = error_json(
        w.mock(
            "PATCH",
            &format!("/v1/users/{ID}"),
            &[],
            Some(json!({"status": "bogus"})),
        ),
        422,
        "unprocessable_entity",
        "Invalid status: bogus",
    );
    let params = UserUpdateParams::new().status("bogus");
    let err = w.client().scope(|| User::update(ID, &params)).unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::RequestFailed,
        422,
        "unprocessable_entity",
        "Invalid status: bogus",
    );
    m.assert();
    w.assert_no_strays();
}

#[test]
fn save_sends_updatable_fields_and_refreshes() {
    let mut w = Wire::start();
    let body = json!({
        "metadata": {"external_id": "ypf3JZpTB5", "plan": "gold"},
        "status": "disabled"
    });
    let m = ok_json(
        w.mock("PATCH", &format!("/v1/users/{ID}"), &[], Some(body)),
        USER_UPDATED,
    );
    let mut user: User = serde_json::from_str(USER).unwrap();
    user.metadata.insert("plan".into(), "gold".into());
    user.status = Some("disabled".into());
    user.updated_at = 0; // refreshed from the reply
    w.client().scope(|| user.save()).unwrap();
    assert_eq!(user.updated_at, 1718200000);
    assert_eq!(user.to_value(), fixture_value(USER_UPDATED));
    m.assert();
    w.assert_no_strays();
}

#[test]
fn save_after_retrieve_sends_only_what_changed() {
    let mut w = Wire::start();
    let get = ok_json(w.mock("GET", &format!("/v1/users/{ID}"), &[], None), USER);
    let body = json!({"metadata": {"external_id": "ypf3JZpTB5", "plan": "gold"}});
    let patch = ok_json(
        w.mock("PATCH", &format!("/v1/users/{ID}"), &[], Some(body)),
        USER_UPDATED,
    );
    let client = w.client();
    let mut user = client.scope(|| User::retrieve(ID)).unwrap();
    user.metadata.insert("plan".into(), "gold".into());
    client.scope(|| user.save()).unwrap();
    assert_eq!(user.updated_at, 1718200000);
    // Refreshed from the reply, and what it read is now the baseline: no change, no request.
    client.scope(|| user.save()).unwrap();
    get.assert();
    patch.assert();
    w.assert_no_strays();
}

#[test]
fn save_failure_leaves_the_user_unchanged() {
    let mut w = Wire::start();
    let body = json!({"metadata": {"external_id": "ypf3JZpTB5"}, "status": "enabled"});
    let m = error_json(
        w.mock("PATCH", &format!("/v1/users/{ID}"), &[], Some(body)),
        409,
        "conflict",
        "User is being deleted",
    );
    let mut user: User = serde_json::from_str(USER).unwrap();
    let before = user.clone();
    let err = w.client().scope(|| user.save()).unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::RequestFailed,
        409,
        "conflict",
        "User is being deleted",
    );
    assert_eq!(user, before);
    m.assert();
    w.assert_no_strays();
}

#[test]
fn delete_sends_delete() {
    let mut w = Wire::start();
    let m = w
        .mock("DELETE", &format!("/v1/users/{ID}"), &[], None)
        .with_status(204)
        .create();
    w.client().scope(|| User::delete(ID)).unwrap();
    m.assert();
    w.assert_no_strays();
}

#[test]
fn delete_accepts_a_json_reply() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock("DELETE", &format!("/v1/users/{ID}"), &[], None),
        r#"{"object": "user", "user_id": "usr_zsWljQAN7p6hBbbi15FXXUJp", "deleted": true}"#,
    );
    w.client().scope(|| User::delete(ID)).unwrap();
    m.assert();
    w.assert_no_strays();
}

#[test]
fn deletable_delete_sends_delete_by_own_id() {
    let mut w = Wire::start();
    let m = w
        .mock("DELETE", &format!("/v1/users/{ID}"), &[], None)
        .with_status(204)
        .create();
    let user: User = serde_json::from_str(USER).unwrap();
    w.client().scope(|| Deletable::delete(&user)).unwrap();
    m.assert();
    w.assert_no_strays();
}

#[test]
fn deletable_delete_method_syntax() {
    let mut w = Wire::start();
    let m = w
        .mock("DELETE", &format!("/v1/users/{ID}"), &[], None)
        .with_status(202)
        .create();
    let user: User = serde_json::from_str(USER).unwrap();
    w.client().scope(|| user.delete()).unwrap();
    m.assert();
    w.assert_no_strays();
}

#[test]
fn delete_failure() {
    let mut w = Wire::start();
    let m = error_json(
        w.mock("DELETE", &format!("/v1/users/{ID}"), &[], None),
        403,
        "forbidden",
        "User belongs to another account",
    );
    let err = w.client().scope(|| User::delete(ID)).unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::Forbidden,
        403,
        "forbidden",
        "User belongs to another account",
    );
    m.assert();
    w.assert_no_strays();
}

#[test]
fn list_without_params_sends_no_query() {
    let mut w = Wire::start();
    let m = ok_json(w.mock("GET", "/v1/users", &[], None), USERS_PAGE);
    let page = w.client().scope(|| User::list(&ListParams::new())).unwrap();
    assert_eq!(page.object, "list");
    assert_eq!(page.url, "/v1/users");
    assert_eq!(page.count, 2);
    assert!(page.has_more);
    assert_eq!(page.ended_at.as_deref(), Some(ID));
    let ids: Vec<&str> = page.data.iter().map(|u| u.user_id.as_str()).collect();
    assert_eq!(ids, ["usr_9Gq2n4Xb7LkPz1RtVw3YcDsA", ID]);
    assert_eq!(page.data[1].metadata["external_id"], "ypf3JZpTB5");
    m.assert();
    w.assert_no_strays();
}

#[test]
fn list_sends_limit_and_starting_after() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock(
            "GET",
            "/v1/users",
            &[("limit", "2"), ("starting_after", "usr_Xy12")],
            None,
        ),
        USERS_PAGE,
    );
    let params = ListParams::new().limit(2).starting_after("usr_Xy12");
    let page = w.client().scope(|| User::list(&params)).unwrap();
    assert_eq!(page.data.len(), 2);
    m.assert();
    w.assert_no_strays();
}

#[test]
fn list_sends_only_the_given_param() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock("GET", "/v1/users", &[("starting_after", "usr_Xy12")], None),
        USERS_PAGE,
    );
    let params = ListParams::new().starting_after("usr_Xy12");
    w.client().scope(|| User::list(&params)).unwrap();
    m.assert();
    w.assert_no_strays();
}

#[test]
fn list_failure() {
    let mut w = Wire::start();
    let m = error_json(
        w.mock("GET", "/v1/users", &[("limit", "1000")], None),
        400,
        "bad_request",
        "limit must be at most 100",
    );
    let err = w
        .client()
        .scope(|| User::list(&ListParams::new().limit(1000)))
        .unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::InvalidRequest,
        400,
        "bad_request",
        "limit must be at most 100",
    );
    m.assert();
    w.assert_no_strays();
}

#[test]
fn list_devices_decodes_devices() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock(
            "GET",
            &format!("/v1/users/{ID}/devices"),
            &[("limit", "5")],
            None,
        ),
        DEVICES_PAGE,
    );
    let page = w
        .client()
        .scope(|| User::list_devices(ID, &ListParams::new().limit(5)))
        .unwrap();
    assert_eq!(page.url, format!("/v1/users/{ID}/devices"));
    assert!(!page.has_more);
    assert_eq!(page.data.len(), 2);
    assert_eq!(page.data[0].device_id, "dev_H7sK2pQ9vX4mN1bR6tY8wZ3c");
    assert_eq!(page.data[0].platform, pinn::Platform::Ios);
    assert_eq!(page.data[1].platform, pinn::Platform::Android);
    assert_eq!(page.data[1].push_notification_token, None);
    assert!(page.data.iter().all(|d| d.user_id == ID));
    m.assert();
    w.assert_no_strays();
}

#[test]
fn list_devices_failure() {
    let mut w = Wire::start();
    let m = error_json(
        w.mock("GET", "/v1/users/usr_missing/devices", &[], None),
        404,
        "not_found",
        "No such user: usr_missing",
    );
    let err = w
        .client()
        .scope(|| User::list_devices("usr_missing", &ListParams::new()))
        .unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::InvalidRequest,
        404,
        "not_found",
        "No such user: usr_missing",
    );
    m.assert();
    w.assert_no_strays();
}

#[test]
fn list_logs_decodes_logs() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock(
            "GET",
            &format!("/v1/users/{ID}/logs"),
            &[("limit", "2"), ("starting_after", "log_Zz9")],
            None,
        ),
        LOGS_PAGE,
    );
    let params = ListParams::new().limit(2).starting_after("log_Zz9");
    let page = w.client().scope(|| User::list_logs(ID, &params)).unwrap();
    assert_eq!(page.count, 2);
    assert!(page.data[0].success);
    assert!(!page.data[1].success);
    assert_eq!(page.data[0].auth_type, pinn::AuthType::Web);
    assert_eq!(page.data[1].auth_type, pinn::AuthType::Mobile);
    assert_eq!(page.data[1].web_app_id, None);
    assert_eq!(page.data[1].score, 0.41);
    m.assert();
    w.assert_no_strays();
}

#[test]
fn list_logs_failure() {
    let mut w = Wire::start();
    let m = error_json(
        w.mock("GET", &format!("/v1/users/{ID}/logs"), &[], None),
        429,
        "rate_limit_exceeded",
        "Too many requests",
    );
    let err = w
        .client()
        .scope(|| User::list_logs(ID, &ListParams::new()))
        .unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::RateLimit,
        429,
        "rate_limit_exceeded",
        "Too many requests",
    );
    assert!(err.is_retryable());
    m.assert();
    w.assert_no_strays();
}
