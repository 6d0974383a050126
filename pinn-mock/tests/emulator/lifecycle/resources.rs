//! Each resource from creation to deletion, and the events every change records.

use pinn::{
    App, AppCreateParams, AppType, Deletable, Device, EnrollmentKey, EnrollmentKeyCreateParams,
    ErrorKind, Event, ListParams, Log, Platform, RecoveryKey, RecoveryKeyCreateParams, User,
    UserCreateParams, UserUpdateParams, WebhookEndpoint, WebhookEndpointCreateParams,
    WebhookEndpointStatus, WebhookEndpointUpdateParams,
};
use pinn_mock::{DeviceSeed, MockServer};
use serde_json::json;

use super::*;

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
