//! Fault injection, each kind through the crate's client: what the client makes of it, what it
//! retries, and proof from the emulator's counters that a retry never created anything twice.
//! Clients here record their retry waits instead of sleeping, so the tests never sleep for real.

use std::cell::RefCell;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use pinn::{Client, ErrorKind, ListParams, User, UserCreateParams};
use pinn_mock::{Fault, MockServer};

thread_local! {
    /// The retry waits asked for on this test's thread.
    static WAITS: RefCell<Vec<Duration>> = const { RefCell::new(Vec::new()) };
}

fn record_wait(d: Duration) {
    WAITS.with(|w| w.borrow_mut().push(d));
}

fn waits() -> Vec<Duration> {
    WAITS.with(|w| w.borrow().clone())
}

/// A client of `s` that retries `retries` times, records its waits and gives up on an attempt
/// after two seconds.
fn client(s: &MockServer, retries: u32) -> Client {
    let config = s
        .config_builder()
        .max_retries(retries)
        .sleeper(record_wait)
        .timeout(Duration::from_secs(2))
        .build();
    Client::new(config.unwrap())
}

fn list(c: &Client) -> pinn::Result<pinn::List<User>> {
    c.scope(|| User::list(&ListParams::new()))
}

fn create(c: &Client) -> pinn::Result<User> {
    c.scope(|| User::create(&UserCreateParams::new()))
}

#[test]
fn two_500s_then_success_on_a_get() {
    let s = MockServer::start();
    s.inject(Fault::status(500).times(2));
    let page = list(&client(&s, 2)).unwrap();
    assert!(page.data.is_empty());
    assert_eq!(
        s.requests().len(),
        3,
        "two faulted attempts are recorded too"
    );
    assert_eq!(waits().len(), 2);
}

#[test]
fn retries_run_out() {
    let s = MockServer::start();
    s.inject(Fault::status(500).times(3));
    let e = list(&client(&s, 2)).unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.attempts()),
        (ErrorKind::Api, Some(500), 3)
    );
    let api = e.api_error().unwrap();
    assert_eq!(api.error_type(), Some("internal_server_error"));
    assert_eq!(api.message(), "injected fault: status 500");
}

#[test]
fn a_post_is_not_retried_after_a_500() {
    let s = MockServer::start();
    s.inject(Fault::status(500));
    let e = create(&client(&s, 2)).unwrap_err();
    assert_eq!((e.kind(), e.attempts()), (ErrorKind::Api, 1));
    assert_eq!((s.requests().len(), s.creates("user")), (1, 0));
    // The fault is used up: the next create works, once.
    create(&client(&s, 2)).unwrap();
    assert_eq!((s.count("user"), s.creates("user")), (1, 1));
}

#[test]
fn a_post_is_retried_after_a_429_honouring_retry_after() {
    let s = MockServer::start();
    s.inject(Fault::rate_limit("3").on_method("POST"));
    create(&client(&s, 2)).unwrap();
    assert_eq!(waits(), [Duration::from_secs(3)]);
    assert_eq!((s.requests().len(), s.creates("user")), (2, 1));

    // Retry-After beyond the client's limit ends the call at once.
    s.inject(Fault::rate_limit("3600"));
    let e = create(&client(&s, 2)).unwrap_err();
    assert_eq!((e.kind(), e.attempts()), (ErrorKind::RateLimit, 1));
    assert_eq!(e.api_error().unwrap().retry_after(), Some("3600"));
    assert_eq!(s.creates("user"), 1);
}

#[test]
fn close_on_a_get_is_retried() {
    let s = MockServer::start();
    let c = client(&s, 2);
    list(&c).unwrap(); // a pooled connection, which the fault then closes
    s.inject(Fault::close());
    let started = Instant::now();
    list(&c).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "a close is not a timeout"
    );
    assert_eq!(s.requests().len(), 3);
}

#[test]
fn close_on_a_post_is_not_retried_and_creates_nothing() {
    let s = MockServer::start();
    s.inject(Fault::close().on_path("/v1/users"));
    let e = create(&client(&s, 2)).unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.attempts()),
        (ErrorKind::ApiConnection, None, 1)
    );
    // The request was written, so the server may have acted on it: retrying could duplicate.
    assert!(!e.is_retryable());
    assert_eq!(e.outcome(), pinn::Outcome::MaybeProcessed);
    assert_eq!((s.requests().len(), s.creates("user")), (1, 0));
}

#[test]
fn truncated_body() {
    let s = MockServer::start();
    s.inject(Fault::truncated_body().times(2));
    let e = list(&client(&s, 0)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ApiConnection);
    // On the wire: 200 headers promising 1000 bytes, 9 bytes of JSON, then the end.
    let mut raw = TcpStream::connect(s.url().trim_start_matches("http://")).unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let auth = format!("Authorization: Bearer {}", s.secret_key());
    write!(raw, "GET /v1/users HTTP/1.1\r\nHost: x\r\n{auth}\r\n\r\n").unwrap();
    let mut got = String::new();
    raw.read_to_string(&mut got).unwrap();
    assert!(got.starts_with("HTTP/1.1 200 OK\r\n"), "{got}");
    assert!(got.contains("Content-Length: 1000\r\n"), "{got}");
    assert!(got.ends_with("\r\n\r\n{\"object\""), "{got}");
    // Retried on a GET.
    s.inject(Fault::truncated_body());
    list(&client(&s, 1)).unwrap();
}

#[test]
fn a_delay_past_the_timeout_is_a_hang() {
    let s = MockServer::start();
    let impatient = Client::new(
        s.config_builder()
            .max_retries(1)
            .sleeper(record_wait)
            .timeout(Duration::from_millis(200))
            .build()
            .unwrap(),
    );
    // A GET times out, is retried, and the retry succeeds.
    s.inject(Fault::delay(Duration::from_secs(1)));
    list(&impatient).unwrap();
    assert_eq!(s.requests().len(), 2);

    // A POST times out and is not retried, yet the emulator still creates the user: the
    // reason POSTs are not retried after a timeout.
    s.inject(Fault::delay(Duration::from_millis(600)));
    let started = Instant::now();
    let e = create(&impatient).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(550),
        "{:?}",
        started.elapsed()
    );
    assert_eq!((e.kind(), e.attempts()), (ErrorKind::ApiConnection, 1));
    let deadline = Instant::now() + Duration::from_secs(5);
    while s.creates("user") == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(s.creates("user"), 1);
}

#[test]
fn a_short_delay_answers_normally() {
    let s = MockServer::start();
    s.inject(Fault::delay(Duration::from_millis(50)));
    let started = Instant::now();
    create(&client(&s, 0)).unwrap();
    assert!(started.elapsed() >= Duration::from_millis(50));
}

#[test]
fn dropping_the_server_cuts_a_delay_short() {
    let s = MockServer::start();
    s.inject(Fault::delay(Duration::from_secs(60)));
    let c = client(&s, 0);
    let caller = std::thread::spawn(move || list(&c).map(|_| ()));
    while s.requests().is_empty() {
        std::thread::sleep(Duration::from_millis(5));
    }
    let started = Instant::now();
    drop(s);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    let e = caller.join().unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ApiConnection);
}

#[test]
fn raw_bodies() {
    let s = MockServer::start();
    let c = client(&s, 0);
    s.inject(Fault::body(
        502,
        "<html><body>502 Bad Gateway</body></html>",
    ));
    let e = list(&c).unwrap_err();
    assert_eq!(
        (e.kind(), e.status()),
        (ErrorKind::ApiConnection, Some(502))
    );
    let api = e.api_error().unwrap();
    assert_eq!((api.message(), api.error_type()), ("502 Bad Gateway", None));
    assert!(api.request_id().is_some_and(|r| r.starts_with("req_")));

    s.inject(Fault::body(200, "<html>maintenance</html>"));
    let e = list(&c).unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Pinn, Some(200)));

    s.inject(Fault::body(404, "not json"));
    assert_eq!(list(&c).unwrap_err().kind(), ErrorKind::InvalidRequest);

    s.inject(Fault::body(200, r#"{"object":"user","user_id":"usr_x"}"#));
    assert_eq!(
        list(&c).unwrap_err().kind(),
        ErrorKind::Pinn,
        "a user is not a list"
    );

    s.inject(Fault::body(
        400,
        r#"{"error":{"type":"brand_new","code":7,"message":"m"}}"#,
    ));
    let e = list(&c).unwrap_err();
    let api = e.api_error().unwrap();
    assert_eq!(
        (api.kind(), api.code().clone()),
        (ErrorKind::Pinn, serde_json::json!(7))
    );
}

#[test]
fn every_status_of_the_spec_gets_its_kind() {
    let s = MockServer::start();
    let c = client(&s, 0);
    for status in [
        400, 401, 403, 404, 405, 409, 422, 429, 500, 502, 503, 504, 418,
    ] {
        s.inject(Fault::status(status));
        let e = list(&c).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::from_status(status), "{status}");
        let api = e.api_error().unwrap();
        assert_eq!(api.status(), status);
        let t = api.error_type().unwrap();
        let want = ErrorKind::from_error_type(t).unwrap_or(ErrorKind::Pinn);
        assert_eq!(want, e.kind(), "{status} {t}");
    }
    let last = s.requests().len();
    assert_eq!(last, 13, "max_retries 0: one request each");
}

#[test]
fn faults_match_by_path_and_method_in_order() {
    let s = MockServer::start();
    let c = client(&s, 0);
    s.inject(Fault::status(503).on_path("/v1/apps"));
    s.inject(Fault::status(409).on_method("post"));
    s.inject(Fault::status(403));
    // GET /v1/users skips the first two and takes the third.
    assert_eq!(list(&c).unwrap_err().status(), Some(403));
    assert_eq!(create(&c).unwrap_err().status(), Some(409));
    let e = c.scope(|| pinn::App::list(&ListParams::new())).unwrap_err();
    assert_eq!(e.status(), Some(503));
    list(&c).unwrap();
    create(&c).unwrap();
    assert_eq!(s.creates("user"), 1);
}

#[test]
fn a_fault_applies_to_health_too() {
    let s = MockServer::start();
    let c = client(&s, 3);
    s.inject(Fault::status(503).on_path("/health"));
    assert!(!c.scope(pinn::healthy), "healthy() makes one attempt");
    assert!(c.scope(pinn::healthy));
}

#[test]
fn a_decode_error_after_a_retry_counts_every_attempt() {
    let s = MockServer::start();
    s.inject(Fault::status(503));
    s.inject(Fault::body(200, "<html>maintenance</html>"));
    let err = list(&client(&s, 2)).unwrap_err();
    assert!(matches!(err, pinn::Error::Decode(_)), "{err:?}");
    assert_eq!(err.attempts(), 2);
    assert_eq!(s.requests().len(), 2);
}

#[test]
fn a_2xx_the_spec_does_not_name_is_an_error_of_the_base_kind() {
    let s = MockServer::start();
    s.inject(Fault::body(
        203,
        r#"{"object":"list","url":"/v1/users","data":[]}"#,
    ));
    let err = list(&client(&s, 2)).unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Pinn, Some(203)));
    assert!(!err.is_retryable());
    assert_eq!(s.requests().len(), 1, "not retried");
}

// The faults that fire after the commit: the server did the work, the client never heard.

#[test]
fn a_post_whose_reply_is_lost_after_the_commit_is_not_retried() {
    let s = MockServer::start();
    s.inject(
        Fault::close()
            .after_commit()
            .on_path("/v1/users")
            .on_method("POST"),
    );
    let e = create(&client(&s, 2)).unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.attempts()),
        (ErrorKind::ApiConnection, None, 1)
    );
    // The user exists, once: a retry would have made a duplicate.
    assert_eq!(
        (s.count("user"), s.creates("user"), s.requests().len()),
        (1, 1, 1)
    );
}

#[test]
fn a_get_whose_reply_is_lost_after_the_commit_is_retried() {
    let s = MockServer::start();
    s.inject(Fault::truncated_body().after_commit().on_method("GET"));
    list(&client(&s, 2)).unwrap();
    assert_eq!(s.requests().len(), 2);
}

#[test]
fn a_500_after_the_commit_leaves_the_object_made() {
    let s = MockServer::start();
    s.inject(Fault::status(500).after_commit());
    let e = create(&client(&s, 2)).unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.attempts()),
        (ErrorKind::Api, Some(500), 1)
    );
    assert_eq!(s.creates("user"), 1);
}

#[test]
fn a_patch_whose_reply_is_lost_is_retried_and_lands_once() {
    let s = MockServer::start();
    let c = client(&s, 2);
    let user = create(&c).unwrap();
    s.inject(Fault::close().after_commit().on_method("PATCH"));
    let params = pinn::UserUpdateParams::new().status("disabled");
    let updated = c.scope(|| User::update(&user.user_id, &params)).unwrap();
    assert_eq!(
        updated.status.as_ref().map(|s| s.as_str()),
        Some("disabled")
    );
    // Two PATCHes reached the store (each committed): setting a field twice is harmless.
    let patches = s.requests().iter().filter(|r| r.method == "PATCH").count();
    assert_eq!(patches, 2);
}

#[test]
fn a_post_that_outlives_the_timeout_was_created_before_the_client_gave_up() {
    let s = MockServer::start();
    let impatient = Client::new(
        s.config_builder()
            .max_retries(2)
            .sleeper(record_wait)
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap(),
    );
    s.inject(
        Fault::delay(Duration::from_secs(2))
            .after_commit()
            .on_method("POST"),
    );
    let started = Instant::now();
    let e = create(&impatient).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!((e.kind(), e.attempts()), (ErrorKind::ApiConnection, 1));
    assert_eq!(s.creates("user"), 1, "committed at once, answered too late");
}

// Authentication first: faults are for requests the API would act on.

#[test]
fn a_request_without_the_key_gets_its_401_and_takes_no_fault() {
    let s = MockServer::start();
    s.inject(Fault::status(503).times(2));
    s.inject(Fault::close().on_path("/v1/apps"));
    let stranger = Client::new(
        s.config_builder()
            .secret_key("sk_test_not_the_right_key_000")
            .max_retries(0)
            .build()
            .unwrap(),
    );
    for _ in 0..3 {
        let e = list(&stranger).unwrap_err();
        assert_eq!(
            (e.kind(), e.status()),
            (ErrorKind::Authentication, Some(401))
        );
        let e = stranger
            .scope(|| pinn::App::list(&ListParams::new()))
            .unwrap_err();
        assert_eq!(e.status(), Some(401), "not a closed connection: {e}");
    }
    assert_eq!(
        s.faults(),
        [
            Fault::status(503).times(2),
            Fault::close().on_path("/v1/apps").times(1)
        ],
        "no fault was used"
    );
    assert_eq!(
        s.requests().len(),
        6,
        "the refused requests are recorded all the same"
    );
    // The key's owner meets them.
    assert_eq!(list(&client(&s, 0)).unwrap_err().status(), Some(503));
}

#[test]
fn a_fault_without_a_path_spares_health_checks() {
    let s = MockServer::start();
    let c = client(&s, 0);
    s.inject(Fault::status(503).times(3));
    for _ in 0..5 {
        assert!(c.scope(pinn::healthy));
    }
    assert_eq!(s.faults(), [Fault::status(503).times(3)]);
    assert_eq!(list(&c).unwrap_err().status(), Some(503));
    // One aimed at /health takes it.
    s.inject(Fault::status(500).on_path("/health"));
    assert!(!c.scope(pinn::healthy));
    assert!(c.scope(pinn::healthy));
}
