//! Fault injection: what the next matching requests get instead of a normal answer, before
//! the request is acted on or after.

mod answer;
mod fault;
mod json;
mod queue;
#[cfg(test)]
mod tests;

pub(crate) use answer::{reply, truncated_response};
pub use fault::Fault;
pub(crate) use fault::FaultKind;
pub(crate) use queue::{MAX_FAULT_BYTES, MAX_FAULTS, Queue, Taken};
