//! Lists: `next_page()`, lazy auto-pagination, and the ways a server can make a list unsafe
//! to follow (a cursor that does not advance, a `url` on another host, an item of another
//! kind).

use crate::support::fixtures::{DEVICES_PAGE, EMPTY_LIST, USER, USERS_LAST_PAGE, USERS_PAGE};
use crate::support::{Wire, expect, labelled, ok_json};
use mockito::Mock;
use pinn::{Device, Error, ListParams, User};
use serde_json::{Value, json};

/// The first page's cursor (`ended_at` of users_page.json).
const CURSOR: &str = "usr_zsWljQAN7p6hBbbi15FXXUJp";

/// The queries a page of `/v1/users` is asked for with.
const NO_QUERY: &[(&str, &str)] = &[];
const LIMIT_2: &[(&str, &str)] = &[("limit", "2")];
const AFTER_CURSOR: &[(&str, &str)] = &[("starting_after", CURSOR)];
const LIMIT_2_AFTER_CURSOR: &[(&str, &str)] = &[("limit", "2"), ("starting_after", CURSOR)];

/// The two pages of users, asked for two at a time.
const TWO_PAGES_OF_2: &[(&[(&str, &str)], &str)] = &[
    (LIMIT_2, USERS_PAGE),
    (LIMIT_2_AFTER_CURSOR, USERS_LAST_PAGE),
];

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

/// A server of `/v1/users` pages, and the mocks to assert at the end.
struct Pages {
    w: Wire,
    mocks: Vec<(String, Mock)>,
}

/// Serves `pages` of `GET /v1/users`: each asked for with exactly its query, answered `200`
/// with its body, once.
fn serve(pages: &[(&[(&str, &str)], &str)]) -> Pages {
    let mut s = Pages {
        w: Wire::start(),
        mocks: Vec::new(),
    };
    for (query, page) in pages {
        let m = ok_json(s.w.mock("GET", "/v1/users", query, None), page);
        s.mocks
            .push((format!("page {} {query:?}", s.mocks.len() + 1), m));
    }
    s
}

impl Pages {
    fn client(&self) -> pinn::Client {
        self.w.client()
    }

    /// The mock of the `n`th page (from 1).
    fn page(&self, n: usize) -> &Mock {
        &self.mocks[n - 1].1
    }

    /// Asserts every page (a failure names it by its number and query) and that nothing else
    /// was requested.
    #[track_caller]
    fn assert_done(&self) {
        let mocks: Vec<(&str, &Mock)> = self.mocks.iter().map(|(l, m)| (l.as_str(), m)).collect();
        self.w.assert_done(&mocks);
    }

    /// Lists users with `params`, then walks the pages: every item until the first error.
    fn all_users(&self, params: &ListParams) -> pinn::Result<Vec<User>> {
        self.client()
            .scope(|| User::list(params))
            .unwrap()
            .auto_paging_iter()
            .collect()
    }

    /// Lists users with `params`, then walks the pages: every result, at most `max` of them
    /// (so that a walk that never ends fails on its count instead of hanging).
    fn walk(&self, params: &ListParams, max: usize) -> Vec<pinn::Result<User>> {
        self.client()
            .scope(|| User::list(params))
            .unwrap()
            .auto_paging_iter()
            .take(max)
            .collect()
    }
}

#[test]
fn auto_paging_walks_every_page_lazily_with_the_same_limit() {
    let s = serve(TWO_PAGES_OF_2);
    let page = s
        .client()
        .scope(|| User::list(&ListParams::new().limit(2)))
        .unwrap();
    s.page(1).assert();
    let mut all = page.auto_paging_iter();
    let a = all.next().unwrap().unwrap();
    let b = all.next().unwrap().unwrap();
    assert_eq!(ids(&[a, b]), ["usr_9Gq2n4Xb7LkPz1RtVw3YcDsA", CURSOR]);
    // Nothing fetched until the first page is used up.
    assert!(!s.page(2).matched());
    let c = all.next().unwrap().unwrap();
    assert_eq!(c.user_id, "usr_Ab3kLm9PqRs2TuVw4XyZ5aBc");
    s.page(2).assert();
    assert!(all.next().is_none());
    assert!(all.next().is_none());
    s.assert_done();
}

#[test]
fn auto_paging_without_a_limit_sends_only_the_cursor() {
    let s = serve(&[(NO_QUERY, USERS_PAGE), (AFTER_CURSOR, USERS_LAST_PAGE)]);
    let users = s.all_users(&ListParams::new()).unwrap();
    assert_eq!(users.len(), 3);
    s.assert_done();
}

#[test]
fn auto_paging_walks_three_pages() {
    let middle = edited(
        USERS_LAST_PAGE,
        json!({"has_more": true, "ended_at": "usr_Ab3kLm9PqRs2TuVw4XyZ5aBc"}),
    );
    let last = edited(
        EMPTY_LIST,
        json!({"data": [{"object": "user", "user_id": "usr_oldest"}], "count": 1}),
    );
    let after_middle = &[
        ("limit", "2"),
        ("starting_after", "usr_Ab3kLm9PqRs2TuVw4XyZ5aBc"),
    ];
    let s = serve(&[
        (LIMIT_2, USERS_PAGE),
        (LIMIT_2_AFTER_CURSOR, &middle),
        (after_middle, &last),
    ]);
    let users = s.all_users(&ListParams::new().limit(2)).unwrap();
    assert_eq!(
        ids(&users),
        [
            "usr_9Gq2n4Xb7LkPz1RtVw3YcDsA",
            CURSOR,
            "usr_Ab3kLm9PqRs2TuVw4XyZ5aBc",
            "usr_oldest"
        ]
    );
    s.assert_done();
}

#[test]
fn a_page_keeps_its_client_outside_the_scope() {
    let s = serve(TWO_PAGES_OF_2);
    let page = s
        .client()
        .scope(|| User::list(&ListParams::new().limit(2)))
        .unwrap();
    // Outside the scope: the next page still goes to this server with this key.
    let next = page.next_page().unwrap().unwrap();
    assert_eq!(next.data.len(), 1);
    s.assert_done();
}

#[test]
fn next_page_fetches_the_next_page_then_none() {
    let s = serve(TWO_PAGES_OF_2);
    s.client().scope(|| {
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
    s.assert_done();
}

#[test]
fn next_page_follows_the_lists_own_url() {
    let mut w = Wire::start();
    let user = "usr_zsWljQAN7p6hBbbi15FXXUJp";
    let path = format!("/v1/users/{user}/devices");
    let first_page = edited(DEVICES_PAGE, json!({"has_more": true}));
    let last_page = edited(
        DEVICES_PAGE,
        json!({"data": [], "count": 0, "ended_at": null}),
    );
    let after = &[
        ("limit", "2"),
        ("starting_after", "dev_Q5wE8rT2yU6iO9pA3sD7fG1h"),
    ];
    let first = ok_json(w.mock("GET", &path, LIMIT_2, None), &first_page);
    let second = ok_json(w.mock("GET", &path, after, None), &last_page);
    let client = w.client();
    let devices: Vec<Device> = client
        .scope(|| User::list_devices(user, &ListParams::new().limit(2)))
        .unwrap()
        .auto_paging_iter()
        .collect::<pinn::Result<_>>()
        .unwrap();
    assert_eq!(devices.len(), 2);
    w.assert_done(&[("first page", &first), ("second page", &second)]);
}

#[test]
fn the_empty_list() {
    let s = serve(&[(NO_QUERY, EMPTY_LIST)]);
    let page = s.client().scope(|| User::list(&ListParams::new())).unwrap();
    assert!(page.data.is_empty());
    assert_eq!(page.count, 0);
    assert!(!page.has_more);
    assert_eq!(page.ended_at, None);
    assert!(page.next_page().unwrap().is_none());
    assert_eq!(page.auto_paging_iter().count(), 0);
    s.assert_done();
}

#[test]
fn a_cursor_that_does_not_advance_is_an_error_not_a_loop() {
    // The server answers the next page with the same cursor and has_more again.
    let s = serve(&[(LIMIT_2, USERS_PAGE), (LIMIT_2_AFTER_CURSOR, USERS_PAGE)]);
    let results = s.walk(&ListParams::new().limit(2), 100);
    assert_eq!(results.len(), 3, "{results:?}");
    assert!(results[0].is_ok() && results[1].is_ok());
    let err = results[2].as_ref().unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert!(err.to_string().contains("did not advance"), "{err}");
    s.assert_done();
}

#[test]
fn next_page_with_a_stuck_cursor_is_an_error() {
    let s = serve(&[(NO_QUERY, USERS_PAGE), (AFTER_CURSOR, USERS_PAGE)]);
    let page = s.client().scope(|| User::list(&ListParams::new())).unwrap();
    let err = page.next_page().unwrap_err();
    assert!(err.to_string().contains("did not advance"), "{err}");
    s.assert_done();
}

#[test]
fn cursors_that_cannot_be_ids_are_refused_before_any_io() {
    let s = serve(&[(
        NO_QUERY,
        &edited(USERS_PAGE, json!({"ended_at": "u".repeat(5000)})),
    )]);
    let client = s.client();
    let page = client.scope(|| User::list(&ListParams::new())).unwrap();
    let err = page.next_page().unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert!(err.to_string().contains("too long"), "{err}");
    for bad in [String::new(), "u".repeat(5000)] {
        let err = client
            .scope(|| User::list(&ListParams::new().starting_after(bad)))
            .unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
        assert!(err.to_string().contains("starting_after"), "{err}");
    }
    s.assert_done();
}

#[test]
fn a_cursor_that_cycles_is_an_error_not_a_loop() {
    let page_a = edited(USERS_PAGE, json!({"ended_at": "usr_A"}));
    let page_b = edited(USERS_PAGE, json!({"ended_at": "usr_B"}));
    // Only the catch-all is asserted: how often the cycle is fetched is up to the client.
    let mut s = serve(&[(NO_QUERY, &page_a)]);
    let _to_b =
        s.w.mock("GET", "/v1/users", &[("starting_after", "usr_A")], None)
            .with_body(&page_b)
            .expect_at_least(1)
            .create();
    let _to_a =
        s.w.mock("GET", "/v1/users", &[("starting_after", "usr_B")], None)
            .with_body(&page_a)
            .expect_at_least(1)
            .create();
    let results = s.walk(&ListParams::new(), 50);
    assert!(
        results.iter().any(|r| r.is_err()),
        "50 items from a two-page cycle and no error"
    );
    s.w.assert_no_strays();
}

#[test]
fn an_empty_page_claiming_more_is_an_error() {
    let hollow = edited(
        EMPTY_LIST,
        json!({"has_more": true, "ended_at": "usr_elsewhere"}),
    );
    let s = serve(&[(NO_QUERY, USERS_PAGE), (AFTER_CURSOR, &hollow)]);
    let results = s.walk(&ListParams::new(), 100);
    assert_eq!(results.len(), 3);
    assert!(results[2].is_err());
    s.assert_done();
}

#[test]
fn has_more_without_a_cursor_is_an_error_and_no_request() {
    let s = serve(&[(NO_QUERY, &edited(USERS_PAGE, json!({"ended_at": null})))]);
    let page = s.client().scope(|| User::list(&ListParams::new())).unwrap();
    let err = page.next_page().unwrap_err();
    assert!(err.to_string().contains("ended_at"), "{err}");
    s.assert_done();
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
        labelled(&format!("url {url:?}"), || {
            let s = serve(&[(NO_QUERY, &edited(USERS_PAGE, json!({ "url": url })))]);
            let page = s.client().scope(|| User::list(&ListParams::new())).unwrap();
            let err = page.next_page().unwrap_err();
            assert!(matches!(err, Error::Decode(_)), "{err:?}");
            let mut all = page.auto_paging_iter();
            assert!(all.next().unwrap().is_ok());
            assert!(all.next().unwrap().is_ok());
            assert!(all.next().unwrap().is_err());
            assert!(all.next().is_none());
            s.assert_done();
        });
    }
}

#[test]
fn an_item_of_another_kind_is_an_error() {
    let mut page: Value = serde_json::from_str(USERS_PAGE).unwrap();
    page["data"][1]["object"] = json!("device");
    let err = expect("User::list", "GET", "/v1/users")
        .respond(
            |m| ok_json(m, &page.to_string()),
            || User::list(&ListParams::new()),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert!(err.to_string().contains("device"), "{err}");
}

#[test]
fn an_item_of_another_kind_on_a_later_page_is_an_error() {
    let mut last: Value = serde_json::from_str(USERS_LAST_PAGE).unwrap();
    last["data"][0]["object"] = json!("app");
    let s = serve(&[(NO_QUERY, USERS_PAGE), (AFTER_CURSOR, &last.to_string())]);
    let results = s.walk(&ListParams::new(), usize::MAX);
    assert_eq!(results.len(), 3);
    assert!(results[2].as_ref().unwrap_err().to_string().contains("app"));
    s.assert_done();
}

#[test]
fn a_body_that_is_not_a_list_is_an_error() {
    let err = expect("User::list", "GET", "/v1/users")
        .respond(|m| ok_json(m, USER), || User::list(&ListParams::new()))
        .unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
}

#[test]
fn an_error_on_a_later_page_ends_the_iteration() {
    let mut s = serve(&[(NO_QUERY, USERS_PAGE)]);
    let failing = crate::support::error_json(
        s.w.mock("GET", "/v1/users", AFTER_CURSOR, None),
        500,
        "internal_server_error",
        "boom",
    );
    s.mocks.push(("failing page 2".into(), failing));
    let results = s.walk(&ListParams::new(), usize::MAX);
    assert_eq!(results.len(), 3);
    let err = results[2].as_ref().unwrap_err();
    assert_eq!(err.kind(), pinn::ErrorKind::Api);
    assert_eq!(err.status(), Some(500));
    s.assert_done();
}

#[test]
fn a_page_displays_as_json() {
    let page = expect("User::list", "GET", "/v1/users")
        .ok_json(USERS_PAGE, || User::list(&ListParams::new()));
    let shown: Value = serde_json::from_str(&page.to_string()).unwrap();
    assert_eq!(shown, serde_json::from_str::<Value>(USERS_PAGE).unwrap());
}

#[test]
fn pages_walk_page_by_page_lazily_the_first_one_first() {
    let s = serve(TWO_PAGES_OF_2);
    let first = s
        .client()
        .users()
        .list(&ListParams::new().limit(2))
        .unwrap();
    let mut pages = first.pages();
    assert!(format!("{pages:?}").contains("at: \"first\""), "{pages:?}");
    let one = pages.next().unwrap().unwrap();
    assert_eq!(one.ended_at.as_deref(), Some(CURSOR));
    assert!(!s.page(2).matched(), "the second page is not fetched yet");
    let two = pages.next().unwrap().unwrap();
    assert!(!two.has_more);
    assert!(pages.next().is_none());
    assert!(pages.next().is_none(), "still done");
    assert!(
        format!("{pages:?}").contains("pages_fetched: 1"),
        "{pages:?}"
    );
    s.assert_done();
}

#[test]
fn pages_stop_at_the_first_error_as_items_do() {
    let mut w = Wire::start();
    let first = ok_json(w.mock("GET", "/v1/users", LIMIT_2, None), USERS_PAGE);
    let failed = w
        .mock("GET", "/v1/users", LIMIT_2_AFTER_CURSOR, None)
        .with_status(500)
        .create();
    let client = w.client();
    let pages: Vec<_> = client
        .users()
        .list(&ListParams::new().limit(2))
        .unwrap()
        .pages()
        .collect();
    assert_eq!(pages.len(), 2);
    assert!(pages[0].is_ok());
    assert_eq!(pages[1].as_ref().unwrap_err().status(), Some(500));
    w.assert_done(&[("first", &first), ("second", &failed)]);
}

#[test]
fn the_item_walk_shows_where_it_is_in_its_debug() {
    let s = serve(&[(LIMIT_2, USERS_LAST_PAGE)]);
    let mut items = s
        .client()
        .users()
        .list(&ListParams::new().limit(2))
        .unwrap()
        .auto_paging_iter();
    let before = format!("{items:?}");
    assert!(
        before.starts_with("AutoPaging { pages: Pages {"),
        "{before}"
    );
    items.next().unwrap().unwrap();
    assert!(
        format!("{items:?}").contains("items_left_in_page"),
        "{items:?}"
    );
    s.assert_done();
}

#[test]
fn a_limit_outside_1_to_100_is_refused_before_any_io() {
    let w = Wire::start();
    let client = w.client();
    for limit in [0, ListParams::MAX_LIMIT + 1, u32::MAX] {
        let err = client
            .users()
            .list(&ListParams::new().limit(limit))
            .unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{limit}: {err:?}");
        assert!(err.to_string().contains("from 1 to 100"), "{err}");
    }
    w.assert_no_strays();
    // 1 and 100 are sent as they are.
    for (limit, sent) in [(1, "1"), (ListParams::MAX_LIMIT, "100")] {
        expect("User::list", "GET", "/v1/users")
            .query(&[("limit", sent)])
            .ok_json(EMPTY_LIST, || User::list(&ListParams::new().limit(limit)));
    }
}
