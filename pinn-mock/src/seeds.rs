//! What a test seeds that the API cannot create: a user with any status, an enrolled device.

/// The device [`MockServer::enroll_device`](crate::MockServer::enroll_device) enrolls.
///
/// ```
/// let seed = pinn_mock::DeviceSeed { platform: "android".into(), ..Default::default() };
/// assert!(seed.left_palm);
/// ```
#[derive(Debug, Clone)]
pub struct DeviceSeed {
    /// The device's name, e.g. `"Ada's iPhone"`.
    pub name: String,
    /// Its maker, e.g. `"Apple"`.
    pub make: String,
    /// Its model identifier, e.g. `"iPhone15,2"`.
    pub model: String,
    /// `"ios"` or `"android"`.
    pub platform: String,
    /// The OS version, e.g. `"17.4"`.
    pub platform_version: String,
    /// The Pinn mobile framework version, e.g. `"1.8.0"`.
    pub framework_version: String,
    /// An APNS or FCM token, if any.
    pub push_notification_token: Option<String>,
    /// Whether this enrollment includes the left palm.
    pub left_palm: bool,
    /// Whether this enrollment includes the right palm.
    pub right_palm: bool,
}

impl Default for DeviceSeed {
    /// Ada's iPhone 14 Pro on iOS 17.4, left palm enrolled.
    fn default() -> Self {
        DeviceSeed {
            name: "Ada's iPhone".into(),
            make: "Apple".into(),
            model: "iPhone15,2".into(),
            platform: "ios".into(),
            platform_version: "17.4".into(),
            framework_version: "1.8.0".into(),
            push_notification_token: None,
            left_palm: true,
            right_palm: false,
        }
    }
}

/// The user [`MockServer::seed_user`](crate::MockServer::seed_user) creates: one with a status the API cannot create
/// users with.
///
/// ```
/// let seed = pinn_mock::UserSeed { status: "disabled".into(), ..Default::default() };
/// assert!(seed.metadata.is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct UserSeed {
    /// The user's metadata.
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// `"active"` or `"disabled"`.
    pub status: String,
}

impl Default for UserSeed {
    /// An active user without metadata.
    fn default() -> Self {
        UserSeed {
            metadata: serde_json::Map::new(),
            status: "active".into(),
        }
    }
}
