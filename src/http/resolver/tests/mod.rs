//! The resolver's unit tests, a file for each part of it, and what they share (`fixtures`).

mod cache;
mod fixtures;
mod lookup;
mod resolve;
