//! ureq's entry point: the port from the URI, an IP address at once, and a name's addresses
//! within the connect timeout and what is left of the call.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

use super::lookup::CachingResolver;

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err(ureq::Error::BadUri(format!("{uri}")));
        };
        let port = match (authority.port_u16(), scheme) {
            (Some(p), _) => p,
            (None, "https") => 443,
            (None, "http") => 80,
            (None, s) if s.starts_with("socks") => 1080,
            (None, s) => return Err(ureq::Error::BadUri(format!("unknown scheme {s}"))),
        };
        let host = authority.host();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let mut out = self.empty();
        if let Ok(ip) = bare.parse::<IpAddr>() {
            out.push(SocketAddr::new(ip, port));
            return Ok(out);
        }
        let connect = config.timeouts().connect.unwrap_or(Duration::MAX);
        let wait = (*timeout.after).min(connect);
        for addr in self.addresses(host, port, wait)?.into_iter().take(16) {
            out.push(addr);
        }
        Ok(out)
    }
}
