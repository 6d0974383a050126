//! The emulator: `pinn mock` serves it until interrupted, with `pinn-mock`'s flags, and
//! `--mock` runs one command against a fresh one inside the process. `--seed N` makes either
//! repeat its IDs from run to run, and `--demo N` fills it with demo data, so every example
//! in the docs runs with no account.

use std::io::Write;

use pinn::serde_json::Map;
use pinn::{AppCreateParams, AppType, Client, ListParams, WebhookEndpointCreateParams};
use pinn_mock::flags::{DEFAULT_PORT, Flag};
use pinn_mock::{DeviceSeed, MockServer, MockServerBuilder, UserSeed};

use crate::args::{Global, MockArgs};
use crate::exit::{Failure, shown};
use crate::output::time;
use crate::stderr::note;

/// The IDs of the first demo objects, for examples to use.
pub struct Demo {
    pub user_id: String,
    pub device_id: String,
    pub log_id: String,
    pub app_id: String,
    pub webhook_endpoint_id: String,
    pub event_id: String,
}

/// The emulator `--mock` runs a command against: on a free port, repeatable with `--seed`.
pub fn in_process(global: &Global) -> Result<MockServer, Failure> {
    let mut builder = MockServer::builder();
    if let Some(seed) = &global.seed {
        builder = apply(builder, Flag::Seed, seed)?;
    }
    builder
        .start()
        .map_err(|e| Failure::Other(format!("cannot start the emulator: {e}")))
}

/// Creates an iOS app, a webhook endpoint, and `users` users (`external_id` `demo_1`, …),
/// each with an enrolled device and one successful authentication log. `None` for 0 users.
///
/// The users, devices and logs are seeded straight into the emulator (several times faster
/// than a `POST` each); the app and the webhook endpoint, which it has no seeding call for,
/// are created through `client`.
pub fn demo(server: &MockServer, client: &Client, users: u32) -> pinn::Result<Option<Demo>> {
    if users == 0 {
        return Ok(None);
    }
    let app = AppCreateParams::new(AppType::Ios, "Demo iOS app").description("made by --demo");
    let app_id = client.apps().create(&app)?.app_id;
    let hook = WebhookEndpointCreateParams::new(
        "https://example.com/pinn/webhooks",
        ["user.created", "user.deleted"],
    );
    let webhook_endpoint_id = client
        .webhook_endpoints()
        .create(&hook)?
        .webhook_endpoint_id;
    let mut first = None;
    for i in 1..=users {
        let mut metadata = Map::new();
        metadata.insert("external_id".into(), format!("demo_{i}").into());
        let seed = UserSeed {
            metadata,
            ..UserSeed::default()
        };
        let user = server.seed_user(seed)?;
        let device = server.enroll_device(&user.user_id, DeviceSeed::default())?;
        let log = server.record_log(&device.device_id, true)?;
        first.get_or_insert((user.user_id, device.device_id, log.log_id));
    }
    let newest = client.events().list(&ListParams::new().limit(1))?;
    let event_id = newest.data.first().map(|e| e.event_id.clone());
    let (Some((user_id, device_id, log_id)), Some(event_id)) = (first, event_id) else {
        return Ok(None);
    };
    Ok(Some(Demo {
        user_id,
        device_id,
        log_id,
        app_id,
        webhook_endpoint_id,
        event_id,
    }))
}

/// `pinn mock`'s server: the flags of `pinn-mock`, the key from `--secret-key-file`.
fn builder(global: &Global, args: &MockArgs) -> Result<MockServerBuilder, Failure> {
    let mut builder = MockServer::builder().port(DEFAULT_PORT);
    if let Some(path) = &global.secret_key_file {
        builder = apply(builder, Flag::SecretKey, &crate::keyfile::read_key(path)?)?;
    }
    if let Some(seed) = &global.seed {
        builder = apply(builder, Flag::Seed, seed)?;
    }
    for (flag, value) in args.given() {
        builder = apply(builder, *flag, value)?;
    }
    Ok(builder)
}

/// Sets a server flag's value, which clap has checked: a refusal cannot happen, and would be
/// a usage error. (A key is never refused here: the server refuses a bad one as it starts.)
fn apply(
    builder: MockServerBuilder,
    flag: Flag,
    value: &str,
) -> Result<MockServerBuilder, Failure> {
    let refused = |why| Failure::Usage(format!("--{}: {why}", flag.long()));
    flag.apply(builder, value).map_err(refused)
}

/// Refuses the global flags that only a command calling the API uses: `pinn mock` serves
/// the emulator itself, and taking them silently would suggest they changed something.
fn refuse_client_flags(global: &Global) -> Result<(), Failure> {
    let Global {
        api_host,
        api_version,
        secret_key_file: _,
        mock,
        demo: _,
        seed: _,
        output,
        json,
        jsonl,
        no_progress,
        max_retries,
    } = global;
    let given: Vec<&str> = [
        ("--mock", *mock),
        ("--api-host", api_host.is_some()),
        ("--api-version", api_version.is_some()),
        ("--output", output.is_some()),
        ("--json", *json),
        ("--jsonl", *jsonl),
        ("--no-progress", *no_progress),
        ("--max-retries", max_retries.is_some()),
    ]
    .into_iter()
    .filter_map(|(flag, given)| given.then_some(flag))
    .collect();
    let verb = match given.len() {
        0 => return Ok(()),
        1 => "does",
        _ => "do",
    };
    Err(Failure::Usage(format!(
        "pinn mock serves an emulator itself: {} {verb} not apply (of the global options it \
         takes --secret-key-file, --seed and --demo)",
        given.join(", ")
    )))
}

/// `pinn mock`: serves the emulator on 127.0.0.1 until Ctrl-C. Prints, on stdout, the
/// settings that point the CLI (or any SDK) at it as `NAME=value` lines a shell can source
/// (`PINN_SECRET_KEY` only when the emulator made the key up, never a key from a file), and
/// what it serves on stderr.
pub fn serve(global: &Global, args: &MockArgs) -> Result<(), Failure> {
    refuse_client_flags(global)?;
    let server =
        builder(global, args)?
            .start()
            .map_err(|e| match (&global.secret_key_file, e.kind()) {
                (Some(path), std::io::ErrorKind::InvalidInput) => Failure::Config(format!(
                    "the secret key in {} is refused: {e}",
                    path.display()
                )),
                _ => {
                    let port = args
                        .value(Flag::Port)
                        .map_or(DEFAULT_PORT.to_string(), str::to_string);
                    Failure::Other(format!("cannot listen on 127.0.0.1:{port}: {e}"))
                }
            })?;
    let demo = demo(&server, &server.client(), global.demo.unwrap_or(0))?;
    let mut lines = format!("PINN_API_HOST={}\n", server.url());
    // A key the emulator made up is printed for the shell to source; a key from a file is
    // the user's own and stays in the file.
    if global.secret_key_file.is_none() {
        lines.push_str(&format!("PINN_SECRET_KEY={}\n", server.secret_key()));
    }
    // The token's `exp`: five minutes after the emulator's clock when it is minted.
    let token_expires = time(server.now().saturating_add(300));
    if let Some(d) = &demo {
        let token = server.mint_id_token(&d.user_id, &["palm"]);
        lines.push_str(&format!(
            "PINN_MOCK_USER_ID={}\nPINN_MOCK_DEVICE_ID={}\nPINN_MOCK_LOG_ID={}\n\
             PINN_MOCK_APP_ID={}\nPINN_MOCK_WEBHOOK_ENDPOINT_ID={}\nPINN_MOCK_EVENT_ID={}\n\
             PINN_MOCK_ID_TOKEN={token}\n",
            d.user_id, d.device_id, d.log_id, d.app_id, d.webhook_endpoint_id, d.event_id
        ));
    }
    let mut stdout = std::io::stdout();
    stdout.write_all(lines.as_bytes())?;
    stdout.flush()?;
    let frozen = format!("clock frozen at {}", time(server.now()));
    let repeat = match (&global.seed, args.value(Flag::Clock)) {
        (Some(_), _) => format!(" (seed {}, {frozen})", server.seed()),
        (None, Some(_)) => format!(" ({frozen})"),
        (None, None) => String::new(),
    };
    note!(
        "pinn mock: serving the Pinn API emulator on {} until Ctrl-C{repeat}",
        server.url()
    );
    if let Some(path) = &global.secret_key_file {
        note!(
            "pinn mock: it accepts the secret key in {} (not printed: set PINN_SECRET_KEY from \
             the file)",
            shown(&path.to_string_lossy())
        );
    }
    if let Some(n) = global.demo.filter(|_| demo.is_some()) {
        let users = if n == 1 { "user" } else { "users" };
        note!(
            "pinn mock: {n} demo {users} (each with a device and a log), an app and a webhook \
             endpoint; PINN_MOCK_ID_TOKEN expires at {token_expires}"
        );
    }
    loop {
        std::thread::park();
    }
}
