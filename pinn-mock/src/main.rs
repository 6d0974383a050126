//! `pinn-mock`: the Pinn API emulator as a standalone server, for other languages and for
//! trying the API by hand.
//!
//! ```text
//! pinn-mock [--port N] [--secret-key KEY] [--seed N] [--clock UNIX_SECS]
//!           [--request-log N] [--idle-timeout SECS] [--max-connections N]
//! ```
//!
//! It listens on `127.0.0.1:N` (default 12111) with the given secret key (default: a random
//! `sk_test_…` key), prints the URL and the key, and serves until it is killed. Tests drive it
//! through the control API under `/_mock/`, with that key (see docs/testing.md).

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use pinn_mock::{MockServer, MockServerBuilder};

const USAGE: &str = "usage: pinn-mock [--port N] [--secret-key KEY] [--seed N] [--clock UNIX_SECS]
                 [--request-log N] [--idle-timeout SECS] [--max-connections N]

Serves a stateful emulator of the Pinn API on 127.0.0.1 until killed. Tests drive it over
HTTP through the control API under /_mock/ (reset, state, seeding, ID tokens, faults,
recorded requests, the clock), sending the key it prints: Authorization: Bearer KEY.

  --port N             the port to listen on (default 12111; 0 picks a free one)
  --secret-key KEY     the secret key to accept (default: a random sk_test_... key)
  --seed N             repeat every run: IDs, keys and request IDs from this seed, and the
                       clock frozen (at --clock, else at 2100-01-01T00:00:00Z)
  --clock UNIX_SECS    start the clock frozen at this instant
  --request-log N      keep the newest N requests for /_mock/requests (default 1000)
  --idle-timeout SECS  close keep-alive connections idle this long (default 5)
  --max-connections N  serve the API on at most N connections at once (default 4096; 16
                       more are kept for /_mock/)
  -h, --help           this text";

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
struct Args {
    port: u16,
    secret_key: Option<String>,
    seed: Option<u64>,
    clock: Option<i64>,
    request_log: Option<usize>,
    idle_timeout: Option<f64>,
    max_connections: Option<usize>,
}

/// The settings from the command line, or the message to exit with.
fn parse(args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut out = Args {
        port: 12111,
        secret_key: None,
        seed: None,
        clock: None,
        request_log: None,
        idle_timeout: None,
        max_connections: None,
    };
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (arg, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or(format!("{name} needs a value"))
        };
        fn number<T: std::str::FromStr>(name: &str, v: String, what: &str) -> Result<T, String> {
            v.parse()
                .map_err(|_| format!("{name} must be {what}, not {}", shown(&v)))
        }
        match name.as_str() {
            "-h" | "--help" => return Err(USAGE.to_string()),
            "--port" | "-p" => {
                out.port = number(&name, value()?, "a number from 0 to 65535")?;
            }
            "--secret-key" => out.secret_key = Some(value()?),
            "--seed" => out.seed = Some(number(&name, value()?, "a number from 0 to 2^64-1")?),
            "--clock" => out.clock = Some(number(&name, value()?, "Unix seconds")?),
            "--request-log" => out.request_log = Some(number(&name, value()?, "a count")?),
            "--idle-timeout" => {
                let secs: f64 = number(&name, value()?, "seconds")?;
                if !(secs > 0.0 && secs <= 86_400.0) {
                    return Err(format!(
                        "{name} must be more than 0 and at most 86400 seconds, not {secs}"
                    ));
                }
                out.idle_timeout = Some(secs);
            }
            "--max-connections" => {
                let n: usize = number(&name, value()?, "a count")?;
                if n == 0 {
                    return Err(format!("{name} must be at least 1"));
                }
                out.max_connections = Some(n);
            }
            other => return Err(format!("unknown argument {}\n\n{USAGE}", shown(other))),
        }
    }
    Ok(out)
}

fn builder(args: &Args) -> MockServerBuilder {
    let mut b = MockServer::builder().port(args.port);
    if let Some(k) = &args.secret_key {
        b = b.secret_key(k.clone());
    }
    if let Some(s) = args.seed {
        b = b.seed(s);
    }
    if let Some(t) = args.clock {
        b = b.clock(t);
    }
    if let Some(n) = args.request_log {
        b = b.request_log_capacity(n);
    }
    if let Some(secs) = args.idle_timeout {
        b = b.idle_timeout(Duration::from_secs_f64(secs));
    }
    if let Some(n) = args.max_connections {
        b = b.max_connections(n);
    }
    b
}

/// An argument as an error quotes it: cut short, and not at all when it holds a key (a key
/// in the wrong place must not reach a terminal's scrollback or a CI log).
fn shown(arg: &str) -> String {
    if ["sk_test_", "sk_live_"].iter().any(|p| arg.contains(p)) {
        return "<a secret key, not shown>".into();
    }
    match arg.char_indices().nth(64) {
        Some((cut, _)) => format!("{:?}…", &arg[..cut]),
        None => format!("{arg:?}"),
    }
}

/// The arguments as strings; `std::env::args` would panic on one that is not UTF-8. The one
/// that is not is named by its position, not shown: it may be a key.
fn utf8_args() -> Result<Vec<String>, String> {
    std::env::args_os()
        .skip(1)
        .enumerate()
        .map(|(i, a)| {
            a.into_string()
                .map_err(|_| format!("argument {} is not UTF-8", i + 1))
        })
        .collect()
}

fn main() -> ExitCode {
    let args = match utf8_args().and_then(|a| parse(a.into_iter())) {
        Ok(args) => args,
        Err(message) if message == USAGE => {
            let _ = writeln!(std::io::stdout(), "{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("pinn-mock: {message}");
            return ExitCode::from(2);
        }
    };
    let server = match builder(&args).start() {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            eprintln!("pinn-mock: {e}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("pinn-mock: cannot listen on 127.0.0.1:{}: {e}", args.port);
            return ExitCode::FAILURE;
        }
    };
    // Written without `println!`, which panics once stdout is closed (`pinn-mock | head -1`):
    // the server serves on whoever reads its lines.
    let mut out = std::io::stdout();
    let _ = writeln!(out, "pinn-mock listening on {}", server.url())
        .and_then(|()| writeln!(out, "PINN_API_HOST={}", server.url()))
        .and_then(|()| writeln!(out, "PINN_SECRET_KEY={}", server.secret_key()))
        .and_then(|()| out.flush());
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Result<Args, String> {
        parse(a.iter().map(|s| s.to_string()))
    }

    #[test]
    fn arguments() {
        let default = args(&[]).unwrap();
        assert_eq!((default.port, default.seed), (12111, None));
        assert_eq!(args(&["--port", "0"]).map(|a| a.port), Ok(0));
        let all = args(&[
            "--port=8080",
            "--secret-key",
            "sk_test_x",
            "--seed=7",
            "--clock",
            "1700000000",
            "--request-log",
            "0",
            "--idle-timeout",
            "0.5",
            "--max-connections",
            "64",
        ])
        .unwrap();
        assert_eq!(
            all,
            Args {
                port: 8080,
                secret_key: Some("sk_test_x".into()),
                seed: Some(7),
                clock: Some(1_700_000_000),
                request_log: Some(0),
                idle_timeout: Some(0.5),
                max_connections: Some(64),
            }
        );
        assert_eq!(args(&["--help"]), Err(USAGE.into()));
        for bad in [
            &["--port"][..],
            &["--port", "70000"],
            &["--secret-key"],
            &["--seed", "-1"],
            &["--clock", "soon"],
            &["--request-log", "many"],
            &["--idle-timeout", "0"],
            &["--idle-timeout", "NaN"],
            &["--max-connections", "0"],
            &["--max-connections", "-1"],
            &["-x"],
        ] {
            assert!(args(bad).is_err_and(|m| m != USAGE), "{bad:?}");
        }
    }
}
