//! `pinn-mock`: the Pinn API emulator as a standalone server, for other languages and for
//! trying the API by hand.
//!
//! ```text
//! pinn-mock [--port N] [--secret-key KEY]
//! ```
//!
//! It listens on `127.0.0.1:N` (default 12111) with the given secret key (default: a random
//! `sk_test_…` key), prints the URL and the key, and serves until it is killed.

use std::process::ExitCode;

use pinn::mock::MockServer;

const USAGE: &str = "usage: pinn-mock [--port N] [--secret-key KEY]

Serves a stateful emulator of the Pinn API on 127.0.0.1 until killed.

  --port N          the port to listen on (default 12111; 0 picks a free one)
  --secret-key KEY  the secret key to accept (default: a random sk_test_... key)
  -h, --help        this text";

/// The settings from the command line, or the message to exit with.
fn parse(args: impl Iterator<Item = String>) -> Result<(u16, Option<String>), String> {
    let (mut port, mut key) = (12111, None);
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (arg, None),
        };
        let mut value = || inline.clone().or_else(|| args.next());
        match name.as_str() {
            "-h" | "--help" => return Err(USAGE.to_string()),
            "--port" | "-p" => {
                let v = value().ok_or("--port needs a value")?;
                port = v
                    .parse()
                    .map_err(|_| format!("--port must be a number from 0 to 65535, not {v:?}"))?;
            }
            "--secret-key" => key = Some(value().ok_or("--secret-key needs a value")?),
            other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
        }
    }
    Ok((port, key))
}

fn main() -> ExitCode {
    let (port, key) = match parse(std::env::args().skip(1)) {
        Ok(settings) => settings,
        Err(message) if message == USAGE => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("pinn-mock: {message}");
            return ExitCode::from(2);
        }
    };
    let started = match key {
        Some(k) => MockServer::start_with_key(port, &k),
        None => MockServer::start_on(port),
    };
    let server = match started {
        Ok(s) => s,
        Err(e) => {
            eprintln!("pinn-mock: cannot listen on 127.0.0.1:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("pinn-mock listening on {}", server.url());
    println!("PINN_API_HOST={}", server.url());
    println!("PINN_SECRET_KEY={}", server.secret_key());
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Result<(u16, Option<String>), String> {
        parse(a.iter().map(|s| s.to_string()))
    }

    #[test]
    fn arguments() {
        assert_eq!(args(&[]), Ok((12111, None)));
        assert_eq!(args(&["--port", "0"]), Ok((0, None)));
        assert_eq!(
            args(&["--port=8080", "--secret-key", "sk_test_x"]),
            Ok((8080, Some("sk_test_x".into())))
        );
        assert_eq!(args(&["--help"]), Err(USAGE.into()));
        for bad in [
            &["--port"][..],
            &["--port", "70000"],
            &["--secret-key"],
            &["-x"],
        ] {
            assert!(args(bad).is_err_and(|m| m != USAGE), "{bad:?}");
        }
    }
}
