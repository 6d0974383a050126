//! How a model is declared: the [`model!`] macro. A model's fields are written once; the
//! macro adds what every model has and implements what every model does.
//!
//! - `extra`: the fields this crate does not know, kept as sent.
//! - `state`, private: the client that fetched it, the response it came in and, for a model
//!   with `save()`, its updatable fields as last read or restored. It is never serialized and
//!   never compared: two models with the same fields are equal, whoever fetched them.
//! - `Serialize` of exactly the fields; `Deserialize` of the fields too, after which the
//!   object remembers its updatable fields as it was restored, so a `save()` sends only what
//!   changes after that (a private mirror of the fields does the decoding, so the public type
//!   has no helper functions of serde's).
//! - `Display` as pretty JSON, and [`Object`](crate::object::Object).

/// Declares a model. `object "user", id user_id` names its kind and its ID field; `saves T =
/// |m| expr` names what `save()` compares against (a tuple of the updatable fields).
macro_rules! model {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            $(
                $(#[doc = $field_doc:literal])*
                $(#[serde($($serde:tt)*)])*
                pub $field:ident: $ty:ty,
            )*
        }
        object $kind:literal, id $id:ident;
        $(saves $snapshot:ty = |$model:ident| $take:expr;)?
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        pub struct $name {
            $(
                $(#[doc = $field_doc])*
                $(#[serde($($serde)*)])*
                pub $field: $ty,
            )*
            /// Fields this crate does not know, kept as sent.
            #[serde(flatten)]
            pub extra: serde_json::Map<String, serde_json::Value>,
            /// Where it came from, and what `save()` compares against.
            #[serde(skip)]
            state: crate::object::State<crate::model::model!(@snapshot $($snapshot)?)>,
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                #[derive(serde::Deserialize)]
                #[serde(expecting = $kind)]
                struct Wire {
                    $($(#[serde($($serde)*)])* $field: $ty,)*
                    #[serde(flatten)]
                    extra: serde_json::Map<String, serde_json::Value>,
                }
                let wire = Wire::deserialize(d)?;
                #[allow(unused_mut)]
                let mut model = $name {
                    $($field: wire.$field,)*
                    extra: wire.extra,
                    state: Default::default(),
                };
                $(
                    let $model = &model;
                    let taken: $snapshot = $take;
                    model.state.loaded = taken;
                )?
                Ok(model)
            }
        }

        impl std::fmt::Display for $name {
            /// The object as pretty JSON, like the Python SDK's `str()`.
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                crate::object::write_json(self, f)
            }
        }

        impl crate::object::Object for $name {
            const OBJECT: &'static str = $kind;
            fn object(&self) -> &str {
                &self.object
            }
            fn id(&self) -> &str {
                &self.$id
            }
        }

        impl crate::object::private::Sealed for $name {
            fn origin(&self) -> &crate::object::Origin {
                &self.state.origin
            }
            fn origin_mut(&mut self) -> &mut crate::object::Origin {
                &mut self.state.origin
            }
        }
    };
    (@snapshot) => { () };
    (@snapshot $snapshot:ty) => { $snapshot };
}
pub(crate) use model;
