//! Proxies of every form ureq speaks: an HTTP or HTTPS `CONNECT` proxy (ureq tunnels a plain
//! `http://` API host too: it never sends an absolute-form request to a proxy), SOCKS4,
//! SOCKS4a, SOCKS5 and SOCKS5h. Each at an address of its own and at the API's own
//! host:port, for a plain and a TLS API host, set in code or read from the environment.
//!
//! Whatever the path, the key reaches the API exactly once per request, in the request
//! head's `Authorization` line, and nowhere else: not in a `CONNECT`, a SOCKS handshake or a
//! body, and not in any log line.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::{KEY, assert_clean, assert_no_key_logged, user_json, within};
use pinn::{Client, Outcome, User, UserCreateParams};

const CA: &str = include_str!("../fixtures/tls/example-ca.pem");
const CERT: &str = include_str!("../fixtures/tls/localhost.pem");
const CERT_KEY: &str = include_str!("../fixtures/tls/localhost-key.pem");

/// How long a hub waits for a peer's next byte before it gives the connection up.
const IDLE: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------------------------
// A hub: one port that speaks every proxy form, TLS and the API

/// A server on 127.0.0.1 that unwraps whatever arrives, layer by layer: a SOCKS4(a) or
/// SOCKS5(h) handshake, a TLS handshake (certificate for `localhost` and `127.0.0.1`), a
/// `CONNECT`, or an API request, which it answers with a user. A tunnel to its own port is
/// served on the same connection, so one hub is a proxy on the API's own host:port; a tunnel
/// to another port is relayed to `127.0.0.1` at that port, whatever host was named.
struct Hub {
    port: u16,
    log: Arc<Mutex<Log>>,
}

/// What a hub read.
#[derive(Debug, Default, Clone)]
struct Log {
    /// Every byte read off each accepted TCP connection, in order (ciphertext under TLS).
    raw: Vec<Vec<u8>>,
    /// Each proxy handshake, decrypted: its kind (`connect`, `socks4`, `socks5`) and bytes.
    handshakes: Vec<(&'static str, Vec<u8>)>,
    /// Each API request, decrypted.
    requests: Vec<Req>,
}

#[derive(Debug, Clone)]
struct Req {
    /// The layers it came through on this hub, outermost first (`socks5`, `connect`, `tls`).
    via: Vec<&'static str>,
    head: Vec<u8>,
    body: Vec<u8>,
}

/// A behaviour of a hub's proxy side.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// A proxy that works.
    Proxy,
    /// Answers every `CONNECT` with `403 Forbidden`, and every SOCKS request with a refusal.
    Refuse,
}

trait Io: Read + Write + Send {}
impl<T: Read + Write + Send> Io for T {}
type Conn = Box<dyn Io>;

impl Hub {
    fn start(mode: Mode) -> Hub {
        crate::support::install_logger();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Log::default()));
        let shared = log.clone();
        thread::spawn(move || {
            for tcp in listener.incoming().flatten() {
                let log = shared.clone();
                thread::spawn(move || {
                    // Short reads, so one thread can relay both ways; `read_wait` retries.
                    let _ = tcp.set_read_timeout(Some(Duration::from_millis(10)));
                    let _ = tcp.set_write_timeout(Some(IDLE));
                    let index = {
                        let mut l = log.lock().unwrap();
                        l.raw.push(Vec::new());
                        l.raw.len() - 1
                    };
                    let hub = Side { port, mode, log };
                    let tapped = Tap {
                        tcp,
                        log: hub.log.clone(),
                        index,
                    };
                    hub.serve(Box::new(tapped), Vec::new());
                });
            }
        });
        Hub { port, log }
    }

    fn log(&self) -> Log {
        self.log.lock().unwrap().clone()
    }
}

/// A hub's state, as each connection's thread sees it.
#[derive(Clone)]
struct Side {
    port: u16,
    mode: Mode,
    log: Arc<Mutex<Log>>,
}

impl Side {
    fn serve(&self, mut conn: Conn, via: Vec<&'static str>) {
        let Some(first) = read_byte(&mut conn) else {
            return;
        };
        let conn: Conn = Box::new(Peeked {
            first: Some(first),
            inner: conn,
        });
        match first {
            4 => self.socks4(conn, via),
            5 => self.socks5(conn, via),
            0x16 => self.tls(conn, via),
            _ => self.http(conn, via),
        }
    }

    fn tls(&self, conn: Conn, mut via: Vec<&'static str>) {
        let Ok(server) = rustls::ServerConnection::new(tls_config()) else {
            return;
        };
        via.push("tls");
        self.serve(Box::new(rustls::StreamOwned::new(server, conn)), via);
    }

    /// API requests, until the peer leaves; or one `CONNECT`, then the tunnel.
    fn http(&self, mut conn: Conn, mut via: Vec<&'static str>) {
        while let Some(head) = read_head(&mut conn) {
            if head.starts_with(b"CONNECT ") {
                self.handshake("connect", &head);
                if self.mode == Mode::Refuse {
                    let _ = conn.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
                    return;
                }
                let target = String::from_utf8_lossy(&head)
                    .split(' ')
                    .nth(1)
                    .unwrap_or_default()
                    .to_string();
                let port = target.rsplit(':').next().and_then(|p| p.parse().ok());
                if conn
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .is_err()
                {
                    return;
                }
                let _ = conn.flush();
                via.push("connect");
                return self.tunnel(conn, port, via);
            }
            let len = content_length(&head);
            let mut body = vec![0; len];
            if read_exact(&mut conn, &mut body).is_none() {
                return;
            }
            self.log.lock().unwrap().requests.push(Req {
                via: via.clone(),
                head,
                body,
            });
            let body = user_json("usr_proxied");
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            if conn.write_all(reply.as_bytes()).is_err() {
                return;
            }
            let _ = conn.flush();
        }
    }

    fn socks4(&self, mut conn: Conn, mut via: Vec<&'static str>) {
        let mut fixed = [0u8; 8];
        if read_exact(&mut conn, &mut fixed).is_none() {
            return;
        }
        let mut seen = fixed.to_vec();
        // The user id, then (SOCKS4a, address 0.0.0.x) the host name, each ending in 0.
        let names = if fixed[4..7] == [0, 0, 0] && fixed[7] != 0 {
            2
        } else {
            1
        };
        for _ in 0..names {
            loop {
                let Some(b) = read_byte(&mut conn) else {
                    return;
                };
                seen.push(b);
                if b == 0 {
                    break;
                }
            }
        }
        self.handshake("socks4", &seen);
        let status = if self.mode == Mode::Refuse { 91 } else { 90 };
        if conn.write_all(&[0, status, 0, 0, 0, 0, 0, 0]).is_err() || status != 90 {
            return;
        }
        let _ = conn.flush();
        via.push("socks4");
        self.tunnel(conn, Some(u16::from_be_bytes([fixed[2], fixed[3]])), via);
    }

    fn socks5(&self, mut conn: Conn, mut via: Vec<&'static str>) {
        let mut greeting = [0u8; 2];
        if read_exact(&mut conn, &mut greeting).is_none() {
            return;
        }
        let mut methods = vec![0; usize::from(greeting[1])];
        if read_exact(&mut conn, &mut methods).is_none() || conn.write_all(&[5, 0]).is_err() {
            return;
        }
        let _ = conn.flush();
        let mut request = [0u8; 4];
        if read_exact(&mut conn, &mut request).is_none() {
            return;
        }
        let mut seen = [&greeting[..], &methods, &request].concat();
        let len = match request[3] {
            1 => 4,
            4 => 16,
            3 => match read_byte(&mut conn) {
                Some(n) => {
                    seen.push(n);
                    usize::from(n)
                }
                None => return,
            },
            _ => return,
        };
        let mut rest = vec![0; len + 2];
        if read_exact(&mut conn, &mut rest).is_none() {
            return;
        }
        seen.extend_from_slice(&rest);
        self.handshake("socks5", &seen);
        let status = if self.mode == Mode::Refuse { 2 } else { 0 };
        if conn
            .write_all(&[5, status, 0, 1, 0, 0, 0, 0, 0, 0])
            .is_err()
            || status != 0
        {
            return;
        }
        let _ = conn.flush();
        via.push("socks5");
        let port = u16::from_be_bytes([rest[len], rest[len + 1]]);
        self.tunnel(conn, Some(port), via);
    }

    fn handshake(&self, kind: &'static str, bytes: &[u8]) {
        self.log
            .lock()
            .unwrap()
            .handshakes
            .push((kind, bytes.to_vec()));
    }

    /// Serves a tunnel to this hub's own port on the same connection; relays one to another.
    fn tunnel(&self, conn: Conn, port: Option<u16>, via: Vec<&'static str>) {
        match port {
            Some(p) if p == self.port => self.serve(conn, via),
            Some(p) => {
                if let Ok(upstream) = TcpStream::connect(("127.0.0.1", p)) {
                    relay(conn, upstream);
                }
            }
            None => {}
        }
    }
}

fn tls_config() -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    static CONFIG: std::sync::OnceLock<Arc<rustls::ServerConfig>> = std::sync::OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let certs = vec![CertificateDer::from_pem_slice(CERT.as_bytes()).unwrap()];
            let key = PrivateKeyDer::from_pem_slice(CERT_KEY.as_bytes()).unwrap();
            let config = rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(certs, key)
                .unwrap();
            Arc::new(config)
        })
        .clone()
}

/// Copies both ways between `conn` and `upstream` on one thread (both read in short steps)
/// until either side closes or both are idle for [`IDLE`].
fn relay(mut conn: Conn, mut upstream: TcpStream) {
    let _ = upstream.set_read_timeout(Some(Duration::from_millis(10)));
    let mut buf = [0u8; 16 * 1024];
    let mut last = Instant::now();
    while last.elapsed() < IDLE {
        match conn.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if upstream.write_all(&buf[..n]).is_err() {
                    break;
                }
                last = Instant::now();
            }
            Err(e) if is_wait(&e) => {}
            Err(_) => break,
        }
        match upstream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if conn.write_all(&buf[..n]).is_err() {
                    break;
                }
                let _ = conn.flush();
                last = Instant::now();
            }
            Err(e) if is_wait(&e) => {}
            Err(_) => break,
        }
    }
    let _ = upstream.shutdown(Shutdown::Both);
}

fn is_wait(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

/// Reads some bytes, waiting out the socket's short read timeout for up to [`IDLE`].
fn read_wait(conn: &mut Conn, buf: &mut [u8]) -> Option<usize> {
    let start = Instant::now();
    loop {
        match conn.read(buf) {
            Ok(0) => return None,
            Ok(n) => return Some(n),
            Err(e) if is_wait(&e) && start.elapsed() < IDLE => {}
            Err(_) => return None,
        }
    }
}

fn read_byte(conn: &mut Conn) -> Option<u8> {
    let mut b = [0u8; 1];
    read_wait(conn, &mut b).map(|_| b[0])
}

fn read_exact(conn: &mut Conn, buf: &mut [u8]) -> Option<()> {
    let mut at = 0;
    while at < buf.len() {
        at += read_wait(conn, &mut buf[at..])?;
    }
    Some(())
}

/// A head up to and including its blank line, read a byte at a time so that nothing after
/// it (a tunnel's first bytes) is taken.
fn read_head(conn: &mut Conn) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 64 * 1024 {
            return None;
        }
        head.push(read_byte(conn)?);
    }
    Some(head)
}

fn content_length(head: &[u8]) -> usize {
    String::from_utf8_lossy(head)
        .split("\r\n")
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0)
}

/// A stream with its first byte already read.
struct Peeked {
    first: Option<u8>,
    inner: Conn,
}

impl Read for Peeked {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.first.take() {
            Some(b) if !buf.is_empty() => {
                buf[0] = b;
                Ok(1)
            }
            first => {
                self.first = first;
                self.inner.read(buf)
            }
        }
    }
}

impl Write for Peeked {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A TCP connection that records every byte read off it.
struct Tap {
    tcp: TcpStream,
    log: Arc<Mutex<Log>>,
    index: usize,
}

impl Read for Tap {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.tcp.read(buf)?;
        self.log.lock().unwrap().raw[self.index].extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

impl Write for Tap {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tcp.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

// ---------------------------------------------------------------------------------------------
// What a request must look like on the wire

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| w == &needle)
        .count()
}

fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Asserts every request `api` read carried the key once, in its `Authorization` line, and
/// its body never; and that no hub read the key anywhere else: not in a handshake, and on
/// the wire (where TLS hides nothing) `on_the_wire` times in all.
fn assert_key_only_in_request_heads(
    case: &str,
    api: &Hub,
    hubs: &[&Hub],
    requests: usize,
    on_the_wire: usize,
) {
    let log = api.log();
    assert_eq!(log.requests.len(), requests, "{case}: {log:?}");
    let line = format!("\r\nauthorization: Bearer {KEY}\r\n");
    for r in &log.requests {
        let head = String::from_utf8_lossy(&r.head);
        assert_eq!(count(&r.head, KEY.as_bytes()), 1, "{case}: {head}");
        assert!(
            contains_ignore_case(&r.head, line.as_bytes()),
            "{case}: {head}"
        );
        assert!(!r.head.contains(&b'*'), "{case}: stars left in {head}");
        assert_eq!(count(&r.body, KEY.as_bytes()), 0, "{case}: key in a body");
    }
    let mut seen_on_the_wire = 0;
    for hub in hubs {
        let log = hub.log();
        for (kind, bytes) in &log.handshakes {
            assert!(
                !contains_ignore_case(bytes, KEY.as_bytes())
                    && !contains_ignore_case(bytes, b"HOSTILE")
                    && !contains_ignore_case(bytes, b"authorization"),
                "{case}: the key or its header in a {kind} handshake: {:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        seen_on_the_wire += log
            .raw
            .iter()
            .map(|raw| count(raw, KEY.as_bytes()))
            .sum::<usize>();
    }
    assert_eq!(seen_on_the_wire, on_the_wire, "{case}: the key on the wire");
    assert_no_key_logged();
}

/// A client for `api_host` through `proxy`, trusting the example CA.
fn client(api_host: &str, proxy: &str) -> Client {
    Client::new(
        crate::support::builder(api_host)
            .proxy(proxy)
            .root_certificates_pem(CA)
            .max_retries(0)
            .build()
            .unwrap(),
    )
}

/// A GET, then a POST with a body, through `client`.
fn get_and_post(case: &str, client: &Client) {
    let got = client.scope(|| User::retrieve("usr_proxied"));
    if let Err(e) = &got {
        assert_clean(e);
    }
    assert_eq!(
        got.map(|u| u.user_id).ok().as_deref(),
        Some("usr_proxied"),
        "{case}"
    );
    let params = UserCreateParams::new().metadata_entry("note", "through a proxy");
    let created = client.scope(|| User::create(&params));
    if let Err(e) = &created {
        assert_clean(e);
    }
    assert!(created.is_ok(), "{case}: {created:?}");
}

const SCHEMES: [&str; 2] = ["http", "https"];
const PROXIES: [&str; 6] = ["http", "https", "socks4", "socks4a", "socks5", "socks5h"];

/// The proxy layer a request is seen to come through on the API's own port.
fn layer(proxy: &str) -> &'static str {
    match proxy {
        "http" | "https" => "connect",
        "socks4" | "socks4a" => "socks4",
        _ => "socks5",
    }
}

// ---------------------------------------------------------------------------------------------
// The matrix

#[test]
fn every_proxy_form_at_its_own_address_carries_the_key_only_in_the_request_head() {
    within(Duration::from_secs(60), || {
        for scheme in SCHEMES {
            for proxy in PROXIES {
                for host in ["127.0.0.1", "localhost"] {
                    let case = format!("{scheme} API at {host} through a {proxy} proxy");
                    let (api, relay) = (Hub::start(Mode::Proxy), Hub::start(Mode::Proxy));
                    let api_host = format!("{scheme}://{host}:{}", api.port);
                    let proxy_url = format!("{proxy}://{host}:{}", relay.port);
                    get_and_post(&case, &client(&api_host, &proxy_url));
                    // In plain text, each request crosses two connections: to the proxy, and
                    // from it to the API.
                    let plain = usize::from(scheme == "http");
                    let to_proxy = plain * usize::from(proxy != "https");
                    let on_the_wire = 2 * (plain + to_proxy);
                    assert_key_only_in_request_heads(&case, &api, &[&api, &relay], 2, on_the_wire);
                    let handshakes = relay.log().handshakes;
                    assert!(
                        !handshakes.is_empty()
                            && handshakes.iter().all(|(k, _)| *k == layer(proxy)),
                        "{case}: {handshakes:?}"
                    );
                }
            }
        }
    });
}

#[test]
fn every_proxy_form_on_the_apis_own_host_and_port_carries_the_key_only_in_the_request_head() {
    within(Duration::from_secs(60), || {
        for scheme in SCHEMES {
            for proxy in PROXIES {
                for host in ["127.0.0.1", "localhost"] {
                    let case = format!("{scheme} API at {host} with a {proxy} proxy on its port");
                    let hub = Hub::start(Mode::Proxy);
                    let api_host = format!("{scheme}://{host}:{}", hub.port);
                    let proxy_url = format!("{proxy}://{host}:{}", hub.port);
                    get_and_post(&case, &client(&api_host, &proxy_url));
                    let plain = scheme == "http" && proxy != "https";
                    let on_the_wire = 2 * usize::from(plain);
                    assert_key_only_in_request_heads(&case, &hub, &[&hub], 2, on_the_wire);
                    let log = hub.log();
                    assert!(
                        log.requests.iter().all(|r| r.via.contains(&layer(proxy))),
                        "{case}: every request came through the proxy: {log:?}"
                    );
                }
            }
        }
    });
}

#[test]
fn a_proxy_that_refuses_the_tunnel_leaves_a_post_not_sent_wherever_it_listens() {
    within(Duration::from_secs(20), || {
        let api = Hub::start(Mode::Proxy);
        for scheme in SCHEMES {
            for proxy in PROXIES {
                for own_port in [false, true] {
                    let case =
                        format!("{scheme} API, {proxy} proxy refusing (own port: {own_port})");
                    let refusing = Hub::start(Mode::Refuse);
                    let port = if own_port { refusing.port } else { api.port };
                    let api_host = format!("{scheme}://127.0.0.1:{port}");
                    let proxy_url = format!("{proxy}://127.0.0.1:{}", refusing.port);
                    let err = client(&api_host, &proxy_url)
                        .scope(|| User::create(&UserCreateParams::new()))
                        .unwrap_err();
                    assert_clean(&err);
                    assert_eq!(err.outcome(), Outcome::NotSent, "{case}: {err:?}");
                    assert!(err.is_retryable(), "{case}: {err:?}");
                    assert!(refusing.log().requests.is_empty(), "{case}");
                    assert_eq!(refusing.log().handshakes.len(), 1, "{case}");
                }
            }
        }
        assert!(api.log().requests.is_empty());
    });
}

// ---------------------------------------------------------------------------------------------
// From the environment

/// Where the child process finds the API host (only the proxy can resolve it).
const CHILD_API_HOST: &str = "PINN_HOSTILE_CHILD_API_HOST";

const PROXY_VARIABLES: [&str; 8] = [
    "ALL_PROXY",
    "all_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// The environment is the process's, so each proxy is set in a child process of this test
/// binary, which runs [`environment_child`]. An environment proxy never serves a loopback
/// host, so the API host is a name that does not resolve here, which the proxy resolves (to
/// its hub): a `CONNECT` proxy, SOCKS4a and SOCKS5h take the name. (SOCKS4 and SOCKS5 would
/// need it resolved here, and a proxy on the API's own host:port a name that resolves:
/// those are covered with proxies set in code.)
#[test]
fn a_proxy_from_the_environment_carries_the_key_only_in_the_request_head() {
    for (proxy, variable) in [
        ("http", "HTTP_PROXY"),
        ("https", "https_proxy"),
        ("socks4a", "all_proxy"),
        ("socks5h", "ALL_PROXY"),
    ] {
        let case = format!("{proxy} proxy in {variable}");
        let (api, relay) = (Hub::start(Mode::Proxy), Hub::start(Mode::Proxy));
        let mut child = std::process::Command::new(std::env::current_exe().unwrap());
        child.args([
            "--exact",
            "proxies::environment_child",
            "--ignored",
            "--nocapture",
        ]);
        for v in PROXY_VARIABLES {
            child.env_remove(v);
        }
        child
            .env(variable, format!("{proxy}://127.0.0.1:{}", relay.port))
            .env(
                CHILD_API_HOST,
                format!("http://api.pinn.invalid:{}", api.port),
            );
        let (tx, rx) = std::sync::mpsc::channel();
        thread::spawn(move || {
            let _ = tx.send(child.output());
        });
        let out = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("{case}: the child process still runs after 30 s"))
            .unwrap();
        let shown = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{case}: {shown}");
        assert!(
            shown.contains("1 passed"),
            "{case}: the child ran no test: {shown}"
        );
        assert!(!shown.contains(KEY) && !shown.contains("HOSTILE"), "{case}");
        let on_the_wire = 2 * (1 + usize::from(proxy != "https"));
        assert_key_only_in_request_heads(&case, &api, &[&api, &relay], 2, on_the_wire);
        assert!(
            !relay.log().handshakes.is_empty(),
            "{case}: not through the proxy"
        );
    }
}

/// Run by the test above in a child process, with a proxy in the environment.
#[test]
#[ignore = "run in a child process by a_proxy_from_the_environment_carries_the_key_only_in_the_request_head"]
fn environment_child() {
    let Ok(api_host) = std::env::var(CHILD_API_HOST) else {
        return;
    };
    within(Duration::from_secs(20), move || {
        let client = Client::new(
            crate::support::builder(&api_host)
                .allow_insecure_http(true)
                .root_certificates_pem(CA)
                .max_retries(0)
                .build()
                .unwrap(),
        );
        get_and_post(&api_host, &client);
        assert_no_key_logged();
    });
}
