//! The whole lifecycle, step by step: `cargo run -p pinn-quickstart`.
//!
//! It runs against the emulator (`pinn-mock`), in this process, on loopback: no account
//! needed, nothing leaves the machine. With `PINN_SECRET_KEY` set it still uses the emulator,
//! unless `PINN_QUICKSTART_LIVE=1` says to create and delete real objects in that account (on
//! `PINN_API_HOST`, production by default).

use std::process::ExitCode;
use std::time::{Duration, UNIX_EPOCH};

use pinn::{
    App, AppCreateParams, AppType, Deletable, EnrollmentKey, EnrollmentKeyCreateParams, ErrorKind,
    IdToken, ListParams, Object, RecoveryKey, RecoveryKeyCreateParams, User, UserCreateParams,
    WebhookEndpoint, WebhookEndpointCreateParams, WebhookEndpointStatus,
    WebhookEndpointUpdateParams,
};
use pinn_mock::MockServer;

fn step(n: u32, what: &str) {
    println!("\n{n}. {what}");
}

/// Compact JSON, for printing metadata and lists.
fn json(value: impl Into<pinn::serde_json::Value>) -> String {
    value.into().to_string()
}

/// Unix seconds as a date: `Sat, 28 Nov 2026 16:39:36 GMT`.
fn date(unix_seconds: i64) -> String {
    let secs = u64::try_from(unix_seconds).unwrap_or(0);
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs))
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The error's message, then each cause one layer down.
            eprintln!("\nerror: {e}");
            if let Some(kind) = e.downcast_ref::<pinn::Error>().map(pinn::Error::kind) {
                eprintln!("  kind: ErrorKind::{kind:?}");
            }
            let mut cause = e.source();
            while let Some(c) = cause {
                eprintln!("  caused by: {c}");
                cause = c.source();
            }
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let key_set = std::env::var("PINN_SECRET_KEY").is_ok_and(|k| !k.is_empty());
    let live = key_set && std::env::var("PINN_QUICKSTART_LIVE").is_ok_and(|v| v == "1");
    // The emulator lives as long as `emulator`; `None` when running against a real host.
    let emulator = if live {
        let host = pinn::Client::global().config().api_host().to_string();
        println!(
            "Running against {host}: this creates, changes and then deletes real users, keys, \
             an app and a webhook endpoint in that account (PINN_QUICKSTART_LIVE=1)."
        );
        None
    } else {
        let server = MockServer::start();
        server.install();
        if key_set {
            println!(
                "PINN_SECRET_KEY is set, but the quickstart creates and deletes objects: it runs \
                 against the embedded emulator unless you set PINN_QUICKSTART_LIVE=1."
            );
        }
        println!(
            "Running against the embedded emulator at {} (no account needed).",
            server.url()
        );
        Some(server)
    };

    step(1, "Create a user with metadata");
    let mut user =
        User::create(&UserCreateParams::new().metadata_entry("external_id", "cust_8842"))?;
    println!(
        "   created {} at {}, metadata {}",
        user.user_id,
        date(user.created_at),
        json(user.metadata.clone())
    );
    if let Some(id) = user.last_response().and_then(|r| r.request_id()) {
        println!("   (request {id}: quote it to Pinn support if something looks wrong)");
    }

    step(2, "Retrieve it, change it and save() it");
    let fetched = User::retrieve(&user.user_id)?;
    println!(
        "   retrieved {}, status {}",
        fetched.user_id,
        fetched.status.as_ref().map_or("none", |s| s.as_str())
    );
    user.metadata.insert("plan".into(), "premium".into());
    user.save()?;
    println!("   saved: metadata is now {}", json(user.metadata.clone()));

    step(3, "Issue an enrollment key and a recovery key");
    let enrollment = EnrollmentKey::create(&EnrollmentKeyCreateParams::new(&user.user_id))?;
    println!(
        "   enrollment key {}, expires {}",
        enrollment.enrollment_key_id,
        date(enrollment.expires_at)
    );
    let recovery =
        RecoveryKey::create(&RecoveryKeyCreateParams::new(&user.user_id).flow(["email"]))?;
    println!(
        "   recovery key {}, flow {}",
        recovery.recovery_key_id,
        json(recovery.flow.clone())
    );

    step(
        4,
        "Create an app and a webhook endpoint; update and list them",
    );
    let app = App::create(
        &AppCreateParams::new(AppType::Web, "Quickstart web app")
            .description("made by the quickstart"),
    )?;
    println!(
        "   app {} ({}), publishable key {}",
        app.app_id, app.app_type, app.publishable_key
    );
    let mut hook = WebhookEndpoint::create(&WebhookEndpointCreateParams::new(
        "https://example.com/pinn/webhooks",
        ["user.created"],
    ))?;
    println!(
        "   webhook endpoint {} -> {}",
        hook.webhook_endpoint_id, hook.url
    );
    hook.events.push("user.deleted".into());
    hook.save()?;
    let hook = WebhookEndpoint::update(
        &hook.webhook_endpoint_id,
        &WebhookEndpointUpdateParams::new().status(WebhookEndpointStatus::Disabled),
    )?;
    println!(
        "   updated: events {}, status {}",
        json(hook.events.clone()),
        hook.status.as_ref().map_or("none", |s| s.as_str())
    );
    let apps = App::list(&ListParams::new())?;
    let hooks = WebhookEndpoint::list(&ListParams::new())?;
    println!(
        "   {} app(s) and {} webhook endpoint(s) on the first pages",
        apps.count, hooks.count
    );

    step(
        5,
        "Create 25 users and walk them all with auto-pagination (limit 10)",
    );
    let mut created = Vec::new();
    for i in 0..25 {
        created.push(User::create(
            &UserCreateParams::new().metadata_entry("batch", i),
        )?);
    }
    // Newest first, so the new users lead the walk; pages are fetched only as it reaches
    // them, and it stops once all 25 were seen (a real account may hold many more).
    let mut missing: std::collections::HashSet<&str> =
        created.iter().map(|u| u.user_id.as_str()).collect();
    let mut walked: usize = 0;
    for listed in User::list(&ListParams::new().limit(10))?.auto_paging_iter() {
        let listed = listed?;
        walked += 1;
        missing.remove(listed.user_id.as_str());
        if missing.is_empty() {
            break;
        }
    }
    println!(
        "   walked {walked} users over {} pages of 10, newest first: all 25 new ones found",
        walked.div_ceil(10)
    );

    step(6, "Verify an ID token");
    match &emulator {
        Some(server) => {
            let token = server.mint_id_token(&user.user_id, &["palm"]);
            let claims = IdToken::verify(&token, &["palm"])?;
            let expires = claims
                .exp
                .map_or_else(|| "never".into(), |e| date(e as i64));
            println!(
                "   verified: user {}, methods {}, expires {expires}",
                claims.sub,
                json(claims.amr.clone())
            );
        }
        None => println!("   skipped: only the emulator can mint ID tokens"),
    }

    step(7, "Handle an error: retrieve a deleted user");
    let doomed = created.pop().ok_or("25 users were created")?;
    doomed.delete()?;
    match User::retrieve(&doomed.user_id) {
        Err(e) if e.kind() == ErrorKind::InvalidRequest => println!(
            "   ErrorKind::{:?}, status {}, as expected: {e}\n   retryable: {}, outcome: {:?}",
            e.kind(),
            e.status().map_or("-".into(), |s| s.to_string()),
            e.is_retryable(),
            e.outcome()
        ),
        Err(e) => return Err(e.into()),
        Ok(_) => println!("   unexpected: the deleted user is still there"),
    }

    step(8, "Check the API is up: healthy()");
    println!("   healthy: {}", pinn::healthy());

    step(9, "Clean up");
    for u in &created {
        u.delete()?;
    }
    user.delete()?;
    app.delete()?;
    hook.delete()?;
    println!(
        "   deleted {} users, the app and the webhook endpoint",
        created.len() + 1
    );

    println!(
        "\nDone. This program is quickstart/src/main.rs; the guides are in docs/: configuration, \
         errors, pagination, id-tokens, testing (the emulator), python-migration, and cli."
    );
    Ok(())
}
