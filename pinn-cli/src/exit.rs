//! How a command ends: the exit code for each way it can fail, and the one line it prints on
//! stderr. The table is documented in docs/cli.md; a script branches on the code.

use std::error::Error as _;
use std::io;

use pinn::ErrorKind;

use crate::stderr::note;

/// Everything the CLI can fail with.
#[derive(Debug)]
pub enum Failure {
    /// The command line is wrong (exit 2).
    Usage(String),
    /// A setting the CLI reads itself is unusable: the key file, a missing key (exit 3).
    Config(String),
    /// A call failed: the exit code is its kind's.
    Pinn(pinn::Error),
    /// `GET /health` did not answer with a 2xx.
    Unhealthy(String),
    /// A call failed part way through a walk of every page; the text says how far it got.
    Partial(pinn::Error, String),
    /// A list refused its `--starting-after` cursors: these (the first ones given) no longer
    /// exist, and, when `all`, no other was left to try.
    Gone(pinn::Error, Vec<String>, bool),
    /// Ctrl-C (SIGINT) stopped the command: the whole line, which for a walk says how far it
    /// got and where to resume.
    Interrupted(String),
    /// Anything else: the emulator could not listen, say (exit 1).
    Other(String),
    /// Writing the output failed (a broken pipe ends quietly instead).
    Output(io::Error),
}

impl From<pinn::Error> for Failure {
    fn from(e: pinn::Error) -> Failure {
        Failure::Pinn(e)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure::Output(e)
    }
}

pub const OK: u8 = 0;
pub const OTHER: u8 = 1;
pub const USAGE: u8 = 2;
pub const CONFIGURATION: u8 = 3;
pub const INTERRUPTED: u8 = 130;

/// The exit code of an error kind.
pub fn code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Configuration => CONFIGURATION,
        ErrorKind::Authentication => 4,
        ErrorKind::InvalidRequest => 5,
        ErrorKind::Forbidden => 6,
        ErrorKind::RequestFailed => 7,
        ErrorKind::RateLimit => 8,
        ErrorKind::Api => 9,
        ErrorKind::ApiConnection => 10,
        ErrorKind::IdTokenVerification => 11,
        ErrorKind::Pinn => 12,
        // A kind added to the crate after this CLI was written.
        _ => OTHER,
    }
}

impl Failure {
    /// Prints the failure as one line on stderr, with every secret redacted, and returns the
    /// exit code.
    pub fn report(self) -> u8 {
        let (code, line) = match self {
            Failure::Usage(m) => (USAGE, format!("usage error: {m}")),
            Failure::Config(m) => (CONFIGURATION, format!("configuration error: {m}")),
            Failure::Pinn(e) => (code(e.kind()), describe(&e)),
            Failure::Unhealthy(m) => (code(ErrorKind::ApiConnection), format!("unhealthy: {m}")),
            Failure::Partial(e, after) => (code(e.kind()), format!("{}; {after}", describe(&e))),
            Failure::Gone(e, gone, all) => {
                let (exist, it) = match gone.len() {
                    1 => ("exists", "it"),
                    _ => ("exist", "them"),
                };
                let mut line = format!("{}; {} no longer {exist}", describe(&e), ids(&gone));
                if all {
                    line.push_str(&format!(
                        ": resume after an ID written before {it}, given as another \
                         --starting-after (the list starts after the first that still exists)"
                    ));
                }
                (code(e.kind()), line)
            }
            Failure::Interrupted(line) => (INTERRUPTED, line),
            Failure::Other(m) => (OTHER, m),
            Failure::Output(e) if e.kind() == io::ErrorKind::BrokenPipe => return OK,
            Failure::Output(e) => (OTHER, format!("cannot write the output: {e}")),
        };
        note!("pinn: {}", safe(&line));
        code
    }
}

/// A line for stderr with every secret redacted and every control character escaped:
/// redacted before and after escaping, so a secret is found whichever way it was written.
pub fn safe(line: &str) -> String {
    crate::redact::redact(&pinn::text::escape(&crate::redact::redact(line)))
}

/// An error of the crate as `<kind> error: <what> (status …, request …)`.
pub fn describe(e: &pinn::Error) -> String {
    let what = match e {
        pinn::Error::Status(api) => api.message().to_string(),
        pinn::Error::Connection(c) => {
            // What failed, then each cause one layer down.
            let mut text = c.kind().to_string();
            let mut source = e.source();
            let mut last = String::new();
            while let Some(s) = source {
                let layer = s.to_string();
                if layer != last && !text.ends_with(&layer) {
                    text.push_str(": ");
                    text.push_str(&layer);
                }
                last = layer;
                source = s.source();
            }
            text
        }
        pinn::Error::Decode(d) => format!("invalid response: {}", d.detail()),
        pinn::Error::IdTokenVerification(t) => t.reason().to_string(),
        pinn::Error::Configuration(m) | pinn::Error::InvalidArgument(m) => m.clone(),
        other => other.to_string(),
    };
    let mut facts = Vec::new();
    if let Some(status) = e.status() {
        facts.push(format!("status {status}"));
    }
    if let Some(id) = e.request_id() {
        facts.push(format!("request {id}"));
    }
    if e.attempts() > 1 {
        facts.push(format!("{} attempts", e.attempts()));
    }
    let facts = if facts.is_empty() {
        String::new()
    } else {
        format!(" ({})", facts.join(", "))
    };
    format!("{} error: {what}{facts}", e.kind())
}

/// Text a server sent (an ID, a cursor), made safe for a line on stderr: escaped as a table
/// cell is, and with any secret redacted.
pub fn shown(text: &str) -> String {
    crate::redact::redact(&pinn::text::escape(text))
}

/// An ID for a command line on stderr (a resume recipe): [`shown`], and single-quoted for a
/// POSIX shell unless it is only letters, digits, `_`, `-` and `.`, so that pasting the
/// recipe never runs what a hostile server put in an ID.
pub fn shell_word(text: &str) -> String {
    let shown = shown(text);
    let plain = !shown.is_empty()
        && shown
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    match plain {
        true => shown,
        false => format!("'{}'", shown.replace('\'', r"'\''")),
    }
}

/// IDs for a line on stderr: `a`, `a and b`, `a, b and c`.
pub fn ids(ids: &[String]) -> String {
    let shown: Vec<String> = ids.iter().map(|id| shown(id)).collect();
    match shown.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::shell_word;

    #[test]
    fn an_id_is_quoted_for_the_shell_unless_plain() {
        assert_eq!(shell_word("usr_Ab-1.2"), "usr_Ab-1.2");
        assert_eq!(shell_word("usr_1;rm -rf ~"), "'usr_1;rm -rf ~'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word("$(id)"), "'$(id)'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("a\nb"), r"'a\u{a}b'");
    }
}
