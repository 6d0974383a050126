//! The `pinn` binary, run for real against emulators started here.
//!
//! Each test starts its own servers on 127.0.0.1 (a `MockServer` mostly; else `--mock`, `pinn
//! mock` or a bare responder) and runs the binary with `--api-host` and the key in the child's
//! `PINN_SECRET_KEY`, or in a file. Every child has the developer's `PINN_*`
//! variables removed and a dead proxy (`127.0.0.1:9`) in `HTTP_PROXY`, `HTTPS_PROXY` and
//! `ALL_PROXY`: nothing can reach a real account, and loopback must not go through a proxy.
//!
//! This file holds what the tests share; the tests are in one module per theme.

mod config;
mod errors;
mod export;
mod mock;
mod output;
mod resources;

use std::process::{Child, Command, Stdio};

use pinn::mock::{DeviceSeed, MockServer};
use pinn::serde_json::{self, Value};
use pinn::{ListParams, UserCreateParams};

const DEAD_PROXY: &str = "http://127.0.0.1:9";

/// The binary, with a clean environment: no `PINN_*`, a proxy that must never be used.
fn bare() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pinn"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PINN_") {
            c.env_remove(name);
        }
    }
    for proxy in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
    ] {
        c.env(proxy, DEAD_PROXY);
    }
    c.stdin(Stdio::null());
    c
}

/// The binary pointed at `server`.
fn at(server: &MockServer) -> Command {
    let mut c = bare();
    c.env("PINN_SECRET_KEY", server.secret_key())
        .args(["--api-host", &server.url()]);
    c
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The output as JSON (one document).
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.stdout))
    }

    /// The output as JSON Lines.
    fn lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l:?}")))
            .collect()
    }

    /// Succeeded, with nothing on stderr.
    fn ok(self) -> Run {
        assert_eq!(self.code, 0, "stderr: {}", self.stderr);
        assert_eq!(self.stderr, "", "stderr");
        self
    }

    /// Failed with `code` and one line on stderr containing each of `needles`.
    fn fails(self, code: i32, needles: &[&str]) -> Run {
        assert_eq!(
            self.code, code,
            "stdout: {} stderr: {}",
            self.stdout, self.stderr
        );
        assert_eq!(
            self.stderr.lines().count(),
            1,
            "one line: {:?}",
            self.stderr
        );
        assert!(self.stderr.starts_with("pinn: "), "{:?}", self.stderr);
        for n in needles {
            assert!(self.stderr.contains(n), "{n:?} not in {:?}", self.stderr);
        }
        assert!(!self.stderr.contains("panicked"), "{:?}", self.stderr);
        self
    }
}

fn run(mut c: Command, args: &[&str]) -> Run {
    let out = c.args(args).output().expect("run pinn");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

fn pinn(server: &MockServer, args: &[&str]) -> Run {
    run(at(server), args)
}

/// A user with a device and a log, made through the crate and the emulator.
fn seeded_user(server: &MockServer) -> (String, String, String) {
    let client = server.client();
    let user = client.users().create(&UserCreateParams::new()).unwrap();
    let device = server
        .enroll_device(&user.user_id, DeviceSeed::default())
        .unwrap();
    let log = server.record_log(&device.device_id, true).unwrap();
    (user.user_id, device.device_id, log.log_id)
}

/// The newest event the emulator recorded.
fn newest_event(server: &MockServer) -> pinn::Event {
    let page = server.client().events().list(&ListParams::new().limit(1));
    page.unwrap().data.remove(0)
}

fn create_users(server: &MockServer, n: usize) -> Vec<String> {
    let client = server.client();
    (0..n)
        .map(|i| {
            let params = UserCreateParams::new().metadata_entry("n", i.to_string());
            client.users().create(&params).unwrap().user_id
        })
        .collect()
}

/// A child that is killed if a test fails before it ends.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(mut c: Command) -> Reaped {
    Reaped(c.spawn().expect("spawn pinn"))
}

#[cfg(unix)]
fn interrupt(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
}
