//! Text from a server or a token, made safe to show: every string the crate puts in a
//! `Display`, a `Debug` or a log line that it did not write itself goes through [`shown`].
//!
//! - The secret key is replaced by `<redacted>` wherever it occurs in the text as shown, so no
//!   escaping in the body (`sk\u005ftest_…` decodes to the key) can bring it back.
//! - Control and invisible formatting characters (line breaks, ANSI escapes, bidi overrides)
//!   are written as `\u{…}` escapes, so a server cannot forge a log line.
//! - The result is cut to a byte budget, so a server cannot make an error megabytes long.
//!
//! Data is never rewritten: a success body reaches its model type exactly as sent. Only the
//! text of errors and log lines is treated here.

use std::fmt::Write;

/// What replaces the secret key in shown text.
pub(crate) const REDACTED: &str = "<redacted>";

/// The byte budget of a message from a server (`error.message`).
pub(crate) const MAX_MESSAGE: usize = 1024;
/// The byte budget of a short server value: a type, a code, a request ID, a header value.
pub(crate) const MAX_SHORT: usize = 256;

/// `raw` as it may be shown: the key redacted, control characters escaped, cut to about
/// `max` bytes (on a character boundary, with `…` when cut).
pub(crate) fn shown(raw: &str, key: Option<&str>, max: usize) -> String {
    let redacted;
    let text = match key {
        Some(k) if !k.is_empty() && raw.contains(k) => {
            redacted = raw.replace(k, REDACTED);
            redacted.as_str()
        }
        _ => raw,
    };
    let mut out = String::with_capacity(text.len().min(max) + 8);
    for c in text.chars() {
        if out.len() >= max {
            out.push('…');
            break;
        }
        if needs_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters that could change how a log line or a terminal reads: C0/C1 controls (line
/// breaks, escapes), zero-width and direction-changing marks, line and paragraph separators.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_redacted_wherever_it_occurs() {
        let key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
        let raw = format!("bad key {key}, again:{key}");
        assert_eq!(
            shown(&raw, Some(key), MAX_MESSAGE),
            "bad key <redacted>, again:<redacted>"
        );
        assert_eq!(shown(&raw, None, 7), "bad key…");
    }

    #[test]
    fn control_characters_are_escaped() {
        let forged = "ok\nINFO pinn: all good\u{1b}[31m\u{202e}";
        assert_eq!(
            shown(forged, None, MAX_MESSAGE),
            "ok\\u{a}INFO pinn: all good\\u{1b}[31m\\u{202e}"
        );
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        let long = "é".repeat(1_000_000);
        let cut = shown(&long, None, MAX_SHORT);
        assert!(cut.len() <= MAX_SHORT + 4, "{}", cut.len());
        assert!(cut.ends_with('…'));
        let escapes = "\n".repeat(10_000);
        assert!(shown(&escapes, None, MAX_SHORT).len() <= MAX_SHORT + 16);
    }
}
