//! The one send loop: every attempt of a call, the retry decisions between them, and the
//! log record of each; and `GET /health`.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde::de::DeserializeOwned;

use super::request::Request;
use super::response::{Reply, ResponseInfo};
use super::retry::{self, Decision, Failure};
use super::{agent, parse};
use crate::config::Config;
use crate::errors::{Error, Outcome, Result};

/// Sends `req` with `config`, retrying as [`retry::decide`] says, and decodes a success body
/// as `T` (`None` for an empty one).
pub(crate) fn send<T: DeserializeOwned>(config: &Config, req: &Request) -> Result<Reply<T>> {
    config.check()?;
    let url = req.url(config)?;
    req.check_body(config)?;
    let started = Instant::now();
    let mut attempt: u32 = 0;
    // Whether an earlier attempt may have been processed.
    let mut processed_before = false;
    loop {
        attempt = attempt.saturating_add(1);
        let remaining = config.deadline.saturating_sub(started.elapsed());
        let result = agent::exchange(config, req, &url, remaining)
            .and_then(|raw| parse::response::<T>(raw, config));
        let mut err = match result {
            Ok((mut info, body)) => {
                info.attempts = attempt;
                log_success(req, &info, started.elapsed());
                return Ok(Reply {
                    info: Arc::new(info),
                    body,
                });
            }
            Err(e) => e,
        };
        let failure = match &err {
            Error::Status(e) => Failure::Status {
                status: e.status(),
                retry_after: e.retry_after(),
            },
            Error::Connection(c) => Failure::Transport {
                kind: c.kind(),
                sent: err.was_sent(),
            },
            _ => {
                err.set_attempt_facts(attempt, false, processed_before);
                log_failure(req, &err, attempt, started.elapsed(), Decision::Stop);
                return Err(err);
            }
        };
        let retryable = retry::retryable(req.method, failure);
        let decision = retry::decide(
            failure,
            retry::Attempt {
                method: req.method,
                attempt,
                max_retries: config.max_retries,
                elapsed: started.elapsed(),
                deadline: config.deadline,
                now: SystemTime::now(),
                jitter: retry::jitter(),
            },
        );
        err.set_attempt_facts(attempt, retryable, processed_before);
        processed_before = err.outcome() == Outcome::MaybeProcessed;
        log_failure(req, &err, attempt, started.elapsed(), decision);
        match decision {
            Decision::Retry(wait) => (config.sleep)(wait.duration()),
            Decision::Stop => return Err(err),
        }
    }
}

/// `GET /health` once, with no retries: true on a 2xx, false on anything else.
pub(crate) fn healthy(config: &Config) -> bool {
    if config.check().is_err() {
        return false;
    }
    let req = Request::get("/health".into());
    let Ok(url) = req.url(config) else {
        return false;
    };
    // One attempt, so bounded by the attempt's timeout and by the whole call's deadline alike.
    let within = config.timeout.min(config.deadline);
    matches!(agent::exchange(config, &req, &url, within), Ok(r) if (200..300).contains(&r.status))
}

/// A success, at `debug`, with its facts as key-values (target `pinn::http`).
fn log_success(req: &Request, info: &ResponseInfo, elapsed: Duration) {
    let elapsed_ms = elapsed.as_secs_f64() * 1000.0;
    let request_id = info.request_id().unwrap_or("-");
    log::debug!(
        method = req.method.as_str(), path = req.path.as_str(), status = info.status,
        request_id = request_id, attempt = info.attempts, elapsed_ms = elapsed_ms;
        "{} {} -> {} (request {request_id}, attempt {}, {elapsed_ms:.1} ms)",
        req.method.as_str(), req.path, info.status, info.attempts
    );
}

/// A failed attempt, at `info`, with its facts and the retry decision as key-values. The
/// wait is named for what set it: the backoff, or the server's `Retry-After`.
fn log_failure(req: &Request, err: &Error, attempt: u32, elapsed: Duration, decision: Decision) {
    let elapsed_ms = elapsed.as_secs_f64() * 1000.0;
    let request_id = err.request_id().unwrap_or("-");
    let status = err
        .status()
        .map_or_else(|| "-".to_string(), |s| s.to_string());
    let kind = format!("{:?}", err.kind());
    let (retry, wait_ms, wait_reason) = match decision {
        Decision::Retry(w) => (true, w.duration().as_secs_f64() * 1000.0, w.reason()),
        Decision::Stop => (false, 0.0, "-"),
    };
    let next = if retry {
        format!("retrying in {wait_ms:.0} ms ({wait_reason})")
    } else {
        "giving up".to_string()
    };
    log::info!(
        method = req.method.as_str(), path = req.path.as_str(), status = status.as_str(),
        kind = kind.as_str(), request_id = request_id, attempt = attempt,
        elapsed_ms = elapsed_ms, retry = retry, wait_ms = wait_ms, wait_reason = wait_reason;
        "{} {} failed: {kind}, status {status} (request {request_id}), attempt {attempt}, \
         {elapsed_ms:.1} ms; {next}",
        req.method.as_str(), req.path
    );
}
