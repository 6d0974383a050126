//! The whole lifecycle, step by step: `cargo run --example quickstart`.
//!
//! With no `PINN_SECRET_KEY` in the environment it starts the embedded emulator
//! (`pinn::mock`) on loopback and runs against it. With `PINN_SECRET_KEY` set it runs against
//! `PINN_API_HOST` (default: production), creating and then deleting real objects.

use pinn::mock::MockServer;
use pinn::{
    App, AppCreateParams, AppType, Deletable, EnrollmentKey, EnrollmentKeyCreateParams, ErrorKind,
    IdToken, ListParams, RecoveryKey, RecoveryKeyCreateParams, User, UserCreateParams,
    WebhookEndpoint, WebhookEndpointCreateParams, WebhookEndpointUpdateParams,
};

fn step(n: u32, what: &str) {
    println!("\n{n}. {what}");
}

/// Compact JSON, for printing metadata and lists.
fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn main() -> Result<(), pinn::Error> {
    // The emulator lives as long as `emulator`; `None` when running against a real host.
    let emulator = match std::env::var("PINN_SECRET_KEY") {
        Ok(key) if !key.is_empty() => {
            let host = pinn::Client::global().config().api_host().to_string();
            println!("Running against {host} (PINN_SECRET_KEY is set).");
            None
        }
        _ => {
            let server = MockServer::start();
            server.install();
            println!(
                "No PINN_SECRET_KEY set: running against the embedded emulator at {}.",
                server.url()
            );
            Some(server)
        }
    };

    step(1, "Create a user with metadata");
    let mut user =
        User::create(&UserCreateParams::new().metadata_entry("external_id", "cust_8842"))?;
    println!(
        "   created {} with metadata {}",
        user.user_id,
        json(&user.metadata)
    );

    step(2, "Retrieve it, change it and save() it");
    let fetched = User::retrieve(&user.user_id)?;
    println!(
        "   retrieved {} (status {})",
        fetched.user_id,
        fetched
            .status
            .as_ref()
            .map(|s| s.as_str())
            .unwrap_or("none")
    );
    user.metadata.insert("plan".into(), "premium".into());
    user.save()?;
    println!("   saved: metadata is now {}", json(&user.metadata));

    step(3, "Issue an enrollment key and a recovery key");
    let enrollment = EnrollmentKey::create(&EnrollmentKeyCreateParams::new(&user.user_id))?;
    println!(
        "   enrollment key {} expires at {}",
        enrollment.enrollment_key_id, enrollment.expires_at
    );
    let recovery =
        RecoveryKey::create(&RecoveryKeyCreateParams::new(&user.user_id).flow(["email"]))?;
    println!(
        "   recovery key {} with flow {}",
        recovery.recovery_key_id,
        json(&recovery.flow)
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
        &WebhookEndpointUpdateParams::new().status("disabled"),
    )?;
    println!(
        "   updated: events {:?}, status {}",
        hook.events,
        hook.status.as_ref().map_or("-", |s| s.as_str())
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
            println!(
                "   verified: sub {} amr {:?} iss {}",
                claims.sub, claims.amr, claims.iss
            );
        }
        None => println!("   skipped: only the emulator can mint ID tokens"),
    }

    step(7, "Show a typed error: retrieve a deleted user");
    let doomed = created.pop().expect("25 users were created");
    doomed.delete()?;
    match User::retrieve(&doomed.user_id) {
        Err(e) if e.kind() == ErrorKind::InvalidRequest => println!(
            "   {} as expected: {e} (retryable: {})",
            e.kind(),
            e.is_retryable()
        ),
        Err(e) => return Err(e),
        Ok(_) => println!("   unexpected: the deleted user is still there"),
    }

    step(8, "healthy()");
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
    Ok(())
}
