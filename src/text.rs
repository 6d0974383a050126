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
    // Only the start of `raw` can be shown: at most `max` bytes, where each redaction stands
    // for a whole key in 10 bytes. So no more than that is searched, and a key cut by this
    // bound lies wholly past what is shown.
    let key_len = key.map_or(0, str::len);
    let reach = max
        .saturating_mul(key_len.div_ceil(REDACTED.len()).max(1))
        .saturating_add(key_len.saturating_mul(2));
    let whole = raw.len();
    let raw = head(raw, reach);
    let redacted;
    let text = match key {
        Some(k) if !k.is_empty() && raw.contains(k) => {
            redacted = raw.replace(k, REDACTED);
            redacted.as_str()
        }
        _ => raw,
    };
    let mut out = String::with_capacity(text.len().min(max) + 8);
    let mut cut = raw.len() < whole;
    for c in text.chars() {
        if out.len() >= max {
            cut = true;
            break;
        }
        if needs_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    if cut {
        out.push('…');
    }
    out
}

/// The longest start of `s` of at most `max` bytes that ends on a character boundary.
fn head(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
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
    fn no_part_of_a_key_shows_wherever_the_text_is_cut() {
        let key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
        for copies in 0..12 {
            for gap in 0..40 {
                let raw = format!(
                    "{}{}{key}{}",
                    key.repeat(copies),
                    "x".repeat(gap),
                    "y".repeat(50)
                );
                for max in [1, 9, 10, 31, 64, 100, MAX_SHORT] {
                    let out = shown(&raw, Some(key), max);
                    for part in key.as_bytes().windows(5) {
                        let part = std::str::from_utf8(part).unwrap();
                        assert!(!out.contains(part), "{out:?} shows {part:?}");
                    }
                }
            }
        }
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
