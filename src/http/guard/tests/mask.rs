//! Tests of masking the key in response heads, plain and percent-encoded.

use memchr::memmem::Finder;

use super::fixtures::KEY;
use crate::http::guard::mask::{Head, mask, mask_heads, still_in_head};
use crate::text::encoded_copy;

#[test]
fn heads_are_masked_bodies_are_not() {
    let key = std::str::from_utf8(KEY).unwrap();
    let mut input = format!(
        "HTTP/1.1 100 Continue\r\nserver: {key}\r\n\r\n\
         HTTP/1.1 200 OK\r\nServer: {key}\r\nLocation: /x/{key}\r\n\r\n{{\"k\":\"{key}\"}}"
    )
    .into_bytes();
    let head_len = input.len() - key.len() - 8;
    assert_eq!(
        mask_heads(&mut input, &Finder::new(KEY)),
        Head::Complete {
            end: head_len,
            success: true
        }
    );
    let text = String::from_utf8(input).unwrap();
    assert_eq!(text.matches(key).count(), 1, "{text}");
    assert!(text.ends_with(&format!("{{\"k\":\"{key}\"}}")));

    let mut partial = format!("HTTP/1.1 200 OK\r\nServer: {}", &key[..10]).into_bytes();
    assert_eq!(
        mask_heads(&mut partial, &Finder::new(KEY)),
        Head::Incomplete,
        "a head still arriving"
    );
    let mut error = b"HTTP/1.1 401 Unauthorized\r\n\r\n".to_vec();
    assert_eq!(
        mask_heads(&mut error, &Finder::new(KEY)),
        Head::Complete {
            end: error.len(),
            success: false
        }
    );
}

#[test]
fn a_percent_encoded_key_is_masked_in_part_or_whole() {
    let all: String = KEY.iter().map(|b| format!("%{b:02x}")).collect();
    for quoted in [
        "sk%5Ftest%5F4eC39HqLyjWDarjtT1zdp7dc".to_string(),
        "sk_test_4eC39HqLyjWDarjtT1zdp7d%63".to_string(),
        all,
    ] {
        let mut head =
            format!("HTTP/1.1 302 Found\r\nLocation: https://x.example/?k={quoted}&p=100%\r\n\r\n")
                .into_bytes();
        let len = head.len();
        mask_heads(&mut head, &Finder::new(KEY));
        let head = String::from_utf8(head).unwrap();
        let stars = "*".repeat(quoted.len());
        assert!(head.contains(&format!("?k={stars}&p=100%\r\n")), "{head}");
        assert_eq!(head.len(), len);
    }
}

#[test]
fn a_key_with_percent_signs_is_masked_however_much_of_it_is_encoded() {
    let key = b"sk_test_HOSTILE%5F4eC39Hq%41yjWDarjt%25";
    let plain = std::str::from_utf8(key).unwrap();
    let all: String = key.iter().map(|b| format!("%{b:02x}")).collect();
    for quoted in [
        plain.to_string(),
        plain.replace('_', "%5F"),
        plain.replace('%', "%25"),
        plain.replace('%', "%25").replace('_', "%5f"),
        all,
    ] {
        let mut head =
            format!("HTTP/1.1 302 Found\r\nLocation: /?k={quoted}&p=100%\r\n\r\n").into_bytes();
        mask_heads(&mut head, &Finder::new(key));
        let head = String::from_utf8(head).unwrap();
        let stars = "*".repeat(quoted.len());
        assert!(
            head.contains(&format!("?k={stars}&p=100%\r\n")),
            "{quoted}: {head}"
        );
    }
    // Not a copy: one byte differs once decoded.
    let mut other = plain.replace("%41", "%42").into_bytes();
    let before = other.clone();
    mask(&mut other, &Finder::new(key));
    assert_eq!(other, before);
    assert_eq!(encoded_copy(b"ab%25c", b"a%"), None);
    assert_eq!(encoded_copy(b"a%25c", b"a%"), Some(4), "the longest copy");
    assert_eq!(encoded_copy(b"a%2", b"a%"), Some(2));
}

#[test]
fn informational_heads_are_skipped_when_waiting_for_the_real_one() {
    assert!(still_in_head(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200"));
    assert!(!still_in_head(
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"
    ));
    assert!(!still_in_head(b"HTTP/1.1 404 Not Found\r\n\r\n"));
}

#[test]
fn heads_too_short_to_hold_a_status_are_read_without_a_panic() {
    assert!(!still_in_head(b"HTTP/1.1 \r\n\r\n"));
    assert!(!still_in_head(b"HTTP/1.1\r\n\r\n"));
    let key = memchr::memmem::Finder::new(b"sk_test_4eC39HqLyjWDarjtT1zdp7dc");
    for head in [&b"HTTP/\r\n\r\n"[..], b"HTTP/1.1 \r\n\r\n", b"\r\n\r\n"] {
        let mut input = head.to_vec();
        assert!(
            matches!(
                mask_heads(&mut input, &key),
                Head::Complete { success: false, .. }
            ),
            "{head:?}"
        );
    }
}

#[test]
fn every_copy_is_masked_wherever_the_first_one_stands() {
    let plain = std::str::from_utf8(KEY).unwrap();
    let encoded = plain.replacen('_', "%5F", 1);
    let percent_key = "sk_test_HOSTILE%5F4eC39Hq%41yjWDarjt%25";
    for (key, copy) in [
        (plain, plain.to_string()),
        (plain, encoded.clone()),
        (percent_key, percent_key.to_string()),
        (percent_key, percent_key.replacen('_', "%5F", 1)),
    ] {
        // Two and three copies, the first after some text: a search that lost its place
        // after the first would miss the later ones.
        for text in [
            format!("a: {copy} b: {copy}\r\n"),
            format!("Location: /x?k={copy}&again={copy}&third={copy}&p=100%\r\n"),
        ] {
            let mut bytes = text.clone().into_bytes();
            mask(&mut bytes, &Finder::new(key.as_bytes()));
            let shown = String::from_utf8(bytes).unwrap();
            assert!(!shown.contains(&copy), "{key}: {shown}");
            assert_eq!(
                shown.matches(&"*".repeat(copy.len())).count(),
                text.matches(&copy).count(),
                "{key}: {shown}"
            );
        }
    }
}
