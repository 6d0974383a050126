//! The client a command runs with: from the environment and the flags, or, with `--mock`,
//! for a fresh emulator in this process (repeatable with `--seed`, filled by `--demo`).

use pinn::{Client, Config, ConfigBuilder};
use pinn_mock::MockServer;

use crate::args::Global;
use crate::exit::Failure;
use crate::keyfile::read_key;

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
