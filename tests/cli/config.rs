//! Where the settings come from: the key file, the API version.

use pinn::mock::MockServer;

use crate::{at, bare, pinn, run};

#[test]
fn the_key_from_a_file() {
    let server = MockServer::start();
    let dir = std::env::temp_dir().join(format!("pinn-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = dir.join("key");
    std::fs::write(&key_file, format!("{}\n", server.secret_key())).unwrap();
    let key_path = key_file.to_str().unwrap();
    run(
        bare(),
        &[
            "--api-host",
            &server.url(),
            "--secret-key-file",
            key_path,
            "users",
            "list",
        ],
    )
    .ok();
    // The file wins over the environment.
    let mut c = bare();
    c.env("PINN_SECRET_KEY", "sk_test_wrong_wrong_wrong_wrong");
    run(
        c,
        &[
            "--api-host",
            &server.url(),
            "--secret-key-file",
            key_path,
            "users",
            "list",
        ],
    )
    .ok();

    let empty = dir.join("empty");
    std::fs::write(&empty, "\n").unwrap();
    run(
        bare(),
        &[
            "--secret-key-file",
            empty.to_str().unwrap(),
            "users",
            "list",
        ],
    )
    .fails(3, &["is empty"]);
    let missing = dir.join("missing");
    run(
        bare(),
        &[
            "--secret-key-file",
            missing.to_str().unwrap(),
            "users",
            "list",
        ],
    )
    .fails(3, &["cannot read the secret key file"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_api_version_is_sent() {
    let server = MockServer::start();
    pinn(&server, &["--api-version", "2024-06-01", "users", "list"]).ok();
    let mut c = at(&server);
    c.env("PINN_API_VERSION", "2023-01-01");
    run(c, &["users", "list"]).ok();
    let sent = server.requests();
    assert_eq!(sent[0].header("Pinn-Version"), Some("2024-06-01"));
    assert_eq!(sent[1].header("Pinn-Version"), Some("2023-01-01"));
}
