//! The checks a [`ConfigBuilder`](super::ConfigBuilder) runs on its values. Every problem is
//! described without echoing anything that could be a secret: a host's user name, password,
//! query or fragment never appears in a message, and neither does any part of the key.

use std::time::Duration;

use super::key::SecretKey;

/// The longest secret key accepted, in bytes: far more than a real key's 35, far less than
/// servers take in a request head. An API version has the same bound.
pub const MAX_SECRET_KEY_BYTES: usize = 1024;

/// The longest secret key or API version accepted, in bytes.
const MAX_HEADER_VALUE: usize = MAX_SECRET_KEY_BYTES;

/// `None` when `value` can be sent as a header value as it is. The message names the problem
/// and never quotes the value.
pub(crate) fn header_value(what: &str, value: &str, allow_space: bool) -> Option<String> {
    if value.is_empty() {
        return Some(format!("the {what} is empty"));
    }
    if value.len() > MAX_HEADER_VALUE {
        return Some(format!(
            "the {what} is longer than {MAX_HEADER_VALUE} bytes"
        ));
    }
    let bad = value
        .chars()
        .find(|&c| !(c.is_ascii_graphic() || (allow_space && c == ' ')));
    bad.map(|c| {
        let what_char = match c {
            '\r' | '\n' => "a line break",
            ' ' | '\t' => "whitespace",
            c if c.is_control() => "a control character",
            _ => "a non-ASCII character",
        };
        format!("the {what} contains {what_char}, so it cannot be sent as a header")
    })
}

/// A duration setting: zero is refused (nothing could ever succeed), and anything longer than
/// `max` is taken as `max`, so `Duration::MAX` reads as "no practical limit" and no deadline
/// arithmetic can overflow.
pub(crate) fn duration(what: &str, d: Duration, max: Duration) -> Result<Duration, String> {
    if d.is_zero() {
        return Err(format!("the {what} must be longer than zero"));
    }
    Ok(d.min(max))
}

/// Checks an API host and strips its trailing slash.
pub(crate) fn api_host(host: &str, allow_insecure_http: bool) -> Result<String, String> {
    let shown = format!("\"{}\"", shown_host(host));
    let trimmed = host.strip_suffix('/').unwrap_or(host);
    let (scheme, rest) = if let Some(rest) = trimmed.strip_prefix("https://") {
        ("https", rest)
    } else if let Some(rest) = trimmed.strip_prefix("http://") {
        ("http", rest)
    } else {
        return Err(format!(
            "api host {shown} must start with https:// (or http:// for a loopback emulator)"
        ));
    };
    if rest.contains('@') {
        return Err(format!(
            "api host {shown} must not hold a user name or password: the secret key is the \
             only credential, and it is sent as a header"
        ));
    }
    if rest.contains(['?', '#']) {
        return Err(format!(
            "api host {shown} must not hold a query or a fragment"
        ));
    }
    let Some(name) = host_name(rest) else {
        return Err(format!(
            "api host {shown} must be a scheme and a host with an optional port, nothing else"
        ));
    };
    if scheme == "http" && !allow_insecure_http && !is_loopback(name) {
        return Err(format!(
            "api host {shown} uses plain http:// on a non-loopback host, which would send the \
             secret key in clear text; use https:// (or allow_insecure_http on a trusted network)"
        ));
    }
    Ok(trimmed.to_string())
}

/// A host as it may appear in a message: the scheme and the host and port only, with any
/// user name or password, path, query and fragment left out, control characters escaped and
/// the whole cut short.
pub(crate) fn shown_host(host: &str) -> String {
    let (scheme, rest) = match host.split_once("://") {
        Some((s, r)) => (format!("{s}://"), r),
        None => (String::new(), host),
    };
    // Everything up to the last `@` anywhere is hidden: a password may hold `/`, `?` or `#`
    // (unencoded), and showing too little beats showing part of a password.
    let (userinfo, rest) = match rest.rsplit_once('@') {
        Some((_, after)) => ("<hidden>@", after),
        None => ("", rest),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host_port = &rest[..end];
    let more = if end < rest.len() && &rest[end..] != "/" {
        "…"
    } else {
        ""
    };
    let shown = format!("{scheme}{userinfo}{host_port}{more}");
    crate::text::shown(&shown, None, 120)
}

/// The host of `authority` when it is exactly a host name, an IPv4 address or a bracketed
/// IPv6 address, then optionally `:` and a port number; `None` for anything else.
///
/// Strict on purpose: the loopback check must read the host the way the HTTP stack will.
/// `localhost:evil.example` or `[::1]evil.example` are refused rather than guessed at.
pub(crate) fn host_name(authority: &str) -> Option<&str> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (inside, after) = v6.split_once(']')?;
        inside.parse::<std::net::Ipv6Addr>().ok()?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (inside, port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let name_byte = |b: u8| b.is_ascii_alphanumeric() || b"-._".contains(&b);
        if host.is_empty() || !host.bytes().all(name_byte) {
            return None;
        }
        (host, port)
    };
    if let Some(p) = port
        && (!p.bytes().all(|b| b.is_ascii_digit()) || p.parse::<u16>().is_err())
    {
        return None;
    }
    Some(host)
}

/// Whether `host` (from [`host_name`]) names the local machine.
pub(crate) fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    // `::ffff:127.0.0.1` is the IPv4 loopback too, written as IPv6.
    host.parse::<std::net::IpAddr>()
        .map(|ip| ip.to_canonical().is_loopback())
        .unwrap_or(false)
}

/// `host:port` for an authority of the given scheme, the scheme's port added when the
/// authority has none (`pinnapis.com` → `pinnapis.com:443`, `[::1]` → `[::1]:80`).
pub(crate) fn host_port(scheme: &str, authority: &str) -> String {
    // The authority has passed `api_host`: a host, an IPv4 address or a bracketed IPv6
    // address, then maybe `:` and a port. An IPv6 address's last `:` is followed by a `]`.
    let has_port = authority
        .rsplit_once(':')
        .is_some_and(|(_, port)| port.parse::<u16>().is_ok());
    match (has_port, scheme) {
        (true, _) => authority.to_string(),
        (false, "http") => format!("{authority}:80"),
        (false, _) => format!("{authority}:443"),
    }
}

/// The longest label accepted, in bytes.
const MAX_LABEL: usize = 64;

/// `None` when `label` can name a client in logs: printable, not empty, at most
/// [`MAX_LABEL`] bytes, and not the key (labels are logged).
/// Whether a value that is sent or logged (a host, an API version) looks like a secret key:
/// it starts with a key's prefix, is the key, or holds a key long enough to be told apart.
/// `any_case`: a host, whose case the crate folds before showing it.
pub(crate) fn keyish(value: &str, key: Option<&SecretKey>, any_case: bool) -> bool {
    let fold = |s: &str| match any_case {
        true => s.to_ascii_lowercase(),
        false => s.to_string(),
    };
    let value = fold(value);
    value.contains("sk_test_")
        || value.contains("sk_live_")
        || key.is_some_and(|k| {
            let folded = fold(k.expose());
            value == folded || k.is_distinctive() && value.contains(&folded)
        })
}

pub(crate) fn label(label: &str, key: Option<&SecretKey>) -> Option<String> {
    if label.is_empty() || label.len() > MAX_LABEL {
        return Some(format!("the label must be 1 to {MAX_LABEL} bytes"));
    }
    if label.chars().any(crate::text::is_hidden) {
        return Some("the label contains a control or invisible character".into());
    }
    let keyish = label.starts_with("sk_test_") || label.starts_with("sk_live_");
    if keyish || key.is_some_and(|k| label.contains(k.expose())) {
        return Some("the label looks like a secret key; labels are logged".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_writes_the_schemes_port_when_there_is_none() {
        assert_eq!(host_port("https", "pinnapis.com"), "pinnapis.com:443");
        assert_eq!(host_port("http", "localhost"), "localhost:80");
        assert_eq!(host_port("http", "127.0.0.1:12111"), "127.0.0.1:12111");
        assert_eq!(host_port("https", "[::1]"), "[::1]:443");
        assert_eq!(host_port("http", "[::1]:8080"), "[::1]:8080");
        assert_eq!(
            host_port("https", "[::ffff:1.2.3.4]"),
            "[::ffff:1.2.3.4]:443"
        );
    }

    #[test]
    fn labels_are_printable_short_and_never_a_key() {
        let key = SecretKey::new("sk_test_4eC39HqLyjWDarjtT1zdp7dc".into());
        assert_eq!(label("tenant-a", Some(&key)), None);
        assert_eq!(label(&"a".repeat(MAX_LABEL), None), None);
        for bad in [
            String::new(),
            "a".repeat(MAX_LABEL + 1),
            "two\nlines".into(),
            "x\u{202e}".into(),
        ] {
            assert!(label(&bad, None).is_some(), "{bad:?}");
        }
        assert!(label("sk_live_whatever", None).is_some());
        assert!(label("tenant sk_test_4eC39HqLyjWDarjtT1zdp7dc", Some(&key)).is_some());
    }

    #[test]
    fn hosts_are_checked_and_trimmed() {
        assert_eq!(
            api_host("https://pinnapis.com/", false).as_deref(),
            Ok("https://pinnapis.com")
        );
        assert!(api_host("http://127.0.0.1:8080", false).is_ok());
        assert!(api_host("http://localhost", false).is_ok());
        assert!(api_host("http://[::1]:9", false).is_ok());
        assert!(api_host("http://[::ffff:127.0.0.1]:9", false).is_ok());
        assert!(api_host("http://[::ffff:10.0.0.1]:9", false).is_err());
        assert!(api_host("http://example.com", false).is_err());
        assert!(api_host("http://example.com", true).is_ok());
        assert!(api_host("http://127.0.0.1.evil.com", false).is_err());
        assert!(api_host("ftp://x", false).is_err());
        assert!(api_host("https://a.com/v1", false).is_err());
        assert!(api_host("https://user@a.com", false).is_err());
        assert!(api_host("https://", false).is_err());
        assert!(api_host("https://a b", false).is_err());
    }

    #[test]
    fn no_message_echoes_credentials_query_or_fragment() {
        let secret = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
        for host in [
            format!("https://{secret}:@pinnapis.com"),
            format!("https://user:{secret}@pinnapis.com"),
            format!("https://{secret}@pinnapis.com/"),
            format!("https://pinnapis.com/?key={secret}"),
            format!("https://pinnapis.com?key={secret}"),
            format!("https://pinnapis.com#{secret}"),
            format!("https://pinnapis.com/v1/{secret}"),
            format!("ftp://{secret}@pinnapis.com"),
            format!("pinnapis.com/{secret}"),
            format!("http://user:{secret}@example.com"),
            format!("https://user:pa/{secret}@pinnapis.com"),
            format!("https://user:pa?{secret}@pinnapis.com"),
            format!("https://user:pa#{secret}@pinnapis.com"),
            format!("https://{secret}/x@pinnapis.com"),
        ] {
            assert!(!shown_host(&host).contains("4eC39"), "{host}");
            let err = api_host(&host, false).unwrap_err();
            assert!(!err.contains(secret), "{err}");
            assert!(!err.contains("4eC39"), "{err}");
        }
        assert!(
            api_host("https://user:pass@a.com", false)
                .unwrap_err()
                .contains("<hidden>@a.com")
        );
    }

    #[test]
    fn header_values_are_checked() {
        assert!(header_value("k", "sk_test_abc", false).is_none());
        let long = "k".repeat(MAX_HEADER_VALUE + 1);
        for bad in ["", "a\nb", "a\rb", "a b", "é", "a\0", long.as_str()] {
            let p = header_value("k", bad, false);
            assert!(
                p.as_deref()
                    .is_some_and(|m| !m.contains(bad) || bad.is_empty()),
                "{bad:?}"
            );
        }
        assert!(header_value("v", "2024-01-01 beta", true).is_none());
        // Each problem says what is wrong, never what the value is.
        for (bad, why) in [
            ("a\nb", "contains a line break"),
            ("a\rb", "contains a line break"),
            ("a b", "contains whitespace"),
            ("a\tb", "contains whitespace"),
            ("a\u{1}b", "contains a control character"),
            ("a\u{7f}b", "contains a control character"),
            ("aéb", "contains a non-ASCII character"),
        ] {
            let p = header_value("key", bad, false).unwrap();
            assert_eq!(
                p,
                format!("the key {why}, so it cannot be sent as a header"),
                "{bad:?}"
            );
        }
        let longest = "k".repeat(MAX_HEADER_VALUE);
        assert!(header_value("key", &longest, false).is_none());
        assert_eq!(
            header_value("key", &format!("{longest}k"), false).as_deref(),
            Some("the key is longer than 1024 bytes")
        );
    }

    #[test]
    fn a_host_is_shown_without_its_userinfo_and_marked_when_cut() {
        assert_eq!(shown_host("https://pinnapis.com"), "https://pinnapis.com");
        assert_eq!(shown_host("https://pinnapis.com/"), "https://pinnapis.com");
        assert_eq!(
            shown_host("https://pinnapis.com/v1"),
            "https://pinnapis.com…"
        );
        assert_eq!(
            shown_host("https://pinnapis.com?x"),
            "https://pinnapis.com…"
        );
        assert_eq!(
            shown_host("https://u:p@pinnapis.com/"),
            "https://<hidden>@pinnapis.com"
        );
        assert_eq!(shown_host("pinnapis.com"), "pinnapis.com");
    }

    #[test]
    fn durations_are_refused_at_zero_and_clamped_at_the_top() {
        let max = Duration::from_secs(86_400);
        assert!(duration("timeout", Duration::ZERO, max).is_err());
        assert_eq!(
            duration("timeout", Duration::from_nanos(1), max),
            Ok(Duration::from_nanos(1))
        );
        assert_eq!(duration("timeout", Duration::MAX, max), Ok(max));
        assert_eq!(max, super::super::defaults::MAX_DURATION, "a day");
        assert_eq!(duration("timeout", max, max), Ok(max));
        assert_eq!(
            duration("timeout", max + Duration::from_nanos(1), max),
            Ok(max)
        );
        assert_eq!(
            duration("timeout", max - Duration::from_nanos(1), max),
            Ok(max - Duration::from_nanos(1))
        );
    }
}
