//! `pinn-mock`'s flags are `pinn_mock::flags`: given to the binary, each has the effect it has
//! on a `MockServer` built with `Flag::apply`, and each value `Flag::apply` refuses, the binary
//! refuses with the same words, exit 2, before anything listens. The `pinn` CLI's tests hold
//! `pinn mock` to the same (pinn-cli/tests/cli/flags.rs), so both take the same flags.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::raw::{api, call, connect, control};
use pinn_mock::MockServer;
use pinn_mock::flags::Flag;
use serde_json::{Value, json};

/// A `pinn-mock` child, killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `pinn-mock --flag=value…`.
fn pinn_mock(given: &[(Flag, &str)]) -> Command {
    let args = given.iter().map(|(f, v)| format!("--{}={v}", f.long()));
    spelled(args.collect())
}

/// `pinn-mock` with these arguments.
fn spelled(args: Vec<String>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pinn-mock"));
    c.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// `pinn-mock --flag=value…`, once it has printed its settings: the child, its port and key.
fn serve(given: &[(Flag, &str)]) -> (Running, u16, String) {
    let mut child = Running(pinn_mock(given).spawn().unwrap());
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let mut setting = |name: &str| {
        let line = lines.next().unwrap().unwrap();
        line.strip_prefix(name).map(str::to_owned).unwrap()
    };
    let _ = setting("pinn-mock listening on ");
    let (host, key) = (setting("PINN_API_HOST="), setting("PINN_SECRET_KEY="));
    let port = host.rsplit(':').next().unwrap().parse().unwrap();
    (child, port, key)
}

/// `pinn-mock` run to its end, which must come within 30 seconds (a value it wrongly took
/// would have it serve).
fn refused(mut c: Command) -> Output {
    let mut child = Running(c.spawn().unwrap());
    let started = Instant::now();
    while child.0.try_wait().unwrap().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{c:?}: it serves"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut out = Output {
        status: child.0.wait().unwrap(),
        stdout: Vec::new(),
        stderr: Vec::new(),
    };
    child
        .0
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut out.stdout)
        .unwrap();
    child
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_end(&mut out.stderr)
        .unwrap();
    out
}

/// What the flags of a server show from outside: its key, its first user, its clock, its
/// request log's capacity, whether an idle connection is closed within a second, and how a
/// second connection is answered while one is held.
fn seen(port: u16, key: &str) -> Value {
    let user = api(port, key, "POST", "/v1/users", "").json();
    let clock = control(port, key, "GET", "/_mock/clock", "").json();
    let log = control(port, key, "GET", "/_mock/requests", "").json();
    let mut idle = connect(port);
    idle.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let closed = matches!(idle.read(&mut [0; 1]), Ok(0));
    drop(idle);
    let held = connect(port);
    std::thread::sleep(Duration::from_millis(50));
    let second = call(port, "GET", "/health", "").status;
    drop(held);
    json!({
        "key": key, "user": user, "clock": clock, "capacity": log["capacity"],
        "idle_closed": closed, "second_connection": second,
    })
}

/// The same, of a server built in this process with `Flag::apply`.
fn seen_in_process(given: &[(Flag, &str)]) -> Value {
    let build = |b, (flag, value): &(Flag, &str)| flag.apply(b, value).unwrap();
    let server = given
        .iter()
        .fold(MockServer::builder(), build)
        .start()
        .unwrap();
    seen(server.port(), server.secret_key())
}

#[test]
fn each_flag_has_the_effect_it_has_on_a_builder() {
    let runs: [&[(Flag, &str)]; 2] = [
        &[
            (Flag::Port, "0"),
            (Flag::Seed, "7"),
            (Flag::Clock, "-1700000000"),
            (Flag::RequestLog, "2"),
            (Flag::IdleTimeout, "0.2"),
        ],
        &[
            (Flag::Port, "0"),
            (Flag::SecretKey, "sk_test_flags_0123456789"),
            (Flag::Seed, "8"),
            (Flag::MaxConnections, "1"),
            (Flag::IdleTimeout, "86400"),
        ],
    ];
    for given in runs {
        let (_child, port, key) = serve(given);
        let binary = seen(port, &key);
        assert_eq!(binary, seen_in_process(given), "{given:?}");
        assert_ne!(port, 12111, "--port=0 picks a free port");
        // Each setting shows, so the comparison tells them apart.
        match binary["capacity"] == 2 {
            true => {
                assert_eq!(binary["user"]["created_at"], -1_700_000_000);
                assert_eq!(binary["idle_closed"], true);
            }
            false => {
                assert_eq!(binary["key"], "sk_test_flags_0123456789");
                assert_eq!(binary["second_connection"], 503);
            }
        }
    }
    // Between them, the runs give every flag.
    for flag in Flag::ALL {
        assert!(
            runs.iter().any(|r| r.iter().any(|(f, _)| f == flag)),
            "{flag:?}"
        );
    }
}

/// Values a flag refuses, each for a reason of its own.
const REFUSED: &[(Flag, &str)] = &[
    (Flag::Port, "70000"),
    (Flag::Port, "-1"),
    (Flag::Port, "twelve"),
    (Flag::Port, ""),
    (Flag::Seed, "-1"),
    (Flag::Seed, "18446744073709551616"),
    (Flag::Clock, "soon"),
    (Flag::Clock, "-9223372036854775809"),
    (Flag::RequestLog, "many"),
    (Flag::IdleTimeout, "0"),
    (Flag::IdleTimeout, "-0"),
    (Flag::IdleTimeout, "NaN"),
    (Flag::IdleTimeout, "1e999"),
    (Flag::IdleTimeout, "soon"),
    (Flag::MaxConnections, "0"),
    (Flag::MaxConnections, "-1"),
    (Flag::Port, "sk_test_4eC39HqLyjWDarjtT1zdp7dc"),
];

#[test]
fn each_value_a_flag_refuses_is_refused_in_its_words() {
    for &(flag, value) in REFUSED {
        let why = flag.apply(MockServer::builder(), value).unwrap_err();
        let name = format!("--{}", flag.long());
        // As one argument, and as two: a value that starts with `-` is still the flag's.
        let one = pinn_mock(&[(Flag::Port, "0"), (flag, value)]);
        let two = spelled(["--port=0", &name, value].map(str::to_string).to_vec());
        for out in [refused(one), refused(two)] {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{name}={value}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{name}={value}: {stderr}");
            assert!(
                stderr.contains(&name) && stderr.contains(&why),
                "{why:?}: {stderr}"
            );
            assert!(!stderr.contains("sk_test_4eC"), "{stderr}");
            assert!(out.stdout.is_empty(), "{name}={value}: it started");
        }
    }
    // The key is taken as it is, and refused as the server starts.
    let out = refused(pinn_mock(&[
        (Flag::Port, "0"),
        (Flag::SecretKey, "two words"),
    ]));
    assert_eq!(out.status.code(), Some(2));
    let started = MockServer::builder().secret_key("two words").start();
    let why = started.unwrap_err().to_string();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("pinn-mock: {why}\n")
    );
}

#[test]
fn the_help_lists_each_flag_with_its_own() {
    let mut help = pinn_mock(&[]);
    let out = help.arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for flag in Flag::ALL {
        let usage = format!("--{} {}", flag.long(), flag.value_name());
        assert!(flat.contains(&format!("[{usage}]")), "{usage}: {text}");
        assert!(
            flat.contains(&format!("{usage} {}", flag.help())),
            "{flag:?}: {text}"
        );
    }
}
