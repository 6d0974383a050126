//! The commands that call the API, one enum of subcommands per resource, with their flags
//! and arguments; the paging flags every list takes, and `pinn export`'s.

use clap::{Args, Subcommand, ValueEnum};

use super::values::{id, metadata_entry};

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
