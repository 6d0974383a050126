//! Lines on stderr: how the CLI tells people what it did, never panicking on a closed stderr.

/// Writes a line to stderr, like `eprintln!` but never panicking: a closed stderr (a
/// reader gone from `2>&1 | head`) must not turn a result into a crash.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use note;
