//! The emulator through the crate's own API: the full lifecycle of every resource, pagination
//! over hundreds of objects, each error status the emulator produces mapped to its kind, and
//! the events every change records. Each test starts its own emulator and scopes a client to
//! it, so the tests run in parallel without sharing anything.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use pinn::mock::{DeviceSeed, MockServer};
use pinn::{
    App, AppCreateParams, AppType, Deletable, Device, EnrollmentKey, EnrollmentKeyCreateParams,
    ErrorKind, Event, IdToken, ListParams, Log, Platform, RecoveryKey, RecoveryKeyCreateParams,
    User, UserCreateParams, UserUpdateParams, WebhookEndpoint, WebhookEndpointCreateParams,
    WebhookEndpointStatus, WebhookEndpointUpdateParams,
};
use serde_json::json;

type Result<T = ()> = pinn::Result<T>;

/// The error of a call that must fail.
fn fails<T: std::fmt::Debug>(r: Result<T>) -> pinn::Error {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e,
    }
}

fn event_types(s: &MockServer) -> Vec<String> {
    let events = s
        .client()
        .scope(|| Event::list(&ListParams::new().limit(100)));
    events
        .unwrap()
        .data
        .into_iter()
        .map(|e| e.event_type)
        .collect()
}

#[test]
fn users_from_create_to_delete() {
    let s = MockServer::start();
    s.client()
        .scope(|| -> Result {
            let before = pinn_time();
            let mut user =
                User::create(&UserCreateParams::new().metadata_entry("external_id", "ypf3"))?;
            assert!(user.user_id.starts_with("usr_") && user.user_id.len() == 28);
            assert_eq!(user.object, "user");
            assert!(user.created_at >= before && user.updated_at == user.created_at);
            assert_eq!(user.authenticated_at, None);
            assert!(!user.device_enrolled && !user.left_palm_enrolled && !user.right_palm_enrolled);
            assert_eq!(user.metadata["external_id"], "ypf3");
            assert_eq!(user.status.as_ref().map(|s| s.as_str()), Some("active"));

            let fetched = User::retrieve(&user.user_id)?;
            assert_eq!(fetched, user);

            // PATCH changes only what it is given.
            let disabled =
                User::update(&user.user_id, &UserUpdateParams::new().status("disabled"))?;
            assert_eq!(
                disabled.status.as_ref().map(|s| s.as_str()),
                Some("disabled")
            );
            assert_eq!(disabled.metadata, user.metadata);
            assert!(disabled.updated_at >= user.updated_at);

            // save() sends only what changed since `user` was read (the metadata) and
            // refreshes the object: the status it holds is stale but unchanged, so the
            // server's "disabled" stands.
            user.metadata.insert("plan".into(), json!("pro"));
            user.save()?;
            assert_eq!(user.status.as_ref().map(|s| s.as_str()), Some("disabled"));
            let again = User::retrieve(&user.user_id)?;
            assert_eq!(again.metadata["plan"], "pro");
            assert_eq!(again.status.as_ref().map(|s| s.as_str()), Some("disabled"));

            // A user created without metadata gets {} and the request has no body.
            let bare = User::create(&UserCreateParams::new())?;
            assert!(bare.metadata.is_empty());

            let listed = User::list(&ListParams::new())?;
            let ids: Vec<_> = listed.data.iter().map(|u| u.user_id.as_str()).collect();
            assert_eq!(ids, [bare.user_id.as_str(), user.user_id.as_str()]);

            user.delete()?;
            let gone = fails(User::retrieve(&user.user_id));
            assert_eq!(
                (gone.kind(), gone.status()),
                (ErrorKind::InvalidRequest, Some(404))
            );
            assert!(gone.request_id().is_some_and(|id| id.starts_with("req_")));
            assert_eq!(fails(User::delete(&user.user_id)).status(), Some(404));
            assert_eq!(User::list(&ListParams::new())?.count, 1);
            Ok(())
        })
        .unwrap();
    let sent = s.requests();
    assert_eq!(
        sent[0].json(),
        Some(json!({"metadata": {"external_id": "ypf3"}}))
    );
    assert_eq!(
        event_types(&s),
        [
            "user.deleted",
            "user.created",
            "user.updated",
            "user.updated",
            "user.created"
        ]
    );
    assert_eq!((s.count("user"), s.creates("user")), (1, 2));
}

/// Unix seconds now, as the emulator stamps them.
fn pinn_time() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[test]
fn apps_of_every_type() {
    let s = MockServer::start();
    s.client()
        .scope(|| -> Result {
            let ios = App::create(&AppCreateParams::new(AppType::Ios, "iOS app"))?;
            let android = App::create(&AppCreateParams::new(AppType::Android, "Android app"))?;
            let web = App::create(
                &AppCreateParams::new(AppType::Web, "Checkout").description("web shop"),
            )?;
            for app in [&ios, &android, &web] {
                assert!(app.app_id.starts_with("app_"));
                assert!(app.publishable_key.starts_with("pk_test_"));
                assert_eq!(app.created_at, app.updated_at);
            }
            assert_eq!(ios.description, None);
            assert_eq!(web.description.as_deref(), Some("web shop"));
            assert_eq!(App::retrieve(&android.app_id)?, android);
            let types: Vec<_> = App::list(&ListParams::new())?
                .into_iter()
                .map(|a| a.app_type)
                .collect();
            assert_eq!(types, [AppType::Web, AppType::Android, AppType::Ios]);
            web.delete()?;
            App::delete(&ios.app_id)?;
            assert_eq!(fails(App::retrieve(&web.app_id)).status(), Some(404));
            assert_eq!(
                fails(App::delete(&web.app_id)).kind(),
                ErrorKind::InvalidRequest
            );
            assert_eq!(App::list(&ListParams::new())?.data, [android]);
            // An empty name is well formed but refused.
            let empty = fails(App::create(&AppCreateParams::new(AppType::Web, " ")));
            assert_eq!(
                (empty.kind(), empty.status()),
                (ErrorKind::RequestFailed, Some(422))
            );
            Ok(())
        })
        .unwrap();
    let created = s.requests()[2].json();
    assert_eq!(
        created,
        Some(json!({"name": "Checkout", "description": "web shop"}))
    );
    assert_eq!(s.requests()[2].path, "/v1/apps/web");
    assert_eq!((s.count("app"), s.creates("app")), (1, 3));
}

#[test]
fn devices_enrolled_listed_and_deleted() {
    let s = MockServer::start();
    let c = s.client();
    let user = c.scope(|| User::create(&UserCreateParams::new())).unwrap();
    let other = c.scope(|| User::create(&UserCreateParams::new())).unwrap();
    let phone = s
        .enroll_device(&user.user_id, DeviceSeed::default())
        .unwrap();
    let pixel = DeviceSeed {
        name: "Ada's Pixel".into(),
        make: "Google".into(),
        model: "Pixel 8".into(),
        platform: "android".into(),
        platform_version: "14".into(),
        push_notification_token: Some("fcm-token-1".into()),
        left_palm: false,
        right_palm: true,
        ..DeviceSeed::default()
    };
    let tablet = s.enroll_device(&user.user_id, pixel).unwrap();
    s.enroll_device(&other.user_id, DeviceSeed::default())
        .unwrap();
    let unknown = s
        .enroll_device("usr_nobody", DeviceSeed::default())
        .unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::InvalidRequest);

    c.scope(|| -> Result {
        let u = User::retrieve(&user.user_id)?;
        assert!(u.device_enrolled && u.left_palm_enrolled && u.right_palm_enrolled);
        let d = Device::retrieve(&tablet.device_id)?;
        assert_eq!(d, tablet);
        assert!(d.device_id.starts_with("dev_"));
        assert_eq!((d.platform, d.make.as_str()), (Platform::Android, "Google"));
        assert_eq!(d.push_notification_token.as_deref(), Some("fcm-token-1"));
        assert_eq!(phone.push_notification_token, None);

        let mine = User::list_devices(&user.user_id, &ListParams::new())?;
        assert_eq!(mine.url, format!("/v1/users/{}/devices", user.user_id));
        let ids: Vec<_> = mine.data.iter().map(|d| d.device_id.clone()).collect();
        assert_eq!(ids, [tablet.device_id.clone(), phone.device_id.clone()]);
        assert_eq!(Device::list(&ListParams::new())?.count, 3);

        // Deleting one device keeps the user enrolled; deleting the last clears the flags.
        tablet.delete()?;
        assert!(User::retrieve(&user.user_id)?.device_enrolled);
        Device::delete(&phone.device_id)?;
        let u = User::retrieve(&user.user_id)?;
        assert!(!u.device_enrolled && !u.left_palm_enrolled && !u.right_palm_enrolled);
        assert_eq!(
            fails(Device::retrieve(&phone.device_id)).status(),
            Some(404)
        );

        // Deleting a user deletes their devices.
        User::delete(&other.user_id)?;
        assert_eq!(Device::list(&ListParams::new())?.count, 0);
        let orphan = fails(User::list_devices(&other.user_id, &ListParams::new()));
        assert_eq!(
            (orphan.kind(), orphan.status()),
            (ErrorKind::InvalidRequest, Some(404))
        );
        Ok(())
    })
    .unwrap();
    assert_eq!((s.count("device"), s.creates("device")), (0, 3));
    let types = event_types(&s);
    assert_eq!(
        types[..3],
        ["user.deleted", "device.deleted", "device.deleted"]
    );
    assert_eq!(types.iter().filter(|t| *t == "device.created").count(), 3);
}

#[test]
fn logs_recorded_and_listed_three_ways() {
    let s = MockServer::start();
    let c = s.client();
    let (user, app) = c
        .scope(|| -> Result<_> {
            let user = User::create(&UserCreateParams::new())?;
            let app = App::create(&AppCreateParams::new(AppType::Ios, "iOS"))?;
            Ok((user, app))
        })
        .unwrap();
    let device = s
        .enroll_device(&user.user_id, DeviceSeed::default())
        .unwrap();
    let failed = s.record_log(&device.device_id, false).unwrap();
    let ok = s.record_log(&device.device_id, true).unwrap();
    assert!(s.record_log("dev_nothing", true).is_err());
    assert_eq!(
        (ok.app_id.as_str(), failed.success, ok.success),
        (app.app_id.as_str(), false, true)
    );
    assert!(ok.log_id.starts_with("log_") && ok.score > failed.score);
    assert_eq!(ok.factors["palm"]["score"], json!(0.97));
    assert_eq!(ok.auth_type, pinn::AuthType::Mobile);
    assert_eq!(ok.web_app_id, None);

    c.scope(|| -> Result {
        assert_eq!(Log::retrieve(&failed.log_id)?, failed);
        let expected = [ok.log_id.clone(), failed.log_id.clone()];
        let ids = |l: pinn::List<Log>| l.data.into_iter().map(|l| l.log_id).collect::<Vec<_>>();
        assert_eq!(ids(Log::list(&ListParams::new())?), expected);
        assert_eq!(
            ids(User::list_logs(&user.user_id, &ListParams::new())?),
            expected
        );
        let by_device = Device::list_logs(&device.device_id, &ListParams::new().limit(1))?;
        assert_eq!(
            by_device.url,
            format!("/v1/devices/{}/logs", device.device_id)
        );
        assert!(by_device.has_more);
        assert_eq!(by_device.ended_at.as_deref(), Some(ok.log_id.as_str()));
        let u = User::retrieve(&user.user_id)?;
        assert!(u.authenticated_at.is_some_and(|t| t >= ok.created_at));
        assert_eq!(fails(Log::retrieve("log_nothing")).status(), Some(404));
        assert_eq!(
            fails(Device::list_logs("dev_nothing", &ListParams::new())).status(),
            Some(404)
        );
        assert_eq!(
            fails(User::list_logs("usr_nothing", &ListParams::new())).status(),
            Some(404)
        );
        Ok(())
    })
    .unwrap();
}

#[test]
fn webhook_endpoints_lifecycle() {
    let s = MockServer::start();
    s.client()
        .scope(|| -> Result {
            let mut hook = WebhookEndpoint::create(&WebhookEndpointCreateParams::new(
                "https://example.com/hooks",
                ["user.created"],
            ))?;
            assert!(hook.webhook_endpoint_id.starts_with("we_"));
            assert!(hook.secret.starts_with("whsec_"));
            assert_eq!(
                (hook.status.clone(), hook.livemode),
                (Some(WebhookEndpointStatus::Enabled), false)
            );
            assert_eq!(WebhookEndpoint::retrieve(&hook.webhook_endpoint_id)?, hook);

            let id = hook.webhook_endpoint_id.clone();
            let params = WebhookEndpointUpdateParams::new().status("disabled");
            let updated = WebhookEndpoint::update(&id, &params)?;
            assert_eq!(
                (updated.status.clone(), updated.url.as_str()),
                (Some(WebhookEndpointStatus::Disabled), hook.url.as_str())
            );
            assert_eq!(updated.events, hook.events);

            hook.events.push("user.deleted".into());
            hook.url = "http://localhost:9000/hooks".into();
            hook.save()?;
            assert_eq!(hook.events, ["user.created", "user.deleted"]);
            // save() sends only what changed since `hook` was read: the status it holds is
            // stale, but unchanged, so the server's "disabled" stands.
            assert_eq!(hook.status, Some(WebhookEndpointStatus::Disabled));
            assert_eq!(hook.url, "http://localhost:9000/hooks");

            let bad_url = fails(WebhookEndpoint::create(&WebhookEndpointCreateParams::new(
                "ftp://example.com",
                ["user.created"],
            )));
            assert_eq!(
                (bad_url.kind(), bad_url.status()),
                (ErrorKind::RequestFailed, Some(422))
            );
            let bad_status = fails(WebhookEndpoint::update(
                &id,
                &WebhookEndpointUpdateParams::new().status("paused"),
            ));
            assert_eq!(bad_status.status(), Some(422));
            let no_events = fails(WebhookEndpoint::create(&WebhookEndpointCreateParams::new(
                "https://example.com",
                Vec::<String>::new(),
            )));
            assert_eq!(no_events.status(), Some(422));

            assert_eq!(WebhookEndpoint::list(&ListParams::new())?.count, 1);
            hook.delete()?;
            assert_eq!(fails(WebhookEndpoint::retrieve(&id)).status(), Some(404));
            Ok(())
        })
        .unwrap();
    assert_eq!(
        event_types(&s),
        [
            "webhook_endpoint.deleted",
            "webhook_endpoint.updated",
            "webhook_endpoint.updated",
            "webhook_endpoint.created"
        ]
    );
    let patch = s
        .requests()
        .into_iter()
        .find(|r| r.method == "PATCH")
        .unwrap();
    assert_eq!(patch.json(), Some(json!({"status": "disabled"})));
}

#[test]
fn enrollment_and_recovery_keys() {
    let s = MockServer::start();
    s.client()
        .scope(|| -> Result {
            let user = User::create(&UserCreateParams::new())?;
            let ek = EnrollmentKey::create(&EnrollmentKeyCreateParams::new(&user.user_id))?;
            assert!(ek.enrollment_key_id.starts_with("ek_") && ek.secret.starts_with("eks_"));
            assert_eq!(
                (ek.user_id.as_str(), ek.livemode),
                (user.user_id.as_str(), false)
            );
            assert_eq!(ek.expires_at, ek.created_at + 3600);

            let rk = RecoveryKey::create(
                &RecoveryKeyCreateParams::new(&user.user_id).flow(["email", "sms"]),
            )?;
            assert!(rk.recovery_key_id.starts_with("rk_") && rk.secret.starts_with("rks_"));
            assert_eq!(rk.flow, ["email", "sms"]);
            assert_eq!(rk.expires_at, rk.created_at + 3600);
            let plain = RecoveryKey::create(&RecoveryKeyCreateParams::new(&user.user_id))?;
            assert!(plain.flow.is_empty());

            for e in [
                fails(EnrollmentKey::create(&EnrollmentKeyCreateParams::new(
                    "usr_nobody",
                ))),
                fails(RecoveryKey::create(&RecoveryKeyCreateParams::new(
                    "usr_nobody",
                ))),
            ] {
                assert_eq!(
                    (e.kind(), e.status()),
                    (ErrorKind::RequestFailed, Some(422))
                );
                assert_eq!(
                    e.api_error().and_then(|a| a.error_type()),
                    Some("unprocessable_entity")
                );
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(
        (s.creates("enrollment_key"), s.creates("recovery_key")),
        (1, 2)
    );
    assert_eq!(
        event_types(&s),
        [
            "recovery_key.created",
            "recovery_key.created",
            "enrollment_key.created",
            "user.created"
        ]
    );
}

#[test]
fn events_carry_the_object_and_the_request() {
    let s = MockServer::start();
    s.client()
        .scope(|| -> Result {
            let user = User::create(&UserCreateParams::new().metadata_entry("k", "v"))?;
            let event = Event::list(&ListParams::new())?.data.remove(0);
            assert!(event.event_id.starts_with("evt_"));
            assert_eq!(event.event_type, "user.created");
            assert!(!event.livemode);
            assert_eq!(event.data["object"]["user_id"], json!(user.user_id));
            assert_eq!(event.data["object"]["metadata"], json!({"k": "v"}));
            assert!(
                event
                    .request
                    .as_deref()
                    .is_some_and(|r| r.starts_with("req_"))
            );
            assert_eq!(Event::retrieve(&event.event_id)?, event);
            assert_eq!(fails(Event::retrieve("evt_nothing")).status(), Some(404));
            Ok(())
        })
        .unwrap();
}

#[test]
fn three_hundred_users_paginate() {
    let s = MockServer::start();
    let c = s.client();
    let created: Vec<String> = c
        .scope(|| {
            (0..300)
                .map(|_| User::create(&UserCreateParams::new()).map(|u| u.user_id))
                .collect::<Result<_>>()
        })
        .unwrap();
    let newest_first: Vec<String> = created.iter().rev().cloned().collect();
    c.scope(|| -> Result {
        // Page by page at the maximum limit.
        let first = User::list(&ListParams::new().limit(100))?;
        assert_eq!((first.count, first.has_more), (100, true));
        assert_eq!(first.ended_at.as_deref(), Some(newest_first[99].as_str()));
        let second = first.next_page()?.unwrap();
        let third = second.next_page()?.unwrap();
        assert_eq!((third.count, third.has_more), (100, false));
        assert_eq!(third.ended_at.as_deref(), Some(created[0].as_str()));
        assert!(third.next_page()?.is_none());

        // Every user once, newest first, at limit 100 and at the default limit.
        let all: Vec<String> = User::list(&ListParams::new().limit(100))?
            .auto_paging_iter()
            .map(|u| u.map(|u| u.user_id))
            .collect::<Result<_>>()?;
        assert_eq!(all, newest_first);
        let default = User::list(&ListParams::new())?;
        assert_eq!((default.count, default.data.len()), (10, 10));
        let all: Vec<String> = default
            .auto_paging_iter()
            .map(|u| u.map(|u| u.user_id))
            .collect::<Result<_>>()?;
        assert_eq!(all.len(), 300);
        assert_eq!(all.iter().collect::<HashSet<_>>().len(), 300);

        // A cursor in the middle, and limits out of range.
        let mid = User::list(
            &ListParams::new()
                .limit(5)
                .starting_after(&newest_first[149]),
        )?;
        assert_eq!(mid.data[0].user_id, newest_first[150]);
        for bad in [0, 101, 1000] {
            let e = fails(User::list(&ListParams::new().limit(bad)));
            assert_eq!(
                (e.kind(), e.status()),
                (ErrorKind::InvalidRequest, Some(400)),
                "limit {bad}"
            );
        }
        let e = fails(User::list(
            &ListParams::new().starting_after("usr_not_in_this_list"),
        ));
        assert_eq!(
            (e.kind(), e.status()),
            (ErrorKind::InvalidRequest, Some(400))
        );
        Ok(())
    })
    .unwrap();
    let pages: Vec<_> = s
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.query.unwrap_or_default())
        .collect();
    assert_eq!(
        pages[1],
        format!("limit=100&starting_after={}", newest_first[99])
    );
    // 3 pages, 3 pages, then 30 pages at the default limit, with no limit sent.
    assert_eq!(pages[6], "");
    assert_eq!(pages[7], format!("starting_after={}", newest_first[9]));
    assert_eq!(s.count("user"), 300);
}

#[test]
fn wrong_key_is_an_authentication_error() {
    let s = MockServer::start();
    let wrong = pinn::Client::new(
        s.config_builder()
            .secret_key("sk_test_not_the_right_key_000")
            .build()
            .unwrap(),
    );
    let e = wrong.scope(|| User::list(&ListParams::new())).unwrap_err();
    assert_eq!(
        (e.kind(), e.status()),
        (ErrorKind::Authentication, Some(401))
    );
    assert_eq!(
        e.api_error().and_then(|a| a.error_type()),
        Some("unauthorized")
    );
    assert_eq!(e.attempts(), 1);
}

#[test]
fn ids_are_encoded_and_never_reach_another_endpoint() {
    let s = MockServer::start();
    s.client()
        .scope(|| -> Result {
            App::create(&AppCreateParams::new(AppType::Web, "Web"))?;
            for id in ["../apps", "x?limit=1", "a/b", "é", "%"] {
                let e = fails(User::retrieve(id));
                assert_eq!(
                    (e.kind(), e.status()),
                    (ErrorKind::InvalidRequest, Some(404)),
                    "{id}"
                );
                assert!(e.to_string().contains("no such user"), "{e}");
            }
            Ok(())
        })
        .unwrap();
    let paths: Vec<_> = s.requests().into_iter().skip(1).map(|r| r.path).collect();
    assert_eq!(paths[0], "/v1/users/%2E%2E%2Fapps");
    assert_eq!(paths[1], "/v1/users/x%3Flimit%3D1");
}

#[test]
fn id_tokens_verify_end_to_end() {
    let s = MockServer::start();
    let token = s.mint_id_token("usr_123", &["palm", "device"]);
    let claims = s
        .client()
        .scope(|| IdToken::verify(&token, &["palm"]))
        .unwrap();
    assert_eq!((claims.sub.as_str(), claims.iss), ("usr_123", s.url()));
    assert_eq!(claims.amr, ["palm", "device"]);
    assert!(claims.exp.is_some_and(|e| e as i64 > pinn_time()));
    let e = s
        .client()
        .scope(|| IdToken::verify(&token, &["face"]))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IdTokenVerification);
    // Another server's key does not verify it.
    let other = MockServer::start();
    let e = other
        .client()
        .scope(|| IdToken::verify(&token, &[]))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IdTokenVerification);
}

#[test]
fn concurrent_clients_share_one_consistent_store() {
    let s = MockServer::start();
    let ids: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let c = s.client();
                scope.spawn(move || {
                    c.scope(|| {
                        (0..25)
                            .map(|_| User::create(&UserCreateParams::new()).unwrap().user_id)
                            .collect::<Vec<_>>()
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 200);
    assert_eq!(
        (s.count("user"), s.creates("user"), s.creates("event")),
        (200, 200, 200)
    );
    let listed = s
        .client()
        .scope(|| User::list(&ListParams::new().limit(100)))
        .unwrap();
    assert_eq!(listed.count, 100);
}

#[test]
fn health_and_shutdown() {
    let s = MockServer::start();
    let c = s.client();
    assert!(c.scope(pinn::healthy));
    assert_eq!(s.requests()[0].path, "/health");
    let stopped = Instant::now();
    drop(s);
    assert!(stopped.elapsed() < Duration::from_secs(1));
    // The client's pooled connection is closed too: no hang until a timeout.
    let checked = Instant::now();
    assert!(!c.scope(pinn::healthy));
    assert!(
        checked.elapsed() < Duration::from_secs(2),
        "{:?}",
        checked.elapsed()
    );
}

#[test]
fn startup_is_well_under_100_ms() {
    let mut times: Vec<Duration> = (0..20)
        .map(|_| {
            let t = Instant::now();
            let s = MockServer::start();
            let took = t.elapsed();
            drop(s);
            took
        })
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    eprintln!(
        "MockServer::start(): median {median:?}, max {:?}",
        times[times.len() - 1]
    );
    assert!(
        median < Duration::from_millis(20),
        "median start {median:?}"
    );
    assert!(
        times[times.len() - 1] < Duration::from_millis(100),
        "{times:?}"
    );
}

#[test]
fn id_token_times_that_are_floats_are_reported() {
    let s = MockServer::start();
    let now = pinn_time() as f64;
    let token = s.sign_id_token(&json!({
        "sub": "usr_float", "iss": s.url(), "amr": ["palm"],
        "exp": now + 300.5, "nbf": now - 10.25,
    }));
    let claims = s
        .client()
        .scope(|| IdToken::verify(&token, &["palm"]))
        .unwrap();
    assert_eq!(claims.exp, Some((now + 300.5) as u64));
    assert_eq!(claims.nbf, Some((now - 10.25) as u64));
}

#[test]
fn recorded_requests_do_not_show_the_key_in_debug() {
    let s = MockServer::start();
    s.client().scope(|| User::list(&ListParams::new())).unwrap();
    let sent = s.requests();
    let shown = format!("{sent:?}");
    assert!(!shown.contains(s.secret_key()), "{shown}");
    assert!(shown.contains("<redacted>"));
    let bearer = format!("Bearer {}", s.secret_key());
    assert_eq!(sent[0].header("authorization"), Some(bearer.as_str()));
}
