//! What a fault that answers sends instead of the API's answer.

use super::fault::FaultKind;
use crate::http::Head;
use crate::reply::Reply;

/// The answer of a fault that answers (status, rate limit or raw body).
/// A status a server cannot send (under 200, where the client would wait for the final
/// answer, or over 999, which a status line cannot hold) is answered `500`, saying why, as
/// over HTTP such a fault is refused.
pub(crate) fn reply(kind: &FaultKind) -> Option<Reply> {
    if let FaultKind::Status(s) | FaultKind::Body(s, _) = kind
        && !(200..=999).contains(s)
    {
        let message =
            format!("injected fault: status {s} is not one a server can answer (200 to 999)");
        return Some(Reply::error(500, &message));
    }
    match kind {
        FaultKind::Status(s) => Some(Reply::error(*s, &format!("injected fault: status {s}"))),
        FaultKind::RateLimit(after) => {
            let mut r = Reply::error(429, "injected fault: too many requests");
            r.headers.push(("Retry-After", after.clone()));
            Some(r)
        }
        FaultKind::Body(status, body) => {
            let content_type = if serde_json::from_str::<serde_json::Value>(body).is_ok() {
                "application/json"
            } else if body.trim_start().starts_with('<') {
                "text/html"
            } else {
                "text/plain"
            };
            Some(Reply::text(*status, body.clone(), content_type))
        }
        FaultKind::Delay(_) | FaultKind::Close | FaultKind::Truncated => None,
    }
}

/// The bytes a truncated answer sends before the connection closes: a head promising 1000
/// bytes, and 9 of them.
pub(crate) fn truncated_response(request_id: &str) -> Vec<u8> {
    let head = Head {
        status: 200,
        headers: &[
            ("Content-Type", "application/json"),
            ("Request-Id", request_id),
        ],
        content_length: 1000,
        close: false,
        keep_alive_10: false,
    };
    [head.to_bytes(), b"{\"object\"".to_vec()].concat()
}
