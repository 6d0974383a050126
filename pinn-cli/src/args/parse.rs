//! Parsing the command line: refusing a key on it first, then clap, whose errors become one
//! line naming the help to read.

use std::ffi::OsString;

use clap::error::ErrorKind as ClapKind;
use clap::{CommandFactory, Parser};

use super::cli::Cli;
use crate::exit::Failure;

/// Refuses a secret key on the command line, before anything else reads the arguments: it
/// would show in `ps` and in shell history. An argument that is not UTF-8 is read lossily, so
/// `--secret-key=` followed by invalid bytes is refused too.
pub fn refuse_secret_key(args: &[OsString]) -> Result<(), Failure> {
    let found = args
        .iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .map(|a| a.to_string_lossy())
        .any(|a| a == "--secret-key" || a.starts_with("--secret-key="));
    if found {
        return Err(Failure::Usage(
            "--secret-key is refused: a key on the command line shows in `ps` and shell \
             history; set PINN_SECRET_KEY or pass --secret-key-file PATH"
                .into(),
        ));
    }
    Ok(())
}

/// The parsed command line. Help and version are printed here and end the process (exit 0;
/// exit 2 for the help shown when a command is missing). Any other problem is one line.
pub fn parse(args: Vec<OsString>) -> Result<Cli, Failure> {
    Cli::try_parse_from(&args).map_err(|e| match e.kind() {
        ClapKind::DisplayHelp
        | ClapKind::DisplayVersion
        | ClapKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
        _ => Failure::Usage(one_line(&e, &args)),
    })
}

/// A clap error as one line: its message with the details clap puts below it (the values
/// allowed, the arguments missing), its tips, and the help to read.
fn one_line(e: &clap::Error, args: &[OsString]) -> String {
    let rendered = e.render().to_string();
    let mut line = String::new();
    let body = rendered
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .filter(|l| !l.is_empty());
    for part in body {
        if let Some(tip) = part.strip_prefix("tip: ") {
            line.push_str("; ");
            line.push_str(tip);
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(part.strip_prefix("error: ").unwrap_or(part));
        }
    }
    format!("{line} (see '{} --help')", command_path(args))
}

/// The (sub)command the arguments name, e.g. "pinn users create".
fn command_path(args: &[OsString]) -> String {
    let mut command = Cli::command();
    let mut path = vec!["pinn".to_string()];
    for arg in args.iter().skip(1).filter_map(|a| a.to_str()) {
        if let Some(sub) = command.find_subcommand(arg).cloned() {
            path.push(arg.to_string());
            command = sub;
        }
    }
    path.join(" ")
}
