//! Property tests: whatever a server sends, the response-to-result path never panics, keeps
//! its promises and shows nothing unsafe; whatever an ID is, it stays one path segment.

use serde::de::DeserializeOwned;

use super::super::*;
use std::time::{Duration, SystemTime};

use super::{config_with, raw_with};
use crate::errors::Error;
use crate::http::response::is_success;
use crate::http::retry::{Decision, Failure};
use crate::list::List;
use crate::resources::user::User;
use crate::text::{MAX_MESSAGE, MAX_SHORT};
use proptest::prelude::*;
use retry::Attempt;
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
        prop::sample::select(vec!["user", "list", "app", "device", "", "é"]).prop_map(Value::from),
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
        (json(), json(), ".{0,2000}", any::<prop::sample::Index>()).prop_map(|(t, c, m, cut)| {
            let full = serde_json::json!({"error": {"type": t, "code": c, "message": m}})
                .to_string()
                .into_bytes();
            let keep = cut.index(full.len() + 1);
            full[..keep].to_vec()
        }),
    ]
}

fn raw() -> impl Strategy<Value = (u16, Option<String>, Option<String>, Vec<u8>)> {
    (
        prop_oneof![
            any::<u16>(),
            100u16..600,
            prop::sample::select(vec![200u16, 204, 404, 429, 500, 503])
        ],
        prop::option::of("[ -~]{0,40}"),
        prop::option::of("[ -~]{0,40}"),
        bodies(),
    )
}

fn response(
    (status, id, retry_after, body): &(u16, Option<String>, Option<String>, Vec<u8>),
) -> agent::Raw {
    let mut headers = Vec::new();
    if let Some(id) = id {
        headers.push(("request-id", id.as_str()));
    }
    if let Some(r) = retry_after {
        headers.push(("retry-after", r.as_str()));
    }
    raw_with(*status, &headers, body)
}

/// Everything an error shows: `Display`, `Debug`, and its source chain's.
fn shown(e: &Error) -> String {
    let mut out = format!("{e} {e:?}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    out
}

/// The checks every decoded type shares.
fn check<T: DeserializeOwned>(
    input: &(u16, Option<String>, Option<String>, Vec<u8>),
) -> std::result::Result<(), TestCaseError> {
    let (status, id, retry_after, body) = input;
    let result = parse::response::<T>(response(input), &config_with(None), false).map(|(_, b)| b);
    if is_success(*status) {
        if body.iter().all(u8::is_ascii_whitespace) {
            prop_assert!(matches!(result, Ok(None)));
        } else {
            let decoded_or_decode_error = matches!(&result, Ok(Some(_)) | Err(Error::Decode(_)));
            prop_assert!(decoded_or_decode_error);
            if let Err(e) = &result {
                prop_assert_eq!(e.status(), Some(*status));
                prop_assert_eq!(e.request_id(), id.as_deref());
            }
        }
        return Ok(());
    }
    let Err(Error::Status(e)) = result else {
        let got = result.map(|v| v.is_some());
        return Err(TestCaseError::fail(format!("not an api error: {got:?}")));
    };
    prop_assert_eq!(e.status(), *status);
    prop_assert_eq!(e.attempts(), 1);
    prop_assert_eq!(e.request_id(), id.as_deref());
    prop_assert_eq!(e.retry_after(), retry_after.as_deref());
    prop_assert!(!e.message().is_empty());
    prop_assert!(e.message().len() <= MAX_MESSAGE + '…'.len_utf8());
    if matches!(status, 500 | 502..=504) || e.error_type().is_none() {
        prop_assert_eq!(e.kind(), crate::ErrorKind::from_status(*status));
    }
    let shown = format!("{e} {e:?}");
    prop_assert!(!shown.is_empty());
    Ok(())
}

/// A string holding `key` as JSON text can: plainly, or with one character escaped.
fn encodings(key: &str) -> Vec<String> {
    let mut out = vec![key.to_string()];
    for (i, c) in key.char_indices().step_by(5) {
        out.push(format!(
            "{}\\u{:04x}{}",
            &key[..i],
            c as u32,
            &key[i + c.len_utf8()..]
        ));
    }
    out
}

proptest! {
    #[test]
    fn any_response_becomes_a_result(input in raw()) {
        check::<Value>(&input)?;
        check::<User>(&input)?;
        check::<List<User>>(&input)?;
        check::<serde::de::IgnoredAny>(&input)?;
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
        if let Decision::Retry(wait) = decision {
            prop_assert_eq!(wait.reason(), "retry-after");
            prop_assert!(wait.duration() <= retry::MAX_RETRY_AFTER);
            prop_assert!(elapsed + wait.duration() < deadline);
            prop_assert!(attempt <= max_retries);
        }
    }

    /// A server that echoes the key, plainly or through JSON escapes, in any field or
    /// header, never gets it shown: not in an error's text, its `Debug`, or its sources.
    #[test]
    fn an_echoed_key_is_never_shown(
        key in "sk_test_[A-Za-z0-9]{8,32}",
        which in any::<prop::sample::Index>(),
        status in prop::sample::select(vec![200u16, 400, 404, 422, 429, 500, 503]),
        place in 0usize..6,
    ) {
        let all = encodings(&key);
        let echo = &all[which.index(all.len())];
        let body = match place {
            0 => format!(r#"{{"error":{{"type":"t","code":"c","message":"bad key {echo}"}}}}"#),
            1 => format!(r#"{{"error":{{"type":"{echo}","message":"m"}}}}"#),
            2 => format!(r#"{{"error":{{"code":["{echo}"],"message":"m"}}}}"#),
            3 => format!(r#"{{"object":"user","user_id":"u","created_at":"{echo}"}}"#),
            4 => format!(r#"{{"object":"list","url":"/v1/users","data":[{{"object":"{echo}"}}]}}"#),
            _ => format!(r#"{{"{echo}":1,"object":"user","user_id":7}}"#),
        };
        let header = format!("req_{key}");
        let raw = raw_with(status, &[("request-id", &header), ("retry-after", &key)], body.as_bytes());
        let config = config_with(Some(&key));
        for result in [
            parse::response::<User>(raw_with(status, &[("request-id", &header), ("retry-after", &key)], body.as_bytes()), &config, false).map(|_| ()),
            parse::response::<List<User>>(raw, &config, false).map(|_| ()),
        ] {
            if let Err(e) = result {
                let shown = shown(&e);
                prop_assert!(!shown.contains(&key), "{}", shown);
            }
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// However long or odd the strings a server sends, what an error shows is bounded
    /// and has no control character that could forge a log line.
    #[test]
    fn error_text_is_bounded_and_clean(
        long in prop::sample::select(vec![1usize, 1_000, 50_000]),
        junk in "[\\x00-\\x1f\\x7f\\u{202e}a-z]{1,20}",
        status in prop::sample::select(vec![200u16, 404, 500]),
    ) {
        let big = junk.repeat(long);
        let value = serde_json::to_string(&big).unwrap_or_default();
        let code: Vec<u32> = (0..long as u32).collect();
        let body = if status == 200 {
            format!(r#"{{"object":"user","user_id":"u","created_at":{value}}}"#)
        } else {
            format!(r#"{{"error":{{"type":{value},"code":{},"message":{value}}}}}"#, serde_json::to_string(&code).unwrap_or_default())
        };
        let id = "r".repeat(long);
        let raw = raw_with(status, &[("request-id", &id), ("retry-after", &id)], body.as_bytes());
        let Err(e) = parse::response::<User>(raw, &config_with(None), false) else {
            return Err(TestCaseError::fail("not an error"));
        };
        let shown = shown(&e);
        prop_assert!(shown.len() < 4 * (MAX_MESSAGE + 4 * MAX_SHORT), "{} bytes", shown.len());
        prop_assert!(!shown.chars().any(|c| c.is_control() || c == '\u{202e}'), "{:?}", shown);
    }
}

proptest! {
    #[test]
    fn any_id_stays_one_segment(id in prop_oneof![any::<String>(), "[./?#%&=a-z~_-]{1,12}", Just(".".to_string()), Just("..".to_string())]) {
        match segment("id", &id) {
            Err(e) => {
                prop_assert!(id.is_empty() || id.len() > MAX_ID_BYTES);
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
    fn any_query_value_stays_one_value(value in ".{0,200}") {
        let config = config_with(None).to_builder().api_host("http://127.0.0.1").finish();
        let url = Request::get("/v1/users".into())
            .query("starting_after", Some(&value))
            .url(&config)
            .unwrap_or_default();
        let encoded = url.strip_prefix("http://127.0.0.1/v1/users?starting_after=").unwrap_or("");
        prop_assert!(!encoded.contains(['&', '#', '?', '=', '/', ' ']));
        let back = percent_encoding::percent_decode_str(encoded).decode_utf8();
        prop_assert_eq!(back.as_deref().ok(), Some(value.as_str()));
    }
}
