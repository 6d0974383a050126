//! `pinn mock` takes the server flags of `pinn-mock`, `pinn_mock::flags`: given to it, each
//! has the effect it has on a `MockServer` built with `Flag::apply`, and each value
//! `Flag::apply` refuses, it refuses with the same words, exit 2, before anything listens.
//! The emulator's tests hold `pinn-mock` to the same (pinn-mock/tests/emulator/flags.rs), so
//! both take the same flags. The key comes from `--secret-key-file`, and `--seed` is global.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::Duration;

use pinn::serde_json::{self, Value, json};
use pinn_mock::MockServer;
use pinn_mock::flags::Flag;

use crate::{Reaped, Run, bare, run, spawn};

/// `pinn mock` with the flags as it spells them (the key in a file), once it has printed its
/// settings: the child, its port and the key it accepts.
fn serve(given: &[(Flag, &str)]) -> (Reaped, u16, String) {
    let key_file = std::env::temp_dir().join(format!("pinn-cli-flags-{}", std::process::id()));
    let mut c = bare();
    c.arg("mock");
    let mut key = None;
    for &(flag, value) in given {
        if flag == Flag::SecretKey {
            std::fs::write(&key_file, value).unwrap();
            c.arg("--secret-key-file").arg(&key_file);
            key = Some(value.to_string());
        } else {
            c.arg(format!("--{}={value}", flag.long()));
        }
    }
    c.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = spawn(c);
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let mut setting = |name: &str| {
        let line = lines.next().unwrap().unwrap();
        line.strip_prefix(name).map(str::to_owned).unwrap()
    };
    let host = setting("PINN_API_HOST=");
    // A key from a file is not printed.
    let key = key.unwrap_or_else(|| setting("PINN_SECRET_KEY="));
    let _ = std::fs::remove_file(key_file);
    let port = host.rsplit(':').next().unwrap().parse().unwrap();
    (child, port, key)
}

/// A connection to the server on `port`.
fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// `method path` with the key on a connection of its own: the status and the body's JSON.
fn call(port: u16, key: &str, method: &str, path: &str) -> (u16, Value) {
    let mut s = connect(port);
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").expect("an answer");
    let status = head[9..12].parse().unwrap();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

/// What the flags of a server show from outside: its key, its first user, its clock, its
/// request log's capacity, whether an idle connection is closed within a second, and how a
/// second connection is answered while one is held.
fn seen(port: u16, key: &str) -> Value {
    let user = call(port, key, "POST", "/v1/users").1;
    let clock = call(port, key, "GET", "/_mock/clock").1;
    let log = call(port, key, "GET", "/_mock/requests").1;
    let mut idle = connect(port);
    idle.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let closed = matches!(idle.read(&mut [0; 1]), Ok(0));
    drop(idle);
    let held = connect(port);
    std::thread::sleep(Duration::from_millis(50));
    let second = call(port, key, "GET", "/health").0;
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
fn each_server_flag_has_the_effect_it_has_on_a_builder() {
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
        let served = seen(port, &key);
        assert_eq!(served, seen_in_process(given), "{given:?}");
        assert_ne!(port, 12111, "--port=0 picks a free port");
        // Each setting shows, so the comparison tells them apart.
        match served["capacity"] == 2 {
            true => {
                assert_eq!(served["user"]["created_at"], -1_700_000_000);
                assert_eq!(served["idle_closed"], true);
            }
            false => {
                assert_eq!(served["key"], "sk_test_flags_0123456789");
                assert_eq!(served["second_connection"], 503);
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

/// Values a flag refuses, each for a reason of its own: the emulator's tests refuse these too.
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

/// `pinn mock` with `flag` and `value` (as one argument, or two), after `--port=0` so that a
/// value wrongly taken starts nothing on a port in use; not after it for `--port` itself,
/// which clap refuses twice (`pinn-mock` keeps the last).
fn refused(flag: Flag, value: &str, apart: bool) -> Run {
    let mut c = bare();
    c.arg("mock");
    if flag != Flag::Port {
        c.arg("--port=0");
    }
    match apart {
        true => c.args([format!("--{}", flag.long()), value.to_string()]),
        false => c.arg(format!("--{}={value}", flag.long())),
    };
    run(c, &[])
}

#[test]
fn each_value_a_flag_refuses_is_refused_in_its_words() {
    for &(flag, value) in REFUSED {
        let why = flag.apply(MockServer::builder(), value).unwrap_err();
        let name = format!("'--{} <{}>'", flag.long(), flag.value_name());
        let out = refused(flag, value, false).fails(2, &[&name, &why, "(see 'pinn mock --help')"]);
        assert!(!out.stderr.contains("sk_test_4eC"), "{}", out.stderr);
        assert_eq!(out.stdout, "", "{name} {value}: it started");
        // Given apart from its flag, a negative value is still the flag's (`pinn-mock` takes
        // the next argument whatever it is); but for --seed, a global flag of every command.
        if value.starts_with('-') && flag != Flag::Seed {
            refused(flag, value, true).fails(2, &[&name, &why]);
        }
    }
    // The key is taken as it is, and refused as the server starts.
    let key_file = std::env::temp_dir().join(format!("pinn-cli-bad-key-{}", std::process::id()));
    std::fs::write(&key_file, "two words").unwrap();
    let path = key_file.to_str().unwrap();
    let refused = run(bare(), &["mock", "--port=0", "--secret-key-file", path]);
    let _ = std::fs::remove_file(&key_file);
    let why = MockServer::builder()
        .secret_key("two words")
        .start()
        .unwrap_err();
    refused.fails(3, &[&why.to_string()]);
}

#[test]
fn the_help_lists_each_server_flag_with_its_own() {
    let help = run(bare(), &["mock", "--help"]).ok().stdout;
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for &flag in Flag::ALL {
        let usage = format!("--{} <{}>", flag.long(), flag.value_name());
        match flag {
            // From a file, never on the command line.
            Flag::SecretKey => assert!(flat.contains("--secret-key-file <PATH>"), "{help}"),
            // A global flag, whose help says it is for an emulator.
            Flag::Seed => assert!(
                flat.contains(&format!("{usage} With an emulator")),
                "{help}"
            ),
            _ => assert!(flat.contains(&format!("{usage} {}", flag.help())), "{help}"),
        }
    }
}
