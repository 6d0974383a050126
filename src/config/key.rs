//! The secret key: held once, never shown.

use std::fmt;
use std::sync::Arc;

/// A secret key. Its `Debug` and `Display` never show it.
#[derive(Clone)]
pub struct SecretKey(Arc<KeyInner>);

struct KeyInner {
    text: Box<str>,
    /// A searcher for the key, built once, for the transport's guard.
    finder: memchr::memmem::Finder<'static>,
}

impl PartialEq for SecretKey {
    fn eq(&self, other: &SecretKey) -> bool {
        self.0.text == other.0.text
    }
}

impl Eq for SecretKey {}

impl SecretKey {
    pub(crate) fn new(key: String) -> SecretKey {
        let finder = memchr::memmem::Finder::new(key.as_bytes()).into_owned();
        SecretKey(Arc::new(KeyInner {
            text: key.into_boxed_str(),
            finder,
        }))
    }

    /// The key's searcher.
    pub(crate) fn finder(&self) -> &memchr::memmem::Finder<'static> {
        &self.0.finder
    }

    /// The key itself. Handle with care: never log it.
    ///
    /// ```
    /// let config = pinn::Config::builder().secret_key("sk_test_4eC39HqLyjWDarjtT1zdp7dc").build()?;
    /// let key = config.secret_key().unwrap();
    /// assert_eq!(key.expose(), "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
    /// assert_eq!(format!("{key} {key:?}"), "<redacted> SecretKey(<redacted>)");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn expose(&self) -> &str {
        &self.0.text
    }

    /// Whether the key is long enough that finding it in text means it is really there:
    /// [`DISTINCTIVE_KEY_BYTES`] or more (real keys have 35). Shorter keys, which no real
    /// account has, could occur in ordinary text by chance, so the transport does not mask
    /// them in responses or refuse URLs that contain them; error text still redacts them.
    pub(crate) fn is_distinctive(&self) -> bool {
        self.0.text.len() >= DISTINCTIVE_KEY_BYTES
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The shortest key the transport searches for in responses and URLs (16 bytes, the same
/// bound `id_token::MIN_SECRET_BYTES` puts on an HMAC key).
const DISTINCTIVE_KEY_BYTES: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_equal_when_their_text_is() {
        let key = |k: &str| SecretKey::new(k.into());
        assert_eq!(key("sk_test_a"), key("sk_test_a"));
        assert_ne!(key("sk_test_a"), key("sk_test_b"));
        assert_ne!(key("sk_test_a"), key("sk_test_aa"));
    }

    #[test]
    fn a_key_is_distinctive_from_16_bytes() {
        let key = |n: usize| SecretKey::new("k".repeat(n));
        assert!(!key(DISTINCTIVE_KEY_BYTES - 1).is_distinctive());
        assert!(key(DISTINCTIVE_KEY_BYTES).is_distinctive());
        assert_eq!(DISTINCTIVE_KEY_BYTES, 16);
    }
}
