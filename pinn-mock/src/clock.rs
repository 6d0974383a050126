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

/// An HTTP date (RFC 9110, section 5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`, for
/// `unix_secs`: what the `Date` header of every answer says, from the system clock (never
/// the emulator's, which may be frozen or elsewhere).
pub(crate) fn http_date(unix_secs: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (days, secs) = (unix_secs.div_euclid(86_400), unix_secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days: the proleptic Gregorian date of a day count.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let weekday = DAYS
        .get(days.rem_euclid(7) as usize)
        .copied()
        .unwrap_or("Thu");
    let month = MONTHS.get(month as usize - 1).copied().unwrap_or("Jan");
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    format!("{weekday}, {day:02} {month} {year:04} {h:02}:{m:02}:{s:02} GMT")
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

    #[test]
    fn http_dates() {
        for (secs, text) in [
            (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
            (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
            (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
            (4_102_444_799, "Thu, 31 Dec 2099 23:59:59 GMT"),
            (-1, "Wed, 31 Dec 1969 23:59:59 GMT"),
        ] {
            assert_eq!(http_date(secs), text, "{secs}");
        }
    }
}
