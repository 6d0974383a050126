//! The request head: telling its request line from a `CONNECT` and anything else, and
//! writing the key over the placeholder in its `Authorization` line.

use std::sync::LazyLock;

use memchr::memmem::Finder;

/// The name that starts the placeholder's line (ureq writes header names lowercase; matched
/// without regard to case), and the start of its value, as the crate writes it.
const AUTHORIZATION: &[u8] = b"authorization: ";
const BEARER: &[u8] = b"Bearer ";

/// Searchers for the fixed strings, built once.
static FIND_CRLF: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\r\n"));
static FIND_BEARER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(BEARER));
pub(super) static FIND_HEAD_END: LazyLock<Finder<'static>> =
    LazyLock::new(|| Finder::new(b"\r\n\r\n"));

/// Writes `key` over the `*`s of the `Authorization: Bearer ***…` line in (part of) a
/// request head, when there are exactly as many stars as the key has bytes; at most once.
///
/// One search for the value (`Bearer `), then a look at the name before it, at the start of
/// a line: a head has one such line, so this costs one pass over the head.
pub(super) fn write_key(head: &mut [u8], key: &[u8]) {
    let mut from = 0;
    while let Some(i) = FIND_BEARER.find(&head[from..]) {
        let value = from + i;
        from = value + 1;
        let Some(name) = value.checked_sub(AUTHORIZATION.len()) else {
            continue;
        };
        let at_line_start = name == 0 || head[..name].ends_with(b"\r\n");
        if !at_line_start || !head[name..value].eq_ignore_ascii_case(AUTHORIZATION) {
            continue;
        }
        let stars = value + BEARER.len();
        let end = stars + key.len();
        if head.get(end..end + 2) == Some(b"\r\n") && head[stars..end].iter().all(|&b| b == b'*') {
            head[stars..end].copy_from_slice(key);
        }
        return;
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
