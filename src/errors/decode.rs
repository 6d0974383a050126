//! [`DecodeError`] (a success whose body is not what the call expects) and
//! [`IdTokenError`] (an ID token refused).

use std::fmt;

use super::call::{Call, write_facts};

/// A success response whose body is not what the call expects. Its `source()`, when there
/// is one, is the `serde_json` error (its text made safe to show, like every server string).
#[derive(Debug)]
#[non_exhaustive]
pub struct DecodeError {
    status: Option<u16>,
    request_id: Option<String>,
    pub(crate) call: Call,
    detail: String,
    source: Option<serde_json::Error>,
}

impl DecodeError {
    /// `detail` must already be safe to show.
    pub(crate) fn new(
        status: Option<u16>,
        request_id: Option<String>,
        detail: String,
        source: Option<serde_json::Error>,
    ) -> DecodeError {
        DecodeError {
            status,
            request_id,
            // No status: not from a response (`Object::from_value`), so no attempt.
            call: match status {
                Some(_) => Call::one(),
                None => Call::default(),
            },
            detail,
            source,
        }
    }

    /// The HTTP status of the response; `None` for an object that did not come from one
    /// (the emulator's seeding calls).
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// server.inject(pinn_mock::Fault::body(200, r#"{"object": "list", "data": 7}"#));
    /// let err = server.client().scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// let pinn::Error::Decode(decode) = &err else { panic!("a decode error") };
    /// assert_eq!(decode.status(), Some(200));
    /// ```
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// What was wrong with the body, e.g. which field did not decode.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// server.inject(pinn_mock::Fault::body(200, r#"{"object": "list", "url": "/v1/users", "data": 7}"#));
    /// let err = server.client().scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// let pinn::Error::Decode(decode) = &err else { panic!("a decode error") };
    /// assert_eq!(decode.detail(), "the body does not decode at `data` (the body is a \"list\" object)");
    /// ```
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The server's request ID, when the response had one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

impl fmt::Display for DecodeError {
    /// `invalid response: GET /v1/users: the body does not decode at `data` (status 200,
    /// request req_…)`; for a value that came from no response (`Object::from_value`),
    /// `invalid object: …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(_) => f.write_str("invalid response")?,
            None => f.write_str("invalid object")?,
        }
        if let Some(request) = self.call.request() {
            write!(f, ": {request}")?;
        }
        write!(f, ": {}", self.detail)?;
        let facts = [
            self.status.map(|s| format!("status {s}")),
            self.request_id.as_ref().map(|id| format!("request {id}")),
            self.call.attempts_fact(),
        ];
        write_facts(f, facts.into_iter().flatten())
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| e as _)
    }
}

/// An ID token was refused. Its `source()`, when the refusal came from decoding or checking
/// the JWT, is the `jsonwebtoken` error.
#[derive(Debug)]
#[non_exhaustive]
pub struct IdTokenError {
    reason: String,
    source: Option<jsonwebtoken::errors::Error>,
}

impl IdTokenError {
    pub(crate) fn new(
        reason: impl Into<String>,
        source: Option<jsonwebtoken::errors::Error>,
    ) -> IdTokenError {
        IdTokenError {
            reason: reason.into(),
            source,
        }
    }

    /// Why the token was refused, in a few words naming the claim at fault.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let token = server.mint_id_token("usr_123", &["palm"]);
    /// let err = server.client().scope(|| pinn::IdToken::verify(&token, &["face"])).unwrap_err();
    /// let pinn::Error::IdTokenVerification(e) = &err else { panic!("a token error") };
    /// assert_eq!(e.reason(), "claim amr lacks the required method \"face\"");
    /// ```
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for IdTokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "id token verification failed: {}", self.reason)
    }
}

impl std::error::Error for IdTokenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| e as _)
    }
}
