//! Devices: `/v1/devices`. Devices are enrolled by the Pinn mobile SDK, not created here.

use super::fields::{or_default, string_enum};
use crate::calls::{self, calls};
use crate::errors::Result;
use crate::http::{ResponseInfo, segment};
use crate::list::{List, ListParams};
use crate::model::model;
use crate::object::Deletable;
use crate::resources::log::Log;

string_enum! {
    /// The platform of a device.
    Platform {
        /// iOS.
        Ios = "ios",
        /// Android.
        Android = "android",
    }
}

model! {
    /// A device enrolled by a user.
    pub struct Device {
        /// Always `"device"`.
        pub object: String,
        /// Unique ID (`dev_…`).
        pub device_id: String,
        /// The user the device is registered to.
        #[serde(default, deserialize_with = "or_default")]
        pub user_id: String,
        /// Unix seconds when the device was created.
        #[serde(default, deserialize_with = "or_default")]
        pub created_at: i64,
        /// Unix seconds when the device was last updated.
        #[serde(default, deserialize_with = "or_default")]
        pub updated_at: i64,
        /// Human-readable name.
        #[serde(default, deserialize_with = "or_default")]
        pub name: String,
        /// Manufacturer.
        #[serde(default, deserialize_with = "or_default")]
        pub make: String,
        /// Model identifier.
        #[serde(default, deserialize_with = "or_default")]
        pub model: String,
        /// `ios` or `android`.
        pub platform: Platform,
        /// Last recorded platform version.
        #[serde(default, deserialize_with = "or_default")]
        pub platform_version: String,
        /// Last recorded Pinn framework version.
        #[serde(default, deserialize_with = "or_default")]
        pub framework_version: String,
        /// APNS or FCM push notification token, if any.
        #[serde(default)]
        pub push_notification_token: Option<String>,
    }
    object "device", id device_id;
}

calls! {
    /// The device calls of one client: `client.devices()`. Devices are enrolled by the Pinn
    /// mobile SDK, not created here.
    Devices for Device, via devices;

    /// Retrieves a device: `GET /v1/devices/{device_id}`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let user = client.users().create(&Default::default())?;
    /// let device_id = server.enroll_device(&user.user_id, Default::default())?.device_id;
    /// assert_eq!(client.devices().retrieve(&device_id)?.user_id, user.user_id);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn retrieve(&self, device_id: &str) -> Result<Device> {
        calls::retrieve(self.client, "/v1/devices", "device_id", device_id)
    }

    /// Deletes a device: `DELETE /v1/devices/{device_id}`.
    /// Returns what the response said: its status and request ID.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let user = client.users().create(&Default::default())?;
    /// let device_id = server.enroll_device(&user.user_id, Default::default())?.device_id;
    /// client.devices().delete(&device_id)?;
    /// assert_eq!(server.count("device"), 0);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn delete(&self, device_id: &str) -> Result<ResponseInfo> {
        calls::delete(self.client, "/v1/devices", "device_id", device_id)
    }

    /// Lists devices, newest first: `GET /v1/devices`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let user = client.users().create(&Default::default())?;
    /// server.enroll_device(&user.user_id, Default::default())?;
    /// assert_eq!(client.devices().list(&Default::default())?.count, 1);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn list(&self, params: &ListParams) -> Result<List<Device>> {
        calls::list(self.client, "/v1/devices".into(), params)
    }

    /// Lists a device's authentication logs: `GET /v1/devices/{device_id}/logs`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let user = client.users().create(&Default::default())?;
    /// let device = server.enroll_device(&user.user_id, Default::default())?;
    /// server.record_log(&device.device_id, false)?;
    /// let logs = client.devices().list_logs(&device.device_id, &Default::default())?;
    /// assert!(!logs.data[0].success);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn list_logs(&self, device_id: &str, params: &ListParams) -> Result<List<Log>> {
        let path = format!("/v1/devices/{}/logs", segment("device_id", device_id)?);
        calls::list(self.client, path, params)
    }
}

impl Deletable for Device {
    /// Deletes this device, through the client that fetched it.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::Deletable;
    /// let user = pinn::User::create(&Default::default())?;
    /// // Devices are enrolled by the mobile SDK; the emulator seeds one.
    /// let device = server.enroll_device(&user.user_id, Default::default())?;
    /// device.delete()?;
    /// assert!(!pinn::User::retrieve(&user.user_id)?.device_enrolled);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    fn delete(&self) -> Result<ResponseInfo> {
        self.state.origin.client().devices().delete(&self.device_id)
    }
}
