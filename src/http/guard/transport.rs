//! The connector that wraps every connection ureq makes, and the guarded transport: what it
//! does on each write and read, the timeouts it passes down, and its own input buffer.

use std::time::{Duration, Instant};

use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

use super::head::{FIND_HEAD_END, write_key};
use super::mask::{Head, mask, mask_heads, still_in_head, wire_is_logged};
use super::state::{Write, classify, current_key, fresh_within};

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
    pub(super) fn new(inner: impl Transport) -> Guarded {
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
pub(super) fn coarse(mut timeout: NextTimeout) -> NextTimeout {
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
