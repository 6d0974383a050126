//! The values clap checks with parsers of the CLI's own: demo user counts, IDs and cursors,
//! metadata entries.

use pinn::MAX_ID_BYTES;

/// The most demo users `--demo` creates. Each costs the emulator about 10 KB of memory (with
/// its device and its log), so this many is some 2 GB; any more is surely a slip of the
/// keyboard, refused before the emulator starts.
const MAX_DEMO_USERS: u32 = 200_000;

/// A number of demo users: 0 to [`MAX_DEMO_USERS`].
pub(super) fn demo_users(s: &str) -> Result<u32, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("expected a number of users, 0 to {MAX_DEMO_USERS}"));
    }
    // Digits only: a number too large for u32 is too many as well.
    match s.parse::<u32>() {
        Ok(n) if n <= MAX_DEMO_USERS => Ok(n),
        _ => Err(format!("at most {MAX_DEMO_USERS} demo users")),
    }
}

/// An ID or a cursor: not empty, at most [`MAX_ID_BYTES`] bytes (the crate refuses a longer
/// one before any I/O, and so does the command line, before it reads a key or connects).
pub(super) fn id(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Err("an ID cannot be empty".into());
    }
    if s.len() > MAX_ID_BYTES {
        return Err(format!(
            "an ID is at most {MAX_ID_BYTES} bytes, not {}",
            s.len()
        ));
    }
    Ok(s.to_string())
}

/// `KEY=VALUE`, with a non-empty key.
pub(super) fn metadata_entry(s: &str) -> Result<(String, String), String> {
    let Some((key, value)) = s.split_once('=') else {
        return Err("expected KEY=VALUE (no '=' found)".into());
    };
    if key.is_empty() {
        return Err("expected KEY=VALUE (the key is empty)".into());
    }
    Ok((key.to_string(), value.to_string()))
}
