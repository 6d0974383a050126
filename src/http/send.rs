//! The one send loop: every attempt of a call, the retry decisions between them, and what
//! each attempt tells (a log record, the observer's event); and `GET /health`.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde::de::DeserializeOwned;

use super::request::{Method, Request};
use super::response::{Reply, ResponseInfo};
use super::retry::{self, Decision, Failure};
use super::{agent, parse};
use crate::config::Config;
use crate::errors::{Call, Error, Outcome, Result};
use crate::observe::AttemptEvent;
use crate::text::MAX_SHORT;

/// Sends `req` with `config`, retrying as [`retry::decide`] says, and decodes a success body
/// as `T` (`None` for an empty one).
///
/// A DELETE answered `404` after an earlier attempt that may have been processed is a
/// success, [`already_gone`](ResponseInfo::already_gone): that attempt may have deleted it.
pub(crate) fn send<T: DeserializeOwned>(config: &Config, req: &Request) -> Result<Reply<T>> {
    config.check()?;
    let url = req.url(config)?;
    req.check_body(config)?;
    let started = Instant::now();
    let mut call = Call {
        method: req.method.as_str(),
        // The path without its query: a log record never holds a query string.
        path: shown_path(path_of(&url[config.api_host().len()..]), config),
        host: Arc::clone(&config.host_port),
        attempts: 0,
        retryable: false,
        processed_before: false,
    };
    loop {
        call.attempts = call.attempts.saturating_add(1);
        let attempt_started = Instant::now();
        let remaining = config.deadline.saturating_sub(started.elapsed());
        let gone_ok = req.method == Method::Delete && call.processed_before;
        let result = agent::exchange(config, req, &url, remaining)
            .and_then(|raw| parse::response::<T>(raw, config, gone_ok));
        let mut err = match result {
            Ok((mut info, body)) => {
                info.call = call;
                Seen::success(&info, attempt_started, started).tell(config, &info.call);
                return Ok(Reply {
                    info: Arc::new(info),
                    body,
                });
            }
            Err(e) => e,
        };
        let failure = match &err {
            Error::Status(e) => Some(Failure::Status {
                status: e.status(),
                retry_after: e.retry_after(),
            }),
            Error::Connection(c) => Some(Failure::Transport {
                kind: c.kind(),
                sent: err.was_sent(),
            }),
            _ => None,
        };
        let decision = match failure {
            Some(failure) => retry::decide(
                failure,
                retry::Attempt {
                    method: req.method,
                    attempt: call.attempts,
                    max_retries: config.max_retries,
                    elapsed: started.elapsed(),
                    deadline: config.deadline,
                    now: SystemTime::now(),
                    jitter: retry::jitter(),
                },
            ),
            None => Decision::Stop,
        };
        call.retryable = failure.is_some_and(|f| retry::retryable(req.method, f));
        err.set_call(call.clone());
        // Once an attempt may have been processed, every later error says so too.
        call.processed_before = err.outcome() == Outcome::MaybeProcessed;
        Seen::failure(&err, decision, attempt_started, started).tell(config, &call);
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

/// What one attempt ended with, as the log record and the observer are told it.
struct Seen<'a> {
    status: Option<u16>,
    request_id: Option<&'a str>,
    err: Option<&'a Error>,
    decision: Decision,
    /// This attempt's duration, and the call's so far.
    elapsed: Duration,
    total: Duration,
}

impl<'a> Seen<'a> {
    fn success(info: &'a ResponseInfo, attempt_started: Instant, started: Instant) -> Seen<'a> {
        Seen {
            status: Some(info.status()),
            request_id: info.request_id(),
            err: None,
            decision: Decision::Stop,
            elapsed: attempt_started.elapsed(),
            total: started.elapsed(),
        }
    }

    fn failure(
        err: &'a Error,
        decision: Decision,
        attempt_started: Instant,
        started: Instant,
    ) -> Seen<'a> {
        Seen {
            status: err.status(),
            request_id: err.request_id(),
            err: Some(err),
            decision,
            elapsed: attempt_started.elapsed(),
            total: started.elapsed(),
        }
    }

    fn retry_in(&self) -> Option<Duration> {
        match self.decision {
            Decision::Retry(wait) => Some(wait.duration()),
            Decision::Stop => None,
        }
    }

    /// Logs the attempt and hands it to the config's observer.
    fn tell(&self, config: &Config, call: &Call) {
        self.log(config, call);
        if let Some(observe) = &config.observer {
            observe(&AttemptEvent {
                method: call.method,
                path: &call.path,
                host: &call.host,
                label: config.label.as_deref(),
                attempt: call.attempts,
                elapsed: self.elapsed,
                status: self.status,
                transport: self.err.and_then(Error::transport_kind),
                request_id: self.request_id,
                outcome: self.err.map(Error::outcome),
                retry_in: self.retry_in(),
            });
        }
    }

    /// One record (target `pinn::http`) with the attempt's facts as key-values: a success at
    /// `debug`, a failure at `info`, its retry decision named for what set the wait (the
    /// backoff, or the server's `Retry-After`). Durations are whole milliseconds.
    fn log(&self, config: &Config, call: &Call) {
        let level = match self.err {
            None => log::Level::Debug,
            Some(_) => log::Level::Info,
        };
        if !log::log_enabled!(target: "pinn::http", level) {
            return;
        }
        let (method, path, host) = (call.method, call.path.as_str(), &*call.host);
        let client = config.label.as_deref().unwrap_or("-");
        let status = self.status.map_or_else(|| "-".into(), |s| s.to_string());
        let request_id = self.request_id.unwrap_or("-");
        let (attempt, elapsed_ms, total_ms) = (call.attempts, ms(self.elapsed), ms(self.total));
        let Some(err) = self.err else {
            log::debug!(
                target: "pinn::http",
                client = client, method = method, path = path, host = host,
                status = status.as_str(), request_id = request_id, attempt = attempt,
                elapsed_ms = elapsed_ms, total_ms = total_ms;
                "{method} {path} on {host} -> {status} (client {client}, request {request_id}, \
                 attempt {attempt}, {elapsed_ms} ms)"
            );
            return;
        };
        let kind = format!("{:?}", err.kind());
        let (retry, wait_ms, wait_reason) = match self.decision {
            Decision::Retry(w) => (true, ms(w.duration()), w.reason()),
            Decision::Stop => (false, 0, "-"),
        };
        let next = match retry {
            true => format!("retrying in {wait_ms} ms ({wait_reason})"),
            false => "giving up".to_string(),
        };
        log::info!(
            target: "pinn::http",
            client = client, method = method, path = path, host = host, status = status.as_str(),
            kind = kind.as_str(), request_id = request_id, attempt = attempt,
            elapsed_ms = elapsed_ms, total_ms = total_ms, retry = retry, wait_ms = wait_ms,
            wait_reason = wait_reason;
            "{method} {path} on {host} failed: {kind}, status {status} (client {client}, \
             request {request_id}), attempt {attempt}, {elapsed_ms} ms; {next}"
        );
    }
}

/// A path as errors and log records show it: as sent when it is plain (short printable
/// ASCII with no `%` and no key, as the paths the crate builds from ordinary IDs are), else
/// made safe like any text from outside.
fn shown_path(path: &str, config: &Config) -> String {
    let plain = path.len() <= MAX_SHORT
        && !path.contains('%')
        && path.bytes().all(|b| b.is_ascii_graphic())
        && config
            .secret_key()
            .is_none_or(|k| !path.contains(k.expose()));
    match plain {
        true => path.to_string(),
        false => config.shown(path, MAX_SHORT),
    }
}

/// The path of a path-and-query.
fn path_of(path_and_query: &str) -> &str {
    path_and_query.split('?').next().unwrap_or(path_and_query)
}

/// A duration in whole milliseconds, as logged.
fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
