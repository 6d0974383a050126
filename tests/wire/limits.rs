//! Every size and length limit the client enforces, just inside and just outside: what is
//! inside goes out as it is, what is outside is refused before any I/O.

use pinn::config::MAX_SECRET_KEY_BYTES;
use pinn::{Config, ErrorKind, MAX_ID_BYTES, Method, User};
use serde_json::{Value, json};

use crate::support::fixtures::USER;
use crate::support::{Wire, expect, ok_json};

/// The longest URL sent, and the largest body (`http/request.rs`; not public: a server's
/// limit, not a promise).
const MAX_URL_BYTES: usize = 8 * 1024;
const MAX_BODY_BYTES: usize = 1024 * 1024;

#[test]
fn an_id_of_the_longest_length_is_sent_and_one_byte_more_is_not() {
    let id = "u".repeat(MAX_ID_BYTES);
    expect("User::retrieve", "GET", format!("/v1/users/{id}"))
        .ok_json(USER, || User::retrieve(&id));
    let w = Wire::start();
    let err = w.client().users().retrieve(&format!("{id}u")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(
        err.to_string().contains(&format!("at most {MAX_ID_BYTES}")),
        "{err}"
    );
    // The same bound holds for a cursor.
    let params = pinn::ListParams::new().starting_after(format!("{id}u"));
    assert_eq!(
        w.client().users().list(&params).unwrap_err().kind(),
        ErrorKind::InvalidRequest
    );
    w.assert_no_strays();
}

#[test]
fn a_url_of_the_longest_length_is_sent_and_one_byte_more_is_not() {
    let mut w = Wire::start();
    let host_len = w.url().len();
    let path = |len: usize| format!("/v1/{}", "p".repeat(len - host_len - 4));
    let longest = path(MAX_URL_BYTES);
    let sent = ok_json(w.mock("GET", &longest, &[], None), USER);
    let client = w.client();
    client.raw_request(Method::Get, &longest, None).unwrap();
    let err = client
        .raw_request(Method::Get, &path(MAX_URL_BYTES + 1), None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(
        err.to_string()
            .contains(&format!("at most {MAX_URL_BYTES}")),
        "{err}"
    );
    w.assert_done(&[("the longest URL", &sent)]);
}

/// A JSON body of exactly `len` bytes.
fn body_of(len: usize) -> Value {
    let wrapper = json!({"metadata": {"blob": ""}}).to_string().len();
    json!({"metadata": {"blob": "x".repeat(len - wrapper)}})
}

#[test]
fn a_body_of_the_largest_size_is_sent_and_one_byte_more_is_not() {
    let largest = body_of(MAX_BODY_BYTES);
    assert_eq!(largest.to_string().len(), MAX_BODY_BYTES);
    let mut w = Wire::start();
    let sent = ok_json(
        w.mock("POST", "/v1/users", &[], Some(largest.clone())),
        USER,
    );
    let client = w.client();
    client
        .raw_request(Method::Post, "/v1/users", Some(&largest))
        .unwrap();
    // A body well inside, with the typed call: it goes out whole.
    let metadata = serde_json::from_value(body_of(300 * 1024)["metadata"].clone()).unwrap();
    let params = pinn::UserCreateParams::new().metadata(metadata);
    let mid = ok_json(
        w.mock("POST", "/v1/users", &[], Some(body_of(300 * 1024))),
        USER,
    );
    client.users().create(&params).unwrap();
    let err = client
        .raw_request(
            Method::Post,
            "/v1/users",
            Some(&body_of(MAX_BODY_BYTES + 1)),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert!(
        err.to_string()
            .contains(&format!("at most {MAX_BODY_BYTES}")),
        "{err}"
    );
    w.assert_done(&[("the largest body", &sent), ("a 300 KiB body", &mid)]);
}

#[test]
fn a_key_of_the_longest_length_is_taken_and_one_byte_more_is_not() {
    let longest = format!("sk_test_{}", "k".repeat(MAX_SECRET_KEY_BYTES - 8));
    assert!(Config::builder().secret_key(&longest).build().is_ok());
    let err = Config::builder()
        .secret_key(format!("{longest}k"))
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Configuration);
    assert!(
        err.to_string()
            .contains(&format!("longer than {MAX_SECRET_KEY_BYTES} bytes")),
        "{err}"
    );
}

#[test]
fn a_key_of_16_bytes_is_searched_for_in_urls_and_bodies_and_one_of_15_is_not() {
    // The transport looks for keys of 16 bytes or more (real keys have 35): shorter ones
    // could match ordinary text, and a URL or body holding one is sent as it is.
    let mut w = Wire::start();
    let short = "sk_test_1234567"; // 15 bytes
    assert_eq!(short.len(), 15);
    let client = pinn::Client::new(w.builder().secret_key(short).build().unwrap());
    let mock = w
        .server_mock("GET", &format!("/v1/users/{short}"), short)
        .create();
    client.users().retrieve(short).unwrap();
    mock.assert();
    let distinctive = "sk_test_12345678"; // 16 bytes
    let client = pinn::Client::new(w.builder().secret_key(distinctive).build().unwrap());
    let err = client.users().retrieve(distinctive).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    let body = json!({"note": distinctive});
    let err = client
        .raw_request(Method::Post, "/v1/users", Some(&body))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    w.assert_no_strays();
}
