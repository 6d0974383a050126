//! The request head: telling its request line from a `CONNECT` and anything else, and
//! writing the key over the placeholder in its `Authorization` line.

use std::sync::LazyLock;

use memchr::memmem::Finder;

/// The start of the placeholder's line (ureq writes header names lowercase; matched without
/// regard to case).
const AUTHORIZATION: &[u8] = b"authorization: Bearer ";

/// Searchers for the fixed strings, built once.
static FIND_CRLF: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\r\n"));
pub(super) static FIND_HEAD_END: LazyLock<Finder<'static>> =
    LazyLock::new(|| Finder::new(b"\r\n\r\n"));

/// Writes `key` over the `*`s of the `Authorization: Bearer ***…` line in (part of) a
/// request head, when there are exactly as many stars as the key has bytes; at most once.
pub(super) fn write_key(head: &mut [u8], key: &[u8]) {
    let mut line = 0;
    while line < head.len() {
        let end = FIND_CRLF
            .find(&head[line..])
            .map_or(head.len(), |i| line + i + 2);
        let text = &mut head[line..end];
        if text.len() >= AUTHORIZATION.len() + key.len() + 2
            && text[..AUTHORIZATION.len()].eq_ignore_ascii_case(AUTHORIZATION)
            && text.ends_with(b"\r\n")
        {
            let stars_end = text.len() - 2;
            let stars = &mut text[AUTHORIZATION.len()..stars_end];
            if stars.len() == key.len() && stars.iter().all(|&b| b == b'*') {
                stars.copy_from_slice(key);
            }
            return;
        }
        line = end;
    }
}

/// Whether `out` starts with an HTTP/1 request line other than `CONNECT`: `Some(ours)`, with
/// `ours` false for an absolute-form target naming a host other than `target`.
pub(super) fn request_line(out: &[u8], target: &str) -> Option<bool> {
    let line = &out[..FIND_CRLF.find(out)?];
    let mut parts = line.split(|&b| b == b' ');
    let (method, uri, version) = (parts.next()?, parts.next()?, parts.next()?);
    let token = !method.is_empty() && method.iter().all(u8::is_ascii_uppercase);
    if !token || method == b"CONNECT" || !version.starts_with(b"HTTP/1.") || parts.next().is_some()
    {
        return None;
    }
    if uri.starts_with(b"/") {
        return Some(true);
    }
    // Absolute-form (to a proxy): `scheme://authority/…`.
    let rest = &uri[uri.windows(3).position(|w| w == b"://")? + 3..];
    let authority = &rest[..rest
        .iter()
        .position(|b| b"/?#".contains(b))
        .unwrap_or(rest.len())];
    Some(authority.eq_ignore_ascii_case(target.as_bytes()))
}
