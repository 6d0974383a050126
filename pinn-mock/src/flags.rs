//! The flags of a command that serves the emulator: `pinn-mock`'s, and those of `pinn mock`
//! in the `pinn` command line. Each [`Flag`](crate::flags::Flag) has its name, the name of its
//! value and its help, and [`apply`](crate::flags::Flag::apply) parses a value, checks its
//! range and sets it on a [`MockServerBuilder`](crate::MockServerBuilder), so that every
//! command serving the emulator takes the same flags, with the same meaning, and refuses the
//! same values with the same words.
//!
//! ```
//! use pinn_mock::MockServer;
//! use pinn_mock::flags::{DEFAULT_PORT, Flag};
//!
//! // What a command line gives, as `--name value` pairs.
//! let given = [("port", "0"), ("clock", "1700000000"), ("request-log", "2")];
//! let mut builder = MockServer::builder().port(DEFAULT_PORT);
//! for (name, value) in given {
//!     let flag = Flag::from_long(name).expect("a flag of the server");
//!     builder = flag.apply(builder, value)?;
//! }
//! let server = builder.start()?;
//! assert_eq!(server.now(), 1_700_000_000);
//!
//! // A bad value is refused with why, for the command to show after the flag's name.
//! let refused = Flag::IdleTimeout.apply(MockServer::builder(), "0").unwrap_err();
//! assert_eq!(refused, "expected more than 0 and at most 86400 seconds");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::num::ParseIntError;
use std::str::FromStr;
use std::time::Duration;

use crate::handle::MockServerBuilder;

/// The port a command serving the emulator listens on unless `--port` says otherwise.
/// ([`MockServer::builder`](crate::MockServer::builder) picks a free port instead.)
pub const DEFAULT_PORT: u16 = 12111;

/// The longest `--idle-timeout`, in seconds: a day.
const MAX_IDLE_SECS: f64 = 86_400.0;

/// A flag of a command that serves the emulator, such as `--port N`.
///
/// [`Flag::ALL`] lists them in the order a usage text shows them. A command may take some of
/// them in a form of its own: `pinn mock` reads the key from a file (`--secret-key-file`),
/// and takes `--seed` as a global flag of the `pinn` command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Flag {
    /// `--port N`: [`MockServerBuilder::port`], [`DEFAULT_PORT`] unless given.
    Port,
    /// `--secret-key KEY`: [`MockServerBuilder::secret_key`]. The key is checked when the
    /// server starts, which refuses one it cannot accept.
    SecretKey,
    /// `--seed N`: [`MockServerBuilder::seed`].
    Seed,
    /// `--clock UNIX_SECS`: [`MockServerBuilder::clock`].
    Clock,
    /// `--request-log N`: [`MockServerBuilder::request_log_capacity`].
    RequestLog,
    /// `--idle-timeout SECS`: [`MockServerBuilder::idle_timeout`], more than 0 and at most
    /// 86,400 seconds, fractions allowed.
    IdleTimeout,
    /// `--max-connections N`: [`MockServerBuilder::max_connections`], at least 1.
    MaxConnections,
}

impl Flag {
    /// Every flag, in the order a usage text shows them.
    ///
    /// ```
    /// use pinn_mock::flags::Flag;
    /// let names: Vec<&str> = Flag::ALL.iter().map(|f| f.long()).collect();
    /// assert_eq!(names[..2], ["port", "secret-key"]);
    /// ```
    pub const ALL: &'static [Flag] = &[
        Flag::Port,
        Flag::SecretKey,
        Flag::Seed,
        Flag::Clock,
        Flag::RequestLog,
        Flag::IdleTimeout,
        Flag::MaxConnections,
    ];

    /// The flag with this long name (without the leading `--`), if it is one.
    ///
    /// ```
    /// use pinn_mock::flags::Flag;
    /// assert_eq!(Flag::from_long("idle-timeout"), Some(Flag::IdleTimeout));
    /// assert_eq!(Flag::from_long("--port"), None);
    /// ```
    pub fn from_long(long: &str) -> Option<Flag> {
        Flag::ALL.iter().copied().find(|f| f.long() == long)
    }

    /// Its long name, without the leading `--`: `"port"` for `--port`.
    pub fn long(self) -> &'static str {
        match self {
            Flag::Port => "port",
            Flag::SecretKey => "secret-key",
            Flag::Seed => "seed",
            Flag::Clock => "clock",
            Flag::RequestLog => "request-log",
            Flag::IdleTimeout => "idle-timeout",
            Flag::MaxConnections => "max-connections",
        }
    }

    /// The name of its value in a usage text: `"N"` for `--port N`.
    pub fn value_name(self) -> &'static str {
        match self {
            Flag::Port | Flag::Seed | Flag::RequestLog | Flag::MaxConnections => "N",
            Flag::SecretKey => "KEY",
            Flag::Clock => "UNIX_SECS",
            Flag::IdleTimeout => "SECS",
        }
    }

    /// One line of help, at most 70 characters, with its default in brackets as clap writes
    /// one.
    ///
    /// ```
    /// use pinn_mock::flags::Flag;
    /// assert!(Flag::Port.help().ends_with("[default: 12111]"));
    /// ```
    pub fn help(self) -> &'static str {
        match self {
            Flag::Port => "The port to listen on (0 picks a free one) [default: 12111]",
            Flag::SecretKey => "The secret key to accept [default: a random sk_test_... key]",
            Flag::Seed => "Repeat every run: the same IDs, keys and request IDs, the clock frozen",
            Flag::Clock => "Freeze the clock here [default: the system's; with --seed, 2100-01-01]",
            Flag::RequestLog => "Keep the newest N requests for /_mock/requests [default: 1000]",
            Flag::IdleTimeout => {
                "Close keep-alive connections idle this long, up to 86400 [default: 5]"
            }
            Flag::MaxConnections => {
                "At most N API connections at once, 16 more for /_mock/ [default: 4096]"
            }
        }
    }

    /// Sets `value` on `builder`, or says why the value is refused: a phrase for the command
    /// to show after the flag's name, such as `"70000 is not in 0..=65535"`. It never quotes
    /// the value as given (a value in the wrong place may be a key), only a number it parsed.
    ///
    /// ```
    /// use pinn_mock::{MockServer, flags::Flag};
    /// let server = Flag::Clock.apply(MockServer::builder(), "-1")?.start()?;
    /// assert_eq!(server.now(), -1);
    /// let refused = |flag: Flag, value| flag.apply(MockServer::builder(), value).unwrap_err();
    /// assert_eq!(refused(Flag::Port, "70000"), "70000 is not in 0..=65535");
    /// assert_eq!(refused(Flag::RequestLog, "many"), "invalid digit found in string");
    /// assert_eq!(refused(Flag::MaxConnections, "0"), "expected at least 1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply(
        self,
        builder: MockServerBuilder,
        value: &str,
    ) -> Result<MockServerBuilder, String> {
        Ok(match self {
            Flag::Port => builder.port(port(value)?),
            Flag::SecretKey => builder.secret_key(value),
            Flag::Seed => builder.seed(number(value)?),
            Flag::Clock => builder.clock(number(value)?),
            Flag::RequestLog => builder.request_log_capacity(number(value)?),
            Flag::IdleTimeout => builder.idle_timeout(seconds(value)?),
            Flag::MaxConnections => match number(value)? {
                0 => return Err("expected at least 1".into()),
                n => builder.max_connections(n),
            },
        })
    }
}

/// An integer, as Rust writes one; the error is the standard library's (`invalid digit found
/// in string`, `number too large to fit in target type`).
fn number<T: FromStr<Err = ParseIntError>>(value: &str) -> Result<T, String> {
    value.parse().map_err(|e: ParseIntError| e.to_string())
}

/// A port, 0 to 65535; a negative or larger number is out of range rather than not a number.
fn port(value: &str) -> Result<u16, String> {
    let n: i64 = number(value)?;
    u16::try_from(n).map_err(|_| format!("{n} is not in 0..=65535"))
}

/// Seconds, more than 0 and at most [`MAX_IDLE_SECS`], fractions allowed.
fn seconds(value: &str) -> Result<Duration, String> {
    let secs: f64 = value
        .parse()
        .map_err(|_| "expected a number of seconds".to_string())?;
    if !(secs > 0.0 && secs <= MAX_IDLE_SECS) {
        return Err(format!(
            "expected more than 0 and at most {MAX_IDLE_SECS} seconds"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MockServer;

    fn refused(flag: Flag, value: &str) -> String {
        match flag.apply(MockServer::builder(), value) {
            Ok(_) => panic!("{flag:?} took {value:?}"),
            Err(why) => why,
        }
    }

    #[test]
    fn every_flag_has_a_name_a_value_and_help() {
        for &flag in Flag::ALL {
            assert_eq!(Flag::from_long(flag.long()), Some(flag));
            assert!(!flag.value_name().is_empty() && !flag.help().is_empty());
            // One line of `pinn mock --help`, flag and all, within 100 characters.
            assert!(flag.help().chars().count() <= 70, "{flag:?}");
        }
        // The defaults the help states are the builder's (and the command's port).
        let defaults = [
            (Flag::Port, DEFAULT_PORT.to_string()),
            (
                Flag::RequestLog,
                crate::requests::DEFAULT_CAPACITY.to_string(),
            ),
            (
                Flag::IdleTimeout,
                crate::handle::DEFAULT_IDLE_TIMEOUT.as_secs().to_string(),
            ),
            (
                Flag::MaxConnections,
                crate::handle::DEFAULT_MAX_CONNECTIONS.to_string(),
            ),
        ];
        for (flag, default) in defaults {
            assert!(
                flag.help().ends_with(&format!("[default: {default}]")),
                "{flag:?}"
            );
        }
        let reserve = format!("{} more", crate::server::CONTROL_RESERVE);
        assert!(Flag::MaxConnections.help().contains(&reserve));
    }

    #[test]
    fn values_out_of_range_are_refused_with_why() {
        assert_eq!(refused(Flag::Port, "70000"), "70000 is not in 0..=65535");
        assert_eq!(refused(Flag::Port, "-1"), "-1 is not in 0..=65535");
        assert_eq!(refused(Flag::Port, "port"), "invalid digit found in string");
        assert_eq!(refused(Flag::Seed, "-1"), "invalid digit found in string");
        assert_eq!(
            refused(Flag::Seed, "18446744073709551616"),
            "number too large to fit in target type"
        );
        assert_eq!(
            refused(Flag::Clock, "-9223372036854775809"),
            "number too small to fit in target type"
        );
        assert_eq!(
            refused(Flag::RequestLog, ""),
            "cannot parse integer from empty string"
        );
        for bad in ["0", "-0", "NaN", "inf", "1e999", "86400.001", "-1"] {
            let why = refused(Flag::IdleTimeout, bad);
            assert_eq!(
                why, "expected more than 0 and at most 86400 seconds",
                "{bad}"
            );
        }
        assert_eq!(
            refused(Flag::IdleTimeout, "soon"),
            "expected a number of seconds"
        );
        assert_eq!(refused(Flag::MaxConnections, "0"), "expected at least 1");
        // A key given as a value is never quoted back.
        let key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
        for &flag in Flag::ALL.iter().filter(|f| **f != Flag::SecretKey) {
            assert!(!refused(flag, key).contains("sk_test"), "{flag:?}");
        }
    }

    #[test]
    fn values_in_range_are_set() {
        let start = |flag: Flag, value: &str| {
            let builder = Flag::Port.apply(MockServer::builder(), "0").unwrap();
            flag.apply(builder, value).unwrap().start().unwrap()
        };
        assert_ne!(start(Flag::Port, "0").port(), 0);
        assert_eq!(
            start(Flag::SecretKey, "sk_test_flag").secret_key(),
            "sk_test_flag"
        );
        assert_eq!(start(Flag::Seed, "18446744073709551615").seed(), u64::MAX);
        assert_eq!(start(Flag::Clock, "-9223372036854775808").now(), i64::MIN);
        start(Flag::RequestLog, "0");
        start(Flag::IdleTimeout, "86400");
        start(Flag::IdleTimeout, "0.001");
        start(Flag::MaxConnections, "1");
    }
}
