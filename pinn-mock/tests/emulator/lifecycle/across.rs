//! What spans the resources: pagination over hundreds of objects, authentication, ID
//! encoding, ID tokens, concurrent clients, health and startup.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use pinn::{App, AppCreateParams, AppType, ErrorKind, IdToken, ListParams, User, UserCreateParams};
use pinn_mock::MockServer;
use serde_json::json;

use super::*;

#[test]
fn three_hundred_users_paginate() {
    let s = MockServer::start();
    let c = s.client();
    let created: Vec<String> = c
        .scope(|| {
            (0..300)
                .map(|_| User::create(&UserCreateParams::new()).map(|u| u.user_id))
                .collect::<Result<_>>()
        })
        .unwrap();
    let newest_first: Vec<String> = created.iter().rev().cloned().collect();
    c.scope(|| -> Result {
        // Page by page at the maximum limit.
        let first = User::list(&ListParams::new().limit(100))?;
        assert_eq!((first.count, first.has_more), (100, true));
        assert_eq!(first.ended_at.as_deref(), Some(newest_first[99].as_str()));
        let second = first.next_page()?.unwrap();
        let third = second.next_page()?.unwrap();
        assert_eq!((third.count, third.has_more), (100, false));
        assert_eq!(third.ended_at.as_deref(), Some(created[0].as_str()));
        assert!(third.next_page()?.is_none());

        // Every user once, newest first, at limit 100 and at the default limit.
        let all: Vec<String> = User::list(&ListParams::new().limit(100))?
            .auto_paging_iter()
            .map(|u| u.map(|u| u.user_id))
            .collect::<Result<_>>()?;
        assert_eq!(all, newest_first);
        let default = User::list(&ListParams::new())?;
        assert_eq!((default.count, default.data.len()), (10, 10));
        let all: Vec<String> = default
            .auto_paging_iter()
            .map(|u| u.map(|u| u.user_id))
            .collect::<Result<_>>()?;
        assert_eq!(all.len(), 300);
        assert_eq!(all.iter().collect::<HashSet<_>>().len(), 300);

        // A cursor in the middle, and limits out of range.
        let mid = User::list(
            &ListParams::new()
                .limit(5)
                .starting_after(&newest_first[149]),
        )?;
        assert_eq!(mid.data[0].user_id, newest_first[150]);
        // The client refuses a limit out of range before sending it; the emulator answers
        // 400 to one sent anyway (as another SDK might).
        for bad in [0, 101, 1000] {
            let e = fails(User::list(&ListParams::new().limit(bad)));
            assert_eq!(
                (e.kind(), e.status()),
                (ErrorKind::InvalidRequest, None),
                "limit {bad}"
            );
            let path = format!("/v1/users?limit={bad}");
            let e = fails(pinn::Client::current().raw_request(pinn::Method::Get, &path, None));
            assert_eq!(
                (e.kind(), e.status()),
                (ErrorKind::InvalidRequest, Some(400)),
                "limit {bad}"
            );
        }
        let e = fails(User::list(
            &ListParams::new().starting_after("usr_not_in_this_list"),
        ));
        assert_eq!(
            (e.kind(), e.status()),
            (ErrorKind::InvalidRequest, Some(400))
        );
        Ok(())
    })
    .unwrap();
    let pages: Vec<_> = s
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.query.unwrap_or_default())
        .collect();
    assert_eq!(
        pages[1],
        format!("limit=100&starting_after={}", newest_first[99])
    );
    // 3 pages, 3 pages, then 30 pages at the default limit, with no limit sent.
    assert_eq!(pages[6], "");
    assert_eq!(pages[7], format!("starting_after={}", newest_first[9]));
    assert_eq!(s.count("user"), 300);
}

#[test]
fn wrong_key_is_an_authentication_error() {
    let s = MockServer::start();
    let wrong = pinn::Client::new(
        s.config_builder()
            .secret_key("sk_test_not_the_right_key_000")
            .build()
            .unwrap(),
    );
    let e = wrong.scope(|| User::list(&ListParams::new())).unwrap_err();
    assert_eq!(
        (e.kind(), e.status()),
        (ErrorKind::Authentication, Some(401))
    );
    assert_eq!(
        e.api_error().and_then(|a| a.error_type()),
        Some("unauthorized")
    );
    assert_eq!(e.attempts(), 1);
}

#[test]
fn ids_are_encoded_and_never_reach_another_endpoint() {
    let s = MockServer::start();
    s.client()
        .scope(|| -> Result {
            App::create(&AppCreateParams::new(AppType::Web, "Web"))?;
            for id in ["../apps", "x?limit=1", "a/b", "é", "%"] {
                let e = fails(User::retrieve(id));
                assert_eq!(
                    (e.kind(), e.status()),
                    (ErrorKind::InvalidRequest, Some(404)),
                    "{id}"
                );
                assert!(e.to_string().contains("no such user"), "{e}");
            }
            Ok(())
        })
        .unwrap();
    let paths: Vec<_> = s.requests().into_iter().skip(1).map(|r| r.path).collect();
    assert_eq!(paths[0], "/v1/users/%2E%2E%2Fapps");
    assert_eq!(paths[1], "/v1/users/x%3Flimit%3D1");
}

#[test]
fn id_tokens_verify_end_to_end() {
    let s = MockServer::start();
    let token = s.mint_id_token("usr_123", &["palm", "device"]);
    let claims = s
        .client()
        .scope(|| IdToken::verify(&token, &["palm"]))
        .unwrap();
    assert_eq!((claims.sub.as_str(), claims.iss), ("usr_123", s.url()));
    assert_eq!(claims.amr, ["palm", "device"]);
    assert!(claims.exp.is_some_and(|e| e as i64 > pinn_time()));
    let e = s
        .client()
        .scope(|| IdToken::verify(&token, &["face"]))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IdTokenVerification);
    // Another server's key does not verify it.
    let other = MockServer::start();
    let e = other
        .client()
        .scope(|| IdToken::verify(&token, &[]))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IdTokenVerification);
}

#[test]
fn concurrent_clients_share_one_consistent_store() {
    let s = MockServer::start();
    let ids: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let c = s.client();
                scope.spawn(move || {
                    c.scope(|| {
                        (0..25)
                            .map(|_| User::create(&UserCreateParams::new()).unwrap().user_id)
                            .collect::<Vec<_>>()
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 200);
    assert_eq!(
        (s.count("user"), s.creates("user"), s.creates("event")),
        (200, 200, 200)
    );
    let listed = s
        .client()
        .scope(|| User::list(&ListParams::new().limit(100)))
        .unwrap();
    assert_eq!(listed.count, 100);
}

#[test]
fn health_and_shutdown() {
    let s = MockServer::start();
    let c = s.client();
    assert!(c.scope(pinn::healthy));
    assert_eq!(s.requests()[0].path, "/health");
    let stopped = Instant::now();
    drop(s);
    assert!(stopped.elapsed() < Duration::from_secs(1));
    // The client's pooled connection is closed too: no hang until a timeout.
    let checked = Instant::now();
    assert!(!c.scope(pinn::healthy));
    assert!(
        checked.elapsed() < Duration::from_secs(2),
        "{:?}",
        checked.elapsed()
    );
}

#[test]
fn startup_is_well_under_100_ms() {
    let mut times: Vec<Duration> = (0..20)
        .map(|_| {
            let t = Instant::now();
            let s = MockServer::start();
            let took = t.elapsed();
            drop(s);
            took
        })
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    eprintln!(
        "MockServer::start(): median {median:?}, max {:?}",
        times[times.len() - 1]
    );
    assert!(
        median < Duration::from_millis(20),
        "median start {median:?}"
    );
    assert!(
        times[times.len() - 1] < Duration::from_millis(100),
        "{times:?}"
    );
}

#[test]
fn id_token_times_that_are_floats_are_reported() {
    let s = MockServer::start();
    let now = pinn_time() as f64;
    let token = s.sign_id_token(&json!({
        "sub": "usr_float", "iss": s.url(), "amr": ["palm"],
        "exp": now + 300.5, "nbf": now - 10.25,
    }));
    let claims = s
        .client()
        .scope(|| IdToken::verify(&token, &["palm"]))
        .unwrap();
    assert_eq!(claims.exp, Some((now + 300.5) as u64));
    assert_eq!(claims.nbf, Some((now - 10.25) as u64));
}

#[test]
fn recorded_requests_do_not_show_the_key_in_debug() {
    let s = MockServer::start();
    s.client().scope(|| User::list(&ListParams::new())).unwrap();
    let sent = s.requests();
    let shown = format!("{sent:?}");
    assert!(!shown.contains(s.secret_key()), "{shown}");
    assert!(shown.contains("<redacted>"));
    let bearer = format!("Bearer {}", s.secret_key());
    assert_eq!(sent[0].header("authorization"), Some(bearer.as_str()));
}
