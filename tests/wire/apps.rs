//! Apps on the wire: every call of `/v1/apps`, its request and its decoded reply.

use crate::support::fixtures::{APP, APP_NO_DESCRIPTION, APPS_PAGE};
use crate::support::{
    bad_request, expect, fixture_value, method_not_allowed, not_found, unauthorized,
};
use pinn::{App, AppCreateParams, AppType, Deletable, ErrorKind, ListParams, Object};
use serde_json::json;

const ID: &str = "app_W1eB2aP3pX4yZ5qR6sT7uV8w";

fn path() -> String {
    format!("/v1/apps/{ID}")
}

#[test]
fn create_web_app_with_description() {
    let params = AppCreateParams::new(AppType::Web, "Checkout").description("Web shop checkout");
    let app = expect("App::create", "POST", "/v1/apps/web")
        .body(json!({"name": "Checkout", "description": "Web shop checkout"}))
        .ok_json(APP, || App::create(&params));
    assert_eq!(app.object, "app");
    assert_eq!(app.app_id, ID);
    assert_eq!(app.created_at, 1717500000);
    assert_eq!(app.updated_at, 1717500000);
    assert_eq!(app.publishable_key, "pk_test_51HqLyjWDarjtT1zdp7dcW1e");
    assert_eq!(app.app_type, AppType::Web);
    assert_eq!(app.name, "Checkout");
    assert_eq!(app.description.as_deref(), Some("Web shop checkout"));
    assert_eq!(app.extra["livemode"], false);
    assert_eq!(app.to_value(), fixture_value(APP));
}

#[test]
fn create_omits_description_when_absent() {
    let app = expect("App::create", "POST", "/v1/apps/ios")
        .body(json!({"name": "Acme iOS"}))
        .ok_json(APP_NO_DESCRIPTION, || {
            App::create(&AppCreateParams::new(AppType::Ios, "Acme iOS"))
        });
    assert_eq!(app.app_type, AppType::Ios);
    assert_eq!(app.description, None);
    assert_eq!(app.name, "Acme iOS");
}

#[test]
fn create_android_app() {
    let reply = APP_NO_DESCRIPTION.replace("\"ios\"", "\"android\"");
    let app = expect("App::create", "POST", "/v1/apps/android")
        .body(json!({"name": "Acme Android"}))
        .ok_json(&reply, || {
            App::create(&AppCreateParams::new(AppType::Android, "Acme Android"))
        });
    assert_eq!(app.app_type, AppType::Android);
}

#[test]
fn create_parses_app_type_from_str() {
    let app = expect("App::create", "POST", "/v1/apps/web")
        .body(json!({"name": "Checkout"}))
        .ok_json(APP, || {
            App::create(&AppCreateParams::new(AppType::from("web"), "Checkout"))
        });
    assert_eq!(app.app_id, ID);
}

#[test]
fn create_rejects_an_unknown_app_type_before_any_io() {
    let err = expect("App::create", "POST", "/v1/apps/windows")
        .respond(
            |m| m.with_status(200).with_body(APP).expect(0).create(),
            || App::create(&AppCreateParams::new(AppType::from("windows"), "Desktop")),
        )
        .unwrap_err();
    assert!(matches!(err, pinn::Error::InvalidArgument(_)), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains("windows"), "{err}");
    assert_eq!(err.attempts(), 0);
    // The type is shown as any text the crate did not write: escaped, the key redacted.
    let keyed = AppType::from(format!("{}\n", crate::support::KEY).as_str());
    let err = crate::support::client_for("http://127.0.0.1:9")
        .apps()
        .create(&AppCreateParams::new(keyed, "Desktop"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid argument: app_type must be ios, android or web, not \"<redacted>\\u{a}\""
    );
}

#[test]
fn create_failure() {
    expect("App::create", "POST", "/v1/apps/web")
        .body(json!({"name": ""}))
        .fails(bad_request("name is required"), || {
            App::create(&AppCreateParams::new(AppType::Web, ""))
        });
}

#[test]
fn retrieve_decodes_the_app() {
    let app = expect("App::retrieve", "GET", path()).ok_json(APP, || App::retrieve(ID));
    assert_eq!(app.to_value(), fixture_value(APP));
    assert_eq!(app.name, "Checkout");
}

#[test]
fn retrieve_keeps_an_unknown_app_type() {
    let reply = APP.replace("\"web\"", "\"visionos\"");
    let app = expect("App::retrieve", "GET", path()).ok_json(&reply, || App::retrieve(ID));
    assert_eq!(app.app_type, AppType::Other("visionos".into()));
}

#[test]
fn retrieve_failure() {
    expect("App::retrieve", "GET", "/v1/apps/app_gone")
        .fails(not_found("No such app: app_gone"), || {
            App::retrieve("app_gone")
        });
}

#[test]
fn delete_sends_delete() {
    expect("App::delete", "DELETE", path()).no_body(204, || App::delete(ID));
}

#[test]
fn deletable_delete_sends_delete() {
    let app: App = serde_json::from_str(APP).unwrap();
    expect("app.delete()", "DELETE", path()).no_body(204, || app.delete());
}

#[test]
fn delete_failure() {
    expect("App::delete", "DELETE", path())
        .fails(method_not_allowed("Apps in use cannot be deleted"), || {
            App::delete(ID)
        });
}

#[test]
fn list_without_params() {
    let page =
        expect("App::list", "GET", "/v1/apps").ok_json(APPS_PAGE, || App::list(&ListParams::new()));
    assert_eq!(page.url, "/v1/apps");
    assert_eq!(page.count, 2);
    assert!(!page.has_more);
    assert_eq!(
        page.ended_at.as_deref(),
        Some("app_M3nB6vC9xZ2lK5jH8gF1dS4a")
    );
    let types: Vec<&str> = page.data.iter().map(|a| a.app_type.as_str()).collect();
    assert_eq!(types, ["web", "ios"]);
    assert_eq!(page.data[1].description, None);
}

#[test]
fn list_with_params() {
    let params = ListParams::new().limit(100).starting_after("app_Q1");
    let page = expect("App::list", "GET", "/v1/apps")
        .query(&[("limit", "100"), ("starting_after", "app_Q1")])
        .ok_json(APPS_PAGE, || App::list(&params));
    assert_eq!(page.data.len(), 2);
}

#[test]
fn list_failure() {
    expect("App::list", "GET", "/v1/apps").fails(unauthorized("Invalid API key provided"), || {
        App::list(&ListParams::new())
    });
}
