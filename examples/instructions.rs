//! Instructions per call, counted rather than timed: 3,000 pooled GETs of one user, through
//! raw ureq with no timeouts (the transport's own limit) decoding into the same model, or
//! through the crate, against a responder in the same process. Run each side under callgrind and compare the totals:
//!
//! ```text
//! cargo build --release --example instructions
//! valgrind --tool=callgrind target/release/examples/instructions raw
//! valgrind --tool=callgrind target/release/examples/instructions crate
//! ```
//!
//! The counts repeat from run to run whatever else the machine does (docs/performance.md).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

const KEY: &str = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
const USER: &str = r#"{"object":"user","user_id":"usr_1","created_at":1,"updated_at":1,"authenticated_at":null,"device_enrolled":false,"left_palm_enrolled":false,"right_palm_enrolled":false,"metadata":{},"status":"active"}"#;
const CALLS: usize = 3_000;

/// Answers every request on a keep-alive connection with the user.
fn answer(stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let mut len = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
        reader.read_exact(&mut vec![0; len])?;
        write!(
            writer,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nRequest-Id: req_1\r\n\
             Content-Length: {}\r\n\r\n{USER}",
            USER.len()
        )?;
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    match std::env::args().nth(1).as_deref() {
        Some("raw") => {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            let user_url = format!("{url}/v1/users/usr_1");
            for _ in 0..CALLS {
                let mut response = agent
                    .get(&user_url)
                    .header("Authorization", format!("Bearer {KEY}"))
                    .call()?;
                // The same decode as the crate's, so the difference is the crate's own work.
                let body = response.body_mut().read_to_vec()?;
                let user: pinn::User = pinn::serde_json::from_slice(&body)?;
                std::hint::black_box(user);
            }
        }
        Some("crate") => {
            let client = pinn::Client::builder()
                .secret_key(KEY)
                .api_host(url)
                .build()?;
            for _ in 0..CALLS {
                std::hint::black_box(client.users().retrieve("usr_1")?);
            }
        }
        _ => return Err("usage: instructions raw|crate".into()),
    }
    Ok(())
}
