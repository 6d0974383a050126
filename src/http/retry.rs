//! When to retry: [`retryable`] (the one place that decides whether a failure may be retried
//! at all, also behind [`Error::is_retryable`](crate::Error::is_retryable)) and [`decide`]
//! (whether and when, given the attempt count and the deadline).
//!
//! - A request that never reached the connection (host not found, connection refused or not
//!   opened in time, nothing written) is retried whatever its method: the server cannot have
//!   acted on it.
//! - GET, PATCH and DELETE (idempotent on Pinn: a PATCH sets fields to values) are also
//!   retried after a connection failure or timeout once sent, and after statuses 429, 500,
//!   502, 503 and 504.
//! - POST creates something and Pinn has no idempotency keys, so once sent it is retried only
//!   after 429 or 503, answers that say the server did nothing.
//! - TLS failures, replies that are not HTTP and other statuses are never retried.
//! - The wait is exponential from 0.5 s with jitter, capped at 8 s. A `Retry-After` header
//!   (seconds or an HTTP-date) is honoured up to 60 s; a longer one, or one that cannot be
//!   read, ends the call with the error at once: a server is never retried sooner than it
//!   asked.
//! - No wait may cross the call's deadline.

use std::time::{Duration, SystemTime};

use super::Method;
use crate::errors::TransportKind;

/// The first backoff wait.
pub(crate) const BASE_BACKOFF: Duration = Duration::from_millis(500);
/// The longest backoff wait.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// The longest `Retry-After` honoured; a server asking for more ends the call.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// How one attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure<'a> {
    /// No response arrived. `sent`: whether any of the request reached the connection.
    Transport { kind: TransportKind, sent: bool },
    /// A response arrived with this error status and, maybe, a `Retry-After` header.
    Status {
        status: u16,
        retry_after: Option<&'a str>,
    },
}

/// Why a retry waits as long as it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    /// The exponential backoff.
    Backoff(Duration),
    /// The server's `Retry-After`.
    RetryAfter(Duration),
}

impl Wait {
    pub(crate) fn duration(self) -> Duration {
        match self {
            Wait::Backoff(d) | Wait::RetryAfter(d) => d,
        }
    }

    pub(crate) fn reason(self) -> &'static str {
        match self {
            Wait::Backoff(_) => "backoff",
            Wait::RetryAfter(_) => "retry-after",
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Wait, then try again.
    Retry(Wait),
    /// Return the error now.
    Stop,
}

/// Everything [`decide`] looks at besides the failure.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt {
    pub method: Method,
    /// Attempts made so far, the failed one included (1 after the first).
    pub attempt: u32,
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
pub(crate) fn decide(failure: Failure<'_>, a: Attempt) -> Decision {
    if a.attempt > a.max_retries || !retryable(a.method, failure) {
        return Decision::Stop;
    }
    let wait = match failure {
        Failure::Status {
            retry_after: Some(v),
            ..
        } => match parse_retry_after(v, a.now) {
            Some(w) if w <= MAX_RETRY_AFTER => Wait::RetryAfter(w),
            // Longer than we wait, or unreadable: never sooner than the server asked.
            _ => return Decision::Stop,
        },
        _ => Wait::Backoff(backoff(a.attempt, a.jitter)),
    };
    match a.elapsed.checked_add(wait.duration()) {
        Some(t) if t < a.deadline => Decision::Retry(wait),
        _ => Decision::Stop,
    }
}

/// Whether this failure of this method may be retried at all: the one rule, used by the send
/// loop and by [`Error::is_retryable`](crate::Error::is_retryable).
pub(crate) fn retryable(method: Method, failure: Failure<'_>) -> bool {
    use TransportKind::{Protocol, Tls};
    match (method, failure) {
        (
            _,
            Failure::Transport {
                kind: Tls | Protocol,
                ..
            },
        ) => false,
        (_, Failure::Transport { sent: false, .. }) => true,
        (Method::Post, Failure::Transport { .. }) => false,
        (_, Failure::Transport { .. }) => true,
        (Method::Post, Failure::Status { status, .. }) => matches!(status, 429 | 503),
        (_, Failure::Status { status, .. }) => matches!(status, 429 | 500 | 502..=504),
    }
}

/// The wait before retry number `attempt` (1-based): 0.5 s doubling, capped at 8 s, with
/// "equal jitter" (between half and all of it).
pub(crate) fn backoff(attempt: u32, jitter: f64) -> Duration {
    let exp = attempt.saturating_sub(1).min(16);
    let full = BASE_BACKOFF.saturating_mul(1u32 << exp).min(MAX_BACKOFF);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    full.mul_f64(0.5 + jitter / 2.0)
}

/// Reads `Retry-After`: whole or decimal seconds, or an HTTP-date (one in the past means
/// now). `None` for anything else: garbage, negative, `inf`, `nan`.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).ok();
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

    fn sent(kind: TransportKind) -> Failure<'static> {
        Failure::Transport { kind, sent: true }
    }

    fn unsent(kind: TransportKind) -> Failure<'static> {
        Failure::Transport { kind, sent: false }
    }

    #[test]
    fn what_is_retried_by_method() {
        #[rustfmt::skip]
        let table: &[(Method, Failure, bool)] = &[
            (Get, unsent(ConnectFailed), true),
            (Get, sent(Timeout), true),
            (Get, sent(Io), true),
            (Get, unsent(HostNotFound), true),
            (Get, unsent(Tls), false),
            (Get, sent(Protocol), false),
            (Patch, sent(Io), true),
            (Delete, sent(Timeout), true),
            (Post, unsent(ConnectFailed), true),
            (Post, unsent(ConnectTimeout), true),
            (Post, unsent(HostNotFound), true),
            (Post, unsent(Io), true),
            (Post, unsent(Timeout), true),
            (Post, sent(Timeout), false),
            (Post, sent(Io), false),
            (Post, unsent(Tls), false),
            (Post, sent(Protocol), false),
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
            assert_eq!(matches!(d, Decision::Retry(_)), want, "{m:?} {f:?}");
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
            Decision::Retry(_)
        ));
        assert_eq!(decide(status(500), at(Get, 3)), Decision::Stop);
        let off = Attempt {
            max_retries: 0,
            ..at(Get, 1)
        };
        assert_eq!(decide(status(500), off), Decision::Stop);
        let many = Attempt {
            max_retries: u32::MAX,
            attempt: u32::MAX - 1,
            ..at(Get, 1)
        };
        assert!(matches!(decide(status(500), many), Decision::Retry(_)));
    }

    #[test]
    fn no_wait_crosses_the_deadline() {
        let late = Attempt {
            elapsed: Duration::from_millis(89_600),
            ..at(Get, 1)
        };
        assert_eq!(decide(status(500), late), Decision::Stop);
        // A wait that ends at the deadline itself leaves no time for the attempt.
        let asked = |elapsed_ms| {
            let a = Attempt {
                elapsed: Duration::from_millis(elapsed_ms),
                ..at(Get, 1)
            };
            let failure = Failure::Status {
                status: 503,
                retry_after: Some("1"),
            };
            decide(failure, a)
        };
        assert_eq!(asked(89_000), Decision::Stop);
        assert_eq!(
            asked(88_999),
            Decision::Retry(Wait::RetryAfter(Duration::from_secs(1)))
        );
    }

    #[test]
    fn retry_after_values() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let ra = |v: &str| {
            decide(
                Failure::Status {
                    status: 429,
                    retry_after: Some(v),
                },
                at(Get, 1),
            )
        };
        let after = |d| Decision::Retry(Wait::RetryAfter(d));
        assert_eq!(ra("3"), after(Duration::from_secs(3)));
        assert_eq!(ra(" 0.25 "), after(Duration::from_millis(250)));
        assert_eq!(ra("0"), after(Duration::ZERO));
        assert_eq!(ra("60"), after(Duration::from_secs(60)));
        assert_eq!(ra("61"), Decision::Stop);
        let date = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(ra(&date), after(Duration::from_secs(7)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        let far = httpdate::fmt_http_date(now + Duration::from_secs(3600));
        assert_eq!(
            parse_retry_after(&far, now),
            Some(Duration::from_secs(3600))
        );
        // A huge or unreadable value is never retried sooner than a readable long one.
        for v in [
            "10000", "1e10", "1e20", "1e300", "inf", "NaN", "-5", "soon", "", "９",
        ] {
            assert_eq!(ra(v), Decision::Stop, "{v:?}");
        }
    }

    #[test]
    fn jitter_is_in_range_and_differs_from_draw_to_draw() {
        let draws: Vec<f64> = (0..100).map(|_| jitter()).collect();
        assert!(draws.iter().all(|j| (0.0..1.0).contains(j)), "{draws:?}");
        let mut distinct = draws.clone();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        assert!(distinct.len() > 90, "{draws:?}");
        // Spread over the range, not bunched at one end.
        assert!(draws.iter().any(|j| *j < 0.5) && draws.iter().any(|j| *j >= 0.5));
    }
}
