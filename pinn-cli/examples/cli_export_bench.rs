//! The CLI's export, measured: `cargo run --release -p pinn-cli --example cli_export_bench`.
//!
//! For 1,000 and then 100,000 users it runs the real `pinn export users` binary (pages of
//! 100, output to /dev/null) and prints its peak RSS (VmHWM, polled from /proc while it runs)
//! and its rate. Equal peaks for both sizes show that memory stays flat. Two servers:
//!
//! - a minimal responder that generates each page in constant time, so the rate is the
//!   CLI's own and not the server's;
//! - the emulator (`MockServer`) in this process, seeded with that many users through its
//!   own seeding call (`seed_user`, several times faster than a `POST` each). It finds a
//!   page's cursor by index, so a page costs the same at any depth, but each page is real
//!   objects filtered, copied and serialized: the rate is the CLI's and the emulator's.
//!
//! For reference it also times the same walk done in this process with the crate
//! (`auto_paging_iter`) against the same server: the gap is the CLI's own work (encoding and
//! writing JSON) plus starting a process.
//!
//! It builds the binary first (`cargo build --release -p pinn-cli --bin pinn`). Linux
//! only (it reads /proc). Figures are read off the output, never asserted. See
//! docs/performance.md.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pinn::{Client, Config, ListParams};
use pinn_mock::{MockServer, UserSeed};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const KEY: &str = "sk_test_bench_4eC39HqLyjWDarjtT1zdp7dc";

fn main() -> Result<()> {
    let pinn = build_pinn()?;
    // Build the crate's HTTP agent (once per process) before anything is timed.
    library_rate(&responder(100)?, KEY, 100)?;
    println!("pinn export users, pages of 100, output to /dev/null\n");
    println!(
        "{:<10} {:>8} {:>6} {:>8} {:>9} {:>10} {:>14}",
        "server", "users", "pages", "seconds", "items/s", "peak RSS", "crate items/s"
    );
    for server in ["responder", "emulator"] {
        let mut peaks = Vec::new();
        for users in [1_000, 100_000] {
            // Each keeps its server alive until the export is done.
            let (_emulator, url, key) = match server {
                "emulator" => {
                    let emulator = MockServer::start();
                    seed(&emulator, users)?;
                    let (url, key) = (emulator.url(), emulator.secret_key().to_string());
                    (Some(emulator), url, key)
                }
                _ => (None, responder(users)?, KEY.to_string()),
            };
            let library = library_rate(&url, &key, users)?;
            let (took, peak_kib) = export(&pinn, &url, &key)?;
            println!(
                "{:<10} {:>8} {:>6} {:>8.2} {:>9.0} {:>6} KiB {:>14.0}",
                server,
                users,
                users.div_ceil(100),
                took.as_secs_f64(),
                users as f64 / took.as_secs_f64(),
                peak_kib,
                library
            );
            peaks.push(peak_kib);
        }
        println!(
            "{server}: peak RSS of 100,000 users minus 1,000 users: {} KiB\n",
            peaks[1] as i64 - peaks[0] as i64
        );
    }
    Ok(())
}

/// Builds the release binary (cargo sets `CARGO` for `cargo run`) and returns its path,
/// beside this example's folder.
fn build_pinn() -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "pinn-cli",
            "--bin",
            "pinn",
        ])
        .status()?;
    if !built.success() {
        return Err("cargo build --release -p pinn-cli --bin pinn failed".into());
    }
    let exe = std::env::current_exe()?;
    let dir = exe.parent().and_then(|examples| examples.parent());
    let pinn = dir.ok_or("no target directory")?.join("pinn");
    if !pinn.exists() {
        return Err(format!("{} was not built", pinn.display()).into());
    }
    Ok(pinn)
}

/// Creates `users` users in the emulator with its seeding call (no HTTP), each with an
/// `external_id`, as `POST /v1/users` would.
fn seed(server: &MockServer, users: usize) -> Result<()> {
    let started = Instant::now();
    for i in 0..users {
        let mut metadata = pinn::serde_json::Map::new();
        metadata.insert("external_id".into(), i.into());
        server.seed_user(UserSeed {
            metadata,
            ..UserSeed::default()
        })?;
    }
    eprintln!(
        "(seeded {users} users in {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Items per second of the same walk done in this process with the crate.
fn library_rate(url: &str, key: &str, users: usize) -> Result<f64> {
    let client = Client::new(Config::builder().api_host(url).secret_key(key).build()?);
    let started = Instant::now();
    let first = client.users().list(&ListParams::new().limit(100))?;
    let mut n = 0;
    for user in first.auto_paging_iter() {
        user?;
        n += 1;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    if n != users {
        return Err(format!("the crate walked {n} users, not {users}").into());
    }
    Ok(rate)
}

/// Runs the export, polling its peak RSS until it exits, and checks that it succeeded.
fn export(pinn: &Path, url: &str, key: &str) -> Result<(Duration, u64)> {
    let started = Instant::now();
    let mut child = Command::new(pinn)
        .args(["--api-host", url, "export", "users"])
        .env_remove("PINN_API_HOST")
        .env_remove("PINN_API_VERSION")
        .env("PINN_SECRET_KEY", key)
        .stdin(Stdio::null())
        .stdout(File::create("/dev/null")?)
        .spawn()?;
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            peak_kib = peak_kib.max(vm_hwm_kib(&text).unwrap_or(0));
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let took = started.elapsed();
    if !status.success() {
        return Err(format!("pinn export failed: {status}").into());
    }
    Ok((took, peak_kib))
}

/// `VmHWM:   12345 kB` from /proc/<pid>/status.
fn vm_hwm_kib(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A keep-alive HTTP/1.1 responder on 127.0.0.1 serving `GET /v1/users` as generated pages
/// of `total` users (cursor `usr_<index>`), each made in constant time. It serves until the
/// process ends.
fn responder(total: usize) -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve_pages(stream, total));
        }
    });
    Ok(url)
}

fn serve_pages(stream: TcpStream, total: usize) {
    let _ = stream.set_nodelay(true);
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let target = line.split(' ').nth(1).unwrap_or("/").to_string();
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
        }
        let query = target.split_once('?').map_or("", |(_, q)| q);
        let param = |name: &str| {
            query
                .split('&')
                .find_map(|p| p.strip_prefix(name)?.strip_prefix('='))
        };
        let limit = param("limit").and_then(|l| l.parse().ok()).unwrap_or(10);
        let start = param("starting_after")
            .and_then(|c| c.strip_prefix("usr_")?.parse::<usize>().ok())
            .map_or(0, |i| i + 1);
        let body = page(start, limit, total);
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Request-Id: req_bench\r\n\r\n{body}",
            body.len()
        );
        if writer.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// A page of `limit` users after index `start`, out of `total`, as the API sends it.
fn page(start: usize, limit: usize, total: usize) -> String {
    let end = (start + limit).min(total);
    let mut data = Vec::with_capacity(end.saturating_sub(start));
    for i in start..end {
        data.push(format!(
            r#"{{"object":"user","user_id":"usr_{i:08}","created_at":1700000000,"updated_at":1700000100,"authenticated_at":null,"device_enrolled":true,"left_palm_enrolled":true,"right_palm_enrolled":false,"metadata":{{"external_id":"cust_{i}","plan":"premium"}},"status":"active"}}"#
        ));
    }
    let ended_at = match end.checked_sub(1).filter(|_| end > start) {
        Some(last) => format!("\"usr_{last:08}\""),
        None => "null".into(),
    };
    format!(
        r#"{{"object":"list","url":"/v1/users","count":{},"has_more":{},"ended_at":{ended_at},"data":[{}]}}"#,
        end.saturating_sub(start),
        end < total,
        data.join(",")
    )
}
