//! The attempt's state, in a thread-local: the key, the API host, whether a connection
//! claimed the request head and whether any of the request was sent; and what each write on
//! a guarded connection is, for that attempt.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::head::request_line;
use crate::config::SecretKey;

thread_local! {
    static ATTEMPT: RefCell<Option<State>> = const { RefCell::new(None) };
}

struct State {
    /// This attempt's number, unique in the process: a connection that claimed the request
    /// head remembers it.
    id: u64,
    key: Option<SecretKey>,
    /// The API host's `host[:port]`, which an absolute-form request line must name.
    target: Arc<str>,
    /// Whether a connection claimed the request head.
    claimed: bool,
    /// Whether some of the request (or bytes that could be it) reached a connection.
    sent: bool,
    /// For a POST: how recently a pooled connection must have carried data to be used.
    fresh_within: Option<Duration>,
}

/// Numbers attempts: 0 is no attempt.
static ATTEMPTS: AtomicU64 = AtomicU64::new(1);

/// One attempt's guard state; the thread-local is cleared when it drops.
pub(crate) struct Attempt(());

impl Attempt {
    /// `target` is the API host's `host[:port]`, lowercase. `fresh_within`: for a POST, how
    /// recently a pooled connection must have been used to carry it.
    pub(crate) fn begin(
        key: Option<&SecretKey>,
        target: &Arc<str>,
        fresh_within: Option<Duration>,
    ) -> Attempt {
        ATTEMPT.with(|a| {
            *a.borrow_mut() = Some(State {
                id: ATTEMPTS.fetch_add(1, Ordering::Relaxed),
                key: key.cloned(),
                target: Arc::clone(target),
                claimed: false,
                sent: false,
                fresh_within,
            })
        });
        Attempt(())
    }

    /// Whether any byte of the request was handed to the connection.
    pub(crate) fn sent(&self) -> bool {
        ATTEMPT.with(|a| a.borrow().as_ref().is_some_and(|s| s.sent))
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        ATTEMPT.with(|a| *a.borrow_mut() = None);
    }
}

/// What a write on a guarded connection is, for this attempt.
#[derive(Debug, PartialEq)]
pub(super) enum Write {
    /// The first write of the request head: the connection carries the request. `ours`: the
    /// request line names the API host (or no host: origin-form), so the key may go in.
    HeadStarts { ours: bool },
    /// More of the request (the rest of its head, or its body), on the connection carrying it.
    Request,
    /// Not the request: a `CONNECT`, a TLS handshake through a tunnel, or the request after
    /// an outer connection took it.
    Other,
}

/// Classifies a write of `out` on a connection that carries attempt `carries` (0: none) and
/// has or has not carried a proxy's `CONNECT` (`proxy`, set here when this write starts
/// one), and notes what it means for the attempt (claimed, sent).
pub(super) fn classify(carries: u64, proxy: &mut bool, out: &[u8]) -> (Write, u64) {
    ATTEMPT.with(|a| {
        let mut a = a.borrow_mut();
        let Some(state) = a.as_mut() else {
            return (Write::Other, carries);
        };
        if carries == state.id {
            state.sent = true;
            return (Write::Request, carries);
        }
        if state.claimed {
            return (Write::Other, carries);
        }
        // ureq writes a `CONNECT` in pieces ("CONNECT ", the host, ...): the first marks the
        // connection as a proxy's, whose writes are not the request until an outer connection
        // claims it (a tunnelled TLS handshake, say).
        *proxy |= out.starts_with(b"CONNECT ") || (!out.is_empty() && b"CONNECT ".starts_with(out));
        if *proxy {
            return (Write::Other, carries);
        }
        match request_line(out, &state.target) {
            Some(ours) => {
                state.claimed = true;
                state.sent = true;
                (Write::HeadStarts { ours }, state.id)
            }
            None => {
                // Anything else before the head could be part of the request: count it as
                // sent, which is never unsafe. (ureq writes nothing else there.)
                state.sent |= !out.is_empty();
                (Write::Other, carries)
            }
        }
    })
}

pub(super) fn current_key() -> Option<SecretKey> {
    ATTEMPT.with(|a| a.borrow().as_ref().and_then(|s| s.key.clone()))
}

pub(super) fn fresh_within() -> Option<Duration> {
    ATTEMPT.with(|a| a.borrow().as_ref().and_then(|s| s.fresh_within))
}
