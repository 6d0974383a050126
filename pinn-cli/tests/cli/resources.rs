//! Each resource's commands (create, get, update, delete, list, and the sub-lists), ID tokens
//! and health, and what they print.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use pinn::serde_json::json;
use pinn_mock::MockServer;

use crate::{at, bare, closed_port, finish, newest_event, pinn, run, seeded_user};

#[test]
fn users_create_get_update_list_delete() {
    let server = MockServer::start();
    let created = pinn(
        &server,
        &[
            "users",
            "create",
            "--metadata",
            "external_id=42",
            "--metadata",
            "plan=pro",
        ],
    )
    .ok()
    .lines();
    assert_eq!(created.len(), 1, "a pipe gets one JSON line by default");
    let user = &created[0];
    let id = user["user_id"].as_str().unwrap();
    assert_eq!(
        user["metadata"],
        json!({"external_id": "42", "plan": "pro"})
    );
    assert_eq!(
        server.requests()[0].json(),
        Some(json!({"metadata": user["metadata"]}))
    );

    let got = pinn(&server, &["users", "get", id, "--json"]).ok();
    assert!(
        got.stdout.starts_with("{\n  \"object\": \"user\""),
        "pretty"
    );
    assert_eq!(&got.json(), user);

    let updated = pinn(
        &server,
        &[
            "users",
            "update",
            id,
            "--status",
            "disabled",
            "--metadata",
            "plan=team",
        ],
    )
    .ok()
    .lines();
    assert_eq!(updated[0]["status"], "disabled");
    assert_eq!(
        updated[0]["metadata"],
        json!({"plan": "team"}),
        "replaced whole"
    );
    let cleared = pinn(&server, &["users", "update", id, "--clear-metadata"]).ok();
    assert_eq!(cleared.lines()[0]["metadata"], json!({}));
    pinn(&server, &["users", "update", id]).fails(2, &["nothing to change"]);

    let table = pinn(&server, &["users", "list", "-o", "table"]).ok();
    let rows: Vec<&str> = table.stdout.lines().collect();
    assert!(
        rows[0].starts_with("USER_ID") && rows[0].contains("STATUS"),
        "{rows:?}"
    );
    assert!(
        rows[1].starts_with(id) && rows[1].contains("disabled"),
        "{rows:?}"
    );
    let one = pinn(&server, &["users", "get", id, "-o", "table"]).ok();
    assert!(
        one.stdout
            .lines()
            .any(|l| l.starts_with("user_id") && l.ends_with(id))
    );
    assert!(one.stdout.contains("created_at"), "{}", one.stdout);

    let deleted = pinn(&server, &["users", "delete", id]).ok().lines();
    // The request ID is the one the emulator recorded with the user.deleted event.
    let event = newest_event(&server);
    assert_eq!(event.event_type, "user.deleted");
    let request_id = event.request.expect("a request ID");
    assert_eq!(
        deleted[0],
        json!({"object": "user", "user_id": id, "deleted": true, "request_id": request_id})
    );
    let gone = pinn(&server, &["users", "get", id]);
    assert_eq!(gone.stdout, "");
    gone.fails(5, &["invalid request error", "status 404", "request req_"]);
}

#[test]
fn a_users_devices_and_logs_and_the_devices_commands() {
    let server = MockServer::start();
    let (user, device, log) = seeded_user(&server);
    let devices = pinn(&server, &["users", "devices", &user]).ok().lines();
    assert_eq!(devices[0]["device_id"], device.as_str());
    let logs = pinn(&server, &["users", "logs", &user, "--limit", "5"])
        .ok()
        .lines();
    assert_eq!(logs[0]["log_id"], log.as_str());
    assert_eq!(
        server.requests().last().unwrap().query.as_deref(),
        Some("limit=5")
    );

    let got = pinn(&server, &["devices", "get", &device]).ok().lines();
    assert_eq!(got[0]["user_id"], user.as_str());
    let table = pinn(&server, &["devices", "list", "-o", "table"]).ok();
    assert!(table.stdout.lines().nth(1).unwrap().starts_with(&device));
    let device_logs = pinn(&server, &["devices", "logs", &device]).ok().lines();
    assert_eq!(device_logs[0]["success"], true);
    let deleted = pinn(&server, &["devices", "delete", &device, "-o", "table"]).ok();
    let request_id = newest_event(&server).request.unwrap();
    assert_eq!(
        deleted.stdout,
        format!("deleted device {device} (request {request_id})\n")
    );
    assert_eq!(server.count("device"), 0);
}

#[test]
fn a_delete_without_a_request_id() {
    // A server that answers every request with a bare 204, no Request-Id.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let host = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        for _ in 0..2 {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while line != "\r\n" {
                line.clear();
                assert!(reader.read_line(&mut line).unwrap() > 0);
            }
            let mut stream = stream;
            let reply = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
            stream.write_all(reply.as_bytes()).unwrap();
        }
    });
    let delete = |format: &str| {
        let mut c = bare();
        c.env("PINN_SECRET_KEY", "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
        let args = [
            "--api-host",
            &host,
            "users",
            "delete",
            "usr_1",
            "-o",
            format,
        ];
        run(c, &args).ok()
    };
    assert_eq!(
        delete("jsonl").lines()[0],
        json!({"object": "user", "user_id": "usr_1", "deleted": true, "request_id": null})
    );
    assert_eq!(delete("table").stdout, "deleted user usr_1\n");
    server.join().unwrap();
}

#[test]
fn apps() {
    let server = MockServer::start();
    let args = ["apps", "create", "--type", "web", "--name", "Checkout"];
    let app = pinn(
        &server,
        &[&args[..], &["--description", "The shop"]].concat(),
    )
    .ok()
    .lines()
    .remove(0);
    assert_eq!(
        (app["app_type"].as_str(), app["name"].as_str()),
        (Some("web"), Some("Checkout"))
    );
    assert_eq!(server.requests()[0].path, "/v1/apps/web");
    let id = app["app_id"].as_str().unwrap();
    assert_eq!(pinn(&server, &["apps", "get", id]).ok().lines()[0], app);
    let table = pinn(&server, &["apps", "list", "-o", "table"]).ok();
    assert!(table.stdout.contains("Checkout") && table.stdout.contains("The shop"));
    let deleted = pinn(&server, &["apps", "delete", id, "--json"]).ok();
    assert!(deleted.stdout.starts_with("{\n"), "pretty");
    let deleted = deleted.json();
    assert_eq!(deleted["app_id"], id);
    assert_eq!(deleted["deleted"], true);
    let request_id = newest_event(&server).request.unwrap();
    assert_eq!(deleted["request_id"], request_id.as_str());
    assert_eq!(server.count("app"), 0);
    pinn(
        &server,
        &["apps", "create", "--type", "windows", "--name", "x"],
    )
    .fails(2, &["invalid value 'windows'", "ios, android, web"]);
}

#[test]
fn events_and_logs() {
    let server = MockServer::start();
    let (_, _, log) = seeded_user(&server);
    let events = pinn(&server, &["events", "list"]).ok().lines();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["device.created", "user.created"]);
    let id = events[1]["event_id"].as_str().unwrap();
    let event = pinn(&server, &["events", "get", id, "-o", "table"]).ok();
    assert!(
        event
            .stdout
            .lines()
            .any(|l| l.starts_with("type") && l.ends_with("user.created"))
    );

    let logs = pinn(&server, &["logs", "list"]).ok().lines();
    assert_eq!(logs[0]["log_id"], log.as_str());
    let got = pinn(&server, &["logs", "get", &log, "--json"]).ok().json();
    assert_eq!(got["score"], 0.97);
}

#[test]
fn webhook_endpoints() {
    let server = MockServer::start();
    let created = pinn(
        &server,
        &[
            "webhook-endpoints",
            "create",
            "--url",
            "https://example.com/hooks",
            "--event",
            "user.created",
            "--event",
            "user.deleted",
        ],
    )
    .ok()
    .lines()
    .remove(0);
    assert_eq!(created["events"], json!(["user.created", "user.deleted"]));
    let id = created["webhook_endpoint_id"].as_str().unwrap();
    assert_eq!(
        pinn(&server, &["webhook-endpoints", "get", id])
            .ok()
            .lines()[0],
        created
    );
    let updated = pinn(
        &server,
        &[
            "webhook-endpoints",
            "update",
            id,
            "--url",
            "https://example.com/v2",
            "--event",
            "device.created",
            "--status",
            "disabled",
        ],
    )
    .ok()
    .lines()
    .remove(0);
    assert_eq!(
        server.requests().last().unwrap().json(),
        Some(
            json!({"url": "https://example.com/v2", "events": ["device.created"], "status": "disabled"})
        )
    );
    assert_eq!(updated["status"], "disabled");
    let table = pinn(&server, &["webhook-endpoints", "list", "-o", "table"]).ok();
    assert!(table.stdout.contains("https://example.com/v2"));
    pinn(&server, &["webhook-endpoints", "update", id]).fails(2, &["nothing to change"]);
    pinn(
        &server,
        &[
            "webhook-endpoints",
            "create",
            "--url",
            "https://example.com",
        ],
    )
    .fails(2, &["--event <TYPE>"]);
    let deleted = pinn(&server, &["webhook-endpoints", "delete", id])
        .ok()
        .lines();
    assert_eq!(
        deleted[0]["request_id"],
        newest_event(&server).request.unwrap().as_str()
    );
    assert_eq!(server.count("webhook_endpoint"), 0);
}

#[test]
fn enrollment_and_recovery_keys() {
    let server = MockServer::start();
    let (user, _, _) = seeded_user(&server);
    let key = pinn(&server, &["enrollment-keys", "create", "--user-id", &user])
        .ok()
        .lines()
        .remove(0);
    assert_eq!(
        (key["object"].as_str(), key["user_id"].as_str()),
        (Some("enrollment_key"), Some(user.as_str()))
    );
    let key = pinn(
        &server,
        &[
            "recovery-keys",
            "create",
            "--user-id",
            &user,
            "--flow",
            "email",
            "--flow",
            "sms",
        ],
    )
    .ok()
    .lines()
    .remove(0);
    assert_eq!(key["flow"], json!(["email", "sms"]));
    pinn(
        &server,
        &["enrollment-keys", "create", "--user-id", "usr_missing"],
    )
    .fails(7, &["request failed error", "status 422"]);
}

#[test]
fn token_verify_prints_claims_or_the_reason() {
    let server = MockServer::start();
    let token = server.mint_id_token("usr_123", &["palm", "device"]);
    let claims = pinn(&server, &["token", "verify", &token, "--amr", "palm"])
        .ok()
        .lines();
    assert_eq!(claims[0]["sub"], "usr_123");
    assert_eq!(claims[0]["iss"], server.url().as_str());
    let table = pinn(&server, &["token", "verify", &token, "-o", "table"]).ok();
    assert!(
        table
            .stdout
            .lines()
            .any(|l| l.starts_with("sub") && l.ends_with("usr_123"))
    );

    let refused = pinn(&server, &["token", "verify", &token, "--amr", "face"]);
    assert_eq!(refused.stdout, "");
    refused.fails(
        11,
        &["id token verification error: claim amr lacks the required method \"face\""],
    );
    let expired = server.sign_id_token(&json!({
        "sub": "usr_123", "iss": server.url(), "amr": ["palm"], "exp": 1_000_000_000,
    }));
    pinn(&server, &["token", "verify", &expired]).fails(11, &["token expired (claim exp)"]);
    pinn(&server, &["token", "verify", "not-a-token"]).fails(11, &["malformed token"]);

    // `-` reads it from stdin, out of `ps`.
    let mut child = at(&server)
        .args(["token", "verify", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{token}").unwrap();
    let (status, stdout, _) = finish(child);
    assert!(status.success());
    assert!(String::from_utf8_lossy(&stdout).contains("usr_123"));

    // Input far longer than a token is not read to its end (which here never comes: stdin
    // stays open): the crate's "too long", at once.
    let mut child = at(&server)
        .args(["token", "verify", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (done, exited) = std::sync::mpsc::channel::<()>();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&[b'a'; 1024 * 1024]);
        // Open until the command has ended.
        let _ = exited.recv();
    });
    let (status, stdout, stderr) = finish(child);
    drop(done);
    writer.join().unwrap();
    let stderr = String::from_utf8_lossy(&stderr);
    assert_eq!(status.code(), Some(11), "{stderr}");
    assert!(stdout.is_empty());
    assert_eq!(
        stderr,
        "pinn: id token verification error: token is too long\n"
    );
}

#[test]
fn health() {
    let server = MockServer::start();
    let ok = pinn(&server, &["health"]).ok().lines();
    assert_eq!(ok[0], json!({"healthy": true, "api_host": server.url()}));
    assert_eq!(
        pinn(&server, &["health", "-o", "table"]).ok().stdout,
        format!("healthy: {}\n", server.url())
    );
    let (_closed, url) = closed_port();
    let mut c = bare();
    c.env("PINN_SECRET_KEY", "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
    run(c, &["--api-host", &url, "health"]).fails(10, &["unhealthy", &url]);
}
