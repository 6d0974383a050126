//! Ctrl-C (SIGINT): the command ends with exit 130, whatever it is doing.
//!
//! The first Ctrl-C sets a flag and starts a thread that ends the process. A walk of every
//! page (`--all`, `export`) is given [`GRACE`] to stop itself between two lines, close and
//! flush its output and say how far it got. Anything else is ended by that thread at once
//! (a call in flight, a key file being read, `pinn mock` serving), and so is a walk that has
//! not ended within the grace (its stdout blocked by a reader that stopped reading: a pager,
//! a full pipe), with the same line from the `ledger`, which counts only what stdout took.
//! A second Ctrl-C ends the process at once, writing nothing (stderr may be what blocks).
//!
//! Whoever ends the process first claims it ([`claim`]), so one line is printed, not two.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::exit::INTERRUPTED;
use crate::ledger;
use crate::stderr::note;

/// Ctrl-C was pressed.
static REQUESTED: AtomicBool = AtomicBool::new(false);
/// A walk is streaming: it stops itself on Ctrl-C.
static STREAMING: AtomicBool = AtomicBool::new(false);
/// Something is ending the process: the command, or the thread Ctrl-C started.
static ENDING: AtomicBool = AtomicBool::new(false);

/// How long a Ctrl-C leaves a walk to end itself, and the line on stderr to be written,
/// before the process ends regardless.
const GRACE: Duration = Duration::from_secs(1);
/// How often the thread Ctrl-C started looks whether the walk has ended.
const POLL: Duration = Duration::from_millis(10);

/// Installs the handler. Where it cannot be installed (SIGINT was ignored when the process
/// started, as in a background job), Ctrl-C keeps its effect.
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            std::process::exit(INTERRUPTED.into());
        }
        // The handler's own thread stays free for a second Ctrl-C.
        let ends = thread::Builder::new()
            .name("pinn-interrupt".into())
            .spawn(end);
        if ends.is_err() {
            std::process::exit(INTERRUPTED.into());
        }
    });
}

/// Whether Ctrl-C was pressed.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Claims the end of the process for the caller: `false` when the thread Ctrl-C started has
/// claimed it already (it prints the line and exits).
pub fn claim() -> bool {
    !ENDING.swap(true, Ordering::SeqCst)
}

/// Waits for the thread Ctrl-C started to end the process, which it does within twice
/// [`GRACE`]; should it not, the caller ends it (with exit 130).
pub fn await_end() {
    thread::sleep(GRACE * 3);
}

/// Ends the process after a Ctrl-C, on a thread of its own.
fn end() {
    let deadline = Instant::now() + GRACE;
    while STREAMING.load(Ordering::SeqCst)
        && !ENDING.load(Ordering::SeqCst)
        && Instant::now() < deadline
    {
        thread::sleep(POLL);
    }
    if claim() {
        say_within(ledger::interrupted(), GRACE);
    } else {
        // The command is ending: it has its line to write, and the grace to write it in.
        thread::sleep(deadline.saturating_duration_since(Instant::now()) + GRACE);
    }
    std::process::exit(INTERRUPTED.into());
}

/// Writes `line` on stderr (clearing the progress line first), waiting at most `wait` for
/// stderr to take it.
fn say_within(line: String, wait: Duration) {
    let (said, done) = mpsc::channel();
    let sayer = thread::Builder::new().spawn(move || {
        ledger::clear_progress();
        note!("pinn: {}", crate::exit::safe(&line));
        let _ = said.send(());
    });
    if sayer.is_ok() {
        let _ = done.recv_timeout(wait);
    }
}

/// While it lives, Ctrl-C leaves the streaming loop [`GRACE`] to stop itself.
pub struct Streaming(());

impl Streaming {
    pub fn begin() -> Streaming {
        STREAMING.store(true, Ordering::SeqCst);
        Streaming(())
    }
}

impl Drop for Streaming {
    fn drop(&mut self) {
        STREAMING.store(false, Ordering::SeqCst);
    }
}
