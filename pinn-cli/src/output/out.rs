//! [`Out`]: standard output, buffered and written in pieces of whole lines, each item
//! counted by the ledger once the system has taken it.

use std::collections::VecDeque;
use std::io::{self, Write};

use crate::ledger::{self, Written};

/// How much output is gathered before it is written.
const BUFFER: usize = 64 * 1024;

/// What the system writes into a pipe in one piece, never interleaved or cut (`PIPE_BUF`;
/// POSIX guarantees 512 bytes).
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(super) const ATOMIC: usize = 4096;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(super) const ATOMIC: usize = 512;

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
    pub(super) fn to(sink: Box<dyn Write + Send>, piece: usize) -> Out {
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
