//! One function per resource: each command is a call of the crate's public API, its result
//! handed to `output`.

use std::io::Read;

use pinn::serde_json::{Map, Value, json};
use pinn::{
    AppCreateParams, AppType, Client, EnrollmentKeyCreateParams, List, ListParams, Object,
    RecoveryKeyCreateParams, ResponseInfo, UserCreateParams, UserUpdateParams,
    WebhookEndpointCreateParams, WebhookEndpointUpdateParams,
};

use crate::args::{
    AppCmd, AppKind, Command, DeviceCmd, EnrollmentKeyCmd, EventCmd, ExportArgs, Format, ListArgs,
    Listable, LogCmd, RecoveryKeyCmd, TokenCmd, UserCmd, WebhookCmd,
};
use crate::context::Ctx;
use crate::cursor::{self, Lookup};
use crate::exit::{Failure, ids, shell_word, shown};
use crate::output::{self, Row};
use crate::stderr::note;
use crate::stream::{self, Again};

/// Refuses a command line that is wrong as a whole, before anything else: before a key is
/// read, an emulator started or a connection made, so that a usage error is one whatever the
/// environment (no key, an unreachable host). The checks of single values are clap's.
pub fn check(command: &Command, format: Format) -> Result<(), Failure> {
    match command {
        Command::Users(UserCmd::Update {
            metadata,
            clear_metadata,
            status,
            ..
        }) if metadata.is_empty() && !clear_metadata && status.is_none() => Err(Failure::Usage(
            "nothing to change: give --metadata, --clear-metadata or --status".into(),
        )),
        Command::WebhookEndpoints(WebhookCmd::Update {
            url,
            events,
            status,
            ..
        }) if url.is_none() && events.is_empty() && status.is_none() => Err(Failure::Usage(
            "nothing to change: give --url, --event or --status".into(),
        )),
        Command::Export(_) if format != Format::Jsonl => Err(Failure::Usage(
            "export writes JSON Lines; for a table or a JSON array use `list --all`".into(),
        )),
        _ => Ok(()),
    }
}

/// Runs an API command, once [`check`] has passed it.
pub fn run(ctx: &mut Ctx, command: Command) -> Result<(), Failure> {
    match command {
        Command::Users(c) => users(ctx, c),
        Command::Apps(c) => apps(ctx, c),
        Command::Devices(c) => devices(ctx, c),
        Command::Events(c) => events(ctx, c),
        Command::Logs(c) => logs(ctx, c),
        Command::WebhookEndpoints(c) => webhook_endpoints(ctx, c),
        Command::EnrollmentKeys(EnrollmentKeyCmd::Create { user_id }) => {
            let params = EnrollmentKeyCreateParams::new(user_id);
            let key = ctx.client.enrollment_keys().create(&params)?;
            show(ctx, &key)
        }
        Command::RecoveryKeys(RecoveryKeyCmd::Create { user_id, flow }) => {
            let mut params = RecoveryKeyCreateParams::new(user_id);
            if !flow.is_empty() {
                params = params.flow(flow);
            }
            let key = ctx.client.recovery_keys().create(&params)?;
            show(ctx, &key)
        }
        Command::Token(TokenCmd::Verify { token, amr }) => verify(ctx, token, &amr),
        Command::Health => health(ctx),
        Command::Export(args) => export(ctx, args),
        // Handled before a client exists.
        Command::Mock(_) | Command::Completions { .. } => Ok(()),
    }
}

fn users(ctx: &mut Ctx, command: UserCmd) -> Result<(), Failure> {
    let client = ctx.client.clone();
    let users = client.users();
    match command {
        UserCmd::Create { metadata } => {
            let params = metadata
                .into_iter()
                .fold(UserCreateParams::new(), |p, (k, v)| p.metadata_entry(k, v));
            show(ctx, &users.create(&params)?)
        }
        UserCmd::Get { user_id } => show(ctx, &users.retrieve(&user_id)?),
        UserCmd::Update {
            user_id,
            metadata,
            clear_metadata,
            status,
        } => {
            let mut params = UserUpdateParams::new();
            if clear_metadata {
                params = params.metadata(Map::new());
            }
            for (k, v) in metadata {
                params = params.metadata_entry(k, v);
            }
            if let Some(s) = status {
                params = params.status(s.as_str());
            }
            show(ctx, &users.update(&user_id, &params)?)
        }
        UserCmd::Delete { user_id } => {
            let info = users.delete(&user_id)?;
            deleted(ctx, "user", "user_id", &user_id, &info)
        }
        UserCmd::List(args) => list(ctx, &args, |c, p| c.users().list(p)),
        UserCmd::Devices {
            user_id,
            list: args,
        } => list(ctx, &args, move |c, p| c.users().list_devices(&user_id, p)),
        UserCmd::Logs {
            user_id,
            list: args,
        } => list(ctx, &args, move |c, p| c.users().list_logs(&user_id, p)),
    }
}

fn apps(ctx: &mut Ctx, command: AppCmd) -> Result<(), Failure> {
    let client = ctx.client.clone();
    let apps = client.apps();
    match command {
        AppCmd::Create {
            app_type,
            name,
            description,
        } => {
            let app_type = match app_type {
                AppKind::Ios => AppType::Ios,
                AppKind::Android => AppType::Android,
                AppKind::Web => AppType::Web,
            };
            let mut params = AppCreateParams::new(app_type, name);
            if let Some(d) = description {
                params = params.description(d);
            }
            show(ctx, &apps.create(&params)?)
        }
        AppCmd::Get { app_id } => show(ctx, &apps.retrieve(&app_id)?),
        AppCmd::Delete { app_id } => {
            let info = apps.delete(&app_id)?;
            deleted(ctx, "app", "app_id", &app_id, &info)
        }
        AppCmd::List(args) => list(ctx, &args, |c, p| c.apps().list(p)),
    }
}

fn devices(ctx: &mut Ctx, command: DeviceCmd) -> Result<(), Failure> {
    let client = ctx.client.clone();
    let devices = client.devices();
    match command {
        DeviceCmd::Get { device_id } => show(ctx, &devices.retrieve(&device_id)?),
        DeviceCmd::Delete { device_id } => {
            let info = devices.delete(&device_id)?;
            deleted(ctx, "device", "device_id", &device_id, &info)
        }
        DeviceCmd::List(args) => list(ctx, &args, |c, p| c.devices().list(p)),
        DeviceCmd::Logs {
            device_id,
            list: args,
        } => list(ctx, &args, move |c, p| c.devices().list_logs(&device_id, p)),
    }
}

fn events(ctx: &mut Ctx, command: EventCmd) -> Result<(), Failure> {
    let client = ctx.client.clone();
    match command {
        EventCmd::Get { event_id } => show(ctx, &client.events().retrieve(&event_id)?),
        EventCmd::List(args) => list(ctx, &args, |c, p| c.events().list(p)),
    }
}

fn logs(ctx: &mut Ctx, command: LogCmd) -> Result<(), Failure> {
    let client = ctx.client.clone();
    match command {
        LogCmd::Get { log_id } => show(ctx, &client.logs().retrieve(&log_id)?),
        LogCmd::List(args) => list(ctx, &args, |c, p| c.logs().list(p)),
    }
}

fn webhook_endpoints(ctx: &mut Ctx, command: WebhookCmd) -> Result<(), Failure> {
    let client = ctx.client.clone();
    let hooks = client.webhook_endpoints();
    match command {
        WebhookCmd::Create { url, events } => {
            let params = WebhookEndpointCreateParams::new(url, events);
            show(ctx, &hooks.create(&params)?)
        }
        WebhookCmd::Get {
            webhook_endpoint_id: id,
        } => show(ctx, &hooks.retrieve(&id)?),
        WebhookCmd::Update {
            webhook_endpoint_id: id,
            url,
            events,
            status,
        } => {
            let mut params = WebhookEndpointUpdateParams::new();
            if let Some(u) = url {
                params = params.url(u);
            }
            if !events.is_empty() {
                params = params.events(events);
            }
            if let Some(s) = status {
                params = params.status(s.as_str());
            }
            show(ctx, &hooks.update(&id, &params)?)
        }
        WebhookCmd::Delete {
            webhook_endpoint_id: id,
        } => {
            let info = hooks.delete(&id)?;
            deleted(ctx, "webhook_endpoint", "webhook_endpoint_id", &id, &info)
        }
        WebhookCmd::List(args) => list(ctx, &args, |c, p| c.webhook_endpoints().list(p)),
    }
}

/// `pinn export RESOURCE`: every item, as JSON Lines (the format [`check`] ensures).
fn export(ctx: &mut Ctx, args: ExportArgs) -> Result<(), Failure> {
    let list_args = ListArgs {
        limit: Some(args.limit),
        starting_after: args.starting_after,
        all: true,
    };
    match args.resource {
        Listable::Users => list(ctx, &list_args, |c, p| c.users().list(p)),
        Listable::Apps => list(ctx, &list_args, |c, p| c.apps().list(p)),
        Listable::Devices => list(ctx, &list_args, |c, p| c.devices().list(p)),
        Listable::Events => list(ctx, &list_args, |c, p| c.events().list(p)),
        Listable::Logs => list(ctx, &list_args, |c, p| c.logs().list(p)),
        Listable::WebhookEndpoints => list(ctx, &list_args, |c, p| c.webhook_endpoints().list(p)),
    }
}

/// A list command: one page, or with `--all` every page from the first one on. It starts
/// after the first `--starting-after` that still exists (see `cursor`).
fn list<T>(
    ctx: &mut Ctx,
    args: &ListArgs,
    fetch: impl Fn(&Client, &ListParams) -> pinn::Result<List<T>> + Send + Sync + 'static,
) -> Result<(), Failure>
where
    T: Row + Object + Lookup + Clone + Send + 'static,
{
    let mut params = ListParams::new();
    if let Some(n) = args.limit.or(args.all.then_some(100)) {
        params = params.limit(n);
    }
    let client = ctx.client.clone();
    let cursors = &args.starting_after;
    let start = cursor::start(&client, &params, cursors, &fetch).map_err(|r| {
        if r.gone.is_empty() {
            Failure::Pinn(r.error)
        } else {
            let all = r.gone.len() == cursors.len();
            Failure::Gone(r.error, r.gone, all)
        }
    })?;
    if let Some(used) = cursors
        .get(start.gone.len())
        .filter(|_| !start.gone.is_empty())
    {
        let exist = if start.gone.len() == 1 {
            "exists"
        } else {
            "exist"
        };
        note!(
            "pinn: {} no longer {exist}: starting after {}",
            ids(&start.gone),
            shown(used)
        );
    }
    let first = start.page;
    if args.all {
        let again: Again<T> =
            Box::new(move |cursors| cursor::after_refusal(&client, &params, cursors, &fetch));
        return stream::walk(ctx, first, again);
    }
    output::page(&mut ctx.out, ctx.format, &first)?;
    if ctx.format == Format::Table {
        match first.ended_at.as_deref().filter(|_| first.has_more) {
            Some(cursor) => note!("more: --starting-after {} (or --all)", shell_word(cursor)),
            None if first.data.is_empty() => note!("no {}s", T::NAME),
            None => {}
        }
    }
    Ok(())
}

fn show(ctx: &mut Ctx, value: &impl serde::Serialize) -> Result<(), Failure> {
    output::object(&mut ctx.out, ctx.format, value)?;
    Ok(())
}

/// What a delete prints: what was deleted, and the request ID of the response (as an error
/// line shows it: quote it to Pinn support), `null` when the server sent none.
fn deleted(
    ctx: &mut Ctx,
    object: &str,
    id_field: &str,
    id: &str,
    info: &ResponseInfo,
) -> Result<(), Failure> {
    let request_id = info.request_id();
    if ctx.format == Format::Table {
        let what = object.replace('_', " ");
        let request = request_id.map_or(String::new(), |r| format!(" (request {r})"));
        let line = format!("deleted {what} {id}{request}");
        ctx.out.line(output::cell(&line))?;
        ctx.out.flush()?;
        return Ok(());
    }
    show(
        ctx,
        &json!({"object": object, id_field: id, "deleted": true, "request_id": request_id}),
    )
}

/// The most `token verify -` reads from stdin: a token of the crate's greatest length, room
/// for whitespace around it, and more, so that a longer input still gets the crate's own
/// "token is too long" (it is never read whole).
const MAX_TOKEN_INPUT: usize = pinn::id_token::MAX_TOKEN_BYTES + 1024;

fn verify(ctx: &mut Ctx, token: String, amr: &[String]) -> Result<(), Failure> {
    let token = if token == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(MAX_TOKEN_INPUT as u64)
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::Usage(format!("cannot read the token from stdin: {e}")))?;
        // Bytes that are not UTF-8 make a malformed token, which the crate says it is.
        String::from_utf8_lossy(&bytes).trim().to_string()
    } else {
        token
    };
    let amr: Vec<&str> = amr.iter().map(String::as_str).collect();
    let claims = ctx.client.id_tokens().verify(&token, &amr)?;
    show(ctx, &Value::Object(claims.claims))
}

fn health(ctx: &mut Ctx) -> Result<(), Failure> {
    let host = ctx.client.config().api_host().to_string();
    if !ctx.client.healthy() {
        return Err(Failure::Unhealthy(format!(
            "{host} did not answer GET /health with a 2xx"
        )));
    }
    if ctx.format == Format::Table {
        ctx.out.line(format!("healthy: {host}"))?;
        ctx.out.flush()?;
        return Ok(());
    }
    show(ctx, &json!({"healthy": true, "api_host": host}))
}
