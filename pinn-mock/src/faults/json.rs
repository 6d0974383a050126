//! A fault as JSON: the control API's shape, in which serde reads and writes a [`Fault`].

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::fault::{Fault, FaultKind};

/// In the control API's JSON shape.
impl Serialize for Fault {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        FaultJson::from(self.clone()).serialize(serializer)
    }
}

/// From the control API's JSON shape, checked: a refusal is serde's error.
impl<'de> Deserialize<'de> for Fault {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Fault, D::Error> {
        let json = FaultJson::deserialize(deserializer)?;
        Fault::try_from(json).map_err(serde::de::Error::custom)
    }
}

/// A fault as JSON: the control API's shape, and serde's.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultJson {
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delay_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    times: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    method: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    after_commit: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    probability: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
}

impl From<Fault> for FaultJson {
    fn from(f: Fault) -> FaultJson {
        let mut j = FaultJson {
            kind: String::new(),
            status: None,
            retry_after: None,
            delay_ms: None,
            body: None,
            times: f.times,
            path: f.path,
            method: f.method,
            after_commit: f.after_commit,
            probability: f.probability,
            seed: f.seed,
        };
        j.kind = match f.kind {
            FaultKind::Status(s) => {
                j.status = Some(s);
                "status"
            }
            FaultKind::RateLimit(after) => {
                j.retry_after = Some(after);
                "rate_limit"
            }
            FaultKind::Delay(d) => {
                j.delay_ms = Some(u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
                "delay"
            }
            FaultKind::Close => "close",
            FaultKind::Truncated => "truncated_body",
            FaultKind::Body(s, body) => {
                (j.status, j.body) = (Some(s), Some(body));
                "body"
            }
        }
        .to_string();
        j
    }
}

impl TryFrom<FaultJson> for Fault {
    type Error = String;

    fn try_from(j: FaultJson) -> Result<Fault, String> {
        let kind = j.kind.as_str();
        let status = || match j.status {
            // A 1xx is not a final answer: the client would wait on for one.
            Some(s) if (200..=999).contains(&s) => Ok(s),
            Some(s) => Err(format!("status must be from 200 to 999, not {s}")),
            None => Err(format!("a {kind} fault needs a status")),
        };
        let (fault, own): (Fault, &[&str]) = match kind {
            "status" => (Fault::status(status()?), &["status"]),
            "rate_limit" => {
                let after = j
                    .retry_after
                    .as_deref()
                    .ok_or("a rate_limit fault needs retry_after")?;
                if after.chars().any(char::is_control) {
                    return Err("retry_after must not hold control characters".into());
                }
                (Fault::rate_limit(after), &["retry_after"])
            }
            "delay" => {
                let ms = j.delay_ms.ok_or("a delay fault needs delay_ms")?;
                (Fault::delay(Duration::from_millis(ms)), &["delay_ms"])
            }
            "close" => (Fault::close(), &[]),
            "truncated_body" => (Fault::truncated_body(), &[]),
            "body" => {
                let body = j.body.as_deref().ok_or("a body fault needs a body")?;
                (Fault::body(status()?, body), &["status", "body"])
            }
            other => {
                return Err(format!(
                    "kind must be one of status, rate_limit, delay, close, truncated_body, \
                     body, not {other:?}"
                ));
            }
        };
        let given = [
            ("status", j.status.is_some()),
            ("retry_after", j.retry_after.is_some()),
            ("delay_ms", j.delay_ms.is_some()),
            ("body", j.body.is_some()),
        ];
        if let Some((field, _)) = given.iter().find(|(f, set)| *set && !own.contains(f)) {
            return Err(format!("{field} is not a field of a {kind} fault"));
        }
        if j.times == Some(0) {
            return Err("times must be at least 1".into());
        }
        if let Some(p) = j.probability.filter(|p| !(0.0..=1.0).contains(p)) {
            return Err(format!("probability must be from 0 to 1, not {p}"));
        }
        let mut fault = Fault {
            times: j.times,
            path: j.path,
            after_commit: j.after_commit,
            seed: j.seed,
            ..fault
        };
        if let Some(m) = j.method {
            fault = fault.on_method(&m);
        }
        if let Some(p) = j.probability {
            fault = fault.probability(p);
        }
        Ok(fault)
    }
}
