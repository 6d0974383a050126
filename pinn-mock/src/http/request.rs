//! What reading a connection gives: a request read whole, a refusal to answer before the
//! connection closes, or nothing.

/// A request, read whole.
#[derive(Debug)]
pub(crate) struct Request {
    pub method: String,
    /// The path, still percent-encoded.
    pub path: String,
    pub query: Option<String>,
    /// The host of an absolute-form target (`GET http://host/path`), which overrides `Host`.
    pub authority: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Whether the client will send another request on this connection.
    pub keep_alive: bool,
    /// HTTP/1.0, which needs `Connection: keep-alive` said out loud.
    pub http10: bool,
}

/// A request refused before it reached the API: answer this, then close.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rejection {
    pub status: u16,
    pub message: String,
}

pub(super) fn reject<T>(status: u16, message: impl Into<String>) -> Result<T, Stop> {
    Err(Stop::Reject(Rejection {
        status,
        message: message.into(),
    }))
}

/// Why reading stopped short of a request: [`Next`] without the request.
#[derive(Debug)]
pub(super) enum Stop {
    Gone,
    Reject(Rejection),
}

/// What came next on a connection.
#[derive(Debug)]
pub(crate) enum Next {
    Request(Request),
    /// The client closed, stayed idle past the timeout, or stopped mid-request: close without
    /// a word.
    Gone,
    Reject(Rejection),
}
