//! The ureq agent and one exchange on it: building the agent (connector chain, resolver, TLS
//! roots), this attempt's settings (timeouts, proxy, connection reuse), reading the response
//! with its body capped, and naming a transport failure.

use std::sync::LazyLock;
use std::time::Duration;

use ureq::unversioned::transport::{Connector, DefaultConnector};

use super::guard::{Attempt, GuardConnector};
use super::request::{Method, Request};
use super::resolver::{self, CachingResolver};
use super::response::is_success;
use crate::config::{self, Config, ProxySetting, TlsRoots, Transport};
use crate::errors::{ConnectionError, Error, Result, TransportKind};

/// The `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("pinn-rust/", env!("CARGO_PKG_VERSION"));

/// The agent of every config with the default transport: one keep-alive pool for them all.
static DEFAULT_AGENT: LazyLock<ureq::Agent> = LazyLock::new(|| build(&Transport::default()));

/// The agent for `config`: the shared one, or the one built for its transport settings.
pub(crate) fn for_config(config: &Config) -> &ureq::Agent {
    if config.transport.is_default() {
        &DEFAULT_AGENT
    } else {
        config
            .transport
            .agent
            .get_or_init(|| build(&config.transport))
    }
}

/// Builds an agent. Error statuses are returned as responses (so their bodies can be read)
/// and redirects are not followed at all, so the `Authorization` header can never be carried
/// to another host. The connector chain ends with the key guard (`guard`); names resolve
/// through the caching resolver (`resolver`).
fn build(t: &Transport) -> ureq::Agent {
    let roots = match &t.roots {
        TlsRoots::Bundled => ureq::tls::RootCerts::WebPki,
        TlsRoots::Specific(certs) => ureq::tls::RootCerts::Specific(certs.clone()),
        #[cfg(feature = "platform-verifier")]
        TlsRoots::Platform => ureq::tls::RootCerts::PlatformVerifier,
    };
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(USER_AGENT)
        .accept("application/json")
        .timeout_connect(Some(config::DEFAULT_CONNECT_TIMEOUT))
        .timeout_global(Some(config::DEFAULT_TIMEOUT))
        .max_idle_age(t.idle_timeout)
        .tls_config(ureq::tls::TlsConfig::builder().root_certs(roots).build())
        .build();
    let connector = DefaultConnector::new().chain(GuardConnector);
    ureq::Agent::with_parts(config, connector, CachingResolver::new(t.dns_cache_ttl))
}

/// A response as read off the wire, its body capped.
#[derive(Debug)]
pub(crate) struct Raw {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub body: Vec<u8>,
    /// The limit a success's body was over, when it was: the body is then not read.
    pub over_limit: Option<u64>,
}

/// One attempt: send `req` to `url` and read the response, within `remaining`.
pub(crate) fn exchange(
    config: &Config,
    req: &Request,
    url: &str,
    remaining: Duration,
) -> Result<Raw> {
    if remaining.is_zero() {
        return Err(transport_error(
            ureq::Error::Timeout(ureq::Timeout::Global),
            false,
            true,
        ));
    }
    // Whether this attempt's time limit is the call's deadline, not the attempt timeout.
    let at_deadline = remaining <= config.timeout;
    let agent = for_config(config);
    let fresh_within = (req.method == Method::Post)
        .then(|| config.post_idle_timeout.min(config.transport.idle_timeout));
    let attempt = Attempt::begin(config.secret_key(), &config.authority, fresh_within);
    resolver::clear_used();
    let sent = match req.method {
        Method::Get => prepare(agent.get(url), agent, config, remaining).call(),
        Method::Delete => prepare(agent.delete(url), agent, config, remaining).call(),
        Method::Post => send_json(
            prepare(agent.post(url), agent, config, remaining),
            &req.body,
        ),
        Method::Patch => send_json(
            prepare(agent.patch(url), agent, config, remaining),
            &req.body,
        ),
    };
    let response = sent.map_err(|e| {
        let err = transport_error(e, attempt.sent(), at_deadline);
        if matches!(
            err.transport_kind(),
            Some(TransportKind::ConnectFailed | TransportKind::ConnectTimeout)
        ) {
            resolver::forget_used();
        }
        err
    })?;
    let (parts, mut body) = response.into_parts();
    let status = parts.status.as_u16();
    let (body, over_limit) = match body
        .with_config()
        .limit(config.max_response_bytes)
        .read_to_vec()
    {
        Ok(b) => (b, None),
        // An error page too large to read (a proxy's HTML, say): the status alone decides
        // the error, and whether it is retried, as for any body that is not the error JSON.
        Err(ureq::Error::BodyExceedsLimit(_)) if !is_success(status) => (Vec::new(), None),
        Err(ureq::Error::BodyExceedsLimit(limit)) => (Vec::new(), Some(limit)),
        Err(e) => return Err(transport_error(e, true, at_deadline)),
    };
    drop(attempt);
    Ok(Raw {
        status,
        headers: parts.headers,
        body,
        over_limit,
    })
}

/// Adds the headers every request carries (`User-Agent` and `Accept` come from the agent)
/// and this attempt's settings where they differ from the agent's: timeouts within what is
/// left of the call, and the proxy. A call with the default settings needs neither, and
/// stays on the agent's own config (a request-level config is a copy of it, and misses the
/// agent's cached TLS configuration).
fn prepare<B>(
    builder: ureq::RequestBuilder<B>,
    agent: &ureq::Agent,
    config: &Config,
    remaining: Duration,
) -> ureq::RequestBuilder<B> {
    let mut b = builder.header(
        "Authorization",
        config.authorization.as_deref().unwrap_or_default(),
    );
    if let Some(v) = &config.api_version {
        b = b.header("Pinn-Version", v);
    }
    let proxy = match &config.proxy {
        ProxySetting::FromEnv if !config.host_is_loopback => agent.config().proxy().cloned(),
        ProxySetting::Explicit(p) => Some(p.clone()),
        _ => None,
    };
    let timeout = config.timeout.min(remaining);
    let agent_timeouts = agent.config().timeouts();
    let as_the_agent = proxy.as_ref() == agent.config().proxy()
        && agent_timeouts.connect == Some(config.connect_timeout)
        && agent_timeouts.global == Some(timeout);
    if as_the_agent {
        return b;
    }
    b.config()
        .timeout_connect(Some(config.connect_timeout))
        .timeout_global(Some(timeout))
        .proxy(proxy)
        .build()
}

/// Sends a JSON body with its content type, or an empty body.
fn send_json(
    builder: ureq::RequestBuilder<ureq::typestate::WithBody>,
    body: &Option<Vec<u8>>,
) -> std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error> {
    match body {
        Some(body) => builder
            .header("Content-Type", "application/json")
            .send(body.as_slice()),
        None => builder.send_empty(),
    }
}

/// Classifies a failure with no usable response. `sent`: whether any of the request had
/// reached the connection; `at_deadline`: whether the attempt's limit was the call's deadline.
pub(crate) fn transport_error(e: ureq::Error, sent: bool, at_deadline: bool) -> Error {
    use std::io::ErrorKind as Io;
    let kind = match &e {
        ureq::Error::HostNotFound => TransportKind::HostNotFound,
        ureq::Error::ConnectionFailed => TransportKind::ConnectFailed,
        ureq::Error::Io(io) if io.kind() == Io::ConnectionRefused => TransportKind::ConnectFailed,
        ureq::Error::Io(io) if matches!(io.kind(), Io::TimedOut | Io::WouldBlock) => {
            TransportKind::Timeout
        }
        ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => {
            TransportKind::ConnectTimeout
        }
        ureq::Error::Timeout(_) => TransportKind::Timeout,
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::TlsRequired => {
            TransportKind::Tls
        }
        ureq::Error::Io(io) if io.kind() == Io::InvalidData && !sent => TransportKind::Tls,
        ureq::Error::Protocol(_)
        | ureq::Error::LargeResponseHeader(..)
        | ureq::Error::BadUri(_)
        | ureq::Error::Http(_) => TransportKind::Protocol,
        _ => TransportKind::Io,
    };
    Error::Connection(Box::new(ConnectionError::new(kind, sent, at_deadline, e)))
}
