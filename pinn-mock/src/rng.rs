//! The emulator's randomness: IDs, keys, secrets and fault rolls, reproducible from a seed.
//!
//! SplitMix64: one `u64` of state, fast, and good enough for a test double (it is what
//! Java's `SplittableRandom` and many test frameworks seed with). Not for real secrets.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The independent streams drawn from one server seed, so that, say, the number of requests
/// made (each draws a request ID) never shifts the IDs of the objects created.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stream {
    /// Object IDs, publishable keys and secrets (the store's generator).
    Objects = 1,
    /// The secret key, when none is given.
    SecretKey = 2,
    /// `Request-Id` values.
    Requests = 3,
    /// The rolls of probabilistic faults installed without a seed of their own.
    Faults = 4,
}

/// A SplitMix64 generator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn seeded(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The generator of one stream of a server seeded with `seed`.
    pub(crate) fn stream(seed: u64, stream: Stream) -> Rng {
        let mut mix = Rng(seed ^ (stream as u64).wrapping_mul(0xA076_1D64_78BD_642F));
        Rng(mix.next_u64())
    }

    /// The state, to save in a snapshot; [`Rng::seeded`] with it continues the sequence.
    pub(crate) fn state(&self) -> u64 {
        self.0
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A float in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `n` characters from `[0-9A-Za-z]`.
    pub(crate) fn alnum(&mut self, n: usize) -> String {
        const ALPHABET: &[u8; 62] =
            b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut s = String::with_capacity(n);
        let (mut bits, mut left) = (0u64, 0);
        while s.len() < n {
            if left == 0 {
                // 62^10 < 2^64: ten characters per draw.
                (bits, left) = (self.next_u64(), 10);
            }
            let i = (bits % 62) as usize;
            s.push(char::from(ALPHABET.get(i).copied().unwrap_or(b'0')));
            bits /= 62;
            left -= 1;
        }
        s
    }

    /// A prefixed ID such as `usr_` and 24 alphanumerics.
    pub(crate) fn id(&mut self, prefix: &str) -> String {
        format!("{prefix}_{}", self.alnum(24))
    }
}

/// A seed nobody chose: std's randomly keyed hasher over a process-wide counter and the
/// clock.
pub(crate) fn entropy_seed() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    h.write_u128(nanos);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_repeats_its_sequence_and_streams_differ() {
        let (mut a, mut b) = (Rng::seeded(7), Rng::seeded(7));
        assert_eq!(a.id("usr"), b.id("usr"));
        let id = Rng::stream(7, Stream::Objects).id("usr");
        assert!(id.starts_with("usr_") && id.len() == 28, "{id}");
        assert!(id[4..].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(id, Rng::stream(7, Stream::Requests).id("usr"));
        assert_ne!(id, Rng::stream(8, Stream::Objects).id("usr"));
        let mut r = Rng::seeded(entropy_seed());
        assert!((0..1000).map(|_| r.unit()).all(|u| (0.0..1.0).contains(&u)));
        let saved = Rng::seeded(a.state()).next_u64();
        assert_eq!(saved, a.next_u64(), "the state continues the sequence");
    }
}
