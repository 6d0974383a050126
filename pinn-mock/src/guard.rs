//! Who may use the control API over HTTP. It reads every request sent (keys included), mints
//! ID tokens signed with the emulator's key (which `pinn mock --secret-key-file` makes a
//! user's real key) and resets the state, so it takes:
//!
//! - requests addressed to this emulator on loopback by name: a `Host` (and an absolute-form
//!   target's host) of `127.0.0.1`, `localhost` or `[::1]`, with this port or none, or no
//!   `Host` at all (HTTP/1.0). A web page that rebinds a name of its own to 127.0.0.1 sends
//!   its own name: `403`.
//! - the emulator's key, as the API takes it: `Authorization: Bearer <key>`, the scheme in any
//!   case. Without it: `401`.
//! - JSON: a request that changes something and has a body, or says a `Content-Type`, must
//!   say `application/json` (`415` otherwise). A browser sends a form or `text/plain` across
//!   sites without asking first; JSON it sends only after a CORS preflight, which the
//!   emulator never grants (it sends no `Access-Control-*` header at all).

use super::reply::Reply;
use super::requests::RecordedRequest;

/// The names of loopback a request may be addressed to.
const LOOPBACK: [&str; 3] = ["127.0.0.1", "localhost", "[::1]"];

/// The refusal of a control request from outside, or without the key; `None` to go on.
pub(crate) fn refuse(
    req: &RecordedRequest,
    authority: Option<&str>,
    port: u16,
    secret_key: &str,
) -> Option<Reply> {
    let hosts = req
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("host"))
        .map(|(_, v)| v.as_str())
        .chain(authority);
    for host in hosts {
        if !is_loopback(host, port) {
            let message = format!(
                "the control API answers requests to 127.0.0.1, localhost or [::1] on port \
                 {port} only, not to {:?}",
                shown(host)
            );
            return Some(Reply::error(403, &message));
        }
    }
    if !req.carries_key(secret_key) {
        return Some(Reply::unauthorized(
            "the control API needs the emulator's key: send Authorization: Bearer <the \
             PINN_SECRET_KEY pinn-mock printed>",
        ));
    }
    None
}

/// The `415` for a request that changes something with a body that is not said to be JSON.
pub(crate) fn refuse_body(req: &RecordedRequest) -> Option<Reply> {
    if matches!(req.method.as_str(), "GET" | "HEAD" | "OPTIONS") {
        return None;
    }
    let content_type = req.header("content-type");
    if content_type.is_none() && req.body.trim().is_empty() {
        return None;
    }
    let media_type = content_type
        .and_then(|t| t.split(';').next())
        .map(|t| t.trim_matches([' ', '\t']));
    if media_type.is_some_and(|t| t.eq_ignore_ascii_case("application/json")) {
        return None;
    }
    Some(Reply::error(
        415,
        "the control API takes JSON: send the body with Content-Type: application/json",
    ))
}

/// Whether a `Host` value names this emulator on loopback: a loopback name, and this port or
/// none.
fn is_loopback(host: &str, port: u16) -> bool {
    let host = host.trim_matches([' ', '\t']);
    let (name, given_port) = match host.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((addr, rest)) => (format!("[{addr}]"), rest),
            None => return false,
        },
        None => {
            let at = host.find(':').unwrap_or(host.len());
            (host[..at].to_string(), &host[at..])
        }
    };
    let port_ok = match given_port.strip_prefix(':') {
        None => given_port.is_empty(),
        Some(p) => !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.parse() == Ok(port),
    };
    port_ok && LOOPBACK.iter().any(|l| l.eq_ignore_ascii_case(&name))
}

/// A client's value as a message quotes it: cut short.
fn shown(value: &str) -> String {
    match value.char_indices().nth(64) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_names_with_this_port_or_none() {
        for host in [
            "127.0.0.1",
            "127.0.0.1:8080",
            "localhost",
            "LOCALHOST:8080",
            "[::1]",
            "[::1]:8080",
            " localhost ",
        ] {
            assert!(is_loopback(host, 8080), "{host}");
        }
        for host in [
            "",
            "evil.example",
            "evil.example:8080",
            "127.0.0.1:8081",
            "127.0.0.1:",
            "127.0.0.1:+8080",
            "127.0.0.1:08080x",
            "127.0.0.2",
            "localhost.:8080",
            "localhost.evil.example",
            "[::1",
            "[::1]x",
            "[::2]:8080",
            "0.0.0.0:8080",
            "127.0.0.1:8080:8080",
        ] {
            assert!(!is_loopback(host, 8080), "{host}");
        }
    }
}
