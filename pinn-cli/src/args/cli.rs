//! The command line as a whole: [`Cli`], its global flags, the output formats and the
//! commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use pinn_mock::flags::Flag;

use super::mock::{MockArgs, server_value};
use super::resources::{
    AppCmd, DeviceCmd, EnrollmentKeyCmd, EventCmd, ExportArgs, LogCmd, RecoveryKeyCmd, TokenCmd,
    UserCmd, WebhookCmd,
};
use super::values::demo_users;

// The help has no long form (`-h` and `--help` are the same, one line per flag): clap would
// switch every flag of every command to two lines and a blank for it, and it does not wrap
// long lines (no terminal-width probing), so the text after the flags is wrapped here.
/// A client for the Pinn API, and its emulator
#[derive(Debug, Parser)]
#[command(
    name = "pinn",
    version,
    propagate_version = true,
    arg_required_else_help = true,
    long_about = None,
    after_help = "\
The secret key is read from PINN_SECRET_KEY (or --secret-key-file PATH), the host from
PINN_API_HOST (or --api-host), the version from PINN_API_VERSION (or --api-version).
Output is a table on a terminal and JSON Lines in a pipe. --demo and --seed fill an
emulator: --mock (one for this command) or `pinn mock` (one that serves). See docs/cli.md."
)]
pub struct Cli {
    #[command(flatten, next_help_heading = "Global options")]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// The flags every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// The API host [default: $PINN_API_HOST, else https://pinnapis.com]
    #[arg(long, global = true, value_name = "URL")]
    pub api_host: Option<String>,
    /// The API version, sent as Pinn-Version [default: $PINN_API_VERSION]
    #[arg(long, global = true, value_name = "VERSION")]
    pub api_version: Option<String>,
    /// Read the secret key from this file [default: $PINN_SECRET_KEY]
    #[arg(long, global = true, value_name = "PATH")]
    pub secret_key_file: Option<PathBuf>,
    /// Run against a fresh emulator in this process: nothing is kept
    #[arg(long, global = true, conflicts_with_all = ["api_host", "secret_key_file"])]
    pub mock: bool,
    /// With an emulator: create N demo users first (at most 200000)
    #[arg(long, global = true, value_name = "N", value_parser = demo_users)]
    pub demo: Option<u32>,
    /// With an emulator: a seed, for the same IDs every run (clock frozen)
    // `pinn-mock --seed`, but for the help, which here says it is for an emulator; kept as
    // given, for `Flag::apply`.
    #[arg(
        long = Flag::Seed.long(),
        global = true,
        value_name = Flag::Seed.value_name(),
        value_parser = server_value(Flag::Seed)
    )]
    pub seed: Option<String>,
    /// table, json or jsonl [default: table on a terminal, jsonl otherwise]
    #[arg(
        short,
        long,
        global = true,
        value_enum,
        value_name = "FORMAT",
        hide_possible_values = true
    )]
    pub output: Option<Format>,
    /// Same as --output json: pretty JSON
    #[arg(long, global = true, conflicts_with_all = ["output", "jsonl"])]
    pub json: bool,
    /// Same as --output jsonl: one JSON object per line
    #[arg(long, global = true, conflicts_with = "output")]
    pub jsonl: bool,
    /// Never show a progress line
    #[arg(long, global = true)]
    pub no_progress: bool,
    /// Retries of a failed request, when that is safe [default: 2]
    #[arg(long, global = true, value_name = "N")]
    pub max_retries: Option<u32>,
}

impl Global {
    /// The format asked for, if any.
    pub fn format(&self) -> Option<Format> {
        match (self.output, self.json, self.jsonl) {
            (Some(f), _, _) => Some(f),
            (None, true, _) => Some(Format::Json),
            (None, _, true) => Some(Format::Jsonl),
            _ => None,
        }
    }
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people (a field/value list for one object)
    Table,
    /// Pretty JSON: an object, a page, or an array of every item with --all
    Json,
    /// One compact JSON object per line
    Jsonl,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Users: create, get, update, delete, list, and a user's devices and logs
    #[command(subcommand)]
    Users(UserCmd),
    /// Apps: create, get, delete, list
    #[command(subcommand)]
    Apps(AppCmd),
    /// Devices (enrolled by Pinn's mobile SDK): get, delete, list, logs
    #[command(subcommand)]
    Devices(DeviceCmd),
    /// Events recorded for every change: get, list
    #[command(subcommand)]
    Events(EventCmd),
    /// Authentication logs: get, list
    #[command(subcommand)]
    Logs(LogCmd),
    /// Webhook endpoints: create, get, update, delete, list
    #[command(subcommand)]
    WebhookEndpoints(WebhookCmd),
    /// Enrollment keys: create
    #[command(subcommand)]
    EnrollmentKeys(EnrollmentKeyCmd),
    /// Recovery keys: create
    #[command(subcommand)]
    RecoveryKeys(RecoveryKeyCmd),
    /// ID tokens: verify
    #[command(subcommand)]
    Token(TokenCmd),
    /// Check that the API host answers GET /health
    Health,
    /// Stream every item of a list as JSON Lines, page by page
    Export(ExportArgs),
    /// Serve the emulator on 127.0.0.1 until interrupted
    #[command(after_help = "\
Of the global options it takes --secret-key-file (the key to accept), --seed and --demo;
the others are for the commands that call the API, and are refused.")]
    Mock(MockArgs),
    /// Print a shell completion script
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
}
