//! Values as a table shows them: times as dates, text made safe for a terminal and cut to a
//! cell's width.

use std::time::{Duration, UNIX_EPOCH};

use pinn::serde_json::{self, Value};
use serde::Serialize;

/// A value as a table shows it: text as is, a time (`*_at`, or a token's `exp`, `iat` and
/// `nbf`) as a UTC date, nested values as compact JSON, null as `-`.
pub(super) fn value_text(name: &str, value: &Value) -> String {
    let is_time = name.ends_with("_at") || matches!(name, "exp" | "iat" | "nbf");
    match value {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) if is_time => n.as_i64().map_or(n.to_string(), time),
        other => other.to_string(),
    }
}

/// Unix seconds as `2026-11-22T10:00:00Z`.
pub fn time(secs: i64) -> String {
    match u64::try_from(secs) {
        Ok(s) if s < 253_402_300_800 => {
            humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(s)).to_string()
        }
        _ => secs.to_string(),
    }
}

/// Text from a server made safe for a terminal: control characters (escape sequences, line
/// breaks) are shown escaped instead of acted on.
pub fn cell(text: &str) -> String {
    pinn::text::escape(text).into_owned()
}

/// Text from a server as a table cell of at most `max` characters: made safe as [`cell`]
/// makes it, then, if longer, cut to `max - 1` characters and `…`. Only the first `max + 1`
/// characters are ever escaped, so a megabyte of text costs no more than a short one. It
/// cuts between characters, never inside one.
pub(super) fn capped(text: &str, max: usize) -> String {
    // Redacted whole first: a key the cut would split could not be found after it.
    let text = crate::redact::in_data(text);
    // The first `max + 1` characters: enough to know whether it is longer than `max`, as
    // escaping only ever lengthens text.
    let head = match text.char_indices().nth(max.saturating_add(1)) {
        Some((end, _)) => &text[..end],
        None => &text,
    };
    cut(cell(head), max)
}

/// `text` if it has at most `max` characters, else its first `max - 1` and `…`.
fn cut(text: String, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text,
        Some(_) => {
            let keep = max.saturating_sub(1);
            let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
            let mut short = text[..end].to_string();
            if max > 0 {
                short.push('…');
            }
            short
        }
    }
}

/// A JSON value cut to `max` characters for a table column.
pub(super) fn short(value: &impl Serialize, max: usize) -> String {
    let json = serde_json::to_string(value).unwrap_or_default();
    // Redacted before the cut, which could split a key past finding.
    cut(crate::redact::in_data(&json).into_owned(), max)
}

pub(super) fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}
