//! The command line: every command, flag and argument, as clap derives them.
//!
//! Arguments mirror the crate's parameters: `--metadata KEY=VALUE` for `metadata_entry`,
//! `--limit` and `--starting-after` for `ListParams`, `--event` for a webhook endpoint's
//! `events`, and so on. Parsing problems become one-line usage errors (exit 2), never clap's
//! multi-line report.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::error::ErrorKind as ClapKind;
use clap::{Arg, ArgMatches, Args, CommandFactory, Parser, Subcommand, ValueEnum};
use pinn::MAX_ID_BYTES;
use pinn_mock::MockServer;
use pinn_mock::flags::Flag;

use crate::exit::Failure;

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

/// The paging flags of every list command.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Items per page, 1 to 100 [default: the API's 10; 100 with --all]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub limit: Option<u32>,
    /// Start after the item with this ID, or the first of several that exists
    #[arg(long, value_name = "ID", value_parser = id)]
    pub starting_after: Vec<String>,
    /// Walk every page, one at a time, streaming the items
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Create a user
    Create {
        /// A metadata entry (repeatable); values are strings
        #[arg(long = "metadata", value_name = "KEY=VALUE", value_parser = metadata_entry)]
        metadata: Vec<(String, String)>,
    },
    /// Show a user
    Get {
        #[arg(value_parser = id)]
        user_id: String,
    },
    /// Change a user's metadata (replaced as a whole) or status
    Update {
        #[arg(value_parser = id)]
        user_id: String,
        /// The new metadata (repeatable): it replaces all of the old
        #[arg(long = "metadata", value_name = "KEY=VALUE", value_parser = metadata_entry)]
        metadata: Vec<(String, String)>,
        /// Remove every metadata entry
        #[arg(long, conflicts_with = "metadata")]
        clear_metadata: bool,
        /// The new status: active or disabled
        #[arg(long, value_name = "STATUS")]
        status: Option<String>,
    },
    /// Delete a user (and their devices)
    Delete {
        #[arg(value_parser = id)]
        user_id: String,
    },
    /// List users, newest first
    List(ListArgs),
    /// List a user's devices
    Devices {
        #[arg(value_parser = id)]
        user_id: String,
        #[command(flatten)]
        list: ListArgs,
    },
    /// List a user's authentication logs
    Logs {
        #[arg(value_parser = id)]
        user_id: String,
        #[command(flatten)]
        list: ListArgs,
    },
}

/// An app's platform.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AppKind {
    Ios,
    Android,
    Web,
}

#[derive(Debug, Subcommand)]
pub enum AppCmd {
    /// Register an app
    Create {
        /// The platform
        #[arg(long = "type", value_enum, value_name = "TYPE")]
        app_type: AppKind,
        /// A human-readable name
        #[arg(long)]
        name: String,
        /// A description
        #[arg(long)]
        description: Option<String>,
    },
    /// Show an app
    Get {
        #[arg(value_parser = id)]
        app_id: String,
    },
    /// Delete an app (an integration that uses it stops working)
    Delete {
        #[arg(value_parser = id)]
        app_id: String,
    },
    /// List apps, newest first
    List(ListArgs),
}

#[derive(Debug, Subcommand)]
pub enum DeviceCmd {
    /// Show a device
    Get {
        #[arg(value_parser = id)]
        device_id: String,
    },
    /// Delete a device
    Delete {
        #[arg(value_parser = id)]
        device_id: String,
    },
    /// List devices, newest first
    List(ListArgs),
    /// List a device's authentication logs
    Logs {
        #[arg(value_parser = id)]
        device_id: String,
        #[command(flatten)]
        list: ListArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum EventCmd {
    /// Show an event
    Get {
        #[arg(value_parser = id)]
        event_id: String,
    },
    /// List events, newest first
    List(ListArgs),
}

#[derive(Debug, Subcommand)]
pub enum LogCmd {
    /// Show an authentication log
    Get {
        #[arg(value_parser = id)]
        log_id: String,
    },
    /// List authentication logs, newest first
    List(ListArgs),
}

#[derive(Debug, Subcommand)]
pub enum WebhookCmd {
    /// Create a webhook endpoint
    Create {
        /// Where events are delivered (https://…)
        #[arg(long)]
        url: String,
        /// An event type to deliver, e.g. user.created (repeatable, at least one)
        #[arg(long = "event", value_name = "TYPE", required = true)]
        events: Vec<String>,
    },
    /// Show a webhook endpoint
    Get {
        #[arg(value_parser = id)]
        webhook_endpoint_id: String,
    },
    /// Change a webhook endpoint's URL, events or status
    Update {
        #[arg(value_parser = id)]
        webhook_endpoint_id: String,
        /// The new URL
        #[arg(long)]
        url: Option<String>,
        /// The new event types, one per flag (repeatable): they replace the old ones
        #[arg(long = "event", value_name = "TYPE")]
        events: Vec<String>,
        /// The new status: enabled or disabled
        #[arg(long, value_name = "STATUS")]
        status: Option<String>,
    },
    /// Delete a webhook endpoint
    Delete {
        #[arg(value_parser = id)]
        webhook_endpoint_id: String,
    },
    /// List webhook endpoints, newest first
    List(ListArgs),
}

#[derive(Debug, Subcommand)]
pub enum EnrollmentKeyCmd {
    /// Issue an enrollment key for a user (only once they have proven who they are)
    Create {
        /// The user the key is for
        #[arg(long, value_name = "ID", value_parser = id)]
        user_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum RecoveryKeyCmd {
    /// Issue a recovery key for a user who lost their device
    Create {
        /// The user the key is for
        #[arg(long, value_name = "ID", value_parser = id)]
        user_id: String,
        /// A remote factor to check before re-enrollment (repeatable)
        #[arg(long = "flow", value_name = "FACTOR")]
        flow: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Verify an ID token: print its claims, or why it is refused (exit 11)
    Verify {
        /// The token, or - to read it from standard input (keeps it out of `ps`)
        token: String,
        /// An authentication method the token must name, e.g. palm (repeatable)
        #[arg(long, value_name = "METHOD", value_parser = clap::builder::NonEmptyStringValueParser::new())]
        amr: Vec<String>,
    },
}

/// What `pinn export` can walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Listable {
    Users,
    Apps,
    Devices,
    Events,
    Logs,
    WebhookEndpoints,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Which list
    #[arg(value_enum)]
    pub resource: Listable,
    /// Items per page, 1 to 100
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub limit: u32,
    /// Resume after the item with this ID, or the first of several that exists
    #[arg(long, value_name = "ID", value_parser = id)]
    pub starting_after: Vec<String>,
}

/// `pinn mock`'s own flags: the server flags of `pinn-mock`, from [`pinn_mock::flags`], but
/// for the key (read from the file `--secret-key-file` names) and `--seed` (global: `--mock`
/// takes it too, as it does `--demo`). Each value is checked as clap parses it, and kept as
/// given for [`Flag::apply`].
#[derive(Debug, Default)]
pub struct MockArgs {
    given: Vec<(Flag, String)>,
}

impl MockArgs {
    /// The server flags `pinn mock` takes as its own.
    fn flags() -> impl Iterator<Item = Flag> {
        let own = |f: &Flag| !matches!(f, Flag::SecretKey | Flag::Seed);
        Flag::ALL.iter().copied().filter(own)
    }

    /// The flags given, each with its value.
    pub fn given(&self) -> &[(Flag, String)] {
        &self.given
    }

    /// The value given to `flag`, if it was.
    pub fn value(&self, flag: Flag) -> Option<&str> {
        let given = self.given.iter().find(|(f, _)| *f == flag);
        given.map(|(_, v)| v.as_str())
    }
}

/// The flags from the table, as clap takes them: each with its name, value name and help, its
/// value checked by the flag itself.
impl clap::Args for MockArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        MockArgs::flags().fold(cmd, |cmd, flag| {
            cmd.arg(
                Arg::new(flag.long())
                    .long(flag.long())
                    .value_name(flag.value_name())
                    .help(flag.help())
                    // The flag judges every value: `--clock -1` is a time, `--port -1` a
                    // port out of range, as `pinn-mock` has them.
                    .allow_negative_numbers(true)
                    .value_parser(server_value(flag)),
            )
        })
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        MockArgs::augment_args(cmd)
    }
}

impl clap::FromArgMatches for MockArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<MockArgs, clap::Error> {
        let mut args = MockArgs::default();
        args.update_from_arg_matches(matches)?;
        Ok(args)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for flag in MockArgs::flags() {
            if let Some(value) = matches.get_one::<String>(flag.long()) {
                self.given.retain(|(f, _)| *f != flag);
                self.given.push((flag, value.clone()));
            }
        }
        Ok(())
    }
}

/// A value of a server flag, checked as `pinn-mock` checks it (on a builder thrown away) and
/// kept as given: a refusal is clap's usage error, `invalid value 'X' for '--flag <N>': why`.
fn server_value(
    flag: Flag,
) -> impl Fn(&str) -> Result<String, String> + Clone + Send + Sync + 'static {
    move |value| {
        let checked = flag.apply(MockServer::builder(), value);
        checked.map(|_| value.to_string())
    }
}

/// The most demo users `--demo` creates. Each costs the emulator about 10 KB of memory (with
/// its device and its log), so this many is some 2 GB; any more is surely a slip of the
/// keyboard, refused before the emulator starts.
pub const MAX_DEMO_USERS: u32 = 200_000;

/// A number of demo users: 0 to [`MAX_DEMO_USERS`].
fn demo_users(s: &str) -> Result<u32, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("expected a number of users, 0 to {MAX_DEMO_USERS}"));
    }
    // Digits only: a number too large for u32 is too many as well.
    match s.parse::<u32>() {
        Ok(n) if n <= MAX_DEMO_USERS => Ok(n),
        _ => Err(format!("at most {MAX_DEMO_USERS} demo users")),
    }
}

/// An ID or a cursor: not empty, at most [`MAX_ID_BYTES`] bytes (the crate refuses a longer
/// one before any I/O, and so does the command line, before it reads a key or connects).
fn id(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Err("an ID cannot be empty".into());
    }
    if s.len() > MAX_ID_BYTES {
        return Err(format!(
            "an ID is at most {MAX_ID_BYTES} bytes, not {}",
            s.len()
        ));
    }
    Ok(s.to_string())
}

/// `KEY=VALUE`, with a non-empty key.
fn metadata_entry(s: &str) -> Result<(String, String), String> {
    let Some((key, value)) = s.split_once('=') else {
        return Err("expected KEY=VALUE (no '=' found)".into());
    };
    if key.is_empty() {
        return Err("expected KEY=VALUE (the key is empty)".into());
    }
    Ok((key.to_string(), value.to_string()))
}

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
