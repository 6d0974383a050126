//! From a response to a result: the one place a status becomes an error, and where every
//! string taken from a response is made safe to show (`crate::text`).

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::agent::Raw;
use super::response::{ResponseInfo, is_success};
use crate::config::Config;
use crate::errors::{ApiError, ApiErrorParts, DecodeError, Error, ErrorKind, Result, status_line};
use crate::text::{self, MAX_MESSAGE, MAX_SHORT};

/// A header's value as it may be shown: bounded, escaped, the key redacted.
fn header(headers: &ureq::http::HeaderMap, name: &str, key: Option<&str>) -> Option<String> {
    let v = headers.get(name)?;
    let raw = String::from_utf8_lossy(v.as_bytes());
    Some(text::shown(&raw, key, MAX_SHORT))
}

/// The server's request ID: `Request-Id`, else `X-Request-Id`.
fn request_id(headers: &ureq::http::HeaderMap, key: Option<&str>) -> Option<String> {
    header(headers, "request-id", key).or_else(|| header(headers, "x-request-id", key))
}

fn key_of(config: &Config) -> Option<&str> {
    config.secret_key().map(|k| k.expose())
}

/// A success whose body is over the size limit.
fn too_large(status: u16, headers: &ureq::http::HeaderMap, limit: u64, config: &Config) -> Error {
    let detail = format!("the response body is larger than the {limit}-byte limit");
    let id = request_id(headers, key_of(config));
    Error::Decode(Box::new(DecodeError::new(Some(status), id, detail, None)))
}

/// The error body: `{"error": {"type": ..., "code": ..., "message": ...}}`, every part optional.
#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorFields,
}

#[derive(Deserialize)]
struct ErrorFields {
    #[serde(rename = "type")]
    error_type: Option<String>,
    code: Option<serde_json::Value>,
    message: Option<String>,
}

/// Turns a response into its metadata and decoded body (`None` when a success has no body)
/// or the error the spec's table gives it. Never panics, whatever the status and bytes.
/// `gone_ok`: a `404` is a success with no body, the object [already
/// gone](ResponseInfo::already_gone) (for a DELETE retried after an attempt that may have
/// deleted it).
pub(crate) fn response<T: DeserializeOwned>(
    raw: Raw,
    config: &Config,
    gone_ok: bool,
) -> Result<(ResponseInfo, Option<T>)> {
    let key = key_of(config);
    if let Some(limit) = raw.over_limit {
        return Err(too_large(raw.status, &raw.headers, limit, config));
    }
    let id = request_id(&raw.headers, key);
    if gone_ok && raw.status == 404 {
        let mut info = ResponseInfo::new(raw.status, id, raw.headers);
        info.already_gone = true;
        return Ok((info, None));
    }
    if is_success(raw.status) {
        let body = if raw.body.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            match serde_json::from_slice::<T>(&raw.body) {
                Ok(v) => Some(v),
                Err(e) => return Err(decode_error::<T>(raw.status, id, &raw.body, e, key)),
            }
        };
        let info = ResponseInfo::new(raw.status, id, raw.headers);
        return Ok((info, body));
    }
    let fields = serde_json::from_slice::<ErrorBody>(&raw.body)
        .ok()
        .map(|b| b.error);
    let (error_type, code, message) = match fields {
        Some(f) => (f.error_type, f.code, f.message),
        None => (None, None, None),
    };
    let kind = match raw.status {
        500 | 502..=504 => ErrorKind::from_status(raw.status),
        _ => match &error_type {
            Some(t) => ErrorKind::from_error_type(t).unwrap_or(ErrorKind::Pinn),
            None => ErrorKind::from_status(raw.status),
        },
    };
    let message = match message {
        Some(m) if !m.is_empty() => text::shown(&m, key, MAX_MESSAGE),
        _ => status_line(raw.status),
    };
    Err(Error::Status(Box::new(ApiError::new(ApiErrorParts {
        kind,
        status: raw.status,
        error_type: error_type.map(|t| text::shown(&t, key, MAX_SHORT)),
        code: code.map_or_else(|| raw.status.into(), |c| shown_code(c, key)),
        message,
        request_id: id,
        retry_after: header(&raw.headers, "retry-after", key),
    }))))
}

/// A code as it may be shown: a string bounded and cleaned, a number, boolean or null as
/// sent, anything else (an array, an object) as its JSON text, bounded and cleaned.
fn shown_code(code: serde_json::Value, key: Option<&str>) -> serde_json::Value {
    use serde_json::Value;
    match code {
        Value::String(s) => Value::String(text::shown(&s, key, MAX_SHORT)),
        v @ (Value::Number(_) | Value::Bool(_) | Value::Null) => v,
        other => Value::String(text::shown(&other.to_string(), key, MAX_SHORT)),
    }
}

/// The error for a success body that does not decode as `T`: which field (found by decoding
/// again with `serde_path_to_error`, so the success path pays nothing for it), which object
/// the server sent if it says, and the serde error as the source, its text made safe.
fn decode_error<T: DeserializeOwned>(
    status: u16,
    request_id: Option<String>,
    body: &[u8],
    err: serde_json::Error,
    key: Option<&str>,
) -> Error {
    let mut de = serde_json::Deserializer::from_slice(body);
    let path = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => e.path().to_string(),
        Ok(_) => ".".to_string(),
    };
    let mut detail = if path == "." || path.is_empty() {
        "the body does not decode".to_string()
    } else {
        format!(
            "the body does not decode at `{}`",
            text::shown(&path, key, MAX_SHORT)
        )
    };
    #[derive(Deserialize)]
    struct Tagged {
        object: String,
    }
    if let Ok(t) = serde_json::from_slice::<Tagged>(body) {
        let object = text::shown(&t.object, key, MAX_SHORT);
        detail.push_str(&format!(" (the body is a \"{object}\" object)"));
    }
    let source = safe_json_error(err, key);
    Error::Decode(Box::new(DecodeError::new(
        Some(status),
        request_id,
        detail,
        Some(source),
    )))
}

/// `e` itself when its text is already safe to show; otherwise a `serde_json` error of the
/// same category whose text is the safe version (serde's messages quote the values they
/// refuse, which come from the server).
pub(crate) fn safe_json_error(e: serde_json::Error, key: Option<&str>) -> serde_json::Error {
    let raw = e.to_string();
    let safe = text::shown(&raw, key, MAX_MESSAGE);
    if safe == raw {
        e
    } else {
        <serde_json::Error as serde::de::Error>::custom(safe)
    }
}
