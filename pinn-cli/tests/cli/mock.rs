//! The emulator: `--mock` with `--seed` and `--demo`, and `pinn mock` with `pinn-mock`'s flags.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{ChildStderr, Stdio};
use std::time::Duration;

use pinn::serde_json::{self, Value};

#[cfg(unix)]
use crate::interrupt;
use crate::{Reaped, Run, bare, run, spawn, wait};

#[test]
fn mock_flag_runs_against_a_fresh_seeded_emulator() {
    let devices = run(bare(), &["--mock", "--demo", "2", "devices", "list"])
        .ok()
        .lines();
    assert_eq!(devices.len(), 2);
    let users = run(bare(), &["--mock", "users", "list"]).ok();
    assert_eq!(users.stdout, "");
    let created = run(bare(), &["--mock", "users", "create", "--metadata", "a=b"])
        .ok()
        .lines();
    assert_eq!(created[0]["metadata"]["a"], "b");
    run(
        bare(),
        &[
            "--mock",
            "--api-host",
            "https://pinnapis.com",
            "users",
            "list",
        ],
    )
    .fails(2, &["cannot be used with"]);
    // Too many demo users is a slip, refused before the emulator starts to fill.
    run(bare(), &["--mock", "--demo", "4294967295", "users", "list"])
        .fails(2, &["--demo", "at most 200000 demo users"]);
}

#[test]
fn mock_flag_with_a_seed_repeats_its_ids() {
    let args = ["--mock", "--seed", "1", "--demo", "2", "users", "list"];
    let first = run(bare(), &args).ok();
    assert_eq!(
        run(bare(), &args).ok().stdout,
        first.stdout,
        "the same output"
    );
    let users = first.lines();
    assert_eq!(users.len(), 2);
    // The clock is frozen at 2100-01-01T00:00:00Z.
    assert_eq!(users[0]["created_at"], 4_102_444_800_i64);
    // So a later run can name an object by its ID.
    let id = users[1]["user_id"].as_str().unwrap();
    let user = run(
        bare(),
        &["--mock", "--seed", "1", "--demo", "2", "users", "get", id],
    )
    .ok()
    .lines();
    assert_eq!(user[0]["metadata"]["external_id"], "demo_1");
    let created = |seed: &str| {
        run(bare(), &["--mock", "--seed", seed, "users", "create"])
            .ok()
            .lines()
            .remove(0)
    };
    assert_eq!(created("5")["user_id"], created("5")["user_id"]);
    assert_ne!(created("5")["user_id"], created("6")["user_id"]);
    run(bare(), &["--mock", "--seed", "-1", "users", "list"])
        .fails(2, &["unexpected argument '-1'"]);
}

/// `pinn mock ARGS…`, in the background, once it has printed the `NAME=value` line `last`.
struct Served {
    child: Reaped,
    settings: HashMap<String, String>,
    stderr: BufReader<ChildStderr>,
}

fn serve_mock(args: &[&str], last: &str) -> Served {
    let mut c = bare();
    c.arg("mock")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = spawn(c);
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let mut settings = HashMap::new();
    while !settings.contains_key(last) {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "ended early");
        let (name, value) = line.trim_end().split_once('=').expect("NAME=value");
        settings.insert(name.to_string(), value.to_string());
    }
    let stderr = BufReader::new(child.0.stderr.take().unwrap());
    Served {
        child,
        settings,
        stderr,
    }
}

impl Served {
    /// The binary pointed at this server.
    fn client(&self, args: &[&str]) -> Run {
        let mut c = bare();
        c.env("PINN_SECRET_KEY", &self.settings["PINN_SECRET_KEY"])
            .env("PINN_API_HOST", &self.settings["PINN_API_HOST"]);
        run(c, args)
    }

    /// The next line it wrote on stderr.
    fn note(&mut self) -> String {
        let mut line = String::new();
        self.stderr.read_line(&mut line).unwrap();
        line
    }

    /// `GET path` of its control API, as JSON.
    fn control(&self, path: &str) -> Value {
        let host = self.settings["PINN_API_HOST"].trim_start_matches("http://");
        // The control API takes the emulator's key, like the API.
        let key = &self.settings["PINN_SECRET_KEY"];
        let mut s = TcpStream::connect(host).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n\
             Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        let (_, body) = raw.split_once("\r\n\r\n").expect("a response");
        serde_json::from_str(body).expect("JSON")
    }
}

#[test]
#[cfg(unix)] // `kill -INT`
fn pinn_mock_serves_and_prints_its_settings() {
    let mut served = serve_mock(&["--port", "0", "--demo", "1"], "PINN_MOCK_ID_TOKEN");
    let settings = served.settings.clone();
    let host = &settings["PINN_API_HOST"];
    assert!(host.starts_with("http://127.0.0.1:"));
    assert!(served.note().starts_with(&format!(
        "pinn mock: serving the Pinn API emulator on {host} "
    )),);
    let note = served.note();
    assert!(note.starts_with("pinn mock: 1 demo user (each"), "{note}");
    assert!(note.contains("PINN_MOCK_ID_TOKEN expires at "), "{note}");
    let client = |args: &[&str]| served.client(args);
    let user = client(&["users", "get", &settings["PINN_MOCK_USER_ID"]])
        .ok()
        .lines();
    assert_eq!(user[0]["metadata"]["external_id"], "demo_1");
    for (what, id) in [
        ("devices", "PINN_MOCK_DEVICE_ID"),
        ("logs", "PINN_MOCK_LOG_ID"),
        ("apps", "PINN_MOCK_APP_ID"),
        ("webhook-endpoints", "PINN_MOCK_WEBHOOK_ENDPOINT_ID"),
        ("events", "PINN_MOCK_EVENT_ID"),
    ] {
        client(&[what, "get", &settings[id]]).ok();
    }
    let claims = client(&[
        "token",
        "verify",
        &settings["PINN_MOCK_ID_TOKEN"],
        "--amr",
        "palm",
    ])
    .ok();
    assert_eq!(
        claims.lines()[0]["sub"],
        settings["PINN_MOCK_USER_ID"].as_str()
    );

    let Reaped(child, _) = &mut served.child;
    interrupt(child);
    assert_eq!(wait(child).code(), Some(130));
}

#[test]
fn pinn_mock_takes_the_flags_of_pinn_mock() {
    // --seed: two servers (and a one-shot --mock) with the same seed make the same objects.
    let args = ["--port", "0", "--seed", "7", "--demo", "2"];
    let mut one = serve_mock(&args, "PINN_MOCK_ID_TOKEN");
    let two = serve_mock(&args, "PINN_MOCK_ID_TOKEN");
    assert_ne!(one.settings["PINN_API_HOST"], two.settings["PINN_API_HOST"]);
    for name in [
        "PINN_SECRET_KEY",
        "PINN_MOCK_USER_ID",
        "PINN_MOCK_DEVICE_ID",
        "PINN_MOCK_LOG_ID",
        "PINN_MOCK_APP_ID",
        "PINN_MOCK_WEBHOOK_ENDPOINT_ID",
        "PINN_MOCK_EVENT_ID",
    ] {
        assert_eq!(one.settings[name], two.settings[name], "{name}");
    }
    let note = one.note();
    assert!(
        note.ends_with("until Ctrl-C (seed 7, clock frozen at 2100-01-01T00:00:00Z)\n"),
        "{note}"
    );
    assert!(one.note().ends_with("expires at 2100-01-01T00:05:00Z\n"));
    let user_id = &one.settings["PINN_MOCK_USER_ID"];
    let user = one.client(&["users", "get", user_id]).ok().lines();
    assert_eq!(user[0]["created_at"], 4_102_444_800_i64);
    let args = [
        "--mock", "--seed", "7", "--demo", "2", "users", "get", user_id,
    ];
    assert_eq!(run(bare(), &args).ok().lines(), user);
    drop((one, two));

    // --clock, --request-log, --idle-timeout.
    let args = [
        "--port",
        "0",
        "--clock",
        "1700000000",
        "--request-log",
        "2",
        "--idle-timeout",
        "0.2",
    ];
    let mut served = serve_mock(&args, "PINN_SECRET_KEY");
    let note = served.note();
    assert!(
        note.ends_with("until Ctrl-C (clock frozen at 2023-11-14T22:13:20Z)\n"),
        "{note}"
    );
    let user = served.client(&["users", "create"]).ok().lines();
    assert_eq!(user[0]["created_at"], 1_700_000_000);
    served.client(&["users", "list"]).ok();
    served.client(&["apps", "list"]).ok();
    let log = served.control("/_mock/requests");
    assert_eq!(log["capacity"], 2);
    assert_eq!(log["data"].as_array().unwrap().len(), 2);
    assert_eq!(log["total"], 3);
    let host = served.settings["PINN_API_HOST"].trim_start_matches("http://");
    let mut idle = TcpStream::connect(host).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let started = std::time::Instant::now();
    assert_eq!(idle.read(&mut [0; 1]).unwrap(), 0, "closed by the server");
    assert!(started.elapsed() < Duration::from_secs(3));

    // Bad values are one line, exit 2, before anything listens.
    for (flag, value, words) in [
        ("--idle-timeout", "0", "more than 0 and at most 86400"),
        ("--idle-timeout", "NaN", "more than 0 and at most 86400"),
        ("--idle-timeout", "soon", "a number of seconds"),
        ("--request-log", "many", "invalid digit"),
        ("--clock", "soon", "invalid digit"),
        ("--port", "70000", "not in 0..=65535"),
        ("--seed", "many", "invalid digit"),
        ("--demo", "200001", "at most 200000 demo users"),
        ("--demo", "99999999999", "at most 200000 demo users"),
        ("--demo", "many", "expected a number of users"),
    ] {
        // `--port 0`: should a bad value ever be taken, the server still starts (and the
        // test fails on its exit code) rather than on a port another test may hold.
        let port = if flag == "--port" { "70000" } else { "0" };
        run(bare(), &["mock", "--port", port, flag, value])
            .fails(2, &[flag, words, "pinn mock --help"]);
    }
    run(bare(), &["mock", "--mock"]).fails(2, &["--mock does not apply"]);
    // The flags of a client are refused, not silently taken.
    for flags in [
        &["--api-host", "http://127.0.0.1:9"][..],
        &["--api-version", "2024-06-01"],
        &["-o", "json"],
        &["--json"],
        &["--jsonl"],
        &["--no-progress"],
        &["--max-retries", "1"],
    ] {
        let named = if flags[0] == "-o" {
            "--output"
        } else {
            flags[0]
        };
        let mut c = bare();
        c.args(["mock", "--port", "0"]).args(flags);
        run(c, &[]).fails(2, &[&format!("{named} does not apply")]);
    }
    run(
        bare(),
        &["mock", "--port", "0", "--jsonl", "--max-retries", "1"],
    )
    .fails(2, &["--jsonl, --max-retries do not apply"]);
    // A port in use, a key the emulator refuses.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    run(bare(), &["mock", "--port", &port])
        .fails(1, &[&format!("cannot listen on 127.0.0.1:{port}")]);
    let dir = std::env::temp_dir().join(format!("pinn-cli-mock-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = dir.join("key");
    std::fs::write(&key_file, "two words\n").unwrap();
    let key_path = key_file.to_str().unwrap();
    run(
        bare(),
        &["mock", "--port", "0", "--secret-key-file", key_path],
    )
    .fails(3, &["configuration error", "is refused", "printable ASCII"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn pinn_mock_never_prints_a_key_from_a_file() {
    const KEY: &str = "sk_test_fromAfile0123456789abc";
    let dir = std::env::temp_dir().join(format!("pinn-cli-mock-key-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = dir.join("key");
    std::fs::write(&key_file, format!("{KEY}\n")).unwrap();
    let key_path = key_file.to_str().unwrap();
    let args = ["--port", "0", "--demo", "1", "--secret-key-file", key_path];
    let mut served = serve_mock(&args, "PINN_MOCK_ID_TOKEN");
    assert!(!served.settings.contains_key("PINN_SECRET_KEY"));
    assert!(
        served.settings.values().all(|v| !v.contains(KEY)),
        "{:?}",
        served.settings
    );
    assert!(served.note().contains("until Ctrl-C"));
    let note = served.note();
    assert!(
        note.contains(&format!("accepts the secret key in {key_path}")),
        "{note}"
    );
    assert!(!note.contains(KEY), "{note}");
    // The key in the file is the one it accepts.
    let mut c = bare();
    c.env("PINN_SECRET_KEY", KEY)
        .env("PINN_API_HOST", &served.settings["PINN_API_HOST"]);
    let user = run(c, &["users", "get", &served.settings["PINN_MOCK_USER_ID"]]).ok();
    assert_eq!(user.lines()[0]["metadata"]["external_id"], "demo_1");
    drop(served);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn pinn_mock_takes_the_extreme_clocks() {
    for (clock, expires) in [
        (i64::MAX, i64::MAX.to_string()),
        (i64::MIN, (i64::MIN + 300).to_string()),
    ] {
        let clock = clock.to_string();
        let args = ["--port", "0", "--clock", &clock, "--demo", "1"];
        let mut served = serve_mock(&args, "PINN_MOCK_ID_TOKEN");
        let note = served.note();
        assert!(
            note.ends_with(&format!("(clock frozen at {clock})\n")),
            "{note}"
        );
        let note = served.note();
        assert!(note.ends_with(&format!("expires at {expires}\n")), "{note}");
        let users = served.client(&["users", "list", "-o", "table"]).ok();
        assert!(users.stdout.contains(&clock), "{}", users.stdout);
    }
}
