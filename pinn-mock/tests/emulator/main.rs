//! The emulator, from the outside: the API as the spec states it (through the crate's client
//! and through raw HTTP, as a stranger in another language would use it), its control API,
//! its faults and delays, the binary's flags, how deep JSON may nest, HTTP conformance, and
//! how it answers malformed framing.

mod raw;

mod conformance;
mod control;
mod delays;
mod depth;
mod faults;
mod flags;
mod framing;
mod hostile;
mod lifecycle;
mod races;
mod stranger;
