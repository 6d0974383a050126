"""The reference Python SDK (pinn 0.2.0) against pinn-mock.

Every resource call the SDK has, pagination, each error class, ID-token verification, and
faults installed through the control API (/_mock/, which takes the same key as the API, and
JSON). .ci/run builds and starts pinn-mock, then runs this with PINN_API_HOST and
PINN_SECRET_KEY set from what it prints. By hand:

    cargo build -p pinn-mock --bin pinn-mock
    target/debug/pinn-mock --port 0        # prints PINN_API_HOST=... and PINN_SECRET_KEY=...
    PINN_API_HOST=... PINN_SECRET_KEY=... python3 -m unittest discover -s pinn-mock/tests/python -v

Each test starts from an empty emulator (POST /_mock/reset). Only the stdlib and the SDK's own
dependencies are used.
"""

import json
import os
import unittest
import urllib.error
import urllib.request
import warnings

# requests honours HTTP_PROXY and friends; the emulator is on loopback, never behind a proxy.
for _var in ("NO_PROXY", "no_proxy"):
    os.environ[_var] = ",".join(filter(None, [os.environ.get(_var), "127.0.0.1", "localhost"]))

import jwt  # noqa: E402  (pyjwt, the SDK's own dependency)
import requests  # noqa: E402
import pinn  # noqa: E402
from pinn import errors  # noqa: E402

HOST = os.environ["PINN_API_HOST"]
KEY = os.environ["PINN_SECRET_KEY"]
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def setUpModule():
    # The SDK calls jwt.decode without `algorithms`, which pyjwt 1.7 warns about on each call.
    # (Here, not at import: unittest's runner resets the warning filters before it runs.)
    warnings.filterwarnings("ignore", message=".*algorithms", category=DeprecationWarning)


def mock(method, path, body=None, key=KEY):
    """A control call: method, path under /_mock/, JSON body; returns (status, JSON answer).
    It sends the emulator's key, and the body as JSON (urllib would say it is a form)."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": "Bearer " + key} if key else {}
    if data is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(HOST + "/_mock/" + path, data=data, method=method, headers=headers)
    try:
        with _NO_PROXY.open(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def inject(**fault):
    status, body = mock("POST", "faults", fault)
    assert status == 200, body
    return body


def counts(kind):
    return mock("GET", "counts")[1][kind]


def sent():
    """The requests the emulator recorded, oldest first."""
    return mock("GET", "requests")[1]["data"]


def header(request, name):
    return next((v for n, v in request["headers"] if n.lower() == name.lower()), None)


class Base(unittest.TestCase):
    def setUp(self):
        pinn.secret_key, pinn.api_host, pinn.api_version = KEY, HOST, None
        status, body = mock("POST", "reset")
        self.assertEqual(status, 200, body)

    def user_with_device(self):
        user = pinn.User.create()
        status, device = mock("POST", "devices", {"user_id": user.user_id, "platform": "android"})
        self.assertEqual(status, 200, device)
        return user, device


class Users(Base):
    def test_create_retrieve_update_delete(self):
        plain = pinn.User.create()
        self.assertTrue(plain.user_id.startswith("usr_"))
        self.assertEqual((plain.object, plain.metadata, plain.device_enrolled), ("user", {}, False))
        user = pinn.User.create(metadata={"external_id": "ypf3JZpTB5"})
        self.assertEqual(user.metadata, {"external_id": "ypf3JZpTB5"})
        first, second = sent()
        self.assertEqual((first["method"], first["path"], first["body"]), ("POST", "/v1/users", ""))
        self.assertEqual(json.loads(second["body"]), {"metadata": {"external_id": "ypf3JZpTB5"}})
        self.assertEqual(header(second, "Authorization"), "Bearer " + KEY)
        self.assertEqual(header(second, "User-Agent"), "pinn-0.2.0")

        fetched = pinn.User.retrieve(user.user_id)
        self.assertEqual((fetched.user_id, fetched.created_at), (user.user_id, user.created_at))
        updated = pinn.User.update(user.user_id, {"plan": "pro"}, "disabled")
        self.assertEqual((updated.metadata, updated.response["status"]), ({"plan": "pro"}, "disabled"))

        deleted = pinn.User.delete(plain.user_id)
        self.assertEqual(deleted, {"object": "user", "user_id": plain.user_id, "deleted": True})
        with self.assertRaises(errors.InvalidRequestError):
            pinn.User.retrieve(plain.user_id)

    def test_list_pages_through_every_user(self):
        ids = [pinn.User.create().user_id for _ in range(25)]
        page = pinn.User.list(limit=10)
        self.assertEqual((len(page), page.count, page.has_more, page.url), (10, 10, True, "/v1/users"))
        self.assertEqual(page.data[0].user_id, ids[-1], "newest first")
        seen = [u.user_id for u in page]
        while page.has_more:
            page = page.next_page()
            seen.extend(u.user_id for u in page)
        self.assertEqual(seen, ids[::-1])
        self.assertEqual(page.ended_at, ids[0])
        self.assertIn("starting_after=" + ids[5], "&".join(r["query"] or "" for r in sent()))

        # The SDK's own pager (a Python 2 iterator: .next(), not __next__).
        pager = pinn.User.list(limit=20).pager
        pages = [pager.next(), pager.next()]
        with self.assertRaises(StopIteration):
            pager.next()
        self.assertEqual([len(p) for p in pages], [20, 5])
        self.assertEqual(len(pinn.User.list()), 10, "the default limit")
        self.assertEqual(len(pinn.User.list(starting_after=ids[2])), 2)

    def test_list_devices_and_logs(self):
        user, device = self.user_with_device()
        mock("POST", "logs", {"device_id": device["device_id"], "success": True})
        devices = pinn.User.list_devices(user.user_id)
        self.assertEqual([d.device_id for d in devices], [device["device_id"]])
        self.assertIsInstance(devices.data[0], pinn.Device)
        logs = pinn.User.list_logs(user.user_id, limit=5)
        self.assertEqual((len(logs), logs.data[0].success, logs.data[0].auth_type), (1, True, "mobile"))
        self.assertTrue(pinn.User.retrieve(user.user_id).device_enrolled)


class Apps(Base):
    def test_create_retrieve_list_delete(self):
        made = [pinn.App.create(t, "App " + t, description=None if t == "web" else "d") for t in ("ios", "android", "web")]
        self.assertEqual([a.app_type for a in made], ["ios", "android", "web"])
        self.assertTrue(all(a.publishable_key.startswith("pk_test_") for a in made))
        self.assertEqual(json.loads(sent()[2]["body"]), {"name": "App web", "description": None})
        self.assertEqual(pinn.App.retrieve(made[0].app_id).name, "App ios")
        self.assertEqual([a.app_id for a in pinn.App.list(limit=2)], [made[2].app_id, made[1].app_id])
        self.assertEqual(pinn.App.delete(made[1].app_id)["deleted"], True)
        self.assertEqual(len(pinn.App.list()), 2)
        with self.assertRaises(AssertionError):
            pinn.App.create("windows", "Win")


class Devices(Base):
    def test_retrieve_list_logs_delete(self):
        user, device = self.user_with_device()
        mock("POST", "logs", {"device_id": device["device_id"], "success": False})
        fetched = pinn.Device.retrieve(device["device_id"])
        self.assertEqual((fetched.user_id, fetched.platform, fetched.push_notification_token), (user.user_id, "android", None))
        self.assertEqual(len(pinn.Device.list()), 1)
        logs = pinn.Device.list_logs(device["device_id"])
        self.assertEqual((len(logs), logs.data[0].success), (1, False))
        self.assertTrue(pinn.Device.delete(device["device_id"])["deleted"])
        self.assertFalse(pinn.User.retrieve(user.user_id).device_enrolled)


class Keys(Base):
    def test_enrollment_and_recovery_keys(self):
        user = pinn.User.create()
        key = pinn.EnrollmentKey.create(user.user_id)
        self.assertEqual((key.object, key.user_id, key.livemode), ("enrollment_key", user.user_id, False))
        self.assertEqual(key.expires_at, key.created_at + 3600)
        self.assertTrue(key.secret)
        recovery = pinn.RecoveryKey.create(user.user_id, ["email"])
        self.assertEqual((recovery.flow, recovery.user_id), (["email"], user.user_id))
        self.assertEqual(json.loads(sent()[-1]["body"]), {"user_id": user.user_id, "flow": ["email"]})


class EventsAndLogs(Base):
    def test_events_list_and_retrieve(self):
        user = pinn.User.create()
        pinn.User.update(user.user_id, {"k": "v"}, None)
        events = pinn.Event.list()
        self.assertEqual([e.event_type for e in events], ["user.updated", "user.created"])
        event = pinn.Event.retrieve(events.data[1].event_id)
        self.assertEqual((event.data["object"]["user_id"], event.livemode), (user.user_id, False))
        self.assertTrue(event.request.startswith("req_"))

    def test_logs_list_and_retrieve(self):
        _, device = self.user_with_device()
        for success in (True, False, True):
            mock("POST", "logs", {"device_id": device["device_id"], "success": success})
        logs = pinn.Log.list(limit=2)
        self.assertEqual(([l.success for l in logs], logs.has_more), ([True, False], True))
        log = pinn.Log.retrieve(logs.data[0].log_id)
        self.assertEqual((log.device_id, log.web_app_id, log.factors["palm"]["score"]), (device["device_id"], None, log.score))


class Webhooks(Base):
    def test_webhook_endpoint_lifecycle(self):
        hook = pinn.WebhookEndpoint.create("https://example.com/hooks", ["user.created"])
        self.assertEqual((hook.status, hook.events, hook.livemode), ("enabled", ["user.created"], False))
        self.assertTrue(hook.secret.startswith("whsec_"))
        updated = pinn.WebhookEndpoint.update(hook.webhook_endpoint_id, url="https://example.com/v2", events=["user.deleted"], status="disabled")
        self.assertEqual((updated.url, updated.events, updated.status), ("https://example.com/v2", ["user.deleted"], "disabled"))
        self.assertEqual(pinn.WebhookEndpoint.retrieve(hook.webhook_endpoint_id).url, "https://example.com/v2")
        self.assertEqual(len(pinn.WebhookEndpoint.list()), 1)
        self.assertTrue(pinn.WebhookEndpoint.delete(hook.webhook_endpoint_id)["deleted"])
        self.assertEqual(len(pinn.WebhookEndpoint.list()), 0)


class Health(Base):
    def test_healthy_and_not(self):
        self.assertTrue(pinn.healthy())
        inject(kind="status", status=503, path="/health")
        self.assertFalse(pinn.healthy())
        self.assertTrue(pinn.healthy(), "the fault applied once")


class Errors(Base):
    def assert_raises_exactly(self, cls, call, status, error_type):
        """`call` raises exactly `cls` (not a subclass), of this type; from the emulator's
        JSON error body the code is the type, from a body that is not JSON the status."""
        with self.assertRaises(errors.PinnError) as caught:
            call()
        err = caught.exception
        self.assertIs(type(err), cls, err)
        self.assertEqual(err.type, error_type)
        self.assertIn(err.code, (error_type, status))
        return err

    def test_invalid_request_error(self):
        self.assert_raises_exactly(errors.InvalidRequestError, lambda: pinn.User.list(limit=0), 400, "bad_request")
        self.assert_raises_exactly(errors.InvalidRequestError, lambda: pinn.User.retrieve("usr_nobody"), 404, "not_found")
        self.assert_raises_exactly(errors.InvalidRequestError, lambda: pinn.User.list(starting_after="usr_nobody"), 400, "bad_request")
        inject(kind="status", status=405)
        self.assert_raises_exactly(errors.InvalidRequestError, pinn.User.list, 405, "method_not_allowed")

    def test_authentication_error(self):
        pinn.secret_key = "sk_test_not_the_right_one"
        err = self.assert_raises_exactly(errors.AuthenticationError, pinn.User.list, 401, "unauthorized")
        self.assertIn("secret key", str(err))

    def test_forbidden_error(self):
        inject(kind="status", status=403)
        self.assert_raises_exactly(errors.ForbiddenError, pinn.App.list, 403, "forbidden")

    def test_request_failed_error(self):
        self.assert_raises_exactly(errors.RequestFailedError, lambda: pinn.EnrollmentKey.create("usr_nobody"), 422, "unprocessable_entity")
        inject(kind="status", status=409, method="POST")
        self.assert_raises_exactly(errors.RequestFailedError, pinn.User.create, 409, "conflict")
        self.assertEqual(counts("user")["created"], 0)

    def test_rate_limit_error(self):
        inject(kind="rate_limit", retry_after="7")
        self.assert_raises_exactly(errors.RateLimitError, pinn.User.list, 429, "rate_limit_exceeded")

    def test_api_error(self):
        inject(kind="status", status=500)
        self.assert_raises_exactly(errors.APIError, pinn.User.list, 500, "internal_server_error")

    def test_api_connection_error(self):
        for status, error_type in ((502, "bad_gateway"), (503, "service_unavailable"), (504, "gateway_timeout")):
            inject(kind="status", status=status)
            self.assert_raises_exactly(errors.APIConnectionError, pinn.User.list, status, error_type)
        # A proxy's HTML page: the SDK falls back to the status line.
        inject(kind="body", status=502, body="<html>Bad Gateway</html>")
        err = self.assert_raises_exactly(errors.APIConnectionError, pinn.User.list, 502, "bad_gateway")
        self.assertEqual((str(err), err.code), ("Bad Gateway", 502))

    def test_the_base_class_for_what_the_table_does_not_name(self):
        inject(kind="status", status=418)
        self.assert_raises_exactly(errors.PinnError, pinn.User.list, 418, "error")

    def test_configuration_error(self):
        pinn.secret_key = None
        with self.assertRaises(errors.ConfigurationError):
            pinn.User.list()
        self.assertEqual(sent(), [], "raised before any request")


class IdTokens(Base):
    def mint(self, **body):
        status, minted = mock("POST", "id_tokens", body)
        self.assertEqual(status, 200, minted)
        return minted["id_token"]

    def test_a_minted_token_verifies(self):
        token = self.mint(sub="usr_123", amr=["palm", "device"])
        claims = pinn.IDToken.verify(token, ["palm"])
        self.assertEqual((claims["sub"], claims["iss"], claims["amr"]), ("usr_123", HOST, ["palm", "device"]))
        self.assertEqual(claims["exp"] - claims["iat"], 300)

    def test_what_verification_rejects(self):
        for token, amr, why in (
            (self.mint(sub="u", amr=["device"]), ["palm"], "amr"),
            (self.mint(sub="u", amr=["palm"], expires_in=-60), ["palm"], "expired"),
            (self.mint(sub="u", amr=["palm"], claims={"iss": "https://pinnapis.com"}), ["palm"], "iss"),
            (self.mint(sub="u", amr=["palm"], claims={"sub": None}), ["palm"], "sub"),
            (self.mint(sub="u", claims={"amr": None}), [], "amr"),
            (self.mint(sub="u", amr=["palm"])[:-2] + "xx", ["palm"], "Signature"),
            (jwt.encode({"sub": "u", "iss": HOST, "amr": []}, "sk_test_another_key_entirely").decode(), [], "Signature"),
        ):
            with self.assertRaises(errors.IDTokenVerificationError, msg=why) as caught:
                pinn.IDToken.verify(token, amr)
            self.assertIn(why.lower(), str(caught.exception).lower())

    def test_tokens_follow_the_emulators_clock(self):
        mock("PUT", "clock", {"now": 1_000_000_000})  # 2001: long expired by now
        token = self.mint(sub="u", amr=["palm"])
        with self.assertRaises(errors.IDTokenVerificationError):
            pinn.IDToken.verify(token, ["palm"])
        mock("DELETE", "clock")
        pinn.IDToken.verify(self.mint(sub="u", amr=["palm"]), ["palm"])

    def test_no_secret_key(self):
        token = self.mint(sub="u")
        pinn.secret_key = None
        with self.assertRaises(ValueError):
            pinn.IDToken.verify(token, [])


class Faults(Base):
    def test_a_status_fault_on_one_path_and_method(self):
        body = inject(kind="status", status=503, times=2, path="/v1/users", method="GET")
        self.assertEqual(body["data"][0]["times"], 2)
        pinn.App.list()  # another path: untouched
        for _ in range(2):
            with self.assertRaises(errors.APIConnectionError):
                pinn.User.list()
        self.assertEqual(len(pinn.User.list()), 0)
        self.assertEqual(mock("GET", "faults")[1], {"data": []})

    def test_a_create_whose_reply_is_lost(self):
        inject(kind="close", after_commit=True, path="/v1/users", method="POST")
        with self.assertRaises(requests.exceptions.ConnectionError):
            pinn.User.create()
        # The SDK saw a dropped connection, yet the user exists: retrying would duplicate it.
        self.assertEqual(counts("user"), {"count": 1, "created": 1})

    def test_a_seeded_random_fault_repeats(self):
        def run():
            mock("POST", "reset")
            inject(kind="status", status=503, probability=0.3, seed=7, path="/health")
            return [pinn.healthy() for _ in range(30)]
        first = run()
        self.assertEqual(first, run())
        self.assertTrue(0 < first.count(False) < 30, first)


class Control(Base):
    def test_the_control_api_takes_the_key_and_json(self):
        self.assertEqual(mock("GET", "requests", key=None)[0], 401)
        self.assertEqual(mock("GET", "requests", key="sk_test_not_the_right_one")[0], 401)
        # A form, as a web page could send across sites without asking: refused.
        form = urllib.request.Request(
            HOST + "/_mock/id_tokens", data=b"sub=usr_admin", method="POST",
            headers={"Authorization": "Bearer " + KEY})
        with self.assertRaises(urllib.error.HTTPError) as caught:
            _NO_PROXY.open(form, timeout=10)
        self.assertEqual(caught.exception.code, 415)
        # requests.head, as a health probe might: GET's status, no body.
        head = requests.head(HOST + "/health", timeout=10)
        self.assertEqual((head.status_code, head.content), (200, b""))
        self.assertIn("Date", head.headers)

    def test_faults_wait_for_the_key(self):
        inject(kind="status", status=503)
        pinn.secret_key = "sk_test_not_the_right_one"
        with self.assertRaises(errors.AuthenticationError):
            pinn.User.list()
        self.assertTrue(pinn.healthy(), "a fault without a path spares /health")
        pinn.secret_key = KEY
        with self.assertRaises(errors.APIConnectionError):
            pinn.User.list()

    def test_clock_state_and_version_header(self):
        mock("PUT", "clock", {"now": 1_700_000_000})
        user = pinn.User.create()
        self.assertEqual((user.created_at, user.updated_at), (1_700_000_000, 1_700_000_000))
        status, state = mock("GET", "state")
        self.assertEqual((status, len(state["objects"]["user"])), (200, 1))
        pinn.User.create()
        self.assertEqual(mock("PUT", "state", state)[0], 200)
        self.assertEqual(len(pinn.User.list()), 1)
        pinn.api_version = "2019-03-01"
        pinn.User.list()
        self.assertEqual(header(sent()[-1], "Pinn-Version"), "2019-03-01")


if __name__ == "__main__":
    unittest.main()
