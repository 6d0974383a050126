//! The API's resources, one file each: model, parameters and calls.

pub mod app;
pub mod device;
pub mod enrollment_key;
pub mod event;
mod fields;
pub mod log;
pub mod recovery_key;
pub mod user;
pub mod webhook_endpoint;

pub use crate::object::Deletable;
