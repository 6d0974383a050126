//! What a request head says: its target, its `Host`, whether the connection stays open, and
//! how its body is framed, or why it cannot be trusted.

use super::request::{Request, Stop, reject};

/// How the body is delimited.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Framing {
    Length(u64),
    Chunked,
}

/// The framing the headers declare, or why it cannot be trusted.
pub(super) fn framing(headers: &[(String, String)]) -> Result<Framing, Stop> {
    let mut length: Option<u64> = None;
    let mut codings: Option<Vec<String>> = None;
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("content-length") {
            // `Content-Length: 5, 5` is one length said twice (RFC 9110, section 8.6).
            for part in value.split(',') {
                let part = part.trim_matches([' ', '\t']);
                if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                    return reject(
                        400,
                        format!("Content-Length must be a number, not {value:?}"),
                    );
                }
                let Ok(n) = part.parse::<u64>() else {
                    return reject(400, format!("Content-Length {part} does not fit 64 bits"));
                };
                if length.is_some_and(|l| l != n) {
                    return reject(400, "Content-Length headers that disagree");
                }
                length = Some(n);
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            let list = codings.get_or_insert_with(Vec::new);
            list.extend(
                value
                    .split(',')
                    .map(|c| c.trim_matches([' ', '\t']).to_ascii_lowercase())
                    .filter(|c| !c.is_empty()),
            );
        }
    }
    match (length, codings) {
        (None, None) => Ok(Framing::Length(0)),
        (Some(n), None) => Ok(Framing::Length(n)),
        (Some(_), Some(_)) => reject(400, "both Content-Length and Transfer-Encoding"),
        (None, Some(c)) if c == ["chunked"] => Ok(Framing::Chunked),
        (None, Some(c)) => reject(
            400,
            format!("Transfer-Encoding {c:?} is not supported: send chunked or a Content-Length"),
        ),
    }
}

/// Whether a comma-separated header holds a token (any case).
pub(super) fn header_has_token(headers: &[(String, String)], name: &str, token: &str) -> bool {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .flat_map(|(_, v)| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

/// The parsed head as owned values, its target split into path and query.
pub(super) fn owned(parsed: &httparse::Request<'_, '_>) -> Result<Request, Stop> {
    let (Some(method), Some(target), Some(version)) = (parsed.method, parsed.path, parsed.version)
    else {
        return reject(400, "malformed request line");
    };
    let mut authority = None;
    let target = match target.as_bytes().first() {
        Some(b'/') => target,
        // The asterisk form, which asks about the server rather than a resource.
        _ if target == "*" && method == "OPTIONS" => target,
        // The absolute form `http://host/path`, which a client talking to a proxy sends.
        _ => match target.split_once("://") {
            Some((scheme, rest))
                if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") =>
            {
                let at = rest.find(['/', '?']).unwrap_or(rest.len());
                authority = Some(rest[..at].to_string());
                rest.get(at..).filter(|p| !p.is_empty()).unwrap_or("/")
            }
            _ => {
                return reject(
                    400,
                    format!("the request target must be a path, not {target:?}"),
                );
            }
        },
    };
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (if p.is_empty() { "/" } else { p }, Some(q.to_string())),
        None => (target, None),
    };
    let headers: Vec<(String, String)> = parsed
        .headers
        .iter()
        .map(|h| {
            let value = String::from_utf8_lossy(h.value).into_owned();
            (h.name.to_string(), value)
        })
        .collect();
    let http10 = version == 0;
    // RFC 9112, section 3.2: a server must answer 400 to an HTTP/1.1 request without a Host,
    // and to any request with more than one.
    match headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("host"))
        .count()
    {
        0 if !http10 => return reject(400, "an HTTP/1.1 request needs a Host header"),
        0 | 1 => {}
        _ => return reject(400, "a request may have one Host header, not several"),
    }
    let keep_alive = if http10 {
        header_has_token(&headers, "connection", "keep-alive")
    } else {
        !header_has_token(&headers, "connection", "close")
    };
    Ok(Request {
        method: method.to_string(),
        path: path.to_string(),
        query,
        authority,
        headers,
        body: Vec::new(),
        keep_alive,
        http10,
    })
}
