//! Lists: `next_page()`, lazy auto-pagination, and the ways a server can make a list unsafe
//! to follow (a cursor that does not advance, a `url` on another host, an item of another
//! kind).

mod common;

use common::{ok_json, Wire};
use pinn::{Device, Error, ListParams, User};
use serde_json::{json, Value};

const USERS_PAGE: &str = include_str!("fixtures/users_page.json");
const USERS_LAST_PAGE: &str = include_str!("fixtures/users_last_page.json");
const EMPTY_LIST: &str = include_str!("fixtures/empty_list.json");
const DEVICES_PAGE: &str = include_str!("fixtures/devices_page.json");

/// The first page's cursor (`ended_at` of users_page.json).
const CURSOR: &str = "usr_zsWljQAN7p6hBbbi15FXXUJp";

/// A fixture with some top-level fields replaced.
fn edited(fixture: &str, changes: Value) -> String {
    let mut v: Value = serde_json::from_str(fixture).unwrap();
    for (k, val) in changes.as_object().unwrap() {
        v[k] = val.clone();
    }
    v.to_string()
}

fn ids(users: &[User]) -> Vec<String> {
    users.iter().map(|u| u.user_id.clone()).collect()
}

#[test]
fn auto_paging_walks_every_page_lazily_with_the_same_limit() {
    let mut w = Wire::start();
    let first = ok_json(
        w.mock("GET", "/v1/users", &[("limit", "2")], None),
        USERS_PAGE,
    );
    let second = ok_json(
        w.mock(
            "GET",
            "/v1/users",
            &[("limit", "2"), ("starting_after", CURSOR)],
            None,
        ),
        USERS_LAST_PAGE,
    );
    let client = w.client();
    let page = client
        .scope(|| User::list(&ListParams::new().limit(2)))
        .unwrap();
    first.assert();
    let mut all = page.auto_paging_iter();
    let a = all.next().unwrap().unwrap();
    let b = all.next().unwrap().unwrap();
    assert_eq!(ids(&[a, b]), ["usr_9Gq2n4Xb7LkPz1RtVw3YcDsA", CURSOR]);
    // Nothing fetched until the first page is used up.
    assert!(!second.matched());
    let c = all.next().unwrap().unwrap();
    assert_eq!(c.user_id, "usr_Ab3kLm9PqRs2TuVw4XyZ5aBc");
    second.assert();
    assert!(all.next().is_none());
    assert!(all.next().is_none());
    w.assert_no_strays();
}

#[test]
fn auto_paging_without_a_limit_sends_only_the_cursor() {
    let mut w = Wire::start();
    let first = ok_json(w.mock("GET", "/v1/users", &[], None), USERS_PAGE);
    let second = ok_json(
        w.mock("GET", "/v1/users", &[("starting_after", CURSOR)], None),
        USERS_LAST_PAGE,
    );
    let client = w.client();
    let users: Vec<User> = client
        .scope(|| User::list(&ListParams::new()))
        .unwrap()
        .auto_paging_iter()
        .collect::<pinn::Result<_>>()
        .unwrap();
    assert_eq!(users.len(), 3);
    first.assert();
    second.assert();
    w.assert_no_strays();
}

#[test]
fn auto_paging_walks_three_pages() {
    let mut w = Wire::start();
    let middle = edited(
        USERS_LAST_PAGE,
        json!({"has_more": true, "ended_at": "usr_Ab3kLm9PqRs2TuVw4XyZ5aBc"}),
    );
    let last = edited(
        EMPTY_LIST,
        json!({"data": [{"object": "user", "user_id": "usr_oldest"}], "count": 1}),
    );
    let m1 = ok_json(
        w.mock("GET", "/v1/users", &[("limit", "2")], None),
        USERS_PAGE,
    );
    let m2 = ok_json(
        w.mock(
            "GET",
            "/v1/users",
            &[("limit", "2"), ("starting_after", CURSOR)],
            None,
        ),
        &middle,
    );
    let m3 = ok_json(
        w.mock(
            "GET",
            "/v1/users",
            &[
                ("limit", "2"),
                ("starting_after", "usr_Ab3kLm9PqRs2TuVw4XyZ5aBc"),
            ],
            None,
        ),
        &last,
    );
    let client = w.client();
    let users: Vec<User> = client
        .scope(|| User::list(&ListParams::new().limit(2)))
        .unwrap()
        .auto_paging_iter()
        .collect::<pinn::Result<_>>()
        .unwrap();
    assert_eq!(
        ids(&users),
        [
            "usr_9Gq2n4Xb7LkPz1RtVw3YcDsA",
            CURSOR,
            "usr_Ab3kLm9PqRs2TuVw4XyZ5aBc",
            "usr_oldest"
        ]
    );
    m1.assert();
    m2.assert();
    m3.assert();
    w.assert_no_strays();
}

#[test]
fn a_page_keeps_its_client_outside_the_scope() {
    let mut w = Wire::start();
    let first = ok_json(
        w.mock("GET", "/v1/users", &[("limit", "2")], None),
        USERS_PAGE,
    );
    let second = ok_json(
        w.mock(
            "GET",
            "/v1/users",
            &[("limit", "2"), ("starting_after", CURSOR)],
            None,
        ),
        USERS_LAST_PAGE,
    );
    let page = w
        .client()
        .scope(|| User::list(&ListParams::new().limit(2)))
        .unwrap();
    // Outside the scope: the next page still goes to this server with this key.
    let next = page.next_page().unwrap().unwrap();
    assert_eq!(next.data.len(), 1);
    first.assert();
    second.assert();
    w.assert_no_strays();
}

#[test]
fn next_page_fetches_the_next_page_then_none() {
    let mut w = Wire::start();
    let first = ok_json(
        w.mock("GET", "/v1/users", &[("limit", "2")], None),
        USERS_PAGE,
    );
    let second = ok_json(
        w.mock(
            "GET",
            "/v1/users",
            &[("limit", "2"), ("starting_after", CURSOR)],
            None,
        ),
        USERS_LAST_PAGE,
    );
    let client = w.client();
    client.scope(|| {
        let page = User::list(&ListParams::new().limit(2)).unwrap();
        assert!(page.has_more);
        let next = page.next_page().unwrap().expect("has_more is true");
        assert_eq!(next.url, "/v1/users");
        assert!(!next.has_more);
        assert_eq!(ids(&next.data), ["usr_Ab3kLm9PqRs2TuVw4XyZ5aBc"]);
        assert!(next.next_page().unwrap().is_none());
        // The page iterates its own items.
        let mine: Vec<&str> = (&page).into_iter().map(|u| u.user_id.as_str()).collect();
        assert_eq!(mine, ["usr_9Gq2n4Xb7LkPz1RtVw3YcDsA", CURSOR]);
        assert_eq!(page.into_iter().count(), 2);
    });
    first.assert();
    second.assert();
    w.assert_no_strays();
}

#[test]
fn next_page_follows_the_lists_own_url() {
    let mut w = Wire::start();
    let user = "usr_zsWljQAN7p6hBbbi15FXXUJp";
    let path = format!("/v1/users/{user}/devices");
    let first_page = edited(DEVICES_PAGE, json!({"has_more": true}));
    let first = ok_json(w.mock("GET", &path, &[("limit", "2")], None), &first_page);
    let second = ok_json(
        w.mock(
            "GET",
            &path,
            &[
                ("limit", "2"),
                ("starting_after", "dev_Q5wE8rT2yU6iO9pA3sD7fG1h"),
            ],
            None,
        ),
        &edited(
            DEVICES_PAGE,
            json!({"data": [], "count": 0, "ended_at": null}),
        ),
    );
    let client = w.client();
    let devices: Vec<Device> = client
        .scope(|| User::list_devices(user, &ListParams::new().limit(2)))
        .unwrap()
        .auto_paging_iter()
        .collect::<pinn::Result<_>>()
        .unwrap();
    assert_eq!(devices.len(), 2);
    first.assert();
    second.assert();
    w.assert_no_strays();
}

#[test]
fn the_empty_list() {
    let mut w = Wire::start();
    let m = ok_json(w.mock("GET", "/v1/users", &[], None), EMPTY_LIST);
    let client = w.client();
    let page = client.scope(|| User::list(&ListParams::new())).unwrap();
    assert!(page.data.is_empty());
    assert_eq!(page.count, 0);
    assert!(!page.has_more);
    assert_eq!(page.ended_at, None);
    assert!(page.next_page().unwrap().is_none());
    assert_eq!(page.auto_paging_iter().count(), 0);
    m.assert();
    w.assert_no_strays();
}

#[test]
fn a_cursor_that_does_not_advance_is_an_error_not_a_loop() {
    let mut w = Wire::start();
    let first = ok_json(
        w.mock("GET", "/v1/users", &[("limit", "2")], None),
        USERS_PAGE,
    );
    // The server answers the next page with the same cursor and has_more again.
    let again = ok_json(
        w.mock(
            "GET",
            "/v1/users",
            &[("limit", "2"), ("starting_after", CURSOR)],
            None,
        ),
        USERS_PAGE,
    );
    let client = w.client();
    let results: Vec<pinn::Result<User>> = client
        .scope(|| User::list(&ListParams::new().limit(2)))
        .unwrap()
        .auto_paging_iter()
        .take(100)
        .collect();
    assert_eq!(results.len(), 3, "{results:?}");
    assert!(results[0].is_ok() && results[1].is_ok());
    let err = results[2].as_ref().unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("did not advance"), "{err}");
    first.assert();
    again.assert();
    w.assert_no_strays();
}

#[test]
fn next_page_with_a_stuck_cursor_is_an_error() {
    let mut w = Wire::start();
    let first = ok_json(w.mock("GET", "/v1/users", &[], None), USERS_PAGE);
    let again = ok_json(
        w.mock("GET", "/v1/users", &[("starting_after", CURSOR)], None),
        USERS_PAGE,
    );
    let client = w.client();
    let page = client.scope(|| User::list(&ListParams::new())).unwrap();
    let err = page.next_page().unwrap_err();
    assert!(err.to_string().contains("did not advance"), "{err}");
    first.assert();
    again.assert();
    w.assert_no_strays();
}

#[test]
fn a_cursor_that_cycles_is_an_error_not_a_loop() {
    let mut w = Wire::start();
    let page_a = edited(USERS_PAGE, json!({"ended_at": "usr_A"}));
    let page_b = edited(USERS_PAGE, json!({"ended_at": "usr_B"}));
    let _first = ok_json(w.mock("GET", "/v1/users", &[], None), &page_a);
    let _to_b = w
        .mock("GET", "/v1/users", &[("starting_after", "usr_A")], None)
        .with_body(&page_b)
        .expect_at_least(1)
        .create();
    let _to_a = w
        .mock("GET", "/v1/users", &[("starting_after", "usr_B")], None)
        .with_body(&page_a)
        .expect_at_least(1)
        .create();
    let client = w.client();
    let results: Vec<pinn::Result<User>> = client
        .scope(|| User::list(&ListParams::new()))
        .unwrap()
        .auto_paging_iter()
        .take(50)
        .collect();
    assert!(
        results.iter().any(|r| r.is_err()),
        "50 items from a two-page cycle and no error"
    );
    w.assert_no_strays();
}

#[test]
fn an_empty_page_claiming_more_is_an_error() {
    let mut w = Wire::start();
    let first = ok_json(w.mock("GET", "/v1/users", &[], None), USERS_PAGE);
    let hollow = edited(
        EMPTY_LIST,
        json!({"has_more": true, "ended_at": "usr_elsewhere"}),
    );
    let second = ok_json(
        w.mock("GET", "/v1/users", &[("starting_after", CURSOR)], None),
        &hollow,
    );
    let client = w.client();
    let results: Vec<_> = client
        .scope(|| User::list(&ListParams::new()))
        .unwrap()
        .auto_paging_iter()
        .take(100)
        .collect();
    assert_eq!(results.len(), 3);
    assert!(results[2].is_err());
    first.assert();
    second.assert();
    w.assert_no_strays();
}

#[test]
fn has_more_without_a_cursor_is_an_error_and_no_request() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock("GET", "/v1/users", &[], None),
        &edited(USERS_PAGE, json!({"ended_at": null})),
    );
    let client = w.client();
    let page = client.scope(|| User::list(&ListParams::new())).unwrap();
    let err = page.next_page().unwrap_err();
    assert!(err.to_string().contains("ended_at"), "{err}");
    m.assert();
    w.assert_no_strays();
}

#[test]
fn a_url_on_another_host_is_never_followed() {
    for url in [
        "https://evil.example/v1/users",
        "//evil.example/v1/users",
        "http://127.0.0.1:1/v1/users",
        "/v1/users?limit=100",
        "/v1/../v1/apps",
        "v1/users",
        "",
    ] {
        let mut w = Wire::start();
        let m = ok_json(
            w.mock("GET", "/v1/users", &[], None),
            &edited(USERS_PAGE, json!({ "url": url })),
        );
        let client = w.client();
        let page = client.scope(|| User::list(&ListParams::new())).unwrap();
        let err = page.next_page().unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{url}: {err:?}");
        let mut all = page.auto_paging_iter();
        assert!(all.next().unwrap().is_ok());
        assert!(all.next().unwrap().is_ok());
        assert!(all.next().unwrap().is_err(), "{url}");
        assert!(all.next().is_none());
        m.assert();
        w.assert_no_strays();
    }
}

#[test]
fn an_item_of_another_kind_is_an_error() {
    let mut w = Wire::start();
    let mut page: Value = serde_json::from_str(USERS_PAGE).unwrap();
    page["data"][1]["object"] = json!("device");
    let m = ok_json(w.mock("GET", "/v1/users", &[], None), &page.to_string());
    let err = w
        .client()
        .scope(|| User::list(&ListParams::new()))
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("device"), "{err}");
    m.assert();
    w.assert_no_strays();
}

#[test]
fn an_item_of_another_kind_on_a_later_page_is_an_error() {
    let mut w = Wire::start();
    let mut last: Value = serde_json::from_str(USERS_LAST_PAGE).unwrap();
    last["data"][0]["object"] = json!("app");
    let first = ok_json(w.mock("GET", "/v1/users", &[], None), USERS_PAGE);
    let second = ok_json(
        w.mock("GET", "/v1/users", &[("starting_after", CURSOR)], None),
        &last.to_string(),
    );
    let results: Vec<_> = w
        .client()
        .scope(|| User::list(&ListParams::new()))
        .unwrap()
        .auto_paging_iter()
        .collect();
    assert_eq!(results.len(), 3);
    assert!(results[2].as_ref().unwrap_err().to_string().contains("app"));
    first.assert();
    second.assert();
    w.assert_no_strays();
}

#[test]
fn a_body_that_is_not_a_list_is_an_error() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock("GET", "/v1/users", &[], None),
        include_str!("fixtures/user.json"),
    );
    let err = w
        .client()
        .scope(|| User::list(&ListParams::new()))
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    m.assert();
    w.assert_no_strays();
}

#[test]
fn an_error_on_a_later_page_ends_the_iteration() {
    let mut w = Wire::start();
    let first = ok_json(w.mock("GET", "/v1/users", &[], None), USERS_PAGE);
    let second = common::error_json(
        w.mock("GET", "/v1/users", &[("starting_after", CURSOR)], None),
        500,
        "internal_server_error",
        "boom",
    );
    let results: Vec<_> = w
        .client()
        .scope(|| User::list(&ListParams::new()))
        .unwrap()
        .auto_paging_iter()
        .collect();
    assert_eq!(results.len(), 3);
    let err = results[2].as_ref().unwrap_err();
    assert_eq!(err.kind(), pinn::ErrorKind::Api);
    assert_eq!(err.status(), Some(500));
    first.assert();
    second.assert();
    w.assert_no_strays();
}

#[test]
fn a_page_displays_as_json() {
    let mut w = Wire::start();
    let m = ok_json(w.mock("GET", "/v1/users", &[], None), USERS_PAGE);
    let page = w.client().scope(|| User::list(&ListParams::new())).unwrap();
    let shown: Value = serde_json::from_str(&page.to_string()).unwrap();
    assert_eq!(shown, serde_json::from_str::<Value>(USERS_PAGE).unwrap());
    m.assert();
    w.assert_no_strays();
}
