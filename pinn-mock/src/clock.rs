//! The emulator's clock, in Unix seconds: the system's, shifted or frozen on demand. It gives
//! every `created_at`, `updated_at`, `authenticated_at` and `expires_at`, and the `iat` and
//! `exp` of minted ID tokens.

use std::time::{SystemTime, UNIX_EPOCH};

/// Where a seeded server's clock starts when no start is given: 2100-01-01T00:00:00Z.
///
/// A seeded server must print the same timestamps on every run, so its clock is frozen; and
/// its minted ID tokens must still verify against a real clock, so it is frozen in the future.
pub(crate) const SEEDED_START: i64 = 4_102_444_800;

/// A clock: the system time plus an offset, or frozen at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Clock {
    /// The system time plus this many seconds.
    Running { offset: i64 },
    /// Stopped at this instant until set or advanced.
    Frozen(i64),
}

impl Clock {
    pub(crate) fn system() -> Clock {
        Clock::Running { offset: 0 }
    }

    pub(crate) fn now(&self) -> i64 {
        match *self {
            Clock::Running { offset } => system_now().saturating_add(offset),
            Clock::Frozen(t) => t,
        }
    }

    pub(crate) fn is_frozen(&self) -> bool {
        matches!(self, Clock::Frozen(_))
    }

    /// Moves the clock by `seconds` (negative: back). A running clock keeps running.
    pub(crate) fn advance(&mut self, seconds: i64) {
        *self = match *self {
            Clock::Running { offset } => Clock::Running {
                offset: offset.saturating_add(seconds),
            },
            Clock::Frozen(t) => Clock::Frozen(t.saturating_add(seconds)),
        };
    }
}

/// Unix seconds now, by the system clock.
pub(crate) fn system_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_and_running_clocks_advance() {
        let mut c = Clock::Frozen(1_000);
        c.advance(60);
        assert_eq!((c.now(), c.is_frozen()), (1_060, true));
        let mut r = Clock::system();
        r.advance(3_600);
        let ahead = r.now() - system_now();
        assert!((3_599..=3_601).contains(&ahead), "{ahead}");
        assert!(!r.is_frozen());
        Clock::Frozen(i64::MAX).advance(1); // saturates, no overflow panic
    }
}
