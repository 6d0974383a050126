//! What the models' fields share: string enums with a fallback, `null` read as a default,
//! and the metadata setters of parameters.

use serde::Deserialize;
use serde::de::Deserializer;

/// Implements `metadata` (the whole map) and `metadata_entry` (one entry) for parameters
/// with a `metadata: Option<Map<String, Value>>` field, with examples naming the type.
macro_rules! metadata_setters {
    ($params:ident) => {
        impl $params {
            /// Sets the whole metadata object.
            ///
            /// ```
            /// let metadata = serde_json::json!({"external_id": "42", "plan": "pro"});
            /// let metadata = metadata.as_object().unwrap().clone();
            #[doc = concat!(
                "let params = pinn::", stringify!($params), "::new().metadata(metadata.clone());"
            )]
            /// assert_eq!(params.metadata, Some(metadata));
            /// ```
            pub fn metadata(mut self, metadata: serde_json::Map<String, serde_json::Value>) -> Self {
                self.metadata = Some(metadata);
                self
            }

            /// Adds one entry to the metadata sent, which starts empty.
            ///
            /// ```
            #[doc = concat!("let params = pinn::", stringify!($params), "::new()")]
            ///     .metadata_entry("external_id", "42")
            ///     .metadata_entry("tier", 2);
            /// assert_eq!(params.metadata, Some(serde_json::from_str(r#"{"external_id": "42", "tier": 2}"#)?));
            /// # Ok::<(), serde_json::Error>(())
            /// ```
            pub fn metadata_entry(
                mut self,
                key: impl Into<String>,
                value: impl Into<serde_json::Value>,
            ) -> Self {
                self.metadata
                    .get_or_insert_with(Default::default)
                    .insert(key.into(), value.into());
                self
            }
        }
    };
}
pub(crate) use metadata_setters;

/// A string enum with a fallback for values this crate does not know yet.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version of the crate does not know.
            Other(String),
        }

        impl $name {
            /// The value as sent on the wire.
            ///
            /// ```
            #[doc = concat!("use pinn::", stringify!($name), ";")]
            $(#[doc = concat!(
                "assert_eq!(", stringify!($name), "::", stringify!($variant), ".as_str(), ",
                stringify!($value), ");"
            )])+
            #[doc = concat!("assert_eq!(", stringify!($name), "::from(\"beta\").as_str(), \"beta\");")]
            /// ```
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $value,)+
                    $name::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($value => $name::$variant,)+
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
                Ok($name::from(&*s))
            }
        }
    };
}
pub(crate) use string_enum;

/// Deserializes `null` as the type's default, so a field the server sends as `null` decodes.
pub(crate) fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
