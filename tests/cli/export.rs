//! Walks of every page (`pinn export`, `--all`): streaming, resuming, Ctrl-C, a failure part
//! way, a closed pipe.

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;
use std::time::Duration;

use pinn::mock::{Fault, MockServer, UserSeed};
use pinn::serde_json::{self, Value};

#[cfg(unix)]
use crate::interrupt;
use crate::{Reaped, at, create_users, finish, pinn, spawn, wait};

#[test]
fn export_streams_json_lines_and_resumes() {
    let server = MockServer::start();
    let ids = create_users(&server, 250);
    let all = pinn(&server, &["export", "users"]).ok().lines();
    assert_eq!(all.len(), 250);
    assert_eq!(all[0]["user_id"], ids[249].as_str());
    let queries: Vec<_> = server
        .requests()
        .iter()
        .filter_map(|r| r.query.clone())
        .collect();
    assert!(
        queries.iter().all(|q| q.starts_with("limit=100")),
        "{queries:?}"
    );

    let resumed = pinn(&server, &["export", "users", "--starting-after", &ids[100]])
        .ok()
        .lines();
    assert_eq!(resumed.len(), 100);
    assert_eq!(resumed[0]["user_id"], ids[99].as_str());

    for (what, n) in [
        ("devices", 0),
        ("events", 250),
        ("logs", 0),
        ("apps", 0),
        ("webhook-endpoints", 0),
    ] {
        assert_eq!(
            pinn(&server, &["export", what]).ok().lines().len(),
            n,
            "{what}"
        );
    }
    pinn(&server, &["export", "users", "--json"]).fails(2, &["export writes JSON Lines"]);
}

#[test]
#[cfg(unix)] // `kill -INT`
fn ctrl_c_stops_an_export_with_every_line_whole() {
    let server = MockServer::start();
    create_users(&server, 60);
    // The first page comes at once, every later one 300 ms late.
    server.inject(Fault::delay(Duration::ZERO).on_method("GET"));
    server.inject(
        Fault::delay(Duration::from_millis(300))
            .times(100)
            .on_method("GET"),
    );
    let mut c = at(&server);
    c.args(["export", "users", "--limit", "5"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let Reaped(child, _) = &mut spawn(c);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    while text.lines().count() < 5 {
        assert!(
            stdout.read_line(&mut text).unwrap() > 0,
            "ended early: {text}"
        );
    }
    interrupt(child);
    stdout.read_to_string(&mut text).unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = wait(child);

    assert_eq!(status.code(), Some(130), "stderr: {stderr}");
    assert!(text.ends_with('\n'), "the last line is whole");
    let written: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("whole JSON"))
        .collect();
    assert!(
        written.len() >= 5 && written.len() < 60,
        "{} lines",
        written.len()
    );
    let last = written.last().unwrap()["user_id"].as_str().unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(
        stderr.starts_with(&format!("pinn: interrupted after {} users", written.len())),
        "{stderr:?}"
    );
    assert!(
        stderr
            .trim_end()
            .ends_with(&format!("resume with --starting-after {last}")),
        "{stderr:?}"
    );

    // Resuming where it stopped gives exactly the rest.
    let rest = pinn(
        &server,
        &["export", "users", "--limit", "50", "--starting-after", last],
    );
    assert_eq!(written.len() + rest.ok().lines().len(), 60);
}

#[test]
#[cfg(unix)] // `kill -INT`
fn ctrl_c_closes_a_json_array() {
    let server = MockServer::start();
    create_users(&server, 30);
    server.inject(Fault::delay(Duration::ZERO).on_method("GET"));
    server.inject(
        Fault::delay(Duration::from_millis(300))
            .times(100)
            .on_method("GET"),
    );
    let mut c = at(&server);
    c.args(["users", "list", "--all", "--limit", "5", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let Reaped(child, _) = &mut spawn(c);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    while !text.contains("},\n") {
        assert!(
            stdout.read_line(&mut text).unwrap() > 0,
            "ended early: {text}"
        );
    }
    interrupt(child);
    stdout.read_to_string(&mut text).unwrap();
    assert_eq!(wait(child).code(), Some(130));
    let array: Value = serde_json::from_str(&text).expect("a closed array");
    assert!(!array.as_array().unwrap().is_empty());
}

#[test]
fn a_failure_part_way_keeps_what_was_written() {
    let server = MockServer::start();
    create_users(&server, 12);
    server.inject(Fault::delay(Duration::ZERO).on_method("GET"));
    server.inject(Fault::status(500).on_method("GET"));
    let run = pinn(
        &server,
        &["export", "users", "--limit", "5", "--max-retries", "0"],
    );
    assert_eq!(run.lines().len(), 5);
    let last = run.lines()[4]["user_id"].as_str().unwrap().to_string();
    run.fails(
        9,
        &[
            "api error",
            "status 500",
            "after 5 users",
            &format!("--starting-after {last}"),
        ],
    );
}

#[test]
fn one_item_is_counted_as_one() {
    let server = MockServer::start();
    let ids = create_users(&server, 2);
    server.inject(Fault::delay(Duration::ZERO).on_method("GET"));
    server.inject(Fault::status(500).on_method("GET"));
    let run = pinn(
        &server,
        &["export", "users", "--limit", "1", "--max-retries", "0"],
    );
    let resume = format!("; resume with --starting-after {}", ids[1]);
    run.fails(9, &["after 1 user, 1 page", &resume]);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    // Far more than the pipe, the output buffer and the items in flight hold together.
    let server = MockServer::start();
    for _ in 0..5_000 {
        server.seed_user(UserSeed::default()).unwrap();
    }
    let mut c = at(&server);
    c.args(["export", "users", "--limit", "100"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is gone: the export ends at the next write, exit 0, nothing on stderr.
    let (status, _, stderr) = finish(child);
    assert_eq!(status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&stderr), "");
    let pages = server
        .requests()
        .iter()
        .filter(|r| r.method == "GET")
        .count();
    assert!(
        pages < 50,
        "it stopped early, yet fetched {pages} of 50 pages"
    );
}
