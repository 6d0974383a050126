//! Keeping the secret key out of everything the CLI prints about itself: usage errors (clap
//! quotes the argument it refused), paths, hosts, and the error line of a failed call.
//!
//! Every line [`Failure::report`](crate::exit::Failure::report) prints goes through
//! [`redact`]. It replaces with `<redacted>`:
//!
//! - every secret remembered: the value of `PINN_SECRET_KEY`, the key file's content once
//!   read, and each argument (from a `sk_test_`/`sk_live_` prefix on) that holds a key;
//! - anything else that starts like a key (`sk_test_…`, `sk_live_…`), to the end of the word.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::ffi::OsString;
use std::sync::{Mutex, PoisonError};

use pinn::text::REDACTED;

/// How a secret key starts.
const PREFIXES: [&str; 2] = ["sk_test_", "sk_live_"];

/// The secrets remembered, longest first.
static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Remembers `secret` (without surrounding whitespace) as text never to print.
pub fn remember(secret: &str) {
    let secret = secret.trim();
    if secret.is_empty() || REDACTED.contains(secret) {
        return;
    }
    let mut secrets = SECRETS.lock().unwrap_or_else(PoisonError::into_inner);
    if !secrets.iter().any(|s| s == secret) {
        secrets.push(secret.to_string());
        secrets.sort_by_key(|s| Reverse(s.len()));
    }
}

/// Remembers the key in `PINN_SECRET_KEY`, and every argument that holds a key, from its
/// prefix to its end (`--limit=sk_test_…` gives `sk_test_…`). Arguments that are not UTF-8
/// are read lossily: the part that is still shows.
pub fn remember_environment_and(args: &[OsString]) {
    if let Some(key) = std::env::var_os("PINN_SECRET_KEY") {
        remember(&key.to_string_lossy());
    }
    for arg in args.iter().skip(1) {
        let arg = arg.to_string_lossy();
        for prefix in PREFIXES {
            if let Some(at) = arg.find(prefix) {
                remember(&arg[at..]);
            }
        }
    }
}

/// The shortest remembered secret [`in_data`] looks for: a shorter one (no real key is) could
/// match ordinary data by chance, and data is not rewritten for that.
const IN_DATA: usize = 16;

/// Whether [`in_data`] has replaced a secret yet.
static REDACTED_DATA: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `text`, data for stdout, with every remembered secret of at least [`IN_DATA`] bytes
/// replaced: a server that echoes the key into what it returns (a hostile one, or data
/// another tool stored) does not get it into a terminal or a CI log. The first time it
/// happens, a line on stderr says so, as the output then differs from what was received.
pub fn in_data(text: &str) -> Cow<'_, str> {
    let secrets = SECRETS.lock().unwrap_or_else(PoisonError::into_inner);
    let mut text = Cow::Borrowed(text);
    for secret in secrets.iter().filter(|s| s.len() >= IN_DATA) {
        if let Cow::Owned(redacted) = pinn::text::redact(&text, secret) {
            text = Cow::Owned(redacted);
        }
    }
    if matches!(text, Cow::Borrowed(_)) {
        return text;
    }
    if !REDACTED_DATA.swap(true, std::sync::atomic::Ordering::Relaxed) {
        crate::stderr::note!(
            "pinn: the server's answer held the secret key; it is printed as {REDACTED}"
        );
    }
    text
}

/// `text` with every secret replaced by `<redacted>`, wherever it stands, written plainly or
/// percent-encoded (the crate's own redactor, [`pinn::text::redact`]).
pub fn redact(text: &str) -> String {
    let secrets = SECRETS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let mut text = text.to_string();
    for secret in &secrets {
        if let Cow::Owned(redacted) = pinn::text::redact(&text, secret) {
            text = redacted;
        }
    }
    prefixed(&text)
}

/// `text` with every word that starts like a key replaced. The word ends at whitespace, a
/// quote or bracket, or anything that is not printable ASCII.
fn prefixed(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = PREFIXES.iter().filter_map(|p| rest.find(p)).min() {
        out.push_str(&rest[..at]);
        out.push_str(REDACTED);
        let key = &rest[at..];
        let end = key
            .find(|c: char| {
                !c.is_ascii_graphic() || matches!(c, '\'' | '"' | '`' | '<' | '>' | '(' | ')')
            })
            .unwrap_or(key.len());
        rest = &key[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_replaced() {
        assert_eq!(
            prefixed("unexpected argument 'sk_test_abc' found"),
            "unexpected argument '<redacted>' found"
        );
        assert_eq!(prefixed("file sk_live_x: gone"), "file <redacted> gone");
    }
}
