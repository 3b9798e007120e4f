//! `Profile` — an issuer, creator or endorser — and the value classes it uses: `Image`, `Address`,
//! `GeoCoordinates`, `IdentifierEntry`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::value::{MultiLang, OneOrMany};

/// An image: a URL (or data URI) with optional caption.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Image {
    /// The URL or data URI.
    pub id: String,
    /// `Image`.
    #[serde(rename = "type")]
    pub kind: OneOrMany<String>,
    /// Caption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<MultiLang>,
    /// Members not modelled here, kept as received.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// An image given as an Image object or (as older documents do) a bare URL string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ImageRef {
    /// An Image object (what OB 3.0 requires).
    Image(Image),
    /// A bare URL (reported by [`crate::lint`]).
    Url(String),
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// `["Address"]`.
    #[serde(rename = "type")]
    pub kind: OneOrMany<String>,
    /// Country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_country: Option<MultiLang>,
    /// Locality (city).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_locality: Option<MultiLang>,
    /// Region (state).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_region: Option<MultiLang>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address: Option<MultiLang>,
    /// Coordinates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geo: Option<GeoCoordinates>,
    /// Members not modelled here, kept as received.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// Latitude and longitude.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeoCoordinates {
    /// `GeoCoordinates`.
    #[serde(rename = "type")]
    pub kind: OneOrMany<String>,
    /// Latitude.
    pub latitude: serde_json::Number,
    /// Longitude.
    pub longitude: serde_json::Number,
    /// Members not modelled here, kept as received.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// Another identifier of a person, organisation or achievement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentifierEntry {
    /// `IdentifierEntry`.
    #[serde(rename = "type")]
    pub kind: OneOrMany<String>,
    /// The identifier.
    pub identifier: String,
    /// Its type (`sourcedId`, `systemId`, `ext:…`, …).
    pub identifier_type: String,
    /// Members not modelled here, kept as received.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// A Profile: an issuer, creator or endorser. Fields not listed are kept in `extensions`.
///
/// # Example
/// ```
/// use openbadges::profile::Profile;
/// let p = Profile::new("https://riverside.example/issuer", "Riverside Unified");
/// let back = Profile::from_json(p.to_json_value().to_string().as_bytes())?;
/// assert_eq!(back.name.as_ref().and_then(|n| n.text()), Some("Riverside Unified"));
/// # Ok::<(), openbadges::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// Unique URI (a DID or https URL for issuers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `["Profile"]`.
    #[serde(rename = "type")]
    pub kind: OneOrMany<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<MultiLang>,
    /// Home page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Contact e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<MultiLang>,
    /// Image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRef>,
    /// Postal address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// Other identifiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_identifier: Option<Vec<IdentifierEntry>>,
    /// Parent organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_org: Option<Box<Profile>>,
    /// Members not modelled here (phone, endorsement, familyName, …), kept as received.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// The issuer side of a Profile (the name ARCHITECTURE.md uses).
pub type IssuerProfile = Profile;

impl Profile {
    /// A Profile with an id and a name.
    pub fn new(id: impl Into<String>, name: impl Into<MultiLang>) -> Self {
        Profile {
            id: Some(id.into()),
            kind: OneOrMany::Many(vec!["Profile".into()]),
            name: Some(name.into()),
            url: None,
            email: None,
            description: None,
            image: None,
            address: None,
            other_identifier: None,
            parent_org: None,
            extensions: Map::new(),
        }
    }

    /// Parses a Profile (strict JSON, typed errors with the field's JSON Pointer).
    pub fn from_json(bytes: &[u8]) -> crate::Result<Self> {
        crate::credential::from_json_typed(bytes, "Profile")
    }

    /// The JSON form.
    pub fn to_json_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}
