//! Where the settings come from: the key file, the API version.

use std::time::{Duration, Instant};

use pinn_mock::MockServer;

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

#[test]
fn a_key_file_that_is_a_device_a_dead_pipe_or_too_large_is_refused() {
    let dir = std::env::temp_dir().join(format!("pinn-cli-keyfile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let refused = |path: &str, words: &[&str]| {
        // Both the client and the emulator read it; neither may wait or read it all.
        let started = Instant::now();
        run(bare(), &["--secret-key-file", path, "users", "list"]).fails(3, words);
        run(bare(), &["mock", "--port", "0", "--secret-key-file", path]).fails(3, words);
        assert!(started.elapsed() < Duration::from_secs(20), "{path}");
    };
    #[cfg(unix)]
    {
        // A FIFO nobody writes to: opening it for reading would wait forever.
        let fifo = dir.join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        refused(
            fifo.to_str().unwrap(),
            &["nothing opened the pipe for writing within 2 s"],
        );
        // A device that never ends.
        refused("/dev/zero", &["is neither a regular file nor a pipe"]);
        refused(
            dir.to_str().unwrap(),
            &["is neither a regular file nor a pipe"],
        );
    }
    let large = dir.join("large");
    std::fs::write(&large, "k".repeat(5000)).unwrap();
    refused(large.to_str().unwrap(), &["larger than 4096 bytes"]);
    let long = dir.join("long");
    std::fs::write(&long, format!("sk_test_{}\n", "k".repeat(1017))).unwrap();
    refused(long.to_str().unwrap(), &["longer than 1024 bytes"]);
    // The longest key the crate takes, with a line break: read, then refused by the server.
    let longest = dir.join("longest");
    std::fs::write(&longest, format!("sk_test_{}\r\n", "k".repeat(1016))).unwrap();
    let server = MockServer::start();
    let url = server.url();
    let args = [
        "--api-host",
        &url,
        "--secret-key-file",
        longest.to_str().unwrap(),
    ];
    run(bare(), &[&args[..], &["users", "list"]].concat()).fails(4, &["authentication error"]);
    let _ = std::fs::remove_dir_all(dir);
}

/// A key that never touches the disk: `--secret-key-file /dev/stdin` fed by a pipe, as with
/// `vault read … | pinn --secret-key-file /dev/stdin …` or `--secret-key-file <(…)`.
#[cfg(unix)]
#[test]
fn a_key_comes_through_a_pipe() {
    use std::io::Write;
    use std::process::Stdio;

    let server = MockServer::start();
    let mut c = bare();
    c.args([
        "--api-host",
        &server.url(),
        "--secret-key-file",
        "/dev/stdin",
    ])
    .args(["users", "list", "--json"])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    writeln!(child.stdin.take().unwrap(), "{}", server.secret_key()).unwrap();
    let (status, stdout, stderr) = crate::finish(child);
    let stderr = String::from_utf8_lossy(&stderr);
    assert!(status.success(), "{stderr}");
    assert!(String::from_utf8_lossy(&stdout).contains("\"data\""));
    assert_eq!(server.requests().len(), 1);
}
