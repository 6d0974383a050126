//! Printing results: a table for people, pretty JSON, or JSON Lines for scripts.
//!
//! Every line goes out whole: a row or a JSON object is formatted into memory first, and
//! the buffer is written in pieces of whole lines. Into a pipe, a piece is at most the size
//! the system writes in one go (`PIPE_BUF`), so that a reader that stops reading leaves
//! whole lines in the pipe, never half of one, and the lines the system took are known (the
//! `ledger`): an interrupted command says exactly how far its output got.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::time::{Duration, UNIX_EPOCH};

use pinn::serde_json::{self, Value};
use pinn::{App, Device, Event, List, Log, User, WebhookEndpoint};
use serde::Serialize;

use crate::args::Format;
use crate::ledger::{self, Written};

/// How much output is gathered before it is written.
const BUFFER: usize = 64 * 1024;

/// What the system writes into a pipe in one piece, never interleaved or cut (`PIPE_BUF`;
/// POSIX guarantees 512 bytes).
#[cfg(any(target_os = "linux", target_os = "android"))]
const ATOMIC: usize = 4096;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const ATOMIC: usize = 512;

/// Standard output, buffered in whole lines.
///
/// It writes to its own handle of the descriptor, not through `std::io::stdout()`, whose
/// lock and buffer a blocked write would hold: so the process can end from another thread
/// (Ctrl-C) at any time, and nothing is left for the exit to flush into a blocked pipe.
pub struct Out {
    sink: Box<dyn Write + Send>,
    buf: Vec<u8>,
    /// The lines (or lines of one item) in `buf`, in order: where each ends, and the item
    /// it is, if any.
    records: VecDeque<(usize, Option<Written>)>,
    /// The most bytes one write hands to the system: [`BUFFER`] into a regular file (which
    /// never blocks for long), [`ATOMIC`] anywhere else.
    piece: usize,
}

impl Out {
    pub fn new() -> Out {
        let (sink, regular) = stdout();
        Out::to(sink, if regular { BUFFER } else { ATOMIC })
    }

    /// Output to `sink`, in pieces of at most `piece` bytes (but for a longer line).
    fn to(sink: Box<dyn Write + Send>, piece: usize) -> Out {
        Out {
            sink,
            buf: Vec::with_capacity(BUFFER),
            records: VecDeque::new(),
            piece,
        }
    }

    /// Writes `line` and a line break as one piece, the secret key redacted should the
    /// server have sent it back.
    pub fn line(&mut self, line: String) -> io::Result<()> {
        self.record(line, None)
    }

    /// Writes the lines of one item (`text` and a line break) as one piece: once the system
    /// has taken them, the [`ledger`] counts the item.
    pub fn item(&mut self, text: String, item: Written) -> io::Result<()> {
        self.record(text, Some(item))
    }

    fn record(&mut self, text: String, item: Option<Written>) -> io::Result<()> {
        let text = crate::redact::in_data(&text);
        if text.len() > ATOMIC {
            // Longer than a piece: each of its lines ends a record of its own, so that it
            // is cut between lines (pretty JSON has many), the item counted with the last.
            for (at, _) in text.match_indices('\n') {
                self.records.push_back((self.buf.len() + at + 1, None));
            }
        }
        self.buf.extend_from_slice(text.as_bytes());
        self.buf.push(b'\n');
        self.records.push_back((self.buf.len(), item));
        if self.buf.len() >= BUFFER {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes what the buffer holds, in pieces of whole lines: as many as fit in one
    /// piece, or one line alone when it is longer.
    pub fn flush(&mut self) -> io::Result<()> {
        let mut done = 0;
        let mut result = Ok(());
        while let Some(&(first_end, _)) = self.records.front() {
            let end = self
                .records
                .iter()
                .map(|(end, _)| *end)
                .take_while(|end| *end - done <= self.piece)
                .last()
                .unwrap_or(first_end);
            // Up to `ATOMIC` bytes go into a pipe whole or not at all; a longer piece may
            // be taken in part, and a process ended meanwhile may leave a line cut.
            let risky = end - done > ATOMIC;
            if risky {
                ledger::risky_write(true);
            }
            result = self.sink.write_all(&self.buf[done..end]);
            if risky {
                ledger::risky_write(false);
            }
            if result.is_err() {
                break;
            }
            done = end;
            let mut taken = Vec::new();
            while self.records.front().is_some_and(|(e, _)| *e <= done) {
                if let Some((_, Some(item))) = self.records.pop_front() {
                    taken.push(item);
                }
            }
            if !taken.is_empty() {
                ledger::written(taken);
            }
        }
        // What was written leaves the buffer, whether or not the rest could be.
        self.buf.drain(..done);
        for (end, _) in &mut self.records {
            *end -= done;
        }
        result?;
        self.sink.flush()
    }
}

impl Drop for Out {
    /// Writes what is left, as a `BufWriter` does: every command flushes its output itself,
    /// this is for one that forgets.
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// Where stdout goes, and whether it is a regular file.
#[cfg(unix)]
fn stdout() -> (Box<dyn Write + Send>, bool) {
    use std::os::fd::AsFd;
    match io::stdout().as_fd().try_clone_to_owned() {
        Ok(fd) => {
            let file = std::fs::File::from(fd);
            let regular = file.metadata().is_ok_and(|m| m.file_type().is_file());
            (Box::new(file), regular)
        }
        Err(_) => (Box::new(io::stdout()), false),
    }
}

#[cfg(not(unix))]
fn stdout() -> (Box<dyn Write + Send>, bool) {
    (Box::new(io::stdout()), false)
}

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

/// Prints one object: fields and values in a table, pretty JSON, or one JSON line.
pub fn object(out: &mut Out, format: Format, value: &impl Serialize) -> io::Result<()> {
    match format {
        Format::Json => out.line(json_pretty(value)?)?,
        Format::Jsonl => out.line(json_line(value)?)?,
        Format::Table => {
            let value = serde_json::to_value(value).map_err(io::Error::other)?;
            let Value::Object(fields) = value else {
                return out.line(cell(&value_text("", &value)));
            };
            // Names are cut as table cells are (they set the width of the column), values
            // are whole: each is the end of its own line, and the one object was asked for.
            let fields: Vec<(String, &String, &Value)> = fields
                .iter()
                .filter(|(k, _)| *k != "object")
                .map(|(k, v)| (capped(k, MAX_CELL), k, v))
                .collect();
            let width = fields
                .iter()
                .map(|(shown, _, _)| shown.chars().count())
                .max()
                .unwrap_or(0);
            for (shown, name, value) in &fields {
                let value = cell(&value_text(name, value));
                out.line(format!("{shown:width$}  {value}"))?;
            }
        }
    }
    out.flush()
}

/// Prints one page of a list: rows under a header, the page as pretty JSON (with its
/// `has_more` and `ended_at`), or one JSON line per item.
pub fn page<T: Row>(out: &mut Out, format: Format, page: &List<T>) -> io::Result<()> {
    match format {
        Format::Json => out.line(json_pretty(page)?)?,
        Format::Jsonl => {
            for item in &page.data {
                out.line(json_line(item)?)?;
            }
        }
        Format::Table => {
            let table = Table::new(&page.data);
            out.line(table.header())?;
            for item in &page.data {
                out.line(table.row(item))?;
            }
        }
    }
    out.flush()
}

/// A kind of object that lists print as rows.
pub trait Row: Serialize {
    /// What one of them is called, e.g. "user".
    const NAME: &'static str;
    /// The column headers.
    const COLUMNS: &'static [&'static str];
    /// This object's cells, one per column.
    fn cells(&self) -> Vec<String>;
}

/// The most characters a table cell shows: a longer one (a server can send a field of any
/// length) is cut to this many, its last one `…`, so that no cell can make every row as wide
/// as itself. Only tables are cut: JSON and JSON Lines carry every value whole.
pub const MAX_CELL: usize = 60;

/// A table's columns and their widths, from the header and the items seen when it was made.
/// Every cell is cut to [`MAX_CELL`] characters, so no column is wider; a later cell wider
/// than its column (up to that) pushes its row out.
pub struct Table {
    columns: &'static [&'static str],
    widths: Vec<usize>,
}

impl Table {
    pub fn new<T: Row>(items: &[T]) -> Table {
        let mut widths: Vec<usize> = T::COLUMNS.iter().map(|c| c.len()).collect();
        for item in items {
            for (w, c) in widths.iter_mut().zip(item.cells()) {
                *w = (*w).max(capped(&c, MAX_CELL).chars().count());
            }
        }
        Table {
            columns: T::COLUMNS,
            widths,
        }
    }

    /// Cells padded to their widths, two spaces apart; the last one is not padded.
    fn join<S: AsRef<str>>(&self, cells: &[S]) -> String {
        let mut line = String::new();
        for (i, (c, w)) in cells.iter().zip(&self.widths).enumerate() {
            let c = c.as_ref();
            if i + 1 == cells.len() {
                line.push_str(c);
            } else {
                let pad = w.saturating_sub(c.chars().count());
                line.push_str(c);
                line.extend(std::iter::repeat_n(' ', pad + 2));
            }
        }
        line.trim_end().to_string()
    }

    pub fn header(&self) -> String {
        self.join(self.columns)
    }

    pub fn row<T: Row>(&self, item: &T) -> String {
        let cells: Vec<String> = item.cells().iter().map(|c| capped(c, MAX_CELL)).collect();
        self.join(&cells)
    }
}

/// A value as a table shows it: text as is, a time (`*_at`, or a token's `exp`, `iat` and
/// `nbf`) as a UTC date, nested values as compact JSON, null as `-`.
fn value_text(name: &str, value: &Value) -> String {
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
pub fn capped(text: &str, max: usize) -> String {
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
fn short(value: &impl Serialize, max: usize) -> String {
    let json = serde_json::to_string(value).unwrap_or_default();
    // Redacted before the cut, which could split a key past finding.
    cut(crate::redact::in_data(&json).into_owned(), max)
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

impl Row for User {
    const NAME: &'static str = "user";
    const COLUMNS: &'static [&'static str] = &[
        "USER_ID", "STATUS", "DEVICE", "PALMS", "CREATED", "METADATA",
    ];
    fn cells(&self) -> Vec<String> {
        let palms = match (self.left_palm_enrolled, self.right_palm_enrolled) {
            (true, true) => "left+right",
            (true, false) => "left",
            (false, true) => "right",
            (false, false) => "-",
        };
        vec![
            self.user_id.clone(),
            self.status.as_ref().map_or("-".into(), |s| s.to_string()),
            yes(self.device_enrolled),
            palms.into(),
            time(self.created_at),
            short(&self.metadata, 40),
        ]
    }
}

impl Row for App {
    const NAME: &'static str = "app";
    const COLUMNS: &'static [&'static str] = &["APP_ID", "TYPE", "NAME", "CREATED", "DESCRIPTION"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.app_id.clone(),
            self.app_type.to_string(),
            self.name.clone(),
            time(self.created_at),
            self.description.clone().unwrap_or_else(|| "-".into()),
        ]
    }
}

impl Row for Device {
    const NAME: &'static str = "device";
    const COLUMNS: &'static [&'static str] = &[
        "DEVICE_ID",
        "USER_ID",
        "PLATFORM",
        "MODEL",
        "CREATED",
        "NAME",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.device_id.clone(),
            self.user_id.clone(),
            format!("{} {}", self.platform, self.platform_version),
            self.model.clone(),
            time(self.created_at),
            self.name.clone(),
        ]
    }
}

impl Row for Event {
    const NAME: &'static str = "event";
    const COLUMNS: &'static [&'static str] = &["EVENT_ID", "TYPE", "CREATED", "REQUEST"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.event_id.clone(),
            self.event_type.clone(),
            time(self.created_at),
            self.request.clone().unwrap_or_else(|| "-".into()),
        ]
    }
}

impl Row for Log {
    const NAME: &'static str = "log";
    const COLUMNS: &'static [&'static str] = &[
        "LOG_ID",
        "USER_ID",
        "DEVICE_ID",
        "SUCCESS",
        "SCORE",
        "AUTH",
        "CREATED",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.log_id.clone(),
            self.user_id.clone(),
            self.device_id.clone(),
            yes(self.success),
            format!("{:.2}", self.score),
            self.auth_type.to_string(),
            time(self.created_at),
        ]
    }
}

impl Row for WebhookEndpoint {
    const NAME: &'static str = "webhook endpoint";
    const COLUMNS: &'static [&'static str] =
        &["WEBHOOK_ENDPOINT_ID", "STATUS", "CREATED", "URL", "EVENTS"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.webhook_endpoint_id.clone(),
            self.status.as_ref().map_or("-".into(), |s| s.to_string()),
            time(self.created_at),
            self.url.clone(),
            self.events.join(","),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::{ATOMIC, MAX_CELL, Out, capped};
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    /// A sink that keeps each write apart.
    #[derive(Clone, Default)]
    struct Writes(Arc<Mutex<Vec<Vec<u8>>>>);

    impl Write for Writes {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().push(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn output_goes_out_in_pieces_of_whole_lines() {
        let writes = Writes::default();
        let mut out = Out::to(Box::new(writes.clone()), ATOMIC);
        let short = "s".repeat(1000);
        let long = "l".repeat(ATOMIC * 2);
        let pretty = format!("{{\n{}\n}}", "  p\n".repeat(ATOMIC / 2));
        for line in [
            &short, &short, &short, &short, &short, &long, &short, &pretty,
        ] {
            out.line(line.clone()).unwrap();
        }
        out.flush().unwrap();
        let writes = writes.0.lock().unwrap().clone();
        assert_eq!(
            writes.concat(),
            format!("{short}\n{short}\n{short}\n{short}\n{short}\n{long}\n{short}\n{pretty}\n")
                .into_bytes()
        );
        for piece in &writes {
            // Whole lines; no more than a piece, but for a line longer than one.
            assert_eq!(piece.last(), Some(&b'\n'));
            assert!(piece.len() <= ATOMIC || !piece[..piece.len() - 1].contains(&b'\n'));
        }
        // Four short lines fill a piece; the long line goes alone.
        assert_eq!(writes[0].len(), 4 * 1001);
        assert_eq!(writes[2], format!("{long}\n").into_bytes());
        // Pretty JSON longer than a piece is cut between its lines.
        assert!(writes.len() > 4, "{}", writes.len());
    }

    #[test]
    fn a_cell_is_cut_between_characters() {
        assert_eq!(capped("", MAX_CELL), "");
        let fits = "x".repeat(MAX_CELL);
        assert_eq!(capped(&fits, MAX_CELL), fits);
        let long = "x".repeat(MAX_CELL + 1);
        assert_eq!(
            capped(&long, MAX_CELL),
            format!("{}…", "x".repeat(MAX_CELL - 1))
        );
        // Characters of every UTF-8 length, cut anywhere: never a panic, never too long.
        for text in ["é", "€", "😀", "a\u{1b}b"] {
            for n in 0..=8 {
                let text = text.repeat(n);
                for max in 0..=10 {
                    let shown = capped(&text, max);
                    assert!(shown.chars().count() <= max, "{text:?} {max}: {shown:?}");
                }
            }
        }
        // Escaped first: what is shown is what is counted, and no control character is left.
        let escapes = "\u{1b}".repeat(100);
        let shown = capped(&escapes, 10);
        assert_eq!(shown, "\\u{1b}\\u{…");
        assert!(!shown.contains('\u{1b}'));
    }
}
