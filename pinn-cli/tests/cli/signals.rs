//! Ctrl-C (SIGINT) at every stage of a command, and streams that go away: stdout that nobody
//! reads (a pager, a full pipe), a reader that closes it, a call that never gets an answer,
//! a key pipe that never brings a key, stderr that is blocked too. Each ends with exit 130
//! within a bound, on unix (`kill -INT`).
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, ChildStdout, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use pinn::serde_json::{self, Value};
use pinn_mock::{MockServer, UserSeed};

use crate::{Reaped, TIMEOUT, at, bare, interrupt, pinn, spawn, wait};

/// How long a command may take to end after Ctrl-C: far more than it needs (a second and a
/// bit), far less than the watchdog's minute.
const BOUND: Duration = Duration::from_secs(20);

/// A server with `n` users, each line of whose JSON is about `bytes` long.
fn users(n: usize, bytes: usize) -> MockServer {
    let server = MockServer::start();
    for i in 0..n {
        let mut metadata = serde_json::Map::new();
        metadata.insert("n".into(), i.into());
        metadata.insert("note".into(), "x".repeat(bytes.saturating_sub(250)).into());
        let seed = UserSeed {
            metadata,
            ..UserSeed::default()
        };
        server.seed_user(seed).unwrap();
    }
    server
}

/// Waits until the main thread of `child` is blocked writing into a pipe (its stdout, which
/// nobody reads), as Linux's `/proc/PID/wchan` says. Elsewhere, where nothing says it, it
/// waits for `started` and then a second, time enough to fill a pipe (the tests hold either
/// way; they are only weaker should the command not be blocked yet).
fn blocked_on_stdout(child: &Child, started: impl Fn() -> bool) {
    let deadline = Instant::now() + TIMEOUT;
    while Instant::now() < deadline {
        if cfg!(target_os = "linux") {
            let wchan = std::fs::read_to_string(format!("/proc/{}/wchan", child.id()));
            if wchan.is_ok_and(|w| w.contains("pipe_write")) {
                return;
            }
        } else if started() {
            std::thread::sleep(Duration::from_secs(1));
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("pinn never blocked on its stdout");
}

/// Whether `child` has a thread named `name` (Linux; elsewhere, after a while).
fn has_thread(child: &Child, name: &str) -> bool {
    if !cfg!(target_os = "linux") {
        std::thread::sleep(Duration::from_millis(200));
        return true;
    }
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{}/task", child.id())) else {
        return false;
    };
    tasks
        .flatten()
        .any(|t| std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.trim_end() == name))
}

/// How an interrupted command ended: its exit code, what its stdout pipe holds (read only
/// once it ended), its stderr, and how long it took after the signal.
struct Ended {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// Sends Ctrl-C to `child` (`times` times, the later ones once the first is being handled)
/// and waits for it to end, reading its stdout (`unread`) only then.
fn interrupt_and_wait(child: &mut Child, unread: Option<ChildStdout>, times: usize) -> Ended {
    let sent = Instant::now();
    for i in 0..times {
        if i > 0 {
            while !has_thread(child, "pinn-interrupt") && sent.elapsed() < BOUND {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        interrupt(child);
    }
    let status = wait(child);
    let took = sent.elapsed();
    let mut stdout = String::new();
    if let Some(mut unread) = unread {
        unread.read_to_string(&mut stdout).unwrap();
    }
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        pipe.read_to_string(&mut stderr).unwrap();
    }
    Ended {
        code: status.code(),
        stdout,
        stderr,
        took,
    }
}

/// Runs `args` against `server` with stdout a pipe nobody reads, waits until the command
/// is blocked writing to it (elsewhere than on Linux: until it made `calls` calls), and
/// interrupts it.
fn interrupted_while_blocked(server: &MockServer, args: &[&str], calls: usize) -> Ended {
    let mut c = at(server);
    c.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    let Reaped(child, _) = &mut spawn(c);
    let unread = child.stdout.take();
    blocked_on_stdout(child, || server.requests().len() >= calls);
    let ended = interrupt_and_wait(child, unread, 1);
    assert!(ended.took < BOUND, "{args:?}: {:?}", ended.took);
    ended
}

/// `n` with a comma between thousands, as the summary counts.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut text = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            text.push(',');
        }
        text.push(c);
    }
    text
}

/// The `--starting-after` IDs of an interruption line's resume recipe.
fn recipe(stderr: &str) -> Vec<String> {
    let (_, recipe) = stderr
        .trim_end()
        .split_once("; resume with ")
        .unwrap_or_else(|| panic!("no recipe: {stderr:?}"));
    let words: Vec<&str> = recipe.split(' ').collect();
    words
        .chunks(2)
        .map(|pair| {
            assert_eq!(pair[0], "--starting-after", "{stderr:?}");
            pair[1].to_string()
        })
        .collect()
}

#[test]
fn ctrl_c_ends_an_export_whose_stdout_nobody_reads() {
    // About 600 KB of JSON Lines: far more than the pipe, the buffer and the items in
    // flight hold, so the writer blocks for good.
    let server = users(2_000, 300);
    let ended = interrupted_while_blocked(&server, &["export", "users"], 2);
    assert_eq!(ended.code, Some(130), "{}", ended.stderr);

    // Every line in the pipe is whole, and the line on stderr counts exactly those.
    assert!(ended.stdout.ends_with('\n'), "the last line is whole");
    let written: Vec<Value> = ended
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("whole JSON"))
        .collect();
    let n = written.len();
    assert!(n > 0 && n < 2_000, "{n} lines");
    assert_eq!(ended.stderr.lines().count(), 1, "{:?}", ended.stderr);
    let start = format!("pinn: interrupted after {} users, ", grouped(n));
    assert!(ended.stderr.starts_with(&start), "{:?}", ended.stderr);
    assert!(!ended.stderr.contains("took no more"), "{:?}", ended.stderr);
    let id = |i: usize| written[n - i]["user_id"].as_str().unwrap().to_string();
    assert_eq!(recipe(&ended.stderr), [id(1), id(2), id(3)]);

    // The recipe gives exactly the rest.
    let mut args = vec!["export".to_string(), "users".to_string()];
    for cursor in recipe(&ended.stderr) {
        args.extend(["--starting-after".to_string(), cursor]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let rest = pinn(&server, &args).ok().lines();
    let mut all: Vec<&str> = written
        .iter()
        .chain(&rest)
        .map(|u| u["user_id"].as_str().unwrap())
        .collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 2_000);
}

#[test]
fn ctrl_c_ends_a_json_array_whose_stdout_nobody_reads() {
    let server = users(1_000, 300);
    let ended = interrupted_while_blocked(&server, &["users", "list", "--all", "--json"], 2);
    assert_eq!(ended.code, Some(130), "{}", ended.stderr);
    // Whole elements, the array left open: it was stdout that took no more.
    let elements = ended
        .stdout
        .strip_suffix(",\n")
        .unwrap_or_else(|| panic!("ends mid-array: {:?}", ended.stdout));
    let array: Value = serde_json::from_str(&format!("{elements}\n]")).expect("whole elements");
    let n = array.as_array().unwrap().len();
    assert!(
        ended
            .stderr
            .starts_with(&format!("pinn: interrupted after {} users, ", grouped(n))),
        "{:?}",
        ended.stderr
    );
    assert!(
        ended
            .stderr
            .contains(" (stdout took no more: the JSON array is not closed); resume with "),
        "{:?}",
        ended.stderr
    );
}

#[test]
fn ctrl_c_ends_a_single_page_whose_stdout_nobody_reads() {
    // One page of 100 users, 2 KB each: one call, then writing blocks.
    let server = users(100, 2_000);
    for format in ["jsonl", "json"] {
        let args = ["users", "list", "--limit", "100", "-o", format];
        let ended = interrupted_while_blocked(&server, &args, 1);
        assert_eq!(
            (ended.code, ended.stderr.as_str()),
            (Some(130), "pinn: interrupted\n"),
            "{format}"
        );
        assert!(
            ended.stdout.ends_with('\n'),
            "{format}: the last line is whole"
        );
    }
}

#[test]
fn ctrl_c_ends_a_call_that_gets_no_answer() {
    // A server that takes the request and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let host = format!("http://{}", listener.local_addr().unwrap());
    for args in [
        &["users", "get", "usr_1"][..],
        &["export", "users"],
        &["users", "list", "--all", "--json"],
    ] {
        let mut c = bare();
        c.env("PINN_SECRET_KEY", "sk_test_4eC39HqLyjWDarjtT1zdp7dc")
            .args(["--api-host", &host, "--max-retries", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let Reaped(child, _) = &mut spawn(c);
        let (stream, _) = listener.accept().unwrap();
        let mut request = BufReader::new(&stream);
        let mut line = String::new();
        while line != "\r\n" {
            line.clear();
            assert!(request.read_line(&mut line).unwrap() > 0);
        }
        // The request is in flight.
        let stdout = child.stdout.take();
        let ended = interrupt_and_wait(child, stdout, 1);
        assert_eq!(
            (ended.code, ended.stderr.as_str(), ended.stdout.as_str()),
            (Some(130), "pinn: interrupted\n", ""),
            "{args:?}"
        );
        assert!(ended.took < BOUND, "{args:?}: {:?}", ended.took);
    }
}

#[test]
fn ctrl_c_ends_a_wait_for_a_key_pipe() {
    let dir = std::env::temp_dir().join(format!("pinn-cli-signals-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("key");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let path = fifo.to_str().unwrap();
    for args in [
        &["--secret-key-file", path, "users", "list"][..],
        &["mock", "--port", "0", "--secret-key-file", path],
    ] {
        let mut c = bare();
        c.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
        let Reaped(child, _) = &mut spawn(c);
        // Opening the pipe for writing waits for pinn to open it for reading; then it waits
        // for a key that never comes.
        let (opened, open) = mpsc::channel();
        let writer_path = fifo.clone();
        std::thread::spawn(move || {
            let writer = std::fs::OpenOptions::new().write(true).open(writer_path);
            let _ = opened.send(writer);
        });
        let mut writer = open.recv_timeout(TIMEOUT).unwrap().unwrap();
        let stdout = child.stdout.take();
        let ended = interrupt_and_wait(child, stdout, 1);
        assert_eq!(
            (ended.code, ended.stderr.as_str()),
            (Some(130), "pinn: interrupted\n"),
            "{args:?}"
        );
        assert!(ended.took < BOUND, "{args:?}: {:?}", ended.took);
        // The reader is gone.
        assert!(
            writer
                .write_all(b"sk_test_4eC39HqLyjWDarjtT1zdp7dc\n")
                .is_err()
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// A pipe that is full before the command starts, for its stderr: any line written to it
/// blocks. The thread that fills it ends once the read end is dropped.
fn full_pipe() -> (std::io::PipeReader, std::io::PipeWriter) {
    let (reader, writer) = std::io::pipe().unwrap();
    let mut filler = writer.try_clone().unwrap();
    std::thread::spawn(move || while filler.write_all(&[b'x'; 64 * 1024]).is_ok() {});
    (reader, writer)
}

#[test]
fn ctrl_c_ends_a_command_whose_stdout_and_stderr_are_blocked() {
    let server = users(2_000, 300);
    for times in [1, 2] {
        let (_full, stderr) = full_pipe();
        let mut c = at(&server);
        c.args(["export", "users"])
            .stdout(Stdio::piped())
            .stderr(stderr);
        let Reaped(child, _) = &mut spawn(c);
        let unread = child.stdout.take();
        blocked_on_stdout(child, || server.requests().len() >= 2);
        // The line on stderr cannot be written: one Ctrl-C ends it all the same, and a
        // second one at once.
        let ended = interrupt_and_wait(child, unread, times);
        assert_eq!(ended.code, Some(130), "Ctrl-C {times} times");
        assert!(ended.took < BOUND, "{times}: {:?}", ended.took);
        assert!(ended.stdout.ends_with('\n'));
    }
}

#[test]
fn a_second_ctrl_c_ends_a_walk_at_once() {
    let server = users(2_000, 300);
    let mut c = at(&server);
    c.args(["export", "users"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let Reaped(child, _) = &mut spawn(c);
    let unread = child.stdout.take();
    blocked_on_stdout(child, || server.requests().len() >= 2);
    let ended = interrupt_and_wait(child, unread, 2);
    assert_eq!(ended.code, Some(130));
    // The second writes nothing; the first wrote its line, or was cut short before it.
    assert!(
        ended.stderr.is_empty()
            || (ended.stderr.starts_with("pinn: interrupted after ")
                && ended.stderr.lines().count() == 1),
        "{:?}",
        ended.stderr
    );
}

#[test]
fn ctrl_c_then_a_reader_that_goes_away_is_an_interruption() {
    // The reader reads one line, Ctrl-C reaches both (as in a shell pipeline) and the reader
    // exits: the broken pipe that follows is no success.
    let server = users(2_000, 300);
    let mut c = at(&server);
    c.args(["export", "users"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let Reaped(child, _) = &mut spawn(c);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    interrupt(child);
    // Once pinn has seen it: a broken pipe before that would be one with no Ctrl-C.
    let sent = Instant::now();
    while !has_thread(child, "pinn-interrupt") && sent.elapsed() < BOUND {
        std::thread::sleep(Duration::from_millis(1));
    }
    drop(stdout);
    let status = wait(child);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.starts_with("pinn: interrupted after "), "{stderr:?}");
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
}
