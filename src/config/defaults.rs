//! The default of every setting, and the bound of every duration.

use std::time::Duration;

/// The production API host, used when `PINN_API_HOST` is not set.
pub const DEFAULT_API_HOST: &str = "https://pinnapis.com";
/// Connect timeout unless configured otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Overall timeout of one attempt (connect, send, and read the whole response).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Overall deadline of one call, retries and their waits included.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(90);
/// The longest any duration setting can be: a longer one (`Duration::MAX` included) is taken
/// as this, a day, which no call should ever need.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 60 * 60);
/// Retries after a retryable failure; 0 turns retrying off.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// The largest response body read, in bytes; a larger one is an error, not an allocation.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;
/// How long a host name's addresses are reused before it is looked up again.
pub const DEFAULT_DNS_CACHE_TTL: Duration = Duration::from_secs(60);
/// A pooled connection idle for longer is closed rather than reused: below the 5 s after
/// which common servers (Node.js, Apache) close an idle keep-alive connection themselves.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(4);
/// A POST reuses a pooled connection only if it was idle for less than this; otherwise it
/// opens a fresh one. See
/// [`ConfigBuilder::post_idle_timeout`](crate::config::ConfigBuilder::post_idle_timeout).
pub const DEFAULT_POST_IDLE_TIMEOUT: Duration = Duration::from_millis(50);
