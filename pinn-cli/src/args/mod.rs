//! The command line: every command, flag and argument, as clap derives them (`pinn mock`'s
//! server flags from `pinn_mock::flags`, the table `pinn-mock` reads too).
//!
//! Arguments mirror the crate's parameters: `--metadata KEY=VALUE` for `metadata_entry`,
//! `--limit` and `--starting-after` for `ListParams`, `--event` for a webhook endpoint's
//! `events`, and so on. Parsing problems become one-line usage errors (exit 2), never clap's
//! multi-line report.

mod cli;
mod mock;
mod parse;
mod resources;
mod values;

pub use cli::{Cli, Command, Format, Global};
pub use mock::MockArgs;
pub use parse::{parse, refuse_secret_key};
pub use resources::{
    AppCmd, AppKind, DeviceCmd, EnrollmentKeyCmd, EventCmd, ExportArgs, ListArgs, Listable, LogCmd,
    RecoveryKeyCmd, TokenCmd, UserCmd, WebhookCmd,
};
