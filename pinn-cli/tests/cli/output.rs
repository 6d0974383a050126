//! The output formats: one page and every page as a table, pretty JSON and JSON Lines; no
//! terminal escapes from the server; table cells cut to a width; completions and help.

use std::process::Stdio;

use pinn::UserCreateParams;
use pinn::serde_json::{self, json};
use pinn_mock::{Fault, MockServer};

use crate::{bare, create_users, finish, pinn, run};

#[test]
fn one_page_in_each_format() {
    let server = MockServer::start();
    let ids = create_users(&server, 12);
    let newest_first: Vec<&String> = ids.iter().rev().collect();

    let page = pinn(&server, &["users", "list", "--json"]).ok().json();
    assert_eq!(
        (page["object"].as_str(), page["count"].as_u64()),
        (Some("list"), Some(10))
    );
    assert_eq!(page["has_more"], true);
    assert_eq!(page["ended_at"], newest_first[9].as_str());

    let lines = pinn(&server, &["users", "list", "--jsonl", "--limit", "3"])
        .ok()
        .lines();
    let got: Vec<&str> = lines
        .iter()
        .map(|u| u["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(got, newest_first[..3]);
    let next = pinn(
        &server,
        &["users", "list", "--limit", "3", "--starting-after", got[2]],
    )
    .ok();
    assert_eq!(next.lines()[0]["user_id"], newest_first[3].as_str());

    // A table tells people (on stderr) how to get the rest.
    let table = pinn(
        &server,
        &["users", "list", "--output", "table", "--limit", "3"],
    );
    assert_eq!(table.code, 0);
    assert_eq!(table.stdout.lines().count(), 4);
    assert_eq!(
        table.stderr,
        format!("more: --starting-after {} (or --all)\n", got[2])
    );

    pinn(&server, &["users", "list", "--limit", "0"]).fails(2, &["0 is not in 1..=100"]);
    pinn(&server, &["users", "list", "--json", "--jsonl"]).fails(2, &["cannot be used with"]);
}

#[test]
fn all_pages_in_each_format() {
    let server = MockServer::start();
    let ids = create_users(&server, 25);
    let mut expected: Vec<&str> = ids.iter().map(String::as_str).collect();
    expected.reverse();

    let lines = pinn(&server, &["users", "list", "--all", "--limit", "10"])
        .ok()
        .lines();
    let got: Vec<&str> = lines
        .iter()
        .map(|u| u["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(got, expected);
    let gets = server
        .requests()
        .iter()
        .filter(|r| r.method == "GET")
        .count();
    assert_eq!(gets, 3, "one request per page");

    let array = pinn(
        &server,
        &["users", "list", "--all", "--limit", "7", "--json"],
    )
    .ok()
    .json();
    let got: Vec<&str> = array
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(got, expected);

    let table = pinn(&server, &["users", "list", "--all", "-o", "table"]).ok();
    assert_eq!(table.stdout.lines().count(), 26);
    assert!(table.stdout.starts_with("USER_ID"));

    // Empty lists are valid in every format.
    let empty = MockServer::start();
    assert_eq!(
        pinn(&empty, &["apps", "list", "--all", "--json"])
            .ok()
            .json(),
        json!([])
    );
    assert_eq!(pinn(&empty, &["apps", "list", "--all"]).ok().stdout, "");
}

/// A server that sends the key back in what it returns (here, data seeded with it, as a
/// hostile server or another tool could store it) does not get it printed: every format
/// shows `<redacted>`, and stderr says once that the output was changed.
#[test]
fn the_key_sent_back_as_data_is_never_printed() {
    let server = MockServer::start();
    let key = server.secret_key().to_string();
    let mut metadata = serde_json::Map::new();
    metadata.insert("auth".into(), format!("Bearer {key}").into());
    let user = server
        .seed_user(pinn_mock::UserSeed {
            metadata,
            ..Default::default()
        })
        .unwrap();
    for args in [
        &["users", "list", "-o", "table"][..],
        &["users", "list", "--json"],
        &["users", "list", "--all", "--jsonl"],
        &["users", "get", &user.user_id, "-o", "table"],
        &["users", "get", &user.user_id],
        &["export", "users"],
    ] {
        let r = pinn(&server, args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(!r.stdout.contains(&key[8..]), "{args:?}: {}", r.stdout);
        assert!(r.stdout.contains("<redacted>"), "{args:?}: {}", r.stdout);
        assert_eq!(
            r.stderr.matches("held the secret key").count(),
            1,
            "{args:?}: {}",
            r.stderr
        );
    }
}

#[test]
fn no_output_passes_on_terminal_escapes() {
    let server = MockServer::start();
    let params = UserCreateParams::new().metadata_entry("note", "\u{1b}]0;owned\u{7}\u{1b}[31mred");
    server.client().users().create(&params).unwrap();
    let table = pinn(&server, &["users", "list", "-o", "table"]).ok();
    assert!(!table.stdout.contains('\u{1b}'), "{:?}", table.stdout);
    assert!(
        table.stdout.contains("\\u001b") || table.stdout.contains("\\u{1b}"),
        "{:?}",
        table.stdout
    );
    // JSON escapes DEL and the C1 controls too (U+009B is CSI), and means the same value.
    let params = UserCreateParams::new().metadata_entry("note", "\u{9b}31mred\u{7f}");
    server.client().users().create(&params).unwrap();
    let lines = pinn(&server, &["users", "list", "--limit", "1"]).ok();
    assert!(
        !lines.stdout.contains(['\u{9b}', '\u{7f}']),
        "{:?}",
        lines.stdout
    );
    assert!(
        lines.stdout.contains("\\u009b31mred\\u007f"),
        "{:?}",
        lines.stdout
    );
    assert_eq!(lines.lines()[0]["metadata"]["note"], "\u{9b}31mred\u{7f}");
    // Invisible marks past the C1 range: the Arabic letter mark (bidi), a soft hyphen, a tag
    // character past U+FFFF (written as two JSON halves).
    let hidden = "a\u{61c}b\u{ad}c\u{e0041}d";
    let server = MockServer::start();
    let params = UserCreateParams::new().metadata_entry("note", hidden);
    server.client().users().create(&params).unwrap();
    for format in ["jsonl", "json", "table"] {
        let r = pinn(&server, &["users", "list", "-o", format]).ok();
        assert!(
            !r.stdout.contains(['\u{61c}', '\u{ad}', '\u{e0041}']),
            "{format}: {:?}",
            r.stdout
        );
    }
    let lines = pinn(&server, &["users", "list"]).ok();
    assert!(
        lines.stdout.contains("\\udb40\\udc41"),
        "{:?}",
        lines.stdout
    );
    assert_eq!(lines.lines()[0]["metadata"]["note"], hidden);
}

#[test]
fn completions_and_help() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = run(bare(), &["completions", shell]).ok();
        assert!(script.stdout.contains("webhook-endpoints"), "{shell}");
    }
    run(bare(), &["completions", "tcsh"]).fails(2, &["invalid value 'tcsh'"]);
    // A reader that goes away (`| head -1`) ends it quietly.
    let mut c = bare();
    c.args(["completions", "zsh"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    drop(child.stdout.take());
    let (status, _, stderr) = finish(child);
    assert_eq!(status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&stderr), "");
    let help = run(bare(), &["--help"]).ok();
    assert!(help.stdout.contains("export") && help.stdout.contains("--secret-key-file"));
    // Every help is one line per flag, the same for -h and --help, and no line runs on
    // (clap wraps none: it does not probe the terminal's width).
    for command in [
        &[][..],
        &["users"],
        &["users", "update"],
        &["users", "list"],
        &["export"],
        &["mock"],
        &["token", "verify"],
    ] {
        let long = run(bare(), &[command, &["--help"]].concat()).ok().stdout;
        let short = run(bare(), &[command, &["-h"]].concat()).ok().stdout;
        assert_eq!(long, short, "{command:?}");
        assert!(!long.contains("see a summary"), "{command:?}: {long}");
        for line in long.lines() {
            assert!(line.chars().count() <= 100, "{command:?}: {line:?}");
        }
        assert!(
            long.contains("  --max-retries <N>  "),
            "{command:?}: {long}"
        );
    }
    assert!(run(bare(), &["--version"]).ok().stdout.starts_with("pinn "));
    let none = run(bare(), &[]);
    assert_eq!(none.code, 2);
    assert!(none.stderr.contains("Usage: pinn"));
}

#[test]
fn no_terminal_escape_from_the_server_reaches_stderr() {
    let server = MockServer::start();
    let user = server
        .client()
        .users()
        .create(&UserCreateParams::new())
        .unwrap();
    let mut user = serde_json::to_value(&user).unwrap();
    user["user_id"] = json!("usr_\u{1b}[2J\u{9b}31m\u{202e}");
    let page = json!({
        "object": "list",
        "url": "/v1/users",
        "has_more": true,
        "ended_at": "\u{1b}]0;PWNED\u{7}",
        "data": [user],
    })
    .to_string();
    for args in [
        &["users", "list", "-o", "table"][..],
        &["users", "list", "--jsonl"],
        &["users", "list", "--json"],
        &["users", "list", "--all", "-o", "table"],
        &["export", "users"],
    ] {
        server.inject(Fault::body(200, &page));
        let r = pinn(&server, args);
        for (name, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
            assert!(
                !text.contains(['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}']),
                "{args:?}: {name} {text:?}"
            );
        }
    }
    server.inject(Fault::body(200, &page));
    let table = pinn(&server, &["users", "list", "-o", "table"]);
    assert_eq!(
        table.stderr,
        // Escaped, and quoted for the shell the recipe is pasted into.
        "more: --starting-after '\\u{1b}]0;PWNED\\u{7}' (or --all)\n"
    );
}

#[test]
fn a_huge_field_is_cut_in_a_table_and_whole_in_json() {
    let server = MockServer::start();
    let user = server
        .client()
        .users()
        .create(&UserCreateParams::new())
        .unwrap();
    let small = serde_json::to_value(&user).unwrap();
    // A megabyte of two-byte characters: a cut inside one would panic.
    let huge_id = format!("usr_{}", "\u{e9}".repeat(512 * 1024));
    let mut huge = small.clone();
    huge["user_id"] = json!(huge_id);
    let page = json!({
        "object": "list",
        "url": "/v1/users",
        "has_more": false,
        "data": [huge, small],
    })
    .to_string();
    // The cell: 60 characters, the last one an ellipsis.
    let cut = format!("usr_{}\u{2026}", "\u{e9}".repeat(55));
    for args in [
        &["users", "list", "-o", "table"][..],
        &["users", "list", "--all", "-o", "table"],
    ] {
        server.inject(Fault::body(200, &page));
        let table = pinn(&server, args).ok();
        let lines: Vec<&str> = table.stdout.lines().collect();
        assert_eq!(lines.len(), 3, "{args:?}");
        let widest = lines.iter().map(|l| l.chars().count()).max().unwrap();
        assert!(widest < 200, "{args:?}: a row is {widest} characters wide");
        assert!(lines[1].starts_with(&cut), "{args:?}");
        // The second column starts at the same place in every row: after the widest cell of
        // the first (60 characters, cut) and two spaces.
        let second: Vec<String> = lines
            .iter()
            .map(|l| l.chars().skip(62).take(6).collect())
            .collect();
        assert_eq!(second, ["STATUS", "active", "active"], "{args:?}");
    }
    // JSON and JSON Lines carry the value whole.
    server.inject(Fault::body(200, &page));
    let lines = pinn(&server, &["users", "list", "--jsonl"]).ok().lines();
    assert_eq!(lines[0]["user_id"], huge_id.as_str());
    server.inject(Fault::body(200, &page));
    let array = pinn(&server, &["users", "list", "--all", "--json"])
        .ok()
        .json();
    assert_eq!(array[0]["user_id"], huge_id.as_str());
}
