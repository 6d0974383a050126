//! [`MockServer`], the handle a Rust test holds, and its builder. Every method that changes
//! or reads the emulator's state is a thin call into `control`, which the HTTP control API
//! calls too.

mod builder;
mod seeding;
mod snapshots;
mod start;
mod time;
mod traffic;

pub use builder::MockServerBuilder;
#[cfg(test)]
pub(crate) use builder::{DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS};
pub use start::MockServer;
