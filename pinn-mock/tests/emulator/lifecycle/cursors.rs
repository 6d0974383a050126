//! A list cursor that names an object deleted since it was handed out: the emulator still
//! knows its place (for the newest 10,000 deletions of each kind), so a client resuming a walk
//! with `starting_after` goes on from there instead of failing.

use pinn::{ErrorKind, ListParams, User, UserCreateParams};
use pinn_mock::{DeviceSeed, MockServer};

use super::*;

fn ids(list: pinn::List<User>) -> Vec<String> {
    list.data.into_iter().map(|u| u.user_id).collect()
}

#[test]
fn a_walk_resumes_after_its_cursor_was_deleted() {
    let s = MockServer::start();
    let c = s.client();
    c.scope(|| -> Result {
        let made: Vec<String> = (0..30)
            .map(|_| User::create(&UserCreateParams::new()).map(|u| u.user_id))
            .collect::<Result<_>>()?;
        let newest_first: Vec<String> = made.iter().rev().cloned().collect();
        let first = User::list(&ListParams::new().limit(10))?;
        let cursor = first.ended_at.clone().unwrap();
        assert_eq!(cursor, newest_first[9]);
        // Between runs: the cursor's object and its neighbours go.
        for id in [&newest_first[8], &newest_first[9], &newest_first[10]] {
            User::delete(id)?;
        }
        let resumed = User::list(&ListParams::new().limit(10).starting_after(&cursor))?;
        assert_eq!(ids(resumed), newest_first[11..21]);
        // Every page of the rest, from the deleted cursor.
        let rest: Vec<String> = User::list(&ListParams::new().limit(7).starting_after(&cursor))?
            .auto_paging_iter()
            .map(|u| u.map(|u| u.user_id))
            .collect::<Result<_>>()?;
        assert_eq!(rest, newest_first[11..]);
        // An ID that never was, or of another kind, is still no cursor.
        for bad in ["usr_never", made[0].replacen("usr_", "app_", 1).as_str()] {
            let e = fails(User::list(&ListParams::new().starting_after(bad)));
            assert_eq!(
                (e.kind(), e.status()),
                (ErrorKind::InvalidRequest, Some(400)),
                "{bad}"
            );
        }
        let e = fails(pinn::App::list(&ListParams::new().starting_after(&cursor)));
        assert_eq!(e.status(), Some(400), "a user is no cursor of the apps");
        Ok(())
    })
    .unwrap();
}

#[test]
fn a_deleted_cursor_pages_only_the_lists_it_was_in() {
    let s = MockServer::start();
    let c = s.client();
    let (ada, bob) = c
        .scope(|| -> Result<_> {
            Ok((
                User::create(&UserCreateParams::new())?,
                User::create(&UserCreateParams::new())?,
            ))
        })
        .unwrap();
    let phones: Vec<String> = (0..3)
        .map(|_| {
            s.enroll_device(&ada.user_id, DeviceSeed::default())
                .unwrap()
                .device_id
        })
        .collect();
    s.enroll_device(&bob.user_id, DeviceSeed::default())
        .unwrap();
    c.scope(|| -> Result {
        pinn::Device::delete(&phones[1])?;
        let after =
            User::list_devices(&ada.user_id, &ListParams::new().starting_after(&phones[1]))?;
        let after: Vec<String> = after.data.into_iter().map(|d| d.device_id).collect();
        assert_eq!(after, phones[..1]);
        let all = pinn::Device::list(&ListParams::new().starting_after(&phones[1]))?;
        assert_eq!(all.data.len(), 1);
        let e = fails(User::list_devices(
            &bob.user_id,
            &ListParams::new().starting_after(&phones[1]),
        ));
        assert_eq!(e.status(), Some(400), "not one of Bob's devices, ever");
        Ok(())
    })
    .unwrap();
    // A reset forgets the places with everything else.
    c.scope(|| User::delete(&bob.user_id)).unwrap();
    let resume = || c.scope(|| User::list(&ListParams::new().starting_after(&bob.user_id)));
    assert_eq!(ids(resume().unwrap()), std::slice::from_ref(&ada.user_id));
    s.reset();
    assert_eq!(fails(resume()).status(), Some(400));
}
