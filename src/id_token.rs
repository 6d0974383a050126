//! ID tokens: verifying the JWTs that Pinn's SDKs hand your front end.

use jsonwebtoken::{Algorithm, Validation};
use once_cell::sync::Lazy;
use serde_json::{Map, Value};

use crate::calls::calls;
use crate::errors::{Error, IdTokenError};

/// Seconds of clock skew allowed when checking `exp` and `nbf`.
pub const LEEWAY_SECS: u64 = 30;
/// The longest token accepted, in bytes; longer ones are refused before decoding.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// The shortest secret key that may verify a token: a shorter HMAC key is guessable.
pub const MIN_SECRET_BYTES: usize = 16;

/// HS256 only, `exp`/`nbf` checked when present; Pinn's own claims are checked by hand below
/// so that each failure can name its claim.
///
/// Building it also installs jsonwebtoken's pure-Rust crypto provider, chosen explicitly: left
/// to guess, jsonwebtoken panics when a dependency graph enables both of its backends.
static VALIDATION: Lazy<Validation> = Lazy::new(|| {
    install_crypto_provider();
    let mut v = Validation::new(Algorithm::HS256);
    v.required_spec_claims.clear();
    v.leeway = LEEWAY_SECS;
    v.validate_exp = true;
    v.validate_nbf = true;
    v.validate_aud = false;
    v
});

/// Installs jsonwebtoken's pure-Rust crypto provider for the process, chosen explicitly.
pub(crate) fn install_crypto_provider() {
    // An `Err` means a provider is installed already, which is just as good.
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
}

/// The verified claims of an ID token.
///
/// It serializes as the token's claims, every one as signed (`claims`): for a session store,
/// a log of who signed in, or `pinn token verify`'s output.
///
/// ```
/// # let server = pinn_mock::MockServer::start();
/// let token = server.mint_id_token("usr_123", &["palm"]);
/// let claims = server.client().id_tokens().verify(&token, &["palm"])?;
/// let json = serde_json::to_value(&claims)?;
/// assert_eq!((json["sub"].as_str(), json["amr"][0].as_str()), (Some("usr_123"), Some("palm")));
/// assert_eq!(json, serde_json::Value::Object(claims.claims.clone()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct IdTokenClaims {
    /// The Pinn user ID.
    pub sub: String,
    /// The issuer: your API host.
    pub iss: String,
    /// The authentication methods used, e.g. `["palm"]`.
    pub amr: Vec<String>,
    /// Expiry, Unix seconds, if the token has one.
    pub exp: Option<u64>,
    /// Not-before, Unix seconds, if the token has one.
    pub nbf: Option<u64>,
    /// Every claim in the token, the ones above included.
    pub claims: Map<String, Value>,
}

impl serde::Serialize for IdTokenClaims {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.claims.serialize(s)
    }
}

/// Verifies ID tokens (`pinn.utils.IDToken` in Python) with the current client.
#[derive(Debug)]
#[non_exhaustive]
pub struct IdToken;

calls! {
    /// The ID-token calls of one client: `client.id_tokens()`, verifying with its key and host.
    IdTokens for IdToken, via id_tokens;

    /// Verifies `token` with this client's secret key and returns its claims.
    ///
    /// The token must be a JWT signed with HS256 keyed by the secret key. `sub`, `amr` and
    /// `iss` must be present; `iss` must equal the API host; `amr` must be a non-empty list of
    /// strings holding every method in `required_amr`; `exp` and `nbf`, when present, are
    /// checked with
    /// [`LEEWAY_SECS`] of leeway. Every failure is an
    /// [`IdTokenVerification`](crate::ErrorKind::IdTokenVerification) error naming the reason;
    /// no usable secret key is a configuration error.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let token = server.mint_id_token("usr_123", &["palm", "device"]);
    /// let claims = client.id_tokens().verify(&token, &["palm"])?;
    /// assert_eq!(claims.sub, "usr_123");
    ///
    /// let err = client.id_tokens().verify(&token, &["face"]).unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::IdTokenVerification);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn verify(&self, token: &str, required_amr: &[&str]) -> Result<IdTokenClaims> {
        let config = self.client.config();
        config.check()?;
        let key = config.secret_key().map(|k| k.expose()).unwrap_or_default();
        if key.len() < MIN_SECRET_BYTES {
            return Err(Error::Configuration(format!(
                "the secret key is shorter than {MIN_SECRET_BYTES} bytes, too short to verify ID tokens"
            )));
        }
        let reject = |why: &str| Err(refused(why.to_string(), None, key));
        if token.len() > MAX_TOKEN_BYTES {
            return reject("token is too long");
        }
        let well_formed = token.split('.').count() == 3
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if !well_formed {
            return reject("malformed token: expected three base64url segments");
        }
        let Some(decoding_key) = &config.jwt_key else {
            return Err(Error::Configuration("no secret key set".into()));
        };
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, decoding_key, &VALIDATION)
            .map_err(|e| refused(jwt_reason(&e, token), Some(e), key))?;
        let claims = data.claims;

        let sub = match claims.get("sub") {
            None => return reject("missing claim sub"),
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(_) => return reject("claim sub must be a non-empty string"),
        };
        let iss = match claims.get("iss") {
            None => return reject("missing claim iss"),
            Some(Value::String(s)) => s.clone(),
            Some(_) => return reject("claim iss must be a string"),
        };
        if iss != config.api_host() {
            return reject("claim iss does not match the api host");
        }
        let amr: Vec<String> = match claims.get("amr") {
            None => return reject("missing claim amr"),
            Some(Value::Array(items)) => {
                let mut amr = Vec::with_capacity(items.len());
                for item in items.iter() {
                    match item {
                        Value::String(s) => amr.push(s.clone()),
                        _ => return reject("claim amr must be a list of strings"),
                    }
                }
                amr
            }
            Some(_) => return reject("claim amr must be a list of strings"),
        };
        if amr.is_empty() {
            // A token naming no authentication method attests nothing, whatever the caller
            // requires (Python's `all([])` would let it through).
            return reject("claim amr is empty");
        }
        if let Some(missing) = required_amr.iter().find(|m| !amr.iter().any(|a| a == *m)) {
            return Err(refused(
                format!("claim amr lacks the required method {missing:?}"),
                None,
                key,
            ));
        }
        // jsonwebtoken has checked `exp`/`nbf`, floats included; report those as whole seconds.
        let time = |name: &str| {
            let v = claims.get(name)?;
            v.as_u64().or_else(|| {
                v.as_f64()
                    .filter(|f| f.is_finite() && *f >= 0.0)
                    .map(|f| f as u64)
            })
        };
        Ok(IdTokenClaims {
            exp: time("exp"),
            nbf: time("nbf"),
            sub,
            iss,
            amr,
            claims,
        })
    }
}

/// The error for a refused token, its jsonwebtoken source (if any) made safe to show: a JSON
/// error quotes claim values, which come from whoever made the token.
/// A token signed with the key may quote it, so `key` is redacted there too.
fn refused(reason: String, source: Option<jsonwebtoken::errors::Error>, key: &str) -> Error {
    use jsonwebtoken::errors::{ErrorKind as K, new_error};
    let source = source.map(|e| match e.kind() {
        K::Json(inner) => {
            let raw = inner.to_string();
            let safe = crate::text::shown(&raw, Some(key), crate::text::MAX_MESSAGE);
            if safe == raw {
                e
            } else {
                let custom = <serde_json::Error as serde::de::Error>::custom(safe);
                new_error(K::Json(std::sync::Arc::new(custom)))
            }
        }
        _ => e,
    });
    Error::IdTokenVerification(Box::new(IdTokenError::new(reason, source)))
}

/// The reason for a failure inside jsonwebtoken, in a few words.
fn jwt_reason(e: &jsonwebtoken::errors::Error, token: &str) -> String {
    use jsonwebtoken::errors::ErrorKind as K;
    match e.kind() {
        K::InvalidSignature => "bad signature".into(),
        K::ExpiredSignature => "token expired (claim exp)".into(),
        K::ImmatureSignature => "token not valid yet (claim nbf)".into(),
        K::InvalidAlgorithm | K::InvalidAlgorithmName => "algorithm is not HS256".into(),
        K::InvalidClaimFormat(claim) => format!("claim {claim} has the wrong type"),
        K::MissingAlgorithm => "algorithm is missing".into(),
        K::Json(_) => json_reason(token),
        _ => "malformed token".into(),
    }
}

/// Names what a JSON error from jsonwebtoken was about. It parses the header first (an
/// unknown `alg` such as "none" fails there), then checks the signature, and only then reads
/// the registered claims, failing on some wrong types (`"sub": ["x"]`, `"exp": [1]`) with a
/// bare JSON error. When the header parses, the signed claims are at fault: name the claim.
fn json_reason(token: &str) -> String {
    if jsonwebtoken::decode_header(token).is_err() {
        return "malformed token header (only alg HS256 is accepted)".into();
    }
    let claims = match jsonwebtoken::dangerous::insecure_decode::<Map<String, Value>>(token) {
        Ok(data) => data.claims,
        Err(_) => return "malformed token: the claims are not a JSON object".into(),
    };
    let fits = |name: &str, v: &Value| match name {
        "exp" | "nbf" => v.is_u64() || v.as_f64().is_some_and(|f| f >= 0.0),
        "iss" => {
            v.is_string()
                || v.is_null()
                || v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
        }
        _ => v.is_string() || v.is_null(),
    };
    ["sub", "iss", "exp", "nbf"]
        .into_iter()
        .find(|name| claims.get(*name).is_some_and(|v| !fits(name, v)))
        .map(|name| format!("claim {name} has the wrong type"))
        .unwrap_or_else(|| "malformed token claims".into())
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::errors::{ErrorKind as K, new_error};
    use serde_json::json;

    use super::*;

    /// Base64url without padding (RFC 4648 §5), as JWTs write their parts.
    fn b64(bytes: &[u8]) -> String {
        const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n =
                chunk.iter().fold(0u32, |n, &b| n << 8 | u32::from(b)) << (8 * (3 - chunk.len()));
            for i in 0..=chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    }

    /// A token with these header and claims and a signature nobody checks here.
    fn token(header: &Value, claims: &str) -> String {
        format!(
            "{}.{}.c2ln",
            b64(header.to_string().as_bytes()),
            b64(claims.as_bytes())
        )
    }

    #[test]
    fn b64_is_rfc_4648s() {
        assert_eq!(b64(b"f"), "Zg");
        assert_eq!(b64(b"fo"), "Zm8");
        assert_eq!(b64(b"foo"), "Zm9v");
        assert_eq!(b64(b"foob"), "Zm9vYg");
        assert_eq!(b64(&[0xfb, 0xff]), "-_8");
    }

    fn hs256(claims: &Value) -> String {
        token(&json!({"alg": "HS256", "typ": "JWT"}), &claims.to_string())
    }

    #[test]
    fn each_jsonwebtoken_failure_has_its_words() {
        let t = hs256(&json!({}));
        for (kind, words) in [
            (K::InvalidSignature, "bad signature"),
            (K::ExpiredSignature, "token expired (claim exp)"),
            (K::ImmatureSignature, "token not valid yet (claim nbf)"),
            (K::InvalidAlgorithm, "algorithm is not HS256"),
            (K::InvalidAlgorithmName, "algorithm is not HS256"),
            (K::MissingAlgorithm, "algorithm is missing"),
            (K::InvalidToken, "malformed token"),
        ] {
            assert_eq!(jwt_reason(&new_error(kind.clone()), &t), words, "{kind:?}");
        }
        let claim = new_error(K::InvalidClaimFormat("exp".into()));
        assert_eq!(jwt_reason(&claim, &t), "claim exp has the wrong type");
    }

    #[test]
    fn a_json_failure_names_the_claim_of_the_wrong_type() {
        let fine = "malformed token claims";
        for (claims, why) in [
            (
                json!({"sub": "usr_1", "iss": "h", "exp": 5, "nbf": 1.5}),
                fine,
            ),
            (json!({"iss": ["a", "b"]}), fine),
            (json!({"exp": null}), "claim exp has the wrong type"),
            (json!({"iss": null, "sub": null}), fine),
            (json!({"sub": 7}), "claim sub has the wrong type"),
            (json!({"sub": ["x"]}), "claim sub has the wrong type"),
            (json!({"iss": 7}), "claim iss has the wrong type"),
            (json!({"iss": ["a", 1]}), "claim iss has the wrong type"),
            (json!({"exp": "soon"}), "claim exp has the wrong type"),
            (json!({"exp": -1.5}), "claim exp has the wrong type"),
            (json!({"exp": [1]}), "claim exp has the wrong type"),
            (
                json!({"sub": "usr_1", "nbf": {}}),
                "claim nbf has the wrong type",
            ),
        ] {
            assert_eq!(json_reason(&hs256(&claims)), why, "{claims}");
        }
        let not_an_object = token(&json!({"alg": "HS256"}), "[1, 2]");
        assert_eq!(
            json_reason(&not_an_object),
            "malformed token: the claims are not a JSON object"
        );
        let bad_header = token(&json!({"alg": "none"}), "{}");
        assert_eq!(
            json_reason(&bad_header),
            "malformed token header (only alg HS256 is accepted)"
        );
    }
}
