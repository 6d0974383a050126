//! Unit and property tests of the HTTP layer.

mod unit {
    use super::super::*;

    fn raw(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status,
            request_id: Some("req_1".into()),
            retry_after: None,
            body: body.as_bytes().to_vec(),
        }
    }

    fn err(status: u16, body: &str) -> ApiError {
        match parse_response::<serde_json::Value>(&raw(status, body)) {
            Err(Error::Api(e)) => *e,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn segments_are_single_and_encoded() {
        let cases = [
            ("usr_123", "usr_123"),
            ("..", "%2E%2E"),
            ("a/b", "a%2Fb"),
            ("x?limit=1", "x%3Flimit%3D1"),
            ("a#b", "a%23b"),
            ("100%", "100%25"),
            ("a b", "a%20b"),
            ("é", "%C3%A9"),
        ];
        for (id, want) in cases {
            assert_eq!(segment("id", id).unwrap(), want);
        }
        assert!(matches!(
            segment("user_id", ""),
            Err(Error::InvalidArgument(_))
        ));
    }

    #[test]
    fn queries_are_encoded_and_absent_ones_skipped() {
        let r = Request::new(Method::Get, "/v1/users".into())
            .query("limit", Some(3))
            .query("starting_after", None::<String>)
            .query("x", Some("a&b=c"));
        assert_eq!(r.url("http://h"), "http://h/v1/users?limit=3&x=a%26b%3Dc");
    }

    #[test]
    fn error_table() {
        #[rustfmt::skip]
        let table = [
            (400, "bad_request", ErrorKind::InvalidRequest),
            (401, "unauthorized", ErrorKind::Authentication),
            (403, "forbidden", ErrorKind::Forbidden),
            (404, "not_found", ErrorKind::InvalidRequest),
            (405, "method_not_allowed", ErrorKind::InvalidRequest),
            (409, "conflict", ErrorKind::RequestFailed),
            (422, "unprocessable_entity", ErrorKind::RequestFailed),
            (429, "rate_limit_exceeded", ErrorKind::RateLimit),
            (500, "internal_server_error", ErrorKind::Api),
            (502, "bad_gateway", ErrorKind::ApiConnection),
            (503, "service_unavailable", ErrorKind::ApiConnection),
            (504, "gateway_timeout", ErrorKind::ApiConnection),
            (418, "teapot", ErrorKind::Pinn),
            (400, "brand_new_type", ErrorKind::Pinn),
        ];
        for (status, ty, kind) in table {
            let body = format!(r#"{{"error":{{"type":"{ty}","code":"c1","message":"m1"}}}}"#);
            let e = err(status, &body);
            assert_eq!(e.kind, kind, "{status} {ty}");
            assert_eq!(e.error_type.as_deref(), Some(ty));
            assert_eq!(e.code, "c1");
            assert_eq!(e.message, "m1");
            assert_eq!(e.request_id.as_deref(), Some("req_1"));
            // Without the JSON body, the status alone decides.
            let bare = err(status, "<html>502 Bad Gateway</html>");
            assert_eq!(bare.kind, ErrorKind::from_status(status));
            assert_eq!(bare.code, status);
            assert!(
                bare.message.starts_with(&status.to_string()),
                "{}",
                bare.message
            );
        }
    }

    #[test]
    fn status_wins_for_server_errors() {
        let e = err(500, r#"{"error":{"type":"not_found","message":"x"}}"#);
        assert_eq!(e.kind, ErrorKind::Api);
        let e = err(503, r#"{"error":{"type":"bad_request"}}"#);
        assert_eq!(e.kind, ErrorKind::ApiConnection);
    }

    #[test]
    fn odd_error_bodies_still_give_typed_errors() {
        for body in [
            "",
            "{",
            "null",
            "[]",
            r#"{"error":null}"#,
            r#"{"error":{"code":7}}"#,
        ] {
            let e = err(404, body);
            assert_eq!(e.kind, ErrorKind::InvalidRequest, "{body:?}");
            assert_eq!(e.message, "404 Not Found");
        }
        let e = err(599, "");
        assert_eq!(
            (e.kind, e.message.as_str()),
            (ErrorKind::Pinn, "status 599")
        );
        let long = format!(r#"{{"error":{{"message":"{}"}}}}"#, "é".repeat(2000));
        assert!(err(400, &long).message.len() <= MAX_MESSAGE_BYTES + 3);
    }

    #[test]
    fn scrub_replaces_every_copy_of_the_key() {
        let mut r = raw(200, "aKEYKEYbKEKEYc KE");
        r.request_id = Some("req_KEY".into());
        r.scrub(&memchr::memmem::Finder::new("KEY"));
        assert_eq!(
            String::from_utf8(r.body).unwrap(),
            "a<redacted><redacted>bKE<redacted>c KE"
        );
        assert_eq!(r.request_id.as_deref(), Some("req_<redacted>"));
    }

    #[test]
    fn success_bodies() {
        let ok = parse_response::<serde_json::Value>(&raw(200, r#"{"a":1}"#)).unwrap();
        assert_eq!(ok, Some(serde_json::json!({"a": 1})));
        assert_eq!(
            parse_response::<serde_json::Value>(&raw(204, "")).unwrap(),
            None
        );
        assert_eq!(
            parse_response::<serde_json::Value>(&raw(202, " \n")).unwrap(),
            None
        );
        let bad = parse_response::<serde_json::Value>(&raw(200, "<html>"));
        assert!(
            matches!(bad, Err(Error::Decode { status: 200, .. })),
            "{bad:?}"
        );
    }
}

/// Property tests: whatever a server sends, the response-to-result path never panics and
/// keeps its promises; whatever an ID is, it stays one path segment.
mod proptests {
    use super::super::*;
    use crate::list::List;
    use crate::resources::user::User;
    use crate::retry::{Attempt, Decision};
    use proptest::prelude::*;
    use serde_json::Value;

    /// Arbitrary JSON, leaning on the names the crate looks at.
    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            ".{0,12}".prop_map(Value::from),
            prop::sample::select(vec!["user", "list", "app", "device", "", "é"])
                .prop_map(Value::from),
        ];
        let key = prop_oneof![
            prop::sample::select(vec![
                "object",
                "error",
                "type",
                "code",
                "message",
                "user_id",
                "data",
                "url",
                "has_more",
                "ended_at",
                "count",
                "metadata",
                "created_at",
                "status",
            ])
            .prop_map(String::from),
            ".{0,8}",
        ];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((key.clone(), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    fn bodies() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..300),
            any::<String>().prop_map(String::into_bytes),
            json().prop_map(|v| v.to_string().into_bytes()),
            // Error bodies, some truncated.
            (json(), json(), ".{0,2000}", any::<prop::sample::Index>()).prop_map(
                |(t, c, m, cut)| {
                    let full = serde_json::json!({"error": {"type": t, "code": c, "message": m}})
                        .to_string()
                        .into_bytes();
                    let keep = cut.index(full.len() + 1);
                    full[..keep].to_vec()
                }
            ),
        ]
    }

    fn raw() -> impl Strategy<Value = RawResponse> {
        (
            prop_oneof![
                any::<u16>(),
                100u16..600,
                prop::sample::select(vec![200u16, 204, 404, 429, 500, 503])
            ],
            prop::option::of(".{0,40}"),
            prop::option::of(".{0,40}"),
            bodies(),
        )
            .prop_map(|(status, request_id, retry_after, body)| RawResponse {
                status,
                request_id,
                retry_after,
                body,
            })
    }

    /// The checks every decoded type shares.
    fn check<T: DeserializeOwned>(raw: &RawResponse) -> std::result::Result<(), TestCaseError> {
        let result = parse_response::<T>(raw);
        if is_success(raw.status) {
            if raw.body.iter().all(u8::is_ascii_whitespace) {
                prop_assert!(matches!(result, Ok(None)));
            } else {
                let decoded_or_decode_error =
                    matches!(&result, Ok(Some(_)) | Err(Error::Decode { .. }));
                prop_assert!(decoded_or_decode_error);
                if let Err(e) = &result {
                    prop_assert_eq!(e.status(), Some(raw.status));
                    prop_assert_eq!(e.request_id(), raw.request_id.as_deref());
                }
            }
            return Ok(());
        }
        let Err(Error::Api(e)) = result else {
            let got = result.map(|v| v.is_some());
            return Err(TestCaseError::fail(format!("not an api error: {got:?}")));
        };
        prop_assert_eq!(e.status, raw.status);
        prop_assert_eq!(e.attempts, 1);
        prop_assert_eq!(&e.request_id, &raw.request_id);
        prop_assert_eq!(&e.retry_after, &raw.retry_after);
        prop_assert!(!e.message.is_empty());
        prop_assert!(e.message.len() <= MAX_MESSAGE_BYTES + '…'.len_utf8());
        if matches!(raw.status, 500 | 502..=504) || e.error_type.is_none() {
            prop_assert_eq!(e.kind, ErrorKind::from_status(raw.status));
        }
        let shown = format!("{e} {e:?}");
        prop_assert!(!shown.is_empty());
        Ok(())
    }

    proptest! {
        #[test]
        fn any_response_becomes_a_result(raw in raw()) {
            check::<Value>(&raw)?;
            check::<User>(&raw)?;
            check::<List<User>>(&raw)?;
            check::<serde::de::IgnoredAny>(&raw)?;
        }

        #[test]
        fn any_retry_after_gives_a_bounded_decision(
            status in any::<u16>(),
            retry_after in prop_oneof![".{0,30}", "[0-9.eE+-]{0,12}", Just("Wed, 21 Oct 2015 07:28:00 GMT".to_string())],
            attempt in 1u32..40,
            max_retries in 0u32..40,
            elapsed_ms in 0u64..200_000,
            jitter in any::<f64>(),
        ) {
            let elapsed = Duration::from_millis(elapsed_ms);
            let deadline = Duration::from_secs(90);
            let decision = retry::decide(
                Failure::Status { status, retry_after: Some(&retry_after) },
                Attempt {
                    method: Method::Get,
                    attempt,
                    max_retries,
                    elapsed,
                    deadline,
                    now: SystemTime::now(),
                    jitter,
                },
            );
            if let Decision::RetryAfter(wait) = decision {
                prop_assert!(wait <= retry::MAX_RETRY_AFTER);
                prop_assert!(elapsed + wait < deadline);
                prop_assert!(attempt <= max_retries);
            }
        }

        #[test]
        fn an_echoed_key_is_scrubbed_everywhere(
            key in "sk_test_[A-Za-z0-9]{8,32}",
            parts in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 1..5),
            status in any::<u16>(),
        ) {
            let body = parts.join(key.as_bytes());
            let header = Some(format!("req_{key}_{key}"));
            let mut raw = RawResponse { status, request_id: header.clone(), retry_after: header, body };
            raw.scrub(&memchr::memmem::Finder::new(&key));
            let needle = key.as_bytes();
            prop_assert!(!raw.body.windows(needle.len()).any(|w| w == needle));
            prop_assert!(!raw.request_id.as_deref().unwrap_or("").contains(&key));
            prop_assert!(!raw.retry_after.as_deref().unwrap_or("").contains(&key));
            if let Err(e) = parse_response::<Value>(&raw) {
                let shown = format!("{e} {e:?}");
                prop_assert!(!shown.contains(&key));
            }
        }

        #[test]
        fn a_body_without_the_key_is_left_alone(body in prop::collection::vec(any::<u8>(), 0..200)) {
            let mut raw = RawResponse { status: 200, request_id: None, retry_after: None, body: body.clone() };
            raw.scrub(&memchr::memmem::Finder::new("sk_test_NOT_IN_THE_BODY_123"));
            prop_assert_eq!(raw.body, body);
        }

        #[test]
        fn any_id_stays_one_segment(id in prop_oneof![any::<String>(), "[./?#%&=a-z~_-]{1,12}", Just(".".to_string()), Just("..".to_string())]) {
            match segment("id", &id) {
                Err(e) => {
                    prop_assert!(id.is_empty());
                    prop_assert!(matches!(e, Error::InvalidArgument(_)));
                }
                Ok(seg) => {
                    prop_assert!(!seg.contains(['/', '?', '#']));
                    prop_assert!(seg != "." && seg != "..");
                    prop_assert!(seg.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_~%".contains(&b)));
                    let back = percent_encoding::percent_decode_str(&seg).decode_utf8();
                    prop_assert_eq!(back.as_deref().ok(), Some(id.as_str()));
                }
            }
        }

        #[test]
        fn any_query_value_stays_one_value(value in any::<String>()) {
            let url = Request::new(Method::Get, "/v1/users".into())
                .query("starting_after", Some(&value))
                .url("http://h");
            let encoded = url.strip_prefix("http://h/v1/users?starting_after=").unwrap_or("");
            prop_assert!(!encoded.contains(['&', '#', '?', '=', '/', ' ']));
            let back = percent_encoding::percent_decode_str(encoded).decode_utf8();
            prop_assert_eq!(back.as_deref().ok(), Some(value.as_str()));
        }
    }
}
