//! What an error knows of the call it ended: the request (method, path and host), how many
//! attempts were made, whether sending it again is safe and useful, and whether an earlier
//! attempt may have been processed. One struct, held by every error that came from a call.

use std::fmt;
use std::sync::Arc;

/// The facts of the call an error ended. Empty (no method) for an error raised before any
/// request, or one made from an object that did not come from a response.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Call {
    /// `GET`, `POST`, …; empty when there was no request.
    pub method: &'static str,
    /// The request's path, as sent (encoded, bounded, safe to show), without its query.
    pub path: String,
    /// The API host's `host:port`.
    pub host: Arc<str>,
    /// Attempts made, retries included.
    pub attempts: u32,
    /// Whether sending the request again is safe and may succeed.
    pub retryable: bool,
    /// Whether an earlier attempt of the same call may have been processed.
    pub processed_before: bool,
}

impl Call {
    /// No call yet: the error is being made from one response, one attempt.
    pub(crate) fn one() -> Call {
        Call {
            attempts: 1,
            ..Call::default()
        }
    }

    /// ` GET /v1/users` (with a leading space), or nothing when there was no request.
    pub(crate) fn request(&self) -> Option<Request<'_>> {
        (!self.method.is_empty()).then_some(Request(self))
    }

    /// `after 3 attempts`, when there was more than one.
    pub(crate) fn attempts_fact(&self) -> Option<String> {
        (self.attempts > 1).then(|| format!("after {} attempts", self.attempts))
    }
}

/// The request of a call, shown as `GET /v1/users`.
pub(crate) struct Request<'a>(&'a Call);

impl fmt::Display for Request<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0.method, self.0.path)
    }
}

/// Writes ` (a, b, c)` for the facts given, or nothing when there are none.
pub(crate) fn write_facts(
    f: &mut fmt::Formatter<'_>,
    facts: impl IntoIterator<Item = String>,
) -> fmt::Result {
    let mut sep = " (";
    for fact in facts {
        f.write_str(sep)?;
        f.write_str(&fact)?;
        sep = ", ";
    }
    if sep == ", " {
        f.write_str(")")?;
    }
    Ok(())
}
