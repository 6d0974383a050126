//! Objects as JSON text, compact or pretty, with every character that could act on a terminal
//! escaped.

use std::io;

use pinn::serde_json;
use serde::Serialize;

/// An object as one compact JSON line.
pub fn json_line(value: &impl Serialize) -> io::Result<String> {
    serde_json::to_string(value)
        .map(terminal_safe)
        .map_err(io::Error::other)
}

/// An object as pretty JSON.
pub fn json_pretty(value: &impl Serialize) -> io::Result<String> {
    serde_json::to_string_pretty(value)
        .map(terminal_safe)
        .map_err(io::Error::other)
}

/// JSON text with the hidden characters ([`pinn::text::is_hidden`]) escaped the JSON way:
/// serde_json escapes those below U+0020 itself (the ones left are the JSON's own line
/// breaks), not DEL, the C1 controls (U+009B is a terminal's CSI) or the invisible marks that
/// disguise a line. Those can only occur inside strings, where `\u009b` is the same
/// character: the JSON is unchanged.
fn terminal_safe(text: String) -> String {
    let raw = |c: char| c >= '\u{7f}' && pinn::text::is_hidden(c);
    if !text.chars().any(raw) {
        return text;
    }
    let mut safe = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if raw(c) {
            // As JSON writes it: a character past U+FFFF (a tag character) as two halves.
            for unit in c.encode_utf16(&mut [0; 2]) {
                safe.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            safe.push(c);
        }
    }
    safe
}
