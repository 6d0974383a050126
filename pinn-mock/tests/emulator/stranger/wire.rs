//! Pagination on the wire, the standalone binary, and input meant to break the server.

use pinn_mock::MockServer;
use serde_json::{Value, json};

use super::*;

#[test]
fn pagination_on_the_wire() {
    let s = MockServer::start();
    let x = Stranger::new(&s);
    let ids: Vec<String> = (0..25)
        .map(|_| {
            x.ok("POST", "/v1/users", None)["user_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let first = x.ok("GET", "/v1/users", None);
    let items = list_of(&first, "/v1/users", "user", USER);
    assert_eq!((items.len(), &first["has_more"]), (10, &json!(true)));
    assert_eq!(items[0]["user_id"], ids[24]);
    let mut seen = items.len();
    let mut page = first;
    while page["has_more"] == true {
        let cursor = page["ended_at"].as_str().unwrap();
        page = x.ok(
            "GET",
            &format!(
                "{}?limit=10&starting_after={cursor}",
                page["url"].as_str().unwrap()
            ),
            None,
        );
        seen += list_of(&page, "/v1/users", "user", USER).len();
    }
    assert_eq!(seen, 25);
    assert_eq!(
        (&page["count"], &page["ended_at"]),
        (&json!(5), &json!(ids[0]))
    );
    // Past the end: an empty page.
    let after_last = x.ok("GET", &format!("/v1/users?starting_after={}", ids[0]), None);
    assert_eq!(list_of(&after_last, "/v1/users", "user", USER).len(), 0);
    assert_eq!(after_last["has_more"], false);
    // The recorded query is raw.
    let last = s.requests().pop().unwrap();
    assert_eq!(last.query, Some(format!("starting_after={}", ids[0])));
}

#[test]
fn the_standalone_binary_serves_the_same_api() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pinn-mock"))
        .args([
            "--port",
            "0",
            "--secret-key",
            "sk_test_standalone_0123456789",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut setting = |name: &str| {
        let line = lines.next().unwrap().unwrap();
        line.strip_prefix(name)
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("{line}"))
    };
    let first = setting("pinn-mock listening on ");
    let (host, key) = (setting("PINN_API_HOST="), setting("PINN_SECRET_KEY="));
    assert_eq!(
        (first.as_str(), key.as_str()),
        (host.as_str(), "sk_test_standalone_0123456789")
    );
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        // A stranger on this machine talks to the emulator directly, whatever the proxy variables.
        .proxy(None)
        .build()
        .new_agent();
    let health = agent.get(format!("{host}/health")).call().unwrap();
    assert_eq!(health.status().as_u16(), 200);
    let mut created = agent
        .post(format!("{host}/v1/users"))
        .header("Authorization", format!("Bearer {key}"))
        .send_empty()
        .unwrap();
    assert_eq!(created.status().as_u16(), 200);
    let user: Value = serde_json::from_str(&created.body_mut().read_to_string().unwrap()).unwrap();
    shape(&user, "user", USER);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn hostile_input_never_stops_the_server() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    let s = MockServer::start();
    let addr = s.url().trim_start_matches("http://").to_string();
    let auth = format!("Host: {addr}\r\nAuthorization: Bearer {}", s.secret_key());
    let big = "x".repeat((1 << 20) + 10);
    let junk: Vec<Vec<u8>> = vec![
        b"\x00\xff\xfe garbage\r\n\r\n".to_vec(),
        b"GET\r\n\r\n".to_vec(),
        b"GET /v1/users HTTP/9.9\r\n\r\n".to_vec(),
        format!("GET /v1/users?limit=%ZZ&limit=99999999999999999999 HTTP/1.1\r\n{auth}\r\n\r\n")
            .into_bytes(),
        format!("GET /v1/users/%C0%AF HTTP/1.1\r\n{auth}\r\n\r\n").into_bytes(),
        [
            format!("POST /v1/users HTTP/1.1\r\n{auth}\r\nContent-Length: 4\r\n\r\n").as_bytes(),
            b"\xff\xfe{}",
        ]
        .concat(),
        format!(
            "POST /v1/users HTTP/1.1\r\n{auth}\r\nContent-Length: {}\r\n\r\n{big}",
            big.len()
        )
        .into_bytes(),
        format!("POST /v1/users HTTP/1.1\r\n{auth}\r\nContent-Length: 100\r\n\r\n{{\"meta")
            .into_bytes(),
        format!(
            "POST /v1/users HTTP/1.1\r\n{auth}\r\nContent-Length: 2000\r\n\r\n{}",
            "[".repeat(2000)
        )
        .into_bytes(),
        format!("HEAD /v1/users HTTP/1.1\r\n{auth}\r\n\r\n").into_bytes(),
    ];
    let mut statuses = Vec::new();
    for bytes in junk {
        let mut raw = TcpStream::connect(&addr).unwrap();
        raw.set_read_timeout(Some(std::time::Duration::from_millis(500)))
            .unwrap();
        let _ = raw.write_all(&bytes);
        let _ = raw.shutdown(std::net::Shutdown::Write);
        let mut got = Vec::new();
        let _ = raw.read_to_end(&mut got);
        let head = String::from_utf8_lossy(&got)
            .chars()
            .take(12)
            .collect::<String>();
        statuses.push(head);
    }
    for (i, what) in [(0, "garbage"), (1, "no target"), (2, "HTTP/9.9")] {
        assert_eq!(statuses[i], "HTTP/1.1 400", "{what}");
    }
    assert_eq!(statuses[3], "HTTP/1.1 400", "a bad limit");
    assert_eq!(statuses[4], "HTTP/1.1 404", "an ID that is not UTF-8");
    assert_eq!(statuses[5], "HTTP/1.1 400", "a body that is not UTF-8 JSON");
    assert_eq!(statuses[6], "HTTP/1.1 413", "a body over 1 MiB");
    assert_eq!(statuses[8], "HTTP/1.1 400", "JSON nested too deep");
    assert_eq!(statuses[9], "HTTP/1.1 200", "HEAD");
    // Still serving, and nothing was created.
    let x = Stranger::new(&s);
    list_of(&x.ok("GET", "/v1/users", None), "/v1/users", "user", USER);
    assert_eq!(s.creates("user"), 0);
}
