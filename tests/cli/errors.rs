//! Failures: one line on stderr, and the exit code of each kind; bad input never sent.

use pinn::mock::{Fault, MockServer};

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
