//! Ctrl-C (SIGINT). A command that is streaming output notices it between two whole lines,
//! flushes and exits 130; any other command exits 130 at once, with nothing half written
//! that matters (a single object is written in one piece after its call returns).

use crate::stderr::note;
use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);
static STREAMING: AtomicBool = AtomicBool::new(false);

/// Installs the handler. Where it cannot be installed, Ctrl-C keeps its default effect.
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        REQUESTED.store(true, Ordering::SeqCst);
        if !STREAMING.load(Ordering::SeqCst) {
            note!("pinn: interrupted");
            std::process::exit(crate::exit::INTERRUPTED.into());
        }
    });
}

/// Whether Ctrl-C was pressed.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// While it lives, Ctrl-C only sets the flag: the streaming loop stops itself.
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
