//! The client a command runs with: from the environment and the flags, or, with `--mock`,
//! for a fresh emulator in this process (repeatable with `--seed`, filled by `--demo`).

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

use pinn::mock::MockServer;
use pinn::{Client, Config, ConfigBuilder};

use crate::args::Global;
use crate::exit::Failure;

/// A client, and the emulator it talks to when `--mock` started one (it serves until dropped).
pub struct Session {
    pub client: Client,
    pub server: Option<MockServer>,
}

/// The client for these flags. The environment (`PINN_SECRET_KEY`, `PINN_API_HOST`,
/// `PINN_API_VERSION`) is read first; a flag given replaces its variable.
pub fn connect(global: &Global) -> Result<Session, Failure> {
    if global.mock {
        let server = crate::mock::in_process(global)?;
        let config = tuned(server.config_builder(), global).build()?;
        let client = Client::new(config);
        crate::mock::demo(&server, &client, global.demo.unwrap_or(0))?;
        return Ok(Session {
            client,
            server: Some(server),
        });
    }
    let mut builder = Config::from_env().to_builder();
    if let Some(path) = &global.secret_key_file {
        builder = builder.secret_key(read_key(path)?);
    }
    if let Some(host) = &global.api_host {
        builder = builder.api_host(host);
    }
    let config = tuned(builder, global).build()?;
    if config.secret_key().is_none() {
        return Err(Failure::Config(
            "no secret key: set PINN_SECRET_KEY or pass --secret-key-file PATH \
             (or try the emulator with --mock)"
                .into(),
        ));
    }
    Ok(Session {
        client: Client::new(config),
        server: None,
    })
}

/// The settings any client takes from the flags.
fn tuned(mut builder: ConfigBuilder, global: &Global) -> ConfigBuilder {
    if let Some(version) = &global.api_version {
        builder = builder.api_version(version);
    }
    if let Some(n) = global.max_retries {
        builder = builder.max_retries(n);
    }
    builder
}

/// The longest secret key the crate takes, in bytes: `ConfigBuilder::secret_key` refuses a
/// longer one ("the secret key is longer than 1024 bytes").
pub const MAX_KEY_BYTES: usize = 1024;

/// The most a key file may hold: a key and the whitespace around it (a line break, an
/// editor's trailing blanks). Only this much is ever read.
const MAX_KEY_FILE_BYTES: usize = 4 * 1024;

/// The key in a file, without surrounding whitespace (a trailing line break, say).
///
/// Only a regular file is read, and at most [`MAX_KEY_FILE_BYTES`] of it: a FIFO would block
/// the command until someone writes to it, and a device (`/dev/zero`) would never end.
pub fn read_key(path: &Path) -> Result<String, Failure> {
    let shown = path.display();
    let cannot =
        |e: io::Error| Failure::Config(format!("cannot read the secret key file {shown}: {e}"));
    let refused = |what: &str| Failure::Config(format!("the secret key file {shown} {what}"));
    let not_regular = "is not a regular file (a pipe or a device is not read)";
    // Before opening it: opening a FIFO for reading waits for a writer.
    if !std::fs::metadata(path).map_err(cannot)?.is_file() {
        return Err(refused(not_regular));
    }
    let file = open_without_waiting(path).map_err(cannot)?;
    // And what was opened, should the path have changed in between.
    if !file.metadata().map_err(cannot)?.is_file() {
        return Err(refused(not_regular));
    }
    let mut bytes = Vec::new();
    file.take(MAX_KEY_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() > MAX_KEY_FILE_BYTES {
        return Err(refused(&format!(
            "is larger than {MAX_KEY_FILE_BYTES} bytes (a secret key is at most \
             {MAX_KEY_BYTES})"
        )));
    }
    let Ok(text) = String::from_utf8(bytes) else {
        return Err(refused("is not UTF-8 text"));
    };
    let key = text.trim();
    crate::redact::remember(key);
    if key.is_empty() {
        return Err(refused("is empty"));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(Failure::Config(format!(
            "the secret key in {shown} is longer than {MAX_KEY_BYTES} bytes"
        )));
    }
    Ok(key.to_string())
}

/// Opens `path` for reading; on unix with `O_NONBLOCK`, so that not even a FIFO swapped in
/// after the check can make the open wait (for a regular file the flag changes nothing).
fn open_without_waiting(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(O_NONBLOCK);
    }
    options.open(path)
}

/// `O_NONBLOCK`, where its value is known without the libc crate (else no flag: the check
/// before opening still refuses a FIFO).
#[cfg(all(
    any(target_os = "linux", target_os = "android"),
    not(any(
        target_arch = "mips",
        target_arch = "mips64",
        target_arch = "mips32r6",
        target_arch = "mips64r6",
        target_arch = "sparc",
        target_arch = "sparc64"
    ))
))]
const O_NONBLOCK: i32 = 0o4000;
#[cfg(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly"
))]
const O_NONBLOCK: i32 = 0x4;
#[cfg(all(
    unix,
    not(any(
        all(
            any(target_os = "linux", target_os = "android"),
            not(any(
                target_arch = "mips",
                target_arch = "mips64",
                target_arch = "mips32r6",
                target_arch = "mips64r6",
                target_arch = "sparc",
                target_arch = "sparc64"
            ))
        ),
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly"
    ))
))]
const O_NONBLOCK: i32 = 0;
