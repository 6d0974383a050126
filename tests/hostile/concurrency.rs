//! Many threads, one process-wide client, keys swapped mid-run; and two keys at once through
//! `Client::scope`. Every request carries exactly one whole config, and nothing deadlocks.
//!
//! Everything that touches the process-wide client lives in ONE test function, so tests in
//! this binary cannot race each other on it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use crate::support::{Seen, Server, respond_keep_alive, user_json, within};
use pinn::{Client, Config, User};

const OLD: &str = "sk_test_CONCURRENCY_OLD_4eC39HqLyjWDarjtT1";
const NEW: &str = "sk_test_CONCURRENCY_NEW_9fR21KqPzmXLbsrtU2";
const THREADS: usize = 8;
const CALLS: usize = 60;

/// A keep-alive server answering `GET /v1/users/{id}` with that user.
fn user_server() -> Server {
    Server::start_keep_alive(|_, req: &Seen, s| {
        let id = req.path.rsplit('/').next().unwrap_or("");
        respond_keep_alive(s, 200, &user_json(id));
    })
}

fn bearer(key: &str) -> String {
    format!("Bearer {key}")
}

#[test]
fn threads_share_the_global_client_while_its_key_is_swapped() {
    let server = user_server();
    let url = server.url();
    within(Duration::from_secs(20), move || {
        pinn::set_api_host(&url).unwrap();
        pinn::set_secret_key(OLD).unwrap();
        pinn::set_api_version(None).unwrap();

        // Phase 1: the key alone is swapped with `set_secret_key`, back and forth, by one of
        // the eight threads while all eight make calls.
        let start = Arc::new(Barrier::new(THREADS));
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let start = start.clone();
                thread::spawn(move || {
                    start.wait();
                    for i in 0..CALLS {
                        if t == 0 && i % 5 == 2 {
                            let key = if (i / 5) % 2 == 0 { NEW } else { OLD };
                            pinn::set_secret_key(key).unwrap();
                        }
                        let id = format!("usr_{t}_{i}");
                        let user = User::retrieve(&id).unwrap();
                        assert_eq!(user.user_id, id);
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        let phase1 = server.seen();
        assert_eq!(phase1.len(), THREADS * CALLS);
        let mut by_key: HashMap<String, usize> = HashMap::new();
        for r in &phase1 {
            let auth = r.header("authorization").unwrap_or("<none>").to_string();
            assert!(
                auth == bearer(OLD) || auth == bearer(NEW),
                "a request carried {auth:?}"
            );
            *by_key.entry(auth).or_default() += 1;
        }
        assert_eq!(by_key.len(), 2, "both keys were used mid-run: {by_key:?}");

        // Phase 2: whole configs swapped with `set_client`, each pairing a key with its own
        // API version. A request must carry a matching pair, never half of each.
        let config = |key: &str, version: &str| {
            Client::new(
                Config::builder()
                    .secret_key(key)
                    .api_host(&url)
                    .api_version(version)
                    .build()
                    .unwrap(),
            )
        };
        let (a, b) = (config(OLD, "2024-01-01"), config(NEW, "2025-02-02"));
        pinn::set_client(a.clone());
        let stop = Arc::new(AtomicBool::new(false));
        let swapper = {
            let stop = stop.clone();
            thread::spawn(move || {
                let mut n = 0u32;
                while !stop.load(Ordering::SeqCst) {
                    pinn::set_client(if n.is_multiple_of(2) {
                        b.clone()
                    } else {
                        a.clone()
                    });
                    n += 1;
                    thread::sleep(Duration::from_micros(200));
                }
                n
            })
        };
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                thread::spawn(move || {
                    for i in 0..CALLS {
                        let id = format!("usr_p2_{t}_{i}");
                        assert_eq!(User::retrieve(&id).unwrap().user_id, id);
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        stop.store(true, Ordering::SeqCst);
        let swaps = swapper.join().unwrap();
        assert!(swaps > 2, "{swaps} swaps");
        let phase2: Vec<Seen> = server.seen().into_iter().skip(phase1.len()).collect();
        assert_eq!(phase2.len(), THREADS * CALLS);
        for r in &phase2 {
            let pair = (r.header("authorization"), r.header("pinn-version"));
            assert!(
                pair == (Some(&*bearer(OLD)), Some("2024-01-01"))
                    || pair == (Some(&*bearer(NEW)), Some("2025-02-02")),
                "a request mixed two configs: {pair:?}"
            );
        }

        // A refused value leaves the previous key in place.
        pinn::set_secret_key(OLD).unwrap();
        assert!(pinn::set_secret_key("sk_test_bad\r\nkey").is_err());
        User::retrieve("usr_after").unwrap();
        let last = server.seen().pop().unwrap();
        assert_eq!(last.header("authorization"), Some(&*bearer(OLD)));
    });
}

#[test]
fn two_keys_at_once_through_scopes_never_cross() {
    let (server_a, server_b) = (user_server(), user_server());
    let client = |key: &str, url: &str| {
        Client::new(
            Config::builder()
                .secret_key(key)
                .api_host(url)
                .build()
                .unwrap(),
        )
    };
    let a = client(OLD, &server_a.url());
    let b = client(NEW, &server_b.url());
    let (a2, b2) = (a.clone(), b.clone());
    within(Duration::from_secs(20), move || {
        let start = Arc::new(Barrier::new(4));
        let workers: Vec<_> = [a2.clone(), b2.clone(), a2, b2]
            .into_iter()
            .enumerate()
            .map(|(t, c)| {
                let start = start.clone();
                thread::spawn(move || {
                    c.scope(|| {
                        start.wait();
                        for i in 0..CALLS {
                            let id = format!("usr_{t}_{i}");
                            assert_eq!(User::retrieve(&id).unwrap().user_id, id);
                        }
                    })
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
    });
    for (server, key) in [(&server_a, OLD), (&server_b, NEW)] {
        let seen = server.seen();
        assert_eq!(seen.len(), 2 * CALLS);
        for r in &seen {
            assert_eq!(r.header("authorization"), Some(&*bearer(key)));
        }
        // The one agent's pool is shared, and connections are reused.
        assert!(server.accepted() < seen.len() / 4, "{}", server.accepted());
    }

    // Scopes nest on one thread, and the outer one comes back after the inner one ends,
    // even when it ends in a panic.
    a.scope(|| {
        User::retrieve("usr_outer").unwrap();
        b.scope(|| User::retrieve("usr_inner").unwrap());
        let caught = std::panic::catch_unwind(|| b.scope(|| panic!("inside b")));
        assert!(caught.is_err());
        User::retrieve("usr_outer_again").unwrap();
    });
    let last_a = server_a.seen();
    let last_b = server_b.seen();
    assert_eq!(last_a.last().unwrap().path, "/v1/users/usr_outer_again");
    assert_eq!(last_b.last().unwrap().path, "/v1/users/usr_inner");
    assert_eq!(
        last_a.last().unwrap().header("authorization"),
        Some(&*bearer(OLD))
    );
}
