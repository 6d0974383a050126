//! `pinn`: the Pinn API from the command line, built on the crate's public API only.
//!
//! ```text
//! pinn users create --metadata external_id=42
//! pinn users list --all > users.jsonl
//! pinn --mock --demo 3 devices list
//! ```
//!
//! See docs/cli.md for every command, the output formats and the exit codes.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::CommandFactory;

mod args;
mod commands;
mod context;
mod cursor;
mod exit;
mod interrupt;
mod keyfile;
mod ledger;
mod mock;
mod output;
mod progress;
mod redact;
mod setup;
mod stderr;
mod stream;

use args::{Cli, Command, Format};
use exit::Failure;

fn main() -> ExitCode {
    let result = match run() {
        // The reader went away after a Ctrl-C (it was interrupted too): an interruption.
        Err(Failure::Output(e))
            if e.kind() == std::io::ErrorKind::BrokenPipe && interrupt::requested() =>
        {
            Err(Failure::Interrupted(ledger::interrupted()))
        }
        other => other,
    };
    if !interrupt::claim() {
        // A Ctrl-C is ending the process, with its own line.
        interrupt::await_end();
        return ExitCode::from(exit::INTERRUPTED);
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => ExitCode::from(failure.report()),
    }
}

fn run() -> Result<(), Failure> {
    let argv: Vec<_> = std::env::args_os().collect();
    redact::remember_environment_and(&argv);
    args::refuse_secret_key(&argv)?;
    let Cli { global, command } = args::parse(argv)?;
    interrupt::install();
    match &command {
        Command::Completions { shell } => {
            // Into memory first: clap_complete panics when its writer fails (a closed pipe).
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "pinn", &mut script);
            return Ok(std::io::stdout().write_all(&script)?);
        }
        Command::Mock(args) => return mock::serve(&global, args),
        _ if global.demo.is_some() && !global.mock => {
            return Err(Failure::Usage(
                "--demo fills an emulator: use it with --mock or `pinn mock`".into(),
            ));
        }
        _ if global.seed.is_some() && !global.mock => {
            return Err(Failure::Usage(
                "--seed seeds an emulator: use it with --mock or `pinn mock`".into(),
            ));
        }
        _ => {}
    }
    let stdout_tty = std::io::stdout().is_terminal();
    let format = global.format().unwrap_or(if stdout_tty {
        Format::Table
    } else {
        Format::Jsonl
    });
    let format = match command {
        // An export is JSON Lines unless told otherwise (and then it refuses).
        Command::Export(_) => global.format().unwrap_or(Format::Jsonl),
        _ => format,
    };
    // Before a key is read, an emulator started or a connection made.
    commands::check(&command, format)?;
    let session = setup::connect(&global)?;
    let mut ctx = context::Ctx {
        client: session.client,
        format,
        out: output::Out::new(),
        progress: !global.no_progress && std::io::stderr().is_terminal() && !stdout_tty,
    };
    let result = commands::run(&mut ctx, command);
    drop(session.server);
    result
}
