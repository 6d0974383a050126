//! Apps on the wire: every call of `/v1/apps`, its request and its decoded reply.

mod common;

use common::{assert_api_error, error_json, fixture_value, ok_json, Wire};
use pinn::{App, AppCreateParams, AppType, Deletable, ErrorKind, ListParams, Object};
use serde_json::json;

const APP: &str = include_str!("fixtures/app.json");
const APP_NO_DESCRIPTION: &str = include_str!("fixtures/app_no_description.json");
const APPS_PAGE: &str = include_str!("fixtures/apps_page.json");

const ID: &str = "app_W1eB2aP3pX4yZ5qR6sT7uV8w";

#[test]
fn create_web_app_with_description() {
    let mut w = Wire::start();
    let body = json!({"name": "Checkout", "description": "Web shop checkout"});
    let m = ok_json(w.mock("POST", "/v1/apps/web", &[], Some(body)), APP);
    let params = AppCreateParams::new().description("Web shop checkout");
    let app = w
        .client()
        .scope(|| App::create(AppType::Web, "Checkout", &params))
        .unwrap();
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
    m.assert();
    w.assert_no_strays();
}

#[test]
fn create_omits_description_when_absent() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock(
            "POST",
            "/v1/apps/ios",
            &[],
            Some(json!({"name": "Acme iOS"})),
        ),
        APP_NO_DESCRIPTION,
    );
    let app = w
        .client()
        .scope(|| App::create(AppType::Ios, "Acme iOS", &AppCreateParams::new()))
        .unwrap();
    assert_eq!(app.app_type, AppType::Ios);
    assert_eq!(app.description, None);
    assert_eq!(app.name, "Acme iOS");
    m.assert();
    w.assert_no_strays();
}

#[test]
fn create_android_app() {
    let mut w = Wire::start();
    let reply = APP_NO_DESCRIPTION.replace("\"ios\"", "\"android\"");
    let m = ok_json(
        w.mock(
            "POST",
            "/v1/apps/android",
            &[],
            Some(json!({"name": "Acme Android"})),
        ),
        &reply,
    );
    let app = w
        .client()
        .scope(|| App::create(AppType::Android, "Acme Android", &AppCreateParams::new()))
        .unwrap();
    assert_eq!(app.app_type, AppType::Android);
    m.assert();
    w.assert_no_strays();
}

#[test]
fn create_parses_app_type_from_str() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock(
            "POST",
            "/v1/apps/web",
            &[],
            Some(json!({"name": "Checkout"})),
        ),
        APP,
    );
    let app = w
        .client()
        .scope(|| App::create(AppType::from("web"), "Checkout", &AppCreateParams::new()))
        .unwrap();
    assert_eq!(app.app_id, ID);
    m.assert();
    w.assert_no_strays();
}

#[test]
fn create_rejects_an_unknown_app_type_before_any_io() {
    let mut w = Wire::start();
    let m = w
        .mock("POST", "/v1/apps/windows", &[], None)
        .with_status(200)
        .with_body(APP)
        .expect(0)
        .create();
    let err = w
        .client()
        .scope(|| App::create(AppType::from("windows"), "Desktop", &AppCreateParams::new()))
        .unwrap_err();
    assert!(matches!(err, pinn::Error::InvalidArgument(_)), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(err.to_string().contains("windows"), "{err}");
    assert_eq!(err.attempts(), 0);
    m.assert();
    w.assert_no_strays();
}

#[test]
fn create_failure() {
    let mut w = Wire::start();
    let m = error_json(
        w.mock("POST", "/v1/apps/web", &[], Some(json!({"name": ""}))),
        400,
        "bad_request",
        "name is required",
    );
    let err = w
        .client()
        .scope(|| App::create(AppType::Web, "", &AppCreateParams::new()))
        .unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::InvalidRequest,
        400,
        "bad_request",
        "name is required",
    );
    m.assert();
    w.assert_no_strays();
}

#[test]
fn retrieve_decodes_the_app() {
    let mut w = Wire::start();
    let m = ok_json(w.mock("GET", &format!("/v1/apps/{ID}"), &[], None), APP);
    let app = w.client().scope(|| App::retrieve(ID)).unwrap();
    assert_eq!(app.to_value(), fixture_value(APP));
    assert_eq!(app.name, "Checkout");
    m.assert();
    w.assert_no_strays();
}

#[test]
fn retrieve_keeps_an_unknown_app_type() {
    let mut w = Wire::start();
    let reply = APP.replace("\"web\"", "\"visionos\"");
    let m = ok_json(w.mock("GET", &format!("/v1/apps/{ID}"), &[], None), &reply);
    let app = w.client().scope(|| App::retrieve(ID)).unwrap();
    assert_eq!(app.app_type, AppType::Other("visionos".into()));
    m.assert();
    w.assert_no_strays();
}

#[test]
fn retrieve_failure() {
    let mut w = Wire::start();
    let m = error_json(
        w.mock("GET", "/v1/apps/app_gone", &[], None),
        404,
        "not_found",
        "No such app: app_gone",
    );
    let err = w.client().scope(|| App::retrieve("app_gone")).unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::InvalidRequest,
        404,
        "not_found",
        "No such app: app_gone",
    );
    m.assert();
    w.assert_no_strays();
}

#[test]
fn delete_sends_delete() {
    let mut w = Wire::start();
    let m = w
        .mock("DELETE", &format!("/v1/apps/{ID}"), &[], None)
        .with_status(204)
        .create();
    w.client().scope(|| App::delete(ID)).unwrap();
    m.assert();
    w.assert_no_strays();
}

#[test]
fn deletable_delete_sends_delete() {
    let mut w = Wire::start();
    let m = w
        .mock("DELETE", &format!("/v1/apps/{ID}"), &[], None)
        .with_status(204)
        .create();
    let app: App = serde_json::from_str(APP).unwrap();
    w.client().scope(|| app.delete()).unwrap();
    m.assert();
    w.assert_no_strays();
}

#[test]
fn delete_failure() {
    let mut w = Wire::start();
    let m = error_json(
        w.mock("DELETE", &format!("/v1/apps/{ID}"), &[], None),
        405,
        "method_not_allowed",
        "Apps in use cannot be deleted",
    );
    let err = w.client().scope(|| App::delete(ID)).unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::InvalidRequest,
        405,
        "method_not_allowed",
        "Apps in use cannot be deleted",
    );
    m.assert();
    w.assert_no_strays();
}

#[test]
fn list_without_params() {
    let mut w = Wire::start();
    let m = ok_json(w.mock("GET", "/v1/apps", &[], None), APPS_PAGE);
    let page = w.client().scope(|| App::list(&ListParams::new())).unwrap();
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
    m.assert();
    w.assert_no_strays();
}

#[test]
fn list_with_params() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock(
            "GET",
            "/v1/apps",
            &[("limit", "100"), ("starting_after", "app_Q1")],
            None,
        ),
        APPS_PAGE,
    );
    let params = ListParams::new().limit(100).starting_after("app_Q1");
    let page = w.client().scope(|| App::list(&params)).unwrap();
    assert_eq!(page.data.len(), 2);
    m.assert();
    w.assert_no_strays();
}

#[test]
fn list_failure() {
    let mut w = Wire::start();
    let m = error_json(
        w.mock("GET", "/v1/apps", &[], None),
        401,
        "unauthorized",
        "Invalid API key provided",
    );
    let err = w
        .client()
        .scope(|| App::list(&ListParams::new()))
        .unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::Authentication,
        401,
        "unauthorized",
        "Invalid API key provided",
    );
    m.assert();
    w.assert_no_strays();
}
