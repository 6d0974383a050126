//! Failures: one line on stderr, and the exit code of each kind; bad input never sent.

use pinn_mock::{Fault, MockServer};

use crate::{bare, closed_port, pinn, run};

#[test]
fn each_error_kind_has_its_exit_code() {
    let server = MockServer::start();
    for (fault, code, words) in [
        (Fault::status(403), 6, "forbidden error"),
        (Fault::status(409), 7, "request failed error"),
        (Fault::rate_limit("1"), 8, "rate limit error"),
        (Fault::status(500), 9, "api error"),
        (Fault::status(503), 10, "api connection error"),
        (Fault::status(418), 12, "pinn error"),
        (
            Fault::body(200, "{\"object\": \"list\", \"data\": 7}"),
            12,
            "invalid response",
        ),
        // The error JSON's type comes first (as docs/cli.md says), then the status; 500 and
        // 502-504 whatever the type.
        (
            Fault::body(404, &error_json("not_found")),
            5,
            "invalid request error",
        ),
        (Fault::body(404, &error_json("teapot")), 12, "pinn error"),
        (
            Fault::body(400, &error_json("rate_limit_exceeded")),
            8,
            "rate limit error",
        ),
        (
            Fault::body(404, "<html>Not Found</html>"),
            5,
            "invalid request error",
        ),
        (Fault::body(500, &error_json("not_found")), 9, "api error"),
        (
            Fault::body(503, &error_json("teapot")),
            10,
            "api connection error",
        ),
    ] {
        server.inject(fault);
        pinn(&server, &["users", "list", "--max-retries", "0"])
            .fails(code, &[words, "request req_"]);
    }
    let mut wrong_key = bare();
    wrong_key.env("PINN_SECRET_KEY", "sk_test_wrong_wrong_wrong_wrong");
    run(wrong_key, &["--api-host", &server.url(), "users", "list"])
        .fails(4, &["authentication error", "status 401"]);
}

/// Pinn's error JSON with this `error.type`.
fn error_json(error_type: &str) -> String {
    format!("{{\"error\": {{\"type\": \"{error_type}\", \"message\": \"from a fault\"}}}}")
}

#[test]
fn bad_input_is_one_line_and_a_nonzero_exit() {
    let server = MockServer::start();
    pinn(&server, &["users", "list", "--limt", "3"]).fails(
        2,
        &[
            "unexpected argument '--limt'",
            "'--limit'",
            "pinn users list --help",
        ],
    );
    pinn(&server, &["users", "lst"]).fails(2, &["unrecognized subcommand 'lst'"]);
    pinn(&server, &["users", "create", "--metadata", "plan"])
        .fails(2, &["no '=' found", "pinn users create --help"]);
    pinn(&server, &["users", "create", "--metadata", "=pro"]).fails(2, &["the key is empty"]);
    pinn(&server, &["users", "list", "--seed", "3"]).fails(2, &["--seed"]);
    pinn(&server, &["users", "list", "--demo", "3"])
        .fails(2, &["--demo fills an emulator", "--mock"]);
    assert_eq!(server.requests().len(), 0, "nothing was sent");

    // A key on the command line is refused wherever it stands, and never echoed.
    for args in [
        &["--secret-key", "sk_test_SEEKRIT", "users", "list"][..],
        &["users", "list", "--secret-key=sk_test_SEEKRIT"],
    ] {
        let refused = run(bare(), args);
        assert!(!refused.stderr.contains("SEEKRIT"));
        refused.fails(
            2,
            &[
                "--secret-key is refused",
                "PINN_SECRET_KEY",
                "--secret-key-file",
            ],
        );
    }

    run(bare(), &["users", "list"]).fails(3, &["no secret key", "PINN_SECRET_KEY"]);
    let mut ftp = bare();
    ftp.env("PINN_SECRET_KEY", "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
    run(ftp, &["--api-host", "ftp://example.com", "users", "list"])
        .fails(3, &["configuration error", "must start with https://"]);

    let (_closed, host) = closed_port();
    let mut refused = bare();
    refused.env("PINN_SECRET_KEY", "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
    run(
        refused,
        &["--api-host", &host, "--max-retries", "0", "users", "list"],
    )
    .fails(10, &["api connection error: could not connect"]);
}

#[test]
fn the_key_is_never_echoed() {
    const KEY: &str = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
    let with_key = |key: &str| {
        let mut c = bare();
        c.env("PINN_SECRET_KEY", key);
        c
    };
    // Each argument clap quotes back, and each path or host the CLI names.
    let key_file = format!("--secret-key-file={KEY}");
    let limit = format!("--limit={KEY}");
    for (args, code) in [
        (&["users", "list", KEY][..], 2),
        (&[KEY, "users", "list"], 2),
        (&["users", "list", &limit], 2),
        (&["users", "list", "-o", KEY], 2),
        (&["--max-retries", KEY, "users", "list"], 2),
        (&["completions", KEY], 2),
        (&["export", KEY], 2),
        (&["--secret-key-file", KEY, "users", "list"], 3),
        (&[&key_file, "users", "list"], 3),
    ] {
        // Whether or not the key is also the one in the environment.
        for c in [bare(), with_key(KEY)] {
            let r = run(c, args);
            assert!(!r.stderr.contains(KEY), "{args:?}: {:?}", r.stderr);
            assert!(!r.stdout.contains(KEY), "{args:?}: {:?}", r.stdout);
            r.fails(code, &["<redacted>"]);
        }
    }
    // A key given as the host is refused as such, and not named at all.
    for c in [bare(), with_key(KEY)] {
        let r = run(c, &["--api-host", KEY, "users", "list"]);
        assert!(!r.stdout.contains(KEY), "{:?}", r.stdout);
        assert!(!r.stderr.contains(KEY), "{:?}", r.stderr);
        r.fails(3, &["the api host looks like a secret key"]);
    }
    // A key without the usual prefix is known by being the one in PINN_SECRET_KEY.
    const PLAIN: &str = "Zq8mUu3pRkd1Yx7Lc0Wn";
    let limit = format!("--limit={PLAIN}");
    let as_host = "the api host looks like a secret key";
    for (args, code, words) in [
        (&["users", "list", PLAIN][..], 2, "<redacted>"),
        (&[PLAIN], 2, "<redacted>"),
        (&["users", "list", &limit], 2, "<redacted>"),
        (
            &["--secret-key-file", PLAIN, "users", "list"],
            3,
            "<redacted>",
        ),
        (&["--api-host", PLAIN, "users", "list"], 3, as_host),
    ] {
        let r = run(with_key(PLAIN), args);
        assert!(!r.stderr.contains(PLAIN), "{args:?}: {:?}", r.stderr);
        r.fails(code, &[words]);
    }
    // Or by being the content of the key file, once read.
    let dir = std::env::temp_dir().join(format!("pinn-cli-echo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("key");
    std::fs::write(&file, format!("{PLAIN}\n")).unwrap();
    let r = run(
        bare(),
        &[
            "--secret-key-file",
            file.to_str().unwrap(),
            "--api-host",
            PLAIN,
            "users",
            "list",
        ],
    );
    assert!(!r.stderr.contains(PLAIN), "{:?}", r.stderr);
    r.fails(3, &[as_host]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
#[cfg(unix)] // arguments that are not UTF-8
fn the_key_is_never_echoed_from_arguments_that_are_not_utf8() {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;
    let odd = |text: &str| {
        let mut bytes = text.as_bytes().to_vec();
        bytes.push(0xff);
        OsString::from_vec(bytes)
    };
    for (args, code, words) in [
        (
            vec![
                odd("--secret-key=sk_test_SEEKRIT"),
                "users".into(),
                "list".into(),
            ],
            2,
            "--secret-key is refused",
        ),
        (
            vec!["users".into(), "list".into(), odd("sk_test_SEEKRIT")],
            2,
            "usage error",
        ),
        (
            vec![
                "users".into(),
                "list".into(),
                odd("--limit=sk_test_SEEKRIT"),
            ],
            2,
            "usage error",
        ),
    ] {
        let mut c = bare();
        c.args(&args);
        let r = run(c, &[]);
        assert!(!r.stderr.contains("SEEKRIT"), "{args:?}: {:?}", r.stderr);
        r.fails(code, &[words]);
    }
}

#[test]
fn usage_errors_come_before_the_key_and_the_network() {
    // Nothing listens at the host; no key, or a key file that does not exist: a usage error
    // still says what is wrong with the command line, and nothing else is tried.
    let (_closed, host) = closed_port();
    let long_id = "x".repeat(1025);
    let cases: [(&[&str], &str); 11] = [
        (&["users", "update", "usr_x"], "nothing to change"),
        (
            &["webhook-endpoints", "update", "we_x"],
            "nothing to change",
        ),
        (
            &["export", "users", "-o", "table"],
            "export writes JSON Lines",
        ),
        (&["export", "users", "--json"], "export writes JSON Lines"),
        (&["users", "get", ""], "an ID cannot be empty"),
        (&["devices", "logs", "", "--all"], "an ID cannot be empty"),
        (
            &["users", "list", "--starting-after", ""],
            "an ID cannot be empty",
        ),
        (
            &["export", "logs", "--starting-after", ""],
            "an ID cannot be empty",
        ),
        (
            &["enrollment-keys", "create", "--user-id", &long_id],
            "at most 1024 bytes",
        ),
        (&["apps", "delete", &long_id], "at most 1024 bytes"),
        (
            &["token", "verify", "a.b.c", "--amr", ""],
            "a value is required for '--amr",
        ),
    ];
    for (args, words) in cases {
        let mut with_key = bare();
        with_key.env("PINN_SECRET_KEY", "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
        let mut no_key = bare();
        no_key.args(["--secret-key-file", "/nonexistent/pinn-key"]);
        for (who, c) in [("a key", with_key), ("no key", no_key)] {
            let mut c = c;
            c.args(["--api-host", &host, "--max-retries", "0"]);
            let r = run(c, args);
            assert_eq!(r.code, 2, "{args:?} with {who}: {:?}", r.stderr);
            r.fails(2, &["usage error", words]);
        }
    }
    // With `--mock` too, the whole command line is checked: an update that changes nothing is
    // a usage error there as well (the emulator would otherwise be sent an empty update).
    run(
        bare(),
        &["--mock", "--demo", "3", "users", "update", "usr_x"],
    )
    .fails(2, &["nothing to change"]);
}
