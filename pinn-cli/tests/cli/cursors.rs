//! Resuming after a cursor that was deleted: the list starts after the first
//! `--starting-after` that still exists, and a walk whose page cursor is deleted goes on.
//! The refusal of the cursor is a fault (400, as the emulator answers today, or 404), so
//! these hold against any server, whether or not it takes a deleted cursor itself.

use std::time::Duration;

use pinn::ListParams;
use pinn_mock::{Fault, MockServer};

use crate::{create_users, pinn};

/// The list call is refused once with `status` and this `error.type` (and the calls after
/// it are answered as the emulator does).
fn refuse_cursor_as(server: &MockServer, status: u16, error_type: &str, times: usize) {
    let body = format!(
        r#"{{"error": {{"type": "{error_type}", "message": "starting_after is not an item of /v1/users"}}}}"#
    );
    server.inject(
        Fault::body(status, &body)
            .on_path("/v1/users")
            .on_method("GET")
            .times(times),
    );
}

/// The list call is refused as the emulator refuses a cursor that is not in the list.
fn refuse_cursor(server: &MockServer, status: u16, times: usize) {
    refuse_cursor_as(server, status, "bad_request", times);
}

/// The users' IDs as a list gives them, newest first.
fn listed(server: &MockServer) -> Vec<String> {
    let page = server.client().users().list(&ListParams::new().limit(100));
    page.unwrap().data.into_iter().map(|u| u.user_id).collect()
}

fn delete(server: &MockServer, id: &str) {
    server.client().users().delete(id).unwrap();
}

/// Each request as `GET /v1/users?limit=5&starting_after=…`.
fn wire(server: &MockServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| match &r.query {
            Some(q) => format!("{} {}?{q}", r.method, r.path),
            None => format!("{} {}", r.method, r.path),
        })
        .collect()
}

fn ids(lines: &[pinn::serde_json::Value]) -> Vec<&str> {
    lines
        .iter()
        .map(|u| u["user_id"].as_str().unwrap())
        .collect()
}

#[test]
fn a_resume_after_a_deleted_cursor_starts_after_the_next_id() {
    // As the emulator answers, as a server that says "not found" does, and as one with an
    // error type of its own.
    for (status, error_type) in [
        (400, "bad_request"),
        (404, "not_found"),
        (400, "invalid_cursor"),
    ] {
        let server = MockServer::start();
        create_users(&server, 30);
        let all = listed(&server);
        // The recipe of a walk interrupted after the tenth user: its ID, then the two
        // written before it. The tenth is deleted before the resume.
        let (x, w, v) = (&all[9], &all[8], &all[7]);
        delete(&server, x);
        server.clear_requests();
        refuse_cursor_as(&server, status, error_type, 1);
        let args = [
            "export",
            "users",
            "--limit",
            "5",
            "--starting-after",
            x,
            "--starting-after",
            w,
            "--starting-after",
            v,
        ];
        let run = pinn(&server, &args);
        assert_eq!(run.code, 0, "{status}: {}", run.stderr);
        assert_eq!(
            run.stderr,
            format!("pinn: {x} no longer exists: starting after {w}\n")
        );
        // Exactly the rest: nothing twice, nothing missing.
        assert_eq!(ids(&run.lines()), all[10..], "{status}");
        let wire = wire(&server);
        assert_eq!(
            wire[..3],
            [
                format!("GET /v1/users?limit=5&starting_after={x}"),
                format!("GET /v1/users/{x}"),
                format!("GET /v1/users?limit=5&starting_after={w}"),
            ],
            "{status}"
        );

        // One page, likewise.
        refuse_cursor_as(&server, status, error_type, 1);
        let args = ["users", "list", "--limit", "5", "--starting-after", x];
        let run = pinn(
            &server,
            &[&args[..], &["--starting-after", w, "--jsonl"]].concat(),
        );
        assert_eq!(run.code, 0, "{status}: {}", run.stderr);
        assert_eq!(ids(&run.lines()), all[10..15], "{status}");
    }
}

#[test]
fn a_cursor_refused_while_it_exists_is_the_error() {
    let server = MockServer::start();
    create_users(&server, 10);
    let all = listed(&server);
    server.clear_requests();
    refuse_cursor(&server, 400, 1);
    let args = ["export", "users", "--starting-after", &all[5]];
    let run = pinn(
        &server,
        &[&args[..], &["--starting-after", &all[4]]].concat(),
    );
    let run = run.fails(
        5,
        &["invalid request error", "is not an item", "status 400"],
    );
    assert!(!run.stderr.contains("no longer"), "{:?}", run.stderr);
    assert_eq!(run.stdout, "");
    // It exists: the next ID is not tried.
    assert_eq!(
        wire(&server),
        [
            format!("GET /v1/users?limit=100&starting_after={}", all[5]),
            format!("GET /v1/users/{}", all[5]),
        ]
    );
}

#[test]
fn when_every_cursor_is_gone_the_error_says_what_to_do() {
    let server = MockServer::start();
    create_users(&server, 10);
    let all = listed(&server);
    delete(&server, &all[5]);
    delete(&server, &all[4]);
    refuse_cursor(&server, 400, 1);
    pinn(&server, &["export", "users", "--starting-after", &all[5]]).fails(
        5,
        &[
            "invalid request error",
            &format!(
                "; {} no longer exists: resume after an ID written before it",
                all[5]
            ),
            "given as another --starting-after",
        ],
    );
    refuse_cursor(&server, 400, 2);
    let args = ["export", "users", "--starting-after", &all[5]];
    pinn(
        &server,
        &[&args[..], &["--starting-after", &all[4]]].concat(),
    )
    .fails(
        5,
        &[&format!(
            "; {} and {} no longer exist: resume after an ID written before them",
            all[5], all[4]
        )],
    );
}

#[test]
fn a_walk_goes_on_when_its_cursor_is_deleted_between_pages() {
    let server = MockServer::start();
    create_users(&server, 12);
    let all = listed(&server);
    // The first page as it was served, then its last user deleted before the walk asks for
    // the page after it, which the server refuses.
    let first = server.client().users().list(&ListParams::new().limit(5));
    let first = pinn::serde_json::to_string(&first.unwrap()).unwrap();
    delete(&server, &all[4]);
    server.clear_requests();
    server.inject(
        Fault::body(200, &first)
            .on_path("/v1/users")
            .on_method("GET"),
    );
    refuse_cursor(&server, 400, 1);
    let run = pinn(&server, &["export", "users", "--limit", "5"]).ok();
    // Every user once: the deleted one was written before it was deleted.
    assert_eq!(ids(&run.lines()), all);
    assert_eq!(
        wire(&server),
        [
            "GET /v1/users?limit=5".to_string(),
            format!("GET /v1/users?limit=5&starting_after={}", all[4]),
            format!("GET /v1/users/{}", all[4]),
            format!("GET /v1/users?limit=5&starting_after={}", all[3]),
            format!("GET /v1/users?limit=5&starting_after={}", all[9]),
        ]
    );

    // A cursor that still exists and is refused stops the walk, as any failure does.
    let server = MockServer::start();
    create_users(&server, 12);
    let all = listed(&server);
    server.inject(Fault::delay(Duration::ZERO).on_method("GET"));
    refuse_cursor(&server, 400, 1);
    let run = pinn(&server, &["export", "users", "--limit", "5"]);
    assert_eq!(ids(&run.lines()), all[..5]);
    run.fails(
        5,
        &[
            "is not an item",
            "after 5 users, 1 page",
            &format!(
                "; resume with --starting-after {} --starting-after {} --starting-after {}",
                all[4], all[3], all[2]
            ),
        ],
    );
}
