//! Text from a server or a token, made safe to show: every string the crate puts in an
//! error or a log line that it did not write itself goes through `shown`,
//! which is [`redact`], then [`escape`], then a cut to a byte budget. A program that prints
//! such text beside the crate's errors (the `pinn` command line does) can use the same two.
//!
//! - The secret key is replaced by `<redacted>` wherever it occurs in the text as shown, so no
//!   escaping in the body (`sk\u005ftest_…` decodes to the key) can bring it back, and where
//!   it occurs percent-encoded, in part or whole (`sk%5Ftest%5F…`, as a server quoting a URL
//!   writes it).
//! - Control and invisible formatting characters (line breaks, ANSI escapes, bidi overrides)
//!   are written as `\u{…}` escapes, so a server cannot forge a log line.
//! - The result is cut to a byte budget, so a server cannot make an error megabytes long.
//!
//! Data is never rewritten: a success body reaches its model type exactly as sent. Only the
//! text of errors and log lines is treated here.

use std::borrow::Cow;
use std::fmt::Write;

/// What replaces a secret in shown text.
pub const REDACTED: &str = "<redacted>";

/// The byte budget of a message from a server (`error.message`).
pub(crate) const MAX_MESSAGE: usize = 1024;
/// The byte budget of a short server value: a type, a code, a request ID, a header value.
pub(crate) const MAX_SHORT: usize = 256;

/// `raw` as it may be shown: the key redacted, control characters escaped, cut to about
/// `max` bytes (on a character boundary, with `…` when cut).
pub(crate) fn shown(raw: &str, key: Option<&str>, max: usize) -> String {
    // Only the start of `raw` can be shown: at most `max` bytes, where each redaction stands
    // for a whole key (of up to three bytes a character, percent-encoded) in 10 bytes. So no
    // more than that is searched, and a key cut by this bound lies wholly past what is shown.
    let key_len = key.map_or(0, str::len).saturating_mul(3);
    let reach = max
        .saturating_mul(key_len.div_ceil(REDACTED.len()).max(1))
        .saturating_add(key_len.saturating_mul(2));
    let whole = raw.len();
    let raw = head(raw, reach);
    let text = match key {
        Some(k) => redact(raw, k),
        None => Cow::Borrowed(raw),
    };
    let mut out = String::with_capacity(text.len().min(max) + 8);
    let mut cut = raw.len() < whole;
    for c in text.chars() {
        if out.len() >= max {
            cut = true;
            break;
        }
        push_escaped(&mut out, c);
    }
    if cut {
        out.push('…');
    }
    out
}

/// `text` with every hidden character ([`is_hidden`]) written as a `\u{…}` escape, so that
/// no text can break a log line, drive a terminal or disguise what it says.
///
/// ```
/// use pinn::text::escape;
/// assert_eq!(escape("ok\nINFO forged\u{1b}[31m\u{202e}"), "ok\\u{a}INFO forged\\u{1b}[31m\\u{202e}");
/// assert_eq!(escape("usr_123 é"), "usr_123 é"); // borrowed: nothing to escape
/// ```
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// Pushes `c`, or its `\u{…}` escape when it is hidden.
#[inline]
fn push_escaped(out: &mut String, c: char) {
    if is_hidden(c) {
        let _ = write!(out, "\\u{{{:x}}}", c as u32);
    } else {
        out.push(c);
    }
}

/// `text` with every occurrence of `secret` replaced by [`REDACTED`], `secret` written
/// plainly or with any of its ASCII characters percent-encoded (as a server quoting a URL
/// writes it: `sk%5Ftest…`). An empty secret changes nothing.
///
/// ```
/// use pinn::text::redact;
/// let key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
/// assert_eq!(redact("bad key sk_test_4eC39HqLyjWDarjtT1zdp7dc", key), "bad key <redacted>");
/// assert_eq!(redact("?k=sk%5Ftest%5F4eC39HqLyjWDarjtT1zdp7dc&x=1", key), "?k=<redacted>&x=1");
/// assert_eq!(redact("nothing here", key), "nothing here");
/// ```
pub fn redact<'a>(text: &'a str, secret: &str) -> Cow<'a, str> {
    let key = secret;
    if key.is_empty() {
        return Cow::Borrowed(text);
    }
    if key.contains('%') {
        return redact_mixed(text, key);
    }
    if !text.contains('%') {
        return match text.contains(key) {
            true => Cow::Owned(text.replace(key, REDACTED)),
            false => Cow::Borrowed(text),
        };
    }
    // Still UTF-8: one ASCII byte replaces three.
    let (decoded, starts) = percent_decoded(text.as_bytes());
    let Ok(decoded) = String::from_utf8(decoded) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::new();
    let mut shown_to = 0;
    for (at, _) in decoded.match_indices(key) {
        // The key is ASCII or starts a character in both texts alike: these are boundaries.
        let (from, to) = (starts[at], starts[at + key.len()]);
        out.push_str(&text[shown_to..from]);
        out.push_str(REDACTED);
        shown_to = to;
    }
    if shown_to == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[shown_to..]);
    Cow::Owned(out)
}

/// [`redact`] for a key with a `%` in it, which decoding the text cannot find when some of
/// its own `%`s are left as they are: each byte of the key may be written as itself or as
/// `%XX`. A match starts and ends where the key's characters do, so the text stays UTF-8.
fn redact_mixed<'a>(text: &'a str, key: &str) -> Cow<'a, str> {
    let bytes = text.as_bytes();
    let first = key.as_bytes()[0];
    let mut out = String::new();
    let (mut shown_to, mut at) = (0, 0);
    while at < bytes.len() {
        let could_start = bytes[at] == first || bytes[at] == b'%';
        match encoded_copy(&bytes[at..], key.as_bytes()).filter(|_| could_start) {
            Some(len) => {
                out.push_str(&text[shown_to..at]);
                out.push_str(REDACTED);
                at += len;
                shown_to = at;
            }
            None => at += 1,
        }
    }
    if shown_to == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[shown_to..]);
    Cow::Owned(out)
}

/// The length of the longest copy of `key` at the start of `text`, each of its bytes written
/// as itself or percent-encoded (`%XX`, in either case).
pub(crate) fn encoded_copy(text: &[u8], key: &[u8]) -> Option<usize> {
    let hex = |at: usize| text.get(at).and_then(|b| (*b as char).to_digit(16));
    // Where the copy may have got to: a `%` in the key can be matched two ways.
    let mut ends = vec![0];
    for &k in key {
        let mut next = Vec::with_capacity(ends.len() + 1);
        for &j in &ends {
            if text.get(j) == Some(&k) {
                next.push(j + 1);
            }
            if text.get(j) == Some(&b'%')
                && let (Some(hi), Some(lo)) = (hex(j + 1), hex(j + 2))
                && hi * 16 + lo == u32::from(k)
            {
                next.push(j + 3);
            }
        }
        next.sort_unstable();
        next.dedup();
        if next.is_empty() {
            return None;
        }
        ends = next;
    }
    ends.last().copied()
}

/// `bytes` with each `%XX` of an ASCII character decoded (the secret key is ASCII), and where
/// each decoded byte starts in `bytes` (with `bytes.len()` last), to map a match back.
pub(crate) fn percent_decoded(bytes: &[u8]) -> (Vec<u8>, Vec<usize>) {
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut starts = Vec::with_capacity(bytes.len() + 1);
    let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
    let mut i = 0;
    while i < bytes.len() {
        starts.push(i);
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) if hi < 8 => {
                decoded.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                decoded.push(b);
                i += 1;
            }
        }
    }
    starts.push(bytes.len());
    (decoded, starts)
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

/// Whether `c` could change how a log line or a terminal reads without showing itself: C0
/// and C1 controls (line breaks, escapes; U+009B is a terminal's CSI), DEL, the soft hyphen,
/// zero-width and direction-changing marks (U+061C too), line and paragraph separators,
/// the byte-order mark, interlinear annotations and tag characters (which can smuggle unseen
/// ASCII).
///
/// ```
/// use pinn::text::is_hidden;
/// assert!(is_hidden('\n') && is_hidden('\u{1b}') && is_hidden('\u{9b}') && is_hidden('\u{202e}'));
/// assert!(!is_hidden('a') && !is_hidden('é') && !is_hidden(' '));
/// ```
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}' | '\u{61c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}' | '\u{e0000}'..='\u{e007f}'
        )
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
    fn a_percent_encoded_key_is_redacted_in_part_or_whole() {
        let key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
        let all: String = key.bytes().map(|b| format!("%{b:02X}")).collect();
        let lower = all.to_lowercase();
        for quoted in [
            "sk%5Ftest%5F4eC39HqLyjWDarjtT1zdp7dc".to_string(),
            "sk%5ftest_4eC39HqLyjWDarjtT1zdp7dc".to_string(),
            all,
            lower,
        ] {
            let raw = format!("bad url https://é.example/?k={quoted}&é=%E9%ZZ%");
            assert_eq!(
                shown(&raw, Some(key), MAX_MESSAGE),
                "bad url https://é.example/?k=<redacted>&é=%E9%ZZ%",
                "{quoted}"
            );
        }
        // Percent signs elsewhere leave the text as it was.
        let plain = "100% of %41 and %zz, %";
        assert_eq!(shown(plain, Some(key), MAX_MESSAGE), plain);
        // A part of a key is not a key.
        let part = "sk%5Ftest%5F4eC39";
        assert_eq!(shown(part, Some(key), MAX_MESSAGE), part);
    }

    #[test]
    fn a_key_with_percent_signs_is_redacted_however_much_of_it_is_encoded() {
        let key = "sk_test_HOSTILE%5Fpart%2";
        let encoded = |b: u8| format!("%{b:02X}");
        // Every mix of each byte plain or encoded, for the key's first 6 bytes.
        for mask in 0..64u32 {
            let written: String = key
                .bytes()
                .enumerate()
                .map(|(i, b)| match i < 6 && mask & (1 << i) != 0 {
                    true => encoded(b),
                    false => (b as char).to_string(),
                })
                .collect();
            let raw = format!("bad key {written}, é");
            assert_eq!(
                shown(&raw, Some(key), MAX_MESSAGE),
                "bad key <redacted>, é",
                "{raw}"
            );
        }
        // Its `%`s themselves encoded, and written as they are.
        let all: String = key.bytes().map(encoded).collect();
        assert_eq!(redact(&all, key), REDACTED);
        assert_eq!(redact(key, key), REDACTED);
        assert_eq!(
            redact("sk_test_HOSTILE%5Fpart", key),
            "sk_test_HOSTILE%5Fpart"
        );
    }

    #[test]
    fn no_part_of_a_key_shows_wherever_the_text_is_cut() {
        let key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
        let encoded: String = key.bytes().map(|b| format!("%{b:02X}")).collect();
        // The key as written, and the parts of it no output may hold.
        let forms = [
            (key.to_string(), key.as_bytes().windows(5)),
            (
                "sk%5Ftest%5F4eC39HqLyjWDarjtT1zdp7dc".into(),
                key.as_bytes().windows(5),
            ),
            (encoded.clone(), encoded.as_bytes().windows(15)),
        ];
        for (written, parts) in forms {
            for copies in 0..12 {
                for gap in 0..40 {
                    let raw = format!(
                        "{}{}{written}{}",
                        written.repeat(copies),
                        "x".repeat(gap),
                        "y".repeat(50)
                    );
                    for max in [1, 9, 10, 31, 64, 100, MAX_SHORT] {
                        let out = shown(&raw, Some(key), max);
                        for part in parts.clone() {
                            let part = std::str::from_utf8(part).unwrap();
                            assert!(!out.contains(part), "{out:?} shows {part:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_key_is_redacted_beside_a_percent_escape_of_a_byte_over_ascii() {
        // `%80` is not an ASCII character and stays as written: the text around it is
        // still searched, the key decoded from its escapes.
        let key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
        let raw = "bad %80 %7F%ff then sk%5Ftest_4eC39HqLyjWDarjtT1zdp7dc";
        assert_eq!(
            shown(raw, Some(key), MAX_MESSAGE),
            "bad %80 %7F%ff then <redacted>"
        );
    }

    #[test]
    fn text_of_the_budget_is_whole_and_one_byte_more_is_cut() {
        for max in [MAX_SHORT, MAX_MESSAGE] {
            let fits = "m".repeat(max);
            assert_eq!(shown(&fits, None, max), fits);
            let over = "m".repeat(max + 1);
            assert_eq!(shown(&over, None, max), format!("{fits}…"));
        }
    }

    #[test]
    fn head_is_the_longest_start_of_at_most_max_bytes() {
        assert_eq!(head("abc", 3), "abc");
        assert_eq!(head("abc", 2), "ab");
        assert_eq!(head("aé", 2), "a"); // é is two bytes: not cut in half
        assert_eq!(head("aé", 3), "aé");
        assert_eq!(head("éé", 3), "é");
        assert_eq!(head("", 0), "");
    }

    #[test]
    fn control_characters_are_escaped() {
        let forged = "ok\nINFO pinn: all good\u{1b}[31m\u{202e}\u{61c}\u{e0041}";
        assert_eq!(
            shown(forged, None, MAX_MESSAGE),
            "ok\\u{a}INFO pinn: all good\\u{1b}[31m\\u{202e}\\u{61c}\\u{e0041}"
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
