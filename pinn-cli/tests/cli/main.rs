//! The `pinn` binary, run for real against emulators started here.
//!
//! Each test starts its own servers on 127.0.0.1 (a `MockServer` mostly; else `--mock`, `pinn
//! mock` or a bare responder) and runs the binary with `--api-host` and the key in the child's
//! `PINN_SECRET_KEY`, or in a file. Every child has the developer's `PINN_*` variables and
//! `NO_PROXY` removed and a dead proxy (`127.0.0.1:9`) in every proxy variable, upper and lower
//! case: nothing can reach a real account, and loopback must not go through a proxy. Every
//! child is killed after a minute, so a regression that hangs fails instead.
//!
//! This file holds what the tests share; the tests are in one module per theme.

mod config;
mod cursors;
mod errors;
mod export;
mod flags;
mod mock;
mod output;
mod resources;
mod signals;

use std::io::Read;
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use pinn::serde_json::{self, Value};
use pinn::{ListParams, UserCreateParams};
use pinn_mock::{DeviceSeed, MockServer};

const DEAD_PROXY: &str = "http://127.0.0.1:9";

/// How long a child may run before it is killed and its test fails.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The binary, with a clean environment: no `PINN_*`, no `NO_PROXY`, and a proxy that must
/// never be used in every variable a proxy can come from.
fn bare() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pinn"));
    for (name, _) in std::env::vars_os() {
        let name_text = name.to_string_lossy();
        if name_text.starts_with("PINN_") || name_text.eq_ignore_ascii_case("no_proxy") {
            c.env_remove(name);
        }
    }
    for proxy in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        c.env(proxy, DEAD_PROXY);
    }
    c.env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE");
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
    c.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = c.spawn().expect("run pinn");
    let (status, stdout, stderr) = finish(child);
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8(stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(stderr).expect("UTF-8 stderr"),
    }
}

/// Waits for `child` and collects what it writes to its piped stdout and stderr (if piped),
/// killing it and failing the test after [`TIMEOUT`].
fn finish(mut child: Child) -> (ExitStatus, Vec<u8>, Vec<u8>) {
    fn collect(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    }
    let stdout = collect(child.stdout.take());
    let stderr = collect(child.stderr.take());
    let status = wait(&mut child);
    (status, stdout.join().unwrap(), stderr.join().unwrap())
}

/// Waits for `child` to end, killing it and failing the test after [`TIMEOUT`].
fn wait(child: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().expect("wait for pinn") {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("pinn still running after {TIMEOUT:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A loopback URL where nothing listens, and nothing can start to while the socket lives: it
/// holds the port, bound but not listening (and without `SO_REUSEADDR`), so a connection is
/// refused and no other test can be given the port.
fn closed_port() -> (socket2::Socket, String) {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    socket
        .bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .unwrap();
    let port = socket.local_addr().unwrap().as_socket().unwrap().port();
    (socket, format!("http://127.0.0.1:{port}"))
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

/// A child that is killed if a test fails before it ends, or when it runs longer than
/// [`TIMEOUT`] (on unix: a test blocked reading its output then sees the pipe close).
struct Reaped(Child, #[allow(dead_code)] Watchdog);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Kills a process after [`TIMEOUT`] unless dropped first.
struct Watchdog(#[allow(dead_code)] mpsc::Sender<()>);

impl Watchdog {
    fn new(child: &Child) -> Watchdog {
        let (tx, rx) = mpsc::channel::<()>();
        let pid = child.id();
        std::thread::spawn(move || {
            if rx.recv_timeout(TIMEOUT) == Err(mpsc::RecvTimeoutError::Timeout) {
                eprintln!("pinn (pid {pid}) still running after {TIMEOUT:?}: killed");
                #[cfg(unix)]
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
        });
        Watchdog(tx)
    }
}

fn spawn(mut c: Command) -> Reaped {
    let child = c.spawn().expect("spawn pinn");
    let watchdog = Watchdog::new(&child);
    Reaped(child, watchdog)
}

#[cfg(unix)]
fn interrupt(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
}
