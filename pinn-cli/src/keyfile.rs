//! The secret key from a file or a pipe: bounded, and never waiting forever.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

use pinn::config::MAX_SECRET_KEY_BYTES;

use crate::exit::Failure;

/// The most a key file may hold: a key and the whitespace around it (a line break, an
/// editor's trailing blanks). Only this much is ever read.
const MAX_KEY_FILE_BYTES: usize = 4 * 1024;

/// The key in a file, without surrounding whitespace (a trailing line break, say).
///
/// A regular file is read, or on unix a pipe (`<(vault read …)`, `/dev/stdin` fed by a pipe),
/// and at most [`MAX_KEY_FILE_BYTES`] of it. A device (`/dev/zero`) is refused, and a pipe
/// that nobody opens for writing within [`PIPE_OPEN_WAIT`], or that brings nothing within
/// [`PIPE_READ_WAIT`], is an error rather than a command that waits forever.
pub fn read_key(path: &Path) -> Result<String, Failure> {
    let shown = path.display();
    let cannot =
        |e: io::Error| Failure::Config(format!("cannot read the secret key file {shown}: {e}"));
    let refused = |what: &str| Failure::Config(format!("the secret key file {shown} {what}"));
    let not_regular = "is neither a regular file nor a pipe";
    let kind = std::fs::metadata(path).map_err(cannot)?.file_type();
    if !kind.is_file() && !is_pipe(&kind) {
        return Err(refused(not_regular));
    }
    // Read under the pipe's waits even when it was a regular file just now: should the path
    // become a FIFO in between, opening it would wait for a writer.
    let bytes = read_waiting_at_most(path).map_err(cannot)?;
    if bytes.len() > MAX_KEY_FILE_BYTES {
        return Err(refused(&format!(
            "is larger than {MAX_KEY_FILE_BYTES} bytes (a secret key is at most \
             {MAX_SECRET_KEY_BYTES})"
        )));
    }
    let Ok(text) = String::from_utf8(bytes) else {
        return Err(refused("is not UTF-8 text"));
    };
    let key = text.trim();
    crate::redact::remember(key);
    if key.is_empty() {
        return Err(refused("is empty"));
    }
    if key.len() > MAX_SECRET_KEY_BYTES {
        return Err(Failure::Config(format!(
            "the secret key in {shown} is longer than {MAX_SECRET_KEY_BYTES} bytes"
        )));
    }
    Ok(key.to_string())
}

/// How long a pipe may go without a writer: opening one for reading waits for it.
const PIPE_OPEN_WAIT: Duration = Duration::from_secs(2);
/// How long the writer of a pipe may take to write the key and close it (a password manager
/// may ask for a fingerprint first).
const PIPE_READ_WAIT: Duration = Duration::from_secs(60);

/// The first [`MAX_KEY_FILE_BYTES`] and one more of `source`: enough to tell a key from a
/// file too large to be one.
fn read_at_most(source: impl Read) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    source
        .take(MAX_KEY_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(unix)]
fn is_pipe(kind: &std::fs::FileType) -> bool {
    std::os::unix::fs::FileTypeExt::is_fifo(kind)
}

#[cfg(not(unix))]
fn is_pipe(_: &std::fs::FileType) -> bool {
    false
}

/// Reads a file or a pipe on a thread of its own, giving up on a writer that never comes or
/// never finishes (the thread is left blocked; the command ends anyway).
fn read_waiting_at_most(path: &Path) -> io::Result<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    let path = path.to_owned();
    // `None` once the pipe is open, then what was read (or at once, why it could not open).
    thread::spawn(move || {
        let opened = File::open(path).inspect(|_| {
            let _ = tx.send(None);
        });
        let _ = tx.send(Some(opened.and_then(read_at_most)));
    });
    let gave_up = |what: &str, wait: Duration| {
        let message = format!("{what} within {} s", wait.as_secs());
        io::Error::new(io::ErrorKind::TimedOut, message)
    };
    let vanished = || io::Error::other("the thread reading it ended early");
    match rx.recv_timeout(PIPE_OPEN_WAIT) {
        Ok(Some(read)) => return read,
        Ok(None) => {}
        Err(RecvTimeoutError::Timeout) => {
            let what = "nothing opened the pipe for writing";
            return Err(gave_up(what, PIPE_OPEN_WAIT));
        }
        Err(RecvTimeoutError::Disconnected) => return Err(vanished()),
    }
    match rx.recv_timeout(PIPE_READ_WAIT) {
        Ok(Some(read)) => read,
        Ok(None) | Err(RecvTimeoutError::Disconnected) => Err(vanished()),
        Err(RecvTimeoutError::Timeout) => Err(gave_up("the pipe brought no key", PIPE_READ_WAIT)),
    }
}
