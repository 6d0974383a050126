//! Walks of every page (`pinn export`, `--all`): streaming, resuming, Ctrl-C, a failure part
//! way, a closed pipe.

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;
use std::time::{Duration, Instant};

use pinn::serde_json::{self, Value};
use pinn_mock::{Fault, MockServer, UserSeed};

#[cfg(unix)]
use crate::interrupt;
use crate::{Reaped, at, create_users, pinn, spawn, wait};

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
    let id = |i: usize| written[written.len() - i]["user_id"].as_str().unwrap();
    let last = id(1);
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(
        stderr.starts_with(&format!("pinn: interrupted after {} users", written.len())),
        "{stderr:?}"
    );
    // The last three IDs written, newest first: should the newest be deleted before the
    // resume, the list starts after the next.
    let recipe = format!(
        "; resume with --starting-after {last} --starting-after {} --starting-after {}\n",
        id(2),
        id(3)
    );
    assert!(stderr.ends_with(&recipe), "{stderr:?}");

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

/// Runs `args` against `server` with stdout a pipe its reader closes after the first line
/// (`| head -1`), and returns the exit code, stderr, and how long it ran after the close.
fn closed_after_one_line(server: &MockServer, args: &[&str]) -> (Option<i32>, String, Duration) {
    let mut c = at(server);
    c.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = spawn(c);
    let mut first = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader (and with it the pipe's read end) is gone here.
    let closed = Instant::now();
    let mut stderr = String::new();
    child
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = wait(&mut child.0);
    assert!(
        !first.is_empty(),
        "{args:?}: no first line; stderr {stderr:?}"
    );
    (status.code(), stderr, closed.elapsed())
}

#[test]
fn a_closed_pipe_ends_quietly() {
    // Far more than the pipe (64 KiB), the output buffer and the items in flight hold
    // together, in every format: a real EPIPE, not an exit before the first write.
    let server = MockServer::start();
    for _ in 0..5_000 {
        server.seed_user(UserSeed::default()).unwrap();
    }
    for args in [
        &["export", "users", "--limit", "100"][..],
        &["users", "list", "--all", "--jsonl"],
        &["users", "list", "--all", "--json"],
        &["users", "list", "--all", "-o", "table"],
    ] {
        server.clear_requests();
        let (code, stderr, took) = closed_after_one_line(&server, args);
        // The reader is gone: it ends at the next write, exit 0, nothing on stderr (no
        // "failed printing to stdout", no panic).
        assert_eq!((code, stderr.as_str()), (Some(0), ""), "{args:?}");
        assert!(took < Duration::from_secs(10), "{args:?}: {took:?}");
        let pages = server
            .requests()
            .iter()
            .filter(|r| r.method == "GET")
            .count();
        assert!(
            pages < 50,
            "{args:?}: it stopped early, yet fetched {pages} of 50 pages"
        );
    }

    // One page, larger than the pipe: 100 users of 2 KB each.
    let big = MockServer::start();
    for i in 0..100 {
        let mut metadata = serde_json::Map::new();
        metadata.insert("n".into(), i.into());
        metadata.insert("note".into(), "x".repeat(2_000).into());
        let seed = UserSeed {
            metadata,
            ..UserSeed::default()
        };
        big.seed_user(seed).unwrap();
    }
    for args in [
        &["users", "list", "--limit", "100"][..],
        &["users", "list", "--limit", "100", "--json"],
    ] {
        let (code, stderr, took) = closed_after_one_line(&big, args);
        assert_eq!((code, stderr.as_str()), (Some(0), ""), "{args:?}");
        assert!(took < Duration::from_secs(10), "{args:?}: {took:?}");
    }
}
