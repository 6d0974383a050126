//! The transport on real-network terms, on loopback: TLS roots a client is told to trust, a
//! proxy set in code (through a small recording proxy), servers that close idle keep-alive
//! connections, host names that do not resolve, and `https://` pointed at a plain port.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::{KEY, user_json, within};
use pinn::errors::TransportKind;
use pinn::{Client, Config, ErrorKind, Outcome, User, UserCreateParams};
use pinn_mock::MockServer;

const CA: &str = include_str!("../fixtures/tls/example-ca.pem");
const CERT: &str = include_str!("../fixtures/tls/localhost.pem");
const CERT_KEY: &str = include_str!("../fixtures/tls/localhost-key.pem");

// ---------------------------------------------------------------------------------------------
// TLS

/// An HTTPS server on 127.0.0.1 whose certificate (for `localhost` and `127.0.0.1`) is signed
/// by the example CA. It answers every request with a user and counts the handshakes that
/// completed.
struct TlsServer {
    port: u16,
    handshakes: Arc<AtomicUsize>,
}

fn tls_server() -> TlsServer {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs = vec![CertificateDer::from_pem_slice(CERT.as_bytes()).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(CERT_KEY.as_bytes()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshakes = Arc::new(AtomicUsize::new(0));
    let done = handshakes.clone();
    thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let (config, done) = (config.clone(), done.clone());
            thread::spawn(move || {
                let _ = tcp.set_read_timeout(Some(Duration::from_secs(3)));
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut reader = BufReader::new(&mut tls);
                let mut line = String::new();
                let mut counted = false;
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    if !counted {
                        done.fetch_add(1, Ordering::SeqCst);
                        counted = true;
                    }
                    if line == "\r\n" {
                        let body = user_json("usr_tls");
                        let reply = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        if reader.get_mut().write_all(reply.as_bytes()).is_err() {
                            return;
                        }
                        let _ = reader.get_mut().flush();
                    }
                }
            });
        }
    });
    TlsServer { port, handshakes }
}

fn tls_client(host: &str, port: u16, trust: Option<&str>) -> Client {
    let mut b = Config::builder()
        .secret_key(KEY)
        .api_host(format!("https://{host}:{port}"))
        .max_retries(0)
        .connect_timeout(Duration::from_secs(2));
    if let Some(pem) = trust {
        b = b.root_certificates_pem(pem);
    }
    Client::new(b.build().unwrap())
}

#[test]
fn a_server_signed_by_a_trusted_corporate_ca_is_reached() {
    let server = tls_server();
    within(Duration::from_secs(10), move || {
        for host in ["localhost", "127.0.0.1"] {
            let client = tls_client(host, server.port, Some(CA));
            let user = client.scope(|| User::retrieve("usr_tls")).unwrap();
            assert_eq!(user.user_id, "usr_tls");
            // The agent built for these roots keeps its connection alive between calls.
            client.scope(|| User::retrieve("usr_tls")).unwrap();
        }
        assert_eq!(server.handshakes.load(Ordering::SeqCst), 2);
    });
}

#[test]
fn the_same_server_is_refused_with_the_bundled_roots() {
    let server = tls_server();
    within(Duration::from_secs(10), move || {
        let client = tls_client("localhost", server.port, None);
        let err = client
            .scope(|| User::create(&UserCreateParams::new()))
            .unwrap_err();
        assert_eq!(err.transport_kind(), Some(TransportKind::Tls), "{err:?}");
        assert_eq!(
            (err.outcome(), err.is_retryable()),
            (Outcome::NotSent, false)
        );
        assert_eq!(err.attempts(), 1, "a TLS failure is not retried");
    });
}

#[test]
fn https_to_a_plain_http_port_fails_fast_with_a_tls_error() {
    // A plain server that answers the TLS hello as any HTTP server answers garbage: a 400.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut buf = [0u8; 512];
            let _ = s.read(&mut buf);
            let _ = s.write_all(
                b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            );
        }
    });
    within(Duration::from_secs(5), move || {
        let started = Instant::now();
        let client = tls_client("127.0.0.1", port, None);
        let err = client
            .scope(|| User::list(&Default::default()))
            .unwrap_err();
        assert_eq!(err.transport_kind(), Some(TransportKind::Tls), "{err:?}");
        assert_eq!(err.attempts(), 1);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
    });
}

#[test]
fn https_to_a_silent_plain_port_ends_at_the_connect_timeout() {
    // A plain server that waits for a whole HTTP request and never answers a TLS hello.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            thread::spawn(move || {
                let mut buf = [0u8; 512];
                while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
            });
        }
    });
    within(Duration::from_secs(10), move || {
        let client = tls_client("127.0.0.1", port, None);
        let err = client.users().create(&UserCreateParams::new()).unwrap_err();
        assert_eq!(
            err.transport_kind(),
            Some(TransportKind::ConnectTimeout),
            "{err:?}"
        );
        assert_eq!(err.outcome(), Outcome::NotSent);
    });
}

#[test]
fn https_to_the_emulator_fails_fast_with_a_tls_error() {
    // The mistake a user makes first: the emulator's URL with `https://`.
    let server = MockServer::start();
    let host = server.url().replace("http://", "https://");
    within(Duration::from_secs(5), move || {
        let client = Client::new(server.config_builder().api_host(host).build().unwrap());
        let started = Instant::now();
        let err = client.users().create(&UserCreateParams::new()).unwrap_err();
        assert_eq!(err.transport_kind(), Some(TransportKind::Tls), "{err:?}");
        assert_eq!((err.attempts(), err.outcome()), (1, Outcome::NotSent));
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(server.count("user"), 0);
    });
}

// ---------------------------------------------------------------------------------------------
// Proxies

/// A loopback `CONNECT` proxy that records each tunnel's target and relays the bytes, so a
/// test can see that (and what) it carried.
struct Proxy {
    url: String,
    targets: Arc<Mutex<Vec<String>>>,
}

fn recording_proxy() -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let targets = Arc::new(Mutex::new(Vec::new()));
    let seen = targets.clone();
    thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let seen = seen.clone();
            thread::spawn(move || {
                let mut reader = BufReader::new(client.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let target = line.split(' ').nth(1).unwrap_or("").to_string();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                seen.lock().unwrap().push(target.clone());
                let Ok(upstream) = TcpStream::connect(&target) else {
                    let mut c = client;
                    let _ = c.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n");
                    return;
                };
                let mut c = client;
                let _ = c.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                let (mut c_read, mut u_write) = (reader, upstream.try_clone().unwrap());
                let (mut u_read, mut c_write) = (upstream, c);
                let up = thread::spawn(move || {
                    let _ = std::io::copy(&mut c_read, &mut u_write);
                    let _ = u_write.shutdown(Shutdown::Write);
                });
                let _ = std::io::copy(&mut u_read, &mut c_write);
                let _ = c_write.shutdown(Shutdown::Write);
                let _ = up.join();
            });
        }
    });
    Proxy { url, targets }
}

#[test]
fn a_proxy_set_in_code_carries_every_request_even_to_loopback() {
    let proxy = recording_proxy();
    let server = MockServer::start();
    let client = Client::new(server.config_builder().proxy(&proxy.url).build().unwrap());
    let user = client
        .scope(|| User::create(&UserCreateParams::new()))
        .unwrap();
    client.scope(|| User::retrieve(&user.user_id)).unwrap();
    let target = server.url().trim_start_matches("http://").to_string();
    let targets = proxy.targets.lock().unwrap().clone();
    assert!(!targets.is_empty());
    assert!(targets.iter().all(|t| *t == target), "{targets:?}");
    assert_eq!(server.count("user"), 1);

    // `no_proxy` goes direct, whatever else was set.
    let before = targets.len();
    let direct = Client::new(
        server
            .config_builder()
            .proxy(&proxy.url)
            .no_proxy()
            .build()
            .unwrap(),
    );
    direct.scope(|| User::retrieve(&user.user_id)).unwrap();
    assert_eq!(proxy.targets.lock().unwrap().len(), before);
}

#[test]
fn a_proxy_that_is_down_is_a_connection_error_and_a_post_is_retried() {
    let port = crate::support::refused_port();
    let server = MockServer::start();
    let client = Client::new(
        server
            .config_builder()
            .proxy(&format!("http://127.0.0.1:{port}"))
            .sleeper(|_| {})
            .build()
            .unwrap(),
    );
    let err = client
        .scope(|| User::create(&UserCreateParams::new()))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ApiConnection);
    assert_eq!(err.outcome(), Outcome::NotSent);
    assert_eq!(
        err.attempts(),
        3,
        "nothing reached the server, so the POST was retried"
    );
    assert_eq!(server.requests().len(), 0);
}

// ---------------------------------------------------------------------------------------------
// Stale pooled connections

/// A keep-alive server that closes a connection idle for `idle`, as servers do, answering
/// every request with a user. It counts the requests it answered and the connections it took.
fn closes_idle_connections(idle: Duration) -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (answered, connections) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (a, c) = (answered.clone(), connections.clone());
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            c.fetch_add(1, Ordering::SeqCst);
            let a = a.clone();
            thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(idle));
                while let Some(req) = crate::support::read_request(&mut stream) {
                    a.fetch_add(1, Ordering::SeqCst);
                    let _ = req;
                    crate::support::respond_keep_alive(&mut stream, 200, &user_json("usr_1"));
                }
                // Idle too long (or the client left): close, as a server's keep-alive timer does.
                let _ = stream.shutdown(Shutdown::Both);
            });
        }
    });
    (url, answered, connections)
}

#[test]
fn a_post_never_fails_on_a_connection_the_server_closed_while_idle() {
    let idle = Duration::from_millis(100);
    let (url, answered, connections) = closes_idle_connections(idle);
    let client = Client::new(
        Config::builder()
            .secret_key(KEY)
            .api_host(url)
            .max_retries(0)
            .build()
            .unwrap(),
    );
    // Three rounds of each of the nine pauses.
    let rounds = 27;
    let mut failures = Vec::new();
    for i in 0..rounds {
        // Pauses around the server's keep-alive timeout, where a reused connection is most
        // likely to be closed under the request.
        thread::sleep(Duration::from_millis(80 + (i % 9) as u64 * 5));
        if let Err(e) = client.scope(|| User::create(&UserCreateParams::new())) {
            failures.push(e.to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {rounds} POSTs failed: {failures:?}",
        failures.len()
    );
    assert_eq!(
        answered.load(Ordering::SeqCst),
        rounds,
        "each POST reached the server once"
    );
    assert!(connections.load(Ordering::SeqCst) >= rounds / 2);

    // Back to back, POSTs still share one connection: the rule costs nothing in a loop.
    let before = connections.load(Ordering::SeqCst);
    for _ in 0..20 {
        client
            .scope(|| User::create(&UserCreateParams::new()))
            .unwrap();
    }
    assert!(connections.load(Ordering::SeqCst) - before <= 2);
}

#[test]
fn reads_reuse_a_connection_until_the_idle_timeout() {
    let (url, answered, connections) = closes_idle_connections(Duration::from_secs(5));
    let client = Client::new(
        Config::builder()
            .secret_key(KEY)
            .api_host(url)
            .idle_timeout(Duration::from_millis(50))
            .build()
            .unwrap(),
    );
    for _ in 0..5 {
        client.scope(|| User::retrieve("usr_1")).unwrap();
    }
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "back to back: one connection"
    );
    thread::sleep(Duration::from_millis(80));
    client.scope(|| User::retrieve("usr_1")).unwrap();
    assert_eq!(
        connections.load(Ordering::SeqCst),
        2,
        "idle past the timeout: a fresh one"
    );
    assert_eq!(answered.load(Ordering::SeqCst), 6);
}

#[test]
fn only_a_post_needs_a_connection_used_within_post_idle_timeout() {
    let (url, answered, connections) = closes_idle_connections(Duration::from_secs(5));
    let client = Client::new(
        Config::builder()
            .secret_key(KEY)
            .api_host(url)
            .post_idle_timeout(Duration::from_millis(30))
            .build()
            .unwrap(),
    );
    client.scope(|| User::retrieve("usr_1")).unwrap();
    thread::sleep(Duration::from_millis(100));
    client.scope(|| User::retrieve("usr_1")).unwrap();
    assert_eq!(connections.load(Ordering::SeqCst), 1, "a GET reuses it");
    thread::sleep(Duration::from_millis(100));
    client
        .scope(|| User::create(&UserCreateParams::new()))
        .unwrap();
    assert_eq!(connections.load(Ordering::SeqCst), 2, "a POST does not");
    assert_eq!(answered.load(Ordering::SeqCst), 3);
}

#[test]
fn clients_with_the_default_transport_share_one_pool_and_others_have_their_own() {
    let (url, answered, connections) = closes_idle_connections(Duration::from_secs(5));
    let built = || {
        Config::builder()
            .secret_key(KEY)
            .api_host(url.clone())
            .max_retries(1) // not a transport setting: still the shared agent
    };
    let (a, b) = (
        Client::new(built().build().unwrap()),
        Client::new(built().build().unwrap()),
    );
    for client in [&a, &b, &a, &b] {
        client.scope(|| User::retrieve("usr_1")).unwrap();
    }
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "two default clients, one pool"
    );
    // A transport setting of its own (the DNS cache) means an agent, and a pool, of its own.
    let own = Client::new(
        built()
            .dns_cache_ttl(Duration::from_secs(1))
            .build()
            .unwrap(),
    );
    own.scope(|| User::retrieve("usr_1")).unwrap();
    assert_eq!(connections.load(Ordering::SeqCst), 2, "its own pool");
    assert_eq!(answered.load(Ordering::SeqCst), 5);
}

// ---------------------------------------------------------------------------------------------
// Names

#[test]
fn a_host_that_does_not_resolve_is_host_not_found_and_a_post_is_retried() {
    let client = Client::new(
        Config::builder()
            .secret_key(KEY)
            .api_host("https://nonexistent.invalid")
            .no_proxy()
            .sleeper(|_| {})
            .build()
            .unwrap(),
    );
    let err = client
        .scope(|| User::create(&UserCreateParams::new()))
        .unwrap_err();
    assert_eq!(
        err.transport_kind(),
        Some(TransportKind::HostNotFound),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "host not found: POST /v1/users on nonexistent.invalid:443 (after 3 attempts)"
    );
    assert_eq!((err.outcome(), err.attempts()), (Outcome::NotSent, 3));
    assert!(err.is_retryable());
}

#[test]
fn a_host_name_works_like_its_address() {
    let server = MockServer::start();
    let host = server.url().replace("127.0.0.1", "localhost");
    let client = Client::new(server.config_builder().api_host(host).build().unwrap());
    for _ in 0..3 {
        client
            .scope(|| User::create(&UserCreateParams::new()))
            .unwrap();
    }
    assert_eq!(server.count("user"), 3);
}
