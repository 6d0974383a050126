//! What is retried, how long the client waits, and what a lost reply means.

use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use pinn::{Client, ErrorKind, User};

use super::*;
use crate::support::*;

/// Answers the first request with 429 and `Retry-After: value`, the next ones with a user.
fn rate_limited_once(value: String) -> Server {
    Server::start(move |n, _, s| {
        if n == 0 {
            let body = r#"{"error":{"type":"rate_limit_exceeded","message":"slow down"}}"#;
            respond(s, 429, &[("Retry-After", &value)], body.as_bytes());
        } else {
            respond_json(s, 200, &user_json("usr_1"));
        }
    })
}

#[test]
fn retry_after_in_seconds_is_honoured() {
    let server = rate_limited_once("2".into());
    let url = server.url();
    within(LIMIT, move || {
        assert_eq!(get(&client(&url)).unwrap().user_id, "usr_1");
        assert_eq!(take_waits(), [Duration::from_secs(2)]);
    });
    assert_eq!(server.seen().len(), 2);
}

#[test]
fn retry_after_as_an_http_date_is_honoured() {
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(5));
    let server = rate_limited_once(date);
    let url = server.url();
    within(LIMIT, move || {
        assert_eq!(create(&client(&url)).unwrap().user_id, "usr_1");
        let waits = take_waits();
        assert_eq!(waits.len(), 1);
        // The date has whole seconds: between 4 and 5 s from now, minus the time spent.
        assert!(
            (Duration::from_secs(3)..=Duration::from_secs(5)).contains(&waits[0]),
            "{waits:?}"
        );
    });
    assert_eq!(server.seen().len(), 2);
}

/// A `Retry-After` the client cannot read, or one too large to honour, ends the call at once:
/// the longer or stranger the server's ask, never the sooner the retry.
#[test]
fn unreadable_or_huge_retry_after_is_never_retried_sooner() {
    for value in [
        "soon",
        "-5",
        "inf",
        "NaN",
        "1e10",
        "1e20",
        "1e999",
        "18446744073709551616",
        "Mon, 99 Foo 2024 99:99:99 GMT",
        "２",
    ] {
        let server = rate_limited_once(value.into());
        let url = server.url();
        within(LIMIT, move || {
            let err = get(&client(&url)).unwrap_err();
            assert_clean(&err);
            assert_eq!(
                (err.kind(), err.attempts()),
                (ErrorKind::RateLimit, 1),
                "{value}"
            );
            assert_eq!(err.api_error().unwrap().retry_after(), Some(value));
            assert!(take_waits().is_empty(), "{value}");
        });
        assert_eq!(server.seen().len(), 1, "{value}");
    }
}

#[test]
fn retry_after_over_the_cap_returns_the_error_at_once() {
    let far = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3600));
    for value in ["61".to_string(), "86400".into(), far] {
        let server = rate_limited_once(value.clone());
        let url = server.url();
        within(LIMIT, move || {
            let err = get(&client(&url)).unwrap_err();
            assert_clean(&err);
            assert_eq!(err.kind(), ErrorKind::RateLimit, "{value}");
            assert_eq!(err.attempts(), 1, "{value}");
            assert_eq!(err.api_error().unwrap().retry_after(), Some(&*value));
            assert!(err.is_retryable());
            assert!(take_waits().is_empty(), "{value}");
        });
        assert_eq!(server.seen().len(), 1);
    }
}

#[test]
fn the_final_error_counts_every_attempt() {
    let server = Server::start(|_, _, s| {
        respond_json(
            s,
            503,
            r#"{"error":{"type":"service_unavailable","message":"down"}}"#,
        )
    });
    let url = server.url();
    within(LIMIT, move || {
        for (retries, attempts) in [(0u32, 1u32), (2, 3), (5, 6)] {
            let c = Client::new(builder(&url).max_retries(retries).build().unwrap());
            let err = get(&c).unwrap_err();
            assert_clean(&err);
            assert_eq!(err.kind(), ErrorKind::ApiConnection);
            assert_eq!(err.attempts(), attempts);
            let shown = err.to_string();
            assert_eq!(
                shown.contains(&format!("after {attempts} attempts")),
                attempts > 1,
                "{shown}"
            );
            let waits = take_waits();
            assert_eq!(waits.len() as u32, retries);
            assert!(
                waits.iter().all(|w| *w <= Duration::from_secs(8)),
                "{waits:?}"
            );
        }
    });
    assert_eq!(server.seen().len(), 1 + 3 + 6);
}

#[test]
fn a_post_that_got_a_500_502_or_504_is_not_retried() {
    for status in [500u16, 502, 504] {
        let server = Server::start(move |_, _, s| respond(s, status, &[], b"oops"));
        let url = server.url();
        within(LIMIT, move || {
            let err = create(&client(&url)).unwrap_err();
            assert_clean(&err);
            assert_eq!(err.status(), Some(status));
            assert_eq!(err.attempts(), 1);
            assert!(take_waits().is_empty());
        });
        assert_eq!(server.seen().len(), 1, "status {status}: sent twice");
    }
}

/// Fails every third request (n = 2, 5, 8, …) the way `fail` says; serves the rest like a
/// tiny user store, counting creates.
fn flaky(
    fail: impl Fn(usize, &mut TcpStream) + Send + Sync + 'static,
) -> (Server, Arc<AtomicUsize>) {
    let created = Arc::new(AtomicUsize::new(0));
    let count = created.clone();
    // Keep-alive, so the client's pool is exercised too; a failure closes its connection.
    let server = Server::start_keep_alive(move |n, req, s| {
        if n % 3 == 2 {
            return fail(n, s);
        }
        match (req.method.as_str(), req.path.as_str()) {
            ("POST", "/v1/users") => {
                let id = count.fetch_add(1, Ordering::SeqCst);
                respond_keep_alive(s, 200, &user_json(&format!("usr_{id}")));
            }
            ("GET", path) if path.starts_with("/v1/users/") => {
                respond_keep_alive(s, 200, &user_json(&path["/v1/users/".len()..]));
            }
            _ => respond_keep_alive(s, 404, ""),
        }
    });
    (server, created)
}

#[test]
fn five_hundred_gets_against_a_flaky_server_all_succeed() {
    // Every third request is a 503, a 500 or a dropped connection, in turn.
    let (server, _) = flaky(|n, s| match (n / 3) % 3 {
        0 => respond(s, 503, &[], b"<html>busy</html>"),
        1 => respond(s, 500, &[], b""),
        _ => {
            let _ = s.shutdown(Shutdown::Both);
        }
    });
    let url = server.url();
    within(Duration::from_secs(20), move || {
        let c = client(&url);
        for i in 0..500 {
            let id = format!("usr_{i}");
            let user = c
                .scope(|| User::retrieve(&id))
                .unwrap_or_else(|e| panic!("get {i}: {e:?}"));
            assert_eq!(user.user_id, id);
        }
        assert!(take_waits().len() >= 200);
    });
    let total = server.seen().len();
    assert_eq!(total - total / 3, 500, "{total} requests");
}

#[test]
fn a_hundred_creates_against_a_flaky_server_create_exactly_a_hundred_users() {
    // The failures a POST may retry: 503, and 429 with a Retry-After.
    let (server, created) = flaky(|n, s| {
        if n % 2 == 0 {
            respond(s, 503, &[], b"");
        } else {
            respond(s, 429, &[("Retry-After", "1")], b"");
        }
    });
    let url = server.url();
    let ids = within(Duration::from_secs(20), move || {
        let c = client(&url);
        let ids: Vec<String> = (0..100)
            .map(|i| {
                create(&c)
                    .unwrap_or_else(|e| panic!("create {i}: {e:?}"))
                    .user_id
            })
            .collect();
        assert!(take_waits().len() >= 40);
        ids
    });
    assert_eq!(created.load(Ordering::SeqCst), 100);
    let distinct: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), 100);
    let posts = server.seen().iter().filter(|r| r.method == "POST").count();
    assert!(posts >= 140, "{posts} posts");
}

#[test]
fn a_lost_reply_to_a_post_is_maybe_processed_and_not_retryable() {
    // The server reads the request, then drops the connection without a word.
    let server = Server::start(|_, _, s| {
        let _ = s.shutdown(Shutdown::Both);
    });
    let url = server.url();
    within(LIMIT, move || {
        let c = Client::new(builder(&url).max_retries(0).build().unwrap());
        let post = create(&c).unwrap_err();
        assert_eq!(post.kind(), ErrorKind::ApiConnection);
        assert_eq!(post.outcome(), pinn::Outcome::MaybeProcessed);
        assert!(
            !post.is_retryable(),
            "sending the create again could duplicate it"
        );
        let read = get(&c).unwrap_err();
        assert_eq!(read.outcome(), pinn::Outcome::MaybeProcessed);
        assert!(read.is_retryable(), "reading again is harmless");
    });
    let refused = format!("http://127.0.0.1:{}", refused_port());
    within(LIMIT, move || {
        let c = Client::new(builder(&refused).max_retries(0).build().unwrap());
        let post = create(&c).unwrap_err();
        assert_eq!(post.outcome(), pinn::Outcome::NotSent);
        assert!(post.is_retryable(), "nothing was sent");
    });
    // A 500 to a POST: the server may have created it.
    let server = Server::start(|_, _, s| respond_json(s, 500, "{}"));
    let url = server.url();
    within(LIMIT, move || {
        let err = create(&client(&url)).unwrap_err();
        assert_eq!(
            (err.outcome(), err.is_retryable()),
            (pinn::Outcome::MaybeProcessed, false)
        );
        let err = get(&client(&url)).unwrap_err();
        assert!(err.is_retryable());
        take_waits();
    });
}

#[test]
fn a_retried_call_reports_the_least_certain_outcome_of_its_attempts() {
    // A PATCH whose first attempt got a 500 (it may have updated) and whose retry got a
    // 404: the user may have been updated, then deleted by someone else.
    let first_500_then_404 = |n: usize, _: &Seen, s: &mut std::net::TcpStream| {
        if n == 0 {
            respond_json(s, 500, "{}");
        } else {
            let body = r#"{"error":{"type":"not_found","message":"no such user"}}"#;
            respond_json(s, 404, body);
        }
    };
    let server = Server::start(first_500_then_404);
    let url = server.url();
    within(LIMIT, move || {
        let params = pinn::UserUpdateParams::new().status("disabled");
        let err = client(&url).users().update("usr_1", &params).unwrap_err();
        assert_eq!((err.status(), err.attempts()), (Some(404), 2));
        assert_eq!(err.outcome(), pinn::Outcome::MaybeProcessed);
        take_waits();
    });
    // A DELETE that goes the same way succeeded: its first attempt may have deleted the
    // user, and the user is gone either way.
    let server = Server::start(first_500_then_404);
    let url = server.url();
    within(LIMIT, move || {
        let gone = client(&url).users().delete("usr_1").unwrap();
        assert!(gone.already_gone());
        assert_eq!((gone.status(), gone.attempts()), (404, 2));
        take_waits();
    });

    // Statuses that say nothing was done are `Failed`; any other leaves it open.
    for (status, outcome) in [
        (404, pinn::Outcome::Failed),
        (501, pinn::Outcome::Failed),
        (503, pinn::Outcome::Failed),
        (505, pinn::Outcome::Failed),
        (301, pinn::Outcome::MaybeProcessed),
        (303, pinn::Outcome::MaybeProcessed),
        (507, pinn::Outcome::MaybeProcessed),
        (524, pinn::Outcome::MaybeProcessed),
    ] {
        let server = Server::start(move |_, _, s| respond(s, status, &[], b""));
        let url = server.url();
        within(LIMIT, move || {
            let c = Client::new(builder(&url).max_retries(0).build().unwrap());
            let err = create(&c).unwrap_err();
            assert_eq!((err.status(), err.outcome()), (Some(status), outcome));
        });
    }
}

#[test]
fn a_delete_that_landed_before_its_connection_broke_is_ok_against_the_emulator() {
    use pinn_mock::{Fault, MockServer};
    let server = MockServer::start();
    let client = Client::new(server.config_builder().sleeper(|_| {}).build().unwrap());
    for fault in [Fault::close(), Fault::status(502), Fault::status(504)] {
        let user = client.users().create(&Default::default()).unwrap();
        server.inject(fault.after_commit().on_method("DELETE"));
        let response = client.users().delete(&user.user_id).unwrap();
        assert!(response.already_gone());
        assert_eq!((response.status(), response.attempts()), (404, 2));
    }
    assert_eq!(server.count("user"), 0);
}
