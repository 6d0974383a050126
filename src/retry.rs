//! When to retry: one pure function, [`decide`](crate::retry::decide).
//!
//! - GET, PATCH and DELETE (idempotent on Pinn: a PATCH sets fields to values) are retried after
//!   a connection failure or timeout, and after statuses 429, 500, 502, 503 and 504.
//! - POST creates something and Pinn has no idempotency keys, so it is retried only when the
//!   request cannot have been processed: the host was not found, the connection was refused or
//!   never established, or the server answered 429 or 503. Never after a read timeout or a
//!   reset once the request was sent.
//! - TLS failures and other 4xx are never retried.
//! - The wait is exponential from 0.5 s with jitter, capped at 8 s. A `Retry-After` header
//!   (seconds or an HTTP-date) is honoured up to 60 s; asking for longer ends the call with
//!   the error at once. A value that cannot be read falls back to the backoff.
//! - No wait may cross the call's deadline.

use std::time::{Duration, SystemTime};

use crate::errors::TransportKind;

/// The first backoff wait.
pub const BASE_BACKOFF: Duration = Duration::from_millis(500);
/// The longest backoff wait.
pub const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// The longest `Retry-After` honoured; a server asking for more ends the call.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The HTTP methods the crate sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name on the wire.
    ///
    /// ```
    /// use pinn::retry::Method;
    /// assert_eq!(Method::Patch.as_str(), "PATCH");
    /// assert_eq!(Method::Delete.as_str(), "DELETE");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// How one attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure<'a> {
    /// No response arrived.
    Transport(TransportKind),
    /// A response arrived with this error status and, maybe, a `Retry-After` header.
    Status {
        /// The HTTP status.
        status: u16,
        /// The raw `Retry-After` header value.
        retry_after: Option<&'a str>,
    },
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Wait this long, then try again.
    RetryAfter(Duration),
    /// Return the error now.
    Stop,
}

/// Everything [`decide`] looks at besides the failure.
#[derive(Debug, Clone, Copy)]
pub struct Attempt {
    /// The request's method.
    pub method: Method,
    /// Attempts made so far, the failed one included (1 after the first).
    pub attempt: u32,
    /// Retries allowed in all.
    pub max_retries: u32,
    /// Time spent since the call began.
    pub elapsed: Duration,
    /// The call's total deadline.
    pub deadline: Duration,
    /// Wall-clock now, for `Retry-After` dates.
    pub now: SystemTime,
    /// A number in `[0, 1)` spreading the backoff.
    pub jitter: f64,
}

/// Decides whether and when to retry. Pure: same inputs, same answer.
///
/// ```
/// use pinn::retry::{decide, Attempt, Decision, Failure, Method};
/// use std::time::{Duration, SystemTime};
/// let first = Attempt { method: Method::Get, attempt: 1, max_retries: 2, elapsed: Duration::ZERO,
///     deadline: Duration::from_secs(90), now: SystemTime::now(), jitter: 0.0 };
/// let rate_limited = Failure::Status { status: 429, retry_after: Some("3") };
/// assert_eq!(decide(rate_limited, first), Decision::RetryAfter(Duration::from_secs(3)));
/// assert_eq!(decide(rate_limited, Attempt { attempt: 3, ..first }), Decision::Stop); // budget spent
/// assert_eq!(decide(Failure::Status { status: 404, retry_after: None }, first), Decision::Stop);
/// ```
pub fn decide(failure: Failure<'_>, a: Attempt) -> Decision {
    if a.attempt > a.max_retries || !retryable(a.method, failure) {
        return Decision::Stop;
    }
    let wait = match failure {
        Failure::Status {
            retry_after: Some(v),
            ..
        } => match parse_retry_after(v, a.now) {
            Some(w) if w > MAX_RETRY_AFTER => return Decision::Stop,
            Some(w) => w,
            None => backoff(a.attempt, a.jitter),
        },
        _ => backoff(a.attempt, a.jitter),
    };
    match a.elapsed.checked_add(wait) {
        Some(t) if t < a.deadline => Decision::RetryAfter(wait),
        _ => Decision::Stop,
    }
}

/// Whether this failure of this method may be retried at all.
///
/// ```
/// use pinn::errors::TransportKind;
/// use pinn::retry::{retryable, Failure, Method};
/// let timed_out = Failure::Transport(TransportKind::Timeout);
/// assert!(retryable(Method::Get, timed_out));
/// assert!(!retryable(Method::Post, timed_out)); // the object may have been created
/// assert!(retryable(Method::Post, Failure::Status { status: 503, retry_after: None }));
/// ```
pub fn retryable(method: Method, failure: Failure<'_>) -> bool {
    use TransportKind::*;
    match (method, failure) {
        (_, Failure::Transport(Tls | Protocol)) => false,
        (Method::Post, Failure::Transport(k)) => {
            matches!(k, HostNotFound | ConnectFailed | ConnectTimeout)
        }
        (_, Failure::Transport(_)) => true,
        (Method::Post, Failure::Status { status, .. }) => matches!(status, 429 | 503),
        (_, Failure::Status { status, .. }) => matches!(status, 429 | 500 | 502..=504),
    }
}

/// The wait before retry number `attempt` (1-based): 0.5 s doubling, capped at 8 s, with
/// "equal jitter" (between half and all of it).
///
/// ```
/// use pinn::retry::{backoff, MAX_BACKOFF};
/// use std::time::Duration;
/// assert_eq!(backoff(1, 0.0), Duration::from_millis(250));
/// assert_eq!(backoff(1, 1.0), Duration::from_millis(500));
/// assert_eq!(backoff(3, 1.0), Duration::from_secs(2));
/// assert_eq!(backoff(10, 1.0), MAX_BACKOFF);
/// ```
pub fn backoff(attempt: u32, jitter: f64) -> Duration {
    let exp = attempt.saturating_sub(1).min(16);
    let full = BASE_BACKOFF.saturating_mul(1u32 << exp).min(MAX_BACKOFF);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    full.mul_f64(0.5 + jitter / 2.0)
}

/// Reads `Retry-After`: whole or decimal seconds, or an HTTP-date. `None` for anything
/// unusable (garbage, negative, `inf`, `nan`, absurdly large).
///
/// ```
/// use pinn::retry::parse_retry_after;
/// use std::time::{Duration, SystemTime};
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000); // 22:13:20 GMT
/// assert_eq!(parse_retry_after("2.5", now), Some(Duration::from_millis(2500)));
/// assert_eq!(parse_retry_after("Tue, 14 Nov 2023 22:13:27 GMT", now), Some(Duration::from_secs(7)));
/// assert_eq!(parse_retry_after("soon", now), None);
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<f64>() {
        // `inf`, `nan`, negatives and absurd values fall back to the backoff.
        if !secs.is_finite() || !(0.0..=1.0e9).contains(&secs) {
            return None;
        }
        return Some(Duration::from_secs_f64(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A jitter value in `[0, 1)` from std's per-process random hasher keys.
pub(crate) fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x9e37_79b9_7f4a_7c15);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use Method::*;
    use TransportKind::*;

    fn at(method: Method, attempt: u32) -> Attempt {
        Attempt {
            method,
            attempt,
            max_retries: 2,
            elapsed: Duration::from_secs(1),
            deadline: Duration::from_secs(90),
            now: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            jitter: 1.0,
        }
    }

    fn status(status: u16) -> Failure<'static> {
        Failure::Status {
            status,
            retry_after: None,
        }
    }

    #[test]
    fn what_is_retried_by_method() {
        #[rustfmt::skip]
        let table: &[(Method, Failure, bool)] = &[
            (Get, Failure::Transport(ConnectFailed), true),
            (Get, Failure::Transport(Timeout), true),
            (Get, Failure::Transport(Io), true),
            (Get, Failure::Transport(HostNotFound), true),
            (Get, Failure::Transport(Tls), false),
            (Get, Failure::Transport(Protocol), false),
            (Patch, Failure::Transport(Io), true),
            (Delete, Failure::Transport(Timeout), true),
            (Post, Failure::Transport(ConnectFailed), true),
            (Post, Failure::Transport(ConnectTimeout), true),
            (Post, Failure::Transport(HostNotFound), true),
            (Post, Failure::Transport(Timeout), false),
            (Post, Failure::Transport(Io), false),
            (Post, Failure::Transport(Tls), false),
            (Get, status(429), true),
            (Get, status(500), true),
            (Get, status(502), true),
            (Get, status(503), true),
            (Get, status(504), true),
            (Patch, status(500), true),
            (Delete, status(504), true),
            (Post, status(429), true),
            (Post, status(503), true),
            (Post, status(500), false),
            (Post, status(502), false),
            (Post, status(504), false),
            (Get, status(400), false),
            (Get, status(401), false),
            (Get, status(403), false),
            (Get, status(404), false),
            (Get, status(409), false),
            (Get, status(422), false),
            (Get, status(501), false),
            (Get, status(302), false),
        ];
        for &(m, f, want) in table {
            assert_eq!(retryable(m, f), want, "{m:?} {f:?}");
            let d = decide(f, at(m, 1));
            assert_eq!(matches!(d, Decision::RetryAfter(_)), want, "{m:?} {f:?}");
        }
    }

    #[test]
    fn backoff_doubles_from_half_a_second_to_eight() {
        let full: Vec<_> = (1..=7).map(|n| backoff(n, 1.0).as_millis()).collect();
        assert_eq!(full, [500, 1000, 2000, 4000, 8000, 8000, 8000]);
        assert_eq!(backoff(1, 0.0).as_millis(), 250);
        assert_eq!(backoff(u32::MAX, 0.5), Duration::from_millis(6000));
        assert_eq!(backoff(1, f64::NAN).as_millis(), 250);
    }

    #[test]
    fn the_budget_is_counted() {
        assert!(matches!(
            decide(status(500), at(Get, 2)),
            Decision::RetryAfter(_)
        ));
        assert_eq!(decide(status(500), at(Get, 3)), Decision::Stop);
        let off = Attempt {
            max_retries: 0,
            ..at(Get, 1)
        };
        assert_eq!(decide(status(500), off), Decision::Stop);
    }

    #[test]
    fn no_wait_crosses_the_deadline() {
        let late = Attempt {
            elapsed: Duration::from_millis(89_600),
            ..at(Get, 1)
        };
        assert_eq!(decide(status(500), late), Decision::Stop);
    }

    #[test]
    fn retry_after_values() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let ra = |v: &'static str| {
            decide(
                Failure::Status {
                    status: 429,
                    retry_after: Some(v),
                },
                at(Get, 1),
            )
        };
        assert_eq!(ra("3"), Decision::RetryAfter(Duration::from_secs(3)));
        assert_eq!(
            ra(" 0.25 "),
            Decision::RetryAfter(Duration::from_millis(250))
        );
        assert_eq!(ra("0"), Decision::RetryAfter(Duration::ZERO));
        assert_eq!(ra("60"), Decision::RetryAfter(Duration::from_secs(60)));
        assert_eq!(ra("61"), Decision::Stop);
        let date = httpdate::fmt_http_date(now + Duration::from_secs(7));
        let d = decide(
            Failure::Status {
                status: 429,
                retry_after: Some(&date),
            },
            at(Get, 1),
        );
        assert_eq!(d, Decision::RetryAfter(Duration::from_secs(7)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        // Garbage falls back to the backoff (500 ms at attempt 1 with jitter 1.0).
        let fallback = Decision::RetryAfter(Duration::from_millis(500));
        for v in ["soon", "-5", "inf", "NaN", "1e300", "", "９"] {
            assert_eq!(ra(v), fallback, "{v:?}");
        }
        let far = httpdate::fmt_http_date(now + Duration::from_secs(3600));
        assert_eq!(
            parse_retry_after(&far, now),
            Some(Duration::from_secs(3600))
        );
    }

    #[test]
    fn jitter_is_in_range() {
        for _ in 0..100 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j));
        }
    }
}
