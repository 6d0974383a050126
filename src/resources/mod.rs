//! The API's resources, one file each: model, parameters and calls.

pub mod app;
pub mod device;
pub mod event;
mod fields;
pub mod keys;
pub mod log;
pub mod user;
pub mod webhook_endpoint;

pub use crate::object::Deletable;
