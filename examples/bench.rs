//! The performance benchmark: `cargo run --release --example bench`.
//!
//! It starts its own minimal responders on 127.0.0.1 and prints a table of figures and
//! ratios, all measured in this one run. Targets are read off the output, never asserted:
//! timing assertions flake on shared machines. See docs/performance.md.
//!
//! `cargo run --release --example bench -- --quick` runs smaller loops (for CI smoke runs).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use pinn::{Client, Config, IdToken, List, ListParams, User};

const KEY: &str = "sk_test_bench_4eC39HqLyjWDarjtT1zdp7dc";

/// A fixed user, as the API would send it.
fn user_json(id: &str) -> String {
    format!(
        r#"{{"object":"user","user_id":"{id}","created_at":1700000000,"updated_at":1700000100,"authenticated_at":null,"device_enrolled":true,"left_palm_enrolled":true,"right_palm_enrolled":false,"metadata":{{"external_id":"cust_8842","plan":"premium"}},"status":"active"}}"#
    )
}

/// A page of `limit` generated users after `start` (an index), out of `total`.
fn page_json(start: usize, limit: usize, total: usize) -> String {
    let end = (start + limit).min(total);
    let mut s = String::with_capacity((end - start) * 300 + 128);
    s.push_str(r#"{"object":"list","url":"/v1/users","count":"#);
    s.push_str(&(end - start).to_string());
    s.push_str(r#","has_more":"#);
    s.push_str(if end < total { "true" } else { "false" });
    s.push_str(r#","ended_at":"#);
    if end > start {
        s.push_str(&format!("\"usr_{:08}\"", end - 1));
    } else {
        s.push_str("null");
    }
    s.push_str(r#","data":["#);
    for i in start..end {
        if i > start {
            s.push(',');
        }
        s.push_str(&user_json(&format!("usr_{i:08}")));
    }
    s.push_str("]}");
    s
}

/// What a responder answers for a request line's target.
type Handler = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// A minimal keep-alive HTTP/1.1 responder: one thread per connection, reads the head (and a
/// `Content-Length` body), answers 200 with the handler's JSON. Just enough to keep the
/// server's own cost out of the client's figures.
struct Responder {
    url: String,
    stop: Arc<AtomicBool>,
}

impl Responder {
    fn start(handler: Handler) -> Responder {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let handler = handler.clone();
                thread::spawn(move || serve(stream, handler));
            }
        });
        Responder { url, stop }
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
    }
}

fn serve(stream: TcpStream, handler: Handler) {
    let _ = stream.set_nodelay(true);
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let target = line.split(' ').nth(1).unwrap_or("/").to_string();
        let mut content_length = 0usize;
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                content_length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; content_length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let json = handler(&target);
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nRequest-Id: req_bench\r\n\r\n",
            json.len()
        );
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(json.as_bytes()).is_err()
        {
            return;
        }
    }
}

/// CPU time of the calling thread (user + system), from /proc; `None` where unavailable.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of stat(5); `after` starts at field 3.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10)) // USER_HZ is 100 on Linux
}

/// Peak resident memory of the process in KiB, and a way to reset it.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Wall and CPU time of `n` runs of `f` on this thread.
fn time<F: FnMut()>(n: usize, mut f: F) -> (Duration, Option<Duration>) {
    let cpu0 = thread_cpu();
    let t0 = Instant::now();
    for _ in 0..n {
        f();
    }
    let wall = t0.elapsed();
    let cpu = match (cpu0, thread_cpu()) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a)),
        _ => None,
    };
    (wall, cpu)
}

fn per_call(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1e6 / n as f64
}

fn fmt_opt(d: Option<Duration>, n: usize) -> String {
    d.map(|d| format!("{:.1} µs", per_call(d, n)))
        .unwrap_or_else(|| "n/a".into())
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let scale = if quick { 10 } else { 1 };

    let user_responder = Responder::start(Arc::new(|_| user_json("usr_4x8TXkN2pQ7vLm3Z9bYcR1dW")));
    let client = Client::new(
        Config::builder()
            .secret_key(KEY)
            .api_host(user_responder.url.clone())
            .build()
            .expect("valid config"),
    );
    pinn::set_client(client.clone());

    println!(
        "pinn benchmark ({} mode)",
        if quick { "quick" } else { "full" }
    );
    println!(
        "machine: {} cores, {}",
        thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        cpu_model()
    );

    // 1. Per-call cost against the transport's own limit: a bare ureq agent with no
    // timeouts, the same with the crate's timeouts, and the crate, interleaved in rounds on
    // one responder so drift hits all three equally.
    let n = 24_000 / scale;
    let url = format!(
        "{}/v1/users/usr_4x8TXkN2pQ7vLm3Z9bYcR1dW",
        user_responder.url
    );
    let auth = format!("Bearer {KEY}");
    let bare = raw_agent(None);
    let timed = raw_agent(Some((
        pinn::config::DEFAULT_CONNECT_TIMEOUT,
        pinn::config::DEFAULT_TIMEOUT,
    )));
    let raw_call = |agent: &ureq::Agent| {
        let mut resp = agent
            .get(&url)
            .header("Authorization", &auth)
            .call()
            .expect("raw GET");
        let body = resp
            .body_mut()
            .with_config()
            .limit(4 << 20)
            .read_to_vec()
            .expect("raw body");
        let v: serde_json::Value = serde_json::from_slice(&body).expect("raw json");
        std::hint::black_box(v);
    };
    let sdk_call = || {
        let u = User::retrieve("usr_4x8TXkN2pQ7vLm3Z9bYcR1dW").expect("retrieve");
        std::hint::black_box(u);
    };
    // Warm up the connections and caches.
    time(500, || raw_call(&bare));
    time(500, || raw_call(&timed));
    time(500, sdk_call);
    let mut totals = [(Duration::ZERO, Some(Duration::ZERO)); 3];
    // Each round runs the three in a rotated order, so none always follows the one whose
    // timeouts spawn a thread per call (whose aftermath slows whatever runs next).
    let rounds = 12;
    for round in 0..rounds {
        for i in 0..3 {
            let which = (round + i) % 3;
            let (w, c) = match which {
                0 => time(n / rounds, || raw_call(&bare)),
                1 => time(n / rounds, || raw_call(&timed)),
                _ => time(n / rounds, sdk_call),
            };
            let total = &mut totals[which];
            total.0 += w;
            total.1 = total.1.zip(c).map(|(a, b)| a + b);
        }
    }
    println!("\n1. per-call cost, GET of one user ({n} calls each, interleaved)");
    println!(
        "   {:<40} {:>12} {:>16} {:>14}",
        "", "wall/call", "client CPU/call", "wall ratio"
    );
    let limit = totals[0].0.as_secs_f64();
    for (name, (wall, cpu)) in [
        "raw ureq, no timeouts (the limit)",
        "raw ureq, the crate's timeouts",
        "pinn User::retrieve, every timeout on",
    ]
    .iter()
    .zip(totals)
    {
        println!(
            "   {name:<40} {:>9.1} µs {:>16} {:>13.3}x",
            per_call(wall, n),
            fmt_opt(cpu, n),
            wall.as_secs_f64() / limit
        );
    }
    println!("   target: pinn <= 1.10x the limit");

    // 2. Auto-pagination: items per second and peak memory.
    println!("\n2. auto-pagination, limit 100");
    let mut peaks = Vec::new();
    for total in [1_000usize, 100_000 / scale] {
        let pages = Responder::start(Arc::new(move |target: &str| {
            let start = target
                .split("starting_after=usr_")
                .nth(1)
                .and_then(|s| s.get(..8))
                .and_then(|s| s.parse::<usize>().ok())
                .map_or(0, |i| i + 1);
            page_json(start, 100, total)
        }));
        let paging = Client::new(
            Config::builder()
                .secret_key(KEY)
                .api_host(pages.url.clone())
                .build()
                .expect("valid config"),
        );
        let reset = reset_peak_rss();
        let t0 = Instant::now();
        let mut seen = 0usize;
        paging.scope(|| {
            let first = User::list(&ListParams::new().limit(100)).expect("first page");
            for user in first.auto_paging_iter() {
                std::hint::black_box(user.expect("user"));
                seen += 1;
            }
        });
        let wall = t0.elapsed();
        let peak = peak_rss_kib();
        assert_eq!(seen, total, "the walk must see every user");
        println!(
            "   {total:>7} users: {:>9.0} items/s, peak RSS {} KiB{}",
            total as f64 / wall.as_secs_f64(),
            peak.map_or("n/a".into(), |p| p.to_string()),
            if reset {
                ""
            } else {
                " (peak not resettable here)"
            }
        );
        peaks.push(peak);
    }
    if let [Some(small), Some(large)] = peaks[..] {
        println!(
            "   peak for the larger walk minus the smaller: {} KiB   target <= 2048 KiB",
            large as i64 - small as i64
        );
    }

    // 3. ID tokens, and decoding a page.
    println!("\n3. decoding");
    let token = mint(KEY, &user_responder.url);
    IdToken::verify(&token, &["palm"]).expect("the precomputed token verifies");
    let n = 200_000 / scale;
    let (wall, _) = time(n, || {
        std::hint::black_box(IdToken::verify(&token, &["palm"]).expect("verify"));
    });
    println!(
        "   IdToken::verify: {:>10.0} /s ({:.2} µs each)   target >= 200000 /s",
        n as f64 / wall.as_secs_f64(),
        per_call(wall, n)
    );
    let page = page_json(0, 100, 1000);
    let n = 5_000 / scale;
    let (wall, _) = time(n, || {
        let list: List<User> = serde_json::from_str(&page).expect("page decodes");
        std::hint::black_box(list);
    });
    println!(
        "   100-user page decode: {:>6.0} /s ({:.1} µs each, {} bytes)",
        n as f64 / wall.as_secs_f64(),
        per_call(wall, n),
        page.len()
    );

    // 4. Threads sharing the process-wide client and agent.
    println!("\n4. concurrency: User::retrieve on the process-wide client");
    let per_thread = 10_000 / scale;
    let mut base = 0.0;
    for threads in [1usize, 2, 4, 8] {
        let t0 = Instant::now();
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                thread::spawn(move || {
                    for _ in 0..per_thread {
                        std::hint::black_box(
                            User::retrieve("usr_4x8TXkN2pQ7vLm3Z9bYcR1dW").expect("retrieve"),
                        );
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().expect("thread");
        }
        let rate = (threads * per_thread) as f64 / t0.elapsed().as_secs_f64();
        if threads == 1 {
            base = rate;
        }
        println!(
            "   {threads} thread(s): {rate:>9.0} calls/s   x{:.2} of 1 thread",
            rate / base
        );
    }
    println!(
        "   (client and responder share the {} cores: scaling stops when they run out)",
        thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );

    ablations(scale, &token, &user_responder.url);
}

/// Section 5: what each per-call saving is worth. The work the crate does once, timed as if
/// it were done on every call, next to what it costs as done.
fn ablations(scale: usize, token: &str, responder_url: &str) {
    println!("\n5. per-call work avoided (cost if done on every call)");
    let row = |what: &str, n: usize, d: Duration| {
        println!("   {what:<52} {:>9.2} µs", per_call(d, n));
    };
    let n = 100_000 / scale;
    let config = Config::builder()
        .secret_key(KEY)
        .api_host(responder_url)
        .build()
        .expect("config");
    row(
        "re-read the environment (Config::from_env)",
        n,
        time(n, || {
            std::hint::black_box(Config::from_env());
        })
        .0,
    );
    row(
        "deep-copy the config (Config::clone)",
        n,
        time(n, || {
            std::hint::black_box(config.clone());
        })
        .0,
    );
    row(
        "share the config instead (Client::current, an Arc)",
        n,
        time(n, || {
            std::hint::black_box(Client::current());
        })
        .0,
    );
    row(
        "re-format the Authorization header",
        n,
        time(n, || {
            std::hint::black_box(format!("Bearer {}", std::hint::black_box(KEY)));
        })
        .0,
    );
    let body = user_json("usr_4x8TXkN2pQ7vLm3Z9bYcR1dW");
    row(
        "decode a user twice (bytes -> Value -> User)",
        n,
        time(n, || {
            let v: serde_json::Value = serde_json::from_str(&body).expect("json");
            std::hint::black_box(serde_json::from_value::<User>(v).expect("user"));
        })
        .0,
    );
    row(
        "decode a user once (bytes -> User), as the crate does",
        n,
        time(n, || {
            std::hint::black_box(serde_json::from_str::<User>(&body).expect("user"));
        })
        .0,
    );
    let n = 100_000 / scale;
    row(
        "rebuild the JWT validation and key, then decode",
        n,
        time(n, || {
            let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
            v.required_spec_claims.clear();
            v.validate_aud = false;
            let key = jsonwebtoken::DecodingKey::from_secret(KEY.as_bytes());
            std::hint::black_box(
                jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(token, &key, &v)
                    .expect("decode"),
            );
        })
        .0,
    );
    row(
        "IdToken::verify as built (cached validation)",
        n,
        time(n, || {
            std::hint::black_box(IdToken::verify(token, &["palm"]).expect("verify"));
        })
        .0,
    );
    let n = 2_000 / scale;
    let url = format!("{responder_url}/v1/users/usr_4x8TXkN2pQ7vLm3Z9bYcR1dW");
    let get = |agent: &ureq::Agent| {
        let mut r = agent
            .get(&url)
            .header("Authorization", "Bearer x")
            .call()
            .expect("GET");
        std::hint::black_box(r.body_mut().read_to_vec().expect("body"));
    };
    row(
        "rebuild the agent (new connection) per GET",
        n,
        time(n, || get(&raw_agent(None))).0,
    );
    let kept = raw_agent(None);
    row(
        "reuse the one agent (keep-alive) per GET",
        n,
        time(n, || get(&kept)).0,
    );
}

/// A bare ureq agent configured as the crate's is for the wire (no redirects, error statuses
/// as responses), with these timeouts (connect, per call) or none: the transport's own limit.
fn raw_agent(timeouts: Option<(Duration, Duration)>) -> ureq::Agent {
    let b = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None);
    let b = match timeouts {
        Some((connect, global)) => b
            .timeout_connect(Some(connect))
            .timeout_global(Some(global)),
        None => b,
    };
    b.build().new_agent()
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

/// An HS256 token as Pinn issues it, valid for five minutes.
fn mint(key: &str, iss: &str) -> String {
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let claims = serde_json::json!({
        "sub": "usr_4x8TXkN2pQ7vLm3Z9bYcR1dW", "iss": iss, "amr": ["palm", "device"],
        "iat": now, "exp": now + 300,
    });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(key.as_bytes()),
    )
    .expect("token encodes")
}
