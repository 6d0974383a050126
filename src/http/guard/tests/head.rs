//! Tests of the request head: which writes start one, and where the key goes in.

use super::fixtures::KEY;
use crate::http::guard::head::{request_line, write_key};

#[test]
fn the_key_is_written_over_the_stars_only() {
    let stars = "*".repeat(KEY.len());
    let mut head =
        format!("GET /v1/users HTTP/1.1\r\nauthorization: Bearer {stars}\r\n\r\n").into_bytes();
    write_key(&mut head, KEY);
    let head = String::from_utf8(head).unwrap();
    assert!(head.contains("authorization: Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc\r\n"));

    let mut other = b"GET / HTTP/1.1\r\nauthorization: Bearer xyz\r\n\r\n".to_vec();
    let before = other.clone();
    write_key(&mut other, KEY);
    assert_eq!(other, before);
}

#[test]
fn the_placeholder_line_is_found_in_any_case_and_needs_one_star_per_byte() {
    let stars = "*".repeat(KEY.len());
    let key = std::str::from_utf8(KEY).unwrap();
    for (head, want) in [
        // A split head: the placeholder's line first in its write.
        (format!("authorization: Bearer {stars}\r\n\r\n"), true),
        (format!("X: 1\r\nAuthorization: Bearer {stars}\r\n"), true),
        (format!("X: 1\r\nauthorization: Bearer {stars}*\r\n"), false),
        (
            format!("X: 1\r\nauthorization: Bearer {}\r\n", &stars[1..]),
            false,
        ),
        (format!("X: authorization: Bearer {stars}\r\n"), false),
        (format!("authorization: Bearer {stars}"), false),
    ] {
        let mut bytes = head.clone().into_bytes();
        write_key(&mut bytes, KEY);
        let got = String::from_utf8(bytes).unwrap();
        assert_eq!(got.contains(key), want, "{head:?} -> {got:?}");
        assert_eq!(got.len(), head.len());
    }
}

#[test]
fn request_lines_are_told_from_a_connect_and_everything_else() {
    let target = "api.example:8443";
    for (out, want) in [
        (&b"GET /v1/users HTTP/1.1\r\nhost: x\r\n"[..], Some(true)),
        (b"DELETE /v1/users/usr_1?x=1 HTTP/1.1\r\n", Some(true)),
        (
            b"POST http://api.example:8443/v1/users HTTP/1.1\r\n",
            Some(true),
        ),
        (b"POST HTTP://API.example:8443 HTTP/1.1\r\n", Some(true)),
        (
            b"POST http://api.example:8443.evil/v1 HTTP/1.1\r\n",
            Some(false),
        ),
        (b"GET http://other.example/v1 HTTP/1.1\r\n", Some(false)),
        (b"CONNECT api.example:8443 HTTP/1.1\r\n", None),
        (b"CONNECT ", None),
        (b"GET /v1/users HTTP/1.1", None),
        (b"get /v1/users HTTP/1.1\r\n", None),
        (b"GET /v1/users HTTP/2\r\n", None),
        (b"GET  /v1 HTTP/1.1\r\n", None),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", None),
        (b"", None),
    ] {
        assert_eq!(
            request_line(out, target),
            want,
            "{}",
            String::from_utf8_lossy(out)
        );
    }
}
