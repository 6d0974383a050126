//! The guard's unit tests, a file for each part of it, and what they share (`fixtures`).

mod fixtures;
mod head;
mod mask;
mod transport;
