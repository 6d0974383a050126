//! JSON limits and sizes: how deep a value nests, and how long it is as text, measured
//! without recursion or building the text.
//!
//! Every read of an object wraps it deeper than it was sent: a list page two levels, an event
//! about it two more, a snapshot of that event three (`{"objects": {"event": [{"data":
//! {"object": …}}]}}`). JSON parsers stop somewhere (serde_json, and so the `pinn` crate, at 128
//! levels), so what a create accepts must leave room for all of that: bodies may nest
//! [`MAX_DEPTH`] levels, and a read of what they made nests at most five more.

use std::io;

use serde::Serialize;
use serde_json::Value;

/// How deep a request body may nest, the body itself being level 1: `{"metadata": {}}` is 2.
/// The deepest read of what it makes (a snapshot holding an event about the object) adds
/// five levels, well within the 128 of serde_json and most other parsers.
pub(crate) const MAX_DEPTH: usize = 100;

/// How deep JSON text nests: the most arrays and objects open at once. Counted on the bytes,
/// strings skipped, so it works on text no parser has read yet (and on text that does not
/// parse: the parser then says what is wrong).
pub(crate) fn text_depth(text: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &b in text {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// How deep a value nests (a scalar is 0, `{}` is 1), without recursion.
pub(crate) fn value_depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 1usize)];
    while let Some((v, level)) = stack.pop() {
        match v {
            Value::Array(items) => stack.extend(items.iter().map(|c| (c, level + 1))),
            Value::Object(fields) => stack.extend(fields.values().map(|c| (c, level + 1))),
            _ => continue,
        }
        deepest = deepest.max(level);
    }
    deepest
}

/// How deep an object nests (`{}` is 1), without recursion.
pub(crate) fn object_depth(fields: &serde_json::Map<String, Value>) -> usize {
    1 + fields.values().map(value_depth).max().unwrap_or(0)
}

/// The `400` message for a body or value nested past `limit`, or `None` when it is within.
pub(crate) fn too_deep(what: &str, depth: usize, limit: usize) -> Option<String> {
    (depth > limit).then(|| {
        format!(
            "{what} nests {depth} levels deep; the emulator takes at most {limit}, so that every \
             list, event and snapshot of it stays readable"
        )
    })
}

/// A writer that keeps only the count of what it is given.
#[derive(Default)]
pub(crate) struct Counter(pub usize);

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 = self.0.saturating_add(buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The length of a value as JSON text, counted without building the text.
pub(crate) fn json_len<T: Serialize + ?Sized>(value: &T) -> usize {
    let mut count = Counter::default();
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn depths_are_counted_on_text_and_values_alike() {
        for (text, want) in [
            ("1", 0),
            ("{}", 1),
            (r#"{"metadata": {"k": [1, {"x": "]]]"}]}}"#, 4),
            (r#"["\"[[[", "\\", [[]]]"#, 3),
            (r#"{"a": {}, "b": {}}"#, 2),
        ] {
            assert_eq!(text_depth(text.as_bytes()), want, "{text}");
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(value_depth(&value), want, "{text}");
        }
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        assert_eq!(text_depth(deep.as_bytes()), 5000);
        assert!(too_deep("the body", 101, MAX_DEPTH).is_some());
        assert!(too_deep("the body", 100, MAX_DEPTH).is_none());
        // The deepest read: a snapshot (three levels) of an event (two) about the object.
        const { assert!(MAX_DEPTH + 3 + 2 < 128, "within serde_json's limit") };
        assert_eq!(json_len(&json!({"a": [1, "é"]})), r#"{"a":[1,"é"]}"#.len());
    }
}
