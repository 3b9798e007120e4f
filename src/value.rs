//! Value shapes Open Badges JSON uses everywhere: one-or-many, plain-or-language-map text, and
//! enumerations with the spec's `ext:` extension rule. Each remembers the form it was read in, so
//! serializing writes back what was received.

use serde::{Deserialize, Serialize};

/// A single value or an array of them (JSON-LD lets most properties be either).
///
/// # Example
/// ```
/// use openbadges::value::OneOrMany;
/// let one: OneOrMany<String> = serde_json::from_str(r#""Profile""#)?;
/// let many: OneOrMany<String> = serde_json::from_str(r#"["Profile"]"#)?;
/// assert_eq!(one.as_slice(), many.as_slice());
/// assert_eq!(serde_json::to_string(&many)?, r#"["Profile"]"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum OneOrMany<T> {
    /// An array. (Listed first: untagged deserialization tries it before `One`, so an array of
    /// JSON values is read as `Many`, not as one value that happens to be an array.)
    Many(Vec<T>),
    /// A single value, written without brackets.
    One(T),
}

impl<T> OneOrMany<T> {
    /// The values as a slice.
    pub fn as_slice(&self) -> &[T] {
        match self {
            OneOrMany::One(t) => std::slice::from_ref(t),
            OneOrMany::Many(v) => v,
        }
    }
    /// Whether `pred` holds for any value.
    pub fn any(&self, pred: impl FnMut(&T) -> bool) -> bool {
        self.as_slice().iter().any(pred)
    }
}

impl<T> From<Vec<T>> for OneOrMany<T> {
    fn from(v: Vec<T>) -> Self {
        OneOrMany::Many(v)
    }
}

/// Text that is either a plain string or a language map (`{"en": "…", "es": "…"}`).
///
/// Note: the OB 3.0 JSON-LD context defines no `@container: @language` for most properties, so a
/// language map cannot be signed with a Data Integrity proof there (see [`crate::lint`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum MultiLang {
    /// A plain string.
    Text(String),
    /// Language tag → text, in the order received.
    Map(serde_json::Map<String, serde_json::Value>),
}

impl MultiLang {
    /// The plain text, or the first entry of a language map.
    pub fn text(&self) -> Option<&str> {
        match self {
            MultiLang::Text(s) => Some(s),
            MultiLang::Map(m) => m.values().next().and_then(|v| v.as_str()),
        }
    }
}

impl From<&str> for MultiLang {
    fn from(s: &str) -> Self {
        MultiLang::Text(s.to_string())
    }
}

impl From<String> for MultiLang {
    fn from(s: String) -> Self {
        MultiLang::Text(s)
    }
}

/// Defines an OB enumeration: known values, `ext:` extensions, and any other string kept as
/// `Unknown` (so nothing is lost; [`crate::lint`] reports it).
macro_rules! ob_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// An extension value (`ext:…`), as the spec allows.
            Ext(String),
            /// A value that is neither defined nor an `ext:` extension (kept as received).
            Unknown(String),
        }

        impl $name {
            /// The value as written in JSON.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Ext(s) | $name::Unknown(s) => s,
                }
            }
            /// Parses a JSON string value.
            pub fn parse(s: &str) -> Self {
                match s {
                    $($text => $name::$variant,)+
                    other if other.starts_with("ext:") => $name::Ext(other.to_string()),
                    other => $name::Unknown(other.to_string()),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(d)?;
                Ok($name::parse(&s))
            }
        }
    };
}
pub(crate) use ob_enum;
