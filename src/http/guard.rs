//! The secret key's guard on the wire, the last link of the agent's connector chain (above
//! TLS, so the request's connection shows it plain HTTP).
//!
//! ureq logs what it handles: response headers at `debug`, the full URL and `Location` at
//! `trace`, and every byte in 16-byte hex rows at `trace` (`ureq_proto`). So ureq is never
//! given the key:
//!
//! - **Out.** The request carries `Authorization: Bearer ***…` (one `*` per byte of the key).
//!   When ureq hands the request head to the connection, this guard writes the key over the
//!   stars, in place, after ureq has logged the head.
//! - **In.** A server may echo the key in a response header, or in an error's body ("invalid
//!   key sk_…"). Before ureq parses (and logs) a response head, the guard overwrites every
//!   copy of the key in it with `*`s; and, while ureq's wire dump is logged, in the body of
//!   a response that is not a `2xx`, as it arrives (a copy split between two reads of the
//!   socket is missed). A success body is never touched: data reaches its model exactly as
//!   sent. Keys shorter than 16 bytes are not searched for (they could match ordinary text).
//!
//! **Which write is the request head.** Every connection ureq makes runs through the chain,
//! a `CONNECT` proxy's too (its connection is made, and its `CONNECT` written, before the
//! request's connection is wrapped around it), so the guard wraps them all and finds the
//! head by what it is, not by which connection it is on or which write it is: the first write
//! of the attempt that starts with a request line (`GET /v1/… HTTP/1.1`, or an absolute-form
//! `GET http://host/v1/… HTTP/1.1` naming the API's own host). ureq hands the head to the
//! outermost connection, which passes it down, so the connection that claims it is the one
//! carrying the request, wherever a proxy listens (on the API's own host and port
//! included). A connection that wrote a `CONNECT` (ureq writes one in pieces) is a proxy's:
//! what it carries before the head is claimed (the tunnel's TLS handshake) is not the
//! request. A head spread over several writes (ureq writes each line whole) is followed to
//! its blank line, and the key goes into whichever write holds its placeholder; nothing after
//! the head (the body) is touched.
//!
//! The guard also notes whether any byte of the request reached a connection: an error
//! before that point means the server cannot have acted on the request. A proxy's `CONNECT`,
//! and the tunnel's handshake, are not the request; any other bytes written before the head
//! would count, to be safe. And it keeps a POST off a pooled connection that has been idle
//! too long (`Config::post_idle_timeout`): when the pool offers one, [`Guarded::is_open`]
//! says it is closed, so ureq drops it and connects afresh. A server that closes idle
//! connections may have closed that one already, and a POST sent into it could neither be
//! retried safely nor known to have failed. Doing this in the transport, rather than with a
//! request-level ureq config, keeps a POST on the agent's own settings (its pool and its
//! cached TLS configuration).
//!
//! The key and those facts live in a thread-local for the duration of one attempt: ureq runs
//! a request on the calling thread, so the transport sees the attempt's own state.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use memchr::memmem::Finder;
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

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
enum Write {
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
fn classify(carries: u64, proxy: &mut bool, out: &[u8]) -> (Write, u64) {
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

fn current_key() -> Option<SecretKey> {
    ATTEMPT.with(|a| a.borrow().as_ref().and_then(|s| s.key.clone()))
}

fn fresh_within() -> Option<Duration> {
    ATTEMPT.with(|a| a.borrow().as_ref().and_then(|s| s.fresh_within))
}

/// Wraps every transport ureq makes in a [`Guarded`] one: the request's, and a proxy's, whose
/// `CONNECT` runs through the same chain first.
#[derive(Debug)]
pub(crate) struct GuardConnector;

impl<In: Transport> Connector<In> for GuardConnector {
    type Out = Guarded;

    fn connect(
        &self,
        _: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(Guarded::new))
    }
}

/// A transport that writes the key into requests and masks it out of response heads.
#[derive(Debug)]
pub(crate) struct Guarded {
    inner: Box<dyn Transport>,
    /// The input ureq reads: what `inner` received, with the key masked in response heads.
    input: Input,
    /// The attempt whose request this connection carries (it claimed the head); 0: none.
    carries: u64,
    /// Whether a proxy's `CONNECT` was written here: the connection is a proxy's.
    proxy: bool,
    /// Whether the request head is still being written (its blank line not yet seen).
    head_open: bool,
    /// Whether that head is to the API host, so that the key may go in.
    head_ours: bool,
    /// Whether a response head is expected or still arriving.
    in_head: bool,
    /// Whether the body arriving is an error's, in which the key is masked too.
    in_error_body: bool,
    /// When data last went out or came in.
    last_io: Instant,
}

impl Guarded {
    fn new(inner: impl Transport) -> Guarded {
        Guarded {
            inner: Box::new(inner),
            input: Input::default(),
            carries: 0,
            proxy: false,
            head_open: false,
            head_ours: false,
            in_head: false,
            in_error_body: false,
            last_io: Instant::now(),
        }
    }
}

/// The start of the placeholder's line (ureq writes header names lowercase; matched without
/// regard to case).
const AUTHORIZATION: &[u8] = b"authorization: Bearer ";

/// Searchers for the fixed strings, built once.
static FIND_CRLF: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\r\n"));
static FIND_HEAD_END: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\r\n\r\n"));

impl Transport for Guarded {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let out = self.inner.buffers().output();
        let amount_ok = amount.min(out.len());
        let out = &mut out[..amount_ok];
        let (write, carries) = classify(self.carries, &mut self.proxy, out);
        self.carries = carries;
        if let Write::HeadStarts { ours } = write {
            self.head_open = true;
            self.head_ours = ours;
        }
        if write != Write::Other && self.head_open {
            let end = FIND_HEAD_END.find(out).map(|i| i + 4);
            self.head_open = end.is_none();
            let head = &mut out[..end.unwrap_or(amount_ok)];
            if let Some(key) = current_key().filter(|_| self.head_ours) {
                write_key(head, key.expose().as_bytes());
            }
        }
        // The connection carrying the request reads an answer (a head) next; any other reads
        // nothing that needs masking (a proxy's answer to a `CONNECT`, or a tunnel's bytes,
        // which the carrying connection masks once they are plain).
        self.in_head = write != Write::Other;
        self.in_error_body = false;
        self.last_io = Instant::now();
        self.inner.transmit_output(amount, coarse(timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        if self.inner.buffers().input().is_empty() && !self.inner.await_input(coarse(timeout))? {
            return Ok(false);
        }
        let moved = self.input.pull(self.inner.buffers());
        self.last_io = Instant::now();
        if self.in_head || self.in_error_body {
            let input = self.input.unconsumed_mut();
            match current_key() {
                Some(key) if key.is_distinctive() => {
                    let body_from = if self.in_head {
                        match mask_heads(input, key.finder()) {
                            Head::Incomplete => None,
                            Head::Complete { end, success } => {
                                self.in_head = false;
                                self.in_error_body = !success && wire_is_logged();
                                Some(end)
                            }
                        }
                    } else {
                        Some(0)
                    };
                    if let Some(from) = body_from
                        && self.in_error_body
                    {
                        mask(&mut input[from..], key.finder());
                    }
                }
                _ => self.in_head = still_in_head(input),
            }
        }
        Ok(moved > 0)
    }

    /// ureq asks this before it reuses a pooled connection (and before it pools one). For a
    /// POST, a connection idle for `fresh_within` or longer counts as closed.
    fn is_open(&mut self) -> bool {
        let stale = fresh_within().is_some_and(|d| self.last_io.elapsed() >= d);
        !stale && self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

impl Buffers for Guarded {
    fn output(&mut self) -> &mut [u8] {
        self.inner.buffers().output()
    }

    fn input(&self) -> &[u8] {
        self.input.unconsumed()
    }

    fn input_append_buf(&mut self) -> &mut [u8] {
        self.input.free()
    }

    fn input_appended(&mut self, amount: usize) {
        self.input.filled = (self.input.filled + amount).min(self.input.buf.len());
    }

    fn input_consume(&mut self, amount: usize) {
        self.input.consume(amount);
    }

    fn tmp_and_output(&mut self) -> (&mut [u8], &mut [u8]) {
        (self.input.free(), self.inner.buffers().output())
    }

    fn can_use_input(&self) -> bool {
        !self.input.unconsumed().is_empty() && self.input.progress
    }
}

/// The time left before the call's deadline, rounded down to a step of at most 1/64 of it
/// (100 ms from 6.4 s up, 10 ms from 640 ms, 1 ms from 64 ms; exact below).
///
/// ureq's TCP transport sets the socket's read or write timeout whenever the value it is
/// given differs from the last one, and under a deadline the time left differs on every read
/// and write: two or three `setsockopt` calls per API call, slow system calls on some
/// machines. Rounded, the value repeats from one read, write and call to the next, and the
/// socket is left alone. Rounding down keeps the deadline: a read may give up that much
/// early, never late.
fn coarse(mut timeout: NextTimeout) -> NextTimeout {
    if timeout.after.is_not_happening() {
        return timeout;
    }
    let left: Duration = *timeout.after;
    let step = if left >= Duration::from_millis(6_400) {
        Duration::from_millis(100)
    } else if left >= Duration::from_millis(640) {
        Duration::from_millis(10)
    } else if left >= Duration::from_millis(64) {
        Duration::from_millis(1)
    } else {
        return timeout;
    };
    let steps = left.as_nanos() / step.as_nanos();
    let floor = step.saturating_mul(u32::try_from(steps).unwrap_or(u32::MAX));
    timeout.after = floor.min(left).into();
    timeout
}

/// Writes `key` over the `*`s of the `Authorization: Bearer ***…` line in (part of) a
/// request head, when there are exactly as many stars as the key has bytes; at most once.
fn write_key(head: &mut [u8], key: &[u8]) {
    let mut line = 0;
    while line < head.len() {
        let end = FIND_CRLF
            .find(&head[line..])
            .map_or(head.len(), |i| line + i + 2);
        let text = &mut head[line..end];
        if text.len() >= AUTHORIZATION.len() + key.len() + 2
            && text[..AUTHORIZATION.len()].eq_ignore_ascii_case(AUTHORIZATION)
            && text.ends_with(b"\r\n")
        {
            let stars_end = text.len() - 2;
            let stars = &mut text[AUTHORIZATION.len()..stars_end];
            if stars.len() == key.len() && stars.iter().all(|&b| b == b'*') {
                stars.copy_from_slice(key);
            }
            return;
        }
        line = end;
    }
}

/// Whether `out` starts with an HTTP/1 request line other than `CONNECT`: `Some(ours)`, with
/// `ours` false for an absolute-form target naming a host other than `target`.
fn request_line(out: &[u8], target: &str) -> Option<bool> {
    let line = &out[..FIND_CRLF.find(out)?];
    let mut parts = line.split(|&b| b == b' ');
    let (method, uri, version) = (parts.next()?, parts.next()?, parts.next()?);
    let token = !method.is_empty() && method.iter().all(u8::is_ascii_uppercase);
    if !token || method == b"CONNECT" || !version.starts_with(b"HTTP/1.") || parts.next().is_some()
    {
        return None;
    }
    if uri.starts_with(b"/") {
        return Some(true);
    }
    // Absolute-form (to a proxy): `scheme://authority/…`.
    let rest = &uri[uri.windows(3).position(|w| w == b"://")? + 3..];
    let authority = &rest[..rest
        .iter()
        .position(|b| b"/?#".contains(b))
        .unwrap_or(rest.len())];
    Some(authority.eq_ignore_ascii_case(target.as_bytes()))
}

/// Whether ureq's wire dump (`ureq_proto` at `trace`) is being logged: only then is an error
/// body masked (otherwise nothing but the error reads it, and the error redacts the key as
/// `<redacted>`, which reads better than `*`s).
fn wire_is_logged() -> bool {
    log::log_enabled!(target: "ureq_proto", log::Level::Trace)
}

/// Where the response heads at the start of some input stand.
#[derive(Debug, PartialEq)]
enum Head {
    /// A head is still arriving: more must be masked later.
    Incomplete,
    /// The final head ends at `end`; `success`: its status is `2xx`.
    Complete { end: usize, success: bool },
}

/// Masks `key` in the response heads at the start of `input` (a final head, after any
/// `1xx` heads).
fn mask_heads(input: &mut [u8], key: &Finder<'_>) -> Head {
    let mut from = 0;
    loop {
        let rest = &mut input[from..];
        let end = FIND_HEAD_END.find(rest).map(|i| i + 4);
        let len = end.unwrap_or(rest.len());
        let head = &mut rest[..len];
        mask(head, key);
        match end {
            None => return Head::Incomplete,
            Some(end) if is_informational(head) => from += end,
            Some(end) => {
                return Head::Complete {
                    end: from + end,
                    success: head.len() > 9 && head[9] == b'2',
                };
            }
        }
    }
}

/// Overwrites every copy of `key` in `text` with `*`s, the key written plainly or with any
/// of its characters percent-encoded (a `Location` quoting it in a URL).
fn mask(text: &mut [u8], key: &Finder<'_>) {
    let width = key.needle().len();
    let mut at = 0;
    while let Some(i) = key.find(&text[at..]) {
        text[at + i..at + i + width].fill(b'*');
        at += i + width;
    }
    if memchr::memchr(b'%', text).is_none() {
        return;
    }
    if memchr::memchr(b'%', key.needle()).is_some() {
        return mask_mixed(text, key.needle());
    }
    let (decoded, starts) = crate::text::percent_decoded(text);
    let mut at = 0;
    while let Some(i) = key.find(&decoded[at..]) {
        text[starts[at + i]..starts[at + i + width]].fill(b'*');
        at += i + width;
    }
}

/// [`mask`] for a key with a `%` in it, which decoding the text cannot find when some of its
/// `%`s are left as they are: each byte of the key may be written as itself or as `%XX`.
fn mask_mixed(text: &mut [u8], key: &[u8]) {
    let Some(&first) = key.first() else {
        return;
    };
    let mut at = 0;
    while at < text.len() {
        let could_start = text[at] == first || text[at] == b'%';
        let copy = if could_start {
            encoded_copy(&text[at..], key)
        } else {
            None
        };
        match copy {
            Some(len) => {
                text[at..at + len].fill(b'*');
                at += len;
            }
            None => at += 1,
        }
    }
}

/// The length of the longest copy of `key` at the start of `text`, each of its bytes written
/// as itself or percent-encoded (`%XX`, in either case).
fn encoded_copy(text: &[u8], key: &[u8]) -> Option<usize> {
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

/// Whether a response head is still incomplete (for keys the guard does not search for).
fn still_in_head(input: &[u8]) -> bool {
    let mut from = 0;
    loop {
        match FIND_HEAD_END.find(&input[from..]) {
            None => return true,
            Some(i) if is_informational(&input[from..from + i]) => from += i + 4,
            Some(_) => return false,
        }
    }
}

/// `HTTP/1.x 1xx`: an interim answer, after which the real head still comes.
fn is_informational(head: &[u8]) -> bool {
    head.len() > 9 && head.starts_with(b"HTTP/1.") && head[9] == b'1'
}

/// The guard's own input buffer: ureq's `Buffers` give no mutable view of received bytes,
/// so the guard moves them here, where it can mask them before ureq reads them.
#[derive(Debug, Default)]
struct Input {
    buf: Vec<u8>,
    consumed: usize,
    filled: usize,
    /// Whether the last `consume` took anything (ureq's signal to wait for more input).
    progress: bool,
}

/// Room for a whole response head (ureq's limit is 64 KiB) plus body data.
const INPUT_SIZE: usize = 128 * 1024;

impl Input {
    fn unconsumed(&self) -> &[u8] {
        &self.buf[self.consumed..self.filled]
    }

    fn unconsumed_mut(&mut self) -> &mut [u8] {
        &mut self.buf[self.consumed..self.filled]
    }

    /// The free space after the filled part, moving unconsumed bytes to the front first.
    fn free(&mut self) -> &mut [u8] {
        if self.buf.len() < INPUT_SIZE {
            self.buf.resize(INPUT_SIZE, 0);
        }
        if self.consumed > 0 {
            self.buf.copy_within(self.consumed..self.filled, 0);
            self.filled -= self.consumed;
            self.consumed = 0;
        }
        &mut self.buf[self.filled..]
    }

    fn consume(&mut self, amount: usize) {
        self.progress = amount > 0;
        self.consumed = (self.consumed + amount).min(self.filled);
        if self.consumed == self.filled {
            self.consumed = 0;
            self.filled = 0;
        }
    }

    /// Moves what `from` holds into this buffer, as much as fits; returns how much.
    fn pull(&mut self, from: &mut dyn Buffers) -> usize {
        let src = from.input();
        let dst = self.free();
        let n = src.len().min(dst.len());
        dst[..n].copy_from_slice(&src[..n]);
        self.filled += n;
        from.input_consume(n);
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"sk_test_4eC39HqLyjWDarjtT1zdp7dc";

    #[test]
    fn the_key_is_written_over_the_stars_only() {
        let stars = "*".repeat(KEY.len());
        let mut head =
            format!("GET /v1/users HTTP/1.1\r\nauthorization: Bearer {stars}\r\n\r\n").into_bytes();
        write_key(&mut head, KEY);
        let head = String::from_utf8(head).unwrap();
        assert!(head.contains("authorization: Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc\r\n"));

        let mut other = b"GET / HTTP/1.1\r\nauthorization: Bearer xyz\r\n\r\n".to_vec();
        let before = other.clone();
        write_key(&mut other, KEY);
        assert_eq!(other, before);
    }

    #[test]
    fn the_placeholder_line_is_found_in_any_case_and_needs_one_star_per_byte() {
        let stars = "*".repeat(KEY.len());
        let key = std::str::from_utf8(KEY).unwrap();
        for (head, want) in [
            // A split head: the placeholder's line first in its write.
            (format!("authorization: Bearer {stars}\r\n\r\n"), true),
            (format!("X: 1\r\nAuthorization: Bearer {stars}\r\n"), true),
            (format!("X: 1\r\nauthorization: Bearer {stars}*\r\n"), false),
            (
                format!("X: 1\r\nauthorization: Bearer {}\r\n", &stars[1..]),
                false,
            ),
            (format!("X: authorization: Bearer {stars}\r\n"), false),
            (format!("authorization: Bearer {stars}"), false),
        ] {
            let mut bytes = head.clone().into_bytes();
            write_key(&mut bytes, KEY);
            let got = String::from_utf8(bytes).unwrap();
            assert_eq!(got.contains(key), want, "{head:?} -> {got:?}");
            assert_eq!(got.len(), head.len());
        }
    }

    #[test]
    fn request_lines_are_told_from_a_connect_and_everything_else() {
        let target = "api.example:8443";
        for (out, want) in [
            (&b"GET /v1/users HTTP/1.1\r\nhost: x\r\n"[..], Some(true)),
            (b"DELETE /v1/users/usr_1?x=1 HTTP/1.1\r\n", Some(true)),
            (
                b"POST http://api.example:8443/v1/users HTTP/1.1\r\n",
                Some(true),
            ),
            (b"POST HTTP://API.example:8443 HTTP/1.1\r\n", Some(true)),
            (
                b"POST http://api.example:8443.evil/v1 HTTP/1.1\r\n",
                Some(false),
            ),
            (b"GET http://other.example/v1 HTTP/1.1\r\n", Some(false)),
            (b"CONNECT api.example:8443 HTTP/1.1\r\n", None),
            (b"CONNECT ", None),
            (b"GET /v1/users HTTP/1.1", None),
            (b"get /v1/users HTTP/1.1\r\n", None),
            (b"GET /v1/users HTTP/2\r\n", None),
            (b"GET  /v1 HTTP/1.1\r\n", None),
            (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", None),
            (b"", None),
        ] {
            assert_eq!(
                request_line(out, target),
                want,
                "{}",
                String::from_utf8_lossy(out)
            );
        }
    }

    /// A transport that records each write, and reads nothing.
    #[derive(Debug)]
    struct Wire {
        buffers: ureq::unversioned::transport::LazyBuffers,
        writes: Arc<std::sync::Mutex<Vec<Vec<u8>>>>,
    }

    fn recording_wire() -> (Wire, Arc<std::sync::Mutex<Vec<Vec<u8>>>>) {
        let writes = Arc::default();
        let buffers = ureq::unversioned::transport::LazyBuffers::new(1024, 1024);
        let wire = Wire {
            buffers,
            writes: Arc::clone(&writes),
        };
        (wire, writes)
    }

    impl Transport for Wire {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }
        fn transmit_output(&mut self, amount: usize, _: NextTimeout) -> Result<(), ureq::Error> {
            let out = self.buffers.output()[..amount].to_vec();
            self.writes.lock().unwrap().push(out);
            Ok(())
        }
        fn await_input(&mut self, _: NextTimeout) -> Result<bool, ureq::Error> {
            Ok(false)
        }
        fn is_open(&mut self) -> bool {
            true
        }
    }

    /// Writes `bytes` as ureq does: into the output buffer, then `transmit_output`.
    fn send(t: &mut dyn Transport, bytes: &[u8]) {
        t.buffers().output()[..bytes.len()].copy_from_slice(bytes);
        t.transmit_output(bytes.len(), NextTimeout::default())
            .unwrap();
    }

    fn begin() -> Attempt {
        let key = SecretKey::new(String::from_utf8(KEY.to_vec()).unwrap());
        Attempt::begin(Some(&key), &Arc::from("api.example:8443"), None)
    }

    fn text(writes: &std::sync::Mutex<Vec<Vec<u8>>>) -> Vec<String> {
        let writes = writes.lock().unwrap();
        writes
            .iter()
            .map(|w| String::from_utf8_lossy(w).into_owned())
            .collect()
    }

    #[test]
    fn behind_a_connect_on_the_same_connection_chain_the_head_gets_the_key_once() {
        let key = std::str::from_utf8(KEY).unwrap();
        let stars = "*".repeat(KEY.len());
        let head = format!(
            "POST /v1/users HTTP/1.1\r\nhost: api.example:8443\r\nauthorization: Bearer {stars}\r\ncontent-length: 60\r\n\r\n"
        );
        // A body that looks like the head's placeholder line is still a body.
        let body = format!("\r\nauthorization: Bearer {stars}\r\n\r\n");
        let (wire, writes) = recording_wire();
        let attempt = begin();
        // The proxy's connection: its `CONNECT`, in ureq's pieces, is not the request.
        let mut proxy = Guarded::new(wire);
        for piece in [
            "CONNECT ",
            "api.example",
            ":",
            "8443",
            " HTTP/1.1\r\n",
            "\r\n",
        ] {
            send(&mut proxy, piece.as_bytes());
        }
        assert!(!attempt.sent(), "a CONNECT is not the request");
        // The tunnel's TLS handshake, say, is not either.
        send(&mut proxy, b"\x16\x03\x01\x00\x05hello");
        assert!(!attempt.sent());
        // The request's connection, wrapped around the proxy's, carries the head and body.
        let mut request = Guarded::new(proxy);
        send(&mut request, head.as_bytes());
        assert!(attempt.sent());
        send(&mut request, body.as_bytes());
        let got = text(&writes);
        assert_eq!(got.concat().matches(key).count(), 1, "{got:?}");
        assert!(!got[..7].concat().contains(key), "not in the CONNECT");
        assert_eq!(got[7], head.replace(&stars, key));
        assert_eq!(got[8], body, "the body untouched");
        drop(attempt);

        // The next attempt on the pooled connection: its head is claimed afresh.
        let attempt = begin();
        send(&mut request, head.as_bytes());
        assert!(attempt.sent());
        assert_eq!(text(&writes)[9], head.replace(&stars, key));
    }

    #[test]
    fn a_head_over_several_writes_gets_the_key_in_the_write_that_holds_the_placeholder() {
        let key = std::str::from_utf8(KEY).unwrap();
        let stars = "*".repeat(KEY.len());
        let pieces = [
            "GET http://api.example:8443/v1/users HTTP/1.1\r\nhost: api.example:8443\r\n"
                .to_string(),
            format!("accept: */*\r\nauthorization: Bearer {stars}\r\n"),
            "user-agent: x\r\n\r\n".to_string(),
        ];
        let (wire, writes) = recording_wire();
        let attempt = begin();
        let mut request = Guarded::new(wire);
        for piece in &pieces {
            send(&mut request, piece.as_bytes());
        }
        assert!(attempt.sent());
        let got = text(&writes);
        assert_eq!(got[0], pieces[0]);
        assert_eq!(got[1], pieces[1].replace(&stars, key));
        assert_eq!(got[2], pieces[2]);
        drop(attempt);

        // An absolute-form request to another host never gets the key, in any of its writes.
        let (wire, writes) = recording_wire();
        let attempt = begin();
        let mut request = Guarded::new(wire);
        send(&mut request, b"GET http://other.example/v1 HTTP/1.1\r\n");
        let rest = format!("authorization: Bearer {stars}\r\n\r\n");
        send(&mut request, rest.as_bytes());
        assert_eq!(text(&writes)[1], rest);
        drop(attempt);
        let (wire, writes) = recording_wire();
        let _attempt = begin();
        let head = format!(
            "GET http://other.example/v1 HTTP/1.1\r\nauthorization: Bearer {stars}\r\n\r\n"
        );
        send(&mut Guarded::new(wire), head.as_bytes());
        assert_eq!(text(&writes), [head]);
    }

    #[test]
    fn without_an_attempt_nothing_is_written_or_claimed() {
        let stars = "*".repeat(KEY.len());
        let head = format!("GET / HTTP/1.1\r\nauthorization: Bearer {stars}\r\n\r\n");
        let (wire, writes) = recording_wire();
        send(&mut Guarded::new(wire), head.as_bytes());
        assert_eq!(text(&writes), [head]);
    }

    #[test]
    fn heads_are_masked_bodies_are_not() {
        let key = std::str::from_utf8(KEY).unwrap();
        let mut input = format!(
            "HTTP/1.1 100 Continue\r\nserver: {key}\r\n\r\n\
             HTTP/1.1 200 OK\r\nServer: {key}\r\nLocation: /x/{key}\r\n\r\n{{\"k\":\"{key}\"}}"
        )
        .into_bytes();
        let head_len = input.len() - key.len() - 8;
        assert_eq!(
            mask_heads(&mut input, &Finder::new(KEY)),
            Head::Complete {
                end: head_len,
                success: true
            }
        );
        let text = String::from_utf8(input).unwrap();
        assert_eq!(text.matches(key).count(), 1, "{text}");
        assert!(text.ends_with(&format!("{{\"k\":\"{key}\"}}")));

        let mut partial = format!("HTTP/1.1 200 OK\r\nServer: {}", &key[..10]).into_bytes();
        assert_eq!(
            mask_heads(&mut partial, &Finder::new(KEY)),
            Head::Incomplete,
            "a head still arriving"
        );
        let mut error = b"HTTP/1.1 401 Unauthorized\r\n\r\n".to_vec();
        assert_eq!(
            mask_heads(&mut error, &Finder::new(KEY)),
            Head::Complete {
                end: error.len(),
                success: false
            }
        );
    }

    #[test]
    fn a_percent_encoded_key_is_masked_in_part_or_whole() {
        let all: String = KEY.iter().map(|b| format!("%{b:02x}")).collect();
        for quoted in [
            "sk%5Ftest%5F4eC39HqLyjWDarjtT1zdp7dc".to_string(),
            "sk_test_4eC39HqLyjWDarjtT1zdp7d%63".to_string(),
            all,
        ] {
            let mut head = format!(
                "HTTP/1.1 302 Found\r\nLocation: https://x.example/?k={quoted}&p=100%\r\n\r\n"
            )
            .into_bytes();
            let len = head.len();
            mask_heads(&mut head, &Finder::new(KEY));
            let head = String::from_utf8(head).unwrap();
            let stars = "*".repeat(quoted.len());
            assert!(head.contains(&format!("?k={stars}&p=100%\r\n")), "{head}");
            assert_eq!(head.len(), len);
        }
    }

    #[test]
    fn a_key_with_percent_signs_is_masked_however_much_of_it_is_encoded() {
        let key = b"sk_test_HOSTILE%5F4eC39Hq%41yjWDarjt%25";
        let plain = std::str::from_utf8(key).unwrap();
        let all: String = key.iter().map(|b| format!("%{b:02x}")).collect();
        for quoted in [
            plain.to_string(),
            plain.replace('_', "%5F"),
            plain.replace('%', "%25"),
            plain.replace('%', "%25").replace('_', "%5f"),
            all,
        ] {
            let mut head =
                format!("HTTP/1.1 302 Found\r\nLocation: /?k={quoted}&p=100%\r\n\r\n").into_bytes();
            mask_heads(&mut head, &Finder::new(key));
            let head = String::from_utf8(head).unwrap();
            let stars = "*".repeat(quoted.len());
            assert!(
                head.contains(&format!("?k={stars}&p=100%\r\n")),
                "{quoted}: {head}"
            );
        }
        // Not a copy: one byte differs once decoded.
        let mut other = plain.replace("%41", "%42").into_bytes();
        let before = other.clone();
        mask(&mut other, &Finder::new(key));
        assert_eq!(other, before);
        assert_eq!(encoded_copy(b"ab%25c", b"a%"), None);
        assert_eq!(encoded_copy(b"a%25c", b"a%"), Some(4), "the longest copy");
        assert_eq!(encoded_copy(b"a%2", b"a%"), Some(2));
    }

    #[test]
    fn deadlines_are_rounded_down_to_a_step_that_repeats() {
        let after = |ms: u64, ns: u32| {
            let t = NextTimeout {
                after: (Duration::from_millis(ms) + Duration::from_nanos(u64::from(ns))).into(),
                ..NextTimeout::default()
            };
            *coarse(t).after
        };
        assert_eq!(after(29_999, 870_123), Duration::from_millis(29_900));
        assert_eq!(after(29_950, 5), Duration::from_millis(29_900));
        assert_eq!(after(1_234, 999_999), Duration::from_millis(1_230));
        assert_eq!(after(100, 700_000), Duration::from_millis(100));
        assert_eq!(
            after(63, 999),
            Duration::from_nanos(63_000_999),
            "short: exact"
        );
        for ms in [64, 100, 639, 640, 6_399, 6_400, 30_000, 86_400_000] {
            let left = Duration::from_millis(ms) + Duration::from_nanos(987_654);
            let got = after(ms, 987_654);
            assert!(got <= left && left - got <= left / 64, "{ms}: {got:?}");
        }
        let never = NextTimeout::default();
        assert!(coarse(never).after.is_not_happening());
    }

    #[test]
    fn informational_heads_are_skipped_when_waiting_for_the_real_one() {
        assert!(still_in_head(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200"));
        assert!(!still_in_head(
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"
        ));
        assert!(!still_in_head(b"HTTP/1.1 404 Not Found\r\n\r\n"));
    }
}
