//! The row of each kind of object a list prints: its columns and its cells.

use pinn::{App, Device, Event, Log, User, WebhookEndpoint};

use super::cells::{short, time, yes};
use super::table::Row;

impl Row for User {
    const NAME: &'static str = "user";
    const COLUMNS: &'static [&'static str] = &[
        "USER_ID", "STATUS", "DEVICE", "PALMS", "CREATED", "METADATA",
    ];
    fn cells(&self) -> Vec<String> {
        let palms = match (self.left_palm_enrolled, self.right_palm_enrolled) {
            (true, true) => "left+right",
            (true, false) => "left",
            (false, true) => "right",
            (false, false) => "-",
        };
        vec![
            self.user_id.clone(),
            self.status.as_ref().map_or("-".into(), |s| s.to_string()),
            yes(self.device_enrolled),
            palms.into(),
            time(self.created_at),
            short(&self.metadata, 40),
        ]
    }
}

impl Row for App {
    const NAME: &'static str = "app";
    const COLUMNS: &'static [&'static str] = &["APP_ID", "TYPE", "NAME", "CREATED", "DESCRIPTION"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.app_id.clone(),
            self.app_type.to_string(),
            self.name.clone(),
            time(self.created_at),
            self.description.clone().unwrap_or_else(|| "-".into()),
        ]
    }
}

impl Row for Device {
    const NAME: &'static str = "device";
    const COLUMNS: &'static [&'static str] = &[
        "DEVICE_ID",
        "USER_ID",
        "PLATFORM",
        "MODEL",
        "CREATED",
        "NAME",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.device_id.clone(),
            self.user_id.clone(),
            format!("{} {}", self.platform, self.platform_version),
            self.model.clone(),
            time(self.created_at),
            self.name.clone(),
        ]
    }
}

impl Row for Event {
    const NAME: &'static str = "event";
    const COLUMNS: &'static [&'static str] = &["EVENT_ID", "TYPE", "CREATED", "REQUEST"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.event_id.clone(),
            self.event_type.clone(),
            time(self.created_at),
            self.request.clone().unwrap_or_else(|| "-".into()),
        ]
    }
}

impl Row for Log {
    const NAME: &'static str = "log";
    const COLUMNS: &'static [&'static str] = &[
        "LOG_ID",
        "USER_ID",
        "DEVICE_ID",
        "SUCCESS",
        "SCORE",
        "AUTH",
        "CREATED",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.log_id.clone(),
            self.user_id.clone(),
            self.device_id.clone(),
            yes(self.success),
            format!("{:.2}", self.score),
            self.auth_type.to_string(),
            time(self.created_at),
        ]
    }
}

impl Row for WebhookEndpoint {
    const NAME: &'static str = "webhook endpoint";
    const COLUMNS: &'static [&'static str] =
        &["WEBHOOK_ENDPOINT_ID", "STATUS", "CREATED", "URL", "EVENTS"];
    fn cells(&self) -> Vec<String> {
        vec![
            self.webhook_endpoint_id.clone(),
            self.status.as_ref().map_or("-".into(), |s| s.to_string()),
            time(self.created_at),
            self.url.clone(),
            self.events.join(","),
        ]
    }
}
