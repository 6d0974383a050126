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
//!
//! Its flags, their help and what their values do are `pinn_mock::flags`, which `pinn mock`
//! takes too: this file walks the arguments and prints.

use std::io::Write;
use std::process::ExitCode;

use pinn_mock::flags::{DEFAULT_PORT, Flag};
use pinn_mock::{MockServer, MockServerBuilder};

/// What the usage text says after the synopsis and before the flags.
const ABOUT: &str =
    "Serves a stateful emulator of the Pinn API on 127.0.0.1 until killed. Tests drive it over
HTTP through the control API under /_mock/ (reset, state, seeding, ID tokens, faults,
recorded requests, the clock), sending the key it prints: Authorization: Bearer KEY.";

/// How wide the usage text is.
const WIDTH: usize = 92;

/// The usage text, `--help`'s: the flags of [`Flag::ALL`], each with its help.
fn usage() -> String {
    let synopsis: Vec<String> = Flag::ALL
        .iter()
        .map(|f| format!("[--{} {}]", f.long(), f.value_name()))
        .collect();
    let lead = "usage: pinn-mock ";
    let mut text = wrap(&synopsis.join(" "), lead, &" ".repeat(lead.len()));
    text.push_str("\n\n");
    text.push_str(ABOUT);
    text.push_str("\n\n");
    let mut rows: Vec<(String, &str)> = Flag::ALL
        .iter()
        .map(|f| (format!("--{} {}", f.long(), f.value_name()), f.help()))
        .collect();
    rows.push(("-h, --help".into(), "This text"));
    let width = rows.iter().map(|(f, _)| f.len()).max().unwrap_or(0);
    let indent = " ".repeat(width + 4);
    for (flag, help) in rows {
        text.push_str(&wrap(help, &format!("  {flag:width$}  "), &indent));
        text.push('\n');
    }
    text.pop();
    text
}

/// `text` in lines of at most [`WIDTH`] (but for a longer word), the first after `first`, the
/// others after `rest`. A group in brackets (`[--port N]`, `[default: 5]`) stays on one line.
fn wrap(text: &str, first: &str, rest: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut open = false;
    for word in text.split(' ') {
        match words.last_mut() {
            Some(group) if open => {
                group.push(' ');
                group.push_str(word);
            }
            _ => words.push(word.to_string()),
        }
        open = words
            .last()
            .is_some_and(|w| w.starts_with('[') && !w.ends_with(']'));
    }
    let mut out = first.to_string();
    let mut line = first.len();
    for (i, word) in words.iter().enumerate() {
        if i > 0 && line + 1 + word.len() > WIDTH {
            out.push('\n');
            out.push_str(rest);
            line = rest.len();
        } else if i > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.len();
    }
    out
}

/// What the command line asks for.
#[derive(Debug)]
enum Args {
    /// `--help`.
    Help,
    /// Serve: the settings, and the port as given (for a message should it be taken).
    Serve {
        builder: MockServerBuilder,
        port: String,
    },
}

/// The settings from the command line, or the message to exit with. Each flag of [`Flag`]
/// is taken as `--name value` or `--name=value` (`-p` is `--port`); a flag given twice keeps
/// its last value.
fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut builder = MockServer::builder().port(DEFAULT_PORT);
    let mut port = DEFAULT_PORT.to_string();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (arg, None),
        };
        let long = match name.as_str() {
            "-h" | "--help" => return Ok(Args::Help),
            "-p" => Some("port"),
            other => other.strip_prefix("--"),
        };
        let Some(flag) = long.and_then(Flag::from_long) else {
            return Err(format!("unknown argument {}\n\n{}", shown(&name), usage()));
        };
        let value = match inline {
            Some(v) => v,
            None => args.next().ok_or(format!("{name} needs a value"))?,
        };
        builder = flag
            .apply(builder, &value)
            .map_err(|why| format!("invalid value {} for {name}: {why}", shown(&value)))?;
        if flag == Flag::Port {
            port = value;
        }
    }
    Ok(Args::Serve { builder, port })
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
    let (builder, port) = match utf8_args().and_then(|a| parse(a.into_iter())) {
        Ok(Args::Serve { builder, port }) => (builder, port),
        Ok(Args::Help) => {
            let _ = writeln!(std::io::stdout(), "{}", usage());
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("pinn-mock: {message}");
            return ExitCode::from(2);
        }
    };
    let server = match builder.start() {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            eprintln!("pinn-mock: {e}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("pinn-mock: cannot listen on 127.0.0.1:{port}: {e}");
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

    /// The settings, as their `Debug` shows them (the key redacted).
    fn settings(a: &[&str]) -> String {
        match args(a) {
            Ok(Args::Serve { builder, .. }) => format!("{builder:?}"),
            other => panic!("{a:?}: {other:?}"),
        }
    }

    #[test]
    fn arguments() {
        let default = MockServer::builder().port(DEFAULT_PORT);
        assert_eq!(settings(&[]), format!("{default:?}"));
        let all = settings(&[
            "--port=8080",
            "--secret-key",
            "sk_test_x",
            "--seed=7",
            "--clock",
            "-1",
            "--request-log",
            "0",
            "--idle-timeout",
            "0.5",
            "--max-connections",
            "64",
            "-p",
            "8081",
        ]);
        let want = MockServer::builder()
            .port(8081)
            .secret_key("sk_test_x")
            .seed(7)
            .clock(-1)
            .request_log_capacity(0)
            .idle_timeout(std::time::Duration::from_millis(500))
            .max_connections(64);
        assert_eq!(all, format!("{want:?}"));
        assert!(matches!(
            args(&["--port", "1", "-p=2"]),
            Ok(Args::Serve { port, .. }) if port == "2"
        ));
        assert!(matches!(args(&["--port", "1", "--help"]), Ok(Args::Help)));
        for (bad, says) in [
            (&["--port"][..], "--port needs a value"),
            (
                &["--port", "70000"],
                "invalid value \"70000\" for --port: 70000 is not in",
            ),
            (&["-p=x"], "invalid value \"x\" for -p: invalid digit"),
            (&["--secret-key"], "--secret-key needs a value"),
            (&["--seed", "-1"], "for --seed: invalid digit"),
            (&["--clock", "soon"], "for --clock: invalid digit"),
            (
                &["--request-log", "many"],
                "for --request-log: invalid digit",
            ),
            (
                &["--idle-timeout", "0"],
                "for --idle-timeout: expected more than 0",
            ),
            (
                &["--idle-timeout", "NaN"],
                "for --idle-timeout: expected more than 0",
            ),
            (
                &["--max-connections", "0"],
                "for --max-connections: expected at least 1",
            ),
            (
                &["--max-connections", "-1"],
                "for --max-connections: invalid digit",
            ),
            (
                &["--port=sk_test_x"],
                "invalid value <a secret key, not shown> for --port",
            ),
            (
                &["-x"],
                "unknown argument \"-x\"\n\nusage: pinn-mock [--port N]",
            ),
            (&["port"], "unknown argument \"port\""),
            (&["--Port", "1"], "unknown argument \"--Port\""),
        ] {
            let message = args(bad).unwrap_err();
            assert!(message.contains(says), "{bad:?}: {message}");
        }
    }

    #[test]
    fn the_usage_lists_every_flag_within_its_width() {
        let text = usage();
        for flag in Flag::ALL {
            let line = format!("  --{} {}", flag.long(), flag.value_name());
            assert!(text.contains(&line), "{line}");
            assert!(text.contains(&format!("[--{} {}]", flag.long(), flag.value_name())));
        }
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for flag in Flag::ALL {
            assert!(flat.contains(flag.help()), "{flag:?}");
        }
        assert!(text.lines().all(|l| l.len() <= WIDTH), "{text}");
    }
}
