//! Raw HTTP/1.1 over `TcpStream` for the emulator's wire tests: exact bytes out, exact bytes
//! back, no client library and no proxy (whatever `HTTP_PROXY` says).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use serde_json::Value;

/// How long a test waits on a socket before calling the server stuck.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// One answer, as it came.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    /// The status line and headers, without the blank line.
    pub head: String,
    pub body: Vec<u8>,
}

impl Reply {
    /// The first header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON; panics (failing the test) when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {self:?}"))
    }

    /// The spec's error type of an error answer.
    pub fn error_type(&self) -> String {
        self.json()["error"]["type"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

pub fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).expect("connect to the emulator");
    s.set_read_timeout(Some(PATIENCE)).expect("read timeout");
    s.set_write_timeout(Some(PATIENCE)).expect("write timeout");
    s
}

/// Sends `bytes` on a new connection (from a thread of its own, so a server that answers
/// early cannot block it) and reads until the server closes the connection.
pub fn exchange(port: u16, bytes: Vec<u8>) -> Vec<u8> {
    let mut s = connect(port);
    let mut writer = s.try_clone().expect("clone");
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(&bytes);
        let _ = writer.shutdown(Shutdown::Write);
    });
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    let _ = sender.join();
    got
}

/// The first answer in `bytes` and the bytes it took, when there is a whole one.
pub fn parse(bytes: &[u8]) -> Option<(Reply, usize)> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let status = head.get(9..12)?.parse().ok()?;
    let mut reply = Reply {
        status,
        head,
        body: Vec::new(),
    };
    let start = end + 4;
    // 1xx, 204 and 304 answers end at their head.
    if matches!(status, 100..=199 | 204 | 304) {
        return Some((reply, start));
    }
    let length: usize = reply.header("content-length")?.parse().ok()?;
    reply.body = bytes.get(start..start + length)?.to_vec();
    Some((reply, start + length))
}

/// `bytes` on a new connection; the one answer that came back.
pub fn send_raw(port: u16, bytes: impl Into<Vec<u8>>) -> Reply {
    let got = exchange(port, bytes.into());
    match parse(&got) {
        Some((reply, _)) => reply,
        None => panic!("no whole answer: {:?}", String::from_utf8_lossy(&got)),
    }
}

/// A request's bytes, with `Host` and a `Content-Length` when there is a body.
pub fn request(method: &str, target: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut out = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    if !body.is_empty() {
        out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    out.push_str("\r\n");
    out.push_str(body);
    out.into_bytes()
}

/// One request on a connection of its own, closed after the answer.
pub fn call(port: u16, method: &str, target: &str, body: &str) -> Reply {
    send_raw(
        port,
        request(method, target, &[("Connection", "close")], body),
    )
}

/// One request carrying the key, on a connection of its own.
pub fn api(port: u16, key: &str, method: &str, target: &str, body: &str) -> Reply {
    let auth = format!("Bearer {key}");
    let headers = [("Authorization", auth.as_str()), ("Connection", "close")];
    send_raw(port, request(method, target, &headers, body))
}

/// One control call (`/_mock/…`) with the key, and its body sent as JSON, on a connection of
/// its own.
pub fn control(port: u16, key: &str, method: &str, target: &str, body: &str) -> Reply {
    let auth = format!("Bearer {key}");
    let mut headers = vec![("Authorization", auth.as_str()), ("Connection", "close")];
    if !body.is_empty() {
        headers.push(("Content-Type", "application/json"));
    }
    send_raw(port, request(method, target, &headers, body))
}

/// A keep-alive connection: requests go out one at a time and answers are read in turn.
pub struct Conn {
    pub stream: TcpStream,
    /// What was read past the last answer.
    pub buf: Vec<u8>,
}

impl Conn {
    pub fn open(port: u16) -> Conn {
        Conn {
            stream: connect(port),
            buf: Vec::new(),
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write a request");
    }

    /// The next answer; `None` if the server closed first.
    pub fn read_reply(&mut self) -> Option<Reply> {
        loop {
            if let Some((reply, used)) = parse(&self.buf) {
                self.buf.drain(..used);
                return Some(reply);
            }
            let mut chunk = [0u8; 64 * 1024];
            match self.stream.read(&mut chunk) {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// Whatever the server sends until it closes the connection.
    pub fn rest(&mut self) -> Vec<u8> {
        let mut rest = std::mem::take(&mut self.buf);
        let _ = self.stream.read_to_end(&mut rest);
        rest
    }
}
