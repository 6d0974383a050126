//! The emulator: `pinn mock` serves it until interrupted, and `--seed N` fills it with demo
//! data (for `pinn mock` and for the in-process one of `--mock`), so every example in the
//! docs runs with no account.

use std::io::Write;

use pinn::mock::{DeviceSeed, MockServer};
use pinn::{
    AppCreateParams, AppType, Client, ListParams, UserCreateParams, WebhookEndpointCreateParams,
};

use crate::args::{Global, MockArgs};
use crate::exit::{Failure, note};

/// The IDs of the first demo objects, for examples to use.
pub struct Seeded {
    pub user_id: String,
    pub device_id: String,
    pub log_id: String,
    pub app_id: String,
    pub webhook_endpoint_id: String,
    pub event_id: String,
}

/// Creates an iOS app, a webhook endpoint, and `users` users (`external_id` `demo_1`, …),
/// each with an enrolled device and one successful authentication log. `None` for 0 users.
pub fn seed(server: &MockServer, client: &Client, users: u32) -> pinn::Result<Option<Seeded>> {
    if users == 0 {
        return Ok(None);
    }
    let app = AppCreateParams::new(AppType::Ios, "Demo iOS app").description("made by --seed");
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
        let params = UserCreateParams::new().metadata_entry("external_id", format!("demo_{i}"));
        let user = client.users().create(&params)?;
        let device = server.enroll_device(&user.user_id, DeviceSeed::default())?;
        let log = server.record_log(&device.device_id, true)?;
        first.get_or_insert((user.user_id, device.device_id, log.log_id));
    }
    let newest = client.events().list(&ListParams::new().limit(1))?;
    let event_id = newest.data.first().map(|e| e.event_id.clone());
    let (Some((user_id, device_id, log_id)), Some(event_id)) = (first, event_id) else {
        return Ok(None);
    };
    Ok(Some(Seeded {
        user_id,
        device_id,
        log_id,
        app_id,
        webhook_endpoint_id,
        event_id,
    }))
}

/// `pinn mock`: serves the emulator on 127.0.0.1 until Ctrl-C. Prints, on stdout, the
/// settings that point the CLI (or any SDK) at it as `NAME=value` lines a shell can source,
/// and what it serves on stderr.
pub fn serve(global: &Global, args: &MockArgs) -> Result<(), Failure> {
    if global.mock || global.api_host.is_some() {
        return Err(Failure::Usage(
            "pinn mock serves an emulator itself: --mock and --api-host do not apply".into(),
        ));
    }
    let started = match &global.secret_key_file {
        Some(path) => MockServer::start_with_key(args.port, &crate::setup::read_key(path)?),
        None => MockServer::start_on(args.port),
    };
    let server = started
        .map_err(|e| Failure::Other(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)))?;
    let seeded = seed(&server, &server.client(), global.seed.unwrap_or(0))?;
    let mut lines = format!(
        "PINN_API_HOST={}\nPINN_SECRET_KEY={}\n",
        server.url(),
        server.secret_key()
    );
    if let Some(s) = &seeded {
        let token = server.mint_id_token(&s.user_id, &["palm"]);
        lines.push_str(&format!(
            "PINN_MOCK_USER_ID={}\nPINN_MOCK_DEVICE_ID={}\nPINN_MOCK_LOG_ID={}\n\
             PINN_MOCK_APP_ID={}\nPINN_MOCK_WEBHOOK_ENDPOINT_ID={}\nPINN_MOCK_EVENT_ID={}\n\
             PINN_MOCK_ID_TOKEN={token}\n",
            s.user_id, s.device_id, s.log_id, s.app_id, s.webhook_endpoint_id, s.event_id
        ));
    }
    let mut stdout = std::io::stdout();
    stdout.write_all(lines.as_bytes())?;
    stdout.flush()?;
    note!(
        "pinn mock: serving the Pinn API emulator on {} until Ctrl-C",
        server.url()
    );
    if let Some(n) = global.seed.filter(|n| *n > 0) {
        note!(
            "pinn mock: seeded {n} users (each with a device and a log), an app and a webhook \
             endpoint; PINN_MOCK_ID_TOKEN is valid for 5 minutes"
        );
    }
    loop {
        std::thread::park();
    }
}
